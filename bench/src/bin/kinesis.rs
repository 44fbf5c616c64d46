//! Kinesis figures, on the release binary: PutRecords records and MB per
//! second into one stream of 4 shards from 16 clients (500 records of
//! 1 KiB a call, random partition keys), then GetRecords reading all of
//! it back, one reader per shard.
//!
//! `cargo build --release -p lakestack -p lakestack-bench` then
//! `target/release/lakestack-bench-kinesis` (LAKESTACK_BIN names another server).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

#[path = "../support.rs"]
#[allow(dead_code, reason = "the Kinesis benchmark uses the server helpers only")]
mod support;

const CLIENTS: usize = 16;
const SHARDS: usize = 4;
const BATCH: usize = 500;
const RECORD_BYTES: usize = 1024;
const RUN_FOR: Duration = Duration::from_secs(10);

async fn kinesis(http: &reqwest::Client, endpoint: &str, op: &str, body: Value) -> Value {
    support::call(http, endpoint, &format!("Kinesis_20131202.{op}"), body).await
}

#[tokio::main]
async fn main() {
    let (server, endpoint) = support::start_server().await;
    let _stop = support::Stopper::new(&server);
    let http = reqwest::Client::new();
    kinesis(
        &http,
        &endpoint,
        "CreateStream",
        json!({"StreamName": "bench", "ShardCount": SHARDS}),
    )
    .await;

    // PutRecords: each call's body is built once per client; the keys vary per call.
    let data = STANDARD.encode(vec![b'x'; RECORD_BYTES]);
    let counter = Arc::new(AtomicU64::new(0));
    let put = {
        let (http, endpoint, data, counter) = (http.clone(), endpoint.clone(), data.clone(), Arc::clone(&counter));
        move || {
            let (http, endpoint, data, counter) = (http.clone(), endpoint.clone(), data.clone(), Arc::clone(&counter));
            async move {
                let call = counter.fetch_add(1, Ordering::Relaxed);
                let records: Vec<Value> = (0..BATCH)
                    .map(|i| json!({"PartitionKey": format!("k-{call}-{i}"), "Data": data}))
                    .collect();
                let out = kinesis(
                    &http,
                    &endpoint,
                    "PutRecords",
                    json!({"StreamName": "bench", "Records": records}),
                )
                .await;
                assert_eq!(out["FailedRecordCount"], 0);
                BATCH as u64
            }
        }
    };
    let rate = support::per_second(CLIENTS, RUN_FOR, put).await;
    println!(
        "PutRecords: {rate:.0} records/s, {:.1} MB/s of {RECORD_BYTES}-byte records, {CLIENTS} clients, {BATCH} records a call, {SHARDS} shards",
        rate * RECORD_BYTES as f64 / 1e6
    );

    // GetRecords: one reader per shard from TRIM_HORIZON to the end.
    let start = Instant::now();
    let mut readers = Vec::new();
    for shard in 0..SHARDS {
        let (http, endpoint) = (http.clone(), endpoint.clone());
        readers.push(tokio::spawn(async move {
            let it = kinesis(
                &http,
                &endpoint,
                "GetShardIterator",
                json!({"StreamName": "bench", "ShardId": format!("shardId-{shard:012}"), "ShardIteratorType": "TRIM_HORIZON"}),
            )
            .await;
            let mut it = it["ShardIterator"].as_str().unwrap_or_default().to_owned();
            let mut n = 0u64;
            loop {
                let got = kinesis(&http, &endpoint, "GetRecords", json!({"ShardIterator": it})).await;
                let records = got["Records"].as_array().map_or(0, Vec::len);
                n += records as u64;
                if records == 0 {
                    return n;
                }
                match got["NextShardIterator"].as_str() {
                    Some(next) => it = next.to_owned(),
                    None => return n,
                }
            }
        }));
    }
    let mut read = 0;
    for r in readers {
        read += r.await.expect("a reader");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "GetRecords: {:.0} records/s, {:.1} MB/s ({read} records by {SHARDS} readers, one per shard)",
        read as f64 / secs,
        read as f64 * RECORD_BYTES as f64 / 1e6 / secs
    );
}
