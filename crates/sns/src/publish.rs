//! Publish and PublishBatch in domain terms: a message is checked as SNS
//! checks it, then stored in one transaction with a delivery for each
//! subscription whose filter policy it passes, so that Publish answers
//! once the message is durable and delivery happens after. FIFO topics
//! number their messages and drop a deduplication id seen in the last five
//! minutes of service time, answering the first message's id again.

use std::collections::BTreeMap;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::arns;
use crate::error::{Result, SnsError};
use crate::message::{self, Attribute, MAX_MESSAGE_BYTES, PublishInput, Published, Stored};
use crate::model::{Protocol, Subscription, Topic};
use crate::record::RecordedMessage;
use crate::service::Sns;
use crate::store::{self, NewDelivery};

/// FIFO topics drop a deduplication id seen within this window.
pub const DEDUP_WINDOW: Duration = Duration::from_secs(300);
/// PublishBatch's limits.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// Where a Publish goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    /// A topic named by `member` (`TopicArn` or `TargetArn`).
    Topic { member: &'static str, arn: &'a str },
    /// A phone number: an SMS, recorded.
    Phone(&'a str),
    /// A mobile platform endpoint, which lakestack does not host.
    Endpoint(&'a str),
}

/// A message once checked, before its topic is known.
struct Checked {
    input: PublishInput,
    structure: Option<BTreeMap<String, String>>,
    attributes: BTreeMap<String, Attribute>,
    size: usize,
}

fn check(input: PublishInput) -> Result<Checked> {
    if input.message.is_empty() {
        return Err(SnsError::invalid("Empty message"));
    }
    if let Some(s) = &input.subject {
        message::check_subject(s)?;
    }
    let structure = match input.message_structure.as_deref() {
        None => None,
        Some("json") => Some(message::parse_structure(&input.message)?),
        Some(_) => return Err(SnsError::invalid("MessageStructure")),
    };
    let attributes = message::check_attributes(&input.message_attributes)?;
    let size = message::size(&input.message, &attributes);
    if size > MAX_MESSAGE_BYTES {
        return Err(SnsError::invalid("Message too long"));
    }
    if let Some(g) = &input.message_group_id {
        message::check_fifo_id("MessageGroupId", g)?;
    }
    if let Some(d) = &input.message_deduplication_id {
        message::check_fifo_id("MessageDeduplicationId", d)?;
    }
    Ok(Checked {
        input,
        structure,
        attributes,
        size,
    })
}

/// The deduplication id a message has on its topic: FIFO topics need a
/// group id and either an explicit id or content-based deduplication (the
/// SHA-256 of the message, as AWS computes it).
fn dedup_id(c: &Checked, topic: &Topic) -> Result<Option<String>> {
    if !topic.fifo {
        if c.input.message_deduplication_id.is_some() {
            return Err(SnsError::invalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            ));
        }
        return Ok(None);
    }
    if c.input.message_group_id.is_none() {
        return Err(SnsError::invalid(
            "The MessageGroupId parameter is required for FIFO topics",
        ));
    }
    match &c.input.message_deduplication_id {
        Some(d) => Ok(Some(d.clone())),
        None if topic.content_based_dedup() => Ok(Some(hex::encode(Sha256::digest(c.input.message.as_bytes())))),
        None => Err(SnsError::invalid(
            "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        )),
    }
}

/// AWS's FIFO sequence numbers: 20 digits that grow with each message.
fn sequence_number(n: i64) -> String {
    format!(
        "{}",
        10_000_000_000_000_000_000u128 + u128::from(n.unsigned_abs()) * 1000
    )
}

impl Sns {
    /// Publishes to a topic in-process (S3 notifications, Step Functions'
    /// `sns:publish`): checked exactly as the Publish operation checks it.
    pub async fn publish(&self, topic_arn: &str, message: PublishInput) -> Result<Published> {
        self.publish_to(
            Target::Topic {
                member: "TopicArn",
                arn: topic_arn,
            },
            message,
        )
    }

    pub(crate) fn publish_to(&self, target: Target<'_>, input: PublishInput) -> Result<Published> {
        let topic_arn = match target {
            Target::Topic { member, arn } => Some(self.home.topic(member, arn)?),
            Target::Phone(p) => {
                if !arns::is_phone_number(p) {
                    return Err(SnsError::invalid(format!(
                        "PhoneNumber Reason: {p} is not valid to publish to"
                    )));
                }
                None
            }
            Target::Endpoint(arn) => {
                arns::parse("TargetArn", arn)?;
                return Err(SnsError::invalid(
                    "TargetArn Reason: No endpoint found for the target arn specified",
                ));
            }
        };
        let checked = check(input)?;
        let Some(topic_arn) = topic_arn else {
            let Target::Phone(phone) = target else {
                return Err(SnsError::internal("a publish without a target"));
            };
            return self.publish_sms(phone, &checked);
        };
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let topic = store::topic(&tx, &topic_arn, now)?.ok_or(SnsError::TopicNotFound)?;
        let dedup = dedup_id(&checked, &topic)?;
        let published = self.accept(&tx, &topic, checked, dedup, now)?;
        tx.commit()?;
        drop(conn);
        self.wake.notify_one();
        Ok(published)
    }

    /// PublishBatch: every entry is checked before any is published, and
    /// all are stored in one transaction.
    pub(crate) fn publish_batch(
        &self,
        topic_arn: &str,
        entries: Vec<(String, PublishInput)>,
    ) -> Result<Vec<(String, Published)>> {
        let topic_arn = self.home.topic("TopicArn", topic_arn)?;
        {
            use lakestack_aws_protocol::batch::{BatchIdError, check_entry_ids};
            check_entry_ids(entries.iter().map(|(id, _)| Some(id.as_str())), MAX_BATCH_ENTRIES).map_err(
                |e| match e {
                    BatchIdError::Empty => SnsError::EmptyBatch,
                    BatchIdError::TooMany(_) => SnsError::TooManyEntries,
                    BatchIdError::Invalid => SnsError::InvalidEntryId,
                    BatchIdError::Duplicate(_) => SnsError::DuplicateEntryIds,
                },
            )?;
        }
        let mut checked = Vec::with_capacity(entries.len());
        for (id, input) in entries {
            checked.push((id, check(input)?));
        }
        if checked.iter().map(|(_, c)| c.size).sum::<usize>() > MAX_MESSAGE_BYTES {
            return Err(SnsError::BatchTooLong);
        }
        let now = self.now_ms();
        let mut conn = self.store.lock();
        let tx = conn.transaction()?;
        let topic = store::topic(&tx, &topic_arn, now)?.ok_or(SnsError::TopicNotFound)?;
        let mut with_dedup = Vec::with_capacity(checked.len());
        for (id, c) in checked {
            let d = dedup_id(&c, &topic)?;
            with_dedup.push((id, c, d));
        }
        let mut out = Vec::with_capacity(with_dedup.len());
        for (id, c, d) in with_dedup {
            out.push((id, self.accept(&tx, &topic, c, d, now)?));
        }
        tx.commit()?;
        drop(conn);
        self.wake.notify_one();
        Ok(out)
    }

    /// Stores a checked message and its deliveries, within `tx`.
    fn accept(
        &self,
        tx: &rusqlite::Connection,
        topic: &Topic,
        c: Checked,
        dedup: Option<String>,
        now: i64,
    ) -> Result<Published> {
        if let Some(d) = &dedup
            && let Some((message_id, sequence_number)) = store::deduplicated(tx, &topic.arn, d, now)?
        {
            return Ok(Published {
                message_id,
                sequence_number,
            });
        }
        let message_id = self.new_id();
        let sequence = if topic.fifo {
            Some(sequence_number(store::next_sequence(tx, &topic.arn)?))
        } else {
            None
        };
        let stored = Stored {
            v: 1,
            message_id: message_id.clone(),
            topic_arn: topic.arn.clone(),
            subject: c.input.subject,
            message: c.input.message,
            structure: c.structure,
            attributes: Stored::store_attributes(&c.attributes),
            timestamp_ms: now,
            group_id: c.input.message_group_id,
            dedup_id: dedup.clone(),
            sequence: sequence.clone(),
            signature_version: topic.attribute("SignatureVersion").unwrap_or("1").to_owned(),
        };
        let mut delivered = false;
        for sub in store::confirmed(tx, &topic.arn)? {
            if !self.passes(&sub, &stored, &c.attributes) {
                continue;
            }
            let lane = topic
                .fifo
                .then(|| format!("{}\n{}", sub.arn, stored.group_id.as_deref().unwrap_or_default()));
            store::insert_delivery(
                tx,
                &NewDelivery {
                    topic_arn: &topic.arn,
                    message_id: Some(&message_id),
                    subscription_arn: &sub.arn,
                    control: None,
                    lane: lane.as_deref(),
                    due_ms: now,
                },
            )?;
            delivered = true;
        }
        if delivered {
            store::insert_message(tx, &message_id, &topic.arn, &serde_json::to_string(&stored)?)?;
        }
        if let Some(d) = &dedup {
            store::remember_dedup(
                tx,
                &topic.arn,
                d,
                &message_id,
                sequence.as_deref(),
                self.window_end(DEDUP_WINDOW),
            )?;
        }
        Ok(Published {
            message_id,
            sequence_number: sequence,
        })
    }

    /// Whether a message passes a subscription's filter policy.
    fn passes(&self, sub: &Subscription, m: &Stored, attrs: &BTreeMap<String, Attribute>) -> bool {
        let Some(text) = sub.attribute("FilterPolicy") else {
            return true;
        };
        match self.policy(&sub.arn, text, sub.filter_scope()) {
            Some(p) => p.matches(m.text_for(sub.protocol), attrs),
            None => true,
        }
    }

    /// An SMS published to a phone number: recorded, as lakestack sends none.
    fn publish_sms(&self, phone: &str, c: &Checked) -> Result<Published> {
        let message_id = self.new_id();
        let text = match &c.structure {
            Some(texts) => texts
                .get(Protocol::Sms.structure_key())
                .or_else(|| texts.get("default"))
                .cloned()
                .unwrap_or_default(),
            None => c.input.message.clone(),
        };
        self.record(&RecordedMessage {
            id: 0,
            time: self.timestamp(),
            kind: "Notification".into(),
            topic_arn: None,
            subscription_arn: None,
            protocol: Protocol::Sms.as_str().into(),
            endpoint: phone.to_owned(),
            message_id: message_id.clone(),
            subject: c.input.subject.clone(),
            message: text,
            message_attributes: crate::record::attributes(&c.attributes),
            error: None,
        })?;
        Ok(Published {
            message_id,
            sequence_number: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_have_twenty_digits() {
        assert_eq!(sequence_number(1), "10000000000000001000");
        assert_eq!(sequence_number(3), "10000000000000003000");
    }

    #[test]
    fn content_based_ids_are_the_sha256_of_the_message() {
        let topic = Topic {
            arn: "arn:aws:sns:us-east-1:000000000000:t.fifo".into(),
            name: "t.fifo".into(),
            fifo: true,
            attributes: BTreeMap::from([("ContentBasedDeduplication".into(), "true".into())]),
            tags: BTreeMap::new(),
            confirmed: 0,
            pending: 0,
            deleted: 0,
        };
        let mut input = PublishInput::text("Test");
        input.message_group_id = Some("g".into());
        let c = check(input).unwrap();
        assert_eq!(
            dedup_id(&c, &topic).unwrap().as_deref(),
            Some("532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25")
        );
    }
}
