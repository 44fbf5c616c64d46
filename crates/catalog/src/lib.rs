//! The Glue Data Catalog of lakestack: databases, tables (with versions),
//! partitions, crawlers and classifiers, persisted in SQLite under the data
//! directory, served over Glue's awsJson 1.1 API ([`GlueService`]) and to
//! other crates through this Rust API ([`Catalog`]).
//!
//! Crawlers read objects only through an `object_store::ObjectStore` whose
//! paths are `bucket/key` (lakestack's storage view, or a real bucket behind
//! a prefix store), infer schemas and partitions as AWS Glue does, and write
//! what they find here.
//!
//! ```no_run
//! # async fn demo(objects: std::sync::Arc<dyn object_store::ObjectStore>) -> lakestack_catalog::Result<()> {
//! use lakestack_catalog::{Catalog, CatalogSettings, model::Database};
//! let catalog = Catalog::open(std::path::Path::new("/tmp/glue"), objects, CatalogSettings::default())?;
//! catalog.create_database(Database { name: "sales".into(), ..Default::default() })?;
//! let table = catalog.get_table("sales", "orders");
//! # Ok(()) }
//! ```

mod api;
mod classifiers;
mod crawl;
mod crawlers;
mod cron;
mod databases;
pub mod error;
pub mod expr;
mod infer;
pub mod model;
mod names;
mod paging;
mod partitions;
mod scheduler;
mod store;
mod tables;
mod tags;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use lakestack_aws_protocol::Arn;
use object_store::ObjectStore;
use tokio::sync::{Notify, broadcast};

pub use api::{GlueOp, GlueService, SPEC as GLUE_SPEC};
pub use crawlers::CrawlerMetrics;
pub use error::{CatalogError, Result};
pub use partitions::{PartitionError, PartitionPage, PartitionQuery};
pub use tables::{SearchFilter, TableError};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::cron::Schedule;
}

use crate::store::Store;

/// Where the catalog says it lives (ARNs, `CatalogId`).
#[derive(Debug, Clone)]
pub struct CatalogSettings {
    pub region: String,
    pub account_id: String,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
        }
    }
}

/// What the catalog announces on the in-process bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogEvent {
    /// A crawler changed state (`RUNNING`, `STOPPING`, `READY`); `outcome` is
    /// the last crawl's status once it is back to `READY`.
    CrawlerStateChanged {
        crawler: String,
        state: &'static str,
        outcome: Option<String>,
    },
}

/// The catalog: every Glue operation as a Rust method.
pub struct Catalog {
    store: Store,
    settings: CatalogSettings,
    objects: Arc<dyn ObjectStore>,
    events: broadcast::Sender<CatalogEvent>,
    /// Crawls in flight, by crawler name: set to stop one.
    running: Mutex<HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
    /// Woken when a schedule changes, so the scheduler recomputes its next wake-up.
    schedules_changed: Notify,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("region", &self.settings.region)
            .field("account_id", &self.settings.account_id)
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Opens (or creates) the catalog file `dir/catalog.sqlite`.
    pub fn open(dir: &Path, objects: Arc<dyn ObjectStore>, settings: CatalogSettings) -> Result<Arc<Self>> {
        let store = Store::open(&dir.join("catalog.sqlite"))?;
        Ok(Self::with_store(store, objects, settings))
    }

    /// A catalog that keeps nothing on disk (tests).
    pub fn in_memory(objects: Arc<dyn ObjectStore>, settings: CatalogSettings) -> Result<Arc<Self>> {
        Ok(Self::with_store(Store::in_memory()?, objects, settings))
    }

    fn with_store(store: Store, objects: Arc<dyn ObjectStore>, settings: CatalogSettings) -> Arc<Self> {
        let catalog = Arc::new(Self {
            store,
            settings,
            objects,
            events: broadcast::channel(1024).0,
            running: Mutex::new(HashMap::new()),
            schedules_changed: Notify::new(),
        });
        if let Err(e) = catalog.recover_crawlers() {
            tracing::warn!(error = %e, "could not reset crawlers left running");
        }
        catalog
    }

    pub fn settings(&self) -> &CatalogSettings {
        &self.settings
    }

    /// Crawler state changes, for the process's event bus.
    pub fn subscribe(&self) -> broadcast::Receiver<CatalogEvent> {
        self.events.subscribe()
    }

    /// Starts the task that runs crawlers on their `cron(...)` schedules.
    /// Needs a Tokio runtime; call once.
    pub fn start_scheduler(self: &Arc<Self>) {
        scheduler::spawn(Arc::clone(self));
    }

    fn emit(&self, event: CatalogEvent) {
        let _ = self.events.send(event);
    }

    /// The ARN of one of the catalog's resources (`database/sales`).
    fn arn(&self, resource: &str) -> String {
        Arn::new("glue", &self.settings.region, &self.settings.account_id, resource).to_string()
    }
}
