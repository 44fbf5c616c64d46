//! The Glue catalog as DataFusion's catalog `awsdatacatalog`: each Glue
//! database is a schema, each table a [`GlueTable`] built when a query names it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider};
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::TableProvider;
use datafusion::execution::cache::cache_manager::CacheManager;
use lakestack_catalog::{Catalog, CatalogError};
use object_store::ObjectStore;

use crate::table::GlueTable;

/// Athena's name for the Glue catalog.
pub const CATALOG_NAME: &str = "awsdatacatalog";

#[derive(Debug)]
pub struct GlueCatalog {
    pub catalog: Arc<Catalog>,
    pub objects: Arc<dyn ObjectStore>,
    /// The engine's caches: with them, an unpartitioned Parquet table takes
    /// its columns' nullability from its files' footers (see `GlueTable::refine_nullability`).
    pub caches: Option<Arc<CacheManager>>,
}

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
        }))
    }
}

#[derive(Debug)]
pub struct GlueSchema {
    database: String,
    catalog: Arc<Catalog>,
    objects: Arc<dyn ObjectStore>,
    caches: Option<Arc<CacheManager>>,
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
            Ok(t) if crate::views::is_view(&t) => Ok(Some(
                crate::views::provider(&t, Arc::clone(&self.catalog), Arc::clone(&self.objects)).await?,
            )),
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
