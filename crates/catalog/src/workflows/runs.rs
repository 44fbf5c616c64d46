//! Workflow runs: StartWorkflowRun (and what else starts one: its start
//! trigger's schedule, StartTrigger on it, a batch of events), the run's
//! properties, StopWorkflowRun, ResumeWorkflowRun, and runs cut short by a
//! process that died.
//!
//! Glue's rules kept here: starting a run fires the workflow's start
//! trigger; "when a workflow run is started, AWS Glue takes a snapshot of
//! the workflow design graph", and that snapshot is used for the run;
//! MaxConcurrentRuns bounds the runs under way (ConcurrentRunsExceeded for
//! StartWorkflowRun; a run started by a schedule or events past the bound
//! is recorded in ERROR with "Concurrent runs exceeded for workflow: foo.");
//! "You can resume a workflow run only if it's in the COMPLETED state",
//! only from job or crawler nodes the run attempted; "the selected nodes
//! and all nodes that are downstream from those nodes are then run" in a
//! new run whose graph copies the rest from the original; a selected node
//! downstream of another selected one is not restarted on its own.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::graph::{self, node_id};
use super::not_found;
use super::progress::{Pending, claim};
use crate::error::{CatalogError, Result};
use crate::model::{
    NodeType, Parameters, RunAction, StartingEventBatch, TriggerAction, WorkflowRun, WorkflowRunStatus,
};
use crate::store::Store;
use crate::{Catalog, CatalogEvent};

/// What starts a workflow run.
#[derive(Debug, Clone)]
pub(crate) enum RunStart {
    /// StartWorkflowRun (or StartTrigger on its ON_DEMAND trigger), with the
    /// run properties it gives: refused past MaxConcurrentRuns.
    Demand(Parameters),
    /// Its SCHEDULED start trigger's time came.
    Schedule,
    /// A batch of EventBridge events reached its EVENT trigger.
    Events { ids: Vec<String>, by: StartingEventBatch },
}

/// Glue's run ids: `wr_` and 64 hex digits.
fn new_run_id() -> String {
    format!("wr_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn run_not_found(run_id: &str) -> CatalogError {
    CatalogError::NotFound(format!("Workflow run {run_id} not found."))
}

/// A list of ids as Glue writes one in a run property (`aws:eventIds`).
fn list_text(ids: &[String]) -> String {
    format!("[{}]", ids.join(", "))
}

fn concurrency_message(workflow: &str) -> String {
    format!("Concurrent runs exceeded for workflow: {workflow}")
}

impl Catalog {
    /// Starts a run of workflow `name` with `properties` over its default
    /// run properties, and answers its id at once; the run goes on in the
    /// background (announced on [`Catalog::subscribe`]). Needs a Tokio runtime.
    pub fn start_workflow_run(self: &Arc<Self>, name: &str, properties: Parameters) -> Result<String> {
        self.begin_run(name, RunStart::Demand(properties))
    }

    pub(crate) fn begin_run(self: &Arc<Self>, name: &str, start: RunStart) -> Result<String> {
        let now = self.now_ms();
        let (run, pending) = self.store.write(|tx| {
            let workflow = Store::get_workflow(tx, name)?.ok_or_else(|| not_found(name))?;
            let triggers = Store::workflow_triggers(tx, name)?;
            let mut run = WorkflowRun {
                workflow_name: name.to_owned(),
                id: new_run_id(),
                properties: workflow.default_run_properties.clone(),
                started_on: now,
                status: WorkflowRunStatus::Running,
                triggers,
                ..WorkflowRun::default()
            };
            match &start {
                RunStart::Demand(given) => run.properties.extend(given.clone()),
                RunStart::Schedule => {}
                RunStart::Events { ids, by } => {
                    run.properties.insert("aws:eventIds".into(), list_text(ids));
                    run.starting_event_batch = Some(*by);
                }
            }
            if let Some(max) = workflow.max_concurrent_runs
                && Store::count_live_workflow_runs(tx, name)? >= i64::from(max)
            {
                if matches!(start, RunStart::Demand(_)) {
                    return Err(CatalogError::ConcurrentRunsExceeded(concurrency_message(name)));
                }
                // Nobody waits on this start to answer it: the run that could
                // not start says why, as Glue's do.
                run.status = WorkflowRunStatus::Error;
                run.error_message = Some(format!("{}.", concurrency_message(name)));
                run.completed_on = Some(now);
                Store::insert_workflow_run(tx, &run)?;
                return Ok((run, Vec::new()));
            }
            let start_trigger = run.triggers.iter().find(|t| t.trigger_type.starts_workflow()).cloned();
            let pending = start_trigger.map(|t| claim(&mut run, &t)).unwrap_or_default();
            Store::insert_workflow_run(tx, &run)?;
            Ok((run, pending))
        })?;
        self.announce_run(&run);
        if run.status == WorkflowRunStatus::Running {
            self.start_pending(name, &run.id, pending);
        }
        Ok(run.id)
    }

    pub fn get_workflow_run(&self, name: &str, run_id: &str) -> Result<WorkflowRun> {
        self.store.read(|c| {
            Store::get_workflow(c, name)?.ok_or_else(|| not_found(name))?;
            Store::get_workflow_run(c, name, run_id)?.ok_or_else(|| run_not_found(run_id))
        })
    }

    /// A workflow's runs, newest first.
    pub fn get_workflow_runs(&self, name: &str) -> Result<Vec<WorkflowRun>> {
        self.store.read(|c| {
            Store::get_workflow(c, name)?.ok_or_else(|| not_found(name))?;
            Store::list_workflow_runs(c, name)
        })
    }

    pub fn get_workflow_run_properties(&self, name: &str, run_id: &str) -> Result<Parameters> {
        Ok(self.get_workflow_run(name, run_id)?.properties)
    }

    /// Puts properties into a run: each replaces the one of its name or is
    /// added ("If a property already exists for the specified run, then it
    /// overrides the value otherwise adds the property"). The workflow's
    /// defaults are not affected.
    pub fn put_workflow_run_properties(&self, name: &str, run_id: &str, properties: Parameters) -> Result<()> {
        for key in properties.keys() {
            crate::names::check(key, "runProperties.key")?;
        }
        self.store.write(|tx| {
            Store::get_workflow(tx, name)?.ok_or_else(|| not_found(name))?;
            let mut run = Store::get_workflow_run(tx, name, run_id)?.ok_or_else(|| run_not_found(run_id))?;
            run.properties.extend(properties);
            Store::update_workflow_run(tx, &run)
        })
    }

    /// Stops a RUNNING run: it is STOPPING while its job runs and crawls
    /// under way stop, fires nothing more, and is STOPPED once they have.
    pub fn stop_workflow_run(self: &Arc<Self>, name: &str, run_id: &str) -> Result<()> {
        let (run, live) = self.store.write(|tx| {
            Store::get_workflow(tx, name)?.ok_or_else(|| not_found(name))?;
            let mut run = Store::get_workflow_run(tx, name, run_id)?.ok_or_else(|| run_not_found(run_id))?;
            if run.status != WorkflowRunStatus::Running {
                return Err(CatalogError::IllegalWorkflowState(format!(
                    "Workflow run {run_id} is {}: only a RUNNING run can be stopped.",
                    run.status
                )));
            }
            run.status = WorkflowRunStatus::Stopping;
            Store::update_workflow_run(tx, &run)?;
            let live: Vec<(NodeType, String, String)> = run
                .actions
                .iter()
                .filter(|a| !a.copied && a.is_live())
                .filter_map(|a| Some((a.kind, a.name.clone(), a.ids.last()?.clone())))
                .collect();
            Ok((run, live))
        })?;
        self.announce_run(&run);
        for (kind, target, id) in live {
            let stopped = match kind {
                NodeType::Job => self.stop_job_run(&target, &id),
                _ => self.stop_crawler(&target),
            };
            if let Err(e) = stopped {
                tracing::debug!(workflow = name, run_id, target = %target, error = %e, "action not stopped");
            }
        }
        self.advance(name, run_id, |_| {});
        Ok(())
    }

    /// Resumes a COMPLETED run from job and crawler nodes it attempted
    /// (`node_ids`, as the run's graph names them): a new run, with the same
    /// triggers and properties, restarts them and runs what is downstream;
    /// the rest of its graph is copied from the original. Answers the new
    /// run's id and the nodes actually restarted.
    pub fn resume_workflow_run(
        self: &Arc<Self>,
        name: &str,
        run_id: &str,
        node_ids: &[String],
    ) -> Result<(String, Vec<String>)> {
        if node_ids.is_empty() {
            return Err(CatalogError::InvalidInput(
                "NodeIds must name at least one node.".into(),
            ));
        }
        let now = self.now_ms();
        let (run, pending, restarted) = self.store.write(|tx| {
            let workflow = Store::get_workflow(tx, name)?.ok_or_else(|| not_found(name))?;
            let original = Store::get_workflow_run(tx, name, run_id)?.ok_or_else(|| run_not_found(run_id))?;
            if original.status != WorkflowRunStatus::Completed {
                return Err(CatalogError::IllegalWorkflowState(format!(
                    "Workflow run {run_id} is {}: only a COMPLETED run can be resumed.",
                    original.status
                )));
            }
            // The job and crawler nodes the run attempted, by node id.
            let attempted: Vec<(String, NodeType, String)> = original
                .actions
                .iter()
                .map(|a| (node_id(name, a.kind, &a.name), a.kind, a.name.clone()))
                .collect();
            let mut selected: Vec<(NodeType, String)> = Vec::new();
            for id in node_ids {
                let (_, kind, target) = attempted.iter().find(|(n, _, _)| n == id).ok_or_else(|| {
                    CatalogError::InvalidInput(format!(
                        "Node {id} cannot be resumed: only job and crawler nodes the run attempted can be."
                    ))
                })?;
                if !selected.contains(&(*kind, target.clone())) {
                    selected.push((*kind, target.clone()));
                }
            }
            if let Some(max) = workflow.max_concurrent_runs
                && Store::count_live_workflow_runs(tx, name)? >= i64::from(max)
            {
                return Err(CatalogError::ConcurrentRunsExceeded(concurrency_message(name)));
            }
            let (below, passed) = graph::downstream(&original.triggers, &selected);
            let restart: Vec<(NodeType, String)> = selected.iter().filter(|n| !below.contains(n)).cloned().collect();
            let affected: BTreeSet<(NodeType, String)> = below.into_iter().chain(selected.iter().cloned()).collect();
            let mut run = WorkflowRun {
                workflow_name: name.to_owned(),
                id: new_run_id(),
                previous_run_id: Some(original.id.clone()),
                properties: original.properties.clone(),
                started_on: now,
                status: WorkflowRunStatus::Running,
                // Triggers past the restarted nodes may fire again; the others
                // (the start trigger among them) fired, or not, for good.
                fired: original
                    .triggers
                    .iter()
                    .filter(|t| !passed.contains(&t.name))
                    .map(|t| t.name.clone())
                    .collect(),
                actions: original
                    .actions
                    .iter()
                    .filter(|a| !affected.contains(&(a.kind, a.name.clone())))
                    .map(|a| RunAction {
                        copied: true,
                        ..a.clone()
                    })
                    .collect(),
                triggers: original.triggers.clone(),
                ..WorkflowRun::default()
            };
            let mut pending = Vec::new();
            for (kind, target) in &restart {
                let trigger = original
                    .actions
                    .iter()
                    .rev()
                    .find(|a| a.kind == *kind && &a.name == target)
                    .map(|a| a.trigger.clone())
                    .unwrap_or_default();
                let action = original
                    .triggers
                    .iter()
                    .filter(|t| t.name == trigger)
                    .flat_map(|t| &t.actions)
                    .find(|a| a.target() == Some((*kind, target.as_str())))
                    .cloned()
                    .unwrap_or_else(|| TriggerAction {
                        job_name: (*kind == NodeType::Job).then(|| target.clone()),
                        crawler_name: (*kind == NodeType::Crawler).then(|| target.clone()),
                        ..TriggerAction::default()
                    });
                pending.push(Pending {
                    index: run.actions.len(),
                    trigger: trigger.clone(),
                    action,
                });
                run.actions.push(RunAction {
                    kind: *kind,
                    name: target.clone(),
                    trigger,
                    ..RunAction::default()
                });
            }
            Store::insert_workflow_run(tx, &run)?;
            let restarted = restart.iter().map(|(k, n)| node_id(name, *k, n)).collect();
            Ok((run, pending, restarted))
        })?;
        self.announce_run(&run);
        self.start_pending(name, &run.id, pending);
        Ok((run.id, restarted))
    }

    /// Waits until run `run_id` of workflow `name` is over (COMPLETED,
    /// STOPPED or ERROR), and answers it.
    pub async fn wait_for_workflow_run(&self, name: &str, run_id: &str) -> Result<WorkflowRun> {
        let mut events = self.subscribe();
        loop {
            let run = self.get_workflow_run(name, run_id)?;
            if !run.status.is_live() {
                return Ok(run);
            }
            loop {
                match events.recv().await {
                    Ok(CatalogEvent::WorkflowRunStateChanged { run_id: id, status, .. })
                        if id == run_id && !status.is_live() =>
                    {
                        break;
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        return Err(CatalogError::internal("the catalog is gone"));
                    }
                }
            }
        }
    }

    /// Runs under way when the last process ended will not move on: they
    /// are in ERROR, and say why; their actions are over too (the job runs
    /// and crawls themselves were failed just before).
    pub(crate) fn recover_workflow_runs(&self) -> Result<()> {
        let now = self.now_ms();
        let why = "The workflow run was interrupted: lakestack stopped while it was running.";
        self.store.write(|tx| {
            for mut run in Store::live_workflow_runs(tx)? {
                for a in run.actions.iter_mut().filter(|a| !a.copied && a.is_live()) {
                    a.state = if a.ids.is_empty() { RunAction::ERROR } else { "FAILED" }.to_owned();
                    a.error_message = Some(why.to_owned());
                }
                run.status = WorkflowRunStatus::Error;
                run.error_message = Some(why.to_owned());
                run.completed_on = Some(now);
                Store::update_workflow_run(tx, &run)?;
            }
            Ok(())
        })
    }
}
