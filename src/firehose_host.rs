//! What Firehose needs from the rest of lakestack: Lambda transformers
//! invoked in-process, and Kinesis streams read as a consumer with a
//! checkpoint per shard (kept by Kinesis, under the delivery stream's name).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lakestack_firehose::host::{Host, InvokeError, SourceBatch, SourceRecord};
use lakestack_kinesis::Kinesis;
use lakestack_kinesis::readers::Start;
use lakestack_lambda::Lambda;
use lakestack_logs::Logs;

pub struct FirehoseHost {
    pub lambda: Arc<Lambda>,
    pub kinesis: Arc<Kinesis>,
    pub logs: Arc<Logs>,
}

#[async_trait]
impl Host for FirehoseHost {
    async fn invoke(&self, function_arn: &str, payload: Vec<u8>) -> Result<Vec<u8>, InvokeError> {
        match self
            .lambda
            .invoke_named(function_arn, None, bytes::Bytes::from(payload), false)
            .await
        {
            Ok(r) if r.function_error.is_none() => Ok(r.payload.to_vec()),
            Ok(_) => Err(InvokeError {
                code: "Lambda.FunctionError".into(),
                message: "The Lambda function was successfully invoked but it returned an error result.".into(),
            }),
            Err(e) => Err(InvokeError {
                code: format!(
                    "Lambda.{}",
                    lakestack_aws_protocol::AwsError::code(&e).trim_end_matches("Exception")
                ),
                message: e.to_string(),
            }),
        }
    }

    fn stream_exists(&self, stream_arn: &str) -> bool {
        self.kinesis
            .name_of_arn(stream_arn)
            .is_some_and(|n| self.kinesis.stream(&n).is_ok())
    }

    async fn read_stream(
        &self,
        stream_arn: &str,
        reader: &str,
        start_ms: i64,
        max: usize,
        wait: Duration,
    ) -> Result<Option<SourceBatch>, String> {
        let name = self
            .kinesis
            .name_of_arn(stream_arn)
            .ok_or_else(|| format!("{stream_arn} names no Kinesis stream of this account and region"))?;
        // At a clock scale of 0 the wait is nothing: a floor keeps an idle
        // reader from spinning.
        let deadline = tokio::time::Instant::now() + self.kinesis.clock().real(wait).max(Duration::from_millis(20));
        let mut arrivals = self.kinesis.arrivals();
        loop {
            let got = self
                .kinesis
                .read_batch(reader, &name, &Start::AtTimestamp(start_ms), max)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(b) = got {
                return Ok(Some(SourceBatch {
                    checkpoint: (b.shard_key, b.next),
                    records: b
                        .records
                        .into_iter()
                        .map(|r| SourceRecord {
                            data: r.data,
                            arrival_ms: r.arrival_ms,
                            partition_key: r.partition_key,
                            sequence_number: r.sequence_number,
                            shard_id: b.shard_id.clone(),
                        })
                        .collect(),
                }));
            }
            tokio::select! {
                changed = arrivals.changed() => if changed.is_err() { return Ok(None) },
                () = tokio::time::sleep_until(deadline) => return Ok(None),
            }
        }
    }

    async fn commit_stream(&self, reader: &str, batch: &SourceBatch) -> Result<(), String> {
        let (shard_key, next) = batch.checkpoint;
        self.kinesis
            .commit(reader, shard_key, next)
            .await
            .map_err(|e| e.to_string())
    }

    async fn forget_reader(&self, reader: &str) {
        if let Err(e) = self.kinesis.forget(reader).await {
            tracing::warn!(reader, error = %e, "a deleted delivery stream's Kinesis checkpoints could not be removed");
        }
    }

    fn log_error(&self, group: &str, stream: &str, at_ms: i64, message: String) {
        if !self.logs.group_exists(group) {
            return;
        }
        if let Err(e) = self.logs.put(group, stream, &[(at_ms, message)]) {
            tracing::warn!(group, stream, error = %e, "a Firehose delivery error could not be logged");
        }
    }
}
