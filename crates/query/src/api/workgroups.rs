//! Work groups: where queries' results go by default, whether that wins
//! over the request's, and whether the group takes queries at all.
//! `primary` always exists and cannot be deleted.

use lakestack_aws_protocol::{Output, paging};
use serde::{Deserialize, Serialize};

use super::dto::{self, WorkGroupConfiguration, WorkGroupSummary};
use super::{Reply, SPEC, page_size, required};
use crate::engine::QueryEngine;
use crate::resources::WorkGroup;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct CreateWorkGroupInput {
    /// 1 to 128 of `[a-zA-Z0-9._-]`; the engine checks.
    name: String,
    description: Option<String>,
    configuration: Option<WorkGroupConfiguration>,
}

pub(super) fn create(engine: &QueryEngine, i: CreateWorkGroupInput) -> Reply {
    let conf = i.configuration.unwrap_or_default();
    engine.create_workgroup(WorkGroup {
        name: i.name,
        description: i.description.unwrap_or_default(),
        output_location: conf.result_configuration.and_then(|r| r.output_location),
        enforce: conf.enforce_work_group_configuration.unwrap_or(false),
        ..WorkGroup::default()
    })?;
    Ok(Output::empty_members())
}

/// The input of GetWorkGroup and DeleteWorkGroup: one work group, by name.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct WorkGroupNameInput {
    /// Required.
    work_group: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetWorkGroupOutput {
    work_group: dto::WorkGroup,
}

pub(super) fn get(engine: &QueryEngine, i: WorkGroupNameInput) -> Reply {
    let w = engine.workgroup(&required(i.work_group, "workGroup")?)?;
    Output::of(&GetWorkGroupOutput { work_group: w.into() })
}

pub(super) fn delete(engine: &QueryEngine, i: WorkGroupNameInput) -> Reply {
    engine.delete_workgroup(&required(i.work_group, "workGroup")?)?;
    Ok(Output::empty_members())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct ListWorkGroupsInput {
    next_token: Option<String>,
    /// 1 to 50, default 50.
    max_results: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListWorkGroupsOutput {
    work_groups: Vec<WorkGroupSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Work groups in name order, paged by name.
pub(super) fn list(engine: &QueryEngine, i: ListWorkGroupsInput) -> Reply {
    let max = page_size(i.max_results, 50, 50)?;
    let (groups, next_token) = paging::page_from(
        &SPEC,
        engine.list_workgroups()?,
        |w| w.name.clone(),
        i.next_token.as_deref(),
        max,
    )?;
    Output::of(&ListWorkGroupsOutput {
        work_groups: groups.into_iter().map(WorkGroupSummary::from).collect(),
        next_token,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(super) struct UpdateWorkGroupInput {
    work_group: String,
    description: Option<String>,
    /// ENABLED or DISABLED; the engine checks.
    state: Option<String>,
    configuration_updates: Option<WorkGroupConfigurationUpdates>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct WorkGroupConfigurationUpdates {
    enforce_work_group_configuration: Option<bool>,
    result_configuration_updates: Option<ResultConfigurationUpdates>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ResultConfigurationUpdates {
    output_location: Option<String>,
    /// Drops the location; an `OutputLocation` beside it still sets one.
    remove_output_location: Option<bool>,
}

/// Changes only what the request names.
pub(super) fn update(engine: &QueryEngine, i: UpdateWorkGroupInput) -> Reply {
    engine.update_workgroup(&i.work_group, |w| {
        if let Some(d) = i.description {
            w.description = d;
        }
        if let Some(s) = i.state {
            w.state = s;
        }
        let Some(u) = i.configuration_updates else {
            return;
        };
        if let Some(e) = u.enforce_work_group_configuration {
            w.enforce = e;
        }
        if let Some(r) = u.result_configuration_updates {
            if r.remove_output_location.unwrap_or(false) {
                w.output_location = None;
            }
            if let Some(o) = r.output_location {
                w.output_location = Some(o);
            }
        }
    })?;
    Ok(Output::empty_members())
}
