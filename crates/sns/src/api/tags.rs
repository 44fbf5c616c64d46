//! TagResource, UntagResource, ListTagsForResource: tags on topics.

use lakestack_aws_protocol::{Output, ServiceError};

use super::dto::{ListTagsResponse, ResourceRequest, Tag, TagResourceRequest, TagWire, UntagResourceRequest};
use super::{Answer, SPEC};
use crate::service::Sns;

/// Tags as sent, each with its key (a value may be left out: empty).
pub(super) fn read(tags: Vec<TagWire>) -> Result<Vec<(String, String)>, ServiceError> {
    tags.into_iter()
        .enumerate()
        .map(|(i, t)| {
            let key = SPEC.required(t.key, &format!("tags.{}.member.key", i + 1))?;
            Ok((key, t.value.unwrap_or_default()))
        })
        .collect()
}

pub(super) fn tag(s: &Sns, req: TagResourceRequest) -> Answer {
    let arn = SPEC.required(req.resource_arn, "resourceArn")?;
    let tags = read(SPEC.required(req.tags, "tags")?)?;
    s.tag(&arn, &tags)?;
    Ok(Output::empty_members())
}

pub(super) fn untag(s: &Sns, req: UntagResourceRequest) -> Answer {
    let arn = SPEC.required(req.resource_arn, "resourceArn")?;
    let keys = SPEC.required(req.tag_keys, "tagKeys")?;
    s.untag(&arn, &keys)?;
    Ok(Output::empty_members())
}

pub(super) fn list(s: &Sns, req: ResourceRequest) -> Answer {
    let tags = s.tags(&SPEC.required(req.resource_arn, "resourceArn")?)?;
    Output::of(&ListTagsResponse {
        tags: tags.into_iter().map(|(key, value)| Tag { key, value }).collect(),
    })
}
