//! The Glue Data Catalog as Athena shows it: one data catalog,
//! `AwsDataCatalog`, whose databases and tables are Glue's. Metadata a
//! request names that Glue does not have is a MetadataException.

use lakestack_aws_protocol::{Output, ServiceError};
use lakestack_catalog::{Catalog, CatalogError};
use serde::{Deserialize, Serialize};

use super::dto::{DataCatalog, DataCatalogSummary, Database, TableMetadata};
use super::{Reply, invalid, page_size, required};
use crate::error::QueryError;
use crate::provider::CATALOG_NAME;

/// The one data catalog, as Athena spells it in listings.
const DATA_CATALOG: &str = "AwsDataCatalog";
const GLUE: &str = "GLUE";
const CREATE_COMPLETE: &str = "CREATE_COMPLETE";

/// Glue metadata the request names does not exist.
fn missing(message: impl Into<String>) -> ServiceError {
    ServiceError::client("MetadataException", message)
}

/// A catalog error as Athena answers it: a missing database or table is
/// metadata that does not exist, a bad token or name the caller's mistake.
fn catalog_error(e: CatalogError) -> ServiceError {
    match e {
        CatalogError::NotFound(m) => missing(m),
        CatalogError::InvalidInput(m) | CatalogError::Validation(m) => invalid(m),
        other => QueryError::Internal(Box::new(other)).into(),
    }
}

/// The required `CatalogName`, which must name the one catalog (in any case).
fn check_catalog(name: Option<String>) -> Result<(), ServiceError> {
    let name = required(name, "catalogName")?.to_lowercase();
    if name == CATALOG_NAME {
        Ok(())
    } else {
        Err(missing(format!("Catalog {name} does not exist")))
    }
}

/// ListDataCatalogs' members (`NextToken`, `MaxResults`, `WorkGroup`) are
/// read and ignored: there is one catalog.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListDataCatalogsInput {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListDataCatalogsOutput {
    data_catalogs_summary: Vec<DataCatalogSummary>,
}

pub(super) fn list_data_catalogs(_: ListDataCatalogsInput) -> Reply {
    Output::of(&ListDataCatalogsOutput {
        data_catalogs_summary: vec![DataCatalogSummary {
            catalog_name: DATA_CATALOG.into(),
            r#type: GLUE.into(),
            status: CREATE_COMPLETE.into(),
        }],
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetDataCatalogInput {
    /// Required.
    name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetDataCatalogOutput {
    data_catalog: DataCatalog,
}

pub(super) fn get_data_catalog(catalog: &Catalog, i: GetDataCatalogInput) -> Reply {
    let name = required(i.name, "name")?;
    if name.to_lowercase() != CATALOG_NAME {
        return Err(invalid(format!("Catalog {name} does not exist")));
    }
    Output::of(&GetDataCatalogOutput {
        data_catalog: DataCatalog {
            name: DATA_CATALOG.into(),
            description: "AWS Glue Data Catalog".into(),
            r#type: GLUE.into(),
            parameters: [("catalog-id".to_owned(), catalog.settings().account_id.clone())].into(),
            status: CREATE_COMPLETE.into(),
        },
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListDatabasesInput {
    /// Required.
    catalog_name: Option<String>,
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListDatabasesOutput {
    database_list: Vec<Database>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Databases in name order; Glue's tokens name the last database returned.
pub(super) fn list_databases(catalog: &Catalog, i: ListDatabasesInput) -> Reply {
    check_catalog(i.catalog_name)?;
    let max = page_size(i.max_results, 50, 50)?;
    let (databases, next_token) = catalog
        .get_databases(i.next_token.as_deref(), Some(max as i64))
        .map_err(catalog_error)?;
    Output::of(&ListDatabasesOutput {
        database_list: databases.into_iter().map(Database::from).collect(),
        next_token,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetDatabaseInput {
    /// Required.
    catalog_name: Option<String>,
    /// Required.
    database_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetDatabaseOutput {
    database: Database,
}

pub(super) fn get_database(catalog: &Catalog, i: GetDatabaseInput) -> Reply {
    check_catalog(i.catalog_name)?;
    let d = catalog
        .get_database(&required(i.database_name, "databaseName")?)
        .map_err(catalog_error)?;
    Output::of(&GetDatabaseOutput { database: d.into() })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListTableMetadataInput {
    /// Required.
    catalog_name: Option<String>,
    /// Required.
    database_name: Option<String>,
    /// A pattern the table names must match, as Glue's GetTables takes it.
    expression: Option<String>,
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListTableMetadataOutput {
    table_metadata_list: Vec<TableMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// A database's tables in name order; Glue's tokens name the last table returned.
pub(super) fn list_table_metadata(catalog: &Catalog, i: ListTableMetadataInput) -> Reply {
    check_catalog(i.catalog_name)?;
    let max = page_size(i.max_results, 50, 50)?;
    let database = required(i.database_name, "databaseName")?;
    let (tables, next_token) = catalog
        .get_tables(
            &database,
            i.expression.as_deref(),
            i.next_token.as_deref(),
            Some(max as i64),
        )
        .map_err(catalog_error)?;
    Output::of(&ListTableMetadataOutput {
        table_metadata_list: tables.into_iter().map(TableMetadata::from).collect(),
        next_token,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct GetTableMetadataInput {
    /// Required.
    catalog_name: Option<String>,
    /// Required.
    database_name: Option<String>,
    /// Required.
    table_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTableMetadataOutput {
    table_metadata: TableMetadata,
}

pub(super) fn get_table_metadata(catalog: &Catalog, i: GetTableMetadataInput) -> Reply {
    check_catalog(i.catalog_name)?;
    let database = required(i.database_name, "databaseName")?;
    let table = required(i.table_name, "tableName")?;
    let t = catalog.get_table(&database, &table).map_err(catalog_error)?;
    Output::of(&GetTableMetadataOutput {
        table_metadata: t.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_catalog_in_any_case() {
        assert!(check_catalog(Some("AwsDataCatalog".into())).is_ok());
        let e = check_catalog(Some("Hive".into())).unwrap_err();
        assert_eq!(
            (e.code.as_ref(), e.message.as_str()),
            ("MetadataException", "Catalog hive does not exist")
        );
        assert_eq!(check_catalog(None).unwrap_err().code, "InvalidRequestException");
    }

    #[test]
    fn catalog_errors_keep_their_blame() {
        let code = |e| catalog_error(e).code;
        assert_eq!(code(CatalogError::NotFound("t".into())), "MetadataException");
        assert_eq!(
            code(CatalogError::InvalidInput("Invalid pagination token".into())),
            "InvalidRequestException"
        );
        assert_eq!(code(CatalogError::internal("disk")), "InternalServerException");
    }
}
