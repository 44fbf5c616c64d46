//! Schedules: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule,
//! ListSchedules. A request is checked against Scheduler's model here; what
//! needs the domain (the expression, the zone, the target) is checked there.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, paging};

use super::dto::{
    self, GetScheduleResponse, ListSchedulesRequest, ListSchedulesResponse, ScheduleArnResponse, ScheduleNameRequest,
    ScheduleRequest, ScheduleSummary, TargetSummary,
};
use super::{
    Answer, Refusal, SPEC, client_token, group_of, length, max_results, name, one_of, prefix, required, violation,
};
use crate::error::EventsError;
use crate::model::RetryPolicy;
use crate::schedules::{AfterCompletion, EventBridgeParameters, Schedule, ScheduleDefinition, ScheduleTarget, Window};
use crate::service::Events;

const STATES: &[&str] = &["ENABLED", "DISABLED"];

pub(super) async fn create(e: &Events, r: ScheduleRequest) -> Answer {
    let schedule = e.create_schedule(definition(r)?).await?;
    Ok(Output::of(&ScheduleArnResponse {
        schedule_arn: schedule.arn,
    })?)
}

pub(super) async fn update(e: &Events, r: ScheduleRequest) -> Answer {
    let schedule = e.update_schedule(definition(r)?).await?;
    Ok(Output::of(&ScheduleArnResponse {
        schedule_arn: schedule.arn,
    })?)
}

pub(super) fn get(e: &Events, r: ScheduleNameRequest) -> Answer {
    let name = name(required(r.name, "name")?, "name")?;
    let group = group_of(r.group_name)?;
    Ok(Output::of(&get_response(e.schedule(&group, &name)?))?)
}

pub(super) async fn delete(e: &Events, r: ScheduleNameRequest) -> Answer {
    let name = name(required(r.name, "name")?, "name")?;
    let group = group_of(r.group_name)?;
    client_token(r.client_token)?;
    e.delete_schedule(&group, &name).await?;
    Ok(Output::empty_members())
}

pub(super) fn list(e: &Events, r: ListSchedulesRequest) -> Answer {
    let group = r.group_name.map(|g| name(g, "groupName")).transpose()?;
    let max = max_results(r.max_results)?;
    let prefix = prefix(r.name_prefix)?;
    let state = r.state.map(|s| one_of(s, "state", STATES)).transpose()?;
    let matching = e.schedules(group.as_deref())?.into_iter().filter(|s| {
        prefix.as_deref().is_none_or(|p| s.def.name.starts_with(p))
            && state.as_deref().is_none_or(|st| state_of(s) == st)
    });
    // Schedules come by group, then name: a separator below every character
    // a name may hold keeps the keys in that order.
    let key = |s: &Schedule| format!("{}\u{0}{}", s.def.group, s.def.name);
    let (page, next_token) = paging::page_from(&SPEC, matching, key, r.next_token.as_deref(), max)?;
    let schedules = page
        .into_iter()
        .map(|s| ScheduleSummary {
            state: state_of(&s).into(),
            arn: s.arn,
            creation_date: s.created_ms,
            group_name: s.def.group,
            last_modification_date: s.modified_ms,
            name: s.def.name,
            target: TargetSummary { arn: s.def.target.arn },
        })
        .collect();
    Ok(Output::of(&ListSchedulesResponse { next_token, schedules })?)
}

fn state_of(s: &Schedule) -> &'static str {
    if s.def.enabled { "ENABLED" } else { "DISABLED" }
}

/// A Create/UpdateSchedule request as the domain's definition, each member
/// checked against Scheduler's model.
fn definition(r: ScheduleRequest) -> Result<ScheduleDefinition, Refusal> {
    let name = name(required(r.name, "name")?, "name")?;
    let group = group_of(r.group_name)?;
    let expression = required(r.schedule_expression, "scheduleExpression")?;
    length(&expression, "scheduleExpression", 1, 256)?;
    if let Some(tz) = &r.schedule_expression_timezone {
        length(tz, "scheduleExpressionTimezone", 1, 50)?;
    }
    if let Some(d) = &r.description {
        length(d, "description", 0, 512)?;
    }
    let enabled = match r.state {
        Some(s) => one_of(s, "state", STATES)? == "ENABLED",
        None => true,
    };
    let window = window(required(r.flexible_time_window, "flexibleTimeWindow")?)?;
    let after_completion = match r.action_after_completion {
        Some(a) => match one_of(a, "actionAfterCompletion", &["NONE", "DELETE"])?.as_str() {
            "DELETE" => AfterCompletion::Delete,
            _ => AfterCompletion::None,
        },
        None => AfterCompletion::None,
    };
    if let Some(k) = &r.kms_key_arn {
        length(k, "kmsKeyArn", 1, 2048)?;
    }
    let target = target(required(r.target, "target")?)?;
    let client_token = client_token(r.client_token)?;
    if let (Some(start), Some(end)) = (r.start_date, r.end_date)
        && end <= start
    {
        return Err(EventsError::Validation("The EndDate must be after the StartDate.".into()).into());
    }
    Ok(ScheduleDefinition {
        name,
        group,
        expression,
        timezone: r.schedule_expression_timezone,
        description: r.description,
        enabled,
        start_ms: r.start_date,
        end_ms: r.end_date,
        window,
        after_completion,
        kms_key_arn: r.kms_key_arn,
        target,
        client_token,
    })
}

fn window(w: dto::FlexibleTimeWindow) -> Result<Window, Refusal> {
    let mode = one_of(
        required(w.mode, "flexibleTimeWindow.mode")?,
        "flexibleTimeWindow.mode",
        &["OFF", "FLEXIBLE"],
    )?;
    if let Some(m) = w.maximum_window_in_minutes
        && !(1..=1440).contains(&m)
    {
        return Err(violation(Violation::range(
            "flexibleTimeWindow.maximumWindowInMinutes",
            m,
            1,
            1440,
        )));
    }
    match (mode.as_str(), w.maximum_window_in_minutes) {
        ("OFF", _) => Ok(Window::Off),
        (_, Some(m)) => Ok(Window::Flexible { max_minutes: m as u32 }),
        (_, None) => Err(EventsError::Validation(
            "MaximumWindowInMinutes must be specified when the FlexibleTimeWindow Mode is FLEXIBLE.".into(),
        )
        .into()),
    }
}

/// `^arn:aws(-[a-z]+)?:<service>:` followed by the rest, as the model's patterns begin.
fn arn_rest<'a>(arn: &'a str, service: &str) -> Option<&'a str> {
    let rest = arn.strip_prefix("arn:aws")?;
    let rest = match rest.strip_prefix('-') {
        Some(partition) => {
            let end = partition.find(':')?;
            if end == 0 || !partition[..end].bytes().all(|b| b.is_ascii_lowercase()) {
                return None;
            }
            &partition[end..]
        }
        None => rest,
    };
    rest.strip_prefix(':')?.strip_prefix(service)?.strip_prefix(':')
}

fn twelve_digits(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$`
fn role_arn_ok(arn: &str) -> bool {
    let Some(rest) = arn_rest(arn, "iam").and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    twelve_digits(account)
        && !role.is_empty()
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@/-".contains(&b))
}

/// `^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$`
fn queue_arn_ok(arn: &str) -> bool {
    let Some(rest) = arn_rest(arn, "sqs") else { return false };
    let mut parts = rest.splitn(3, ':');
    let (Some(region), Some(account), Some(queue)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && twelve_digits(account)
        && !queue.is_empty()
        && queue.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
}

/// An event's Source: starting with `[/.\-_A-Za-z0-9]` and not `aws.`,
/// or a JSONPath (`$.a.b`), as the model's pattern allows.
fn source_ok(source: &str) -> bool {
    if source.starts_with('$') {
        return true;
    }
    source
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b"/.-_".contains(&b))
        && !source.starts_with("aws.")
}

fn target(t: dto::Target) -> Result<ScheduleTarget, Refusal> {
    let arn = required(t.arn, "target.arn")?;
    length(&arn, "target.arn", 1, 1600)?;
    let role_arn = required(t.role_arn, "target.roleArn")?;
    length(&role_arn, "target.roleArn", 1, 1600)?;
    if !role_arn_ok(&role_arn) {
        return Err(violation(Violation::pattern(
            "target.roleArn",
            Shown::Value(role_arn),
            r"^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$",
        )));
    }
    if let Some(input) = &t.input {
        length(input, "target.input", 1, usize::MAX)?;
    }
    let retry = match t.retry_policy {
        None => RetryPolicy::default(),
        Some(p) => {
            let defaults = RetryPolicy::default();
            let attempts = p.maximum_retry_attempts.unwrap_or(i64::from(defaults.max_attempts));
            if !(0..=185).contains(&attempts) {
                return Err(violation(Violation::range(
                    "target.retryPolicy.maximumRetryAttempts",
                    attempts,
                    0,
                    185,
                )));
            }
            let age = p
                .maximum_event_age_in_seconds
                .unwrap_or(i64::from(defaults.max_age_secs));
            if !(60..=86_400).contains(&age) {
                return Err(violation(Violation::range(
                    "target.retryPolicy.maximumEventAgeInSeconds",
                    age,
                    60,
                    86_400,
                )));
            }
            RetryPolicy {
                max_attempts: attempts as u32,
                max_age_secs: age as u32,
            }
        }
    };
    let dead_letter_arn = match t.dead_letter_config.and_then(|d| d.arn) {
        Some(dlq) => {
            length(&dlq, "target.deadLetterConfig.arn", 1, 1600)?;
            if !queue_arn_ok(&dlq) {
                return Err(violation(Violation::pattern(
                    "target.deadLetterConfig.arn",
                    Shown::Value(dlq),
                    r"^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$",
                )));
            }
            Some(dlq)
        }
        None => None,
    };
    let message_group_id = t.sqs_parameters.and_then(|p| p.message_group_id);
    if let Some(g) = &message_group_id {
        length(g, "target.sqsParameters.messageGroupId", 1, 128)?;
    }
    let event_bridge = match t.event_bridge_parameters {
        Some(p) => {
            let detail_type = required(p.detail_type, "target.eventBridgeParameters.detailType")?;
            length(&detail_type, "target.eventBridgeParameters.detailType", 1, 128)?;
            let source = required(p.source, "target.eventBridgeParameters.source")?;
            length(&source, "target.eventBridgeParameters.source", 1, 256)?;
            if !source_ok(&source) {
                return Err(violation(Violation::pattern(
                    "target.eventBridgeParameters.source",
                    Shown::Value(source),
                    r"^(?=[/\.\-_A-Za-z0-9]+)((?!aws\.).*)|(\$(\.[\w_-]+(\[(\d+|\*)\])*)*)$",
                )));
            }
            Some(EventBridgeParameters { detail_type, source })
        }
        None => None,
    };
    Ok(ScheduleTarget {
        arn,
        role_arn,
        input: t.input,
        retry,
        dead_letter_arn,
        message_group_id,
        event_bridge,
        other: t.other,
    })
}

fn get_response(s: Schedule) -> GetScheduleResponse {
    let state = state_of(&s).to_string();
    let def = s.def;
    let t = def.target;
    let window = match def.window {
        Window::Off => dto::FlexibleTimeWindow {
            mode: Some("OFF".into()),
            maximum_window_in_minutes: None,
        },
        Window::Flexible { max_minutes } => dto::FlexibleTimeWindow {
            mode: Some("FLEXIBLE".into()),
            maximum_window_in_minutes: Some(i64::from(max_minutes)),
        },
    };
    GetScheduleResponse {
        action_after_completion: match def.after_completion {
            AfterCompletion::None => "NONE".into(),
            AfterCompletion::Delete => "DELETE".into(),
        },
        arn: s.arn,
        creation_date: s.created_ms,
        description: def.description,
        end_date: def.end_ms,
        flexible_time_window: window,
        group_name: def.group,
        kms_key_arn: def.kms_key_arn,
        last_modification_date: s.modified_ms,
        name: def.name,
        schedule_expression: def.expression,
        schedule_expression_timezone: def.timezone,
        start_date: def.start_ms,
        state,
        target: dto::Target {
            arn: Some(t.arn),
            role_arn: Some(t.role_arn),
            input: t.input,
            retry_policy: Some(dto::RetryPolicy {
                maximum_event_age_in_seconds: Some(i64::from(t.retry.max_age_secs)),
                maximum_retry_attempts: Some(i64::from(t.retry.max_attempts)),
            }),
            dead_letter_config: t.dead_letter_arn.map(|arn| dto::DeadLetterConfig { arn: Some(arn) }),
            sqs_parameters: t.message_group_id.map(|g| dto::SqsParameters {
                message_group_id: Some(g),
            }),
            event_bridge_parameters: t.event_bridge.map(|p| dto::EventBridgeParameters {
                detail_type: Some(p.detail_type),
                source: Some(p.source),
            }),
            other: t.other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_patterns() {
        assert!(role_arn_ok("arn:aws:iam::123456789012:role/service-role/Sched_1"));
        assert!(role_arn_ok("arn:aws-cn:iam::123456789012:role/r"));
        assert!(!role_arn_ok("arn:aws:iam::1234:role/r"));
        assert!(!role_arn_ok("arn:aws:iam::123456789012:user/r"));
        assert!(!role_arn_ok("arn:aws-:iam::123456789012:role/r"));
        assert!(queue_arn_ok("arn:aws:sqs:us-east-1:123456789012:dlq-1"));
        assert!(!queue_arn_ok("arn:aws:sqs:us-east-1:123456789012:q.fifo"));
        assert!(!queue_arn_ok("arn:aws:sns:us-east-1:123456789012:t"));
        assert!(source_ok("my.app"));
        assert!(source_ok("$.detail.source"));
        assert!(!source_ok("aws.s3"));
        assert!(!source_ok(" x"));
    }
}
