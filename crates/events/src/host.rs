//! What EventBridge and EventBridge Scheduler need from the services they
//! deliver to. The binary implements [`Host`] by calling them in-process
//! (queues, topics, functions, state machines, log groups, and the API
//! operations a schedule's universal target names); this crate itself
//! handles targets that are event buses.

use async_trait::async_trait;
use lakestack_aws_protocol::DeliveryError;

/// One hand-over of a rule's output, or of a schedule's input, to a target
/// (or of what could not be delivered to a dead-letter queue).
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    pub target_arn: &'a str,
    /// The target's input: the event, or what the target's input settings made of it.
    pub input: &'a str,
    /// The event's id, or the schedule's execution id (FIFO queues
    /// deduplicate on it; a schedule's retries keep it).
    pub event_id: &'a str,
    /// `SqsParameters.MessageGroupId`.
    pub message_group_id: Option<&'a str>,
    /// The rule's ARN, or the schedule's.
    pub rule_arn: &'a str,
    /// The target's id in its rule; a schedule's name (a schedule has one target).
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

    /// A schedule's universal target (`arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`):
    /// calls `action` of `service` (both as the ARN spells them: `sqs`,
    /// `sendMessage`) with `input`, the operation's request members as JSON.
    /// Errors sort as [`Host::deliver`]'s do. The default serves no service.
    async fn call_sdk(&self, service: &str, action: &str, input: &str) -> Result<(), DeliveryError> {
        let _ = input;
        Err(DeliveryError::Permanent(format!(
            "lakestack cannot call {service}:{action} from a schedule: it has no universal targets for {service}"
        )))
    }

    /// Whether [`Host::call_sdk`] serves `service` and `action`, checked when
    /// a schedule is created or updated; `Err` carries the reason.
    fn check_sdk_target(&self, service: &str, action: &str) -> Result<(), String> {
        let _ = (service, action);
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
