//! What is done to messages: sends (validated, deduplicated on FIFO
//! queues, committed before they are answered; a duplicate of a send not
//! yet committed waits for its outcome), receives (long polls that wake on
//! a send, a move, a visibility change, a FIFO delete that may unlock a
//! group, and sleep until the next delay or visibility timeout ends; dead
//! letters moved on the receive that would exceed maxReceiveCount; FIFO
//! receive attempts replayed), deletes and visibility changes by receipt handle. Each change
//! to a queue's index is queued to the writer while the queue is locked,
//! so the file sees changes in the order memory did.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::attributes::QueueConfig;
use crate::digest;
use crate::error::{Result, SqsError};
use crate::index::{Entry, Payload, Receive};
use crate::model::{MessageAttributes, NewMessage, Sent};
use crate::queue::{Attempt, Deduplicated, Outcome, Queue};
use crate::receipt::Receipt;
use crate::service::{FIVE_MINUTES, Lasting, Sqs};
use crate::store::{self, DedupRow, MessageRow, Receipted};
use crate::validate::{self, check_delay};

/// What a receive asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReceiveOptions {
    pub max: usize,
    pub wait: Duration,
    /// Seconds; `None` is the queue's VisibilityTimeout.
    pub visibility: Option<u32>,
    pub attempt_id: Option<String>,
}

/// One message as a receive hands it out.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub entry: Entry,
    pub payload: Arc<Payload>,
    pub receipt_handle: String,
}

impl Delivery {
    /// Every system attribute the message has, by name.
    pub fn system_attributes(&self) -> BTreeMap<String, String> {
        let e = &self.entry;
        let p = &self.payload;
        let mut out = BTreeMap::new();
        out.insert("SenderId".into(), p.sender_id.clone());
        out.insert("SentTimestamp".into(), e.sent_ms.to_string());
        out.insert("ApproximateReceiveCount".into(), e.receive_count.to_string());
        if let Some(first) = e.first_receive_ms {
            out.insert("ApproximateFirstReceiveTimestamp".into(), first.to_string());
        }
        if let Some(s) = &p.sequence_number {
            out.insert("SequenceNumber".into(), s.clone());
        }
        if let Some(d) = &p.dedup_id {
            out.insert("MessageDeduplicationId".into(), d.clone());
        }
        if let Some(g) = &e.group {
            out.insert("MessageGroupId".into(), g.to_string());
        }
        if let Some(t) = p
            .system_attributes
            .get("AWSTraceHeader")
            .and_then(|v| v.string_value.clone())
        {
            out.insert("AWSTraceHeader".into(), t);
        }
        if let Some(s) = &e.dlq_source {
            out.insert("DeadLetterQueueSourceArn".into(), s.to_string());
        }
        out
    }
}

/// A message's row, payload and deduplication entry, as one send writes them.
type Insert = (MessageRow, Arc<Payload>, Option<DedupRow>);

/// The deduplication keys one send claimed, until its write answers.
/// Duplicates sent meanwhile wait on `outcome`. A send dropped before its
/// write answered (its request went away) frees its keys and tells the
/// waiters so: no duplicate is acknowledged on the strength of a send that
/// never learnt whether it stored anything.
struct Claim<'a> {
    q: &'a Queue,
    /// (key, message id) not yet settled.
    keys: Vec<(String, Arc<str>)>,
    outcome: watch::Sender<Outcome>,
}

impl<'a> Claim<'a> {
    fn new(q: &'a Queue) -> Self {
        Self {
            q,
            keys: Vec::new(),
            outcome: watch::Sender::new(None),
        }
    }

    /// Tells the waiters how the write ended; the caller has already
    /// marked the keys committed or forgotten them.
    fn settle(&mut self, outcome: Result<(), String>) {
        self.keys.clear();
        self.outcome.send_replace(Some(outcome));
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let mut st = self.q.lock();
        for (key, id) in &self.keys {
            st.dedup.forget(key, id);
        }
        drop(st);
        self.outcome.send_replace(Some(Err(
            "the original send was abandoned before it was answered".into()
        )));
    }
}

/// A message checked and ready to write.
struct Prepared {
    seq: u64,
    row: MessageRow,
    payload: Arc<Payload>,
    dedup_key: Option<String>,
    sent: Sent,
}

impl Sqs {
    /// Sends messages to one queue in one write (SendMessage is a batch of
    /// one); each answers on its own.
    /// [`Sqs::send_many`] carried to its end even if the caller goes away
    /// (a client that disconnects mid-request): once the rows commit, the
    /// messages must reach the queue's index too, or they would stay unseen
    /// until the next start.
    pub(crate) async fn send_detached(
        self: &Arc<Self>,
        q: &Arc<Queue>,
        msgs: Vec<NewMessage>,
        sender: &str,
    ) -> Vec<Result<Sent>> {
        let n = msgs.len();
        let (sqs, q, sender) = (Arc::clone(self), Arc::clone(q), sender.to_owned());
        match tokio::spawn(async move { sqs.send_many(&q, msgs, &sender).await }).await {
            Ok(results) => results,
            Err(e) => (0..n).map(|_| Err(SqsError::internal(e.to_string()))).collect(),
        }
    }

    pub(crate) async fn send_many(&self, q: &Arc<Queue>, msgs: Vec<NewMessage>, sender: &str) -> Vec<Result<Sent>> {
        let now = self.now_ms();
        let config = q.lock().config.clone();
        let mut results: Vec<Option<Result<Sent>>> = Vec::with_capacity(msgs.len());
        let mut prepared = Vec::new();
        for (i, m) in msgs.into_iter().enumerate() {
            match self.prepare(q, &config, m, sender, now) {
                Ok(p) => {
                    results.push(None);
                    prepared.push((i, p));
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        // Deduplication is decided under the lock, so two sends of one id
        // racing each other queue it once. A duplicate of a message whose
        // write is not committed yet waits for that write's outcome: it may
        // answer Ok only for a message that was stored.
        let dedup_window = self.span(FIVE_MINUTES, Lasting::State);
        let mut claim = Claim::new(q);
        let mut duplicates = Vec::new();
        {
            let mut st = q.lock();
            if st.deleted {
                return results.into_iter().map(|_| Err(SqsError::QueueDoesNotExist)).collect();
            }
            prepared.retain(|(i, p)| {
                let Some(key) = &p.dedup_key else { return true };
                if let Some(d) = st.dedup.get(key, now) {
                    let sent = Sent {
                        message_id: d.message_id.to_string(),
                        sequence_number: d.sequence_number.clone(),
                        ..p.sent.clone()
                    };
                    match &d.pending {
                        Some(outcome) => duplicates.push((*i, outcome.clone(), sent)),
                        None => results[*i] = Some(Ok(sent)),
                    }
                    return false;
                }
                let message_id: Arc<str> = p.row.message_id.as_str().into();
                st.dedup.insert(
                    key.clone(),
                    Deduplicated {
                        message_id: message_id.clone(),
                        sequence_number: p.sent.sequence_number.clone(),
                        expires_ms: now + dedup_window,
                        pending: Some(claim.outcome.subscribe()),
                    },
                );
                claim.keys.push((key.clone(), message_id));
                true
            });
        }
        if !prepared.is_empty() {
            let rows: Arc<Vec<Insert>> = Arc::new(
                prepared
                    .iter()
                    .map(|(_, p)| {
                        let dedup = p.dedup_key.as_ref().map(|key| DedupRow {
                            queue_id: q.id,
                            key: key.clone(),
                            message_id: p.row.message_id.clone(),
                            sequence_number: p.sent.sequence_number.clone(),
                            expires_ms: now + dedup_window,
                        });
                        (clone_row(&p.row), p.payload.clone(), dedup)
                    })
                    .collect(),
            );
            let keep_body = self.reader.is_some();
            let written = self
                .writer
                .write(Box::new(move |c| {
                    for (row, payload, dedup) in rows.iter() {
                        store::insert_message(c, row, payload, keep_body)?;
                        if let Some(d) = dedup {
                            store::insert_dedup(c, d)?;
                        }
                    }
                    Ok(())
                }))
                .await;
            let mut st = q.lock();
            match written {
                Ok(()) => {
                    for (i, p) in prepared {
                        if let Some(key) = &p.dedup_key {
                            st.dedup.committed(key, &p.row.message_id);
                        }
                        let payload = self.budget.admit(&p.payload).then_some(p.payload);
                        let e = Entry::new(
                            p.row.message_id.into(),
                            p.row.sent_ms,
                            p.row.expires_ms,
                            p.row.visible_at,
                            p.row.group_id.map(Arc::from),
                            payload,
                        );
                        let inserted = if st.deleted {
                            Ok(())
                        } else {
                            st.index.insert(p.seq, e, now)
                        };
                        results[i] = Some(match inserted {
                            Ok(()) => Ok(p.sent),
                            // `prepare` gives every FIFO message a group.
                            Err(refused) => {
                                self.budget.release(refused.0.payload.as_ref());
                                Err(SqsError::internal(refused.to_string()))
                            }
                        });
                    }
                    drop(st);
                    claim.settle(Ok(()));
                    q.notify.notify_waiters();
                }
                Err(e) => {
                    let message = e.to_string();
                    for (i, p) in prepared {
                        if let Some(key) = &p.dedup_key {
                            st.dedup.forget(key, &p.row.message_id);
                        }
                        results[i] = Some(Err(SqsError::internal(message.clone())));
                    }
                    drop(st);
                    claim.settle(Err(message));
                }
            }
        }
        // Settled first: a duplicate within this very batch waits on it.
        drop(claim);
        for (i, mut outcome, sent) in duplicates {
            let answer = match outcome.wait_for(Option::is_some).await {
                Ok(v) => (*v).clone(),
                Err(_) => None,
            };
            results[i] = Some(match answer {
                Some(Ok(())) => Ok(sent),
                Some(Err(message)) => Err(SqsError::internal(message)),
                None => Err(SqsError::internal("the original send ended without an answer")),
            });
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(SqsError::internal("a message was neither sent nor refused"))))
            .collect()
    }

    /// Checks a message as SendMessage does and builds what is written.
    fn prepare(&self, q: &Queue, config: &QueueConfig, m: NewMessage, sender: &str, now: i64) -> Result<Prepared> {
        validate::check_body(&m.body)?;
        if let Some(d) = m.delay {
            check_delay(i64::from(d), config.fifo)?;
        }
        let (group, dedup_id) = if config.fifo {
            let group = m.group_id.ok_or_else(|| {
                SqsError::InvalidRequest("The request must contain the parameter MessageGroupId.".into())
            })?;
            validate::check_id("MessageGroupId", &group)?;
            let dedup = match m.dedup_id {
                Some(d) => {
                    validate::check_id("MessageDeduplicationId", &d)?;
                    d
                }
                None if config.content_based_deduplication => hex::encode(Sha256::digest(m.body.as_bytes())),
                None => {
                    return Err(SqsError::InvalidRequest(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                            .into(),
                    ));
                }
            };
            (Some(group), Some(dedup))
        } else {
            if let Some(d) = &m.dedup_id {
                return Err(SqsError::parameter(
                    "MessageDeduplicationId",
                    d,
                    "The request include parameter that is not valid for this queue type.",
                ));
            }
            if let Some(g) = &m.group_id {
                validate::check_id("MessageGroupId", g)?;
            }
            (m.group_id, None)
        };
        let attr_bytes = validate::check_message_attributes(&m.message_attributes)?;
        validate::check_system_attributes(&m.message_system_attributes)?;
        let max = config.maximum_message_size as usize;
        if m.body.len() + attr_bytes > max {
            return Err(SqsError::MessageTooLong { max });
        }
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let message_id = uuid::Uuid::new_v4().to_string();
        let sequence_number = config.fifo.then(|| format!("{seq:020}"));
        let dedup_key = dedup_id.as_ref().map(|d| match (&group, config.dedup_per_group) {
            (Some(g), true) => format!("{g}\u{0}{d}"),
            _ => d.clone(),
        });
        let md5_of_body = digest::body(&m.body);
        let sent = Sent {
            message_id: message_id.clone(),
            md5_of_body: md5_of_body.clone(),
            md5_of_message_attributes: digest::attributes(&m.message_attributes),
            md5_of_message_system_attributes: digest::attributes(&m.message_system_attributes),
            sequence_number: sequence_number.clone(),
        };
        let delay = m.delay.unwrap_or(config.delay);
        let row = MessageRow {
            seq,
            queue_id: q.id,
            message_id,
            sent_ms: now,
            expires_ms: now + self.secs(config.retention, Lasting::Retention),
            visible_at: now + self.secs(delay, Lasting::Wait),
            in_flight: false,
            receive_count: 0,
            first_receive_ms: None,
            stamp: 0,
            group_id: group,
            dlq_source: None,
        };
        let payload = Arc::new(Payload {
            body: m.body,
            md5_of_body,
            message_attributes: m.message_attributes,
            system_attributes: m.message_system_attributes,
            sender_id: sender.to_owned(),
            dedup_id,
            sequence_number,
        });
        Ok(Prepared {
            seq,
            row,
            payload,
            dedup_key,
            sent,
        })
    }

    /// Receives up to `opts.max` messages, waiting up to `opts.wait` (of
    /// service time) for the first; answers as soon as any arrive.
    pub(crate) async fn receive_from(&self, q: &Arc<Queue>, opts: ReceiveOptions) -> Result<Vec<Delivery>> {
        let give_up = tokio::time::Instant::now() + Lasting::Wait.real(&self.settings().clock, opts.wait);
        loop {
            let notified = q.notify.notified();
            tokio::pin!(notified);
            // Registered before the queue is looked at, so a send between
            // the look and the wait still wakes this receive.
            notified.as_mut().enable();
            let now = self.now_ms();
            let redrive = q.lock().config.redrive.clone();
            let dlq = redrive.and_then(|r| {
                let d = self.queue_for_arn(&r.dead_letter_target_arn).filter(|d| d.id != q.id)?;
                // Read before `q` is locked: one queue lock at a time.
                let retention = self.secs(d.lock().config.retention, Lasting::Retention);
                Some((d, r.max_receive_count, retention))
            });
            let (delivered, written, arrived, next_wake) = {
                let mut st = q.lock();
                if st.deleted {
                    return Err(SqsError::QueueDoesNotExist);
                }
                self.maintain(&mut st, now);
                let visibility = opts.visibility.unwrap_or(st.config.visibility_timeout);
                let visible_at = now + self.secs(visibility, Lasting::State);
                let replay = match (&opts.attempt_id, q.fifo) {
                    (Some(id), true) => st.attempts.get(id, now).cloned(),
                    _ => None,
                };
                let mut delivered = Vec::new();
                let mut dead = Vec::new();
                if let Some(attempt) = replay {
                    for (seq, stamp) in attempt.messages {
                        if st.index.get(seq).is_some_and(|e| e.in_flight && e.stamp == stamp) {
                            st.index.set_visibility(seq, visible_at, now);
                            delivered.push(seq);
                        }
                    }
                }
                if delivered.is_empty() {
                    let taken = st.index.receive(Receive {
                        max: opts.max,
                        now,
                        visible_at,
                        max_receive_count: dlq.as_ref().map(|(_, m, _)| *m),
                    });
                    delivered = taken.delivered;
                    dead = taken.dead;
                    if let (Some(id), true, false) = (&opts.attempt_id, q.fifo, delivered.is_empty()) {
                        let messages = delivered
                            .iter()
                            .filter_map(|s| st.index.get(*s).map(|e| (*s, e.stamp)))
                            .collect();
                        let expires_ms = now + self.span(FIVE_MINUTES, Lasting::State);
                        st.attempts.insert(id.clone(), Attempt { expires_ms, messages }, now);
                    }
                }
                let delivered: Vec<(u64, Entry)> = delivered
                    .into_iter()
                    .filter_map(|s| st.index.get(s).map(|e| (s, e.clone())))
                    .collect();
                let (arrived, moves) = match &dlq {
                    Some((d, _, retention)) => dead_letters(q, d, *retention, dead, now),
                    None => (Vec::new(), Vec::new()),
                };
                // Queued under the lock: the file sees this receive in the
                // order memory did.
                let written = (!delivered.is_empty() || !moves.is_empty()).then(|| {
                    let updates: Vec<Receipted> = delivered.iter().map(|(seq, e)| receipted(*seq, e)).collect();
                    self.writer.enqueue(Box::new(move |c| {
                        for u in &updates {
                            store::update_receipt(c, u)?;
                        }
                        for m in &moves {
                            store::move_message(c, m)?;
                        }
                        Ok(())
                    }))
                });
                (delivered, written, arrived, st.index.next_wake())
            };
            if let Some(written) = written {
                written.wait().await?;
            }
            if let Some((d, _, _)) = &dlq
                && !arrived.is_empty()
            {
                self.arrive(d, arrived);
            }
            if !delivered.is_empty() {
                return self.deliveries(q, delivered);
            }
            let now_i = tokio::time::Instant::now();
            if now_i >= give_up {
                return Ok(Vec::new());
            }
            let mut until = give_up;
            if let Some(at) = next_wake {
                let wake = now_i + Duration::from_millis((at - self.now_ms()).max(0) as u64 + 1);
                until = until.min(wake);
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(until) => {}
            }
        }
    }

    /// Puts moved messages in a queue's index and wakes its receivers.
    /// Callers send a FIFO queue only messages with a group (dead letters
    /// go to a queue of their source's type; move tasks check); a message
    /// the index refuses all the same is logged and left in the file only.
    pub(crate) fn arrive(&self, q: &Queue, arrived: Vec<(u64, Entry)>) {
        let now = self.now_ms();
        let mut st = q.lock();
        if st.deleted {
            drop(st);
            self.drop_entries(arrived);
            return;
        }
        let mut refused = Vec::new();
        for (seq, e) in arrived {
            if let Err(r) = st.index.insert(seq, e, now) {
                tracing::error!(queue = q.name, seq, error = %r, "a moved message was refused");
                refused.push((seq, *r.0));
            }
        }
        drop(st);
        self.drop_entries(refused);
        q.notify.notify_waiters();
    }

    /// Pairs received entries with their payloads (from memory, else the
    /// file) and receipt handles.
    fn deliveries(&self, q: &Queue, delivered: Vec<(u64, Entry)>) -> Result<Vec<Delivery>> {
        let mut out = Vec::with_capacity(delivered.len());
        for (seq, mut entry) in delivered {
            let payload = match entry.payload.take() {
                Some(p) => p,
                None => {
                    let p = Arc::new(self.read_payload(seq)?);
                    if self.budget.admit(&p) && !q.lock().index.set_payload(seq, p.clone()) {
                        self.budget.release(Some(&p));
                    }
                    p
                }
            };
            let receipt_handle = Receipt {
                queue: q.id,
                seq,
                stamp: entry.stamp,
            }
            .encode();
            out.push(Delivery {
                entry,
                payload,
                receipt_handle,
            });
        }
        Ok(out)
    }

    fn read_payload(&self, seq: u64) -> Result<Payload> {
        let reader = self
            .reader
            .as_ref()
            .ok_or_else(|| SqsError::internal(format!("message {seq} has no body in memory")))?;
        let conn = reader.lock().unwrap_or_else(PoisonError::into_inner);
        store::payload(&conn, seq)?.ok_or_else(|| SqsError::internal(format!("message {seq} has no row")))
    }

    /// Deletes the messages receipt handles name, in one write; each
    /// answers on its own. A message already gone is no error; on FIFO
    /// queues the handle must be its current receive's.
    pub(crate) async fn delete_messages(&self, q: &Queue, handles: &[&str]) -> Vec<Result<()>> {
        let now = self.now_ms();
        let mut results = Vec::with_capacity(handles.len());
        let mut seqs = Vec::new();
        let written = {
            let mut st = q.lock();
            self.maintain(&mut st, now);
            for handle in handles {
                let r = match parse_receipt(q, handle) {
                    Ok(r) => r,
                    Err(e) => {
                        results.push(Err(e));
                        continue;
                    }
                };
                match st.index.get(r.seq) {
                    None => results.push(Ok(())),
                    Some(e) if q.fifo && !(e.in_flight && e.stamp == r.stamp) => {
                        results.push(Err(SqsError::parameter(
                            "ReceiptHandle",
                            handle,
                            "The receipt handle has expired.",
                        )));
                    }
                    Some(_) => {
                        if let Some(e) = st.index.remove(r.seq) {
                            self.budget.release(e.payload.as_ref());
                        }
                        seqs.push(r.seq);
                        results.push(Ok(()));
                    }
                }
            }
            if seqs.is_empty() {
                return results;
            }
            self.writer.enqueue(Box::new(move |c| store::delete_messages(c, &seqs)))
        };
        let written = written.wait().await;
        // A FIFO group may have been waiting for these: its next message is
        // receivable now (memory changed, whatever the write answered).
        if q.fifo {
            q.notify.notify_waiters();
        }
        if let Err(e) = written {
            let message = e.to_string();
            return results
                .into_iter()
                .map(|r| r.and_then(|()| Err(SqsError::internal(message.clone()))))
                .collect();
        }
        results
    }

    /// Changes in-flight messages' visibility timeouts (seconds, from now),
    /// in one write; each answers on its own.
    pub(crate) async fn change_visibility_many(&self, q: &Queue, changes: &[(&str, u32)]) -> Vec<Result<()>> {
        let now = self.now_ms();
        let mut results = Vec::with_capacity(changes.len());
        let mut updates = Vec::new();
        let written = {
            let mut st = q.lock();
            self.maintain(&mut st, now);
            for (handle, seconds) in changes {
                let r = match parse_receipt(q, handle) {
                    Ok(r) => r,
                    Err(e) => {
                        results.push(Err(e));
                        continue;
                    }
                };
                match st.index.get(r.seq) {
                    None => {
                        results.push(Err(SqsError::parameter(
                            "ReceiptHandle",
                            handle,
                            "Message does not exist or is not available for visibility timeout change.",
                        )));
                        continue;
                    }
                    Some(e) if !e.in_flight || e.stamp != r.stamp => {
                        results.push(Err(SqsError::MessageNotInflight));
                        continue;
                    }
                    Some(_) => {}
                }
                st.index
                    .set_visibility(r.seq, now + self.secs(*seconds, Lasting::State), now);
                if let Some(e) = st.index.get(r.seq) {
                    updates.push(receipted(r.seq, e));
                }
                results.push(Ok(()));
            }
            if updates.is_empty() {
                return results;
            }
            self.writer.enqueue(Box::new(move |c| {
                for u in &updates {
                    store::update_receipt(c, u)?;
                }
                Ok(())
            }))
        };
        let written = written.wait().await;
        // Every change moves a message's wake time, not only a change to 0:
        // a long poll sleeping until the old, later end must look again
        // (memory changed, whatever the write answered).
        q.notify.notify_waiters();
        if let Err(e) = written {
            let message = e.to_string();
            return results
                .into_iter()
                .map(|r| r.and_then(|()| Err(SqsError::internal(message.clone()))))
                .collect();
        }
        results
    }
}

/// Dead letters as they arrive in the dead-letter queue `dlq`, and the
/// rows that move them there. A standard message keeps its enqueue time
/// (and so its expiry), as AWS documents; a FIFO one starts over with the
/// dead-letter queue's retention.
fn dead_letters(
    source: &Queue,
    dlq: &Queue,
    retention: i64,
    dead: Vec<(u64, Entry)>,
    now: i64,
) -> (Vec<(u64, Entry)>, Vec<MessageRow>) {
    let mut arrived = Vec::with_capacity(dead.len());
    let mut moves = Vec::with_capacity(dead.len());
    for (seq, mut e) in dead {
        e.in_flight = false;
        e.visible_at = now;
        e.stamp = 0;
        e.dlq_source = Some(source.arn.as_str().into());
        if source.fifo {
            e.expires_ms = now + retention;
        }
        moves.push(MessageRow {
            seq,
            queue_id: dlq.id,
            message_id: e.message_id.to_string(),
            sent_ms: e.sent_ms,
            expires_ms: e.expires_ms,
            visible_at: e.visible_at,
            in_flight: false,
            receive_count: e.receive_count,
            first_receive_ms: e.first_receive_ms,
            stamp: 0,
            group_id: e.group.as_ref().map(|g| g.to_string()),
            dlq_source: Some(source.arn.clone()),
        });
        arrived.push((seq, e));
    }
    (arrived, moves)
}

fn clone_row(r: &MessageRow) -> MessageRow {
    MessageRow {
        seq: r.seq,
        queue_id: r.queue_id,
        message_id: r.message_id.clone(),
        sent_ms: r.sent_ms,
        expires_ms: r.expires_ms,
        visible_at: r.visible_at,
        in_flight: r.in_flight,
        receive_count: r.receive_count,
        first_receive_ms: r.first_receive_ms,
        stamp: r.stamp,
        group_id: r.group_id.clone(),
        dlq_source: r.dlq_source.clone(),
    }
}

fn receipted(seq: u64, e: &Entry) -> Receipted {
    Receipted {
        seq,
        visible_at: e.visible_at,
        in_flight: e.in_flight,
        receive_count: e.receive_count,
        first_receive_ms: e.first_receive_ms,
        stamp: e.stamp,
    }
}

fn parse_receipt(q: &Queue, handle: &str) -> Result<Receipt> {
    Receipt::parse(handle)
        .filter(|r| r.queue == q.id)
        .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(handle.to_owned()))
}

/// Message attributes a receive asked for: `All` or `.*` for every one,
/// `prefix.*` for names starting with `prefix`, else exact names.
pub(crate) fn select_attributes(all: &MessageAttributes, wanted: &[String]) -> MessageAttributes {
    all.iter()
        .filter(|(name, _)| {
            wanted.iter().any(|w| {
                w == "All"
                    || w == ".*"
                    || w == *name
                    || w.strip_suffix(".*").is_some_and(|prefix| name.starts_with(prefix))
            })
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
