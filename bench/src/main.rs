//! `cargo build --release --bin lakestack && cargo run --release -p lakestack-bench`
//!
//! Starts the release binary with `--ephemeral` and prints the figures the
//! foundation issue names. The client runs on the same machine, so the figures
//! include its cost too.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;

const SMALL: usize = 4 * 1024;
const CLIENTS: usize = 16;
const SMALL_OPS: usize = 40_000;
const LARGE: u64 = 1 << 30;
const LIST_KEYS: usize = 10_000;

#[allow(dead_code, reason = "the data-set helpers serve the other benchmarks")]
mod support;

fn rss_kib(pid: u32) -> u64 {
    support::status_kib(pid, "VmRSS")
}

/// CPU seconds the server has used so far (user + system), from /proc.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn small_objects(http: &reqwest::Client, base: &str, put: bool) -> (f64, Duration) {
    let body = Bytes::from(vec![7u8; SMALL]);
    let (http, base) = (http.clone(), base.to_owned());
    let started = Instant::now();
    let mut all = support::concurrent(CLIENTS, SMALL_OPS, move |i| {
        let (http, body, url) = (http.clone(), body.clone(), format!("{base}/bench/small/{i:06}"));
        async move {
            let r = if put {
                http.put(&url).body(body).send().await
            } else {
                http.get(&url).send().await
            };
            let r = r.expect("request");
            assert!(r.status().is_success(), "{}", r.status());
            let _ = r.bytes().await.expect("body");
        }
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    all.sort_unstable();
    (SMALL_OPS as f64 / secs, percentile(&all, 0.99))
}

fn start() -> (std::process::Child, String) {
    let mut child = Command::new(support::binary())
        .args(["--ephemeral", "--port", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start target/release/lakestack (build it with --release first)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

/// SIGTERM, so the ephemeral data directory is removed.
fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}

#[tokio::main]
async fn main() {
    // Start-up: spawn to first answered request, median of 11 starts.
    let mut startups = Vec::new();
    let mut server = None;
    for i in 0..11 {
        let t0 = Instant::now();
        let (child, base) = start();
        let r = reqwest::Client::new()
            .get(format!("{base}/_lakestack/health"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        startups.push(t0.elapsed());
        if i == 10 {
            server = Some((child, base));
        } else {
            stop(child);
        }
    }
    startups.sort_unstable();
    println!(
        "startup to first answered request: {:.1} ms (median of 11)",
        startups[5].as_secs_f64() * 1000.0
    );
    let (child, base) = server.unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS * 2)
        .build()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("idle RSS: {:.1} MiB", rss_kib(child.id()) as f64 / 1024.0);

    http.put(format!("{base}/bench")).send().await.unwrap();
    let pid = child.id();
    for (name, put) in [("PUT", true), ("GET", false)] {
        let cpu0 = cpu_secs(pid);
        let (ops, p99) = small_objects(&http, &base, put).await;
        let cpu_us = (cpu_secs(pid) - cpu0) * 1e6 / SMALL_OPS as f64;
        println!(
            "4 KiB {name}, {CLIENTS} clients: {ops:.0} ops/s, p99 {:.2} ms, server CPU {cpu_us:.0} us/op",
            p99.as_secs_f64() * 1000.0
        );
    }

    let chunk = Bytes::from(vec![42u8; 1 << 20]);
    let chunks = (LARGE >> 20) as usize;
    let body = reqwest::Body::wrap_stream(futures::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    ));
    let t = Instant::now();
    let r = http
        .put(format!("{base}/bench/large"))
        .header("content-length", LARGE)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let secs = t.elapsed().as_secs_f64();
    println!("1 GiB PUT: {:.0} MB/s", LARGE as f64 / 1e6 / secs);
    println!("RSS after 1 GiB PUT: {:.1} MiB", rss_kib(child.id()) as f64 / 1024.0);
    let t = Instant::now();
    let mut stream = http
        .get(format!("{base}/bench/large"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    let mut n = 0u64;
    while let Some(b) = stream.next().await {
        n += b.unwrap().len() as u64;
    }
    assert_eq!(n, LARGE);
    let secs = t.elapsed().as_secs_f64();
    println!("1 GiB GET: {:.0} MB/s", LARGE as f64 / 1e6 / secs);
    println!("RSS after 1 GiB GET: {:.1} MiB", rss_kib(child.id()) as f64 / 1024.0);

    // Multipart: 1 GiB in 8 parts; completing must not copy the data.
    let created = http
        .post(format!("{base}/bench/mpu?uploads"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let upload_id = created
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    let part_size = LARGE / 8;
    let mut parts_xml = String::from("<CompleteMultipartUpload>");
    for n in 1..=8u32 {
        let chunk = Bytes::from(vec![n as u8; 1 << 20]);
        let body = reqwest::Body::wrap_stream(futures::stream::iter(
            (0..(part_size >> 20)).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
        ));
        let r = http
            .put(format!("{base}/bench/mpu?partNumber={n}&uploadId={upload_id}"))
            .header("content-length", part_size)
            .body(body)
            .send()
            .await
            .unwrap();
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        parts_xml.push_str(&format!("<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"));
    }
    parts_xml.push_str("</CompleteMultipartUpload>");
    let t = Instant::now();
    let r = http
        .post(format!("{base}/bench/mpu?uploadId={upload_id}"))
        .body(parts_xml)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let done = r.text().await.unwrap();
    assert!(done.contains("-8"), "{done}");
    println!(
        "CompleteMultipartUpload of 1 GiB (8 parts): {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    http.put(format!("{base}/listing")).send().await.unwrap();
    let (h, b) = (http.clone(), base.clone());
    support::concurrent(CLIENTS, LIST_KEYS, move |i| {
        let (http, url) = (h.clone(), format!("{b}/listing/dir{}/key{i:05}", i % 10));
        async move {
            http.put(&url).body("x").send().await.unwrap();
        }
    })
    .await;
    let t = Instant::now();
    let mut token: Option<String> = None;
    let mut keys = 0;
    let mut pages = 0;
    loop {
        let mut url = format!("{base}/listing?list-type=2");
        if let Some(tok) = &token {
            url.push_str("&continuation-token=");
            url.push_str(&tok.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"));
        }
        let xml = http.get(&url).send().await.unwrap().text().await.unwrap();
        keys += xml.matches("<Key>").count();
        pages += 1;
        token = xml
            .split("<NextContinuationToken>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(keys, LIST_KEYS);
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "ListObjectsV2 over {LIST_KEYS} keys: {ms:.1} ms for {pages} pages ({:.1} ms/page)",
        ms / pages as f64
    );
    let t = Instant::now();
    let xml = http
        .get(format!("{base}/listing?list-type=2&delimiter=/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(xml.matches("<CommonPrefixes>").count(), 10);
    println!(
        "ListObjectsV2 delimiter=/ over {LIST_KEYS} keys (10 prefixes): {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    stop(child);
}
