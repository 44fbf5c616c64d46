//! The Glue Data Catalog of lakestack: databases, tables (with versions),
//! partitions, crawlers, classifiers, jobs whose runs really run (Python
//! shell scripts as local processes), triggers that start them (on demand,
//! on a schedule, when others end, on events) and workflows whose runs
//! chain them, persisted in SQLite under the data directory, served over
//! Glue's awsJson 1.1 API ([`GlueService`]) and to other crates through
//! this Rust API ([`Catalog`]).
//!
//! For the process around the catalog: [`Catalog::start_scheduler`] fires
//! crawler and trigger schedules and ends event batches' windows;
//! [`Catalog::notify_event_trigger`] is what an EventBridge rule whose
//! target is a workflow's ARN (`arn:aws:glue:…:workflow/NAME`) calls, with
//! the event's id; [`CatalogEvent::WorkflowRunStateChanged`] announces
//! workflow runs.
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
mod databases;
pub mod error;
mod events;
pub mod expr;
pub mod glue_types;
mod infer;
mod jobs;
pub mod model;
mod names;
mod paging;
mod partitions;
mod reactions;
mod scheduler;
mod store;
mod tables;
mod tags;
#[cfg(test)]
mod test_support;
mod triggers;
mod workflows;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use lakestack_aws_protocol::{Arn, Clock};
use object_store::ObjectStore;
use tokio::sync::{Notify, broadcast};

pub use api::{GlueOp, GlueService, SPEC as GLUE_SPEC};
pub use crawlers::CrawlerMetrics;
pub use error::{CatalogError, Result};
pub use events::{CatalogEvent, GlueEvent, MAX_CHANGED_PER_EVENT, job_run_severity, partition_text};
pub use jobs::{ERROR_GROUP, JobLogs, JobRunRequest, JobRunStopError, JobSettings, NoJobLogs, OUTPUT_GROUP};
pub use partitions::{PartitionError, PartitionPage, PartitionQuery};
pub use tables::{SearchFilter, TableError};
pub use workflows::{GraphNode, WorkflowGraph};

/// Parser entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use lakestack_compat::cron::Schedule;
}

use crate::store::Store;

/// Glue: "Cron expressions that lead to rates faster than 5 minutes are not supported."
pub(crate) const GLUE_MIN_INTERVAL_MINUTES: u32 = 5;

/// Where the catalog says it lives (ARNs, `CatalogId`), its clock, and how
/// it runs jobs.
#[derive(Debug, Clone)]
pub struct CatalogSettings {
    pub region: String,
    pub account_id: String,
    /// The server's clock: job runs' times and timeouts go by it.
    pub clock: Clock,
    pub jobs: JobSettings,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            clock: Clock::default(),
            jobs: JobSettings::default(),
        }
    }
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
    /// When each conditional trigger outside workflows last fired (or will).
    trigger_fired: Mutex<HashMap<String, tokio::time::Instant>>,
    /// Job runs: where they work and which are under way.
    jobs: jobs::Runtime,
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
    /// Opens (or creates) the catalog file `dir/catalog.sqlite`; job runs
    /// work under `dir/glue-jobs` unless the settings say where.
    pub fn open(dir: &Path, objects: Arc<dyn ObjectStore>, settings: CatalogSettings) -> Result<Arc<Self>> {
        let store = Store::open(&dir.join("catalog.sqlite"))?;
        let work = settings.jobs.work_dir.clone().unwrap_or_else(|| dir.join("glue-jobs"));
        Ok(Self::with_store(
            store,
            objects,
            settings,
            jobs::Runtime::new(Some(work))?,
        ))
    }

    /// A catalog that keeps nothing on disk (tests); job runs work in a
    /// temporary directory unless the settings say where.
    pub fn in_memory(objects: Arc<dyn ObjectStore>, settings: CatalogSettings) -> Result<Arc<Self>> {
        let runtime = jobs::Runtime::new(settings.jobs.work_dir.clone())?;
        Ok(Self::with_store(Store::in_memory()?, objects, settings, runtime))
    }

    fn with_store(
        store: Store,
        objects: Arc<dyn ObjectStore>,
        settings: CatalogSettings,
        jobs: jobs::Runtime,
    ) -> Arc<Self> {
        let catalog = Arc::new(Self {
            store,
            settings,
            objects,
            events: broadcast::channel(1024).0,
            running: Mutex::new(HashMap::new()),
            schedules_changed: Notify::new(),
            trigger_fired: Mutex::new(HashMap::new()),
            jobs,
        });
        if let Err(e) = catalog.recover_crawlers() {
            tracing::warn!(error = %e, "could not reset crawlers left running");
        }
        // Runs under way when the last process ended have no process any
        // more: they are marked FAILED, with an ErrorMessage that says why.
        if let Err(e) = catalog.recover_job_runs() {
            tracing::warn!(error = %e, "could not end job runs left running");
        }
        // Their workflow runs will not move on either: they end in ERROR.
        if let Err(e) = catalog.recover_workflow_runs() {
            tracing::warn!(error = %e, "could not end workflow runs left running");
        }
        catalog
    }

    pub fn settings(&self) -> &CatalogSettings {
        &self.settings
    }

    /// Crawler, job run and workflow run state changes and Data Catalog
    /// changes, for the process's event bus.
    pub fn subscribe(&self) -> broadcast::Receiver<CatalogEvent> {
        self.events.subscribe()
    }

    /// Starts the task that runs crawlers and fires triggers on their
    /// `cron(...)` schedules, and fires EVENT triggers' batches whose window
    /// ended. Needs a Tokio runtime; call once.
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
