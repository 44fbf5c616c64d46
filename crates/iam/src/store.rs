//! The service's SQLite file, `iam.sqlite`: every record (entity, managed
//! policy, access key, session) is one row of a kind, a key and a JSON
//! body. Each write is one statement, so an acknowledged change survives
//! `kill -9`; the service reads everything once at start and keeps it in
//! memory, since IAM state is small and read far more than written.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;

const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the IAM file",
    steps: &[SCHEMA_V1],
};

const SCHEMA_V1: &str = r"
CREATE TABLE records (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
";

pub struct Store {
    db: lakestack_sqlite::Shared,
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

    pub fn put<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> Result<()> {
        let body = serde_json::to_string(value)?;
        self.conn().execute(
            "INSERT INTO records (kind, key, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
            params![kind, key, body],
        )?;
        Ok(())
    }

    pub fn delete(&self, kind: &str, key: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM records WHERE kind = ?1 AND key = ?2", params![kind, key])?;
        Ok(())
    }

    /// Every record of a kind, by key.
    pub fn load<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<(String, T)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT key, body FROM records WHERE kind = ?1 ORDER BY key")?;
        let rows = stmt.query_map(params![kind], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, body) = row?;
            out.push((key, serde_json::from_str(&body)?));
        }
        Ok(out)
    }
}
