//! The Firehose API edge: awsJson 1.1 (`X-Amz-Target: Firehose_20150804.<Op>`).
//! Each operation's input is read into its typed request ([`dto`]), checked,
//! handled by the module named after what it acts on, and answered with
//! its typed response.

pub mod dto;
mod records;
mod streams;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};

use crate::error::FirehoseError;
use crate::service::Firehose;

lakestack_aws_protocol::operations! {
    /// The Firehose operations lakestack implements.
    pub enum FirehoseOp {
        CreateDeliveryStream,
        DeleteDeliveryStream,
        DescribeDeliveryStream,
        ListDeliveryStreams,
        UpdateDestination,
        PutRecord,
        PutRecordBatch,
        TagDeliveryStream,
        UntagDeliveryStream,
        ListTagsForDeliveryStream,
        StartDeliveryStreamEncryption,
        StopDeliveryStreamEncryption,
    }
}

impl AwsError for FirehoseError {
    fn code(&self) -> &'static str {
        match self {
            FirehoseError::NotFound { .. } => "ResourceNotFoundException",
            FirehoseError::Exists { .. } | FirehoseError::ResourceInUse(_) => "ResourceInUseException",
            FirehoseError::InvalidArgument(_) => "InvalidArgumentException",
            FirehoseError::Validation(_) => "ValidationException",
            FirehoseError::LimitExceeded(_) => "LimitExceededException",
            FirehoseError::ConcurrentModification(_) => "ConcurrentModificationException",
            FirehoseError::Internal(_) | FirehoseError::Delivery { .. } => "ServiceUnavailableException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            FirehoseError::Internal(_) | FirehoseError::Delivery { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Firehose: awsJson 1.1 under `Firehose_20150804`, signing name `firehose`.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "firehose",
    title: "Firehose",
    signing_name: "firehose",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("Firehose_20150804"),
    invalid_input_code: "SerializationException",
    violation_code: "ValidationException",
    invalid_token: ("InvalidArgumentException", "Invalid NextToken: {token}"),
    internal_error: (
        "ServiceUnavailableException",
        "The service is unavailable. Back off and retry the operation.",
    ),
    // PutRecordBatch: 4 MiB of records, grown by a third as base64.
    body_limit: 6 << 20,
    ..DEFAULT
};

/// Serves the Firehose API.
#[derive(Clone)]
pub struct FirehoseApi {
    firehose: Arc<Firehose>,
}

impl FirehoseApi {
    pub fn new(firehose: Arc<Firehose>) -> Self {
        Self { firehose }
    }

    pub fn service(&self) -> &Arc<Firehose> {
        &self.firehose
    }
}

type Answer = Result<Output, ServiceError>;

#[async_trait]
impl Service for FirehoseApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use FirehoseOp as Op;
        let f = &self.firehose;
        match call.operation::<FirehoseOp>()? {
            Op::CreateDeliveryStream => streams::create(f, call.input()?).await,
            Op::DeleteDeliveryStream => streams::delete(f, call.input()?).await,
            Op::DescribeDeliveryStream => streams::describe(f, call.input()?),
            Op::ListDeliveryStreams => streams::list(f, call.input()?),
            Op::UpdateDestination => streams::update(f, call.input()?).await,
            Op::TagDeliveryStream => streams::tag(f, call.input()?).await,
            Op::UntagDeliveryStream => streams::untag(f, call.input()?).await,
            Op::ListTagsForDeliveryStream => streams::list_tags(f, call.input()?),
            Op::StartDeliveryStreamEncryption => streams::encryption(f, call.input()?, true).await,
            Op::StopDeliveryStreamEncryption => streams::encryption(f, call.input()?, false).await,
            Op::PutRecord => records::put_record(f, call.input()?).await,
            Op::PutRecordBatch => records::put_record_batch(f, call.input()?).await,
        }
    }
}

fn violation(v: Violation) -> ServiceError {
    FirehoseError::Validation(v.message()).into()
}

fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    value.ok_or_else(|| violation(Violation::null(member)))
}

fn invalid(message: impl Into<String>) -> ServiceError {
    FirehoseError::InvalidArgument(message.into()).into()
}

/// A delivery stream name: 1-64 characters of `[a-zA-Z0-9_.-]`.
fn stream_name(value: Option<String>) -> Result<String, ServiceError> {
    let name = required(value, "deliveryStreamName")?;
    if name.is_empty() || name.len() > 64 {
        return Err(violation(Violation::len_between(
            "deliveryStreamName",
            Shown::Value(name),
            1,
            64,
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(violation(Violation::pattern(
            "deliveryStreamName",
            Shown::Value(name),
            "[a-zA-Z0-9_.-]+",
        )));
    }
    Ok(name)
}
