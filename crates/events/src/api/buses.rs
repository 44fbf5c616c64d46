//! Event buses and their resource policies.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, paging};
use serde_json::{Value, json};

use super::dto::{
    CreateEventBusRequest, DeadLetterConfig, EventBusOut, ListEventBusesRequest, NameRequest, PutPermissionRequest,
    RemovePermissionRequest, UpdateEventBusRequest,
};
use super::{Answer, SPEC, bus_of, limit, required, seconds, violation};
use crate::error::EventsError;
use crate::model::Bus;
use crate::names;
use crate::service::Events;

fn out(bus: Bus) -> EventBusOut {
    EventBusOut {
        name: bus.name,
        arn: bus.arn,
        description: bus.description,
        policy: bus.policy,
        dead_letter_config: bus.dead_letter_arn.map(|arn| DeadLetterConfig { arn: Some(arn) }),
        creation_time: seconds(bus.created_ms),
        last_modified_time: seconds(bus.modified_ms),
    }
}

pub(super) async fn create(e: &Events, r: CreateEventBusRequest) -> Answer {
    let name = required(r.name, "name")?;
    if name.contains('/') {
        return Err(EventsError::Validation("Event bus name must not contain '/'.".into()).into());
    }
    if !names::valid_bus_name(&name) {
        return Err(violation(Violation::pattern(
            "name",
            Shown::Value(name),
            r"[/\.\-_A-Za-z0-9]+",
        )));
    }
    if name.starts_with("aws.") {
        return Err(EventsError::Validation(format!("Event bus name {name} is not valid.")).into());
    }
    if r.event_source_name.is_some() {
        return Err(EventsError::ResourceNotFound(format!(
            "Event source {} does not exist.",
            r.event_source_name.unwrap_or_default()
        ))
        .into());
    }
    let tags = super::tags::read(r.tags)?;
    let bus = e
        .create_bus(&name, r.description, r.dead_letter_config.and_then(|d| d.arn), tags)
        .await?;
    let mut answer = json!({ "EventBusArn": bus.arn });
    if let Some(d) = bus.description {
        answer["Description"] = d.into();
    }
    Ok(Output::members(answer))
}

pub(super) fn describe(e: &Events, r: NameRequest) -> Answer {
    let bus = e.describe_bus(&bus_of(r.name.as_deref()))?;
    Output::of(&out(bus))
}

pub(super) fn list(e: &Events, r: ListEventBusesRequest) -> Answer {
    let max = limit(r.limit)?;
    let prefix = r.name_prefix.unwrap_or_default();
    let buses = e.list_buses().into_iter().filter(|b| b.name.starts_with(&prefix));
    let (page, next) = paging::page_from(&SPEC, buses, |b| b.name.clone(), r.next_token.as_deref(), max)?;
    let mut answer = json!({ "EventBuses": page.into_iter().map(out).collect::<Vec<_>>() });
    if let Some(t) = next {
        answer["NextToken"] = t.into();
    }
    Ok(Output::members(answer))
}

pub(super) async fn update(e: &Events, r: UpdateEventBusRequest) -> Answer {
    let name = bus_of(r.name.as_deref());
    let bus = e
        .update_bus(&name, |b| {
            if r.description.is_some() {
                b.description = r.description;
            }
            if let Some(d) = r.dead_letter_config {
                b.dead_letter_arn = d.arn;
            }
            Ok(())
        })
        .await?;
    let mut answer = json!({ "Arn": bus.arn, "Name": bus.name });
    if let Some(d) = bus.description {
        answer["Description"] = d.into();
    }
    Ok(Output::members(answer))
}

pub(super) async fn delete(e: &Events, r: NameRequest) -> Answer {
    e.delete_bus(&required(r.name, "name")?).await?;
    Ok(Output::empty_members())
}

/// PutPermission keeps the bus's policy document (one statement per
/// StatementId, or the whole `Policy`); lakestack answers it, never enforces it.
pub(super) async fn put_permission(e: &Events, r: PutPermissionRequest) -> Answer {
    let name = bus_of(r.event_bus_name.as_deref());
    let whole = r.policy.clone();
    let statement = match r.policy {
        Some(policy) => {
            serde_json::from_str::<Value>(&policy)
                .map_err(|_| EventsError::Validation("The policy is not valid JSON.".into()))?;
            None
        }
        None => {
            let sid = required(r.statement_id, "statementId")?;
            let principal = required(r.principal, "principal")?;
            let action = r.action.unwrap_or_else(|| "events:PutEvents".into());
            Some((sid, principal, action, r.condition))
        }
    };
    e.update_bus(&name, |b| {
        let mut doc: Value = b
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
        match statement {
            None => {
                b.policy = whole;
                return Ok(());
            }
            Some((sid, principal, action, condition)) => {
                let principal = if principal == "*" {
                    json!("*")
                } else {
                    json!({ "AWS": format!("arn:aws:iam::{principal}:root") })
                };
                let mut st = json!({
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": action,
                    "Resource": b.arn,
                });
                if let Some(c) = condition {
                    st["Condition"] = c;
                }
                if let Some(list) = doc["Statement"].as_array_mut() {
                    list.retain(|s| s["Sid"] != st["Sid"]);
                    list.push(st);
                }
            }
        }
        b.policy = Some(doc.to_string());
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}

pub(super) async fn remove_permission(e: &Events, r: RemovePermissionRequest) -> Answer {
    let name = bus_of(r.event_bus_name.as_deref());
    let all = r.remove_all_permissions.unwrap_or(false);
    e.update_bus(&name, |b| {
        if all {
            b.policy = None;
            return Ok(());
        }
        let sid = r.statement_id.clone().unwrap_or_default();
        let mut doc: Value = b
            .policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| EventsError::ResourceNotFound("EventBus does not have a policy.".into()))?;
        let list = doc["Statement"]
            .as_array_mut()
            .ok_or_else(|| EventsError::internal("bad policy"))?;
        let before = list.len();
        list.retain(|s| s["Sid"] != sid.as_str());
        if list.len() == before {
            return Err(EventsError::ResourceNotFound(
                "Statement with the provided id does not exist.".into(),
            ));
        }
        b.policy = if list.is_empty() { None } else { Some(doc.to_string()) };
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}
