//! Firing a trigger: starting the job runs and crawls its actions name, each
//! marked with who started it (the trigger, and the workflow run it belongs
//! to) so that its end can fire what depends on it.

use std::sync::Arc;

use rusqlite::Connection;

use crate::error::{CatalogError, Result};
use crate::model::{NodeType, Trigger, TriggerAction, TriggerState, WorkflowRunStatus};
use crate::store::Store;
use crate::{Catalog, JobRunRequest};

/// Who starts a job run or crawl: the trigger that fired, and the action's
/// place in a workflow run when it is part of one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    pub trigger: Option<String>,
    pub slot: Option<RunSlot>,
}

/// An action's place in a workflow run.
#[derive(Debug, Clone)]
pub(crate) struct RunSlot {
    pub workflow: String,
    pub run_id: String,
    /// Its index in the run's actions.
    pub index: usize,
}

impl Origin {
    pub(crate) fn workflow_name(&self) -> Option<String> {
        self.slot.as_ref().map(|s| s.workflow.clone())
    }

    pub(crate) fn workflow_run_id(&self) -> Option<String> {
        self.slot.as_ref().map(|s| s.run_id.clone())
    }

    /// Records in the workflow run that its action started as `id`, in the
    /// transaction that starts it: the action's end then always finds it.
    /// A run no longer RUNNING starts nothing more.
    pub(crate) fn record_start(&self, c: &Connection, id: &str, state: &str) -> Result<()> {
        let Some(slot) = &self.slot else { return Ok(()) };
        let Some(mut run) = Store::get_workflow_run(c, &slot.workflow, &slot.run_id)? else {
            return Ok(());
        };
        if run.status != WorkflowRunStatus::Running {
            return Err(CatalogError::IllegalWorkflowState(format!(
                "Workflow run {} is {}: it starts nothing more.",
                run.id, run.status
            )));
        }
        if let Some(action) = run.actions.get_mut(slot.index) {
            action.ids.push(id.to_owned());
            action.state = state.to_owned();
        }
        Store::update_workflow_run(c, &run)
    }
}

/// The run a job action asks for: its arguments and settings.
fn job_request(a: &TriggerAction) -> JobRunRequest {
    JobRunRequest {
        arguments: a.arguments.clone(),
        timeout: a.timeout,
        security_configuration: a.security_configuration.clone(),
        notify_delay_after: a.notify_delay_after,
        ..JobRunRequest::default()
    }
}

impl Catalog {
    /// Starts what one action names.
    pub(crate) fn start_action(self: &Arc<Self>, action: &TriggerAction, origin: &Origin) -> Result<()> {
        match action.target() {
            Some((NodeType::Job, job)) => self.start_job_run_as(job, job_request(action), origin).map(drop),
            Some((_, crawler)) => self.start_crawler_as(crawler, origin),
            None => Err(CatalogError::InvalidInput(
                "The action names neither a job nor a crawler.".into(),
            )),
        }
    }

    /// Fires a trigger outside any workflow run: starts each of its actions;
    /// one that cannot start is logged and the others still start.
    pub(crate) fn fire_alone(self: &Arc<Self>, t: &Trigger) {
        let origin = Origin {
            trigger: Some(t.name.clone()),
            slot: None,
        };
        for action in &t.actions {
            if let Err(e) = self.start_action(action, &origin) {
                tracing::warn!(
                    target: "lakestack::glue",
                    trigger = %t.name,
                    error = %e,
                    "a trigger's action did not start"
                );
            }
        }
    }

    /// Fires a SCHEDULED trigger whose time came: a workflow's starts a run
    /// of it, another starts its actions.
    pub(crate) fn fire_scheduled(self: &Arc<Self>, name: &str) {
        let t = match self.get_trigger(name) {
            // Deactivated since the scheduler looked: it fires no more.
            Ok(t) if t.state != TriggerState::Activated => return,
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(trigger = name, error = %e, "scheduled trigger not found");
                return;
            }
        };
        tracing::info!(target: "lakestack::glue", trigger = name, "scheduled trigger fired");
        match &t.workflow_name {
            Some(workflow) => {
                if let Err(e) = self.begin_run(workflow, crate::workflows::RunStart::Schedule) {
                    tracing::warn!(trigger = name, workflow = %workflow, error = %e, "scheduled workflow run did not start");
                }
            }
            None => self.fire_alone(&t),
        }
    }
}
