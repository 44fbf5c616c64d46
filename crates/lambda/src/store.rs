//! The service's SQLite file: functions (a row per version), aliases,
//! layer versions, tags, concurrency, asynchronous invocation settings and
//! queued asynchronous invocations, each record a JSON body. Every
//! acknowledged write is one transaction, so it survives `kill -9`.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{LambdaError, Result};
use crate::model::{Alias, Function, LayerVersion};

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the Lambda file",
    steps: &[SCHEMA_V1, SCHEMA_V2],
};

/// Version 2 adds event source mappings.
const SCHEMA_V2: &str = r"
CREATE TABLE mappings (
    uuid      TEXT PRIMARY KEY,
    function  TEXT NOT NULL,
    source    TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX mappings_by_function ON mappings(function);
";

const SCHEMA_V1: &str = r"
CREATE TABLE functions (
    name     TEXT NOT NULL,
    version  TEXT NOT NULL,
    -- '$LATEST' sorts after the digits; published versions sort by number.
    number   INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE aliases (
    function  TEXT NOT NULL,
    name      TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (function, name)
);
CREATE TABLE layers (
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE tags (
    arn    TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
CREATE TABLE settings (
    function   TEXT NOT NULL,
    qualifier  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (function, qualifier, kind)
);
CREATE TABLE async_invocations (
    id         TEXT PRIMARY KEY,
    due_ms     INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX async_by_due ON async_invocations(due_ms);
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
";

pub struct Store {
    db: lakestack_sqlite::Shared,
}

fn to_json(v: &impl Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(LambdaError::internal)
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(LambdaError::internal)
}

/// The sort number of a version: published versions by number, `$LATEST` last.
fn number(version: &str) -> i64 {
    version.parse().unwrap_or(i64::MAX)
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

    // Functions and versions.

    /// Inserts a new function's `$LATEST`; false if the name is taken.
    pub fn create_function(&self, f: &Function) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO functions (name, version, number, body) VALUES (?1, ?2, ?3, ?4)",
            params![f.name, f.version, number(&f.version), to_json(f)?],
        )?;
        Ok(n == 1)
    }

    /// Replaces a version's record.
    pub fn put_function(&self, f: &Function) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO functions (name, version, number, body) VALUES (?1, ?2, ?3, ?4)",
            params![f.name, f.version, number(&f.version), to_json(f)?],
        )?;
        Ok(())
    }

    pub fn function(&self, name: &str, version: &str) -> Result<Option<Function>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM functions WHERE name = ?1 AND version = ?2",
                params![name, version],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    /// `$LATEST` of every function, by name, after `after`.
    pub fn functions(&self, after: Option<&str>, limit: usize) -> Result<Vec<Function>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT body FROM functions WHERE version = '$LATEST' AND name > ?1 ORDER BY name LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after.unwrap_or(""), limit as i64], |r| r.get::<_, String>(0))?;
        rows.map(|b| from_json(&b?)).collect()
    }

    /// How many functions there are, and the bytes of all their versions' packages.
    pub fn usage(&self) -> Result<(u64, u64)> {
        let (count, size): (i64, i64) = self.conn().query_row(
            "SELECT COUNT(DISTINCT name), COALESCE(SUM(json_extract(body, '$.code.size')), 0) FROM functions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((count as u64, size as u64))
    }

    /// The reserved concurrency of every function but `except`, together.
    pub fn reserved_total(&self, except: Option<&str>) -> Result<u32> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT function, body FROM settings WHERE kind = 'concurrency' AND qualifier = ''")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut total = 0u32;
        for row in rows {
            let (function, body) = row?;
            if Some(function.as_str()) != except {
                total = total.saturating_add(from_json::<u32>(&body)?);
            }
        }
        Ok(total)
    }

    /// Every version of a function in order, `$LATEST` first as AWS lists them.
    pub fn versions(&self, name: &str) -> Result<Vec<Function>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT body FROM functions WHERE name = ?1 ORDER BY number = 9223372036854775807 DESC, number",
        )?;
        let rows = stmt.query_map(params![name], |r| r.get::<_, String>(0))?;
        rows.map(|b| from_json(&b?)).collect()
    }

    /// Deletes one version, or (with `None`) the function and all it owns.
    pub fn delete_function(&self, name: &str, version: Option<&str>) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = match version {
            Some(v) => tx.execute(
                "DELETE FROM functions WHERE name = ?1 AND version = ?2",
                params![name, v],
            )?,
            None => {
                let n = tx.execute("DELETE FROM functions WHERE name = ?1", params![name])?;
                tx.execute("DELETE FROM aliases WHERE function = ?1", params![name])?;
                tx.execute("DELETE FROM settings WHERE function = ?1", params![name])?;
                n
            }
        };
        tx.commit()?;
        Ok(n > 0)
    }

    /// The next number of a sequence (function versions, layer versions).
    pub fn next_number(&self, name: &str) -> Result<u64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO counters (name, value) VALUES (?1, 1)
             ON CONFLICT(name) DO UPDATE SET value = value + 1",
            params![name],
        )?;
        let v: i64 = conn.query_row("SELECT value FROM counters WHERE name = ?1", params![name], |r| {
            r.get(0)
        })?;
        Ok(v as u64)
    }

    // Aliases.

    pub fn put_alias(&self, a: &Alias) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO aliases (function, name, body) VALUES (?1, ?2, ?3)",
            params![a.function, a.name, to_json(a)?],
        )?;
        Ok(())
    }

    pub fn alias(&self, function: &str, name: &str) -> Result<Option<Alias>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM aliases WHERE function = ?1 AND name = ?2",
                params![function, name],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    pub fn aliases(&self, function: &str) -> Result<Vec<Alias>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT body FROM aliases WHERE function = ?1 ORDER BY name")?;
        let rows = stmt.query_map(params![function], |r| r.get::<_, String>(0))?;
        rows.map(|b| from_json(&b?)).collect()
    }

    pub fn delete_alias(&self, function: &str, name: &str) -> Result<bool> {
        Ok(self.conn().execute(
            "DELETE FROM aliases WHERE function = ?1 AND name = ?2",
            params![function, name],
        )? > 0)
    }

    // Layers.

    pub fn put_layer(&self, l: &LayerVersion) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO layers (name, version, body) VALUES (?1, ?2, ?3)",
            params![l.name, l.version as i64, to_json(l)?],
        )?;
        Ok(())
    }

    pub fn layer(&self, name: &str, version: u64) -> Result<Option<LayerVersion>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM layers WHERE name = ?1 AND version = ?2",
                params![name, version as i64],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    /// Versions of one layer, newest first, or the newest version of every
    /// layer (with `None`), by name.
    pub fn layers(&self, name: Option<&str>) -> Result<Vec<LayerVersion>> {
        let conn = self.conn();
        let read = |r: &rusqlite::Row<'_>| r.get::<_, String>(0);
        let bodies: Vec<String> = match name {
            Some(n) => {
                let mut stmt = conn.prepare_cached("SELECT body FROM layers WHERE name = ?1 ORDER BY version DESC")?;
                stmt.query_map(params![n], read)?.collect::<rusqlite::Result<_>>()?
            }
            None => {
                let mut stmt = conn.prepare_cached(
                    "SELECT body FROM layers l WHERE version = (SELECT MAX(version) FROM layers WHERE name = l.name) ORDER BY name",
                )?;
                stmt.query_map([], read)?.collect::<rusqlite::Result<_>>()?
            }
        };
        bodies.iter().map(|b| from_json(b)).collect()
    }

    pub fn delete_layer(&self, name: &str, version: u64) -> Result<()> {
        self.conn().execute(
            "DELETE FROM layers WHERE name = ?1 AND version = ?2",
            params![name, version as i64],
        )?;
        Ok(())
    }

    // Tags.

    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key")?;
        let rows = stmt.query_map(params![arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (k, v) in tags {
            tx.execute(
                "INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?1, ?2, ?3)",
                params![arn, k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for k in keys {
            tx.execute("DELETE FROM tags WHERE arn = ?1 AND key = ?2", params![arn, k])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn drop_tags(&self, arn: &str) -> Result<()> {
        self.conn().execute("DELETE FROM tags WHERE arn = ?1", params![arn])?;
        Ok(())
    }

    // Per-function settings: reserved concurrency, event invoke configs.

    pub fn setting<T: DeserializeOwned>(&self, function: &str, qualifier: &str, kind: &str) -> Result<Option<T>> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM settings WHERE function = ?1 AND qualifier = ?2 AND kind = ?3",
                params![function, qualifier, kind],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    pub fn put_setting(&self, function: &str, qualifier: &str, kind: &str, v: &impl Serialize) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO settings (function, qualifier, kind, body) VALUES (?1, ?2, ?3, ?4)",
            params![function, qualifier, kind, to_json(v)?],
        )?;
        Ok(())
    }

    pub fn delete_setting(&self, function: &str, qualifier: &str, kind: &str) -> Result<bool> {
        Ok(self.conn().execute(
            "DELETE FROM settings WHERE function = ?1 AND qualifier = ?2 AND kind = ?3",
            params![function, qualifier, kind],
        )? > 0)
    }

    // Event source mappings.

    pub fn put_mapping(&self, m: &crate::mappings::Mapping) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO mappings (uuid, function, source, body) VALUES (?1, ?2, ?3, ?4)",
            params![m.uuid, m.function, m.event_source_arn, to_json(m)?],
        )?;
        Ok(())
    }

    pub fn mapping(&self, uuid: &str) -> Result<Option<crate::mappings::Mapping>> {
        let body: Option<String> = self
            .conn()
            .query_row("SELECT body FROM mappings WHERE uuid = ?1", params![uuid], |r| r.get(0))
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    /// Every mapping, by id (few: one per queue or stream a function reads).
    pub fn mappings(&self) -> Result<Vec<crate::mappings::Mapping>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT body FROM mappings ORDER BY uuid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| from_json(&b?)).collect()
    }

    pub fn delete_mapping(&self, uuid: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM mappings WHERE uuid = ?1", params![uuid])?
            > 0)
    }

    // Asynchronous invocations waiting for their (next) attempt.

    pub fn queue(&self, id: &str, due_ms: i64, body: &impl Serialize) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO async_invocations (id, due_ms, body) VALUES (?1, ?2, ?3)",
            params![id, due_ms, to_json(body)?],
        )?;
        Ok(())
    }

    pub fn dequeue(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM async_invocations WHERE id = ?1", params![id])?;
        Ok(())
    }

    pub fn queued_one<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>> {
        let body: Option<String> = self
            .conn()
            .query_row("SELECT body FROM async_invocations WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()?;
        body.map(|b| from_json(&b)).transpose()
    }

    /// Every queued invocation, soonest first (read at start to resume them).
    pub fn queued(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT id, due_ms FROM async_invocations ORDER BY due_ms")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
