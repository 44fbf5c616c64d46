//! The Glue API edge: awsJson 1.1 requests (`X-Amz-Target: AWSGlue.<Op>`).
//! Each operation's input is read once into its typed request, handled by
//! the module named after what it does, run against the [`Catalog`] and
//! answered with its typed response ([`dto`] holds the shapes several
//! operations share).

/// Implements [`CatalogScoped`] for requests that have a `catalog_id` member.
macro_rules! catalog_scoped {
    ($($request:ty),* $(,)?) => {
        $(impl crate::api::CatalogScoped for $request {
            fn catalog_id(&self) -> Option<&str> {
                self.catalog_id.as_deref()
            }
        })*
    };
}

/// Implements [`CatalogScoped`] for requests of operations that name no
/// catalog (jobs, triggers, workflows): they are the account's.
macro_rules! unscoped {
    ($($request:ty),* $(,)?) => {
        $(impl crate::api::CatalogScoped for $request {
            fn catalog_id(&self) -> Option<&str> {
                None
            }
        })*
    };
}

mod classifiers;
mod convert;
mod crawlers;
mod databases;
mod dto;
mod jobs;
mod partitions;
mod search;
mod tables;
mod tags;
mod triggers;
mod workflows;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::paging;
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Catalog;
use crate::error::CatalogError;

lakestack_aws_protocol::operations! {
    /// The Glue operations lakestack implements.
    pub enum GlueOp {
        CreateDatabase,
        GetDatabase,
        GetDatabases,
        UpdateDatabase,
        DeleteDatabase,
        CreateTable,
        GetTable,
        GetTables,
        UpdateTable,
        DeleteTable,
        BatchDeleteTable,
        GetTableVersions,
        GetTableVersion,
        DeleteTableVersion,
        BatchDeleteTableVersion,
        SearchTables,
        CreatePartition,
        BatchCreatePartition,
        GetPartition,
        GetPartitions,
        BatchGetPartition,
        UpdatePartition,
        BatchUpdatePartition,
        DeletePartition,
        BatchDeletePartition,
        CreateCrawler,
        UpdateCrawler,
        GetCrawler,
        GetCrawlers,
        ListCrawlers,
        DeleteCrawler,
        StartCrawler,
        StopCrawler,
        GetCrawlerMetrics,
        ListCrawls,
        StartCrawlerSchedule,
        StopCrawlerSchedule,
        UpdateCrawlerSchedule,
        CreateClassifier,
        UpdateClassifier,
        GetClassifier,
        GetClassifiers,
        DeleteClassifier,
        TagResource,
        UntagResource,
        GetTags,
        CreateJob,
        UpdateJob,
        GetJob,
        GetJobs,
        ListJobs,
        BatchGetJobs,
        DeleteJob,
        StartJobRun,
        GetJobRun,
        GetJobRuns,
        BatchStopJobRun,
        GetJobBookmark,
        ResetJobBookmark,
        CreateTrigger,
        GetTrigger,
        GetTriggers,
        ListTriggers,
        BatchGetTriggers,
        UpdateTrigger,
        DeleteTrigger,
        StartTrigger,
        StopTrigger,
        CreateWorkflow,
        GetWorkflow,
        ListWorkflows,
        BatchGetWorkflows,
        UpdateWorkflow,
        DeleteWorkflow,
        StartWorkflowRun,
        GetWorkflowRun,
        GetWorkflowRuns,
        GetWorkflowRunProperties,
        PutWorkflowRunProperties,
        StopWorkflowRun,
        ResumeWorkflowRun,
    }
}

/// Glue's error code for each catalog error.
impl AwsError for CatalogError {
    fn code(&self) -> &'static str {
        match self {
            CatalogError::NotFound(_) => "EntityNotFoundException",
            CatalogError::AlreadyExists(_) => "AlreadyExistsException",
            CatalogError::InvalidInput(_) => "InvalidInputException",
            CatalogError::Validation(_) => "ValidationException",
            CatalogError::ConcurrentModification(_) => "ConcurrentModificationException",
            CatalogError::CrawlerRunning(_) => "CrawlerRunningException",
            CatalogError::CrawlerNotRunning(_) => "CrawlerNotRunningException",
            CatalogError::CrawlerStopping(_) => "CrawlerStoppingException",
            CatalogError::SchedulerRunning(_) => "SchedulerRunningException",
            CatalogError::SchedulerNotRunning(_) => "SchedulerNotRunningException",
            CatalogError::NoSchedule(_) => "NoScheduleException",
            CatalogError::ConcurrentRunsExceeded(_) => "ConcurrentRunsExceededException",
            CatalogError::IllegalWorkflowState(_) => "IllegalWorkflowStateException",
            CatalogError::ResourceNumberLimitExceeded(_) => "ResourceNumberLimitExceededException",
            CatalogError::Internal(_) => "InternalServiceException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            CatalogError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Glue: awsJson 1.1 under `AWSGlue`; a body of the wrong shape, a broken
/// constraint and a token it did not write are all InvalidInputException,
/// and its model's 500 is InternalServiceException.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "glue",
    title: "Glue",
    signing_name: "glue",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("AWSGlue"),
    invalid_input_code: "InvalidInputException",
    violation_code: "InvalidInputException",
    invalid_token: ("InvalidInputException", "Invalid pagination token"),
    internal_error: ("InternalServiceException", "An internal service error occurred."),
    ..DEFAULT
};

/// What a handler answers.
type Answer = Result<Output, ServiceError>;

/// A request that may name the catalog it is for (`CatalogId`): lakestack
/// has one catalog, the account's.
trait CatalogScoped {
    fn catalog_id(&self) -> Option<&str>;
}

/// The request of operations that name one thing (GetDatabase,
/// DeleteCrawler, GetClassifier...).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameRequest {
    catalog_id: Option<String>,
    name: Option<String>,
}

/// The request of operations that list one page of things in name order
/// (GetDatabases, GetCrawlers, GetClassifiers).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PageRequest {
    catalog_id: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

catalog_scoped!(NameRequest, PageRequest);

/// The operation's typed request, read once; a `CatalogId` other than the
/// account's is a catalog that does not exist.
fn input<T: DeserializeOwned + CatalogScoped>(call: &Call, catalog: &Catalog) -> Result<T, ServiceError> {
    let request: T = call.input()?;
    if let Some(id) = request.catalog_id()
        && id != catalog.settings().account_id
    {
        return Err(CatalogError::NotFound(format!("Catalog {id} not found.")).into());
    }
    Ok(request)
}

/// BatchGet*: what `get` found for each name, and the names it did not
/// find (any other error fails the call).
fn found_or_missing<T>(
    names: Vec<String>,
    mut get: impl FnMut(&str) -> Result<T, CatalogError>,
) -> Result<(Vec<T>, Vec<String>), ServiceError> {
    let (mut found, mut not_found) = (Vec::new(), Vec::new());
    for name in names {
        match get(&name) {
            Ok(item) => found.push(item),
            Err(CatalogError::NotFound(_)) => not_found.push(name),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((found, not_found))
}

/// A page of runs (GetJobRuns, GetWorkflowRuns), newest first: at most
/// `max_results` (`default` unless given, up to `max`) after the run the
/// token names, and the token of the next page.
fn runs_page<'a, T>(
    runs: &'a [T],
    token: Option<&str>,
    max_results: Option<i64>,
    (default, max): (usize, usize),
    id: impl Fn(&T) -> &str,
) -> Result<(Vec<&'a T>, Option<String>), ServiceError> {
    let limit = crate::paging::page_size(max_results, default, max)?;
    let start = match lakestack_aws_protocol::paging::after(&SPEC, token)? {
        None => 0,
        Some(last) => match runs.iter().position(|run| id(run) == last) {
            Some(i) => i + 1,
            None => return Err(SPEC.invalid_token(token.unwrap_or_default())),
        },
    };
    let page: Vec<&T> = runs.iter().skip(start).take(limit).collect();
    let next = (start + page.len() < runs.len())
        .then(|| page.last().map(|run| lakestack_aws_protocol::paging::encode(id(run))))
        .flatten();
    Ok((page, next))
}

/// The items (ListJobs', ListCrawlers') that carry every tag asked for;
/// `arn` names an item's ARN, where its tags are kept.
fn tagged<T>(
    c: &Catalog,
    items: Vec<T>,
    wanted: &dto::Params,
    arn: impl Fn(&T) -> String,
) -> Result<Vec<T>, ServiceError> {
    if wanted.is_empty() {
        return Ok(items);
    }
    let mut keep = Vec::new();
    for item in items {
        let tags: dto::Params = c.get_tags(&arn(&item))?.into_iter().collect();
        if wanted.iter().all(|(k, v)| tags.get(k) == Some(v)) {
            keep.push(item);
        }
    }
    Ok(keep)
}

/// One page of a list in name order: at most `MaxResults` (100 unless
/// given, up to 1000) after the name the `NextToken` holds.
fn page<T>(
    items: Vec<T>,
    next_token: Option<&str>,
    max_results: Option<i64>,
    name: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    page_within(items, next_token, max_results, (100, 1000), name)
}

/// [`page`] for an operation with its own `(default, max)` page sizes
/// (GetTriggers: 200 at most; ListWorkflows: 25).
fn page_within<T>(
    items: Vec<T>,
    next_token: Option<&str>,
    max_results: Option<i64>,
    (default, max): (usize, usize),
    name: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let after = paging::after(&SPEC, next_token)?;
    let limit = crate::paging::page_size(max_results, default, max)?;
    Ok(paging::page(items, |t| name(t).to_owned(), after.as_deref(), limit))
}

/// Runs one operation against the catalog.
fn run(catalog: &Arc<Catalog>, op: GlueOp, call: &Call) -> Answer {
    use GlueOp as Op;
    let c = catalog;
    match op {
        Op::CreateDatabase => databases::create(c, input(call, c)?),
        Op::GetDatabase => databases::get(c, input(call, c)?),
        Op::GetDatabases => databases::list(c, input(call, c)?),
        Op::UpdateDatabase => databases::update(c, input(call, c)?),
        Op::DeleteDatabase => databases::delete(c, input(call, c)?),
        Op::CreateTable => tables::create(c, input(call, c)?),
        Op::GetTable => tables::get(c, input(call, c)?),
        Op::GetTables => tables::list(c, input(call, c)?),
        Op::UpdateTable => tables::update(c, input(call, c)?),
        Op::DeleteTable => tables::delete(c, input(call, c)?),
        Op::BatchDeleteTable => tables::batch_delete(c, input(call, c)?),
        Op::GetTableVersions => tables::versions(c, input(call, c)?),
        Op::GetTableVersion => tables::version(c, input(call, c)?),
        Op::DeleteTableVersion => tables::delete_version(c, input(call, c)?),
        Op::BatchDeleteTableVersion => tables::batch_delete_versions(c, input(call, c)?),
        Op::SearchTables => search::tables(c, input(call, c)?),
        Op::CreatePartition => partitions::create(c, input(call, c)?),
        Op::BatchCreatePartition => partitions::batch_create(c, input(call, c)?),
        Op::GetPartition => partitions::get(c, input(call, c)?),
        Op::GetPartitions => partitions::list(c, input(call, c)?),
        Op::BatchGetPartition => partitions::batch_get(c, input(call, c)?),
        Op::UpdatePartition => partitions::update(c, input(call, c)?),
        Op::BatchUpdatePartition => partitions::batch_update(c, input(call, c)?),
        Op::DeletePartition => partitions::delete(c, input(call, c)?),
        Op::BatchDeletePartition => partitions::batch_delete(c, input(call, c)?),
        Op::CreateCrawler => crawlers::create(c, input(call, c)?),
        Op::UpdateCrawler => crawlers::update(c, input(call, c)?),
        Op::GetCrawler => crawlers::get(c, input(call, c)?),
        Op::GetCrawlers => crawlers::list(c, input(call, c)?),
        Op::ListCrawlers => crawlers::names(c, input(call, c)?),
        Op::DeleteCrawler => crawlers::delete(c, input(call, c)?),
        Op::StartCrawler => crawlers::start(c, input(call, c)?),
        Op::StopCrawler => crawlers::stop(c, input(call, c)?),
        Op::GetCrawlerMetrics => crawlers::metrics(c, input(call, c)?),
        Op::ListCrawls => crawlers::crawls(c, input(call, c)?),
        Op::StartCrawlerSchedule => crawlers::start_schedule(c, input(call, c)?),
        Op::StopCrawlerSchedule => crawlers::stop_schedule(c, input(call, c)?),
        Op::UpdateCrawlerSchedule => crawlers::update_schedule(c, input(call, c)?),
        Op::CreateClassifier => classifiers::create(c, input(call, c)?),
        Op::UpdateClassifier => classifiers::update(c, input(call, c)?),
        Op::GetClassifier => classifiers::get(c, input(call, c)?),
        Op::GetClassifiers => classifiers::list(c, input(call, c)?),
        Op::DeleteClassifier => classifiers::delete(c, input(call, c)?),
        Op::TagResource => tags::tag(c, input(call, c)?),
        Op::UntagResource => tags::untag(c, input(call, c)?),
        Op::GetTags => tags::get(c, input(call, c)?),
        Op::CreateJob => jobs::create(c, input(call, c)?),
        Op::UpdateJob => jobs::update(c, input(call, c)?),
        Op::GetJob => jobs::get(c, input(call, c)?),
        Op::GetJobs => jobs::list(c, input(call, c)?),
        Op::ListJobs => jobs::names(c, input(call, c)?),
        Op::BatchGetJobs => jobs::batch_get(c, input(call, c)?),
        Op::DeleteJob => jobs::delete(c, input(call, c)?),
        Op::StartJobRun => jobs::start_run(c, input(call, c)?),
        Op::GetJobRun => jobs::get_run(c, input(call, c)?),
        Op::GetJobRuns => jobs::runs(c, input(call, c)?),
        Op::BatchStopJobRun => jobs::batch_stop(c, input(call, c)?),
        Op::GetJobBookmark => jobs::bookmark(c, input(call, c)?),
        Op::ResetJobBookmark => jobs::reset_bookmark(c, input(call, c)?),
        Op::CreateTrigger => triggers::create(c, input(call, c)?),
        Op::GetTrigger => triggers::get(c, input(call, c)?),
        Op::GetTriggers => triggers::list(c, input(call, c)?),
        Op::ListTriggers => triggers::names(c, input(call, c)?),
        Op::BatchGetTriggers => triggers::batch_get(c, input(call, c)?),
        Op::UpdateTrigger => triggers::update(c, input(call, c)?),
        Op::DeleteTrigger => triggers::delete(c, input(call, c)?),
        Op::StartTrigger => triggers::start(c, input(call, c)?),
        Op::StopTrigger => triggers::stop(c, input(call, c)?),
        Op::CreateWorkflow => workflows::create(c, input(call, c)?),
        Op::GetWorkflow => workflows::get(c, input(call, c)?),
        Op::ListWorkflows => workflows::names(c, input(call, c)?),
        Op::BatchGetWorkflows => workflows::batch_get(c, input(call, c)?),
        Op::UpdateWorkflow => workflows::update(c, input(call, c)?),
        Op::DeleteWorkflow => workflows::delete(c, input(call, c)?),
        Op::StartWorkflowRun => workflows::start_run(c, input(call, c)?),
        Op::GetWorkflowRun => workflows::get_run(c, input(call, c)?),
        Op::GetWorkflowRuns => workflows::runs(c, input(call, c)?),
        Op::GetWorkflowRunProperties => workflows::run_properties(c, input(call, c)?),
        Op::PutWorkflowRunProperties => workflows::put_run_properties(c, input(call, c)?),
        Op::StopWorkflowRun => workflows::stop_run(c, input(call, c)?),
        Op::ResumeWorkflowRun => workflows::resume_run(c, input(call, c)?),
    }
}

/// Serves Glue's JSON API over a catalog.
#[derive(Clone)]
pub struct GlueService {
    catalog: Arc<Catalog>,
}

impl GlueService {
    pub fn new(catalog: Arc<Catalog>) -> Self {
        Self { catalog }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }
}

#[async_trait]
impl Service for GlueService {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        let op = call.operation::<GlueOp>()?;
        let catalog = Arc::clone(&self.catalog);
        // Catalog calls are short synchronous SQLite work; keep them off the
        // reactor so a 100k-partition scan never stalls other connections.
        tokio::task::spawn_blocking(move || run(&catalog, op, &call))
            .await
            .map_err(|e| ServiceError::from(CatalogError::internal(e.to_string())))?
    }
}

#[cfg(test)]
mod tests;
