//! Fires rules with a ScheduleExpression. One task sleeps on the server's
//! clock until the earliest next fire time of any enabled scheduled rule (or
//! until a rule changes), then puts a `Scheduled Event` for each rule due,
//! addressed to that rule alone. A rule is armed when the scheduler first
//! sees it enabled (created, enabled again, or at start): it fires at its
//! times after that, never for times before it. An advance of the clock past
//! several fire times fires each rule once, for the last of them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::DateTime;
use serde_json::{Map, Value};

use crate::names::DEFAULT_BUS;
use crate::put::envelope_time;
use crate::service::Events;
use crate::store::Outgoing;

/// A rule due to fire: its name, ARN, and the fire time.
struct Due {
    name: String,
    arn: String,
    at: i64,
}

/// Each enabled scheduled rule of the default bus with its next fire time
/// after the time it was armed (arming the rules seen for the first time at
/// `now`), forgetting the rules gone or disabled.
fn next_fires(events: &Events, armed: &mut HashMap<String, i64>, now: i64) -> Vec<Due> {
    let Some(state) = events.bus_state(DEFAULT_BUS) else {
        armed.clear();
        return Vec::new();
    };
    let mut seen = HashMap::with_capacity(armed.len());
    let mut fires = Vec::new();
    for c in state.rules.values().filter(|c| c.rule.enabled()) {
        let Some(schedule) = &c.schedule else { continue };
        let since = armed.get(&c.rule.arn).copied().unwrap_or(now);
        seen.insert(c.rule.arn.clone(), since);
        if let Some(at) = schedule.next_after(c.rule.created_ms, since) {
            fires.push(Due {
                name: c.rule.name.clone(),
                arn: c.rule.arn.clone(),
                at,
            });
        }
    }
    *armed = seen;
    fires
}

pub(crate) fn spawn(events: Arc<Events>) {
    tokio::spawn(async move {
        let clock = events.clock().clone();
        let mut armed: HashMap<String, i64> = HashMap::new();
        loop {
            let fires = next_fires(&events, &mut armed, clock.now_ms());
            let wake = fires.iter().map(|d| d.at).min();
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
            let mut due = Vec::new();
            for mut d in fires.into_iter().filter(|d| d.at <= now) {
                // The last of the times passed, when an advance passed several.
                let schedule = events.bus_state(DEFAULT_BUS).and_then(|s| {
                    s.rules
                        .get(&d.name)
                        .and_then(|c| c.schedule.clone().map(|s| (s, c.rule.created_ms)))
                });
                let Some((schedule, created)) = schedule else { continue };
                let since = d.at - 1;
                d.at = schedule.last_between(created, since, now).unwrap_or(d.at);
                armed.insert(d.arn.clone(), d.at);
                due.push(d);
            }
            if !due.is_empty() {
                fire(&events, due, now).await;
            }
        }
    });
}

async fn fire(events: &Arc<Events>, due: Vec<Due>, now: i64) {
    let s = events.settings();
    let mut rows = Vec::new();
    for d in due {
        let mut env = Map::new();
        env.insert("version".into(), "0".into());
        env.insert("id".into(), uuid::Uuid::new_v4().to_string().into());
        env.insert("detail-type".into(), "Scheduled Event".into());
        env.insert("source".into(), "aws.events".into());
        env.insert("account".into(), s.account_id.clone().into());
        env.insert("time".into(), envelope_time(d.at).into());
        env.insert("region".into(), s.region.clone().into());
        env.insert("resources".into(), Value::Array(vec![d.arn.into()]));
        env.insert("detail".into(), Value::Object(Map::new()));
        tracing::info!(target: "lakestack::events", rule = %d.name, "scheduled rule fired");
        rows.push(Outgoing {
            seq: 0,
            bus: DEFAULT_BUS.into(),
            event: Value::Object(env).to_string(),
            // Its age (for retries) counts from now, however late the fire.
            ingested_ms: now,
            only_rule: Some(d.name),
            hops: 0,
        });
    }
    if let Err(e) = events.commit(rows).await {
        tracing::warn!(error = %e, "scheduled events could not be recorded");
    }
}
