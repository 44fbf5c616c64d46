//! EventBridge Scheduler's resources in domain terms. They are kept in
//! SQLite as JSON (`schedules::store`), so every type here serializes; the
//! wire shapes live in `scheduler_api::dto`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::RetryPolicy;

/// A schedule group: `default`, or one a user created. Only groups carry tags.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScheduleGroup {
    pub name: String,
    pub arn: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub tags: BTreeMap<String, String>,
    /// The ClientToken it was created with: the same create again is answered, not refused.
    pub client_token: Option<String>,
}

/// What a caller says a schedule is (CreateSchedule, UpdateSchedule).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScheduleDefinition {
    pub name: String,
    pub group: String,
    /// `at(...)`, `rate(...)` or `cron(...)`, as given.
    pub expression: String,
    /// An IANA zone (`Europe/Paris`); UTC when absent.
    pub timezone: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Epoch milliseconds; one-time schedules ignore both, as AWS's do.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub window: Window,
    pub after_completion: AfterCompletion,
    /// Kept and answered; lakestack encrypts nothing.
    pub kms_key_arn: Option<String>,
    pub target: ScheduleTarget,
    pub client_token: Option<String>,
}

/// A schedule as it is kept: its definition and what lakestack adds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Schedule {
    #[serde(flatten)]
    pub def: ScheduleDefinition,
    pub arn: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// A rate without a StartDate counts its periods from here: the
    /// creation, or the last update (which replaces the schedule whole).
    pub anchor_ms: i64,
    /// Fire times up to here are done: the next one is looked for after it.
    pub fired_through_ms: i64,
}

/// `FlexibleTimeWindow`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Window {
    Off,
    /// Fire within this many minutes after the scheduled time.
    Flexible {
        max_minutes: u32,
    },
}

/// `ActionAfterCompletion`: what becomes of a schedule with no invocation left.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum AfterCompletion {
    None,
    Delete,
}

/// A schedule's one target: a templated one (the ARN of a queue, topic,
/// function, state machine or event bus) or a universal one
/// (`arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScheduleTarget {
    pub arn: String,
    /// Kept and answered; lakestack assumes no role to deliver.
    pub role_arn: String,
    /// Passed as it is, context attributes filled in; `{}` when absent.
    pub input: Option<String>,
    pub retry: RetryPolicy,
    pub dead_letter_arn: Option<String>,
    /// `SqsParameters.MessageGroupId`, for FIFO queues.
    pub message_group_id: Option<String>,
    /// `EventBridgeParameters`, for event bus targets.
    pub event_bridge: Option<EventBridgeParameters>,
    /// Parameter sets lakestack keeps but does not act on
    /// (`EcsParameters`, `KinesisParameters`, `SageMakerPipelineParameters`).
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventBridgeParameters {
    pub detail_type: String,
    pub source: String,
}

/// What a target ARN asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind<'a> {
    /// An API operation of another service, called with the input as its request.
    Universal { service: &'a str, action: &'a str },
    /// PutEvents onto this bus of this account and region.
    Bus {
        region: &'a str,
        account: &'a str,
        bus: &'a str,
    },
    /// Anything else: the host delivers by the ARN's service.
    Templated,
}

impl ScheduleTarget {
    pub fn kind(&self) -> TargetKind<'_> {
        target_kind(&self.arn)
    }
}

/// Reads a target ARN: `arn:<partition>:scheduler:::aws-sdk:<service>:<action>`
/// is universal, an `event-bus/` of `events` a bus.
pub fn target_kind(arn: &str) -> TargetKind<'_> {
    let Some(parts) = crate::names::arn_parts(arn) else {
        return TargetKind::Templated;
    };
    if parts.service == "scheduler"
        && let Some(call) = parts.resource.strip_prefix("aws-sdk:")
        && let Some((service, action)) = call.split_once(':')
    {
        return TargetKind::Universal { service, action };
    }
    if parts.service == "events"
        && let Some(bus) = parts.resource.strip_prefix("event-bus/")
    {
        return TargetKind::Bus {
            region: parts.region,
            account: parts.account,
            bus,
        };
    }
    TargetKind::Templated
}

/// One firing of a schedule on its way to the target: kept in the file
/// from the commit that fires it until its delivery ends, so a restart
/// delivers it again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Invocation {
    #[serde(skip)]
    pub seq: i64,
    pub schedule_arn: String,
    pub schedule_name: String,
    /// The time the schedule was due (before any flexible window), epoch ms.
    pub scheduled_ms: i64,
    /// `<aws.scheduler.execution-id>`: one per invocation, kept by its retries.
    pub execution_id: String,
    /// The target as it was when the schedule fired.
    pub target: ScheduleTarget,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_kinds() {
        assert_eq!(
            target_kind("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"),
            TargetKind::Universal {
                service: "sqs",
                action: "sendMessage"
            }
        );
        assert_eq!(
            target_kind("arn:aws:events:us-east-1:1:event-bus/orders"),
            TargetKind::Bus {
                region: "us-east-1",
                account: "1",
                bus: "orders"
            }
        );
        assert_eq!(target_kind("arn:aws:sqs:us-east-1:1:q"), TargetKind::Templated);
        assert_eq!(target_kind("nonsense"), TargetKind::Templated);
    }
}
