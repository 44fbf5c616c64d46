//! What Firehose needs from the rest of lakestack, which the root package
//! provides: invoking a Lambda transformer, and reading a Kinesis stream as
//! a consumer that keeps its place.

use std::time::Duration;

use async_trait::async_trait;

/// A record read from a Kinesis stream.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    pub data: Vec<u8>,
    pub arrival_ms: i64,
    pub partition_key: String,
    pub sequence_number: String,
    pub shard_id: String,
}

/// Records of one shard, and what commits them.
#[derive(Debug, Clone)]
pub struct SourceBatch {
    pub records: Vec<SourceRecord>,
    /// Opaque to Firehose: handed back to [`Host::commit_stream`].
    pub checkpoint: (u64, u64),
}

/// Why a Lambda invocation did not give an answer.
#[derive(Debug, Clone)]
pub struct InvokeError {
    /// `Lambda.FunctionError`, `Lambda.InvokeAccessDenied`, ...
    pub code: String,
    pub message: String,
}

#[async_trait]
pub trait Host: Send + Sync + 'static {
    /// Invokes a function synchronously; its answer's payload.
    async fn invoke(&self, function_arn: &str, payload: Vec<u8>) -> Result<Vec<u8>, InvokeError>;

    /// Whether a Kinesis stream exists.
    fn stream_exists(&self, stream_arn: &str) -> bool;

    /// The next records of a stream for `reader` (a delivery stream that
    /// began reading at `start_ms`: a shard it never read starts with the
    /// records that arrived then), waiting up to `wait` for some; None when
    /// none came.
    async fn read_stream(
        &self,
        stream_arn: &str,
        reader: &str,
        start_ms: i64,
        max: usize,
        wait: Duration,
    ) -> Result<Option<SourceBatch>, String>;

    /// Marks a batch read by `reader` as taken.
    async fn commit_stream(&self, reader: &str, batch: &SourceBatch) -> Result<(), String>;

    /// Forgets where `reader` had got to (its delivery stream is deleted).
    async fn forget_reader(&self, reader: &str);

    /// Appends a delivery error (one JSON document) to a CloudWatch Logs
    /// stream, as a destination's `CloudWatchLoggingOptions` ask. Like AWS,
    /// nothing is written when the log group does not exist.
    fn log_error(&self, group: &str, stream: &str, at_ms: i64, message: String);
}
