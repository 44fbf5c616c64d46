//! `cargo build --release -p lakestack -p lakestack-bench && ./target/release/lakestack-bench-crawl OUT_DIR`
//!
//! OUT_DIR is what `shared/bench/gen.sh OUT_DIR 1` wrote. Starts the release
//! binary with `--ephemeral`, uploads the `events` lake (and the CSV and JSON
//! copies) over S3, crawls each with a Glue crawler and prints the crawl time
//! and files/s; then times GetPartitions with a selective expression over a
//! table of 100,000 partitions.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

const UPLOADERS: usize = 8;
const PARTITIONS: usize = 100_000;

struct Glue {
    http: reqwest::Client,
    endpoint: String,
}

impl Glue {
    async fn call(&self, op: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("x-amz-target", format!("AWSGlue.{op}"))
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert!(status.is_success(), "{op} failed: {v}");
        v
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

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

async fn upload(http: &reqwest::Client, endpoint: &str, root: &Path, dataset: &str) -> (usize, u64) {
    let files = files_under(&root.join(dataset));
    let bytes: u64 = files.iter().map(|f| f.metadata().map_or(0, |m| m.len())).sum();
    let n = files.len();
    futures::stream::iter(files)
        .map(|f| {
            let key = f.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let http = http.clone();
            let url = format!("{endpoint}/bench/{key}");
            async move {
                let body = tokio::fs::read(&f).await.unwrap();
                let r = http.put(url).body(body).send().await.unwrap();
                assert!(r.status().is_success(), "PUT {key}: {}", r.status());
            }
        })
        .buffer_unordered(UPLOADERS)
        .collect::<Vec<()>>()
        .await;
    (n, bytes)
}

#[tokio::main]
async fn main() {
    let data = PathBuf::from(
        std::env::args()
            .nth(1)
            .or_else(|| std::env::var("BENCH_DATA").ok())
            .expect("usage: lakestack-bench-crawl OUT_DIR (from shared/bench/gen.sh)"),
    );
    let bin = std::env::var("LAKESTACK_BIN").unwrap_or_else(|_| "target/release/lakestack".into());
    let mut child = Command::new(bin)
        .args(["--port", "0", "--ephemeral"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start lakestack");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    http.put(format!("{endpoint}/bench")).send().await.unwrap();
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
        let (files, bytes) = upload(&http, &endpoint, &data, dataset).await;
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
    let _ = child.kill();
    let _ = child.wait();
}
