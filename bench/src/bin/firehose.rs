//! Firehose figures, on the release binary: the latency from a put to its
//! object being listable in S3, when the flush is forced by advancing the
//! server's clock past the buffer interval and with zero buffering
//! (`IntervalInSeconds` 0); and, in process, JSON to Parquet conversion MB/s
//! beside a baseline of arrow-json's decoder feeding parquet's ArrowWriter
//! over the same records (the converter adds OpenX's key rules and a
//! record-by-record error path).
//!
//! `cargo build --release -p lakestack -p lakestack-bench` then
//! `target/release/lakestack-bench-firehose` (LAKESTACK_BIN names another server).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_firehose::convert::{Column, Converter, Options};
use serde_json::json;

#[path = "../support.rs"]
#[allow(dead_code, reason = "the Firehose benchmark uses the server helpers only")]
mod support;

const RUNS: usize = 100;
const CONVERT_RECORDS: usize = 200_000;

async fn firehose(http: &reqwest::Client, endpoint: &str, op: &str, body: serde_json::Value) -> serde_json::Value {
    support::call(http, endpoint, &format!("Firehose_20150804.{op}"), body).await
}

async fn keys(http: &reqwest::Client, endpoint: &str, prefix: &str) -> usize {
    let r = http
        .get(format!("{endpoint}/lake?list-type=2&prefix={prefix}"))
        .send()
        .await
        .expect("ListObjectsV2");
    r.text().await.expect("body").matches("<Key>").count()
}

/// Put → object latencies for a stream whose prefix is `prefix`; `force`
/// advances the clock after each put.
async fn latencies(http: &reqwest::Client, endpoint: &str, stream: &str, prefix: &str, force: bool) -> Vec<Duration> {
    let mut out = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let start = Instant::now();
        firehose(
            http,
            endpoint,
            "PutRecord",
            json!({"DeliveryStreamName": stream, "Record": {"Data": STANDARD.encode(format!("{{\"i\":{i}}}\n"))}}),
        )
        .await;
        if force {
            let r = http
                .post(format!("{endpoint}/_lakestack/clock"))
                .body(json!({"advanceSeconds": 61}).to_string())
                .send()
                .await
                .expect("clock");
            assert!(r.status().is_success());
        }
        while keys(http, endpoint, prefix).await < i + 1 {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        out.push(start.elapsed());
    }
    out.sort();
    out
}

fn records() -> Vec<Vec<u8>> {
    (0..CONVERT_RECORDS)
        .map(|i| {
            json!({
                "order_id": i,
                "customer": format!("customer-{}", i % 977),
                "amount": (i % 10_000) as f64 / 100.0,
                "quantity": i % 7,
                "placed": format!("2026-12-07 10:{:02}:{:02}", (i / 60) % 60, i % 60),
                "note": "a short free-text note, as order records often carry",
            })
            .to_string()
            .into_bytes()
        })
        .collect()
}

fn columns() -> Vec<Column> {
    [
        ("order_id", "bigint"),
        ("customer", "string"),
        ("amount", "double"),
        ("quantity", "int"),
        ("placed", "timestamp"),
        ("note", "string"),
    ]
    .into_iter()
    .map(|(n, t)| Column {
        name: n.into(),
        glue_type: t.into(),
    })
    .collect()
}

fn convert_throughput() {
    let records = records();
    let bytes: usize = records.iter().map(Vec::len).sum();
    let t = Instant::now();
    let mut c = Converter::new(&columns(), &Options::default(), std::io::sink()).expect("a converter");
    for r in &records {
        c.push(r, 0).expect("a record converts");
    }
    c.finish().expect("the file ends");
    let ours = t.elapsed();

    // The baseline: arrow-json decoding the same lines against the same
    // Arrow schema, written by parquet's ArrowWriter (Snappy).
    let schema = Arc::new(arrow_schema::Schema::new(
        columns()
            .iter()
            .map(|c| {
                let ty = lakestack_catalog::glue_types::arrow_type(&c.glue_type).expect("a Glue type");
                arrow_schema::Field::new(&c.name, ty, true)
            })
            .collect::<Vec<_>>(),
    ));
    let lines: Vec<u8> = records.iter().flat_map(|r| r.iter().copied().chain([b'\n'])).collect();
    let t = Instant::now();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::io::sink(), Arc::clone(&schema), Some(props)).expect("writer");
    let reader = arrow_json::ReaderBuilder::new(schema)
        .with_batch_size(8192)
        .build(std::io::Cursor::new(&lines))
        .expect("reader");
    for batch in reader {
        w.write(&batch.expect("a batch")).expect("write");
    }
    w.close().expect("close");
    let base = t.elapsed();
    let mb = bytes as f64 / 1e6;
    println!(
        "JSON → Parquet (Snappy), {CONVERT_RECORDS} records, {mb:.1} MB of JSON: converter {:.1} MB/s ({:.0} records/s); arrow-json + ArrowWriter baseline {:.1} MB/s",
        mb / ours.as_secs_f64(),
        CONVERT_RECORDS as f64 / ours.as_secs_f64(),
        mb / base.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    convert_throughput();
    let (server, endpoint) = support::start_server().await;
    let _stop = support::Stopper::new(&server);
    let http = reqwest::Client::new();
    let r = http.put(format!("{endpoint}/lake")).send().await.expect("bucket");
    assert!(r.status().is_success());
    for (stream, prefix, interval) in [("forced", "forced/", 60), ("zero", "zero/", 0)] {
        firehose(
            &http,
            &endpoint,
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": stream, "ExtendedS3DestinationConfiguration": {
                "RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::lake",
                "Prefix": prefix, "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": interval}
            }}),
        )
        .await;
    }
    let forced = latencies(&http, &endpoint, "forced", "forced/", true).await;
    println!(
        "PutRecord → object listable, flush forced by a clock advance: p50 {}, p99 {} ({RUNS} runs)",
        support::ms(support::percentile(&forced, 0.5)),
        support::ms(support::percentile(&forced, 0.99))
    );
    let zero = latencies(&http, &endpoint, "zero", "zero/", false).await;
    println!(
        "PutRecord → object listable, zero buffering: p50 {}, p99 {} ({RUNS} runs)",
        support::ms(support::percentile(&zero, 0.5)),
        support::ms(support::percentile(&zero, 0.99))
    );
}
