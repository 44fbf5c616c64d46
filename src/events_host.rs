//! What EventBridge needs from the rest of lakestack: the services its
//! targets name. Each target ARN is delivered to in-process, as AWS's own
//! integrations do: queues get the input as the message body, topics as the
//! message, functions are invoked asynchronously, state machines start an
//! execution, and log groups get the event as one log event.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use lakestack_aws_protocol::DeliveryError;
use lakestack_events::names::arn_parts;
use lakestack_events::{Delivery, Host};
use lakestack_lambda::Lambda;
use lakestack_logs::Logs;
use lakestack_sns::Sns;
use lakestack_sqs::{MessageAttributeValue, Sqs};
use lakestack_stepfn::StepFunctions;

pub struct EventsHost {
    pub sqs: Arc<Sqs>,
    pub sns: Arc<Sns>,
    pub lambda: Arc<Lambda>,
    pub logs: Arc<Logs>,
    /// Step Functions opens after EventBridge (its `.sync` waits listen to it).
    pub states: OnceLock<Arc<StepFunctions>>,
}

/// Our own failure (a file, a service not open yet) may pass; a missing
/// resource or an input it refuses will not.
fn sorted<E: std::fmt::Display>(e: E, transient: bool) -> DeliveryError {
    if transient {
        DeliveryError::Transient(e.to_string())
    } else {
        DeliveryError::Permanent(e.to_string())
    }
}

#[async_trait]
impl Host for EventsHost {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), DeliveryError> {
        let Some(parts) = arn_parts(d.target_arn) else {
            return Err(DeliveryError::Permanent(format!("{} is not an ARN", d.target_arn)));
        };
        match parts.service {
            "sqs" => {
                let fifo = parts.resource.ends_with(".fifo");
                let message = lakestack_sqs::NewMessage {
                    body: d.input.to_string(),
                    message_attributes: d
                        .attributes
                        .iter()
                        .map(|(k, v)| ((*k).to_string(), MessageAttributeValue::string("String", v.clone())))
                        .collect(),
                    group_id: d.message_group_id.map(str::to_string),
                    // A FIFO queue without content-based deduplication gets the event's id.
                    dedup_id: fifo.then(|| d.event_id.to_string()),
                    ..Default::default()
                };
                self.sqs.send(d.target_arn, message).await.map(drop).map_err(|e| {
                    let transient = matches!(e, lakestack_sqs::SqsError::Internal(_));
                    sorted(e, transient)
                })
            }
            "sns" => {
                let input = lakestack_sns::PublishInput {
                    message: d.input.to_string(),
                    message_group_id: d.message_group_id.map(str::to_string),
                    message_deduplication_id: d.message_group_id.map(|_| d.event_id.to_string()),
                    ..Default::default()
                };
                self.sns.publish(d.target_arn, input).await.map(drop).map_err(|e| {
                    let transient = matches!(e, lakestack_sns::SnsError::Internal(_));
                    sorted(e, transient)
                })
            }
            "lambda" => self
                .lambda
                .invoke_named(d.target_arn, None, bytes::Bytes::from(d.input.to_string()), true)
                .await
                .map(drop)
                .map_err(|e| {
                    let transient = matches!(e, lakestack_lambda::LambdaError::Internal(_));
                    sorted(e, transient)
                }),
            "states" => {
                let Some(states) = self.states.get() else {
                    return Err(DeliveryError::Transient("Step Functions is not open yet".into()));
                };
                states
                    .start(d.target_arn, None, Some(d.input.to_string()))
                    .map(drop)
                    .map_err(|e| {
                        let transient = matches!(e, lakestack_stepfn::StepFnError::Internal(_));
                        sorted(e, transient)
                    })
            }
            "logs" => {
                let group = parts
                    .resource
                    .strip_prefix("log-group:")
                    .map(|g| g.strip_suffix(":*").unwrap_or(g))
                    .ok_or_else(|| DeliveryError::Permanent(format!("{} is not a log group", d.target_arn)))?;
                if !self.logs.group_exists(group) {
                    return Err(DeliveryError::Permanent(format!(
                        "The log group {group} does not exist."
                    )));
                }
                let now = chrono::Utc::now().timestamp_millis();
                self.logs
                    .put(
                        group,
                        &format!("{}-{}", d.event_id, d.target_id),
                        &[(now, d.input.to_string())],
                    )
                    .map_err(|e| sorted(e, false))
            }
            other => Err(DeliveryError::Permanent(format!(
                "lakestack does not deliver to {other} targets"
            ))),
        }
    }

    fn check_target(&self, arn: &str) -> Result<(), String> {
        match arn_parts(arn).map(|p| p.service) {
            Some("sqs" | "sns" | "lambda" | "states" | "logs" | "events") => Ok(()),
            Some(service @ ("kinesis" | "firehose")) => Err(format!(
                "lakestack has no {service} service yet, so it cannot deliver to {arn}"
            )),
            Some(service) => Err(format!("lakestack does not deliver to {service} targets ({arn})")),
            None => Err(format!("Parameter {arn} is not valid.")),
        }
    }
}
