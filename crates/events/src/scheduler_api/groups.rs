//! Schedule groups: CreateScheduleGroup, GetScheduleGroup,
//! DeleteScheduleGroup, ListScheduleGroups.

use lakestack_aws_protocol::{Output, paging};

use super::dto::{CreateGroupResponse, GroupRequest, ListGroupsRequest, ListGroupsResponse, ScheduleGroupOut};
use super::{Answer, SPEC, client_token, max_results, name, prefix, required, tags};
use crate::schedules::ScheduleGroup;
use crate::service::Events;

pub(super) async fn create(e: &Events, r: GroupRequest) -> Answer {
    let name = name(required(r.name, "name")?, "name")?;
    let token = client_token(r.client_token)?;
    let tags = tags::read(r.tags.unwrap_or_default())?;
    let group = e.create_schedule_group(&name, tags, token).await?;
    Ok(Output::of(&CreateGroupResponse {
        schedule_group_arn: group.arn,
    })?)
}

pub(super) fn get(e: &Events, r: GroupRequest) -> Answer {
    let name = name(required(r.name, "name")?, "name")?;
    Ok(Output::of(&out(e.schedule_group(&name)?))?)
}

pub(super) async fn delete(e: &Events, r: GroupRequest) -> Answer {
    let name = name(required(r.name, "name")?, "name")?;
    client_token(r.client_token)?;
    e.delete_schedule_group(&name).await?;
    Ok(Output::empty_members())
}

pub(super) fn list(e: &Events, r: ListGroupsRequest) -> Answer {
    let max = max_results(r.max_results)?;
    let prefix = prefix(r.name_prefix)?;
    let matching = e
        .schedule_groups()
        .into_iter()
        .filter(|g| prefix.as_deref().is_none_or(|p| g.name.starts_with(p)));
    let (page, next_token) = paging::page_from(&SPEC, matching, |g| g.name.clone(), r.next_token.as_deref(), max)?;
    Ok(Output::of(&ListGroupsResponse {
        next_token,
        schedule_groups: page.into_iter().map(out).collect(),
    })?)
}

/// A group as Get and List answer it: deletion is immediate here, so a
/// group that exists is always `ACTIVE`.
fn out(g: ScheduleGroup) -> ScheduleGroupOut {
    ScheduleGroupOut {
        arn: g.arn,
        creation_date: g.created_ms,
        last_modification_date: g.modified_ms,
        name: g.name,
        state: "ACTIVE".into(),
    }
}
