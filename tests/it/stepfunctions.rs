//! Step Functions through aws-sdk-rust: AWS's error for a bad definition, an
//! execution that chains a Map, a Choice and an S3 integration with exact
//! output and history, a failed execution redriven to success, and
//! executions that survive (or, running, end FAILED after) kill -9.

use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use serde_json::{Value, json};

use crate::common::{Server, sdk_client, temp_dir};

const ROLE: &str = "arn:aws:iam::000000000000:role/sf";

fn sfn(s: &Server) -> Client {
    sdk_client!(aws_sdk_sfn, s)
}

async fn create(c: &Client, name: &str, definition: &Value) -> String {
    c.create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn
}

/// Polls DescribeExecution until the execution leaves RUNNING.
async fn until_done(
    c: &Client,
    execution: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let d = c.describe_execution().execution_arn(execution).send().await.unwrap();
        if d.status != ExecutionStatus::Running {
            return d;
        }
        assert!(Instant::now() < deadline, "{execution} did not finish");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn kinds(c: &Client, execution: &str) -> Vec<HistoryEventType> {
    c.get_execution_history()
        .execution_arn(execution)
        .max_results(1000)
        .send()
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.r#type)
        .collect()
}

#[tokio::test]
async fn a_bad_definition_answers_invalid_definition() {
    let s = Server::start();
    let c = sfn(&s);
    let err = c
        .create_state_machine()
        .name("bad")
        .definition(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}).to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_definition(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some(
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, \
             MISSING_END_STATE: Workflow has no terminal state at null'"
        )
    );
    let listed = c.list_state_machines().send().await.unwrap();
    assert!(listed.state_machines.is_empty());
}

#[tokio::test]
async fn map_choice_and_s3_run_with_exact_output_and_history() {
    let s = Server::start_with(&["--ephemeral", "--wait-time-scale", "0"]);
    let c = sfn(&s);
    s.client().create_bucket().bucket("out").send().await.unwrap();
    let definition = json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Map", "ItemsPath": "$.numbers", "ResultPath": "$.doubled",
                "ItemProcessor": {"StartAt": "Times2", "States": {
                    "Times2": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "OutputPath": "$.v", "End": true}
                }},
                "Next": "Big?",
            },
            "Big?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.doubled[2]", "NumericGreaterThan": 5, "Next": "Store"}],
                "Default": "Small",
            },
            "Small": {"Type": "Fail", "Error": "TooSmall"},
            "Store": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "out", "Key": "doubled.json", "Body.$": "$.doubled"},
                "ResultSelector": {"etag.$": "$.ETag"}, "ResultPath": "$.stored",
                "Next": "Wait",
            },
            "Wait": {"Type": "Wait", "Seconds": 3600, "End": true},
        },
    });
    let arn = create(&c, "doubler", &definition).await;
    let started = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("first")
        .input(json!({"numbers": [1, 2, 3]}).to_string())
        .send()
        .await
        .unwrap();
    let done = until_done(&c, &started.execution_arn).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(done.output().unwrap()).unwrap();
    assert_eq!(output["doubled"], json!([2, 4, 6]));
    assert_eq!(output["numbers"], json!([1, 2, 3]));
    assert!(output["stored"]["etag"].as_str().is_some_and(|e| !e.is_empty()));
    let body = s
        .client()
        .get_object()
        .bucket("out")
        .key("doubled.json")
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert_eq!(&body[..], b"[2,4,6]");

    use HistoryEventType as T;
    let mut expected = vec![T::ExecutionStarted, T::MapStateEntered, T::MapStateStarted];
    for _ in 0..3 {
        expected.extend([
            T::MapIterationStarted,
            T::PassStateEntered,
            T::PassStateExited,
            T::MapIterationSucceeded,
        ]);
    }
    expected.extend([
        T::MapStateSucceeded,
        T::MapStateExited,
        T::ChoiceStateEntered,
        T::ChoiceStateExited,
        T::TaskStateEntered,
        T::TaskScheduled,
        T::TaskStarted,
        T::TaskSucceeded,
        T::TaskStateExited,
        T::WaitStateEntered,
        T::WaitStateExited,
        T::ExecutionSucceeded,
    ]);
    let mut got = kinds(&c, &started.execution_arn).await;
    // Iterations run concurrently: their events interleave, so compare them as a multiset.
    got[3..15].sort_by_key(|k| k.as_str().to_owned());
    expected[3..15].sort_by_key(|k| k.as_str().to_owned());
    assert_eq!(got, expected);

    // The same name again while it is no longer running answers ExecutionAlreadyExists.
    let err = c
        .start_execution()
        .state_machine_arn(&arn)
        .name("first")
        .input("{}")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_execution_already_exists(), "{err:?}");

    let small = c
        .start_execution()
        .state_machine_arn(&arn)
        .input(json!({"numbers": [1, 1, 1]}).to_string())
        .send()
        .await
        .unwrap();
    let failed = until_done(&c, &small.execution_arn).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(failed.error(), Some("TooSmall"));
}

#[tokio::test]
async fn a_failed_execution_is_redriven_from_the_failed_state() {
    let s = Server::start_with(&["--ephemeral", "--wait-time-scale", "0"]);
    let c = sfn(&s);
    let s3 = s.client();
    s3.create_bucket().bucket("input").send().await.unwrap();
    let definition = json!({
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Read"},
            "Read": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "input", "Key": "config.json"},
                "ResultSelector": {"config.$": "States.StringToJson($.Body)"}, "ResultPath": "$.read",
                "End": true,
            },
        },
    });
    let arn = create(&c, "reader", &definition).await;
    let e = c
        .start_execution()
        .state_machine_arn(&arn)
        .input(r#"{"n": 1}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let first = until_done(&c, &e).await;
    assert_eq!(first.status, ExecutionStatus::Failed);
    let failed_events = kinds(&c, &e).await.len();

    s3.put_object()
        .bucket("input")
        .key("config.json")
        .body(ByteStream::from_static(br#"{"mode": "fast"}"#))
        .send()
        .await
        .unwrap();
    c.redrive_execution().execution_arn(&e).send().await.unwrap();
    let done = until_done(&c, &e).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_eq!(done.redrive_count, Some(1));
    // Count ran once: n is 2, not 3.
    let output: Value = serde_json::from_str(done.output().unwrap()).unwrap();
    assert_eq!(output, json!({"n": 2, "read": {"config": {"mode": "fast"}}}));
    let all = kinds(&c, &e).await;
    assert_eq!(all[failed_events], HistoryEventType::ExecutionRedriven);
    assert_eq!(
        all.iter().filter(|k| **k == HistoryEventType::PassStateEntered).count(),
        1
    );
}

#[tokio::test]
async fn executions_survive_kill_9_and_running_ones_end_failed() {
    let dir = temp_dir();
    let s = Server::start_with(&["--data-dir", dir.path().to_str().unwrap(), "--wait-time-scale", "0"]);
    let c = sfn(&s);
    let quick = create(
        &c,
        "quick",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}),
    )
    .await;
    let done = c
        .start_execution()
        .state_machine_arn(&quick)
        .send()
        .await
        .unwrap()
        .execution_arn;
    until_done(&c, &done).await;
    s.kill9();

    // Now with real waits: this one is still waiting when the server dies.
    let s = Server::start_in(dir.path());
    let c = sfn(&s);
    let slow = create(
        &c,
        "slow",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    )
    .await;
    let waiting = c
        .start_execution()
        .state_machine_arn(&slow)
        .send()
        .await
        .unwrap()
        .execution_arn;
    assert_eq!(
        c.describe_execution()
            .execution_arn(&waiting)
            .send()
            .await
            .unwrap()
            .status,
        ExecutionStatus::Running
    );
    s.kill9();

    let s = Server::start_in(dir.path());
    let c = sfn(&s);
    let d = c.describe_execution().execution_arn(&done).send().await.unwrap();
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.output(), Some(r#"{"ok":true}"#));
    assert_eq!(
        kinds(&c, &done).await,
        [
            HistoryEventType::ExecutionStarted,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::ExecutionSucceeded
        ]
    );
    let w = c.describe_execution().execution_arn(&waiting).send().await.unwrap();
    assert_eq!(w.status, ExecutionStatus::Failed);
    assert_eq!(w.error(), Some("States.Runtime"));
    assert_eq!(
        kinds(&c, &waiting).await,
        [HistoryEventType::ExecutionStarted, HistoryEventType::ExecutionFailed]
    );
}
