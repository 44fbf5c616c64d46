//! The EventBridge API edge: awsJson 1.1 (`X-Amz-Target: AWSEvents.<Op>`).
//! Each operation's input is read into its typed request ([`dto`]),
//! checked, handled by the module named after what it acts on, and answered
//! with its typed response.

mod buses;
pub mod dto;
mod events;
mod rules;
mod tags;
mod targets;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};

use crate::error::EventsError;
use crate::names::{self, DEFAULT_BUS};
use crate::service::Events;

lakestack_aws_protocol::operations! {
    /// The EventBridge operations lakestack implements.
    pub enum EventsOp {
        CreateEventBus,
        DescribeEventBus,
        ListEventBuses,
        UpdateEventBus,
        DeleteEventBus,
        PutPermission,
        RemovePermission,
        PutRule,
        DescribeRule,
        ListRules,
        DeleteRule,
        EnableRule,
        DisableRule,
        PutTargets,
        RemoveTargets,
        ListTargetsByRule,
        ListRuleNamesByTarget,
        PutEvents,
        TestEventPattern,
        TagResource,
        UntagResource,
        ListTagsForResource,
    }
}

impl AwsError for EventsError {
    fn code(&self) -> &'static str {
        match self {
            EventsError::ResourceNotFound(_) => "ResourceNotFoundException",
            EventsError::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            EventsError::Validation(_) => "ValidationException",
            EventsError::InvalidEventPattern(_) => "InvalidEventPatternException",
            EventsError::LimitExceeded(_) => "LimitExceededException",
            EventsError::ManagedRule(_) => "ManagedRuleException",
            EventsError::Internal(_) => "InternalException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            EventsError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// EventBridge: awsJson 1.1 under `AWSEvents`, signing name `events`.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "events",
    title: "EventBridge",
    signing_name: "events",
    protocols: &[Protocol::AwsJson1_1],
    target_prefix: Some("AWSEvents"),
    invalid_input_code: "SerializationException",
    violation_code: "ValidationException",
    invalid_token: ("ValidationException", "The NextToken is invalid."),
    internal_error: ("InternalException", "An internal error occurred."),
    // Ten entries of up to 1 MiB each, escaped inside the JSON request.
    body_limit: 24 << 20,
    ..DEFAULT
};

/// Serves the EventBridge JSON API.
#[derive(Clone)]
pub struct EventsApi {
    events: Arc<Events>,
}

impl EventsApi {
    pub fn new(events: Arc<Events>) -> Self {
        Self { events }
    }

    pub fn events(&self) -> &Arc<Events> {
        &self.events
    }
}

type Answer = Result<Output, ServiceError>;

#[async_trait]
impl Service for EventsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use EventsOp as Op;
        let e = &*self.events;
        match call.operation::<EventsOp>()? {
            Op::CreateEventBus => buses::create(e, call.input()?).await,
            Op::DescribeEventBus => buses::describe(e, call.input()?),
            Op::ListEventBuses => buses::list(e, call.input()?),
            Op::UpdateEventBus => buses::update(e, call.input()?).await,
            Op::DeleteEventBus => buses::delete(e, call.input()?).await,
            Op::PutPermission => buses::put_permission(e, call.input()?).await,
            Op::RemovePermission => buses::remove_permission(e, call.input()?).await,
            Op::PutRule => rules::put(e, call.input()?).await,
            Op::DescribeRule => rules::describe(e, call.input()?),
            Op::ListRules => rules::list(e, call.input()?),
            Op::DeleteRule => rules::delete(e, call.input()?).await,
            Op::EnableRule => rules::set_state(e, call.input()?, "ENABLED").await,
            Op::DisableRule => rules::set_state(e, call.input()?, "DISABLED").await,
            Op::PutTargets => targets::put(e, call.input()?).await,
            Op::RemoveTargets => targets::remove(e, call.input()?).await,
            Op::ListTargetsByRule => targets::list(e, call.input()?),
            Op::ListRuleNamesByTarget => targets::rules_by_target(e, call.input()?),
            Op::PutEvents => events::put(e, call.input()?).await,
            Op::TestEventPattern => events::test_pattern(call.input()?),
            Op::TagResource => tags::tag(e, call.input()?).await,
            Op::UntagResource => tags::untag(e, call.input()?).await,
            Op::ListTagsForResource => tags::list(e, call.input()?),
        }
    }
}

fn violation(v: Violation) -> ServiceError {
    EventsError::Validation(v.message()).into()
}

fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    value.ok_or_else(|| violation(Violation::null(member)))
}

/// A rule or target name: present, 1-64 characters of `[\.\-_A-Za-z0-9]`.
fn rule_name(value: Option<String>, member: &str) -> Result<String, ServiceError> {
    let name = required(value, member)?;
    if name.is_empty() || name.len() > 64 {
        return Err(violation(Violation::len_between(member, Shown::Value(name), 1, 64)));
    }
    if !names::valid_rule_name(&name) {
        return Err(violation(Violation::pattern(
            member,
            Shown::Value(name),
            r"[\.\-_A-Za-z0-9]+",
        )));
    }
    Ok(name)
}

/// `EventBusName` (a name or an ARN), the default bus when absent.
fn bus_of(value: Option<&str>) -> String {
    names::bus_name(value.unwrap_or(DEFAULT_BUS)).to_string()
}

/// `Limit`: 1-100, AWS's default page when absent.
fn limit(value: Option<i64>) -> Result<usize, ServiceError> {
    match value {
        None => Ok(100),
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        Some(n) => Err(violation(Violation::range("limit", n, 1, 100))),
    }
}

fn seconds(ms: i64) -> f64 {
    lakestack_aws_protocol::timestamp::epoch_seconds(ms)
}
