//! The CloudWatch Logs lines services other than Lambda write: a Glue
//! crawl's, into `/aws-glue/crawlers`, one stream per crawler, as Glue
//! writes them (`[<crawl id>] INFO : Created table ...`), when it ends; and
//! a Glue job run's output, as the run writes it.

use std::sync::Arc;

use lakestack_catalog::{Catalog, CatalogEvent};
use lakestack_logs::Logs;
use tokio::sync::broadcast;

use crate::bus::{Bus, Event};

/// Glue's log group for every crawler.
pub const CRAWLER_GROUP: &str = "/aws-glue/crawlers";

/// Writes each crawl's lines when the bus says its crawler is back to READY.
pub fn attach_crawlers(bus: &Bus, catalog: &Arc<Catalog>, logs: &Arc<Logs>) {
    let mut events = bus.subscribe();
    let (catalog, logs) = (Arc::downgrade(catalog), Arc::clone(logs));
    tokio::spawn(async move {
        loop {
            let crawler = match events.recv().await {
                Ok(Event::Catalog(CatalogEvent::CrawlerStateChanged {
                    crawler,
                    outcome: Some(_),
                    ..
                })) => crawler,
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "crawler log lines lagged");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let Some(catalog) = catalog.upgrade() else { return };
            let logs = Arc::clone(&logs);
            let written = tokio::task::spawn_blocking(move || write_last_crawl(&catalog, &logs, &crawler)).await;
            if let Ok(Err(e)) = written {
                tracing::warn!(error = %e, "could not write a crawl's log lines");
            }
        }
    });
}

fn write_last_crawl(catalog: &Catalog, logs: &Logs, crawler: &str) -> anyhow::Result<()> {
    let crawls = catalog.list_crawls(crawler)?;
    let Some(crawl) = crawls.iter().max_by_key(|c| c.start_time) else {
        return Ok(());
    };
    let id = &crawl.crawl_id;
    let end = crawl.end_time.unwrap_or(crawl.start_time);
    let mut lines = vec![(
        crawl.start_time,
        format!("[{id}] BENCHMARK : Running Start Crawl for Crawler {crawler}"),
    )];
    lines.extend(crawl.log.iter().map(|l| (end, format!("[{id}] {l}"))));
    if crawl.state == "COMPLETED" {
        lines.push((end, format!("[{id}] BENCHMARK : Finished writing to Catalog")));
    }
    lines.push((
        end,
        format!("[{id}] BENCHMARK : Crawler has finished running and is in state READY"),
    ));
    logs.put(CRAWLER_GROUP, crawler, &lines)?;
    Ok(())
}

/// Glue job runs' output lines, into the groups and streams the catalog names.
pub struct JobOutput(pub Arc<Logs>);

impl lakestack_catalog::JobLogs for JobOutput {
    fn write(&self, group: &str, stream: &str, lines: Vec<(i64, String)>) {
        if let Err(e) = self.0.put(group, stream, &lines) {
            tracing::warn!(group, stream, error = %e, "could not write a job run's output");
        }
    }
}
