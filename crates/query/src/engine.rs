//! Query executions: accept, queue on a bounded pool, plan and run on
//! DataFusion over the Glue catalog, stream the result to S3 as Athena's CSV,
//! and page through the stored result.

use std::collections::HashMap;
use std::path::Path as FsPath;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use datafusion::arrow::datatypes::Schema;
use datafusion::execution::cache::cache_manager::{CacheManager, CacheManagerConfig};
use datafusion::execution::memory_pool::MemoryPool;
use datafusion::prelude::SessionContext;
use futures::{FutureExt as _, StreamExt};
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_catalog::Catalog;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt as _};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Semaphore, broadcast};

use crate::counting::CountingStore;
use crate::error::{QueryError, Result};
use crate::errors::athena_error;
use crate::execution::{AthenaError, Execution, ExecutionStore, QueryEvent, ResultColumn};
use crate::provider::{CATALOG_NAME, GlueCatalog};
use crate::sandbox::{self, QueryLimits};
use crate::types::athena_type;
use crate::{ddl, naming, render, writes};

/// Queries that run at once; the rest wait QUEUED.
const DEFAULT_CONCURRENCY: usize = 4;
/// GetQueryResults reads the stored CSV in chunks of this size.
const READ_CHUNK: u64 = 1 << 20;

/// What StartQueryExecution asks for.
#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub query: String,
    pub database: Option<String>,
    pub catalog: Option<String>,
    pub output_location: Option<String>,
    pub workgroup: Option<String>,
    pub client_request_token: Option<String>,
    pub parameters: Vec<String>,
}

/// One page of GetQueryResults.
#[derive(Debug, Clone, Default)]
pub struct ResultPage {
    pub update_count: u64,
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Option<String>>>,
    pub next_token: Option<String>,
}

/// A query not yet ended. Its state changes happen under the lock on the
/// table that holds it (`QueryEngine::running`), so StopQueryExecution and
/// the query's own task never both change it, and its events go out in the
/// order of its changes; a query no longer in the table has ended.
struct Running {
    task: tokio::task::AbortHandle,
    /// The sequence number of the query's last state change event.
    sequence: u64,
}

pub struct QueryEngine {
    pub(crate) store: ExecutionStore,
    catalog: Arc<Catalog>,
    objects: Arc<dyn ObjectStore>,
    running: Mutex<HashMap<String, Running>>,
    slots: Arc<Semaphore>,
    /// Parquet footers and file statistics outlive a query: the next query
    /// over the same objects reads neither again. Entries are checked against
    /// the object's size and last-modified time, so a rewritten file is reread.
    caches: Arc<CacheManager>,
    /// Every query's operators reserve from this one pool.
    memory: Arc<dyn MemoryPool>,
    limits: QueryLimits,
    /// Every query's state changes, for the process's event bus.
    events: broadcast::Sender<QueryEvent>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `s3://bucket/prefix/` → object path `bucket/prefix`.
pub(crate) fn s3_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("s3://")?;
    let rest = rest.trim_end_matches('/');
    (!rest.is_empty() && !rest.starts_with('/')).then(|| rest.to_owned())
}

/// EXPLAIN's answer as Athena shapes it: one varchar column `Query Plan`, a
/// row per line. The plans are DataFusion's (logical, then physical).
async fn explained(
    ctx: &SessionContext,
    df: datafusion::dataframe::DataFrame,
) -> datafusion::error::Result<datafusion::dataframe::DataFrame> {
    let mut lines: Vec<String> = Vec::new();
    for batch in df.collect().await? {
        let (kinds, plans) = (batch.column(0), batch.column(1));
        for r in 0..batch.num_rows() {
            lines.push(render::value(kinds, r).unwrap_or_default());
            for line in render::value(plans, r).unwrap_or_default().lines() {
                lines.push(format!("    {line}"));
            }
        }
    }
    let schema = Arc::new(Schema::new(vec![datafusion::arrow::datatypes::Field::new(
        "Query Plan",
        datafusion::arrow::datatypes::DataType::Utf8,
        false,
    )]));
    let column = Arc::new(datafusion::arrow::array::StringArray::from(lines));
    ctx.read_batch(datafusion::arrow::record_batch::RecordBatch::try_new(
        schema,
        vec![column],
    )?)
}

/// `EXPLAIN (TYPE VALIDATE)`'s answer: one boolean column `Valid`, true.
fn valid(ctx: &SessionContext) -> datafusion::error::Result<datafusion::dataframe::DataFrame> {
    let schema = Arc::new(Schema::new(vec![datafusion::arrow::datatypes::Field::new(
        "Valid",
        datafusion::arrow::datatypes::DataType::Boolean,
        false,
    )]));
    let column = Arc::new(datafusion::arrow::array::BooleanArray::from(vec![true]));
    ctx.read_batch(datafusion::arrow::record_batch::RecordBatch::try_new(
        schema,
        vec![column],
    )?)
}

/// The statement's first keyword, upper-cased, past whitespace, opening
/// parentheses and comments (`-- ...` and `/* ... */`), which users put first.
fn first_keyword(sql: &str) -> String {
    let mut rest = sql;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    rest.split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase()
}

/// The statement type Athena reports, from the first keyword.
fn statement_type(sql: &str) -> &'static str {
    let first = first_keyword(sql);
    match first.as_str() {
        "SELECT" | "WITH" | "VALUES" | "TABLE" | "INSERT" | "UNLOAD" | "DELETE" | "UPDATE" | "MERGE" => "DML",
        "SHOW" | "DESCRIBE" | "EXPLAIN" | "EXECUTE" | "PREPARE" | "DEALLOCATE" | "USE" => "UTILITY",
        _ => "DDL",
    }
}

/// Replaces `?` placeholders outside string literals with the parameters, in order.
fn bind_parameters(sql: &str, params: &[String]) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut next = params.iter();
    let mut in_string = false;
    let mut used = 0;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string => match next.next() {
                Some(p) => {
                    out.push_str(p);
                    used += 1;
                }
                None => {
                    return Err(QueryError::InvalidRequest(
                        "Query has more parameter placeholders than ExecutionParameters".into(),
                    ));
                }
            },
            _ => out.push(c),
        }
    }
    if used < params.len() {
        return Err(QueryError::InvalidRequest(
            "ExecutionParameters has more values than the query has placeholders".into(),
        ));
    }
    Ok(out)
}

fn write_failed(location: &str, e: &dyn std::fmt::Display) -> AthenaError {
    AthenaError {
        category: 1,
        error_type: 401,
        retryable: true,
        message: format!("GENERIC_INTERNAL_ERROR: writing the result to {location}: {e}"),
    }
}

/// What a caught panic said, when it said it as text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".into())
}

/// `90 s`, `30 min`: a duration as a person reads it.
fn humantime(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 && secs % 60.0 == 0.0 {
        format!("{} min", secs / 60.0)
    } else {
        format!("{secs} s")
    }
}

fn encode_token(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(offset.to_string())
}

fn decode_token(t: &str) -> Result<u64> {
    URL_SAFE_NO_PAD
        .decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| QueryError::InvalidRequest("NextToken is not valid".into()))
}

impl QueryEngine {
    pub fn open(
        dir: &FsPath,
        catalog: Arc<Catalog>,
        objects: Arc<dyn ObjectStore>,
        limits: QueryLimits,
    ) -> Result<Arc<Self>> {
        Self::with_store(
            ExecutionStore::open(&dir.join("queries.sqlite"))?,
            catalog,
            objects,
            limits,
        )
    }

    pub fn in_memory(catalog: Arc<Catalog>, objects: Arc<dyn ObjectStore>) -> Result<Arc<Self>> {
        Self::with_store(ExecutionStore::in_memory()?, catalog, objects, QueryLimits::default())
    }

    fn with_store(
        store: ExecutionStore,
        catalog: Arc<Catalog>,
        objects: Arc<dyn ObjectStore>,
        limits: QueryLimits,
    ) -> Result<Arc<Self>> {
        // A query that was running when the process died cannot be resumed.
        for mut e in store.unfinished()? {
            e.state = "FAILED".into();
            e.completed_ms = Some(now_ms());
            let msg = "The query was interrupted because lakestack stopped.".to_owned();
            e.state_change_reason = Some(msg.clone());
            e.error = Some(AthenaError {
                category: 1,
                error_type: 401,
                retryable: true,
                message: msg,
            });
            store.put(&e)?;
        }
        Ok(Arc::new(Self {
            store,
            catalog,
            objects,
            running: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(DEFAULT_CONCURRENCY)),
            caches: CacheManager::try_new(&CacheManagerConfig::default())
                .map_err(|e| QueryError::Internal(Box::new(e)))?,
            memory: sandbox::memory_pool(limits.memory),
            limits,
            events: broadcast::channel(1024).0,
        }))
    }

    /// Every query's state changes (QUEUED, RUNNING, then SUCCEEDED, FAILED
    /// or CANCELLED), in order, for the process's event bus and `.sync` waits.
    pub fn subscribe(&self) -> broadcast::Receiver<QueryEvent> {
        self.events.subscribe()
    }

    /// Announces the change that brought `e` to its recorded state. A send
    /// with nobody subscribed fails, which is no concern of the query's.
    fn emit(&self, e: &Execution, previous_state: Option<&str>, sequence: u64) {
        let _ = self.events.send(QueryEvent::of(e, previous_state, sequence));
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Accepts a query and runs it in the background; returns its id.
    pub fn start(self: &Arc<Self>, req: StartRequest) -> Result<String> {
        let query = req.query.trim().to_owned();
        if query.is_empty() || query.len() > 262_144 {
            return Err(QueryError::InvalidRequest(
                Violation::len_between("queryString", Shown::Hidden, 1, 262_144).message(),
            ));
        }
        let workgroup = req.workgroup.clone().unwrap_or_else(|| "primary".into());
        let wg = self.workgroup(&workgroup)?;
        if wg.state != "ENABLED" {
            return Err(QueryError::InvalidRequest(format!(
                "WorkGroup {workgroup} is disabled."
            )));
        }
        if let Some(token) = &req.client_request_token
            && let Some(e) = self.store.by_token(&workgroup, token)?
        {
            return Ok(e.id);
        }
        let catalog = req
            .catalog
            .clone()
            .unwrap_or_else(|| CATALOG_NAME.into())
            .to_lowercase();
        if catalog != CATALOG_NAME {
            return Err(QueryError::InvalidRequest(format!("Catalog {catalog} does not exist")));
        }
        // The work group's location applies when the request has none, and
        // always when the work group enforces its configuration.
        let output = if wg.enforce {
            wg.output_location.or(req.output_location)
        } else {
            req.output_location.or(wg.output_location)
        };
        let output = output.ok_or_else(|| {
            QueryError::InvalidRequest(
                "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.".into(),
            )
        })?;
        if s3_path(&output).is_none() {
            return Err(QueryError::InvalidRequest(format!(
                "outputLocation {output} is not a valid S3 path"
            )));
        }
        let sql = match crate::resources::parse_execute(&query) {
            None => bind_parameters(&query, &req.parameters)?,
            Some(parsed) => {
                let (name, mut values) = parsed?;
                let statement = self
                    .prepared(&workgroup, &name)
                    .map_err(|e| QueryError::InvalidRequest(e.to_string()))?;
                values.extend(req.parameters.iter().cloned());
                bind_parameters(&statement.query, &values)?
            }
        };
        // Athena parses a statement before it queues it: one that does not
        // parse is refused here, not run to FAILED.
        if let Some(message) = syntax_error(&sql) {
            return Err(QueryError::InvalidRequest(message));
        }
        let id = uuid::Uuid::new_v4().to_string();
        // Athena writes DDL and utility output as text, SELECT results as CSV.
        let suffix = if matches!(ddl::parse::parse(&sql), Ok(Some(_))) {
            "txt"
        } else {
            "csv"
        };
        let exec = Execution {
            id: id.clone(),
            query,
            database: req.database.clone(),
            catalog,
            workgroup,
            output_location: format!("{}/{id}.{suffix}", output.trim_end_matches('/')),
            statement_type: statement_type(&sql).into(),
            state: "QUEUED".into(),
            submitted_ms: now_ms(),
            client_request_token: req.client_request_token,
            ..Execution::default()
        };
        self.store.put(&exec)?;
        // Before the task exists, so QUEUED goes out before RUNNING.
        self.emit(&exec, None, 1);
        let engine = Arc::clone(self);
        // Held until the query is in the table: its task waits for it there.
        let mut running = self.running();
        let task = tokio::spawn(async move { engine.run(exec, sql).await });
        running.insert(
            id.clone(),
            Running {
                task: task.abort_handle(),
                sequence: 1,
            },
        );
        Ok(id)
    }

    pub fn get(&self, id: &str) -> Result<Execution> {
        self.store
            .get(id)?
            .ok_or_else(|| QueryError::InvalidRequest(format!("QueryExecution {id} was not found")))
    }

    /// Ids of a work group's executions, newest first.
    pub fn list(
        &self,
        workgroup: Option<&str>,
        next_token: Option<&str>,
        max: usize,
    ) -> Result<(Vec<String>, Option<String>)> {
        let wg = workgroup.unwrap_or("primary");
        let after = match next_token {
            None => None,
            Some(t) => {
                let raw = URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| QueryError::InvalidRequest("NextToken is not valid".into()))?;
                let (ms, id) = raw
                    .split_once('/')
                    .and_then(|(m, i)| Some((m.parse().ok()?, i.to_owned())))
                    .ok_or_else(|| QueryError::InvalidRequest("NextToken is not valid".into()))?;
                Some((ms, id))
            }
        };
        let mut page = self.store.list(wg, after, max + 1)?;
        let next = (page.len() > max).then(|| {
            page.truncate(max);
            let (id, ms) = &page[max - 1];
            URL_SAFE_NO_PAD.encode(format!("{ms}/{id}"))
        });
        Ok((page.into_iter().map(|(id, _)| id).collect(), next))
    }

    /// Cancels a queued or running query; a finished one is left as it is.
    pub fn stop(&self, id: &str) -> Result<()> {
        if self.get(id)?.is_done() {
            return Ok(());
        }
        let mut running = self.running();
        // Not in the table: it ended (and recorded so) since the read above.
        let Some(r) = running.remove(id) else {
            return Ok(());
        };
        r.task.abort();
        // Read again under the lock: the query may have started since.
        let mut e = self.get(id)?;
        let previous = std::mem::replace(&mut e.state, "CANCELLED".into());
        e.completed_ms = Some(now_ms());
        e.state_change_reason = Some("Query was cancelled by the user".into());
        let recorded = self.store.put(&e);
        // Its task is gone whether or not the record was written: waiters
        // must hear that it ended.
        self.emit(&e, Some(&previous), r.sequence + 1);
        recorded
    }

    async fn run(self: Arc<Self>, mut exec: Execution, sql: String) {
        let Ok(_permit) = Arc::clone(&self.slots).acquire_owned().await else {
            return;
        };
        {
            let mut running = self.running();
            // Gone from the table: stopped while it waited for a slot.
            let Some(r) = running.get_mut(&exec.id) else {
                return;
            };
            exec.state = "RUNNING".into();
            exec.started_ms = Some(now_ms());
            if let Err(e) = self.store.put(&exec) {
                tracing::error!(error = %e, "could not record a query start");
            }
            r.sequence += 1;
            self.emit(&exec, Some("QUEUED"), r.sequence);
        }
        let started = Instant::now();
        let timeout = self.limits.timeout;
        // A panic or an overrun ends the query FAILED, never RUNNING forever.
        let work = std::panic::AssertUnwindSafe(self.execute(&mut exec, &sql)).catch_unwind();
        let outcome = match tokio::time::timeout(timeout, work).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panic)) => {
                let what = panic_message(panic.as_ref());
                tracing::error!(target: "lakestack::athena", panic = %what, "a query panicked");
                Err(AthenaError {
                    category: 1,
                    error_type: 200,
                    retryable: false,
                    message: format!("GENERIC_INTERNAL_ERROR: the query engine failed: {what}"),
                })
            }
            Err(_) => Err(AthenaError {
                category: 1,
                error_type: 206,
                retryable: false,
                message: format!(
                    "Query timeout: the query ran longer than the limit of {} (--query-timeout)",
                    humantime(timeout)
                ),
            }),
        };
        exec.engine_ms = started.elapsed().as_millis() as i64;
        exec.completed_ms = Some(now_ms());
        match outcome {
            Ok(()) => exec.state = "SUCCEEDED".into(),
            Err(e) => {
                exec.state = "FAILED".into();
                exec.state_change_reason = Some(e.message.clone());
                exec.error = Some(e);
            }
        }
        // StopQueryExecution may have recorded CANCELLED while we finished.
        let mut running = self.running();
        let Some(r) = running.remove(&exec.id) else {
            return;
        };
        if let Err(e) = self.store.put(&exec) {
            tracing::error!(error = %e, "could not record a query's end");
        }
        self.emit(&exec, Some("RUNNING"), r.sequence + 1);
        drop(running);
        tracing::info!(
            target: "lakestack::athena",
            id = %exec.id,
            state = %exec.state,
            ms = exec.engine_ms,
            scanned = exec.scanned_bytes,
            objects = exec.objects_read,
            rows = exec.rows,
            "query finished"
        );
    }

    fn context(
        &self,
        exec: &Execution,
    ) -> std::result::Result<(SessionContext, Arc<crate::counting::ScanCounts>), AthenaError> {
        let (counting, scanned) = CountingStore::new(Arc::clone(&self.objects));
        let internal = |e: datafusion::error::DataFusionError| athena_error(&e, &exec.query);
        let runtime = sandbox::runtime(Arc::new(counting), Some(&self.caches), Some(&self.memory)).map_err(internal)?;
        let schema = exec.database.clone().unwrap_or_else(|| "default".into()).to_lowercase();
        let ctx = crate::trino::session(crate::provider::session_config(schema), runtime);
        crate::trino::register(&ctx);
        ctx.register_catalog(
            CATALOG_NAME,
            Arc::new(GlueCatalog {
                catalog: Arc::clone(&self.catalog),
                objects: Arc::clone(&self.objects),
                caches: Some(Arc::clone(&self.caches)),
                views: Vec::new(),
            }),
        );
        Ok((ctx, scanned))
    }

    /// Athena's data manifest of a CTAS, INSERT INTO or UNLOAD: the objects it
    /// wrote, one `s3://` URL a line, in `<id>-manifest.csv` beside the result,
    /// reported as `Statistics.DataManifestLocation` (awswrangler reads it).
    async fn put_manifest(&self, exec: &mut Execution, written: &[String]) -> std::result::Result<(), AthenaError> {
        let manifest = exec.output_location.trim_end_matches(".csv").to_owned() + "-manifest.csv";
        let body: String = written.iter().map(|w| format!("{w}\n")).collect();
        let path = Path::from(s3_path(&manifest).unwrap_or_default());
        self.objects
            .put(&path, body.into())
            .await
            .map_err(|e| write_failed(&manifest, &e))?;
        exec.data_manifest = Some(manifest);
        Ok(())
    }

    async fn execute(&self, exec: &mut Execution, sql: &str) -> std::result::Result<(), AthenaError> {
        let syntax = |e: ddl::parse::DdlError| AthenaError {
            category: 2,
            error_type: 1000,
            retryable: false,
            message: format!("SYNTAX_ERROR: line {}:{}: {}", e.line, e.column, e.message),
        };
        let default_db = exec.database.clone().unwrap_or_else(|| "default".into()).to_lowercase();
        if let Some(c) = ddl::parse::parse_ctas(sql).map_err(syntax)? {
            let (ctx, scanned) = self.context(exec)?;
            let dir = exec.output_location.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            let location = format!("{dir}/tables/{}/", exec.id);
            let (rows, written) = writes::ctas(
                &ctx,
                &self.catalog,
                self.objects.as_ref(),
                c,
                sql,
                &default_db,
                location,
            )
            .await?;
            exec.scanned_bytes = scanned.bytes();
            exec.objects_read = scanned.objects();
            self.put_manifest(exec, &written).await?;
            return self.finish_write(exec, rows).await;
        }
        if let Some(i) = ddl::parse::parse_insert(sql).map_err(syntax)? {
            let (ctx, scanned) = self.context(exec)?;
            let (rows, written) =
                writes::insert(&ctx, &self.catalog, self.objects.as_ref(), i, sql, &default_db).await?;
            exec.scanned_bytes = scanned.bytes();
            exec.objects_read = scanned.objects();
            self.put_manifest(exec, &written).await?;
            return self.finish_write(exec, rows).await;
        }
        if let Some(u) = ddl::parse::parse_unload(sql).map_err(syntax)? {
            let (ctx, scanned) = self.context(exec)?;
            let (rows, written) = writes::unload(&ctx, self.objects.as_ref(), u, sql).await?;
            exec.scanned_bytes = scanned.bytes();
            exec.objects_read = scanned.objects();
            self.put_manifest(exec, &written).await?;
            return self.finish_write(exec, rows).await;
        }
        if let Some(v) = ddl::parse::parse_view(sql).map_err(syntax)? {
            let (ctx, _) = self.context(exec)?;
            crate::views::create(&ctx, &self.catalog, v, sql, &default_db).await?;
            return self.put_output(exec, bytes::Bytes::new()).await;
        }
        match ddl::parse::parse(sql) {
            Err(e) => {
                return Err(AthenaError {
                    category: 2,
                    error_type: 1000,
                    retryable: false,
                    message: format!("SYNTAX_ERROR: line {}:{}: {}", e.line, e.column, e.message),
                });
            }
            Ok(Some(statement)) => return self.execute_ddl(exec, statement).await,
            Ok(None) => {}
        }
        // Before sqlparser builds a tree from the text (see `sandbox`); the
        // statements above are parsed by lakestack's own iterative parsers
        // and plan their queries through `trino::plan`, which checks too.
        // EXPLAIN's Trino options, blanked out of the text (same length).
        let explain_options = crate::explain::options(sql).map_err(|e| AthenaError {
            category: 2,
            error_type: 1000,
            retryable: false,
            message: format!("SYNTAX_ERROR: line {}:{}: {}", e.line, e.column, e.message),
        })?;
        let validate = explain_options.as_ref().is_some_and(|e| e.validate);
        let sql = explain_options.as_ref().map_or(sql, |e| e.sql.as_str());
        sandbox::check_chains(sql).map_err(|e| athena_error(&e, sql))?;
        if let Some(e) = naming::parse_error(sql) {
            return Err(athena_error(&e, sql));
        }
        // What is left must be a query or EXPLAIN of one; `trino::plan`
        // judges the parsed statement and refuses anything else.
        let (ctx, scanned) = self.context(exec)?;
        let fail = |e: datafusion::error::DataFusionError| athena_error(&e, sql);
        let planning = Instant::now();
        let mut df = crate::trino::plan(&ctx, sql).await.map_err(fail)?;
        let explain = sql
            .trim_start()
            .get(..7)
            .is_some_and(|w| w.eq_ignore_ascii_case("explain"));
        if validate {
            // Planned without error: valid. The plan is not run.
            df = valid(&ctx).map_err(fail)?;
        } else if explain {
            df = explained(&ctx, df).await.map_err(fail)?;
        }
        exec.planning_ms = planning.elapsed().as_millis() as i64;
        let schema: Schema = df.schema().as_arrow().clone();
        let df_names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let names = if explain {
            df_names
        } else {
            naming::athena_names(sql, &df_names)
        };
        exec.columns = schema
            .fields()
            .iter()
            .zip(&names)
            .map(|(f, column)| {
                let (name, precision, scale) = athena_type(f.data_type());
                ResultColumn {
                    name: column.clone(),
                    type_name: name.into(),
                    precision,
                    scale,
                }
            })
            .collect();
        let mut stream = df.execute_stream().await.map_err(fail)?;
        let path = Path::from(s3_path(&exec.output_location).unwrap_or_default());
        let mut out = BufWriter::new(Arc::clone(&self.objects), path.clone());
        let location = exec.output_location.clone();
        let io = |e: std::io::Error| write_failed(&location, &e);
        let mut buf = String::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                buf.push(',');
            }
            render::csv_field(&mut buf, Some(n));
        }
        buf.push('\n');
        let mut rows = 0u64;
        while let Some(batch) = stream.next().await {
            let batch = batch.map_err(fail)?;
            render::csv_rows(&mut buf, batch.columns(), batch.num_rows());
            rows += batch.num_rows() as u64;
            if buf.len() > 1 << 20 {
                out.write_all(buf.as_bytes()).await.map_err(io)?;
                buf.clear();
            }
        }
        out.write_all(buf.as_bytes()).await.map_err(io)?;
        out.shutdown().await.map_err(io)?;
        exec.rows = rows;
        exec.scanned_bytes = scanned.bytes();
        exec.objects_read = scanned.objects();
        let metadata = crate::result_metadata::encode(&exec.id, &exec.columns);
        let meta_path = Path::from(format!("{path}.metadata"));
        self.objects
            .put(&meta_path, metadata.into())
            .await
            .map_err(|e| io(std::io::Error::other(e)))?;
        Ok(())
    }

    /// A write statement's answer: no rows, the count in `UpdateCount`.
    async fn finish_write(&self, exec: &mut Execution, rows: u64) -> std::result::Result<(), AthenaError> {
        exec.update_count = Some(rows);
        self.put_output(exec, bytes::Bytes::new()).await
    }

    async fn put_output(&self, exec: &Execution, body: bytes::Bytes) -> std::result::Result<(), AthenaError> {
        let path = Path::from(s3_path(&exec.output_location).unwrap_or_default());
        self.objects
            .put(&path, body.into())
            .await
            .map_err(|e| write_failed(&exec.output_location, &e))?;
        Ok(())
    }

    async fn execute_ddl(
        &self,
        exec: &mut Execution,
        statement: ddl::parse::Ddl,
    ) -> std::result::Result<(), AthenaError> {
        let default_db = exec.database.clone().unwrap_or_else(|| "default".into()).to_lowercase();
        let out = ddl::run(&self.catalog, self.objects.as_ref(), statement, &default_db).await?;
        let mut text = String::new();
        for row in &out.rows {
            text.push_str(&row.join("\t"));
            text.push('\n');
        }
        self.put_output(exec, text.into()).await?;
        exec.rows = out.rows.len() as u64;
        exec.columns = out.columns;
        Ok(())
    }

    /// One page of a finished query's result, read back from its CSV in S3.
    /// The first page starts with the header row, as Athena's does.
    pub async fn results(&self, id: &str, next_token: Option<&str>, max: usize) -> Result<ResultPage> {
        let e = self.get(id)?;
        match e.state.as_str() {
            "SUCCEEDED" => {}
            "FAILED" | "CANCELLED" => {
                return Err(QueryError::InvalidRequest(format!(
                    "Query did not finish successfully. Final query state: {}{}",
                    e.state,
                    e.state_change_reason.map(|r| format!("\n{r}")).unwrap_or_default()
                )));
            }
            other => {
                return Err(QueryError::InvalidRequest(format!(
                    "Query has not yet finished. Current state: {other}"
                )));
            }
        }
        let path = Path::from(s3_path(&e.output_location).unwrap_or_default());
        let head = self.objects.head(&path).await.map_err(|err| {
            QueryError::InvalidRequest(format!(
                "The result of query {id} is no longer at {}: {err}",
                e.output_location
            ))
        })?;
        let text_output = e.output_location.ends_with(".txt");
        let mut offset = next_token.map(decode_token).transpose()?.unwrap_or(0);
        let mut rows = Vec::new();
        // Bytes read but not yet parsed; records are cut only at record ends.
        let mut pending: Vec<u8> = Vec::new();
        let mut read_to = offset;
        loop {
            let valid = match std::str::from_utf8(&pending) {
                Ok(s) => s,
                Err(err) => std::str::from_utf8(&pending[..err.valid_up_to()]).unwrap_or_default(),
            };
            let mut used = 0;
            while rows.len() < max {
                let record = if text_output {
                    // DDL output: one line a row, tab-separated, no quoting.
                    valid[used..].find('\n').map(|end| {
                        let fields = valid[used..used + end]
                            .split('\t')
                            .map(|f| Some(f.to_owned()))
                            .collect();
                        (fields, end + 1)
                    })
                } else {
                    render::parse_record(&valid[used..])
                };
                match record {
                    Some((fields, n)) => {
                        rows.push(fields);
                        used += n;
                    }
                    None => break,
                }
            }
            offset += used as u64;
            pending.drain(..used);
            if rows.len() >= max || read_to >= head.size {
                break;
            }
            let end = (read_to + READ_CHUNK).min(head.size);
            let r = self
                .objects
                .get_opts(
                    &path,
                    GetOptions {
                        range: Some(GetRange::Bounded(read_to..end)),
                        ..GetOptions::default()
                    },
                )
                .await
                .map_err(|err| QueryError::Internal(Box::new(err)))?;
            pending.extend_from_slice(&r.bytes().await.map_err(|err| QueryError::Internal(Box::new(err)))?);
            read_to = end;
        }
        Ok(ResultPage {
            update_count: e.update_count.unwrap_or(0),
            columns: e.columns,
            rows,
            next_token: (offset < head.size).then(|| encode_token(offset)),
        })
    }
}

/// Why a statement that Athena parses with Trino's grammar does not parse,
/// as `line L:C: message`. Hive DDL is left to the run, which reports it as
/// a failed query; so are statements past the parser's nesting limits.
fn syntax_error(sql: &str) -> Option<String> {
    let at = |e: ddl::parse::DdlError| Some(format!("line {}:{}: {}", e.line, e.column, e.message));
    match ddl::parse::parse_ctas(sql) {
        Err(e) => return at(e),
        Ok(Some(_)) => return None,
        Ok(None) => {}
    }
    match ddl::parse::parse_insert(sql) {
        Err(e) => return at(e),
        Ok(Some(_)) => return None,
        Ok(None) => {}
    }
    match ddl::parse::parse_unload(sql) {
        Err(e) => return at(e),
        Ok(Some(_)) => return None,
        Ok(None) => {}
    }
    match ddl::parse::parse_view(sql) {
        Err(e) => return at(e),
        Ok(Some(_)) => return None,
        Ok(None) => {}
    }
    if !matches!(ddl::parse::parse(sql), Ok(None)) || sandbox::check_chains(sql).is_err() {
        return None;
    }
    let explain = match crate::explain::options(sql) {
        Err(e) => return Some(format!("line {}:{}: {}", e.line, e.column, e.message)),
        Ok(explain) => explain,
    };
    let sql = explain.as_ref().map_or(sql, |e| e.sql.as_str());
    let e = naming::parse_error(sql)?;
    let message = athena_error(&e, sql).message;
    // Nesting past the parser's limit is a resource limit, reported by the run.
    if message.contains("recursion limit exceeded") {
        return None;
    }
    Some(message.strip_prefix("SYNTAX_ERROR: ").unwrap_or(&message).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_types_and_parameters() {
        assert_eq!(statement_type("  select 1"), "DML");
        assert_eq!(statement_type("(WITH a AS (select 1) select * from a)"), "DML");
        assert_eq!(statement_type("show tables"), "UTILITY");
        assert_eq!(statement_type("CREATE EXTERNAL TABLE t (a int)"), "DDL");
        assert_eq!(statement_type("-- daily report\n/* v2 */ SELECT 1"), "DML");
        assert_eq!(statement_type("/* x */\n  explain select 1"), "UTILITY");
        assert_eq!(
            bind_parameters(
                "select * from t where a = ? and b = '?' and c = ?",
                &["1".into(), "'x'".into()]
            )
            .unwrap(),
            "select * from t where a = 1 and b = '?' and c = 'x'"
        );
        assert!(bind_parameters("select ?", &[]).is_err());
        assert!(bind_parameters("select 1", &["1".into()]).is_err());
        assert_eq!(s3_path("s3://b/p/").as_deref(), Some("b/p"));
        assert_eq!(s3_path("s3://"), None);
        assert_eq!(decode_token(&encode_token(42)).unwrap(), 42);
    }
}
