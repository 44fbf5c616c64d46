//! Firehose's wire shapes (awsJson 1.1, PascalCase members; blobs as base64,
//! timestamps as epoch seconds). The destination configuration is typed
//! member by member and kept as sent, so DescribeDeliveryStream answers it
//! back in AWS's `...Description` shapes, which share its member names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where delivery errors are logged (`CloudWatchLoggingOptions`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudWatchLoggingOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_stream_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BufferingHints {
    #[serde(rename = "SizeInMBs", skip_serializing_if = "Option::is_none")]
    pub size_in_mbs: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_in_seconds: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorParameter {
    pub parameter_name: String,
    pub parameter_value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Processor {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ProcessorParameter>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processors: Vec<Processor>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DynamicPartitioningConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_options: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `S3DestinationConfiguration`: the backup bucket of an extended
/// destination (and the legacy plain S3 destination).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3Destination {
    #[serde(rename = "RoleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(rename = "BucketARN", skip_serializing_if = "Option::is_none")]
    pub bucket_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_output_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering_hints: Option<BufferingHints>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_configuration: Option<Value>,
    #[serde(rename = "CloudWatchLoggingOptions", skip_serializing_if = "Option::is_none")]
    pub cloudwatch_logging_options: Option<CloudWatchLoggingOptions>,
}

/// `ExtendedS3DestinationConfiguration` (and, all members optional,
/// `ExtendedS3DestinationUpdate`): the plain S3 destination's members and more.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExtendedS3Destination {
    #[serde(flatten)]
    pub s3: S3Destination,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<ProcessingConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_backup_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_backup_configuration: Option<S3Destination>,
    /// `ExtendedS3DestinationUpdate`'s name for the backup bucket's changes.
    #[serde(rename = "S3BackupUpdate", skip_serializing)]
    pub s3_backup_update: Option<S3Destination>,
    /// Handed to the record format converter as sent (`convert::Options`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_format_conversion_configuration: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_partitioning_configuration: Option<DynamicPartitioningConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_extension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_time_zone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KinesisStreamSource {
    #[serde(rename = "KinesisStreamARN")]
    pub kinesis_stream_arn: Option<String>,
    #[serde(rename = "RoleARN")]
    pub role_arn: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDeliveryStreamRequest {
    pub delivery_stream_name: Option<String>,
    pub delivery_stream_type: Option<String>,
    pub kinesis_stream_source_configuration: Option<KinesisStreamSource>,
    pub delivery_stream_encryption_configuration_input: Option<Value>,
    pub extended_s3_destination_configuration: Option<ExtendedS3Destination>,
    pub s3_destination_configuration: Option<S3Destination>,
    pub redshift_destination_configuration: Option<Value>,
    pub elasticsearch_destination_configuration: Option<Value>,
    pub amazonopensearchservice_destination_configuration: Option<Value>,
    pub amazon_open_search_serverless_destination_configuration: Option<Value>,
    pub splunk_destination_configuration: Option<Value>,
    pub http_endpoint_destination_configuration: Option<Value>,
    pub snowflake_destination_configuration: Option<Value>,
    pub iceberg_destination_configuration: Option<Value>,
    #[serde(rename = "MSKSourceConfiguration")]
    pub msk_source_configuration: Option<Value>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct NameRequest {
    pub delivery_stream_name: Option<String>,
    pub allow_force_delete: Option<bool>,
    pub limit: Option<i64>,
    pub exclusive_start_destination_id: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListDeliveryStreamsRequest {
    pub limit: Option<i64>,
    pub delivery_stream_type: Option<String>,
    pub exclusive_start_delivery_stream_name: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RecordIn {
    pub data: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordRequest {
    pub delivery_stream_name: Option<String>,
    pub record: Option<RecordIn>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordBatchRequest {
    pub delivery_stream_name: Option<String>,
    pub records: Option<Vec<RecordIn>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDestinationRequest {
    pub delivery_stream_name: Option<String>,
    pub current_delivery_stream_version_id: Option<String>,
    pub destination_id: Option<String>,
    pub extended_s3_destination_update: Option<ExtendedS3Destination>,
    pub s3_destination_update: Option<S3Destination>,
}

#[derive(Debug, Deserialize, Serialize, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TagRequest {
    pub delivery_stream_name: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub tag_keys: Option<Vec<String>>,
    pub exclusive_start_tag_key: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionRequest {
    pub delivery_stream_name: Option<String>,
    pub delivery_stream_encryption_configuration_input: Option<Value>,
}

// ---- answers ----

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordResponse {
    pub record_id: String,
    pub encrypted: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordBatchEntry {
    pub record_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordBatchResponse {
    pub failed_put_count: usize,
    pub encrypted: bool,
    pub request_responses: Vec<PutRecordBatchEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDeliveryStreamsResponse {
    pub delivery_stream_names: Vec<String>,
    pub has_more_delivery_streams: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsResponse {
    pub tags: Vec<Tag>,
    pub has_more_tags: bool,
}

pub fn tags_out(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: Some(v.clone()),
        })
        .collect()
}
