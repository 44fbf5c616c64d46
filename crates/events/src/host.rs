//! What EventBridge needs from the services it delivers to. The binary
//! implements [`Host`] by calling them in-process (queues, topics,
//! functions, state machines, log groups); EventBridge itself handles
//! targets that are event buses.

use async_trait::async_trait;
use lakestack_aws_protocol::DeliveryError;

/// One hand-over of a rule's output to a target (or of an undeliverable
/// event to a dead-letter queue).
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    pub target_arn: &'a str,
    /// The target's input: the event, or what the target's input settings made of it.
    pub input: &'a str,
    /// The event's id (FIFO queues deduplicate on it).
    pub event_id: &'a str,
    /// `SqsParameters.MessageGroupId`.
    pub message_group_id: Option<&'a str>,
    pub rule_arn: &'a str,
    /// The target's id in its rule.
    pub target_id: &'a str,
    /// Message attributes for a dead-letter queue: why delivery failed.
    pub attributes: &'a [(&'static str, String)],
}

#[async_trait]
pub trait Host: Send + Sync {
    /// Hands `delivery.input` to the target. A transient error is retried
    /// by the target's retry policy; a permanent one goes to its dead-letter queue.
    async fn deliver(&self, delivery: &Delivery<'_>) -> Result<(), DeliveryError>;

    /// Whether a target ARN names something lakestack can deliver to, checked
    /// when PutTargets is called; `Err` carries AWS's reason.
    fn check_target(&self, arn: &str) -> Result<(), String> {
        let _ = arn;
        Ok(())
    }
}

/// A host that delivers nowhere: tests of the API alone.
pub struct NoHost;

#[async_trait]
impl Host for NoHost {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), DeliveryError> {
        Err(DeliveryError::Permanent(format!("no delivery to {}", d.target_arn)))
    }
}
