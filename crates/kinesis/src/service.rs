//! The Kinesis service: streams in memory (a copy of what the file holds),
//! records in the file. A put assigns each record its place in its shard
//! under the lock and queues the insert before letting go, so places are
//! committed in the order they were given and a reader never sees a gap
//! that fills later; it answers once the insert is committed, so an
//! acknowledged record survives `kill -9`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lakestack_aws_protocol::{Arn, Clock, ServiceSettings};
use lakestack_sqlite::{Shared, Writer};

use crate::error::{KinesisError, Result};
use crate::iterator::{self, Iterator};
use crate::model::{NewRecord, Record, Shard, Stream, StreamMode};
use crate::seq::{self, Place};
use crate::store::{self, Row};

/// AWS's default retention, and its bounds.
pub const DEFAULT_RETENTION_HOURS: u32 = 24;
pub const MAX_RETENTION_HOURS: u32 = 8760;
/// An on-demand stream starts with four shards.
pub const ON_DEMAND_SHARDS: u32 = 4;
/// The account's shard quota (us-east-1's default).
pub const SHARD_LIMIT: usize = 500;
/// On-demand streams per account.
pub const ON_DEMAND_STREAM_LIMIT: usize = 50;
/// GetRecords answers at most 10 MiB.
pub const MAX_GET_BYTES: usize = 10 << 20;
/// How often expired records are removed.
const TRIM_EVERY: Duration = Duration::from_secs(60);

pub struct Kinesis {
    account: String,
    region: String,
    clock: Clock,
    writer: Writer,
    reader: Arc<Shared>,
    state: Mutex<State>,
    rotation: crate::readers::Rotation,
    /// Bumped after each commit of records: readers waiting for new ones
    /// (event source mappings, Firehose) look again.
    arrived: tokio::sync::watch::Sender<u64>,
}

struct State {
    streams: BTreeMap<String, Entry>,
    next_shard_key: u64,
}

struct Entry {
    stream: Stream,
    /// The place the next record of each open shard takes.
    next: HashMap<u64, Place>,
}

/// Where a record landed.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub shard_id: String,
    pub sequence_number: String,
}

/// Where an iterator starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    TrimHorizon,
    Latest,
    AtSequenceNumber(String),
    AfterSequenceNumber(String),
    AtTimestamp(i64),
}

/// One GetRecords answer.
#[derive(Debug, Clone)]
pub struct Records {
    pub records: Vec<Record>,
    /// None once a closed shard has been read to its end.
    pub next_iterator: Option<String>,
    pub millis_behind_latest: i64,
    /// A closed shard's children, once it has been read to its end.
    pub child_shards: Vec<Shard>,
    /// Whether the stream encrypts records (they say `KMS`).
    pub encrypted: bool,
}

impl Kinesis {
    /// Opens (or creates) `kinesis.sqlite` in the settings' directory.
    pub fn open(settings: ServiceSettings) -> Result<Arc<Self>> {
        let dir = settings
            .dir
            .clone()
            .ok_or_else(|| KinesisError::internal("Kinesis keeps its records in a file: it needs a directory"))?;
        std::fs::create_dir_all(&dir).map_err(|e| KinesisError::Internal(Box::new(e)))?;
        let path = dir.join("kinesis.sqlite");
        let conn = lakestack_sqlite::open(&path, &store::SCHEMA)?;
        let mut streams = BTreeMap::new();
        for stream in store::load_streams(&conn)? {
            let mut next = HashMap::new();
            for s in stream.open_shards() {
                next.insert(s.key, store::last_place(&conn, s.key)? + 1);
            }
            streams.insert(stream.name.clone(), Entry { stream, next });
        }
        let next_shard_key = store::next_shard_key(&conn)?;
        let writer = Writer::start("kinesis", conn).map_err(|e| KinesisError::Internal(Box::new(e)))?;
        let reader = Arc::new(Shared::open(&path, &store::SCHEMA)?);
        Ok(Arc::new(Self {
            account: settings.account_id,
            region: settings.region,
            clock: settings.clock,
            writer,
            reader,
            state: Mutex::new(State {
                streams,
                next_shard_key,
            }),
            arrived: tokio::sync::watch::channel(0).0,
            rotation: Default::default(),
        }))
    }

    /// Starts removing records older than their stream's retention.
    pub fn start(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let clock = self.clock.clone();
        tokio::spawn(async move {
            loop {
                // Retention is calendar time: wait on the calendar, which
                // advances wake (a scaled wait would spin at a scale of 0).
                let next = clock.now() + chrono::TimeDelta::from_std(TRIM_EVERY).unwrap_or_default();
                clock.until(next).await;
                let Some(k) = weak.upgrade() else { return };
                k.trim();
            }
        });
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Changes as records are committed.
    pub fn arrivals(&self) -> tokio::sync::watch::Receiver<u64> {
        self.arrived.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn stream_arn(&self, name: &str) -> String {
        Arn::new("kinesis", &self.region, &self.account, format!("stream/{name}")).to_string()
    }

    /// The stream an ARN names, if it is one of ours.
    pub fn name_of_arn(&self, arn: &str) -> Option<String> {
        let a = Arn::parse(arn)?;
        (a.service == "kinesis" && a.region == self.region && a.account == self.account)
            .then(|| a.resource.strip_prefix("stream/").map(str::to_owned))
            .flatten()
            .filter(|n| !n.contains('/'))
    }

    pub(crate) fn not_found(&self, stream: &str) -> KinesisError {
        KinesisError::StreamNotFound {
            stream: stream.into(),
            account: self.account.clone(),
        }
    }

    fn shard_not_found(&self, stream: &str, shard: &str) -> KinesisError {
        KinesisError::ShardNotFound {
            shard: shard.into(),
            stream: stream.into(),
            account: self.account.clone(),
        }
    }

    /// A stream as it is now, with retired shards dropped from view.
    pub fn stream(&self, name: &str) -> Result<Stream> {
        let st = self.lock();
        let e = st.streams.get(name).ok_or_else(|| self.not_found(name))?;
        Ok(e.stream.clone())
    }

    pub fn streams(&self) -> Vec<Stream> {
        self.lock().streams.values().map(|e| e.stream.clone()).collect()
    }

    fn open_shard_total(st: &State) -> usize {
        st.streams.values().map(|e| e.stream.open_shards().count()).sum()
    }

    fn check_shard_quota(&self, st: &State, adding: usize) -> Result<()> {
        let current = Self::open_shard_total(st);
        if current + adding > SHARD_LIMIT {
            return Err(KinesisError::LimitExceeded(format!(
                "This request would exceed the shard limit for the account {} in {}. Current shard count for the account: {current}. Limit: {SHARD_LIMIT}. Number of additional shards that would have resulted from this request: {adding}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
                self.account, self.region
            )));
        }
        Ok(())
    }

    /// Refuses a change that would open `adding` more shards than the quota allows.
    pub(crate) fn check_quota_for(&self, adding: u32) -> Result<()> {
        self.check_shard_quota(&self.lock(), adding as usize)
    }

    /// Persists a stream's description (after a change made under the lock).
    async fn save(&self, pending: lakestack_sqlite::Pending) -> Result<()> {
        pending.wait().await?;
        Ok(())
    }

    /// Queues the write of a stream's body and the shard-key counter.
    fn queue_save(&self, st: &State, name: &str) -> Result<lakestack_sqlite::Pending> {
        let e = st.streams.get(name).ok_or_else(|| self.not_found(name))?;
        let body = serde_json::to_string(&e.stream)?;
        let name = name.to_owned();
        let next_key = st.next_shard_key;
        Ok(self.writer.enqueue(Box::new(move |c| {
            store::put_stream(c, &body, &name)?;
            store::set_next_shard_key(c, next_key)
        })))
    }

    pub async fn create_stream(
        &self,
        name: &str,
        shard_count: Option<u32>,
        mode: StreamMode,
        tags: BTreeMap<String, String>,
    ) -> Result<Stream> {
        let now = self.clock.now_ms();
        let (pending, stream) = {
            let mut st = self.lock();
            if st.streams.contains_key(name) {
                return Err(KinesisError::StreamExists {
                    stream: name.into(),
                    account: self.account.clone(),
                });
            }
            let count = match mode {
                StreamMode::OnDemand => {
                    let on_demand = st
                        .streams
                        .values()
                        .filter(|e| e.stream.mode == StreamMode::OnDemand)
                        .count();
                    if on_demand >= ON_DEMAND_STREAM_LIMIT {
                        return Err(KinesisError::LimitExceeded(format!(
                            "This request would exceed the on-demand stream count limit for the account {} in {}. Limit: {ON_DEMAND_STREAM_LIMIT}.",
                            self.account, self.region
                        )));
                    }
                    ON_DEMAND_SHARDS
                }
                StreamMode::Provisioned => shard_count.unwrap_or(1),
            };
            self.check_shard_quota(&st, count as usize)?;
            let mut shards = Vec::new();
            for (i, range) in crate::hash::even_ranges(count).into_iter().enumerate() {
                shards.push(make_shard(&mut st.next_shard_key, i as u64, range, now)?);
            }
            let next = shards.iter().map(|s| (s.key, 1)).collect();
            let stream = Stream {
                name: name.into(),
                arn: self.stream_arn(name),
                mode,
                created_ms: now,
                retention_hours: DEFAULT_RETENTION_HOURS,
                encryption_key: None,
                shard_level_metrics: Vec::new(),
                tags,
                shards,
                consumers: Vec::new(),
                max_record_size_kib: None,
            };
            st.streams.insert(
                name.into(),
                Entry {
                    stream: stream.clone(),
                    next,
                },
            );
            (self.queue_save(&st, name)?, stream)
        };
        self.save(pending).await?;
        Ok(stream)
    }

    pub async fn delete_stream(&self, name: &str, enforce_consumer_deletion: bool) -> Result<()> {
        let pending = {
            let mut st = self.lock();
            let e = st.streams.get(name).ok_or_else(|| self.not_found(name))?;
            if !e.stream.consumers.is_empty() && !enforce_consumer_deletion {
                return Err(KinesisError::ResourceInUse(format!(
                    "Stream {name} under account {} has registered consumers. Use EnforceConsumerDeletion to delete them with the stream.",
                    self.account
                )));
            }
            let Some(e) = st.streams.remove(name) else {
                return Err(self.not_found(name));
            };
            let keys: Vec<u64> = e.stream.shards.iter().map(|s| s.key).collect();
            let name = name.to_owned();
            self.writer
                .enqueue(Box::new(move |c| store::delete_stream(c, &name, &keys)))
        };
        self.save(pending).await
    }

    /// Changes a stream under the lock with `f`, then persists it.
    pub(crate) async fn update<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Stream, &mut UpdateCx<'_>) -> Result<T>,
    ) -> Result<T> {
        let (pending, out) = {
            let mut guard = self.lock();
            let st = &mut *guard;
            let now = self.clock.now_ms();
            let e = st.streams.get_mut(name).ok_or_else(|| self.not_found(name))?;
            let mut cx = UpdateCx {
                next_shard_key: &mut st.next_shard_key,
                next: &mut e.next,
                now,
            };
            let out = f(&mut e.stream, &mut cx)?;
            (self.queue_save(st, name)?, out)
        };
        self.save(pending).await?;
        Ok(out)
    }

    /// Adds records to a stream; each lands in the open shard whose range
    /// holds its hash key.
    pub async fn put(&self, name: &str, records: Vec<NewRecord>) -> Result<Vec<Placed>> {
        let (pending, placed) = {
            let mut st = self.lock();
            // Under the lock, so arrival times grow with places (reads by
            // time rely on it).
            let now = self.clock.now_ms();
            let e = st.streams.get_mut(name).ok_or_else(|| self.not_found(name))?;
            let mut rows = Vec::with_capacity(records.len());
            let mut placed = Vec::with_capacity(records.len());
            for r in records {
                let shard = e
                    .stream
                    .shard_for(r.hash)
                    .ok_or_else(|| KinesisError::internal("the open shards do not cover the hash key space"))?;
                let next = e.next.entry(shard.key).or_insert(1);
                if *next > store::MAX_PLACE {
                    return Err(KinesisError::LimitExceeded(format!("Shard {} is full", shard.id)));
                }
                let place = *next;
                *next += 1;
                rows.push(Row {
                    id: store::row_id(shard.key, place),
                    arrival_ms: now,
                    partition_key: r.partition_key,
                    data: r.data,
                });
                placed.push(Placed {
                    shard_id: shard.id.clone(),
                    sequence_number: seq::format(shard.key, place),
                });
            }
            let rows = Arc::new(rows);
            (self.writer.enqueue(Box::new(move |c| store::insert(c, &rows))), placed)
        };
        pending.wait().await?;
        self.arrived.send_modify(|n| *n = n.wrapping_add(1));
        Ok(placed)
    }

    /// The place the next record of a shard takes (one past its last).
    fn end_of(e: &Entry, shard: &Shard) -> Place {
        match shard.last_n {
            Some(last) => last + 1,
            None => e.next.get(&shard.key).copied().unwrap_or(1),
        }
    }

    /// A shard iterator at `position`.
    pub async fn shard_iterator(&self, name: &str, shard_id: &str, position: Position) -> Result<String> {
        let now = self.clock.now_ms();
        let (shard, end, created, retention) = {
            let st = self.lock();
            let e = st.streams.get(name).ok_or_else(|| self.not_found(name))?;
            let shard = e
                .stream
                .shard(shard_id)
                .cloned()
                .ok_or_else(|| self.shard_not_found(name, shard_id))?;
            let end = Self::end_of(e, &shard);
            (shard, end, e.stream.created_ms, e.stream.retention_hours)
        };
        let place = match position {
            Position::TrimHorizon => 0,
            Position::Latest => end,
            Position::AtSequenceNumber(s) => self.place_of_sequence(name, &shard, &s, end)?,
            Position::AfterSequenceNumber(s) => self.place_of_sequence(name, &shard, &s, end)? + 1,
            Position::AtTimestamp(ts) => {
                if ts > now {
                    return Err(KinesisError::InvalidArgument(format!(
                        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: {ts}, currentTimestampInMillis: {now}"
                    )));
                }
                let cutoff = now - i64::from(retention) * 3_600_000;
                let key = shard.key;
                self.read_blocking(move |c| store::place_at_time(c, key, ts.max(cutoff), end))
                    .await?
            }
        };
        Ok(Iterator {
            stream: name.into(),
            stream_created_ms: created,
            shard_key: shard.key,
            next: place,
            made_ms: now,
        }
        .encode())
    }

    /// The place a sequence number names in `shard`; one past the shard's
    /// end is refused as AWS refuses a number it never gave.
    fn place_of_sequence(&self, stream: &str, shard: &Shard, s: &str, end: Place) -> Result<Place> {
        let invalid = || {
            KinesisError::InvalidArgument(format!(
                "StartingSequenceNumber {s} used in GetShardIterator on shard {} in stream {stream} under account {} is invalid.",
                shard.id, self.account
            ))
        };
        let (key, place) = seq::parse(s).ok_or_else(invalid)?;
        if key == shard.key && place >= end {
            return Err(invalid());
        }
        if key != shard.key {
            let st = self.lock();
            let other = st
                .streams
                .get(stream)
                .and_then(|e| e.stream.shards.iter().find(|x| x.key == key))
                .map(|x| x.id.clone());
            return Err(match other {
                Some(other) => KinesisError::InvalidArgument(format!(
                    "Invalid StartingSequenceNumber. It encodes {other}, while it was used in a call to a shard with {}",
                    shard.id
                )),
                None => invalid(),
            });
        }
        Ok(place)
    }

    async fn read_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || f(&reader.lock()))
            .await
            .map_err(|e| KinesisError::internal(e.to_string()))?
            .map_err(Into::into)
    }

    /// GetRecords: up to `limit` records from an iterator's place.
    pub async fn get_records(&self, token: &str, limit: usize) -> Result<Records> {
        let it =
            Iterator::decode(token).ok_or_else(|| KinesisError::InvalidArgument("Invalid ShardIterator.".into()))?;
        let now = self.clock.now_ms();
        if now.saturating_sub(it.made_ms) > iterator::LIFETIME_MS || it.made_ms > now {
            return Err(KinesisError::ExpiredIterator {
                made: lakestack_aws_protocol::timestamp::iso8601(it.made_ms),
                now: lakestack_aws_protocol::timestamp::iso8601(now),
            });
        }
        let (shard, end, retention, children, encrypted) = {
            let st = self.lock();
            let e = st
                .streams
                .get(&it.stream)
                .filter(|e| e.stream.created_ms == it.stream_created_ms)
                .ok_or_else(|| self.not_found(&it.stream))?;
            let shard = e
                .stream
                .shards
                .iter()
                .find(|s| s.key == it.shard_key)
                .cloned()
                .ok_or_else(|| KinesisError::InvalidArgument("Invalid ShardIterator.".into()))?;
            let children: Vec<Shard> = e
                .stream
                .shards
                .iter()
                .filter(|s| s.parent.as_deref() == Some(&shard.id) || s.adjacent_parent.as_deref() == Some(&shard.id))
                .cloned()
                .collect();
            (
                shard.clone(),
                Self::end_of(e, &shard),
                e.stream.retention_hours,
                children,
                e.stream.encryption_key.is_some(),
            )
        };
        let cutoff = now - i64::from(retention) * 3_600_000;
        let key = shard.key;
        let from = it.next;
        let read = |from: Place| {
            self.read_blocking(move |c| store::read_live(c, key, from, end, limit, MAX_GET_BYTES, cutoff))
        };
        let (mut rows, mut kept) = read(from).await?;
        if rows.is_empty() && !shard.is_open() {
            // A closed shard takes no new places, but puts given places
            // before it closed may not be committed yet: once every write
            // queued before now is, an empty read means the end.
            self.barrier().await?;
            (rows, kept) = read(kept.unwrap_or(from)).await?;
        }
        let mut next = rows.last().map_or(kept.unwrap_or(from), |(p, _)| p + 1).max(from);
        if rows.is_empty() && !shard.is_open() {
            next = next.max(end);
        }
        let records: Vec<Record> = rows.into_iter().map(|(_, r)| r).collect();
        let at_end = next >= end;
        let millis_behind_latest = match records.last() {
            Some(r) if !at_end => (now - r.arrival_ms).max(0),
            _ => 0,
        };
        let closed_and_done = !shard.is_open() && at_end;
        Ok(Records {
            records,
            next_iterator: (!closed_and_done).then(|| {
                Iterator {
                    next,
                    made_ms: now,
                    ..it
                }
                .encode()
            }),
            millis_behind_latest,
            child_shards: if closed_and_done { children } else { Vec::new() },
            encrypted,
        })
    }

    /// Removes expired records and retires closed shards whose records
    /// have all expired.
    pub fn trim(&self) {
        let now = self.clock.now_ms();
        let mut retired = Vec::new();
        let mut st = self.lock();
        for e in st.streams.values_mut() {
            let cutoff = now - i64::from(e.stream.retention_hours) * 3_600_000;
            for shard in &e.stream.shards {
                let key = shard.key;
                let end = Self::end_of(e, shard);
                self.writer
                    .submit(Box::new(move |c| store::trim(c, key, cutoff, end).map(|_| ())));
            }
            let before = e.stream.shards.len();
            e.stream
                .shards
                .retain(|s| s.closed_ms.is_none_or(|closed| closed >= cutoff));
            if e.stream.shards.len() != before {
                retired.push(e.stream.name.clone());
            }
        }
        for name in retired {
            if let Ok(p) = self.queue_save(&st, &name) {
                drop(p);
            }
        }
    }

    /// Runs `f` with the reader connection (for readers in this crate).
    pub(crate) async fn read_with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        self.read_blocking(f).await
    }

    pub(crate) fn rotation(&self) -> &crate::readers::Rotation {
        &self.rotation
    }

    /// Waits until every write queued before it is committed.
    pub(crate) async fn barrier(&self) -> Result<()> {
        self.writer.write(Box::new(|_| Ok(()))).await?;
        Ok(())
    }

    /// A stream's shards with the place one past each one's last record,
    /// and its retention cutoff, read together.
    pub(crate) fn shards_with_ends(&self, stream: &str, now: i64) -> Result<(Vec<(Shard, Place)>, i64)> {
        let st = self.lock();
        let e = st.streams.get(stream).ok_or_else(|| self.not_found(stream))?;
        let ends = e
            .stream
            .shards
            .iter()
            .map(|s| (s.clone(), Self::end_of(e, s)))
            .collect();
        Ok((ends, now - i64::from(e.stream.retention_hours) * 3_600_000))
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.writer
    }
}

/// What a change to a stream may touch beside the stream itself.
pub(crate) struct UpdateCx<'a> {
    next_shard_key: &'a mut u64,
    next: &'a mut HashMap<u64, Place>,
    pub now: i64,
}

impl UpdateCx<'_> {
    /// A new open shard of `stream`, numbered after its last.
    pub fn new_shard(&mut self, stream: &Stream, range: (u128, u128)) -> Result<Shard> {
        let index = stream
            .shards
            .iter()
            .filter_map(|s| s.id.strip_prefix("shardId-")?.parse::<u64>().ok())
            .max()
            .map_or(0, |m| m + 1);
        let shard = make_shard(self.next_shard_key, index, range, self.now)?;
        self.next.insert(shard.key, 1);
        Ok(shard)
    }

    /// Closes a shard: no record is added to it after.
    pub fn close(&mut self, shard: &mut Shard) {
        let next = self.next.remove(&shard.key).unwrap_or(1);
        shard.closed_ms = Some(self.now);
        shard.last_n = Some(next - 1);
    }
}

/// A new open shard numbered `index` in its stream, under the next key.
fn make_shard(next_shard_key: &mut u64, index: u64, range: (u128, u128), now: i64) -> Result<Shard> {
    let key = *next_shard_key;
    if key > store::MAX_SHARD_KEY {
        return Err(KinesisError::internal("shard keys are exhausted"));
    }
    *next_shard_key += 1;
    Ok(Shard {
        id: format!("shardId-{index:012}"),
        key,
        start: range.0,
        end: range.1,
        parent: None,
        adjacent_parent: None,
        created_ms: now,
        closed_ms: None,
        last_n: None,
    })
}
