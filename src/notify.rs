//! Where S3's event notifications go: the queues, topics and functions of
//! this process. S3 asks whether a destination exists when a configuration
//! is saved, and hands each event over here; the lake's services are opened
//! on the first event that needs them.

use std::sync::Arc;

use async_trait::async_trait;
use lakestack_aws_protocol::DeliveryError;
use lakestack_s3_api::notify::{BusEvent, Destination, DestinationKind, Destinations};

use crate::lake::LakeCell;

/// The subject SNS messages from S3 carry.
const SUBJECT: &str = "Amazon S3 Notification";

#[derive(Clone)]
pub struct S3Destinations {
    pub lake: Arc<LakeCell>,
}

impl std::fmt::Debug for S3Destinations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Destinations").finish_non_exhaustive()
    }
}

#[async_trait]
impl Destinations for S3Destinations {
    async fn check(&self, d: &Destination) -> Option<String> {
        let Some(lake) = self.lake.opened().await else {
            return Some("lakestack could not open the destination's service".into());
        };
        match d.kind {
            DestinationKind::Queue => match lake.sqs().queue_by_arn(&d.arn) {
                None => Some("The destination queue does not exist".into()),
                // S3 refuses FIFO queues as destinations.
                Some(q) if q.fifo => Some("FIFO queues are not supported as S3 event destinations".into()),
                Some(_) => None,
            },
            DestinationKind::Topic => {
                (!lake.sns().topic_exists(&d.arn)).then(|| "The destination topic does not exist".into())
            }
            DestinationKind::Function => {
                let lambda = lake.lambda();
                let found = lakestack_lambda::service::split_function_name(&d.arn)
                    .and_then(|(name, qualifier)| lambda.target(&name, qualifier.as_deref()).ok())
                    .and_then(|t| lambda.resolve(&t).ok());
                found
                    .is_none()
                    .then(|| "The destination function does not exist".into())
            }
        }
    }

    async fn send(&self, d: &Destination, event: String) -> Result<(), DeliveryError> {
        let lake = self
            .lake
            .opened()
            .await
            .ok_or_else(|| DeliveryError::Transient("lakestack could not open the destination's service".into()))?;
        match d.kind {
            DestinationKind::Queue => {
                let msg = lakestack_sqs::NewMessage {
                    body: event,
                    ..Default::default()
                };
                match lake.sqs().send(&d.arn, msg).await {
                    Ok(_) => Ok(()),
                    Err(e @ lakestack_sqs::SqsError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
                    Err(e) => Err(DeliveryError::Permanent(e.to_string())),
                }
            }
            DestinationKind::Topic => {
                let msg = lakestack_sns::PublishInput {
                    message: event,
                    subject: Some(SUBJECT.into()),
                    ..Default::default()
                };
                match lake.sns().publish(&d.arn, msg).await {
                    Ok(_) => Ok(()),
                    Err(e @ lakestack_sns::SnsError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
                    Err(e) => Err(DeliveryError::Permanent(e.to_string())),
                }
            }
            // S3 invokes functions asynchronously: the event joins the
            // function's durable queue, with its retries.
            DestinationKind::Function => {
                match lake
                    .lambda()
                    .invoke_named(&d.arn, None, bytes::Bytes::from(event), true)
                    .await
                {
                    Ok(_) => Ok(()),
                    Err(e @ lakestack_lambda::LambdaError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
                    Err(e) => Err(DeliveryError::Permanent(e.to_string())),
                }
            }
        }
    }

    async fn put_event(&self, event: BusEvent) -> Result<(), DeliveryError> {
        let lake = self
            .lake
            .opened()
            .await
            .ok_or_else(|| DeliveryError::Transient("lakestack could not open EventBridge".into()))?;
        let entry = lakestack_events::NewEvent {
            source: Some("aws.s3".into()),
            detail_type: Some(event.detail_type.into()),
            detail: Some(event.detail.to_string()),
            resources: event.resources,
            time_ms: Some(event.time_ms),
            ..Default::default()
        };
        match lake.events().put_service_events(vec![entry]).await {
            Ok(_) => Ok(()),
            Err(e @ lakestack_events::EventsError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
            Err(e) => Err(DeliveryError::Permanent(e.to_string())),
        }
    }
}
