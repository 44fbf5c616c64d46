//! The interpreter through the service's Rust API, with a fake service
//! behind Task states: outputs, errors and exact history event sequences.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use lakestack_stepfn::records::StateMachine;
use lakestack_stepfn::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};
use serde_json::{Value, json};

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

    async fn run_to_end(&self, _: &Resource, parameters: Value) -> Result<Value, TaskError> {
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
