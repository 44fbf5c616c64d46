//! `wildcard` values: `*` stands for any run of characters, `\*` for a star and `\\` for a
//! backslash; two stars in a row and any other escape are refused, with event-ruler's
//! positions (bytes into the value's UTF-8 with its opening quote, as it parses it).
//!
//! Matching takes time linear in the value: the literal pieces between stars are found
//! left to right, each at its first occurrence after the previous one, which is enough for a
//! language where `*` is the only operator (no backtracking is ever needed).

/// A parsed wildcard value: the literal pieces around its stars (one more than the stars).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    pieces: Vec<String>,
}

impl Wildcard {
    /// Parses a value; the error is event-ruler's reason.
    pub(crate) fn parse(value: &str) -> Result<Self, String> {
        let bytes = value.as_bytes();
        let mut pieces = Vec::new();
        let mut piece = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            // event-ruler counts from the value's opening quote.
            let pos = i + 1;
            match bytes[i] {
                b'*' => {
                    if bytes.get(i + 1) == Some(&b'*') {
                        return Err(format!("Consecutive wildcard characters at pos {pos}"));
                    }
                    pieces.push(std::mem::take(&mut piece));
                }
                b'\\' => match bytes.get(i + 1) {
                    Some(&escaped @ (b'*' | b'\\')) => {
                        piece.push(escaped);
                        i += 1;
                    }
                    _ => return Err(format!("Invalid escape character at pos {pos}")),
                },
                b => piece.push(b),
            }
            i += 1;
        }
        pieces.push(piece);
        // Splitting valid UTF-8 at ASCII bytes, and dropping ASCII bytes, leaves valid UTF-8.
        let pieces = pieces
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap_or_default())
            .collect();
        Ok(Self { pieces })
    }

    pub(crate) fn stars(&self) -> usize {
        self.pieces.len() - 1
    }

    pub(crate) fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(split) => split,
            None => return false,
        };
        let Some((last, middle)) = rest.split_last() else {
            return s == first;
        };
        if s.len() < first.len() + last.len() || !s.starts_with(first.as_str()) || !s.ends_with(last.as_str()) {
            return false;
        }
        // Both ends are character boundaries: they end and start matched pieces.
        let mut between = &s[first.len()..s.len() - last.len()];
        for piece in middle {
            match between.find(piece.as_str()) {
                Some(at) => between = &between[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}
