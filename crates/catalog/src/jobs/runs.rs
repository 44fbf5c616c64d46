//! Job runs: STARTING → RUNNING → SUCCEEDED | FAILED | TIMEOUT, or STOPPING →
//! STOPPED when BatchStopJobRun asks. A run of a Python shell job (or of a
//! glueetl job whose script needs no Spark) executes its script as a local
//! process; a failed run is retried as a new run while the job's MaxRetries
//! allow. Every state is persisted before it is announced.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::output::{self, ERROR_GROUP, OUTPUT_GROUP, Sink};
use super::process::{self, Ended, Launch};
use super::{awsglue, not_found, script, validate};
use crate::error::{CatalogError, Result};
use crate::events::job_run_severity;
use crate::model::{Job, JobBookmark, JobRun, JobRunState, Parameters};
use crate::store::Store;
use crate::triggers::Origin;
use crate::{Catalog, CatalogEvent};

/// What StartJobRun asks for besides the job: the run's arguments and the
/// settings it overrides for this run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobRunRequest {
    /// Replace the job's DefaultArguments of the same name, for this run.
    pub arguments: Parameters,
    /// A previous run of the job that this one retries (`JobRunId`).
    pub previous_run_id: Option<String>,
    /// Minutes.
    pub timeout: Option<i32>,
    pub max_capacity: Option<f64>,
    pub worker_type: Option<String>,
    pub number_of_workers: Option<i32>,
    pub security_configuration: Option<String>,
    pub notify_delay_after: Option<i32>,
    pub execution_class: Option<String>,
}

/// A run BatchStopJobRun could not stop, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRunStopError {
    pub run_id: String,
    pub code: &'static str,
    pub message: String,
}

fn run_not_found(run_id: &str) -> CatalogError {
    CatalogError::NotFound(format!("Job Run Id {run_id} not found."))
}

/// Glue's run ids: `jr_` and 64 hex digits.
fn new_run_id() -> String {
    format!("jr_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The id of a retry: the first attempt's id with `_attempt_N`, as Glue names them.
fn retry_id(run: &JobRun, attempt: i32) -> String {
    let first = run.id.split("_attempt_").next().unwrap_or(&run.id);
    format!("{first}_attempt_{attempt}")
}

/// The script's command line after its path: `--JOB_NAME`, `--JOB_RUN_ID`,
/// `--WORKFLOW_NAME` and `--WORKFLOW_RUN_ID` for a run of a workflow run
/// (what a script passes to GetWorkflowRunProperties), then the job's
/// DefaultArguments overlaid by the run's Arguments, overlaid by the job's
/// NonOverridableArguments (Glue's precedence), in name order, each as
/// `key value` with the key as given (Glue's keys carry their `--`).
pub(crate) fn command_line(job: &Job, run: &JobRun) -> Vec<String> {
    let mut merged = job.default_arguments.clone();
    merged.extend(run.arguments.clone());
    merged.extend(job.non_overridable_arguments.clone());
    let mut args = vec![
        "--JOB_NAME".to_owned(),
        job.name.clone(),
        "--JOB_RUN_ID".to_owned(),
        run.id.clone(),
    ];
    if let (Some(workflow), Some(run_id)) = (&run.workflow_name, &run.workflow_run_id) {
        args.extend([
            "--WORKFLOW_NAME".to_owned(),
            workflow.clone(),
            "--WORKFLOW_RUN_ID".to_owned(),
            run_id.clone(),
        ]);
    }
    for (k, v) in merged {
        args.push(k);
        args.push(v);
    }
    args
}

/// Why a run of this job cannot execute here, if it cannot.
fn not_runnable(job: &Job, script_text: Option<&str>) -> Option<String> {
    match job.command.name.as_str() {
        "pythonshell" => None,
        "glueetl" => script_text.and_then(script::spark_import).map(|module| {
            format!(
                "Spark is not available locally: the script imports {module}. lakestack runs glueetl scripts \
                 only when they need no Spark (no pyspark, no awsglue module but awsglue.utils)."
            )
        }),
        "gluestreaming" => Some("Spark is not available locally: lakestack does not run gluestreaming jobs.".into()),
        "glueray" => Some("Ray is not available locally: lakestack does not run glueray jobs.".into()),
        other => Some(format!("lakestack does not run {other} jobs.")),
    }
}

impl Catalog {
    /// Starts a run of job `name` and answers its id at once; the run goes
    /// on in the background (announced on [`Catalog::subscribe`]).
    /// ConcurrentRunsExceeded when the job already has as many runs under
    /// way as its MaxConcurrentRuns. Needs a Tokio runtime.
    pub fn start_job_run(self: &Arc<Self>, name: &str, request: JobRunRequest) -> Result<String> {
        self.start_job_run_as(name, request, &Origin::default())
    }

    /// Starts a run that `origin` (a trigger, maybe within a workflow run)
    /// asked for: the run carries the trigger's name and its workflow run.
    pub(crate) fn start_job_run_as(
        self: &Arc<Self>,
        name: &str,
        request: JobRunRequest,
        origin: &Origin,
    ) -> Result<String> {
        let now = self.now_ms();
        let (job, run) = self.store.write(|tx| {
            let job = Store::get_job(tx, name)?
                .ok_or_else(|| CatalogError::NotFound("Failed to start job run due to missing metadata".into()))?;
            validate::timeout(request.timeout)?;
            let worker_type = request.worker_type.clone().or_else(|| job.worker_type.clone());
            let workers = request.number_of_workers.or(job.number_of_workers);
            let max_capacity = match request.max_capacity {
                Some(c) => Some(c),
                None if request.worker_type.is_some() => None,
                None => job.effective_max_capacity(),
            };
            validate::capacity(&job.command.name, max_capacity, worker_type.as_deref(), workers)?;
            if let Some(previous) = &request.previous_run_id {
                Store::get_job_run(tx, name, previous)?.ok_or_else(|| run_not_found(previous))?;
            }
            if Store::count_live_job_runs(tx, name)? >= i64::from(job.max_concurrent_runs()) {
                return Err(CatalogError::ConcurrentRunsExceeded(format!(
                    "Concurrent runs exceeded for {name}"
                )));
            }
            let run = JobRun {
                id: new_run_id(),
                job_name: name.to_owned(),
                attempt: 0,
                previous_run_id: request.previous_run_id.clone(),
                state: JobRunState::Starting,
                arguments: request.arguments.clone(),
                started_on: now,
                last_modified_on: now,
                timeout: request.timeout.or_else(|| job.effective_timeout()),
                max_capacity,
                worker_type,
                number_of_workers: workers,
                security_configuration: request
                    .security_configuration
                    .clone()
                    .or_else(|| job.security_configuration.clone()),
                notify_delay_after: request.notify_delay_after.or(job.notify_delay_after),
                glue_version: job.glue_version.clone(),
                execution_class: request.execution_class.clone().or_else(|| job.execution_class.clone()),
                log_group_name: Some(
                    if job.is_python_shell() {
                        "/aws-glue/python-jobs"
                    } else {
                        "/aws-glue/jobs"
                    }
                    .into(),
                ),
                trigger_name: origin.trigger.clone(),
                workflow_name: origin.workflow_name(),
                workflow_run_id: origin.workflow_run_id(),
                ..JobRun::default()
            };
            Store::insert_job_run(tx, &run)?;
            origin.record_start(tx, &run.id, run.state.as_str())?;
            Ok((job, run))
        })?;
        let id = run.id.clone();
        self.launch(job, run);
        Ok(id)
    }

    /// Announces a new run and executes it in the background.
    fn launch(self: &Arc<Self>, job: Job, run: JobRun) {
        let (stop_tx, stop_rx) = watch::channel(false);
        self.jobs.live().insert(run.id.clone(), (run.job_name.clone(), stop_tx));
        self.announce(&run);
        let catalog = Arc::clone(self);
        tokio::spawn(async move {
            use futures::FutureExt as _;
            let work = std::panic::AssertUnwindSafe(catalog.execute(&job, &run, stop_rx.clone()));
            let (state, error) = work.catch_unwind().await.unwrap_or_else(|_| {
                (
                    JobRunState::Failed,
                    Some("Internal Service Exception: the run failed unexpectedly.".into()),
                )
            });
            // A stop asked for wins over how the process happened to end.
            let (state, error) = if *stop_rx.borrow() && state != JobRunState::Timeout {
                (JobRunState::Stopped, None)
            } else {
                (state, error)
            };
            catalog.jobs.live().remove(&run.id);
            catalog.finish(&job, &run, state, error);
        });
    }

    /// Runs the script; answers the final state and ErrorMessage.
    async fn execute(
        self: &Arc<Self>,
        job: &Job,
        run: &JobRun,
        mut stop: watch::Receiver<bool>,
    ) -> (JobRunState, Option<String>) {
        if *stop.borrow_and_update() {
            return (JobRunState::Stopped, None);
        }
        if let Some(why) = not_runnable(job, None) {
            return (JobRunState::Failed, Some(why));
        }
        let dir = self.jobs.work_dir.join("runs").join(&run.id);
        if let Err(e) = tokio::fs::create_dir_all(&dir).await {
            return (
                JobRunState::Failed,
                Some(format!("Could not create {}: {e}", dir.display())),
            );
        }
        let outcome = self.run_script(job, run, &dir, stop).await;
        // Glue's /tmp is gone with the run's container; so is the run's directory.
        let _ = tokio::fs::remove_dir_all(&dir).await;
        outcome
    }

    async fn run_script(
        self: &Arc<Self>,
        job: &Job,
        run: &JobRun,
        dir: &std::path::Path,
        stop: watch::Receiver<bool>,
    ) -> (JobRunState, Option<String>) {
        let failed = |why: String| (JobRunState::Failed, Some(why));
        if *stop.borrow() {
            return (JobRunState::Stopped, None);
        }
        let (script, text) = match script::fetch(&self.objects, job.command.script_location.as_deref(), dir).await {
            Ok(s) => s,
            Err(why) => return failed(why),
        };
        if let Some(why) = not_runnable(job, Some(&text)) {
            return failed(why);
        }
        let python_path = match self.python_path() {
            Ok(p) => p,
            Err(why) => return failed(why),
        };
        let launch = Launch {
            python: self.settings.jobs.python.clone(),
            script,
            dir: dir.to_owned(),
            args: command_line(job, run),
            env: self.script_env(&python_path, dir),
        };
        let sink = |group| Sink {
            logs: self.jobs.logs(),
            group,
            stream: run.id.clone(),
            clock: self.settings.clock.clone(),
        };
        let timeout = run
            .timeout
            .map(|m| Duration::from_secs(u64::try_from(m).unwrap_or(0) * 60));
        let started = || {
            self.transition(&run.job_name, &run.id, JobRunState::Starting, JobRunState::Running);
        };
        let outcome = process::run(
            launch,
            timeout,
            &self.settings.clock,
            stop,
            sink(OUTPUT_GROUP),
            sink(ERROR_GROUP),
            started,
        )
        .await;
        match outcome {
            Err(why) => failed(why),
            Ok(o) => match o.ended {
                Ended::Exited(status) if status.success() => (JobRunState::Succeeded, None),
                Ended::Exited(status) => failed(output::error_message(&o.stderr_tail, status.code())),
                Ended::TimedOut => (JobRunState::Timeout, None),
                Ended::Stopped => (JobRunState::Stopped, None),
            },
        }
    }

    /// Writes the `awsglue` package once; answers the directory to put on `PYTHONPATH`.
    fn python_path(&self) -> std::result::Result<std::path::PathBuf, String> {
        if let Some(p) = self.jobs.python_path.get() {
            return Ok(p.clone());
        }
        let p = awsglue::install(&self.jobs.work_dir)
            .map_err(|e| format!("lakestack could not write the awsglue package: {e}"))?;
        Ok(self.jobs.python_path.get_or_init(|| p).clone())
    }

    /// The script's whole environment: the server's own is not passed on,
    /// so that a script reaches lakestack, never the account the server's
    /// user may have credentials for.
    fn script_env(&self, python_path: &std::path::Path, dir: &std::path::Path) -> Vec<(String, String)> {
        let s = &self.settings;
        let mut env = vec![
            ("PYTHONPATH".to_owned(), python_path.display().to_string()),
            ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
            ("AWS_REGION".to_owned(), s.region.clone()),
            ("AWS_DEFAULT_REGION".to_owned(), s.region.clone()),
            ("AWS_ACCESS_KEY_ID".to_owned(), s.jobs.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), s.jobs.secret_access_key.clone()),
            // Files that do not exist: ~/.aws profiles must not redirect the script.
            (
                "AWS_CONFIG_FILE".to_owned(),
                dir.join(".aws-config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
                dir.join(".aws-credentials").display().to_string(),
            ),
        ];
        if let Some(endpoint) = s.jobs.endpoint.get() {
            env.push(("AWS_ENDPOINT_URL".to_owned(), endpoint.clone()));
        }
        // To find the interpreter and what the script runs; HOME for the
        // user's own site-packages.
        for key in ["PATH", "HOME"] {
            if let Some(v) = std::env::var_os(key) {
                env.push((key.to_owned(), v.to_string_lossy().into_owned()));
            }
        }
        env
    }

    /// Moves a run from `from` to `to` (nothing if it is elsewhere by now)
    /// and announces it.
    fn transition(&self, job: &str, run_id: &str, from: JobRunState, to: JobRunState) -> bool {
        let now = self.now_ms();
        let changed = self.store.write(|tx| {
            let Some(mut run) = Store::get_job_run(tx, job, run_id)? else {
                return Ok(None);
            };
            if run.state != from {
                return Ok(None);
            }
            run.state = to;
            run.last_modified_on = now;
            Store::update_job_run(tx, &run)?;
            Ok(Some(run))
        });
        match changed {
            Ok(Some(run)) => {
                self.announce(&run);
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::error!(job, run_id, error = %e, "could not record a job run's state");
                false
            }
        }
    }

    /// Records a run's end, announces it, keeps a Spark job's bookmark, and
    /// retries a failure while the job's MaxRetries allow. A run whose job
    /// was deleted meanwhile is only announced: whoever waits for it learns
    /// that it ended.
    fn finish(self: &Arc<Self>, job: &Job, started: &JobRun, state: JobRunState, error: Option<String>) {
        let now = self.now_ms();
        let end = |mut run: JobRun| {
            run.state = state;
            run.error_message = error.clone();
            run.completed_on = Some(now);
            run.last_modified_on = now;
            run.execution_time = ((now - run.started_on).max(0) + 500) / 1000;
            run
        };
        let ended = self.store.write(|tx| {
            let Some(run) = Store::get_job_run(tx, &job.name, &started.id)? else {
                return Ok(None);
            };
            let run = end(run);
            Store::update_job_run(tx, &run)?;
            if state == JobRunState::Succeeded {
                keep_bookmark(tx, job, &run)?;
            }
            // The job as it is now: an update since the start counts.
            let retry =
                Store::get_job(tx, &job.name)?.filter(|j| state == JobRunState::Failed && run.attempt < j.max_retries);
            Ok(Some((run, retry)))
        });
        let (run, retry) = match ended {
            Ok(Some(r)) => r,
            Ok(None) => (end(started.clone()), None),
            Err(e) => {
                tracing::error!(job = %job.name, run_id = %started.id, error = %e, "could not record the end of a job run");
                (end(started.clone()), None)
            }
        };
        tracing::info!(
            target: "lakestack::glue",
            job = %job.name,
            run_id = %run.id,
            state = %run.state,
            seconds = run.execution_time,
            "job run finished"
        );
        self.announce(&run);
        // What waits on this run learns of the retry before it can end.
        let next = retry.as_ref().map(|_| retry_id(&run, run.attempt + 1));
        self.job_run_ended(&run, next.as_deref());
        if let Some(job) = retry {
            self.retry(job, &run);
        }
    }

    /// Starts the next attempt of a failed run, with its arguments and settings.
    fn retry(self: &Arc<Self>, job: Job, failed: &JobRun) {
        let now = self.now_ms();
        let attempt = failed.attempt + 1;
        let run = JobRun {
            id: retry_id(failed, attempt),
            attempt,
            previous_run_id: Some(failed.id.clone()),
            state: JobRunState::Starting,
            error_message: None,
            started_on: now,
            last_modified_on: now,
            completed_on: None,
            execution_time: 0,
            ..failed.clone()
        };
        match self.store.write(|tx| Store::insert_job_run(tx, &run)) {
            Ok(()) => self.launch(job, run),
            Err(e) => tracing::error!(job = %job.name, error = %e, "could not start the retry of a job run"),
        }
    }

    fn announce(&self, run: &JobRun) {
        let (severity, message) = job_run_severity(run.state, run.error_message.as_deref());
        self.emit(CatalogEvent::JobRunStateChanged {
            job_name: run.job_name.clone(),
            run_id: run.id.clone(),
            state: run.state,
            severity,
            message,
            attempt: run.attempt,
            previous_run_id: run.previous_run_id.clone(),
        });
    }

    pub fn get_job_run(&self, job: &str, run_id: &str) -> Result<JobRun> {
        self.store
            .read(|c| Store::get_job_run(c, job, run_id))?
            .ok_or_else(|| run_not_found(run_id))
    }

    /// A job's runs, newest first.
    pub fn get_job_runs(&self, job: &str) -> Result<Vec<JobRun>> {
        self.store.read(|c| {
            Store::get_job(c, job)?.ok_or_else(|| not_found(job))?;
            Store::list_job_runs(c, job)
        })
    }

    /// Waits until run `run_id` of `job` has ended, and answers it.
    pub async fn wait_for_job_run(&self, job: &str, run_id: &str) -> Result<JobRun> {
        let mut events = self.subscribe();
        loop {
            let run = self.get_job_run(job, run_id)?;
            if run.state.is_terminal() {
                return Ok(run);
            }
            loop {
                match events.recv().await {
                    Ok(CatalogEvent::JobRunStateChanged { run_id: id, state, .. })
                        if id == run_id && state.is_terminal() =>
                    {
                        break;
                    }
                    Ok(_) => {}
                    // Missed announcements: look at the run again.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        return Err(CatalogError::internal("the catalog is gone"));
                    }
                }
            }
        }
    }

    /// Asks runs of `job` to stop (BatchStopJobRun): each under way moves to
    /// STOPPING and its process is ended; answers the runs that could not be.
    pub fn batch_stop_job_run(&self, job: &str, run_ids: &[String]) -> Result<Vec<JobRunStopError>> {
        self.store
            .read(|c| Store::get_job(c, job)?.ok_or_else(|| not_found(job)).map(drop))?;
        let mut errors = Vec::new();
        for id in run_ids {
            if let Err(e) = self.stop_job_run(job, id) {
                errors.push(JobRunStopError {
                    run_id: id.clone(),
                    code: lakestack_aws_protocol::AwsError::code(&e),
                    message: e.to_string(),
                });
            }
        }
        Ok(errors)
    }

    /// Stops one run under way.
    pub fn stop_job_run(&self, job: &str, run_id: &str) -> Result<()> {
        self.stop_job_run_within(job, run_id, 3)
    }

    /// [`Catalog::stop_job_run`], looking again at most `tries` times when
    /// the run moves on meanwhile (or its state cannot be written).
    fn stop_job_run_within(&self, job: &str, run_id: &str, tries: u32) -> Result<()> {
        let run = self.get_job_run(job, run_id)?;
        match run.state {
            JobRunState::Starting | JobRunState::Running => {
                if !self.transition(job, run_id, run.state, JobRunState::Stopping) {
                    if tries == 0 {
                        return Err(CatalogError::internal(format!("job run {run_id} could not be stopped")));
                    }
                    return self.stop_job_run_within(job, run_id, tries - 1);
                }
            }
            JobRunState::Stopping => {}
            done => {
                return Err(CatalogError::InvalidInput(format!(
                    "Job run {run_id} cannot be stopped: it is {done}"
                )));
            }
        }
        if let Some((_, stop)) = self.jobs.live().get(run_id) {
            stop.send_replace(true);
        }
        Ok(())
    }

    /// Runs left under way by a process that ended without finishing them
    /// (killed, crashed) are over: they are FAILED, and say so.
    pub(crate) fn recover_job_runs(&self) -> Result<()> {
        let now = self.now_ms();
        self.store.write(|tx| {
            for mut run in Store::live_job_runs(tx)? {
                run.state = JobRunState::Failed;
                run.error_message = Some("The job run was interrupted: lakestack stopped while it was running.".into());
                run.completed_on = Some(now);
                run.last_modified_on = now;
                run.execution_time = ((now - run.started_on).max(0) + 500) / 1000;
                Store::update_job_run(tx, &run)?;
            }
            Ok(())
        })
    }
}

/// A Spark job that succeeded with bookmarks enabled has its bookmark
/// advanced to this run (scripts run here cannot add state to it: that is
/// Spark's `job.commit()`).
fn keep_bookmark(tx: &rusqlite::Transaction<'_>, job: &Job, run: &JobRun) -> Result<()> {
    let option = run
        .arguments
        .get("--job-bookmark-option")
        .or_else(|| job.default_arguments.get("--job-bookmark-option"));
    if !job.has_bookmarks() || option.map(String::as_str) != Some("job-bookmark-enable") {
        return Ok(());
    }
    let mut bookmark = Store::get_job_bookmark(tx, &job.name)?.unwrap_or_else(|| JobBookmark {
        job_name: job.name.clone(),
        job_bookmark: "{}".into(),
        ..JobBookmark::default()
    });
    bookmark.version += 1;
    bookmark.run += 1;
    bookmark.attempt = run.attempt;
    bookmark.previous_run_id = bookmark.run_id.take();
    bookmark.run_id = Some(run.id.clone());
    Store::put_job_bookmark(tx, &bookmark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_overlay_in_glues_precedence() {
        let params = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let job = Job {
            name: "j".into(),
            default_arguments: params(&[("--day", "mon"), ("--mode", "full"), ("--fixed", "a")]),
            non_overridable_arguments: params(&[("--fixed", "z")]),
            ..Job::default()
        };
        let run = JobRun {
            id: "jr_1".into(),
            arguments: params(&[("--day", "tue"), ("--fixed", "b")]),
            ..JobRun::default()
        };
        assert_eq!(
            command_line(&job, &run),
            [
                "--JOB_NAME",
                "j",
                "--JOB_RUN_ID",
                "jr_1",
                "--day",
                "tue",
                "--fixed",
                "z",
                "--mode",
                "full"
            ]
        );
        assert_eq!(retry_id(&run, 1), "jr_1_attempt_1");
        assert_eq!(
            retry_id(
                &JobRun {
                    id: "jr_1_attempt_1".into(),
                    ..run
                },
                2
            ),
            "jr_1_attempt_2"
        );
        assert_eq!(new_run_id().len(), 67);
    }

    #[test]
    fn a_run_of_a_workflow_run_is_told_which() {
        let job = Job {
            name: "j".into(),
            ..Job::default()
        };
        let run = JobRun {
            id: "jr_1".into(),
            workflow_name: Some("etl".into()),
            workflow_run_id: Some("wr_1".into()),
            ..JobRun::default()
        };
        assert_eq!(
            command_line(&job, &run),
            [
                "--JOB_NAME",
                "j",
                "--JOB_RUN_ID",
                "jr_1",
                "--WORKFLOW_NAME",
                "etl",
                "--WORKFLOW_RUN_ID",
                "wr_1"
            ]
        );
    }
}
