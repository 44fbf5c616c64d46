//! GetQueryResults: a page of a finished query's result, read back from the
//! file the query wrote to S3.

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::dto::{ColumnInfo, ResultSet, ResultSetMetadata, Row};
use super::{Reply, page_size, required};
use crate::engine::QueryEngine;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetQueryResultsInput {
    /// Required.
    query_execution_id: Option<String>,
    next_token: Option<String>,
    /// 1 to 1000, default 1000.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetQueryResultsOutput {
    /// Rows CTAS and INSERT INTO wrote; 0 for other statements.
    update_count: u64,
    result_set: ResultSet,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The first page starts with the header row, as Athena's does.
///
/// Unlike the listings, whose tokens name the last key returned (see
/// `lakestack_aws_protocol::paging`), this token is a byte position in the
/// result file: the file is written once when the query ends and never
/// changes, so a position names the same row on every read, and a row has
/// no key of its own to name. Reading on from a position is also what
/// keeps paging through a large result cheap: a page reads only its bytes.
pub(super) async fn get(engine: &QueryEngine, i: GetQueryResultsInput) -> Reply {
    let id = required(i.query_execution_id, "queryExecutionId")?;
    let max = page_size(i.max_results, 1000, 1000)?;
    let page = engine.results(&id, i.next_token.as_deref(), max).await?;
    Output::of(&GetQueryResultsOutput {
        update_count: page.update_count,
        result_set: ResultSet {
            rows: page.rows.into_iter().map(Row::from).collect(),
            result_set_metadata: ResultSetMetadata {
                column_info: page.columns.into_iter().map(ColumnInfo::from).collect(),
            },
        },
        next_token: page.next_token,
    })
}
