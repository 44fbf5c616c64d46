//! `cargo build --release -p lakestack -p lakestack-bench && ./target/release/lakestack-bench-athena OUT_DIR [QUERY_DIR]`
//!
//! OUT_DIR is what `shared/bench/gen.sh OUT_DIR 1` wrote; QUERY_DIR defaults to
//! `../shared/bench/queries/events`. Starts the release binary with
//! `--ephemeral`, uploads the events lake over S3, catalogs it with a Glue
//! crawler, then runs every query through the Athena API end to end (start →
//! result stored in S3 → SUCCEEDED), one warm-up and three timed runs, and the
//! same SQL on raw DataFusion over the same local files. Prints the medians,
//! their ratio and the bytes Athena reports as scanned.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lakestack_query::datafusion::arrow::datatypes::DataType;
use lakestack_query::datafusion::datasource::file_format::parquet::ParquetFormat;
use lakestack_query::datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use lakestack_query::datafusion::prelude::SessionContext;
use serde_json::{Value, json};

#[path = "../support.rs"]
mod support;

const RUNS: usize = 3;

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    async fn call(&self, target: &str, body: Value) -> Value {
        support::call(&self.http, &self.endpoint, target, body).await
    }

    /// Runs one query to completion; returns the wall time, the final execution and the result rows.
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

async fn raw_datafusion(data: &Path) -> SessionContext {
    let ctx = SessionContext::new();
    let parts = vec![
        ("year".to_owned(), DataType::Utf8),
        ("month".to_owned(), DataType::Utf8),
        ("day".to_owned(), DataType::Utf8),
    ];
    for (name, dir, partitioned) in [("events", "events", true), ("devices", "events_dim/devices", false)] {
        let url = ListingTableUrl::parse(format!(
            "{}/{dir}/",
            data.join("").display().to_string().trim_end_matches('/')
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
    ctx
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let data = PathBuf::from(args.next().expect("usage: lakestack-bench-athena OUT_DIR [QUERY_DIR]"));
    let queries = PathBuf::from(args.next().unwrap_or_else(|| "../shared/bench/queries/events".into()));
    let (mut child, endpoint) = support::start_server().await;
    let http = reqwest::Client::new();
    let api = Api {
        http: http.clone(),
        endpoint: endpoint.clone(),
    };

    let t = Instant::now();
    let mut n = 0;
    for d in ["events", "events_dim", "events_csv", "events_json"] {
        n += support::upload(&endpoint, &data, d).await.0;
    }
    eprintln!("uploaded {n} files in {:.1} s", t.elapsed().as_secs_f64());
    api.call("AWSGlue.CreateDatabase", json!({"DatabaseInput": {"Name": "bench"}}))
        .await;
    api.call(
        "AWSGlue.CreateCrawler",
        json!({
            "Name": "bench", "Role": "arn:aws:iam::000000000000:role/glue", "DatabaseName": "bench",
            "Targets": {"S3Targets": [
                {"Path": "s3://bench/events/"}, {"Path": "s3://bench/events_dim/devices/"},
                {"Path": "s3://bench/events_csv/"}, {"Path": "s3://bench/events_json/"},
            ]},
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

    let ctx = raw_datafusion(&data).await;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&queries)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    println!("| query | Athena end to end | raw DataFusion | ratio | scanned MiB |");
    println!("| --- | --- | --- | --- | --- |");
    let (mut total_a, mut total_d) = (Duration::ZERO, Duration::ZERO);
    for p in paths {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let sql = std::fs::read_to_string(&p).unwrap();
        let (_, warm) = api.query(&sql).await;
        if warm["Status"]["State"] != "SUCCEEDED" {
            println!("| {name} | FAILED: {} | | | |", warm["Status"]["StateChangeReason"]);
            continue;
        }
        let mut athena = Vec::new();
        let mut scanned = 0;
        for _ in 0..RUNS {
            let (d, e) = api.query(&sql).await;
            scanned = e["Statistics"]["DataScannedInBytes"].as_u64().unwrap_or(0);
            athena.push(d);
        }
        let raw = match ctx.sql(&sql).await {
            Ok(df) if df.clone().collect().await.is_ok() => {
                let mut v = Vec::new();
                for _ in 0..RUNS {
                    let t = Instant::now();
                    ctx.sql(&sql).await.unwrap().collect().await.unwrap();
                    v.push(t.elapsed());
                }
                Some(median(v))
            }
            _ => None,
        };
        let a = median(athena);
        match raw {
            Some(d) => {
                total_a += a;
                total_d += d;
                println!(
                    "| {name} | {:.1} ms | {:.1} ms | {:.2} | {:.1} |",
                    a.as_secs_f64() * 1e3,
                    d.as_secs_f64() * 1e3,
                    a.as_secs_f64() / d.as_secs_f64(),
                    scanned as f64 / (1 << 20) as f64
                );
            }
            None => println!(
                "| {name} | {:.1} ms | n/a (tables not registered raw) | | {:.1} |",
                a.as_secs_f64() * 1e3,
                scanned as f64 / (1 << 20) as f64
            ),
        }
    }
    println!(
        "| total (queries run on both) | {:.0} ms | {:.0} ms | {:.2} | |",
        total_a.as_secs_f64() * 1e3,
        total_d.as_secs_f64() * 1e3,
        total_a.as_secs_f64() / total_d.as_secs_f64().max(1e-9)
    );
    let _ = child.kill();
    let _ = child.wait();
}
