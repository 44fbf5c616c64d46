//! The crate's one error enum, in domain words; `api` gives each variant its
//! SNS error code and status once, at the edge (`impl AwsError`).

use lakestack_aws_protocol::validation::Violation;

#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    /// A member SNS refuses, in its words (`Invalid parameter: Topic Name`).
    #[error("{0}")]
    InvalidParameter(String),
    /// A message attribute of the wrong shape (`ParameterValueInvalid`).
    #[error("{0}")]
    AttributeInvalid(String),
    /// A constraint of the model (`1 validation error detected: ...`).
    #[error("{0}")]
    Validation(String),
    #[error("Topic does not exist")]
    TopicNotFound,
    #[error("Subscription does not exist")]
    SubscriptionNotFound,
    /// A resource of a tagging operation.
    #[error("Resource does not exist")]
    ResourceNotFound,
    #[error("Could not complete request: tag quota of per resource exceeded")]
    TagLimitExceeded,
    #[error("Topic limit exceeded")]
    TopicLimitExceeded,
    #[error("Filter policy limit exceeded")]
    FilterPolicyLimitExceeded,
    #[error("The batch request doesn't contain any entries.")]
    EmptyBatch,
    #[error("The batch request contains more entries than permissible.")]
    TooManyEntries,
    #[error("Two or more batch entries in the request have the same Id.")]
    DuplicateEntryIds,
    #[error("The length of all the messages put together is more than the limit.")]
    BatchTooLong,
    #[error("The Id of a batch entry in a batch request doesn't abide by the specification.")]
    InvalidEntryId,
    #[error("internal SNS error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = SnsError> = std::result::Result<T, E>;

impl SnsError {
    /// `Invalid parameter: <what>`, SNS's most common refusal.
    pub(crate) fn invalid(what: impl std::fmt::Display) -> Self {
        Self::InvalidParameter(format!("Invalid parameter: {what}"))
    }

    pub(crate) fn violation(v: Violation) -> Self {
        Self::Validation(v.message())
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

impl From<lakestack_sqlite::Error> for SnsError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<rusqlite::Error> for SnsError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<serde_json::Error> for SnsError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}
