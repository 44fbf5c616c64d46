//! EventBridge Scheduler's rows in `events.sqlite` (tables made by the
//! crate's `store::SCHEMA`): groups and schedules as JSON, and the outbox of
//! invocations fired but not yet delivered.

use rusqlite::{Connection, params};
use serde::de::DeserializeOwned;

use super::model::{Invocation, Schedule, ScheduleGroup};

/// The rows of `sql`'s one `body` column; an unreadable one is logged and skipped.
fn bodies<T: DeserializeOwned>(c: &Connection, sql: &str, what: &str) -> rusqlite::Result<Vec<T>> {
    let mut st = c.prepare(sql)?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        match serde_json::from_str(&body?) {
            Ok(v) => out.push(v),
            Err(e) => tracing::error!(error = %e, "a {what} in events.sqlite is unreadable; skipped"),
        }
    }
    Ok(out)
}

pub(crate) fn load_groups(c: &Connection) -> rusqlite::Result<Vec<ScheduleGroup>> {
    bodies(c, "SELECT body FROM schedule_groups ORDER BY name", "schedule group")
}

pub(crate) fn load_schedules(c: &Connection) -> rusqlite::Result<Vec<Schedule>> {
    bodies(c, "SELECT body FROM schedules ORDER BY grp, name", "schedule")
}

pub(crate) fn put_group(c: &Connection, group: &ScheduleGroup) -> rusqlite::Result<()> {
    let body = serde_json::to_string(group).expect("a schedule group serializes");
    c.execute(
        "INSERT INTO schedule_groups (name, body) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body",
        params![group.name, body],
    )
    .map(drop)
}

/// Deletes a group and every schedule in it.
pub(crate) fn delete_group(c: &Connection, name: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM schedules WHERE grp = ?1", [name])?;
    c.execute("DELETE FROM schedule_groups WHERE name = ?1", [name])
        .map(drop)
}

pub(crate) fn put_schedule(c: &Connection, s: &Schedule) -> rusqlite::Result<()> {
    let body = serde_json::to_string(s).expect("a schedule serializes");
    c.prepare_cached(
        "INSERT INTO schedules (grp, name, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (grp, name) DO UPDATE SET body = excluded.body",
    )?
    .execute(params![s.def.group, s.def.name, body])
    .map(drop)
}

pub(crate) fn delete_schedule(c: &Connection, group: &str, name: &str) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM schedules WHERE grp = ?1 AND name = ?2")?
        .execute([group, name])
        .map(drop)
}

pub(crate) fn insert_invocation(c: &Connection, inv: &Invocation) -> rusqlite::Result<()> {
    let body = serde_json::to_string(inv).expect("an invocation serializes");
    c.prepare_cached("INSERT INTO invocations (seq, body) VALUES (?1, ?2)")?
        .execute(params![inv.seq, body])
        .map(drop)
}

pub(crate) fn delete_invocation(c: &Connection, seq: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM invocations WHERE seq = ?1")?
        .execute([seq])
        .map(drop)
}

/// Invocations a previous process fired and did not finish delivering.
pub(crate) fn load_invocations(c: &Connection) -> rusqlite::Result<Vec<Invocation>> {
    let mut st = c.prepare("SELECT seq, body FROM invocations ORDER BY seq")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, body) = row?;
        match serde_json::from_str::<Invocation>(&body) {
            Ok(mut inv) => {
                inv.seq = seq;
                out.push(inv);
            }
            Err(e) => tracing::error!(error = %e, "a schedule invocation in events.sqlite is unreadable; skipped"),
        }
    }
    Ok(out)
}
