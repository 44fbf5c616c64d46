//! The crate's one error type: JSONata's error code (`T2001`, `D3030`, ...)
//! and its message, worded as jsonata-js words it, since AWS puts both in
//! the cause of a `States.QueryEvaluationError`.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// JSONata's code: `S` syntax, `T` type, `D` dynamic, `U` resource limits.
    pub code: &'static str,
    pub message: String,
    /// Where in the expression (a character offset), when known.
    pub position: Option<usize>,
    /// The token the error is about, when there is one.
    pub token: Option<String>,
}

impl Error {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            position: None,
            token: None,
        }
    }

    pub fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A value in a message as jsonata-js puts it there (`JSON.stringify`).
pub fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}
