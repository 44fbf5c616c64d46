//! What Glue checks in a trigger's definition, and where it may belong.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_compat::cron;
use rusqlite::Connection;

use crate::GLUE_MIN_INTERVAL_MINUTES;
use crate::error::{CatalogError, Result};
use crate::model::{Condition, EventBatchingCondition, Predicate, Trigger, TriggerAction, TriggerType};
use crate::names;
use crate::store::Store;

/// The states a condition may name (Glue's `JobRunState`); triggers only
/// ever see SUCCEEDED, STOPPED, FAILED and TIMEOUT.
const JOB_STATES: [&str; 10] = [
    "STARTING",
    "RUNNING",
    "STOPPING",
    "STOPPED",
    "SUCCEEDED",
    "FAILED",
    "TIMEOUT",
    "ERROR",
    "WAITING",
    "EXPIRED",
];
/// Glue's `CrawlState`; triggers only ever see SUCCEEDED, FAILED and CANCELLED.
const CRAWL_STATES: [&str; 6] = ["RUNNING", "CANCELLING", "CANCELLED", "SUCCEEDED", "FAILED", "ERROR"];

fn invalid(message: impl Into<String>) -> CatalogError {
    CatalogError::InvalidInput(message.into())
}

fn one_of(member: &str, value: &str, allowed: &[&str]) -> CatalogError {
    CatalogError::invalid(Violation::one_of(member, value, allowed))
}

pub(super) fn trigger(t: &Trigger) -> Result<()> {
    names::check(&t.name, "name")?;
    if let Some(w) = &t.workflow_name {
        names::check(w, "workflowName")?;
    }
    if let Some(d) = &t.description
        && d.len() > 2048
    {
        return Err(CatalogError::invalid(Violation::max_len(
            "description",
            Shown::Value(d.clone()),
            2048,
        )));
    }
    // Glue's quotas: 50 jobs and 2 crawlers a trigger starts, 50 it watches;
    // they also bound the work of every firing and graph.
    if t.actions.is_empty() {
        return Err(invalid("A trigger needs at least one action."));
    }
    let crawlers = t.actions.iter().filter(|a| a.crawler_name.is_some()).count();
    if t.actions.len() - crawlers > MAX_JOB_ACTIONS || crawlers > MAX_CRAWLER_ACTIONS {
        return Err(CatalogError::ResourceNumberLimitExceeded(format!(
            "A trigger starts at most {MAX_JOB_ACTIONS} jobs and {MAX_CRAWLER_ACTIONS} crawlers."
        )));
    }
    if t.predicate
        .as_ref()
        .is_some_and(|p| p.conditions.len() > MAX_CONDITIONS)
    {
        return Err(CatalogError::ResourceNumberLimitExceeded(format!(
            "A trigger's predicate has at most {MAX_CONDITIONS} conditions."
        )));
    }
    for a in &t.actions {
        action(a)?;
    }
    match t.trigger_type {
        TriggerType::Scheduled => {
            let schedule = t
                .schedule
                .as_deref()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| invalid("Schedule is required for a SCHEDULED trigger."))?;
            cron::Schedule::parse(schedule, GLUE_MIN_INTERVAL_MINUTES).map_err(CatalogError::InvalidInput)?;
        }
        TriggerType::Conditional => {
            predicate(
                t.predicate
                    .as_ref()
                    .ok_or_else(|| invalid("Predicate is required for a CONDITIONAL trigger."))?,
            )?;
        }
        TriggerType::Event => {
            if t.workflow_name.is_none() {
                return Err(invalid("An EVENT trigger starts a workflow: WorkflowName is required."));
            }
            if let Some(b) = &t.event_batching_condition {
                batching(b)?;
            }
        }
        TriggerType::OnDemand => {}
    }
    Ok(())
}

/// Glue's "Jobs per trigger" and "Crawlers per trigger" quotas, and the
/// conditions a predicate may watch.
const MAX_JOB_ACTIONS: usize = 50;
const MAX_CRAWLER_ACTIONS: usize = 2;
const MAX_CONDITIONS: usize = 50;
/// A job run's longest Timeout, in minutes (seven days).
const MAX_TIMEOUT_MINUTES: i32 = 10_080;

fn action(a: &TriggerAction) -> Result<()> {
    if a.job_name.is_some() == a.crawler_name.is_some() {
        return Err(invalid("An action names either a JobName or a CrawlerName."));
    }
    if let Some(t) = a.timeout
        && !(1..=MAX_TIMEOUT_MINUTES).contains(&t)
    {
        return Err(CatalogError::invalid(Violation::range(
            "actions.member.timeout",
            t,
            1,
            i64::from(MAX_TIMEOUT_MINUTES),
        )));
    }
    Ok(())
}

fn predicate(p: &Predicate) -> Result<()> {
    if p.conditions.is_empty() {
        return Err(invalid("A predicate needs at least one condition."));
    }
    match p.logical.as_deref() {
        None if p.conditions.len() > 1 => {
            return Err(invalid(
                "Logical (AND or ANY) is required when a predicate has several conditions.",
            ));
        }
        Some(l) if !matches!(l, "AND" | "ANY") => return Err(one_of("predicate.logical", l, &["AND", "ANY"])),
        _ => {}
    }
    p.conditions.iter().try_for_each(condition)
}

fn condition(c: &Condition) -> Result<()> {
    if let Some(op) = c.logical_operator.as_deref()
        && op != "EQUALS"
    {
        return Err(one_of("predicate.conditions.member.logicalOperator", op, &["EQUALS"]));
    }
    match (&c.job_name, &c.crawler_name) {
        (Some(_), None) => {
            let state = c
                .state
                .as_deref()
                .ok_or_else(|| invalid("A condition on a job needs the State it waits for."))?;
            if !JOB_STATES.contains(&state) {
                return Err(one_of("predicate.conditions.member.state", state, &JOB_STATES));
            }
        }
        (None, Some(_)) => {
            let state = c
                .crawl_state
                .as_deref()
                .ok_or_else(|| invalid("A condition on a crawler needs the CrawlState it waits for."))?;
            if !CRAWL_STATES.contains(&state) {
                return Err(one_of("predicate.conditions.member.crawlState", state, &CRAWL_STATES));
            }
        }
        _ => return Err(invalid("A condition names either a JobName or a CrawlerName.")),
    }
    Ok(())
}

fn batching(b: &EventBatchingCondition) -> Result<()> {
    if !(1..=100).contains(&b.batch_size) {
        return Err(CatalogError::invalid(Violation::range(
            "eventBatchingCondition.batchSize",
            b.batch_size,
            1,
            100,
        )));
    }
    if let Some(w) = b.batch_window
        && !(1..=900).contains(&w)
    {
        return Err(CatalogError::invalid(Violation::range(
            "eventBatchingCondition.batchWindow",
            w,
            1,
            900,
        )));
    }
    Ok(())
}

/// A trigger's workflow must exist and, as "only one starting trigger is
/// permitted", have no other start trigger when this one is one.
pub(super) fn place(c: &Connection, t: &Trigger) -> Result<()> {
    let Some(workflow) = &t.workflow_name else {
        return Ok(());
    };
    if Store::get_workflow(c, workflow)?.is_none() {
        return Err(invalid(format!("Workflow {workflow} does not exist.")));
    }
    if t.trigger_type.starts_workflow()
        && let Some(other) = Store::workflow_triggers(c, workflow)?
            .into_iter()
            .find(|o| o.name != t.name && o.trigger_type.starts_workflow())
    {
        return Err(invalid(format!(
            "Workflow {workflow} already has a start trigger ({}): a workflow has only one.",
            other.name
        )));
    }
    Ok(())
}
