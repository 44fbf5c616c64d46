//! SQS in domain terms: the service, its queues found by name, URL or ARN,
//! its upkeep, and the in-process API other services call
//! ([`Sqs::send`], [`Sqs::receive`], [`Sqs::delete`],
//! [`Sqs::change_visibility`], [`Sqs::queue_by_arn`]), which validates
//! exactly as the wire does. What is done to queues lives in `admin`, what
//! is done to messages in `messaging`; the API edge (`api`) reads the wire
//! and calls both.
//!
//! Each queue's messages are indexed in memory (`index`), rebuilt from the
//! file at open; every change is written through the group-commit writer
//! (`writer`) and acknowledged once committed. Time is the server's clock
//! (`--wait-time-scale`), applied by kind of duration (see [`Lasting`] and
//! [`Sqs::span`]): waits scale freely, down to zero, while durations that
//! hold state keep a floor of real time, so a server run at scale 0 (the
//! documented way to make Step Functions waits instant) still keeps its
//! messages, in-flight receives and deduplication. Timestamps answered to
//! clients are wall-clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use lakestack_aws_protocol::Clock;
use rusqlite::Connection;

use crate::attributes::{self, QueueConfig};
use crate::digest;
use crate::error::{Result, SqsError};
use crate::index::Entry;
use crate::messaging::ReceiveOptions;
use crate::model::{NewMessage, QueueRef, Received, Sent};
use crate::moves::Tasks;
use crate::names::{self, QueueArn};
use crate::queue::{Deduplicated, FILE_PAYLOAD_BUDGET, PayloadBudget, Queue, QueueState};
use crate::store;
use crate::validate::{check_max_messages, check_visibility};
use lakestack_sqlite::Writer;

/// FIFO deduplication and receive-attempt windows.
pub(crate) const FIVE_MINUTES: Duration = Duration::from_secs(300);
/// PurgeQueue's cooldown and the wait before a deleted queue's name is free.
pub(crate) const SIXTY_SECONDS: Duration = Duration::from_secs(60);
/// What a duration does, which decides how the clock's scale applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lasting {
    /// Waiting for something to happen: DelaySeconds, a long poll's
    /// WaitTimeSeconds, a move task's pacing. Scales freely, down to zero:
    /// shortening a wait changes nothing a client relies on.
    Wait,
    /// Holding state a client relies on: visibility timeouts, the FIFO
    /// deduplication window, the ReceiveRequestAttemptId window, the purge
    /// cooldown. Lasts at least min(d, 1 s) of real time, so that at scale 0
    /// a received message is not visible again to the very next receive and
    /// a duplicate sent right after its original is still caught.
    State,
    /// How long a message is kept (MessageRetentionPeriod). Lasts at least
    /// min(d, 60 s) of real time, so that at scale 0 a message lives long
    /// enough to be received rather than expiring as it is sent.
    Retention,
}

impl Lasting {
    /// The least real time a duration of this kind lasts, whatever the
    /// scale (or the duration itself, if shorter).
    fn floor(self) -> Duration {
        match self {
            Self::Wait => Duration::ZERO,
            Self::State => Duration::from_secs(1),
            Self::Retention => Duration::from_secs(60),
        }
    }

    /// How long `d` of service time lasts in real time on `clock`: scaled,
    /// but never under min(d, floor). A duration of 0 stays 0
    /// (VisibilityTimeout=0 makes a message visible again at once).
    pub fn real(self, clock: &Clock, d: Duration) -> Duration {
        clock.real(d).max(d.min(self.floor()))
    }
}

/// How often background upkeep runs (retention, deduplication windows), in
/// service time; never more often than `SWEEP_MIN` of real time.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
const SWEEP_MIN: Duration = Duration::from_millis(50);

/// How the binary opens SQS (`sqs.sqlite` in `dir`).
pub type Settings = lakestack_aws_protocol::ServiceSettings;

/// The SQS service: its queues, their file, and its settings.
pub struct Sqs {
    settings: Settings,
    pub(crate) writer: Writer,
    /// Reads bodies beside the writer (file only).
    pub(crate) reader: Option<Mutex<Connection>>,
    pub(crate) queues: RwLock<BTreeMap<String, Arc<Queue>>>,
    /// Names deleted lately, and when: AWS frees a name after 60 seconds.
    pub(crate) deleted: Mutex<HashMap<String, i64>>,
    /// Serializes changes to queues themselves (create, delete, attributes,
    /// tags), so the file and memory see them in the same order.
    pub(crate) admin: tokio::sync::Mutex<()>,
    pub(crate) next_queue: AtomicU64,
    pub(crate) next_seq: AtomicU64,
    pub(crate) budget: PayloadBudget,
    pub(crate) tasks: Tasks,
    started: AtomicBool,
}

impl Sqs {
    /// Opens the service's file (or memory) and rebuilds every queue's
    /// index from it. Call [`start`](Self::start) within a Tokio runtime to
    /// run its background upkeep.
    pub fn open(settings: Settings) -> Result<Arc<Self>> {
        let (conn, reader) = store::open(settings.dir.as_deref())?;
        let durable = reader.is_some();
        let now = settings.clock.now().timestamp_millis();
        store::sweep_at_open(&conn, now)?;
        let mut queues = BTreeMap::new();
        let mut by_id = HashMap::new();
        for row in store::load_queues(&conn)? {
            let fifo = row.attributes.get("FifoQueue").is_some_and(|v| v == "true");
            let mut config = QueueConfig::new(fifo);
            if let Err(e) = config.apply(&row.attributes, true) {
                tracing::warn!(queue = row.name, error = %e, "stored queue attributes did not apply; using defaults");
            }
            let arn = names::queue_arn(&settings.region, &settings.account_id, &row.name);
            let q = Arc::new(Queue::new(
                row.id,
                row.name.clone(),
                arn,
                row.created_ms,
                row.modified_ms,
                config,
                row.tags,
            ));
            by_id.insert(row.id, q.clone());
            queues.insert(row.name, q);
        }
        store::load_messages(&conn, |m| {
            let Some(q) = by_id.get(&m.queue_id) else { return };
            let mut e = Entry::new(
                m.message_id.into(),
                m.sent_ms,
                m.expires_ms,
                m.visible_at,
                m.group_id.map(Arc::from),
                None,
            );
            e.in_flight = m.in_flight;
            e.receive_count = m.receive_count;
            e.first_receive_ms = m.first_receive_ms;
            e.stamp = m.stamp;
            e.dlq_source = m.dlq_source.map(Arc::from);
            if let Err(refused) = q.lock().index.insert(m.seq, e, now) {
                // Only a file written before FIFO queues refused groupless
                // messages holds one; it stays in the file, unreceived.
                tracing::warn!(queue = q.name, seq = m.seq, error = %refused, "a stored message was left out");
            }
        })?;
        store::load_dedup(&conn, |d| {
            if let Some(q) = by_id.get(&d.queue_id) {
                q.lock().dedup.insert(
                    d.key,
                    Deduplicated {
                        message_id: d.message_id.into(),
                        sequence_number: d.sequence_number,
                        expires_ms: d.expires_ms,
                        pending: None,
                    },
                );
            }
        })?;
        let tasks = Tasks::load(&conn)?;
        let next_queue = store::next_id(&conn, "queues", "id")?;
        let next_seq = store::next_id(&conn, "messages", "seq")?;
        Ok(Arc::new(Self {
            writer: Writer::start("sqs", conn).map_err(|e| SqsError::Internal(Box::new(e)))?,
            reader: reader.map(Mutex::new),
            queues: RwLock::new(queues),
            deleted: Mutex::new(HashMap::new()),
            admin: tokio::sync::Mutex::new(()),
            next_queue: AtomicU64::new(next_queue),
            next_seq: AtomicU64::new(next_seq),
            budget: PayloadBudget::new(durable.then_some(FILE_PAYLOAD_BUDGET)),
            tasks,
            started: AtomicBool::new(false),
            settings,
        }))
    }

    /// Starts the background upkeep (expiring messages past retention and
    /// deduplication entries past their window, on idle queues too) and
    /// resumes message move tasks that were running. Returns at once; a
    /// second call does nothing. Needs a Tokio runtime.
    pub fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let weak = Arc::downgrade(self);
        let every = self.settings.clock.real(SWEEP_EVERY).max(SWEEP_MIN);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(sqs) = weak.upgrade() else { break };
                sqs.sweep();
            }
        });
        crate::moves::resume(self);
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.settings.clock.now().timestamp_millis()
    }

    /// How many wall-clock milliseconds `d` of service time lasts, for a
    /// duration of `kind`. The rule: waits (DelaySeconds, WaitTimeSeconds,
    /// move-task pacing) scale freely, down to zero; durations that hold
    /// state are floored in real time: visibility timeouts, the
    /// deduplication window, the receive-attempt window and the purge
    /// cooldown last at least min(d, 1 s), retention at least min(d, 60 s).
    /// A duration of exactly 0 stays 0.
    pub(crate) fn span(&self, d: Duration, kind: Lasting) -> i64 {
        kind.real(&self.settings.clock, d).as_millis().min(i64::MAX as u128) as i64
    }

    /// [`span`](Self::span) of a number of seconds.
    pub(crate) fn secs(&self, s: u32, kind: Lasting) -> i64 {
        self.span(Duration::from_secs(u64::from(s)), kind)
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.writer
    }

    // --- finding queues -----------------------------------------------------

    pub(crate) fn queue_named(&self, name: &str) -> Option<Arc<Queue>> {
        self.queues
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// The queue a QueueUrl names, by its path's account and name.
    pub(crate) fn queue_by_url(&self, url: &str) -> Result<Arc<Queue>> {
        let (account, name) = names::parse_queue_url(url).ok_or(SqsError::QueueDoesNotExist)?;
        if account != self.settings.account_id {
            return Err(SqsError::QueueDoesNotExist);
        }
        self.queue_named(name).ok_or(SqsError::QueueDoesNotExist)
    }

    pub(crate) fn queue_for_arn(&self, arn: &str) -> Option<Arc<Queue>> {
        let a = QueueArn::parse(arn)?;
        if a.account != self.settings.account_id || a.region != self.settings.region {
            return None;
        }
        self.queue_named(a.name)
    }

    pub(crate) fn all_queues(&self) -> Vec<Arc<Queue>> {
        self.queues
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn queue_arn(&self, name: &str) -> String {
        names::queue_arn(&self.settings.region, &self.settings.account_id, name)
    }

    /// Releases the payloads of removed entries; answers their seqs.
    pub(crate) fn drop_entries(&self, gone: Vec<(u64, Entry)>) -> Vec<u64> {
        gone.into_iter()
            .map(|(seq, e)| {
                self.budget.release(e.payload.as_ref());
                seq
            })
            .collect()
    }

    /// Due upkeep of one queue: makes waiting messages visible whose time
    /// came and removes messages past retention.
    pub(crate) fn maintain(&self, st: &mut QueueState, now: i64) {
        st.index.promote(now);
        if st.index.next_expiry().is_some_and(|at| at <= now) {
            let seqs = self.drop_entries(st.index.expire(now));
            self.writer.submit(Box::new(move |c| store::delete_messages(c, &seqs)));
        }
        st.dedup.expire(now);
    }

    fn sweep(&self) {
        let now = self.now_ms();
        for q in self.all_queues() {
            let mut st = q.lock();
            self.maintain(&mut st, now);
            st.attempts.expire(now);
        }
        self.writer
            .submit(Box::new(move |c| store::delete_expired_dedup(c, now)));
    }

    // --- the in-process API -------------------------------------------------

    fn queue_of_arn(&self, arn: &str) -> Result<Arc<Queue>> {
        self.queue_for_arn(arn).ok_or(SqsError::QueueDoesNotExist)
    }

    /// The queue an ARN names, if it exists.
    pub fn queue_by_arn(&self, arn: &str) -> Option<QueueRef> {
        let q = self.queue_for_arn(arn)?;
        let visibility = q.lock().config.visibility_timeout;
        Some(QueueRef {
            name: q.name.clone(),
            arn: q.arn.clone(),
            fifo: q.fifo,
            visibility_timeout: Duration::from_secs(u64::from(visibility)),
        })
    }

    /// Sends a message, validated as SendMessage validates it; the message
    /// is committed to the file when this returns.
    pub async fn send(self: &Arc<Self>, queue_arn: &str, msg: NewMessage) -> Result<Sent> {
        let q = self.queue_of_arn(queue_arn)?;
        let sender = self.settings.account_id.clone();
        self.send_detached(&q, vec![msg], &sender)
            .await
            .pop()
            .unwrap_or_else(|| Err(SqsError::internal("no answer for a send")))
    }

    /// Receives up to `max` (1–10) messages, waiting up to `wait` (0–20 s
    /// of service time) for the first; `visibility` (≤ 12 h) overrides the
    /// queue's visibility timeout. Every attribute comes back.
    pub async fn receive(
        &self,
        queue_arn: &str,
        max: u32,
        wait: Duration,
        visibility: Option<Duration>,
    ) -> Result<Vec<Received>> {
        let q = self.queue_of_arn(queue_arn)?;
        let max = check_max_messages(i64::from(max))?;
        let wait_s = wait.as_secs();
        if wait_s > u64::from(attributes::MAX_WAIT) {
            return Err(SqsError::parameter(
                "WaitTimeSeconds",
                wait_s,
                "Must be >= 0 and <= 20, if provided.",
            ));
        }
        let visibility = visibility
            .map(|v| check_visibility(i64::try_from(v.as_secs()).unwrap_or(i64::MAX)))
            .transpose()?;
        let got = self
            .receive_from(
                &q,
                ReceiveOptions {
                    max,
                    wait,
                    visibility,
                    attempt_id: None,
                },
            )
            .await?;
        Ok(got
            .into_iter()
            .map(|d| Received {
                attributes: d.system_attributes(),
                message_id: d.entry.message_id.to_string(),
                receipt_handle: d.receipt_handle,
                body: d.payload.body.clone(),
                md5_of_body: d.payload.md5_of_body.clone(),
                md5_of_message_attributes: digest::attributes(&d.payload.message_attributes),
                message_attributes: d.payload.message_attributes.clone(),
            })
            .collect())
    }

    /// Deletes a received message.
    pub async fn delete(&self, queue_arn: &str, receipt_handle: &str) -> Result<()> {
        let q = self.queue_of_arn(queue_arn)?;
        self.delete_messages(&q, &[receipt_handle])
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Changes a received message's visibility timeout (≤ 12 h), from now.
    pub async fn change_visibility(&self, queue_arn: &str, receipt_handle: &str, timeout: Duration) -> Result<()> {
        let q = self.queue_of_arn(queue_arn)?;
        let seconds = check_visibility(i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX))?;
        self.change_visibility_many(&q, &[(receipt_handle, seconds)])
            .await
            .pop()
            .unwrap_or(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_scale_freely_and_state_keeps_a_floor_of_real_time() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        let cases = [
            // (scale, kind, service time, real time)
            (0.0, Lasting::Wait, s(20), s(0)),
            (0.0, Lasting::State, s(30), s(1)),
            (0.0, Lasting::State, ms(500), ms(500)),
            (0.0, Lasting::State, s(0), s(0)),
            (0.0, Lasting::Retention, s(345_600), s(60)),
            (0.01, Lasting::State, s(300), s(3)),
            (0.01, Lasting::State, s(10), s(1)),
            (0.01, Lasting::Retention, s(60), s(60)),
            (0.01, Lasting::Wait, s(20), ms(200)),
            (1.0, Lasting::State, s(30), s(30)),
            (2.0, Lasting::Retention, s(60), s(120)),
        ];
        for (scale, kind, d, real) in cases {
            assert_eq!(kind.real(&Clock::scaled(scale), d), real, "{kind:?} {d:?} at {scale}");
        }
    }
}
