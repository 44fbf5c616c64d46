//! Tags on log groups, by ARN (TagResource) and by name (the older
//! TagLogGroup, which AWS deprecates but the CLI still offers).

use lakestack_aws_protocol::Output;

use super::Answer;
use super::SPEC;
use super::dto::{
    LogGroupNameRequest, ResourceArnRequest, TagLogGroupRequest, TagResourceRequest, TagsResponse,
    UntagLogGroupRequest, UntagResourceRequest,
};
use super::members;
use crate::error::LogsError;
use crate::names;
use crate::service::Logs;

/// The log group a resource ARN names; other resources (destinations,
/// delivery sources) lakestack does not have.
fn group_of(arn: Option<String>) -> Result<String, lakestack_aws_protocol::ServiceError> {
    let arn = SPEC.required(arn, "resourceArn")?;
    names::group_of_arn(&arn).ok_or_else(|| LogsError::no_group().into())
}

fn listed(tags: Vec<(String, String)>) -> Answer {
    Output::of(&TagsResponse {
        tags: tags.into_iter().collect(),
    })
}

pub(super) fn tag_resource(l: &Logs, req: TagResourceRequest) -> Answer {
    let group = group_of(req.resource_arn)?;
    let tags = members::tags(Some(SPEC.required(req.tags, "tags")?), "tags")?;
    l.tag(&group, &tags)?;
    Ok(Output::empty_members())
}

pub(super) fn untag_resource(l: &Logs, req: UntagResourceRequest) -> Answer {
    let group = group_of(req.resource_arn)?;
    l.untag(&group, &SPEC.required(req.tag_keys, "tagKeys")?)?;
    Ok(Output::empty_members())
}

pub(super) fn list_for_resource(l: &Logs, req: ResourceArnRequest) -> Answer {
    listed(l.tags(&group_of(req.resource_arn)?)?)
}

pub(super) fn tag_group(l: &Logs, req: TagLogGroupRequest) -> Answer {
    let group = members::group_name(req.log_group_name)?;
    let tags = members::tags(Some(SPEC.required(req.tags, "tags")?), "tags")?;
    l.tag(&group, &tags)?;
    Ok(Output::empty_members())
}

pub(super) fn untag_group(l: &Logs, req: UntagLogGroupRequest) -> Answer {
    let group = members::group_name(req.log_group_name)?;
    l.untag(&group, &SPEC.required(req.tags, "tags")?)?;
    Ok(Output::empty_members())
}

pub(super) fn list_for_group(l: &Logs, req: LogGroupNameRequest) -> Answer {
    listed(l.tags(&members::group_name(req.log_group_name)?)?)
}
