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
        let s = self.stream(stream)?;
        let now = self.clock().now_ms();
        let cutoff = now - i64::from(s.retention_hours) * 3_600_000;
        let ends: Vec<(Shard, Place)> = s
            .shards
            .iter()
            .map(|sh| (sh.clone(), self.shard_end(stream, sh)))
            .collect();
        let reader_owned = reader.to_owned();
        let keys: Vec<u64> = ends.iter().map(|(sh, _)| sh.key).collect();
        let mut marks: HashMap<u64, Option<Place>> = self
            .read_with(move |c| {
                keys.iter()
                    .map(|&k| Ok((k, store::checkpoint(c, &reader_owned, k)?)))
                    .collect::<rusqlite::Result<_>>()
            })
            .await?;
        // Shards never read start where the reader's starting position says.
        for (sh, end) in &ends {
            if marks.get(&sh.key).copied().flatten().is_some() {
                continue;
            }
            let first = match start {
                Start::TrimHorizon => 0,
                // A shard closed before the reader began holds nothing
                // after "latest"; an open one starts at its end now.
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
            let (rows, kept) = self
                .read_with(move |c| {
                    let rows = store::read(c, key, from, end - 1, max, MAX_GET_BYTES)?;
                    if rows.first().is_some_and(|(_, r)| r.arrival_ms < cutoff) {
                        let kept = store::place_at_time(c, key, cutoff, end)?;
                        let rows = if kept < end {
                            store::read(c, key, kept, end - 1, max, MAX_GET_BYTES)?
                        } else {
                            Vec::new()
                        };
                        return Ok((rows, Some(kept)));
                    }
                    Ok((rows, None))
                })
                .await?;
            let Some((last, _)) = rows.last() else {
                // Everything read had expired: move past it. (Nothing read
                // at all means places given out are not committed yet.)
                // A closed shard read to its end is done.
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
