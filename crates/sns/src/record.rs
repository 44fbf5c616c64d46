//! Messages lakestack does not send anywhere, kept for people and tests to
//! read: whatever SNS would have sent to email, email-json, sms and
//! application (mobile push) endpoints, SMS published by PhoneNumber, and
//! deliveries that failed for good (an endpoint that refused or kept
//! failing, or Firehose before lakestack serves it), with the reason. The root
//! package serves them at a lakestack endpoint; [`crate::Sns::recorded`]
//! reads them, newest last, and [`crate::Sns::clear_recorded`] empties the
//! record. The record keeps the newest [`MAX_RECORDED`] messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many recorded messages are kept: older ones are dropped first.
pub const MAX_RECORDED: i64 = 10_000;
/// The most one read answers.
pub const MAX_READ: usize = 1_000;

/// One message as it would have been sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedMessage {
    /// Increasing with each recorded message.
    pub id: i64,
    /// When it was recorded (ISO 8601, milliseconds, UTC).
    pub time: String,
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The topic, or none for an SMS published to a phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_arn: Option<String>,
    pub protocol: String,
    /// The email address, phone number, URL or ARN it was addressed to.
    pub endpoint: String,
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The body as the endpoint would have received it: the text for email
    /// and sms, the JSON document for email-json and HTTP/S.
    pub message: String,
    /// Name → {"Type", "Value"}, as notifications write them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub message_attributes: BTreeMap<String, RecordedAttribute>,
    /// Why lakestack could not deliver it, when it tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedAttribute {
    #[serde(rename = "Type")]
    pub data_type: String,
    #[serde(rename = "Value")]
    pub value: String,
}

/// Which recorded messages to read or clear; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordedFilter {
    pub topic_arn: Option<String>,
    pub subscription_arn: Option<String>,
    pub protocol: Option<String>,
    pub endpoint: Option<String>,
    /// Only messages after this id (to poll for new ones).
    pub after: Option<i64>,
    /// At most this many, the newest (default and cap [`MAX_READ`]).
    pub limit: Option<usize>,
}

/// Message attributes as the record writes them.
pub(crate) fn attributes(attrs: &BTreeMap<String, crate::message::Attribute>) -> BTreeMap<String, RecordedAttribute> {
    attrs
        .iter()
        .map(|(k, a)| {
            (
                k.clone(),
                RecordedAttribute {
                    data_type: a.data_type.clone(),
                    value: a.text(),
                },
            )
        })
        .collect()
}
