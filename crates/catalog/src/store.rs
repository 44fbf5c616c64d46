//! The catalog's SQLite file: one row per database, table version, partition,
//! crawler, crawl, classifier, tag, job, job run, job bookmark, trigger,
//! workflow and workflow run, each entity kept as a JSON body.
//!
//! Writes are short transactions on one connection; WAL with
//! `synchronous = NORMAL` makes every acknowledged write survive `kill -9`.
//! Partition values are also kept in an in-memory index per table so that a
//! predicate over 100,000 partitions never parses 100,000 JSON bodies.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::model::{
    Classifier, Crawl, Crawler, Database, Job, JobBookmark, JobRun, Partition, Table, Trigger, TriggerProgress,
    Workflow, WorkflowRun,
};

/// The file's migrations: a schema change appends a step, never edits one.
const SCHEMA: lakestack_sqlite::Schema<'static> = lakestack_sqlite::Schema {
    name: "the Glue catalog file",
    steps: &[SCHEMA_V1, SCHEMA_V2, SCHEMA_V3],
};

const SCHEMA_V1: &str = r"
CREATE TABLE databases (
    name  TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
CREATE TABLE tables (
    db       TEXT NOT NULL,
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (db, name)
);
-- Archived versions, the current one included, as GetTableVersions lists them.
CREATE TABLE table_versions (
    db       TEXT NOT NULL,
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (db, name, version)
);
CREATE TABLE partitions (
    id    INTEGER PRIMARY KEY,
    db    TEXT NOT NULL,
    tbl   TEXT NOT NULL,
    -- JSON array of the values: the partition's identity within its table.
    vals  TEXT NOT NULL,
    body  TEXT NOT NULL
);
CREATE UNIQUE INDEX partitions_by_values ON partitions(db, tbl, vals);
CREATE TABLE crawlers (
    name  TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
CREATE TABLE crawls (
    crawler   TEXT NOT NULL,
    crawl_id  TEXT NOT NULL,
    start_ms  INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (crawler, crawl_id)
);
CREATE INDEX crawls_by_time ON crawls(crawler, start_ms);
CREATE TABLE classifiers (
    name  TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
CREATE TABLE tags (
    arn    TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
";

/// Jobs, their runs and their bookmarks.
const SCHEMA_V2: &str = r"
CREATE TABLE jobs (
    name  TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
-- `state` is kept beside the body so that live runs are counted (MaxConcurrentRuns)
-- and found again on reopen without parsing every body.
CREATE TABLE job_runs (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    job       TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    state     TEXT NOT NULL,
    body      TEXT NOT NULL,
    UNIQUE (job, run_id)
);
CREATE INDEX job_runs_by_state ON job_runs(state);
CREATE TABLE job_bookmarks (
    job   TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
";

/// Triggers, what they keep between firings, workflows and their runs.
const SCHEMA_V3: &str = r"
-- `workflow` beside the body: a workflow's graph is its triggers.
CREATE TABLE triggers (
    name      TEXT PRIMARY KEY,
    workflow  TEXT,
    body      TEXT NOT NULL
);
CREATE INDEX triggers_by_workflow ON triggers(workflow);
CREATE TABLE trigger_progress (
    trigger  TEXT PRIMARY KEY,
    body     TEXT NOT NULL
);
CREATE TABLE workflows (
    name  TEXT PRIMARY KEY,
    body  TEXT NOT NULL
);
-- `status` beside the body: live runs are counted (MaxConcurrentRuns) and
-- found again on reopen without parsing every body.
CREATE TABLE workflow_runs (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow  TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    status    TEXT NOT NULL,
    body      TEXT NOT NULL,
    UNIQUE (workflow, run_id)
);
CREATE INDEX workflow_runs_by_status ON workflow_runs(status);
";

/// One table's partition values in order, with the row id of each.
pub type PartitionIndex = Arc<Vec<(Vec<String>, i64)>>;

pub struct Store {
    db: lakestack_sqlite::Shared,
    indexes: Mutex<HashMap<(String, String), PartitionIndex>>,
}

fn body<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

fn parse<T: DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}

pub fn values_key(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_default()
}

impl Store {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::with(lakestack_sqlite::open(path, &SCHEMA)?))
    }

    pub fn in_memory() -> Result<Self> {
        Ok(Self::with(lakestack_sqlite::open_in_memory(&SCHEMA)?))
    }

    fn with(conn: Connection) -> Self {
        Self {
            db: conn.into(),
            indexes: Mutex::new(HashMap::new()),
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }

    /// Runs `f` in one transaction; nothing of it is visible unless it returns Ok.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn();
        f(&conn)
    }

    // ---- databases

    pub fn get_database(c: &Connection, name: &str) -> Result<Option<Database>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM databases WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_database(c: &Connection, db: &Database) -> Result<()> {
        c.execute(
            "INSERT INTO databases (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![db.name, body(db)?],
        )?;
        Ok(())
    }

    /// Databases in name order, after `after`, at most `limit`.
    pub fn list_databases(c: &Connection, after: Option<&str>, limit: usize) -> Result<Vec<Database>> {
        let mut stmt = c.prepare_cached("SELECT body FROM databases WHERE name > ?1 ORDER BY name LIMIT ?2")?;
        let rows = stmt.query_map(params![after.unwrap_or(""), limit as i64], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Removes a database with its tables, versions and partitions.
    pub fn delete_database(&self, tx: &Transaction<'_>, name: &str) -> Result<()> {
        tx.execute("DELETE FROM partitions WHERE db = ?1", [name])?;
        tx.execute("DELETE FROM table_versions WHERE db = ?1", [name])?;
        tx.execute("DELETE FROM tables WHERE db = ?1", [name])?;
        tx.execute("DELETE FROM databases WHERE name = ?1", [name])?;
        self.indexes_lock().retain(|(db, _), _| db != name);
        Ok(())
    }

    // ---- tables

    pub fn get_table(c: &Connection, db: &str, name: &str) -> Result<Option<Table>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM tables WHERE db = ?1 AND name = ?2", [db, name], |r| {
                r.get(0)
            })
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    /// Writes `t` as the current version and archives it under its version id.
    pub fn put_table(c: &Connection, t: &Table) -> Result<()> {
        let b = body(t)?;
        c.execute(
            "INSERT INTO tables (db, name, version, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(db, name) DO UPDATE SET version = excluded.version, body = excluded.body",
            params![t.database_name, t.name, t.version_id, b],
        )?;
        c.execute(
            "INSERT OR REPLACE INTO table_versions (db, name, version, body) VALUES (?1, ?2, ?3, ?4)",
            params![t.database_name, t.name, t.version_id, b],
        )?;
        Ok(())
    }

    pub fn list_tables(c: &Connection, db: &str, after: Option<&str>, limit: usize) -> Result<Vec<Table>> {
        let mut stmt =
            c.prepare_cached("SELECT body FROM tables WHERE db = ?1 AND name > ?2 ORDER BY name LIMIT ?3")?;
        let rows = stmt.query_map(params![db, after.unwrap_or(""), limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn all_tables(c: &Connection) -> Result<Vec<Table>> {
        let mut stmt = c.prepare_cached("SELECT body FROM tables ORDER BY db, name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn delete_table(&self, tx: &Transaction<'_>, db: &str, name: &str) -> Result<()> {
        tx.execute("DELETE FROM partitions WHERE db = ?1 AND tbl = ?2", [db, name])?;
        tx.execute("DELETE FROM table_versions WHERE db = ?1 AND name = ?2", [db, name])?;
        tx.execute("DELETE FROM tables WHERE db = ?1 AND name = ?2", [db, name])?;
        self.invalidate(db, name);
        Ok(())
    }

    pub fn delete_table_version(c: &Connection, db: &str, name: &str, version: i64) -> Result<bool> {
        let n = c.execute(
            "DELETE FROM table_versions WHERE db = ?1 AND name = ?2 AND version = ?3",
            params![db, name, version],
        )?;
        Ok(n > 0)
    }

    /// Archived versions, newest first.
    pub fn table_versions(c: &Connection, db: &str, name: &str) -> Result<Vec<Table>> {
        let mut stmt =
            c.prepare_cached("SELECT body FROM table_versions WHERE db = ?1 AND name = ?2 ORDER BY version DESC")?;
        let rows = stmt.query_map([db, name], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    // ---- partitions

    fn indexes_lock(&self) -> MutexGuard<'_, HashMap<(String, String), PartitionIndex>> {
        self.indexes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn invalidate(&self, db: &str, table: &str) {
        self.indexes_lock().remove(&(db.to_owned(), table.to_owned()));
    }

    /// The table's partition values, sorted; built once and reused until a write.
    pub fn partition_index(&self, db: &str, table: &str) -> Result<PartitionIndex> {
        let key = (db.to_owned(), table.to_owned());
        if let Some(ix) = self.indexes_lock().get(&key) {
            return Ok(Arc::clone(ix));
        }
        // Built and cached while holding the connection: writers invalidate
        // under the same lock, so a stale index can never be cached after them.
        self.read(|c| {
            if let Some(ix) = self.indexes_lock().get(&key) {
                return Ok(Arc::clone(ix));
            }
            let mut stmt = c.prepare_cached("SELECT id, vals FROM partitions WHERE db = ?1 AND tbl = ?2")?;
            let rows = stmt.query_map([db, table], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut entries = Vec::new();
            for row in rows {
                let (id, vals) = row?;
                entries.push((parse::<Vec<String>>(&vals)?, id));
            }
            entries.sort_unstable();
            let ix = Arc::new(entries);
            self.indexes_lock().insert(key, Arc::clone(&ix));
            Ok(ix)
        })
    }

    pub fn get_partition(c: &Connection, db: &str, table: &str, values: &[String]) -> Result<Option<Partition>> {
        let row: Option<String> = c
            .query_row(
                "SELECT body FROM partitions WHERE db = ?1 AND tbl = ?2 AND vals = ?3",
                params![db, table, values_key(values)],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn partitions_by_id(c: &Connection, db: &str, table: &str, ids: &[i64]) -> Result<Vec<Partition>> {
        let mut stmt = c.prepare_cached("SELECT body FROM partitions WHERE id = ?1 AND db = ?2 AND tbl = ?3")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let b: Option<String> = stmt.query_row(params![id, db, table], |r| r.get(0)).optional()?;
            if let Some(b) = b {
                out.push(parse(&b)?);
            }
        }
        Ok(out)
    }

    /// Inserts a partition; false if one with the same values exists.
    pub fn insert_partition(&self, c: &Connection, p: &Partition) -> Result<bool> {
        let n = c.execute(
            "INSERT OR IGNORE INTO partitions (db, tbl, vals, body) VALUES (?1, ?2, ?3, ?4)",
            params![p.database_name, p.table_name, values_key(&p.values), body(p)?],
        )?;
        self.invalidate(&p.database_name, &p.table_name);
        Ok(n > 0)
    }

    /// Replaces the partition at `old_values` with `p` (whose values may differ).
    pub fn replace_partition(&self, c: &Connection, old_values: &[String], p: &Partition) -> Result<()> {
        c.execute(
            "UPDATE partitions SET vals = ?4, body = ?5 WHERE db = ?1 AND tbl = ?2 AND vals = ?3",
            params![
                p.database_name,
                p.table_name,
                values_key(old_values),
                values_key(&p.values),
                body(p)?
            ],
        )?;
        self.invalidate(&p.database_name, &p.table_name);
        Ok(())
    }

    pub fn delete_partition(&self, c: &Connection, db: &str, table: &str, values: &[String]) -> Result<bool> {
        let n = c.execute(
            "DELETE FROM partitions WHERE db = ?1 AND tbl = ?2 AND vals = ?3",
            params![db, table, values_key(values)],
        )?;
        self.invalidate(db, table);
        Ok(n > 0)
    }

    // ---- crawlers, crawls, classifiers

    pub fn get_crawler(c: &Connection, name: &str) -> Result<Option<Crawler>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM crawlers WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_crawler(c: &Connection, cr: &Crawler) -> Result<()> {
        c.execute(
            "INSERT INTO crawlers (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![cr.name, body(cr)?],
        )?;
        Ok(())
    }

    pub fn list_crawlers(c: &Connection) -> Result<Vec<Crawler>> {
        let mut stmt = c.prepare_cached("SELECT body FROM crawlers ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn delete_crawler(c: &Connection, name: &str) -> Result<bool> {
        c.execute("DELETE FROM crawls WHERE crawler = ?1", [name])?;
        Ok(c.execute("DELETE FROM crawlers WHERE name = ?1", [name])? > 0)
    }

    pub fn put_crawl(c: &Connection, crawler: &str, crawl: &Crawl) -> Result<()> {
        c.execute(
            "INSERT INTO crawls (crawler, crawl_id, start_ms, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(crawler, crawl_id) DO UPDATE SET body = excluded.body",
            params![crawler, crawl.crawl_id, crawl.start_time, body(crawl)?],
        )?;
        Ok(())
    }

    /// A crawler's crawls, newest first.
    pub fn list_crawls(c: &Connection, crawler: &str) -> Result<Vec<Crawl>> {
        let mut stmt =
            c.prepare_cached("SELECT body FROM crawls WHERE crawler = ?1 ORDER BY start_ms DESC, crawl_id DESC")?;
        let rows = stmt.query_map([crawler], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn get_classifier(c: &Connection, name: &str) -> Result<Option<Classifier>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM classifiers WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_classifier(c: &Connection, cl: &Classifier) -> Result<()> {
        c.execute(
            "INSERT INTO classifiers (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![cl.name(), body(cl)?],
        )?;
        Ok(())
    }

    pub fn list_classifiers(c: &Connection) -> Result<Vec<Classifier>> {
        let mut stmt = c.prepare_cached("SELECT body FROM classifiers ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn delete_classifier(c: &Connection, name: &str) -> Result<bool> {
        Ok(c.execute("DELETE FROM classifiers WHERE name = ?1", [name])? > 0)
    }

    // ---- tags

    pub fn tags(c: &Connection, arn: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = c.prepare_cached("SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key")?;
        let rows = stmt.query_map([arn], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_tag(c: &Connection, arn: &str, key: &str, value: &str) -> Result<()> {
        c.execute(
            "INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?1, ?2, ?3)",
            [arn, key, value],
        )?;
        Ok(())
    }

    pub fn remove_tag(c: &Connection, arn: &str, key: &str) -> Result<()> {
        c.execute("DELETE FROM tags WHERE arn = ?1 AND key = ?2", [arn, key])?;
        Ok(())
    }

    pub fn remove_tags_under(c: &Connection, arn_prefix: &str) -> Result<()> {
        c.execute(
            "DELETE FROM tags WHERE arn = ?1 OR substr(arn, 1, length(?1) + 1) = ?1 || '/'",
            [arn_prefix],
        )?;
        Ok(())
    }

    // ---- jobs, job runs, bookmarks

    pub fn get_job(c: &Connection, name: &str) -> Result<Option<Job>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM jobs WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_job(c: &Connection, job: &Job) -> Result<()> {
        c.execute(
            "INSERT INTO jobs (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![job.name, body(job)?],
        )?;
        Ok(())
    }

    pub fn list_jobs(c: &Connection) -> Result<Vec<Job>> {
        let mut stmt = c.prepare_cached("SELECT body FROM jobs ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Removes a job with its runs and bookmark; false if there was none.
    pub fn delete_job(c: &Connection, name: &str) -> Result<bool> {
        c.execute("DELETE FROM job_runs WHERE job = ?1", [name])?;
        c.execute("DELETE FROM job_bookmarks WHERE job = ?1", [name])?;
        Ok(c.execute("DELETE FROM jobs WHERE name = ?1", [name])? > 0)
    }

    pub fn insert_job_run(c: &Connection, run: &JobRun) -> Result<()> {
        c.execute(
            "INSERT INTO job_runs (job, run_id, state, body) VALUES (?1, ?2, ?3, ?4)",
            params![run.job_name, run.id, run.state.as_str(), body(run)?],
        )?;
        Ok(())
    }

    /// Rewrites a run that exists; false if it is gone (its job was deleted).
    pub fn update_job_run(c: &Connection, run: &JobRun) -> Result<bool> {
        let n = c.execute(
            "UPDATE job_runs SET state = ?3, body = ?4 WHERE job = ?1 AND run_id = ?2",
            params![run.job_name, run.id, run.state.as_str(), body(run)?],
        )?;
        Ok(n > 0)
    }

    pub fn get_job_run(c: &Connection, job: &str, run_id: &str) -> Result<Option<JobRun>> {
        let row: Option<String> = c
            .query_row(
                "SELECT body FROM job_runs WHERE job = ?1 AND run_id = ?2",
                [job, run_id],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    /// A job's runs, newest first.
    pub fn list_job_runs(c: &Connection, job: &str) -> Result<Vec<JobRun>> {
        let mut stmt = c.prepare_cached("SELECT body FROM job_runs WHERE job = ?1 ORDER BY seq DESC")?;
        let rows = stmt.query_map([job], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// How many of a job's runs are not finished.
    pub fn count_live_job_runs(c: &Connection, job: &str) -> Result<i64> {
        Ok(c.query_row(
            "SELECT COUNT(*) FROM job_runs WHERE job = ?1 AND state IN ('STARTING', 'RUNNING', 'STOPPING')",
            [job],
            |r| r.get(0),
        )?)
    }

    /// Every run, of any job, that is not finished.
    pub fn live_job_runs(c: &Connection) -> Result<Vec<JobRun>> {
        let mut stmt = c.prepare_cached(
            "SELECT body FROM job_runs WHERE state IN ('STARTING', 'RUNNING', 'STOPPING') ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    pub fn get_job_bookmark(c: &Connection, job: &str) -> Result<Option<JobBookmark>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM job_bookmarks WHERE job = ?1", [job], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_job_bookmark(c: &Connection, bookmark: &JobBookmark) -> Result<()> {
        c.execute(
            "INSERT INTO job_bookmarks (job, body) VALUES (?1, ?2)
             ON CONFLICT(job) DO UPDATE SET body = excluded.body",
            params![bookmark.job_name, body(bookmark)?],
        )?;
        Ok(())
    }

    /// A job's newest run.
    pub fn latest_job_run(c: &Connection, job: &str) -> Result<Option<JobRun>> {
        let row: Option<String> = c
            .query_row(
                "SELECT body FROM job_runs WHERE job = ?1 ORDER BY seq DESC LIMIT 1",
                [job],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    // ---- triggers

    pub fn get_trigger(c: &Connection, name: &str) -> Result<Option<Trigger>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM triggers WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_trigger(c: &Connection, t: &Trigger) -> Result<()> {
        c.execute(
            "INSERT INTO triggers (name, workflow, body) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET workflow = excluded.workflow, body = excluded.body",
            params![t.name, t.workflow_name, body(t)?],
        )?;
        Ok(())
    }

    /// Every trigger, in name order.
    pub fn list_triggers(c: &Connection) -> Result<Vec<Trigger>> {
        let mut stmt = c.prepare_cached("SELECT body FROM triggers ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// A workflow's triggers, in name order.
    pub fn workflow_triggers(c: &Connection, workflow: &str) -> Result<Vec<Trigger>> {
        let mut stmt = c.prepare_cached("SELECT body FROM triggers WHERE workflow = ?1 ORDER BY name")?;
        let rows = stmt.query_map([workflow], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Removes a trigger with what it kept; false if there was none.
    pub fn delete_trigger(c: &Connection, name: &str) -> Result<bool> {
        c.execute("DELETE FROM trigger_progress WHERE trigger = ?1", [name])?;
        Ok(c.execute("DELETE FROM triggers WHERE name = ?1", [name])? > 0)
    }

    pub fn trigger_progress(c: &Connection, trigger: &str) -> Result<TriggerProgress> {
        let row: Option<String> = c
            .query_row("SELECT body FROM trigger_progress WHERE trigger = ?1", [trigger], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(row.map(|b| parse(&b)).transpose()?.unwrap_or_default())
    }

    pub fn put_trigger_progress(c: &Connection, trigger: &str, p: &TriggerProgress) -> Result<()> {
        c.execute(
            "INSERT INTO trigger_progress (trigger, body) VALUES (?1, ?2)
             ON CONFLICT(trigger) DO UPDATE SET body = excluded.body",
            params![trigger, body(p)?],
        )?;
        Ok(())
    }

    /// The EVENT triggers holding events towards a batch, with what they hold.
    pub fn pending_event_batches(c: &Connection) -> Result<Vec<(String, TriggerProgress)>> {
        let mut stmt = c.prepare_cached("SELECT trigger, body FROM trigger_progress ORDER BY trigger")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (trigger, b) = row?;
            let p: TriggerProgress = parse(&b)?;
            if p.first_event_at.is_some() {
                out.push((trigger, p));
            }
        }
        Ok(out)
    }

    // ---- workflows and their runs

    pub fn get_workflow(c: &Connection, name: &str) -> Result<Option<Workflow>> {
        let row: Option<String> = c
            .query_row("SELECT body FROM workflows WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    pub fn put_workflow(c: &Connection, w: &Workflow) -> Result<()> {
        c.execute(
            "INSERT INTO workflows (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![w.name, body(w)?],
        )?;
        Ok(())
    }

    pub fn list_workflows(c: &Connection) -> Result<Vec<Workflow>> {
        let mut stmt = c.prepare_cached("SELECT body FROM workflows ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// Removes a workflow with its runs and triggers; false if there was none.
    pub fn delete_workflow(c: &Connection, name: &str) -> Result<bool> {
        c.execute("DELETE FROM workflow_runs WHERE workflow = ?1", [name])?;
        c.execute(
            "DELETE FROM trigger_progress WHERE trigger IN (SELECT name FROM triggers WHERE workflow = ?1)",
            [name],
        )?;
        c.execute("DELETE FROM triggers WHERE workflow = ?1", [name])?;
        Ok(c.execute("DELETE FROM workflows WHERE name = ?1", [name])? > 0)
    }

    pub fn insert_workflow_run(c: &Connection, run: &WorkflowRun) -> Result<()> {
        c.execute(
            "INSERT INTO workflow_runs (workflow, run_id, status, body) VALUES (?1, ?2, ?3, ?4)",
            params![run.workflow_name, run.id, run.status.as_str(), body(run)?],
        )?;
        Ok(())
    }

    pub fn update_workflow_run(c: &Connection, run: &WorkflowRun) -> Result<()> {
        c.execute(
            "UPDATE workflow_runs SET status = ?3, body = ?4 WHERE workflow = ?1 AND run_id = ?2",
            params![run.workflow_name, run.id, run.status.as_str(), body(run)?],
        )?;
        Ok(())
    }

    pub fn get_workflow_run(c: &Connection, workflow: &str, run_id: &str) -> Result<Option<WorkflowRun>> {
        let row: Option<String> = c
            .query_row(
                "SELECT body FROM workflow_runs WHERE workflow = ?1 AND run_id = ?2",
                [workflow, run_id],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|b| parse(&b)).transpose()
    }

    /// A workflow's runs, newest first.
    pub fn list_workflow_runs(c: &Connection, workflow: &str) -> Result<Vec<WorkflowRun>> {
        let mut stmt = c.prepare_cached("SELECT body FROM workflow_runs WHERE workflow = ?1 ORDER BY seq DESC")?;
        let rows = stmt.query_map([workflow], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }

    /// How many of a workflow's runs are under way (RUNNING or STOPPING).
    pub fn count_live_workflow_runs(c: &Connection, workflow: &str) -> Result<i64> {
        Ok(c.query_row(
            "SELECT COUNT(*) FROM workflow_runs WHERE workflow = ?1 AND status IN ('RUNNING', 'STOPPING')",
            [workflow],
            |r| r.get(0),
        )?)
    }

    /// Every workflow run, of any workflow, that is under way.
    pub fn live_workflow_runs(c: &Connection) -> Result<Vec<WorkflowRun>> {
        let mut stmt =
            c.prepare_cached("SELECT body FROM workflow_runs WHERE status IN ('RUNNING', 'STOPPING') ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| parse(&b?)).collect()
    }
}
