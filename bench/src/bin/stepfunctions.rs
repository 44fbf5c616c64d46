//! Step Functions figure, in process: an inline Map of 10,000 items whose
//! iterations each call a Task, written once with JSONata (`Arguments`
//! evaluated per item, and `Output`) and once with JSONPath (`Parameters`
//! paths and an intrinsic, and `ResultSelector`), run as EXPRESS executions
//! on an instant clock against an integration that answers its arguments;
//! the median of several runs of each, side by side. Both end with the
//! count of the results (all 10,000 would pass AWS's 256 KiB output quota).
//!
//! `cargo build --release -p lakestack-bench` then
//! `target/release/lakestack-bench-stepfunctions`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lakestack_stepfn::records::StateMachine;
use lakestack_stepfn::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The figure's size; `ITEMS=n` in the environment runs a smaller one.
fn items() -> usize {
    std::env::var("ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}
const RUNS: usize = 7;

/// Every Task answers its arguments, so the figure is the data flow's.
struct Echo;

#[async_trait]
impl Integrations for Echo {
    async fn call(&self, _: &Resource, arguments: Value) -> Result<Value, TaskError> {
        Ok(arguments)
    }

    async fn run_to_end(&self, _: &Resource, _: &Value, _: Value) -> Result<Value, TaskError> {
        Err(TaskError::new("Bench.None", "no service"))
    }
}

const RESOURCE: &str = "arn:aws:states:::aws-sdk:bench:echo";

fn jsonata() -> Value {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "Items": "{% $states.input.items %}",
            "ItemProcessor": {"StartAt": "Shape", "States": {"Shape": {
                "Type": "Task",
                "Resource": RESOURCE,
                "Arguments": {"n": "{% $states.input.n %}", "double": "{% $states.input.n + $states.input.n %}"},
                "End": true
            }}},
            "Output": {"count": "{% $count($states.result) %}"},
            "End": true
        }}
    })
}

fn jsonpath() -> Value {
    json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Shape", "States": {"Shape": {
                "Type": "Task",
                "Resource": RESOURCE,
                "Parameters": {"n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)"},
                "End": true
            }}},
            "ResultSelector": {"count.$": "States.ArrayLength($)"},
            "End": true
        }}
    })
}

async fn median(s: &StepFunctions, name: &str, definition: Value, input: &str) -> (Duration, String) {
    let m = StateMachine::new(
        name,
        &definition.to_string(),
        "arn:aws:iam::000000000000:role/sf",
        "EXPRESS",
    );
    let arn = s.create_machine(m, &[]).expect("machine").arn;
    let mut times = Vec::new();
    let mut output = String::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let e = s
            .start_sync(&arn, None, Some(input.to_owned()))
            .await
            .expect("execution");
        times.push(started.elapsed());
        assert_eq!(e.status, "SUCCEEDED", "{:?} {:?}", e.error, e.cause);
        output = e.output.unwrap_or_default();
    }
    times.sort();
    (times[RUNS / 2], output)
}

#[tokio::main]
async fn main() {
    let settings = Settings {
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    let s = StepFunctions::open(None, settings, Arc::new(Echo)).expect("service");
    let n = items();
    let items: Vec<Value> = (0..n).map(|i| json!({ "n": i })).collect();
    let input = json!({ "items": items }).to_string();
    let (a, out_a) = median(&s, "jsonata", jsonata(), &input).await;
    let (b, out_b) = median(&s, "jsonpath", jsonpath(), &input).await;
    assert_eq!(
        serde_json::from_str::<Value>(&out_a).expect("json"),
        serde_json::from_str::<Value>(&out_b).expect("json"),
        "both machines shape the items alike"
    );
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!("Inline Map of {n} items, EXPRESS, median of {RUNS} runs:");
    println!(
        "  JSONata  (Task Arguments + Output):          {:>8.1} ms  ({:.1} µs/item)",
        a.as_secs_f64() * 1e3,
        per(a)
    );
    println!(
        "  JSONPath (Task Parameters + ResultSelector): {:>8.1} ms  ({:.1} µs/item)",
        b.as_secs_f64() * 1e3,
        per(b)
    );
    println!("  ratio JSONata / JSONPath: {:.2}", a.as_secs_f64() / b.as_secs_f64());
}
