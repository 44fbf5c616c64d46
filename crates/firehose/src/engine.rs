//! Each delivery stream's runner: the buffers it holds (records received
//! and waiting for the Lambda transformer, records ready in the buffer of
//! their partition, error records, backup copies), and the task that acts
//! when one is full or old enough, on the server's clock: it runs the
//! transformer over received records, and writes a ready buffer as one S3
//! object under its partition's prefix. An object is composed in a file
//! under the work directory (streamed through the compressor or the format
//! converter, so memory stays small whatever the buffer size) and uploaded
//! before its records leave the file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use lakestack_aws_protocol::Clock;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::compress;
use crate::convert;
use crate::error::{FirehoseError, Result};
use crate::keys::{self, ErrorOutputType, KeyContext};
use crate::model::Source;
use crate::plan::{Output, Plan};
use crate::service::{Entry, Firehose};
use crate::store::{self, BACKUP, NewRow, READY, RECEIVED};

/// Partitions a stream may have buffered at once (AWS's quota).
pub const MAX_ACTIVE_PARTITIONS: usize = 500;
/// Rows read from the file at a time while an object is composed.
const CHUNK_ROWS: usize = 2000;
const CHUNK_BYTES: u64 = 4 << 20;
/// A Lambda transformer's request stays under its 6 MB payload limit.
const MAX_INVOKE_BYTES: u64 = 4 << 20;
/// Objects up to this size are uploaded in one PUT; larger ones in parts.
const SINGLE_PUT: u64 = 16 << 20;
const PART_SIZE: usize = 8 << 20;
/// How long an undeliverable buffer waits before the next attempt, at most.
const MAX_BACKOFF_MS: i64 = 60_000;

/// A buffer: one stage and partition of a stream.
type BufKey = (i64, String);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Buf {
    records: u64,
    bytes: u64,
    /// Calendar arrival of the oldest record.
    oldest_ms: i64,
    /// When (real time) the buffer last went from empty to not: a buffer's
    /// interval is also a wait on the server's clock, so a scaled clock
    /// flushes sooner (`--wait-time-scale`).
    since: tokio::time::Instant,
    /// A failed delivery waits until then (real time).
    retry_at: Option<tokio::time::Instant>,
    failures: u32,
}

impl Buf {
    fn new(oldest_ms: i64) -> Self {
        Buf {
            records: 0,
            bytes: 0,
            oldest_ms,
            since: tokio::time::Instant::now(),
            retry_at: None,
            failures: 0,
        }
    }
}

/// When a runner next has something to do.
#[derive(Debug, Default, Clone, Copy)]
struct Wake {
    calendar_ms: Option<i64>,
    real: Option<tokio::time::Instant>,
}

#[derive(Default)]
pub struct Runner {
    bufs: Mutex<HashMap<BufKey, Buf>>,
    wake: Notify,
    stopped: std::sync::atomic::AtomicBool,
}

/// What a put adds to each buffer.
pub(crate) type Summary = HashMap<BufKey, (u64, u64, i64)>;

pub(crate) fn summarize(rows: &[NewRow]) -> Summary {
    let mut out: Summary = HashMap::new();
    for r in rows {
        let e = out.entry((r.stage, r.part.clone())).or_insert((0, 0, r.arrival_ms));
        e.0 += 1;
        e.1 += r.data.len() as u64;
        e.2 = e.2.min(r.arrival_ms);
    }
    out
}

impl Runner {
    fn lock(&self) -> MutexGuard<'_, HashMap<BufKey, Buf>> {
        self.bufs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn load(&self, found: Vec<store::BufferStats>) {
        let mut b = self.lock();
        for store::BufferStats {
            stage,
            part,
            records,
            bytes,
            oldest_ms,
        } in found
        {
            b.insert(
                (stage, part),
                Buf {
                    records,
                    bytes,
                    ..Buf::new(oldest_ms)
                },
            );
        }
    }

    pub(crate) fn added(&self, s: Summary) {
        {
            let mut b = self.lock();
            for (k, (n, bytes, oldest)) in s {
                let e = b.entry(k).or_insert_with(|| Buf::new(oldest));
                if e.records == 0 {
                    *e = Buf::new(oldest);
                }
                e.records += n;
                e.bytes += bytes;
                e.oldest_ms = e.oldest_ms.min(oldest);
            }
        }
        self.wake.notify_one();
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn stop(&self) {
        self.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
        self.wake.notify_one();
    }

    fn stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records bound for a partition beyond the [`MAX_ACTIVE_PARTITIONS`]
    /// buffered at once go to the error output instead, as AWS sends them.
    pub(crate) fn limit_partitions(&self, rows: &mut [NewRow], now: i64) {
        let b = self.lock();
        let mut active: std::collections::HashSet<&str> = b
            .keys()
            .filter(|(stage, part)| *stage == READY && !part.is_empty() && !part.starts_with('!'))
            .map(|(_, p)| p.as_str())
            .collect();
        let mut fresh: Vec<String> = Vec::new();
        for r in rows.iter_mut() {
            if r.stage != READY || r.part.is_empty() || r.part.starts_with('!') {
                continue;
            }
            if active.contains(r.part.as_str()) || fresh.contains(&r.part) {
                continue;
            }
            if active.len() + fresh.len() >= MAX_ACTIVE_PARTITIONS {
                *r = error_row(
                    ErrorOutputType::PartitioningFailed,
                    "DynamicPartitioning.ActivePartitionsLimitExceeded",
                    &format!("The delivery stream has reached its limit of {MAX_ACTIVE_PARTITIONS} active partitions."),
                    &r.data,
                    r.arrival_ms,
                    now,
                    None,
                );
            } else {
                fresh.push(r.part.clone());
            }
        }
        active.clear();
    }

    /// The buffers due now, and when the next one will be.
    fn due(&self, plan: &Plan, clock: &Clock) -> (Vec<BufKey>, Wake) {
        let now = clock.now_ms();
        let real_now = tokio::time::Instant::now();
        let b = self.lock();
        let mut due = Vec::new();
        let mut wake = Wake::default();
        for (k, buf) in b.iter() {
            if buf.records == 0 {
                continue;
            }
            let (size, interval) = match k.0 {
                RECEIVED => plan
                    .lambda
                    .as_ref()
                    .map_or((0, 0), |l| (l.buffer_bytes, l.buffer_interval_ms)),
                BACKUP => plan.backup.as_ref().map_or((0, 0), |o| (o.size_bytes, o.interval_ms)),
                _ => (plan.output.size_bytes, plan.output.interval_ms),
            };
            if let Some(at) = buf.retry_at.filter(|at| *at > real_now) {
                wake.real = Some(wake.real.map_or(at, |w| w.min(at)));
                continue;
            }
            let calendar_at = buf.oldest_ms + interval;
            let real_at = buf.since + clock.real(Duration::from_millis(interval.max(0) as u64));
            if buf.bytes >= size || calendar_at <= now || real_at <= real_now {
                due.push(k.clone());
            } else {
                wake.calendar_ms = Some(wake.calendar_ms.map_or(calendar_at, |w| w.min(calendar_at)));
                wake.real = Some(wake.real.map_or(real_at, |w| w.min(real_at)));
            }
        }
        // Received records are transformed before ready ones are written.
        due.sort_by_key(|k| k.0 != RECEIVED);
        (due, wake)
    }

    /// A buffer's delivery failed: it is tried again after a backoff that
    /// runs on the server's clock (scaled, like every other wait).
    fn failed(&self, k: &BufKey, clock: &Clock) {
        if let Some(b) = self.lock().get_mut(k) {
            b.failures += 1;
            let wait = (1000i64 << b.failures.min(6)).min(MAX_BACKOFF_MS);
            b.retry_at = Some(tokio::time::Instant::now() + clock.real(Duration::from_millis(wait as u64)));
        }
    }

    /// Takes delivered (or transformed) records out of a buffer; `oldest_ms`
    /// is the arrival of the oldest record left, if the file says.
    fn taken(&self, k: &BufKey, records: u64, bytes: u64, oldest_ms: Option<i64>) {
        let mut b = self.lock();
        let Some(buf) = b.get_mut(k) else { return };
        buf.records = buf.records.saturating_sub(records);
        buf.bytes = buf.bytes.saturating_sub(bytes);
        buf.failures = 0;
        buf.retry_at = None;
        if buf.records == 0 {
            b.remove(k);
        } else if let Some(o) = oldest_ms {
            buf.oldest_ms = o;
            buf.since = tokio::time::Instant::now();
        }
    }

    /// Sets a buffer from the file (when what it holds is not known otherwise).
    fn reset(&self, k: &BufKey, records: u64, bytes: u64, oldest_ms: i64) {
        let mut b = self.lock();
        if records == 0 {
            b.remove(k);
        } else {
            b.insert(
                k.clone(),
                Buf {
                    records,
                    bytes,
                    ..Buf::new(oldest_ms)
                },
            );
        }
    }
}

/// Starts a stream's runner (and its Kinesis reader).
pub(crate) fn spawn(fh: &Arc<Firehose>, e: &Entry) {
    let (weak, name, runner) = (Arc::downgrade(fh), e.stream.name.clone(), Arc::clone(&e.runner));
    tokio::spawn(run(weak.clone(), name.clone(), Arc::clone(&runner)));
    if let Source::Kinesis {
        stream_arn, start_ms, ..
    } = &e.stream.source
    {
        tokio::spawn(read_source(weak, name, runner, stream_arn.clone(), *start_ms));
    }
}

async fn run(fh: std::sync::Weak<Firehose>, name: String, runner: Arc<Runner>) {
    loop {
        if runner.stopped() {
            return;
        }
        let Some(f) = fh.upgrade() else { return };
        let Some(e) = f.current(&name, &runner) else { return };
        let clock = f.clock.clone();
        let (due, wake) = runner.due(&e.plan, &clock);
        if let Some(k) = due.first() {
            let done = if k.0 == RECEIVED {
                f.transform(&e).await
            } else {
                f.deliver(&e, k).await
            };
            if let Err(err) = done {
                tracing::warn!(stream = name, error = %err, "a Firehose buffer could not be delivered; it is tried again");
                let output = match (k.0, &e.plan.backup) {
                    (BACKUP, Some(b)) => b,
                    _ => &e.plan.output,
                };
                let (code, message) = err.delivery_log();
                f.log_error(&e, output, code, &message, None);
                runner.failed(k, &clock);
            }
            continue;
        }
        drop((f, e));
        // Whichever comes first: the calendar reaching a buffer's interval
        // (advances wake it), or the interval's scaled wait passing.
        let calendar = async {
            match wake.calendar_ms.and_then(DateTime::<Utc>::from_timestamp_millis) {
                Some(at) => clock.until(at).await,
                None => std::future::pending().await,
            }
        };
        let real = async {
            match wake.real {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = runner.wake.notified() => {}
            () = calendar => {}
            () = real => {}
        }
    }
}

/// Reads a Kinesis source into the stream's buffers, committing each batch
/// once its records are stored.
/// The name a delivery stream reads its Kinesis source under.
pub(crate) fn reader_of(s: &crate::model::DeliveryStream) -> String {
    format!("firehose:{}", s.records_key())
}

async fn read_source(fh: std::sync::Weak<Firehose>, name: String, runner: Arc<Runner>, arn: String, start_ms: i64) {
    let reader = match fh.upgrade().and_then(|f| f.current(&name, &runner)) {
        Some(e) => reader_of(&e.stream),
        None => return,
    };
    loop {
        if runner.stopped() {
            return;
        }
        let Some(f) = fh.upgrade() else { return };
        let Some(e) = f.current(&name, &runner) else { return };
        let host = Arc::clone(&f.host);
        drop(f);
        let got = host
            .read_stream(&arn, &reader, start_ms, 500, Duration::from_secs(5))
            .await;
        match got {
            Ok(Some(batch)) => {
                let Some(f) = fh.upgrade() else { return };
                let incoming = batch
                    .records
                    .iter()
                    .map(|r| {
                        let meta = json!({
                            "shardId": r.shard_id,
                            "partitionKey": r.partition_key,
                            "approximateArrivalTimestamp": r.arrival_ms,
                            "sequenceNumber": r.sequence_number,
                            "subsequenceNumber": "",
                        });
                        (r.data.clone(), f.clock.now_ms(), Some(meta.to_string()))
                    })
                    .collect();
                let stored = f.ingest(&e, incoming).await;
                match stored {
                    Ok(()) => {
                        if let Err(err) = host.commit_stream(&reader, &batch).await {
                            tracing::warn!(stream = name, error = err, "a Kinesis checkpoint could not be saved");
                        }
                    }
                    Err(err) => {
                        tracing::warn!(stream = name, error = %err, "records read from Kinesis could not be stored");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(stream = name, error = err, "the Kinesis source could not be read");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The error record of a record that failed on its way (processing or
/// partitioning): AWS's document, one JSON line.
fn error_row(
    kind: ErrorOutputType,
    code: &str,
    message: &str,
    data: &[u8],
    arrival_ms: i64,
    now: i64,
    lambda: Option<&str>,
) -> NewRow {
    let mut doc = serde_json::Map::new();
    doc.insert("attemptsMade".into(), 1.into());
    doc.insert("arrivalTimestamp".into(), arrival_ms.into());
    doc.insert("errorCode".into(), code.into());
    doc.insert("errorMessage".into(), message.into());
    doc.insert("attemptEndingTimestamp".into(), now.into());
    doc.insert("rawData".into(), STANDARD.encode(data).into());
    if let Some(arn) = lambda {
        doc.insert("lambdaArn".into(), arn.into());
    }
    let mut line = Value::Object(doc).to_string();
    line.push('\n');
    NewRow {
        stage: READY,
        part: format!("!{}", kind.as_str()),
        arrival_ms,
        data: line.into_bytes(),
        meta: None,
    }
}

/// The partition of a record (after any transformer): its keys from the
/// jq query and from the transformer's metadata, or an error record when
/// dynamic partitioning cannot place it.
pub(crate) fn place(
    plan: &Plan,
    data: Vec<u8>,
    arrival_ms: i64,
    meta: Option<&str>,
    lambda_keys: Option<Vec<(String, String)>>,
    now: i64,
) -> NewRow {
    let ready = |part: String, data: Vec<u8>| NewRow {
        stage: READY,
        part,
        arrival_ms,
        data,
        meta: meta.map(str::to_owned),
    };
    if !plan.dynamic {
        return ready(String::new(), data);
    }
    let fail = |message: &str| {
        error_row(
            ErrorOutputType::PartitioningFailed,
            "DynamicPartitioning.MetadataExtractionFailed",
            message,
            &data,
            arrival_ms,
            now,
            None,
        )
    };
    let mut query_keys = Vec::new();
    if let Some(q) = &plan.query {
        let Ok(input) = serde_json::from_slice::<Value>(&data) else {
            return fail("Non JSON record provided");
        };
        match q.partition_keys(
            &input,
            &lakestack_jq::Env {
                now: now as f64 / 1000.0,
            },
        ) {
            Ok(keys) => query_keys = keys,
            Err(e) => return fail(&e.to_string()),
        }
    }
    let lambda_keys = lambda_keys.unwrap_or_default();
    let (need_query, need_lambda) = plan.output.prefixes.data.partition_keys();
    for k in need_query {
        if !query_keys.iter().any(|(n, _)| n == k) {
            return fail(&format!(
                "partitionKeyFromQuery:{k} is not present in the record's metadata"
            ));
        }
    }
    for k in need_lambda {
        if !lambda_keys.iter().any(|(n, _)| n == k) {
            return fail(&format!(
                "partitionKeyFromLambda:{k} is not present in the record's metadata"
            ));
        }
    }
    let part = json!({"q": query_keys, "l": lambda_keys}).to_string();
    ready(part, data)
}

/// A partition's key-value pairs.
type Pairs = Vec<(String, String)>;

/// The `partitionKeyFromQuery` and `partitionKeyFromLambda` pairs of a partition.
fn keys_of(part: &str) -> (Pairs, Pairs) {
    let v: Value = serde_json::from_str(part).unwrap_or_default();
    let pairs = |x: &Value| -> Vec<(String, String)> {
        x.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p.get(0)?.as_str()?.to_owned(), p.get(1)?.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    (pairs(&v["q"]), pairs(&v["l"]))
}

/// What an object is written through.
enum Body {
    Plain(compress::Encoder<std::io::BufWriter<std::fs::File>>, Option<Vec<u8>>),
    Converted(Box<convert::Converter<std::io::BufWriter<std::fs::File>>>),
}

impl Firehose {
    async fn read_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || f(&reader.lock()))
            .await
            .map_err(|e| FirehoseError::internal(e.to_string()))?
            .map_err(Into::into)
    }

    /// What a buffer holds in the file: records, bytes, oldest arrival.
    async fn stats(&self, stream: &str, k: &BufKey) -> Result<(u64, u64, Option<i64>)> {
        let (stream, stage, part) = (stream.to_owned(), k.0, k.1.clone());
        self.read_blocking(move |c| {
            c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0), MIN(arrival_ms) FROM records WHERE stream = ?1 AND stage = ?2 AND part = ?3",
                rusqlite::params![stream, stage, part],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, Option<i64>>(2)?)),
            )
        })
        .await
    }

    /// Sets a buffer from the file, when a read found nothing to take.
    async fn resync(&self, e: &Entry, k: &BufKey) -> Result<()> {
        let (n, bytes, oldest) = self.stats(&e.stream.records_key(), k).await?;
        e.runner.reset(k, n, bytes, oldest.unwrap_or(0));
        Ok(())
    }

    /// Records were taken out of a buffer: the runner's count follows.
    async fn took(&self, e: &Entry, k: &BufKey, n: u64, bytes: u64) -> Result<()> {
        let (_, _, oldest) = self.stats(&e.stream.records_key(), k).await?;
        e.runner.taken(k, n, bytes, oldest);
        Ok(())
    }

    /// Moves received records on without a transformer (the Lambda
    /// processor was removed while they waited).
    async fn pass_through(&self, e: &Entry) -> Result<()> {
        let (stream, key) = (e.stream.records_key(), (RECEIVED, String::new()));
        let rows = self
            .read_blocking({
                let stream = stream.clone();
                move |c| store::read(c, &stream, RECEIVED, "", 0, CHUNK_BYTES, CHUNK_ROWS)
            })
            .await?;
        if rows.is_empty() {
            return self.resync(e, &key).await;
        }
        let now = self.clock.now_ms();
        let mut out: Vec<NewRow> = rows
            .iter()
            .map(|r| place(&e.plan, r.data.clone(), r.arrival_ms, r.meta.as_deref(), None, now))
            .collect();
        e.runner.limit_partitions(&mut out, now);
        let (n, bytes) = (rows.len() as u64, rows.iter().map(|r| r.data.len() as u64).sum());
        let done_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let summary = summarize(&out);
        let out = Arc::new(out);
        self.writer
            .write(Box::new(move |c| store::replace(c, &stream, &done_ids, &out)))
            .await?;
        e.runner.added(summary);
        self.took(e, &key, n, bytes).await
    }

    /// Sends a buffer's records up to `last_id` to the error output, as
    /// records dynamic partitioning could not place (their key cannot be
    /// written).
    async fn fail_partition(&self, e: &Entry, k: &BufKey, last_id: i64, message: &str) -> Result<()> {
        let (stream, stage, part) = (e.stream.records_key(), k.0, k.1.clone());
        let now = self.clock.now_ms();
        let mut after = 0;
        let (mut n, mut bytes) = (0u64, 0u64);
        loop {
            let rows = self
                .read_blocking({
                    let (stream, part) = (stream.clone(), part.clone());
                    move |c| store::read(c, &stream, stage, &part, after, CHUNK_BYTES, CHUNK_ROWS)
                })
                .await?;
            let rows: Vec<store::Row> = rows.into_iter().filter(|r| r.id <= last_id).collect();
            let Some(last) = rows.last() else { break };
            after = last.id;
            n += rows.len() as u64;
            bytes += rows.iter().map(|r| r.data.len() as u64).sum::<u64>();
            let out: Vec<NewRow> = rows
                .iter()
                .map(|r| {
                    error_row(
                        ErrorOutputType::PartitioningFailed,
                        "DynamicPartitioning.PartitionKeyFailure",
                        message,
                        &r.data,
                        r.arrival_ms,
                        now,
                        None,
                    )
                })
                .collect();
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let summary = summarize(&out);
            let (stream, out) = (stream.clone(), Arc::new(out));
            self.writer
                .write(Box::new(move |c| store::replace(c, &stream, &ids, &out)))
                .await?;
            e.runner.added(summary);
        }
        self.took(e, k, n, bytes).await
    }

    /// Runs the Lambda transformer over the received records, replacing
    /// them with what it answered.
    async fn transform(&self, e: &Entry) -> Result<()> {
        let Some(lambda) = e.plan.lambda.clone() else {
            return self.pass_through(e).await;
        };
        let now = self.clock.now_ms();
        let (stream, key) = (e.stream.records_key(), (RECEIVED, String::new()));
        let rows = self
            .read_blocking({
                let stream = stream.clone();
                move |c| {
                    store::read(
                        c,
                        &stream,
                        RECEIVED,
                        "",
                        0,
                        MAX_INVOKE_BYTES.min(lambda.buffer_bytes.max(1)),
                        10_000,
                    )
                }
            })
            .await?;
        if rows.is_empty() {
            return self.resync(e, &key).await;
        }
        let ids: Vec<String> = rows.iter().map(|_| crate::service::record_id()).collect();
        let mut event = json!({
            "invocationId": uuid::Uuid::new_v4().to_string(),
            "deliveryStreamArn": e.stream.arn,
            "region": self.region,
            "records": rows.iter().zip(&ids).map(|(r, id)| {
                let mut rec = json!({"recordId": id, "approximateArrivalTimestamp": r.arrival_ms, "data": STANDARD.encode(&r.data)});
                if let Some(meta) = r.meta.as_deref().and_then(|m| serde_json::from_str::<Value>(m).ok()) {
                    rec["kinesisRecordMetadata"] = meta;
                }
                rec
            }).collect::<Vec<_>>(),
        });
        if let Source::Kinesis { stream_arn, .. } = &e.stream.source {
            event["sourceKinesisStreamArn"] = stream_arn.clone().into();
        }
        let payload = event.to_string().into_bytes();
        let mut answer = Err(crate::host::InvokeError {
            code: "Lambda.InvokeFailed".into(),
            message: "not invoked".into(),
        });
        let mut attempts = 0;
        for _ in 0..=lambda.retries {
            attempts += 1;
            answer = self.host.invoke(&lambda.arn, payload.clone()).await;
            if answer.is_ok() {
                break;
            }
        }
        let done = self.clock.now_ms();
        let mut out = Vec::new();
        let failed_all = |code: &str, message: &str, out: &mut Vec<NewRow>| {
            for r in &rows {
                let mut row = error_row(
                    ErrorOutputType::ProcessingFailed,
                    code,
                    message,
                    &r.data,
                    r.arrival_ms,
                    done,
                    Some(&lambda.arn),
                );
                if let Ok(mut doc) = serde_json::from_slice::<Value>(&row.data) {
                    doc["attemptsMade"] = attempts.into();
                    row.data = format!("{doc}\n").into_bytes();
                }
                out.push(row);
            }
        };
        match answer {
            Err(err) => {
                self.log_error(e, &e.plan.output, &err.code, &err.message, Some(&lambda.arn));
                failed_all(&err.code, &err.message, &mut out);
            }
            Ok(body) => match parse_answer(&body, &ids) {
                Err((code, message)) => {
                    self.log_error(e, &e.plan.output, code, &message, Some(&lambda.arn));
                    failed_all(code, &message, &mut out);
                }
                Ok(results) => {
                    for (r, result) in rows.iter().zip(results) {
                        match result {
                            Transformed::Ok { data, keys } => {
                                out.push(place(&e.plan, data, r.arrival_ms, r.meta.as_deref(), keys, now));
                            }
                            Transformed::Dropped => {}
                            Transformed::Failed => out.push(error_row(
                                ErrorOutputType::ProcessingFailed,
                                "Lambda.ProcessingFailedStatus",
                                "ProcessingFailed status set for record",
                                &r.data,
                                r.arrival_ms,
                                done,
                                Some(&lambda.arn),
                            )),
                        }
                    }
                }
            },
        }
        let done_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let (n, bytes) = (rows.len() as u64, rows.iter().map(|r| r.data.len() as u64).sum());
        e.runner.limit_partitions(&mut out, done);
        let summary = summarize(&out);
        let out = Arc::new(out);
        self.writer
            .write(Box::new(move |c| store::replace(c, &stream, &done_ids, &out)))
            .await?;
        e.runner.added(summary);
        self.took(e, &key, n, bytes).await
    }

    /// Writes one buffer as an object (or several, if it holds more than a
    /// buffer's size) and removes its records.
    async fn deliver(&self, e: &Entry, k: &BufKey) -> Result<()> {
        let (stage, part) = (k.0, k.1.clone());
        let error_type = part.strip_prefix('!').and_then(ErrorOutputType::from_name);
        let (output, is_backup): (&Output, bool) = match (stage, &e.plan.backup) {
            (BACKUP, Some(b)) => (b, true),
            (BACKUP, None) => {
                // Backup cannot be turned off (UpdateDestination refuses),
                // so these are copies a put made under a plan now replaced:
                // the main output is no place for them.
                tracing::warn!(
                    stream = e.stream.name,
                    "backup copies without a backup destination are dropped"
                );
                let (stream, part) = (e.stream.records_key(), part.clone());
                self.writer
                    .write(Box::new(move |c| store::delivered(c, &stream, BACKUP, &part, i64::MAX)))
                    .await?;
                e.runner.reset(k, 0, 0, 0);
                return Ok(());
            }
            _ => (&e.plan.output, false),
        };
        let convert = (!is_backup && error_type.is_none())
            .then_some(e.plan.conversion.as_ref())
            .flatten();
        let columns = match convert {
            Some(c) => Some(self.columns(c)?),
            None => None,
        };
        let file = tempfile::NamedTempFile::new_in(&self.work_dir)?;
        let sink = std::io::BufWriter::new(file.reopen()?);
        let object_uuid = uuid::Uuid::new_v4().to_string();
        let mut body = match (&columns, convert) {
            (Some(cols), Some(c)) => Body::Converted(Box::new(
                convert::Converter::new(cols, &c.options, sink)
                    .map_err(|err| FirehoseError::internal(err.to_string()))?,
            )),
            _ => Body::Plain(
                compress::encoder(output.compression, sink, &object_uuid),
                (!is_backup && error_type.is_none())
                    .then(|| e.plan.delimiter.clone())
                    .flatten(),
            ),
        };
        let mut last_id = 0;
        let mut read_count = 0u64;
        let mut taken = 0u64;
        let mut written = 0usize;
        let mut oldest: Option<i64> = None;
        let mut failed_rows = Vec::new();
        let now = self.clock.now_ms();
        'read: loop {
            let (stream, part) = (e.stream.records_key(), part.clone());
            let rows = self
                .read_blocking(move |c| store::read(c, &stream, stage, &part, last_id, CHUNK_BYTES, CHUNK_ROWS))
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                last_id = r.id;
                read_count += 1;
                taken += r.data.len() as u64;
                match &mut body {
                    Body::Plain(enc, delimiter) => {
                        use std::io::Write as _;
                        enc.write_all(&r.data)?;
                        if let Some(d) = delimiter {
                            enc.write_all(d)?;
                        }
                        written += 1;
                        oldest = Some(oldest.map_or(r.arrival_ms, |o| o.min(r.arrival_ms)));
                    }
                    Body::Converted(conv) => match conv.push(&r.data, r.arrival_ms) {
                        Ok(()) => {
                            written += 1;
                            oldest = Some(oldest.map_or(r.arrival_ms, |o| o.min(r.arrival_ms)));
                        }
                        Err(err) => {
                            if failed_rows.is_empty() {
                                // One log event per object, not per record.
                                self.log_error(e, output, err.code(), &err.to_string(), None);
                            }
                            let table = convert.map(|c| c.table.clone()).unwrap_or_default();
                            let doc = convert::ErrorDocument {
                                attempts_made: 1,
                                arrival_ms: r.arrival_ms,
                                code: err.code(),
                                message: &err.to_string(),
                                attempt_ending_ms: now,
                                raw: &r.data,
                                sequence_number: None,
                                sub_sequence_number: None,
                                table: &table,
                            };
                            failed_rows.push(NewRow {
                                stage: READY,
                                part: format!("!{}", ErrorOutputType::FormatConversionFailed.as_str()),
                                arrival_ms: r.arrival_ms,
                                data: doc.to_line().into_bytes(),
                                meta: None,
                            });
                        }
                    },
                }
                if taken >= output.size_bytes {
                    break 'read;
                }
            }
        }
        if last_id == 0 {
            return self.resync(e, k).await;
        }
        let sink = match body {
            Body::Plain(enc, _) => enc.finish()?,
            Body::Converted(conv) => conv.finish().map_err(|err| FirehoseError::internal(err.to_string()))?,
        };
        drop(
            sink.into_inner()
                .map_err(|err| FirehoseError::Internal(Box::new(err.into_error())))?,
        );
        if written > 0 {
            let time = DateTime::<Utc>::from_timestamp_millis(oldest.unwrap_or(now)).unwrap_or_default();
            let (query_keys, lambda_keys) = if error_type.is_none() && !is_backup {
                keys_of(&part)
            } else {
                (Vec::new(), Vec::new())
            };
            let prefix = if error_type.is_some() {
                &output.prefixes.error
            } else {
                &output.prefixes.data
            };
            let random: Vec<String> = (0..prefix.random_strings_needed())
                .map(|_| keys::random_string())
                .collect();
            let ctx = KeyContext {
                time,
                zone: output.zone,
                query_keys: &query_keys,
                lambda_keys: &lambda_keys,
                error_output_type: error_type,
                random: &random,
            };
            let key = match keys::object_key(
                prefix,
                &ctx,
                &e.stream.name,
                e.stream.version,
                &object_uuid,
                &output.extension,
            ) {
                Ok(key) => key,
                // A data partition whose key cannot be written (a key value
                // too long, a key the prefix now names that it lacks) would
                // be retried forever: its records go to the error output.
                Err(err) if error_type.is_none() && !is_backup => {
                    return self.fail_partition(e, k, last_id, &err.message()).await;
                }
                Err(err) => return Err(FirehoseError::internal(err.message())),
            };
            self.upload(&output.bucket, &key, file.path()).await?;
        }
        let (stream, part2) = (e.stream.records_key(), part.clone());
        let summary = summarize(&failed_rows);
        let failed_rows = Arc::new(failed_rows);
        self.writer
            .write(Box::new(move |c| {
                store::delivered(c, &stream, stage, &part2, last_id)?;
                store::insert(c, &stream, &failed_rows)
            }))
            .await?;
        if !summary.is_empty() {
            e.runner.added(summary);
        }
        self.took(e, k, read_count, taken).await
    }

    /// Logs a delivery error to the output's CloudWatch Logs stream, if it
    /// has one, as AWS's error logs show it.
    fn log_error(&self, e: &Entry, output: &Output, code: &str, message: &str, processor: Option<&str>) {
        let Some(target) = &output.log else { return };
        let mut doc = json!({
            "deliveryStreamARN": e.stream.arn,
            "destination": format!("arn:aws:s3:::{}", output.bucket),
            "deliveryStreamVersionId": e.stream.version,
            "message": message,
            "errorCode": code,
        });
        if let Some(p) = processor {
            doc["processor"] = p.into();
        }
        self.host
            .log_error(&target.group, &target.stream, self.clock.now_ms(), doc.to_string());
    }

    /// The columns of the Glue table a conversion writes (partition keys left out).
    fn columns(&self, c: &crate::plan::Conversion) -> Result<Vec<convert::Column>> {
        let db = c.table.database_name.clone().unwrap_or_default();
        let name = c.table.table_name.clone().unwrap_or_default();
        let version = c.table.version_id.as_deref().filter(|v| *v != "LATEST");
        let table = self
            .catalog
            .get_table_version(&db, &name, version)
            .map_err(|err| match err {
                lakestack_catalog::CatalogError::NotFound(m) => FirehoseError::Delivery {
                    code: "DataFormatConversion.EntityNotFound",
                    message: format!("The table {db}.{name} of the record format conversion could not be found: {m}"),
                },
                other => FirehoseError::internal(format!("the table {db}.{name} of the conversion: {other}")),
            })?;
        Ok(table
            .storage_descriptor
            .map(|sd| {
                sd.columns
                    .into_iter()
                    .map(|col| convert::Column {
                        name: col.name,
                        glue_type: col.r#type.unwrap_or_else(|| "string".into()),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn upload(&self, bucket: &str, key: &str, path: &std::path::Path) -> Result<()> {
        use object_store::ObjectStoreExt as _;
        use tokio::io::AsyncReadExt as _;
        let location = object_store::path::Path::from(format!("{bucket}/{key}"));
        let len = std::fs::metadata(path)?.len();
        let mut f = tokio::fs::File::open(path).await?;
        // The store answers NotFound to a write only when the bucket is gone.
        let os = |err: object_store::Error| match err {
            object_store::Error::NotFound { .. } => FirehoseError::Delivery {
                code: "S3.NoSuchBucket",
                message: "The specified bucket does not exist".into(),
            },
            other => FirehoseError::Internal(Box::new(other)),
        };
        if len <= SINGLE_PUT {
            let mut buf = Vec::with_capacity(len as usize);
            f.read_to_end(&mut buf).await?;
            self.objects.put(&location, buf.into()).await.map_err(os)?;
            return Ok(());
        }
        let mut up = self.objects.put_multipart(&location).await.map_err(os)?;
        loop {
            let mut part = vec![0u8; PART_SIZE];
            let mut filled = 0;
            while filled < PART_SIZE {
                let n = f.read(&mut part[filled..]).await?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            if filled == 0 {
                break;
            }
            part.truncate(filled);
            if let Err(err) = up.put_part(part.into()).await {
                let _ = up.abort().await;
                return Err(os(err));
            }
        }
        up.complete().await.map_err(os)?;
        Ok(())
    }
}

enum Transformed {
    Ok {
        data: Vec<u8>,
        keys: Option<Vec<(String, String)>>,
    },
    Dropped,
    Failed,
}

/// A transformer's answer, record by record in the order sent; an answer
/// that breaks the contract fails the whole batch, with AWS's codes.
fn parse_answer(body: &[u8], ids: &[String]) -> std::result::Result<Vec<Transformed>, (&'static str, String)> {
    let v: Value = serde_json::from_slice(body).map_err(|err| {
        (
            "Lambda.JsonProcessingException",
            format!("The Lambda function returned invalid JSON: {err}"),
        )
    })?;
    let records = v["records"].as_array().ok_or((
        "Lambda.MissingRecordsArray",
        "The Lambda function's response has no records array.".to_owned(),
    ))?;
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for r in records {
        let id = r["recordId"].as_str().unwrap_or_default();
        if !ids.iter().any(|x| x == id) {
            return Err((
                "Lambda.RecordIdMismatch",
                format!("The Lambda function returned an unknown recordId: {id}"),
            ));
        }
        if by_id.insert(id, r).is_some() {
            return Err((
                "Lambda.DuplicatedRecordId",
                format!("The Lambda function returned recordId {id} more than once."),
            ));
        }
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let r = by_id.get(id.as_str()).ok_or_else(|| {
            (
                "Lambda.MissingRecordId",
                format!("The Lambda function did not return recordId {id}."),
            )
        })?;
        out.push(match r["result"].as_str() {
            Some("Ok") => {
                let data = r["data"].as_str().and_then(|d| STANDARD.decode(d).ok()).ok_or((
                    "Lambda.InvalidData",
                    format!("The data of recordId {id} is not valid base64."),
                ))?;
                let keys = r["metadata"]["partitionKeys"].as_object().map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                        .collect()
                });
                Transformed::Ok { data, keys }
            }
            Some("Dropped") => Transformed::Dropped,
            Some("ProcessingFailed") => Transformed::Failed,
            other => {
                return Err((
                    "Lambda.InvalidResult",
                    format!("The result of recordId {id} is {other:?}: it must be Ok, Dropped or ProcessingFailed."),
                ));
            }
        });
    }
    Ok(out)
}
