//! Fires schedules on the server's clock. One task sleeps (`Clock::until`,
//! calendar time, unscaled) until the earliest time any enabled schedule is
//! due, or until a schedule changes; then, in one commit, it records each
//! due schedule as fired and writes its invocation to the file, and hands
//! the invocations to `invoke`. As EventBridge's rule scheduler does, an
//! advance of the clock past several fire times fires a schedule once.
//!
//! A flexible time window delays a firing by up to its length: the delay
//! is a hash of the schedule's ARN and the fire time, so different
//! schedules spread over their windows while every run (and every test)
//! sees the same delay for the same schedule and time.
//!
//! A schedule with `ActionAfterCompletion: DELETE` is deleted once it has
//! no invocation left: an `at()` schedule when it fires, a recurring one
//! when its EndDate has passed.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::DateTime;

use super::model::{AfterCompletion, Invocation, Schedule, Window};
use super::{Compiled, invoke, store};
use crate::service::Events;

/// How long the timer waits before trying a failed commit again, so that a
/// file that cannot be written does not spin it.
const AFTER_FAILED_WRITE: Duration = Duration::from_secs(1);

/// A schedule's next firing.
struct Due {
    compiled: Arc<Compiled>,
    /// When the schedule says (`<aws.scheduler.scheduled-time>`).
    nominal_ms: i64,
    /// When it fires: later by its flexible window's delay.
    due_ms: i64,
}

pub(super) fn spawn(events: Arc<Events>) {
    tokio::spawn(async move {
        let clock = events.clock().clone();
        loop {
            let changed = events.scheduler.changed.notified();
            let (due, finished) = plan(&events);
            if !finished.is_empty() {
                complete(&events, finished).await;
                continue;
            }
            let wake = due.iter().map(|d| d.due_ms).min();
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
            let due: Vec<Due> = due.into_iter().filter(|d| d.due_ms <= now).collect();
            if !due.is_empty() {
                fire(&events, due, now).await;
            }
        }
    });
}

/// Each enabled schedule's next firing, and the schedules to delete because
/// they will fire no more.
fn plan(events: &Events) -> (Vec<Due>, Vec<Arc<Compiled>>) {
    let mut due = Vec::new();
    let mut finished = Vec::new();
    for c in events.scheduler.all() {
        let s = &c.schedule;
        if !s.def.enabled {
            continue;
        }
        match c.when.next_after(s.fired_through_ms, s.anchor_ms) {
            Some(nominal_ms) => due.push(Due {
                due_ms: nominal_ms.saturating_add(delay(s, nominal_ms)),
                nominal_ms,
                compiled: c,
            }),
            None if s.def.after_completion == AfterCompletion::Delete => finished.push(c),
            None => {}
        }
    }
    (due, finished)
}

/// The flexible window's delay for the firing due at `nominal_ms`.
fn delay(s: &Schedule, nominal_ms: i64) -> i64 {
    match s.def.window {
        Window::Off => 0,
        Window::Flexible { max_minutes } => {
            let mut h = DefaultHasher::new();
            s.arn.hash(&mut h);
            nominal_ms.hash(&mut h);
            let window = u64::from(max_minutes.max(1)) * 60_000;
            i64::try_from(h.finish() % window).unwrap_or(0)
        }
    }
}

/// Whether `c` is still the schedule the map holds (not changed or deleted since it was planned).
fn current(events: &Events, c: &Arc<Compiled>) -> bool {
    let def = &c.schedule.def;
    events
        .scheduler
        .compiled(&def.group, &def.name)
        .is_some_and(|now| Arc::ptr_eq(&now, c))
}

/// What a firing does to its schedule's row.
enum Row {
    Put(Box<Schedule>),
    Delete { group: String, name: String },
}

async fn fire(events: &Arc<Events>, due: Vec<Due>, now: i64) {
    let _serial = events.scheduler.changes.lock().await;
    let mut rows = Vec::new();
    let mut invocations = Vec::new();
    let mut memory = Vec::new();
    for d in due {
        if !current(events, &d.compiled) {
            continue;
        }
        let mut s = d.compiled.schedule.clone();
        // Through the fire times a delayed firing passed by, but not those a
        // window's delay alone left behind: each occurrence still fires once
        // (a clock jump still fires once, for the last time it passed).
        let window_ms = match s.def.window {
            Window::Flexible { max_minutes } => i64::from(max_minutes.max(1)) * 60_000,
            Window::Off => 0,
        };
        s.fired_through_ms = d.nominal_ms.max(now - window_ms);
        let seq = events.scheduler.next_seq.fetch_add(1, Ordering::Relaxed);
        let execution_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
        tracing::info!(target: "lakestack::events", schedule = %s.arn, "schedule fired");
        invocations.push(Invocation {
            seq,
            schedule_arn: s.arn.clone(),
            schedule_name: s.def.name.clone(),
            scheduled_ms: d.nominal_ms,
            execution_id,
            target: s.def.target.clone(),
        });
        let done = d.compiled.when.next_after(s.fired_through_ms, s.anchor_ms).is_none();
        if done && s.def.after_completion == AfterCompletion::Delete {
            rows.push(Row::Delete {
                group: s.def.group.clone(),
                name: s.def.name.clone(),
            });
            memory.push((s, None));
        } else {
            rows.push(Row::Put(Box::new(s.clone())));
            memory.push((s, Some(d.compiled.when.clone())));
        }
    }
    if invocations.is_empty() {
        return;
    }
    let (stored_rows, stored_invocations) = (Arc::new(rows), Arc::new(invocations.clone()));
    let written = events
        .writer
        .write(Box::new(move |c| {
            for row in stored_rows.iter() {
                match row {
                    Row::Put(s) => store::put_schedule(c, s)?,
                    Row::Delete { group, name } => store::delete_schedule(c, group, name)?,
                }
            }
            for inv in stored_invocations.iter() {
                store::insert_invocation(c, inv)?;
            }
            Ok(())
        }))
        .await;
    if let Err(e) = written {
        tracing::warn!(error = %e, "schedule invocations could not be recorded; they fire again");
        tokio::time::sleep(AFTER_FAILED_WRITE).await;
        return;
    }
    for (s, when) in memory {
        match when {
            Some(when) => events.scheduler.set(Compiled { schedule: s, when }),
            None => events.scheduler.remove(&s.def.group, &s.def.name),
        }
    }
    for inv in invocations {
        tokio::spawn(invoke::run(Arc::clone(events), inv));
    }
}

/// Deletes schedules that have completed with `ActionAfterCompletion: DELETE`.
async fn complete(events: &Events, finished: Vec<Arc<Compiled>>) {
    let _serial = events.scheduler.changes.lock().await;
    let keys: Vec<(String, String)> = finished
        .iter()
        .filter(|c| current(events, c))
        .map(|c| (c.schedule.def.group.clone(), c.schedule.def.name.clone()))
        .collect();
    let stored = keys.clone();
    let written = events
        .writer
        .write(Box::new(move |c| {
            for (group, name) in &stored {
                store::delete_schedule(c, group, name)?;
            }
            Ok(())
        }))
        .await;
    match written {
        Ok(()) => {
            for (group, name) in keys {
                tracing::info!(target: "lakestack::events", group, schedule = name, "completed schedule deleted");
                events.scheduler.remove(&group, &name);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "completed schedules could not be deleted");
            tokio::time::sleep(AFTER_FAILED_WRITE).await;
        }
    }
}
