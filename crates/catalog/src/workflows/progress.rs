//! How a workflow run moves on: each time one of its actions ends (or could
//! not start), the run's conditional triggers whose predicates now hold
//! fire, each once per run, and their actions start as part of the run.
//! Once nothing is under way, nothing more can fire: the run is COMPLETED
//! (STOPPED if it was stopping), whatever its actions' outcomes, as Glue
//! reports it ("Even if one or more nodes in a workflow run don't complete,
//! the workflow run state is shown as COMPLETED").
//!
//! Every decision is taken in one transaction with the run's record, so two
//! actions ending at once never fire a trigger twice, and every action is
//! recorded (WAITING) before it starts, so a run never completes while one
//! is about to start.

use std::sync::Arc;

use crate::Catalog;
use crate::CatalogEvent;
use crate::model::{
    Condition, NodeType, RunAction, Trigger, TriggerAction, TriggerState, TriggerType, WorkflowRun, WorkflowRunStatus,
};
use crate::store::Store;
use crate::triggers::{self, Origin, RunSlot};

/// An action a run recorded (WAITING) and is to start.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub index: usize,
    pub trigger: String,
    pub action: TriggerAction,
}

/// Records that `t` fired in `run`: each of its actions WAITING to start.
pub(crate) fn claim(run: &mut WorkflowRun, t: &Trigger) -> Vec<Pending> {
    run.fired.push(t.name.clone());
    let mut pending = Vec::new();
    for action in &t.actions {
        let Some((kind, name)) = action.target() else { continue };
        pending.push(Pending {
            index: run.actions.len(),
            trigger: t.name.clone(),
            action: action.clone(),
        });
        run.actions.push(RunAction {
            kind,
            name: name.to_owned(),
            trigger: t.name.clone(),
            ..RunAction::default()
        });
    }
    pending
}

/// The state the job or crawler a condition watches ended in, in this run:
/// that of its latest action, once over.
fn ended_in(run: &WorkflowRun, c: &Condition) -> Option<String> {
    let (kind, name) = c.watched()?;
    run.actions
        .iter()
        .rev()
        .find(|a| a.kind == kind && a.name == name)
        .filter(|a| !a.is_live())
        .map(|a| a.state.clone())
}

/// Fires the run's ACTIVATED conditional triggers that have not fired and
/// whose predicates hold.
fn claim_ready(run: &mut WorkflowRun) -> Vec<Pending> {
    let mut pending = Vec::new();
    for t in run.triggers.clone() {
        let ready = t.trigger_type == TriggerType::Conditional
            && t.state == TriggerState::Activated
            && !run.fired.contains(&t.name)
            && t.predicate
                .as_ref()
                .is_some_and(|p| triggers::holds(p, |c| ended_in(run, c)));
        if ready {
            tracing::info!(target: "lakestack::glue", workflow = %run.workflow_name, run_id = %run.id, trigger = %t.name, "trigger fired in workflow run");
            pending.extend(claim(run, &t));
        }
    }
    pending
}

impl Catalog {
    /// Applies `update` to a run, fires what may fire, ends the run if
    /// nothing is under way any more, and starts what fired.
    pub(crate) fn advance(self: &Arc<Self>, workflow: &str, run_id: &str, update: impl FnOnce(&mut WorkflowRun)) {
        let now = self.now_ms();
        let moved = self.store.write(|tx| {
            let Some(mut run) = Store::get_workflow_run(tx, workflow, run_id)? else {
                return Ok(None);
            };
            let before = run.status;
            update(&mut run);
            let pending = if run.status == WorkflowRunStatus::Running {
                claim_ready(&mut run)
            } else {
                Vec::new()
            };
            if pending.is_empty() && !run.has_live_actions() {
                let end = match run.status {
                    WorkflowRunStatus::Running => Some(WorkflowRunStatus::Completed),
                    WorkflowRunStatus::Stopping => Some(WorkflowRunStatus::Stopped),
                    _ => None,
                };
                if let Some(end) = end {
                    run.status = end;
                    run.completed_on = Some(now);
                }
            }
            Store::update_workflow_run(tx, &run)?;
            Ok(Some((run, before, pending)))
        });
        match moved {
            Ok(Some((run, before, pending))) => {
                if run.status != before {
                    self.announce_run(&run);
                }
                if !pending.is_empty() {
                    self.start_pending(workflow, run_id, pending);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(workflow, run_id, error = %e, "could not record a workflow run's progress"),
        }
    }

    /// Starts the actions a run recorded, then lets the run move on (it may
    /// be over if none could start).
    pub(crate) fn start_pending(self: &Arc<Self>, workflow: &str, run_id: &str, pending: Vec<Pending>) {
        for p in pending {
            let origin = Origin {
                trigger: Some(p.trigger.clone()),
                slot: Some(RunSlot {
                    workflow: workflow.to_owned(),
                    run_id: run_id.to_owned(),
                    index: p.index,
                }),
            };
            if let Err(e) = self.start_action(&p.action, &origin) {
                tracing::warn!(target: "lakestack::glue", workflow, run_id, trigger = %p.trigger, error = %e, "a workflow run's action did not start");
                self.advance(workflow, run_id, |run| {
                    // A run being stopped refuses new starts: those are stopped, not errors.
                    let state = if run.status == WorkflowRunStatus::Running {
                        RunAction::ERROR
                    } else {
                        "STOPPED"
                    };
                    if let Some(a) = run.actions.get_mut(p.index) {
                        a.state = state.to_owned();
                        a.error_message = Some(e.to_string());
                    }
                });
            }
        }
        self.advance(workflow, run_id, |_| {});
    }

    /// Records that an action of a run ended as `state`; `retry` names the
    /// job run retrying it, when the job's MaxRetries start one (the action
    /// goes on as that attempt).
    pub(crate) fn action_ended(
        self: &Arc<Self>,
        (workflow, run_id): (&str, &str),
        (kind, id): (NodeType, &str),
        state: &str,
        error: Option<&str>,
        retry: Option<&str>,
    ) {
        self.advance(workflow, run_id, |run| {
            let Some(a) = run
                .actions
                .iter_mut()
                .find(|a| a.kind == kind && a.ids.iter().any(|i| i == id))
            else {
                return;
            };
            match retry {
                Some(next) => {
                    a.ids.push(next.to_owned());
                    a.state = "STARTING".into();
                }
                None => {
                    a.state = state.to_owned();
                    a.error_message = error.map(str::to_owned);
                }
            }
        });
    }

    pub(crate) fn announce_run(&self, run: &WorkflowRun) {
        tracing::info!(target: "lakestack::glue", workflow = %run.workflow_name, run_id = %run.id, status = %run.status, "workflow run");
        self.emit(CatalogEvent::WorkflowRunStateChanged {
            workflow_name: run.workflow_name.clone(),
            run_id: run.id.clone(),
            status: run.status,
        });
    }
}
