//! The one error enum of IAM and STS. Its AWS codes and statuses are named
//! once, in `api` (`impl AwsError`).

use lakestack_aws_protocol::validation::Violation;

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    EntityAlreadyExists(String),
    #[error("{0}")]
    DeleteConflict(String),
    #[error("{0}")]
    MalformedPolicyDocument(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// AWS's `1 validation error detected: ...` and other ValidationErrors.
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    InvalidInput(String),
    /// A temporary key used after its expiration.
    #[error("{0}")]
    ExpiredToken(String),
    /// An access key IAM knows as Inactive.
    #[error("{0}")]
    InvalidClientTokenId(String),
    #[error("{0}")]
    PackedPolicyTooLarge(String),
    #[error("{0}")]
    InvalidIdentityToken(String),
    #[error("internal IAM error: {0}")]
    Internal(String),
}

pub type Result<T, E = IamError> = std::result::Result<T, E>;

impl IamError {
    pub fn violation(v: Violation) -> Self {
        Self::Validation(v.message())
    }
}

impl From<rusqlite::Error> for IamError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<lakestack_sqlite::Error> for IamError {
    fn from(e: lakestack_sqlite::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for IamError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(e.to_string())
    }
}
