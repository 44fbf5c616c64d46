//! Query executions: start one, read its state and statistics, list a work
//! group's, stop one.

use std::sync::Arc;

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, ServiceError};
use serde::{Deserialize, Serialize};

use super::dto::{
    QueryExecution, QueryExecutionContext, QueryRuntimeStatistics, ResultConfiguration, UnprocessedQueryExecutionId,
};
use super::{Reply, SPEC, page_size, required};
use crate::engine::{QueryEngine, StartRequest};

/// BatchGetQueryExecution takes 1 to this many ids.
const BATCH_MAX: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct StartQueryExecutionInput {
    /// 1 to 262144 characters; the engine checks.
    query_string: String,
    /// Starting again with a token already used answers the first query's id.
    client_request_token: Option<String>,
    query_execution_context: Option<QueryExecutionContext>,
    result_configuration: Option<ResultConfiguration>,
    /// `primary` when absent.
    work_group: Option<String>,
    /// Values for the query's `?` placeholders, as SQL literals, in order.
    execution_parameters: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct StartQueryExecutionOutput {
    query_execution_id: String,
}

pub(super) fn start(engine: &Arc<QueryEngine>, i: StartQueryExecutionInput) -> Reply {
    let context = i.query_execution_context.unwrap_or_default();
    let query_execution_id = engine.start(StartRequest {
        query: i.query_string,
        database: context.database,
        catalog: context.catalog,
        output_location: i.result_configuration.and_then(|r| r.output_location),
        workgroup: i.work_group,
        client_request_token: i.client_request_token,
        parameters: i.execution_parameters,
    })?;
    Output::of(&StartQueryExecutionOutput { query_execution_id })
}

/// The input of GetQueryExecution, StopQueryExecution and
/// GetQueryRuntimeStatistics: one execution, by id.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct QueryExecutionIdInput {
    /// Required.
    query_execution_id: Option<String>,
}

impl QueryExecutionIdInput {
    fn id(self) -> Result<String, ServiceError> {
        required(self.query_execution_id, "queryExecutionId")
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetQueryExecutionOutput {
    query_execution: QueryExecution,
}

pub(super) fn get(engine: &QueryEngine, i: QueryExecutionIdInput) -> Reply {
    let e = engine.get(&i.id()?)?;
    Output::of(&GetQueryExecutionOutput {
        query_execution: e.into(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct BatchGetQueryExecutionInput {
    /// 1 to 50 ids.
    query_execution_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetQueryExecutionOutput {
    query_executions: Vec<QueryExecution>,
    unprocessed_query_execution_ids: Vec<UnprocessedQueryExecutionId>,
}

/// The executions found, and an unprocessed entry for each id that is not.
pub(super) fn batch_get(engine: &QueryEngine, i: BatchGetQueryExecutionInput) -> Reply {
    let ids = i.query_execution_ids;
    if ids.is_empty() || ids.len() > BATCH_MAX {
        return Err(SPEC.violation(Violation::len_between("queryExecutionIds", Shown::Hidden, 1, BATCH_MAX)));
    }
    let mut out = BatchGetQueryExecutionOutput {
        query_executions: Vec::new(),
        unprocessed_query_execution_ids: Vec::new(),
    };
    for id in ids {
        match engine.get(&id) {
            Ok(e) => out.query_executions.push(e.into()),
            Err(_) => out.unprocessed_query_execution_ids.push(UnprocessedQueryExecutionId {
                error_message: format!("QueryExecution {id} was not found"),
                query_execution_id: id,
                error_code: "INVALID_INPUT".into(),
            }),
        }
    }
    Output::of(&out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListQueryExecutionsInput {
    /// `primary` when absent.
    work_group: Option<String>,
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListQueryExecutionsOutput {
    query_execution_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// A work group's execution ids, newest first. The engine pages by key
/// already: its token names the last execution's submission time and id.
pub(super) fn list(engine: &QueryEngine, i: ListQueryExecutionsInput) -> Reply {
    let max = page_size(i.max_results, 50, 50)?;
    let (query_execution_ids, next_token) = engine.list(i.work_group.as_deref(), i.next_token.as_deref(), max)?;
    Output::of(&ListQueryExecutionsOutput {
        query_execution_ids,
        next_token,
    })
}

pub(super) fn stop(engine: &QueryEngine, i: QueryExecutionIdInput) -> Reply {
    engine.stop(&i.id()?)?;
    Ok(Output::empty_members())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetQueryRuntimeStatisticsOutput {
    query_runtime_statistics: QueryRuntimeStatistics,
}

pub(super) fn runtime_statistics(engine: &QueryEngine, i: QueryExecutionIdInput) -> Reply {
    let e = engine.get(&i.id()?)?;
    Output::of(&GetQueryRuntimeStatisticsOutput {
        query_runtime_statistics: QueryRuntimeStatistics::from(&e),
    })
}
