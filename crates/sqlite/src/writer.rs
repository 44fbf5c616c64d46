//! Group commit: every write to a file goes through one thread that owns
//! the writing connection. Writes that arrive while a transaction
//! commits wait for the next one and share it, so N concurrent senders cost
//! one commit rather than N; each caller is answered once the transaction
//! holding its write has committed, which is when an acknowledging
//! operation (SQS's SendMessage, EventBridge's PutEvents) may answer (WAL
//! with `synchronous = NORMAL`: a commit survives `kill -9`).
//!
//! A write is a closure over the connection, so it can be run again: when a
//! shared transaction fails, each write is retried in a transaction of its
//! own, and only the writes that fail alone are answered with the error.

use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

/// Why a write was not committed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("the {0} writer stopped")]
    Stopped(&'static str),
    #[error("{0}")]
    Failed(String),
}

type Result<T, E = WriteError> = std::result::Result<T, E>;

pub type Work = Box<dyn Fn(&Connection) -> rusqlite::Result<()> + Send>;

/// Writes shared by one transaction at most: bounds a commit's latency.
const MAX_BATCH: usize = 1024;

struct Job {
    work: Work,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

/// The thread that commits a file's writes, named after what it writes.
pub struct Writer {
    name: &'static str,
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the thread; `name` (`sqs`, `events`) names it and its errors.
    pub fn start(name: &'static str, conn: Connection) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("{name}-writer"))
            .spawn(move || run(name, conn, rx))?;
        Ok(Self {
            name,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Runs `work` and answers once it is committed.
    pub async fn write(&self, work: Work) -> Result<()> {
        self.enqueue(work).wait().await
    }

    /// Queues `work` without waiting: writes are committed in the order
    /// they are queued, so a caller that queues while it holds the lock of
    /// what it changed keeps the file in the order memory changed in.
    pub fn enqueue(&self, work: Work) -> Pending {
        let (done, wait) = oneshot::channel();
        match self.send(Job { work, done: Some(done) }) {
            Ok(()) => Pending(self.name, Some(wait)),
            Err(_) => Pending(self.name, None),
        }
    }

    /// Runs `work` without waiting for it: for what a restart may repeat
    /// (removing expired messages and deduplication entries).
    pub fn submit(&self, work: Work) {
        if self.send(Job { work, done: None }).is_err() {
            tracing::warn!(writer = self.name, "the writer stopped; a background write was dropped");
        }
    }

    fn send(&self, job: Job) -> Result<()> {
        self.tx
            .as_ref()
            .and_then(|tx| tx.send(job).ok())
            .ok_or(WriteError::Stopped(self.name))
    }
}

/// A queued write, to wait for.
pub struct Pending(&'static str, Option<oneshot::Receiver<Result<(), String>>>);

impl Pending {
    /// Answers once the write is committed.
    pub async fn wait(self) -> Result<()> {
        let Some(wait) = self.1 else {
            return Err(WriteError::Stopped(self.0));
        };
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(WriteError::Failed(e)),
            Err(_) => Err(WriteError::Stopped(self.0)),
        }
    }
}

impl Drop for Writer {
    /// Finishes the writes already queued, so a reopen finds them.
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(name: &'static str, mut conn: Connection, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit(&mut conn, batch.iter().map(|j| &j.work)) {
            Ok(()) => {
                for job in batch {
                    answer(job, Ok(()));
                }
            }
            Err(shared) => {
                tracing::warn!(writer = name, error = %shared, "a shared transaction failed; retrying its writes one by one");
                for job in batch {
                    let alone = commit(&mut conn, std::iter::once(&job.work)).map_err(|e| e.to_string());
                    if let Err(e) = &alone {
                        tracing::error!(writer = name, error = %e, "a write failed");
                    }
                    answer(job, alone);
                }
            }
        }
    }
}

fn commit<'a>(conn: &mut Connection, works: impl Iterator<Item = &'a Work>) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for work in works {
        work(&tx)?;
    }
    tx.commit()
}

fn answer(job: Job, result: Result<(), String>) {
    if let Some(done) = job.done {
        // The caller may have gone (a dropped request); the write stands.
        let _ = done.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_commit_together_and_fail_alone() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)").unwrap();
        let w = std::sync::Arc::new(Writer::start("test", conn).unwrap());
        let mut tasks = Vec::new();
        for i in 0..50i64 {
            let w = w.clone();
            tasks.push(tokio::spawn(async move {
                w.write(Box::new(move |c| {
                    c.execute("INSERT INTO t (v) VALUES (?1)", [i % 49]).map(drop)
                }))
                .await
            }));
        }
        let mut failed = 0;
        for t in tasks {
            if t.await.unwrap().is_err() {
                failed += 1;
            }
        }
        assert_eq!(failed, 1, "only the duplicate fails");
        let count = std::sync::Arc::new(std::sync::Mutex::new(0i64));
        let seen = count.clone();
        w.write(Box::new(move |c| {
            *seen.lock().unwrap() = c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?;
            Ok(())
        }))
        .await
        .unwrap();
        assert_eq!(*count.lock().unwrap(), 49);
    }
}
