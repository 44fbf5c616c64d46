//! Fires rules with a ScheduleExpression. One task sleeps on the server's
//! clock until the earliest next fire time of any enabled scheduled rule (or
//! until a rule changes), then puts a `Scheduled Event` for each rule due,
//! addressed to that rule alone. An advance of the clock past several fire
//! times fires each rule once, as a schedule that missed its times while
//! the server was down does.

use std::sync::Arc;

use chrono::DateTime;
use serde_json::{Map, Value};

use crate::dispatch::Queued;
use crate::names::DEFAULT_BUS;
use crate::put::envelope_time;
use crate::service::Events;
use crate::store::Outgoing;

/// Each enabled scheduled rule of the default bus with its next fire time after `after_ms`.
fn next_fires(events: &Events, after_ms: i64) -> Vec<(String, String, i64)> {
    let Some(state) = events.bus_state(DEFAULT_BUS) else {
        return Vec::new();
    };
    state
        .rules
        .values()
        .filter(|c| c.rule.enabled())
        .filter_map(|c| {
            let next = c.schedule.as_ref()?.next_after(c.rule.created_ms, after_ms)?;
            Some((c.rule.name.clone(), c.rule.arn.clone(), next))
        })
        .collect()
}

pub(crate) fn spawn(events: Arc<Events>) {
    tokio::spawn(async move {
        let clock = events.clock().clone();
        let mut checked = clock.now_ms();
        loop {
            let fires = next_fires(&events, checked);
            let wake = fires.iter().map(|(_, _, at)| *at).min();
            let changed = events.schedules_changed.notified();
            tokio::select! {
                () = async {
                    match wake.and_then(DateTime::from_timestamp_millis) {
                        Some(at) => clock.until(at).await,
                        None => std::future::pending().await,
                    }
                } => {}
                () = changed => continue,
            }
            let now = clock.now_ms();
            let due: Vec<_> = fires.into_iter().filter(|(_, _, at)| *at <= now).collect();
            if !due.is_empty() {
                fire(&events, due).await;
            }
            checked = checked.max(now);
        }
    });
}

async fn fire(events: &Arc<Events>, due: Vec<(String, String, i64)>) {
    let s = events.settings();
    let mut rows = Vec::new();
    let mut queued = Vec::new();
    for (name, arn, at) in due {
        let mut env = Map::new();
        env.insert("version".into(), "0".into());
        env.insert("id".into(), uuid::Uuid::new_v4().to_string().into());
        env.insert("detail-type".into(), "Scheduled Event".into());
        env.insert("source".into(), "aws.events".into());
        env.insert("account".into(), s.account_id.clone().into());
        env.insert("time".into(), envelope_time(at).into());
        env.insert("region".into(), s.region.clone().into());
        env.insert("resources".into(), Value::Array(vec![arn.into()]));
        env.insert("detail".into(), Value::Object(Map::new()));
        let event = Value::Object(env);
        let text: Arc<str> = Arc::from(event.to_string());
        tracing::info!(target: "lakestack::events", rule = %name, "scheduled rule fired");
        rows.push(Outgoing {
            seq: 0,
            bus: DEFAULT_BUS.into(),
            event: text.to_string(),
            ingested_ms: at,
            only_rule: Some(name.clone()),
            hops: 0,
        });
        queued.push(Queued {
            seq: 0,
            bus: DEFAULT_BUS.into(),
            event: Arc::new(event),
            text,
            ingested_ms: at,
            only_rule: Some(name),
            hops: 0,
        });
    }
    if let Err(e) = events.commit(rows, queued).await {
        tracing::warn!(error = %e, "scheduled events could not be recorded");
    }
}
