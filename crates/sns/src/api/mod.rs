//! The SNS API edge: awsQuery forms in, XML out, through the kit. Each
//! operation's input is read once into its typed request ([`dto`]), its
//! required members checked in AWS's words, handled by the module named
//! after what it acts on, and answered with its typed response. Errors get
//! their SNS codes here, once.

mod dto;
mod publish;
mod subscriptions;
mod tags;
mod topics;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec, paging};
use serde_json::Value;

use crate::error::SnsError;
use crate::service::Sns;

lakestack_aws_protocol::operations! {
    /// The SNS operations lakestack implements.
    pub enum SnsOp {
        CreateTopic,
        DeleteTopic,
        ListTopics,
        GetTopicAttributes,
        SetTopicAttributes,
        Subscribe,
        ConfirmSubscription,
        Unsubscribe,
        ListSubscriptions,
        ListSubscriptionsByTopic,
        GetSubscriptionAttributes,
        SetSubscriptionAttributes,
        Publish,
        PublishBatch,
        TagResource,
        UntagResource,
        ListTagsForResource,
    }
}

/// SNS's error codes and statuses.
impl AwsError for SnsError {
    fn code(&self) -> &'static str {
        match self {
            SnsError::InvalidParameter(_) => "InvalidParameter",
            SnsError::AttributeInvalid(_) => "ParameterValueInvalid",
            SnsError::Validation(_) => "ValidationError",
            SnsError::TopicNotFound | SnsError::SubscriptionNotFound => "NotFound",
            SnsError::ResourceNotFound => "ResourceNotFound",
            SnsError::TagLimitExceeded => "TagLimitExceeded",
            SnsError::TopicLimitExceeded => "TopicLimitExceeded",
            SnsError::FilterPolicyLimitExceeded => "FilterPolicyLimitExceeded",
            SnsError::EmptyBatch => "EmptyBatchRequest",
            SnsError::TooManyEntries => "TooManyEntriesInBatchRequest",
            SnsError::DuplicateEntryIds => "BatchEntryIdsNotDistinct",
            SnsError::BatchTooLong => "BatchRequestTooLong",
            SnsError::InvalidEntryId => "InvalidBatchEntryId",
            SnsError::Internal(_) => "InternalError",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            SnsError::TopicNotFound | SnsError::SubscriptionNotFound | SnsError::ResourceNotFound => {
                StatusCode::NOT_FOUND
            }
            SnsError::TopicLimitExceeded | SnsError::FilterPolicyLimitExceeded => StatusCode::FORBIDDEN,
            SnsError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// SNS: awsQuery, signing name `sns`. Constraint violations are
/// ValidationError; SNS's own refusals InvalidParameter.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "sns",
    title: "SNS",
    signing_name: "sns",
    protocols: &[Protocol::AwsQuery],
    xml_namespace: Some("http://sns.amazonaws.com/doc/2010-03-31/"),
    invalid_input_code: "InvalidParameter",
    violation_code: "ValidationError",
    invalid_token: ("InvalidParameter", "Invalid parameter: NextToken"),
    internal_error: (
        "InternalError",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    // PublishBatch's 256 KiB, percent-encoded (up to three bytes each), with
    // the form around it.
    body_limit: 4 << 20,
    ..DEFAULT
};

/// Serves the SNS API.
#[derive(Clone)]
pub struct SnsApi {
    sns: Arc<Sns>,
}

impl SnsApi {
    pub fn new(sns: Arc<Sns>) -> Self {
        Self { sns }
    }

    pub fn service(&self) -> &Arc<Sns> {
        &self.sns
    }
}

/// What a handler answers.
type Answer = Result<Output, ServiceError>;

#[async_trait]
impl Service for SnsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Answer {
        use SnsOp as Op;
        let s = &*self.sns;
        match call.operation::<SnsOp>()? {
            Op::CreateTopic => topics::create(s, call.input()?),
            Op::DeleteTopic => topics::delete(s, call.input()?),
            Op::ListTopics => topics::list(s, call.input()?),
            Op::GetTopicAttributes => topics::get_attributes(s, call.input()?),
            Op::SetTopicAttributes => topics::set_attribute(s, call.input()?),
            Op::Subscribe => subscriptions::subscribe(s, call.input()?),
            Op::ConfirmSubscription => subscriptions::confirm(s, call.input()?, signed(&call)),
            Op::Unsubscribe => subscriptions::unsubscribe(s, call.input()?),
            Op::ListSubscriptions => subscriptions::list(s, call.input()?),
            Op::ListSubscriptionsByTopic => subscriptions::list_by_topic(s, call.input()?),
            Op::GetSubscriptionAttributes => subscriptions::get_attributes(s, call.input()?),
            Op::SetSubscriptionAttributes => subscriptions::set_attribute(s, call.input()?),
            Op::Publish => publish::publish(s, call.input()?),
            Op::PublishBatch => publish::publish_batch(s, call.input()?),
            Op::TagResource => tags::tag(s, call.input()?),
            Op::UntagResource => tags::untag(s, call.input()?),
            Op::ListTagsForResource => tags::list(s, call.input()?),
        }
    }
}

/// Whether the request was signed: a visit of a SubscribeURL is not.
fn signed(call: &Call) -> bool {
    call.header("authorization").is_some() || call.query_param("X-Amz-Signature").is_some()
}

/// A map as SNS answers it (`<entry><key>..</key><value>..</value></entry>`).
fn entries(map: BTreeMap<String, String>) -> Value {
    lakestack_aws_protocol::query::entries(map.into_iter().map(|(k, v)| (k, Value::String(v))))
}

/// The key a `NextToken` continues after.
fn after(token: Option<&str>) -> Result<Option<String>, ServiceError> {
    paging::after(&SPEC, token)
}

#[cfg(test)]
mod tests;
