//! From the outbox to targets. One task reads committed events from the
//! outbox in order, a page at a time (so memory holds a page, not a
//! backlog), matches them against their bus's rules, and hands each (rule,
//! target) pair to that target's lane, a task of its own, so that a target
//! gets its first attempts in the order events were put while a slow one
//! holds up no other. A failed attempt is retried off the lane, on the
//! server's clock, as the target's RetryPolicy allows; what cannot be
//! delivered goes to the target's dead-letter queue. An event leaves the
//! outbox when its last delivery has ended; a restart reads again what is
//! left. Nothing in the pipeline waits on the dispatcher: forwarding to a
//! bus commits a row and wakes it, as PutEvents does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use lakestack_aws_protocol::DeliveryError;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::host::Delivery;
use crate::model::{InputSpec, Target};
use crate::names;
use crate::retrying;
use crate::service::{Compiled, Events};
use crate::store::{self, Outgoing};
use crate::transform::{self, Context};

/// First attempts in flight at once: bounds the memory a slow target can
/// hold; the outbox keeps the rest on disk. (Retries release theirs.)
const MAX_IN_FLIGHT: usize = 10_000;
/// Deliveries being retried at once, across all targets.
const MAX_RETRYING: usize = 10_000;
/// How many lanes there may be before those of deleted rules are dropped.
const PRUNE_LANES_AT: usize = 4096;
/// Events read from the outbox per query.
const PAGE: usize = 512;
/// How long the dispatcher waits before reading the outbox again after a failed read.
const READ_RETRY: std::time::Duration = std::time::Duration::from_secs(1);
/// The most a target's input may grow to once transformed.
pub(crate) const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// An accepted event, read back from the outbox.
#[derive(Debug, Clone)]
struct Queued {
    seq: i64,
    bus: String,
    event: Arc<Value>,
    text: Arc<str>,
    ingested_ms: i64,
    only_rule: Option<String>,
    hops: u32,
}

impl Queued {
    fn from_row(o: Outgoing) -> Option<Self> {
        let event: Value = serde_json::from_str(&o.event).ok()?;
        Some(Self {
            seq: o.seq,
            bus: o.bus,
            event: Arc::new(event),
            text: Arc::from(o.event),
            ingested_ms: o.ingested_ms,
            only_rule: o.only_rule,
            hops: o.hops,
        })
    }
}

/// Counts an event's deliveries down; the last one removes it from the outbox.
struct Completion {
    seq: i64,
    remaining: AtomicUsize,
    events: Weak<Events>,
}

impl Completion {
    fn finish_one(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1
            && let Some(events) = self.events.upgrade()
        {
            let seq = self.seq;
            events.writer.submit(Box::new(move |c| store::delete_outgoing(c, seq)));
        }
    }
}

/// One target's share of one event.
struct Job {
    rule: Arc<Compiled>,
    target: Target,
    event: Arc<Value>,
    text: Arc<str>,
    event_id: String,
    ingested_ms: i64,
    hops: u32,
    done: Arc<Completion>,
    /// Held for the first attempt; let go when the job moves to retries.
    permit: Option<OwnedSemaphorePermit>,
}

impl Events {
    /// Starts delivering (what an earlier process left in the outbox first),
    /// the rule scheduler, and EventBridge Scheduler's timer after the
    /// invocations an earlier process left. Call once, in a Tokio runtime.
    pub fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        tokio::spawn(run(Arc::downgrade(self)));
        crate::scheduler::spawn(Arc::clone(self));
        crate::schedules::start(self);
    }
}

/// A page of the outbox after `after`, read on the writer's thread (the
/// only connection an in-memory file has).
async fn read_page(events: &Events, after: i64) -> Result<Vec<Outgoing>, lakestack_sqlite::WriteError> {
    let page: Arc<Mutex<Vec<Outgoing>>> = Arc::default();
    let slot = Arc::clone(&page);
    events
        .writer
        .write(Box::new(move |c| {
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = store::outgoing_after(c, after, PAGE)?;
            Ok(())
        }))
        .await?;
    Ok(std::mem::take(&mut *page.lock().unwrap_or_else(|p| p.into_inner())))
}

async fn run(weak: Weak<Events>) {
    let mut router = Router {
        lanes: HashMap::new(),
        permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        retries: Arc::new(Semaphore::new(MAX_RETRYING)),
        prune_at: PRUNE_LANES_AT,
    };
    let mut after = 0;
    loop {
        let Some(events) = weak.upgrade() else { return };
        let ready = Arc::clone(&events.outbox_ready);
        let rows = match read_page(&events, after).await {
            Ok(rows) => rows,
            Err(e @ lakestack_sqlite::WriteError::Stopped(_)) => {
                tracing::debug!(error = %e, "EventBridge's outbox is closed");
                return;
            }
            Err(e) => {
                // A failed read (the disk, a lock) is tried again, not given up on.
                tracing::error!(error = %e, "could not read EventBridge's outbox; trying again");
                drop(events);
                tokio::time::sleep(READ_RETRY).await;
                continue;
            }
        };
        if rows.is_empty() {
            drop(events);
            // A commit after the read left a permit here: nothing is missed.
            ready.notified().await;
            continue;
        }
        for row in rows {
            after = row.seq;
            let seq = row.seq;
            match Queued::from_row(row) {
                Some(q) => router.route(&events, q).await,
                None => events.writer.submit(Box::new(move |c| store::delete_outgoing(c, seq))),
            }
        }
    }
}

struct Router {
    lanes: HashMap<(String, String), mpsc::UnboundedSender<Job>>,
    permits: Arc<Semaphore>,
    /// Deliveries waiting to be retried at once: a lane whose target keeps
    /// failing waits for a slot, so memory stays bounded and the rest of the
    /// event waits in the outbox on disk.
    retries: Arc<Semaphore>,
    /// Past this many lanes, those of rules and targets that are gone are dropped.
    prune_at: usize,
}

impl Router {
    /// Drops the lanes of (rule, target) pairs that no longer exist, once
    /// there are many: a lane's task ends when its queue is drained, so rules
    /// made and deleted by the thousand leave no tasks behind.
    fn prune(&mut self, events: &Events) {
        if self.lanes.len() < self.prune_at {
            return;
        }
        let live: std::collections::HashSet<(String, String)> = events
            .buses
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .flat_map(|b| b.rules.values().cloned().collect::<Vec<_>>())
            .flat_map(|c| {
                c.rule
                    .targets
                    .iter()
                    .map(|t| (c.rule.arn.clone(), t.id.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        self.lanes.retain(|key, _| live.contains(key));
        self.prune_at = (self.lanes.len() * 2).max(PRUNE_LANES_AT);
    }

    async fn route(&mut self, events: &Arc<Events>, q: Queued) {
        self.prune(events);
        let matched: Vec<Arc<Compiled>> = match events.bus_state(&q.bus) {
            Some(state) => state
                .rules
                .values()
                .filter(|c| c.rule.enabled() && !c.rule.targets.is_empty())
                .filter(|c| match &q.only_rule {
                    // A schedule's event, for its rule if it still has a schedule.
                    Some(only) => &c.rule.name == only && c.schedule.is_some(),
                    None => c.pattern.as_ref().is_some_and(|p| p.matches(&q.event)),
                })
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let count: usize = matched.iter().map(|c| c.rule.targets.len()).sum();
        let seq = q.seq;
        if count == 0 {
            events.writer.submit(Box::new(move |c| store::delete_outgoing(c, seq)));
            return;
        }
        let done = Arc::new(Completion {
            seq,
            remaining: AtomicUsize::new(count),
            events: Arc::downgrade(events),
        });
        let event_id = q
            .event
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        for compiled in matched {
            for target in &compiled.rule.targets {
                let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                    return;
                };
                let mut job = Job {
                    rule: Arc::clone(&compiled),
                    target: target.clone(),
                    event: Arc::clone(&q.event),
                    text: Arc::clone(&q.text),
                    event_id: event_id.clone(),
                    ingested_ms: q.ingested_ms,
                    hops: q.hops,
                    done: Arc::clone(&done),
                    permit: Some(permit),
                };
                let key = (compiled.rule.arn.clone(), target.id.clone());
                // A lane whose task ended (a panic in a delivery) is made again.
                for _ in 0..2 {
                    let retries = &self.retries;
                    let lane = self.lanes.entry(key.clone()).or_insert_with(|| lane(events, retries));
                    match lane.send(job) {
                        Ok(()) => break,
                        Err(mpsc::error::SendError(back)) => {
                            self.lanes.remove(&key);
                            job = back;
                        }
                    }
                }
            }
        }
    }
}

fn lane(events: &Arc<Events>, retries: &Arc<Semaphore>) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    let weak = Arc::downgrade(events);
    let retries = Arc::clone(retries);
    tokio::spawn(async move {
        while let Some(job) = rx.recv().await {
            let Some(events) = weak.upgrade() else { return };
            let input = match input_for(&job) {
                Ok(input) => input,
                Err(e) => {
                    dead_letter(&events, &job, "INVALID_JSON", &e, None, 0).await;
                    job.done.finish_one();
                    continue;
                }
            };
            match attempt(&events, &job, &input).await {
                Ok(()) => job.done.finish_one(),
                Err(DeliveryError::Permanent(e)) => {
                    dead_letter(&events, &job, "NO_RESOURCE", &e, None, 0).await;
                    job.done.finish_one();
                }
                Err(DeliveryError::Transient(e)) => {
                    tracing::debug!(target = %job.target.arn, error = %e, "delivery failed; retrying");
                    let mut job = job;
                    job.permit = None;
                    let Ok(slot) = Arc::clone(&retries).acquire_owned().await else {
                        return;
                    };
                    tokio::spawn(async move {
                        retry(events, job, input, e).await;
                        drop(slot);
                    });
                }
            }
        }
    });
    tx
}

/// Tries again with backoff (`retrying`) until it works or the policy runs
/// out; what cannot be delivered goes to the dead-letter queue.
async fn retry(events: Arc<Events>, job: Job, input: String, first_error: String) {
    let clock = events.clock().clone();
    let outcome = retrying::retry(&clock, job.target.retry, job.ingested_ms, first_error, |_| {
        Box::pin(attempt(&events, &job, &input))
    })
    .await;
    if let Err(f) = outcome {
        let code = if f.permanent { "NO_RESOURCE" } else { "INTERNAL_ERROR" };
        dead_letter(&events, &job, code, &f.message, f.exhausted, f.retries).await;
    }
    job.done.finish_one();
}

/// What the target receives, made from the event by its input settings.
fn input_for(job: &Job) -> Result<String, String> {
    match &job.target.input {
        InputSpec::Event => Ok(job.text.to_string()),
        InputSpec::Constant(text) => Ok(text.clone()),
        InputSpec::Path(path) => Ok(transform::select(&job.event, path).unwrap_or(Value::Null).to_string()),
        InputSpec::Transformer { paths, template } => {
            let vars: Vec<(String, Option<Value>)> = paths
                .iter()
                .map(|(name, path)| (name.clone(), transform::select(&job.event, path)))
                .collect();
            let ingestion = crate::put::envelope_time(job.ingested_ms);
            let cx = Context {
                rule_arn: &job.rule.rule.arn,
                rule_name: &job.rule.rule.name,
                ingestion_time: &ingestion,
            };
            transform::fill_bounded(template, &vars, &job.event, &cx, MAX_INPUT_BYTES)
                .ok_or_else(|| format!("the transformed input would pass {MAX_INPUT_BYTES} bytes"))
        }
    }
}

async fn attempt(events: &Arc<Events>, job: &Job, input: &str) -> Result<(), DeliveryError> {
    let arn = job.target.arn.as_str();
    if let Some(parts) = names::arn_parts(arn)
        && parts.service == "events"
        && let Some(bus) = parts.resource.strip_prefix("event-bus/")
    {
        return forward(events, job, bus, parts.region, parts.account).await;
    }
    events
        .host
        .deliver(&Delivery {
            target_arn: arn,
            input,
            event_id: &job.event_id,
            message_group_id: job.target.message_group_id.as_deref(),
            rule_arn: &job.rule.rule.arn,
            target_id: &job.target.id,
            attributes: &[],
        })
        .await
}

/// A bus target: the event as it is, onto the other bus of this account.
async fn forward(events: &Arc<Events>, job: &Job, bus: &str, region: &str, account: &str) -> Result<(), DeliveryError> {
    let s = events.settings();
    if region != s.region || account != s.account_id {
        return Err(DeliveryError::Permanent(format!(
            "Event bus {bus} is in another account or region, which lakestack does not serve"
        )));
    }
    if events.bus_state(bus).is_none() {
        return Err(DeliveryError::Permanent(format!("Event bus {bus} does not exist.")));
    }
    // As AWS: an event a bus received from another bus goes no further
    // (no third bus), which also ends any loop of bus targets.
    if job.hops > 0 {
        tracing::debug!(bus, event = %job.event_id, "an event from another bus is not forwarded again");
        return Ok(());
    }
    let row = Outgoing {
        seq: 0,
        bus: bus.to_string(),
        event: job.text.to_string(),
        ingested_ms: events.now_ms(),
        only_rule: None,
        hops: job.hops + 1,
    };
    events
        .commit(vec![row])
        .await
        .map_err(|e| DeliveryError::Transient(e.to_string()))
}

/// Sends an undeliverable event to the target's dead-letter queue, with
/// why as message attributes; without one it is dropped (and logged).
async fn dead_letter(
    events: &Arc<Events>,
    job: &Job,
    code: &str,
    message: &str,
    exhausted: Option<&str>,
    retries: u32,
) {
    let Some(dlq) = job.target.dead_letter_arn.as_deref() else {
        tracing::warn!(target = %job.target.arn, rule = %job.rule.rule.arn, code, message, "event not delivered");
        return;
    };
    let mut attributes: Vec<(&'static str, String)> = vec![
        ("RULE_ARN", job.rule.rule.arn.clone()),
        ("TARGET_ARN", job.target.arn.clone()),
        ("ERROR_CODE", code.to_string()),
    ];
    if !message.is_empty() {
        attributes.push(("ERROR_MESSAGE", message.to_string()));
    }
    if let Some(condition) = exhausted {
        attributes.push(("EXHAUSTED_RETRY_CONDITION", condition.to_string()));
    }
    attributes.push(("RETRY_ATTEMPTS", retries.to_string()));
    let sent = events
        .host
        .deliver(&Delivery {
            target_arn: dlq,
            input: &job.text,
            event_id: &job.event_id,
            message_group_id: None,
            rule_arn: &job.rule.rule.arn,
            target_id: &job.target.id,
            attributes: &attributes,
        })
        .await;
    if let Err(e) = sent {
        tracing::warn!(dlq, error = %e, "event not delivered to its dead-letter queue either");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Settings;

    #[tokio::test]
    async fn lanes_of_rules_that_are_gone_are_dropped() {
        let events = Events::open(Settings::default(), Arc::new(crate::NoHost)).unwrap();
        let mut router = Router {
            lanes: HashMap::new(),
            permits: Arc::new(Semaphore::new(1)),
            retries: Arc::new(Semaphore::new(1)),
            prune_at: 2,
        };
        for i in 0..3 {
            let (tx, _rx) = mpsc::unbounded_channel();
            router.lanes.insert((format!("arn:rule/{i}"), "t".into()), tx);
        }
        router.prune(&events);
        assert!(router.lanes.is_empty(), "no rule has targets");
        assert_eq!(router.prune_at, PRUNE_LANES_AT);
    }
}
