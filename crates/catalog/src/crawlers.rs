//! Crawler definitions and their lifecycle: READY → RUNNING → STOPPING →
//! READY, one crawl at a time, stoppable, with history and metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lakestack_aws_protocol::timestamp::epoch_seconds as seconds;
use lakestack_aws_protocol::validation::Violation;

use crate::GLUE_MIN_INTERVAL_MINUTES;
use crate::error::{CatalogError, Result};
use crate::model::{Crawl, Crawler, CrawlerSchedule, CrawlerState, LastCrawl, now_millis};
use crate::store::Store;
use crate::triggers::Origin;
use crate::{Catalog, CatalogEvent, crawl, names};
use lakestack_compat::cron;

fn not_found(name: &str) -> CatalogError {
    CatalogError::NotFound(format!("Crawler with name {name} does not exist"))
}

/// A crawl under way: its id, when it started, and who started it.
struct Started<'a> {
    crawl_id: &'a str,
    at: i64,
    origin: &'a Origin,
}

/// What GetCrawlerMetrics reports for one crawler.
#[derive(Debug, Clone, PartialEq)]
pub struct CrawlerMetrics {
    pub crawler_name: String,
    pub time_left_seconds: f64,
    pub still_estimating: bool,
    pub last_runtime_seconds: f64,
    pub median_runtime_seconds: f64,
    pub tables_created: u64,
    pub tables_updated: u64,
    pub tables_deleted: u64,
}

fn validate(c: &Crawler) -> Result<()> {
    names::check(&c.name, "name")?;
    if c.role.is_empty() {
        return Err(CatalogError::invalid(Violation::null("role")));
    }
    if c.s3_targets.is_empty() && c.other_targets.is_empty() {
        return Err(CatalogError::InvalidInput(
            "Crawler must have at least one target.".into(),
        ));
    }
    for t in &c.s3_targets {
        if crawl::parse_s3_path(&t.path).is_none() {
            return Err(CatalogError::InvalidInput(format!(
                "Invalid S3 path {:?}: it must start with s3:// and name a bucket",
                t.path
            )));
        }
        if let Some(n) = t.sample_size
            && !(1..=249).contains(&n)
        {
            return Err(CatalogError::InvalidInput(format!(
                "SampleSize must be between 1 and 249, got {n}"
            )));
        }
    }
    if let Some(s) = &c.schedule {
        cron::Schedule::parse(&s.expression, GLUE_MIN_INTERVAL_MINUTES).map_err(CatalogError::InvalidInput)?;
    }
    let p = &c.schema_change_policy;
    if !matches!(p.update_behavior.as_str(), "UPDATE_IN_DATABASE" | "LOG") {
        return Err(CatalogError::InvalidInput(format!(
            "Invalid UpdateBehavior {}: must be UPDATE_IN_DATABASE or LOG",
            p.update_behavior
        )));
    }
    if !matches!(
        p.delete_behavior.as_str(),
        "DEPRECATE_IN_DATABASE" | "DELETE_FROM_DATABASE" | "LOG"
    ) {
        return Err(CatalogError::InvalidInput(format!(
            "Invalid DeleteBehavior {}: must be DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE or LOG",
            p.delete_behavior
        )));
    }
    match c.recrawl_behavior.as_str() {
        "CRAWL_EVERYTHING" | "CRAWL_EVENT_MODE" => {}
        "CRAWL_NEW_FOLDERS_ONLY" => {
            if p.update_behavior != "LOG" || p.delete_behavior != "LOG" {
                return Err(CatalogError::InvalidInput(
                    "The SchemaChangePolicy for \"Crawl new folders only\" Amazon S3 target can have only LOG DeleteBehavior value and LOG UpdateBehavior value.".into(),
                ));
            }
        }
        other => {
            return Err(CatalogError::InvalidInput(format!(
                "Invalid RecrawlBehavior {other}: must be CRAWL_EVERYTHING, CRAWL_NEW_FOLDERS_ONLY or CRAWL_EVENT_MODE"
            )));
        }
    }
    if let Some(conf) = &c.configuration {
        crawl::Options::parse(Some(conf)).map_err(CatalogError::InvalidInput)?;
    }
    Ok(())
}

impl Catalog {
    pub fn create_crawler(&self, mut c: Crawler, tags: Vec<(String, String)>) -> Result<()> {
        if c.recrawl_behavior.is_empty() {
            c.recrawl_behavior = "CRAWL_EVERYTHING".into();
        }
        validate(&c)?;
        let now = now_millis();
        c.creation_time = now;
        c.last_updated = now;
        c.version = 1;
        c.state = CrawlerState::Ready;
        let arn = self.crawler_arn(&c.name);
        self.store.write(|tx| {
            if Store::get_crawler(tx, &c.name)?.is_some() {
                return Err(CatalogError::AlreadyExists(format!("{} already exists", c.name)));
            }
            Store::put_crawler(tx, &c)?;
            for (k, v) in &tags {
                Store::set_tag(tx, &arn, k, v)?;
            }
            Ok(())
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    pub fn get_crawler(&self, name: &str) -> Result<Crawler> {
        self.store
            .read(|c| Store::get_crawler(c, name))?
            .ok_or_else(|| not_found(name))
    }

    pub fn list_crawlers(&self) -> Result<Vec<Crawler>> {
        self.store.read(Store::list_crawlers)
    }

    /// Applies `f` to a crawler that is not running.
    pub fn update_crawler(&self, name: &str, f: impl FnOnce(&mut Crawler) -> Result<()>) -> Result<()> {
        self.store.write(|tx| {
            let mut c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            if c.state != CrawlerState::Ready {
                return Err(CatalogError::CrawlerRunning(format!(
                    "Crawler with name {name} is running"
                )));
            }
            f(&mut c)?;
            validate(&c)?;
            c.version += 1;
            c.last_updated = now_millis();
            Store::put_crawler(tx, &c)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    pub fn delete_crawler(&self, name: &str) -> Result<()> {
        let arn = self.crawler_arn(name);
        self.store.write(|tx| {
            let c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            if c.state != CrawlerState::Ready {
                return Err(CatalogError::CrawlerRunning(format!(
                    "Crawler with name {name} is running"
                )));
            }
            Store::delete_crawler(tx, name)?;
            Store::remove_tags_under(tx, &arn)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    /// Starts a crawl in the background; CrawlerRunning if one is under way.
    pub fn start_crawler(self: &Arc<Self>, name: &str) -> Result<()> {
        self.start_crawler_as(name, &Origin::default())
    }

    /// Starts a crawl that `origin` (a trigger, maybe within a workflow run)
    /// asked for: the crawl carries the trigger's name and its workflow run.
    pub(crate) fn start_crawler_as(self: &Arc<Self>, name: &str, origin: &Origin) -> Result<()> {
        let crawl_id = uuid::Uuid::new_v4().to_string();
        let now = now_millis();
        let crawler = self.store.write(|tx| {
            let mut c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            if c.state != CrawlerState::Ready {
                return Err(CatalogError::CrawlerRunning(format!(
                    "Crawler with name {name} has already started"
                )));
            }
            c.state = CrawlerState::Running;
            Store::put_crawler(tx, &c)?;
            Store::put_crawl(
                tx,
                name,
                &Crawl {
                    crawl_id: crawl_id.clone(),
                    state: "RUNNING".into(),
                    start_time: now,
                    trigger_name: origin.trigger.clone(),
                    workflow_name: origin.workflow_name(),
                    workflow_run_id: origin.workflow_run_id(),
                    ..Crawl::default()
                },
            )?;
            origin.record_start(tx, &crawl_id, "RUNNING")?;
            Ok(c)
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        self.running_lock().insert(name.to_owned(), Arc::clone(&stop));
        self.emit(CatalogEvent::CrawlerStateChanged {
            crawler: name.to_owned(),
            state: "RUNNING",
            outcome: None,
        });
        let catalog = Arc::clone(self);
        let origin = origin.clone();
        tokio::spawn(async move {
            use futures::FutureExt as _;
            let run = std::panic::AssertUnwindSafe(crawl::run(&catalog, &crawler, &stop));
            let outcome = run.catch_unwind().await.unwrap_or_else(|_| crawl::Outcome {
                error: Some("Internal Service Exception: the crawl failed unexpectedly.".into()),
                ..crawl::Outcome::default()
            });
            let started = Started {
                crawl_id: &crawl_id,
                at: now,
                origin: &origin,
            };
            catalog.finish_crawl(&crawler.name, &started, outcome, &stop);
        });
        Ok(())
    }

    fn running_lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Arc<AtomicBool>>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn finish_crawl(
        self: &Arc<Self>,
        name: &str,
        started: &Started<'_>,
        outcome: crawl::Outcome,
        stop: &Arc<AtomicBool>,
    ) {
        let crawl_id = started.crawl_id;
        let cancelled = outcome.stopped;
        // Forget our stop flag before READY is visible, and only if it is still
        // ours: a crawl started right after must keep its own.
        {
            let mut running = self.running_lock();
            if running.get(name).is_some_and(|f| Arc::ptr_eq(f, stop)) {
                running.remove(name);
            }
        }
        self.set_state(name, CrawlerState::Stopping);
        self.emit(CatalogEvent::CrawlerStateChanged {
            crawler: name.to_owned(),
            state: "STOPPING",
            outcome: None,
        });
        let end = now_millis();
        let (status, crawl_state, error) = match (&outcome.error, cancelled) {
            (Some(e), _) => ("FAILED", "FAILED", Some(e.clone())),
            (None, true) => ("CANCELLED", "STOPPED", None),
            (None, false) => ("SUCCEEDED", "COMPLETED", None),
        };
        let ended = Crawl {
            crawl_id: crawl_id.to_owned(),
            state: crawl_state.into(),
            start_time: started.at,
            end_time: Some(end),
            error_message: error.clone(),
            summary: outcome.summary.clone(),
            log: outcome.log.clone(),
            trigger_name: started.origin.trigger.clone(),
            workflow_name: started.origin.workflow_name(),
            workflow_run_id: started.origin.workflow_run_id(),
        };
        let result = self.store.write(|tx| {
            let Some(mut c) = Store::get_crawler(tx, name)? else {
                return Ok(());
            };
            c.state = CrawlerState::Ready;
            c.crawl_elapsed_ms = 0;
            c.last_crawl = Some(LastCrawl {
                status: status.into(),
                error_message: error.clone(),
                log_group: "/aws-glue/crawlers".into(),
                log_stream: name.to_owned(),
                message_prefix: crawl_id.to_owned(),
                start_time: started.at,
            });
            Store::put_crawler(tx, &c)?;
            Store::put_crawl(tx, name, &ended)
        });
        if let Err(e) = result {
            tracing::error!(crawler = name, error = %e, "could not record the end of a crawl");
        }
        tracing::info!(
            target: "lakestack::glue",
            crawler = name,
            status,
            ms = end - started.at,
            tables_created = outcome.summary.tables_created,
            tables_updated = outcome.summary.tables_updated,
            partitions_created = outcome.summary.partitions_created,
            files = outcome.summary.files_scanned,
            skipped = outcome.summary.files_skipped,
            "crawl finished"
        );
        self.emit(CatalogEvent::CrawlerStateChanged {
            crawler: name.to_owned(),
            state: "READY",
            outcome: Some(status.to_owned()),
        });
        self.crawl_ended(name, &ended);
    }

    fn set_state(&self, name: &str, state: CrawlerState) {
        let r = self.store.write(|tx| {
            if let Some(mut c) = Store::get_crawler(tx, name)? {
                c.state = state;
                Store::put_crawler(tx, &c)?;
            }
            Ok(())
        });
        if let Err(e) = r {
            tracing::error!(crawler = name, error = %e, "could not record crawler state");
        }
    }

    pub fn stop_crawler(&self, name: &str) -> Result<()> {
        // Check and move to STOPPING in one transaction, so a crawl finishing
        // at the same moment cannot be overwritten back to STOPPING.
        self.store.write(|tx| {
            let mut c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            match c.state {
                CrawlerState::Ready => Err(CatalogError::CrawlerNotRunning(format!(
                    "Crawler with name {name} is not running"
                ))),
                CrawlerState::Stopping => Err(CatalogError::CrawlerStopping(format!(
                    "Crawler with name {name} is stopping"
                ))),
                CrawlerState::Running => {
                    c.state = CrawlerState::Stopping;
                    Store::put_crawler(tx, &c)
                }
            }
        })?;
        if let Some(flag) = self.running_lock().get(name) {
            flag.store(true, Ordering::SeqCst);
        }
        self.emit(CatalogEvent::CrawlerStateChanged {
            crawler: name.to_owned(),
            state: "STOPPING",
            outcome: None,
        });
        Ok(())
    }

    /// A crawler's crawls, newest first.
    pub fn list_crawls(&self, name: &str) -> Result<Vec<Crawl>> {
        self.store.read(|c| {
            Store::get_crawler(c, name)?.ok_or_else(|| not_found(name))?;
            Store::list_crawls(c, name)
        })
    }

    pub fn crawler_metrics(&self, c: &Crawler) -> Result<CrawlerMetrics> {
        let crawls = self.store.read(|conn| Store::list_crawls(conn, &c.name))?;
        let mut runtimes: Vec<f64> = crawls
            .iter()
            .filter_map(|k| k.end_time.map(|e| seconds(e - k.start_time)))
            .collect();
        let last = runtimes.first().copied().unwrap_or(0.0);
        runtimes.sort_by(f64::total_cmp);
        let median = if runtimes.is_empty() {
            0.0
        } else {
            runtimes[runtimes.len() / 2]
        };
        let last_done = crawls.iter().find(|k| k.end_time.is_some());
        let s = last_done.map(|k| k.summary.clone()).unwrap_or_default();
        Ok(CrawlerMetrics {
            crawler_name: c.name.clone(),
            time_left_seconds: 0.0,
            still_estimating: c.state == CrawlerState::Running && runtimes.is_empty(),
            last_runtime_seconds: last,
            median_runtime_seconds: median,
            tables_created: s.tables_created,
            tables_updated: s.tables_updated,
            tables_deleted: s.tables_deleted,
        })
    }

    pub fn start_crawler_schedule(&self, name: &str) -> Result<()> {
        self.store.write(|tx| {
            let mut c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            let Some(s) = c.schedule.as_mut() else {
                return Err(CatalogError::NoSchedule(format!(
                    "Crawler with name {name} has no schedule"
                )));
            };
            if s.state == "SCHEDULED" {
                return Err(CatalogError::SchedulerRunning(format!(
                    "Schedule of crawler {name} is already running"
                )));
            }
            s.state = "SCHEDULED".into();
            Store::put_crawler(tx, &c)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    pub fn stop_crawler_schedule(&self, name: &str) -> Result<()> {
        self.store.write(|tx| {
            let mut c = Store::get_crawler(tx, name)?.ok_or_else(|| not_found(name))?;
            let Some(s) = c.schedule.as_mut() else {
                return Err(CatalogError::SchedulerNotRunning(format!(
                    "Crawler with name {name} has no schedule"
                )));
            };
            if s.state != "SCHEDULED" {
                return Err(CatalogError::SchedulerNotRunning(format!(
                    "Schedule of crawler {name} is not running"
                )));
            }
            s.state = "NOT_SCHEDULED".into();
            Store::put_crawler(tx, &c)
        })?;
        self.schedules_changed.notify_one();
        Ok(())
    }

    pub fn update_crawler_schedule(&self, name: &str, expression: Option<&str>) -> Result<()> {
        self.update_crawler(name, |c| {
            c.schedule = match expression.filter(|e| !e.is_empty()) {
                None => None,
                Some(e) => Some(CrawlerSchedule {
                    expression: e.to_owned(),
                    state: c
                        .schedule
                        .as_ref()
                        .map_or_else(|| "SCHEDULED".into(), |s| s.state.clone()),
                }),
            };
            Ok(())
        })
    }

    /// Crawlers left RUNNING by a process that died end as FAILED crawls.
    pub(crate) fn recover_crawlers(&self) -> Result<()> {
        let now = now_millis();
        self.store.write(|tx| {
            for mut c in Store::list_crawlers(tx)? {
                if c.state == CrawlerState::Ready {
                    continue;
                }
                let msg = "The crawl was interrupted because lakestack stopped.".to_owned();
                for mut k in Store::list_crawls(tx, &c.name)? {
                    if k.state == "RUNNING" {
                        k.state = "FAILED".into();
                        k.end_time = Some(now);
                        k.error_message = Some(msg.clone());
                        Store::put_crawl(tx, &c.name, &k)?;
                        c.last_crawl = Some(LastCrawl {
                            status: "FAILED".into(),
                            error_message: Some(msg.clone()),
                            log_group: "/aws-glue/crawlers".into(),
                            log_stream: c.name.clone(),
                            message_prefix: k.crawl_id.clone(),
                            start_time: k.start_time,
                        });
                    }
                }
                c.state = CrawlerState::Ready;
                Store::put_crawler(tx, &c)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CatalogSettings;

    #[tokio::test]
    async fn a_crawl_cut_short_by_a_dead_process_ends_failed_at_restart() {
        let dir = tempfile::tempdir().unwrap();
        let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        {
            let store = Store::open(&dir.path().join("catalog.sqlite")).unwrap();
            store
                .write(|tx| {
                    let c = Crawler {
                        name: "c".into(),
                        role: "r".into(),
                        state: CrawlerState::Running,
                        ..Crawler::default()
                    };
                    Store::put_crawler(tx, &c)?;
                    Store::put_crawl(
                        tx,
                        "c",
                        &Crawl {
                            crawl_id: "k1".into(),
                            state: "RUNNING".into(),
                            start_time: 5,
                            ..Crawl::default()
                        },
                    )
                })
                .unwrap();
        }
        let catalog = Catalog::open(dir.path(), objects, CatalogSettings::default()).unwrap();
        let c = catalog.get_crawler("c").unwrap();
        assert_eq!(c.state, CrawlerState::Ready);
        let last = c.last_crawl.unwrap();
        assert_eq!((last.status.as_str(), last.message_prefix.as_str()), ("FAILED", "k1"));
        assert_eq!(catalog.list_crawls("c").unwrap()[0].state, "FAILED");
    }
}
