//! The crate's one error enum, in domain words; `api` maps each variant to
//! the Step Functions error code once, at the edge.

#[derive(Debug, thiserror::Error)]
pub enum StepFnError {
    #[error("{0}")]
    InvalidArn(String),
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidDefinition(String),
    #[error("{0}")]
    InvalidExecutionInput(String),
    #[error("{0}")]
    InvalidToken(String),
    #[error("{0}")]
    InvalidOutput(String),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    StateMachineDoesNotExist(String),
    #[error("{0}")]
    StateMachineAlreadyExists(String),
    #[error("{0}")]
    StateMachineTypeNotSupported(String),
    #[error("{0}")]
    ExecutionDoesNotExist(String),
    #[error("{0}")]
    ExecutionAlreadyExists(String),
    #[error("{0}")]
    ExecutionNotRedrivable(String),
    #[error("{0}")]
    ActivityDoesNotExist(String),
    #[error("{0}")]
    TaskDoesNotExist(String),
    #[error("{0}")]
    TaskTimedOut(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    TooManyTags(String),
    #[error("internal Step Functions error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = StepFnError> = std::result::Result<T, E>;

impl StepFnError {
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::Internal(msg.into().into())
    }
}

impl From<lakestack_sqlite::Error> for StepFnError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<rusqlite::Error> for StepFnError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<serde_json::Error> for StepFnError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}
