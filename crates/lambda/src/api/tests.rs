//! The Lambda API over real processes: packages built here, run by the
//! python3 on the machine (and node where it is installed), through the
//! kit's `serve` as a request from the wire would be.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use lakestack_aws_protocol::{Clock, Protocol, serve};
use serde_json::{Value, json};

use super::LambdaApi;
use crate::code::tests::zip_of;
use crate::host::{Credentials, Host};
use crate::runtime::Interpreters;
use crate::service::{Lambda, Settings};

#[derive(Default)]
struct FakeHost {
    logs: Mutex<Vec<(String, String, String)>>,
    delivered: Mutex<Vec<(String, String)>>,
    queue: Arc<FakeQueue>,
}

/// A queue an event source mapping reads: records in, completions out.
#[derive(Default)]
struct FakeQueue {
    waiting: Mutex<std::collections::VecDeque<(String, Value)>>,
    completed: Mutex<Vec<(Vec<String>, Vec<String>)>>,
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:q";

#[async_trait]
impl crate::mappings::EventSource for FakeQueue {
    async fn receive(
        &self,
        _: &crate::mappings::Mapping,
        max: usize,
        wait: Duration,
    ) -> Result<crate::mappings::Batch, String> {
        let taken: Vec<(String, Value)> = {
            let mut w = self.waiting.lock().unwrap();
            let n = w.len().min(max);
            w.drain(..n).collect()
        };
        if taken.is_empty() {
            tokio::time::sleep(wait.min(Duration::from_millis(20))).await;
        }
        Ok(crate::mappings::Batch {
            ids: taken.iter().map(|(id, _)| id.clone()).collect(),
            records: taken.into_iter().map(|(_, r)| r).collect(),
        })
    }

    async fn complete(
        &self,
        _: &crate::mappings::Mapping,
        batch: &crate::mappings::Batch,
        failed: &[String],
    ) -> Result<(), String> {
        self.completed
            .lock()
            .unwrap()
            .push((batch.ids.clone(), failed.to_vec()));
        Ok(())
    }
}

#[async_trait]
impl Host for FakeHost {
    fn endpoint(&self) -> String {
        "http://127.0.0.1:4566".into()
    }
    async fn credentials(&self, _role: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAFAKE".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
        }
    }
    fn write_logs(&self, group: &str, stream: &str, events: &[(i64, String)]) {
        let mut logs = self.logs.lock().unwrap();
        for (_, m) in events {
            logs.push((group.to_owned(), stream.to_owned(), m.clone()));
        }
    }
    async fn deliver(&self, target: &str, body: String) -> Result<(), String> {
        self.delivered.lock().unwrap().push((target.to_owned(), body));
        Ok(())
    }
    fn event_source(&self, arn: &str) -> Option<Arc<dyn crate::mappings::EventSource>> {
        (arn == QUEUE).then(|| Arc::clone(&self.queue) as Arc<dyn crate::mappings::EventSource>)
    }
}

struct Fixture {
    api: LambdaApi,
    host: Arc<FakeHost>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    fixture_idle(Duration::from_secs(60))
}

/// A fixture whose idle processes are stopped after `idle`.
fn fixture_idle(idle: Duration) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(FakeHost::default());
    let settings = Settings {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        dir: dir.path().to_owned(),
        clock: Clock::scaled(0.0),
        interpreters: Arc::new(Interpreters::default()),
        max_processes: 4,
        idle_timeout: idle,
    };
    let objects = Arc::new(object_store::memory::InMemory::new());
    let lambda = Lambda::in_memory(settings, Arc::clone(&host) as Arc<dyn Host>, objects).unwrap();
    lambda.start().unwrap();
    Fixture {
        api: LambdaApi::new(lambda),
        host,
        _dir: dir,
    }
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn call(f: &Fixture, method: Method, path: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).unwrap();
    let (_, resp) = serve(&f.api, Protocol::RestJson1, req, None).await;
    let (parts, body) = resp.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";

async fn create(
    f: &Fixture,
    name: &str,
    runtime: &str,
    handler: &str,
    files: &[(&str, &str, u32)],
    extra: Value,
) -> Answer {
    let zip = base64::engine::general_purpose::STANDARD.encode(zip_of(files));
    let mut body = json!({
        "FunctionName": name,
        "Runtime": runtime,
        "Role": ROLE,
        "Handler": handler,
        "Code": {"ZipFile": zip},
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    call(f, Method::POST, "/2015-03-31/functions", &[], body.to_string()).await
}

async fn invoke(f: &Fixture, name: &str, payload: &str, headers: &[(&str, &str)]) -> Answer {
    call(
        f,
        Method::POST,
        &format!("/2015-03-31/functions/{name}/invocations"),
        headers,
        payload.to_owned(),
    )
    .await
}

const PY: &str = r#"
import json, os, time
print("loaded")
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad " + event["fail"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    print("got", json.dumps(event))
    return {"echo": event, "fn": context.function_name, "region": os.environ["AWS_REGION"],
            "endpoint": os.environ["AWS_ENDPOINT_URL"], "left": context.get_remaining_time_in_millis() > 0,
            "pid": os.getpid()}
"#;

#[tokio::test]
async fn a_python_function_runs_warm_and_reports_its_errors_as_aws_does() {
    let f = fixture();
    let created = create(
        &f,
        "py",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({"Timeout": 2}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let c = created.json();
    assert_eq!(c["State"], "Pending");
    assert_eq!(c["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:py");
    let got = call(&f, Method::GET, "/2015-03-31/functions/py", &[], "").await.json();
    assert_eq!(got["Configuration"]["State"], "Active");
    assert_eq!(got["Configuration"]["Timeout"], 2);

    let r = invoke(&f, "py", r#"{"a": 1}"#, &[("x-amz-log-type", "Tail")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let out = r.json();
    assert_eq!(out["echo"], json!({"a": 1}));
    assert_eq!(out["fn"], "py");
    assert_eq!(out["region"], "us-east-1");
    assert_eq!(out["endpoint"], "http://127.0.0.1:4566");
    assert_eq!(out["left"], true);
    assert_eq!(r.header("x-amz-executed-version"), Some("$LATEST"));
    assert_eq!(r.header("x-amz-function-error"), None);
    let tail = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(r.header("x-amz-log-result").unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(tail.contains("START RequestId: "), "{tail}");
    assert!(tail.contains("got {\"a\": 1}\n"), "{tail}");
    assert!(
        tail.contains("REPORT RequestId: ") && tail.contains("Init Duration: "),
        "{tail}"
    );

    // Warm: the same process answers, and reports no init.
    let again = invoke(&f, "py", "{}", &[("x-amz-log-type", "Tail")]).await;
    assert_eq!(again.json()["pid"], out["pid"]);
    let tail = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(again.header("x-amz-log-result").unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(!tail.contains("Init Duration"), "{tail}");

    let err = invoke(&f, "py", r#"{"fail": "input"}"#, &[]).await;
    assert_eq!(err.status, StatusCode::OK);
    assert_eq!(err.header("x-amz-function-error"), Some("Unhandled"));
    let e = err.json();
    assert_eq!(e["errorType"], "ValueError");
    assert_eq!(e["errorMessage"], "bad input");
    assert_eq!(e["requestId"].as_str().unwrap().len(), 36);
    let trace = e["stackTrace"].as_array().unwrap();
    assert!(trace[0].as_str().unwrap().contains("in handler"), "{trace:?}");

    let t = invoke(&f, "py", r#"{"sleep": 5}"#, &[]).await;
    assert_eq!(t.header("x-amz-function-error"), Some("Unhandled"));
    let e = t.json();
    assert_eq!(e["errorType"], "Sandbox.Timedout");
    let msg = e["errorMessage"].as_str().unwrap();
    assert!(
        msg.starts_with("RequestId: ") && msg.ends_with(" Error: Task timed out after 2.00 seconds"),
        "{msg}"
    );

    // The timed-out process was replaced.
    let after = invoke(&f, "py", "{}", &[]).await.json();
    assert_ne!(after["pid"], out["pid"]);

    // Every line went to the function's log group.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = f.host.logs.lock().unwrap().clone();
    assert!(logs.iter().all(|(g, _, _)| g == "/aws/lambda/py"));
    let messages: Vec<&str> = logs.iter().map(|(_, _, m)| m.as_str()).collect();
    assert!(messages.contains(&"loaded"), "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("[ERROR] ValueError: bad input\nTraceback (most recent call last):")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("Task timed out after 2.00 seconds")),
        "{messages:?}"
    );
    assert!(logs[0].1.contains("/[$LATEST]"), "{:?}", logs[0].1);
}

#[tokio::test]
async fn init_errors_and_missing_bootstraps_fail_the_invocation() {
    let f = fixture();
    create(
        &f,
        "nomod",
        "python3.12",
        "missing.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "nomod", "{}", &[]).await;
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(
        r.json(),
        json!({"errorMessage": "Unable to import module 'missing': No module named 'missing'", "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []})
    );
    create(
        &f,
        "nohandler",
        "python3.12",
        "app.nope",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "nohandler", "{}", &[]).await.json();
    assert_eq!(r["errorType"], "Runtime.HandlerNotFound");
    assert_eq!(r["errorMessage"], "Handler 'nope' missing on module 'app'");

    create(
        &f,
        "noboot",
        "provided.al2023",
        "x",
        &[("other", "x", 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "noboot", "{}", &[]).await;
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    let e = r.json();
    assert_eq!(e["errorType"], "Runtime.InvalidEntrypoint");
    assert!(
        e["errorMessage"]
            .as_str()
            .unwrap()
            .ends_with("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"),
        "{e}"
    );
}

const SHELL: &str = r#"#!/bin/sh
# A custom runtime in shell: the Runtime API over /dev/tcp-free curl.
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
  echo "handling $EVENT"
  case "$EVENT" in
    *fail*) curl -sS -X POST "$API/invocation/$ID/error" -d '{"errorMessage":"shell says no","errorType":"ShellError"}' >/dev/null ;;
    *) curl -sS -X POST "$API/invocation/$ID/response" -d "{\"from\":\"shell\",\"handler\":\"$_HANDLER\"}" >/dev/null ;;
  esac
  rm -f "$HEADERS"
done
"#;

#[tokio::test]
async fn a_provided_runtime_runs_its_bootstrap() {
    if crate::runtime::on_path("curl").is_none() {
        eprintln!("skipped: curl is not on PATH");
        return;
    }
    let f = fixture();
    let c = create(
        &f,
        "sh",
        "provided.al2023",
        "my.handler",
        &[("bootstrap", SHELL, 0o755)],
        json!({}),
    )
    .await;
    assert_eq!(c.status, StatusCode::CREATED, "{:?}", c.body);
    let r = invoke(&f, "sh", r#"{"x": 1}"#, &[]).await;
    assert_eq!(r.json(), json!({"from": "shell", "handler": "my.handler"}));
    let r = invoke(&f, "sh", r#"{"fail": 1}"#, &[]).await;
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(
        r.json(),
        json!({"errorMessage": "shell says no", "errorType": "ShellError"})
    );
}

#[tokio::test]
async fn a_node_function_runs_where_node_is_installed() {
    if crate::runtime::on_path("node").is_none() {
        eprintln!("skipped: node is not on PATH");
        return;
    }
    let f = fixture();
    let js = "export const handler = async (event, context) => { console.log('hi', event); if (event.fail) throw new TypeError('nope'); return {n: event.n + 1, id: context.awsRequestId.length}; };";
    create(
        &f,
        "js",
        "nodejs22.x",
        "index.handler",
        &[("index.mjs", js, 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "js", r#"{"n": 41}"#, &[]).await;
    assert_eq!(r.json(), json!({"n": 42, "id": 36}));
    let r = invoke(&f, "js", r#"{"fail": true}"#, &[]).await;
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    let e = r.json();
    assert_eq!(
        (e["errorType"].as_str(), e["errorMessage"].as_str()),
        (Some("TypeError"), Some("nope"))
    );
    assert!(e["trace"][0].as_str().unwrap().starts_with("TypeError: nope"), "{e}");
}

#[tokio::test]
async fn async_invocations_retry_then_reach_their_destination() {
    let f = fixture();
    create(
        &f,
        "flaky",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let put = call(
        &f,
        Method::PUT,
        "/2019-09-25/functions/flaky/event-invoke-config",
        &[],
        json!({"MaximumRetryAttempts": 1, "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}}}).to_string(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let r = invoke(
        &f,
        "flaky",
        r#"{"fail": "async"}"#,
        &[("x-amz-invocation-type", "Event")],
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = f.host.delivered.lock().unwrap().clone();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered.len(), 1);
    let (target, body) = &delivered[0];
    assert_eq!(target, "arn:aws:sqs:us-east-1:123456789012:dlq");
    let rec: Value = serde_json::from_str(body).unwrap();
    assert_eq!(rec["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(rec["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(rec["requestPayload"], json!({"fail": "async"}));
    assert_eq!(rec["responseContext"]["functionError"], "Unhandled");
    assert_eq!(rec["responsePayload"]["errorMessage"], "bad async");
}

#[tokio::test]
async fn versions_aliases_and_bad_requests() {
    let f = fixture();
    create(
        &f,
        "v",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let dup = create(
        &f,
        "v",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.header("x-amzn-errortype"), Some("ResourceConflictException"));
    let v1 = call(&f, Method::POST, "/2015-03-31/functions/v/versions", &[], "{}").await;
    assert_eq!(v1.status, StatusCode::CREATED);
    assert_eq!(v1.json()["Version"], "1");
    assert_eq!(
        v1.json()["FunctionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:v:1"
    );
    // Nothing changed: publishing again answers version 1.
    let same = call(&f, Method::POST, "/2015-03-31/functions/v/versions", &[], "{}").await;
    assert_eq!(same.json()["Version"], "1");
    let a = call(
        &f,
        Method::POST,
        "/2015-03-31/functions/v/aliases",
        &[],
        r#"{"Name": "live", "FunctionVersion": "1"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    assert_eq!(
        a.json()["AliasArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:v:live"
    );
    let r = invoke(&f, "v:live", "{}", &[]).await;
    assert_eq!(r.header("x-amz-executed-version"), Some("1"));
    let r = invoke(&f, "v", "{}", &[("x-amz-invocation-type", "DryRun")]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let missing = invoke(&f, "nope", "{}", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json()["message"],
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"
    );
    let bad = invoke(&f, "v", "not json", &[]).await;
    assert_eq!(bad.header("x-amzn-errortype"), Some("InvalidRequestContentException"));
    let big = format!("\"{}\"", "x".repeat(6_291_456));
    let r = invoke(&f, "v", &big, &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json()["message"],
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    );
    let reserved = create(
        &f,
        "env",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({"Environment": {"Variables": {"AWS_REGION": "x"}}}),
    )
    .await;
    assert_eq!(
        reserved.header("x-amzn-errortype"),
        Some("InvalidParameterValueException")
    );
    let role = create(
        &f,
        "role",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({"Role": "nope"}),
    )
    .await;
    assert_eq!(role.header("x-amzn-errortype"), Some("ValidationException"));
    let old = create(
        &f,
        "old",
        "python2.7",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    assert!(
        old.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("The runtime parameter of python2.7 is no longer supported")
    );
    let unknown = call(&f, Method::GET, "/2021-10-31/functions/v/urls", &[], "").await;
    assert_eq!(unknown.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        unknown.json()["message"],
        "lakestack does not implement the Lambda operation ListFunctionUrlConfigs yet"
    );
    let list = call(&f, Method::GET, "/2015-03-31/functions/", &[], "").await.json();
    let names: Vec<&str> = list["Functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["FunctionName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["v"]);
    let del = call(&f, Method::DELETE, "/2015-03-31/functions/v", &[], "").await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn permissions_are_stored_as_aws_writes_them() {
    let f = fixture();
    create(
        &f,
        "p",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let add = json!({"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
                     "SourceArn": "arn:aws:s3:::lake", "SourceAccount": "123456789012"});
    let r = call(&f, Method::POST, "/2015-03-31/functions/p/policy", &[], add.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let statement: Value = serde_json::from_str(r.json()["Statement"].as_str().unwrap()).unwrap();
    assert_eq!(
        statement,
        json!({"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
               "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:p",
               "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"},
                             "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::lake"}}})
    );
    let again = call(&f, Method::POST, "/2015-03-31/functions/p/policy", &[], add.to_string()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let got = call(&f, Method::GET, "/2015-03-31/functions/p/policy", &[], "")
        .await
        .json();
    let policy: Value = serde_json::from_str(got["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"], json!([statement]));
    let gone = call(&f, Method::DELETE, "/2015-03-31/functions/p/policy/s3", &[], "").await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let none = call(&f, Method::GET, "/2015-03-31/functions/p/policy", &[], "").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

const BATCH: &str = r#"
def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if "bad" in r["body"]]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
"#;

#[tokio::test]
async fn a_mapping_feeds_batches_and_reports_partial_failures() {
    let f = fixture();
    create(
        &f,
        "drain",
        "python3.12",
        "app.handler",
        &[("app.py", BATCH, 0o644)],
        json!({}),
    )
    .await;
    let body = json!({"FunctionName": "drain", "EventSourceArn": QUEUE, "BatchSize": 5,
                      "FunctionResponseTypes": ["ReportBatchItemFailures"]});
    let created = call(
        &f,
        Method::POST,
        "/2015-03-31/event-source-mappings",
        &[],
        body.to_string(),
    )
    .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{:?}", created.body);
    let m = created.json();
    assert_eq!(
        (m["State"].as_str(), m["BatchSize"].as_u64()),
        (Some("Creating"), Some(5))
    );
    assert_eq!(m["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:drain");
    let uuid = m["UUID"].as_str().unwrap().to_owned();
    {
        let mut q = f.host.queue.waiting.lock().unwrap();
        for (id, body) in [("m1", "ok"), ("m2", "bad"), ("m3", "ok")] {
            q.push_back((
                id.to_owned(),
                json!({"messageId": id, "body": body, "eventSource": "aws:sqs"}),
            ));
        }
    }
    let mut completed = Vec::new();
    for _ in 0..300 {
        completed = f.host.queue.completed.lock().unwrap().clone();
        if !completed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        completed,
        [(
            vec!["m1".to_owned(), "m2".to_owned(), "m3".to_owned()],
            vec!["m2".to_owned()]
        )]
    );
    let got = call(
        &f,
        Method::GET,
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(got["State"], "Enabled");
    let dup = call(
        &f,
        Method::POST,
        "/2015-03-31/event-source-mappings",
        &[],
        body.to_string(),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let off = call(
        &f,
        Method::PUT,
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        r#"{"Enabled": false}"#,
    )
    .await;
    assert_eq!(off.json()["State"], "Updating");
    let listed = call(
        &f,
        Method::GET,
        "/2015-03-31/event-source-mappings/?FunctionName=drain",
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(listed["EventSourceMappings"][0]["State"], "Disabled");
    let unknown = json!({"FunctionName": "drain", "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:nope"});
    let r = call(
        &f,
        Method::POST,
        "/2015-03-31/event-source-mappings",
        &[],
        unknown.to_string(),
    )
    .await;
    assert_eq!(r.header("x-amzn-errortype"), Some("InvalidParameterValueException"));
    let gone = call(
        &f,
        Method::DELETE,
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        "",
    )
    .await;
    assert_eq!(gone.json()["State"], "Deleting");
    let missing = call(
        &f,
        Method::GET,
        &format!("/2015-03-31/event-source-mappings/{uuid}"),
        &[],
        "",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

const BIG: &str = "def handler(event, context):\n    return 'x' * 7_000_000\n";

#[tokio::test]
async fn a_response_over_six_megabytes_is_an_error_of_the_function() {
    let f = fixture();
    create(
        &f,
        "big",
        "python3.12",
        "app.handler",
        &[("app.py", BIG, 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "big", "{}", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(
        r.json(),
        json!({"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).", "errorType": "Function.ResponseSizeTooLarge"})
    );
}

#[tokio::test]
async fn idle_processes_are_stopped_and_missing_runtimes_are_named() {
    let f = fixture_idle(Duration::from_millis(200));
    create(
        &f,
        "idle",
        "python3.12",
        "app.handler",
        &[("app.py", PY, 0o644)],
        json!({}),
    )
    .await;
    let first = invoke(&f, "idle", "{}", &[]).await.json()["pid"].clone();
    let warm = invoke(&f, "idle", "{}", &[]).await.json()["pid"].clone();
    assert_eq!(first, warm);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pid = first.as_u64().unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the idle process still runs"
    );
    let cold = invoke(&f, "idle", "{}", &[]).await.json()["pid"].clone();
    assert_ne!(cold, first);

    create(
        &f,
        "rb",
        "ruby3.3",
        "app.handler",
        &[("app.rb", "def handler(event:, context:) = 1", 0o644)],
        json!({}),
    )
    .await;
    let r = invoke(&f, "rb", "{}", &[]).await;
    assert_eq!(r.header("x-amz-function-error"), Some("Unhandled"));
    let e = r.json();
    assert_eq!(e["errorType"], "Runtime.InvalidEntrypoint");
    assert!(
        e["errorMessage"]
            .as_str()
            .unwrap()
            .contains("lakestack cannot run the ruby3.3 runtime"),
        "{e}"
    );
}
