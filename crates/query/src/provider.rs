//! The Glue catalog as DataFusion's catalog `awsdatacatalog`: each Glue
//! database is a schema, each table a [`GlueTable`] built when a query names it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider};
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::TableProvider;
use datafusion::execution::cache::cache_manager::CacheManager;
use datafusion::prelude::SessionConfig;
use lakestack_catalog::{Catalog, CatalogError};
use object_store::ObjectStore;

use crate::table::GlueTable;

/// Athena's name for the Glue catalog.
pub const CATALOG_NAME: &str = "awsdatacatalog";

/// A query's session: names resolve in `schema` of the Glue catalog, and the
/// planner keeps each name's position so errors can point at it as Trino's do
/// (`errors::athena_error`).
pub fn session_config(schema: String) -> SessionConfig {
    let mut config = SessionConfig::new().with_default_catalog_and_schema(CATALOG_NAME, schema);
    config.options_mut().sql_parser.collect_spans = true;
    config.options_mut().sql_parser.parse_float_as_decimal = true;
    config
}

#[derive(Debug)]
pub struct GlueCatalog {
    pub catalog: Arc<Catalog>,
    pub objects: Arc<dyn ObjectStore>,
    /// The engine's caches: with them, an unpartitioned Parquet table takes
    /// its columns' nullability from its files' footers (see `GlueTable::refine_nullability`).
    pub caches: Option<Arc<CacheManager>>,
    /// The views being expanded around this catalog, outermost first: a view
    /// that names one of them is recursive, and the chain's length is bounded.
    pub views: Vec<String>,
}

/// How deep views may nest: each level plans its own SQL, so an unbounded
/// chain (`CreateTable` can store any view text) would take unbounded memory.
pub const MAX_VIEW_DEPTH: usize = 32;

impl CatalogProvider for GlueCatalog {
    fn schema_names(&self) -> Vec<String> {
        self.catalog
            .all_databases()
            .map(|dbs| dbs.into_iter().map(|d| d.name).collect())
            .unwrap_or_default()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        let db = self.catalog.get_database(name).ok()?;
        Some(Arc::new(GlueSchema {
            database: db.name,
            catalog: Arc::clone(&self.catalog),
            objects: Arc::clone(&self.objects),
            caches: self.caches.clone(),
            views: self.views.clone(),
        }))
    }
}

#[derive(Debug)]
pub struct GlueSchema {
    database: String,
    catalog: Arc<Catalog>,
    objects: Arc<dyn ObjectStore>,
    caches: Option<Arc<CacheManager>>,
    views: Vec<String>,
}

#[async_trait]
impl SchemaProvider for GlueSchema {
    fn table_names(&self) -> Vec<String> {
        self.catalog
            .all_tables(&self.database)
            .map(|ts| ts.into_iter().map(|t| t.name).collect())
            .unwrap_or_default()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        match self.catalog.get_table(&self.database, name) {
            Ok(t) if crate::views::is_view(&t) => {
                let qualified = format!("{}.{}", self.database, t.name);
                if self.views.contains(&qualified) {
                    return Err(DataFusionError::Execution(format!(
                        "VIEW_IS_RECURSIVE: View is recursive: awsdatacatalog.{qualified}"
                    )));
                }
                if self.views.len() >= MAX_VIEW_DEPTH {
                    return Err(DataFusionError::Execution(format!(
                        "NOT_SUPPORTED: views nest more than {MAX_VIEW_DEPTH} deep at awsdatacatalog.{qualified}"
                    )));
                }
                let mut chain = self.views.clone();
                chain.push(qualified);
                Ok(Some(
                    crate::views::provider(&t, Arc::clone(&self.catalog), Arc::clone(&self.objects), chain).await?,
                ))
            }
            Ok(t) => {
                let mut table = GlueTable::new(t, Arc::clone(&self.catalog), Arc::clone(&self.objects))?;
                if let Some(caches) = &self.caches {
                    table.refine_nullability(caches).await?;
                }
                Ok(Some(Arc::new(table)))
            }
            Err(CatalogError::NotFound(_)) => Ok(None),
            Err(e) => Err(DataFusionError::External(Box::new(e))),
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.catalog.get_table(&self.database, name).is_ok()
    }
}
