//! EventBridge Scheduler's wire shapes (restJson1, PascalCase members;
//! timestamps as epoch seconds). Path labels and query parameters arrive
//! here as members too: `mod.rs` merges them into the body before it is read.

use lakestack_aws_protocol::timestamp::as_epoch_seconds;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct FlexibleTimeWindow {
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_window_in_minutes: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RetryPolicy {
    pub maximum_event_age_in_seconds: Option<i64>,
    pub maximum_retry_attempts: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SqsParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct EventBridgeParameters {
    pub detail_type: Option<String>,
    pub source: Option<String>,
}

/// `Target`, as CreateSchedule takes it and GetSchedule answers it; the
/// parameter sets lakestack keeps without acting on stay in `other`.
#[derive(Debug, Deserialize, Serialize, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub arn: Option<String>,
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs_parameters: Option<SqsParameters>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_bridge_parameters: Option<EventBridgeParameters>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// CreateSchedule and UpdateSchedule (the same members).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleRequest {
    pub name: Option<String>,
    pub group_name: Option<String>,
    pub schedule_expression: Option<String>,
    pub schedule_expression_timezone: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "as_epoch_seconds::deserialize_option")]
    pub start_date: Option<i64>,
    #[serde(default, deserialize_with = "as_epoch_seconds::deserialize_option")]
    pub end_date: Option<i64>,
    pub flexible_time_window: Option<FlexibleTimeWindow>,
    pub action_after_completion: Option<String>,
    pub kms_key_arn: Option<String>,
    pub target: Option<Target>,
    pub client_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleArnResponse {
    pub schedule_arn: String,
}

/// GetSchedule, DeleteSchedule.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleNameRequest {
    pub name: Option<String>,
    pub group_name: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetScheduleResponse {
    pub action_after_completion: String,
    pub arn: String,
    #[serde(with = "as_epoch_seconds")]
    pub creation_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_epoch_seconds::option")]
    pub end_date: Option<i64>,
    pub flexible_time_window: FlexibleTimeWindow,
    pub group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(with = "as_epoch_seconds")]
    pub last_modification_date: i64,
    pub name: String,
    pub schedule_expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression_timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_epoch_seconds::option")]
    pub start_date: Option<i64>,
    pub state: String,
    pub target: Target,
}

/// ListSchedules: `ScheduleGroup` in the query is `GroupName` here.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListSchedulesRequest {
    pub group_name: Option<String>,
    pub max_results: Option<i64>,
    pub name_prefix: Option<String>,
    pub next_token: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetSummary {
    pub arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleSummary {
    pub arn: String,
    #[serde(with = "as_epoch_seconds")]
    pub creation_date: i64,
    pub group_name: String,
    #[serde(with = "as_epoch_seconds")]
    pub last_modification_date: i64,
    pub name: String,
    pub state: String,
    pub target: TargetSummary,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSchedulesResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub schedules: Vec<ScheduleSummary>,
}

/// CreateScheduleGroup, GetScheduleGroup, DeleteScheduleGroup.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRequest {
    pub name: Option<String>,
    pub client_token: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGroupResponse {
    pub schedule_group_arn: String,
}

/// GetScheduleGroup's answer, and one item of ListScheduleGroups.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleGroupOut {
    pub arn: String,
    #[serde(with = "as_epoch_seconds")]
    pub creation_date: i64,
    #[serde(with = "as_epoch_seconds")]
    pub last_modification_date: i64,
    pub name: String,
    pub state: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsRequest {
    pub max_results: Option<i64>,
    pub name_prefix: Option<String>,
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub schedule_groups: Vec<ScheduleGroupOut>,
}

/// TagResource, UntagResource, ListTagsForResource.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TagsRequest {
    pub resource_arn: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagsResponse {
    pub tags: Vec<Tag>,
}
