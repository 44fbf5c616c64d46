//! The API edge through [`Service::call`], as the kit calls it: operation
//! names, paging in both directions, filters over many chunks, retention,
//! and the in-process writer. Exact answers are transcripts in
//! `tests/wire/` (see `lakestack_aws_protocol::transcript`; `BLESS=1`
//! rewrites them); the clock is pinned, so they hold no volatile values.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use lakestack_aws_protocol::{ServiceError, transcript};
use serde_json::{Value, json};

use super::{LogsApi, LogsOp};
use crate::{Logs, Settings};

/// 2026-01-01T00:00:00Z: every answer's times are relative to it.
const NOW: i64 = 1_767_225_600_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn logs_at(dir: Option<&Path>) -> Arc<Logs> {
    let logs = Logs::open(dir, Settings::default()).unwrap();
    logs.pin_now(NOW);
    logs
}

fn api() -> LogsApi {
    LogsApi::new(logs_at(None))
}

async fn raw(api: &LogsApi, operation: &str, body: &str) -> Result<Value, ServiceError> {
    lakestack_aws_protocol::invoke_body(api, operation, Bytes::from(body.to_owned())).await
}

async fn call(api: &LogsApi, operation: &str, input: Value) -> Result<Value, ServiceError> {
    raw(api, operation, &input.to_string()).await
}

async fn ok(api: &LogsApi, operation: &str, input: Value) -> Value {
    call(api, operation, input)
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

fn messages(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn wire_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire");
    let volatile = transcript::Volatile {
        hidden: &[],
        numbered: &[],
    };
    if let Err(report) = transcript::check_dir(&dir, volatile, api).await {
        panic!("{report}");
    }
}

#[test]
fn operations_parse_by_their_aws_names() {
    assert_eq!("PutLogEvents".parse::<LogsOp>(), Ok(LogsOp::PutLogEvents));
    assert_eq!(LogsOp::ALL.len(), 17);
    assert!("StartLiveTail".parse::<LogsOp>().is_err());
}

#[tokio::test]
async fn edge_errors_read_as_aws_words_them() {
    let api = api();
    let e = raw(&api, "StartLiveTail", "{}").await.unwrap_err();
    assert_eq!((e.code.as_ref(), e.status.as_u16()), ("NotImplemented", 501));
    assert_eq!(
        e.message,
        "lakestack does not implement the CloudWatch Logs operation StartLiveTail yet"
    );
    let e = raw(&api, "DescribeLogGroups", "{nope").await.unwrap_err();
    assert_eq!(e.code, "SerializationException");
    let e = raw(&api, "DescribeLogGroups", r#"{"limit": "ten"}"#).await.unwrap_err();
    assert_eq!(e.code, "SerializationException");
}

/// Writes `n` events a minute apart into `g`/`s`, ending a minute before NOW.
async fn fill(api: &LogsApi, n: i64) {
    ok(api, "CreateLogGroup", json!({"logGroupName": "g"})).await;
    ok(
        api,
        "CreateLogStream",
        json!({"logGroupName": "g", "logStreamName": "s"}),
    )
    .await;
    let events: Vec<Value> = (0..n)
        .map(|i| json!({"timestamp": NOW - (n - i) * MINUTE, "message": format!("m{i}")}))
        .collect();
    ok(
        api,
        "PutLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "logEvents": events}),
    )
    .await;
}

#[tokio::test]
async fn get_log_events_pages_both_ways_and_stops_on_the_same_token() {
    let api = api();
    fill(&api, 25).await;
    // From the head, forward, 10 at a time, until the token comes back.
    let mut input = json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true, "limit": 10});
    let mut seen = Vec::new();
    let mut calls = 0;
    loop {
        let page = ok(&api, "GetLogEvents", input.clone()).await;
        calls += 1;
        seen.extend(messages(&page));
        let next = page["nextForwardToken"].as_str().unwrap().to_owned();
        assert!(next.starts_with("f/") && next.len() == 60, "{next}");
        if input.get("nextToken").and_then(Value::as_str) == Some(next.as_str()) {
            break;
        }
        input["nextToken"] = next.into();
    }
    assert_eq!(seen, (0..25).map(|i| format!("m{i}")).collect::<Vec<_>>());
    assert_eq!(calls, 4, "three pages and the one that answers the same token");
    // From the tail (the default), backward.
    let page = ok(
        &api,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "limit": 10}),
    )
    .await;
    assert_eq!(messages(&page), (15..25).map(|i| format!("m{i}")).collect::<Vec<_>>());
    let back = page["nextBackwardToken"].as_str().unwrap();
    let page = ok(
        &api,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "limit": 10, "nextToken": back}),
    )
    .await;
    assert_eq!(messages(&page), (5..15).map(|i| format!("m{i}")).collect::<Vec<_>>());
    // A time range: [start, end).
    let page = ok(
        &api,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true,
               "startTime": NOW - 25 * MINUTE, "endTime": NOW - 23 * MINUTE}),
    )
    .await;
    assert_eq!(messages(&page), ["m0", "m1"]);
    let e = call(
        &api,
        "GetLogEvents",
        json!({"logGroupName": "g", "logStreamName": "s", "nextToken": "f/nope"}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("InvalidParameterException", "The specified nextToken is invalid.")
    );
}

#[tokio::test]
async fn filters_scan_in_chunks_and_page_by_token() {
    let logs = logs_at(None);
    let api = LogsApi::new(logs.clone());
    // 5,000 events over three streams, every fifth an error.
    for i in 0..5_000i64 {
        let stream = format!("s{}", i % 3);
        let level = if i % 5 == 0 { "ERROR" } else { "INFO" };
        let line = format!(r#"{{"level": "{level}", "n": {i}}}"#);
        logs.put("g", &stream, &[(NOW - DAY + i, line)]).unwrap();
    }
    let mut input = json!({"logGroupName": "g", "filterPattern": "{ $.level = \"ERROR\" }", "limit": 300});
    let mut ns = Vec::new();
    loop {
        let page = ok(&api, "FilterLogEvents", input.clone()).await;
        for e in page["events"].as_array().unwrap() {
            let m: Value = serde_json::from_str(e["message"].as_str().unwrap()).unwrap();
            ns.push(m["n"].as_i64().unwrap());
            assert_eq!(e["eventId"].as_str().unwrap().len(), 56);
        }
        match page["nextToken"].as_str() {
            Some(t) => input["nextToken"] = t.into(),
            None => break,
        }
    }
    assert_eq!(ns, (0..5_000).step_by(5).collect::<Vec<_>>());
    // One stream, by name, with a term pattern and a time range.
    let page = ok(
        &api,
        "FilterLogEvents",
        json!({"logGroupName": "g", "logStreamNames": ["s1"], "filterPattern": "ERROR",
               "startTime": NOW - DAY, "endTime": NOW - DAY + 30}),
    )
    .await;
    let got: Vec<(&str, i64)> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["logStreamName"].as_str().unwrap(),
                e["timestamp"].as_i64().unwrap() - (NOW - DAY),
            )
        })
        .collect();
    assert_eq!(got, [("s1", 10), ("s1", 25)]);
    // By ARN, a prefix that names no stream: nothing.
    let page = ok(
        &api,
        "FilterLogEvents",
        json!({"logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:g", "logStreamNamePrefix": "x"}),
    )
    .await;
    assert_eq!(page, json!({"events": []}));
}

/// What `aws logs tail` (CLI v2) calls: FilterLogEvents with
/// `interleaved` and a start time, all pages; with `--follow`, the same
/// again from the newest timestamp seen, dropping event ids already shown.
#[tokio::test]
async fn aws_logs_tail_calls_work() {
    let logs = logs_at(None);
    let api = LogsApi::new(logs.clone());
    logs.put(
        "/aws/lambda/f",
        "2026/01/01/[$LATEST]abc",
        &[(NOW - 5 * MINUTE, "START".into()), (NOW - 4 * MINUTE, "hello".into())],
    )
    .unwrap();
    let first = ok(
        &api,
        "FilterLogEvents",
        json!({"logGroupName": "/aws/lambda/f", "interleaved": true, "startTime": NOW - 10 * MINUTE}),
    )
    .await;
    assert_eq!(messages(&first), ["START", "hello"]);
    assert!(first.get("nextToken").is_none());
    let newest = first["events"][1]["timestamp"].as_i64().unwrap();
    let shown = first["events"][1]["eventId"].clone();
    logs.put(
        "/aws/lambda/f",
        "2026/01/01/[$LATEST]abc",
        &[(newest, "same ms".into()), (NOW, "later".into())],
    )
    .unwrap();
    let again = ok(
        &api,
        "FilterLogEvents",
        json!({"logGroupName": "/aws/lambda/f", "interleaved": true, "startTime": newest}),
    )
    .await;
    assert_eq!(messages(&again), ["hello", "same ms", "later"]);
    assert_eq!(
        again["events"][0]["eventId"], shown,
        "ids are stable, so --follow drops the repeat"
    );
}

#[tokio::test]
async fn retention_drops_events_older_than_it_on_the_clock() {
    let logs = logs_at(None);
    let api = LogsApi::new(logs.clone());
    // The in-process writer takes any age; PutLogEvents would reject these.
    let events: Vec<(i64, String)> = [40, 20, 2, 0]
        .iter()
        .map(|d| (NOW - d * DAY - 1, format!("{d}d")))
        .collect();
    logs.put("g", "s", &events).unwrap();
    let all = json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true});
    assert_eq!(
        messages(&ok(&api, "GetLogEvents", all.clone()).await),
        ["40d", "20d", "2d", "0d"]
    );
    ok(
        &api,
        "PutRetentionPolicy",
        json!({"logGroupName": "g", "retentionInDays": 30}),
    )
    .await;
    assert_eq!(
        messages(&ok(&api, "GetLogEvents", all.clone()).await),
        ["20d", "2d", "0d"]
    );
    // Time passes: a week later the 20-day-old event is past 30 days too,
    // and reads leave it out before any purge.
    logs.pin_now(NOW + 11 * DAY);
    assert_eq!(messages(&ok(&api, "GetLogEvents", all.clone()).await), ["2d", "0d"]);
    assert_eq!(
        messages(&ok(&api, "FilterLogEvents", json!({"logGroupName": "g"})).await),
        ["2d", "0d"]
    );
    assert_eq!(logs.purge_expired().unwrap(), 1);
    let groups = ok(&api, "DescribeLogGroups", json!({})).await;
    assert_eq!(groups["logGroups"][0]["storedBytes"], 4, "two messages of two bytes");
    ok(&api, "DeleteRetentionPolicy", json!({"logGroupName": "g"})).await;
    let groups = ok(&api, "DescribeLogGroups", json!({})).await;
    assert!(groups["logGroups"][0].get("retentionInDays").is_none());
}

#[test]
fn put_creates_the_group_and_stream_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let logs = logs_at(Some(dir.path()));
        logs.ensure_group("/aws/lambda/f").unwrap();
        logs.put("/aws/lambda/f", "s", &[(NOW, "b".into()), (NOW - 1, "a".into())])
            .unwrap();
        assert!(logs.put("bad:name", "s", &[]).is_err());
        assert!(logs.put("g", "bad*stream", &[]).is_err());
    }
    let logs = logs_at(Some(dir.path()));
    let page = logs
        .stream_events("/aws/lambda/f", "s", None, None, crate::service::Start::Head, 10)
        .unwrap();
    let got: Vec<&str> = page.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(got, ["a", "b"], "stored in timestamp order");
}

/// Lambda calls `put` about a thousand times a second with a few short
/// lines each: this prints what one call costs against a file (not
/// asserted: timings belong in benchmarks, not tests).
#[test]
fn put_cost_by_eye() {
    let dir = tempfile::tempdir().unwrap();
    let logs = logs_at(Some(dir.path()));
    let lines: Vec<(i64, String)> = (0..4)
        .map(|i| {
            (
                NOW + i,
                format!("2026-01-01T00:00:00.000Z\tINFO\tline {i} of a short invocation"),
            )
        })
        .collect();
    let n = 2_000;
    let t = std::time::Instant::now();
    for i in 0..n {
        logs.put("/aws/lambda/f", &format!("stream-{}", i % 8), &lines).unwrap();
    }
    let per = t.elapsed() / n;
    println!(
        "put(): {per:?} per call of 4 lines ({:.0} calls/s)",
        1.0 / per.as_secs_f64()
    );
}
