//! The crate's one error enum, in domain words, for both of its services:
//! `api` gives each variant its EventBridge error code once, at the edge
//! (`impl AwsError`), and `scheduler_api` its EventBridge Scheduler code
//! and status (where the same variant is, say, a 404 `ResourceNotFoundException`
//! or a 409 `ConflictException`).

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// A bus, rule or target that does not exist, in AWS's words.
    #[error("{0}")]
    ResourceNotFound(String),
    /// A name taken (Scheduler's `ConflictException`).
    #[error("{0}")]
    ResourceAlreadyExists(String),
    /// A member EventBridge refuses (`ValidationException`).
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    InvalidEventPattern(String),
    /// A quota reached (Scheduler's `ServiceQuotaExceededException`).
    #[error("{0}")]
    LimitExceeded(String),
    /// A rule managed by another service, changed without `Force`.
    #[error("{0}")]
    ManagedRule(String),
    #[error("internal EventBridge error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = EventsError> = std::result::Result<T, E>;

impl EventsError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

lakestack_sqlite::internal_errors!(EventsError::Internal: lakestack_sqlite::Error, lakestack_sqlite::WriteError, rusqlite::Error, serde_json::Error);
