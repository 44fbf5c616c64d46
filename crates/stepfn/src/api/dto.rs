//! Step Functions' wire shapes (awsJson 1.0), members named as AWS names
//! them. Requests read every member as optional, so a missing required one
//! is answered by its handler in AWS's words; members lakestack does not
//! use are ignored. Responses keep AWS's member order; dates are kept in
//! milliseconds and written as epoch seconds.

use lakestack_aws_protocol::timestamp::as_epoch_seconds as epoch;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

// --- requests ---------------------------------------------------------------

/// A tag as TagResource and the Create operations take it, and as
/// ListTagsForResource answers it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// Tags as the service keeps them: entries without a key are left out,
/// a missing value is empty.
pub fn tag_pairs(tags: Option<Vec<Tag>>) -> Vec<(String, String)> {
    tags.unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStateMachineInput {
    pub name: Option<String>,
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub r#type: Option<String>,
    pub logging_configuration: Option<Value>,
    pub tracing_configuration: Option<Value>,
    pub tags: Option<Vec<Tag>>,
}

/// DescribeStateMachine and DeleteStateMachine.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineArnInput {
    pub state_machine_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStateMachineInput {
    pub state_machine_arn: Option<String>,
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub logging_configuration: Option<Value>,
    pub tracing_configuration: Option<Value>,
}

/// ListStateMachines and ListActivities.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInput {
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateStateMachineDefinitionInput {
    pub definition: Option<String>,
    pub r#type: Option<String>,
    pub severity: Option<String>,
    pub max_results: Option<i64>,
}

/// StartExecution and StartSyncExecution.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartExecutionInput {
    pub state_machine_arn: Option<String>,
    pub name: Option<String>,
    pub input: Option<String>,
}

/// DescribeExecution, DescribeStateMachineForExecution, RedriveExecution
/// and ListMapRuns.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionArnInput {
    pub execution_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopExecutionInput {
    pub execution_arn: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListExecutionsInput {
    pub state_machine_arn: Option<String>,
    pub status_filter: Option<String>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetExecutionHistoryInput {
    pub execution_arn: Option<String>,
    pub max_results: Option<i64>,
    pub reverse_order: Option<bool>,
    pub next_token: Option<String>,
    pub include_execution_data: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStateInput {
    pub definition: Option<String>,
    pub state_name: Option<String>,
    pub input: Option<String>,
    pub inspection_level: Option<String>,
    pub mock: Option<MockInput>,
    pub state_configuration: Option<StateConfiguration>,
    /// A JSON object: the workflow variables the state sees.
    pub variables: Option<String>,
}

/// TestState's stand-in for the state's work: a result, or an error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockInput {
    pub result: Option<String>,
    pub error_output: Option<MockErrorOutput>,
}

#[derive(Debug, Deserialize)]
pub struct MockErrorOutput {
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateConfiguration {
    pub retrier_retry_count: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRunArnInput {
    pub map_run_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CreateActivityInput {
    pub name: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

/// DescribeActivity and DeleteActivity.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityArnInput {
    pub activity_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetActivityTaskInput {
    pub activity_arn: Option<String>,
    pub worker_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskSuccessInput {
    pub task_token: Option<String>,
    pub output: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskFailureInput {
    pub task_token: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendTaskHeartbeatInput {
    pub task_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    pub resource_arn: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    pub resource_arn: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceInput {
    pub resource_arn: Option<String>,
}

// --- responses --------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateStateMachineOutput {
    pub state_machine_arn: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_date: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeStateMachineOutput {
    pub state_machine_arn: String,
    pub name: String,
    pub status: &'static str,
    pub definition: String,
    pub role_arn: String,
    pub r#type: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_date: i64,
    pub logging_configuration: Value,
    pub tracing_configuration: Value,
    pub revision_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStateMachineOutput {
    #[serde(serialize_with = "epoch::serialize")]
    pub update_date: i64,
    pub revision_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListStateMachinesOutput {
    pub state_machines: Vec<StateMachineListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineListItem {
    pub state_machine_arn: String,
    pub name: String,
    pub r#type: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_date: i64,
}

#[derive(Debug, Serialize)]
pub struct ValidateStateMachineDefinitionOutput {
    pub result: &'static str,
    pub diagnostics: Vec<Diagnostic>,
    pub truncated: bool,
}

#[derive(Debug, Serialize)]
pub struct Diagnostic {
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartExecutionOutput {
    pub execution_arn: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_date: i64,
}

/// `inputDetails` and `outputDetails`: the payload is in the answer.
#[derive(Debug, Serialize)]
pub struct DataDetails {
    pub included: bool,
}

impl DataDetails {
    pub const INCLUDED: Self = Self { included: true };
}

/// DescribeExecution's answer; StartSyncExecution answers the same without
/// the redrive count and status, with its billing details.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeExecutionOutput {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_date: i64,
    pub input: String,
    pub input_details: DataDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_status: Option<&'static str>,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub stop_date: Option<i64>,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub redrive_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrive_status_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_details: Option<DataDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_details: Option<BillingDetails>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingDetails {
    #[serde(rename = "billedMemoryUsedInMB")]
    pub billed_memory_used_in_mb: u64,
    pub billed_duration_in_milliseconds: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeStateMachineForExecutionOutput {
    pub state_machine_arn: String,
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub update_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopExecutionOutput {
    #[serde(serialize_with = "epoch::serialize")]
    pub stop_date: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedriveExecutionOutput {
    #[serde(serialize_with = "epoch::serialize")]
    pub redrive_date: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListExecutionsOutput {
    pub executions: Vec<ExecutionListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionListItem {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_date: i64,
    pub redrive_count: i64,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub stop_date: Option<i64>,
}

/// GetExecutionHistory's answer; each event is in the shape
/// [`crate::history::HistoryEvent::to_wire`] gives it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetExecutionHistoryOutput {
    pub events: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStateOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection_data: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_state: Option<String>,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeMapRunOutput {
    pub map_run_arn: String,
    pub execution_arn: String,
    pub status: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_date: i64,
    pub max_concurrency: u64,
    pub tolerated_failure_percentage: f64,
    pub tolerated_failure_count: u64,
    pub item_counts: MapRunCounts,
    pub execution_counts: MapRunCounts,
    pub redrive_count: u64,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub stop_date: Option<i64>,
}

/// `itemCounts` and `executionCounts`. lakestack does not redrive Map
/// Runs, so the redrive counts are 0.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRunCounts {
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub aborted: u64,
    pub total: u64,
    pub results_written: u64,
    pub failures_not_redrivable: u64,
    pub pending_redrive: u64,
}

impl From<&crate::records::MapRunCounts> for MapRunCounts {
    fn from(c: &crate::records::MapRunCounts) -> Self {
        Self {
            pending: c.pending,
            running: c.running,
            succeeded: c.succeeded,
            failed: c.failed,
            timed_out: c.timed_out,
            aborted: c.aborted,
            total: c.total,
            results_written: c.results_written,
            failures_not_redrivable: 0,
            pending_redrive: 0,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMapRunsOutput {
    pub map_runs: Vec<MapRunListItem>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRunListItem {
    pub execution_arn: String,
    pub map_run_arn: String,
    pub state_machine_arn: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_date: i64,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub stop_date: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateActivityOutput {
    pub activity_arn: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_date: i64,
}

/// DescribeActivity's answer and an item of ListActivities.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityOutput {
    pub activity_arn: String,
    pub name: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_date: i64,
}

impl From<crate::records::Activity> for ActivityOutput {
    fn from(a: crate::records::Activity) -> Self {
        Self {
            activity_arn: a.arn,
            name: a.name,
            creation_date: a.created_ms,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActivitiesOutput {
    pub activities: Vec<ActivityOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A task, or no members when the long poll ended without one.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetActivityTaskOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ListTagsForResourceOutput {
    pub tags: Vec<Tag>,
}
