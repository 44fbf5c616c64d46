//! The Athena API edge: awsJson 1.1 requests (`X-Amz-Target:
//! AmazonAthena.<Op>`) run against the [`QueryEngine`] and the Glue catalog.

mod ops;

use std::sync::Arc;

use bytes::Bytes;
use http::{Response, StatusCode};
use lakestack_aws_protocol::{json_error, json_ok, request_id};
use lakestack_catalog::Catalog;

use crate::engine::QueryEngine;
use crate::error::QueryError;

/// Why a request failed, with the Athena error code it answers with.
#[derive(Debug)]
pub(crate) enum ApiError {
    Query(QueryError),
    /// Glue metadata the request names does not exist.
    Metadata(String),
    Serialization(String),
    NotImplemented(String),
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        Self::Query(e)
    }
}

/// Serves Athena's JSON API.
#[derive(Clone)]
pub struct AthenaService {
    engine: Arc<QueryEngine>,
    catalog: Arc<Catalog>,
}

impl AthenaService {
    pub fn new(engine: Arc<QueryEngine>, catalog: Arc<Catalog>) -> Self {
        Self { engine, catalog }
    }

    pub fn engine(&self) -> &Arc<QueryEngine> {
        &self.engine
    }

    /// Runs one operation; `operation` is the part of `X-Amz-Target` after `AmazonAthena.`.
    pub async fn handle(&self, operation: &str, body: Bytes) -> Response<Bytes> {
        let rid = request_id();
        match ops::dispatch(self, operation, &body).await {
            Ok(value) => json_ok(&value, &rid),
            Err(ApiError::Query(QueryError::InvalidRequest(m))) => {
                json_error(StatusCode::BAD_REQUEST, "InvalidRequestException", &m, &rid)
            }
            Err(ApiError::Query(QueryError::NotFound(m))) => {
                json_error(StatusCode::BAD_REQUEST, "ResourceNotFoundException", &m, &rid)
            }
            Err(ApiError::Query(e @ QueryError::Internal(_))) => {
                tracing::error!(error = %e, operation, "athena operation failed");
                json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerException",
                    &e.to_string(),
                    &rid,
                )
            }
            Err(ApiError::Metadata(m)) => json_error(StatusCode::BAD_REQUEST, "MetadataException", &m, &rid),
            Err(ApiError::Serialization(m)) => json_error(StatusCode::BAD_REQUEST, "SerializationException", &m, &rid),
            Err(ApiError::NotImplemented(op)) => json_error(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                &format!("lakestack does not implement the Athena operation {op} yet"),
                &rid,
            ),
        }
    }
}
