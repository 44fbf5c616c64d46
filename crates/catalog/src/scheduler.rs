//! Runs crawlers on their `cron(...)` schedules. One task sleeps until the
//! earliest next fire time of any scheduled crawler, or until a schedule changes.

use std::sync::Arc;
use std::time::Duration;

use crate::model::now_millis;
use crate::{Catalog, CatalogError, cron};

/// When each scheduled crawler fires next, strictly after `after_secs`.
fn next_fires(catalog: &Catalog, after_secs: i64) -> Vec<(String, i64)> {
    let crawlers = match catalog.list_crawlers() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "scheduler could not list crawlers");
            return Vec::new();
        }
    };
    crawlers
        .into_iter()
        .filter_map(|c| {
            let s = c.schedule.as_ref().filter(|s| s.state == "SCHEDULED")?;
            let next = cron::Schedule::parse(&s.expression).ok()?.next_after(after_secs)?;
            Some((c.name, next))
        })
        .collect()
}

/// The scheduler's wall clock: the wall time at start plus Tokio's elapsed
/// time, so a test with a paused Tokio clock can run days of schedule at once.
struct Clock {
    wall_ms: i64,
    start: tokio::time::Instant,
}

impl Clock {
    fn now_ms(&self) -> i64 {
        self.wall_ms + i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX)
    }
}

pub(crate) fn spawn(catalog: Arc<Catalog>) {
    tokio::spawn(async move {
        let clock = Clock {
            wall_ms: now_millis(),
            start: tokio::time::Instant::now(),
        };
        let mut checked = clock.now_ms() / 1000;
        loop {
            let fires = next_fires(&catalog, checked);
            let wake = fires.iter().map(|(_, t)| *t).min();
            let now = clock.now_ms();
            let sleep = wake.map_or(Duration::from_secs(3600), |t| {
                Duration::from_millis(u64::try_from(t * 1000 - now).unwrap_or(0))
            });
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = catalog.schedules_changed.notified() => {
                    // Keep `checked`: fire times already passed while we waited are not lost.
                    continue;
                }
            }
            let now_secs = clock.now_ms() / 1000;
            for (name, at) in fires {
                if at <= now_secs {
                    match catalog.start_crawler(&name) {
                        Ok(()) => tracing::info!(target: "lakestack::glue", crawler = %name, "scheduled crawl started"),
                        Err(CatalogError::CrawlerRunning(_)) => {
                            tracing::info!(target: "lakestack::glue", crawler = %name, "scheduled crawl skipped: still running");
                        }
                        Err(e) => tracing::warn!(crawler = %name, error = %e, "scheduled crawl did not start"),
                    }
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
}
