//! `cargo build --release -p lakestack -p lakestack-bench && ./target/release/lakestack-bench-crawl OUT_DIR`
//!
//! OUT_DIR is what `bench/workload/gen.sh OUT_DIR 1` wrote. Starts the release
//! binary with `--ephemeral`, uploads the `events` lake (and the CSV and JSON
//! copies) over S3, crawls each with a Glue crawler and prints the crawl time
//! and files/s; then times GetPartitions with a selective expression over a
//! table of 100,000 partitions.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

#[path = "../support.rs"]
mod support;

const PARTITIONS: usize = 100_000;

struct Glue {
    http: reqwest::Client,
    endpoint: String,
}

impl Glue {
    async fn call(&self, op: &str, body: Value) -> Value {
        support::call(&self.http, &self.endpoint, &format!("AWSGlue.{op}"), body).await
    }

    /// Starts a crawler and waits for it to be READY again; returns the wall time.
    async fn crawl(&self, name: &str) -> (Duration, Value) {
        let t = Instant::now();
        self.call("StartCrawler", json!({"Name": name})).await;
        loop {
            let c = self.call("GetCrawler", json!({"Name": name})).await;
            if c["Crawler"]["State"] == "READY" && !c["Crawler"]["LastCrawl"].is_null() {
                return (t.elapsed(), c);
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    async fn count_partitions(&self, db: &str, table: &str, expression: &str) -> (usize, Duration) {
        let t = Instant::now();
        let mut n = 0;
        let mut token = Value::Null;
        loop {
            let mut req = json!({"DatabaseName": db, "TableName": table, "Expression": expression});
            if !token.is_null() {
                req["NextToken"] = token;
            }
            let page = self.call("GetPartitions", req).await;
            n += page["Partitions"].as_array().map_or(0, Vec::len);
            token = page["NextToken"].clone();
            if token.is_null() {
                return (n, t.elapsed());
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let data = PathBuf::from(
        std::env::args()
            .nth(1)
            .or_else(|| std::env::var("BENCH_DATA").ok())
            .expect("usage: lakestack-bench-crawl OUT_DIR (from bench/workload/gen.sh)"),
    );
    let (mut child, endpoint) = support::start_server().await;
    let stopper = support::Stopper::new(&child);
    let http = reqwest::Client::new();
    let glue = Glue {
        http: http.clone(),
        endpoint: endpoint.clone(),
    };
    glue.call("CreateDatabase", json!({"DatabaseInput": {"Name": "bench"}}))
        .await;

    println!("| dataset | files | MiB | crawl | files/s | re-crawl | tables | partitions |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for dataset in ["events", "events_csv", "events_json"] {
        if !data.join(dataset).is_dir() {
            eprintln!("skipping {dataset}: not in {}", data.display());
            continue;
        }
        let (files, bytes) = support::upload(&endpoint, &data, dataset).await;
        glue.call(
            "CreateCrawler",
            json!({
                "Name": dataset,
                "Role": "arn:aws:iam::000000000000:role/glue",
                "DatabaseName": "bench",
                "Targets": {"S3Targets": [{"Path": format!("s3://bench/{dataset}/")}]},
            }),
        )
        .await;
        let (first, c) = glue.crawl(dataset).await;
        assert_eq!(c["Crawler"]["LastCrawl"]["Status"], "SUCCEEDED", "{c}");
        let (again, _) = glue.crawl(dataset).await;
        let tables = glue
            .call(
                "GetTables",
                json!({"DatabaseName": "bench", "Expression": format!("{dataset}.*")}),
            )
            .await;
        let names: Vec<String> = tables["TableList"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["Name"].as_str().map(str::to_owned))
            .filter(|n| n == dataset)
            .collect();
        let (parts, _) = glue.count_partitions("bench", dataset, "").await;
        println!(
            "| {dataset} | {files} | {:.0} | {:.2} s | {:.0} | {:.2} s | {} | {parts} |",
            bytes as f64 / (1 << 20) as f64,
            first.as_secs_f64(),
            files as f64 / first.as_secs_f64(),
            again.as_secs_f64(),
            names.len(),
        );
    }

    // GetPartitions over a large table.
    glue.call(
        "CreateTable",
        json!({"DatabaseName": "bench", "TableInput": {
            "Name": "wide",
            "StorageDescriptor": {"Columns": [{"Name": "v", "Type": "string"}], "Location": "s3://bench/wide/"},
            "PartitionKeys": [{"Name": "region", "Type": "string"}, {"Name": "day", "Type": "int"}],
        }}),
    )
    .await;
    let t = Instant::now();
    let regions = PARTITIONS / 1000;
    let batches: Vec<Value> = (0..PARTITIONS)
        .map(|i| {
            let (region, day) = (format!("r{:03}", i / 1000), i % 1000);
            json!({"Values": [region, day.to_string()], "StorageDescriptor": {
                "Columns": [{"Name": "v", "Type": "string"}],
                "Location": format!("s3://bench/wide/region={region}/day={day}/"),
            }})
        })
        .collect::<Vec<_>>()
        .chunks(100)
        .map(|c| json!({"DatabaseName": "bench", "TableName": "wide", "PartitionInputList": c}))
        .collect();
    futures::stream::iter(batches)
        .map(|b| glue.call("BatchCreatePartition", b))
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;
    println!(
        "\ncreated {PARTITIONS} partitions ({regions} regions x 1000 days) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    println!("| GetPartitions expression | partitions | best of 5 |");
    println!("| --- | --- | --- |");
    for expr in [
        "region = 'r042' AND day = 7",
        "day BETWEEN 100 AND 104 AND region IN ('r001', 'r050', 'r099')",
        "region LIKE 'r00%' AND day > 990",
        "day = 500",
    ] {
        let mut best = Duration::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let (count, took) = glue.count_partitions("bench", "wide", expr).await;
            n = count;
            best = best.min(took);
        }
        println!("| `{expr}` | {n} | {:.2} ms |", best.as_secs_f64() * 1000.0);
    }
    drop(stopper);
    let _ = child.wait();
}
