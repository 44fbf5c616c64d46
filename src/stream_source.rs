//! A Kinesis stream as the source of a Lambda event source mapping:
//! batches of one shard's records in the `Records[]` shape Lambda gives
//! functions, with a checkpoint per shard kept by Kinesis for the mapping.
//! A batch that fails is retried from the same place, halved each time with
//! `BisectBatchOnFunctionError`, until `MaximumRetryAttempts` is spent; then
//! it is skipped, as Lambda skips it (docs/lambda.md). With
//! `ReportBatchItemFailures` the checkpoint moves up to the first failed record.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_kinesis::readers::{ShardBatch, Start};
use lakestack_kinesis::{Kinesis, seq};
use lakestack_lambda::mappings::{Batch, EventSource, Mapping};
use serde_json::{Value, json};

pub struct StreamSource {
    pub kinesis: Arc<Kinesis>,
    pub stream: String,
    pub arn: String,
    /// Per mapping and shard: the batch being retried and how often it failed.
    retries: Mutex<HashMap<(String, u64), Retry>>,
}

/// The shortest real time an empty poll takes (at a clock scale of 0 the
/// wait is nothing, and the poller would spin).
const MIN_EMPTY_POLL: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq)]
struct Retry {
    /// The place of the batch's first record.
    from: u64,
    /// The batch size to try next (halved by bisection).
    size: usize,
    attempts: u32,
}

impl StreamSource {
    pub fn new(kinesis: Arc<Kinesis>, stream: String, arn: String) -> Self {
        Self {
            kinesis,
            stream,
            arn,
            retries: Mutex::default(),
        }
    }

    fn retry_of(&self, uuid: &str, shard_key: u64) -> Option<Retry> {
        self.retries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(uuid.to_owned(), shard_key))
            .copied()
    }

    fn set_retry(&self, uuid: &str, shard_key: u64, r: Option<Retry>) {
        let mut m = self.retries.lock().unwrap_or_else(PoisonError::into_inner);
        let k = (uuid.to_owned(), shard_key);
        match r {
            Some(r) => m.insert(k, r),
            None => m.remove(&k),
        };
    }

    fn record(&self, shard_id: &str, r: &lakestack_kinesis::model::Record) -> Value {
        json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": r.partition_key,
                "sequenceNumber": r.sequence_number,
                "data": STANDARD.encode(&r.data),
                "approximateArrivalTimestamp": r.arrival_ms as f64 / 1000.0,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("{shard_id}:{}", r.sequence_number),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": format!("arn:aws:iam::{}:role/lambda-role", self.kinesis.account()),
            "awsRegion": self.kinesis.region(),
            "eventSourceARN": self.arn,
        })
    }
}

fn reader(m: &Mapping) -> String {
    format!("lambda:{}", m.uuid)
}

fn start_of(m: &Mapping) -> Start {
    match m.starting_position.as_deref() {
        Some("LATEST") => Start::Latest,
        Some("AT_TIMESTAMP") => Start::AtTimestamp(m.starting_position_timestamp.map_or(0, |s| (s * 1000.0) as i64)),
        _ => Start::TrimHorizon,
    }
}

fn stored_bool(m: &Mapping, key: &str) -> bool {
    m.stored.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// `MaximumRetryAttempts`: -1 (the default) retries until the records expire.
fn max_retries(m: &Mapping) -> Option<u32> {
    m.stored
        .get("MaximumRetryAttempts")
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .map(|n| n as u32)
}

#[async_trait]
impl EventSource for StreamSource {
    async fn receive(&self, m: &Mapping, max: usize, wait: Duration) -> Result<Batch, String> {
        let clock = self.kinesis.clock().clone();
        let deadline = tokio::time::Instant::now() + clock.real(wait).max(MIN_EMPTY_POLL);
        let mut arrivals = self.kinesis.arrivals();
        loop {
            let got: Option<ShardBatch> = self
                .kinesis
                .read_batch(&reader(m), &self.stream, &start_of(m), max)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(mut b) = got {
                // A batch being retried is cut to its bisected size; the
                // records left out are read again after it.
                if let Some(r) = self.retry_of(&m.uuid, b.shard_key) {
                    b.records.truncate(r.size.clamp(1, max));
                }
                return Ok(Batch {
                    ids: b.records.iter().map(|r| r.sequence_number.clone()).collect(),
                    records: b.records.iter().map(|r| self.record(&b.shard_id, r)).collect(),
                });
            }
            tokio::select! {
                changed = arrivals.changed() => if changed.is_err() { return Ok(empty()) },
                () = tokio::time::sleep_until(deadline) => return Ok(empty()),
            }
        }
    }

    async fn complete(&self, m: &Mapping, batch: &Batch, failed: &[String]) -> Result<(), String> {
        let places: Vec<(u64, u64)> = batch.ids.iter().filter_map(|s| seq::parse(s)).collect();
        let (Some(&(shard_key, first)), Some(&(_, last))) = (places.first(), places.last()) else {
            return Ok(());
        };
        let reader = reader(m);
        let commit = |next: u64| {
            let reader = reader.clone();
            async move {
                self.kinesis
                    .commit(&reader, shard_key, next)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        if failed.is_empty() {
            self.set_retry(&m.uuid, shard_key, None);
            return commit(last + 1).await;
        }
        // Records before the first failure are done; retry from there.
        let first_failed = batch
            .ids
            .iter()
            .position(|id| failed.contains(id))
            .and_then(|i| places.get(i).map(|p| p.1))
            .unwrap_or(first);
        if first_failed > first {
            commit(first_failed).await?;
        }
        let before = self.retry_of(&m.uuid, shard_key).filter(|r| r.from == first_failed);
        let attempts = before.map_or(0, |r| r.attempts) + 1;
        if max_retries(m).is_some_and(|most| attempts > most) {
            tracing::warn!(
                mapping = m.uuid,
                shard_key,
                records = batch.ids.len(),
                "a stream batch failed more than MaximumRetryAttempts times; skipped"
            );
            self.set_retry(&m.uuid, shard_key, None);
            return commit(last + 1).await;
        }
        let remaining = places.iter().filter(|p| p.1 >= first_failed).count();
        let size = if stored_bool(m, "BisectBatchOnFunctionError") {
            (remaining / 2).max(1)
        } else {
            remaining.max(1)
        };
        self.set_retry(
            &m.uuid,
            shard_key,
            Some(Retry {
                from: first_failed,
                size,
                attempts,
            }),
        );
        Ok(())
    }
}

fn empty() -> Batch {
    Batch {
        records: Vec::new(),
        ids: Vec::new(),
    }
}
