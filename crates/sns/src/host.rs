//! What SNS needs from the rest of lakestack, which the root package
//! provides by calling the other services in-process: where clients reach
//! lakestack (for the URLs in messages), and delivery to SQS queues, Lambda
//! functions and Firehose streams. Types here are plain Rust: this crate
//! depends on no other service crate.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::message::Attribute;

/// A message for an SQS queue, as SNS sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMessage {
    /// The notification envelope, or the raw message under RawMessageDelivery.
    pub body: String,
    /// SQS message attributes: only under RawMessageDelivery (an envelope
    /// carries them in its body), at most 10.
    pub attributes: BTreeMap<String, Attribute>,
    /// The message group of a FIFO topic's message (or of a standard
    /// topic's message published with one).
    pub group_id: Option<String>,
    /// The deduplication id: set only for FIFO queues.
    pub dedup_id: Option<String>,
}

/// Why a delivery failed: a `Permanent` failure is never retried and the
/// message goes to the subscription's dead-letter queue, if any; a
/// `Transient` one is retried under the delivery policy.
pub use lakestack_aws_protocol::DeliveryError;

#[async_trait]
pub trait Host: Send + Sync + 'static {
    /// The base URL clients reach lakestack at (`http://localhost:4566`),
    /// without a trailing slash: SubscribeURL and UnsubscribeURL point there.
    fn endpoint(&self) -> String;

    /// Sends a message to a queue. Returns once the queue holds it.
    async fn send_to_queue(&self, queue_arn: &str, message: QueueMessage) -> Result<(), DeliveryError>;

    /// Invokes a function asynchronously (`InvocationType=Event`) with
    /// `event`. Returns once the invocation is queued.
    async fn invoke_function(&self, function_arn: &str, event: serde_json::Value) -> Result<(), DeliveryError>;

    /// Puts a record into a Firehose delivery stream. Until lakestack serves
    /// Firehose, deliveries fail for good with this reason.
    async fn put_firehose_record(&self, stream_arn: &str, data: Vec<u8>) -> Result<(), DeliveryError> {
        let _ = (stream_arn, data);
        Err(DeliveryError::Permanent(
            "lakestack does not serve Firehose: the record was not delivered".into(),
        ))
    }
}
