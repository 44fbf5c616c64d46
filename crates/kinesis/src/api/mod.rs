//! The Kinesis API edge: awsJson 1.1 (`X-Amz-Target: Kinesis_20131202.<Op>`)
//! in JSON or CBOR. Each operation's input is read into its typed request
//! ([`dto`]), checked against Kinesis's model constraints, handled by the
//! module named after what it acts on, and answered with its typed response.

mod consumers;
pub mod dto;
mod records;
mod streams;
mod tags;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{
    AwsError, Call, CborShapes, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec,
};

use crate::error::KinesisError;
use crate::service::Kinesis;

lakestack_aws_protocol::operations! {
    /// The Kinesis Data Streams operations lakestack implements.
    pub enum KinesisOp {
        CreateStream,
        DeleteStream,
        DescribeStream,
        DescribeStreamSummary,
        ListStreams,
        ListShards,
        PutRecord,
        PutRecords,
        GetShardIterator,
        GetRecords,
        IncreaseStreamRetentionPeriod,
        DecreaseStreamRetentionPeriod,
        SplitShard,
        MergeShards,
        UpdateShardCount,
        UpdateStreamMode,
        AddTagsToStream,
        RemoveTagsFromStream,
        ListTagsForStream,
        TagResource,
        UntagResource,
        ListTagsForResource,
        StartStreamEncryption,
        StopStreamEncryption,
        EnableEnhancedMonitoring,
        DisableEnhancedMonitoring,
        DescribeLimits,
        RegisterStreamConsumer,
        DescribeStreamConsumer,
        ListStreamConsumers,
        DeregisterStreamConsumer,
    }
}

impl AwsError for KinesisError {
    fn code(&self) -> &'static str {
        match self {
            KinesisError::StreamNotFound { .. }
            | KinesisError::ShardNotFound { .. }
            | KinesisError::ConsumerNotFound { .. } => "ResourceNotFoundException",
            KinesisError::StreamExists { .. }
            | KinesisError::ConsumerExists { .. }
            | KinesisError::ResourceInUse(_) => "ResourceInUseException",
            KinesisError::InvalidArgument(_) => "InvalidArgumentException",
            KinesisError::Validation(_) => "ValidationException",
            KinesisError::LimitExceeded(_) => "LimitExceededException",
            KinesisError::ExpiredIterator { .. } => "ExpiredIteratorException",
            KinesisError::Internal(_) => "InternalFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            KinesisError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Kinesis: awsJson 1.1 under `Kinesis_20131202`, signing name `kinesis`.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "kinesis",
    title: "Kinesis",
    signing_name: "kinesis",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("Kinesis_20131202"),
    cbor: Some(CborShapes {
        blobs: &["Data"],
        timestamps: &[
            "ApproximateArrivalTimestamp",
            "StreamCreationTimestamp",
            "ConsumerCreationTimestamp",
        ],
    }),
    invalid_input_code: "SerializationException",
    violation_code: "ValidationException",
    invalid_token: ("InvalidArgumentException", "The NextToken is invalid: {token}"),
    internal_error: ("InternalFailure", "An internal error occurred."),
    // PutRecords: 5 MiB of records, grown by a third as base64 in JSON.
    body_limit: 8 << 20,
    ..DEFAULT
};

/// Serves the Kinesis API.
#[derive(Clone)]
pub struct KinesisApi {
    kinesis: Arc<Kinesis>,
}

impl KinesisApi {
    pub fn new(kinesis: Arc<Kinesis>) -> Self {
        Self { kinesis }
    }

    pub fn service(&self) -> &Arc<Kinesis> {
        &self.kinesis
    }
}

type Answer = Result<Output, ServiceError>;

#[async_trait]
impl Service for KinesisApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use KinesisOp as Op;
        let k = &*self.kinesis;
        match call.operation::<KinesisOp>()? {
            Op::CreateStream => streams::create(k, call.input()?).await,
            Op::DeleteStream => streams::delete(k, call.input()?).await,
            Op::DescribeStream => streams::describe(k, call.input()?),
            Op::DescribeStreamSummary => streams::summary(k, call.input()?),
            Op::ListStreams => streams::list(k, call.input()?),
            Op::ListShards => streams::list_shards(k, call.input()?),
            Op::IncreaseStreamRetentionPeriod => streams::retention(k, call.input()?, true).await,
            Op::DecreaseStreamRetentionPeriod => streams::retention(k, call.input()?, false).await,
            Op::SplitShard => streams::split(k, call.input()?).await,
            Op::MergeShards => streams::merge(k, call.input()?).await,
            Op::UpdateShardCount => streams::update_shard_count(k, call.input()?).await,
            Op::UpdateStreamMode => streams::update_mode(k, call.input()?).await,
            Op::StartStreamEncryption => streams::encryption(k, call.input()?, true).await,
            Op::StopStreamEncryption => streams::encryption(k, call.input()?, false).await,
            Op::EnableEnhancedMonitoring => streams::monitoring(k, call.input()?, true).await,
            Op::DisableEnhancedMonitoring => streams::monitoring(k, call.input()?, false).await,
            Op::DescribeLimits => streams::limits(k),
            Op::PutRecord => records::put_record(k, call.input()?).await,
            Op::PutRecords => records::put_records(k, call.input()?).await,
            Op::GetShardIterator => records::shard_iterator(k, call.input()?).await,
            Op::GetRecords => records::get_records(k, call.input()?).await,
            Op::AddTagsToStream => tags::add(k, call.input()?).await,
            Op::RemoveTagsFromStream => tags::remove(k, call.input()?).await,
            Op::ListTagsForStream => tags::list(k, call.input()?),
            Op::TagResource => tags::tag_resource(k, call.input()?).await,
            Op::UntagResource => tags::untag_resource(k, call.input()?).await,
            Op::ListTagsForResource => tags::list_for_resource(k, call.input()?),
            Op::RegisterStreamConsumer => consumers::register(k, call.input()?).await,
            Op::DescribeStreamConsumer => consumers::describe(k, call.input()?),
            Op::ListStreamConsumers => consumers::list(k, call.input()?),
            Op::DeregisterStreamConsumer => consumers::deregister(k, call.input()?).await,
        }
    }
}

fn violation(v: Violation) -> ServiceError {
    KinesisError::Validation(v.message()).into()
}

fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    value.ok_or_else(|| violation(Violation::null(member)))
}

fn invalid(message: impl Into<String>) -> ServiceError {
    KinesisError::InvalidArgument(message.into()).into()
}

/// A stream or shard name: 1-128 characters of `[a-zA-Z0-9_.-]`.
fn check_name(name: &str, member: &str) -> Result<(), ServiceError> {
    if name.is_empty() || name.len() > 128 {
        return Err(violation(Violation::len_between(
            member,
            Shown::Value(name.into()),
            1,
            128,
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(violation(Violation::pattern(
            member,
            Shown::Value(name.into()),
            "[a-zA-Z0-9_.-]+",
        )));
    }
    Ok(())
}

/// The stream a request names, by `StreamName` or `StreamARN` (both must
/// agree when both are given).
fn stream_name(k: &Kinesis, r: &dto::StreamRef) -> Result<String, ServiceError> {
    let from_arn = match &r.stream_arn {
        Some(arn) => {
            if arn.is_empty() || arn.len() > 2048 {
                return Err(violation(Violation::len_between(
                    "streamARN",
                    Shown::Value(arn.clone()),
                    1,
                    2048,
                )));
            }
            Some(k.name_of_arn(arn).ok_or_else(|| {
                violation(Violation::pattern(
                    "streamARN",
                    Shown::Value(arn.clone()),
                    "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
                ))
            })?)
        }
        None => None,
    };
    match (&r.stream_name, from_arn) {
        (Some(n), Some(a)) if *n != a => Err(invalid(format!(
            "StreamARN {} and StreamName {n} do not refer to the same stream.",
            r.stream_arn.as_deref().unwrap_or_default()
        ))),
        (Some(n), _) => {
            check_name(n, "streamName")?;
            Ok(n.clone())
        }
        (None, Some(a)) => Ok(a),
        (None, None) => Err(invalid("Either StreamName or StreamARN should be provided.")),
    }
}

/// A number member within `min..=max`.
fn bounded(value: Option<i64>, member: &str, min: i64, max: i64, default: i64) -> Result<i64, ServiceError> {
    match value {
        None => Ok(default),
        Some(n) if n < min => Err(violation(Violation::at_least(member, n, min))),
        Some(n) if n > max => Err(violation(Violation::at_most(member, n, max))),
        Some(n) => Ok(n),
    }
}
