//! What EventBridge needs from the rest of lakestack: the services its
//! targets name. Each target ARN is delivered to in-process, as AWS's own
//! integrations do: queues get the input as the message body, topics as the
//! message, functions are invoked asynchronously, state machines start an
//! execution, and log groups get the event as one log event.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use lakestack_aws_protocol::{DeliveryError, Service, invoke};
use lakestack_catalog::GlueService;
use lakestack_events::names::arn_parts;
use lakestack_events::{Delivery, Host};
use lakestack_lambda::Lambda;
use lakestack_logs::Logs;
use lakestack_query::AthenaService;
use lakestack_sns::Sns;
use lakestack_sqs::{MessageAttributeValue, Sqs, SqsApi};
use lakestack_stepfn::StepFunctionsApi;

pub struct EventsHost {
    pub sqs: Arc<Sqs>,
    pub sns: Arc<Sns>,
    pub lambda: Arc<Lambda>,
    pub logs: Arc<Logs>,
    /// The JSON APIs Scheduler's universal targets call in-process.
    pub glue: GlueService,
    pub athena: AthenaService,
    pub sqs_api: SqsApi,
    /// Step Functions opens after EventBridge (its `.sync` waits listen to it).
    pub states_api: OnceLock<StepFunctionsApi>,
    /// Log events are stamped with the server's time.
    pub clock: lakestack_aws_protocol::Clock,
    /// Glue workflows with an EVENT trigger are targets too.
    pub catalog: Arc<lakestack_catalog::Catalog>,
}

/// The services a schedule's universal target may call.
const SDK_SERVICES: [&str; 6] = ["sqs", "sns", "glue", "athena", "states", "lambda"];

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
                let Some(states) = self.states_api.get().map(StepFunctionsApi::service) else {
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
                let now = self.clock.now_ms();
                self.logs
                    .put(
                        group,
                        &format!("{}-{}", d.event_id, d.target_id),
                        &[(now, d.input.to_string())],
                    )
                    .map_err(|e| sorted(e, false))
            }
            // A workflow's EVENT trigger counts the event toward its batch.
            "glue" => {
                let workflow = parts
                    .resource
                    .strip_prefix("workflow/")
                    .ok_or_else(|| DeliveryError::Permanent(format!("{} is not a Glue workflow", d.target_arn)))?;
                let catalog = Arc::clone(&self.catalog);
                let (workflow, event_id) = (workflow.to_string(), d.event_id.to_string());
                match tokio::task::spawn_blocking(move || catalog.notify_event_trigger(&workflow, &event_id)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e @ lakestack_catalog::CatalogError::Internal(_))) => Err(sorted(e, true)),
                    Ok(Err(e)) => Err(sorted(e, false)),
                    Err(e) => Err(sorted(e, true)),
                }
            }
            other => Err(DeliveryError::Permanent(format!(
                "lakestack does not deliver to {other} targets"
            ))),
        }
    }

    /// A universal target: the operation's JSON members, in-process.
    async fn call_sdk(&self, service: &str, action: &str, input: &str) -> Result<(), DeliveryError> {
        let members: serde_json::Value =
            serde_json::from_str(input).map_err(|e| DeliveryError::Permanent(format!("the input is not JSON: {e}")))?;
        let api: &dyn Service = match service {
            "glue" => &self.glue,
            "athena" => &self.athena,
            "sqs" => &self.sqs_api,
            "states" => self
                .states_api
                .get()
                .ok_or_else(|| DeliveryError::Transient("Step Functions is not open yet".into()))?,
            "sns" if action == "publish" => {
                let topic = members["TopicArn"].as_str().unwrap_or_default();
                let message = lakestack_sns::PublishInput {
                    message: members["Message"].as_str().unwrap_or_default().to_string(),
                    subject: members["Subject"].as_str().map(str::to_string),
                    message_group_id: members["MessageGroupId"].as_str().map(str::to_string),
                    message_deduplication_id: members["MessageDeduplicationId"].as_str().map(str::to_string),
                    ..Default::default()
                };
                return self.sns.publish(topic, message).await.map(drop).map_err(|e| {
                    let transient = matches!(e, lakestack_sns::SnsError::Internal(_));
                    sorted(e, transient)
                });
            }
            "lambda" if action == "invoke" => {
                let name = members["FunctionName"].as_str().unwrap_or_default();
                let payload = match &members["Payload"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "{}".into(),
                    other => other.to_string(),
                };
                let event = members["InvocationType"].as_str() != Some("RequestResponse");
                return self
                    .lambda
                    .invoke_named(name, members["Qualifier"].as_str(), bytes::Bytes::from(payload), event)
                    .await
                    .map(drop)
                    .map_err(|e| {
                        let transient = matches!(e, lakestack_lambda::LambdaError::Internal(_));
                        sorted(e, transient)
                    });
            }
            _ => {
                return Err(DeliveryError::Permanent(format!(
                    "lakestack cannot call {service}:{action} from a schedule"
                )));
            }
        };
        match invoke(api, &crate::integrations::operation(action), &members).await {
            Ok(_) => Ok(()),
            Err(e) => Err(sorted(format!("{}: {}", e.code, e.message), e.status.is_server_error())),
        }
    }

    fn check_sdk_target(&self, service: &str, action: &str) -> Result<(), String> {
        match service {
            "sns" if action != "publish" => Err(format!(
                "lakestack's universal targets call sns:publish only, not sns:{action}"
            )),
            "lambda" if action != "invoke" => Err(format!(
                "lakestack's universal targets call lambda:invoke only, not lambda:{action}"
            )),
            s if SDK_SERVICES.contains(&s) => Ok(()),
            other => Err(format!("lakestack has no {other} service for universal targets")),
        }
    }

    fn check_target(&self, arn: &str) -> Result<(), String> {
        match arn_parts(arn).map(|p| p.service) {
            Some("sqs" | "sns" | "lambda" | "states" | "logs" | "events") => Ok(()),
            Some("glue") if arn.contains(":workflow/") => Ok(()),
            Some(service @ ("kinesis" | "firehose")) => Err(format!(
                "lakestack has no {service} service yet, so it cannot deliver to {arn}"
            )),
            Some(service) => Err(format!("lakestack does not deliver to {service} targets ({arn})")),
            None => Err(format!("Parameter {arn} is not valid.")),
        }
    }
}
