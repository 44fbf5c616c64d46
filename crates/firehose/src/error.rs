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
    /// A delivery that failed for a reason AWS's error logs name with
    /// `code` (`S3.NoSuchBucket`, `DataFormatConversion.EntityNotFound`, ...).
    #[error("{message}")]
    Delivery { code: &'static str, message: String },
    #[error("internal Firehose error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = FirehoseError> = std::result::Result<T, E>;

impl FirehoseError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }

    /// The code and message a delivery error is logged with: AWS's
    /// `InternalError` for what is not the destination's fault.
    pub(crate) fn delivery_log(&self) -> (&'static str, String) {
        match self {
            Self::Delivery { code, message } => (code, message.clone()),
            _ => (
                "InternalError",
                "An internal error occurred when attempting to deliver data. Delivery will be retried.".into(),
            ),
        }
    }
}

lakestack_sqlite::internal_errors!(FirehoseError::Internal: lakestack_sqlite::Error, lakestack_sqlite::WriteError, rusqlite::Error, serde_json::Error, std::io::Error);
