//! Reading a stream as a consumer that keeps its place: a Lambda event
//! source mapping or a Firehose delivery stream reading its source. Each
//! reader has a checkpoint per shard in the file (what the KCL keeps in
//! its lease table), so a restart resumes where the last committed batch
//! ended. A child shard is read only once its parents have been read to
//! their end, so records of one partition key arrive in order across a
//! reshard, as AWS's consumers see them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::error::Result;
use crate::model::{Record, Shard};
use crate::seq::Place;
use crate::service::{Kinesis, MAX_GET_BYTES};
use crate::store;

/// Where a reader with no checkpoint on a shard starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    TrimHorizon,
    Latest,
    AtTimestamp(i64),
}

/// Records of one shard, in order.
#[derive(Debug, Clone)]
pub struct ShardBatch {
    pub shard_id: String,
    pub shard_key: u64,
    pub records: Vec<Record>,
    /// The place after the last record: the checkpoint once all are done.
    pub next: Place,
}

/// Which shard each reader looks at first next time, so one busy shard
/// does not starve the others.
#[derive(Default)]
pub(crate) struct Rotation(Mutex<HashMap<String, usize>>);

impl Rotation {
    fn take(&self, reader: &str, n: usize) -> usize {
        let mut m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let at = m.entry(reader.to_owned()).or_insert(0);
        let now = *at % n.max(1);
        *at = now + 1;
        now
    }
}

impl Kinesis {
    /// The next batch for `reader` from one of the stream's shards, or
    /// None when no shard has records past the reader's checkpoints.
    pub async fn read_batch(
        &self,
        reader: &str,
        stream: &str,
        start: &Start,
        max: usize,
    ) -> Result<Option<ShardBatch>> {
        let now = self.clock().now_ms();
        let (ends, cutoff) = self.shards_with_ends(stream, now)?;
        let reader_owned = reader.to_owned();
        let keys: Vec<u64> = ends.iter().map(|(sh, _)| sh.key).collect();
        let mut marks: HashMap<u64, Option<Place>> = self
            .read_with(move |c| {
                keys.iter()
                    .map(|&k| Ok((k, store::checkpoint(c, &reader_owned, k)?)))
                    .collect::<rusqlite::Result<_>>()
            })
            .await?;
        // The starting position applies when the reader begins; a shard
        // that appears later (a reshard's child) is read from its start.
        let beginning = marks.values().all(Option::is_none);
        for (sh, end) in &ends {
            if marks.get(&sh.key).copied().flatten().is_some() {
                continue;
            }
            let first = match start {
                _ if !beginning => 0,
                Start::TrimHorizon => 0,
                Start::Latest => *end,
                Start::AtTimestamp(ts) => {
                    let (key, end, ts) = (sh.key, *end, (*ts).max(cutoff));
                    self.read_with(move |c| store::place_at_time(c, key, ts, end)).await?
                }
            };
            self.commit(reader, sh.key, first).await?;
            marks.insert(sh.key, Some(first));
        }
        let done = |id: &str| -> bool {
            match ends.iter().find(|(sh, _)| sh.id == id) {
                Some((sh, end)) => !sh.is_open() && marks.get(&sh.key).copied().flatten().unwrap_or(0) >= *end,
                // A parent past retention is gone: nothing of it is left to read.
                None => true,
            }
        };
        let eligible: Vec<&(Shard, Place)> = ends
            .iter()
            .filter(|(sh, end)| {
                let at = marks.get(&sh.key).copied().flatten().unwrap_or(0);
                at < *end && sh.parent.as_deref().is_none_or(&done) && sh.adjacent_parent.as_deref().is_none_or(&done)
            })
            .collect();
        if eligible.is_empty() {
            return Ok(None);
        }
        let first = self.rotation().take(reader, eligible.len());
        for (sh, end) in eligible.iter().cycle().skip(first).take(eligible.len()) {
            let from = marks.get(&sh.key).copied().flatten().unwrap_or(0);
            let (key, end) = (sh.key, *end);
            let read =
                |from: Place| self.read_with(move |c| store::read_live(c, key, from, end, max, MAX_GET_BYTES, cutoff));
            let (mut rows, mut kept) = read(from).await?;
            if rows.is_empty() && !sh.is_open() {
                // Puts given places before the shard closed may not be
                // committed yet: once every earlier write is, empty is the end.
                self.barrier().await?;
                (rows, kept) = read(kept.unwrap_or(from)).await?;
            }
            let Some((last, _)) = rows.last() else {
                // Nothing left but expired records, or a closed shard read
                // to its end: move past it. (An open shard that reads empty
                // has places given out and not yet committed.)
                let past = if sh.is_open() { kept } else { Some(end) };
                if let Some(p) = past {
                    self.commit(reader, key, p).await?;
                }
                continue;
            };
            return Ok(Some(ShardBatch {
                shard_id: sh.id.clone(),
                shard_key: key,
                next: last + 1,
                records: rows.into_iter().map(|(_, r)| r).collect(),
            }));
        }
        Ok(None)
    }

    /// Moves `reader`'s checkpoint on a shard to `next` (the place of the
    /// first record not yet done).
    pub async fn commit(&self, reader: &str, shard_key: u64, next: Place) -> Result<()> {
        let reader = reader.to_owned();
        self.writer()
            .write(Box::new(move |c| store::set_checkpoint(c, &reader, shard_key, next)))
            .await?;
        Ok(())
    }

    /// Forgets a reader's checkpoints (its mapping or delivery stream is gone).
    pub async fn forget(&self, reader: &str) -> Result<()> {
        let reader = reader.to_owned();
        self.writer()
            .write(Box::new(move |c| store::forget_reader(c, &reader)))
            .await?;
        Ok(())
    }
}
