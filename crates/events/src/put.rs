//! PutEvents: each entry checked, wrapped in AWS's envelope, and committed
//! to the outbox before the call answers; matching and delivery follow
//! (`dispatch`). AWS's own services put their events through
//! [`Events::put_service_events`], where `aws.` sources are theirs to use.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::dispatch::Queued;
use crate::error::{EventsError, Result};
use crate::model::{EntryResult, NewEvent};
use crate::names::{self, DEFAULT_BUS};
use crate::service::Events;
use crate::store::{self, Outgoing};

/// Bytes a `Time` adds to an entry's size (AWS's "Calculating PutEvents
/// event entry size").
const TIME_BYTES: usize = 14;

/// What one entry counts against the size limit.
pub fn entry_size(e: &NewEvent) -> usize {
    let mut size = if e.time_ms.is_some() { TIME_BYTES } else { 0 };
    size += e.source.as_deref().map_or(0, str::len);
    size += e.detail_type.as_deref().map_or(0, str::len);
    size += e.detail.as_deref().map_or(0, str::len);
    size += e.resources.iter().map(String::len).sum::<usize>();
    size
}

fn failed(code: &str, message: impl Into<String>) -> EntryResult {
    EntryResult::Failed {
        code: code.into(),
        message: message.into(),
    }
}

/// AWS's envelope time: whole seconds, UTC, `Z`.
pub fn envelope_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Events {
    /// PutEvents from a caller: `aws.` sources belong to AWS.
    pub async fn put_events(&self, entries: Vec<NewEvent>) -> Result<Vec<EntryResult>> {
        self.put(entries, false).await
    }

    /// Events of lakestack's own services (`aws.s3`, `aws.glue`, ...), onto
    /// the bus each entry names (the default one when none).
    pub async fn put_service_events(&self, entries: Vec<NewEvent>) -> Result<Vec<EntryResult>> {
        self.put(entries, true).await
    }

    async fn put(&self, entries: Vec<NewEvent>, service: bool) -> Result<Vec<EntryResult>> {
        let total: usize = entries.iter().map(entry_size).sum();
        if total > self.settings.max_entry_bytes {
            return Err(EventsError::Validation(
                "Total size of the entries in the request is over the limit.".into(),
            ));
        }
        let now = self.now_ms();
        let mut results = Vec::with_capacity(entries.len());
        let mut rows = Vec::new();
        let mut queued = Vec::new();
        for entry in entries {
            match self.envelope(&entry, now, service) {
                // AWS accepts an event for a bus that does not exist, and drops it.
                Ok((bus, id, _)) if self.bus_state(&bus).is_none() => {
                    results.push(EntryResult::Accepted { event_id: id });
                }
                Ok((bus, id, event)) => {
                    let text: Arc<str> = Arc::from(serde_json::to_string(&event)?);
                    rows.push(Outgoing {
                        seq: 0,
                        bus: bus.clone(),
                        event: text.to_string(),
                        ingested_ms: now,
                        only_rule: None,
                        hops: 0,
                    });
                    queued.push(Queued {
                        seq: 0,
                        bus,
                        event: Arc::new(event),
                        text,
                        ingested_ms: now,
                        only_rule: None,
                        hops: 0,
                    });
                    results.push(EntryResult::Accepted { event_id: id });
                }
                Err(f) => results.push(f),
            }
        }
        self.commit(rows, queued).await?;
        Ok(results)
    }

    /// Numbers, commits and queues accepted events.
    pub(crate) async fn commit(&self, mut rows: Vec<Outgoing>, mut queued: Vec<Queued>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let first = self.next_seqs(rows.len());
        for (i, (row, q)) in rows.iter_mut().zip(queued.iter_mut()).enumerate() {
            row.seq = first + i as i64;
            q.seq = row.seq;
        }
        self.writer
            .write(Box::new(move |c| store::insert_outgoing(c, &rows)))
            .await?;
        self.enqueue(queued).await;
        Ok(())
    }

    /// The entry as AWS's envelope, or why it is refused.
    fn envelope(&self, e: &NewEvent, now: i64, service: bool) -> Result<(String, String, Value), EntryResult> {
        let bus = names::bus_name(e.bus.as_deref().unwrap_or(DEFAULT_BUS)).to_string();
        let source = e.source.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
            failed(
                "InvalidArgument",
                "Parameter Source is not valid. Reason: Source is a required argument.",
            )
        })?;
        let detail_type = e.detail_type.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
            failed(
                "InvalidArgument",
                "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
            )
        })?;
        let detail = e.detail.as_deref().ok_or_else(|| {
            failed(
                "InvalidArgument",
                "Parameter Detail is not valid. Reason: Detail is a required argument.",
            )
        })?;
        if !service && source.starts_with("aws.") {
            return Err(failed(
                "NotAuthorizedForSourceException",
                "Not authorized for the source.",
            ));
        }
        let detail: Value = match serde_json::from_str(detail) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Err(failed("MalformedDetail", "Detail is malformed.")),
        };
        let id = uuid::Uuid::new_v4().to_string();
        let mut env = Map::new();
        env.insert("version".into(), "0".into());
        env.insert("id".into(), id.clone().into());
        env.insert("detail-type".into(), detail_type.into());
        env.insert("source".into(), source.into());
        env.insert("account".into(), self.settings.account_id.clone().into());
        env.insert("time".into(), envelope_time(e.time_ms.unwrap_or(now)).into());
        env.insert("region".into(), self.settings.region.clone().into());
        env.insert(
            "resources".into(),
            Value::Array(e.resources.iter().cloned().map(Value::String).collect()),
        );
        env.insert("detail".into(), detail);
        Ok((bus, id, Value::Object(env)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times() {
        let e = NewEvent {
            source: Some("a.b".into()),
            detail_type: Some("x".into()),
            detail: Some("{}".into()),
            resources: vec!["r1".into()],
            time_ms: Some(0),
            ..Default::default()
        };
        assert_eq!(entry_size(&e), 14 + 3 + 1 + 2 + 2);
        assert_eq!(envelope_time(1_796_648_400_123), "2026-12-07T13:00:00Z");
    }
}
