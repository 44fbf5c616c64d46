//! Named queries: SQL saved under a name in a work group, by id.

use lakestack_aws_protocol::{Output, ServiceError, paging};
use serde::{Deserialize, Serialize};

use super::dto::{NamedQuery, UnprocessedNamedQueryId};
use super::{Reply, SPEC, page_size, required};
use crate::engine::QueryEngine;
use crate::resources;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct CreateNamedQueryInput {
    /// Name, Database and QueryString are required; the engine checks.
    name: String,
    description: Option<String>,
    database: String,
    query_string: String,
    /// `primary` when absent.
    work_group: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct CreateNamedQueryOutput {
    named_query_id: String,
}

pub(super) fn create(engine: &QueryEngine, i: CreateNamedQueryInput) -> Reply {
    let named_query_id = engine.create_named_query(resources::NamedQuery {
        name: i.name,
        description: i.description,
        database: i.database,
        query: i.query_string,
        workgroup: i.work_group.unwrap_or_default(),
        ..resources::NamedQuery::default()
    })?;
    Output::of(&CreateNamedQueryOutput { named_query_id })
}

/// The input of GetNamedQuery and DeleteNamedQuery: one named query, by id.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct NamedQueryIdInput {
    /// Required.
    named_query_id: Option<String>,
}

impl NamedQueryIdInput {
    fn id(self) -> Result<String, ServiceError> {
        required(self.named_query_id, "namedQueryId")
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetNamedQueryOutput {
    named_query: NamedQuery,
}

pub(super) fn get(engine: &QueryEngine, i: NamedQueryIdInput) -> Reply {
    let q = engine.named_query(&i.id()?)?;
    Output::of(&GetNamedQueryOutput { named_query: q.into() })
}

pub(super) fn delete(engine: &QueryEngine, i: NamedQueryIdInput) -> Reply {
    engine.delete_named_query(&i.id()?)?;
    Ok(Output::empty_members())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct BatchGetNamedQueryInput {
    named_query_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetNamedQueryOutput {
    named_queries: Vec<NamedQuery>,
    unprocessed_named_query_ids: Vec<UnprocessedNamedQueryId>,
}

/// The named queries found, and an unprocessed entry for each id that is not.
pub(super) fn batch_get(engine: &QueryEngine, i: BatchGetNamedQueryInput) -> Reply {
    let mut out = BatchGetNamedQueryOutput {
        named_queries: Vec::new(),
        unprocessed_named_query_ids: Vec::new(),
    };
    for id in i.named_query_ids {
        match engine.named_query(&id) {
            Ok(q) => out.named_queries.push(q.into()),
            Err(e) => out.unprocessed_named_query_ids.push(UnprocessedNamedQueryId {
                named_query_id: id,
                error_code: "INVALID_INPUT".into(),
                error_message: e.to_string(),
            }),
        }
    }
    Output::of(&out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListNamedQueriesInput {
    /// `primary` when absent; it must exist.
    work_group: Option<String>,
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListNamedQueriesOutput {
    named_query_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// A work group's named query ids, in id order, paged by id.
pub(super) fn list(engine: &QueryEngine, i: ListNamedQueriesInput) -> Reply {
    let max = page_size(i.max_results, 50, 50)?;
    let wg = i.work_group.unwrap_or_else(|| "primary".into());
    engine.workgroup(&wg)?;
    let ids = engine.named_queries(&wg)?.into_iter().map(|q| q.id);
    let (named_query_ids, next_token) = paging::page_from(&SPEC, ids, String::clone, i.next_token.as_deref(), max)?;
    Output::of(&ListNamedQueriesOutput {
        named_query_ids,
        next_token,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct UpdateNamedQueryInput {
    /// Required.
    named_query_id: Option<String>,
    name: String,
    description: Option<String>,
    query_string: String,
}

/// Replaces the name, description and SQL; the database and work group stay.
pub(super) fn update(engine: &QueryEngine, i: UpdateNamedQueryInput) -> Reply {
    engine.update_named_query(resources::NamedQuery {
        id: required(i.named_query_id, "namedQueryId")?,
        name: i.name,
        description: i.description,
        query: i.query_string,
        ..resources::NamedQuery::default()
    })?;
    Ok(Output::empty_members())
}
