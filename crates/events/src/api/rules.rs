//! Rules: what they match (a pattern or a schedule) and whether they are on.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, paging};
use lakestack_patterns::{Dialect, Pattern};
use serde_json::json;

use super::dto::{ListRulesRequest, PutRuleRequest, RuleOut, RuleRequest};
use super::{Answer, SPEC, bus_of, limit, rule_name, violation};
use crate::error::EventsError;
use crate::model::Rule;
use crate::names::{self, DEFAULT_BUS};
use crate::schedule::Schedule;
use crate::service::Events;

const STATES: [&str; 3] = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];

fn out(rule: Rule, with_creator: bool) -> RuleOut {
    RuleOut {
        name: rule.name,
        arn: rule.arn,
        event_pattern: rule.event_pattern,
        schedule_expression: rule.schedule_expression,
        state: rule.state,
        description: rule.description,
        role_arn: rule.role_arn,
        managed_by: rule.managed_by,
        event_bus_name: rule.bus,
        created_by: with_creator.then_some(rule.created_by),
    }
}

/// Reads an event pattern as PutRule and TestEventPattern do, refusing it
/// with AWS's code and words.
pub(super) fn check_pattern(pattern: &str) -> Result<Pattern, EventsError> {
    lakestack_patterns::parse(pattern, Dialect::EventPattern).map_err(|e| match e.code() {
        "ValidationException" => EventsError::Validation(e.message()),
        _ => EventsError::InvalidEventPattern(e.message()),
    })
}

pub(super) async fn put(e: &Events, r: PutRuleRequest) -> Answer {
    let name = rule_name(r.name, "name")?;
    let bus = bus_of(r.event_bus_name.as_deref());
    let pattern = r.event_pattern.filter(|p| !p.is_empty());
    let schedule = r.schedule_expression.filter(|s| !s.is_empty());
    if pattern.is_none() && schedule.is_none() {
        return Err(EventsError::Validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into(),
        )
        .into());
    }
    if let Some(p) = &pattern {
        check_pattern(p)?;
    }
    if let Some(s) = &schedule {
        if bus != DEFAULT_BUS {
            return Err(EventsError::Validation(
                "ScheduleExpression is supported only on the default event bus.".into(),
            )
            .into());
        }
        if Schedule::parse(s).is_none() {
            return Err(EventsError::Validation("Parameter ScheduleExpression is not valid.".into()).into());
        }
    }
    let state = r.state.unwrap_or_else(|| "ENABLED".into());
    if !STATES.contains(&state.as_str()) {
        return Err(violation(Violation::one_of("state", &state, &STATES)));
    }
    if r.description.as_ref().is_some_and(|d| d.chars().count() > 512) {
        return Err(violation(Violation::max_len("description", Shown::Hidden, 512)));
    }
    let s = e.settings();
    let rule = Rule {
        arn: names::rule_arn(&s.region, &s.account_id, &bus, &name),
        name,
        bus,
        event_pattern: pattern,
        schedule_expression: schedule,
        state,
        description: r.description,
        role_arn: r.role_arn,
        managed_by: None,
        created_by: s.account_id.clone(),
        created_ms: e.clock().now_ms(),
        tags: super::tags::read(r.tags)?,
        targets: Vec::new(),
    };
    let rule = e.put_rule(rule).await?;
    Ok(Output::members(json!({ "RuleArn": rule.arn })))
}

pub(super) fn describe(e: &Events, r: RuleRequest) -> Answer {
    let name = rule_name(r.name, "name")?;
    let rule = e.describe_rule(&bus_of(r.event_bus_name.as_deref()), &name)?;
    Output::of(&out(rule, true))
}

pub(super) fn list(e: &Events, r: ListRulesRequest) -> Answer {
    let max = limit(r.limit)?;
    let prefix = r.name_prefix.unwrap_or_default();
    let rules = e
        .list_rules(&bus_of(r.event_bus_name.as_deref()))?
        .into_iter()
        .filter(|rule| rule.name.starts_with(&prefix));
    let (page, next) = paging::page_from(&SPEC, rules, |rule| rule.name.clone(), r.next_token.as_deref(), max)?;
    let mut answer = json!({ "Rules": page.into_iter().map(|rule| out(rule, false)).collect::<Vec<_>>() });
    if let Some(t) = next {
        answer["NextToken"] = t.into();
    }
    Ok(Output::members(answer))
}

pub(super) async fn delete(e: &Events, r: RuleRequest) -> Answer {
    let name = rule_name(r.name, "name")?;
    e.delete_rule(&bus_of(r.event_bus_name.as_deref()), &name, r.force.unwrap_or(false))
        .await?;
    Ok(Output::empty_members())
}

pub(super) async fn set_state(e: &Events, r: RuleRequest, state: &str) -> Answer {
    let name = rule_name(r.name, "name")?;
    e.update_rule(&bus_of(r.event_bus_name.as_deref()), &name, |rule| {
        rule.state = state.to_string();
        Ok(())
    })
    .await?;
    Ok(Output::empty_members())
}
