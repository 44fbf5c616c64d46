//! The EventBridge Scheduler API edge: restJson1, signing name `scheduler`,
//! the operation named by the route (`POST /schedules/{Name}`). A request's
//! path labels and query parameters are merged with its JSON body into one
//! set of input members, read into the operation's typed request ([`dto`]),
//! checked, handled by the module named after what it acts on, and answered
//! with its typed response. In-process calls ([`lakestack_aws_protocol::invoke`],
//! the transcripts) give every member in the body.

mod dto;
mod groups;
mod schedules;
mod tags;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use http::{Method, StatusCode};
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, DEFAULT, Output, Protocol, Route, Service, ServiceError, ServiceSpec};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::EventsError;
use crate::names::{self, DEFAULT_GROUP};
use crate::service::Events;

lakestack_aws_protocol::operations! {
    /// The EventBridge Scheduler operations (all of them).
    pub enum SchedulerOp {
        CreateSchedule,
        GetSchedule,
        UpdateSchedule,
        DeleteSchedule,
        ListSchedules,
        CreateScheduleGroup,
        GetScheduleGroup,
        DeleteScheduleGroup,
        ListScheduleGroups,
        TagResource,
        UntagResource,
        ListTagsForResource,
    }
}

macro_rules! routes {
    ($($method:ident $path:literal => $op:literal),* $(,)?) => {
        &[$(Route { method: Method::$method, path: $path, operation: $op }),*]
    };
}

/// Scheduler's model routes. A resource ARN's `/` comes encoded from the
/// SDKs; `+` also takes it as it is, from clients that do not encode it.
const ROUTES: &[Route] = routes! {
    POST "/schedules/{Name}" => "CreateSchedule",
    GET "/schedules/{Name}" => "GetSchedule",
    PUT "/schedules/{Name}" => "UpdateSchedule",
    DELETE "/schedules/{Name}" => "DeleteSchedule",
    GET "/schedules" => "ListSchedules",
    POST "/schedule-groups/{Name}" => "CreateScheduleGroup",
    GET "/schedule-groups/{Name}" => "GetScheduleGroup",
    DELETE "/schedule-groups/{Name}" => "DeleteScheduleGroup",
    GET "/schedule-groups" => "ListScheduleGroups",
    POST "/tags/{ResourceArn+}" => "TagResource",
    DELETE "/tags/{ResourceArn+}" => "UntagResource",
    GET "/tags/{ResourceArn+}" => "ListTagsForResource",
};

/// EventBridge Scheduler: restJson1, signing name `scheduler`.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "scheduler",
    title: "EventBridge Scheduler",
    signing_name: "scheduler",
    protocols: &[Protocol::RestJson1],
    routes: ROUTES,
    invalid_input_code: "ValidationException",
    violation_code: "ValidationException",
    internal_error: (
        "InternalServerException",
        "Unexpected error encountered while processing the request.",
    ),
    ..DEFAULT
};

/// Serves the EventBridge Scheduler API over the same [`Events`] as
/// EventBridge's (one file, one host, one clock).
#[derive(Clone)]
pub struct SchedulerApi {
    events: Arc<Events>,
}

impl SchedulerApi {
    pub fn new(events: Arc<Events>) -> Self {
        Self { events }
    }

    pub fn events(&self) -> &Arc<Events> {
        &self.events
    }
}

/// Why a handler refuses: the domain's error, which Scheduler codes its own
/// way (EventBridge answers the same variants with other codes and
/// statuses), or an error of the wire already made.
enum Refusal {
    Domain(EventsError),
    Wire(ServiceError),
}

impl From<EventsError> for Refusal {
    fn from(e: EventsError) -> Self {
        Self::Domain(e)
    }
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Self {
        Self::Wire(e)
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Wire(e) => e,
            Refusal::Domain(e) => {
                let (code, status) = match &e {
                    EventsError::ResourceNotFound(_) => ("ResourceNotFoundException", StatusCode::NOT_FOUND),
                    EventsError::ResourceAlreadyExists(_) => ("ConflictException", StatusCode::CONFLICT),
                    EventsError::LimitExceeded(_) => ("ServiceQuotaExceededException", StatusCode::PAYMENT_REQUIRED),
                    EventsError::Internal(_) => ("InternalServerException", StatusCode::INTERNAL_SERVER_ERROR),
                    EventsError::Validation(_) | EventsError::InvalidEventPattern(_) | EventsError::ManagedRule(_) => {
                        ("ValidationException", StatusCode::BAD_REQUEST)
                    }
                };
                ServiceError::new(code, status, e.to_string())
            }
        }
    }
}

type Answer = Result<Output, Refusal>;

#[async_trait]
impl Service for SchedulerApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use SchedulerOp as Op;
        let op = call.operation::<SchedulerOp>()?;
        let m = members(&call, op)?;
        let e = &*self.events;
        let answer = match op {
            Op::CreateSchedule => schedules::create(e, read(m)?).await,
            Op::GetSchedule => schedules::get(e, read(m)?),
            Op::UpdateSchedule => schedules::update(e, read(m)?).await,
            Op::DeleteSchedule => schedules::delete(e, read(m)?).await,
            Op::ListSchedules => schedules::list(e, read(m)?),
            Op::CreateScheduleGroup => groups::create(e, read(m)?).await,
            Op::GetScheduleGroup => groups::get(e, read(m)?),
            Op::DeleteScheduleGroup => groups::delete(e, read(m)?).await,
            Op::ListScheduleGroups => groups::list(e, read(m)?),
            Op::TagResource => tags::tag(e, read(m)?).await,
            Op::UntagResource => tags::untag(e, read(m)?).await,
            Op::ListTagsForResource => tags::list(e, read(m)?),
        };
        answer.map_err(ServiceError::from)
    }
}

/// How a query parameter becomes a member.
enum Query {
    Text,
    Number,
    /// Repeated (`TagKeys=a&TagKeys=b`): a list.
    List,
}

/// Each operation's query parameters: (parameter, member, kind).
fn query_members(op: SchedulerOp) -> &'static [(&'static str, &'static str, Query)] {
    use SchedulerOp as Op;
    match op {
        Op::GetSchedule => &[("groupName", "GroupName", Query::Text)],
        Op::DeleteSchedule => &[
            ("groupName", "GroupName", Query::Text),
            ("clientToken", "ClientToken", Query::Text),
        ],
        Op::DeleteScheduleGroup => &[("clientToken", "ClientToken", Query::Text)],
        Op::ListSchedules => &[
            ("ScheduleGroup", "GroupName", Query::Text),
            ("MaxResults", "MaxResults", Query::Number),
            ("NamePrefix", "NamePrefix", Query::Text),
            ("NextToken", "NextToken", Query::Text),
            ("State", "State", Query::Text),
        ],
        Op::ListScheduleGroups => &[
            ("MaxResults", "MaxResults", Query::Number),
            ("NamePrefix", "NamePrefix", Query::Text),
            ("NextToken", "NextToken", Query::Text),
        ],
        Op::UntagResource => &[("TagKeys", "TagKeys", Query::List)],
        _ => &[],
    }
}

/// The input members: the JSON body, with the path's labels and the
/// query's parameters added under their members' names.
fn members(call: &Call, op: SchedulerOp) -> Result<Value, ServiceError> {
    let mut members = if call.body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&call.body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(SPEC.invalid_input("The request body must be a JSON object.")),
            Err(e) => {
                return Err(ServiceError::serialization(format!(
                    "Request body is not valid JSON: {e}"
                )));
            }
        }
    };
    for (label, value) in &call.labels {
        members.insert(label.clone(), Value::String(value.clone()));
    }
    let query = call.uri.query().unwrap_or_default();
    for (param, member, kind) in query_members(op) {
        let mut values = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == param)
            .map(|(_, v)| v.into_owned());
        let value = match kind {
            Query::List => {
                let all: Vec<Value> = values.map(Value::String).collect();
                if all.is_empty() {
                    continue;
                }
                Value::Array(all)
            }
            Query::Text => match values.next() {
                Some(v) => Value::String(v),
                None => continue,
            },
            // A number that does not read stays text, refused as a mistyped member.
            Query::Number => match values.next() {
                Some(v) => v.parse::<i64>().map_or(Value::String(v), Value::from),
                None => continue,
            },
        };
        members.insert((*member).to_string(), value);
    }
    Ok(Value::Object(members))
}

/// The members as the operation's typed request.
fn read<T: DeserializeOwned>(members: Value) -> Result<T, ServiceError> {
    serde_json::from_value(members).map_err(|e| SPEC.invalid_input(e.to_string()))
}

fn violation(v: Violation) -> Refusal {
    Refusal::Wire(SPEC.violation(v))
}

fn required<T>(value: Option<T>, member: &str) -> Result<T, Refusal> {
    value.ok_or_else(|| violation(Violation::null(member)))
}

/// A schedule's or group's name: 1-64 characters of `[0-9a-zA-Z-_.]`.
fn name(value: String, member: &str) -> Result<String, Refusal> {
    if value.is_empty() || value.len() > 64 {
        return Err(violation(Violation::len_between(member, Shown::Value(value), 1, 64)));
    }
    if !names::valid_schedule_name(&value) {
        return Err(violation(Violation::pattern(
            member,
            Shown::Value(value),
            "^[0-9a-zA-Z-_.]+$",
        )));
    }
    Ok(value)
}

/// `GroupName`, the default group when absent.
fn group_of(value: Option<String>) -> Result<String, Refusal> {
    match value {
        Some(g) => name(g, "groupName"),
        None => Ok(DEFAULT_GROUP.to_string()),
    }
}

/// A ClientToken: 1-64 characters of `[a-zA-Z0-9-_]`.
fn client_token(value: Option<String>) -> Result<Option<String>, Refusal> {
    let Some(t) = value else { return Ok(None) };
    if t.is_empty() || t.len() > 64 {
        return Err(violation(Violation::len_between("clientToken", Shown::Value(t), 1, 64)));
    }
    if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
        return Err(violation(Violation::pattern(
            "clientToken",
            Shown::Value(t),
            "^[a-zA-Z0-9-_]+$",
        )));
    }
    Ok(Some(t))
}

/// `MaxResults`: 1-100; a page of 100 when absent.
fn max_results(value: Option<i64>) -> Result<usize, Refusal> {
    match value {
        None => Ok(100),
        Some(n @ 1..=100) => Ok(n as usize),
        Some(n) => Err(violation(Violation::range("maxResults", n, 1, 100))),
    }
}

/// A name prefix: as a name is.
fn prefix(value: Option<String>) -> Result<Option<String>, Refusal> {
    value.map(|p| name(p, "namePrefix")).transpose()
}

/// A string member's length, in characters, within `min..=max`.
fn length(value: &str, member: &str, min: usize, max: usize) -> Result<(), Refusal> {
    let n = value.chars().count();
    if n < min {
        return Err(violation(Violation::min_len(member, Shown::Value(value.into()), min)));
    }
    if n > max {
        return Err(violation(Violation::max_len(member, Shown::Value(value.into()), max)));
    }
    Ok(())
}

/// An enum member's value, one of `allowed`.
fn one_of(value: String, member: &str, allowed: &[&str]) -> Result<String, Refusal> {
    if allowed.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(violation(Violation::one_of(member, value, allowed)))
    }
}
