//! Tags on buses and rules, addressed by ARN.

use std::collections::BTreeMap;

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};
use serde_json::json;

use super::dto::{Tag, TagResourceRequest, tags_out};
use super::{Answer, required, violation};
use crate::error::EventsError;
use crate::names;
use crate::service::{Events, LIMIT_EXCEEDED, MAX_TAGS};

/// Reads a Tags list (keys 1-128, values 0-256 characters).
pub(super) fn read(tags: Option<Vec<Tag>>) -> Result<BTreeMap<String, String>, lakestack_aws_protocol::ServiceError> {
    let mut out = BTreeMap::new();
    for t in tags.unwrap_or_default() {
        if t.key.is_empty() || t.key.chars().count() > 128 {
            return Err(violation(Violation::len_between(
                "tags.member.key",
                Shown::Value(t.key),
                1,
                128,
            )));
        }
        if t.value.chars().count() > 256 {
            return Err(violation(Violation::max_len(
                "tags.member.value",
                Shown::Value(t.value),
                256,
            )));
        }
        out.insert(t.key, t.value);
    }
    if out.len() > MAX_TAGS {
        return Err(EventsError::LimitExceeded(LIMIT_EXCEEDED.into()).into());
    }
    Ok(out)
}

/// What a taggable ARN names: a bus, or a rule on a bus.
enum Taggable {
    Bus(String),
    Rule { bus: String, name: String },
}

fn resolve(arn: &str) -> Result<Taggable, EventsError> {
    let not_found = || EventsError::ResourceNotFound(format!("Resource {arn} does not exist."));
    let parts = names::arn_parts(arn)
        .filter(|p| p.service == "events")
        .ok_or_else(not_found)?;
    if let Some(bus) = parts.resource.strip_prefix("event-bus/") {
        return Ok(Taggable::Bus(bus.to_string()));
    }
    let rule = parts.resource.strip_prefix("rule/").ok_or_else(not_found)?;
    Ok(match rule.rsplit_once('/') {
        Some((bus, name)) => Taggable::Rule {
            bus: bus.to_string(),
            name: name.to_string(),
        },
        None => Taggable::Rule {
            bus: names::DEFAULT_BUS.to_string(),
            name: rule.to_string(),
        },
    })
}

async fn change(
    e: &Events,
    arn: &str,
    f: impl FnOnce(&mut BTreeMap<String, String>) -> Result<(), EventsError>,
) -> Result<(), EventsError> {
    match resolve(arn)? {
        Taggable::Bus(bus) => e.update_bus(&bus, |b| f(&mut b.tags)).await.map(drop),
        Taggable::Rule { bus, name } => e.update_rule(&bus, &name, |r| f(&mut r.tags)).await.map(drop),
    }
}

pub(super) async fn tag(e: &Events, r: TagResourceRequest) -> Answer {
    let arn = required(r.resource_arn, "resourceARN")?;
    let tags = read(Some(required(r.tags, "tags")?))?;
    change(e, &arn, |current| {
        current.extend(tags);
        if current.len() > MAX_TAGS {
            return Err(EventsError::LimitExceeded(LIMIT_EXCEEDED.into()));
        }
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) async fn untag(e: &Events, r: TagResourceRequest) -> Answer {
    let arn = required(r.resource_arn, "resourceARN")?;
    let keys = required(r.tag_keys, "tagKeys")?;
    change(e, &arn, |current| {
        for k in &keys {
            current.remove(k);
        }
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) fn list(e: &Events, r: TagResourceRequest) -> Answer {
    let arn = required(r.resource_arn, "resourceARN")?;
    let tags = match resolve(&arn)? {
        Taggable::Bus(bus) => e.describe_bus(&bus)?.tags,
        Taggable::Rule { bus, name } => e.describe_rule(&bus, &name)?.tags,
    };
    Ok(Output::members(json!({ "Tags": tags_out(&tags) })))
}
