//! Triggers: CreateTrigger, GetTrigger, GetTriggers, ListTriggers,
//! BatchGetTriggers, UpdateTrigger, DeleteTrigger, StartTrigger, StopTrigger.

use std::sync::Arc;

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Output, ServiceError};
use serde::{Deserialize, Serialize};

use super::{Answer, NameRequest, SPEC, convert, dto, found_or_missing, page_within, tagged};
use crate::model::{Trigger, TriggerType};
use crate::{Catalog, CatalogError};

/// GetTriggers and ListTriggers answer at most 200 a page, 100 unless asked.
const PAGE: (usize, usize) = (100, 200);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateTriggerRequest {
    name: Option<String>,
    workflow_name: Option<String>,
    r#type: Option<String>,
    schedule: Option<String>,
    predicate: Option<dto::Predicate>,
    actions: Option<Vec<dto::Action>>,
    description: Option<String>,
    #[serde(default)]
    start_on_creation: bool,
    #[serde(default)]
    tags: dto::Params,
    event_batching_condition: Option<dto::EventBatchingCondition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TriggersPageRequest {
    next_token: Option<String>,
    dependent_job_name: Option<String>,
    max_results: Option<i64>,
    #[serde(default)]
    tags: dto::Params,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchGetTriggersRequest {
    trigger_names: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateTriggerRequest {
    name: Option<String>,
    trigger_update: Option<dto::TriggerUpdate>,
}

unscoped!(
    CreateTriggerRequest,
    TriggersPageRequest,
    BatchGetTriggersRequest,
    UpdateTriggerRequest
);

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NameResponse {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TriggerResponse {
    trigger: dto::Trigger,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetTriggersResponse {
    triggers: Vec<dto::Trigger>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListTriggersResponse {
    trigger_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetTriggersResponse {
    triggers: Vec<dto::Trigger>,
    triggers_not_found: Vec<String>,
}

fn named(r: &NameRequest) -> Result<&str, ServiceError> {
    SPEC.required(r.name.as_deref(), "name")
}

pub(super) fn create(c: &Catalog, r: CreateTriggerRequest) -> Answer {
    let name = SPEC.required(r.name, "name")?;
    let kind = SPEC.required(r.r#type, "type")?;
    let trigger_type = TriggerType::parse(&kind)
        .ok_or_else(|| CatalogError::invalid(Violation::one_of("type", &kind, &TriggerType::NAMES)))?;
    let actions = SPEC.required(r.actions, "actions")?;
    let trigger = Trigger {
        name: name.clone(),
        workflow_name: r.workflow_name,
        trigger_type,
        description: r.description,
        schedule: r.schedule,
        actions: actions.into_iter().map(convert::action_in).collect(),
        predicate: r.predicate.map(convert::predicate_in),
        event_batching_condition: r.event_batching_condition.map(convert::batching_in).transpose()?,
        ..Trigger::default()
    };
    c.create_trigger(trigger, r.start_on_creation, r.tags.into_iter().collect())?;
    Output::of(&NameResponse { name })
}

pub(super) fn get(c: &Catalog, r: NameRequest) -> Answer {
    let trigger = c.get_trigger(named(&r)?)?;
    Output::of(&TriggerResponse {
        trigger: convert::trigger_out(&trigger),
    })
}

/// The triggers `DependentJobName` asks for: "The trigger that can start
/// this job is returned, and if there is no such trigger, all triggers are
/// returned."
fn dependent_on(all: Vec<Trigger>, job: Option<&str>) -> Vec<Trigger> {
    let Some(job) = job else { return all };
    let starting: Vec<Trigger> = all
        .iter()
        .filter(|t| t.actions.iter().any(|a| a.job_name.as_deref() == Some(job)))
        .cloned()
        .collect();
    if starting.is_empty() { all } else { starting }
}

pub(super) fn list(c: &Catalog, r: TriggersPageRequest) -> Answer {
    let all = dependent_on(c.list_triggers()?, r.dependent_job_name.as_deref());
    let (triggers, next_token) = page_within(all, r.next_token.as_deref(), r.max_results, PAGE, |t| &t.name)?;
    Output::of(&GetTriggersResponse {
        triggers: triggers.iter().map(convert::trigger_out).collect(),
        next_token,
    })
}

/// ListTriggers: the names, of the triggers that have every tag asked for.
pub(super) fn names(c: &Catalog, r: TriggersPageRequest) -> Answer {
    let all = dependent_on(c.list_triggers()?, r.dependent_job_name.as_deref());
    let all = tagged(c, all, &r.tags, |t| c.trigger_arn(&t.name))?;
    let (triggers, next_token) = page_within(all, r.next_token.as_deref(), r.max_results, PAGE, |t| &t.name)?;
    Output::of(&ListTriggersResponse {
        trigger_names: triggers.into_iter().map(|t| t.name).collect(),
        next_token,
    })
}

pub(super) fn batch_get(c: &Catalog, r: BatchGetTriggersRequest) -> Answer {
    let names = SPEC.required(r.trigger_names, "triggerNames")?;
    let (found, triggers_not_found) = found_or_missing(names, |name| c.get_trigger(name))?;
    Output::of(&BatchGetTriggersResponse {
        triggers: found.iter().map(convert::trigger_out).collect(),
        triggers_not_found,
    })
}

pub(super) fn update(c: &Catalog, r: UpdateTriggerRequest) -> Answer {
    let name = SPEC.required(r.name.as_deref(), "name")?;
    let u = SPEC.required(r.trigger_update, "triggerUpdate")?;
    let batching = u.event_batching_condition.map(convert::batching_in).transpose()?;
    let trigger = c.update_trigger(name, |t| {
        if u.description.is_some() {
            t.description = u.description;
        }
        if u.schedule.is_some() {
            t.schedule = u.schedule;
        }
        if let Some(actions) = u.actions {
            t.actions = actions.into_iter().map(convert::action_in).collect();
        }
        if let Some(p) = u.predicate {
            t.predicate = Some(convert::predicate_in(p));
        }
        if batching.is_some() {
            t.event_batching_condition = batching;
        }
    })?;
    Output::of(&TriggerResponse {
        trigger: convert::trigger_out(&trigger),
    })
}

pub(super) fn delete(c: &Catalog, r: NameRequest) -> Answer {
    let name = named(&r)?.to_owned();
    c.delete_trigger(&name)?;
    Output::of(&NameResponse { name })
}

pub(super) fn start(c: &Arc<Catalog>, r: NameRequest) -> Answer {
    let name = named(&r)?.to_owned();
    c.start_trigger(&name)?;
    Output::of(&NameResponse { name })
}

pub(super) fn stop(c: &Catalog, r: NameRequest) -> Answer {
    let name = named(&r)?.to_owned();
    c.stop_trigger(&name)?;
    Output::of(&NameResponse { name })
}
