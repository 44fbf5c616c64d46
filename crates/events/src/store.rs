//! The file behind EventBridge (`events.sqlite`): buses and rules (targets
//! inside their rule) as JSON, and the outbox of accepted events not yet
//! handed to every target. An event is in the outbox from the commit that
//! lets PutEvents answer until its last delivery ends, so a restart
//! delivers again what `kill -9` interrupted (at least once, as AWS promises).
//! EventBridge Scheduler's tables live in the same file (`schedules::store`
//! reads and writes them).

use rusqlite::{Connection, params};

use crate::model::{Bus, Rule};

pub(crate) const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "EventBridge",
    steps: &[
        "CREATE TABLE buses (name TEXT PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE rules (bus TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (bus, name));
         CREATE TABLE outbox (
             seq INTEGER PRIMARY KEY,
             bus TEXT NOT NULL,
             event TEXT NOT NULL,
             ingested_ms INTEGER NOT NULL,
             only_rule TEXT,
             hops INTEGER NOT NULL
         );",
        // EventBridge Scheduler: groups and schedules as JSON, and the
        // invocations fired but not yet delivered (its outbox).
        "CREATE TABLE schedule_groups (name TEXT PRIMARY KEY, body TEXT NOT NULL);
         CREATE TABLE schedules (grp TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (grp, name));
         CREATE TABLE invocations (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    ],
};

/// One accepted event on its way to targets.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub seq: i64,
    pub bus: String,
    pub event: String,
    pub ingested_ms: i64,
    /// A schedule's event goes to its own rule's targets only.
    pub only_rule: Option<String>,
    /// How many buses forwarded it here: bounds a loop of bus targets.
    pub hops: u32,
}

pub(crate) fn load_buses(c: &Connection) -> rusqlite::Result<Vec<Bus>> {
    let mut st = c.prepare("SELECT body FROM buses ORDER BY name")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        match serde_json::from_str(&body?) {
            Ok(bus) => out.push(bus),
            Err(e) => tracing::error!(error = %e, "an event bus in events.sqlite is unreadable; skipped"),
        }
    }
    Ok(out)
}

pub(crate) fn load_rules(c: &Connection) -> rusqlite::Result<Vec<Rule>> {
    let mut st = c.prepare("SELECT body FROM rules ORDER BY bus, name")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        match serde_json::from_str(&body?) {
            Ok(rule) => out.push(rule),
            Err(e) => tracing::error!(error = %e, "a rule in events.sqlite is unreadable; skipped"),
        }
    }
    Ok(out)
}

pub(crate) fn put_bus(c: &Connection, bus: &Bus) -> rusqlite::Result<()> {
    let body = serde_json::to_string(bus).expect("a bus serializes");
    c.execute(
        "INSERT INTO buses (name, body) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET body = excluded.body",
        params![bus.name, body],
    )
    .map(drop)
}

pub(crate) fn delete_bus(c: &Connection, name: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM rules WHERE bus = ?1", [name])?;
    c.execute("DELETE FROM buses WHERE name = ?1", [name]).map(drop)
}

pub(crate) fn put_rule(c: &Connection, rule: &Rule) -> rusqlite::Result<()> {
    let body = serde_json::to_string(rule).expect("a rule serializes");
    c.execute(
        "INSERT INTO rules (bus, name, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (bus, name) DO UPDATE SET body = excluded.body",
        params![rule.bus, rule.name, body],
    )
    .map(drop)
}

pub(crate) fn delete_rule(c: &Connection, bus: &str, name: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM rules WHERE bus = ?1 AND name = ?2", [bus, name])
        .map(drop)
}

pub(crate) fn insert_outgoing(c: &Connection, rows: &[Outgoing]) -> rusqlite::Result<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO outbox (seq, bus, event, ingested_ms, only_rule, hops) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for o in rows {
        st.execute(params![o.seq, o.bus, o.event, o.ingested_ms, o.only_rule, o.hops])?;
    }
    Ok(())
}

pub(crate) fn delete_outgoing(c: &Connection, seq: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
        .execute([seq])
        .map(drop)
}

/// Events in the outbox after `after`, in order, a page at a time.
pub(crate) fn outgoing_after(c: &Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<Outgoing>> {
    let mut st = c.prepare_cached(
        "SELECT seq, bus, event, ingested_ms, only_rule, hops FROM outbox
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = st.query_map(params![after, limit as i64], |r| {
        Ok(Outgoing {
            seq: r.get(0)?,
            bus: r.get(1)?,
            event: r.get(2)?,
            ingested_ms: r.get(3)?,
            only_rule: r.get(4)?,
            hops: r.get(5)?,
        })
    })?;
    rows.collect()
}

pub(crate) fn last_seq(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("SELECT COALESCE(MAX(seq), 0) FROM outbox", [], |r| r.get(0))
}
