//! The API edge through [`Service::call`], and delivery through a host that
//! records what it is handed: matching, input transformation, retries and
//! dead-letter queues, schedules on an advanced clock, and the outbox across
//! a reopen.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use lakestack_aws_protocol::{Clock, DeliveryError, ServiceError};
use serde_json::{Value, json};

use super::{EventsApi, EventsOp};
use crate::host::{Delivery, Host};
use crate::service::{Events, Settings};

/// What a target received.
#[derive(Debug, Clone, PartialEq)]
struct Got {
    arn: String,
    input: String,
    group: Option<String>,
    attributes: Vec<(String, String)>,
}

/// Records deliveries; ARNs containing `flaky` fail transiently, `gone` for good.
#[derive(Default)]
struct Recorder {
    got: Mutex<Vec<Got>>,
    notify: tokio::sync::Notify,
}

#[async_trait]
impl Host for Recorder {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), DeliveryError> {
        if d.target_arn.contains("flaky") {
            return Err(DeliveryError::Transient("try later".into()));
        }
        if d.target_arn.contains("gone") {
            return Err(DeliveryError::Permanent("no such queue".into()));
        }
        self.got.lock().unwrap().push(Got {
            arn: d.target_arn.into(),
            input: d.input.into(),
            group: d.message_group_id.map(str::to_string),
            attributes: d
                .attributes
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        });
        self.notify.notify_waiters();
        Ok(())
    }
}

impl Recorder {
    async fn wait_for(&self, n: usize) -> Vec<Got> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.notify.notified();
            {
                let got = self.got.lock().unwrap();
                if got.len() >= n {
                    return got.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("expected {n} deliveries, got {:?}", self.got.lock().unwrap());
            }
        }
    }
}

fn open(dir: Option<&std::path::Path>, clock: Clock) -> (EventsApi, Arc<Recorder>) {
    let host = Arc::new(Recorder::default());
    let events = Events::open(
        Settings {
            dir: dir.map(Into::into),
            clock,
            ..Settings::default()
        },
        Arc::clone(&host) as _,
    )
    .unwrap();
    events.start();
    (EventsApi::new(events), host)
}

async fn call(api: &EventsApi, operation: &str, input: Value) -> Result<Value, ServiceError> {
    lakestack_aws_protocol::invoke_body(api, operation, Bytes::from(input.to_string())).await
}

async fn ok(api: &EventsApi, operation: &str, input: Value) -> Value {
    call(api, operation, input)
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

async fn err(api: &EventsApi, operation: &str, input: Value) -> (String, String) {
    let e = call(api, operation, input).await.unwrap_err();
    (e.code.to_string(), e.message)
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:q";

async fn rule_to(api: &EventsApi, name: &str, pattern: Value, target: Value) {
    ok(
        api,
        "PutRule",
        json!({"Name": name, "EventPattern": pattern.to_string()}),
    )
    .await;
    let put = ok(api, "PutTargets", json!({"Rule": name, "Targets": [target]})).await;
    assert_eq!(put["FailedEntryCount"], 0, "{put}");
}

async fn put_event(api: &EventsApi, source: &str, detail: Value) -> Value {
    ok(
        api,
        "PutEvents",
        json!({"Entries": [{"Source": source, "DetailType": "Order Placed", "Detail": detail.to_string()}]}),
    )
    .await
}

#[test]
fn operations_parse_by_their_aws_names() {
    assert_eq!("PutEvents".parse::<EventsOp>(), Ok(EventsOp::PutEvents));
    assert!("StartReplay".parse::<EventsOp>().is_err());
}

#[tokio::test]
async fn matched_events_reach_targets_in_the_envelope() {
    let (api, host) = open(None, Clock::default());
    rule_to(
        &api,
        "orders",
        json!({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}),
        json!({"Id": "q", "Arn": QUEUE}),
    )
    .await;
    let small = put_event(&api, "shop", json!({"total": 5})).await;
    let big = put_event(&api, "shop", json!({"total": 500})).await;
    assert_eq!(small["FailedEntryCount"], 0);
    let got = host.wait_for(1).await;
    let event: Value = serde_json::from_str(&got[0].input).unwrap();
    assert_eq!(event["id"], big["Entries"][0]["EventId"]);
    let keys: Vec<&String> = event.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "version",
            "id",
            "detail-type",
            "source",
            "account",
            "time",
            "region",
            "resources",
            "detail"
        ]
    );
    assert_eq!(event["detail"], json!({"total": 500}));
    assert_eq!(event["account"], "000000000000");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(host.got.lock().unwrap().len(), 1, "the small order matched nothing");
}

#[tokio::test]
async fn transformers_paths_and_constants() {
    let (api, host) = open(None, Clock::default());
    rule_to(
        &api,
        "t",
        json!({"source": ["shop"]}),
        json!({"Id": "t", "Arn": QUEUE, "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id", "items": "$.detail.items"},
            "InputTemplate": "{\"order\": <id>, \"n\": <items>, \"rule\": \"<aws.events.rule-name>\"}"
        }}),
    )
    .await;
    ok(
        &api,
        "PutTargets",
        json!({"Rule": "t", "Targets": [
            {"Id": "p", "Arn": "arn:aws:sqs:us-east-1:000000000000:p", "InputPath": "$.detail.id"},
            {"Id": "c", "Arn": "arn:aws:sqs:us-east-1:000000000000:c", "Input": "{\"fixed\": true}"},
        ]}),
    )
    .await;
    put_event(&api, "shop", json!({"id": "o-1", "items": [1, 2]})).await;
    let mut got: Vec<(String, String)> = host.wait_for(3).await.into_iter().map(|g| (g.arn, g.input)).collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "arn:aws:sqs:us-east-1:000000000000:c".into(),
                r#"{"fixed": true}"#.into()
            ),
            ("arn:aws:sqs:us-east-1:000000000000:p".into(), r#""o-1""#.into()),
            (QUEUE.into(), r#"{"order": "o-1", "n": [1,2], "rule": "t"}"#.into()),
        ]
    );
}

#[tokio::test]
async fn refusals_in_aws_words() {
    let (api, _) = open(None, Clock::default());
    assert_eq!(
        err(&api, "PutRule", json!({"Name": "r"})).await,
        (
            "ValidationException".into(),
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into()
        )
    );
    assert_eq!(
        err(
            &api,
            "PutRule",
            json!({"Name": "r", "ScheduleExpression": "rate(1 minutes)"})
        )
        .await,
        (
            "ValidationException".into(),
            "Parameter ScheduleExpression is not valid.".into()
        )
    );
    let (code, message) = err(&api, "PutRule", json!({"Name": "r", "EventPattern": "{\"a\": 1}"})).await;
    assert_eq!(code, "InvalidEventPatternException");
    assert!(message.starts_with("Event pattern is not valid. Reason: "), "{message}");
    assert_eq!(
        err(&api, "DescribeRule", json!({"Name": "nope"})).await,
        (
            "ResourceNotFoundException".into(),
            "Rule nope does not exist on EventBus default.".into()
        )
    );
    ok(
        &api,
        "PutRule",
        json!({"Name": "r", "EventPattern": "{\"source\": [\"a\"]}"}),
    )
    .await;
    assert_eq!(
        err(
            &api,
            "PutTargets",
            json!({"Rule": "r", "Targets": [
                {"Id": "t", "Arn": QUEUE, "Input": "{}", "InputPath": "$.detail"}
            ]})
        )
        .await
        .1,
        "Only one of Input, InputPath, or InputTransformer must be provided for target t."
    );
    assert_eq!(
        err(
            &api,
            "PutTargets",
            json!({"Rule": "r", "Targets": [
                {"Id": "t", "Arn": QUEUE, "InputTransformer": {"InputTemplate": "\"<who>\""}}
            ]})
        )
        .await
        .1,
        "InputTemplate for target t contains invalid placeholder who."
    );
    ok(
        &api,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "t", "Arn": QUEUE}]}),
    )
    .await;
    assert_eq!(
        err(&api, "DeleteRule", json!({"Name": "r"})).await,
        (
            "ValidationException".into(),
            "Rule can't be deleted since it has targets.".into()
        )
    );
    let six: Vec<Value> = (0..6).map(|i| json!({"Id": format!("t{i}"), "Arn": QUEUE})).collect();
    assert_eq!(
        err(&api, "PutTargets", json!({"Rule": "r", "Targets": six})).await,
        (
            "LimitExceededException".into(),
            "The requested resource exceeds the maximum number allowed.".into()
        )
    );
    assert_eq!(
        err(&api, "DeleteEventBus", json!({"Name": "default"})).await,
        ("ValidationException".into(), "Cannot delete event bus default.".into())
    );
    let put = ok(
        &api,
        "PutEvents",
        json!({"Entries": [
            {"DetailType": "x", "Detail": "{}"},
            {"Source": "a", "DetailType": "x", "Detail": "[1]"},
            {"Source": "aws.s3", "DetailType": "x", "Detail": "{}"},
            {"Source": "a", "DetailType": "x", "Detail": "{}", "EventBusName": "nowhere"},
        ]}),
    )
    .await;
    assert_eq!(put["FailedEntryCount"], 3);
    assert_eq!(put["Entries"][0]["ErrorCode"], "InvalidArgument");
    assert_eq!(
        put["Entries"][0]["ErrorMessage"],
        "Parameter Source is not valid. Reason: Source is a required argument."
    );
    assert_eq!(put["Entries"][1]["ErrorCode"], "MalformedDetail");
    assert_eq!(put["Entries"][2]["ErrorCode"], "NotAuthorizedForSourceException");
    assert!(
        put["Entries"][3]["EventId"].is_string(),
        "a missing bus drops the event, as AWS does"
    );
}

#[tokio::test]
async fn failures_are_retried_then_dead_lettered() {
    let (api, host) = open(None, Clock::scaled(0.0));
    rule_to(
        &api,
        "r",
        json!({"source": ["shop"]}),
        json!({"Id": "f", "Arn": "arn:aws:sqs:us-east-1:000000000000:flaky",
               "RetryPolicy": {"MaximumRetryAttempts": 2},
               "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}),
    )
    .await;
    ok(
        &api,
        "PutTargets",
        json!({"Rule": "r", "Targets": [{"Id": "g", "Arn": "arn:aws:sqs:us-east-1:000000000000:gone",
               "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}]}),
    )
    .await;
    put_event(&api, "shop", json!({})).await;
    let mut got = host.wait_for(2).await;
    got.sort_by_key(|g| g.attributes.iter().find(|(k, _)| k == "TARGET_ARN").cloned());
    let attrs: Vec<Vec<(String, String)>> = got.iter().map(|g| g.attributes.clone()).collect();
    let rule = "arn:aws:events:us-east-1:000000000000:rule/r".to_string();
    assert_eq!(
        attrs[0],
        [
            ("RULE_ARN".into(), rule.clone()),
            ("TARGET_ARN".into(), "arn:aws:sqs:us-east-1:000000000000:flaky".into()),
            ("ERROR_CODE".into(), "INTERNAL_ERROR".into()),
            ("ERROR_MESSAGE".into(), "try later".into()),
            ("EXHAUSTED_RETRY_CONDITION".into(), "MaximumRetryAttempts".into()),
            ("RETRY_ATTEMPTS".into(), "2".into()),
        ]
    );
    assert_eq!(
        attrs[1],
        [
            ("RULE_ARN".into(), rule),
            ("TARGET_ARN".into(), "arn:aws:sqs:us-east-1:000000000000:gone".into()),
            ("ERROR_CODE".into(), "NO_RESOURCE".into()),
            ("ERROR_MESSAGE".into(), "no such queue".into()),
            ("RETRY_ATTEMPTS".into(), "0".into()),
        ]
    );
    assert!(got.iter().all(|g| g.arn.ends_with(":dlq")));
    let event: Value = serde_json::from_str(&got[0].input).unwrap();
    assert_eq!(event["source"], "shop", "the DLQ gets the event itself");
}

#[tokio::test]
async fn schedules_fire_when_the_clock_reaches_them() {
    let clock = Clock::scaled(1.0);
    let (api, host) = open(None, clock.clone());
    ok(
        &api,
        "PutRule",
        json!({"Name": "nightly", "ScheduleExpression": "cron(0 2 * * ? *)"}),
    )
    .await;
    ok(
        &api,
        "PutTargets",
        json!({"Rule": "nightly", "Targets": [{"Id": "q", "Arn": QUEUE}]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(host.got.lock().unwrap().is_empty());
    clock.advance(Duration::from_secs(26 * 3600));
    let got = host.wait_for(1).await;
    let event: Value = serde_json::from_str(&got[0].input).unwrap();
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["source"], "aws.events");
    assert_eq!(
        event["resources"],
        json!(["arn:aws:events:us-east-1:000000000000:rule/nightly"])
    );
    assert_eq!(event["detail"], json!({}));
    assert!(event["time"].as_str().unwrap().ends_with("T02:00:00Z"), "{event}");
    assert_eq!(
        err(
            &api,
            "PutRule",
            json!({"Name": "x", "ScheduleExpression": "rate(5 minutes)", "EventBusName": "other"})
        )
        .await
        .1,
        "ScheduleExpression is supported only on the default event bus."
    );
}

#[tokio::test]
async fn the_outbox_outlives_the_process() {
    let dir = tempfile::tempdir().unwrap();
    {
        // No dispatcher: what is accepted stays in the outbox, as after a kill.
        let events = Events::open(
            Settings {
                dir: Some(dir.path().into()),
                ..Settings::default()
            },
            Arc::new(Recorder::default()),
        )
        .unwrap();
        let api = EventsApi::new(Arc::clone(&events));
        rule_to(&api, "r", json!({"source": ["shop"]}), json!({"Id": "q", "Arn": QUEUE})).await;
        for i in 0..3 {
            put_event(&api, "shop", json!({"n": i})).await;
        }
    }
    let (_api, host) = open(Some(dir.path()), Clock::default());
    let got = host.wait_for(3).await;
    let ns: Vec<i64> = got
        .iter()
        .map(|g| {
            serde_json::from_str::<Value>(&g.input).unwrap()["detail"]["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ns, [0, 1, 2], "delivered in order after the reopen");
}

#[tokio::test]
async fn a_bus_loop_ends_after_one_forward_and_big_inputs_are_refused() {
    let (api, host) = open(None, Clock::scaled(0.0));
    let bus = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    let loops: Vec<Value> = (0..5).map(|i| json!({"Id": format!("b{i}"), "Arn": bus})).collect();
    ok(
        &api,
        "PutRule",
        json!({"Name": "loop", "EventPattern": "{\"source\": [\"shop\"]}"}),
    )
    .await;
    ok(&api, "PutTargets", json!({"Rule": "loop", "Targets": loops})).await;
    rule_to(&api, "q", json!({"source": ["shop"]}), json!({"Id": "q", "Arn": QUEUE})).await;
    // A template that repeats the whole event past the input limit goes to the DLQ.
    let huge = "<e>".repeat(2000);
    rule_to(
        &api,
        "huge",
        json!({"source": ["shop"]}),
        json!({"Id": "h", "Arn": "arn:aws:sqs:us-east-1:000000000000:h",
               "InputTransformer": {"InputPathsMap": {"e": "$"}, "InputTemplate": huge},
               "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}),
    )
    .await;
    put_event(&api, "shop", json!({"pad": "x".repeat(1000)})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = host.got.lock().unwrap().clone();
    let to_queue = got.iter().filter(|g| g.arn == QUEUE).count();
    // The event, then its copy from each of the five forwards, and no more.
    assert_eq!(to_queue, 6, "{got:?}");
    let dead: Vec<&Got> = got.iter().filter(|g| g.arn.ends_with(":dlq")).collect();
    assert_eq!(dead.len(), 6, "the original and each copy: {dead:?}");
    assert!(
        dead[0]
            .attributes
            .contains(&("ERROR_CODE".into(), "INVALID_JSON".into()))
    );
}
