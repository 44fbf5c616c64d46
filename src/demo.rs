//! `lakestack demo`: the whole stack once, offline, so a newcomer sees it
//! work in seconds. Every step goes through the same router and API
//! handlers aws-cli reaches on :4566 (requests are handed to the router in
//! process rather than over a socket): S3 takes a generated Hive-partitioned
//! Parquet lake, Glue gets a crawler, and a Step Functions pipeline crawls,
//! polls, runs an Athena CTAS, queries it and publishes the rows to S3.
//! Then the event-driven act: an upload of a new month is an S3 event on
//! EventBridge, a rule matches it and starts a second pipeline that crawls
//! the new partition and counts it. Then streaming in ([`streaming`]):
//! producers → Kinesis → Firehose (partitioned Parquet) → crawl → query.

mod streaming;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{Method, Request};
use lakestack_query::datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
use lakestack_query::datafusion::arrow::datatypes::{DataType, Field, Schema};
use lakestack_query::datafusion::arrow::record_batch::RecordBatch;
use lakestack_query::datafusion::parquet::arrow::ArrowWriter;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::config::{Config, DemoArgs};

const BUCKET: &str = "demo-lake";
const MONTHS: [&str; 3] = ["01", "02", "03"];
const DAYS: [&str; 4] = ["01", "08", "15", "22"];
const ROWS_PER_FILE: usize = 250;
/// Waits run at this fraction of their length, so the crawler poll loop
/// (a 2-second Wait) turns every 40 ms.
const WAIT_SCALE: f64 = 0.02;

pub async fn run(config: &Config, args: &DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    // The temporary directory lives until the demo returns, then goes.
    let (dir, _temporary) = match &args.dir {
        Some(d) => (fresh(d)?, None),
        None => {
            let t = tempfile::Builder::new().prefix("lakestack-demo-").tempdir()?;
            (t.path().to_owned(), Some(t))
        }
    };
    let mut config = config.clone();
    config.wait_time_scale = WAIT_SCALE;
    config.mock_config = None;
    let stack = crate::build(&config, &dir, started)?;
    stack.notifier.spawn();
    let api = Api { app: stack.app };
    println!(
        "lakestack demo: S3, Glue, Athena, Step Functions, EventBridge, Kinesis and Firehose, offline, in {}",
        dir.display()
    );

    let t = Instant::now();
    api.s3(Method::PUT, &format!("/{BUCKET}"), Bytes::new()).await?;
    let files = upload_lake(&api).await?;
    step(
        1,
        "S3",
        &format!(
            "uploaded {files} Parquet files ({} rows, year=2024/month=/day= partitions) to s3://{BUCKET}/events/",
            files * ROWS_PER_FILE
        ),
        t,
    );

    let t = Instant::now();
    api.json("AWSGlue.CreateDatabase", json!({"DatabaseInput": {"Name": "demo"}}))
        .await?;
    api.json(
        "AWSGlue.CreateCrawler",
        json!({
            "Name": "demo-events",
            "Role": "arn:aws:iam::000000000000:role/glue",
            "DatabaseName": "demo",
            "Targets": {"S3Targets": [{"Path": format!("s3://{BUCKET}/events/")}]},
        }),
    )
    .await?;
    step(
        2,
        "Glue",
        "created database demo and crawler demo-events over the lake",
        t,
    );

    let t = Instant::now();
    let machine = api
        .json(
            "AWSStepFunctions.CreateStateMachine",
            json!({
                "name": "demo-pipeline",
                "definition": pipeline().to_string(),
                "roleArn": "arn:aws:iam::000000000000:role/states",
            }),
        )
        .await?["stateMachineArn"]
        .as_str()
        .context("CreateStateMachine answered no ARN")?
        .to_owned();
    step(
        3,
        "Steps",
        "created state machine demo-pipeline: crawl → poll → CTAS → query → publish",
        t,
    );

    let t = Instant::now();
    let execution = api
        .json("AWSStepFunctions.StartExecution", json!({"stateMachineArn": machine}))
        .await?["executionArn"]
        .as_str()
        .context("StartExecution answered no ARN")?
        .to_owned();
    println!("  4. Steps   running the pipeline (waits scaled ×{WAIT_SCALE}):");
    let done = follow(&api, &execution, t).await?;
    let status = done["status"].as_str().unwrap_or_default();
    if status != "SUCCEEDED" {
        bail!(
            "the pipeline ended {status}: {} {}",
            done["error"].as_str().unwrap_or_default(),
            done["cause"].as_str().unwrap_or_default()
        );
    }
    println!("             the pipeline SUCCEEDED ({} ms)", t.elapsed().as_millis());

    let rows: Value = serde_json::from_str(done["output"].as_str().unwrap_or("{}"))?;
    println!("  5. Athena  the curated table demo.revenue_by_kind, as the pipeline published it");
    println!("             to s3://{BUCKET}/published/revenue_by_kind.json:");
    print_rows(&rows["Rows"]);
    event_driven(&api).await?;
    streaming::run(&api).await?;
    println!("done in {:.2} s", started.elapsed().as_secs_f64());
    if args.dir.is_some() {
        println!(
            "explore it: lakestack --data-dir {} then, for example,\n  aws --endpoint-url http://127.0.0.1:4566 s3 ls --recursive s3://{BUCKET}/published/",
            dir.display()
        );
    }
    Ok(())
}

/// The directory the demo may fill: new, or empty.
fn fresh(dir: &Path) -> anyhow::Result<PathBuf> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        ensure!(
            entries.next().is_none(),
            "{} is not empty: the demo needs a fresh data directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)?;
    Ok(dir.to_owned())
}

fn step(n: u32, service: &str, what: &str, since: Instant) {
    println!("  {n}. {service:<7} {what} ({} ms)", since.elapsed().as_millis());
}

/// The pipeline data engineers wire: crawlers have no `.sync`, so it polls
/// with Wait and Choice; Athena's `.sync` waits for each query.
fn pipeline() -> Value {
    let athena = |sql: &str| {
        json!({
            "QueryString": sql,
            "QueryExecutionContext": {"Database": "demo"},
            "ResultConfiguration": {"OutputLocation": format!("s3://{BUCKET}/athena-results/")},
        })
    };
    json!({
        "Comment": "crawl → poll → CTAS → query → publish",
        "StartAt": "StartCrawler",
        "States": with_crawl("BuildCuratedTable", json!({
            "BuildCuratedTable": {
                "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": athena(&format!(
                    "CREATE TABLE demo.revenue_by_kind WITH (format = 'PARQUET', \
                     external_location = 's3://{BUCKET}/curated/revenue_by_kind/') AS \
                     SELECT month, kind, count(*) AS events, round(sum(amount), 2) AS revenue \
                     FROM demo.events GROUP BY month, kind"
                )),
                "ResultPath": null, "Next": "QueryCuratedTable",
            },
            "QueryCuratedTable": {
                "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": athena("SELECT month, kind, events, revenue FROM demo.revenue_by_kind ORDER BY month, kind"),
                "ResultSelector": {"Id.$": "$.QueryExecution.QueryExecutionId"}, "ResultPath": "$.query",
                "Next": "GetRows",
            },
            "GetRows": {
                "Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults",
                "Parameters": {"QueryExecutionId.$": "$.query.Id"},
                "ResultSelector": {"Rows.$": "$.ResultSet.Rows"}, "ResultPath": "$.result",
                "Next": "Publish",
            },
            "Publish": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": BUCKET, "Key": "published/revenue_by_kind.json", "Body.$": "$.result.Rows"},
                "ResultPath": null, "Next": "Done",
            },
            "Done": {"Type": "Succeed", "OutputPath": "$.result"},
        })),
    })
}

/// The second act: a rule on S3's `Object Created` events under `events/`
/// starts `demo-on-upload`, and an upload of April's first day sets it off.
async fn event_driven(api: &Api) -> anyhow::Result<()> {
    let t = Instant::now();
    let on_upload = api
        .json(
            "AWSStepFunctions.CreateStateMachine",
            json!({
                "name": "demo-on-upload",
                "definition": on_upload().to_string(),
                "roleArn": "arn:aws:iam::000000000000:role/states",
            }),
        )
        .await?["stateMachineArn"]
        .as_str()
        .context("CreateStateMachine answered no ARN")?
        .to_owned();
    api.s3(
        Method::PUT,
        &format!("/{BUCKET}?notification"),
        Bytes::from_static(b"<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>"),
    )
    .await?;
    let pattern = json!({
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [BUCKET]}, "object": {"key": [{"prefix": "events/"}]}},
    });
    api.json(
        "AWSEvents.PutRule",
        json!({"Name": "new-data", "EventPattern": pattern.to_string()}),
    )
    .await?;
    api.json(
        "AWSEvents.PutTargets",
        json!({"Rule": "new-data", "Targets": [{
            "Id": "on-upload", "Arn": on_upload, "RoleArn": "arn:aws:iam::000000000000:role/events",
            "InputTransformer": {"InputPathsMap": {"key": "$.detail.object.key"}, "InputTemplate": "{\"key\": <key>}"},
        }]}),
    )
    .await?;
    step(
        6,
        "Events",
        "EventBridge on for the bucket; rule new-data: Object Created under events/ → demo-on-upload",
        t,
    );

    let t = Instant::now();
    let mut rng = Lcg(0xa9);
    let key = "events/year=2024/month=04/day=01/part-00000.parquet";
    api.s3(Method::PUT, &format!("/{BUCKET}/{key}"), parquet_file(&mut rng, 99)?)
        .await?;
    println!("  7. S3      uploaded s3://{BUCKET}/{key}; the rule starts the pipeline:");
    let execution = loop {
        let listed = api
            .json("AWSStepFunctions.ListExecutions", json!({"stateMachineArn": on_upload}))
            .await?;
        if let Some(arn) = listed["executions"][0]["executionArn"].as_str() {
            break arn.to_owned();
        }
        ensure!(t.elapsed() < Duration::from_secs(30), "the rule started no execution");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    println!("       {:>6} ms  started by EventBridge", t.elapsed().as_millis());
    let done = follow(api, &execution, t).await?;
    if done["status"] != "SUCCEEDED" {
        bail!("the event-driven pipeline ended {}: {}", done["status"], done["cause"]);
    }
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap_or("{}"))?;
    println!(
        "             SUCCEEDED: {} rows for month=04 after the upload of {} ({} ms)",
        output["rows"].as_str().unwrap_or("?"),
        output["key"].as_str().unwrap_or("?"),
        t.elapsed().as_millis()
    );
    Ok(())
}

/// The states that crawl the lake and wait (crawlers have no `.sync`: a Wait
/// and a Choice poll GetCrawler), then go on to `next`, added to `rest`.
fn with_crawl(next: &str, mut rest: Value) -> Value {
    let crawl = json!({
        "StartCrawler": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
            "Parameters": {"Name": "demo-events"}, "ResultPath": null, "Next": "WaitForCrawler",
        },
        "WaitForCrawler": {"Type": "Wait", "Seconds": 2, "Next": "GetCrawler"},
        "GetCrawler": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler",
            "Parameters": {"Name": "demo-events"},
            "ResultSelector": {"State.$": "$.Crawler.State"}, "ResultPath": "$.crawler",
            "Next": "CrawlerDone",
        },
        "CrawlerDone": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.crawler.State", "StringEquals": "READY", "Next": next}],
            "Default": "WaitForCrawler",
        },
    });
    let mut states = crawl.as_object().cloned().unwrap_or_default();
    if let Some(more) = rest.as_object_mut() {
        states.append(more);
    }
    Value::Object(states)
}

/// What a new file sets off: crawl it into the table, then count its month.
fn on_upload() -> Value {
    json!({
        "Comment": "crawl the new partition → count it",
        "StartAt": "StartCrawler",
        "States": with_crawl("Count", json!({
            "Count": {
                "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {
                    "QueryString": "SELECT count(*) FROM demo.events WHERE month = '04'",
                    "ResultConfiguration": {"OutputLocation": format!("s3://{BUCKET}/athena-results/")},
                },
                "ResultSelector": {"Id.$": "$.QueryExecution.QueryExecutionId"}, "ResultPath": "$.query",
                "Next": "GetCount",
            },
            "GetCount": {
                "Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults",
                "Parameters": {"QueryExecutionId.$": "$.query.Id"},
                "ResultSelector": {"rows.$": "$.ResultSet.Rows[1].Data[0].VarCharValue"}, "ResultPath": "$.count",
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "Parameters": {"key.$": "$.key", "rows.$": "$.count.rows"}, "End": true},
        })),
    })
}

/// Prints the states as the execution enters them, until it ends; answers DescribeExecution.
async fn follow(api: &Api, execution: &str, since: Instant) -> anyhow::Result<Value> {
    let mut seen = 0;
    loop {
        let described = api
            .json("AWSStepFunctions.DescribeExecution", json!({"executionArn": execution}))
            .await?;
        let history = api
            .json(
                "AWSStepFunctions.GetExecutionHistory",
                json!({"executionArn": execution, "maxResults": 1000}),
            )
            .await?;
        let events = history["events"].as_array().cloned().unwrap_or_default();
        for e in events.iter().skip(seen) {
            let kind = e["type"].as_str().unwrap_or_default();
            if let Some(state) = kind.strip_suffix("StateEntered") {
                let name = e["stateEnteredEventDetails"]["name"].as_str().unwrap_or_default();
                println!("       {:>6} ms  {name:<18} {state}", since.elapsed().as_millis());
            }
        }
        seen = events.len();
        if described["status"] != "RUNNING" {
            return Ok(described);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// GetQueryResults rows (the header first) as an aligned table.
fn print_rows(rows: &Value) {
    let rows: Vec<Vec<String>> = rows
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    r["Data"]
                        .as_array()
                        .map(|d| {
                            d.iter()
                                .map(|c| c["VarCharValue"].as_str().unwrap_or("").to_owned())
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..width)
        .map(|i| rows.iter().filter_map(|r| r.get(i)).map(String::len).max().unwrap_or(0))
        .collect();
    for (n, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("             {}", cells.join(" | ").trim_end());
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            println!("             {}", rule.join("-+-"));
        }
    }
}

/// Writes the lake: a Parquet file per day, deterministic rows.
async fn upload_lake(api: &Api) -> anyhow::Result<usize> {
    let mut rng = Lcg(0x5eed);
    let mut files = 0;
    for month in MONTHS {
        for day in DAYS {
            let body = parquet_file(&mut rng, files)?;
            let key = format!("/{BUCKET}/events/year=2024/month={month}/day={day}/part-00000.parquet");
            api.s3(Method::PUT, &key, body).await?;
            files += 1;
        }
    }
    Ok(files)
}

fn parquet_file(rng: &mut Lcg, file: usize) -> anyhow::Result<Bytes> {
    const KINDS: [&str; 3] = ["view", "cart", "purchase"];
    let mut ids = Vec::with_capacity(ROWS_PER_FILE);
    let mut users = Vec::with_capacity(ROWS_PER_FILE);
    let mut kinds = Vec::with_capacity(ROWS_PER_FILE);
    let mut amounts = Vec::with_capacity(ROWS_PER_FILE);
    for i in 0..ROWS_PER_FILE {
        ids.push((file * ROWS_PER_FILE + i) as i64);
        users.push(format!("u{:03}", rng.next() % 200));
        let kind = KINDS[(rng.next() % 3) as usize];
        kinds.push(kind);
        // Cents, so sums are exact in the printed table.
        amounts.push(if kind == "purchase" {
            (rng.next() % 20_000) as f64 / 100.0
        } else {
            0.0
        });
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("event_id", DataType::Int64, false),
        Field::new("user_id", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids)),
        Arc::new(StringArray::from(users)),
        Arc::new(StringArray::from(kinds)),
        Arc::new(Float64Array::from(amounts)),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(Bytes::from(out))
}

/// A fixed-seed generator: the same lake, and so the same table, every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Requests handed straight to the router.
#[derive(Clone)]
struct Api {
    app: Router,
}

impl Api {
    async fn send(&self, request: Request<Body>) -> anyhow::Result<(http::StatusCode, Bytes)> {
        let response = self.app.clone().oneshot(request).await?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        Ok((status, body))
    }

    async fn s3(&self, method: Method, path: &str, body: Bytes) -> anyhow::Result<()> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:4566")
            .header("content-length", body.len())
            .body(Body::from(body))?;
        let (status, body) = self.send(request).await?;
        ensure!(
            status.is_success(),
            "S3 {path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        Ok(())
    }

    async fn json(&self, target: &str, body: Value) -> anyhow::Result<Value> {
        let content_type = if target.starts_with("AWSStepFunctions.") {
            "application/x-amz-json-1.0"
        } else {
            "application/x-amz-json-1.1"
        };
        let request = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header("host", "127.0.0.1:4566")
            .header("x-amz-target", target)
            .header("content-type", content_type)
            .body(Body::from(body.to_string()))?;
        let (status, body) = self.send(request).await?;
        ensure!(
            status.is_success(),
            "{target}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        Ok(serde_json::from_slice(&body)?)
    }
}
