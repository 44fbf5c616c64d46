//! `cargo build --profile perf -p lakestack -p lakestack-bench &&
//!  LAKESTACK_BIN=target/perf/lakestack ./target/perf/lakestack-bench-athena OUT_DIR [QUERY_DIR]`
//!
//! OUT_DIR is what `bench/workload/gen.sh OUT_DIR 1` wrote; QUERY_DIR defaults to
//! `bench/workload/queries/events` (a directory named `tpch` runs TPC-H).
//! Starts the server with `--ephemeral`, uploads the data over S3, catalogs
//! it with a Glue crawler, then runs every query through the Athena API end
//! to end (start → result stored in S3 → SUCCEEDED), one warm-up and three
//! timed runs, and the same SQL on raw DataFusion over the same local files.
//! Prints the medians, their ratio, the bytes Athena reports as scanned, and
//! how many objects each side opened (the server logs its count per query).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lakestack_query::datafusion::arrow::datatypes::DataType;
use lakestack_query::datafusion::datasource::file_format::parquet::ParquetFormat;
use lakestack_query::datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use lakestack_query::datafusion::execution::object_store::ObjectStoreUrl;
use lakestack_query::datafusion::prelude::SessionContext;
use lakestack_query::{CountingStore, ScanCounts};
use object_store::local::LocalFileSystem;
use serde_json::{Value, json};

#[path = "../support.rs"]
mod support;

// Raw DataFusion runs with the allocator the server runs with, so the
// ratio compares the engines, not the allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 3;

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    async fn call(&self, target: &str, body: Value) -> Value {
        support::call(&self.http, &self.endpoint, target, body).await
    }

    /// Runs one query to completion; returns the wall time and the final execution.
    async fn query(&self, sql: &str) -> (Duration, Value) {
        let t = Instant::now();
        let id = self
            .call(
                "AmazonAthena.StartQueryExecution",
                json!({
                    "QueryString": sql,
                    "QueryExecutionContext": {"Database": "bench"},
                    "ResultConfiguration": {"OutputLocation": "s3://bench/results/"},
                }),
            )
            .await["QueryExecutionId"]
            .as_str()
            .unwrap()
            .to_owned();
        loop {
            let e = self
                .call("AmazonAthena.GetQueryExecution", json!({"QueryExecutionId": id}))
                .await["QueryExecution"]
                .clone();
            match e["Status"]["State"].as_str() {
                Some("SUCCEEDED" | "FAILED" | "CANCELLED") => return (t.elapsed(), e),
                _ => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The tables of one query set: (name, folder under OUT_DIR, Hive-partitioned by year/month/day).
fn tables(tpch: bool) -> Vec<(&'static str, &'static str, bool)> {
    if tpch {
        [
            "lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region",
        ]
        .iter()
        .map(|t| (*t, *t, false))
        .collect()
    } else {
        vec![("events", "events", true), ("devices", "events_dim/devices", false)]
    }
}

/// Raw DataFusion over the same local files, counting the objects it reads.
async fn raw_datafusion(data: &Path, tpch: bool) -> (SessionContext, Arc<ScanCounts>) {
    let ctx = SessionContext::new();
    let (counting, counts) = CountingStore::new(Arc::new(LocalFileSystem::new()));
    ctx.runtime_env()
        .register_object_store(ObjectStoreUrl::local_filesystem().as_ref(), Arc::new(counting));
    let parts = vec![
        ("year".to_owned(), DataType::Utf8),
        ("month".to_owned(), DataType::Utf8),
        ("day".to_owned(), DataType::Utf8),
    ];
    let root = if tpch { data.join("tpch") } else { data.to_owned() };
    for (name, dir, partitioned) in tables(tpch) {
        let url = ListingTableUrl::parse(format!(
            "{}/{dir}/",
            root.join("").display().to_string().trim_end_matches('/')
        ))
        .unwrap();
        let mut options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        if partitioned {
            options = options.with_table_partition_cols(parts.clone());
        }
        let schema = options.infer_schema(&ctx.state(), &url).await.unwrap();
        let config = ListingTableConfig::new(url)
            .with_listing_options(options)
            .with_schema(schema);
        ctx.register_table(name, Arc::new(ListingTable::try_new(config).unwrap()))
            .unwrap();
    }
    (ctx, counts)
}

/// Uploads the query set's data and catalogs it with one crawler.
async fn catalog(api: &Api, data: &Path, tpch: bool) {
    let t = Instant::now();
    let datasets: &[&str] = if tpch {
        &["tpch"]
    } else {
        &["events", "events_dim", "events_csv", "events_json"]
    };
    let mut n = 0;
    for d in datasets {
        n += support::upload(&api.endpoint, data, d).await.0;
    }
    eprintln!("uploaded {n} files in {:.1} s", t.elapsed().as_secs_f64());
    api.call("AWSGlue.CreateDatabase", json!({"DatabaseInput": {"Name": "bench"}}))
        .await;
    let targets: Vec<Value> = if tpch {
        tables(true)
            .iter()
            .map(|(_, dir, _)| json!({"Path": format!("s3://bench/tpch/{dir}/")}))
            .collect()
    } else {
        ["events/", "events_dim/devices/", "events_csv/", "events_json/"]
            .iter()
            .map(|p| json!({"Path": format!("s3://bench/{p}")}))
            .collect()
    };
    api.call(
        "AWSGlue.CreateCrawler",
        json!({
            "Name": "bench", "Role": "arn:aws:iam::000000000000:role/glue", "DatabaseName": "bench",
            "Targets": {"S3Targets": targets},
        }),
    )
    .await;
    api.call("AWSGlue.StartCrawler", json!({"Name": "bench"})).await;
    loop {
        let c = api.call("AWSGlue.GetCrawler", json!({"Name": "bench"})).await;
        if c["Crawler"]["State"] == "READY" && !c["Crawler"]["LastCrawl"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Objects read per query id, from the server's `query finished` log lines.
type ObjectCounts = Arc<Mutex<HashMap<String, u64>>>;

fn follow_log(child: &mut std::process::Child) -> ObjectCounts {
    let counts: ObjectCounts = Arc::default();
    let stderr = child.stderr.take().expect("piped stderr");
    let into = Arc::clone(&counts);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(std::result::Result::ok) {
            if !line.contains("query finished") {
                continue;
            }
            let field = |k: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(k))
                    .map(str::to_owned)
            };
            if let (Some(id), Some(n)) = (field("id="), field("objects=").and_then(|v| v.parse().ok())) {
                into.lock().unwrap().insert(id, n);
            }
        }
    });
    counts
}

async fn objects_of(counts: &ObjectCounts, id: &str) -> Option<u64> {
    for _ in 0..100 {
        if let Some(n) = counts.lock().unwrap().get(id) {
            return Some(*n);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// `BENCH_EXPLAIN=q16`: both physical plans of the matching queries, to stderr.
async fn explain_both(api: &Api, ctx: &SessionContext, sql: &str) {
    let explain = format!("EXPLAIN {sql}");
    let (_, e) = api.query(&explain).await;
    let id = e["QueryExecutionId"].as_str().unwrap_or_default();
    let rows = api
        .call("AmazonAthena.GetQueryResults", json!({"QueryExecutionId": id}))
        .await;
    eprintln!("--- lakestack");
    for r in rows["ResultSet"]["Rows"].as_array().into_iter().flatten().skip(1) {
        eprintln!("{}", r["Data"][0]["VarCharValue"].as_str().unwrap_or_default());
    }
    eprintln!("--- raw DataFusion");
    let batches = ctx.sql(&explain).await.unwrap().collect().await.unwrap();
    eprintln!(
        "{}",
        lakestack_query::datafusion::arrow::util::pretty::pretty_format_batches(&batches).unwrap()
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().expect("usage: lakestack-bench-athena OUT_DIR [QUERY_DIR]"));
    let queries = PathBuf::from(args.next().unwrap_or_else(|| "bench/workload/queries/events".into()));
    let tpch = queries.file_name().is_some_and(|n| n == "tpch");
    let (mut child, endpoint) = support::start_server_logging("warn,lakestack::athena=info").await;
    let stopper = support::Stopper::new(&child);
    let objects = follow_log(&mut child);
    let api = Api {
        http: reqwest::Client::new(),
        endpoint,
    };
    catalog(&api, &data, tpch).await;

    let (ctx, raw_counts) = raw_datafusion(&data, tpch).await;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&queries)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    println!(
        "| query | Athena end to end | (engine) | raw DataFusion | ratio | scanned MiB | objects read (Athena / raw) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let (mut total_a, mut total_d) = (Duration::ZERO, Duration::ZERO);
    for p in paths {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let sql = std::fs::read_to_string(&p).unwrap();
        if std::env::var("BENCH_EXPLAIN").is_ok_and(|q| name.starts_with(&q)) {
            explain_both(&api, &ctx, &sql).await;
        }
        let (_, warm) = api.query(&sql).await;
        if warm["Status"]["State"] != "SUCCEEDED" {
            println!("| {name} | FAILED: {} | | | | | |", warm["Status"]["StateChangeReason"]);
            continue;
        }
        let mut athena = Vec::new();
        let mut engine = Vec::new();
        let mut scanned = 0;
        let mut last = String::new();
        for _ in 0..RUNS {
            let (d, e) = api.query(&sql).await;
            last = e["QueryExecutionId"].as_str().unwrap_or_default().to_owned();
            scanned = e["Statistics"]["DataScannedInBytes"].as_u64().unwrap_or(0);
            engine.push(Duration::from_millis(
                e["Statistics"]["EngineExecutionTimeInMillis"].as_u64().unwrap_or(0),
            ));
            athena.push(d);
        }
        let engine = median(engine);
        // Objects of the last run: Parquet footers are cached by then, on both sides.
        let read = objects_of(&objects, &last).await;
        raw_counts.reset();
        let raw = match ctx.sql(&sql).await {
            Ok(df) if df.clone().collect().await.is_ok() => {
                let raw_read = raw_counts.objects();
                let mut v = Vec::new();
                for _ in 0..RUNS {
                    let t = Instant::now();
                    ctx.sql(&sql).await.unwrap().collect().await.unwrap();
                    v.push(t.elapsed());
                }
                Some((median(v), raw_read))
            }
            _ => None,
        };
        let a = median(athena);
        let read = read.map_or_else(|| "?".to_owned(), |n| n.to_string());
        match raw {
            Some((d, raw_read)) => {
                total_a += a;
                total_d += d;
                println!(
                    "| {name} | {:.1} ms | {} ms | {:.1} ms | {:.2} | {:.1} | {read} / {raw_read} |",
                    a.as_secs_f64() * 1e3,
                    engine.as_millis(),
                    d.as_secs_f64() * 1e3,
                    a.as_secs_f64() / d.as_secs_f64(),
                    scanned as f64 / (1 << 20) as f64
                );
            }
            None => println!(
                "| {name} | {:.1} ms | {} ms | n/a (tables not registered raw) | | {:.1} | {read} / |",
                a.as_secs_f64() * 1e3,
                engine.as_millis(),
                scanned as f64 / (1 << 20) as f64
            ),
        }
    }
    println!(
        "| total (queries run on both) | {:.0} ms | | {:.0} ms | {:.2} | | |",
        total_a.as_secs_f64() * 1e3,
        total_d.as_secs_f64() * 1e3,
        total_a.as_secs_f64() / total_d.as_secs_f64().max(1e-9)
    );
    drop(stopper);
    let _ = child.wait();
}
