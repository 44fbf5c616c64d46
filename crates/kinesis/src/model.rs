//! Streams, shards and records as the service keeps them, apart from any
//! wire shape. A stream's shards are kept whole (open and closed, with
//! their lineage); records live in the file (`store`), addressed by the
//! shard's key and their place in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The largest hash key: the hash-key space is the 128-bit MD5 of a
/// partition key.
pub const MAX_HASH_KEY: u128 = u128::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamMode {
    #[serde(rename = "PROVISIONED")]
    Provisioned,
    #[serde(rename = "ON_DEMAND")]
    OnDemand,
}

impl StreamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioned => "PROVISIONED",
            Self::OnDemand => "ON_DEMAND",
        }
    }
}

/// A stream's stored description. `version` counts the stream's changes,
/// so a file written by an older state is never taken for a newer one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    pub name: String,
    pub arn: String,
    pub mode: StreamMode,
    pub created_ms: i64,
    pub retention_hours: u32,
    /// `KMS` with its key, or none.
    pub encryption_key: Option<String>,
    /// Shard-level metrics enabled (stored; lakestack publishes no metrics).
    pub shard_level_metrics: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub shards: Vec<Shard>,
    #[serde(default)]
    pub consumers: Vec<Consumer>,
    #[serde(default)]
    pub max_record_size_kib: Option<u32>,
}

impl Stream {
    pub fn open_shards(&self) -> impl Iterator<Item = &Shard> {
        self.shards.iter().filter(|s| s.closed_ms.is_none())
    }

    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.shards.iter().find(|s| s.id == id)
    }

    /// The open shard whose range holds `hash`.
    pub fn shard_for(&self, hash: u128) -> Option<&Shard> {
        self.open_shards().find(|s| s.start <= hash && hash <= s.end)
    }
}

/// A shard: a range of hash keys, open until a reshard closes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// `shardId-000000000000`, numbered within the stream.
    pub id: String,
    /// Unique across the file, never reused: records are stored under it,
    /// and sequence numbers carry it.
    pub key: u64,
    #[serde(with = "u128_text")]
    pub start: u128,
    #[serde(with = "u128_text")]
    pub end: u128,
    pub parent: Option<String>,
    pub adjacent_parent: Option<String>,
    pub created_ms: i64,
    /// When a reshard closed it; no record is added after.
    pub closed_ms: Option<i64>,
    /// The place of its last record when it was closed.
    pub last_n: Option<u64>,
}

impl Shard {
    pub fn is_open(&self) -> bool {
        self.closed_ms.is_none()
    }
}

/// An enhanced fan-out consumer (registered and described; see docs/kinesis.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consumer {
    pub name: String,
    pub arn: String,
    pub created_ms: i64,
}

/// A record as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub sequence_number: String,
    pub arrival_ms: i64,
    pub partition_key: String,
    pub data: Vec<u8>,
}

/// A record to add, once its shard is chosen.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub partition_key: String,
    /// The hash key it was placed by (MD5 of the partition key, or the
    /// explicit one).
    pub hash: u128,
    pub data: Vec<u8>,
}

/// The decimal text of a 128-bit key, as AWS writes hash keys (JSON numbers
/// cannot hold them).
mod u128_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
