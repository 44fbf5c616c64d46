//! Job runs that really run: the scripts are fixtures in `tests/jobs/`, read
//! from an in-memory object store as from S3, run by `python3`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lakestack_aws_protocol::Clock;
use object_store::memory::InMemory;
use object_store::{ObjectStore, ObjectStoreExt as _};

use super::{ERROR_GROUP, JobLogs, OUTPUT_GROUP};
use crate::model::{Job, JobCommand, JobRun, JobRunState};
use crate::store::Store;
use crate::{Catalog, CatalogError, CatalogEvent, CatalogSettings, JobRunRequest};

const SCRIPTS: [(&str, &str); 5] = [
    ("hello.py", include_str!("../../tests/jobs/hello.py")),
    ("fails.py", include_str!("../../tests/jobs/fails.py")),
    ("sleeps.py", include_str!("../../tests/jobs/sleeps.py")),
    ("spark.py", include_str!("../../tests/jobs/spark.py")),
    ("plain_etl.py", include_str!("../../tests/jobs/plain_etl.py")),
];

/// Every line written, as (group, stream, text).
#[derive(Default)]
struct Capture(Mutex<Vec<(String, String, String)>>);

impl JobLogs for Capture {
    fn write(&self, group: &str, stream: &str, lines: Vec<(i64, String)>) {
        let mut all = self.0.lock().unwrap();
        all.extend(lines.into_iter().map(|(_, l)| (group.to_owned(), stream.to_owned(), l)));
    }
}

impl Capture {
    fn lines(&self, group: &str, stream: &str) -> Vec<String> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter(|(g, s, _)| g == group && s == stream)
            .map(|(_, _, l)| l.clone())
            .collect()
    }
}

struct Fixture {
    catalog: Arc<Catalog>,
    logs: Arc<Capture>,
    clock: Clock,
}

async fn put_scripts(objects: &InMemory) {
    for (name, text) in SCRIPTS {
        let path = object_store::path::Path::from(format!("scripts/jobs/{name}"));
        objects.put(&path, text.as_bytes().to_vec().into()).await.unwrap();
    }
}

async fn fixture() -> Fixture {
    let objects = InMemory::new();
    put_scripts(&objects).await;
    let clock = Clock::scaled(1.0);
    let settings = CatalogSettings {
        clock: clock.clone(),
        ..CatalogSettings::default()
    };
    settings.jobs.endpoint.set("http://127.0.0.1:4566".into()).unwrap();
    let catalog = Catalog::in_memory(Arc::new(objects), settings).unwrap();
    let logs = Arc::new(Capture::default());
    catalog.set_job_logs(Arc::clone(&logs) as Arc<dyn JobLogs>);
    Fixture { catalog, logs, clock }
}

fn job(name: &str, kind: &str, script: &str) -> Job {
    Job {
        name: name.into(),
        role: "arn:aws:iam::000000000000:role/glue".into(),
        command: JobCommand {
            name: kind.into(),
            script_location: Some(format!("s3://scripts/jobs/{script}")),
            ..JobCommand::default()
        },
        ..Job::default()
    }
}

fn args(pairs: &[(&str, &str)]) -> crate::model::Parameters {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Waits until the run has written `line` to its output.
async fn printed(logs: &Capture, run_id: &str, line: &str) {
    let wait = async {
        while !logs.lines(OUTPUT_GROUP, run_id).iter().any(|l| l == line) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("the line is written");
}

async fn finished(c: &Catalog, job: &str, run_id: &str) -> JobRun {
    tokio::time::timeout(Duration::from_secs(60), c.wait_for_job_run(job, run_id))
        .await
        .expect("the run ends")
        .unwrap()
}

/// Waits for the announcement that the run is in `state`.
async fn announced(events: &mut tokio::sync::broadcast::Receiver<CatalogEvent>, run_id: &str, state: JobRunState) {
    let wait = async {
        loop {
            if let CatalogEvent::JobRunStateChanged {
                run_id: id, state: s, ..
            } = events.recv().await.unwrap()
                && id == run_id
                && s == state
            {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("the state is announced");
}

#[tokio::test]
async fn a_python_shell_run_succeeds_with_its_output_in_the_logs() {
    let f = fixture().await;
    let mut hello = job("hello", "pythonshell", "hello.py");
    hello.default_arguments = args(&[("--day", "mon")]);
    f.catalog.create_job(hello, vec![]).unwrap();
    let mut events = f.catalog.subscribe();
    let request = JobRunRequest {
        arguments: args(&[("--day", "tue")]),
        ..JobRunRequest::default()
    };
    let id = f.catalog.start_job_run("hello", request).unwrap();
    let run = finished(&f.catalog, "hello", &id).await;
    assert_eq!(run.state, JobRunState::Succeeded, "{run:?}");
    assert_eq!(run.error_message, None);
    assert!(run.completed_on.is_some_and(|c| c >= run.started_on));
    assert_eq!(run.timeout, Some(2880));
    assert_eq!(run.max_capacity, Some(0.0625));
    assert_eq!(run.arguments, args(&[("--day", "tue")]));

    let out = f.logs.lines(OUTPUT_GROUP, &id);
    assert_eq!(
        out,
        [
            "hello from hello".to_owned(),
            "day=tue".to_owned(),
            format!("run={id}"),
            "region=us-east-1".to_owned(),
            "endpoint=http://127.0.0.1:4566".to_owned(),
        ]
    );
    assert_eq!(f.logs.lines(ERROR_GROUP, &id), ["a warning"]);

    let mut states = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let CatalogEvent::JobRunStateChanged { state, run_id, .. } = e
            && run_id == id
        {
            states.push(state);
        }
    }
    assert_eq!(
        states,
        [JobRunState::Starting, JobRunState::Running, JobRunState::Succeeded]
    );
}

#[tokio::test]
async fn a_failing_script_fails_the_run_with_its_exception() {
    let f = fixture().await;
    f.catalog
        .create_job(job("fails", "pythonshell", "fails.py"), vec![])
        .unwrap();
    let mut events = f.catalog.subscribe();
    let id = f.catalog.start_job_run("fails", JobRunRequest::default()).unwrap();
    let run = finished(&f.catalog, "fails", &id).await;
    assert_eq!(run.state, JobRunState::Failed);
    assert_eq!(run.error_message.as_deref(), Some("ValueError: bad input"));
    assert_eq!(f.logs.lines(OUTPUT_GROUP, &id), ["about to fail"]);
    assert_eq!(
        f.logs.lines(ERROR_GROUP, &id).last().map(String::as_str),
        Some("ValueError: bad input")
    );
    let failed = loop {
        let e = events.recv().await.unwrap();
        if matches!(
            e,
            CatalogEvent::JobRunStateChanged {
                state: JobRunState::Failed,
                ..
            }
        ) {
            break e;
        }
    };
    let event = failed.eventbridge(|r| r.to_owned()).unwrap();
    assert_eq!(event.detail_type, "Glue Job State Change");
    assert_eq!(event.detail["severity"], "ERROR");
    assert_eq!(event.detail["message"], "ValueError: bad input");
}

#[tokio::test]
async fn a_run_past_its_timeout_times_out() {
    let f = fixture().await;
    let mut sleeps = job("sleeps", "pythonshell", "sleeps.py");
    sleeps.timeout = Some(1);
    f.catalog.create_job(sleeps, vec![]).unwrap();
    let mut events = f.catalog.subscribe();
    let id = f.catalog.start_job_run("sleeps", JobRunRequest::default()).unwrap();
    announced(&mut events, &id, JobRunState::Running).await;
    f.clock.advance(Duration::from_secs(60));
    let run = finished(&f.catalog, "sleeps", &id).await;
    assert_eq!(run.state, JobRunState::Timeout);
    assert_eq!(run.timeout, Some(1));
    // The clock's advance counts as time the run took.
    assert!(run.execution_time >= 60, "{}", run.execution_time);
}

#[tokio::test]
async fn batch_stop_stops_a_run_and_one_run_at_a_time_by_default() {
    let f = fixture().await;
    f.catalog
        .create_job(job("sleeps", "pythonshell", "sleeps.py"), vec![])
        .unwrap();
    let mut events = f.catalog.subscribe();
    let id = f.catalog.start_job_run("sleeps", JobRunRequest::default()).unwrap();
    announced(&mut events, &id, JobRunState::Running).await;
    printed(&f.logs, &id, "sleeping").await;

    let second = f.catalog.start_job_run("sleeps", JobRunRequest::default());
    assert!(
        matches!(&second, Err(CatalogError::ConcurrentRunsExceeded(m)) if m == "Concurrent runs exceeded for sleeps"),
        "{second:?}"
    );

    let errors = f
        .catalog
        .batch_stop_job_run("sleeps", &[id.clone(), "jr_nope".to_owned()])
        .unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].run_id, "jr_nope");
    assert_eq!(errors[0].code, "EntityNotFoundException");
    assert_eq!(
        f.catalog.get_job_run("sleeps", &id).unwrap().state,
        JobRunState::Stopping
    );
    let run = finished(&f.catalog, "sleeps", &id).await;
    assert_eq!(run.state, JobRunState::Stopped);
    assert_eq!(f.logs.lines(OUTPUT_GROUP, &id), ["sleeping"]);

    // A finished run cannot be stopped; a new one can start now.
    let errors = f
        .catalog
        .batch_stop_job_run("sleeps", std::slice::from_ref(&id))
        .unwrap();
    assert_eq!(errors[0].code, "InvalidInputException");
    let next = f.catalog.start_job_run("sleeps", JobRunRequest::default()).unwrap();
    f.catalog.stop_job_run("sleeps", &next).unwrap();
    assert_eq!(finished(&f.catalog, "sleeps", &next).await.state, JobRunState::Stopped);
}

#[tokio::test]
async fn a_failure_is_retried_as_a_new_run_while_max_retries_allow() {
    let f = fixture().await;
    let mut fails = job("fails", "pythonshell", "fails.py");
    fails.max_retries = 1;
    f.catalog.create_job(fails, vec![]).unwrap();
    let mut events = f.catalog.subscribe();
    let first = f.catalog.start_job_run("fails", JobRunRequest::default()).unwrap();
    let retry_id = format!("{first}_attempt_1");
    announced(&mut events, &retry_id, JobRunState::Failed).await;
    let runs = f.catalog.get_job_runs("fails").unwrap();
    let summary: Vec<_> = runs
        .iter()
        .map(|r| (r.id.as_str(), r.attempt, r.previous_run_id.as_deref(), r.state))
        .collect();
    assert_eq!(
        summary,
        [
            (retry_id.as_str(), 1, Some(first.as_str()), JobRunState::Failed),
            (first.as_str(), 0, None, JobRunState::Failed),
        ]
    );
    // No third attempt.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(f.catalog.get_job_runs("fails").unwrap().len(), 2);
}

#[tokio::test]
async fn glueetl_runs_without_spark_and_fails_clearly_with_it() {
    let f = fixture().await;
    f.catalog
        .create_job(job("spark", "glueetl", "spark.py"), vec![])
        .unwrap();
    f.catalog
        .create_job(job("plain", "glueetl", "plain_etl.py"), vec![])
        .unwrap();
    let id = f.catalog.start_job_run("spark", JobRunRequest::default()).unwrap();
    let run = finished(&f.catalog, "spark", &id).await;
    assert_eq!(run.state, JobRunState::Failed);
    let message = run.error_message.unwrap();
    assert!(message.starts_with("Spark is not available locally"), "{message}");
    assert!(message.contains("awsglue.context"), "{message}");
    assert_eq!(run.log_group_name.as_deref(), Some("/aws-glue/jobs"));

    let id = f.catalog.start_job_run("plain", JobRunRequest::default()).unwrap();
    let run = finished(&f.catalog, "plain", &id).await;
    assert_eq!(run.state, JobRunState::Succeeded, "{run:?}");
    assert_eq!(f.logs.lines(OUTPUT_GROUP, &id), ["plain etl plain"]);
    assert_eq!(run.max_capacity, Some(10.0));
}

#[tokio::test]
async fn a_missing_script_fails_the_run() {
    let f = fixture().await;
    f.catalog
        .create_job(job("lost", "pythonshell", "nowhere.py"), vec![])
        .unwrap();
    let id = f.catalog.start_job_run("lost", JobRunRequest::default()).unwrap();
    let run = finished(&f.catalog, "lost", &id).await;
    assert_eq!(run.state, JobRunState::Failed);
    assert_eq!(
        run.error_message.as_deref(),
        Some("Script s3://scripts/jobs/nowhere.py does not exist.")
    );
}

#[tokio::test]
async fn jobs_and_runs_survive_a_restart_and_runs_under_way_are_failed() {
    let dir = tempfile::tempdir().unwrap();
    let objects: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    {
        let catalog = Catalog::open(dir.path(), Arc::clone(&objects), CatalogSettings::default()).unwrap();
        catalog
            .create_job(job("j", "pythonshell", "sleeps.py"), vec![])
            .unwrap();
        // A run the process was running when it died.
        let run = JobRun {
            id: "jr_left".into(),
            job_name: "j".into(),
            state: JobRunState::Running,
            started_on: 1_700_000_000_000,
            ..JobRun::default()
        };
        catalog.store.write(|tx| Store::insert_job_run(tx, &run)).unwrap();
    }
    let catalog = Catalog::open(dir.path(), objects, CatalogSettings::default()).unwrap();
    assert_eq!(catalog.get_job("j").unwrap().command.name, "pythonshell");
    let run = catalog.get_job_run("j", "jr_left").unwrap();
    assert_eq!(run.state, JobRunState::Failed);
    assert_eq!(
        run.error_message.as_deref(),
        Some("The job run was interrupted: lakestack stopped while it was running.")
    );
    assert!(run.completed_on.is_some());
}

#[test]
fn get_resolved_options_behaves_as_glues() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/jobs/resolved_options_test.py"))
        .env("PYTHONPATH", root.join("python"))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn deleting_a_job_stops_its_runs_and_says_so() {
    let f = fixture().await;
    f.catalog
        .create_job(job("sleeps", "pythonshell", "sleeps.py"), vec![])
        .unwrap();
    let mut events = f.catalog.subscribe();
    let id = f.catalog.start_job_run("sleeps", JobRunRequest::default()).unwrap();
    announced(&mut events, &id, JobRunState::Running).await;
    f.catalog.delete_job("sleeps").unwrap();
    announced(&mut events, &id, JobRunState::Stopped).await;
    assert!(matches!(
        f.catalog.get_job_run("sleeps", &id),
        Err(CatalogError::NotFound(_))
    ));
}
