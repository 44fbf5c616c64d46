//! Publish and PublishBatch: the wire's members into a
//! [`PublishInput`], the target chosen from TopicArn, TargetArn and
//! PhoneNumber, and the answers.

use std::collections::BTreeMap;

use base64::Engine as _;
use lakestack_aws_protocol::{Arn, Output, ServiceError};

use super::dto::{
    BatchEntryWire, BatchResultEntry, MessageAttributeWire, PublishBatchRequest, PublishBatchResponse, PublishRequest,
    PublishResponse,
};
use super::{Answer, SPEC};
use crate::error::SnsError;
use crate::message::{MessageAttributeValue, PublishInput};
use crate::publish::Target;
use crate::service::Sns;

/// Message attributes as sent; `member` prefixes the path of a missing
/// data type as AWS names it (`messageAttributes.<name>.member.dataType`).
fn attributes(
    attrs: Option<BTreeMap<String, MessageAttributeWire>>,
    member: &str,
) -> Result<BTreeMap<String, MessageAttributeValue>, ServiceError> {
    attrs
        .unwrap_or_default()
        .into_iter()
        .map(|(name, a)| {
            let data_type = SPEC.required(a.data_type, &format!("{member}.{name}.member.dataType"))?;
            let binary_value = match a.binary_value {
                Some(b) => Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(b.trim())
                        .map_err(|_| {
                            SnsError::AttributeInvalid(format!(
                                "The message attribute '{name}' with type 'Binary' must hold a base64 value."
                            ))
                        })?,
                ),
                None => None,
            };
            Ok((
                name,
                MessageAttributeValue {
                    data_type,
                    string_value: a.string_value,
                    binary_value,
                },
            ))
        })
        .collect()
}

pub(super) fn publish(s: &Sns, req: PublishRequest) -> Answer {
    let message = SPEC.required(req.message, "message")?;
    let input = PublishInput {
        message,
        subject: req.subject,
        message_structure: req.message_structure,
        message_attributes: attributes(req.message_attributes, "messageAttributes")?,
        message_group_id: req.message_group_id,
        message_deduplication_id: req.message_deduplication_id,
    };
    let target = match (&req.topic_arn, &req.target_arn, &req.phone_number) {
        (Some(t), None, None) => Target::Topic {
            member: "TopicArn",
            arn: t,
        },
        (None, Some(t), None) => match Arn::parse(t) {
            Some(a) if a.service == "sns" && !a.resource.starts_with("endpoint/") => Target::Topic {
                member: "TargetArn",
                arn: t,
            },
            _ => Target::Endpoint(t),
        },
        (None, None, Some(p)) => Target::Phone(p),
        (None, None, None) => {
            return Err(SnsError::invalid("TopicArn or TargetArn Reason: no value for required parameter").into());
        }
        _ => {
            return Err(SnsError::invalid(
                "TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified",
            )
            .into());
        }
    };
    let out = s.publish_to(target, input)?;
    Output::of(&PublishResponse {
        message_id: out.message_id,
        sequence_number: out.sequence_number,
    })
}

fn entry(n: usize, e: BatchEntryWire) -> Result<(String, PublishInput), ServiceError> {
    let at = format!("publishBatchRequestEntries.{n}.member");
    let id = SPEC.required(e.id, &format!("{at}.id"))?;
    let message = SPEC.required(e.message, &format!("{at}.message"))?;
    Ok((
        id,
        PublishInput {
            message,
            subject: e.subject,
            message_structure: e.message_structure,
            message_attributes: attributes(e.message_attributes, &format!("{at}.messageAttributes"))?,
            message_group_id: e.message_group_id,
            message_deduplication_id: e.message_deduplication_id,
        },
    ))
}

pub(super) fn publish_batch(s: &Sns, req: PublishBatchRequest) -> Answer {
    let topic = SPEC.required(req.topic_arn, "topicArn")?;
    let wire = SPEC.required(req.publish_batch_request_entries, "publishBatchRequestEntries")?;
    if wire.len() > crate::publish::MAX_BATCH_ENTRIES {
        // Before reading entries that would all be refused.
        return Err(SnsError::TooManyEntries.into());
    }
    let entries = wire
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry(i + 1, e))
        .collect::<Result<Vec<_>, _>>()?;
    let published = s.publish_batch(&topic, entries)?;
    Output::of(&PublishBatchResponse {
        successful: published
            .into_iter()
            .map(|(id, p)| BatchResultEntry {
                id,
                message_id: p.message_id,
                sequence_number: p.sequence_number,
            })
            .collect(),
        failed: Vec::new(),
    })
}
