//! Lambda's figures, on the release binary: cold invoke (a new process) and
//! warm invoke round trips for a Python function and for a compiled
//! `provided.al2023` bootstrap (`lakestack-bench-lambda-bootstrap`), the
//! invocations per second of a warm trivial function from 16 clients, and
//! the server's RSS over 10,000 invocations.
//!
//! `cargo build --release -p lakestack -p lakestack-bench` then
//! `target/release/lakestack-bench-lambda` (LAKESTACK_BIN names another server).

use std::io::Write as _;
use std::time::{Duration, Instant};

#[path = "../support.rs"]
#[allow(dead_code, reason = "the Lambda benchmark uses the server helpers only")]
mod support;

const ROLE: &str = "arn:aws:iam::000000000000:role/bench";
const PYTHON: &str = "def handler(event, context):\n    return event\n";
const COLD_RUNS: usize = 10;
const WARM_RUNS: usize = 2_000;
const CLIENTS: usize = 16;
const THROUGHPUT_FOR: Duration = Duration::from_secs(5);
const RSS_RUNS: usize = 10_000;

fn zip_of(name: &str, bytes: &[u8], mode: u32) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().unix_permissions(mode);
    w.start_file(name, opts).expect("zip entry");
    w.write_all(bytes).expect("zip write");
    w.finish().expect("zip").into_inner()
}

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    async fn create(&self, name: &str, runtime: &str, handler: &str, zip: &[u8]) {
        use base64::Engine as _;
        let body = serde_json::json!({
            "FunctionName": name, "Runtime": runtime, "Role": ROLE, "Handler": handler,
            "Code": {"ZipFile": base64::engine::general_purpose::STANDARD.encode(zip)},
        });
        let r = self
            .http
            .post(format!("{}/2015-03-31/functions", self.endpoint))
            .body(body.to_string())
            .send()
            .await
            .expect("CreateFunction");
        assert_eq!(r.status().as_u16(), 201, "{:?}", r.text().await);
    }

    /// A configuration change: the next invocation starts a new process.
    async fn touch(&self, name: &str, n: usize) {
        let r = self
            .http
            .put(format!("{}/2015-03-31/functions/{name}/configuration", self.endpoint))
            .body(serde_json::json!({"Description": format!("run {n}")}).to_string())
            .send()
            .await
            .expect("UpdateFunctionConfiguration");
        assert!(r.status().is_success());
    }

    async fn invoke(&self, name: &str) -> Duration {
        let t = Instant::now();
        let r = self
            .http
            .post(format!("{}/2015-03-31/functions/{name}/invocations", self.endpoint))
            .body(r#"{"ping": 1}"#)
            .send()
            .await
            .expect("Invoke");
        let failed = r.headers().contains_key("x-amz-function-error");
        let body = r.bytes().await.expect("payload");
        // Both functions answer with the event as it came.
        assert!(!failed && body.as_ref() == br#"{"ping": 1}"#.as_slice(), "{body:?}");
        t.elapsed()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn latencies(api: &Api, name: &str) {
    let mut cold = Vec::new();
    for n in 0..COLD_RUNS {
        api.touch(name, n).await;
        cold.push(api.invoke(name).await);
    }
    cold.sort();
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        warm.push(api.invoke(name).await);
    }
    warm.sort();
    println!(
        "{name:>8}: cold invoke p50 {} (min {}, max {}); warm invoke p50 {}, p99 {} ({WARM_RUNS} sequential)",
        ms(percentile(&cold, 0.5)),
        ms(cold[0]),
        ms(cold[cold.len() - 1]),
        ms(percentile(&warm, 0.5)),
        ms(percentile(&warm, 0.99)),
    );
}

async fn throughput(api: &std::sync::Arc<Api>, name: &'static str) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let api = std::sync::Arc::clone(api);
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while start.elapsed() < THROUGHPUT_FOR {
                api.invoke(name).await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("client");
    }
    println!(
        "{name:>8}: {:.0} invocations/s from {CLIENTS} clients over {:.1} s",
        total as f64 / start.elapsed().as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let (child, endpoint) = support::start_server().await;
    let _stop = support::Stopper::new(&child);
    let pid = child.id();
    let api = std::sync::Arc::new(Api {
        http: reqwest::Client::new(),
        endpoint,
    });
    let bootstrap = std::env::current_exe()
        .expect("own path")
        .with_file_name("lakestack-bench-lambda-bootstrap");
    let compiled = std::fs::read(&bootstrap).expect("build lakestack-bench-lambda-bootstrap first");
    api.create(
        "python",
        "python3.11",
        "app.handler",
        &zip_of("app.py", PYTHON.as_bytes(), 0o644),
    )
    .await;
    api.create(
        "compiled",
        "provided.al2023",
        "unused",
        &zip_of("bootstrap", &compiled, 0o755),
    )
    .await;
    println!("lakestack {} (Lambda)", support::binary());
    latencies(&api, "python").await;
    latencies(&api, "compiled").await;
    throughput(&api, "compiled").await;
    throughput(&api, "python").await;
    let before = rss_kib(pid);
    let mut after_first = 0;
    for i in 0..RSS_RUNS {
        api.invoke("compiled").await;
        if i == 999 {
            after_first = rss_kib(pid);
        }
    }
    let after = rss_kib(pid);
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB after 1,000 and {:.1} MiB after {RSS_RUNS} more warm invocations",
        before as f64 / 1024.0,
        after_first as f64 / 1024.0,
        after as f64 / 1024.0
    );
}
