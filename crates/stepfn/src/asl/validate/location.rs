//! Where a diagnostic points: AWS's JSON-pointer-like paths such as `/States/A/Retry[0]`.

/// A diagnostic location; the root is empty internally and rendered as `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loc(String);

impl Loc {
    pub(super) fn root() -> Loc {
        Loc(String::new())
    }

    pub(super) fn field(&self, name: &str) -> Loc {
        Loc(format!("{}/{}", self.0, name))
    }

    pub(super) fn index(&self, index: usize) -> Loc {
        Loc(format!("{}[{}]", self.0, index))
    }

    pub(super) fn render(&self) -> String {
        if self.0.is_empty() {
            "/".to_string()
        } else {
            self.0.clone()
        }
    }
}
