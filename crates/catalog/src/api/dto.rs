//! Glue's wire shapes (awsJson 1.1) that several operations share, field
//! names exactly as AWS spells them. Inputs keep fields we do not model in
//! `extra`, so they round-trip. Times are kept in milliseconds and read and
//! written as awsJson's epoch seconds.

use std::collections::BTreeMap;

use lakestack_aws_protocol::timestamp::as_epoch_seconds as epoch;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::Millis;

pub type Params = BTreeMap<String, String>;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Column {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Params>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SerDeInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serialization_library: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Params>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Order {
    pub column: String,
    pub sort_order: i32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct StorageDescriptor {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Column>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_locations: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    pub compressed: bool,
    pub number_of_buckets: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serde_info: Option<SerDeInfo>,
    pub bucket_columns: Vec<String>,
    pub sort_columns: Vec<Order>,
    pub parameters: Params,
    pub stored_as_sub_directories: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DatabaseInput {
    pub name: String,
    pub description: Option<String>,
    pub location_uri: Option<String>,
    pub parameters: Params,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Database {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_uri: Option<String>,
    pub parameters: Params,
    #[serde(serialize_with = "epoch::serialize")]
    pub create_time: Millis,
    pub catalog_id: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TableInput {
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    #[serde(deserialize_with = "epoch::deserialize_option")]
    pub last_access_time: Option<Millis>,
    #[serde(deserialize_with = "epoch::deserialize_option")]
    pub last_analyzed_time: Option<Millis>,
    pub retention: i32,
    pub storage_descriptor: Option<StorageDescriptor>,
    pub partition_keys: Vec<Column>,
    pub view_original_text: Option<String>,
    pub view_expanded_text: Option<String>,
    pub table_type: Option<String>,
    pub parameters: Params,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Table {
    pub name: String,
    pub database_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(serialize_with = "epoch::serialize")]
    pub create_time: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub update_time: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub last_access_time: Option<Millis>,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub last_analyzed_time: Option<Millis>,
    pub retention: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_descriptor: Option<StorageDescriptor>,
    pub partition_keys: Vec<Column>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_original_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_expanded_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_type: Option<String>,
    pub parameters: Params,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub is_registered_with_lake_formation: bool,
    pub catalog_id: String,
    pub version_id: String,
    #[serde(skip_serializing_if = "is_false")]
    pub is_multi_dialect_view: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PartitionInput {
    pub values: Vec<String>,
    #[serde(deserialize_with = "epoch::deserialize_option")]
    pub last_access_time: Option<Millis>,
    #[serde(deserialize_with = "epoch::deserialize_option")]
    pub last_analyzed_time: Option<Millis>,
    pub storage_descriptor: Option<StorageDescriptor>,
    pub parameters: Params,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Partition {
    pub values: Vec<String>,
    pub database_name: String,
    pub table_name: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_time: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub last_access_time: Option<Millis>,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub last_analyzed_time: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_descriptor: Option<StorageDescriptor>,
    pub parameters: Params,
    pub catalog_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorDetail {
    pub error_code: String,
    pub error_message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartitionError {
    pub partition_values: Vec<String>,
    pub error_detail: ErrorDetail,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableError {
    pub table_name: String,
    pub error_detail: ErrorDetail,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableVersionError {
    pub table_name: String,
    pub version_id: String,
    pub error_detail: ErrorDetail,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableVersion {
    pub table: Table,
    pub version_id: String,
}

// ---- crawlers

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct S3Target {
    pub path: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_queue_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dlq_event_queue_arn: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CrawlerTargets {
    #[serde(rename = "S3Targets")]
    pub s3_targets: Vec<S3Target>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SchemaChangePolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_behavior: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RecrawlPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recrawl_behavior: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LineageConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawler_lineage_settings: Option<String>,
}

/// CreateCrawler and UpdateCrawler requests (UpdateCrawler leaves absent fields as they were).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CrawlerInput {
    pub catalog_id: Option<String>,
    pub name: String,
    pub role: Option<String>,
    pub database_name: Option<String>,
    pub description: Option<String>,
    pub targets: Option<CrawlerTargets>,
    pub schedule: Option<String>,
    pub classifiers: Option<Vec<String>>,
    pub table_prefix: Option<String>,
    pub schema_change_policy: Option<SchemaChangePolicy>,
    pub recrawl_policy: Option<RecrawlPolicy>,
    pub lineage_configuration: Option<LineageConfiguration>,
    pub lake_formation_configuration: Option<Value>,
    pub configuration: Option<String>,
    pub crawler_security_configuration: Option<String>,
    pub tags: Option<Params>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Schedule {
    pub schedule_expression: String,
    pub state: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LastCrawlInfo {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub log_group: String,
    pub log_stream: String,
    pub message_prefix: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_time: Millis,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Crawler {
    pub name: String,
    pub role: String,
    pub targets: CrawlerTargets,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub classifiers: Vec<String>,
    pub recrawl_policy: RecrawlPolicy,
    pub schema_change_policy: SchemaChangePolicy,
    pub lineage_configuration: LineageConfiguration,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    pub crawl_elapsed_time: i64,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_time: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_updated: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_crawl: Option<LastCrawlInfo>,
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawler_security_configuration: Option<String>,
    pub lake_formation_configuration: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CrawlerMetrics {
    pub crawler_name: String,
    pub time_left_seconds: f64,
    pub still_estimating: bool,
    pub last_runtime_seconds: f64,
    pub median_runtime_seconds: f64,
    pub tables_created: u64,
    pub tables_updated: u64,
    pub tables_deleted: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CrawlerHistory {
    pub crawl_id: String,
    pub state: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub start_time: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Millis>,
    /// A [`CrawlSummary`] as JSON text.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub log_group: String,
    pub log_stream: String,
    pub message_prefix: String,
    #[serde(rename = "DPUHour")]
    pub dpu_hour: f64,
}

/// What a crawl changed, as ListCrawls' `Summary` text spells it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct CrawlSummary {
    pub table: Changes,
    pub partition: Changes,
    /// lakestack's addition: how many objects were classified and how many skipped.
    pub files: Files,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct Changes {
    pub add: Count,
    pub update: Count,
    pub delete: Count,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Count {
    pub count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct Files {
    pub scanned: u64,
    pub skipped: u64,
}

// ---- classifiers

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CsvClassifierInput {
    pub name: String,
    pub delimiter: Option<String>,
    pub quote_symbol: Option<String>,
    pub contains_header: Option<String>,
    pub header: Vec<String>,
    pub disable_value_trimming: Option<bool>,
    pub allow_single_column: Option<bool>,
    pub custom_datatype_configured: Option<bool>,
    pub custom_datatypes: Vec<String>,
    pub serde: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JsonClassifierInput {
    pub name: String,
    pub json_path: String,
}

/// A classifier as GetClassifier answers it: one member named after its kind.
#[derive(Debug, Serialize)]
pub enum Classifier {
    CsvClassifier(CsvClassifier),
    JsonClassifier(JsonClassifier),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CsvClassifier {
    pub name: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_time: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_updated: Millis,
    pub version: i64,
    pub delimiter: Option<String>,
    pub quote_symbol: Option<String>,
    pub contains_header: String,
    pub header: Vec<String>,
    pub disable_value_trimming: bool,
    pub allow_single_column: bool,
    pub custom_datatype_configured: bool,
    pub custom_datatypes: Vec<String>,
    pub serde: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JsonClassifier {
    pub name: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub creation_time: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_updated: Millis,
    pub version: i64,
    pub json_path: String,
}

// ---- jobs

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobCommand {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ExecutionProperty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_runs: Option<i32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ConnectionsList {
    pub connections: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NotificationProperty {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_delay_after: Option<i32>,
}

/// CreateJob's request, and UpdateJob's `JobUpdate` (which has no `Name`
/// nor `Tags`). Members lakestack does not interpret (`JobMode`,
/// `CodeGenConfigurationNodes`, `SourceControlDetails`...) are kept in `extra`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobInput {
    pub name: Option<String>,
    pub tags: Option<Params>,
    pub description: Option<String>,
    pub log_uri: Option<String>,
    pub role: Option<String>,
    pub execution_property: Option<ExecutionProperty>,
    pub command: Option<JobCommand>,
    pub default_arguments: Option<Params>,
    pub non_overridable_arguments: Option<Params>,
    pub connections: Option<ConnectionsList>,
    pub max_retries: Option<i32>,
    pub allocated_capacity: Option<i32>,
    pub timeout: Option<i32>,
    pub max_capacity: Option<f64>,
    pub security_configuration: Option<String>,
    pub notification_property: Option<NotificationProperty>,
    pub glue_version: Option<String>,
    pub number_of_workers: Option<i32>,
    pub worker_type: Option<String>,
    pub execution_class: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Job {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_uri: Option<String>,
    pub role: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub created_on: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_modified_on: Millis,
    pub execution_property: ExecutionProperty,
    pub command: JobCommand,
    #[serde(skip_serializing_if = "Params::is_empty")]
    pub default_arguments: Params,
    #[serde(skip_serializing_if = "Params::is_empty")]
    pub non_overridable_arguments: Params,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionsList>,
    pub max_retries: i32,
    pub allocated_capacity: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_workers: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_property: Option<NotificationProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glue_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_class: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobRun {
    pub id: String,
    pub attempt: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_name: Option<String>,
    pub job_name: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub started_on: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_modified_on: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<Millis>,
    pub job_run_state: String,
    pub arguments: Params,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub predecessor_runs: Vec<Value>,
    pub allocated_capacity: i32,
    pub execution_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_workers: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_property: Option<NotificationProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glue_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_class: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobBookmarkEntry {
    pub job_name: String,
    pub version: i32,
    pub run: i32,
    pub attempt: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    pub job_bookmark: String,
}

// ---- triggers

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Condition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical_operator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawler_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl_state: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Predicate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical: Option<String>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Action {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Params>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_property: Option<NotificationProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawler_name: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventBatchingCondition {
    /// Required on input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_window: Option<i32>,
}

/// UpdateTrigger's `TriggerUpdate`: the members given replace the trigger's.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TriggerUpdate {
    /// "Reserved for future use": a trigger is not renamed.
    pub name: Option<String>,
    pub description: Option<String>,
    pub schedule: Option<String>,
    pub actions: Option<Vec<Action>>,
    pub predicate: Option<Predicate>,
    pub event_batching_condition: Option<EventBatchingCondition>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trigger {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    pub r#type: String,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    pub actions: Vec<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Predicate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_batching_condition: Option<EventBatchingCondition>,
}

// ---- workflows

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Workflow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Params::is_empty")]
    pub default_run_properties: Params,
    #[serde(serialize_with = "epoch::serialize")]
    pub created_on: Millis,
    #[serde(serialize_with = "epoch::serialize")]
    pub last_modified_on: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run: Option<WorkflowRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<WorkflowGraph>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_runs: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkflowRun {
    pub name: String,
    pub workflow_run_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_run_id: Option<String>,
    #[serde(skip_serializing_if = "Params::is_empty")]
    pub workflow_run_properties: Params,
    #[serde(serialize_with = "epoch::serialize")]
    pub started_on: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<Millis>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub statistics: WorkflowRunStatistics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<WorkflowGraph>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_event_batch_condition: Option<EventBatchingCondition>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkflowRunStatistics {
    pub total_actions: i32,
    pub timeout_actions: i32,
    pub failed_actions: i32,
    pub stopped_actions: i32,
    pub succeeded_actions: i32,
    pub running_actions: i32,
    pub errored_actions: i32,
    pub waiting_actions: i32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkflowGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Node {
    pub r#type: String,
    pub name: String,
    pub unique_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_details: Option<TriggerNodeDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_details: Option<JobNodeDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawler_details: Option<CrawlerNodeDetails>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TriggerNodeDetails {
    pub trigger: Trigger,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobNodeDetails {
    pub job_runs: Vec<JobRun>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CrawlerNodeDetails {
    pub crawls: Vec<Crawl>,
}

/// A crawl as a workflow graph shows it (Glue's `Crawl`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Crawl {
    pub state: String,
    #[serde(serialize_with = "epoch::serialize")]
    pub started_on: Millis,
    #[serde(serialize_with = "epoch::option", skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub log_group: String,
    pub log_stream: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Edge {
    pub source_id: String,
    pub destination_id: String,
}
