//! The file behind Firehose (`firehose.sqlite`): delivery streams as JSON,
//! and every record accepted and not yet delivered. A record is in the
//! file from the commit that lets PutRecord answer until the object that
//! holds it is in S3, so `kill -9` loses nothing acknowledged (a restart
//! may deliver a record twice, as Firehose's at-least-once delivery may).
//!
//! A record is `received` until its processors have run (Lambda), then
//! `ready` in the buffer of its partition (`part`: the partition keys, or
//! an error output type for a record that failed on the way).

use rusqlite::{Connection, params};

pub(crate) const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "Firehose",
    steps: &["CREATE TABLE streams (name TEXT PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE records (
             id INTEGER PRIMARY KEY,
             stream TEXT NOT NULL,
             stage INTEGER NOT NULL,
             part TEXT NOT NULL,
             arrival_ms INTEGER NOT NULL,
             data BLOB NOT NULL,
             meta TEXT
         );
         CREATE INDEX records_by_part ON records (stream, stage, part, id);"],
};

pub(crate) const RECEIVED: i64 = 0;
pub(crate) const READY: i64 = 1;
/// A copy of a record as it came in, for the S3 backup bucket.
pub(crate) const BACKUP: i64 = 2;

/// A record on its way in.
#[derive(Debug, Clone)]
pub(crate) struct NewRow {
    pub stage: i64,
    pub part: String,
    pub arrival_ms: i64,
    pub data: Vec<u8>,
    /// JSON: the source's metadata (a Kinesis record's), or why it failed.
    pub meta: Option<String>,
}

/// A record as stored.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: i64,
    pub arrival_ms: i64,
    pub data: Vec<u8>,
    pub meta: Option<String>,
}

pub(crate) fn load_streams(c: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = c.prepare("SELECT body FROM streams ORDER BY name")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

pub(crate) fn put_stream(c: &Connection, name: &str, body: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO streams (name, body) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body",
        params![name, body],
    )?;
    Ok(())
}

pub(crate) fn delete_stream(c: &Connection, name: &str, records_key: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM streams WHERE name = ?1", params![name])?;
    c.execute("DELETE FROM records WHERE stream = ?1", params![records_key])?;
    Ok(())
}

pub(crate) fn insert(c: &Connection, stream: &str, rows: &[NewRow]) -> rusqlite::Result<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO records (stream, stage, part, arrival_ms, data, meta) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for r in rows {
        st.execute(params![stream, r.stage, r.part, r.arrival_ms, r.data, r.meta])?;
    }
    Ok(())
}

/// Replaces received records (ids `done`) with what their processing gave.
pub(crate) fn replace(c: &Connection, stream: &str, done: &[i64], rows: &[NewRow]) -> rusqlite::Result<()> {
    let mut del = c.prepare_cached("DELETE FROM records WHERE id = ?1")?;
    for id in done {
        del.execute(params![id])?;
    }
    insert(c, stream, rows)
}

/// Removes delivered records: a partition's ready records up to `last_id`.
pub(crate) fn delivered(c: &Connection, stream: &str, stage: i64, part: &str, last_id: i64) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM records WHERE stream = ?1 AND stage = ?2 AND part = ?3 AND id <= ?4",
        params![stream, stage, part, last_id],
    )?;
    Ok(())
}

/// A buffer's records in order, from after `after_id`, up to `max_bytes`
/// of data (at least one record).
pub(crate) fn read(
    c: &Connection,
    stream: &str,
    stage: i64,
    part: &str,
    after_id: i64,
    max_bytes: u64,
    max_rows: usize,
) -> rusqlite::Result<Vec<Row>> {
    let mut st = c.prepare_cached(
        "SELECT id, arrival_ms, data, meta FROM records
         WHERE stream = ?1 AND stage = ?2 AND part = ?3 AND id > ?4 ORDER BY id LIMIT ?5",
    )?;
    let mut rows = st.query(params![stream, stage, part, after_id, max_rows as i64])?;
    let mut out = Vec::new();
    let mut bytes = 0u64;
    while let Some(r) = rows.next()? {
        let data: Vec<u8> = r.get(2)?;
        bytes += data.len() as u64;
        if bytes > max_bytes && !out.is_empty() {
            break;
        }
        out.push(Row {
            id: r.get(0)?,
            arrival_ms: r.get(1)?,
            data,
            meta: r.get(3)?,
        });
    }
    Ok(out)
}

/// What a buffer holds.
pub(crate) struct BufferStats {
    pub stage: i64,
    pub part: String,
    pub records: u64,
    pub bytes: u64,
    pub oldest_ms: i64,
}

/// Each buffer of a stream, at open.
pub(crate) fn buffers(c: &Connection, stream: &str) -> rusqlite::Result<Vec<BufferStats>> {
    let mut st = c.prepare(
        "SELECT stage, part, COUNT(*), SUM(LENGTH(data)), MIN(arrival_ms) FROM records WHERE stream = ?1 GROUP BY stage, part",
    )?;
    let rows = st.query_map(params![stream], |r| {
        Ok(BufferStats {
            stage: r.get(0)?,
            part: r.get(1)?,
            records: r.get::<_, i64>(2)? as u64,
            bytes: r.get::<_, i64>(3)? as u64,
            oldest_ms: r.get(4)?,
        })
    })?;
    rows.collect()
}
