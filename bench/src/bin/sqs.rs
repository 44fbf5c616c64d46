//! SQS, SNS and S3 event figures, on the release binary: SendMessage and
//! ReceiveMessage+DeleteMessageBatch messages per second from 16 clients,
//! the latency from an S3 PUT to its event record in a queue (a long poll
//! already waiting), and an SNS topic's fan-out to 10 queues.
//!
//! `cargo build --release -p lakestack -p lakestack-bench` then
//! `target/release/lakestack-bench-sqs` (LAKESTACK_BIN names another server).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../support.rs"]
#[allow(dead_code, reason = "the SQS benchmark uses the server helpers only")]
mod support;

const CLIENTS: usize = 16;
const RUN_FOR: Duration = Duration::from_secs(5);
const BODY: &str = "a message of about one hundred bytes, as the events of a data pipeline often are: {\"k\":1}";
const LATENCY_RUNS: usize = 300;
const FANOUT_QUEUES: usize = 10;
const FANOUT_MESSAGES: usize = 2_000;
/// Query-protocol requests are routed by the service their signature names;
/// permissive mode does not check the signature itself.
const SNS_AUTH: &str =
    "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00";

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    async fn sqs(&self, op: &str, body: Value) -> Value {
        self.queues().call(op, body).await
    }

    async fn sns(&self, form: &[(&str, &str)]) -> String {
        let body: String = form_body(form);
        let r = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("authorization", SNS_AUTH)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("SNS request");
        let status = r.status();
        let text = r.text().await.expect("body");
        assert!(status.is_success(), "SNS {form:?} failed: {text}");
        text
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

fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).map(|i| i + open.len()).expect("element in the answer");
    let end = text[start..].find(close).expect("closing element") + start;
    &text[start..end]
}

/// Runs `op` from 16 clients for five seconds; answers how many messages it moved per second.
async fn for_a_while<F, Fut>(op: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    support::per_second(CLIENTS, RUN_FOR, op).await
}

async fn send_and_receive(api: &Arc<Api>) {
    let (url, _) = api.queue("bench").await;
    let send = {
        let (api, url) = (Arc::clone(api), url.clone());
        move || {
            let (api, url) = (Arc::clone(&api), url.clone());
            async move {
                api.sqs("SendMessage", json!({"QueueUrl": url, "MessageBody": BODY}))
                    .await;
                1
            }
        }
    };
    let sent = for_a_while(send).await;
    let queued = api.visible(&url).await;
    println!("SendMessage: {sent:.0} messages/s from {CLIENTS} clients ({queued} queued)");
    let receive = {
        let (api, url) = (Arc::clone(api), url.clone());
        move || {
            let (api, url) = (Arc::clone(&api), url.clone());
            async move {
                let got = api
                    .sqs("ReceiveMessage", json!({"QueueUrl": url, "MaxNumberOfMessages": 10}))
                    .await;
                let entries: Vec<Value> = got["Messages"]
                    .as_array()
                    .map(|ms| {
                        ms.iter()
                            .enumerate()
                            .map(|(i, m)| json!({"Id": i.to_string(), "ReceiptHandle": m["ReceiptHandle"]}))
                            .collect()
                    })
                    .unwrap_or_default();
                if entries.is_empty() {
                    return 0;
                }
                let n = entries.len() as u64;
                api.sqs("DeleteMessageBatch", json!({"QueueUrl": url, "Entries": entries}))
                    .await;
                n
            }
        }
    };
    let received = for_a_while(receive).await;
    println!(
        "ReceiveMessage (10) + DeleteMessageBatch: {received:.0} messages/s from {CLIENTS} clients ({} left)",
        api.visible(&url).await
    );
}

async fn s3_to_queue_latency(api: &Api) {
    let (url, arn) = api.queue("s3-events").await;
    let config = format!(
        "<NotificationConfiguration><QueueConfiguration><Queue>{arn}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>"
    );
    let r = api
        .http
        .put(format!("{}/bench?notification", api.endpoint))
        .body(config)
        .send()
        .await
        .expect("PutBucketNotificationConfiguration");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    // The test event S3 sends first.
    api.sqs("PurgeQueue", json!({"QueueUrl": url})).await;
    let latencies = support::arrival_latencies(
        &api.queues(),
        &url,
        LATENCY_RUNS,
        |i| async move {
            let put = api
                .http
                .put(format!("{}/bench/events/{i}.json", api.endpoint))
                .body(BODY)
                .send()
                .await
                .expect("PUT");
            assert!(put.status().is_success());
        },
        |i| format!("events/{i}.json"),
    )
    .await;
    println!(
        "{}",
        support::latency_line("S3 PUT -> SQS record", &latencies, &format!("{LATENCY_RUNS} PUTs"))
    );
}

async fn fan_out(api: &Arc<Api>) {
    let created = api.sns(&[("Action", "CreateTopic"), ("Name", "fan")]).await;
    let topic = between(&created, "<TopicArn>", "</TopicArn>").to_owned();
    let mut urls = Vec::new();
    for q in 0..FANOUT_QUEUES {
        let (url, arn) = api.queue(&format!("fan-{q}")).await;
        api.sns(&[
            ("Action", "Subscribe"),
            ("TopicArn", &topic),
            ("Protocol", "sqs"),
            ("Endpoint", &arn),
            ("Attributes.entry.1.key", "RawMessageDelivery"),
            ("Attributes.entry.1.value", "true"),
        ])
        .await;
        urls.push(url);
    }
    let start = Instant::now();
    let published = support::concurrent(CLIENTS, FANOUT_MESSAGES, {
        let (api, topic) = (Arc::clone(api), topic.clone());
        move |_| {
            let (api, topic) = (Arc::clone(&api), topic.clone());
            async move {
                api.sns(&[("Action", "Publish"), ("TopicArn", &topic), ("Message", BODY)])
                    .await;
            }
        }
    })
    .await;
    let publish_time = start.elapsed();
    let want = (FANOUT_MESSAGES) as u64;
    loop {
        let mut all = true;
        for url in &urls {
            if api.visible(url).await < want {
                all = false;
                break;
            }
        }
        if all {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "fan-out did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delivered = start.elapsed();
    println!(
        "SNS -> {FANOUT_QUEUES} queues: {:.0} publishes/s from {CLIENTS} clients ({} accepted), {:.0} deliveries/s ({} in {:.2} s)",
        published.len() as f64 / publish_time.as_secs_f64(),
        FANOUT_MESSAGES,
        (want * FANOUT_QUEUES as u64) as f64 / delivered.as_secs_f64(),
        want * FANOUT_QUEUES as u64,
        delivered.as_secs_f64()
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
    println!("lakestack {} (SQS, SNS, S3 events)", support::binary());
    send_and_receive(&api).await;
    s3_to_queue_latency(&api).await;
    fan_out(&api).await;
    println!(
        "server RSS after the run: {:.1} MiB",
        support::status_kib(child.id(), "VmRSS") as f64 / 1024.0
    );
}
