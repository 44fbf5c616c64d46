//! The SQS API edge. Current SDKs speak awsJson 1.0 (`X-Amz-Target:
//! AmazonSQS.<Op>`); older clients speak awsQuery (forms in, XML out, lists
//! flattened, namespace `http://queue.amazonaws.com/doc/2012-11-05/`). A
//! query form is first normalised to the JSON input shape (`query_in`) and
//! a JSON answer reshaped for XML (`query_out`), so the handlers (one
//! module per thing they act on) never see the protocol. Errors answer the
//! JSON `__type` with the `x-amzn-query-error` header in awsJson and the
//! query code in awsQuery (`errors`), errors the kit raises included.

mod dto;
mod errors;
mod messages;
mod query_in;
mod query_out;
mod queues;
mod tags;
mod tasks;

use std::sync::Arc;

use async_trait::async_trait;
use lakestack_aws_protocol::{Call, DEFAULT, JsonBodyError, Output, Protocol, Service, ServiceError, ServiceSpec};
use serde::de::DeserializeOwned;

use crate::error::SqsError;
use crate::names;
use crate::service::Sqs;

pub(crate) use query_in::normalize as normalize_query;

lakestack_aws_protocol::operations! {
    /// The SQS operations lakestack implements.
    pub enum SqsOp {
        CreateQueue,
        GetQueueUrl,
        GetQueueAttributes,
        SetQueueAttributes,
        ListQueues,
        DeleteQueue,
        PurgeQueue,
        TagQueue,
        UntagQueue,
        ListQueueTags,
        ListDeadLetterSourceQueues,
        SendMessage,
        SendMessageBatch,
        ReceiveMessage,
        DeleteMessage,
        DeleteMessageBatch,
        ChangeMessageVisibility,
        ChangeMessageVisibilityBatch,
        StartMessageMoveTask,
        CancelMessageMoveTask,
        ListMessageMoveTasks,
    }
}

/// SQS: awsJson 1.0 under `AmazonSQS` and awsQuery, signing name `sqs`.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "sqs",
    title: "SQS",
    signing_name: "sqs",
    protocols: &[Protocol::AwsJson1_0, Protocol::AwsQuery],
    target_prefix: Some("AmazonSQS"),
    xml_namespace: Some("http://queue.amazonaws.com/doc/2012-11-05/"),
    xml_flattened_lists: true,
    query_compatible: true,
    invalid_input_code: "com.amazonaws.sqs#InvalidParameterValueException",
    violation_code: "com.amazonaws.sqs#InvalidParameterValueException",
    invalid_token: (
        "com.amazonaws.sqs#InvalidParameterValueException",
        "Invalid NextToken value.",
    ),
    internal_error: (
        "com.amazonaws.sqs#InternalError",
        "We encountered an internal error. Please try again.",
    ),
    // A batch's messages are at most 1 MiB; JSON escapes (six bytes a
    // control character) and base64 for binary attributes grow that, the
    // members around them a little more.
    body_limit: 8 << 20,
    ..DEFAULT
};

/// Serves the SQS API.
#[derive(Clone)]
pub struct SqsApi {
    sqs: Arc<Sqs>,
}

impl SqsApi {
    pub fn new(sqs: Arc<Sqs>) -> Self {
        Self { sqs }
    }

    pub fn service(&self) -> &Arc<Sqs> {
        &self.sqs
    }
}

/// What a handler answers.
type Answer = Result<Output, ServiceError>;

/// What handlers know of the request beyond its input.
pub(crate) struct Ctx<'a> {
    pub sqs: &'a Arc<Sqs>,
    /// Queue URLs name the host the request came to.
    pub host: String,
    /// SenderId: the signing access key, else the account.
    pub sender: String,
    protocol: Protocol,
    body: &'a [u8],
    /// The QueueUrl of an awsQuery request posted to the queue's path.
    path_queue_url: Option<String>,
}

impl Ctx<'_> {
    /// The operation's input, read from JSON or from a normalised form.
    fn input<T: DeserializeOwned>(&self, op: SqsOp) -> Result<T, ServiceError> {
        if self.protocol == Protocol::AwsQuery {
            let params: serde_json::Value =
                serde_json::from_slice(self.body).map_err(|e| ServiceError::serialization(e.to_string()))?;
            let json = query_in::normalize(op, params, self.path_queue_url.as_deref())?;
            return serde_json::from_value(json).map_err(|e| SqsError::InvalidRequest(e.to_string()).into());
        }
        lakestack_aws_protocol::parse_json_body(self.body).map_err(|e| match e {
            JsonBodyError::Shape(m) => SqsError::InvalidRequest(m).into(),
            JsonBodyError::Syntax(m) => ServiceError::serialization(m),
        })
    }

    pub fn queue_url(&self, name: &str) -> String {
        names::queue_url(&self.host, &self.sqs.settings().account_id, name)
    }

    /// The queue a required QueueUrl names.
    pub fn queue(&self, url: Option<String>) -> Result<Arc<crate::queue::Queue>, ServiceError> {
        let url = url.ok_or(SqsError::MissingParameter("QueueUrl"))?;
        Ok(self.sqs.queue_by_url(&url)?)
    }
}

/// The access key a SigV4 Authorization header names.
fn access_key(call: &Call) -> Option<String> {
    let auth = call.header("authorization")?;
    let cred = auth.split("Credential=").nth(1)?;
    let key = cred.split('/').next()?;
    (!key.is_empty() && key.len() <= 128).then(|| key.to_owned())
}

/// An awsQuery request may be posted to the queue's own path
/// (`POST /000000000000/q`), naming the queue there instead of in QueueUrl.
fn path_queue_url(call: &Call, host: &str) -> Option<String> {
    let path = call.uri.path();
    let (account, name) = names::parse_queue_url(path)?;
    Some(names::queue_url(host, account, name))
}

#[async_trait]
impl Service for SqsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        let op = match call.operation::<SqsOp>() {
            Ok(op) => op,
            Err(e) => return Err(errors::unknown_operation(&call.operation, e)),
        };
        self.run(op, call).await.map_err(errors::query_coded)
    }
}

impl SqsApi {
    async fn run(&self, op: SqsOp, call: Call) -> Result<Output, ServiceError> {
        use SqsOp as Op;
        let host = call
            .header("host")
            .filter(|h| !h.is_empty() && h.len() <= 255)
            .unwrap_or(names::DEFAULT_HOST)
            .to_owned();
        let cx = Ctx {
            sqs: &self.sqs,
            sender: access_key(&call).unwrap_or_else(|| self.sqs.settings().account_id.clone()),
            protocol: call.protocol,
            body: &call.body,
            path_queue_url: (call.protocol == Protocol::AwsQuery)
                .then(|| path_queue_url(&call, &host))
                .flatten(),
            host,
        };
        let out = match op {
            Op::CreateQueue => queues::create(&cx, cx.input(op)?).await,
            Op::GetQueueUrl => queues::get_url(&cx, cx.input(op)?),
            Op::GetQueueAttributes => queues::get_attributes(&cx, cx.input(op)?),
            Op::SetQueueAttributes => queues::set_attributes(&cx, cx.input(op)?).await,
            Op::ListQueues => queues::list(&cx, cx.input(op)?),
            Op::DeleteQueue => queues::delete(&cx, cx.input(op)?).await,
            Op::PurgeQueue => queues::purge(&cx, cx.input(op)?).await,
            Op::ListDeadLetterSourceQueues => queues::dead_letter_sources(&cx, cx.input(op)?),
            Op::TagQueue => tags::tag(&cx, cx.input(op)?).await,
            Op::UntagQueue => tags::untag(&cx, cx.input(op)?).await,
            Op::ListQueueTags => tags::list(&cx, cx.input(op)?),
            Op::SendMessage => messages::send(&cx, cx.input(op)?).await,
            Op::SendMessageBatch => messages::send_batch(&cx, cx.input(op)?).await,
            Op::ReceiveMessage => messages::receive(&cx, cx.input(op)?).await,
            Op::DeleteMessage => messages::delete(&cx, cx.input(op)?).await,
            Op::DeleteMessageBatch => messages::delete_batch(&cx, cx.input(op)?).await,
            Op::ChangeMessageVisibility => messages::change_visibility(&cx, cx.input(op)?).await,
            Op::ChangeMessageVisibilityBatch => messages::change_visibility_batch(&cx, cx.input(op)?).await,
            Op::StartMessageMoveTask => tasks::start(&cx, cx.input(op)?).await,
            Op::CancelMessageMoveTask => tasks::cancel(&cx, cx.input(op)?),
            Op::ListMessageMoveTasks => tasks::list(&cx, cx.input(op)?),
        }?;
        Ok(if call.protocol == Protocol::AwsQuery {
            query_out::shape(op, out)
        } else {
            out
        })
    }
}

#[cfg(test)]
mod tests;
