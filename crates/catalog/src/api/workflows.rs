//! Workflows and their runs: CreateWorkflow, GetWorkflow, ListWorkflows,
//! BatchGetWorkflows, UpdateWorkflow, DeleteWorkflow, StartWorkflowRun,
//! GetWorkflowRun, GetWorkflowRuns, GetWorkflowRunProperties,
//! PutWorkflowRunProperties, StopWorkflowRun, ResumeWorkflowRun.

use std::sync::Arc;

use lakestack_aws_protocol::{Output, ServiceError};
use serde::{Deserialize, Serialize};

use super::{Answer, NameRequest, SPEC, convert, dto, found_or_missing, page_within, runs_page};
use crate::model::{Workflow, WorkflowRun};
use crate::{Catalog, CatalogError};

/// ListWorkflows answers at most 25 names a page.
const PAGE: (usize, usize) = (25, 25);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WorkflowRequest {
    name: Option<String>,
    description: Option<String>,
    default_run_properties: Option<dto::Params>,
    max_concurrent_runs: Option<i32>,
    #[serde(default)]
    tags: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetWorkflowRequest {
    name: Option<String>,
    #[serde(default)]
    include_graph: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListWorkflowsRequest {
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchGetWorkflowsRequest {
    names: Option<Vec<String>>,
    #[serde(default)]
    include_graph: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct StartWorkflowRunRequest {
    name: Option<String>,
    #[serde(default)]
    run_properties: dto::Params,
}

/// GetWorkflowRun, GetWorkflowRunProperties, PutWorkflowRunProperties,
/// StopWorkflowRun and ResumeWorkflowRun.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RunRequest {
    name: Option<String>,
    run_id: Option<String>,
    #[serde(default)]
    include_graph: bool,
    run_properties: Option<dto::Params>,
    node_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetWorkflowRunsRequest {
    name: Option<String>,
    #[serde(default)]
    include_graph: bool,
    next_token: Option<String>,
    max_results: Option<i64>,
}

unscoped!(
    WorkflowRequest,
    GetWorkflowRequest,
    ListWorkflowsRequest,
    BatchGetWorkflowsRequest,
    StartWorkflowRunRequest,
    RunRequest,
    GetWorkflowRunsRequest,
);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NameResponse {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetWorkflowResponse {
    workflow: dto::Workflow,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListWorkflowsResponse {
    workflows: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetWorkflowsResponse {
    workflows: Vec<dto::Workflow>,
    missing_workflows: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RunIdResponse {
    run_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetWorkflowRunResponse {
    run: dto::WorkflowRun,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetWorkflowRunsResponse {
    runs: Vec<dto::WorkflowRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RunPropertiesResponse {
    run_properties: dto::Params,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResumeWorkflowRunResponse {
    run_id: String,
    node_ids: Vec<String>,
}

/// A workflow as GetWorkflow and BatchGetWorkflows answer it: with its last
/// run (without that run's graph), and its graph when asked.
fn workflow_out(c: &Catalog, w: &Workflow, include_graph: bool) -> Result<dto::Workflow, ServiceError> {
    let last_run = c
        .get_workflow_runs(&w.name)?
        .first()
        .map(|r| convert::workflow_run_out(r, None));
    let graph = if include_graph {
        Some(convert::graph_out(&c.workflow_graph(&w.name)?))
    } else {
        None
    };
    Ok(convert::workflow_out(w, last_run, graph))
}

fn run_out(c: &Catalog, r: &WorkflowRun, include_graph: bool) -> Result<dto::WorkflowRun, ServiceError> {
    let graph = if include_graph {
        Some(convert::graph_out(&c.workflow_run_graph(r)?))
    } else {
        None
    };
    Ok(convert::workflow_run_out(r, graph))
}

/// The run a request names.
fn run_of(r: &RunRequest) -> Result<(&str, &str), ServiceError> {
    Ok((
        SPEC.required(r.name.as_deref(), "name")?,
        SPEC.required(r.run_id.as_deref(), "runId")?,
    ))
}

pub(super) fn create(c: &Catalog, r: WorkflowRequest) -> Answer {
    let name = SPEC.required(r.name, "name")?;
    let workflow = Workflow {
        name: name.clone(),
        description: r.description,
        default_run_properties: r.default_run_properties.unwrap_or_default(),
        max_concurrent_runs: r.max_concurrent_runs,
        ..Workflow::default()
    };
    c.create_workflow(workflow, r.tags.into_iter().collect())?;
    Output::of(&NameResponse { name })
}

pub(super) fn get(c: &Catalog, r: GetWorkflowRequest) -> Answer {
    let workflow = c.get_workflow(SPEC.required(r.name.as_deref(), "name")?)?;
    Output::of(&GetWorkflowResponse {
        workflow: workflow_out(c, &workflow, r.include_graph)?,
    })
}

pub(super) fn names(c: &Catalog, r: ListWorkflowsRequest) -> Answer {
    let (workflows, next_token) =
        page_within(c.list_workflows()?, r.next_token.as_deref(), r.max_results, PAGE, |w| {
            &w.name
        })?;
    Output::of(&ListWorkflowsResponse {
        workflows: workflows.into_iter().map(|w| w.name).collect(),
        next_token,
    })
}

pub(super) fn batch_get(c: &Catalog, r: BatchGetWorkflowsRequest) -> Answer {
    let names = SPEC.required(r.names, "names")?;
    // The API model's 1 to 25 names: each may answer its graph.
    if names.is_empty() || names.len() > 25 {
        return Err(
            CatalogError::invalid(lakestack_aws_protocol::validation::Violation::len_between(
                "names",
                lakestack_aws_protocol::validation::Shown::Hidden,
                1,
                25,
            ))
            .into(),
        );
    }
    let (found, missing_workflows) = found_or_missing(names, |name| c.get_workflow(name))?;
    let mut workflows = Vec::with_capacity(found.len());
    for w in &found {
        workflows.push(workflow_out(c, w, r.include_graph)?);
    }
    Output::of(&BatchGetWorkflowsResponse {
        workflows,
        missing_workflows,
    })
}

/// UpdateWorkflow: the members given replace the workflow's.
pub(super) fn update(c: &Catalog, r: WorkflowRequest) -> Answer {
    let name = SPEC.required(r.name, "name")?;
    c.update_workflow(&name, |w| {
        if r.description.is_some() {
            w.description = r.description;
        }
        if let Some(p) = r.default_run_properties {
            w.default_run_properties = p;
        }
        if r.max_concurrent_runs.is_some() {
            w.max_concurrent_runs = r.max_concurrent_runs;
        }
    })?;
    Output::of(&NameResponse { name })
}

pub(super) fn delete(c: &Catalog, r: NameRequest) -> Answer {
    let name = SPEC.required(r.name, "name")?;
    c.delete_workflow(&name)?;
    Output::of(&NameResponse { name })
}

pub(super) fn start_run(c: &Arc<Catalog>, r: StartWorkflowRunRequest) -> Answer {
    let name = SPEC.required(r.name.as_deref(), "name")?;
    let run_id = c.start_workflow_run(name, r.run_properties)?;
    Output::of(&RunIdResponse { run_id })
}

pub(super) fn get_run(c: &Catalog, r: RunRequest) -> Answer {
    let (name, run_id) = run_of(&r)?;
    let run = c.get_workflow_run(name, run_id)?;
    Output::of(&GetWorkflowRunResponse {
        run: run_out(c, &run, r.include_graph)?,
    })
}

/// GetWorkflowRuns: newest first, at most `MaxResults` (100 unless given, up
/// to 1000) after the run the `NextToken` names.
pub(super) fn runs(c: &Catalog, r: GetWorkflowRunsRequest) -> Answer {
    let runs = c.get_workflow_runs(SPEC.required(r.name.as_deref(), "name")?)?;
    let (page, next_token) = runs_page(&runs, r.next_token.as_deref(), r.max_results, (100, 1000), |run| {
        &run.id
    })?;
    let mut out = Vec::with_capacity(page.len());
    for run in page {
        out.push(run_out(c, run, r.include_graph)?);
    }
    Output::of(&GetWorkflowRunsResponse { runs: out, next_token })
}

pub(super) fn run_properties(c: &Catalog, r: RunRequest) -> Answer {
    let (name, run_id) = run_of(&r)?;
    Output::of(&RunPropertiesResponse {
        run_properties: c.get_workflow_run_properties(name, run_id)?,
    })
}

pub(super) fn put_run_properties(c: &Catalog, r: RunRequest) -> Answer {
    let (name, run_id) = run_of(&r)?;
    let properties = SPEC.required(r.run_properties.clone(), "runProperties")?;
    c.put_workflow_run_properties(name, run_id, properties)?;
    Ok(Output::empty_members())
}

pub(super) fn stop_run(c: &Arc<Catalog>, r: RunRequest) -> Answer {
    let (name, run_id) = run_of(&r)?;
    c.stop_workflow_run(name, run_id)?;
    Ok(Output::empty_members())
}

pub(super) fn resume_run(c: &Arc<Catalog>, r: RunRequest) -> Answer {
    let (name, run_id) = run_of(&r)?;
    let node_ids = SPEC.required(r.node_ids.as_deref(), "nodeIds")?;
    let (run_id, node_ids) = c.resume_workflow_run(name, run_id, node_ids)?;
    Output::of(&ResumeWorkflowRunResponse { run_id, node_ids })
}
