//! SNS's wire shapes (awsQuery), members named as AWS names them. A form
//! carries every value as text and an empty list as an empty string, so
//! flags, lists and maps are read leniently; in-process calls send the
//! same members as JSON. Requests read every member as optional, so a
//! missing required one is answered by its handler in AWS's words.
//! Responses are typed per operation; maps are written as awsQuery's
//! `entry` elements (`lakestack_aws_protocol::query::entries`).

use std::collections::BTreeMap;

use lakestack_aws_protocol::form;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A map of strings; numbers and booleans sent as JSON read as their text.
fn text_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                Value::Null => Ok((k, String::new())),
                Value::Number(_) | Value::Bool(_) => Ok((k, v.to_string())),
                other => Err(serde::de::Error::custom(format!(
                    "the value of {k} must be a string, not {other}"
                ))),
            })
            .collect(),
        Some(other) => Err(serde::de::Error::custom(format!("{other} is not a map"))),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TagWire {
    pub key: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateTopicRequest {
    pub name: Option<String>,
    #[serde(deserialize_with = "text_map")]
    pub attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "form::optional_list")]
    pub tags: Option<Vec<TagWire>>,
    pub data_protection_policy: Option<String>,
}

/// DeleteTopic, GetTopicAttributes, ListSubscriptionsByTopic.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TopicRequest {
    pub topic_arn: Option<String>,
    pub next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListRequest {
    pub next_token: Option<String>,
}

/// SetTopicAttributes and SetSubscriptionAttributes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SetAttributeRequest {
    pub topic_arn: Option<String>,
    pub subscription_arn: Option<String>,
    pub attribute_name: Option<String>,
    pub attribute_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SubscribeRequest {
    pub topic_arn: Option<String>,
    pub protocol: Option<String>,
    pub endpoint: Option<String>,
    #[serde(deserialize_with = "text_map")]
    pub attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "form::flag")]
    pub return_subscription_arn: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConfirmSubscriptionRequest {
    pub topic_arn: Option<String>,
    pub token: Option<String>,
    pub authenticate_on_unsubscribe: Option<String>,
}

/// Unsubscribe, GetSubscriptionAttributes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SubscriptionRequest {
    pub subscription_arn: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MessageAttributeWire {
    pub data_type: Option<String>,
    pub string_value: Option<String>,
    /// Base64, as the form and JSON carry blobs.
    pub binary_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublishRequest {
    pub topic_arn: Option<String>,
    pub target_arn: Option<String>,
    pub phone_number: Option<String>,
    pub message: Option<String>,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub message_attributes: Option<BTreeMap<String, MessageAttributeWire>>,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BatchEntryWire {
    pub id: Option<String>,
    pub message: Option<String>,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub message_attributes: Option<BTreeMap<String, MessageAttributeWire>>,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublishBatchRequest {
    pub topic_arn: Option<String>,
    #[serde(deserialize_with = "form::optional_list")]
    pub publish_batch_request_entries: Option<Vec<BatchEntryWire>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TagResourceRequest {
    pub resource_arn: Option<String>,
    #[serde(deserialize_with = "form::optional_list")]
    pub tags: Option<Vec<TagWire>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UntagResourceRequest {
    pub resource_arn: Option<String>,
    #[serde(deserialize_with = "form::optional_list")]
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResourceRequest {
    pub resource_arn: Option<String>,
}

// --- responses ------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicArnResponse {
    pub topic_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicMember {
    pub topic_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTopicsResponse {
    pub topics: Vec<TopicMember>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// GetTopicAttributes and GetSubscriptionAttributes: a map as `entry`s.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributesResponse {
    pub attributes: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionArnResponse {
    pub subscription_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionMember {
    pub subscription_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub topic_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSubscriptionsResponse {
    pub subscriptions: Vec<SubscriptionMember>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishResponse {
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchResultEntry {
    pub id: String,
    pub message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchResultErrorEntry {
    pub id: String,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishBatchResponse {
    pub successful: Vec<BatchResultEntry>,
    pub failed: Vec<BatchResultErrorEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsResponse {
    pub tags: Vec<Tag>,
}
