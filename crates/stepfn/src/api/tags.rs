//! Tags on state machines and activities.

use lakestack_aws_protocol::Output;

use super::SPEC;
use super::dto::{
    ListTagsForResourceInput, ListTagsForResourceOutput, Tag, TagResourceInput, UntagResourceInput, tag_pairs,
};
use super::members::Answer;
use crate::service::StepFunctions;

pub(super) fn tag(s: &StepFunctions, req: TagResourceInput) -> Answer {
    s.tag(
        SPEC.required(req.resource_arn.as_deref(), "resourceArn")?,
        &tag_pairs(req.tags),
    )?;
    Ok(Output::empty_members())
}

pub(super) fn untag(s: &StepFunctions, req: UntagResourceInput) -> Answer {
    let keys = req.tag_keys.unwrap_or_default();
    s.untag(SPEC.required(req.resource_arn.as_deref(), "resourceArn")?, &keys)?;
    Ok(Output::empty_members())
}

pub(super) fn list(s: &StepFunctions, req: ListTagsForResourceInput) -> Answer {
    let tags = s
        .tags(SPEC.required(req.resource_arn.as_deref(), "resourceArn")?)?
        .into_iter()
        .map(|(key, value)| Tag {
            key: Some(key),
            value: Some(value),
        })
        .collect();
    Output::of(&ListTagsForResourceOutput { tags })
}
