//! Prepared statements: SQL with `?` placeholders saved in a work group
//! under a name, which `EXECUTE name USING ...` runs. Names are kept in
//! lower case, as Athena folds them.

use lakestack_aws_protocol::{Output, paging};
use serde::{Deserialize, Serialize};

use super::dto::{PreparedStatement, PreparedStatementSummary};
use super::{Reply, SPEC, page_size};
use crate::engine::QueryEngine;
use crate::resources;

/// The input of CreatePreparedStatement and UpdatePreparedStatement.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PutPreparedStatementInput {
    /// 1 to 128 of `[a-zA-Z0-9._-]`; the engine checks.
    statement_name: String,
    /// Must exist.
    work_group: String,
    query_statement: String,
    description: Option<String>,
}

pub(super) fn create(engine: &QueryEngine, i: PutPreparedStatementInput) -> Reply {
    put(engine, i, true)
}

pub(super) fn update(engine: &QueryEngine, i: PutPreparedStatementInput) -> Reply {
    put(engine, i, false)
}

/// Creates the statement (`create`, which it must not exist for) or
/// replaces it (which it must exist for).
fn put(engine: &QueryEngine, i: PutPreparedStatementInput, create: bool) -> Reply {
    engine.put_prepared(
        resources::PreparedStatement {
            name: i.statement_name.to_lowercase(),
            workgroup: i.work_group,
            query: i.query_statement,
            description: i.description,
            last_modified_ms: 0,
        },
        create,
    )?;
    Ok(Output::empty_members())
}

/// The input of GetPreparedStatement and DeletePreparedStatement.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct PreparedStatementNameInput {
    statement_name: String,
    work_group: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetPreparedStatementOutput {
    prepared_statement: PreparedStatement,
}

pub(super) fn get(engine: &QueryEngine, i: PreparedStatementNameInput) -> Reply {
    let p = engine.prepared(&i.work_group, &i.statement_name.to_lowercase())?;
    Output::of(&GetPreparedStatementOutput {
        prepared_statement: p.into(),
    })
}

pub(super) fn delete(engine: &QueryEngine, i: PreparedStatementNameInput) -> Reply {
    engine.delete_prepared(&i.work_group, &i.statement_name.to_lowercase())?;
    Ok(Output::empty_members())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListPreparedStatementsInput {
    work_group: String,
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListPreparedStatementsOutput {
    prepared_statements: Vec<PreparedStatementSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// A work group's statements in name order, paged by name.
pub(super) fn list(engine: &QueryEngine, i: ListPreparedStatementsInput) -> Reply {
    let max = page_size(i.max_results, 50, 50)?;
    let (statements, next_token) = paging::page_from(
        &SPEC,
        engine.prepared_statements(&i.work_group)?,
        |p| p.name.clone(),
        i.next_token.as_deref(),
        max,
    )?;
    Output::of(&ListPreparedStatementsOutput {
        prepared_statements: statements.into_iter().map(PreparedStatementSummary::from).collect(),
        next_token,
    })
}
