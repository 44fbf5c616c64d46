//! Jobs, their runs and bookmarks: CreateJob, UpdateJob, GetJob, GetJobs,
//! ListJobs, BatchGetJobs, DeleteJob, StartJobRun, GetJobRun, GetJobRuns,
//! BatchStopJobRun, GetJobBookmark, ResetJobBookmark.

use std::sync::Arc;

use lakestack_aws_protocol::Output;
use serde::{Deserialize, Serialize};

use super::{Answer, SPEC, convert, dto, found_or_missing, page, runs_page, tagged};
use crate::model::Parameters;
use crate::{Catalog, JobRunRequest};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateJobRequest {
    job_name: Option<String>,
    job_update: Option<dto::JobInput>,
}

/// GetJob, DeleteJob, GetJobBookmark and ResetJobBookmark.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct JobRequest {
    job_name: Option<String>,
    run_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct JobsPageRequest {
    next_token: Option<String>,
    max_results: Option<i64>,
    #[serde(default)]
    tags: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchGetJobsRequest {
    job_names: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct StartJobRunRequest {
    job_name: Option<String>,
    job_run_id: Option<String>,
    #[serde(default)]
    arguments: Parameters,
    timeout: Option<i32>,
    max_capacity: Option<f64>,
    security_configuration: Option<String>,
    notification_property: Option<dto::NotificationProperty>,
    worker_type: Option<String>,
    number_of_workers: Option<i32>,
    execution_class: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetJobRunRequest {
    job_name: Option<String>,
    run_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetJobRunsRequest {
    job_name: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchStopJobRunRequest {
    job_name: Option<String>,
    job_run_ids: Option<Vec<String>>,
}

unscoped!(
    dto::JobInput,
    UpdateJobRequest,
    JobRequest,
    JobsPageRequest,
    BatchGetJobsRequest,
    StartJobRunRequest,
    GetJobRunRequest,
    GetJobRunsRequest,
    BatchStopJobRunRequest,
);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NameResponse {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JobNameResponse {
    job_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetJobResponse {
    job: dto::Job,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetJobsResponse {
    jobs: Vec<dto::Job>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListJobsResponse {
    job_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetJobsResponse {
    jobs: Vec<dto::Job>,
    jobs_not_found: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StartJobRunResponse {
    job_run_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetJobRunResponse {
    job_run: dto::JobRun,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetJobRunsResponse {
    job_runs: Vec<dto::JobRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StopSubmission {
    job_name: String,
    job_run_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StopError {
    job_name: String,
    job_run_id: String,
    error_detail: dto::ErrorDetail,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchStopJobRunResponse {
    successful_submissions: Vec<StopSubmission>,
    errors: Vec<StopError>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JobBookmarkResponse {
    job_bookmark_entry: dto::JobBookmarkEntry,
}

/// The job's definition from a CreateJob or JobUpdate, its required members checked.
fn definition(
    name: String,
    mut input: dto::JobInput,
) -> Result<crate::model::Job, lakestack_aws_protocol::ServiceError> {
    SPEC.required(input.role.as_deref(), "role")?;
    let command = SPEC.required(input.command.as_ref(), "command")?;
    SPEC.required(command.name.as_deref(), "command.name")?;
    input.name = None;
    input.tags = None;
    Ok(convert::job_in(name, input))
}

pub(super) fn create(c: &Catalog, mut r: dto::JobInput) -> Answer {
    let name = SPEC.required(r.name.as_deref(), "name")?.to_owned();
    let tags = r.tags.take().unwrap_or_default();
    c.create_job(definition(name.clone(), r)?, tags.into_iter().collect())?;
    Output::of(&NameResponse { name })
}

pub(super) fn update(c: &Catalog, r: UpdateJobRequest) -> Answer {
    let name = SPEC.required(r.job_name.as_deref(), "jobName")?.to_owned();
    let update = SPEC.required(r.job_update, "jobUpdate")?;
    c.update_job(&name, definition(name.clone(), update)?)?;
    Output::of(&JobNameResponse { job_name: name })
}

pub(super) fn get(c: &Catalog, r: JobRequest) -> Answer {
    let job = c.get_job(SPEC.required(r.job_name.as_deref(), "jobName")?)?;
    Output::of(&GetJobResponse {
        job: convert::job_out(&job),
    })
}

pub(super) fn list(c: &Catalog, r: JobsPageRequest) -> Answer {
    let (jobs, next_token) = page(c.list_jobs()?, r.next_token.as_deref(), r.max_results, |j| &j.name)?;
    Output::of(&GetJobsResponse {
        jobs: jobs.iter().map(convert::job_out).collect(),
        next_token,
    })
}

/// ListJobs: the names, of the jobs that have every tag asked for.
pub(super) fn names(c: &Catalog, r: JobsPageRequest) -> Answer {
    let all = tagged(c, c.list_jobs()?, &r.tags, |j| c.job_arn(&j.name))?;
    let (jobs, next_token) = page(all, r.next_token.as_deref(), r.max_results, |j| &j.name)?;
    Output::of(&ListJobsResponse {
        job_names: jobs.into_iter().map(|j| j.name).collect(),
        next_token,
    })
}

pub(super) fn batch_get(c: &Catalog, r: BatchGetJobsRequest) -> Answer {
    let names = SPEC.required(r.job_names, "jobNames")?;
    let (jobs, jobs_not_found) = found_or_missing(names, |name| c.get_job(name))?;
    Output::of(&BatchGetJobsResponse {
        jobs: jobs.iter().map(convert::job_out).collect(),
        jobs_not_found,
    })
}

pub(super) fn delete(c: &Catalog, r: JobRequest) -> Answer {
    let name = SPEC.required(r.job_name.as_deref(), "jobName")?.to_owned();
    c.delete_job(&name)?;
    Output::of(&JobNameResponse { job_name: name })
}

pub(super) fn start_run(c: &Arc<Catalog>, r: StartJobRunRequest) -> Answer {
    let name = SPEC.required(r.job_name.as_deref(), "jobName")?;
    let request = JobRunRequest {
        arguments: r.arguments,
        previous_run_id: r.job_run_id,
        timeout: r.timeout,
        max_capacity: r.max_capacity,
        worker_type: r.worker_type,
        number_of_workers: r.number_of_workers,
        security_configuration: r.security_configuration,
        notify_delay_after: r.notification_property.and_then(|n| n.notify_delay_after),
        execution_class: r.execution_class,
    };
    let job_run_id = c.start_job_run(name, request)?;
    Output::of(&StartJobRunResponse { job_run_id })
}

pub(super) fn get_run(c: &Catalog, r: GetJobRunRequest) -> Answer {
    let run = c.get_job_run(
        SPEC.required(r.job_name.as_deref(), "jobName")?,
        SPEC.required(r.run_id.as_deref(), "runId")?,
    )?;
    Output::of(&GetJobRunResponse {
        job_run: convert::job_run_out(&run),
    })
}

/// GetJobRuns: newest first, at most `MaxResults` (100 unless given, up to
/// 200) after the run the `NextToken` names.
pub(super) fn runs(c: &Catalog, r: GetJobRunsRequest) -> Answer {
    let runs = c.get_job_runs(SPEC.required(r.job_name.as_deref(), "jobName")?)?;
    let (page, next_token) = runs_page(&runs, r.next_token.as_deref(), r.max_results, (100, 200), |run| &run.id)?;
    Output::of(&GetJobRunsResponse {
        job_runs: page.into_iter().map(convert::job_run_out).collect(),
        next_token,
    })
}

pub(super) fn batch_stop(c: &Catalog, r: BatchStopJobRunRequest) -> Answer {
    let name = SPEC.required(r.job_name.as_deref(), "jobName")?;
    let ids = SPEC.required(r.job_run_ids, "jobRunIds")?;
    let errors = c.batch_stop_job_run(name, &ids)?;
    let successful_submissions = ids
        .iter()
        .filter(|id| !errors.iter().any(|e| &e.run_id == *id))
        .map(|id| StopSubmission {
            job_name: name.to_owned(),
            job_run_id: id.clone(),
        })
        .collect();
    let errors = errors
        .into_iter()
        .map(|e| StopError {
            job_name: name.to_owned(),
            job_run_id: e.run_id,
            error_detail: dto::ErrorDetail {
                error_code: e.code.to_owned(),
                error_message: e.message,
            },
        })
        .collect();
    Output::of(&BatchStopJobRunResponse {
        successful_submissions,
        errors,
    })
}

pub(super) fn bookmark(c: &Catalog, r: JobRequest) -> Answer {
    let entry = c.get_job_bookmark(SPEC.required(r.job_name.as_deref(), "jobName")?)?;
    Output::of(&JobBookmarkResponse {
        job_bookmark_entry: convert::job_bookmark_out(&entry),
    })
}

pub(super) fn reset_bookmark(c: &Catalog, r: JobRequest) -> Answer {
    let entry = c.reset_job_bookmark(SPEC.required(r.job_name.as_deref(), "jobName")?, r.run_id.as_deref())?;
    Output::of(&JobBookmarkResponse {
        job_bookmark_entry: convert::job_bookmark_out(&entry),
    })
}
