//! The catalog's one error enum, in domain words. `api/mod.rs` maps each
//! variant to Glue's error code once, at the edge.

use lakestack_aws_protocol::validation::Violation;

/// What a catalog operation can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    InvalidInput(String),
    /// A request member breaks a constraint of Glue's API model (e.g. a length);
    /// Glue's front end answers these as `ValidationException`, before the
    /// operation itself sees them.
    #[error("{0}")]
    Validation(String),
    /// An optimistic check (`VersionId`) lost against a concurrent writer.
    #[error("{0}")]
    ConcurrentModification(String),
    #[error("{0}")]
    CrawlerRunning(String),
    #[error("{0}")]
    CrawlerNotRunning(String),
    #[error("{0}")]
    CrawlerStopping(String),
    #[error("{0}")]
    SchedulerRunning(String),
    #[error("{0}")]
    SchedulerNotRunning(String),
    #[error("{0}")]
    NoSchedule(String),
    /// A job or workflow already has as many runs under way as its MaxConcurrentRuns.
    #[error("{0}")]
    ConcurrentRunsExceeded(String),
    /// A workflow run is not in a state the operation needs (stopping a run
    /// that is over, resuming one that is not COMPLETED).
    #[error("{0}")]
    IllegalWorkflowState(String),
    /// A Glue quota (actions per trigger, ...).
    #[error("{0}")]
    ResourceNumberLimitExceeded(String),
    #[error("internal catalog error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

impl CatalogError {
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::Internal(msg.into().into())
    }

    /// A request member that breaks a constraint, in AWS's words
    /// ("1 validation error detected: ..."), as InvalidInputException.
    pub fn invalid(v: Violation) -> Self {
        Self::InvalidInput(v.message())
    }
}

impl From<lakestack_sqlite::Error> for CatalogError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<rusqlite::Error> for CatalogError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<serde_json::Error> for CatalogError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}
