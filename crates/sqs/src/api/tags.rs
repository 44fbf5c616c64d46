//! TagQueue, UntagQueue, ListQueueTags.

use lakestack_aws_protocol::Output;

use super::dto::*;
use super::{Answer, Ctx};
use crate::error::SqsError;

pub(super) async fn tag(cx: &Ctx<'_>, r: TagQueueRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let tags = r
        .tags
        .filter(|t| !t.is_empty())
        .ok_or(SqsError::MissingParameter("Tags"))?;
    cx.sqs.tag(&q, &tags).await?;
    Ok(Output::empty_members())
}

pub(super) async fn untag(cx: &Ctx<'_>, r: UntagQueueRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let keys = r
        .tag_keys
        .filter(|k| !k.is_empty())
        .ok_or(SqsError::MissingParameter("TagKeys"))?;
    cx.sqs.untag(&q, &keys).await?;
    Ok(Output::empty_members())
}

pub(super) fn list(cx: &Ctx<'_>, r: QueueUrlRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let tags = cx.sqs.tags(&q);
    Output::of(&ListQueueTagsResult {
        tags: (!tags.is_empty()).then_some(tags),
    })
}
