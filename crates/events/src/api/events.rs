//! PutEvents and TestEventPattern.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};
use serde_json::{Value, json};

use super::dto::{PutEventsRequest, PutEventsResultEntry, TestEventPatternRequest};
use super::rules::check_pattern;
use super::{Answer, required, violation};
use crate::error::EventsError;
use crate::model::{EntryResult, NewEvent};
use crate::service::{Events, MAX_ENTRIES};

/// The members TestEventPattern wants in its event, as AWS checks them.
const EVENT_FIELDS: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

pub(super) async fn put(e: &Events, r: PutEventsRequest) -> Answer {
    let entries = required(r.entries, "entries")?;
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(violation(Violation::len_between(
            "entries",
            Shown::Hidden,
            1,
            MAX_ENTRIES,
        )));
    }
    let news = entries
        .into_iter()
        .map(|x| NewEvent {
            source: x.source,
            detail_type: x.detail_type,
            detail: x.detail,
            resources: x.resources.unwrap_or_default(),
            time_ms: x.time.map(lakestack_aws_protocol::timestamp::millis_from_epoch_seconds),
            bus: x.event_bus_name,
            trace_header: x.trace_header,
        })
        .collect();
    let results = e.put_events(news).await?;
    let failed = results
        .iter()
        .filter(|r| matches!(r, EntryResult::Failed { .. }))
        .count();
    let entries: Vec<PutEventsResultEntry> = results
        .into_iter()
        .map(|r| match r {
            EntryResult::Accepted { event_id } => PutEventsResultEntry {
                event_id: Some(event_id),
                ..Default::default()
            },
            EntryResult::Failed { code, message } => PutEventsResultEntry {
                error_code: Some(code),
                error_message: Some(message),
                ..Default::default()
            },
        })
        .collect();
    Ok(Output::members(
        json!({ "FailedEntryCount": failed, "Entries": entries }),
    ))
}

pub(super) fn test_pattern(r: TestEventPatternRequest) -> Answer {
    let pattern = required(r.event_pattern, "eventPattern")?;
    let event = required(r.event, "event")?;
    let parsed = check_pattern(&pattern)?;
    let value: Value = serde_json::from_str(&event)
        .ok()
        .filter(|v: &Value| EVENT_FIELDS.iter().all(|f| v.get(f).is_some()))
        .ok_or_else(|| EventsError::Validation("Parameter Event is not valid.".into()))?;
    Ok(Output::members(json!({ "Result": parsed.matches(&value) })))
}
