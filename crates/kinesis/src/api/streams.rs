//! Streams and shards: create, delete, describe, list, retention,
//! resharding, capacity mode, encryption, monitoring, limits.

use std::collections::BTreeMap;

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, paging};

use super::dto::{self, StreamModeDetails};
use super::{Answer, SPEC, bounded, check_name, invalid, required, stream_name, violation};
use crate::model::{Shard, Stream, StreamMode};
use crate::service::{Kinesis, ON_DEMAND_STREAM_LIMIT, SHARD_LIMIT};
use crate::{hash, seq};

pub(super) fn shard_out(s: &Shard) -> dto::Shard {
    dto::Shard {
        shard_id: s.id.clone(),
        parent_shard_id: s.parent.clone(),
        adjacent_parent_shard_id: s.adjacent_parent.clone(),
        hash_key_range: dto::HashKeyRange {
            starting_hash_key: s.start.to_string(),
            ending_hash_key: s.end.to_string(),
        },
        sequence_number_range: dto::SequenceNumberRange {
            starting_sequence_number: seq::format(s.key, 0),
            ending_sequence_number: s.last_n.map(|n| seq::format(s.key, n)),
        },
    }
}

fn mode_out(m: StreamMode) -> StreamModeDetails {
    StreamModeDetails {
        stream_mode: m.as_str().into(),
    }
}

fn mode_in(d: Option<&StreamModeDetails>) -> Result<StreamMode, super::ServiceError> {
    match d.map(|d| d.stream_mode.as_str()) {
        None | Some("PROVISIONED") => Ok(StreamMode::Provisioned),
        Some("ON_DEMAND") => Ok(StreamMode::OnDemand),
        Some(other) => Err(violation(Violation::one_of(
            "streamModeDetails.streamMode",
            other,
            &["PROVISIONED", "ON_DEMAND"],
        ))),
    }
}

fn encryption_of(s: &Stream) -> (&'static str, Option<String>) {
    match &s.encryption_key {
        Some(k) => ("KMS", Some(k.clone())),
        None => ("NONE", None),
    }
}

fn monitoring_of(s: &Stream) -> Vec<dto::EnhancedMetrics> {
    vec![dto::EnhancedMetrics {
        shard_level_metrics: s.shard_level_metrics.clone(),
    }]
}

fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), super::ServiceError> {
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(invalid(format!(
                "Tag key {k} must be between 1 and 128 characters long."
            )));
        }
        if v.chars().count() > 256 {
            return Err(invalid(format!(
                "Tag value for key {k} must be at most 256 characters long."
            )));
        }
    }
    Ok(())
}

pub(super) async fn create(k: &Kinesis, r: dto::CreateStreamRequest) -> Answer {
    let name = required(r.stream_name, "streamName")?;
    check_name(&name, "streamName")?;
    let mode = mode_in(r.stream_mode_details.as_ref())?;
    let count = match (mode, r.shard_count) {
        (_, Some(n)) if n < 1 => return Err(violation(Violation::at_least("shardCount", n, 1))),
        (_, Some(n)) if n > 100_000 => return Err(violation(Violation::at_most("shardCount", n, 100_000))),
        (StreamMode::Provisioned, None) => {
            return Err(invalid("ShardCount must be specified for PROVISIONED stream mode."));
        }
        (_, n) => n.map(|n| n as u32),
    };
    let tags = r.tags.unwrap_or_default();
    if tags.len() > crate::streams::MAX_TAGS {
        return Err(invalid(format!(
            "A stream cannot have more than {} tags.",
            crate::streams::MAX_TAGS
        )));
    }
    check_tags(&tags)?;
    if let Some(kib) = r.max_record_size_in_ki_b {
        bounded(Some(kib), "maxRecordSizeInKiB", 1024, 10240, 1024)?;
    }
    k.create_stream(&name, count, mode, tags).await?;
    if let Some(kib) = r.max_record_size_in_ki_b {
        k.set_max_record_size(&name, kib as u32).await?;
    }
    Ok(Output::empty_members())
}

pub(super) async fn delete(k: &Kinesis, r: dto::DeleteStreamRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    k.delete_stream(&name, r.enforce_consumer_deletion.unwrap_or(false))
        .await?;
    Ok(Output::empty_members())
}

pub(super) fn describe(k: &Kinesis, r: dto::DescribeStreamRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let limit = bounded(r.limit, "limit", 1, 10_000, 100)? as usize;
    let s = k.stream(&name)?;
    let after = r.exclusive_start_shard_id.as_deref();
    let mut shards = s.shards.iter().filter(|x| after.is_none_or(|a| x.id.as_str() > a));
    let page: Vec<dto::Shard> = shards.by_ref().take(limit).map(shard_out).collect();
    let has_more = shards.next().is_some();
    let (encryption_type, key_id) = encryption_of(&s);
    Output::of(&serde_json::json!({
        "StreamDescription": dto::StreamDescription {
            stream_name: s.name.clone(),
            stream_arn: s.arn.clone(),
            stream_status: "ACTIVE",
            stream_mode_details: mode_out(s.mode),
            shards: page,
            has_more_shards: has_more,
            retention_period_hours: s.retention_hours,
            stream_creation_timestamp: s.created_ms,
            enhanced_monitoring: monitoring_of(&s),
            encryption_type,
            key_id,
        }
    }))
}

pub(super) fn summary(k: &Kinesis, r: dto::StreamRef) -> Answer {
    let name = stream_name(k, &r)?;
    let s = k.stream(&name)?;
    let (encryption_type, key_id) = encryption_of(&s);
    Output::of(&serde_json::json!({
        "StreamDescriptionSummary": dto::StreamDescriptionSummary {
            stream_name: s.name.clone(),
            stream_arn: s.arn.clone(),
            stream_status: "ACTIVE",
            stream_mode_details: mode_out(s.mode),
            retention_period_hours: s.retention_hours,
            stream_creation_timestamp: s.created_ms,
            enhanced_monitoring: monitoring_of(&s),
            encryption_type,
            key_id,
            open_shard_count: s.open_shards().count(),
            consumer_count: s.consumers.len(),
            max_record_size_in_ki_b: s.max_record_size_kib,
        }
    }))
}

pub(super) fn list(k: &Kinesis, r: dto::ListStreamsRequest) -> Answer {
    let limit = bounded(r.limit, "limit", 1, 10_000, 100)? as usize;
    let after = match (&r.next_token, &r.exclusive_start_stream_name) {
        (Some(_), _) => paging::after(&SPEC, r.next_token.as_deref())?,
        (None, start) => start.clone(),
    };
    let (page, next) = paging::page(k.streams(), |s| s.name.clone(), after.as_deref(), limit);
    Output::of(&dto::ListStreamsResponse {
        stream_names: page.iter().map(|s| s.name.clone()).collect(),
        has_more_streams: next.is_some(),
        next_token: next,
        stream_summaries: page
            .iter()
            .map(|s| dto::StreamSummary {
                stream_name: s.name.clone(),
                stream_arn: s.arn.clone(),
                stream_status: "ACTIVE",
                stream_mode_details: mode_out(s.mode),
                stream_creation_timestamp: s.created_ms,
            })
            .collect(),
    })
}

/// ListShards' `NextToken`: the stream and the last shard answered.
fn shards_token(stream: &str, last: &str) -> String {
    paging::encode(&format!("{stream}\n{last}"))
}

pub(super) fn list_shards(k: &Kinesis, r: dto::ListShardsRequest) -> Answer {
    let max = bounded(r.max_results, "maxResults", 1, 10_000, 1000)? as usize;
    let (name, mut after) = match &r.next_token {
        Some(token) => {
            if r.stream.stream_name.is_some() || r.stream.stream_arn.is_some() {
                return Err(invalid("NextToken and StreamName cannot be provided together."));
            }
            let text = paging::decode(Some(token)).ok().flatten().ok_or_else(|| {
                invalid(format!(
                    "Invalid ShardId in ExclusiveStartShardId field or NextToken {token}"
                ))
            })?;
            let (stream, last) = text
                .split_once('\n')
                .ok_or_else(|| invalid(format!("Invalid NextToken {token}")))?;
            (stream.to_owned(), Some(last.to_owned()))
        }
        None => (stream_name(k, &r.stream)?, r.exclusive_start_shard_id.clone()),
    };
    let s = k.stream(&name)?;
    let filter = r.shard_filter.unwrap_or_default();
    let kind = filter.kind.as_deref();
    if kind == Some("AFTER_SHARD_ID") {
        after = Some(required(filter.shard_id.clone(), "shardFilter.shardId")?);
    }
    let keep = |x: &&Shard| -> Result<bool, super::ServiceError> {
        Ok(match kind {
            None | Some("AFTER_SHARD_ID") | Some("AT_TRIM_HORIZON") | Some("FROM_TRIM_HORIZON") => true,
            Some("AT_LATEST") => x.is_open(),
            Some("AT_TIMESTAMP") => {
                let ts = required(filter.timestamp, "shardFilter.timestamp")?;
                x.created_ms <= ts && x.closed_ms.is_none_or(|c| c > ts)
            }
            Some("FROM_TIMESTAMP") => {
                let ts = required(filter.timestamp, "shardFilter.timestamp")?;
                x.closed_ms.is_none_or(|c| c >= ts)
            }
            Some(other) => {
                return Err(violation(Violation::one_of(
                    "shardFilter.type",
                    other,
                    &[
                        "AFTER_SHARD_ID",
                        "AT_TRIM_HORIZON",
                        "FROM_TRIM_HORIZON",
                        "AT_LATEST",
                        "AT_TIMESTAMP",
                        "FROM_TIMESTAMP",
                    ],
                )));
            }
        })
    };
    let mut shards = Vec::new();
    for x in s
        .shards
        .iter()
        .filter(|x| after.as_deref().is_none_or(|a| x.id.as_str() > a))
    {
        if keep(&x)? {
            shards.push(x);
        }
    }
    let more = shards.len() > max;
    shards.truncate(max);
    let next_token = more.then(|| shards_token(&name, &shards[shards.len() - 1].id));
    Output::of(&dto::ListShardsResponse {
        shards: shards.into_iter().map(shard_out).collect(),
        next_token,
    })
}

pub(super) async fn retention(k: &Kinesis, r: dto::RetentionRequest, increase: bool) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let hours = required(r.retention_period_hours, "retentionPeriodHours")?;
    let hours = bounded(Some(hours), "retentionPeriodHours", 1, 8760 * 10, 24)? as u32;
    if increase {
        k.increase_retention(&name, hours).await?;
    } else {
        k.decrease_retention(&name, hours).await?;
    }
    Ok(Output::empty_members())
}

pub(super) async fn split(k: &Kinesis, r: dto::SplitShardRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let shard = required(r.shard_to_split, "shardToSplit")?;
    check_name(&shard, "shardToSplit")?;
    let key = required(r.new_starting_hash_key, "newStartingHashKey")?;
    let at = hash::parse_explicit(&key).ok_or_else(|| {
        violation(Violation::pattern(
            "newStartingHashKey",
            Shown::Value(key.clone()),
            "0|([1-9]\\d{0,38})",
        ))
    })?;
    k.split_shard(&name, &shard, at).await?;
    Ok(Output::empty_members())
}

pub(super) async fn merge(k: &Kinesis, r: dto::MergeShardsRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let a = required(r.shard_to_merge, "shardToMerge")?;
    let b = required(r.adjacent_shard_to_merge, "adjacentShardToMerge")?;
    check_name(&a, "shardToMerge")?;
    check_name(&b, "adjacentShardToMerge")?;
    k.merge_shards(&name, &a, &b).await?;
    Ok(Output::empty_members())
}

pub(super) async fn update_shard_count(k: &Kinesis, r: dto::UpdateShardCountRequest) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let target = required(r.target_shard_count, "targetShardCount")?;
    let target = bounded(Some(target), "targetShardCount", 1, 100_000, 1)? as u32;
    match required(r.scaling_type, "scalingType")?.as_str() {
        "UNIFORM_SCALING" => {}
        other => return Err(violation(Violation::one_of("scalingType", other, &["UNIFORM_SCALING"]))),
    }
    let current = k.update_shard_count(&name, target).await?;
    Output::of(&dto::UpdateShardCountResponse {
        stream_arn: k.stream_arn(&name),
        stream_name: name,
        current_shard_count: current,
        target_shard_count: target,
    })
}

pub(super) async fn update_mode(k: &Kinesis, r: dto::UpdateStreamModeRequest) -> Answer {
    let arn = required(r.stream_arn, "streamARN")?;
    let details = required(r.stream_mode_details, "streamModeDetails")?;
    let name = stream_name(
        k,
        &dto::StreamRef {
            stream_name: None,
            stream_arn: Some(arn),
        },
    )?;
    k.set_mode(&name, mode_in(Some(&details))?).await?;
    Ok(Output::empty_members())
}

pub(super) async fn encryption(k: &Kinesis, r: dto::EncryptionRequest, start: bool) -> Answer {
    let name = stream_name(k, &r.stream)?;
    match required(r.encryption_type, "encryptionType")?.as_str() {
        "KMS" => {}
        other => return Err(violation(Violation::one_of("encryptionType", other, &["NONE", "KMS"]))),
    }
    let key = required(r.key_id, "keyId")?;
    if key.is_empty() || key.len() > 2048 {
        return Err(violation(Violation::len_between("keyId", Shown::Value(key), 1, 2048)));
    }
    k.set_encryption(&name, start.then_some(key)).await?;
    Ok(Output::empty_members())
}

pub(super) async fn monitoring(k: &Kinesis, r: dto::MonitoringRequest, enable: bool) -> Answer {
    let name = stream_name(k, &r.stream)?;
    let metrics = required(r.shard_level_metrics, "shardLevelMetrics")?;
    for m in &metrics {
        if m != "ALL" && !crate::streams::SHARD_LEVEL_METRICS.contains(&m.as_str()) {
            let mut allowed = crate::streams::SHARD_LEVEL_METRICS.to_vec();
            allowed.push("ALL");
            return Err(violation(Violation::one_of("shardLevelMetrics", m, &allowed)));
        }
    }
    let (before, after) = k.set_monitoring(&name, &metrics, enable).await?;
    Output::of(&dto::MonitoringResponse {
        stream_arn: k.stream_arn(&name),
        stream_name: name,
        current_shard_level_metrics: before,
        desired_shard_level_metrics: after,
    })
}

pub(super) fn limits(k: &Kinesis) -> Answer {
    let streams = k.streams();
    Output::of(&dto::DescribeLimitsResponse {
        shard_limit: SHARD_LIMIT,
        open_shard_count: streams.iter().map(|s| s.open_shards().count()).sum(),
        on_demand_stream_count: streams.iter().filter(|s| s.mode == StreamMode::OnDemand).count(),
        on_demand_stream_count_limit: ON_DEMAND_STREAM_LIMIT,
    })
}
