//! Runs what happens at a time on the server's clock: crawlers and
//! SCHEDULED triggers on their `cron(...)` schedules, and EVENT triggers'
//! batches whose window ends. One task sleeps until the earliest of these,
//! or until a schedule changes.

use std::sync::Arc;

use crate::GLUE_MIN_INTERVAL_MINUTES;
use crate::model::{TriggerState, TriggerType};
use crate::{Catalog, CatalogError};
use lakestack_compat::cron;

/// Something due at a time.
#[derive(Debug, Clone, PartialEq)]
enum Due {
    Crawl(String),
    Trigger(String),
    /// The window of an EVENT trigger's batch ends.
    BatchWindow(String),
}

/// When each schedule fires next, strictly after `after_secs`, and when
/// each pending event batch's window ends (seconds since the epoch).
fn next_fires(catalog: &Catalog, after_secs: i64) -> Vec<(Due, i64)> {
    let next = |expr: &str| {
        cron::Schedule::parse(expr, GLUE_MIN_INTERVAL_MINUTES)
            .ok()?
            .next_after(after_secs)
    };
    let mut due = Vec::new();
    match catalog.list_crawlers() {
        Ok(crawlers) => due.extend(crawlers.into_iter().filter_map(|c| {
            let s = c.schedule.as_ref().filter(|s| s.state == "SCHEDULED")?;
            Some((Due::Crawl(c.name), next(&s.expression)?))
        })),
        Err(e) => tracing::warn!(error = %e, "scheduler could not list crawlers"),
    }
    match catalog.list_triggers() {
        Ok(triggers) => due.extend(triggers.into_iter().filter_map(|t| {
            if t.trigger_type != TriggerType::Scheduled || t.state != TriggerState::Activated {
                return None;
            }
            let at = next(t.schedule.as_deref()?)?;
            Some((Due::Trigger(t.name), at))
        })),
        Err(e) => tracing::warn!(error = %e, "scheduler could not list triggers"),
    }
    match catalog.batch_deadlines() {
        Ok(batches) => due.extend(
            batches
                .into_iter()
                .map(|(trigger, ends_ms)| (Due::BatchWindow(trigger), (ends_ms + 999).div_euclid(1000))),
        ),
        Err(e) => tracing::warn!(error = %e, "scheduler could not list event batches"),
    }
    due
}

fn fire(catalog: &Arc<Catalog>, due: &Due) {
    match due {
        Due::Crawl(name) => match catalog.start_crawler(name) {
            Ok(()) => tracing::info!(target: "lakestack::glue", crawler = %name, "scheduled crawl started"),
            Err(CatalogError::CrawlerRunning(_)) => {
                tracing::info!(target: "lakestack::glue", crawler = %name, "scheduled crawl skipped: still running");
            }
            Err(e) => tracing::warn!(crawler = %name, error = %e, "scheduled crawl did not start"),
        },
        Due::Trigger(name) => catalog.fire_scheduled(name),
        Due::BatchWindow(name) => catalog.expire_event_batch(name),
    }
}

pub(crate) fn spawn(catalog: Arc<Catalog>) {
    // The server's clock: an advance of it (`/_lakestack/clock`) fires the
    // schedules it passes, and a paused Tokio clock in tests runs days of
    // schedule at once. Read now, not when the task first runs: an advance
    // made right after the scheduler starts still fires what it passes.
    let clock = catalog.settings.clock.clone();
    let mut checked = clock.now().timestamp();
    tokio::spawn(async move {
        loop {
            let fires = next_fires(&catalog, checked);
            let wake = fires
                .iter()
                .map(|(_, t)| *t)
                .min()
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
            let until_next = async {
                match wake {
                    Some(at) => clock.until(at).await,
                    // Nothing is scheduled: a schedule that changes wakes us.
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = until_next => {}
                () = catalog.schedules_changed.notified() => {
                    // Keep `checked`: fire times already passed while we waited are not lost.
                    continue;
                }
            }
            let now_secs = clock.now().timestamp();
            for (due, at) in fires {
                if at <= now_secs {
                    fire(&catalog, &due);
                }
            }
            checked = checked.max(now_secs);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::CatalogSettings;
    use crate::model::{Crawler, CrawlerSchedule, Database, S3Target};

    #[tokio::test(start_paused = true)]
    async fn scheduled_crawlers_really_run() {
        let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let catalog = Catalog::in_memory(objects, CatalogSettings::default()).unwrap();
        catalog
            .create_database(Database {
                name: "db".into(),
                ..Database::default()
            })
            .unwrap();
        let crawler = |name: &str, expr: &str| Crawler {
            name: name.into(),
            role: "r".into(),
            database_name: Some("db".into()),
            s3_targets: vec![S3Target {
                path: "s3://b/p/".into(),
                ..S3Target::default()
            }],
            schedule: Some(CrawlerSchedule {
                expression: expr.into(),
                state: "SCHEDULED".into(),
            }),
            ..Crawler::default()
        };
        catalog
            .create_crawler(crawler("often", "cron(0/10 * * * ? *)"), vec![])
            .unwrap();
        catalog
            .create_crawler(crawler("paused", "cron(0/10 * * * ? *)"), vec![])
            .unwrap();
        catalog.stop_crawler_schedule("paused").unwrap();
        catalog.start_scheduler();
        // An hour of schedule: six fire times every ten minutes.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let runs = catalog.list_crawls("often").unwrap();
        assert!((5..=7).contains(&runs.len()), "{} crawls", runs.len());
        assert!(runs.iter().all(|c| c.state == "COMPLETED"), "{runs:?}");
        assert!(catalog.list_crawls("paused").unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_advance_of_the_servers_clock_fires_the_schedules_it_passes() {
        let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let settings = CatalogSettings {
            clock: lakestack_aws_protocol::Clock::scaled(1.0),
            ..CatalogSettings::default()
        };
        let clock = settings.clock.clone();
        let catalog = Catalog::in_memory(objects, settings).unwrap();
        catalog
            .create_database(Database {
                name: "db".into(),
                ..Database::default()
            })
            .unwrap();
        let nightly = Crawler {
            name: "nightly".into(),
            role: "r".into(),
            database_name: Some("db".into()),
            s3_targets: vec![S3Target {
                path: "s3://b/p/".into(),
                ..S3Target::default()
            }],
            schedule: Some(CrawlerSchedule {
                expression: "cron(0 3 * * ? *)".into(),
                state: "SCHEDULED".into(),
            }),
            ..Crawler::default()
        };
        catalog.create_crawler(nightly, vec![]).unwrap();
        catalog.start_scheduler();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(catalog.list_crawls("nightly").unwrap().is_empty());
        clock.advance(Duration::from_secs(24 * 3600));
        let crawled = async {
            while catalog.list_crawls("nightly").unwrap().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), crawled)
            .await
            .expect("the night's crawl starts");
    }
}
