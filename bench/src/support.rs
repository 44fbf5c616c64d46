//! What the Glue and Athena benchmark programs share: starting the release
//! binary, walking the generated data, uploading it over S3, and awsJson calls.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use futures::StreamExt;
use serde_json::Value;

/// Starts `target/release/lakestack` (or `LAKESTACK_BIN`) with `--ephemeral` and
/// creates the `bench` bucket; returns the process and its endpoint.
#[allow(dead_code, reason = "the Athena benchmark starts the server with its log instead")]
pub async fn start_server() -> (Child, String) {
    start(
        Command::new(binary())
            .args(["--port", "0", "--ephemeral"])
            .env("RUST_LOG", "warn"),
    )
    .await
}

/// As [`start_server`], with the server's log (at `filter`) on a pipe.
#[allow(dead_code, reason = "only the Athena benchmark reads the log")]
pub async fn start_server_logging(filter: &str) -> (Child, String) {
    let mut command = Command::new(binary());
    command
        .args(["--port", "0", "--ephemeral"])
        .env("RUST_LOG", filter)
        // Plain text: the log is parsed, and colour codes would split its fields.
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    start(&mut command).await
}

/// Stops the server when dropped, on a panic too: SIGTERM, so its
/// `--ephemeral` data directory (a copy of the data set) is removed. A
/// SIGKILL left one behind per run.
pub struct Stopper(u32);

impl Stopper {
    pub fn new(child: &Child) -> Self {
        Self(child.id())
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.to_string()).status();
        // The server exits once its open requests end; give it a moment.
        for _ in 0..100 {
            let alive = Command::new("kill").args(["-0", &self.0.to_string()]).status();
            if !alive.is_ok_and(|s| s.success()) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

pub fn binary() -> String {
    std::env::var("LAKESTACK_BIN").unwrap_or_else(|_| "target/release/lakestack".into())
}

pub async fn start(command: &mut Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).spawn().expect("start lakestack");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("ready line names the address")
        .to_owned();
    reqwest::Client::new()
        .put(format!("{endpoint}/bench"))
        .send()
        .await
        .expect("create the bench bucket");
    (child, endpoint)
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
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

/// Uploads `root/<dataset>/...` to `bench/<dataset>/...`, 8 at a time; returns files and bytes.
pub async fn upload(endpoint: &str, root: &Path, dataset: &str) -> (usize, u64) {
    let files = files_under(&root.join(dataset));
    let bytes: u64 = files.iter().map(|f| f.metadata().map_or(0, |m| m.len())).sum();
    let n = files.len();
    let http = reqwest::Client::new();
    futures::stream::iter(files)
        .map(|f| {
            let key = f.strip_prefix(root).unwrap_or(&f).to_string_lossy().into_owned();
            let http = http.clone();
            let url = format!("{endpoint}/bench/{key}");
            async move {
                let body = tokio::fs::read(&f).await.expect("read a data file");
                let r = http.put(url).body(body).send().await.expect("PUT");
                assert!(r.status().is_success(), "PUT {key}: {}", r.status());
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    (n, bytes)
}

/// One awsJson call (`X-Amz-Target: target`); panics on an error answer.
pub async fn call(http: &reqwest::Client, endpoint: &str, target: &str, body: Value) -> Value {
    let r = http
        .post(format!("{endpoint}/"))
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .expect("awsJson request");
    let status = r.status();
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("JSON answer");
    assert!(status.is_success(), "{target} failed: {v}");
    v
}

/// A `/proc/<pid>/status` figure in KiB (`VmRSS`, `VmHWM`), 0 when unreadable.
#[allow(dead_code, reason = "the data-set benchmarks read no memory figures")]
pub fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs `op(0..n)` from `clients` concurrent workers; returns each op's latency.
#[allow(dead_code, reason = "the S3 and footprint benchmarks drive concurrent clients")]
pub async fn concurrent<F, Fut>(clients: usize, n: usize, op: F) -> Vec<std::time::Duration>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (op, next) = (op.clone(), std::sync::Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return lat;
                }
                let t = std::time::Instant::now();
                op(i).await;
                lat.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await.expect("a client task"));
    }
    all
}

/// Runs `op` from `clients` workers until `run_for` has passed (or `op`
/// answers 0: nothing left); how many items `op` moved per second.
#[allow(dead_code, reason = "only the SQS and Kinesis benchmarks count throughput")]
pub async fn per_second<F, Fut>(clients: usize, run_for: std::time::Duration, op: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    use std::sync::atomic::{AtomicU64, Ordering};
    let moved = std::sync::Arc::new(AtomicU64::new(0));
    let start = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (op, moved) = (op.clone(), std::sync::Arc::clone(&moved));
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < run_for {
                let n = op().await;
                if n == 0 {
                    return;
                }
                moved.fetch_add(n, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("a client task");
    }
    moved.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// SQS over awsJson 1.0, for the benchmarks that count what reached queues.
#[allow(dead_code, reason = "only the SQS and EventBridge benchmarks read queues")]
pub struct Sqs<'a> {
    pub http: &'a reqwest::Client,
    pub endpoint: &'a str,
}

#[allow(dead_code, reason = "only the SQS and EventBridge benchmarks read queues")]
impl Sqs<'_> {
    pub async fn call(&self, op: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("x-amz-target", format!("AmazonSQS.{op}"))
            .header("content-type", "application/x-amz-json-1.0")
            .body(body.to_string())
            .send()
            .await
            .expect("SQS request");
        let status = r.status();
        let v: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("JSON answer");
        assert!(status.is_success(), "{op} failed: {v}");
        v
    }

    /// Creates a queue; answers its URL and ARN.
    pub async fn queue(&self, name: &str) -> (String, String) {
        let url = self.call("CreateQueue", serde_json::json!({"QueueName": name})).await["QueueUrl"]
            .as_str()
            .expect("QueueUrl")
            .to_owned();
        let arn = self
            .call(
                "GetQueueAttributes",
                serde_json::json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
            )
            .await["Attributes"]["QueueArn"]
            .as_str()
            .expect("QueueArn")
            .to_owned();
        (url, arn)
    }

    /// How many messages the queue holds, visible.
    pub async fn visible(&self, url: &str) -> u64 {
        let v = self
            .call(
                "GetQueueAttributes",
                serde_json::json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}),
            )
            .await;
        v["Attributes"]["ApproximateNumberOfMessages"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// A duration in milliseconds, two decimals.
#[allow(dead_code, reason = "only the latency benchmarks print milliseconds")]
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The `p` quantile of sorted latencies.
#[allow(dead_code, reason = "only the latency benchmarks take quantiles")]
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// How long what `cause(i)` sets off takes to reach the queue at `url`, `runs`
/// times, a ReceiveMessage long poll already waiting each time: answers the
/// sorted latencies from `cause`'s start and from its answer. `expect(i)` is
/// text the message body must hold; each message is deleted.
#[allow(dead_code, reason = "only the delivery benchmarks time arrivals")]
pub async fn arrival_latencies<F, Fut>(
    sqs: &Sqs<'_>,
    url: &str,
    runs: usize,
    mut cause: F,
    expect: impl Fn(usize) -> String,
) -> (Vec<std::time::Duration>, Vec<std::time::Duration>)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut from_start = Vec::with_capacity(runs);
    let mut from_ack = Vec::with_capacity(runs);
    for i in 0..runs {
        let waiting = {
            let (http, endpoint, url) = (sqs.http.clone(), sqs.endpoint.to_owned(), url.to_owned());
            tokio::spawn(async move {
                let got = Sqs {
                    http: &http,
                    endpoint: &endpoint,
                }
                .call(
                    "ReceiveMessage",
                    serde_json::json!({"QueueUrl": url, "WaitTimeSeconds": 20, "MaxNumberOfMessages": 1}),
                )
                .await;
                (std::time::Instant::now(), got)
            })
        };
        // Let the long poll reach the server before the cause.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let start = std::time::Instant::now();
        cause(i).await;
        let acked = std::time::Instant::now();
        let (arrived, got) = waiting.await.expect("receiver");
        let m = &got["Messages"][0];
        assert!(m["Body"].as_str().is_some_and(|b| b.contains(&expect(i))), "{got}");
        from_start.push(arrived - start);
        from_ack.push(arrived.saturating_duration_since(acked));
        sqs.call(
            "DeleteMessage",
            serde_json::json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
        )
        .await;
    }
    from_start.sort();
    from_ack.sort();
    (from_start, from_ack)
}

/// One line of latency figures: p50 and p99 from the cause's start and after its answer.
#[allow(dead_code, reason = "only the delivery benchmarks time arrivals")]
pub fn latency_line(
    what: &str,
    (from_start, from_ack): &(Vec<std::time::Duration>, Vec<std::time::Duration>),
    count: &str,
) -> String {
    format!(
        "{what}: p50 {}, p99 {} from the call's start; p50 {}, p99 {} after its answer ({count})",
        ms(percentile(from_start, 0.5)),
        ms(percentile(from_start, 0.99)),
        ms(percentile(from_ack, 0.5)),
        ms(percentile(from_ack, 0.99)),
    )
}
