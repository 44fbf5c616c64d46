//! Tags, which only schedule groups carry, addressed by the group's ARN:
//! TagResource, UntagResource, ListTagsForResource.

use std::collections::BTreeMap;

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::dto::{Tag, TagsRequest, TagsResponse};
use super::{Answer, Refusal, length, required, violation};
use crate::service::Events;

/// Tags per request (the model's TagList and TagKeyList).
const MAX_TAGS: usize = 200;
const ARN_PATTERN: &str = r"^arn:aws(-[a-z]+)?:scheduler:[a-z0-9\-]+:\d{12}:schedule-group\/[0-9a-zA-Z-_.]+$";

/// Reads a Tags list: keys 1-128 characters, values 1-256.
pub(super) fn read(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, Refusal> {
    if tags.len() > MAX_TAGS {
        return Err(violation(Violation::new(
            "tags",
            Shown::Hidden,
            format!("Member must have length less than or equal to {MAX_TAGS}"),
        )));
    }
    let mut out = BTreeMap::new();
    for (i, t) in tags.into_iter().enumerate() {
        let key = required(t.key, &format!("tags.{}.member.key", i + 1))?;
        length(&key, &format!("tags.{}.member.key", i + 1), 1, 128)?;
        let value = required(t.value, &format!("tags.{}.member.value", i + 1))?;
        length(&value, &format!("tags.{}.member.value", i + 1), 1, 256)?;
        out.insert(key, value);
    }
    Ok(out)
}

/// The group a taggable ARN names: only `schedule-group/<name>` ARNs are.
fn group_of(arn: Option<String>) -> Result<String, Refusal> {
    let arn = required(arn, "resourceArn")?;
    length(&arn, "resourceArn", 1, 1011)?;
    let group = crate::names::arn_parts(&arn)
        .filter(|p| p.service == "scheduler" && p.account.len() == 12 && p.account.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.resource.strip_prefix("schedule-group/"))
        .filter(|g| crate::names::valid_schedule_name(g))
        .map(str::to_string);
    group.ok_or_else(|| violation(Violation::pattern("resourceArn", Shown::Value(arn), ARN_PATTERN)))
}

pub(super) async fn tag(e: &Events, r: TagsRequest) -> Answer {
    let group = group_of(r.resource_arn)?;
    let tags = read(required(r.tags, "tags")?)?;
    e.change_schedule_group_tags(&group, |current| {
        current.extend(tags);
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) async fn untag(e: &Events, r: TagsRequest) -> Answer {
    let group = group_of(r.resource_arn)?;
    let keys = required(r.tag_keys, "tagKeys")?;
    if keys.len() > MAX_TAGS {
        return Err(violation(Violation::new(
            "tagKeys",
            Shown::Hidden,
            format!("Member must have length less than or equal to {MAX_TAGS}"),
        )));
    }
    e.change_schedule_group_tags(&group, |current| {
        for k in &keys {
            current.remove(k);
        }
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) fn list(e: &Events, r: TagsRequest) -> Answer {
    let group = group_of(r.resource_arn)?;
    let tags = e
        .schedule_group(&group)?
        .tags
        .into_iter()
        .map(|(k, v)| Tag {
            key: Some(k),
            value: Some(v),
        })
        .collect();
    Ok(Output::of(&TagsResponse { tags })?)
}
