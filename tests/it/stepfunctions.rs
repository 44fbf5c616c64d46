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

/// The last two events of an execution's history, newest first.
async fn last_two_events(c: &Client, execution: &str) -> Vec<aws_sdk_sfn::types::HistoryEvent> {
    c.get_execution_history()
        .execution_arn(execution)
        .reverse_order(true)
        .max_results(2)
        .send()
        .await
        .unwrap()
        .events
}

/// Waits for `execution` to fail with AWS's 256 KiB error, naming `state`.
async fn assert_data_limit_exceeded(c: &Client, execution: &str, state: &str) {
    let d = until_done(c, execution).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error(), Some("States.DataLimitExceeded"));
    let cause = format!(
        "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
    );
    assert_eq!(d.cause(), Some(cause.as_str()));
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

async fn start(c: &Client, machine: &str, input: &str) -> String {
    c.start_execution()
        .state_machine_arn(machine)
        .input(input)
        .send()
        .await
        .unwrap()
        .execution_arn
}

/// Issue 11: a 30,000-item Map used to succeed with 120,006 events; AWS fails
/// an execution whose 25,000th event would not end it, with that event.
#[tokio::test]
async fn the_history_stops_at_25000_events() {
    let s = Server::start();
    let c = sfn(&s);
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Succeed"}},
    });
    let arn = create(&c, "wide", &definition).await;
    let items: Vec<u32> = (0..30_000).collect();
    let e = start(&c, &arn, &json!({ "items": items }).to_string()).await;
    let d = until_done(&c, &e).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error(), Some("States.Runtime"));
    assert_eq!(
        d.cause(),
        Some("The execution reached the maximum number of history events (25000).")
    );
    let last = last_two_events(&c, &e).await;
    assert_eq!(
        (last[0].id, last[0].r#type.clone()),
        (25_000, HistoryEventType::ExecutionFailed)
    );
    let details = last[0].execution_failed_event_details().unwrap();
    assert_eq!(details.error(), Some("States.Runtime"));
    assert_eq!(last[1].id, 24_999);
    assert_ne!(last[1].r#type, HistoryEventType::ExecutionFailed);

    // A Choice looping forever ends the same way, right after its 24,999th event.
    let definition = json!({
        "StartAt": "Loop",
        "States": {"Loop": {"Type": "Choice", "Choices": [{"Variable": "$.spin", "BooleanEquals": true, "Next": "Loop"}],
                            "Default": "Out"},
                   "Out": {"Type": "Succeed"}},
    });
    let arn = create(&c, "spin", &definition).await;
    let e = start(&c, &arn, r#"{"spin": true}"#).await;
    let d = until_done(&c, &e).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(
        d.cause(),
        Some("The execution reached the maximum number of history events (25000).")
    );
    let last = last_two_events(&c, &e).await;
    assert_eq!(
        (last[0].id, last[0].previous_event_id, last[0].r#type.clone()),
        (25_000, 24_999, HistoryEventType::ExecutionFailed)
    );
    assert_eq!(
        (last[1].id, last[1].r#type.clone()),
        (24_999, HistoryEventType::ChoiceStateExited)
    );
}

/// Issue 11: a 300 KiB state output used to pass; AWS fails the state with
/// States.DataLimitExceeded, which `States.ALL` does not catch.
#[tokio::test]
async fn outputs_over_256_kib_fail_with_data_limit_exceeded() {
    let s = Server::start();
    let c = sfn(&s);
    let s3 = s.client();
    let definition = json!({
        "StartAt": "Guard",
        "States": {
            "Guard": {"Type": "Parallel", "Branches": [{"StartAt": "Double", "States": {
                         "Double": {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "End": true}}}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Succeed"},
        },
    });
    let arn = create(&c, "double", &definition).await;
    // 150 KiB in, 300 KiB out.
    let e = start(&c, &arn, &json!({ "s": "x".repeat(150 * 1024) }).to_string()).await;
    assert_data_limit_exceeded(&c, &e, "Double").await;
    // An execution's input is held to the same quota by the API itself.
    let err = c
        .start_execution()
        .state_machine_arn(&arn)
        .input(json!({ "s": "x".repeat(300 * 1024) }).to_string())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("ValidationException"));
    assert_eq!(
        err.meta().message(),
        Some(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144"
        )
    );
    // Just under the quota is fine: 2 × 131,000 bytes plus the envelope.
    let e = start(&c, &arn, &json!({ "s": "x".repeat(131_000) }).to_string()).await;
    assert_eq!(until_done(&c, &e).await.status, ExecutionStatus::Succeeded);

    // s3:getObject of a 300 KiB object: refused before it is read.
    s3.create_bucket().bucket("big").send().await.unwrap();
    s3.put_object()
        .bucket("big")
        .key("blob")
        .body(ByteStream::from(vec![b'y'; 300 * 1024]))
        .send()
        .await
        .unwrap();
    let definition = json!({
        "StartAt": "Read",
        "States": {"Read": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "big", "Key": "blob"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Succeed"}},
    });
    let arn = create(&c, "bigread", &definition).await;
    let e = start(&c, &arn, "{}").await;
    assert_data_limit_exceeded(&c, &e, "aws-sdk:s3").await;
    let k = kinds(&c, &e).await;
    assert_eq!(
        k.iter().filter(|k| **k == HistoryEventType::TaskScheduled).count(),
        1,
        "no retries: {k:?}"
    );
}
