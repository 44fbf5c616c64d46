//! Views as Athena keeps them in Glue: a `VIRTUAL_VIEW` table whose
//! `ViewOriginalText` is `/* Presto View: <base64 JSON> */`, the JSON holding
//! the original SQL and the columns with Trino types. Other engines that read
//! Glue (and Athena itself) recognise views by exactly this shape.
//!
//! A query that names a view plans the view's SQL in the view's database and
//! inlines the plan, so partition pruning and counting of scanned bytes reach
//! through views.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datafusion::catalog::view::ViewTable;
use datafusion::common::{Column as DfColumn, DataFusionError, Result};
use datafusion::datasource::TableProvider;
use datafusion::prelude::{Expr, SessionContext};
use lakestack_catalog::model::{Column, Parameters, StorageDescriptor, Table};
use lakestack_catalog::{Catalog, CatalogError};
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};

use crate::ddl::parse::CreateView;
use crate::errors::athena_error_at;
use crate::execution::AthenaError;
use crate::provider::{CATALOG_NAME, GlueCatalog};

pub const VIEW_TYPE: &str = "VIRTUAL_VIEW";
const PREFIX: &str = "/* Presto View: ";
const SUFFIX: &str = " */";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub original_sql: String,
    pub catalog: String,
    pub schema: String,
    pub columns: Vec<DefinitionColumn>,
    #[serde(default)]
    pub run_as_invoker: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DefinitionColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

pub fn is_view(t: &Table) -> bool {
    t.table_type.as_deref() == Some(VIEW_TYPE)
}

/// The Glue table for a view. `columns` are (name, Trino type, Hive type).
pub fn table(name: &str, database: &str, sql: &str, columns: &[(String, String, String)]) -> Table {
    let definition = Definition {
        original_sql: sql.to_owned(),
        catalog: CATALOG_NAME.to_owned(),
        schema: database.to_owned(),
        columns: columns
            .iter()
            .map(|(n, t, _)| DefinitionColumn {
                name: n.clone(),
                type_name: t.clone(),
            })
            .collect(),
        run_as_invoker: false,
    };
    let json = serde_json::to_string(&definition).expect("a view definition serialises");
    let mut parameters = Parameters::new();
    parameters.insert("presto_view".into(), "true".into());
    parameters.insert("comment".into(), "Presto View".into());
    Table {
        name: name.to_owned(),
        database_name: database.to_owned(),
        table_type: Some(VIEW_TYPE.into()),
        view_original_text: Some(format!("{PREFIX}{}{SUFFIX}", STANDARD.encode(json))),
        view_expanded_text: Some("/* Presto View */".into()),
        parameters,
        storage_descriptor: Some(StorageDescriptor {
            columns: columns.iter().map(|(n, _, h)| Column::new(n, h)).collect(),
            ..StorageDescriptor::default()
        }),
        ..Table::default()
    }
}

/// The definition stored in a view's `ViewOriginalText`.
pub fn definition(t: &Table) -> Result<Definition> {
    let bad = || {
        DataFusionError::Plan(format!(
            "View '{}.{}' has no Presto view definition",
            t.database_name, t.name
        ))
    };
    let text = t.view_original_text.as_deref().ok_or_else(bad)?;
    let encoded = text
        .strip_prefix(PREFIX)
        .and_then(|r| r.strip_suffix(SUFFIX))
        .ok_or_else(bad)?;
    let json = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    serde_json::from_slice(&json).map_err(|_| bad())
}

/// The view as a table provider: its SQL planned in its own database, its
/// columns renamed to the names stored with it.
pub async fn provider(
    t: &Table,
    catalog: Arc<Catalog>,
    objects: Arc<dyn ObjectStore>,
    views: Vec<String>,
) -> Result<Arc<dyn TableProvider>> {
    let def = definition(t)?;
    let config = crate::provider::session_config(def.schema.to_lowercase());
    // Planning only, but on the same sandboxed runtime as a query's.
    let runtime = crate::sandbox::runtime(Arc::clone(&objects), None, None)?;
    let ctx = crate::trino::session(config, runtime);
    ctx.register_catalog(
        CATALOG_NAME,
        Arc::new(GlueCatalog {
            catalog,
            objects,
            caches: None,
            views,
        }),
    );
    crate::trino::register(&ctx);
    let df = crate::trino::plan(&ctx, &def.original_sql).await?;
    let renamed: Vec<Expr> = df
        .schema()
        .columns()
        .into_iter()
        .zip(&def.columns)
        .map(|(c, d): (DfColumn, _)| Expr::Column(c).alias(d.name.as_str()))
        .collect();
    let df = df.select(renamed)?;
    Ok(Arc::new(ViewTable::new(
        df.into_unoptimized_plan(),
        Some(def.original_sql),
    )))
}

/// Runs `CREATE [OR REPLACE] VIEW`: plans the query (so a view over a
/// missing table or column fails as Athena's does) and stores the view.
pub async fn create(
    ctx: &SessionContext,
    catalog: &Catalog,
    view: CreateView,
    statement: &str,
    default_db: &str,
) -> std::result::Result<(), AthenaError> {
    let db = view
        .database
        .clone()
        .unwrap_or_else(|| default_db.to_owned())
        .to_lowercase();
    let name = view.name.to_lowercase();
    let df = crate::trino::plan(ctx, &view.query)
        .await
        .map_err(|e| athena_error_at(&e, statement, view.query_at))?;
    let fields = df.schema().fields();
    let df_names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    let names = crate::naming::athena_names(&view.query, &df_names);
    let columns: Vec<(String, String, String)> = fields
        .iter()
        .zip(names)
        .map(|(f, n)| {
            (
                n,
                crate::trino::type_name(f.data_type()),
                crate::types::hive_type(f.data_type()),
            )
        })
        .collect();
    let t = table(&name, &db, &view.query, &columns);
    let full = format!("{CATALOG_NAME}.{db}.{name}");
    let user = |message: String| AthenaError {
        category: 2,
        error_type: 1000,
        retryable: false,
        message,
    };
    let internal = |e: CatalogError| user(format!("GENERIC_INTERNAL_ERROR: {e}"));
    match catalog.get_table(&db, &name) {
        Ok(existing) if view.or_replace && is_view(&existing) => {
            catalog.update_table(&db, t, None, false).map_err(internal)?;
        }
        Ok(existing) if is_view(&existing) => {
            return Err(user(format!("ALREADY_EXISTS: line 1:1: View already exists: '{full}'")));
        }
        Ok(_) => {
            return Err(user(format!(
                "ALREADY_EXISTS: line 1:1: Table already exists: '{full}'"
            )));
        }
        Err(CatalogError::NotFound(_)) => {
            catalog.create_table(&db, t).map_err(|e| match e {
                CatalogError::NotFound(_) => user(format!("SCHEMA_NOT_FOUND: line 1:1: Schema '{db}' does not exist")),
                other => internal(other),
            })?;
        }
        Err(e) => return Err(internal(e)),
    }
    Ok(())
}
