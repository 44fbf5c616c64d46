//! The query crate's one error enum. `api` maps it to Athena's error codes.

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Bad API input: Athena's InvalidRequestException.
    #[error("{0}")]
    InvalidRequest(String),
    /// A named resource (work group, data catalog, database, table) does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("internal query engine error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = QueryError> = std::result::Result<T, E>;
