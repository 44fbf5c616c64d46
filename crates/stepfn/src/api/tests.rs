//! The API edge through [`Service::call`], as the kit calls it: operation
//! names, member errors, answer shapes and key-based paging.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use lakestack_aws_protocol::protocol::OutputBody;
use lakestack_aws_protocol::{Call, Protocol, Service, ServiceError};
use serde_json::{Value, json};

use super::{SPEC, StatesOp, StepFunctionsApi};
use crate::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};

const ROLE: &str = "arn:aws:iam::000000000000:role/sf";
const PASS: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

struct NoServices;

#[async_trait::async_trait]
impl Integrations for NoServices {
    async fn call(&self, _: &Resource, _: Value) -> Result<Value, TaskError> {
        Err(TaskError::new("States.TaskFailed", "no services in these tests"))
    }

    async fn run_to_end(&self, _: &Resource, _: Value) -> Result<Value, TaskError> {
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
    let call = Call {
        spec: &SPEC,
        operation: operation.into(),
        protocol: Protocol::AwsJson1_0,
        method: Method::POST,
        uri: Uri::from_static("/"),
        headers: HeaderMap::new(),
        labels: Vec::new(),
        body: Bytes::from(body.to_owned()),
        request_id: "test".into(),
    };
    match api.call(call).await?.body {
        OutputBody::Members(v) => Ok(v),
        other => panic!("{operation} answered {other:?}"),
    }
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

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
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
    let e = err(&api, "DescribeStateMachine", json!({"stateMachineArn": 7})).await;
    assert_eq!((e.code.as_ref(), e.status.as_u16()), ("SerializationException", 400));
    // Missing and null required members are AWS's validation error.
    for input in [json!({}), json!({"stateMachineArn": null})] {
        let e = err(&api, "DescribeStateMachine", input).await;
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"
        );
    }
    // An empty body is no members.
    assert_eq!(
        raw(&api, "ListStateMachines", "").await.unwrap(),
        json!({"stateMachines": []})
    );
    let e = err(&api, "ListExecutions", json!({"statusFilter": "DONE"})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    );
    let e = err(&api, "TestState", json!({"definition": PASS, "inspectionLevel": "ALL"})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
    );
}

#[tokio::test]
async fn answers_keep_their_members_and_dates_in_epoch_seconds() {
    let api = api();
    let arn = machine(&api, "m").await;
    assert_eq!(arn, "arn:aws:states:us-east-1:000000000000:stateMachine:m");
    let d = ok(&api, "DescribeStateMachine", json!({"stateMachineArn": arn})).await;
    assert_eq!(
        keys(&d),
        [
            "stateMachineArn",
            "name",
            "status",
            "definition",
            "roleArn",
            "type",
            "creationDate",
            "loggingConfiguration",
            "tracingConfiguration",
            "revisionId"
        ]
    );
    assert_eq!(
        d["loggingConfiguration"],
        json!({"level": "OFF", "includeExecutionData": false})
    );
    let created = d["creationDate"].as_f64().unwrap();
    assert!(created > 1.0e9 && created < 1.0e11, "{created}");

    let e = ok(
        &api,
        "StartExecution",
        json!({"stateMachineArn": arn, "name": "e", "input": "{\"a\": 1}"}),
    )
    .await;
    let execution = e["executionArn"].as_str().unwrap().to_owned();
    assert_eq!(execution, "arn:aws:states:us-east-1:000000000000:execution:m:e");
    api.service().wait(&execution).await.unwrap();
    let d = ok(&api, "DescribeExecution", json!({"executionArn": execution})).await;
    assert_eq!(
        keys(&d),
        [
            "executionArn",
            "stateMachineArn",
            "name",
            "status",
            "startDate",
            "input",
            "inputDetails",
            "redriveCount",
            "redriveStatus",
            "stopDate",
            "redriveStatusReason",
            "output",
            "outputDetails"
        ]
    );
    assert_eq!(d["output"], "{\"a\":1}");
    assert_eq!(
        d["redriveStatusReason"],
        "Execution is SUCCEEDED and cannot be redriven"
    );

    let big = format!("\"{}\"", "x".repeat(crate::MAX_PAYLOAD_BYTES));
    let e = err(&api, "StartExecution", json!({"stateMachineArn": arn, "input": big})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144"
    );
    assert_eq!(
        ok(&api, "ListTagsForResource", json!({"resourceArn": arn})).await,
        json!({"tags": []})
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

#[tokio::test]
async fn tokens_name_the_last_item_so_deletions_skip_nothing() {
    let api = api();
    for name in ["a", "b", "c", "d", "e"] {
        machine(&api, name).await;
    }
    let first = ok(&api, "ListStateMachines", json!({"maxResults": 2})).await;
    let names = |v: &Value| -> Vec<String> {
        v["stateMachines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), ["a", "b"]);
    ok(
        &api,
        "DeleteStateMachine",
        json!({"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:a"}),
    )
    .await;
    let next = ok(
        &api,
        "ListStateMachines",
        json!({"maxResults": 2, "nextToken": first["nextToken"]}),
    )
    .await;
    assert_eq!(names(&next), ["c", "d"]);

    let e = err(&api, "ListStateMachines", json!({"nextToken": "not a token!"})).await;
    assert_eq!(
        (e.code.as_ref(), e.message.as_str()),
        ("InvalidToken", "Invalid Token: 'not a token!'")
    );
    let e = err(&api, "ListActivities", json!({"maxResults": 1001})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
    );
}

#[tokio::test]
async fn history_pages_forward_and_in_reverse() {
    let api = api();
    let arn = machine(&api, "m").await;
    let e = ok(&api, "StartExecution", json!({"stateMachineArn": arn})).await;
    let execution = e["executionArn"].as_str().unwrap().to_owned();
    api.service().wait(&execution).await.unwrap();
    let ids = |events: &[Value]| -> Vec<i64> { events.iter().map(|e| e["id"].as_i64().unwrap()).collect() };
    let forward = all_pages(
        &api,
        "GetExecutionHistory",
        "events",
        json!({"executionArn": execution, "maxResults": 1}),
    )
    .await;
    assert_eq!(ids(&forward), [1, 2, 3, 4]);
    let reverse = all_pages(
        &api,
        "GetExecutionHistory",
        "events",
        json!({"executionArn": execution, "maxResults": 3, "reverseOrder": true}),
    )
    .await;
    assert_eq!(ids(&reverse), [4, 3, 2, 1]);
    let without_data = ok(
        &api,
        "GetExecutionHistory",
        json!({"executionArn": execution, "includeExecutionData": false}),
    )
    .await;
    let started = &without_data["events"][0]["executionStartedEventDetails"];
    assert!(
        started.get("input").is_none() && started.get("inputDetails").is_some(),
        "{started}"
    );
}
