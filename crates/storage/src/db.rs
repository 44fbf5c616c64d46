//! The SQLite file that holds buckets, object versions and multipart state.
//!
//! One writer thread owns the writing connection and commits waiting writes
//! in groups; readers use their own connections so listings never wait behind
//! a write (WAL mode).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// Bumped whenever the schema changes; `migrate` brings older files forward.
const SCHEMA_VERSION: i64 = 2;

const SCHEMA_V1: &str = r"
CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    region      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    versioning  TEXT
);
CREATE TABLE bucket_configs (
    bucket  TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (bucket, kind)
);
-- One row per version of a key. `key` is a BLOB so that ordering is by UTF-8 bytes.
CREATE TABLE objects (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket            TEXT NOT NULL,
    key               BLOB NOT NULL,
    version_id        TEXT NOT NULL,
    is_latest         INTEGER NOT NULL,
    is_delete_marker  INTEGER NOT NULL,
    size              INTEGER NOT NULL,
    etag              TEXT NOT NULL,
    last_modified_ms  INTEGER NOT NULL,
    meta              TEXT NOT NULL,
    parts             TEXT,
    segments          TEXT NOT NULL,
    -- Small bodies live here instead of in a blob file.
    inline_body       BLOB
);
CREATE UNIQUE INDEX objects_version ON objects(bucket, key, version_id);
CREATE INDEX objects_history ON objects(bucket, key, id);
CREATE UNIQUE INDEX objects_latest ON objects(bucket, key) WHERE is_latest = 1;
CREATE TABLE uploads (
    upload_id           TEXT PRIMARY KEY,
    bucket              TEXT NOT NULL,
    key                 BLOB NOT NULL,
    initiated_ms        INTEGER NOT NULL,
    meta                TEXT NOT NULL,
    checksum_algorithm  TEXT,
    checksum_type       TEXT
);
CREATE INDEX uploads_by_key ON uploads(bucket, key, initiated_ms);
CREATE TABLE upload_parts (
    upload_id         TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
    part_number       INTEGER NOT NULL,
    blob              TEXT NOT NULL,
    size              INTEGER NOT NULL,
    etag              TEXT NOT NULL,
    last_modified_ms  INTEGER NOT NULL,
    checksum          TEXT,
    PRIMARY KEY (upload_id, part_number)
);
";

/// The outbox of S3 event notifications: a row is written in the same
/// transaction as the change it reports, for buckets with a notification
/// configuration only, and removed once delivered, so an acknowledged write
/// is notified even if the server is killed before delivery.
const SCHEMA_V2: &str = r"
CREATE TABLE notifications (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket      TEXT NOT NULL,
    key         BLOB NOT NULL,
    event       TEXT NOT NULL,
    size        INTEGER,
    etag        TEXT,
    version_id  TEXT,
    time_ms     INTEGER NOT NULL
);
";

fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA busy_timeout = 5000;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -8000;",
    )?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(crate::StorageError::Internal(
            format!("data directory was written by a newer lakestack (schema {version})").into(),
        ));
    }
    if version == 0 {
        // A new file holds nothing to lose: creating it without fsync (about
        // six: switching to WAL goes through a rollback journal) keeps them
        // off the start of a fresh data directory. The writes still reach
        // the OS before the commit returns, so `kill -9` cannot tear them.
        conn.execute_batch("PRAGMA synchronous = OFF;")?;
    }
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    if version < 1 {
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA_V1)?;
        tx.execute_batch(SCHEMA_V2)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    } else if version < 2 {
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA_V2)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    }
    // NORMAL is durable against a killed process in WAL mode; only power
    // loss can undo the last transactions, which this emulator does not promise.
    conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
    Ok(())
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Runs inside the batch transaction; false if it failed (and was rolled back).
    fn run(&mut self, tx: &rusqlite::Transaction<'_>) -> bool;
    /// Answers the caller once the batch's fate is known.
    fn reply(self: Box<Self>, committed: std::result::Result<(), String>);
}

/// Runs on the writer thread once a write's outcome is known, even if its
/// caller has gone away (a dropped request must not leak blob files).
type After<T> = Box<dyn FnOnce(std::result::Result<&T, &crate::StorageError>) + Send>;

struct TypedJob<T, F> {
    f: Option<F>,
    result: Option<Result<T>>,
    after: Option<After<T>>,
    answer: tokio::sync::oneshot::Sender<Result<T>>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send,
    F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send,
{
    fn run(&mut self, tx: &rusqlite::Transaction<'_>) -> bool {
        let r = self
            .f
            .take()
            .map_or_else(|| Err(crate::StorageError::Internal("job ran twice".into())), |f| f(tx));
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn reply(self: Box<Self>, committed: std::result::Result<(), String>) {
        let r = match (committed, self.result) {
            (Ok(()), Some(r)) => r,
            // The job's own error stands even if the batch failed later.
            (Err(_), Some(Err(e))) => Err(e),
            (Err(e), _) => Err(crate::StorageError::Internal(format!("commit failed: {e}").into())),
            (Ok(()), None) => Err(crate::StorageError::Internal("job did not run".into())),
        };
        if let Some(after) = self.after {
            after(r.as_ref());
        }
        let _ = self.answer.send(r);
    }
}

/// Most writes one commit may carry.
const MAX_BATCH: usize = 256;

pub(crate) struct Db {
    jobs: std::sync::mpsc::Sender<Box<dyn Job>>,
    /// Dropping it stops the checkpoint thread.
    _stop_checkpoints: std::sync::mpsc::Sender<()>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

/// The writer thread: takes every write that is waiting, runs each in its own
/// savepoint inside one transaction, commits once, then answers them all.
/// Group commit keeps SQLite's per-commit cost off each small PUT, and no
/// async worker ever blocks on the write lock.
fn writer_loop(mut conn: Connection, jobs: &std::sync::mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let committed = run_batch(&mut conn, &mut batch);
        for job in batch {
            job.reply(committed.clone());
        }
    }
}

fn run_batch(conn: &mut Connection, batch: &mut [Box<dyn Job>]) -> std::result::Result<(), String> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())?;
    for job in batch.iter_mut() {
        tx.execute_batch("SAVEPOINT job").map_err(|e| e.to_string())?;
        if job.run(&tx) {
            tx.execute_batch("RELEASE job").map_err(|e| e.to_string())?;
        } else {
            tx.execute_batch("ROLLBACK TO job; RELEASE job")
                .map_err(|e| e.to_string())?;
        }
    }
    tx.commit().map_err(|e| e.to_string())
}

/// Copies the WAL back into the database every half second without blocking
/// writers (PASSIVE), so the WAL stays small and commits stay cheap.
/// Ends, after a last checkpoint, when the `Db` is dropped.
fn checkpoint_loop(conn: &Connection, stopped: &std::sync::mpsc::Receiver<()>) {
    loop {
        let done = matches!(
            stopped.recv_timeout(std::time::Duration::from_millis(500)),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) | Ok(())
        );
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "checkpoint failed");
        }
        if done {
            return;
        }
    }
}

impl Db {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer)?;
        // Checkpoints (which fsync) run on their own thread, never inside a write.
        writer.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        let checkpointer = Connection::open(path)?;
        checkpointer.execute_batch("PRAGMA busy_timeout = 5000;")?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("lakestack-sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &stopped))?;
        let (jobs, rx) = std::sync::mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("lakestack-sqlite-writer".into())
            .spawn(move || writer_loop(writer, &rx))?;
        Ok(Self {
            jobs,
            _stop_checkpoints: stop,
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
        })
    }

    /// Runs `f` in a write transaction: all of it commits, or none. Writes
    /// waiting at the same time share one commit; each still succeeds or
    /// fails on its own.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.submit(f, None).await
    }

    /// Like [`Db::write`]; `after` runs on the writer thread with the outcome,
    /// whether or not the caller is still waiting.
    pub(crate) async fn write_then<T, F, A>(&self, f: F, after: A) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
        A: FnOnce(std::result::Result<&T, &crate::StorageError>) + Send + 'static,
    {
        self.submit(f, Some(Box::new(after))).await
    }

    async fn submit<T, F>(&self, f: F, after: Option<After<T>>) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let (answer, rx) = tokio::sync::oneshot::channel();
        let job: Box<dyn Job> = Box::new(TypedJob {
            f: Some(f),
            result: None,
            after,
            answer,
        });
        self.jobs
            .send(job)
            .map_err(|_| crate::StorageError::Internal("the SQLite writer has stopped".into()))?;
        rx.await
            .map_err(|_| crate::StorageError::Internal("the SQLite writer dropped a write".into()))?
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self
            .readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                c.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -4000;")?;
                c
            }
        };
        // One snapshot for everything `f` reads: a listing that takes several
        // queries must not see a write land half-way.
        let out = match conn.unchecked_transaction() {
            Ok(tx) => {
                let out = f(&tx);
                let _ = tx.finish();
                out
            }
            Err(e) => Err(e.into()),
        };
        let mut pool = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pool.len() < 16 {
            pool.push(conn);
        }
        out
    }
}
