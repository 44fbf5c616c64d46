//! The crate's one error enum, in domain words; `api` gives each variant
//! its CloudWatch Logs error code once, at the edge.

#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// A log group or stream that does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    ResourceAlreadyExists(String),
    /// A member AWS refuses: validation messages, a bad filter pattern, a
    /// batch that breaks PutLogEvents' rules.
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("{0}")]
    TooManyTags(String),
    #[error("internal CloudWatch Logs error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = LogsError> = std::result::Result<T, E>;

impl LogsError {
    pub(crate) fn no_group() -> Self {
        Self::ResourceNotFound("The specified log group does not exist.".into())
    }

    pub(crate) fn no_stream() -> Self {
        Self::ResourceNotFound("The specified log stream does not exist.".into())
    }

    pub(crate) fn violation(v: lakestack_aws_protocol::validation::Violation) -> Self {
        Self::InvalidParameter(v.message())
    }
}

impl From<lakestack_sqlite::Error> for LogsError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<rusqlite::Error> for LogsError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<crate::pattern::PatternError> for LogsError {
    fn from(e: crate::pattern::PatternError) -> Self {
        Self::InvalidParameter(e.0)
    }
}
