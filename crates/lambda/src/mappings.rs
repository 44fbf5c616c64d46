//! Event source mappings: Lambda reading a queue or a stream and invoking a
//! function with batches of its records. The sources are other services
//! (SQS, Kinesis); each plugs in through [`EventSource`], which the root
//! package hands out by source ARN ([`crate::Host::event_source`]). This
//! module keeps the mappings and runs one poller per enabled mapping: take
//! a batch, invoke the function with `{"Records": [...]}`, and tell the
//! source which records are done (all of them, none on a function error,
//! or all but the `batchItemFailures` of a partial batch response).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{LambdaError, Result};
use crate::invoke;
use crate::service::{Lambda, Target};

/// A mapping as the service keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub uuid: String,
    pub function: String,
    pub qualifier: Option<String>,
    pub event_source_arn: String,
    pub batch_size: u32,
    pub maximum_batching_window_s: u32,
    pub starting_position: Option<String>,
    pub starting_position_timestamp: Option<f64>,
    pub enabled: bool,
    /// Whether the function reports partial batch failures
    /// (`FunctionResponseTypes: [ReportBatchItemFailures]`).
    pub report_item_failures: bool,
    pub last_modified: f64,
    pub last_processing_result: String,
    /// Members stored and answered as sent (FilterCriteria, DestinationConfig,
    /// MaximumRetryAttempts, BisectBatchOnFunctionError, ScalingConfig, ...).
    pub stored: serde_json::Map<String, Value>,
}

/// One batch taken from a source.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The records as the function's event carries them, in AWS's shape
    /// for the source.
    pub records: Vec<Value>,
    /// Each record's identifier, as `batchItemFailures[].itemIdentifier`
    /// names it (an SQS message id, a Kinesis sequence number).
    pub ids: Vec<String>,
}

/// A queue or stream a mapping reads.
#[async_trait]
pub trait EventSource: Send + Sync {
    /// Takes up to `max` records for `mapping`, waiting up to `wait` for the
    /// first; an empty batch when none came.
    async fn receive(&self, mapping: &Mapping, max: usize, wait: Duration) -> std::result::Result<Batch, String>;

    /// Ends a batch: records whose ids are in `failed` go back to the
    /// source for another try, the rest are done.
    async fn complete(&self, mapping: &Mapping, batch: &Batch, failed: &[String]) -> std::result::Result<(), String>;
}

/// The pollers running, by mapping id; dropping the sender stops one.
#[derive(Default)]
pub struct Pollers(Mutex<HashMap<String, tokio::sync::watch::Sender<bool>>>);

impl Pollers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, tokio::sync::watch::Sender<bool>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn stop(&self, uuid: &str) {
        self.lock().remove(uuid);
    }
}

/// How long a poller waits for records before asking again, and after a
/// source error before trying again.
const RECEIVE_WAIT: Duration = Duration::from_secs(20);
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Starts the poller of an enabled mapping (again, if it ran).
pub fn start(lambda: &Arc<Lambda>, m: &Mapping) {
    lambda.pollers.stop(&m.uuid);
    if !m.enabled {
        return;
    }
    let Some(source) = lambda.host.event_source(&m.event_source_arn) else {
        return;
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    lambda.pollers.lock().insert(m.uuid.clone(), stop);
    tokio::spawn(poll(Arc::downgrade(lambda), m.uuid.clone(), source, stopped));
}

/// Starts every enabled mapping's poller (at start).
pub fn resume(lambda: &Arc<Lambda>) -> Result<()> {
    for m in lambda.store.mappings()? {
        start(lambda, &m);
    }
    Ok(())
}

async fn poll(
    lambda: Weak<Lambda>,
    uuid: String,
    source: Arc<dyn EventSource>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        // The mapping as it is now: an update changes what is read next.
        let Some(m) = lambda
            .upgrade()
            .and_then(|l| l.store.mapping(&uuid).ok().flatten())
            .filter(|m| m.enabled)
        else {
            return;
        };
        let received = tokio::select! {
            r = source.receive(&m, m.batch_size as usize, RECEIVE_WAIT) => r,
            _ = stopped.changed() => return,
        };
        let batch = match received {
            Ok(b) if b.records.is_empty() => continue,
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(mapping = uuid, error = e, "an event source could not be read");
                tokio::select! {
                    () = tokio::time::sleep(ERROR_PAUSE) => continue,
                    _ = stopped.changed() => return,
                }
            }
        };
        let Some(l) = lambda.upgrade() else { return };
        let failed = deliver(&l, &m, &batch).await;
        let result = if failed.is_empty() {
            "OK"
        } else {
            "PROBLEM: Function call failed"
        };
        if let Err(e) = source.complete(&m, &batch, &failed).await {
            tracing::warn!(
                mapping = uuid,
                error = e,
                "an event source batch could not be completed"
            );
        }
        if m.last_processing_result != result
            && let Ok(Some(mut now)) = l.store.mapping(&uuid)
        {
            now.last_processing_result = result.into();
            let _ = l.store.put_mapping(&now);
        }
    }
}

/// Invokes the function with a batch; the ids of the records that failed.
async fn deliver(lambda: &Arc<Lambda>, m: &Mapping, batch: &Batch) -> Vec<String> {
    let target = Target {
        name: m.function.clone(),
        qualifier: m.qualifier.clone(),
    };
    let event = json!({"Records": batch.records});
    let ran = match lambda.resolve_for_invoke(&target) {
        Ok(f) => {
            let req = invoke::Request {
                request_id: uuid::Uuid::new_v4().to_string(),
                payload: Bytes::from(event.to_string()),
                client_context: None,
                invoked_arn: lambda.arn_of(&target),
            };
            lambda.invoke(&f, req).await
        }
        Err(e) => Err(e),
    };
    match ran {
        Ok(r) if r.function_error.is_none() => {
            if m.report_item_failures {
                partial_failures(&r.payload, &batch.ids)
            } else {
                Vec::new()
            }
        }
        _ => batch.ids.clone(),
    }
}

/// The ids a partial batch response names (`{"batchItemFailures":
/// [{"itemIdentifier": ...}]}`); an answer of another shape, or naming an
/// id not in the batch, fails the whole batch, as AWS treats it.
pub fn partial_failures(payload: &[u8], ids: &[String]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(payload) else {
        return Vec::new();
    };
    let Some(items) = v.get("batchItemFailures") else {
        return Vec::new();
    };
    let Some(items) = items.as_array() else {
        return ids.to_vec();
    };
    let mut failed = Vec::new();
    for item in items {
        match item["itemIdentifier"].as_str() {
            Some(id) if ids.iter().any(|i| i == id) => failed.push(id.to_owned()),
            _ => return ids.to_vec(),
        }
    }
    failed
}

/// The kind of source an ARN names, and AWS's default and largest batch.
pub fn source_kind(arn: &str) -> Option<(&'static str, u32, u32)> {
    match arn.split(':').nth(2)? {
        "sqs" => Some(("sqs", 10, 10_000)),
        "kinesis" => Some(("kinesis", 100, 10_000)),
        "dynamodb" => Some(("dynamodb", 100, 10_000)),
        "kafka" => Some(("kafka", 100, 10_000)),
        "mq" => Some(("mq", 100, 10_000)),
        _ => None,
    }
}

impl Lambda {
    /// Checks a new or changed mapping against AWS's rules for its source.
    pub fn check_mapping(&self, m: &Mapping) -> Result<()> {
        let Some((kind, _, max)) = source_kind(&m.event_source_arn) else {
            return Err(LambdaError::invalid(format!(
                "Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk or mq: {}",
                m.event_source_arn
            )));
        };
        if m.batch_size < 1 || m.batch_size > max {
            return Err(LambdaError::invalid(format!(
                "BatchSize must be between 1 and {max} for {kind} event sources"
            )));
        }
        match kind {
            "sqs" => {
                if m.starting_position.is_some() {
                    return Err(LambdaError::invalid(
                        "StartingPosition is not valid for SQS event sources.",
                    ));
                }
                if m.batch_size > 10 && m.maximum_batching_window_s == 0 {
                    return Err(LambdaError::invalid(
                        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
                    ));
                }
            }
            _ if m.starting_position.is_none() => {
                return Err(LambdaError::invalid(format!(
                    "StartingPosition is required for {kind} event sources."
                )));
            }
            _ => {}
        }
        if self.host.event_source(&m.event_source_arn).is_none() {
            return Err(LambdaError::invalid(format!(
                "lakestack has no event source {}: {kind} event sources are read once lakestack serves {kind} and the resource exists",
                m.event_source_arn
            )));
        }
        Ok(())
    }

    pub fn mapping_arn(&self, uuid: &str) -> String {
        lakestack_aws_protocol::Arn::new(
            "lambda",
            self.region(),
            self.account(),
            format!("event-source-mapping:{uuid}"),
        )
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_batch_responses() {
        let ids = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            partial_failures(br#"{"batchItemFailures": [{"itemIdentifier": "b"}]}"#, &ids),
            ["b"]
        );
        assert_eq!(
            partial_failures(br#"{"batchItemFailures": []}"#, &ids),
            Vec::<String>::new()
        );
        assert_eq!(partial_failures(br#"null"#, &ids), Vec::<String>::new());
        // An identifier not in the batch fails it all.
        assert_eq!(
            partial_failures(br#"{"batchItemFailures": [{"itemIdentifier": "z"}]}"#, &ids),
            ids
        );
        assert_eq!(source_kind("arn:aws:sqs:us-east-1:1:q").map(|k| k.0), Some("sqs"));
        assert_eq!(source_kind("arn:aws:s3:::b"), None);
    }
}
