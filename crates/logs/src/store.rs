//! The service's SQLite file, `logs.sqlite`: groups, streams, events and
//! tags. Events are indexed by (stream, timestamp, id) for GetLogEvents and
//! by (group, timestamp, id) for FilterLogEvents, so both read a time range
//! as an index range scan, a page at a time. Every write is one
//! transaction; statements are cached on the connection, so the hot path
//! (an in-process `put`) parses no SQL.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::{LogsError, Result};
use crate::model::{Event, LogGroup, LogStream, Position};

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the CloudWatch Logs file",
    steps: &[SCHEMA_V1],
};

const SCHEMA_V1: &str = r"
CREATE TABLE log_groups (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    created_ms    INTEGER NOT NULL,
    retention     INTEGER,
    class         TEXT NOT NULL,
    kms_key_id    TEXT,
    stored_bytes  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE log_streams (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    first_event_ms  INTEGER,
    last_event_ms   INTEGER,
    last_ingest_ms  INTEGER,
    uploads         INTEGER NOT NULL DEFAULT 0,
    stored_bytes    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
);
-- AUTOINCREMENT: an id is never reused, even after the newest events are
-- deleted, so event ids and paging tokens never name two events.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   INTEGER NOT NULL,
    stream_id  INTEGER NOT NULL,
    ts         INTEGER NOT NULL,
    ingest_ms  INTEGER NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX events_by_stream ON events (stream_id, ts, id);
CREATE INDEX events_by_group ON events (group_id, ts, id);
CREATE TABLE tags (
    group_id  INTEGER NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (group_id, key)
) WITHOUT ROWID;
";

pub(crate) struct Store {
    db: lakestack_sqlite::Shared,
}

/// A group's row id and what reads of it need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupRef {
    pub id: i64,
    pub retention_days: Option<i64>,
}

/// A stream's row id.
pub(crate) type StreamId = i64;

const GROUP_COLUMNS: &str = "name, created_ms, retention, class, kms_key_id, stored_bytes";
const STREAM_COLUMNS: &str = "name, created_ms, first_event_ms, last_event_ms, last_ingest_ms, uploads, stored_bytes";

fn group_row(r: &Row<'_>) -> rusqlite::Result<LogGroup> {
    Ok(LogGroup {
        name: r.get(0)?,
        created_ms: r.get(1)?,
        retention_days: r.get(2)?,
        class: r.get(3)?,
        kms_key_id: r.get(4)?,
        stored_bytes: r.get(5)?,
    })
}

fn stream_row(r: &Row<'_>) -> rusqlite::Result<LogStream> {
    Ok(LogStream {
        name: r.get(0)?,
        created_ms: r.get(1)?,
        first_event_ms: r.get(2)?,
        last_event_ms: r.get(3)?,
        last_ingestion_ms: r.get(4)?,
        uploads: r.get(5)?,
        stored_bytes: r.get(6)?,
    })
}

impl Store {
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let conn = match dir {
            Some(d) => lakestack_sqlite::open(&d.join("logs.sqlite"), &SCHEMA)?,
            None => lakestack_sqlite::open_in_memory(&SCHEMA)?,
        };
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self { db: conn.into() })
    }

    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }
}

// --- groups -----------------------------------------------------------------

pub(crate) fn group_ref(c: &Connection, name: &str) -> Result<Option<GroupRef>> {
    let mut s = c.prepare_cached("SELECT id, retention FROM log_groups WHERE name = ?1")?;
    Ok(s.query_row([name], |r| {
        Ok(GroupRef {
            id: r.get(0)?,
            retention_days: r.get(1)?,
        })
    })
    .optional()?)
}

pub(crate) fn require_group(c: &Connection, name: &str) -> Result<GroupRef> {
    group_ref(c, name)?.ok_or_else(LogsError::no_group)
}

pub(crate) fn insert_group(c: &Connection, group: &LogGroup) -> Result<i64> {
    let mut s = c.prepare_cached(
        "INSERT INTO log_groups (name, created_ms, retention, class, kms_key_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    s.execute(params![
        group.name,
        group.created_ms,
        group.retention_days,
        group.class,
        group.kms_key_id
    ])?;
    Ok(c.last_insert_rowid())
}

pub(crate) fn count_groups(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT count(*) FROM log_groups", [], |r| r.get(0))?)
}

pub(crate) fn delete_group(c: &Connection, id: i64) -> Result<()> {
    c.execute("DELETE FROM events WHERE group_id = ?1", [id])?;
    c.execute("DELETE FROM log_streams WHERE group_id = ?1", [id])?;
    c.execute("DELETE FROM tags WHERE group_id = ?1", [id])?;
    c.execute("DELETE FROM log_groups WHERE id = ?1", [id])?;
    Ok(())
}

/// Groups in name order after `after`, at most `limit`, filtered by a
/// prefix, a case-insensitive substring and a class.
pub(crate) fn list_groups(
    c: &Connection,
    prefix: Option<&str>,
    contains: Option<&str>,
    class: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<LogGroup>> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM log_groups
         WHERE (?1 IS NULL OR substr(name, 1, length(?1)) = ?1)
           AND (?2 IS NULL OR instr(lower(name), lower(?2)) > 0)
           AND (?3 IS NULL OR class = ?3)
           AND (?4 IS NULL OR name > ?4)
         ORDER BY name LIMIT ?5"
    );
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map(params![prefix, contains, class, after, limit as i64], group_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_retention(c: &Connection, id: i64, days: Option<i64>) -> Result<()> {
    c.execute("UPDATE log_groups SET retention = ?2 WHERE id = ?1", params![id, days])?;
    Ok(())
}

/// Deletes a group's events older than `cutoff` and brings its byte
/// counts back in line; answers how many went.
pub(crate) fn drop_before(c: &Connection, group: i64, cutoff: i64) -> Result<usize> {
    let n = c.execute(
        "DELETE FROM events WHERE group_id = ?1 AND ts < ?2",
        params![group, cutoff],
    )?;
    if n > 0 {
        c.execute(
            "UPDATE log_streams SET
                stored_bytes = (SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) FROM events WHERE stream_id = log_streams.id),
                first_event_ms = (SELECT min(ts) FROM events WHERE stream_id = log_streams.id)
             WHERE group_id = ?1",
            [group],
        )?;
        c.execute(
            "UPDATE log_groups SET stored_bytes = (SELECT coalesce(sum(stored_bytes), 0) FROM log_streams WHERE group_id = ?1) WHERE id = ?1",
            [group],
        )?;
    }
    Ok(n)
}

/// Every group with a retention period: (id, days).
pub(crate) fn retained_groups(c: &Connection) -> Result<Vec<(i64, i64)>> {
    let mut s = c.prepare_cached("SELECT id, retention FROM log_groups WHERE retention IS NOT NULL")?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// --- tags -------------------------------------------------------------------

pub(crate) fn tags(c: &Connection, group: i64) -> Result<Vec<(String, String)>> {
    let mut s = c.prepare_cached("SELECT key, value FROM tags WHERE group_id = ?1 ORDER BY key")?;
    let rows = s.query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_tags(c: &Connection, group: i64, tags: &[(String, String)]) -> Result<()> {
    let mut s = c.prepare_cached("INSERT OR REPLACE INTO tags (group_id, key, value) VALUES (?1, ?2, ?3)")?;
    for (k, v) in tags {
        s.execute(params![group, k, v])?;
    }
    Ok(())
}

pub(crate) fn remove_tags(c: &Connection, group: i64, keys: &[String]) -> Result<()> {
    let mut s = c.prepare_cached("DELETE FROM tags WHERE group_id = ?1 AND key = ?2")?;
    for k in keys {
        s.execute(params![group, k])?;
    }
    Ok(())
}

// --- streams ----------------------------------------------------------------

pub(crate) fn stream_id(c: &Connection, group: i64, name: &str) -> Result<Option<StreamId>> {
    let mut s = c.prepare_cached("SELECT id FROM log_streams WHERE group_id = ?1 AND name = ?2")?;
    Ok(s.query_row(params![group, name], |r| r.get(0)).optional()?)
}

pub(crate) fn insert_stream(c: &Connection, group: i64, name: &str, now: i64) -> Result<StreamId> {
    let mut s = c.prepare_cached("INSERT INTO log_streams (group_id, name, created_ms) VALUES (?1, ?2, ?3)")?;
    s.execute(params![group, name, now])?;
    Ok(c.last_insert_rowid())
}

pub(crate) fn delete_stream(c: &Connection, group: i64, id: StreamId) -> Result<()> {
    let bytes: i64 = c.query_row("SELECT stored_bytes FROM log_streams WHERE id = ?1", [id], |r| r.get(0))?;
    c.execute("DELETE FROM events WHERE stream_id = ?1", [id])?;
    c.execute("DELETE FROM log_streams WHERE id = ?1", [id])?;
    c.execute(
        "UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?2) WHERE id = ?1",
        params![group, bytes],
    )?;
    Ok(())
}

/// How DescribeLogStreams orders and where a page starts.
pub(crate) struct StreamOrder<'a> {
    pub by_last_event: bool,
    pub descending: bool,
    /// The key of the last stream of the previous page: (last event
    /// time, name) when ordered by it, else (0, name).
    pub after: Option<(i64, &'a str)>,
}

pub(crate) fn list_streams(
    c: &Connection,
    group: i64,
    prefix: Option<&str>,
    order: &StreamOrder<'_>,
    limit: usize,
) -> Result<Vec<LogStream>> {
    // Streams without events sort as if their last event were at 0.
    let key = if order.by_last_event {
        "coalesce(last_event_ms, 0)"
    } else {
        "0"
    };
    let (cmp, dir) = if order.descending { ("<", "DESC") } else { (">", "ASC") };
    let sort = if order.by_last_event {
        format!("{key} {dir}, name {dir}")
    } else {
        format!("name {dir}")
    };
    let sql = format!(
        "SELECT {STREAM_COLUMNS} FROM log_streams
         WHERE group_id = ?1
           AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)
           AND (?3 IS NULL OR ({key}, name) {cmp} (?3, ?4))
         ORDER BY {sort} LIMIT ?5"
    );
    let mut s = c.prepare_cached(&sql)?;
    let (after_key, after_name) = match order.after {
        Some((k, n)) => (Some(k), Some(n)),
        None => (None, None),
    };
    let rows = s.query_map(params![group, prefix, after_key, after_name, limit as i64], stream_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stream ids of a group by exact names (missing ones left out) or by prefix.
pub(crate) fn stream_ids_named(c: &Connection, group: i64, names: &[String]) -> Result<Vec<(StreamId, String)>> {
    let mut out = Vec::new();
    for n in names {
        if let Some(id) = stream_id(c, group, n)? {
            out.push((id, n.clone()));
        }
    }
    Ok(out)
}

pub(crate) fn stream_ids_prefixed(c: &Connection, group: i64, prefix: &str) -> Result<Vec<(StreamId, String)>> {
    let mut s =
        c.prepare_cached("SELECT id, name FROM log_streams WHERE group_id = ?1 AND substr(name, 1, length(?2)) = ?2")?;
    let rows = s.query_map(params![group, prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn stream_name(c: &Connection, id: StreamId) -> Result<String> {
    let mut s = c.prepare_cached("SELECT name FROM log_streams WHERE id = ?1")?;
    Ok(s.query_row([id], |r| r.get(0)).optional()?.unwrap_or_default())
}

// --- events -----------------------------------------------------------------

/// Appends a batch (in timestamp order) to a stream and updates the
/// stream's and group's figures: the caller's transaction makes it atomic.
pub(crate) fn append(c: &Connection, group: i64, stream: StreamId, events: &[(i64, &str)], now: i64) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut insert = c.prepare_cached(
        "INSERT INTO events (group_id, stream_id, ts, ingest_ms, message) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut bytes = 0i64;
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for (ts, message) in events {
        insert.execute(params![group, stream, ts, now, message])?;
        bytes += message.len() as i64;
        lo = lo.min(*ts);
        hi = hi.max(*ts);
    }
    let mut s = c.prepare_cached(
        "UPDATE log_streams SET
            first_event_ms = min(coalesce(first_event_ms, ?2), ?2),
            last_event_ms = max(coalesce(last_event_ms, ?3), ?3),
            last_ingest_ms = ?4,
            uploads = uploads + 1,
            stored_bytes = stored_bytes + ?5
         WHERE id = ?1",
    )?;
    s.execute(params![stream, lo, hi, now, bytes])?;
    let mut s = c.prepare_cached("UPDATE log_groups SET stored_bytes = stored_bytes + ?2 WHERE id = ?1")?;
    s.execute(params![group, bytes])?;
    Ok(())
}

/// The sequence token a stream's next batch would follow.
pub(crate) fn uploads(c: &Connection, stream: StreamId) -> Result<i64> {
    let mut s = c.prepare_cached("SELECT uploads FROM log_streams WHERE id = ?1")?;
    Ok(s.query_row([stream], |r| r.get(0))?)
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get(0)?,
        stream: String::new(),
        timestamp: r.get(1)?,
        ingestion_ms: r.get(2)?,
        message: r.get(3)?,
    })
}

/// Up to `limit` events of a stream with `lo <= ts < hi`, after (forward)
/// or before (backward) `from`, in that direction's order.
pub(crate) fn stream_events(
    c: &Connection,
    stream: StreamId,
    lo: i64,
    hi: i64,
    from: Option<Position>,
    forward: bool,
    limit: usize,
) -> Result<Vec<Event>> {
    let limit = limit as i64;
    let rows = match (forward, from) {
        (true, Some(p)) => {
            let mut s = c.prepare_cached(
                "SELECT id, ts, ingest_ms, message FROM events
                 WHERE stream_id = ?1 AND ts >= max(?2, ?4) AND ts < ?3 AND (ts > ?4 OR id > ?5)
                 ORDER BY ts, id LIMIT ?6",
            )?;
            s.query_map(params![stream, lo, hi, p.timestamp, p.id, limit], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        (true, None) => {
            let mut s = c.prepare_cached(
                "SELECT id, ts, ingest_ms, message FROM events
                 WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3
                 ORDER BY ts, id LIMIT ?4",
            )?;
            s.query_map(params![stream, lo, hi, limit], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        (false, Some(p)) => {
            let mut s = c.prepare_cached(
                "SELECT id, ts, ingest_ms, message FROM events
                 WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3 AND ts <= ?4 AND (ts < ?4 OR id < ?5)
                 ORDER BY ts DESC, id DESC LIMIT ?6",
            )?;
            s.query_map(params![stream, lo, hi, p.timestamp, p.id, limit], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        (false, None) => {
            let mut s = c.prepare_cached(
                "SELECT id, ts, ingest_ms, message FROM events
                 WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3
                 ORDER BY ts DESC, id DESC LIMIT ?4",
            )?;
            s.query_map(params![stream, lo, hi, limit], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// The next chunk of a group's events with `lo <= ts <= hi` after `from`,
/// in (timestamp, id) order, with each event's stream id; only streams in
/// `streams` when given.
pub(crate) fn group_events(
    c: &Connection,
    group: i64,
    lo: i64,
    hi: i64,
    from: Option<Position>,
    streams: Option<&[StreamId]>,
    limit: usize,
) -> Result<Vec<(StreamId, Event)>> {
    let p = from.unwrap_or(Position {
        timestamp: i64::MIN,
        id: i64::MIN,
    });
    // Stream ids are integers read from the database, so writing them into
    // the statement is safe; a statement per distinct list is cached.
    let only = match streams {
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!("AND stream_id IN ({})", list.join(","))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT id, ts, ingest_ms, message, stream_id FROM events
         WHERE group_id = ?1 AND ts >= max(?2, ?4) AND ts <= ?3 AND (ts > ?4 OR id > ?5) {only}
         ORDER BY ts, id LIMIT ?6"
    );
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map(params![group, lo, hi, p.timestamp, p.id, limit as i64], |r| {
        Ok((r.get(4)?, event_row(r)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
