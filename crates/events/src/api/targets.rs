//! A rule's targets: what each receives (`Input`, `InputPath`,
//! `InputTransformer`), how delivery is retried, and where the undeliverable goes.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Output, paging};
use serde_json::{Value, json};

use super::dto::{
    DeadLetterConfig, FailedEntry, InputTransformer, ListRuleNamesByTargetRequest, ListTargetsByRuleRequest,
    PutTargetsRequest, RemoveTargetsRequest, RetryPolicy as RetryWire, SqsParameters, TargetWire,
};
use super::{Answer, SPEC, bus_of, limit, required, rule_name, violation};
use crate::error::EventsError;
use crate::model::{InputSpec, RetryPolicy, Target};
use crate::service::{Events, MAX_TARGETS_PER_RULE};
use crate::transform;

/// An InputTemplate's length (API reference: 1 to 8192).
const MAX_TEMPLATE_CHARS: usize = 8192;
/// Input's and InputPath's lengths.
const MAX_INPUT_CHARS: usize = 8192;
const MAX_INPUT_PATH_CHARS: usize = 256;

fn invalid(message: impl Into<String>) -> EventsError {
    EventsError::Validation(message.into())
}

/// Reads one target from the wire, refusing what AWS refuses.
fn target(wire: TargetWire, index: usize) -> Result<Target, EventsError> {
    let member = |m: &str| format!("targets.{}.member.{m}", index + 1);
    let id = wire
        .id
        .ok_or_else(|| invalid(Violation::null(&member("id")).message()))?;
    if !crate::names::valid_rule_name(&id) {
        return Err(invalid(
            Violation::pattern(&member("id"), Shown::Value(id), r"[\.\-_A-Za-z0-9]+").message(),
        ));
    }
    let arn = wire
        .arn
        .filter(|a| !a.is_empty())
        .ok_or_else(|| invalid(Violation::null(&member("arn")).message()))?;
    if arn.len() > 1600 {
        return Err(invalid(
            Violation::len_between(&member("arn"), Shown::Value(arn), 1, 1600).message(),
        ));
    }
    let given = [
        wire.input.is_some(),
        wire.input_path.is_some(),
        wire.input_transformer.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(invalid(format!(
            "Only one of Input, InputPath, or InputTransformer must be provided for target {id}."
        )));
    }
    let input = if let Some(text) = wire.input {
        if text.chars().count() > MAX_INPUT_CHARS {
            return Err(invalid(
                Violation::max_len(&member("input"), Shown::Hidden, MAX_INPUT_CHARS).message(),
            ));
        }
        if serde_json::from_str::<Value>(&text).is_err() {
            return Err(invalid(format!("Input for target {id} is not a valid JSON text.")));
        }
        InputSpec::Constant(text)
    } else if let Some(path) = wire.input_path {
        if path.chars().count() > MAX_INPUT_PATH_CHARS || !transform::valid_path(&path) {
            return Err(invalid(format!("InputPath for target {id} is invalid.")));
        }
        InputSpec::Path(path)
    } else if let Some(t) = wire.input_transformer {
        transformer(&id, t)?
    } else {
        InputSpec::Event
    };
    let retry = match wire.retry_policy {
        None => RetryPolicy::default(),
        Some(RetryWire {
            maximum_retry_attempts,
            maximum_event_age_in_seconds,
        }) => {
            let attempts = maximum_retry_attempts.unwrap_or(185);
            if !(0..=185).contains(&attempts) {
                return Err(invalid(
                    Violation::range(&member("retryPolicy.maximumRetryAttempts"), attempts, 0, 185).message(),
                ));
            }
            let age = maximum_event_age_in_seconds.unwrap_or(86_400);
            if !(60..=86_400).contains(&age) {
                return Err(invalid(
                    Violation::range(&member("retryPolicy.maximumEventAgeInSeconds"), age, 60, 86_400).message(),
                ));
            }
            RetryPolicy {
                max_attempts: attempts as u32,
                max_age_secs: age as u32,
            }
        }
    };
    let message_group_id = wire.sqs_parameters.and_then(|p| p.message_group_id);
    if arn.starts_with("arn:aws:sqs:") && arn.ends_with(".fifo") && message_group_id.is_none() {
        return Err(invalid(format!(
            "Parameter(s) SqsParameters must be specified for target: {id}."
        )));
    }
    Ok(Target {
        id,
        arn,
        role_arn: wire.role_arn,
        input,
        message_group_id,
        retry,
        dead_letter_arn: wire.dead_letter_config.and_then(|d| d.arn),
        other: wire.other,
    })
}

fn transformer(id: &str, t: InputTransformer) -> Result<InputSpec, EventsError> {
    let template = t
        .input_template
        .ok_or_else(|| invalid(Violation::null("inputTemplate").message()))?;
    if template.is_empty() || template.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(invalid(
            Violation::len_between("inputTemplate", Shown::Hidden, 1, MAX_TEMPLATE_CHARS).message(),
        ));
    }
    let map = t.input_paths_map.unwrap_or_default();
    if map.len() > transform::MAX_VARIABLES {
        return Err(invalid(format!(
            "InputPathsMap for target {id} has more than {} entries.",
            transform::MAX_VARIABLES
        )));
    }
    let mut paths = Vec::with_capacity(map.len());
    for (name, path) in map {
        let Value::String(path) = path else {
            return Err(invalid(format!("InputPathsMap for target {id} is invalid.")));
        };
        if name.starts_with("aws.events.") {
            return Err(invalid(format!(
                "InputTransformer for target {id} uses the reserved variable name {name}."
            )));
        }
        if path.chars().count() > MAX_INPUT_PATH_CHARS || !transform::valid_path(&path) {
            return Err(invalid(format!("InputPath {path} for target {id} is invalid.")));
        }
        paths.push((name, path));
    }
    let names: Vec<String> = paths.iter().map(|(n, _)| n.clone()).collect();
    if let Some(bad) = transform::unknown_placeholders(&template, &names).first() {
        return Err(invalid(format!(
            "InputTemplate for target {id} contains invalid placeholder {bad}."
        )));
    }
    Ok(InputSpec::Transformer { paths, template })
}

/// The target as ListTargetsByRule answers it.
fn wire(t: Target) -> TargetWire {
    let (input, input_path, input_transformer) = match t.input {
        InputSpec::Event => (None, None, None),
        InputSpec::Constant(text) => (Some(text), None, None),
        InputSpec::Path(path) => (None, Some(path), None),
        InputSpec::Transformer { paths, template } => (
            None,
            None,
            Some(InputTransformer {
                input_paths_map: (!paths.is_empty())
                    .then(|| paths.into_iter().map(|(k, v)| (k, Value::String(v))).collect()),
                input_template: Some(template),
            }),
        ),
    };
    let retry_policy = (t.retry != RetryPolicy::default()).then(|| RetryWire {
        maximum_retry_attempts: Some(i64::from(t.retry.max_attempts)),
        maximum_event_age_in_seconds: Some(i64::from(t.retry.max_age_secs)),
    });
    TargetWire {
        id: Some(t.id),
        arn: Some(t.arn),
        role_arn: t.role_arn,
        input,
        input_path,
        input_transformer,
        sqs_parameters: t.message_group_id.map(|g| SqsParameters {
            message_group_id: Some(g),
        }),
        retry_policy,
        dead_letter_config: t.dead_letter_arn.map(|arn| DeadLetterConfig { arn: Some(arn) }),
        other: t.other,
    }
}

pub(super) async fn put(e: &Events, r: PutTargetsRequest) -> Answer {
    let rule = rule_name(r.rule, "rule")?;
    let bus = bus_of(r.event_bus_name.as_deref());
    let wires = required(r.targets, "targets")?;
    if wires.is_empty() || wires.len() > 100 {
        return Err(violation(Violation::len_between("targets", Shown::Hidden, 1, 100)));
    }
    let mut accepted = Vec::new();
    let mut failed = Vec::new();
    for (i, w) in wires.into_iter().enumerate() {
        let id = w.id.clone().unwrap_or_default();
        let t = target(w, i)?;
        match e.host.check_target(&t.arn) {
            Ok(()) => accepted.push(t),
            Err(reason) => failed.push(FailedEntry {
                target_id: id,
                error_code: "ValidationException".into(),
                error_message: reason,
            }),
        }
    }
    if accepted.len() > MAX_TARGETS_PER_RULE {
        return Err(
            EventsError::LimitExceeded("The requested resource exceeds the maximum number allowed.".into()).into(),
        );
    }
    if !accepted.is_empty() {
        e.put_targets(&bus, &rule, accepted).await?;
    } else {
        e.describe_rule(&bus, &rule)?;
    }
    Ok(Output::members(
        json!({ "FailedEntryCount": failed.len(), "FailedEntries": failed }),
    ))
}

pub(super) async fn remove(e: &Events, r: RemoveTargetsRequest) -> Answer {
    let rule = rule_name(r.rule, "rule")?;
    let bus = bus_of(r.event_bus_name.as_deref());
    let ids = required(r.ids, "ids")?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(violation(Violation::len_between("ids", Shown::Hidden, 1, 100)));
    }
    e.remove_targets(&bus, &rule, &ids).await?;
    Ok(Output::members(json!({ "FailedEntryCount": 0, "FailedEntries": [] })))
}

pub(super) fn list(e: &Events, r: ListTargetsByRuleRequest) -> Answer {
    let rule = rule_name(r.rule, "rule")?;
    let max = limit(r.limit)?;
    let mut targets = e.describe_rule(&bus_of(r.event_bus_name.as_deref()), &rule)?.targets;
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    let (page, next) = paging::page_from(&SPEC, targets, |t| t.id.clone(), r.next_token.as_deref(), max)?;
    let mut answer = json!({ "Targets": page.into_iter().map(wire).collect::<Vec<_>>() });
    if let Some(t) = next {
        answer["NextToken"] = t.into();
    }
    Ok(Output::members(answer))
}

pub(super) fn rules_by_target(e: &Events, r: ListRuleNamesByTargetRequest) -> Answer {
    let arn = required(r.target_arn, "targetArn")?;
    let max = limit(r.limit)?;
    let names = e.rules_by_target(&bus_of(r.event_bus_name.as_deref()), &arn)?;
    let (page, next) = paging::page_from(&SPEC, names, Clone::clone, r.next_token.as_deref(), max)?;
    let mut answer = json!({ "RuleNames": page });
    if let Some(t) = next {
        answer["NextToken"] = t.into();
    }
    Ok(Output::members(answer))
}
