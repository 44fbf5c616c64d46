//! EventBridge and Glue job figures, on the release binary: the latency
//! from PutEvents to the event in an SQS target (a long poll already
//! waiting), events per second put and delivered when every event is
//! matched against 100 rules, and a trivial Python shell job's time from
//! StartJobRun to SUCCEEDED.
//!
//! `cargo build --release -p lakestack -p lakestack-bench` then
//! `target/release/lakestack-bench-events` (LAKESTACK_BIN names another server).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../support.rs"]
#[allow(dead_code, reason = "the EventBridge benchmark uses the server helpers only")]
mod support;

const CLIENTS: usize = 16;
const LATENCY_RUNS: usize = 300;
const RULES: usize = 100;
/// PutEvents calls of 10 entries each.
const BATCHES: usize = 3_000;
const JOB_RUNS: usize = 10;

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    async fn call(&self, target: &str, content_type: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("x-amz-target", target)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = r.status();
        let v: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("JSON answer");
        assert!(status.is_success(), "{target} failed: {v}");
        v
    }

    async fn events(&self, op: &str, body: Value) -> Value {
        self.call(&format!("AWSEvents.{op}"), "application/x-amz-json-1.1", body)
            .await
    }

    async fn glue(&self, op: &str, body: Value) -> Value {
        self.call(&format!("AWSGlue.{op}"), "application/x-amz-json-1.1", body)
            .await
    }

    fn queues(&self) -> support::Sqs<'_> {
        support::Sqs {
            http: &self.http,
            endpoint: &self.endpoint,
        }
    }

    async fn queue(&self, name: &str) -> (String, String) {
        self.queues().queue(name).await
    }

    async fn visible(&self, url: &str) -> u64 {
        self.queues().visible(url).await
    }
}

use support::{ms, percentile};

async fn put_to_queue_latency(api: &Api) {
    let (url, arn) = api.queue("latency").await;
    api.events(
        "PutRule",
        json!({"Name": "latency", "EventPattern": json!({"source": ["bench.latency"]}).to_string()}),
    )
    .await;
    api.events(
        "PutTargets",
        json!({"Rule": "latency", "Targets": [{"Id": "q", "Arn": arn}]}),
    )
    .await;
    let latencies = support::arrival_latencies(
        &api.queues(),
        &url,
        LATENCY_RUNS,
        |i| async move {
            api.events(
            "PutEvents",
            json!({"Entries": [{"Source": "bench.latency", "DetailType": "t", "Detail": json!({"i": i}).to_string()}]}),
        )
        .await;
        },
        |i| format!("\"i\":{i}"),
    )
    .await;
    println!(
        "{}",
        support::latency_line("PutEvents -> SQS target", &latencies, &format!("{LATENCY_RUNS} events"))
    );
}

/// 100 rules of varied patterns, each matching one `kind` of event and
/// delivering to one of four queues; every event matches exactly one rule.
async fn many_rules(api: &Arc<Api>) {
    let mut queues = Vec::new();
    for q in 0..4 {
        queues.push(api.queue(&format!("rules-{q}")).await);
    }
    for r in 0..RULES {
        let pattern = match r % 4 {
            0 => json!({"source": ["bench.rules"], "detail": {"kind": [format!("k{r:03}")]}}),
            1 => {
                json!({"source": ["bench.rules"], "detail": {"kind": [{"prefix": format!("k{r:03}")}], "n": [{"numeric": [">=", 0]}]}})
            }
            2 => {
                json!({"source": [{"prefix": "bench."}], "detail-type": ["t"], "detail": {"kind": [format!("k{r:03}")], "tags": [{"exists": true}]}})
            }
            _ => {
                json!({"$or": [{"detail": {"kind": [format!("k{r:03}")]}}, {"detail": {"alt": [format!("k{r:03}")]}}], "source": ["bench.rules"]})
            }
        };
        api.events(
            "PutRule",
            json!({"Name": format!("r{r}"), "EventPattern": pattern.to_string()}),
        )
        .await;
        let (_, arn) = &queues[r % queues.len()];
        api.events(
            "PutTargets",
            json!({"Rule": format!("r{r}"), "Targets": [{"Id": "q", "Arn": arn}]}),
        )
        .await;
    }
    let start = Instant::now();
    let put = support::concurrent(CLIENTS, BATCHES, {
        let api = Arc::clone(api);
        move |b| {
            let api = Arc::clone(&api);
            async move {
                let entries: Vec<Value> = (0..10)
                    .map(|e| {
                        // Rule r's kind is `k{r:03}`, three digits so that the rules that
                        // match by prefix (`k001`) match no other rule's kind.
                        let r = (b * 10 + e) % RULES;
                        let kind = format!("k{r:03}");
                        json!({"Source": "bench.rules", "DetailType": "t",
                               "Detail": json!({"kind": kind, "n": e, "tags": ["a"]}).to_string()})
                    })
                    .collect();
                let got = api.events("PutEvents", json!({"Entries": entries})).await;
                assert_eq!(got["FailedEntryCount"], 0, "{got}");
            }
        }
    })
    .await;
    let put_time = start.elapsed();
    let events = (put.len() * 10) as u64;
    let mut delivered = 0;
    while delivered < events {
        delivered = 0;
        for (url, _) in &queues {
            delivered += api.visible(url).await;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "delivery did not finish: {delivered}/{events}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let done = start.elapsed();
    println!(
        "{RULES} rules: {:.0} events/s put (PutEvents of 10 from {CLIENTS} clients, {events} events), {:.0} events/s matched and delivered to SQS ({delivered} in {:.2} s)",
        events as f64 / put_time.as_secs_f64(),
        delivered as f64 / done.as_secs_f64(),
        done.as_secs_f64()
    );
}

async fn python_shell_job(api: &Api) {
    let script = "import sys\nfrom awsglue.utils import getResolvedOptions\nprint(getResolvedOptions(sys.argv, ['JOB_NAME'])['JOB_NAME'])\n";
    let r = api
        .http
        .put(format!("{}/scripts", api.endpoint))
        .send()
        .await
        .expect("CreateBucket");
    assert!(r.status().is_success());
    let r = api
        .http
        .put(format!("{}/scripts/trivial.py", api.endpoint))
        .body(script)
        .send()
        .await
        .expect("PUT");
    assert!(r.status().is_success());
    api.glue(
        "CreateJob",
        json!({"Name": "trivial", "Role": "arn:aws:iam::000000000000:role/glue",
               "Command": {"Name": "pythonshell", "ScriptLocation": "s3://scripts/trivial.py"}, "MaxCapacity": 0.0625}),
    )
    .await;
    let mut took = Vec::with_capacity(JOB_RUNS);
    for _ in 0..JOB_RUNS {
        let start = Instant::now();
        let id = api.glue("StartJobRun", json!({"JobName": "trivial"})).await["JobRunId"]
            .as_str()
            .expect("JobRunId")
            .to_owned();
        loop {
            let run = api.glue("GetJobRun", json!({"JobName": "trivial", "RunId": id})).await;
            match run["JobRun"]["JobRunState"].as_str() {
                Some("SUCCEEDED") => break,
                Some("STARTING" | "RUNNING") => tokio::time::sleep(Duration::from_millis(2)).await,
                other => panic!("job run ended {other:?}: {run}"),
            }
        }
        took.push(start.elapsed());
    }
    took.sort();
    println!(
        "Python shell job, StartJobRun -> SUCCEEDED: p50 {}, max {} ({JOB_RUNS} runs of a script that prints its name)",
        ms(percentile(&took, 0.5)),
        ms(*took.last().expect("runs")),
    );
}

#[tokio::main]
async fn main() {
    let (child, endpoint) = support::start_server().await;
    let _stop = support::Stopper::new(&child);
    let api = Arc::new(Api {
        http: reqwest::Client::new(),
        endpoint,
    });
    println!("lakestack {} (EventBridge, Glue jobs)", support::binary());
    put_to_queue_latency(&api).await;
    many_rules(&api).await;
    python_shell_job(&api).await;
    println!(
        "server RSS after the run: {:.1} MiB",
        support::status_kib(child.id(), "VmRSS") as f64 / 1024.0
    );
}
