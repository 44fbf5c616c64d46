//! `cargo build --release -p lakestack -p lakestack-bench && ./target/release/lakestack-bench-untrusted`
//!
//! The memory an attacker's request can make the server take, the figures
//! issue 11 was measured by: an anonymous 256 MiB browser POST to a strict
//! server (it used to be buffered whole, RSS 36 → 334 MiB, before the 403),
//! and Athena queries that asked for gigabytes (`repeat('x', 300000000)`
//! took 3.7 GiB) or hold more than `--query-memory` in an aggregation.
//! Prints each answer with the server's resident memory and its peak.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

#[path = "../support.rs"]
#[allow(dead_code, reason = "the data-set helpers serve the other benchmarks")]
mod support;

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn memory(pid: u32) -> String {
    format!(
        "RSS {:.1} MiB, peak {:.1} MiB",
        mib(support::status_kib(pid, "VmRSS")),
        mib(support::status_kib(pid, "VmHWM"))
    )
}

/// A multipart/form-data POST whose file part is `size` bytes of zeros,
/// generated as it is sent, with no signature fields.
async fn anonymous_post(endpoint: &str, size: usize) -> (u16, String) {
    let boundary = "lakestackbenchboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nbig.bin\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let chunk = bytes::Bytes::from(vec![0u8; 1 << 20]);
    let chunks = size / chunk.len();
    let body = futures::stream::iter(
        std::iter::once(bytes::Bytes::from(head))
            .chain(std::iter::repeat_n(chunk, chunks))
            .chain(std::iter::once(bytes::Bytes::from(tail))),
    )
    .map(Ok::<_, std::io::Error>);
    let r = reqwest::Client::new()
        .post(format!("{endpoint}/bench"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    match r {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let code = text
                .split("<Code>")
                .nth(1)
                .and_then(|s| s.split("</Code>").next())
                .unwrap_or("")
                .to_owned();
            (status, code)
        }
        // The server may answer and close before the body is sent.
        Err(e) => (0, format!("connection ended early: {e}")),
    }
}

async fn query(endpoint: &str, sql: &str) -> (Duration, Value) {
    let http = reqwest::Client::new();
    let t = Instant::now();
    let id = support::call(
        &http,
        endpoint,
        "AmazonAthena.StartQueryExecution",
        json!({"QueryString": sql, "ResultConfiguration": {"OutputLocation": "s3://bench/results/"}}),
    )
    .await["QueryExecutionId"]
        .as_str()
        .expect("an execution id")
        .to_owned();
    loop {
        let e = support::call(
            &http,
            endpoint,
            "AmazonAthena.GetQueryExecution",
            json!({"QueryExecutionId": id}),
        )
        .await["QueryExecution"]
            .clone();
        if matches!(
            e["Status"]["State"].as_str(),
            Some("SUCCEEDED" | "FAILED" | "CANCELLED")
        ) {
            return (t.elapsed(), e["Status"].clone());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    let (child, endpoint) = support::start(
        std::process::Command::new(support::binary())
            .args(["--port", "0", "--ephemeral", "--auth", "strict", "--keys", "AK:SK"])
            .env("RUST_LOG", "error"),
    )
    .await;
    let _stop = support::Stopper::new(&child);
    println!("strict server, idle: {}", memory(child.id()));
    let t = Instant::now();
    let (status, code) = anonymous_post(&endpoint, 256 << 20).await;
    println!(
        "anonymous 256 MiB POST: {status} {code} in {:.0} ms; {}",
        t.elapsed().as_secs_f64() * 1000.0,
        memory(child.id())
    );
    drop(_stop);

    let (child, endpoint) = support::start(
        std::process::Command::new(support::binary())
            .args(["--port", "0", "--ephemeral", "--query-memory", "256MiB"])
            .env("RUST_LOG", "error"),
    )
    .await;
    let _stop = support::Stopper::new(&child);
    println!("permissive server, --query-memory 256MiB, idle: {}", memory(child.id()));
    for sql in [
        "SELECT cardinality(repeat('x', 300000000))",
        "SELECT length(lpad('x', 300000000))",
        "SELECT cardinality(array_agg(value)) FROM generate_series(1, 100000000)",
    ] {
        let (took, status) = query(&endpoint, sql).await;
        let reason = status["StateChangeReason"].as_str().unwrap_or("");
        println!(
            "{sql}\n  {} in {:.0} ms: {}\n  {}",
            status["State"].as_str().unwrap_or("?"),
            took.as_secs_f64() * 1000.0,
            reason.chars().take(110).collect::<String>(),
            memory(child.id())
        );
    }
}
