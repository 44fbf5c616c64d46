//! What a query may touch. Every request is untrusted, and DataFusion on its
//! own is a general engine: its default runtime reads and writes the local
//! filesystem (`file://` and bare paths), and its SQL has `COPY ... TO`,
//! `CREATE EXTERNAL TABLE`, `SET` and `SELECT ... INTO`. Athena has none of
//! those, so a statement is judged on its parsed form (not its first word:
//! `EXPLAIN ANALYZE COPY ...` and comment prefixes hide behind a harmless
//! one), the planned plan is checked again, and the runtime knows one object
//! store: ours.

use std::sync::Arc;
use std::time::Duration;

use datafusion::common::{DataFusionError, Result, plan_err};
use datafusion::execution::cache::cache_manager::CacheManager;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{GreedyMemoryPool, MemoryPool, TrackConsumersPool};
use datafusion::execution::object_store::{ObjectStoreRegistry, ObjectStoreUrl};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SQLOptions;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
use object_store::ObjectStore;
use url::Url;

use crate::table::STORE_URL;

/// The resources one engine's queries may take; `--query-memory` and
/// `--query-timeout` set them.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    /// Bytes the engine's operators (sorts, joins, aggregations, repartitions)
    /// may hold at once, across every running query.
    pub memory: usize,
    /// How long one query may run before it ends FAILED.
    pub timeout: Duration,
}

impl Default for QueryLimits {
    /// A quarter of the machine's memory, as other engines default to a
    /// fraction, and Athena's own DML timeout of 30 minutes.
    fn default() -> Self {
        Self {
            memory: physical_memory().map_or(2 << 30, |m| m / 4),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// Total RAM from `/proc/meminfo`; None where that cannot be read.
fn physical_memory() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// How many of the largest consumers a refused reservation names.
const REPORTED_CONSUMERS: std::num::NonZeroUsize = std::num::NonZeroUsize::new(3).unwrap();

/// The one memory pool every query of an engine reserves from. The tracking
/// wrapper names the largest consumers when a reservation fails.
pub fn memory_pool(limit: usize) -> Arc<dyn MemoryPool> {
    Arc::new(TrackConsumersPool::new(
        GreedyMemoryPool::new(limit),
        REPORTED_CONSUMERS,
    ))
}

/// A registry that resolves our store's URL and nothing else: no local
/// filesystem, no `file://`, no ad-hoc stores. Registering another URL is
/// refused by being ignored (the trait has no error for it).
#[derive(Debug)]
struct LakeOnly {
    url: Url,
    store: Arc<dyn ObjectStore>,
}

impl ObjectStoreRegistry for LakeOnly {
    fn register_store(&self, url: &Url, _store: Arc<dyn ObjectStore>) -> Option<Arc<dyn ObjectStore>> {
        tracing::warn!(%url, "refused to register an object store other than lakestack's own");
        None
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        if url.scheme() == self.url.scheme() && url.host_str() == self.url.host_str() {
            return Ok(Arc::clone(&self.store));
        }
        plan_err!("lakestack reads only its own S3 store; {url} is not in it")
    }
}

/// A runtime whose only object store is `store`, with the engine's caches
/// and memory pool when given.
pub fn runtime(
    store: Arc<dyn ObjectStore>,
    caches: Option<&Arc<CacheManager>>,
    pool: Option<&Arc<dyn MemoryPool>>,
) -> Result<Arc<RuntimeEnv>> {
    let url = ObjectStoreUrl::parse(STORE_URL)?;
    // No spill files: DataFusion would write them under the host's temporary
    // directory, outside the data directory. A query past its memory fails.
    let disk = DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled);
    let mut builder = RuntimeEnvBuilder::new()
        .with_disk_manager_builder(disk)
        .with_object_store_registry(Arc::new(LakeOnly {
            url: AsRef::<Url>::as_ref(&url).clone(),
            store,
        }));
    if let Some(pool) = pool {
        builder = builder.with_memory_pool(Arc::clone(pool));
    }
    let mut runtime = builder.build()?;
    if let Some(caches) = caches {
        runtime.cache_manager = Arc::clone(caches);
    }
    Ok(Arc::new(runtime))
}

/// Refuses every statement but a query or an EXPLAIN [ANALYZE] of one: the
/// DDL and DML Athena supports are parsed and run by lakestack itself
/// (`ddl`, `writes`), never by DataFusion.
pub fn check_statement(statement: &Statement) -> Result<()> {
    match statement {
        Statement::Statement(s) => match s.as_ref() {
            SqlStatement::Query(_) => Ok(()),
            other => not_supported(&statement_name(other)),
        },
        Statement::Explain(e) => check_statement(&e.statement),
        Statement::CreateExternalTable(_) => not_supported("CREATE EXTERNAL TABLE (DataFusion's form)"),
        Statement::CopyTo(_) => not_supported("COPY"),
        Statement::Reset(_) => not_supported("RESET"),
    }
}

/// Words that may lead a statement, for naming it in an error.
const LEADING: &[&str] = &[
    "ALTER",
    "BEGIN",
    "COMMIT",
    "COPY",
    "CREATE",
    "DATABASE",
    "DEALLOCATE",
    "DELETE",
    "DESCRIBE",
    "DROP",
    "EXECUTE",
    "EXTERNAL",
    "FUNCTION",
    "INSERT",
    "INTO",
    "MERGE",
    "OR",
    "PREPARE",
    "REPLACE",
    "ROLLBACK",
    "SCHEMA",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TEMPORARY",
    "TRANSACTION",
    "TRUNCATE",
    "UPDATE",
    "USE",
    "VIEW",
];

/// The statement's leading keywords, for the error message.
fn statement_name(s: &SqlStatement) -> String {
    let text = s.to_string().to_ascii_uppercase();
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| LEADING.contains(w))
        .take(4)
        .collect();
    if words.is_empty() {
        "this statement".into()
    } else {
        words.join(" ")
    }
}

/// A refusal in Trino's words: `NOT_SUPPORTED: ...`, a user error that
/// `errors::athena_error` passes through as it stands.
fn refused(message: String) -> DataFusionError {
    DataFusionError::Execution(format!("NOT_SUPPORTED: {message}"))
}

fn not_supported(what: &str) -> Result<()> {
    Err(refused(format!("{what} is not a statement Athena runs here")))
}

/// How many operators one expression may chain at one level of nesting.
/// sqlparser bounds nesting (50 levels) but parses a chain such as `1 + 1 +
/// ... + 1` or `SELECT 1 UNION SELECT 2 UNION ...` in a loop into a tree as
/// deep as the chain is long, and dropping, planning or simplifying that
/// tree recurses once per operator: a 262,144-character query could hold
/// 130,000 of them. Trino refuses such statements as too large; so does
/// this. The bound leaves a debug build room to spare in the server's 16 MiB
/// worker stacks (a release build's frames are smaller).
pub const MAX_CHAIN: usize = 2_000;

/// Refuses SQL whose operator chains are longer than [`MAX_CHAIN`], before
/// anything parses it into a tree. Counted on tokens: each level of
/// parentheses or brackets has its own count, which a comma resets.
pub fn check_chains(sql: &str) -> Result<()> {
    let dialect = crate::trino::TrinoDialect::default();
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(|e| DataFusionError::SQL(Box::new(e.into()), None))?;
    let mut counts: Vec<usize> = vec![0];
    for token in &tokens {
        match token {
            Token::LParen | Token::LBracket | Token::LBrace => counts.push(0),
            Token::RParen | Token::RBracket | Token::RBrace if counts.len() > 1 => {
                counts.pop();
            }
            Token::Comma | Token::SemiColon => {
                if let Some(c) = counts.last_mut() {
                    *c = 0;
                }
            }
            t if is_operator(t) => {
                let c = counts.last_mut().map_or(0, |c| {
                    *c += 1;
                    *c
                });
                if c > MAX_CHAIN {
                    return Err(refused(format!(
                        "Statement is too large: an expression chains more than {MAX_CHAIN} operators"
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a token joins two operands into one tree node: every symbol but
/// punctuation, and the keywords that chain.
fn is_operator(t: &Token) -> bool {
    match t {
        Token::Word(w) => matches!(
            w.keyword,
            Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::UNION
                | Keyword::INTERSECT
                | Keyword::EXCEPT
                | Keyword::JOIN
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::BETWEEN
                | Keyword::IN
                | Keyword::AT
        ),
        Token::Whitespace(_)
        | Token::Number(..)
        | Token::Char(_)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::NationalStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::Period
        | Token::Colon
        | Token::DoubleColon
        | Token::Placeholder(_)
        | Token::EOF => false,
        _ => true,
    }
}

/// The plan check behind [`check_statement`]: a query whose plan still holds
/// DDL, DML, `COPY` or a session statement (`SELECT ... INTO` creates a
/// table) is refused.
pub fn check_plan(plan: &LogicalPlan) -> Result<()> {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(plan)
        .map_err(|e| match e {
            DataFusionError::Plan(msg) => refused(format!("{msg}; Athena runs no such statement here")),
            other => other,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(sql: &str) -> std::result::Result<(), String> {
        let statement = crate::trino::parse(sql).map_err(|e| e.to_string())?;
        check_statement(&statement).map_err(|e| e.to_string())
    }

    #[test]
    fn only_queries_and_their_explains_pass() {
        for ok in [
            "SELECT 1",
            "WITH a AS (SELECT 1) SELECT * FROM a",
            "VALUES (1), (2)",
            "EXPLAIN SELECT 1",
            "EXPLAIN ANALYZE SELECT 1",
            "/* /* */ SELECT */ SELECT 1",
        ] {
            assert_eq!(judged(ok), Ok(()), "{ok}");
        }
        for refused in [
            "COPY (SELECT 'x') TO '/tmp/x.csv' STORED AS CSV",
            "EXPLAIN ANALYZE COPY (SELECT 'x') TO '/tmp/x.csv' STORED AS CSV",
            "EXPLAIN COPY (SELECT 'x') TO 'file:///tmp/x.csv' STORED AS CSV",
            "/* /* */ SELECT */ COPY (SELECT 1) TO '/tmp/x.csv'",
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/'",
            "SET datafusion.execution.batch_size = 1",
            "CREATE TABLE t AS SELECT 1",
            "INSERT INTO t VALUES (1)",
            "DROP TABLE t",
            "RESET datafusion.execution.batch_size",
            "PREPARE p AS SELECT 1",
            "EXECUTE p",
            "DEALLOCATE p",
            "CREATE VIEW v AS SELECT 1",
            "DELETE FROM t",
            "UPDATE t SET a = 1",
        ] {
            assert!(judged(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn deep_sql_is_refused_by_the_parser_not_the_stack() {
        // sqlparser counts its recursion (50 levels by default); the rewrite
        // and the planner then only ever see that depth.
        for deep in [
            format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000)),
            format!("SELECT {}true", "NOT ".repeat(5_000)),
            format!("SELECT {}1{}", "abs(".repeat(5_000), ")".repeat(5_000)),
            format!(
                "SELECT * FROM {}t{}",
                "(SELECT * FROM ".repeat(5_000),
                ")".repeat(5_000)
            ),
        ] {
            assert!(judged(&deep).is_err());
        }
    }

    /// Runs `f` on a thread with the server's worker stack (`src/main.rs`).
    fn on_worker_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn long_operator_chains_are_refused_before_they_become_trees() {
        on_worker_stack(|| {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let ctx = datafusion::prelude::SessionContext::new();
                crate::trino::register(&ctx);
                for chain in [
                    format!("SELECT 1{}", " + 1".repeat(60_000)),
                    format!("SELECT true{}", " OR false".repeat(25_000)),
                    format!("SELECT 'a'{}", " || 'a'".repeat(30_000)),
                    format!("SELECT 1{}", " UNION ALL SELECT 1".repeat(12_000)),
                    format!("SELECT 1 WHERE{}", " NOT".repeat(12_000)),
                ] {
                    let e = crate::trino::plan(&ctx, &chain).await.unwrap_err().to_string();
                    assert!(e.contains("Statement is too large"), "{e}");
                }
                // Chains at the bound plan and run, as do long lists.
                let sum = format!("SELECT 1{}", " + 1".repeat(MAX_CHAIN));
                let rows = crate::trino::plan(&ctx, &sum).await.unwrap().collect().await.unwrap();
                assert_eq!(rows[0].num_rows(), 1);
                let ors = format!("SELECT 1 WHERE false{}", " OR 1 = 2".repeat(MAX_CHAIN / 2));
                let rows = crate::trino::plan(&ctx, &ors).await.unwrap().collect().await.unwrap();
                assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
                let list = format!("SELECT 1 IN ({})", vec!["1"; 5_000].join(", "));
                assert!(crate::trino::plan(&ctx, &list).await.is_ok());
            });
        });
    }
}
