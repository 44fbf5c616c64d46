//! An SQS queue as the source of a Lambda event source mapping: batches of
//! messages in the `Records[]` shape Lambda gives functions, deleted once
//! the function has handled them; a failed record stays in the queue and
//! comes back after its visibility timeout (and to the dead-letter queue
//! after maxReceiveCount), as on AWS.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lakestack_lambda::mappings::{Batch, EventSource, Mapping};
use lakestack_sqs::{Received, Sqs};
use serde_json::{Value, json};

/// ReceiveMessage's largest batch.
const RECEIVE_MAX: usize = 10;

/// ReceiveMessage's longest wait.
const MAX_WAIT: Duration = Duration::from_secs(20);
/// The shortest real time an empty receive takes.
const MIN_EMPTY_POLL: Duration = Duration::from_millis(20);

pub struct QueueSource {
    pub sqs: Arc<Sqs>,
    pub arn: String,
    pub region: String,
}

impl QueueSource {
    /// One ReceiveMessage of up to `max` (at most 10) messages.
    async fn take(&self, max: usize, wait: Duration) -> Result<Vec<Received>, String> {
        self.sqs
            .receive(&self.arn, max.min(RECEIVE_MAX) as u32, wait, None)
            .await
            .map_err(|e| e.to_string())
    }
}

/// One message as a record of Lambda's SQS event.
pub fn record(m: &Received, arn: &str, region: &str) -> Value {
    let attributes: serde_json::Map<String, Value> = m
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut r = json!({
        "messageId": m.message_id,
        "receiptHandle": m.receipt_handle,
        "body": m.body,
        "attributes": attributes,
        "messageAttributes": message_attributes(m),
        "md5OfBody": m.md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    });
    if let Some(md5) = &m.md5_of_message_attributes {
        r["md5OfMessageAttributes"] = md5.clone().into();
    }
    r
}

/// Message attributes in the event's camelCase shape, lists always present.
fn message_attributes(m: &Received) -> Value {
    let mut out = serde_json::Map::new();
    for (name, a) in &m.message_attributes {
        let mut v = json!({
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": a.data_type,
        });
        if let Some(s) = &a.string_value {
            v["stringValue"] = s.clone().into();
        }
        if let Some(b) = &a.binary_value {
            use base64::Engine as _;
            v["binaryValue"] = base64::engine::general_purpose::STANDARD.encode(b).into();
        }
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

#[async_trait]
impl EventSource for QueueSource {
    async fn receive(&self, mapping: &Mapping, max: usize, wait: Duration) -> Result<Batch, String> {
        let started = tokio::time::Instant::now();
        let mut got = self.take(max, wait).await?;
        if got.is_empty() {
            // At a clock scale of 0 a long poll ends at once: without a pause
            // the poller would ask again and again, spinning a core.
            tokio::time::sleep_until(started + MIN_EMPTY_POLL).await;
        }
        // MaximumBatchingWindowInSeconds: gather more, up to the batch size,
        // until the window closes; without one, take what is there now.
        let window = Duration::from_secs(u64::from(mapping.maximum_batching_window_s));
        let clock = self.sqs.settings().clock.clone();
        let deadline = tokio::time::Instant::now() + clock.real(window);
        // How many real seconds one second of the clock lasts.
        let scale = clock.real(Duration::from_secs(1)).as_secs_f64();
        while !got.is_empty() && got.len() < max {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let wait = if scale > 0.0 {
                left.div_f64(scale)
            } else {
                Duration::ZERO
            };
            let more = self.take(max - got.len(), wait.min(MAX_WAIT)).await?;
            if more.is_empty() && wait.is_zero() {
                break;
            }
            got.extend(more);
        }
        Ok(Batch {
            ids: got.iter().map(|m| m.message_id.clone()).collect(),
            records: got.iter().map(|m| record(m, &self.arn, &self.region)).collect(),
        })
    }

    async fn complete(&self, _mapping: &Mapping, batch: &Batch, failed: &[String]) -> Result<(), String> {
        for (id, r) in batch.ids.iter().zip(&batch.records) {
            if failed.contains(id) {
                // Left in flight: it comes back when its visibility timeout ends.
                continue;
            }
            let handle = r["receiptHandle"].as_str().unwrap_or_default();
            self.sqs.delete(&self.arn, handle).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
