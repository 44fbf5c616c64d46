//! The CloudWatch Logs API edge: awsJson 1.1 (`X-Amz-Target:
//! Logs_20140328.<Op>`), camelCase members, epoch-millisecond times. Each
//! operation's input is read once into its typed request ([`dto`]),
//! checked against the model's constraints ([`members`]), handled by the
//! module named after what it acts on, and answered with its typed
//! response.

mod dto;
mod events;
mod groups;
mod members;
mod streams;
mod tags;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};

use crate::error::LogsError;
use crate::service::Logs;

lakestack_aws_protocol::operations! {
    /// The CloudWatch Logs operations lakestack implements.
    pub enum LogsOp {
        CreateLogGroup,
        DeleteLogGroup,
        DescribeLogGroups,
        CreateLogStream,
        DeleteLogStream,
        DescribeLogStreams,
        PutLogEvents,
        GetLogEvents,
        FilterLogEvents,
        PutRetentionPolicy,
        DeleteRetentionPolicy,
        TagResource,
        UntagResource,
        ListTagsForResource,
        TagLogGroup,
        UntagLogGroup,
        ListTagsLogGroup,
    }
}

/// The CloudWatch Logs error code of each service error.
impl AwsError for LogsError {
    fn code(&self) -> &'static str {
        match self {
            LogsError::ResourceNotFound(_) => "ResourceNotFoundException",
            LogsError::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            LogsError::InvalidParameter(_) => "InvalidParameterException",
            LogsError::LimitExceeded(_) => "LimitExceededException",
            LogsError::TooManyTags(_) => "TooManyTagsException",
            LogsError::Internal(_) => "ServiceUnavailableException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            LogsError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// CloudWatch Logs: awsJson 1.1 under `Logs_20140328`, signing name
/// `logs`. The model's constraint violations (`1 validation error
/// detected: ...`) come back as InvalidParameterException, as AWS answers
/// them; a member of the wrong JSON type is a SerializationException. A
/// token lakestack did not write is InvalidParameterException.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "logs",
    title: "CloudWatch Logs",
    signing_name: "logs",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("Logs_20140328"),
    invalid_input_code: "SerializationException",
    violation_code: "InvalidParameterException",
    invalid_token: ("InvalidParameterException", "The specified nextToken is invalid."),
    // PutLogEvents' largest batch is 1 MiB of messages; the JSON around
    // them (escapes, members) is bounded by a few times that.
    body_limit: 8 << 20,
    ..DEFAULT
};

/// Serves the CloudWatch Logs JSON API.
#[derive(Clone)]
pub struct LogsApi {
    logs: Arc<Logs>,
}

impl LogsApi {
    pub fn new(logs: Arc<Logs>) -> Self {
        Self { logs }
    }

    pub fn logs(&self) -> &Arc<Logs> {
        &self.logs
    }
}

/// What a handler answers.
type Answer = Result<Output, ServiceError>;

#[async_trait]
impl Service for LogsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use LogsOp as Op;
        let l = &*self.logs;
        match call.operation::<LogsOp>()? {
            Op::CreateLogGroup => groups::create(l, call.input()?),
            Op::DeleteLogGroup => groups::delete(l, call.input()?),
            Op::DescribeLogGroups => groups::describe(l, call.input()?),
            Op::PutRetentionPolicy => groups::put_retention(l, call.input()?),
            Op::DeleteRetentionPolicy => groups::delete_retention(l, call.input()?),
            Op::CreateLogStream => streams::create(l, call.input()?),
            Op::DeleteLogStream => streams::delete(l, call.input()?),
            Op::DescribeLogStreams => streams::describe(l, call.input()?),
            Op::PutLogEvents => events::put(l, call.input()?),
            Op::GetLogEvents => events::get(l, call.input()?),
            Op::FilterLogEvents => events::filter(l, call.input()?),
            Op::TagResource => tags::tag_resource(l, call.input()?),
            Op::UntagResource => tags::untag_resource(l, call.input()?),
            Op::ListTagsForResource => tags::list_for_resource(l, call.input()?),
            Op::TagLogGroup => tags::tag_group(l, call.input()?),
            Op::UntagLogGroup => tags::untag_group(l, call.input()?),
            Op::ListTagsLogGroup => tags::list_for_group(l, call.input()?),
        }
    }
}

#[cfg(test)]
mod tests;
