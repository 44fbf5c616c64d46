//! The API edge through [`Service::call`], as the kit calls it: operation
//! names, member errors, answer shapes and key-based paging. Exact answers
//! are transcripts in `tests/wire/` (see `lakestack_aws_protocol::transcript`;
//! `BLESS=1` rewrites them).

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use lakestack_aws_protocol::{ServiceError, transcript};
use serde_json::{Value, json};

use super::{StatesOp, StepFunctionsApi};
use crate::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};

const ROLE: &str = "arn:aws:iam::000000000000:role/sf";
const PASS: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

struct NoServices;

#[async_trait::async_trait]
impl Integrations for NoServices {
    async fn call(&self, _: &Resource, _: Value) -> Result<Value, TaskError> {
        Err(TaskError::new("States.TaskFailed", "no services in these tests"))
    }

    async fn run_to_end(&self, _: &Resource, _: &Value, _: Value) -> Result<Value, TaskError> {
        Err(TaskError::new("States.TaskFailed", "no services in these tests"))
    }
}

fn api() -> StepFunctionsApi {
    let settings = Settings {
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    StepFunctionsApi::new(StepFunctions::open(None, settings, Arc::new(NoServices)).unwrap())
}

async fn raw(api: &StepFunctionsApi, operation: &str, body: &str) -> Result<Value, ServiceError> {
    lakestack_aws_protocol::invoke_body(api, operation, Bytes::from(body.to_owned())).await
}

async fn call(api: &StepFunctionsApi, operation: &str, input: Value) -> Result<Value, ServiceError> {
    raw(api, operation, &input.to_string()).await
}

async fn ok(api: &StepFunctionsApi, operation: &str, input: Value) -> Value {
    call(api, operation, input)
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

async fn machine(api: &StepFunctionsApi, name: &str) -> String {
    let m = ok(
        api,
        "CreateStateMachine",
        json!({"name": name, "definition": PASS, "roleArn": ROLE}),
    )
    .await;
    m["stateMachineArn"].as_str().unwrap().to_owned()
}

async fn err(api: &StepFunctionsApi, operation: &str, input: Value) -> ServiceError {
    match call(api, operation, input).await {
        Ok(v) => panic!("{operation} answered {v}"),
        Err(e) => e,
    }
}

/// Every page of a list, following `nextToken`, flattened.
async fn all_pages(api: &StepFunctionsApi, operation: &str, list: &str, mut input: Value) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let page = ok(api, operation, input.clone()).await;
        items.extend(page[list].as_array().unwrap().iter().cloned());
        match page["nextToken"].as_str() {
            Some(t) => input["nextToken"] = t.into(),
            None => return items,
        }
    }
}

#[test]
fn operations_parse_by_their_aws_names() {
    assert_eq!("StartExecution".parse::<StatesOp>(), Ok(StatesOp::StartExecution));
    assert_eq!(StatesOp::ALL.len(), 28);
    assert!("CreateStateMachineAlias".parse::<StatesOp>().is_err());
}

#[tokio::test]
async fn edge_errors_read_as_aws_words_them() {
    let api = api();
    let e = raw(&api, "CreateStateMachineAlias", "{}").await.unwrap_err();
    assert_eq!((e.code.as_ref(), e.status.as_u16()), ("NotImplemented", 501));
    assert_eq!(
        e.message,
        "lakestack does not implement the Step Functions operation CreateStateMachineAlias yet"
    );
    let e = raw(&api, "ListStateMachines", "{nope").await.unwrap_err();
    assert_eq!(e.code, "SerializationException");
    // A body that is JSON but not an object, and a member of the wrong type.
    let e = raw(&api, "ListStateMachines", "[]").await.unwrap_err();
    assert_eq!(e.code, "SerializationException");
    // An empty body is no members.
    assert_eq!(
        raw(&api, "ListStateMachines", "").await.unwrap(),
        json!({"stateMachines": []})
    );
}

/// Members whose values differ from run to run.
const VOLATILE: transcript::Volatile<'_> = transcript::Volatile {
    hidden: &["creationDate", "startDate", "stopDate", "timestamp", "updateDate"],
    numbered: &["nextToken", "revisionId"],
};

#[tokio::test]
async fn wire_transcripts() {
    if let Err(report) = transcript::check_dir(Path::new("tests/wire"), VOLATILE, api).await {
        panic!("{report}");
    }
}

#[tokio::test]
async fn dates_are_epoch_seconds_and_inputs_have_aws_limits() {
    let api = api();
    let arn = machine(&api, "m").await;
    let d = ok(&api, "DescribeStateMachine", json!({"stateMachineArn": arn})).await;
    let created = d["creationDate"].as_f64().unwrap();
    assert!(created > 1.0e9 && created < 1.0e11, "{created}");
    let big = format!("\"{}\"", "x".repeat(crate::MAX_PAYLOAD_BYTES));
    let e = err(&api, "StartExecution", json!({"stateMachineArn": arn, "input": big})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144"
    );
}

#[tokio::test]
async fn executions_page_newest_first_even_within_a_millisecond() {
    let api = api();
    let arn = machine(&api, "m").await;
    let mut started = Vec::new();
    for name in ["b", "a", "d", "c", "e", "ab"] {
        let e = ok(&api, "StartExecution", json!({"stateMachineArn": arn, "name": name})).await;
        started.push(e["executionArn"].as_str().unwrap().to_owned());
    }
    for e in &started {
        api.service().wait(e).await.unwrap();
    }
    let whole = ok(&api, "ListExecutions", json!({"stateMachineArn": arn})).await["executions"].clone();
    let whole: Vec<Value> = whole.as_array().unwrap().clone();
    // Newest first; the same start time falls back to the greater ARN.
    let order: Vec<(f64, &str)> = whole
        .iter()
        .map(|e| (e["startDate"].as_f64().unwrap(), e["executionArn"].as_str().unwrap()))
        .collect();
    let mut expected = order.clone();
    expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(a.1)));
    assert_eq!(order, expected);
    for size in [1, 2, 4] {
        let paged = all_pages(
            &api,
            "ListExecutions",
            "executions",
            json!({"stateMachineArn": arn, "maxResults": size}),
        )
        .await;
        assert_eq!(paged, whole, "pages of {size}");
    }
}
