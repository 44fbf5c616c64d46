//! The service's SQLite file, `sns.sqlite`: topics, subscriptions, the
//! messages waiting for delivery and their deliveries, FIFO deduplication
//! ids, and the record of unsent messages. A Publish is one transaction
//! that stores the message with one delivery per subscription it passes,
//! so an acknowledged message is delivered after `kill -9` too; a
//! delivery's row goes when it is done, and the message's with its last.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::Result;
use crate::model::{Protocol, Subscription, SubscriptionState, Topic};
use crate::record::{MAX_READ, MAX_RECORDED, RecordedFilter, RecordedMessage};

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the SNS file",
    steps: &[SCHEMA_V1],
};

const SCHEMA_V1: &str = r"
CREATE TABLE topics (
    arn         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    fifo        INTEGER NOT NULL,
    attributes  TEXT NOT NULL,
    tags        TEXT NOT NULL,
    sequence    INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_ms  INTEGER NOT NULL
);
CREATE TABLE subscriptions (
    arn               TEXT PRIMARY KEY,
    topic_arn         TEXT NOT NULL,
    protocol          TEXT NOT NULL,
    endpoint          TEXT NOT NULL,
    state             TEXT NOT NULL,
    authenticated     INTEGER NOT NULL DEFAULT 0,
    token             TEXT,
    token_expires_ms  INTEGER,
    attributes        TEXT NOT NULL,
    created_ms        INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_topic ON subscriptions (topic_arn, arn);
CREATE INDEX subscriptions_by_token ON subscriptions (token);
CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    topic_arn  TEXT NOT NULL,
    body       TEXT NOT NULL
);
-- One row per message and subscription still to be delivered, or per
-- control message (`control` holds it whole). `lane` orders the deliveries
-- of a FIFO topic: one subscription's messages of one group go one at a
-- time, in order. `leased` marks a delivery being attempted; a start
-- clears it, so attempts cut short by a crash run again.
CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_arn         TEXT NOT NULL,
    message_id        TEXT,
    subscription_arn  TEXT NOT NULL,
    control           TEXT,
    lane              TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    due_ms            INTEGER NOT NULL,
    leased            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries (leased, due_ms);
CREATE INDEX deliveries_lane ON deliveries (lane, id);
CREATE INDEX deliveries_message ON deliveries (message_id);
CREATE TABLE dedup (
    topic_arn   TEXT NOT NULL,
    dedup_id    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    sequence    TEXT,
    expires_ms  INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
) WITHOUT ROWID;
CREATE TABLE recorded (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_arn         TEXT,
    subscription_arn  TEXT,
    protocol          TEXT NOT NULL,
    endpoint          TEXT NOT NULL,
    body              TEXT NOT NULL
);
";

pub(crate) struct Store {
    db: lakestack_sqlite::Shared,
}

impl Store {
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let conn = match dir {
            Some(d) => lakestack_sqlite::open(&d.join("sns.sqlite"), &SCHEMA)?,
            None => lakestack_sqlite::open_in_memory(&SCHEMA)?,
        };
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self { db: conn.into() })
    }

    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }
}

fn map_of(text: &str) -> BTreeMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn json_of(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".into())
}

// --- topics -------------------------------------------------------------------

pub(crate) fn insert_topic(c: &Connection, t: &Topic, now: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO topics (arn, name, fifo, attributes, tags, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        t.arn,
        t.name,
        t.fifo,
        json_of(&t.attributes),
        json_of(&t.tags),
        now
    ])?;
    Ok(())
}

pub(crate) fn topic(c: &Connection, arn: &str, now: i64) -> Result<Option<Topic>> {
    let mut s = c.prepare_cached(
        "SELECT arn, name, fifo, attributes, tags, deleted,
            (SELECT count(*) FROM subscriptions s WHERE s.topic_arn = t.arn AND s.state = 'confirmed'),
            (SELECT count(*) FROM subscriptions s WHERE s.topic_arn = t.arn AND s.state = 'pending'
                AND coalesce(s.token_expires_ms, ?2) >= ?2)
         FROM topics t WHERE arn = ?1",
    )?;
    Ok(s.query_row(params![arn, now], |r| {
        Ok(Topic {
            arn: r.get(0)?,
            name: r.get(1)?,
            fifo: r.get(2)?,
            attributes: map_of(&r.get::<_, String>(3)?),
            tags: map_of(&r.get::<_, String>(4)?),
            deleted: r.get::<_, i64>(5)? as u64,
            confirmed: r.get::<_, i64>(6)? as u64,
            pending: r.get::<_, i64>(7)? as u64,
        })
    })
    .optional()?)
}

pub(crate) fn count_topics(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT count(*) FROM topics", [], |r| r.get(0))?)
}

pub(crate) fn topic_arns(c: &Connection, after: Option<&str>, limit: usize) -> Result<Vec<String>> {
    let mut s = c.prepare_cached("SELECT arn FROM topics WHERE (?1 IS NULL OR arn > ?1) ORDER BY arn LIMIT ?2")?;
    let rows = s.query_map(params![after, limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_topic_attributes(c: &Connection, arn: &str, attrs: &BTreeMap<String, String>) -> Result<()> {
    c.prepare_cached("UPDATE topics SET attributes = ?2 WHERE arn = ?1")?
        .execute(params![arn, json_of(attrs)])?;
    Ok(())
}

pub(crate) fn set_topic_tags(c: &Connection, arn: &str, tags: &BTreeMap<String, String>) -> Result<()> {
    c.prepare_cached("UPDATE topics SET tags = ?2 WHERE arn = ?1")?
        .execute(params![arn, json_of(tags)])?;
    Ok(())
}

/// The next number of a FIFO topic's messages.
pub(crate) fn next_sequence(c: &Connection, arn: &str) -> Result<i64> {
    Ok(c.query_row(
        "UPDATE topics SET sequence = sequence + 1 WHERE arn = ?1 RETURNING sequence",
        [arn],
        |r| r.get(0),
    )?)
}

/// Removes a topic with its subscriptions and everything waiting for them.
pub(crate) fn delete_topic(c: &Connection, arn: &str) -> Result<()> {
    c.execute("DELETE FROM deliveries WHERE topic_arn = ?1", [arn])?;
    c.execute("DELETE FROM messages WHERE topic_arn = ?1", [arn])?;
    c.execute("DELETE FROM subscriptions WHERE topic_arn = ?1", [arn])?;
    c.execute("DELETE FROM dedup WHERE topic_arn = ?1", [arn])?;
    c.execute("DELETE FROM topics WHERE arn = ?1", [arn])?;
    Ok(())
}

// --- subscriptions ------------------------------------------------------------

const SUB_COLUMNS: &str = "arn, topic_arn, protocol, endpoint, state, authenticated, attributes";

fn sub_row(r: &Row<'_>) -> rusqlite::Result<Subscription> {
    let protocol: String = r.get(2)?;
    Ok(Subscription {
        arn: r.get(0)?,
        topic_arn: r.get(1)?,
        protocol: Protocol::parse(&protocol).unwrap_or(Protocol::Sqs),
        endpoint: r.get(3)?,
        state: SubscriptionState::parse(&r.get::<_, String>(4)?),
        authenticated: r.get(5)?,
        attributes: map_of(&r.get::<_, String>(6)?),
    })
}

pub(crate) struct NewSubscription<'a> {
    pub sub: &'a Subscription,
    pub token: Option<&'a str>,
    pub token_expires_ms: Option<i64>,
}

pub(crate) fn insert_subscription(c: &Connection, n: &NewSubscription<'_>, now: i64) -> Result<()> {
    let s = n.sub;
    c.prepare_cached(
        "INSERT INTO subscriptions (arn, topic_arn, protocol, endpoint, state, authenticated, token, token_expires_ms, attributes, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        s.arn,
        s.topic_arn,
        s.protocol.as_str(),
        s.endpoint,
        s.state.as_str(),
        s.authenticated,
        n.token,
        n.token_expires_ms,
        json_of(&s.attributes),
        now
    ])?;
    Ok(())
}

/// A live (pending or confirmed) subscription; a pending one whose
/// confirmation expired is gone.
pub(crate) fn subscription(c: &Connection, arn: &str, now: i64) -> Result<Option<Subscription>> {
    let sql = format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions WHERE arn = ?1 AND (state = 'confirmed'
            OR (state = 'pending' AND coalesce(token_expires_ms, ?2) >= ?2))"
    );
    Ok(c.prepare_cached(&sql)?
        .query_row(params![arn, now], sub_row)
        .optional()?)
}

/// The live subscription of a topic to an endpoint over a protocol.
pub(crate) fn find_subscription(
    c: &Connection,
    topic: &str,
    protocol: Protocol,
    endpoint: &str,
    now: i64,
) -> Result<Option<Subscription>> {
    let sql = format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions WHERE topic_arn = ?1 AND protocol = ?2 AND endpoint = ?3
            AND (state = 'confirmed' OR (state = 'pending' AND coalesce(token_expires_ms, ?4) >= ?4))"
    );
    Ok(c.prepare_cached(&sql)?
        .query_row(params![topic, protocol.as_str(), endpoint, now], sub_row)
        .optional()?)
}

/// Live subscriptions in ARN order after `after`, of one topic or all.
pub(crate) fn subscriptions(
    c: &Connection,
    topic: Option<&str>,
    after: Option<&str>,
    limit: usize,
    now: i64,
) -> Result<Vec<Subscription>> {
    let sql = format!(
        "SELECT {SUB_COLUMNS} FROM subscriptions
         WHERE (?1 IS NULL OR topic_arn = ?1) AND (?2 IS NULL OR arn > ?2)
           AND (state = 'confirmed' OR (state = 'pending' AND coalesce(token_expires_ms, ?4) >= ?4))
         ORDER BY arn LIMIT ?3"
    );
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map(params![topic, after, limit as i64, now], sub_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A topic's confirmed subscriptions: who a message goes to.
pub(crate) fn confirmed(c: &Connection, topic: &str) -> Result<Vec<Subscription>> {
    let sql = format!("SELECT {SUB_COLUMNS} FROM subscriptions WHERE topic_arn = ?1 AND state = 'confirmed'");
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map([topic], sub_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Subscriptions of a topic with a filter policy, beside `except`.
pub(crate) fn count_filtered(c: &Connection, topic: &str, except: &str) -> Result<i64> {
    Ok(c.query_row(
        "SELECT count(*) FROM subscriptions WHERE topic_arn = ?1 AND arn != ?2 AND state != 'deleted'
            AND json_extract(attributes, '$.FilterPolicy') IS NOT NULL",
        params![topic, except],
        |r| r.get(0),
    )?)
}

pub(crate) fn set_subscription_attributes(c: &Connection, arn: &str, attrs: &BTreeMap<String, String>) -> Result<()> {
    c.prepare_cached("UPDATE subscriptions SET attributes = ?2 WHERE arn = ?1")?
        .execute(params![arn, json_of(attrs)])?;
    Ok(())
}

/// The subscription a confirmation token was issued for, with the token's expiry.
pub(crate) fn by_token(c: &Connection, topic: &str, token: &str) -> Result<Option<(Subscription, i64)>> {
    let sql = format!(
        "SELECT {SUB_COLUMNS}, coalesce(token_expires_ms, 0) FROM subscriptions WHERE token = ?1 AND topic_arn = ?2"
    );
    Ok(c.prepare_cached(&sql)?
        .query_row(params![token, topic], |r| Ok((sub_row(r)?, r.get(7)?)))
        .optional()?)
}

pub(crate) fn set_state(
    c: &Connection,
    arn: &str,
    state: SubscriptionState,
    authenticated: bool,
    token: Option<(&str, i64)>,
) -> Result<()> {
    match token {
        Some((t, expires)) => c.execute(
            "UPDATE subscriptions SET state = ?2, authenticated = ?3, token = ?4, token_expires_ms = ?5 WHERE arn = ?1",
            params![arn, state.as_str(), authenticated, t, expires],
        )?,
        None => c.execute(
            "UPDATE subscriptions SET state = ?2, authenticated = ?3 WHERE arn = ?1",
            params![arn, state.as_str(), authenticated],
        )?,
    };
    Ok(())
}

pub(crate) fn delete_subscription(c: &Connection, arn: &str) -> Result<()> {
    c.execute("DELETE FROM subscriptions WHERE arn = ?1", [arn])?;
    Ok(())
}

pub(crate) fn count_deleted(c: &Connection, topic: &str) -> Result<()> {
    c.execute("UPDATE topics SET deleted = deleted + 1 WHERE arn = ?1", [topic])?;
    Ok(())
}

/// Drops subscriptions whose confirmation or restoration window passed:
/// unconfirmed ones count as deleted on their topic.
pub(crate) fn purge_expired(c: &Connection, now: i64) -> Result<()> {
    c.execute(
        "UPDATE topics SET deleted = deleted + (SELECT count(*) FROM subscriptions s
            WHERE s.topic_arn = topics.arn AND s.state = 'pending' AND s.token_expires_ms < ?1)
         WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.topic_arn = topics.arn AND s.state = 'pending' AND s.token_expires_ms < ?1)",
        [now],
    )?;
    c.execute(
        "DELETE FROM subscriptions WHERE state IN ('pending', 'deleted') AND token_expires_ms < ?1",
        [now],
    )?;
    Ok(())
}

// --- messages and deliveries --------------------------------------------------

pub(crate) fn insert_message(c: &Connection, id: &str, topic: &str, body: &str) -> Result<()> {
    c.prepare_cached("INSERT INTO messages (id, topic_arn, body) VALUES (?1, ?2, ?3)")?
        .execute(params![id, topic, body])?;
    Ok(())
}

pub(crate) fn message(c: &Connection, id: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT body FROM messages WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// A delivery to make.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub id: i64,
    pub topic_arn: String,
    pub message_id: Option<String>,
    pub subscription_arn: String,
    pub control: Option<String>,
    pub attempts: u32,
}

pub(crate) struct NewDelivery<'a> {
    pub topic_arn: &'a str,
    pub message_id: Option<&'a str>,
    pub subscription_arn: &'a str,
    pub control: Option<&'a str>,
    pub lane: Option<&'a str>,
    pub due_ms: i64,
}

pub(crate) fn insert_delivery(c: &Connection, d: &NewDelivery<'_>) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO deliveries (topic_arn, message_id, subscription_arn, control, lane, due_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        d.topic_arn,
        d.message_id,
        d.subscription_arn,
        d.control,
        d.lane,
        d.due_ms
    ])?;
    Ok(())
}

/// A delivery may go when it is due, not being attempted, and first in its lane.
const READY: &str = "leased = 0 AND (lane IS NULL OR id = (SELECT min(e.id) FROM deliveries e WHERE e.lane = d.lane))";

/// Leases up to `limit` deliveries due by `now`, oldest first.
pub(crate) fn lease_due(c: &Connection, now: i64, limit: usize) -> Result<Vec<Delivery>> {
    let sql = format!(
        "UPDATE deliveries SET leased = 1 WHERE id IN (
            SELECT id FROM deliveries d WHERE due_ms <= ?1 AND {READY} ORDER BY due_ms, id LIMIT ?2)
         RETURNING id, topic_arn, message_id, subscription_arn, control, attempts"
    );
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map(params![now, limit as i64], |r| {
        Ok(Delivery {
            id: r.get(0)?,
            topic_arn: r.get(1)?,
            message_id: r.get(2)?,
            subscription_arn: r.get(3)?,
            control: r.get(4)?,
            attempts: r.get(5)?,
        })
    })?;
    let mut out: Vec<Delivery> = rows.collect::<rusqlite::Result<_>>()?;
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// When the next delivery that may go is due.
pub(crate) fn next_due(c: &Connection) -> Result<Option<i64>> {
    let sql = format!("SELECT min(due_ms) FROM deliveries d WHERE {READY}");
    Ok(c.prepare_cached(&sql)?.query_row([], |r| r.get(0))?)
}

/// Ends a delivery; a message with no delivery left goes too.
pub(crate) fn finish_delivery(c: &Connection, d: &Delivery) -> Result<()> {
    c.prepare_cached("DELETE FROM deliveries WHERE id = ?1")?
        .execute([d.id])?;
    if let Some(m) = &d.message_id {
        c.prepare_cached(
            "DELETE FROM messages WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM deliveries WHERE message_id = ?1)",
        )?
        .execute([m])?;
    }
    Ok(())
}

pub(crate) fn retry_delivery(c: &Connection, id: i64, attempts: u32, due_ms: i64) -> Result<()> {
    c.prepare_cached("UPDATE deliveries SET leased = 0, attempts = ?2, due_ms = ?3 WHERE id = ?1")?
        .execute(params![id, attempts, due_ms])?;
    Ok(())
}

/// Frees every lease: at start, no attempt is running.
pub(crate) fn release_all(c: &Connection) -> Result<()> {
    c.execute("UPDATE deliveries SET leased = 0 WHERE leased != 0", [])?;
    Ok(())
}

pub(crate) fn pending_deliveries(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))?)
}

// --- FIFO deduplication -----------------------------------------------------------

/// The message an unexpired deduplication id was first published as.
pub(crate) fn deduplicated(
    c: &Connection,
    topic: &str,
    dedup_id: &str,
    now: i64,
) -> Result<Option<(String, Option<String>)>> {
    c.prepare_cached("DELETE FROM dedup WHERE topic_arn = ?1 AND expires_ms <= ?2")?
        .execute(params![topic, now])?;
    Ok(
        c.prepare_cached("SELECT message_id, sequence FROM dedup WHERE topic_arn = ?1 AND dedup_id = ?2")?
            .query_row(params![topic, dedup_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    )
}

pub(crate) fn remember_dedup(
    c: &Connection,
    topic: &str,
    dedup_id: &str,
    message_id: &str,
    sequence: Option<&str>,
    expires_ms: i64,
) -> Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO dedup (topic_arn, dedup_id, message_id, sequence, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![topic, dedup_id, message_id, sequence, expires_ms])?;
    Ok(())
}

// --- the record of unsent messages --------------------------------------------------

pub(crate) fn record(c: &Connection, m: &RecordedMessage) -> Result<i64> {
    c.prepare_cached(
        "INSERT INTO recorded (topic_arn, subscription_arn, protocol, endpoint, body) VALUES (?1, ?2, ?3, ?4, '')",
    )?
    .execute(params![m.topic_arn, m.subscription_arn, m.protocol, m.endpoint])?;
    let id = c.last_insert_rowid();
    let mut stored = m.clone();
    stored.id = id;
    c.prepare_cached("UPDATE recorded SET body = ?2 WHERE id = ?1")?
        .execute(params![id, serde_json::to_string(&stored)?])?;
    c.prepare_cached("DELETE FROM recorded WHERE id <= ?1")?
        .execute([id - MAX_RECORDED])?;
    Ok(id)
}

const RECORDED_WHERE: &str = "(?1 IS NULL OR topic_arn = ?1) AND (?2 IS NULL OR subscription_arn = ?2)
    AND (?3 IS NULL OR protocol = ?3) AND (?4 IS NULL OR endpoint = ?4) AND (?5 IS NULL OR id > ?5)";

pub(crate) fn recorded(c: &Connection, f: &RecordedFilter) -> Result<Vec<RecordedMessage>> {
    let limit = f.limit.unwrap_or(MAX_READ).min(MAX_READ);
    let sql = format!("SELECT body FROM recorded WHERE {RECORDED_WHERE} ORDER BY id DESC LIMIT ?6");
    let mut s = c.prepare_cached(&sql)?;
    let rows = s.query_map(
        params![
            f.topic_arn,
            f.subscription_arn,
            f.protocol,
            f.endpoint,
            f.after,
            limit as i64
        ],
        |r| r.get::<_, String>(0),
    )?;
    let mut out = Vec::new();
    for body in rows {
        if let Ok(m) = serde_json::from_str(&body?) {
            out.push(m);
        }
    }
    out.reverse();
    Ok(out)
}

pub(crate) fn clear_recorded(c: &Connection, f: &RecordedFilter) -> Result<usize> {
    let sql = format!("DELETE FROM recorded WHERE {RECORDED_WHERE}");
    Ok(c.execute(
        &sql,
        params![f.topic_arn, f.subscription_arn, f.protocol, f.endpoint, f.after],
    )?)
}
