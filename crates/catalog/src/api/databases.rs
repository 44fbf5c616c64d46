//! CreateDatabase, GetDatabase, GetDatabases, UpdateDatabase, DeleteDatabase.

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::{Answer, NameRequest, PageRequest, SPEC, convert, dto};
use crate::Catalog;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDatabaseRequest {
    catalog_id: Option<String>,
    database_input: dto::DatabaseInput,
    #[serde(default)]
    tags: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateDatabaseRequest {
    catalog_id: Option<String>,
    name: String,
    database_input: dto::DatabaseInput,
}

catalog_scoped!(CreateDatabaseRequest, UpdateDatabaseRequest);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetDatabaseResponse {
    database: dto::Database,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetDatabasesResponse {
    database_list: Vec<dto::Database>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn create(c: &Catalog, r: CreateDatabaseRequest) -> Answer {
    let db = c.create_database(convert::database_in(r.database_input))?;
    if !r.tags.is_empty() {
        c.tag_resource(&c.database_arn(&db.name), r.tags.into_iter().collect())?;
    }
    Ok(Output::empty_members())
}

pub(super) fn get(c: &Catalog, r: NameRequest) -> Answer {
    let db = c.get_database(SPEC.required(r.name.as_deref(), "name")?)?;
    let database = convert::database_out(&db, &c.settings().account_id);
    Output::of(&GetDatabaseResponse { database })
}

pub(super) fn list(c: &Catalog, r: PageRequest) -> Answer {
    let (dbs, next_token) = c.get_databases(r.next_token.as_deref(), r.max_results)?;
    let id = &c.settings().account_id;
    Output::of(&GetDatabasesResponse {
        database_list: dbs.iter().map(|d| convert::database_out(d, id)).collect(),
        next_token,
    })
}

pub(super) fn update(c: &Catalog, r: UpdateDatabaseRequest) -> Answer {
    c.update_database(&r.name, convert::database_in(r.database_input))?;
    Ok(Output::empty_members())
}

pub(super) fn delete(c: &Catalog, r: NameRequest) -> Answer {
    c.delete_database(SPEC.required(r.name.as_deref(), "name")?)?;
    Ok(Output::empty_members())
}
