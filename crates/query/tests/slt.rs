//! The SQL behaviour of lakestack's Athena, as data: runs every
//! sqllogictest file in `tests/slt/`, one test per file.
//!
//! Each file gets a fixture of its own: a Glue catalog in memory (with the
//! `default` database, which Athena always has), an in-memory object store
//! whose paths are `bucket/key` (any bucket exists), and a [`QueryEngine`]
//! over both. Every record runs as StartQueryExecution would run it, with
//! the database `default` and the output location `s3://athena-results/`,
//! and its answer is read back through GetQueryResults' pages: the text
//! Athena returns, the types it reports. So DDL, CTAS, INSERT INTO, UNLOAD,
//! views and partition projection are written in SQL like any query.
//!
//! - Column types: `I` for tinyint to bigint, `R` for real, double and
//!   decimal, `T` for everything else (checked strictly).
//! - Values: `NULL` for null, `(empty)` for the empty string.
//! - `statement count N`: the UpdateCount of CTAS, INSERT INTO and UNLOAD.
//! - `statement error` / `query error`: a regex over the failure's
//!   StateChangeReason (`SYNTAX_ERROR: line 1:8: ...`).
//!
//! Three records are the harness's own, not SQL:
//!
//! - `USE <db>`: later records of the connection run with `<db>` as the
//!   QueryExecutionContext's database.
//! - `@columns`: one row per column of the previous statement's result, its
//!   name and its type as ResultSetMetadata reports them (`decimal(10,2)`).
//! - `@scanned`: the number of distinct objects the previous statement read,
//!   which shows partition pruning at work.
//!
//! Connections (`connection <name>`) share the file's catalog and objects;
//! each has its own database.
//!
//! ```text
//! cargo test -p lakestack-query --test slt                  # every file
//! cargo test -p lakestack-query --test slt -- dates         # names containing `dates`
//! cargo test -p lakestack-query --test slt -- --exact ddl   # exactly `ddl.slt`
//! cargo test -p lakestack-query --test slt -- --skip json   # all but those
//! cargo test -p lakestack-query --test slt -- --list        # names only
//! cargo test -p lakestack-query --test slt -- --complete x  # rewrite x's expectations
//! ```
//!
//! `--complete` replaces the expected output of the selected files with what
//! the engine answers now: review the diff before keeping it.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lakestack_catalog::model::Database;
use lakestack_catalog::{Catalog, CatalogSettings};
use lakestack_query::{Execution, QueryEngine, StartRequest};
use object_store::memory::InMemory;
use sqllogictest::{
    AsyncDB, DBOutput, DefaultColumnType, Runner, default_normalizer, default_validator, strict_column_validator,
};

/// Where every query's result goes (and CTAS tables without a location).
const OUTPUT: &str = "s3://athena-results/";
/// A statement still running after this long fails the file.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(120);
/// Rows asked for per GetQueryResults page (Athena's maximum).
const PAGE: usize = 1000;

#[derive(Debug)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

fn failed(e: impl std::fmt::Display) -> Failed {
    Failed(e.to_string())
}

/// One file's catalog and engine.
fn fixture() -> Result<Arc<QueryEngine>, Failed> {
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(InMemory::new());
    let catalog = Catalog::in_memory(Arc::clone(&objects), CatalogSettings::default()).map_err(failed)?;
    catalog
        .create_database(Database {
            name: "default".into(),
            ..Database::default()
        })
        .map_err(failed)?;
    QueryEngine::in_memory(catalog, objects).map_err(failed)
}

/// A connection: Athena's API with a current database.
struct Athena {
    engine: Arc<QueryEngine>,
    database: String,
    /// The previous statement, for `@columns` and `@scanned`.
    last: Option<Execution>,
}

fn column_type(athena: &str) -> DefaultColumnType {
    match athena {
        "tinyint" | "smallint" | "integer" | "bigint" => DefaultColumnType::Integer,
        "real" | "double" | "decimal" => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Text,
    }
}

fn cell(v: Option<String>) -> String {
    match v {
        None => "NULL".to_owned(),
        Some(v) if v.is_empty() => "(empty)".to_owned(),
        Some(v) => v,
    }
}

/// `USE db` → `db`.
fn use_statement(sql: &str) -> Option<String> {
    let mut words = sql.trim().trim_end_matches(';').split_whitespace();
    let first = words.next()?;
    let db = words.next()?;
    (first.eq_ignore_ascii_case("use") && words.next().is_none()).then(|| db.trim_matches('"').to_lowercase())
}

impl Athena {
    fn previous(&self, what: &str) -> Result<&Execution, Failed> {
        self.last
            .as_ref()
            .ok_or_else(|| Failed(format!("{what} needs a statement before it")))
    }

    async fn execute(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, Failed> {
        let id = self
            .engine
            .start(StartRequest {
                query: sql.to_owned(),
                database: Some(self.database.clone()),
                output_location: Some(OUTPUT.into()),
                ..StartRequest::default()
            })
            .map_err(failed)?;
        let started = Instant::now();
        let e = loop {
            let e = self.engine.get(&id).map_err(failed)?;
            if e.is_done() {
                break e;
            }
            if started.elapsed() > STATEMENT_TIMEOUT {
                return Err(Failed(format!("still {} after {STATEMENT_TIMEOUT:?}", e.state)));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        self.last = Some(e.clone());
        if e.state != "SUCCEEDED" {
            let reason = e.error.map(|x| x.message).or(e.state_change_reason);
            return Err(Failed(reason.unwrap_or(e.state)));
        }
        let mut rows = Vec::new();
        let mut token = None;
        loop {
            let page = self.engine.results(&id, token.as_deref(), PAGE).await.map_err(failed)?;
            rows.extend(page.rows);
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        // A query's CSV starts with its header; DDL's text output has none.
        if !e.output_location.ends_with(".txt") && !e.columns.is_empty() && !rows.is_empty() {
            rows.remove(0);
        }
        if e.columns.is_empty() && rows.is_empty() {
            return Ok(DBOutput::StatementComplete(e.update_count.unwrap_or(0)));
        }
        let types = if e.columns.is_empty() {
            // MSCK REPAIR TABLE says what it did in rows without columns.
            vec![DefaultColumnType::Text]
        } else {
            e.columns.iter().map(|c| column_type(&c.type_name)).collect()
        };
        let rows = rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect();
        Ok(DBOutput::Rows { types, rows })
    }
}

#[async_trait]
impl AsyncDB for Athena {
    type Error = Failed;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, Failed> {
        if let Some(db) = use_statement(sql) {
            self.database = db;
            return Ok(DBOutput::StatementComplete(0));
        }
        match sql.trim() {
            "@columns" => {
                let e = self.previous("@columns")?;
                let rows = e
                    .columns
                    .iter()
                    .map(|c| {
                        let ty = if c.type_name == "decimal" {
                            format!("decimal({},{})", c.precision, c.scale)
                        } else {
                            c.type_name.clone()
                        };
                        vec![c.name.clone(), ty]
                    })
                    .collect();
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Text; 2],
                    rows,
                })
            }
            "@scanned" => {
                let e = self.previous("@scanned")?;
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Integer],
                    rows: vec![vec![e.objects_read.to_string()]],
                })
            }
            _ => self.execute(sql).await,
        }
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "lakestack"
    }

    async fn sleep(dur: Duration) {
        tokio::time::sleep(dur).await;
    }
}

fn runner(engine: Arc<QueryEngine>) -> Runner<Athena, impl sqllogictest::MakeConnection<Conn = Athena>> {
    let mut runner = Runner::new(move || {
        let engine = Arc::clone(&engine);
        async move {
            Ok(Athena {
                engine,
                database: "default".into(),
                last: None,
            })
        }
    });
    runner.with_column_validator(strict_column_validator);
    runner
}

/// Runs one file; the error is the report to print.
async fn run_file(path: PathBuf, complete: bool) -> Result<(), String> {
    let engine = fixture().map_err(|e| e.to_string())?;
    let mut runner = runner(engine);
    if complete {
        runner
            .update_test_file(
                &path,
                " ",
                default_validator,
                default_normalizer,
                strict_column_validator,
            )
            .await
            .map_err(|e| e.to_string())
    } else {
        runner
            .run_file_async(&path)
            .await
            .map_err(|e| e.display(false).to_string())
    }
}

/// The command line, as libtest takes it (the flags this harness needs;
/// the others cargo may pass are accepted and ignored).
#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
    ignored: bool,
    complete: bool,
    threads: Option<usize>,
}

impl Args {
    fn parse(args: impl IntoIterator<Item = String>) -> Self {
        let mut out = Self::default();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if a.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (a.clone(), None),
            };
            let mut value = |inline: Option<String>| inline.or_else(|| args.next()).unwrap_or_default();
            match flag.as_str() {
                "--exact" => out.exact = true,
                "--list" => out.list = true,
                "--ignored" => out.ignored = true,
                "--complete" => out.complete = true,
                "--skip" => out.skip.push(value(inline)),
                "--test-threads" => out.threads = value(inline).parse().ok(),
                // Flags with a value that this harness does not use.
                "--color" | "--format" | "--logfile" | "-Z" | "--report-time" if inline.is_none() => {
                    let _ = args.next();
                }
                f if f.starts_with('-') => {}
                _ => out.filters.push(a),
            }
        }
        out
    }

    fn matches(&self, name: &str, filter: &str) -> bool {
        if self.exact {
            name == filter || name.strip_suffix(".slt") == Some(filter)
        } else {
            name.contains(filter)
        }
    }

    fn selects(&self, name: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(name, f)))
            && !self.skip.iter().any(|f| self.matches(name, f))
    }
}

/// The `.slt` files under `dir`, by their path below it, sorted.
fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "slt") {
                let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
                out.push((name, path));
            }
        }
    }
    out.sort();
    out
}

fn main() -> ExitCode {
    let args = Args::parse(std::env::args().skip(1));
    // Relative to the package, where cargo runs its tests: a path compiled in
    // would go stale when a cached build is reused from another checkout.
    let dir = PathBuf::from("tests/slt");
    let all = files(&dir);
    assert!(!all.is_empty(), "no .slt files in {}", dir.display());
    // No file is an ignored test: `--ignored` selects none.
    let selected: Vec<(String, PathBuf)> = all
        .into_iter()
        .filter(|(name, _)| !args.ignored && args.selects(name))
        .collect();
    if args.list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let threads = args
        .threads
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(4, usize::from));
    let plural = if selected.len() == 1 { "" } else { "s" };
    println!("\nrunning {} slt file{plural}", selected.len());
    // sqllogictest's runner is not `Send`: each file is driven by a thread of
    // its own, while the engine's tasks run on the shared runtime.
    let next = AtomicUsize::new(0);
    let (done, outcomes) = mpsc::channel();
    let mut failures = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(selected.len()) {
            let (done, handle, next, selected) = (done.clone(), runtime.handle().clone(), &next, &selected);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, path)) = selected.get(i) else { break };
                    let run = AssertUnwindSafe(|| handle.block_on(run_file(path.clone(), args.complete)));
                    let outcome = std::panic::catch_unwind(run).unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "a panic".into());
                        Err(format!("panicked: {what}"))
                    });
                    if done.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // Reported in file order, each as soon as it and those before it are done.
        let mut finished = BTreeMap::new();
        let mut reported = 0;
        for (i, outcome) in outcomes {
            finished.insert(i, outcome);
            while let Some(outcome) = finished.remove(&reported) {
                let name = &selected[reported].0;
                match outcome {
                    Ok(()) => println!("test {name} ... ok"),
                    Err(report) => {
                        println!("test {name} ... FAILED");
                        failures.push((name, report));
                    }
                }
                reported += 1;
            }
        }
    });
    for (name, report) in &failures {
        println!("\n---- {name} ----\n{report}");
    }
    let passed = selected.len() - failures.len();
    println!("\n{passed} passed, {} failed", failures.len());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
