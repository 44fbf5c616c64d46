//! What the service works with, in its own words: a message attribute, a
//! message to send, what a send and a receive answer, a queue as other
//! services see it.
//!
//! [`MessageAttributeValue`] is the one type here that serializes as the
//! wire does (`DataType`, `StringValue`, `BinaryValue` in base64): SNS, S3
//! notifications and Step Functions hand attributes through unchanged, so
//! the in-process API and the wire share it rather than converting back and
//! forth; the queue's file keeps it in the same form.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A message (or message system) attribute: `String`, `Number` or
/// `Binary`, optionally followed by `.` and a custom label
/// (`Number.float`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MessageAttributeValue {
    // In the model's order, which awsQuery's XML keeps.
    #[serde(rename = "StringValue", default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    #[serde(
        rename = "BinaryValue",
        default,
        skip_serializing_if = "Option::is_none",
        with = "base64_bytes"
    )]
    pub binary_value: Option<Vec<u8>>,
    #[serde(rename = "DataType", default)]
    pub data_type: String,
}

impl MessageAttributeValue {
    pub fn string(data_type: &str, value: impl Into<String>) -> Self {
        Self {
            data_type: data_type.to_owned(),
            string_value: Some(value.into()),
            binary_value: None,
        }
    }

    pub fn binary(data_type: &str, value: impl Into<Vec<u8>>) -> Self {
        Self {
            data_type: data_type.to_owned(),
            string_value: None,
            binary_value: Some(value.into()),
        }
    }

    /// Binary attributes carry bytes; String and Number carry text.
    pub fn is_binary(&self) -> bool {
        self.data_type.starts_with("Binary")
    }
}

/// Message attributes by name, in name order (the order AWS's MD5 digests
/// them in).
pub type MessageAttributes = BTreeMap<String, MessageAttributeValue>;

/// `BinaryValue` as JSON writes a blob: base64.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        STANDARD
            .decode(text.trim())
            .map(Some)
            .map_err(|_| serde::de::Error::custom("BinaryValue is not valid base64"))
    }
}

/// A message to send, as SendMessage takes it; [`Sqs::send`](crate::Sqs::send)
/// validates it exactly as SendMessage does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewMessage {
    pub body: String,
    pub message_attributes: MessageAttributes,
    /// Only `AWSTraceHeader` (a String) is accepted, as AWS accepts it.
    pub message_system_attributes: MessageAttributes,
    /// FIFO queues: required. Standard queues accept it (fair queues).
    pub group_id: Option<String>,
    /// FIFO queues: required unless the queue has content-based deduplication.
    pub dedup_id: Option<String>,
    /// Seconds, 0–900; standard queues only. `None` is the queue's DelaySeconds.
    pub delay: Option<u32>,
}

/// What SendMessage answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
    pub md5_of_body: String,
    pub md5_of_message_attributes: Option<String>,
    pub md5_of_message_system_attributes: Option<String>,
    /// FIFO queues only.
    pub sequence_number: Option<String>,
}

/// One received message, with every system attribute and message attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub md5_of_body: String,
    pub md5_of_message_attributes: Option<String>,
    /// `SenderId`, `SentTimestamp`, `ApproximateReceiveCount`,
    /// `ApproximateFirstReceiveTimestamp`, and where they apply
    /// `SequenceNumber`, `MessageGroupId`, `MessageDeduplicationId`,
    /// `AWSTraceHeader`, `DeadLetterQueueSourceArn`.
    pub attributes: BTreeMap<String, String>,
    pub message_attributes: MessageAttributes,
}

/// A queue as another service needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRef {
    pub name: String,
    pub arn: String,
    pub fifo: bool,
    pub visibility_timeout: Duration,
}
