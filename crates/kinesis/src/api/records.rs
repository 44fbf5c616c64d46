//! Records: PutRecord, PutRecords, GetShardIterator, GetRecords.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::dto;
use super::streams::shard_out;
use super::{Answer, bounded, check_name, invalid, required, stream_name, violation};
use crate::error::KinesisError;
use crate::hash;
use crate::model::{NewRecord, Stream};
use crate::service::{Kinesis, Position};

/// PutRecords' largest batch, and its largest total size.
const MAX_BATCH: usize = 500;
const MAX_BATCH_BYTES: usize = 5 << 20;
/// A record's default largest size (data and partition key together).
const DEFAULT_MAX_RECORD: usize = 1 << 20;

fn encryption_type(s: &Stream) -> &'static str {
    if s.encryption_key.is_some() { "KMS" } else { "NONE" }
}

/// One record of a put, checked as AWS checks it; `at` prefixes member
/// names inside PutRecords (`records.3.member.partitionKey`).
fn record(
    data: Option<String>,
    partition_key: Option<String>,
    explicit: Option<String>,
    at: &str,
    max_bytes: usize,
) -> Result<NewRecord, super::ServiceError> {
    let data = required(data, &format!("{at}data"))?;
    let data = STANDARD
        .decode(data.as_bytes())
        .map_err(|_| super::ServiceError::serialization("Base64 encoded Data is not valid."))?;
    let key = required(partition_key, &format!("{at}partitionKey"))?;
    let chars = key.chars().count();
    if chars == 0 || chars > 256 {
        return Err(violation(Violation::len_between(
            &format!("{at}partitionKey"),
            Shown::Value(key),
            1,
            256,
        )));
    }
    if data.len() + key.len() > max_bytes {
        return Err(violation(Violation::max_len(
            &format!("{at}data"),
            Shown::Value(format!("java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]", data.len())),
            max_bytes,
        )));
    }
    let hash = match explicit {
        Some(h) => hash::parse_explicit(&h).ok_or_else(|| {
            invalid(format!(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {h}"
            ))
        })?,
        None => hash::of_partition_key(&key),
    };
    Ok(NewRecord {
        partition_key: key,
        hash,
        data,
    })
}

fn max_record(s: &Stream) -> usize {
    s.max_record_size_kib.map_or(DEFAULT_MAX_RECORD, |k| k as usize * 1024)
}

pub(super) async fn put_record(k: &Kinesis, r: dto::PutRecordRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let s = k.stream(&name)?;
    if let Some(s) = &r.sequence_number_for_ordering
        && !crate::seq::well_formed(s)
    {
        return Err(violation(Violation::pattern(
            "sequenceNumberForOrdering",
            Shown::Value(s.clone()),
            "0|([1-9]\\d{0,128})",
        )));
    }
    let rec = record(r.data, r.partition_key, r.explicit_hash_key, "", max_record(&s))?;
    // Places only grow within a shard, so every record already numbers
    // above any SequenceNumberForOrdering the same producer got before.
    let placed = k.put(&name, vec![rec]).await?;
    let p = placed
        .into_iter()
        .next()
        .ok_or_else(|| KinesisError::internal("a put placed no record"))?;
    Output::of(&dto::PutRecordResponse {
        shard_id: p.shard_id,
        sequence_number: p.sequence_number,
        encryption_type: encryption_type(&s),
    })
}

pub(super) async fn put_records(k: &Kinesis, r: dto::PutRecordsRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let entries = required(r.records, "records")?;
    if entries.is_empty() {
        return Err(violation(Violation::min_len("records", Shown::Hidden, 1)));
    }
    if entries.len() > MAX_BATCH {
        return Err(violation(Violation::max_len("records", Shown::Hidden, MAX_BATCH)));
    }
    let s = k.stream(&name)?;
    let max = max_record(&s);
    let mut records = Vec::with_capacity(entries.len());
    let mut total = 0;
    for (i, e) in entries.into_iter().enumerate() {
        let rec = record(
            e.data,
            e.partition_key,
            e.explicit_hash_key,
            &format!("records.{}.member.", i + 1),
            max,
        )?;
        total += rec.data.len() + rec.partition_key.len();
        records.push(rec);
    }
    if total > MAX_BATCH_BYTES.max(max) {
        return Err(invalid("Records size exceeds 5 MB limit"));
    }
    let placed = k.put(&name, records).await?;
    Output::of(&dto::PutRecordsResponse {
        failed_record_count: 0,
        records: placed
            .into_iter()
            .map(|p| dto::PutRecordsResultEntry {
                sequence_number: p.sequence_number,
                shard_id: p.shard_id,
            })
            .collect(),
        encryption_type: encryption_type(&s),
    })
}

pub(super) async fn shard_iterator(k: &Kinesis, r: dto::GetShardIteratorRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let shard = required(r.shard_id, "shardId")?;
    check_name(&shard, "shardId")?;
    let kind = required(r.shard_iterator_type, "shardIteratorType")?;
    let sequence = |kind: &str| -> Result<String, super::ServiceError> {
        let s = r.starting_sequence_number.clone().ok_or_else(|| {
            invalid(format!(
                "Must specify a startingSequenceNumber for iterator of type {kind}. Current request has no startingSequenceNumber parameter."
            ))
        })?;
        if !crate::seq::well_formed(&s) {
            return Err(violation(Violation::pattern(
                "startingSequenceNumber",
                Shown::Value(s),
                "0|([1-9]\\d{0,128})",
            )));
        }
        Ok(s)
    };
    let position = match kind.as_str() {
        "TRIM_HORIZON" => Position::TrimHorizon,
        "LATEST" => Position::Latest,
        "AT_SEQUENCE_NUMBER" => Position::AtSequenceNumber(sequence(&kind)?),
        "AFTER_SEQUENCE_NUMBER" => Position::AfterSequenceNumber(sequence(&kind)?),
        "AT_TIMESTAMP" => Position::AtTimestamp(r.timestamp.ok_or_else(|| {
            invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
        })?),
        other => {
            return Err(violation(Violation::one_of(
                "shardIteratorType",
                other,
                &[
                    "AT_SEQUENCE_NUMBER",
                    "AFTER_SEQUENCE_NUMBER",
                    "TRIM_HORIZON",
                    "LATEST",
                    "AT_TIMESTAMP",
                ],
            )));
        }
    };
    let it = k.shard_iterator(&name, &shard, position).await?;
    Output::of(&dto::ShardIteratorResponse { shard_iterator: it })
}

pub(super) async fn get_records(k: &Kinesis, r: dto::GetRecordsRequest) -> Answer {
    let token = required(r.shard_iterator, "shardIterator")?;
    if token.is_empty() || token.len() > 512 {
        return Err(violation(Violation::len_between(
            "shardIterator",
            Shown::Hidden,
            1,
            512,
        )));
    }
    let limit = bounded(r.limit, "limit", 1, 10_000, 10_000)? as usize;
    let got = k.get_records(&token, limit).await?;
    let encryption = got.encrypted.then_some("KMS");
    Output::of(&dto::GetRecordsResponse {
        records: got
            .records
            .into_iter()
            .map(|r| dto::Record {
                sequence_number: r.sequence_number,
                approximate_arrival_timestamp: r.arrival_ms,
                data: STANDARD.encode(&r.data),
                partition_key: r.partition_key,
                encryption_type: encryption,
            })
            .collect(),
        next_shard_iterator: got.next_iterator,
        millis_behind_latest: got.millis_behind_latest,
        child_shards: got
            .child_shards
            .iter()
            .map(|c| {
                let out = shard_out(c);
                dto::ChildShard {
                    shard_id: out.shard_id,
                    parent_shards: c.parent.iter().chain(c.adjacent_parent.iter()).cloned().collect(),
                    hash_key_range: out.hash_key_range,
                }
            })
            .collect(),
    })
}
