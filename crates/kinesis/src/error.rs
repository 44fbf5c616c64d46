//! The crate's one error enum, in domain words; `api` gives each variant
//! its Kinesis code once (`impl AwsError`). Messages follow AWS's wording.

#[derive(Debug, thiserror::Error)]
pub enum KinesisError {
    #[error("Stream {stream} under account {account} not found.")]
    StreamNotFound { stream: String, account: String },
    #[error("Shard {shard} in stream {stream} under account {account} does not exist")]
    ShardNotFound {
        shard: String,
        stream: String,
        account: String,
    },
    #[error("Consumer {consumer} under stream {stream} not found.")]
    ConsumerNotFound { consumer: String, stream: String },
    #[error("Stream {stream} under account {account} already exists.")]
    StreamExists { stream: String, account: String },
    #[error("Consumer {consumer} under stream {stream} already exists.")]
    ConsumerExists { consumer: String, stream: String },
    /// A stream or consumer in a state that does not allow the request.
    #[error("{0}")]
    ResourceInUse(String),
    /// A request that breaks one of Kinesis's rules (`InvalidArgumentException`).
    #[error("{0}")]
    InvalidArgument(String),
    /// A member outside its model's constraints (`ValidationException`).
    #[error("{0}")]
    Validation(String),
    /// A quota reached (`LimitExceededException`).
    #[error("{0}")]
    LimitExceeded(String),
    #[error(
        "Iterator expired. The iterator was created at time {made} while right now it is {now} which is further in the future than the tolerated delay of 300000 milliseconds."
    )]
    ExpiredIterator { made: String, now: String },
    #[error("internal Kinesis error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = KinesisError> = std::result::Result<T, E>;

impl KinesisError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

lakestack_sqlite::internal_errors!(KinesisError::Internal: lakestack_sqlite::Error, lakestack_sqlite::WriteError, rusqlite::Error, serde_json::Error);
