//! `cargo build --release -p lakestack -p lakestack-bench && target/release/lakestack-bench-footprint`
//!
//! Prints the footprint table of docs/bench.md for each server it is given,
//! side by side in one run: idle RSS after start, cold start to the first
//! answer on a fresh data directory, RSS after a load (120k small PUTs and
//! GETs, a 1 GiB PUT and GET, a 10k-key listing), a 1 GiB single PUT with
//! curl, and the binary's size.
//!
//! Servers are command templates where `{port}` and `{dir}` are replaced:
//!
//! ```sh
//! lakestack-bench-footprint \
//!   --server 'lakestack=target/release/lakestack --port {port} --data-dir {dir}' \
//!   --server 's3s-fs=s3s-fs --host 127.0.0.1 --port {port} {dir}'
//! ```
//!
//! With no `--server`, it measures `target/release/lakestack` (or
//! `LAKESTACK_BIN`). Requests are unsigned, so servers must accept
//! anonymous requests (lakestack's default permissive auth does).
//!
//! `--build-from-nothing DIR` adds the last row: `cargo build --release
//! --locked -p lakestack` of the checkout in DIR into an empty target
//! directory, timed (tens of minutes on two cores; it needs the registry
//! sources fetched, nothing else).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;

#[allow(dead_code, reason = "only the memory and binary helpers serve this program")]
#[path = "../support.rs"]
mod support;

const STARTS: usize = 11;
const SMALL: usize = 4 * 1024;
const SMALL_OPS: usize = 60_000;
const CLIENTS: usize = 16;
const LARGE: u64 = 1 << 30;
const LIST_KEYS: usize = 10_000;

struct Server {
    name: String,
    template: String,
}

impl Server {
    fn program(&self) -> &str {
        self.template.split_whitespace().next().unwrap_or_default()
    }

    fn spawn(&self, dir: &Path) -> (Child, u16) {
        // Empty but present: some servers refuse a root that does not exist.
        std::fs::create_dir_all(dir).expect("data dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let line = self
            .template
            .replace("{port}", &port.to_string())
            .replace("{dir}", &dir.display().to_string());
        let mut words = line.split_whitespace();
        let child = Command::new(words.next().expect("a program"))
            .args(words)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.name));
        (child, port)
    }
}

/// Polls until the server answers ListBuckets; returns the time from spawn.
async fn first_answer(http: &reqwest::Client, port: u16, spawned: Instant) -> Duration {
    let url = format!("http://127.0.0.1:{port}/");
    loop {
        if let Ok(r) = http.get(&url).send().await
            && r.status().is_success()
        {
            return spawned.elapsed();
        }
        if spawned.elapsed() > Duration::from_secs(30) {
            panic!("no answer from port {port} within 30 s");
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

fn stop(mut child: Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// A body of `len` bytes streamed in 1 MiB chunks, never held whole.
fn stream_body(len: u64) -> reqwest::Body {
    let chunk = Bytes::from(vec![b'x'; 1 << 20]);
    let chunks = len / (1 << 20);
    reqwest::Body::wrap_stream(futures::stream::iter(
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    ))
}

/// The load of the RSS-after-load row; returns nothing, the RSS is read after.
async fn load(http: &reqwest::Client, base: &str) {
    let body = Bytes::from(vec![b'a'; SMALL]);
    let (h, b, u) = (http.clone(), body.clone(), base.to_owned());
    support::concurrent(CLIENTS, SMALL_OPS, move |i| {
        let (h, b, u) = (h.clone(), b.clone(), u.clone());
        async move {
            let r = h
                .put(format!("{u}/footprint/small/{i:06}"))
                .body(b)
                .send()
                .await
                .expect("PUT");
            assert!(r.status().is_success(), "PUT {}", r.status());
        }
    })
    .await;
    let (h, u) = (http.clone(), base.to_owned());
    support::concurrent(CLIENTS, SMALL_OPS, move |i| {
        let (h, u) = (h.clone(), u.clone());
        async move {
            let r = h.get(format!("{u}/footprint/small/{i:06}")).send().await.expect("GET");
            assert_eq!(r.bytes().await.expect("body").len(), SMALL);
        }
    })
    .await;
    let r = http
        .put(format!("{base}/footprint/large"))
        .header("content-length", LARGE)
        .body(stream_body(LARGE))
        .send()
        .await
        .expect("1 GiB PUT");
    assert!(r.status().is_success());
    let mut got = 0u64;
    let mut s = http
        .get(format!("{base}/footprint/large"))
        .send()
        .await
        .expect("1 GiB GET")
        .bytes_stream();
    while let Some(c) = s.next().await {
        got += c.expect("a chunk").len() as u64;
    }
    assert_eq!(got, LARGE);
    let mut token: Option<String> = None;
    let mut listed = 0;
    loop {
        let mut url = format!("{base}/footprint?list-type=2&prefix=small/&max-keys=1000");
        if let Some(t) = &token {
            url.push_str(&format!("&continuation-token={}", urlencode(t)));
        }
        let xml = http.get(url).send().await.expect("list").text().await.expect("xml");
        listed += xml.matches("<Key>").count();
        token = xml
            .split("<NextContinuationToken>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(str::to_owned);
        if token.is_none() || listed >= LIST_KEYS {
            break;
        }
    }
    assert!(listed >= LIST_KEYS, "listed {listed}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A 1 GiB single PUT with curl from a file; MiB/s.
fn curl_put(base: &str, file: &Path) -> f64 {
    let started = Instant::now();
    let out = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T"])
        .arg(file)
        .arg(format!("{base}/footprint/curl"))
        .output()
        .expect("curl");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200", "curl PUT");
    LARGE as f64 / (1 << 20) as f64 / secs
}

#[tokio::main]
async fn main() {
    let mut servers = Vec::new();
    let mut checkout = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--build-from-nothing" {
            checkout = Some(std::path::PathBuf::from(args.next().expect("--build-from-nothing DIR")));
        } else if a == "--server" {
            let spec = args.next().expect("--server NAME=COMMAND");
            let (name, template) = spec.split_once('=').expect("--server NAME=COMMAND");
            servers.push(Server {
                name: name.into(),
                template: template.into(),
            });
        }
    }
    if servers.is_empty() {
        servers.push(Server {
            name: "lakestack".into(),
            template: format!("{} --port {{port}} --data-dir {{dir}}", support::binary()),
        });
    }
    let http = reqwest::Client::new();
    let scratch = std::env::temp_dir().join(format!("lakestack-footprint-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let big = scratch.join("1gib.bin");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).expect("1 GiB file");
        let chunk = vec![b'z'; 1 << 20];
        for _ in 0..1024 {
            f.write_all(&chunk).expect("write");
        }
    }
    let mut rows: Vec<(String, Vec<String>)> = [
        "idle RSS after start",
        "cold start to first answer, fresh data dir (median of 11)",
        "RSS after 120k small PUTs/GETs, a 1 GiB PUT/GET and a 10k-key listing",
        "1 GiB single PUT (curl, one stream)",
        "binary size",
    ]
    .iter()
    .map(|r| ((*r).to_owned(), Vec::new()))
    .collect();
    for server in &servers {
        let mut starts = Vec::new();
        let mut idle = 0;
        for i in 0..STARTS {
            let dir = scratch.join(format!("{}-start-{i}", server.name));
            let spawned = Instant::now();
            let (child, port) = server.spawn(&dir);
            starts.push(first_answer(&http, port, spawned).await);
            if i == 0 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                idle = support::status_kib(child.id(), "VmRSS");
            }
            stop(child);
            let _ = std::fs::remove_dir_all(&dir);
        }
        starts.sort();
        let dir = scratch.join(format!("{}-load", server.name));
        let (child, port) = server.spawn(&dir);
        first_answer(&http, port, Instant::now()).await;
        let base = format!("http://127.0.0.1:{port}");
        let made = http
            .put(format!("{base}/footprint"))
            .send()
            .await
            .expect("create bucket");
        assert!(made.status().is_success(), "CreateBucket {}", made.status());
        load(&http, &base).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let loaded = support::status_kib(child.id(), "VmRSS");
        let put = curl_put(&base, &big);
        stop(child);
        let _ = std::fs::remove_dir_all(&dir);
        let size = which(server.program())
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| format!("{:.0} MB", m.len() as f64 / 1e6))
            .unwrap_or_else(|| "?".into());
        let values = [
            mib(idle),
            format!("{:.1} ms", starts[STARTS / 2].as_secs_f64() * 1000.0),
            mib(loaded),
            format!("{put:.0} MiB/s"),
            size,
        ];
        for (row, v) in rows.iter_mut().zip(values) {
            row.1.push(v);
        }
    }
    if let Some(dir) = &checkout {
        let target = scratch.join("target");
        let started = Instant::now();
        let ok = Command::new("cargo")
            .args([
                "build",
                "--release",
                "--locked",
                "-p",
                "lakestack",
                "--bin",
                "lakestack",
            ])
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", &target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("cargo")
            .success();
        assert!(ok, "cargo build --release failed in {}", dir.display());
        let mut values = vec![format!("{:.1} min", started.elapsed().as_secs_f64() / 60.0)];
        values.resize(servers.len(), String::new());
        rows.push(("`cargo build --release` from nothing".to_owned(), values));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "| figure | {} |",
        servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" | ")
    );
    println!("| --- |{}", " --- |".repeat(servers.len()));
    for (name, values) in rows {
        println!("| {name} | {} |", values.join(" | "));
    }
}

/// The path of a program as the shell would find it.
fn which(program: &str) -> Option<std::path::PathBuf> {
    if program.contains('/') {
        return Some(program.into());
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}
