//! Tables and their versions: CreateTable, GetTable, GetTables,
//! UpdateTable, DeleteTable, BatchDeleteTable, GetTableVersions,
//! GetTableVersion, DeleteTableVersion, BatchDeleteTableVersion.

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::{Answer, SPEC, convert, dto};
use crate::Catalog;
use crate::model::Table;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateTableRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_input: dto::TableInput,
}

/// GetTable and DeleteTable.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TableRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetTablesRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    expression: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateTableRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_input: dto::TableInput,
    #[serde(default)]
    skip_archive: bool,
    version_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchDeleteTableRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    #[serde(default)]
    tables_to_delete: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetTableVersionsRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

/// GetTableVersion and DeleteTableVersion.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TableVersionRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    version_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchDeleteTableVersionRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    #[serde(default)]
    version_ids: Vec<String>,
}

catalog_scoped!(
    CreateTableRequest,
    TableRequest,
    GetTablesRequest,
    UpdateTableRequest,
    BatchDeleteTableRequest,
    GetTableVersionsRequest,
    TableVersionRequest,
    BatchDeleteTableVersionRequest,
);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTableResponse {
    table: dto::Table,
}

/// GetTables and SearchTables.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TableListResponse {
    table_list: Vec<dto::Table>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchDeleteTableResponse {
    errors: Vec<dto::TableError>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTableVersionsResponse {
    table_versions: Vec<dto::TableVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTableVersionResponse {
    table_version: dto::TableVersion,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchDeleteTableVersionResponse {
    errors: Vec<dto::TableVersionError>,
}

pub(super) fn create(c: &Catalog, r: CreateTableRequest) -> Answer {
    c.create_table(&r.database_name, convert::table_in(r.table_input))?;
    Ok(Output::empty_members())
}

pub(super) fn get(c: &Catalog, r: TableRequest) -> Answer {
    let t = c.get_table(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.name.as_deref(), "name")?,
    )?;
    Output::of(&GetTableResponse {
        table: convert::table_out(&t, &c.settings().account_id),
    })
}

pub(super) fn list(c: &Catalog, r: GetTablesRequest) -> Answer {
    let (tables, next_token) = c.get_tables(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        r.expression.as_deref(),
        r.next_token.as_deref(),
        r.max_results,
    )?;
    table_list(c, &tables, next_token)
}

/// A page of tables, as GetTables and SearchTables answer it.
pub(super) fn table_list(c: &Catalog, tables: &[Table], next_token: Option<String>) -> Answer {
    let id = &c.settings().account_id;
    Output::of(&TableListResponse {
        table_list: tables.iter().map(|t| convert::table_out(t, id)).collect(),
        next_token,
    })
}

pub(super) fn update(c: &Catalog, r: UpdateTableRequest) -> Answer {
    c.update_table(
        &r.database_name,
        convert::table_in(r.table_input),
        r.version_id.as_deref(),
        r.skip_archive,
    )?;
    Ok(Output::empty_members())
}

pub(super) fn delete(c: &Catalog, r: TableRequest) -> Answer {
    c.delete_table(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.name.as_deref(), "name")?,
    )?;
    Ok(Output::empty_members())
}

pub(super) fn batch_delete(c: &Catalog, r: BatchDeleteTableRequest) -> Answer {
    let errors = c.batch_delete_table(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        &r.tables_to_delete,
    )?;
    Output::of(&BatchDeleteTableResponse {
        errors: errors
            .into_iter()
            .map(|e| dto::TableError {
                table_name: e.table_name,
                error_detail: convert::error_detail(e.code, e.message),
            })
            .collect(),
    })
}

pub(super) fn versions(c: &Catalog, r: GetTableVersionsRequest) -> Answer {
    let (versions, next_token) = c.get_table_versions(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        r.next_token.as_deref(),
        r.max_results,
    )?;
    let id = &c.settings().account_id;
    Output::of(&GetTableVersionsResponse {
        table_versions: versions.iter().map(|t| convert::table_version_out(t, id)).collect(),
        next_token,
    })
}

pub(super) fn version(c: &Catalog, r: TableVersionRequest) -> Answer {
    let t = c.get_table_version(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        r.version_id.as_deref(),
    )?;
    Output::of(&GetTableVersionResponse {
        table_version: convert::table_version_out(&t, &c.settings().account_id),
    })
}

pub(super) fn delete_version(c: &Catalog, r: TableVersionRequest) -> Answer {
    c.delete_table_version(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        SPEC.required(r.version_id.as_deref(), "versionId")?,
    )?;
    Ok(Output::empty_members())
}

pub(super) fn batch_delete_versions(c: &Catalog, r: BatchDeleteTableVersionRequest) -> Answer {
    // tableName is checked before databaseName.
    let table = SPEC.required(r.table_name.as_deref(), "tableName")?;
    let errors = c.batch_delete_table_version(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        table,
        &r.version_ids,
    )?;
    Output::of(&BatchDeleteTableVersionResponse {
        errors: errors
            .into_iter()
            .map(|e| dto::TableVersionError {
                table_name: e.table_name,
                version_id: e.version_id.unwrap_or_default(),
                error_detail: convert::error_detail(e.code, e.message),
            })
            .collect(),
    })
}
