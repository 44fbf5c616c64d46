//! Log lines on their way to CloudWatch Logs. Processes print as they like;
//! their lines, and the START/END/REPORT lines Lambda adds, go through one
//! bounded channel to a task that writes them in batches, so a function
//! that prints faster than the log store takes them is slowed down (its
//! pipe fills) instead of growing our memory.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::host::Host;

/// Lines in flight at most.
const CHANNEL: usize = 16_384;
/// Lines written in one batch at most.
const BATCH: usize = 2_048;

#[derive(Debug)]
struct Line {
    group: Arc<str>,
    stream: Arc<str>,
    at_ms: i64,
    text: String,
}

#[derive(Clone)]
pub struct LogWriter {
    tx: mpsc::Sender<Line>,
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
        Self { tx }
    }

    pub async fn push(&self, group: &Arc<str>, stream: &Arc<str>, at_ms: i64, text: String) {
        let line = Line {
            group: Arc::clone(group),
            stream: Arc::clone(stream),
            at_ms,
            text,
        };
        let _ = self.tx.send(line).await;
    }
}

/// Writes a batch as one call per stream, keeping each stream's order.
fn write_batch(host: &dyn Host, batch: Vec<Line>) {
    let mut i = 0;
    while i < batch.len() {
        let (group, stream) = (&batch[i].group, &batch[i].stream);
        let mut events = Vec::new();
        while i < batch.len() && batch[i].group == *group && batch[i].stream == *stream {
            events.push((batch[i].at_ms, batch[i].text.clone()));
            i += 1;
        }
        host.write_logs(group, stream, &events);
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
