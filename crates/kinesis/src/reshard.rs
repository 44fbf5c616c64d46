//! Resharding: SplitShard, MergeShards and UpdateShardCount. A reshard
//! closes its parents (they stay readable until their records expire) and
//! opens children whose `ParentShardId` / `AdjacentParentShardId` name
//! them, as AWS does. UpdateShardCount reaches an even layout the way AWS
//! does it, through splits and merges: it first splits the open shards at
//! every new boundary inside them, then merges the pieces of each new
//! range pairwise, so every shard keeps at most two parents.

use crate::error::{KinesisError, Result};
use crate::hash;
use crate::model::{Shard, Stream, StreamMode};
use crate::service::{Kinesis, UpdateCx};

/// UpdateShardCount's largest target.
const MAX_TARGET: u32 = 10_000;

impl Kinesis {
    pub async fn split_shard(&self, stream: &str, shard_id: &str, new_start: u128) -> Result<()> {
        let account = self.account().to_owned();
        self.check_quota_for(1)?;
        self.update(stream, |s, cx| {
            let shard = open_shard(s, shard_id, &account)?;
            if !(new_start > shard.start.saturating_add(1) && new_start < shard.end) {
                return Err(KinesisError::InvalidArgument(format!(
                    "NewStartingHashKey {new_start} used in SplitShard() on shard {shard_id} in stream {} under account {account} is not both greater than one plus the shard's StartingHashKey {} and less than the shard's EndingHashKey {}.",
                    s.name, shard.start, shard.end
                )));
            }
            split(s, cx, shard_id, new_start)?;
            Ok(())
        })
        .await
    }

    pub async fn merge_shards(&self, stream: &str, a: &str, b: &str) -> Result<()> {
        let account = self.account().to_owned();
        self.update(stream, |s, cx| {
            let (x, y) = (open_shard(s, a, &account)?, open_shard(s, b, &account)?);
            if !(x.end.checked_add(1) == Some(y.start) || y.end.checked_add(1) == Some(x.start)) {
                return Err(KinesisError::InvalidArgument(format!(
                    "Shards {a} and {b} in stream {} under account {account} are not an adjacent pair of shards eligible for merging",
                    s.name
                )));
            }
            merge(s, cx, a, b)?;
            Ok(())
        })
        .await
    }

    /// Reshards a stream to `target` even shards; the open count before.
    pub async fn update_shard_count(&self, stream: &str, target: u32) -> Result<u32> {
        let current = self.stream(stream)?.open_shards().count() as u32;
        if target > current.saturating_mul(2) || target.saturating_mul(2) < current || target > MAX_TARGET {
            return Err(KinesisError::LimitExceeded(format!(
                "UpdateShardCount can scale stream {stream} from {current} shards to between {} and {} shards (at most {MAX_TARGET}); {target} was requested.",
                current.div_ceil(2),
                (current * 2).min(MAX_TARGET)
            )));
        }
        if target > current {
            self.check_quota_for(target - current)?;
        }
        self.update(stream, |s, cx| {
            if s.mode == StreamMode::OnDemand {
                return Err(KinesisError::Validation(format!(
                    "UpdateShardCount is not supported for stream {} in ON_DEMAND mode.",
                    s.name
                )));
            }
            let ranges = hash::even_ranges(target);
            let mut open: Vec<(u128, u128)> = s.open_shards().map(|x| (x.start, x.end)).collect();
            open.sort_unstable();
            if open == ranges {
                return Ok(current);
            }
            // Split every open shard at each new boundary inside it.
            for &(boundary, _) in ranges.iter().skip(1) {
                let inside = s
                    .open_shards()
                    .find(|x| x.start < boundary && boundary <= x.end)
                    .map(|x| x.id.clone());
                if let Some(id) = inside {
                    split(s, cx, &id, boundary)?;
                }
            }
            // Merge the pieces of each new range, left to right.
            for &(start, end) in &ranges {
                loop {
                    let mut pieces: Vec<(u128, String)> = s
                        .open_shards()
                        .filter(|x| x.start >= start && x.end <= end)
                        .map(|x| (x.start, x.id.clone()))
                        .collect();
                    if pieces.len() < 2 {
                        break;
                    }
                    pieces.sort_unstable();
                    merge(s, cx, &pieces[0].1, &pieces[1].1)?;
                }
            }
            Ok(current)
        })
        .await
    }
}

fn open_shard<'a>(s: &'a Stream, id: &str, account: &str) -> Result<&'a Shard> {
    let shard = s.shard(id).ok_or_else(|| KinesisError::ShardNotFound {
        shard: id.into(),
        stream: s.name.clone(),
        account: account.into(),
    })?;
    if !shard.is_open() {
        return Err(KinesisError::ResourceInUse(format!(
            "Shard {id} in stream {} under account {account} has already been merged or split, and thus is not eligible for merging or splitting.",
            s.name
        )));
    }
    Ok(shard)
}

fn index_of(s: &Stream, id: &str) -> Result<usize> {
    s.shards
        .iter()
        .position(|x| x.id == id)
        .ok_or_else(|| KinesisError::internal(format!("shard {id} vanished during a reshard")))
}

fn split(s: &mut Stream, cx: &mut UpdateCx<'_>, id: &str, at: u128) -> Result<()> {
    let i = index_of(s, id)?;
    let (start, end) = (s.shards[i].start, s.shards[i].end);
    let mut low = cx.new_shard(s, (start, at - 1))?;
    low.parent = Some(id.into());
    s.shards.push(low);
    let mut high = cx.new_shard(s, (at, end))?;
    high.parent = Some(id.into());
    s.shards.push(high);
    cx.close(&mut s.shards[i]);
    Ok(())
}

fn merge(s: &mut Stream, cx: &mut UpdateCx<'_>, a: &str, b: &str) -> Result<()> {
    let (i, j) = (index_of(s, a)?, index_of(s, b)?);
    let range = (
        s.shards[i].start.min(s.shards[j].start),
        s.shards[i].end.max(s.shards[j].end),
    );
    let mut child = cx.new_shard(s, range)?;
    child.parent = Some(a.into());
    child.adjacent_parent = Some(b.into());
    s.shards.push(child);
    cx.close(&mut s.shards[i]);
    cx.close(&mut s.shards[j]);
    Ok(())
}
