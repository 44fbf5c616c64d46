//! Changes to a stream that are not resharding: retention, tags,
//! encryption, enhanced monitoring, capacity mode, and enhanced fan-out
//! consumers (registered and described; lakestack serves no
//! SubscribeToShard push, docs/kinesis.md).

use std::collections::BTreeMap;

use crate::error::{KinesisError, Result};
use crate::model::{Consumer, Stream, StreamMode};
use crate::service::{DEFAULT_RETENTION_HOURS, Kinesis, MAX_RETENTION_HOURS};

/// Tags a stream may carry.
pub const MAX_TAGS: usize = 50;
/// Consumers a stream may have registered.
pub const MAX_CONSUMERS: usize = 20;

/// The shard-level metrics EnableEnhancedMonitoring knows.
pub const SHARD_LEVEL_METRICS: [&str; 7] = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
];

impl Kinesis {
    pub async fn increase_retention(&self, stream: &str, hours: u32) -> Result<()> {
        check_retention(hours)?;
        self.update(stream, |s, _| {
            if hours < s.retention_hours {
                return Err(KinesisError::InvalidArgument(format!(
                    "Requested retention period ({hours} hours) for stream {} can not be shorter than existing retention period ({} hours). Use DecreaseRetentionPeriod API.",
                    s.name, s.retention_hours
                )));
            }
            s.retention_hours = hours;
            Ok(())
        })
        .await
    }

    pub async fn decrease_retention(&self, stream: &str, hours: u32) -> Result<()> {
        check_retention(hours)?;
        self.update(stream, |s, _| {
            if hours > s.retention_hours {
                return Err(KinesisError::InvalidArgument(format!(
                    "Requested retention period ({hours} hours) for stream {} can not be longer than existing retention period ({} hours). Use IncreaseRetentionPeriod API.",
                    s.name, s.retention_hours
                )));
            }
            s.retention_hours = hours;
            Ok(())
        })
        .await?;
        // Records now past retention go at once, as they stop being served.
        self.trim();
        Ok(())
    }

    pub async fn add_tags(&self, stream: &str, tags: BTreeMap<String, String>) -> Result<()> {
        self.update(stream, |s, _| {
            let mut merged = s.tags.clone();
            merged.extend(tags);
            if merged.len() > MAX_TAGS {
                return Err(KinesisError::InvalidArgument(format!(
                    "Failed to add tags to stream {} under account {} because a given stream cannot have more than {MAX_TAGS} tags.",
                    s.name,
                    s.arn.split(':').nth(4).unwrap_or_default()
                )));
            }
            s.tags = merged;
            Ok(())
        })
        .await
    }

    pub async fn remove_tags(&self, stream: &str, keys: &[String]) -> Result<()> {
        self.update(stream, |s, _| {
            for k in keys {
                s.tags.remove(k);
            }
            Ok(())
        })
        .await
    }

    pub async fn set_encryption(&self, stream: &str, key: Option<String>) -> Result<()> {
        self.update(stream, |s, _| {
            s.encryption_key = key;
            Ok(())
        })
        .await
    }

    /// Enables (or disables) shard-level metrics; the metrics before and after.
    pub async fn set_monitoring(
        &self,
        stream: &str,
        metrics: &[String],
        enable: bool,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let wanted: Vec<String> = if metrics.iter().any(|m| m == "ALL") {
            SHARD_LEVEL_METRICS.iter().map(|m| (*m).to_owned()).collect()
        } else {
            metrics.to_vec()
        };
        self.update(stream, |s, _| {
            let before = s.shard_level_metrics.clone();
            for m in &wanted {
                let has = s.shard_level_metrics.contains(m);
                if enable && !has {
                    s.shard_level_metrics.push(m.clone());
                } else if !enable && has {
                    s.shard_level_metrics.retain(|x| x != m);
                }
            }
            Ok((before, s.shard_level_metrics.clone()))
        })
        .await
    }

    pub async fn set_max_record_size(&self, stream: &str, kib: u32) -> Result<()> {
        self.update(stream, |s, _| {
            s.max_record_size_kib = Some(kib);
            Ok(())
        })
        .await
    }

    pub async fn set_mode(&self, stream: &str, mode: StreamMode) -> Result<()> {
        self.update(stream, |s, _| {
            s.mode = mode;
            Ok(())
        })
        .await
    }

    pub async fn register_consumer(&self, stream: &str, name: &str) -> Result<Consumer> {
        self.update(stream, |s, cx| {
            if s.consumers.iter().any(|c| c.name == name) {
                return Err(KinesisError::ConsumerExists {
                    consumer: name.into(),
                    stream: s.arn.clone(),
                });
            }
            if s.consumers.len() >= MAX_CONSUMERS {
                return Err(KinesisError::LimitExceeded(format!(
                    "Stream {} has reached the limit of {MAX_CONSUMERS} registered consumers.",
                    s.arn
                )));
            }
            let c = Consumer {
                name: name.into(),
                arn: format!("{}/consumer/{name}:{}", s.arn, cx.now / 1000),
                created_ms: cx.now,
            };
            s.consumers.push(c.clone());
            Ok(c)
        })
        .await
    }

    pub async fn deregister_consumer(&self, stream: &str, name: &str) -> Result<()> {
        self.update(stream, |s, _| {
            let before = s.consumers.len();
            s.consumers.retain(|c| c.name != name);
            if s.consumers.len() == before {
                return Err(KinesisError::ConsumerNotFound {
                    consumer: name.into(),
                    stream: s.arn.clone(),
                });
            }
            Ok(())
        })
        .await
    }

    /// The stream and consumer a consumer ARN names.
    pub fn consumer_by_arn(&self, arn: &str) -> Result<(Stream, Consumer)> {
        let (stream_arn, _) = arn
            .split_once("/consumer/")
            .ok_or_else(|| KinesisError::InvalidArgument(format!("Invalid ConsumerARN {arn}")))?;
        let name = self
            .name_of_arn(stream_arn)
            .ok_or_else(|| KinesisError::InvalidArgument(format!("Invalid ConsumerARN {arn}")))?;
        let s = self.stream(&name)?;
        let c = s
            .consumers
            .iter()
            .find(|c| c.arn == arn)
            .cloned()
            .ok_or_else(|| KinesisError::ConsumerNotFound {
                consumer: arn.into(),
                stream: s.arn.clone(),
            })?;
        Ok((s, c))
    }
}

fn check_retention(hours: u32) -> Result<()> {
    if hours < DEFAULT_RETENTION_HOURS {
        return Err(KinesisError::InvalidArgument(format!(
            "Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too short."
        )));
    }
    if hours > MAX_RETENTION_HOURS {
        return Err(KinesisError::InvalidArgument(format!(
            "Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too long."
        )));
    }
    Ok(())
}
