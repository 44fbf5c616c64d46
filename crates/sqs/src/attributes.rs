//! Queue attributes: the settable ones as a typed configuration, each
//! checked as AWS checks it, and their canonical text (what
//! GetQueueAttributes answers, what CreateQueue compares, what the queue's
//! file keeps). Limits from the SQS API reference (CreateQueue,
//! SetQueueAttributes): DelaySeconds 0–900, MaximumMessageSize 1,024–1,048,576,
//! MessageRetentionPeriod 60–1,209,600, ReceiveMessageWaitTimeSeconds 0–20,
//! VisibilityTimeout 0–43,200, maxReceiveCount 1–1,000,
//! KmsDataKeyReusePeriodSeconds 60–86,400.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Result, SqsError};

pub const DEFAULT_MAX_SIZE: u32 = 1_048_576;
pub const DEFAULT_RETENTION: u32 = 345_600;
pub const DEFAULT_VISIBILITY: u32 = 30;
pub const MAX_VISIBILITY: u32 = 43_200;
pub const MAX_DELAY: u32 = 900;
pub const MAX_WAIT: u32 = 20;
const DEFAULT_KMS_REUSE: u32 = 300;

/// Attributes GetQueueAttributes computes; none of them can be set.
pub const COMPUTED: &[&str] = &[
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
];

/// Attributes CreateQueue and SetQueueAttributes take.
pub const SETTABLE: &[&str] = &[
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// Only FIFO queues have these.
const FIFO_ONLY: &[&str] = &[
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// Where a queue's dead letters go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter_target_arn: String,
    pub max_receive_count: u32,
}

impl Redrive {
    /// The JSON AWS answers for it, whatever form was sent.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "deadLetterTargetArn": self.dead_letter_target_arn,
            "maxReceiveCount": self.max_receive_count,
        })
        .to_string()
    }
}

/// Which source queues may name a queue as their dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveAllow {
    AllowAll,
    DenyAll,
    ByQueue(Vec<String>),
}

impl RedriveAllow {
    pub fn allows(&self, source_arn: &str) -> bool {
        match self {
            Self::AllowAll => true,
            Self::DenyAll => false,
            Self::ByQueue(arns) => arns.iter().any(|a| a == source_arn),
        }
    }

    fn to_json(&self) -> String {
        match self {
            Self::AllowAll => r#"{"redrivePermission":"allowAll"}"#.to_owned(),
            Self::DenyAll => r#"{"redrivePermission":"denyAll"}"#.to_owned(),
            Self::ByQueue(arns) => {
                serde_json::json!({"redrivePermission": "byQueue", "sourceQueueArns": arns}).to_string()
            }
        }
    }
}

/// A queue's settable attributes, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    pub fifo: bool,
    pub visibility_timeout: u32,
    pub maximum_message_size: u32,
    pub retention: u32,
    pub delay: u32,
    pub wait: u32,
    pub policy: Option<String>,
    pub redrive: Option<Redrive>,
    pub redrive_allow: Option<RedriveAllow>,
    pub kms_master_key_id: Option<String>,
    pub kms_reuse: u32,
    pub sqs_managed_sse: bool,
    pub content_based_deduplication: bool,
    /// DeduplicationScope `messageGroup` (else `queue`).
    pub dedup_per_group: bool,
    /// FifoThroughputLimit `perMessageGroupId` (else `perQueue`).
    pub throughput_per_group: bool,
}

impl QueueConfig {
    /// AWS's defaults for a new queue (SSE-SQS is on by default since 2022).
    pub fn new(fifo: bool) -> Self {
        Self {
            fifo,
            visibility_timeout: DEFAULT_VISIBILITY,
            maximum_message_size: DEFAULT_MAX_SIZE,
            retention: DEFAULT_RETENTION,
            delay: 0,
            wait: 0,
            policy: None,
            redrive: None,
            redrive_allow: None,
            kms_master_key_id: None,
            kms_reuse: DEFAULT_KMS_REUSE,
            sqs_managed_sse: true,
            content_based_deduplication: false,
            dedup_per_group: false,
            throughput_per_group: false,
        }
    }

    /// Applies attributes as CreateQueue (`creating`) or SetQueueAttributes
    /// take them, checking each; on error `self` is unchanged.
    pub fn apply(&mut self, attrs: &BTreeMap<String, String>, creating: bool) -> Result<()> {
        let mut next = self.clone();
        for (name, value) in attrs {
            next.set(name, value, creating)?;
        }
        let kms = attrs.get("KmsMasterKeyId").is_some_and(|v| !v.is_empty());
        let sse = attrs
            .get("SqsManagedSseEnabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if kms && sse {
            return Err(SqsError::InvalidAttributeName(
                "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
                    .into(),
            ));
        }
        // Turning one encryption on turns the other off.
        if kms {
            next.sqs_managed_sse = false;
        } else if sse {
            next.kms_master_key_id = None;
        }
        if next.throughput_per_group && !next.dedup_per_group {
            return Err(SqsError::InvalidAttributeValue("FifoThroughputLimit".into()));
        }
        *self = next;
        Ok(())
    }

    fn set(&mut self, name: &str, value: &str, creating: bool) -> Result<()> {
        // A standard queue knows no FIFO attribute (FifoQueue=false aside).
        let standard_ok = name == "FifoQueue" && !truth(name, value)?;
        if FIFO_ONLY.contains(&name) && !self.fifo && !standard_ok {
            return Err(SqsError::UnknownAttribute(name.to_owned()));
        }
        match name {
            "VisibilityTimeout" => self.visibility_timeout = int(name, value, 0, MAX_VISIBILITY)?,
            "MaximumMessageSize" => self.maximum_message_size = int(name, value, 1024, DEFAULT_MAX_SIZE)?,
            "MessageRetentionPeriod" => self.retention = int(name, value, 60, 1_209_600)?,
            "DelaySeconds" => self.delay = int(name, value, 0, MAX_DELAY)?,
            "ReceiveMessageWaitTimeSeconds" => self.wait = int(name, value, 0, MAX_WAIT)?,
            "KmsDataKeyReusePeriodSeconds" => self.kms_reuse = int(name, value, 60, 86_400)?,
            "Policy" => self.policy = policy(value)?,
            "RedrivePolicy" => {
                self.redrive = if value.is_empty() {
                    None
                } else {
                    Some(parse_redrive_policy(value)?)
                }
            }
            "RedriveAllowPolicy" => {
                self.redrive_allow = if value.is_empty() {
                    None
                } else {
                    Some(parse_redrive_allow_policy(value)?)
                }
            }
            "KmsMasterKeyId" => self.kms_master_key_id = (!value.is_empty()).then(|| value.to_owned()),
            "SqsManagedSseEnabled" => self.sqs_managed_sse = truth(name, value)?,
            "FifoQueue" => {
                let fifo = truth(name, value)?;
                if !creating && fifo != self.fifo {
                    return Err(SqsError::InvalidAttributeValue(name.to_owned()));
                }
            }
            "ContentBasedDeduplication" => self.content_based_deduplication = truth(name, value)?,
            "DeduplicationScope" => {
                self.dedup_per_group = match value {
                    "messageGroup" => true,
                    "queue" => false,
                    _ => return Err(SqsError::InvalidAttributeValue(name.to_owned())),
                }
            }
            "FifoThroughputLimit" => {
                self.throughput_per_group = match value {
                    "perMessageGroupId" => true,
                    "perQueue" => false,
                    _ => return Err(SqsError::InvalidAttributeValue(name.to_owned())),
                }
            }
            _ => return Err(SqsError::UnknownAttribute(name.to_owned())),
        }
        Ok(())
    }

    /// The settable attributes as AWS answers them, in the order
    /// GetQueueAttributes lists them; absent optional ones are left out.
    pub fn texts(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("VisibilityTimeout", self.visibility_timeout.to_string()),
            ("MaximumMessageSize", self.maximum_message_size.to_string()),
            ("MessageRetentionPeriod", self.retention.to_string()),
            ("DelaySeconds", self.delay.to_string()),
            ("ReceiveMessageWaitTimeSeconds", self.wait.to_string()),
        ];
        if let Some(p) = &self.policy {
            out.push(("Policy", p.clone()));
        }
        if let Some(r) = &self.redrive {
            out.push(("RedrivePolicy", r.to_json()));
        }
        if let Some(r) = &self.redrive_allow {
            out.push(("RedriveAllowPolicy", r.to_json()));
        }
        if let Some(k) = &self.kms_master_key_id {
            out.push(("KmsMasterKeyId", k.clone()));
            out.push(("KmsDataKeyReusePeriodSeconds", self.kms_reuse.to_string()));
        }
        out.push(("SqsManagedSseEnabled", self.sqs_managed_sse.to_string()));
        if self.fifo {
            out.push(("FifoQueue", "true".into()));
            out.push((
                "ContentBasedDeduplication",
                self.content_based_deduplication.to_string(),
            ));
            let scope = if self.dedup_per_group { "messageGroup" } else { "queue" };
            out.push(("DeduplicationScope", scope.into()));
            let limit = if self.throughput_per_group {
                "perMessageGroupId"
            } else {
                "perQueue"
            };
            out.push(("FifoThroughputLimit", limit.into()));
        }
        out
    }

    /// The first attribute whose value CreateQueue's would change: an
    /// existing queue is only "created" again with the same attributes.
    pub fn first_difference(&self, requested: &Self) -> Option<&'static str> {
        let mine = self.texts();
        let theirs = requested.texts();
        for name in SETTABLE {
            let a = mine.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            let b = theirs.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            if a != b {
                return Some(name);
            }
        }
        None
    }
}

fn int(name: &str, value: &str, min: u32, max: u32) -> Result<u32> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| (i64::from(min)..=i64::from(max)).contains(v))
        .map(|v| v as u32)
        .ok_or_else(|| SqsError::InvalidAttributeValue(name.to_owned()))
}

fn truth(name: &str, value: &str) -> Result<bool> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(SqsError::InvalidAttributeValue(name.to_owned()))
    }
}

/// The largest policy document AWS takes (IAM's queue policy limit).
const MAX_POLICY: usize = 20_480;

fn policy(value: &str) -> Result<Option<String>> {
    if value.is_empty() {
        return Ok(None);
    }
    let is_object = value.len() <= MAX_POLICY && serde_json::from_str::<Value>(value).is_ok_and(|v| v.is_object());
    if !is_object {
        return Err(SqsError::InvalidAttributeValue("Policy".into()));
    }
    Ok(Some(value.to_owned()))
}

fn redrive_error(value: &str, reason: impl Into<String>) -> SqsError {
    SqsError::parameter("RedrivePolicy", value, reason)
}

/// Reads a RedrivePolicy as AWS does: a JSON map with `deadLetterTargetArn`
/// (an SQS ARN) and `maxReceiveCount` (1–1000, a number or a numeric string).
pub fn parse_redrive_policy(value: &str) -> Result<Redrive> {
    let map = match serde_json::from_str::<Value>(value) {
        Ok(Value::Object(m)) => m,
        _ => return Err(redrive_error(value, "Redrive policy is not a valid JSON map.")),
    };
    let Some(arn) = map.get("deadLetterTargetArn") else {
        return Err(redrive_error(
            value,
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        ));
    };
    let Some(count) = map.get("maxReceiveCount") else {
        return Err(redrive_error(
            value,
            "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
        ));
    };
    let arn = arn
        .as_str()
        .filter(|a| crate::names::QueueArn::parse(a).is_some())
        .ok_or_else(|| redrive_error(value, "Invalid value for deadLetterTargetArn."))?;
    let count_text = match count {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let count = count_text
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| (1..=1000).contains(c))
        .ok_or_else(|| {
            redrive_error(
                value,
                format!(
                    "Invalid value for maxReceiveCount: {count_text}, valid values are from 1 to 1000 both inclusive."
                ),
            )
        })?;
    Ok(Redrive {
        dead_letter_target_arn: arn.to_owned(),
        max_receive_count: count as u32,
    })
}

/// Reads a RedriveAllowPolicy: `redrivePermission` allowAll, denyAll or
/// byQueue, and with byQueue alone 1–10 `sourceQueueArns`.
pub fn parse_redrive_allow_policy(value: &str) -> Result<RedriveAllow> {
    let bad = |reason: &str| SqsError::parameter("RedriveAllowPolicy", value, reason);
    let map = match serde_json::from_str::<Value>(value) {
        Ok(Value::Object(m)) => m,
        _ => return Err(bad("Redrive allow policy is not a valid JSON map.")),
    };
    let arns = match map.get("sourceQueueArns") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("Invalid value for sourceQueueArns."))?,
        ),
        Some(_) => return Err(bad("Invalid value for sourceQueueArns.")),
    };
    match (map.get("redrivePermission").and_then(Value::as_str), arns) {
        (Some("allowAll"), None) => Ok(RedriveAllow::AllowAll),
        (Some("denyAll"), None) => Ok(RedriveAllow::DenyAll),
        (Some("byQueue"), Some(arns)) if (1..=10).contains(&arns.len()) => Ok(RedriveAllow::ByQueue(arns)),
        (Some("byQueue"), _) => Err(bad(
            "You must specify 1 to 10 source queue ARNs when redrivePermission is byQueue.",
        )),
        (Some("allowAll" | "denyAll"), Some(_)) => Err(bad(
            "You can specify sourceQueueArns only when redrivePermission is byQueue.",
        )),
        _ => Err(bad("Invalid value for redrivePermission.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn attributes_are_checked_against_aws_limits() {
        let mut c = QueueConfig::new(false);
        c.apply(&map(&[("VisibilityTimeout", "60"), ("DelaySeconds", "900")]), true)
            .unwrap();
        assert_eq!((c.visibility_timeout, c.delay), (60, 900));
        for (name, value) in [
            ("VisibilityTimeout", "43201"),
            ("DelaySeconds", "-1"),
            ("MaximumMessageSize", "1023"),
            ("MaximumMessageSize", "1048577"),
            ("MessageRetentionPeriod", "59"),
            ("ReceiveMessageWaitTimeSeconds", "21"),
            ("VisibilityTimeout", "ten"),
            ("SqsManagedSseEnabled", "yes"),
            ("Policy", "not json"),
        ] {
            let e = c.apply(&map(&[(name, value)]), false).unwrap_err();
            assert_eq!(e.to_string(), format!("Invalid value for the parameter {name}."));
        }
        assert_eq!(c.visibility_timeout, 60, "a refused change changes nothing");
        let e = c.apply(&map(&[("Colour", "blue")]), false).unwrap_err();
        assert_eq!(e.to_string(), "Unknown Attribute Colour.");
        let e = c
            .apply(&map(&[("ContentBasedDeduplication", "true")]), true)
            .unwrap_err();
        assert_eq!(e.to_string(), "Unknown Attribute ContentBasedDeduplication.");
    }

    #[test]
    fn encryption_is_one_kind_at_a_time() {
        let mut c = QueueConfig::new(false);
        let e = c
            .apply(&map(&[("KmsMasterKeyId", "k"), ("SqsManagedSseEnabled", "true")]), true)
            .unwrap_err();
        assert!(matches!(e, SqsError::InvalidAttributeName(_)));
        c.apply(&map(&[("KmsMasterKeyId", "alias/aws/sqs")]), true).unwrap();
        assert!(!c.sqs_managed_sse);
        let texts = c.texts();
        assert!(texts.contains(&("KmsDataKeyReusePeriodSeconds", "300".into())));
        assert!(texts.contains(&("SqsManagedSseEnabled", "false".into())));
    }

    #[test]
    fn redrive_policies_read_as_aws_reads_them() {
        let r = parse_redrive_policy(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}"#,
        )
        .unwrap();
        assert_eq!(r.max_receive_count, 3);
        assert_eq!(
            r.to_json(),
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}"#
        );
        let e = parse_redrive_policy(r#"{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."#
        );
        let e = parse_redrive_policy(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":0}"#,
        )
        .unwrap_err();
        assert!(e.to_string().ends_with(
            "Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."
        ));
        for bad in [
            "",
            "[]",
            "{",
            r#"{"maxReceiveCount":1}"#,
            r#"{"deadLetterTargetArn":"x"}"#,
        ] {
            assert!(parse_redrive_policy(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redrive_allow_policies() {
        assert_eq!(
            parse_redrive_allow_policy(r#"{"redrivePermission":"byQueue","sourceQueueArns":["a"]}"#).unwrap(),
            RedriveAllow::ByQueue(vec!["a".into()])
        );
        assert!(!RedriveAllow::DenyAll.allows("a"));
        for bad in [
            r#"{"redrivePermission":"byQueue"}"#,
            r#"{"redrivePermission":"allowAll","sourceQueueArns":["a"]}"#,
            r#"{"redrivePermission":"sometimes"}"#,
            "7",
        ] {
            assert!(parse_redrive_allow_policy(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fifo_queues_list_their_own_attributes_and_compare_whole() {
        let mut c = QueueConfig::new(true);
        c.apply(
            &map(&[("FifoQueue", "true"), ("ContentBasedDeduplication", "true")]),
            true,
        )
        .unwrap();
        let names: Vec<&str> = c.texts().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "VisibilityTimeout",
                "MaximumMessageSize",
                "MessageRetentionPeriod",
                "DelaySeconds",
                "ReceiveMessageWaitTimeSeconds",
                "SqsManagedSseEnabled",
                "FifoQueue",
                "ContentBasedDeduplication",
                "DeduplicationScope",
                "FifoThroughputLimit"
            ]
        );
        assert_eq!(c.first_difference(&c.clone()), None);
        assert_eq!(
            c.first_difference(&QueueConfig::new(true)),
            Some("ContentBasedDeduplication")
        );
        let e = c
            .apply(&map(&[("FifoThroughputLimit", "perMessageGroupId")]), false)
            .unwrap_err();
        assert_eq!(e.to_string(), "Invalid value for the parameter FifoThroughputLimit.");
        let e = c.apply(&map(&[("FifoQueue", "false")]), false).unwrap_err();
        assert_eq!(e.to_string(), "Invalid value for the parameter FifoQueue.");
    }
}
