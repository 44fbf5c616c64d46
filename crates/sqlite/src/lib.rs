//! How lakestack's services keep their state in SQLite, in one place: the
//! pragmas every file gets and the versioned migrations of its schema.
//!
//! A file is in WAL mode with `synchronous = NORMAL`: every acknowledged
//! write survives `kill -9` (the promise lakestack makes), and only power
//! loss can undo the last transactions, which costs no fsync per commit.

mod writer;

pub use writer::{Pending, Work, WriteError, Writer};

/// Makes each listed error type convert into a service error's internal
/// variant (which boxes its source): the failures of a service's file,
/// its writer and its stored JSON are its own internal errors.
///
/// ```ignore
/// lakestack_sqlite::internal_errors!(KinesisError::Internal:
///     lakestack_sqlite::Error, lakestack_sqlite::WriteError, rusqlite::Error, serde_json::Error);
/// ```
#[macro_export]
macro_rules! internal_errors {
    ($error:ident :: $variant:ident : $($source:ty),+ $(,)?) => {
        $(
            impl From<$source> for $error {
                fn from(e: $source) -> Self {
                    Self::$variant(Box::new(e))
                }
            }
        )+
    };
}

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("creating {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("{file} has schema version {found}, newer than this build ({supported})")]
    Newer { file: String, found: i64, supported: i64 },
}

/// A file's schema as the list of its migrations: `steps[i]` takes the file
/// from `user_version` i to i + 1, so a file at any older version is brought
/// up to `steps.len()` in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    /// What the file holds, for the error naming a file newer than the build.
    pub name: &'a str,
    pub steps: &'a [&'a str],
}

impl Schema<'_> {
    pub fn version(&self) -> i64 {
        self.steps.len() as i64
    }
}

/// Opens (creating it and its directory if need be) the file at `path` and
/// brings its schema up to date.
pub fn open(path: &Path, schema: &Schema<'_>) -> Result<Connection, Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Directory {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut conn = Connection::open(path)?;
    prepare(&mut conn, schema)?;
    Ok(conn)
}

/// A private in-memory database with the same schema, for tests and for
/// state that needs no file.
pub fn open_in_memory(schema: &Schema<'_>) -> Result<Connection, Error> {
    let mut conn = Connection::open_in_memory()?;
    prepare(&mut conn, schema)?;
    Ok(conn)
}

/// One connection behind a mutex: how a service keeps its file when its
/// writes are small and its reads are by key. A lock poisoned by a panic is
/// taken over: SQLite's own transactions keep the file consistent, and no
/// Rust state lives beside the connection.
pub struct Shared {
    conn: Mutex<Connection>,
}

impl Shared {
    /// [`open`]s the file behind a mutex.
    pub fn open(path: &Path, schema: &Schema<'_>) -> Result<Self, Error> {
        Ok(Self::from(open(path, schema)?))
    }

    /// [`open_in_memory`] behind a mutex.
    pub fn in_memory(schema: &Schema<'_>) -> Result<Self, Error> {
        Ok(Self::from(open_in_memory(schema)?))
    }

    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl From<Connection> for Shared {
    fn from(conn: Connection) -> Self {
        Self { conn: Mutex::new(conn) }
    }
}

/// Pragmas, then migrations, on a connection just opened.
pub fn prepare(conn: &mut Connection, schema: &Schema<'_>) -> Result<(), Error> {
    // First, so that a second connection opening the file meanwhile waits
    // instead of failing with SQLITE_BUSY.
    conn.execute_batch("PRAGMA busy_timeout = 5000;")?;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > schema.version() {
        return Err(Error::Newer {
            file: schema.name.to_owned(),
            found,
            supported: schema.version(),
        });
    }
    if found == 0 {
        // A new file holds nothing to lose: creating it without fsync (about
        // six per file: switching to WAL goes through a rollback journal)
        // keeps them off the start of a fresh data directory. The writes
        // still reach the OS before the commit returns, so `kill -9` cannot
        // tear them.
        conn.execute_batch("PRAGMA synchronous = OFF;")?;
    }
    let migrated = migrate(conn, schema, found);
    // NORMAL whatever happened: the caller keeps the connection.
    conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
    migrated
}

fn migrate(conn: &mut Connection, schema: &Schema<'_>, found: i64) -> Result<(), Error> {
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    if found < schema.version() {
        let tx = conn.transaction()?;
        for step in &schema.steps[found as usize..] {
            tx.execute_batch(step)?;
        }
        tx.pragma_update(None, "user_version", schema.version())?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "CREATE TABLE t (a INTEGER);";
    const V2: &str = "ALTER TABLE t ADD COLUMN b TEXT;";

    fn open_with(path: &Path, steps: &'static [&'static str]) -> Connection {
        open(path, &Schema { name: "state", steps }).unwrap()
    }

    fn columns(conn: &Connection) -> Vec<String> {
        let mut s = conn.prepare("SELECT name FROM pragma_table_info('t')").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_new_file_gets_every_step_and_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/state.sqlite");
        let conn = open_with(&path, &[V1, V2]);
        assert_eq!(columns(&conn), ["a", "b"]);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 1, "NORMAL once the file exists");
    }

    #[test]
    fn an_old_file_gets_the_missing_steps_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        {
            let conn = open_with(&path, &[V1]);
            conn.execute("INSERT INTO t (a) VALUES (7)", []).unwrap();
        }
        let conn = open_with(&path, &[V1, V2]);
        assert_eq!(columns(&conn), ["a", "b"]);
        let a: i64 = conn.query_row("SELECT a FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(a, 7);
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 2);
    }

    #[test]
    fn a_newer_file_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        drop(open_with(&path, &[V1, V2]));
        let err = open(
            &path,
            &Schema {
                name: "the state file",
                steps: &[V1],
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the state file has schema version 2, newer than this build (1)"
        );
    }

    #[test]
    fn a_failing_step_leaves_the_old_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        drop(open_with(&path, &[V1]));
        let bad = "CREATE TABLE u (x); THIS IS NOT SQL;";
        assert!(
            open(
                &path,
                &Schema {
                    name: "state",
                    steps: &[V1, bad]
                }
            )
            .is_err()
        );
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 1);
        let u: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'u'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(u, 0, "the half-run step rolled back");
    }
}
