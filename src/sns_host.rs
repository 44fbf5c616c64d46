//! What SNS needs from the rest of lakestack: lakestack's own URL (for the
//! SubscribeURL and UnsubscribeURL it writes), queues to deliver to, and
//! functions to invoke.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use lakestack_lambda::Lambda;
use lakestack_sns::{DeliveryError, Host, QueueMessage};
use lakestack_sqs::Sqs;

pub struct SnsHost {
    pub endpoint: Arc<OnceLock<String>>,
    pub sqs: Arc<Sqs>,
    pub lambda: Arc<Lambda>,
}

#[async_trait]
impl Host for SnsHost {
    fn endpoint(&self) -> String {
        self.endpoint
            .get()
            .cloned()
            .unwrap_or_else(|| "http://127.0.0.1:4566".into())
    }

    async fn send_to_queue(&self, queue_arn: &str, msg: QueueMessage) -> Result<(), DeliveryError> {
        match self.sqs.send(queue_arn, new_message(msg)).await {
            Ok(_) => Ok(()),
            // Our own failure (the file) may pass; a missing queue or a
            // message it refuses will not, as SNS sorts AWS's answers.
            Err(e @ lakestack_sqs::SqsError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
            Err(e) => Err(DeliveryError::Permanent(e.to_string())),
        }
    }

    /// Topics invoke functions asynchronously, with Lambda's retries.
    async fn invoke_function(&self, function_arn: &str, event: serde_json::Value) -> Result<(), DeliveryError> {
        match self
            .lambda
            .invoke_named(function_arn, None, bytes::Bytes::from(event.to_string()), true)
            .await
        {
            Ok(_) => Ok(()),
            Err(e @ lakestack_lambda::LambdaError::Internal(_)) => Err(DeliveryError::Transient(e.to_string())),
            Err(e) => Err(DeliveryError::Permanent(e.to_string())),
        }
    }
}

/// A message SNS hands to a queue, as SQS takes it.
pub fn new_message(m: lakestack_sns::QueueMessage) -> lakestack_sqs::NewMessage {
    use lakestack_sns::AttributeValue;
    use lakestack_sqs::MessageAttributeValue;
    let message_attributes = m
        .attributes
        .into_iter()
        .map(|(name, a)| {
            let value = match a.value {
                AttributeValue::String(s) => MessageAttributeValue::string(&a.data_type, s),
                AttributeValue::Binary(b) => MessageAttributeValue::binary(&a.data_type, b),
            };
            (name, value)
        })
        .collect();
    lakestack_sqs::NewMessage {
        body: m.body,
        message_attributes,
        group_id: m.group_id,
        dedup_id: m.dedup_id,
        ..Default::default()
    }
}
