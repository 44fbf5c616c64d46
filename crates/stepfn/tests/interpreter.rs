//! The interpreter through the service's Rust API, with a fake service
//! behind Task states: outputs, errors and exact history event sequences.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use lakestack_stepfn::records::StateMachine;
use lakestack_stepfn::{Clock, ExecutionEvent, Integrations, Resource, Settings, StepFunctions, TaskError};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::TryRecvError;

/// `aws-sdk:fake:echo` answers its parameters; `aws-sdk:fake:flaky` fails
/// twice with `Fake.Busy` then answers; `aws-sdk:fake:boom` always fails.
#[derive(Default)]
struct Fake {
    calls: AtomicUsize,
}

#[async_trait]
impl Integrations for Fake {
    async fn call(&self, resource: &Resource, parameters: Value) -> Result<Value, TaskError> {
        let Resource::Sdk { action, .. } = resource else {
            return Err(TaskError::new("Fake.Unknown", "not a fake resource"));
        };
        match action.as_str() {
            "echo" => Ok(parameters),
            "flaky" if self.calls.fetch_add(1, Ordering::SeqCst) < 2 => Err(TaskError::new("Fake.Busy", "try again")),
            "flaky" => Ok(json!({"ok": true})),
            // Stands for a bug anywhere in the interpreter or a service.
            "panic" => panic!("the fake service panicked"),
            _ => Err(TaskError::new("Fake.Boom", "it broke")),
        }
    }

    async fn run_to_end(&self, _: &Resource, _: &Value, parameters: Value) -> Result<Value, TaskError> {
        Ok(parameters)
    }
}

fn service() -> Arc<StepFunctions> {
    let settings = Settings {
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    StepFunctions::open(None, settings, Arc::new(Fake::default())).unwrap()
}

fn standard(name: &str, definition: Value) -> StateMachine {
    StateMachine::new(
        name,
        &definition.to_string(),
        "arn:aws:iam::000000000000:role/sf",
        "STANDARD",
    )
}

fn machine(s: &StepFunctions, name: &str, definition: Value) -> String {
    s.create_machine(standard(name, definition), &[]).unwrap().arn
}

async fn run(s: &StepFunctions, arn: &str, input: Value) -> lakestack_stepfn::records::Execution {
    let e = s.start(arn, None, Some(input.to_string())).unwrap();
    s.wait(&e.arn).await.unwrap()
}

fn kinds(s: &StepFunctions, arn: &str) -> Vec<String> {
    s.history(arn).unwrap().iter().map(|e| e.kind.to_owned()).collect()
}

#[tokio::test]
async fn pass_choice_wait_and_data_flow() {
    let s = service();
    let arn = machine(
        &s,
        "flow",
        json!({
            "StartAt": "Shape",
            "States": {
                "Shape": {"Type": "Pass", "Parameters": {"n.$": "$.x", "greeting.$": "States.Format('hi {}', $.who)"}, "ResultPath": "$.shaped", "Next": "Pick"},
                "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.shaped.n", "NumericGreaterThan": 5, "Next": "Big"}], "Default": "Small"},
                "Big": {"Type": "Wait", "Seconds": 600, "Next": "Done"},
                "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "n was small"},
                "Done": {"Type": "Succeed", "OutputPath": "$.shaped"}
            }
        }),
    );
    let e = run(&s, &arn, json!({"x": 7, "who": "ann"})).await;
    assert_eq!(e.status, "SUCCEEDED");
    assert_eq!(e.output.as_deref(), Some(r#"{"n":7,"greeting":"hi ann"}"#));
    assert_eq!(
        kinds(&s, &e.arn),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    let events = s.history(&e.arn).unwrap();
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, ev)| ev.id == i as i64 + 1 && ev.previous_event_id == i as i64)
    );

    let e = run(&s, &arn, json!({"x": 1, "who": "bob"})).await;
    assert_eq!(e.status, "FAILED");
    assert_eq!(
        (e.error.as_deref(), e.cause.as_deref()),
        (Some("TooSmall"), Some("n was small"))
    );
    assert_eq!(kinds(&s, &e.arn).last().map(String::as_str), Some("ExecutionFailed"));
}

#[tokio::test]
async fn retry_then_catch() {
    let s = service();
    let arn = machine(
        &s,
        "retries",
        json!({
            "StartAt": "Flaky",
            "States": {
                "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:fake:flaky",
                          "Retry": [{"ErrorEquals": ["Fake.Busy"], "IntervalSeconds": 30, "MaxAttempts": 3}],
                          "ResultPath": "$.flaky", "Next": "Boom"},
                "Boom": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:fake:boom",
                         "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handled"}], "End": true},
                "Handled": {"Type": "Pass", "End": true}
            }
        }),
    );
    let e = run(&s, &arn, json!({})).await;
    assert_eq!(e.status, "SUCCEEDED", "{e:?}");
    let out: Value = serde_json::from_str(e.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        out,
        json!({"flaky": {"ok": true}, "err": {"Error": "Fake.Boom", "Cause": "it broke"}})
    );
    assert_eq!(
        kinds(&s, &e.arn),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test]
async fn map_and_parallel() {
    let s = service();
    let arn = machine(
        &s,
        "fanout",
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                         "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                         "ItemProcessor": {"StartAt": "Echo", "States": {
                             "Echo": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:fake:echo", "End": true}}},
                         "ResultPath": "$.mapped", "Next": "Both"},
                "Both": {"Type": "Parallel", "Branches": [
                            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}},
                            {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.mapped[1]", "End": true}}}],
                         "End": true}
            }
        }),
    );
    let e = run(&s, &arn, json!({"items": ["x", "y", "z"]})).await;
    assert_eq!(e.status, "SUCCEEDED", "{e:?}");
    assert_eq!(e.output.as_deref(), Some(r#"[1,{"v":"y","i":1}]"#));
    let k = kinds(&s, &e.arn);
    assert_eq!(k.iter().filter(|x| *x == "MapIterationStarted").count(), 3);
    assert_eq!(k.iter().filter(|x| *x == "MapIterationSucceeded").count(), 3);
    assert_eq!(&k[..3], ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]);
    assert_eq!(
        &k[k.len() - 11..],
        [
            "MapStateSucceeded",
            "MapStateExited",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "ExecutionSucceeded",
        ]
    );
    assert_eq!(k.last().map(String::as_str), Some("ExecutionSucceeded"));
}

#[tokio::test]
async fn invalid_definitions_are_refused_with_aws_words() {
    let s = service();
    let err = s
        .create_machine(
            standard(
                "bad",
                json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}),
            ),
            &[],
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'"
    );
}

/// Issue 11: a panic inside a running execution used to leave it RUNNING forever.
#[tokio::test]
async fn a_panic_fails_the_execution_instead_of_leaving_it_running() {
    let s = service();
    let arn = machine(
        &s,
        "panics",
        json!({"StartAt": "Boom", "States": {
            "Boom": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:fake:panic",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Succeed"}}}),
    );
    let e = tokio::time::timeout(std::time::Duration::from_secs(10), run(&s, &arn, json!({})))
        .await
        .expect("the execution ends");
    assert_eq!(e.status, "FAILED");
    assert_eq!(e.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        e.cause.as_deref(),
        Some("An internal error occurred in lakestack while running the execution: the fake service panicked")
    );
    let k = kinds(&s, &e.arn);
    assert_eq!(k.first().map(String::as_str), Some("ExecutionStarted"));
    assert_eq!(k.last().map(String::as_str), Some("ExecutionFailed"));
    // The service is still usable.
    let ok = machine(
        &s,
        "fine",
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    assert_eq!(run(&s, &ok, json!({"a": 1})).await.status, "SUCCEEDED");
}

/// Issue 11: a loop that wraps its input once per turn built values deep
/// enough to overflow the stack when serialized; now the state fails.
#[tokio::test]
async fn outputs_nesting_too_deep_fail_the_execution() {
    let s = service();
    let arn = machine(
        &s,
        "wraps",
        json!({"StartAt": "Wrap", "States": {
            "Wrap": {"Type": "Pass", "ResultPath": "$.inner", "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "Wrap"},
            "Done": {"Type": "Succeed"}}}),
    );
    let e = run(&s, &arn, json!({"n": 1})).await;
    assert_eq!(e.status, "FAILED", "{e:?}");
    assert_eq!(e.error.as_deref(), Some("States.Runtime"));
    let cause = e.cause.unwrap();
    assert!(
        cause.starts_with("An error occurred while executing the state 'Wrap' (entered at the event id #"),
        "{cause}"
    );
    assert!(
        cause.ends_with("). The state's output nests arrays and objects more than 127 levels deep."),
        "{cause}"
    );
}

/// Each execution's start and end reach subscribers once each, in order,
/// with the record as it then was; a redrive starts and ends again.
#[tokio::test]
async fn status_changes_are_announced_once_each() {
    let s = service();
    let mut events = s.subscribe();
    let mut next = || events.try_recv().expect("an announced change");
    // What the start of `e` announced, from its ended record.
    let started = |e: &lakestack_stepfn::records::Execution| ExecutionEvent {
        execution_arn: e.arn.clone(),
        state_machine_arn: e.state_machine_arn.clone(),
        name: e.name.clone(),
        status: "RUNNING".into(),
        start_ms: e.start_ms,
        stop_ms: None,
        input: Some(e.input.clone()),
        output: None,
        error: None,
        cause: None,
        express: e.kind == "EXPRESS",
        redrive_count: e.redrive_count,
    };
    let ended = |e: &lakestack_stepfn::records::Execution| ExecutionEvent {
        status: e.status.clone(),
        stop_ms: e.stop_ms,
        output: e.output.clone(),
        error: e.error.clone(),
        cause: e.cause.clone(),
        ..started(e)
    };

    let ok = machine(
        &s,
        "passes",
        json!({"StartAt": "Shape", "States": {
            "Shape": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "Next": "Done"},
            "Done": {"Type": "Succeed"}}}),
    );
    let e = run(&s, &ok, json!({"n": 2})).await;
    assert_eq!(
        (e.status.as_str(), e.output.as_deref()),
        ("SUCCEEDED", Some(r#"{"doubled":4}"#))
    );
    let (first, second) = (next(), next());
    assert_eq!(first, started(&e));
    assert_eq!(first.input.as_deref(), Some(r#"{"n":2}"#));
    assert_eq!(second, ended(&e));
    assert!(second.stop_ms.is_some() && !second.express);

    let fails = machine(
        &s,
        "fails",
        json!({"StartAt": "Look", "States": {
            "Look": {"Type": "Pass", "Next": "Broken"},
            "Broken": {"Type": "Fail", "Error": "Shop.Closed", "Cause": "nobody home"}}}),
    );
    let e = run(&s, &fails, json!({})).await;
    assert_eq!(next(), started(&e));
    let end = next();
    assert_eq!(end, ended(&e));
    assert_eq!(
        (
            end.status.as_str(),
            end.error.as_deref(),
            end.cause.as_deref(),
            end.output
        ),
        ("FAILED", Some("Shop.Closed"), Some("nobody home"), None)
    );

    // A redrive starts the same execution again, and it fails again.
    s.redrive(&e.arn).unwrap();
    let again = s.wait(&e.arn).await.unwrap();
    assert_eq!(again.redrive_count, 1);
    let restarted = next();
    assert_eq!(restarted, started(&again));
    assert_eq!((restarted.execution_arn, restarted.redrive_count), (e.arn.clone(), 1));
    assert_eq!(next(), ended(&again));

    // Express executions are announced too, marked so.
    let quick = s
        .create_machine(
            StateMachine::new(
                "quick",
                &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string(),
                "arn:aws:iam::000000000000:role/sf",
                "EXPRESS",
            ),
            &[],
        )
        .unwrap()
        .arn;
    let e = s.start_sync(&quick, None, Some("{}".into())).await.unwrap();
    assert_eq!(e.status, "SUCCEEDED");
    let (first, second) = (next(), next());
    assert!(first.express);
    assert_eq!((first, second), (started(&e), ended(&e)));

    assert_eq!(events.try_recv().unwrap_err(), TryRecvError::Empty);
}
