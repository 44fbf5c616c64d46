//! CloudWatch Logs filter patterns, as FilterLogEvents (and metric and
//! subscription filters) read them: unstructured terms (`ERROR "bad
//! thing" ?WARN -DEBUG`), JSON patterns (`{ $.level = "ERROR" && $.ms >
//! 100 }`), space-delimited patterns (`[ip, user, ..., status = 4*, bytes >
//! 1000]`) and regular expressions between `%`s.
//!
//! A pattern is untrusted text: the parser bounds its nesting
//! ([`MAX_DEPTH`]) and never panics; matching a message costs at most the
//! message's length times the pattern's size.

mod cursor;
mod delimited;
mod glob;
mod json;
mod regex;
mod terms;

use std::fmt;

/// How deep parentheses may nest in a JSON pattern: AWS documents no
/// figure; this keeps a hostile pattern from exhausting the stack.
pub const MAX_DEPTH: usize = 32;

/// A pattern that does not parse, in AWS's words (`Invalid filter pattern`,
/// `Invalid character(s) in term '...'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl PatternError {
    fn invalid() -> Self {
        Self("Invalid filter pattern".into())
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

/// A parsed filter pattern.
#[derive(Debug)]
pub struct FilterPattern {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// The empty pattern matches every event.
    All,
    Terms(terms::Terms),
    Json(json::Expr),
    Delimited(delimited::Delimited),
}

impl FilterPattern {
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let t = text.trim();
        let kind = if t.is_empty() {
            Kind::All
        } else if let Some(rest) = t.strip_prefix('{') {
            let inner = rest
                .strip_suffix('}')
                .ok_or_else(|| PatternError("If a filter pattern starts with '{' it must end with '}'".into()))?;
            Kind::Json(json::parse(inner)?)
        } else if let Some(rest) = t.strip_prefix('[') {
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| PatternError("If a filter pattern starts with '[' it must end with ']'".into()))?;
            Kind::Delimited(delimited::parse(inner)?)
        } else {
            Kind::Terms(terms::parse(t)?)
        };
        Ok(Self { kind })
    }

    pub fn matches(&self, message: &str) -> bool {
        match &self.kind {
            Kind::All => true,
            Kind::Terms(t) => t.matches(message),
            Kind::Json(e) => json::matches(e, message),
            Kind::Delimited(d) => d.matches(message),
        }
    }
}

/// A value a JSON or space-delimited comparison compares with.
#[derive(Debug)]
enum Literal {
    /// Quoted, or bare but not a number: compared as text, `*` a wildcard.
    Text(String),
    /// Bare and a number: compared as a number, or as its text when the
    /// other side is text.
    Number(f64, String),
    Regex(regex::Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Op {
    fn numeric_only(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }

    fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Gt => ord == Greater,
            Op::Le => ord != Greater,
            Op::Ge => ord != Less,
        }
    }
}

/// Compares a value found in an event (`text`, and `number` when it is
/// one) with a literal of the pattern.
fn compare(op: Op, text: &str, number: Option<f64>, lit: &Literal) -> bool {
    match lit {
        Literal::Number(n, raw) => match number {
            Some(v) => v.partial_cmp(n).is_some_and(|o| op.holds(o)),
            None if op.numeric_only() => false,
            None => (glob::matches(raw, text)) == (op == Op::Eq),
        },
        Literal::Text(t) => !op.numeric_only() && glob::matches(t, text) == (op == Op::Eq),
        Literal::Regex(r) => !op.numeric_only() && r.is_match(text) == (op == Op::Eq),
    }
}

#[cfg(test)]
mod tests;
