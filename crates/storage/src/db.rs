//! The SQLite file that holds buckets, object versions and multipart state.
//!
//! One writer connection serialises every change; readers use their own
//! connections so listings never wait behind a write (WAL mode).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// Bumped whenever the schema changes; `migrate` brings older files forward.
const SCHEMA_VERSION: i64 = 1;

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
    segments          TEXT NOT NULL
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

fn configure(conn: &Connection) -> Result<()> {
    // NORMAL is durable against a killed process in WAL mode; only power loss
    // can undo the last transactions, which this emulator does not promise.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA cache_size = -8000;",
    )?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA_V1)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    } else if version > SCHEMA_VERSION {
        return Err(crate::StorageError::Internal(
            format!("data directory was written by a newer lakestack (schema {version})").into(),
        ));
    }
    Ok(())
}

pub(crate) struct Db {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

impl Db {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
        })
    }

    /// Runs `f` in one write transaction: all of it commits, or none.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
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
        let out = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pool.len() < 16 {
            pool.push(conn);
        }
        out
    }
}
