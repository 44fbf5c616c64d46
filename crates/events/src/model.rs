//! EventBridge's resources in domain terms. They are kept in SQLite as
//! JSON (`store`), so every type here serializes; the wire shapes live in
//! `api::dto`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An event bus: `default`, or one a user created.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bus {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    /// The resource policy (PutPermission), kept and answered, not enforced.
    pub policy: Option<String>,
    pub dead_letter_arn: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub tags: BTreeMap<String, String>,
}

/// What a rule matches: events by pattern, or the clock by schedule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rule {
    pub name: String,
    pub bus: String,
    pub arn: String,
    pub event_pattern: Option<String>,
    pub schedule_expression: Option<String>,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    /// The service that manages the rule (PutRule by a service principal).
    pub managed_by: Option<String>,
    /// The account that created the rule.
    pub created_by: String,
    pub created_ms: i64,
    pub tags: BTreeMap<String, String>,
    pub targets: Vec<Target>,
}

impl Rule {
    pub fn enabled(&self) -> bool {
        self.state != "DISABLED"
    }
}

/// Where a rule sends what it matched, and in what form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Target {
    pub id: String,
    pub arn: String,
    pub role_arn: Option<String>,
    /// The input: the event as it is, a constant, a part of it, or a template.
    pub input: InputSpec,
    /// `SqsParameters.MessageGroupId`, for FIFO queues.
    pub message_group_id: Option<String>,
    pub retry: RetryPolicy,
    pub dead_letter_arn: Option<String>,
    /// Parameters for target kinds lakestack keeps but does not act on
    /// (`EcsParameters`, `HttpParameters`, ...), answered as they were given.
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum InputSpec {
    /// The matched event.
    Event,
    /// `Input`: this JSON text instead of the event.
    Constant(String),
    /// `InputPath`: the part of the event at this JSONPath.
    Path(String),
    /// `InputTransformer`.
    Transformer {
        /// `InputPathsMap`, in the order given.
        paths: Vec<(String, String)>,
        template: String,
    },
}

/// `RetryPolicy`: AWS's defaults are 185 attempts over 24 hours.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub max_age_secs: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 185,
            max_age_secs: 86_400,
        }
    }
}

/// One entry of PutEvents, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub source: Option<String>,
    pub detail_type: Option<String>,
    pub detail: Option<String>,
    pub resources: Vec<String>,
    /// Epoch milliseconds; the ingestion time when absent.
    pub time_ms: Option<i64>,
    pub bus: Option<String>,
    pub trace_header: Option<String>,
}

/// What PutEvents answers for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    Accepted { event_id: String },
    Failed { code: String, message: String },
}
