//! From the outbox to targets. One task reads accepted events in order,
//! matches them against their bus's rules, and hands each (rule, target)
//! pair to that target's lane, a task of its own, so that a target receives
//! events in the order they were put while a slow one holds up no other.
//! A failed attempt is retried off the lane, on the server's clock, as the
//! target's RetryPolicy allows; what cannot be delivered goes to the
//! target's dead-letter queue. An event leaves the outbox when its last
//! delivery has ended.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use lakestack_aws_protocol::DeliveryError;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::host::Delivery;
use crate::model::{InputSpec, Target};
use crate::names;
use crate::service::{Compiled, Events};
use crate::store::{self, Outgoing};
use crate::transform::{self, Context};

/// Deliveries in flight at once (first attempts and retries): bounds the
/// memory a slow target can hold; the outbox keeps the rest on disk.
const MAX_IN_FLIGHT: usize = 10_000;
/// Events read from the outbox per query at start-up.
const REPLAY_PAGE: usize = 512;
/// How many buses may forward one event: a loop of bus targets ends here.
const MAX_HOPS: u32 = 5;
/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// An accepted event on its way to the dispatcher.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub seq: i64,
    pub bus: String,
    pub event: Arc<Value>,
    pub text: Arc<str>,
    pub ingested_ms: i64,
    pub only_rule: Option<String>,
    pub hops: u32,
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
    _permit: OwnedSemaphorePermit,
}

impl Events {
    /// Starts delivering: events left in the outbox by an earlier process
    /// first, then new ones, and the rule scheduler. Call once, in a Tokio runtime.
    pub fn start(self: &Arc<Self>) {
        let (tx, rx) = mpsc::channel(4096);
        let early = {
            let mut early = self.early.lock().unwrap_or_else(|p| p.into_inner());
            if self.dispatch.set(tx).is_err() {
                return;
            }
            std::mem::take(&mut *early)
        };
        let events = Arc::clone(self);
        tokio::spawn(async move { run(events, rx, early).await });
        crate::scheduler::spawn(Arc::clone(self));
    }

    /// Hands committed events to the dispatcher (held until it starts).
    pub(crate) async fn enqueue(&self, items: Vec<Queued>) {
        let tx = {
            let mut early = self.early.lock().unwrap_or_else(|p| p.into_inner());
            match self.dispatch.get() {
                Some(tx) => tx.clone(),
                None => {
                    early.extend(items);
                    return;
                }
            }
        };
        for q in items {
            if tx.send(q).await.is_err() {
                return;
            }
        }
    }
}

async fn run(events: Arc<Events>, mut rx: mpsc::Receiver<Queued>, early: Vec<Queued>) {
    let mut router = Router {
        lanes: HashMap::new(),
        permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
    };
    let mut after = 0;
    loop {
        let (first, ev) = (events.first_seq, Arc::clone(&events));
        let page = tokio::task::spawn_blocking(move || -> rusqlite::Result<Vec<Outgoing>> {
            let Some(dir) = &ev.settings.dir else {
                return Ok(Vec::new());
            };
            let conn = lakestack_sqlite::open(&dir.join("events.sqlite"), &store::SCHEMA)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            store::outgoing_page(&conn, after, first, REPLAY_PAGE)
        })
        .await;
        let rows = match page {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not read EventBridge's outbox; undelivered events wait for the next start");
                break;
            }
            Err(_) => break,
        };
        let Some(last) = rows.last().map(|r| r.seq) else { break };
        after = last;
        for row in rows {
            let seq = row.seq;
            match Queued::from_row(row) {
                Some(q) => router.route(&events, q).await,
                None => events.writer.submit(Box::new(move |c| store::delete_outgoing(c, seq))),
            }
        }
    }
    for q in early {
        router.route(&events, q).await;
    }
    let weak = Arc::downgrade(&events);
    drop(events);
    while let Some(q) = rx.recv().await {
        let Some(events) = weak.upgrade() else { return };
        router.route(&events, q).await;
    }
}

struct Router {
    lanes: HashMap<(String, String), mpsc::UnboundedSender<Job>>,
    permits: Arc<Semaphore>,
}

impl Router {
    async fn route(&mut self, events: &Arc<Events>, q: Queued) {
        let matched: Vec<Arc<Compiled>> = match events.bus_state(&q.bus) {
            Some(state) => state
                .rules
                .values()
                .filter(|c| c.rule.enabled() && !c.rule.targets.is_empty())
                .filter(|c| match &q.only_rule {
                    Some(only) => &c.rule.name == only,
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
                let job = Job {
                    rule: Arc::clone(&compiled),
                    target: target.clone(),
                    event: Arc::clone(&q.event),
                    text: Arc::clone(&q.text),
                    event_id: event_id.clone(),
                    ingested_ms: q.ingested_ms,
                    hops: q.hops,
                    done: Arc::clone(&done),
                    _permit: permit,
                };
                let key = (compiled.rule.arn.clone(), target.id.clone());
                let lane = self.lanes.entry(key).or_insert_with(|| lane(events));
                if let Err(mpsc::error::SendError(job)) = lane.send(job) {
                    job.done.finish_one();
                }
            }
        }
    }
}

fn lane(events: &Arc<Events>) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    let weak = Arc::downgrade(events);
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
                    tokio::spawn(retry(events, job, input, e));
                }
            }
        }
    });
    tx
}

/// Tries again with backoff until it works or the policy runs out.
async fn retry(events: Arc<Events>, job: Job, input: String, first_error: String) {
    let policy = job.target.retry;
    let mut last = first_error;
    let mut attempts = 1u32;
    let mut backoff = Duration::from_secs(1);
    loop {
        let age_ms = events.now_ms() - job.ingested_ms;
        if attempts > policy.max_attempts {
            dead_letter(
                &events,
                &job,
                "INTERNAL_ERROR",
                &last,
                Some("MaximumRetryAttempts"),
                attempts - 1,
            )
            .await;
            break;
        }
        if age_ms >= i64::from(policy.max_age_secs) * 1000 {
            dead_letter(
                &events,
                &job,
                "INTERNAL_ERROR",
                &last,
                Some("MaximumEventAgeInSeconds"),
                attempts - 1,
            )
            .await;
            break;
        }
        events.clock().sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        match attempt(&events, &job, &input).await {
            Ok(()) => break,
            Err(DeliveryError::Permanent(e)) => {
                dead_letter(&events, &job, "NO_RESOURCE", &e, None, attempts).await;
                break;
            }
            Err(DeliveryError::Transient(e)) => {
                last = e;
                attempts += 1;
            }
        }
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
            Ok(transform::fill(template, &vars, &job.event, &cx))
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
    if job.hops >= MAX_HOPS {
        tracing::warn!(bus, event = %job.event_id, "an event went round {MAX_HOPS} buses; dropped");
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
    let q = Queued {
        seq: 0,
        bus: bus.to_string(),
        event: Arc::clone(&job.event),
        text: Arc::clone(&job.text),
        ingested_ms: row.ingested_ms,
        only_rule: None,
        hops: row.hops,
    };
    events
        .commit(vec![row], vec![q])
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
