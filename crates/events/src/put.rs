//! PutEvents: each entry checked, wrapped in AWS's envelope, and committed
//! to the outbox before the call answers; matching and delivery follow
//! (`dispatch`). AWS's own services put their events through
//! [`Events::put_service_events`], where `aws.` sources are theirs to use.

use serde_json::{Map, Value};

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
    // An empty resource counts one byte: a million of them must not pass as nothing.
    size += e.resources.iter().map(|r| r.len().max(1)).sum::<usize>();
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
        for entry in entries {
            match self.envelope(&entry, now, service) {
                // AWS accepts an event for a bus that does not exist, and drops it.
                Ok((bus, id, _)) if self.bus_state(&bus).is_none() => {
                    results.push(EntryResult::Accepted { event_id: id });
                }
                Ok((bus, id, event)) => {
                    rows.push(Outgoing {
                        seq: 0,
                        bus,
                        event: serde_json::to_string(&event)?,
                        ingested_ms: now,
                        only_rule: None,
                        hops: 0,
                    });
                    results.push(EntryResult::Accepted { event_id: id });
                }
                Err(f) => results.push(f),
            }
        }
        self.commit(rows).await?;
        Ok(results)
    }

    /// Commits accepted events to the outbox and wakes the dispatcher. The
    /// writer thread numbers them as it runs their write, so numbers grow in
    /// the order rows commit and the dispatcher, reading past the last number
    /// it saw, never skips a row that committed late.
    pub(crate) async fn commit(&self, rows: Vec<Outgoing>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let next = std::sync::Arc::clone(&self.next_seq);
        let pending = self.writer.enqueue(Box::new(move |c| {
            let numbered: Vec<Outgoing> = rows
                .iter()
                .map(|r| Outgoing {
                    seq: next.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                    ..r.clone()
                })
                .collect();
            store::insert_outgoing(c, &numbered)
        }));
        // The dispatcher is woken by a task of its own, so that a caller that
        // goes away while it waits (a dropped request) cannot leave committed
        // rows unannounced.
        let ready = std::sync::Arc::clone(&self.outbox_ready);
        let announced = tokio::spawn(async move {
            let committed = pending.wait().await;
            ready.notify_one();
            committed
        });
        announced
            .await
            .map_err(|e| EventsError::internal(format!("the outbox write was abandoned: {e}")))??;
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
