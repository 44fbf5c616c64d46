//! Query executions as Athena reports them, and their SQLite file
//! (`<data-dir>/athena/queries.sqlite`), so history survives restarts.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{QueryError, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AthenaError {
    /// 1 system, 2 user, 3 other.
    pub category: i32,
    pub error_type: i32,
    pub retryable: bool,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultColumn {
    pub name: String,
    pub type_name: String,
    pub precision: i32,
    pub scale: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Execution {
    pub id: String,
    pub query: String,
    pub database: Option<String>,
    pub catalog: String,
    pub workgroup: String,
    /// `s3://bucket/prefix/<id>.csv`.
    pub output_location: String,
    /// DDL, DML or UTILITY.
    pub statement_type: String,
    /// QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub state: String,
    pub state_change_reason: Option<String>,
    pub submitted_ms: i64,
    pub started_ms: Option<i64>,
    pub completed_ms: Option<i64>,
    pub error: Option<AthenaError>,
    pub planning_ms: i64,
    pub engine_ms: i64,
    pub scanned_bytes: u64,
    /// Distinct objects the query read from, for the benchmark's pruning check.
    #[serde(default)]
    pub objects_read: u64,
    pub columns: Vec<ResultColumn>,
    pub rows: u64,
    /// Rows written by CTAS and INSERT INTO.
    pub update_count: Option<u64>,
    /// Where a CTAS, INSERT INTO or UNLOAD listed the objects it wrote.
    #[serde(default)]
    pub data_manifest: Option<String>,
    pub client_request_token: Option<String>,
}

impl Execution {
    pub fn is_done(&self) -> bool {
        matches!(self.state.as_str(), "SUCCEEDED" | "FAILED" | "CANCELLED")
    }
}

/// A query's state change, sent once per transition and in order, after the
/// new state is recorded: what EventBridge's "Athena Query State Change"
/// event carries. [`crate::QueryEngine::subscribe`] hands them out.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryEvent {
    pub query_execution_id: String,
    pub workgroup: String,
    /// None for the first state (QUEUED).
    pub previous_state: Option<String>,
    /// QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub current_state: String,
    /// DDL, DML or UTILITY, as GetQueryExecution reports it.
    pub statement_type: String,
    /// 1 for QUEUED, then one more for each transition of the same query.
    pub sequence_number: u64,
    /// For FAILED: the error GetQueryExecution reports as `AthenaError`.
    pub error: Option<AthenaError>,
}

impl QueryEvent {
    /// The change that brought `e` to its current state.
    pub(crate) fn of(e: &Execution, previous_state: Option<&str>, sequence_number: u64) -> Self {
        Self {
            query_execution_id: e.id.clone(),
            workgroup: e.workgroup.clone(),
            previous_state: previous_state.map(str::to_owned),
            current_state: e.state.clone(),
            statement_type: e.statement_type.clone(),
            sequence_number,
            error: e.error.clone(),
        }
    }
}

const SCHEMA_V1: &str = r"
CREATE TABLE IF NOT EXISTS executions (
    id            TEXT PRIMARY KEY,
    workgroup     TEXT NOT NULL,
    submitted_ms  INTEGER NOT NULL,
    token         TEXT,
    body          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_time ON executions(workgroup, submitted_ms);
CREATE UNIQUE INDEX IF NOT EXISTS executions_by_token ON executions(workgroup, token) WHERE token IS NOT NULL;
-- Work groups, named queries and prepared statements, one JSON body each.
CREATE TABLE IF NOT EXISTS resources (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
";

/// The file's migrations: a schema change appends a step, never edits one.
const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "Athena's query file",
    steps: &[SCHEMA_V1],
};

pub struct ExecutionStore {
    db: lakestack_sqlite::Shared,
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> QueryError {
    QueryError::Internal(Box::new(e))
}

impl ExecutionStore {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            db: lakestack_sqlite::Shared::open(path, &SCHEMA).map_err(internal)?,
        })
    }

    pub fn in_memory() -> Result<Self> {
        Ok(Self {
            db: lakestack_sqlite::Shared::in_memory(&SCHEMA).map_err(internal)?,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }

    pub fn put(&self, e: &Execution) -> Result<()> {
        let body = serde_json::to_string(e).map_err(internal)?;
        self.conn()
            .execute(
                "INSERT INTO executions (id, workgroup, submitted_ms, token, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                params![e.id, e.workgroup, e.submitted_ms, e.client_request_token, body],
            )
            .map_err(internal)?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Execution>> {
        let body: Option<String> = self
            .conn()
            .query_row("SELECT body FROM executions WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(internal)?;
        body.map(|b| serde_json::from_str(&b).map_err(internal)).transpose()
    }

    pub fn by_token(&self, workgroup: &str, token: &str) -> Result<Option<Execution>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM executions WHERE workgroup = ?1 AND token = ?2",
                [workgroup, token],
                |r| r.get(0),
            )
            .optional()
            .map_err(internal)?;
        body.map(|b| serde_json::from_str(&b).map_err(internal)).transpose()
    }

    /// Ids in a work group, newest first, after (submitted_ms, id) when given.
    pub fn list(&self, workgroup: &str, after: Option<(i64, String)>, limit: usize) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let (ms, id) = after.unwrap_or((i64::MAX, "\u{10ffff}".to_owned()));
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, submitted_ms FROM executions
                 WHERE workgroup = ?1 AND (submitted_ms < ?2 OR (submitted_ms = ?2 AND id < ?3))
                 ORDER BY submitted_ms DESC, id DESC LIMIT ?4",
            )
            .map_err(internal)?;
        let rows = stmt
            .query_map(params![workgroup, ms, id, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(internal)?;
        rows.collect::<rusqlite::Result<_>>().map_err(internal)
    }

    pub fn put_resource<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> Result<()> {
        let body = serde_json::to_string(value).map_err(internal)?;
        self.conn()
            .execute(
                "INSERT INTO resources (kind, key, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body",
                params![kind, key, body],
            )
            .map_err(internal)?;
        Ok(())
    }

    /// Inserts unless the key exists; false if it did.
    pub fn insert_resource<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> Result<bool> {
        let body = serde_json::to_string(value).map_err(internal)?;
        let n = self
            .conn()
            .execute(
                "INSERT OR IGNORE INTO resources (kind, key, body) VALUES (?1, ?2, ?3)",
                params![kind, key, body],
            )
            .map_err(internal)?;
        Ok(n > 0)
    }

    pub fn get_resource<T: serde::de::DeserializeOwned>(&self, kind: &str, key: &str) -> Result<Option<T>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM resources WHERE kind = ?1 AND key = ?2",
                [kind, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(internal)?;
        body.map(|b| serde_json::from_str(&b).map_err(internal)).transpose()
    }

    pub fn list_resources<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT body FROM resources WHERE kind = ?1 ORDER BY key")
            .map_err(internal)?;
        let rows = stmt.query_map([kind], |r| r.get::<_, String>(0)).map_err(internal)?;
        let mut out = Vec::new();
        for b in rows {
            out.push(serde_json::from_str(&b.map_err(internal)?).map_err(internal)?);
        }
        Ok(out)
    }

    pub fn delete_resource(&self, kind: &str, key: &str) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM resources WHERE kind = ?1 AND key = ?2", [kind, key])
            .map_err(internal)?;
        Ok(n > 0)
    }

    /// Executions a dead process left QUEUED or RUNNING.
    pub fn unfinished(&self) -> Result<Vec<Execution>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body FROM executions").map_err(internal)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(internal)?;
        let mut out = Vec::new();
        for b in rows {
            let e: Execution = serde_json::from_str(&b.map_err(internal)?).map_err(internal)?;
            if !e.is_done() {
                out.push(e);
            }
        }
        Ok(out)
    }
}
