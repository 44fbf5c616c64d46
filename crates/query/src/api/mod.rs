//! The Athena API edge: awsJson 1.1 requests (`X-Amz-Target:
//! AmazonAthena.<Op>`) run against the [`QueryEngine`] and the Glue catalog.
//!
//! The kit decodes a request into a [`Call`]; [`AthenaService::call`] names
//! its operation as an [`AthenaOp`], reads the operation's typed input and
//! hands it to the handler of one module per kind of resource. Handlers
//! answer with the typed shapes of [`dto`] and fail with [`ServiceError`]s.

mod dto;
mod metadata;
mod named_queries;
mod prepared;
mod queries;
mod results;
mod workgroups;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};
use lakestack_catalog::Catalog;

use crate::engine::QueryEngine;
use crate::error::QueryError;

/// Athena: awsJson 1.1 under `AmazonAthena`; a body of the wrong shape, a
/// broken constraint and a token it did not write are all
/// InvalidRequestException, its model's 500 InternalServerException.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "athena",
    title: "Athena",
    signing_name: "athena",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("AmazonAthena"),
    invalid_input_code: "InvalidRequestException",
    violation_code: "InvalidRequestException",
    invalid_token: ("InvalidRequestException", "NextToken is not valid"),
    internal_error: (
        "InternalServerException",
        "An internal error occurred. Please try again.",
    ),
    ..DEFAULT
};

lakestack_aws_protocol::operations! {
    /// The Athena operations lakestack implements; any other is answered
    /// with NotImplemented naming it.
    pub enum AthenaOp {
        StartQueryExecution,
        GetQueryExecution,
        BatchGetQueryExecution,
        ListQueryExecutions,
        StopQueryExecution,
        GetQueryResults,
        GetQueryRuntimeStatistics,
        CreateWorkGroup,
        GetWorkGroup,
        ListWorkGroups,
        UpdateWorkGroup,
        DeleteWorkGroup,
        CreateNamedQuery,
        GetNamedQuery,
        BatchGetNamedQuery,
        ListNamedQueries,
        UpdateNamedQuery,
        DeleteNamedQuery,
        CreatePreparedStatement,
        UpdatePreparedStatement,
        GetPreparedStatement,
        ListPreparedStatements,
        DeletePreparedStatement,
        ListDataCatalogs,
        GetDataCatalog,
        ListDatabases,
        GetDatabase,
        ListTableMetadata,
        GetTableMetadata,
    }
}

/// Athena's error code for each kind of engine error.
impl AwsError for QueryError {
    fn code(&self) -> &'static str {
        match self {
            QueryError::InvalidRequest(_) => "InvalidRequestException",
            QueryError::NotFound(_) => "ResourceNotFoundException",
            QueryError::Internal(_) => "InternalServerException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            QueryError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
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
}

#[async_trait]
impl Service for AthenaService {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use AthenaOp as Op;
        let (engine, catalog) = (&self.engine, &self.catalog);
        match call.operation::<Op>()? {
            Op::StartQueryExecution => queries::start(engine, call.input()?),
            Op::GetQueryExecution => queries::get(engine, call.input()?),
            Op::BatchGetQueryExecution => queries::batch_get(engine, call.input()?),
            Op::ListQueryExecutions => queries::list(engine, call.input()?),
            Op::StopQueryExecution => queries::stop(engine, call.input()?),
            Op::GetQueryRuntimeStatistics => queries::runtime_statistics(engine, call.input()?),
            Op::GetQueryResults => results::get(engine, call.input()?).await,
            Op::CreateWorkGroup => workgroups::create(engine, call.input()?),
            Op::GetWorkGroup => workgroups::get(engine, call.input()?),
            Op::ListWorkGroups => workgroups::list(engine, call.input()?),
            Op::UpdateWorkGroup => workgroups::update(engine, call.input()?),
            Op::DeleteWorkGroup => workgroups::delete(engine, call.input()?),
            Op::CreateNamedQuery => named_queries::create(engine, call.input()?),
            Op::GetNamedQuery => named_queries::get(engine, call.input()?),
            Op::BatchGetNamedQuery => named_queries::batch_get(engine, call.input()?),
            Op::ListNamedQueries => named_queries::list(engine, call.input()?),
            Op::UpdateNamedQuery => named_queries::update(engine, call.input()?),
            Op::DeleteNamedQuery => named_queries::delete(engine, call.input()?),
            Op::CreatePreparedStatement => prepared::create(engine, call.input()?),
            Op::UpdatePreparedStatement => prepared::update(engine, call.input()?),
            Op::GetPreparedStatement => prepared::get(engine, call.input()?),
            Op::ListPreparedStatements => prepared::list(engine, call.input()?),
            Op::DeletePreparedStatement => prepared::delete(engine, call.input()?),
            Op::ListDataCatalogs => metadata::list_data_catalogs(call.input()?),
            Op::GetDataCatalog => metadata::get_data_catalog(catalog, call.input()?),
            Op::ListDatabases => metadata::list_databases(catalog, call.input()?),
            Op::GetDatabase => metadata::get_database(catalog, call.input()?),
            Op::ListTableMetadata => metadata::list_table_metadata(catalog, call.input()?),
            Op::GetTableMetadata => metadata::get_table_metadata(catalog, call.input()?),
        }
    }
}

/// What every handler answers.
type Reply = Result<Output, ServiceError>;

/// Bad input: InvalidRequestException.
fn invalid(message: impl Into<String>) -> ServiceError {
    QueryError::InvalidRequest(message.into()).into()
}

/// A member the operation needs under its model name (`queryExecutionId`);
/// lakestack has always taken an empty one for a missing one.
fn required(value: Option<String>, member: &str) -> Result<String, ServiceError> {
    SPEC.required(value.filter(|s| !s.is_empty()), member)
}

/// `MaxResults`: `default` when absent, else 1 to `limit`.
fn page_size(max: Option<i64>, default: usize, limit: usize) -> Result<usize, ServiceError> {
    match max {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= limit => Ok(n as usize),
        Some(n) => Err(SPEC.violation(Violation::at_most("maxResults", n, limit as i64))),
    }
}

#[cfg(test)]
mod tests;
