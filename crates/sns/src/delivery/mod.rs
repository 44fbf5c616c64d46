//! Delivery: the task that takes stored deliveries when they are due and
//! makes them, at least once, in the background of Publish. A message
//! goes to an SQS queue or a Lambda function through the host, to an HTTP
//! endpoint by POST, and into the record for protocols lakestack does not
//! send (email, sms, mobile push). A failed attempt is retried on the
//! server's clock under the protocol's schedule ([`retry`]); a delivery
//! refused for good, or out of retries, goes to the subscription's
//! dead-letter queue when it has one, and is recorded with the reason.
//! FIFO topics deliver one message at a time per subscription and message
//! group, in order.

pub(crate) mod http;
pub(crate) mod retry;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;

use self::http::HttpRequest;
use crate::envelope::{self, Notification};
use crate::error::Result;
use crate::host::{DeliveryError, QueueMessage};
use crate::message::{Attribute, Stored};
use crate::model::{Protocol, Subscription, SubscriptionState, Topic};
use crate::record::RecordedMessage;
use crate::service::Sns;
use crate::store::{self, Delivery};

/// SQS takes at most this many message attributes: raw deliveries with
/// more are refused for good, as AWS documents.
const MAX_RAW_ATTRIBUTES: usize = 10;
/// How long the task waits after its file failed it before trying again.
const STORE_BACKOFF: Duration = Duration::from_secs(1);

/// Starts the delivery task. It holds the service weakly, so it ends once
/// the service is dropped and woken.
pub(crate) fn spawn(sns: &Arc<Sns>) {
    let weak = Arc::downgrade(sns);
    let wake = sns.wake.clone();
    tokio::spawn(async move {
        loop {
            let next = {
                let Some(sns) = weak.upgrade() else { return };
                dispatch(&sns)
            };
            let now = match weak.upgrade() {
                Some(sns) => sns.now_ms(),
                None => return,
            };
            match next {
                Some(due) if due <= now => tokio::task::yield_now().await,
                Some(due) => {
                    let wait = Duration::from_millis(u64::try_from(due - now).unwrap_or(0));
                    tokio::select! {
                        _ = wake.notified() => {}
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
                None => wake.notified().await,
            }
        }
    });
}

/// Leases the due deliveries there are free slots for and starts them;
/// answers when to look again (none: when woken).
fn dispatch(sns: &Arc<Sns>) -> Option<i64> {
    let free = sns.slots.available_permits();
    let now = sns.now_ms();
    if free == 0 {
        // A finishing attempt wakes the task.
        return None;
    }
    let leased = {
        let conn = sns.store.lock();
        store::lease_due(&conn, now, free).and_then(|batch| Ok((batch, store::next_due(&conn)?)))
    };
    match leased {
        Ok((batch, next)) => {
            for d in batch {
                let Ok(permit) = sns.slots.clone().try_acquire_owned() else {
                    // Cannot happen (the batch fits the free slots); the
                    // lease is given back so that the delivery is not lost.
                    let _ = store::retry_delivery(&sns.store.lock(), d.id, d.attempts, now);
                    continue;
                };
                tokio::spawn(run(sns.clone(), d, permit));
            }
            next
        }
        Err(e) => {
            tracing::warn!(error = %e, "SNS could not read its deliveries");
            Some(now + STORE_BACKOFF.as_millis() as i64)
        }
    }
}

/// What became of an attempt.
enum Outcome {
    Done,
    /// Retry under this schedule: the delay before retry `n`.
    Retry(String, Schedule),
    /// Refused for good, or out of retries.
    Failed(String),
}

#[derive(Clone, Copy)]
enum Schedule {
    AwsManaged,
    Http(retry::HttpPolicy),
}

impl Schedule {
    fn delay(self, n: u32) -> Option<Duration> {
        match self {
            Self::AwsManaged => retry::aws_managed(n),
            Self::Http(p) => p.delay(n),
        }
    }
}

/// One delivery: the message, its subscription and its topic as they are
/// now, and what it turned into.
struct Prepared {
    message: Stored,
    sub: Subscription,
    topic: Topic,
}

async fn run(sns: Arc<Sns>, d: Delivery, permit: OwnedSemaphorePermit) {
    let prepared = match prepare(&sns, &d) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(delivery = d.id, error = %e, "SNS could not read a delivery");
            reschedule(&sns, &d, Schedule::AwsManaged, &e.to_string(), None).await;
            finish(sns, permit);
            return;
        }
    };
    let outcome = match (&d.control, &prepared) {
        (Some(control), _) => control_attempt(&sns, control).await,
        (None, Some(p)) => attempt(&sns, p).await,
        // The message, subscription or topic is gone: nothing to deliver.
        (None, None) => Outcome::Done,
    };
    match outcome {
        Outcome::Done => complete(&sns, &d),
        Outcome::Retry(reason, schedule) => reschedule(&sns, &d, schedule, &reason, prepared.as_ref()).await,
        Outcome::Failed(reason) => {
            if let Some(p) = &prepared {
                dead_letter(&sns, p, &reason).await;
            } else {
                tracing::warn!(
                    delivery = d.id,
                    reason,
                    "an SNS confirmation message could not be delivered"
                );
            }
            complete(&sns, &d);
        }
    }
    finish(sns, permit);
}

fn finish(sns: Arc<Sns>, permit: OwnedSemaphorePermit) {
    drop(permit);
    sns.wake.notify_one();
}

fn complete(sns: &Sns, d: &Delivery) {
    if let Err(e) = store::finish_delivery(&sns.store.lock(), d) {
        tracing::warn!(delivery = d.id, error = %e, "SNS could not end a delivery");
    }
}

async fn reschedule(sns: &Sns, d: &Delivery, schedule: Schedule, reason: &str, p: Option<&Prepared>) {
    let n = d.attempts + 1;
    match schedule.delay(n) {
        Some(delay) => {
            let due = sns.after(delay);
            if let Err(e) = store::retry_delivery(&sns.store.lock(), d.id, n, due) {
                tracing::warn!(delivery = d.id, error = %e, "SNS could not schedule a retry");
            }
        }
        None => {
            let reason = format!("{reason} (after {n} attempts)");
            match p {
                Some(p) => dead_letter(sns, p, &reason).await,
                None => tracing::warn!(
                    delivery = d.id,
                    reason,
                    "an SNS confirmation message could not be delivered"
                ),
            }
            complete(sns, d);
        }
    }
}

/// Reads what a delivery of a message needs; none when it has nothing
/// left to deliver (the message went with its topic, the subscription was
/// removed) or for a control message, which carries itself.
fn prepare(sns: &Sns, d: &Delivery) -> Result<Option<Prepared>> {
    let Some(message_id) = &d.message_id else {
        return Ok(None);
    };
    let now = sns.now_ms();
    let conn = sns.store.lock();
    let Some(body) = store::message(&conn, message_id)? else {
        return Ok(None);
    };
    let message: Stored = serde_json::from_str(&body)?;
    let Some(sub) = store::subscription(&conn, &d.subscription_arn, now)? else {
        return Ok(None);
    };
    if sub.state != SubscriptionState::Confirmed {
        return Ok(None);
    }
    let Some(topic) = store::topic(&conn, &d.topic_arn, now)? else {
        return Ok(None);
    };
    Ok(Some(Prepared { message, sub, topic }))
}

async fn control_attempt(sns: &Sns, control: &str) -> Outcome {
    let req: HttpRequest = match serde_json::from_str(control) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("a stored confirmation message does not read: {e}")),
    };
    match sns.http().post(&req).await {
        Ok(()) => Outcome::Done,
        Err(DeliveryError::Permanent(m)) => Outcome::Failed(m),
        Err(DeliveryError::Transient(m)) => Outcome::Retry(m, Schedule::Http(retry::HttpPolicy::default())),
    }
}

/// The text, attributes and envelope of a message for one subscription.
struct Parts {
    text: String,
    attributes: BTreeMap<String, Attribute>,
    timestamp: String,
    unsubscribe_url: String,
    signing_cert_url: String,
}

impl Parts {
    fn of(sns: &Sns, p: &Prepared) -> Self {
        let endpoint = sns.host.endpoint();
        Self {
            text: p.message.text_for(p.sub.protocol).to_owned(),
            attributes: p.message.attributes(),
            timestamp: lakestack_aws_protocol::timestamp::iso8601(p.message.timestamp_ms),
            unsubscribe_url: envelope::unsubscribe_url(&endpoint, &p.sub.arn),
            signing_cert_url: envelope::signing_cert_url(&endpoint),
        }
    }

    fn notification<'a>(&'a self, p: &'a Prepared) -> Notification<'a> {
        Notification {
            message_id: &p.message.message_id,
            topic_arn: &p.message.topic_arn,
            subject: p.message.subject.as_deref(),
            message: &self.text,
            timestamp: &self.timestamp,
            sequence_number: if p.topic.fifo {
                p.message.sequence.as_deref()
            } else {
                None
            },
            signature_version: &p.message.signature_version,
            signing_cert_url: &self.signing_cert_url,
            unsubscribe_url: &self.unsubscribe_url,
            attributes: &self.attributes,
        }
    }

    /// The body a raw or enveloped delivery carries.
    fn body(&self, p: &Prepared) -> String {
        if p.sub.raw() {
            self.text.clone()
        } else {
            envelope::notification(&self.notification(p))
        }
    }

    /// The message an SQS queue receives, as a subscription or as a
    /// dead-letter queue.
    fn queue_message(&self, p: &Prepared, queue_arn: &str) -> QueueMessage {
        QueueMessage {
            body: self.body(p),
            attributes: if p.sub.raw() {
                self.attributes.clone()
            } else {
                BTreeMap::new()
            },
            group_id: p.message.group_id.clone(),
            dedup_id: if queue_arn.ends_with(".fifo") {
                p.message.dedup_id.clone()
            } else {
                None
            },
        }
    }

    fn recorded(&self, p: &Prepared, message: String, error: Option<String>) -> RecordedMessage {
        RecordedMessage {
            id: 0,
            time: self.timestamp.clone(),
            kind: "Notification".into(),
            topic_arn: Some(p.message.topic_arn.clone()),
            subscription_arn: Some(p.sub.arn.clone()),
            protocol: p.sub.protocol.as_str().into(),
            endpoint: p.sub.endpoint.clone(),
            message_id: p.message.message_id.clone(),
            subject: p.message.subject.clone(),
            message,
            message_attributes: crate::record::attributes(&self.attributes),
            error,
        }
    }
}

/// The content type of an HTTP/S notification: the delivery policy's.
fn content_type(p: &Prepared) -> String {
    let policy = crate::subscriptions::effective_subscription_policy(&p.sub, &p.topic);
    policy["requestPolicy"]["headerContentType"]
        .as_str()
        .unwrap_or("text/plain; charset=UTF-8")
        .to_owned()
}

fn http_schedule(p: &Prepared) -> Schedule {
    let policy = crate::subscriptions::effective_subscription_policy(&p.sub, &p.topic);
    Schedule::Http(retry::HttpPolicy::from_json(policy.get("healthyRetryPolicy")))
}

fn outcome(result: std::result::Result<(), DeliveryError>, schedule: Schedule) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(DeliveryError::Permanent(m)) => Outcome::Failed(m),
        Err(DeliveryError::Transient(m)) => Outcome::Retry(m, schedule),
    }
}

async fn attempt(sns: &Sns, p: &Prepared) -> Outcome {
    let parts = Parts::of(sns, p);
    let endpoint = p.sub.endpoint.as_str();
    match p.sub.protocol {
        Protocol::Sqs => {
            let message = parts.queue_message(p, endpoint);
            if p.sub.raw() && message.attributes.len() > MAX_RAW_ATTRIBUTES {
                return Outcome::Failed(format!(
                    "a raw message to SQS carries at most {MAX_RAW_ATTRIBUTES} message attributes, not {}",
                    message.attributes.len()
                ));
            }
            outcome(sns.host.send_to_queue(endpoint, message).await, Schedule::AwsManaged)
        }
        Protocol::Lambda => {
            let event = envelope::lambda_event(&parts.notification(p), &p.sub.arn);
            outcome(sns.host.invoke_function(endpoint, event).await, Schedule::AwsManaged)
        }
        Protocol::Firehose => {
            let data = parts.body(p).into_bytes();
            outcome(sns.host.put_firehose_record(endpoint, data).await, Schedule::AwsManaged)
        }
        Protocol::Http | Protocol::Https => {
            let req = HttpRequest {
                url: endpoint.to_owned(),
                message_type: "Notification".into(),
                message_id: p.message.message_id.clone(),
                topic_arn: p.message.topic_arn.clone(),
                subscription_arn: Some(p.sub.arn.clone()),
                raw: p.sub.raw(),
                content_type: content_type(p),
                body: parts.body(p),
            };
            outcome(sns.http().post(&req).await, http_schedule(p))
        }
        Protocol::Email | Protocol::Sms | Protocol::Application => {
            let m = parts.recorded(p, parts.text.clone(), None);
            record_outcome(sns, &m)
        }
        Protocol::EmailJson => {
            let m = parts.recorded(p, envelope::notification(&parts.notification(p)), None);
            record_outcome(sns, &m)
        }
    }
}

fn record_outcome(sns: &Sns, m: &RecordedMessage) -> Outcome {
    match sns.record(m) {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Retry(e.to_string(), Schedule::AwsManaged),
    }
}

/// A delivery that will not be made: to the dead-letter queue if the
/// subscription has one, and into the record with the reason.
async fn dead_letter(sns: &Sns, p: &Prepared, reason: &str) {
    let parts = Parts::of(sns, p);
    let body = match p.sub.protocol {
        Protocol::Lambda => envelope::lambda_event(&parts.notification(p), &p.sub.arn).to_string(),
        _ => parts.body(p),
    };
    tracing::warn!(
        subscription = p.sub.arn,
        reason,
        "an SNS message could not be delivered"
    );
    if let Err(e) = sns.record(&parts.recorded(p, body, Some(reason.to_owned()))) {
        tracing::warn!(error = %e, "SNS could not record an undelivered message");
    }
    if let Some(dlq) = p.sub.dead_letter_queue() {
        let message = parts.queue_message(p, &dlq);
        if let Err(e) = sns.host.send_to_queue(&dlq, message).await {
            tracing::warn!(queue = dlq, error = %e, "SNS could not move a message to its dead-letter queue");
        }
    }
}
