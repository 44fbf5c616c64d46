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

pub(crate) fn spawn(catalog: Arc<Catalog>) {
    tokio::spawn(async move {
        let mut checked = now_millis() / 1000;
        loop {
            let fires = next_fires(&catalog, checked);
            let wake = fires.iter().map(|(_, t)| *t).min();
            let now = now_millis();
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
            let now_secs = now_millis() / 1000;
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
