//! Log lines on their way to CloudWatch Logs. Processes print as they like;
//! their lines, and the START/END/REPORT lines Lambda adds, go through one
//! channel to a task that writes them in batches. The bytes in flight are
//! bounded: a function that prints faster than the log store takes them is
//! slowed down (its pipe fills) instead of growing our memory.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::host::Host;

/// Lines in flight at most.
const CHANNEL: usize = 16_384;
/// Bytes of lines in flight at most.
const IN_FLIGHT: usize = 32 << 20;
/// Lines written in one batch at most.
const BATCH: usize = 2_048;

#[derive(Debug)]
struct Line {
    group: Arc<str>,
    stream: Arc<str>,
    at_ms: i64,
    text: String,
    /// Its share of the bytes in flight, given back once written.
    _budget: OwnedSemaphorePermit,
}

#[derive(Clone)]
pub struct LogWriter {
    tx: mpsc::Sender<Line>,
    budget: Arc<Semaphore>,
}

impl LogWriter {
    /// Starts the writing task; it ends when every writer is dropped.
    pub fn start(host: Arc<dyn Host>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Line>(CHANNEL);
        tokio::spawn(async move {
            let mut lines = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut lines, BATCH).await > 0 {
                let batch = std::mem::take(&mut lines);
                let host = Arc::clone(&host);
                let _ = tokio::task::spawn_blocking(move || write_batch(host.as_ref(), batch)).await;
            }
        });
        Self {
            tx,
            budget: Arc::new(Semaphore::new(IN_FLIGHT)),
        }
    }

    pub async fn push(&self, group: &Arc<str>, stream: &Arc<str>, at_ms: i64, text: String) {
        let cost = text.len().clamp(1, IN_FLIGHT) as u32;
        let Ok(budget) = Arc::clone(&self.budget).acquire_many_owned(cost).await else {
            return;
        };
        let line = Line {
            group: Arc::clone(group),
            stream: Arc::clone(stream),
            at_ms,
            text,
            _budget: budget,
        };
        let _ = self.tx.send(line).await;
    }
}

/// Writes a batch as one call per stream, keeping each stream's order.
fn write_batch(host: &dyn Host, batch: Vec<Line>) {
    let mut lines = batch.into_iter().peekable();
    while let Some(first) = lines.next() {
        let (group, stream) = (Arc::clone(&first.group), Arc::clone(&first.stream));
        let mut events = vec![(first.at_ms, first.text)];
        while let Some(next) = lines.next_if(|l| l.group == group && l.stream == stream) {
            events.push((next.at_ms, next.text));
        }
        host.write_logs(&group, &stream, &events);
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
