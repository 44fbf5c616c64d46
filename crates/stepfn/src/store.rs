//! The service's SQLite file: state machines, executions, their histories,
//! activities and tags, each record a JSON body. Acknowledged writes
//! (CreateStateMachine, StartExecution, an execution's end) are one
//! transaction each, so they survive `kill -9`. An execution's history is
//! stored when it ends, as one JSON array: a row per event made recording a
//! long history cost more than running it.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, StepFnError};
use crate::history::HistoryEvent;
use crate::records::{Activity, Execution, MapRun, StateMachine};

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the state machine file",
    steps: &[SCHEMA_V1, SCHEMA_V2, SCHEMA_V3],
};

const SCHEMA_V1: &str = r"
CREATE TABLE state_machines (
    arn   TEXT PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    body  TEXT NOT NULL
);
CREATE TABLE executions (
    arn       TEXT PRIMARY KEY,
    machine   TEXT NOT NULL,
    status    TEXT NOT NULL,
    start_ms  INTEGER NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX executions_by_machine ON executions(machine, start_ms);
CREATE TABLE events (
    execution  TEXT NOT NULL,
    id         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (execution, id)
);
CREATE TABLE activities (
    arn   TEXT PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    body  TEXT NOT NULL
);
CREATE TABLE tags (
    arn    TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
";

/// Version 3 adds distributed Map runs.
const SCHEMA_V3: &str = r"
CREATE TABLE map_runs (
    arn        TEXT PRIMARY KEY,
    execution  TEXT NOT NULL,
    start_ms   INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs(execution, start_ms);
";

/// Version 2 keeps each history as one array of the events version 1 kept
/// a row each for (their ids were their positions).
const SCHEMA_V2: &str = r"
CREATE TABLE histories (
    execution  TEXT PRIMARY KEY,
    body       TEXT NOT NULL
);
INSERT INTO histories (execution, body)
    SELECT execution, '[' || group_concat(body, ',' ORDER BY id) || ']'
    FROM events
    GROUP BY execution;
DROP TABLE events;
";

pub struct Store {
    db: lakestack_sqlite::Shared,
}

fn body<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

fn parse<T: DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}

/// A history event as stored (its id is its position): nothing is lost.
#[derive(Serialize)]
struct StoredEvent<'a> {
    previous: i64,
    at_ms: i64,
    kind: &'a str,
    details: &'a serde_json::Value,
}

#[derive(serde::Deserialize)]
struct LoadedEvent {
    previous: i64,
    at_ms: i64,
    kind: String,
    details: serde_json::Value,
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            db: lakestack_sqlite::Shared::open(path, &SCHEMA)?,
        })
    }

    pub fn in_memory() -> Result<Self> {
        Ok(Self {
            db: lakestack_sqlite::Shared::in_memory(&SCHEMA)?,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn put_machine(&self, m: &StateMachine) -> Result<()> {
        let b = body(m)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO state_machines (arn, name, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT(arn) DO UPDATE SET body = excluded.body",
                params![m.arn, m.name, b],
            )?;
            Ok(())
        })
    }

    pub fn machine(&self, arn: &str) -> Result<Option<StateMachine>> {
        let b: Option<String> = self
            .conn()
            .query_row("SELECT body FROM state_machines WHERE arn = ?1", [arn], |r| r.get(0))
            .optional()?;
        b.map(|b| parse(&b)).transpose()
    }

    pub fn machines(&self) -> Result<Vec<StateMachine>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT body FROM state_machines ORDER BY name")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Deletes a state machine with its tags; its executions stay readable, as in AWS.
    pub fn delete_machine(&self, arn: &str) -> Result<bool> {
        self.write(|tx| {
            tx.execute("DELETE FROM tags WHERE arn = ?1", [arn])?;
            Ok(tx.execute("DELETE FROM state_machines WHERE arn = ?1", [arn])? > 0)
        })
    }

    pub fn put_execution(&self, e: &Execution) -> Result<()> {
        let b = body(e)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO executions (arn, machine, status, start_ms, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(arn) DO UPDATE SET status = excluded.status, body = excluded.body",
                params![e.arn, e.state_machine_arn, e.status, e.start_ms, b],
            )?;
            Ok(())
        })
    }

    /// Marks an ended execution RUNNING again for a redrive; false when it
    /// is not ended any more (another redrive got there first).
    pub fn restart_execution(&self, e: &Execution) -> Result<bool> {
        let b = body(e)?;
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE executions SET status = 'RUNNING', body = ?2
                 WHERE arn = ?1 AND status IN ('FAILED', 'ABORTED', 'TIMED_OUT')",
                params![e.arn, b],
            )?;
            Ok(n == 1)
        })
    }

    /// Records an execution's end and the history events not yet stored, at once.
    pub fn finish_execution(&self, e: &Execution, events: &[HistoryEvent]) -> Result<()> {
        let b = body(e)?;
        self.write(|tx| {
            append_history(tx, &e.arn, events)?;
            tx.execute(
                "UPDATE executions SET status = ?2, body = ?3 WHERE arn = ?1",
                params![e.arn, e.status, b],
            )?;
            Ok(())
        })
    }

    pub fn execution(&self, arn: &str) -> Result<Option<Execution>> {
        let b: Option<String> = self
            .conn()
            .query_row("SELECT body FROM executions WHERE arn = ?1", [arn], |r| r.get(0))
            .optional()?;
        b.map(|b| parse(&b)).transpose()
    }

    /// A machine's executions, newest first, optionally of one status.
    pub fn executions(&self, machine: &str, status: Option<&str>) -> Result<Vec<Execution>> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT body FROM executions WHERE machine = ?1 AND (?2 IS NULL OR status = ?2)
             ORDER BY start_ms DESC, arn DESC",
        )?;
        let rows = st.query_map(params![machine, status], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Executions left RUNNING by a server that stopped.
    pub fn running(&self) -> Result<Vec<Execution>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT body FROM executions WHERE status = 'RUNNING'")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn events(&self, execution: &str) -> Result<Vec<HistoryEvent>> {
        let b: Option<String> = self
            .conn()
            .query_row("SELECT body FROM histories WHERE execution = ?1", [execution], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(b) = b else { return Ok(Vec::new()) };
        let loaded: Vec<LoadedEvent> = parse(&b)?;
        Ok(loaded
            .into_iter()
            .zip(1..)
            .map(|(s, id)| HistoryEvent {
                id,
                previous_event_id: s.previous,
                timestamp: chrono::DateTime::from_timestamp_millis(s.at_ms).unwrap_or_default(),
                kind: crate::history::kind_name(&s.kind),
                details: s.details,
            })
            .collect())
    }

    pub fn put_map_run(&self, m: &MapRun) -> Result<()> {
        let b = body(m)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO map_runs (arn, execution, start_ms, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(arn) DO UPDATE SET body = excluded.body",
                params![m.arn, m.execution_arn, m.start_ms, b],
            )?;
            Ok(())
        })
    }

    pub fn map_run(&self, arn: &str) -> Result<Option<MapRun>> {
        let b: Option<String> = self
            .conn()
            .query_row("SELECT body FROM map_runs WHERE arn = ?1", [arn], |r| r.get(0))
            .optional()?;
        b.map(|b| parse(&b)).transpose()
    }

    /// An execution's Map Runs, oldest first.
    pub fn map_runs(&self, execution: &str) -> Result<Vec<MapRun>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT body FROM map_runs WHERE execution = ?1 ORDER BY start_ms, arn")?;
        let rows = st.query_map([execution], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn put_activity(&self, a: &Activity) -> Result<()> {
        let b = body(a)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO activities (arn, name, body) VALUES (?1, ?2, ?3) ON CONFLICT(arn) DO NOTHING",
                params![a.arn, a.name, b],
            )?;
            Ok(())
        })
    }

    pub fn activity(&self, arn: &str) -> Result<Option<Activity>> {
        let b: Option<String> = self
            .conn()
            .query_row("SELECT body FROM activities WHERE arn = ?1", [arn], |r| r.get(0))
            .optional()?;
        b.map(|b| parse(&b)).transpose()
    }

    pub fn activities(&self) -> Result<Vec<Activity>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT body FROM activities ORDER BY name")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn delete_activity(&self, arn: &str) -> Result<bool> {
        self.write(|tx| {
            tx.execute("DELETE FROM tags WHERE arn = ?1", [arn])?;
            Ok(tx.execute("DELETE FROM activities WHERE arn = ?1", [arn])? > 0)
        })
    }

    pub fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        self.write(|tx| {
            for (k, v) in tags {
                tx.execute(
                    "INSERT INTO tags (arn, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT(arn, key) DO UPDATE SET value = excluded.value",
                    params![arn, k, v],
                )?;
            }
            Ok(())
        })
    }

    pub fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        self.write(|tx| {
            for k in keys {
                tx.execute("DELETE FROM tags WHERE arn = ?1 AND key = ?2", params![arn, k])?;
            }
            Ok(())
        })
    }

    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key")?;
        let rows = st.query_map([arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Adds `events` to the stored history; they follow what is there (a
/// restart appends its ExecutionFailed to nothing, a normal end stores all).
fn append_history(tx: &Transaction<'_>, execution: &str, events: &[HistoryEvent]) -> Result<()> {
    let stored: Option<String> = tx
        .query_row("SELECT body FROM histories WHERE execution = ?1", [execution], |r| {
            r.get(0)
        })
        .optional()?;
    let mut out = stored.unwrap_or_else(|| "[]".into()).into_bytes();
    out.pop();
    for e in events {
        if out.len() > 1 {
            out.push(b',');
        }
        let event = StoredEvent {
            previous: e.previous_event_id,
            at_ms: e.timestamp.timestamp_millis(),
            kind: e.kind,
            details: &e.details,
        };
        serde_json::to_writer(&mut out, &event)?;
    }
    out.push(b']');
    let out = String::from_utf8(out).map_err(|e| StepFnError::Internal(Box::new(e)))?;
    tx.execute(
        "INSERT INTO histories (execution, body) VALUES (?1, ?2)
         ON CONFLICT(execution) DO UPDATE SET body = excluded.body",
        params![execution, out],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: i64, kind: &'static str, details: serde_json::Value) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp: chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + id).unwrap(),
            kind,
            details,
        }
    }

    fn execution() -> Execution {
        serde_json::from_value(json!({
            "arn": "arn:x", "state_machine_arn": "arn:m", "name": "x", "status": "FAILED", "start_ms": 1,
            "stop_ms": 2, "input": "{}", "output": null, "error": null, "cause": null, "definition": "{}",
            "role_arn": "r", "kind": "STANDARD", "redrive_count": 0, "redrive_ms": null, "parent": null,
        }))
        .unwrap()
    }

    #[test]
    fn a_history_appended_in_two_parts_reads_back_whole() {
        let store = Store::in_memory().unwrap();
        assert!(store.events("arn:x").unwrap().is_empty());
        let first = [
            event(1, "ExecutionStarted", json!({"input": "{}"})),
            event(2, "PassStateEntered", json!({"name": "P"})),
        ];
        store.finish_execution(&execution(), &first).unwrap();
        store
            .finish_execution(&execution(), &[event(3, "ExecutionFailed", json!({"error": "E"}))])
            .unwrap();
        let got = store.events("arn:x").unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[..2], first);
        assert_eq!(
            (got[2].id, got[2].previous_event_id, got[2].kind),
            (3, 2, "ExecutionFailed")
        );
    }

    #[test]
    fn only_one_redrive_restarts_an_ended_execution() {
        let store = Store::in_memory().unwrap();
        let mut e = execution();
        store.put_execution(&e).unwrap();
        e.status = "RUNNING".into();
        assert!(store.restart_execution(&e).unwrap());
        assert!(!store.restart_execution(&e).unwrap());
        assert_eq!(store.execution("arn:x").unwrap().unwrap().status, "RUNNING");
    }

    #[test]
    fn a_version_1_file_keeps_its_histories() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute_batch("PRAGMA user_version = 1").unwrap();
        for (id, kind) in [(2, "ExecutionSucceeded"), (1, "ExecutionStarted")] {
            let body = json!({"previous": id - 1, "at_ms": 5, "kind": kind, "details": {"n": id}});
            conn.execute(
                "INSERT INTO events (execution, id, body) VALUES ('arn:x', ?1, ?2)",
                params![id, body.to_string()],
            )
            .unwrap();
        }
        let mut conn = conn;
        lakestack_sqlite::prepare(&mut conn, &SCHEMA).unwrap();
        let store = Store { db: conn.into() };
        let got = store.events("arn:x").unwrap();
        let kinds: Vec<_> = got.iter().map(|e| (e.id, e.kind, e.details["n"].as_i64())).collect();
        assert_eq!(
            kinds,
            [(1, "ExecutionStarted", Some(1)), (2, "ExecutionSucceeded", Some(2))]
        );
        let version: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA.version());
    }
}
