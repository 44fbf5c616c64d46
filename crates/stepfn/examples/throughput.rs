//! `cargo run --profile perf -p lakestack-stepfn --example throughput`
//!
//! Prints the interpreter's figures, in-process (no HTTP): state transitions
//! per second for a long Pass chain and for a Map over 10,000 items, for
//! STANDARD (with history) and EXPRESS (without), each the median of five
//! runs, and the latency of a trivial execution from StartExecution to SUCCEEDED.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use lakestack_stepfn::records::StateMachine;
use lakestack_stepfn::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};
use serde_json::{Value, json};

// The allocator the server binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Nothing;

#[async_trait]
impl Integrations for Nothing {
    async fn call(&self, _: &Resource, p: Value) -> Result<Value, TaskError> {
        Ok(p)
    }

    async fn run_to_end(&self, _: &Resource, _: &Value, p: Value) -> Result<Value, TaskError> {
        Ok(p)
    }
}

fn machine(s: &StepFunctions, name: &str, kind: &str, definition: &Value) -> String {
    s.create_machine(
        StateMachine::new(
            name,
            &definition.to_string(),
            "arn:aws:iam::000000000000:role/bench",
            kind,
        ),
        &[],
    )
    .expect("a valid machine")
    .arn
}

fn chain(n: usize) -> Value {
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let next = if i + 1 == n {
            json!({"Type": "Pass", "End": true})
        } else {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        };
        states.insert(format!("S{i}"), next);
    }
    json!({"StartAt": "S0", "States": states})
}

/// Runs the machine five times; prints the median run (this machine's
/// neighbours move single runs by up to 2x).
async fn transitions(s: &StepFunctions, arn: &str, input: &Value, per_run: usize, label: &str) {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let e = s.start(arn, None, Some(input.to_string())).expect("started");
        let done = s.wait(&e.arn).await.expect("finished");
        runs.push(t.elapsed().as_secs_f64());
        assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    }
    runs.sort_by(f64::total_cmp);
    let secs = runs[2];
    println!(
        "| {label} | {per_run} | {:.1} ms | {:.0} |",
        secs * 1e3,
        per_run as f64 / secs
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let settings = Settings {
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    let s = StepFunctions::open(Some(dir.path()), settings, Arc::new(Nothing)).expect("open");
    let pass = chain(2000);
    let map = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    let items = Value::Array((0..10_000).map(|i| json!({"i": i})).collect());
    println!("| run | transitions | time | transitions/s |");
    println!("| --- | --- | --- | --- |");
    for kind in ["STANDARD", "EXPRESS"] {
        let a = machine(&s, &format!("chain-{kind}"), kind, &pass);
        let m = machine(&s, &format!("map-{kind}"), kind, &map);
        transitions(&s, &a, &json!({}), 2000, &format!("Pass chain of 2,000, {kind}")).await;
        transitions(&s, &m, &items, 10_001, &format!("Map over 10,000 items, {kind}")).await;
    }
    let trivial = machine(&s, "trivial", "STANDARD", &chain(1));
    let mut lat = Vec::new();
    for _ in 0..1000 {
        let t = Instant::now();
        let e = s.start(&trivial, None, None).expect("started");
        s.wait(&e.arn).await.expect("finished");
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "\ntrivial STANDARD execution, StartExecution to SUCCEEDED (1,000 runs): median {:.3} ms, p99 {:.3} ms",
        lat[500].as_secs_f64() * 1e3,
        lat[990].as_secs_f64() * 1e3
    );
}
