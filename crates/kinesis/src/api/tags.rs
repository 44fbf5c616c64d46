//! Tags, by stream (AddTagsToStream and friends) and by ARN (TagResource
//! and friends, which name a stream or a consumer's stream).

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::dto;
use super::{Answer, bounded, invalid, required, stream_name, violation};
use crate::service::Kinesis;

pub(super) async fn add(k: &Kinesis, r: dto::AddTagsRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let tags = required(r.tags, "tags")?;
    if tags.is_empty() || tags.len() > 10 {
        return Err(violation(Violation::len_between("tags", Shown::Hidden, 1, 10)));
    }
    k.add_tags(&name, tags).await?;
    Ok(Output::empty_members())
}

pub(super) async fn remove(k: &Kinesis, r: dto::RemoveTagsRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let keys = required(r.tag_keys, "tagKeys")?;
    if keys.is_empty() || keys.len() > 50 {
        return Err(violation(Violation::len_between("tagKeys", Shown::Hidden, 1, 50)));
    }
    k.remove_tags(&name, &keys).await?;
    Ok(Output::empty_members())
}

fn tags_out<'a>(tags: impl Iterator<Item = (&'a String, &'a String)>) -> Vec<dto::Tag> {
    tags.map(|(k, v)| dto::Tag {
        key: k.clone(),
        value: Some(v.clone()),
    })
    .collect()
}

pub(super) fn list(k: &Kinesis, r: dto::ListTagsForStreamRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let limit = bounded(r.limit, "limit", 1, 50, 50)? as usize;
    let s = k.stream(&name)?;
    let after = r.exclusive_start_tag_key.as_deref();
    let mut rest = s.tags.iter().filter(|(key, _)| after.is_none_or(|a| key.as_str() > a));
    let tags = tags_out(rest.by_ref().take(limit));
    Output::of(&dto::ListTagsForStreamResponse {
        tags,
        has_more_tags: rest.next().is_some(),
    })
}

/// The stream a `ResourceARN` names (a stream, or a consumer of one).
fn stream_of_resource(k: &Kinesis, arn: Option<String>) -> Result<String, super::ServiceError> {
    let arn = required(arn, "resourceARN")?;
    let stream_arn = arn.split_once("/consumer/").map_or(arn.as_str(), |(s, _)| s);
    k.name_of_arn(stream_arn)
        .ok_or_else(|| invalid(format!("Invalid ResourceARN {arn}")))
}

pub(super) async fn tag_resource(k: &Kinesis, r: dto::TagResourceRequest) -> Answer {
    let name = stream_of_resource(k, r.resource_arn)?;
    let tags = required(r.tags, "tags")?;
    k.add_tags(&name, tags).await?;
    Ok(Output::empty_members())
}

pub(super) async fn untag_resource(k: &Kinesis, r: dto::TagResourceRequest) -> Answer {
    let name = stream_of_resource(k, r.resource_arn)?;
    let keys = required(r.tag_keys, "tagKeys")?;
    k.remove_tags(&name, &keys).await?;
    Ok(Output::empty_members())
}

pub(super) fn list_for_resource(k: &Kinesis, r: dto::TagResourceRequest) -> Answer {
    let name = stream_of_resource(k, r.resource_arn)?;
    let s = k.stream(&name)?;
    Output::of(&dto::ListTagsForResourceResponse {
        tags: tags_out(s.tags.iter()),
    })
}
