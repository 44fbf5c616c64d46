//! Executions as data: every case under `tests/runtime/<topic>/` (see its
//! README) run through the service's Rust API, its outcome compared exactly.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use lakestack_stepfn::records::StateMachine;
use lakestack_stepfn::{Clock, Integrations, Resource, Settings, StepFunctions, TaskError};
use serde_json::{Value, json};

/// `aws-sdk:fake:echo` answers its parameters; anything else fails `Fake.Boom`.
struct Fake;

#[async_trait]
impl Integrations for Fake {
    async fn call(&self, resource: &Resource, parameters: Value) -> Result<Value, TaskError> {
        match resource {
            Resource::Sdk { action, .. } if action == "echo" => Ok(parameters),
            _ => Err(TaskError::new("Fake.Boom", "it broke")),
        }
    }

    async fn run_to_end(&self, _: &Resource, _: &Value, parameters: Value) -> Result<Value, TaskError> {
        Ok(parameters)
    }
}

fn cases() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime");
    let mut out = Vec::new();
    let mut topics: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    topics.sort();
    for t in topics {
        let mut files: Vec<_> = std::fs::read_dir(&t).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let id = format!(
                "{}/{}",
                t.file_name().unwrap().to_string_lossy(),
                f.file_stem().unwrap().to_string_lossy()
            );
            out.push((id, case));
        }
    }
    out
}

#[tokio::test]
async fn every_case_ends_as_recorded() {
    let settings = Settings {
        clock: Clock::scaled(0.0),
        ..Settings::default()
    };
    let s = StepFunctions::open(None, settings, Arc::new(Fake)).unwrap();
    let mut failures = Vec::new();
    for (i, (id, case)) in cases().into_iter().enumerate() {
        let m = StateMachine::new(
            &format!("case{i}"),
            &case["definition"].to_string(),
            "arn:aws:iam::000000000000:role/sf",
            "STANDARD",
        );
        let arn = match s.create_machine(m, &[]) {
            Ok(m) => m.arn,
            Err(e) => {
                failures.push(format!("{id}: CreateStateMachine: {e}"));
                continue;
            }
        };
        let e = s.start(&arn, None, Some(case["input"].to_string())).unwrap();
        let e = s.wait(&e.arn).await.unwrap();
        let history = s.history(&e.arn).unwrap();
        let mut problems = Vec::new();
        if let Some(want) = case.get("output") {
            let got: Option<Value> = e.output.as_deref().and_then(|o| serde_json::from_str(o).ok());
            if got.as_ref() != Some(want) || e.status != "SUCCEEDED" {
                problems.push(format!(
                    "output {got:?} ({}: {:?} {:?}), expected {want}",
                    e.status, e.error, e.cause
                ));
            }
        }
        if let Some(want) = case.get("error").and_then(Value::as_str)
            && e.error.as_deref() != Some(want)
        {
            problems.push(format!("error {:?}, expected {want}", e.error));
        }
        if let Some(want) = case.get("cause").and_then(Value::as_str)
            && e.cause.as_deref() != Some(want)
        {
            problems.push(format!("cause {:?}, expected {want}", e.cause));
        }
        if let Some(want) = case.get("events") {
            let got: Vec<&str> = history.iter().map(|h| h.kind).collect();
            if json!(got) != *want {
                problems.push(format!("events {got:?}, expected {want}"));
            }
        }
        if let Some(want) = case.get("assigned") {
            let got: Vec<Value> = history
                .iter()
                .filter_map(|h| h.details.get("assignedVariables").cloned())
                .collect();
            if json!(got) != *want {
                problems.push(format!("assigned {got:?}, expected {want}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{id}: {}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
