//! The crate's one error enum, in domain words. Each variant's message is
//! AWS's wording (from the SQS API reference and answers recorded against
//! AWS); `api::errors` gives each variant its JSON and awsQuery codes once,
//! at the edge.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum SqsError {
    #[error("The specified queue does not exist.")]
    QueueDoesNotExist,
    /// CreateQueue named an existing queue with different attributes.
    #[error("A queue already exists with the same name and a different value for attribute {attribute}")]
    QueueNameExists { attribute: String },
    #[error("You must wait 60 seconds after deleting a queue before you can create another queue with the same name.")]
    QueueDeletedRecently,
    #[error("Unknown Attribute {0}.")]
    UnknownAttribute(String),
    /// An attribute name that is known but not allowed here.
    #[error("{0}")]
    InvalidAttributeName(String),
    #[error("Invalid value for the parameter {0}.")]
    InvalidAttributeValue(String),
    /// `Value v for parameter p is invalid. Reason: r`: AWS's most common shape.
    #[error("Value {value} for parameter {parameter} is invalid. Reason: {reason}")]
    InvalidParameter {
        parameter: String,
        value: String,
        reason: String,
    },
    /// InvalidParameterValue with a message of its own shape.
    #[error("{0}")]
    InvalidRequest(String),
    #[error("One or more parameters are invalid. Reason: Message must be shorter than {max} bytes.")]
    MessageTooLong { max: usize },
    #[error("The request must contain the parameter {0}.")]
    MissingParameter(&'static str),
    #[error(
        "Invalid binary character '#x{0:X}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
    )]
    InvalidMessageContents(u32),
    #[error("The input receipt handle \"{0}\" is not a valid receipt handle.")]
    ReceiptHandleIsInvalid(String),
    #[error("Message does not exist or is not available for visibility timeout change.")]
    MessageNotInflight,
    #[error("Only one PurgeQueue operation on {0} is allowed every 60 seconds.")]
    PurgeQueueInProgress(String),
    #[error("There should be at least one {0} in the request.")]
    EmptyBatchRequest(&'static str),
    #[error("Maximum number of entries per request are 10. You have sent {0}.")]
    TooManyEntriesInBatchRequest(usize),
    #[error("Id {0} repeated.")]
    BatchEntryIdsNotDistinct(String),
    #[error(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
    )]
    InvalidBatchEntryId,
    #[error("Batch requests cannot be longer than {max} bytes. You have sent {sent} bytes.")]
    BatchRequestTooLong { max: usize, sent: usize },
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    UnsupportedOperation(String),
    #[error("{0}")]
    OverLimit(String),
    #[error("internal SQS error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = SqsError> = std::result::Result<T, E>;

impl SqsError {
    pub(crate) fn parameter(parameter: &str, value: impl fmt::Display, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            parameter: parameter.to_owned(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

impl From<lakestack_sqlite::Error> for SqsError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<lakestack_sqlite::WriteError> for SqsError {
    fn from(e: lakestack_sqlite::WriteError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<rusqlite::Error> for SqsError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}
