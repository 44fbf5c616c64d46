//! The crate's one error enum, in domain words; `api` gives each variant
//! its Firehose code once (`impl AwsError`). Messages follow AWS's wording.

#[derive(Debug, thiserror::Error)]
pub enum FirehoseError {
    #[error("Firehose {stream} under account {account} not found.")]
    NotFound { stream: String, account: String },
    #[error("Firehose {stream} under accountId {account} already exists.")]
    Exists { stream: String, account: String },
    /// A request that breaks one of Firehose's rules (`InvalidArgumentException`).
    #[error("{0}")]
    InvalidArgument(String),
    /// A member outside its model's constraints (`ValidationException`).
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// UpdateDestination against a version that is no longer current.
    #[error("{0}")]
    ConcurrentModification(String),
    #[error("{0}")]
    ResourceInUse(String),
    #[error("internal Firehose error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = FirehoseError> = std::result::Result<T, E>;

impl FirehoseError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

lakestack_sqlite::internal_errors!(FirehoseError::Internal: lakestack_sqlite::Error, lakestack_sqlite::WriteError, rusqlite::Error, serde_json::Error, std::io::Error);
