//! Lambda's one error enum; each variant's AWS code and status are named
//! once, in `api`'s `impl AwsError`.

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LambdaError {
    /// `ResourceNotFoundException`, 404.
    #[error("{0}")]
    NotFound(String),
    /// `ResourceConflictException`, 409.
    #[error("{0}")]
    Conflict(String),
    /// `InvalidParameterValueException`, 400.
    #[error("{0}")]
    InvalidParameter(String),
    /// `InvalidRequestContentException`, 400: an Invoke payload that is not JSON.
    #[error("{0}")]
    InvalidRequestContent(String),
    /// `RequestTooLargeException`, 413.
    #[error("{0}")]
    RequestTooLarge(String),
    /// `TooManyRequestsException`, 429.
    #[error("{0}")]
    TooManyRequests(String),
    /// `PreconditionFailedException`, 412: a RevisionId that is not the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// `ResourceInUseException`, 400.
    #[error("{0}")]
    InUse(String),
    /// `ServiceException`, 500: our own failure (a file, the database).
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = LambdaError> = std::result::Result<T, E>;

impl LambdaError {
    pub fn internal(e: impl fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidParameter(message.into())
    }
}

impl From<rusqlite::Error> for LambdaError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<lakestack_sqlite::Error> for LambdaError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<std::io::Error> for LambdaError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}
