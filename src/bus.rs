//! The one in-process event bus. Services publish what happened (objects
//! created and removed, crawlers and job runs changing state, queries and
//! executions changing state) and consumers (crawl logs, EventBridge's
//! service events, Step Functions' `.sync` waits) subscribe here, never to a
//! crate directly.

use lakestack_catalog::{Catalog, CatalogEvent};
use lakestack_query::{QueryEngine, QueryEvent};
use lakestack_stepfn::{ExecutionEvent, StepFunctions};
use lakestack_storage::{ObjectEvent, Storage};
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Object(ObjectEvent),
    Catalog(CatalogEvent),
    Query(QueryEvent),
    Execution(ExecutionEvent),
}

#[derive(Clone)]
pub struct Bus {
    tx: broadcast::Sender<Event>,
}

impl Bus {
    pub fn new() -> Self {
        Self {
            tx: broadcast::channel(4096).0,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    /// Forwards the storage engine's object events onto the bus.
    pub fn attach_storage(&self, storage: &Storage) {
        self.forward(storage.subscribe(), Event::Object, "storage");
    }

    /// Forwards the catalog's crawler state changes onto the bus.
    pub fn attach_catalog(&self, catalog: &Catalog) {
        self.forward(catalog.subscribe(), Event::Catalog, "catalog");
    }

    /// Forwards Athena's query state changes onto the bus.
    pub fn attach_queries(&self, engine: &QueryEngine) {
        self.forward(engine.subscribe(), Event::Query, "athena");
    }

    /// Forwards Step Functions' execution status changes onto the bus.
    pub fn attach_states(&self, states: &StepFunctions) {
        self.forward(states.subscribe(), Event::Execution, "stepfunctions");
    }

    fn forward<T: Clone + Send + std::fmt::Debug + 'static>(
        &self,
        mut rx: broadcast::Receiver<T>,
        wrap: fn(T) -> Event,
        source: &'static str,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(e) => {
                        tracing::debug!(target: "lakestack::events", event = ?e);
                        let _ = tx.send(wrap(e));
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, source, "event bus lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn storage_events_reach_the_bus() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path()).unwrap();
        storage.create_bucket("bus", "us-east-1").await.unwrap();
        let bus = Bus::new();
        let mut rx = bus.subscribe();
        bus.attach_storage(&storage);
        let mut w = storage.begin_write().await.unwrap();
        w.write(b"x").await.unwrap();
        let blob = w.finish().await.unwrap();
        storage
            .commit_put(
                "bus",
                "k",
                blob,
                lakestack_storage::ObjectMeta::default(),
                &Default::default(),
                "Put",
            )
            .await
            .unwrap();
        storage.delete("bus", "k", None).await.unwrap();
        let first = rx.recv().await.unwrap();
        assert!(
            matches!(&first, Event::Object(ObjectEvent::Created { key, how: "Put", size: 1, .. }) if key == "k"),
            "{first:?}"
        );
        let second = rx.recv().await.unwrap();
        assert!(
            matches!(&second, Event::Object(ObjectEvent::Removed { key, delete_marker: false, .. }) if key == "k"),
            "{second:?}"
        );
    }

    #[tokio::test]
    async fn crawler_state_changes_reach_the_bus() {
        use lakestack_catalog::model::{Crawler, Database, S3Target};
        let objects: std::sync::Arc<dyn object_store::ObjectStore> =
            std::sync::Arc::new(object_store::memory::InMemory::new());
        let catalog = Catalog::in_memory(objects, lakestack_catalog::CatalogSettings::default()).unwrap();
        catalog
            .create_database(Database {
                name: "db".into(),
                ..Database::default()
            })
            .unwrap();
        let crawler = Crawler {
            name: "c".into(),
            role: "r".into(),
            database_name: Some("db".into()),
            s3_targets: vec![S3Target {
                path: "s3://b/".into(),
                ..S3Target::default()
            }],
            ..Crawler::default()
        };
        catalog.create_crawler(crawler, vec![]).unwrap();
        let bus = Bus::new();
        let mut rx = bus.subscribe();
        bus.attach_catalog(&catalog);
        catalog.start_crawler("c").unwrap();
        let mut states = Vec::new();
        while states.last() != Some(&"READY") {
            match rx.recv().await.unwrap() {
                Event::Catalog(CatalogEvent::CrawlerStateChanged {
                    crawler,
                    state,
                    outcome,
                }) => {
                    assert_eq!(crawler, "c");
                    if state == "READY" {
                        assert_eq!(outcome.as_deref(), Some("SUCCEEDED"));
                    }
                    states.push(state);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(states, ["RUNNING", "STOPPING", "READY"]);
    }
}
