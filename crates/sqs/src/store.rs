//! The service's SQLite file, `sqs.sqlite`: queues (attributes and tags as
//! their canonical JSON), messages (state columns the in-memory index is
//! rebuilt from at open, the body and an `extra` JSON read when a receive
//! needs them), FIFO deduplication entries, and message move tasks.
//!
//! Row ids are given by the service (queue ids and message seqs come from
//! counters kept above every id ever used: AUTOINCREMENT's
//! `sqlite_sequence` remembers them across deletes), so a receipt handle
//! never names a later message. Messages carry no index but their primary
//! key: a send is one row, and whole-queue deletes go by the seqs the
//! index holds.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::index::Payload;
use crate::model::MessageAttributes;

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the SQS file",
    steps: &[SCHEMA_V1],
};

const SCHEMA_V1: &str = r"
CREATE TABLE queues (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    created_ms   INTEGER NOT NULL,
    modified_ms  INTEGER NOT NULL,
    attributes   TEXT NOT NULL,
    tags         TEXT NOT NULL
);
CREATE TABLE messages (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id          INTEGER NOT NULL,
    message_id        TEXT NOT NULL,
    sent_ms           INTEGER NOT NULL,
    expires_ms        INTEGER NOT NULL,
    visible_at        INTEGER NOT NULL,
    in_flight         INTEGER NOT NULL,
    receive_count     INTEGER NOT NULL,
    first_receive_ms  INTEGER,
    stamp             INTEGER NOT NULL,
    group_id          TEXT,
    dlq_source        TEXT,
    body              TEXT NOT NULL,
    extra             TEXT NOT NULL
);
CREATE TABLE dedup (
    queue_id         INTEGER NOT NULL,
    key              TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    sequence_number  TEXT,
    expires_ms       INTEGER NOT NULL,
    PRIMARY KEY (queue_id, key)
) WITHOUT ROWID;
CREATE TABLE move_tasks (
    handle           TEXT PRIMARY KEY,
    source_arn       TEXT NOT NULL,
    destination_arn  TEXT,
    rate             INTEGER,
    status           TEXT NOT NULL,
    moved            INTEGER NOT NULL,
    to_move          INTEGER NOT NULL,
    failure          TEXT,
    started_ms       INTEGER NOT NULL
);
";

/// Opens the file (or a private in-memory database): the writing connection
/// and, for a file, a second connection for reading bodies beside it.
pub(crate) fn open(dir: Option<&Path>) -> Result<(Connection, Option<Connection>)> {
    match dir {
        Some(d) => {
            let path = d.join("sqs.sqlite");
            let writer = lakestack_sqlite::open(&path, &SCHEMA)?;
            writer.set_prepared_statement_cache_capacity(64);
            let reader = lakestack_sqlite::open(&path, &SCHEMA)?;
            reader.set_prepared_statement_cache_capacity(16);
            Ok((writer, Some(reader)))
        }
        None => Ok((lakestack_sqlite::open_in_memory(&SCHEMA)?, None)),
    }
}

// --- queues -----------------------------------------------------------------

pub(crate) struct QueueRow {
    pub id: u64,
    pub name: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub attributes: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
}

pub(crate) fn load_queues(c: &Connection) -> Result<Vec<QueueRow>> {
    let mut s = c.prepare("SELECT id, name, created_ms, modified_ms, attributes, tags FROM queues ORDER BY id")?;
    let rows = s.query_map([], |r| {
        let attributes: String = r.get(4)?;
        let tags: String = r.get(5)?;
        Ok(QueueRow {
            id: r.get::<_, i64>(0)? as u64,
            name: r.get(1)?,
            created_ms: r.get(2)?,
            modified_ms: r.get(3)?,
            attributes: serde_json::from_str(&attributes).unwrap_or_default(),
            tags: serde_json::from_str(&tags).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn insert_queue(c: &Connection, q: &QueueRow) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO queues (id, name, created_ms, modified_ms, attributes, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        q.id as i64,
        q.name,
        q.created_ms,
        q.modified_ms,
        json(&q.attributes),
        json(&q.tags)
    ])
    .map(drop)
}

pub(crate) fn update_attributes(
    c: &Connection,
    id: u64,
    modified_ms: i64,
    attributes: &BTreeMap<String, String>,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE queues SET modified_ms = ?2, attributes = ?3 WHERE id = ?1",
        params![id as i64, modified_ms, json(attributes)],
    )
    .map(drop)
}

pub(crate) fn update_tags(c: &Connection, id: u64, tags: &BTreeMap<String, String>) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE queues SET tags = ?2 WHERE id = ?1",
        params![id as i64, json(tags)],
    )
    .map(drop)
}

/// Deletes a queue, the messages `seqs` names and its deduplication entries.
pub(crate) fn delete_queue(c: &Connection, id: u64, seqs: &[u64]) -> rusqlite::Result<()> {
    delete_messages(c, seqs)?;
    c.execute("DELETE FROM dedup WHERE queue_id = ?1", [id as i64])?;
    c.execute("DELETE FROM queues WHERE id = ?1", [id as i64]).map(drop)
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// The next id above every id `table` ever had (AUTOINCREMENT's memory
/// included).
pub(crate) fn next_id(c: &Connection, table: &str, column: &str) -> Result<u64> {
    let used: Option<i64> = c
        .query_row("SELECT seq FROM sqlite_sequence WHERE name = ?1", [table], |r| r.get(0))
        .optional()?;
    let max: Option<i64> = c.query_row(&format!("SELECT max({column}) FROM {table}"), [], |r| r.get(0))?;
    Ok(used.unwrap_or(0).max(max.unwrap_or(0)).max(0) as u64 + 1)
}

// --- messages ---------------------------------------------------------------

/// A message's state, as the index is rebuilt from it.
pub(crate) struct MessageRow {
    pub seq: u64,
    pub queue_id: u64,
    pub message_id: String,
    pub sent_ms: i64,
    pub expires_ms: i64,
    pub visible_at: i64,
    pub in_flight: bool,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
    pub stamp: u32,
    pub group_id: Option<String>,
    pub dlq_source: Option<String>,
}

/// The payload's columns beside the body, as the file keeps them (version
/// 1 of this shape; a later one adds fields with defaults).
#[derive(Serialize, Deserialize, Default)]
struct Extra {
    md5: String,
    #[serde(default, skip_serializing_if = "MessageAttributes::is_empty")]
    attributes: MessageAttributes,
    #[serde(default, skip_serializing_if = "MessageAttributes::is_empty")]
    system: MessageAttributes,
    #[serde(default)]
    sender: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dedup: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequence: Option<String>,
}

/// Every message's state, in seq order.
pub(crate) fn load_messages(c: &Connection, mut each: impl FnMut(MessageRow)) -> Result<()> {
    let mut s = c.prepare(
        "SELECT seq, queue_id, message_id, sent_ms, expires_ms, visible_at, in_flight, receive_count,
                first_receive_ms, stamp, group_id, dlq_source
         FROM messages ORDER BY seq",
    )?;
    let mut rows = s.query([])?;
    while let Some(r) = rows.next()? {
        each(MessageRow {
            seq: r.get::<_, i64>(0)? as u64,
            queue_id: r.get::<_, i64>(1)? as u64,
            message_id: r.get(2)?,
            sent_ms: r.get(3)?,
            expires_ms: r.get(4)?,
            visible_at: r.get(5)?,
            in_flight: r.get::<_, i64>(6)? != 0,
            receive_count: r.get::<_, i64>(7)?.clamp(0, i64::from(u32::MAX)) as u32,
            first_receive_ms: r.get(8)?,
            stamp: r.get::<_, i64>(9)?.clamp(0, i64::from(u32::MAX)) as u32,
            group_id: r.get(10)?,
            dlq_source: r.get(11)?,
        });
    }
    Ok(())
}

/// Inserts a message; `keep_body` is false for the in-memory database,
/// whose bodies stay in the index anyway.
pub(crate) fn insert_message(c: &Connection, m: &MessageRow, p: &Payload, keep_body: bool) -> rusqlite::Result<()> {
    let extra = Extra {
        md5: p.md5_of_body.clone(),
        attributes: p.message_attributes.clone(),
        system: p.system_attributes.clone(),
        sender: p.sender_id.clone(),
        dedup: p.dedup_id.clone(),
        sequence: p.sequence_number.clone(),
    };
    let (body, extra) = if keep_body {
        (p.body.as_str(), json(&extra))
    } else {
        ("", String::new())
    };
    c.prepare_cached(
        "INSERT INTO messages (seq, queue_id, message_id, sent_ms, expires_ms, visible_at, in_flight,
                               receive_count, first_receive_ms, stamp, group_id, dlq_source, body, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        m.seq as i64,
        m.queue_id as i64,
        m.message_id,
        m.sent_ms,
        m.expires_ms,
        m.visible_at,
        m.in_flight,
        m.receive_count,
        m.first_receive_ms,
        m.stamp,
        m.group_id,
        m.dlq_source,
        body,
        extra
    ])
    .map(drop)
}

/// A message's receive state after a receive, a visibility change or a
/// timeout.
pub(crate) struct Receipted {
    pub seq: u64,
    pub visible_at: i64,
    pub in_flight: bool,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
    pub stamp: u32,
}

pub(crate) fn update_receipt(c: &Connection, r: &Receipted) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE messages SET visible_at = ?2, in_flight = ?3, receive_count = ?4, first_receive_ms = ?5, stamp = ?6
         WHERE seq = ?1",
    )?
    .execute(params![
        r.seq as i64,
        r.visible_at,
        r.in_flight,
        r.receive_count,
        r.first_receive_ms,
        r.stamp
    ])
    .map(drop)
}

/// Moves a message to another queue (a dead letter, a redrive) in the
/// state it arrives in there.
pub(crate) fn move_message(c: &Connection, m: &MessageRow) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE messages SET queue_id = ?2, expires_ms = ?3, visible_at = ?4, in_flight = ?5,
                receive_count = ?6, first_receive_ms = ?7, stamp = ?8, dlq_source = ?9
         WHERE seq = ?1",
    )?
    .execute(params![
        m.seq as i64,
        m.queue_id as i64,
        m.expires_ms,
        m.visible_at,
        m.in_flight,
        m.receive_count,
        m.first_receive_ms,
        m.stamp,
        m.dlq_source
    ])
    .map(drop)
}

pub(crate) fn delete_messages(c: &Connection, seqs: &[u64]) -> rusqlite::Result<()> {
    let mut s = c.prepare_cached("DELETE FROM messages WHERE seq = ?1")?;
    for seq in seqs {
        s.execute([*seq as i64])?;
    }
    Ok(())
}

/// Messages of queues that no longer exist (a send that raced its queue's
/// deletion) or past their retention: removed at open.
pub(crate) fn sweep_at_open(c: &Connection, now: i64) -> Result<()> {
    c.execute("DELETE FROM messages WHERE queue_id NOT IN (SELECT id FROM queues)", [])?;
    c.execute("DELETE FROM messages WHERE expires_ms <= ?1", [now])?;
    c.execute("DELETE FROM dedup WHERE expires_ms <= ?1", [now])?;
    Ok(())
}

/// A message's payload, read for a receive.
pub(crate) fn payload(c: &Connection, seq: u64) -> Result<Option<Payload>> {
    let row = c
        .prepare_cached("SELECT body, extra FROM messages WHERE seq = ?1")?
        .query_row([seq as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .optional()?;
    Ok(row.map(|(body, extra)| {
        let extra: Extra = serde_json::from_str(&extra).unwrap_or_default();
        Payload {
            md5_of_body: if extra.md5.is_empty() {
                crate::digest::body(&body)
            } else {
                extra.md5
            },
            body,
            message_attributes: extra.attributes,
            system_attributes: extra.system,
            sender_id: extra.sender,
            dedup_id: extra.dedup,
            sequence_number: extra.sequence,
        }
    }))
}

// --- deduplication ----------------------------------------------------------

pub(crate) struct DedupRow {
    pub queue_id: u64,
    pub key: String,
    pub message_id: String,
    pub sequence_number: Option<String>,
    pub expires_ms: i64,
}

pub(crate) fn load_dedup(c: &Connection, mut each: impl FnMut(DedupRow)) -> Result<()> {
    let mut s = c.prepare("SELECT queue_id, key, message_id, sequence_number, expires_ms FROM dedup")?;
    let mut rows = s.query([])?;
    while let Some(r) = rows.next()? {
        each(DedupRow {
            queue_id: r.get::<_, i64>(0)? as u64,
            key: r.get(1)?,
            message_id: r.get(2)?,
            sequence_number: r.get(3)?,
            expires_ms: r.get(4)?,
        });
    }
    Ok(())
}

pub(crate) fn insert_dedup(c: &Connection, d: &DedupRow) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO dedup (queue_id, key, message_id, sequence_number, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        d.queue_id as i64,
        d.key,
        d.message_id,
        d.sequence_number,
        d.expires_ms
    ])
    .map(drop)
}

pub(crate) fn delete_expired_dedup(c: &Connection, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM dedup WHERE expires_ms <= ?1")?
        .execute([now])
        .map(drop)
}

// --- move tasks -------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskRow {
    pub handle: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: Option<u32>,
    pub status: String,
    pub moved: u64,
    pub to_move: u64,
    pub failure: Option<String>,
    pub started_ms: i64,
}

pub(crate) fn load_tasks(c: &Connection) -> Result<Vec<TaskRow>> {
    let mut s = c.prepare(
        "SELECT handle, source_arn, destination_arn, rate, status, moved, to_move, failure, started_ms
         FROM move_tasks ORDER BY started_ms, handle",
    )?;
    let rows = s.query_map([], |r| {
        Ok(TaskRow {
            handle: r.get(0)?,
            source_arn: r.get(1)?,
            destination_arn: r.get(2)?,
            rate: r
                .get::<_, Option<i64>>(3)?
                .map(|v| v.clamp(0, i64::from(u32::MAX)) as u32),
            status: r.get(4)?,
            moved: r.get::<_, i64>(5)?.max(0) as u64,
            to_move: r.get::<_, i64>(6)?.max(0) as u64,
            failure: r.get(7)?,
            started_ms: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn save_task(c: &Connection, t: &TaskRow) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO move_tasks
            (handle, source_arn, destination_arn, rate, status, moved, to_move, failure, started_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        t.handle,
        t.source_arn,
        t.destination_arn,
        t.rate,
        t.status,
        t.moved as i64,
        t.to_move as i64,
        t.failure,
        t.started_ms
    ])
    .map(drop)
}
