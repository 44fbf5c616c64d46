//! What the trigger and workflow tests share: a catalog whose object store
//! holds the job scripts of `tests/jobs/` (as `s3://scripts/jobs/NAME`), a
//! database for crawlers to write to, and builders for their definitions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lakestack_aws_protocol::Clock;
use object_store::ObjectStoreExt as _;
use object_store::memory::InMemory;

use crate::model::{
    Condition, Crawler, Database, Job, JobCommand, JobRun, Parameters, Predicate, S3Target, Trigger, TriggerAction,
    TriggerType, WorkflowRun,
};
use crate::{Catalog, CatalogSettings, JobLogs, OUTPUT_GROUP};

const SCRIPTS: [(&str, &str); 4] = [
    ("plain_etl.py", include_str!("../tests/jobs/plain_etl.py")),
    ("fails.py", include_str!("../tests/jobs/fails.py")),
    ("sleeps.py", include_str!("../tests/jobs/sleeps.py")),
    ("workflow_step.py", include_str!("../tests/jobs/workflow_step.py")),
];

/// Every line jobs wrote to their output, as (stream, text).
#[derive(Default)]
pub struct Output(Mutex<Vec<(String, String)>>);

impl JobLogs for Output {
    fn write(&self, group: &str, stream: &str, lines: Vec<(i64, String)>) {
        if group == OUTPUT_GROUP {
            let mut all = self.0.lock().unwrap();
            all.extend(lines.into_iter().map(|(_, l)| (stream.to_owned(), l)));
        }
    }
}

impl Output {
    pub fn lines(&self, run_id: &str) -> Vec<String> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter(|(s, _)| s == run_id)
            .map(|(_, l)| l.clone())
            .collect()
    }
}

pub struct Fixture {
    pub catalog: Arc<Catalog>,
    pub output: Arc<Output>,
    pub clock: Clock,
}

pub async fn fixture() -> Fixture {
    let objects = InMemory::new();
    for (name, text) in SCRIPTS {
        let path = object_store::path::Path::from(format!("scripts/jobs/{name}"));
        objects.put(&path, text.as_bytes().to_vec().into()).await.unwrap();
    }
    let clock = Clock::scaled(1.0);
    let settings = CatalogSettings {
        clock: clock.clone(),
        ..CatalogSettings::default()
    };
    let catalog = Catalog::in_memory(Arc::new(objects), settings).unwrap();
    let output = Arc::new(Output::default());
    catalog.set_job_logs(Arc::clone(&output) as Arc<dyn JobLogs>);
    catalog
        .create_database(Database {
            name: "db".into(),
            ..Database::default()
        })
        .unwrap();
    Fixture { catalog, output, clock }
}

pub fn params(pairs: &[(&str, &str)]) -> Parameters {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A Python shell job running `script`.
pub fn job(name: &str, script: &str) -> Job {
    Job {
        name: name.into(),
        role: "arn:aws:iam::000000000000:role/glue".into(),
        command: JobCommand {
            name: "pythonshell".into(),
            script_location: Some(format!("s3://scripts/jobs/{script}")),
            ..JobCommand::default()
        },
        ..Job::default()
    }
}

/// A crawler of a prefix that holds nothing: its crawls succeed at once.
pub fn crawler(name: &str) -> Crawler {
    Crawler {
        name: name.into(),
        role: "r".into(),
        database_name: Some("db".into()),
        s3_targets: vec![S3Target {
            path: format!("s3://data/{name}/"),
            ..S3Target::default()
        }],
        ..Crawler::default()
    }
}

pub fn run_job(name: &str) -> TriggerAction {
    TriggerAction {
        job_name: Some(name.into()),
        ..TriggerAction::default()
    }
}

pub fn crawl(name: &str) -> TriggerAction {
    TriggerAction {
        crawler_name: Some(name.into()),
        ..TriggerAction::default()
    }
}

pub fn job_is(job: &str, state: &str) -> Condition {
    Condition {
        logical_operator: Some("EQUALS".into()),
        job_name: Some(job.into()),
        state: Some(state.into()),
        ..Condition::default()
    }
}

pub fn crawl_is(crawler: &str, state: &str) -> Condition {
    Condition {
        logical_operator: Some("EQUALS".into()),
        crawler_name: Some(crawler.into()),
        crawl_state: Some(state.into()),
        ..Condition::default()
    }
}

pub fn trigger(name: &str, kind: TriggerType, workflow: Option<&str>, actions: Vec<TriggerAction>) -> Trigger {
    Trigger {
        name: name.into(),
        workflow_name: workflow.map(str::to_owned),
        trigger_type: kind,
        actions,
        ..Trigger::default()
    }
}

/// A CONDITIONAL trigger on `conditions`, all of them (`logical` None or
/// AND) or any (ANY).
pub fn conditional(
    name: &str,
    workflow: Option<&str>,
    logical: Option<&str>,
    conditions: Vec<Condition>,
    actions: Vec<TriggerAction>,
) -> Trigger {
    Trigger {
        predicate: Some(Predicate {
            logical: logical.map(str::to_owned),
            conditions,
        }),
        ..trigger(name, TriggerType::Conditional, workflow, actions)
    }
}

/// Waits until a workflow run is over.
pub async fn finished(c: &Catalog, workflow: &str, run_id: &str) -> WorkflowRun {
    tokio::time::timeout(Duration::from_secs(60), c.wait_for_workflow_run(workflow, run_id))
        .await
        .expect("the workflow run ends")
        .unwrap()
}

/// Waits until `job` has `n` runs, all ended, and answers them (newest first).
pub async fn ended_runs(c: &Catalog, job: &str, n: usize) -> Vec<JobRun> {
    let wait = async {
        loop {
            let runs = c.get_job_runs(job).unwrap();
            if runs.len() >= n && runs.iter().all(|r| r.state.is_terminal()) {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("the job runs end")
}
