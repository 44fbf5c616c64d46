//! The Glue API edge: awsJson 1.1 requests (`X-Amz-Target: AWSGlue.<Op>`)
//! parsed into wire DTOs, run against the [`Catalog`], answered as Glue does.

mod convert;
mod dto;
mod ops;

use std::sync::Arc;

use bytes::Bytes;
use http::{Response, StatusCode};
use lakestack_aws_protocol::{json_error, json_ok, request_id};

use crate::Catalog;
use crate::error::CatalogError;

/// Glue's error code for a catalog error.
pub(crate) fn error_code(e: &CatalogError) -> &'static str {
    match e {
        CatalogError::NotFound(_) => "EntityNotFoundException",
        CatalogError::AlreadyExists(_) => "AlreadyExistsException",
        CatalogError::InvalidInput(_) => "InvalidInputException",
        CatalogError::Validation(_) => "ValidationException",
        CatalogError::ConcurrentModification(_) => "ConcurrentModificationException",
        CatalogError::CrawlerRunning(_) => "CrawlerRunningException",
        CatalogError::CrawlerNotRunning(_) => "CrawlerNotRunningException",
        CatalogError::CrawlerStopping(_) => "CrawlerStoppingException",
        CatalogError::SchedulerRunning(_) => "SchedulerRunningException",
        CatalogError::SchedulerNotRunning(_) => "SchedulerNotRunningException",
        CatalogError::NoSchedule(_) => "NoScheduleException",
        CatalogError::Internal(_) => "InternalServiceException",
    }
}

/// Why a request failed before or while reaching the catalog.
#[derive(Debug)]
pub(crate) enum ApiError {
    Catalog(CatalogError),
    /// The body is not JSON of the operation's shape.
    Serialization(String),
    /// A Glue operation lakestack does not implement.
    NotImplemented(String),
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        Self::Catalog(e)
    }
}

/// Serves Glue's JSON API over a catalog.
#[derive(Clone)]
pub struct GlueService {
    catalog: Arc<Catalog>,
}

impl GlueService {
    pub fn new(catalog: Arc<Catalog>) -> Self {
        Self { catalog }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Runs one operation; `operation` is the part of `X-Amz-Target` after `AWSGlue.`.
    pub async fn handle(&self, operation: &str, body: Bytes) -> Response<Bytes> {
        let rid = request_id();
        let catalog = Arc::clone(&self.catalog);
        let op = operation.to_owned();
        // Catalog calls are short synchronous SQLite work; keep them off the
        // reactor so a 100k-partition scan never stalls other connections.
        let result = match tokio::task::spawn_blocking(move || ops::dispatch(&catalog, &op, &body)).await {
            Ok(r) => r,
            Err(e) => Err(ApiError::Catalog(CatalogError::internal(e.to_string()))),
        };
        match result {
            Ok(value) => json_ok(&value, &rid),
            Err(ApiError::Catalog(e)) => {
                let status = if matches!(e, CatalogError::Internal(_)) {
                    tracing::error!(error = %e, operation, "glue operation failed");
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                };
                json_error(status, error_code(&e), &e.to_string(), &rid)
            }
            Err(ApiError::Serialization(msg)) => {
                json_error(StatusCode::BAD_REQUEST, "SerializationException", &msg, &rid)
            }
            Err(ApiError::NotImplemented(op)) => json_error(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                &format!("lakestack does not implement the Glue operation {op} yet"),
                &rid,
            ),
        }
    }
}
