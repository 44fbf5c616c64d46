//! The model's constraints on members shared by several operations: which
//! log group a request names, limits, times and tokens.

use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{ServiceError, paging};

use super::SPEC;
use crate::error::LogsError;
use crate::model::Position;
use crate::names;

pub(super) fn violation(v: Violation) -> ServiceError {
    SPEC.violation(v)
}

/// A required log group name, checked.
pub(super) fn group_name(name: Option<String>) -> Result<String, ServiceError> {
    let name = SPEC.required(name, "logGroupName")?;
    names::check_group("logGroupName", &name)?;
    Ok(name)
}

/// The group named by `logGroupName` or `logGroupIdentifier` (a name or
/// an ARN): one of them, not both.
pub(super) fn group_identified(name: Option<String>, identifier: Option<String>) -> Result<String, ServiceError> {
    match (name, identifier) {
        (Some(_), Some(_)) => Err(LogsError::InvalidParameter(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.".into(),
        )
        .into()),
        (Some(n), None) => group_name(Some(n)),
        (None, Some(id)) => {
            if id.starts_with("arn:") {
                names::group_of_arn(&id).ok_or_else(|| LogsError::no_group().into())
            } else {
                if id.is_empty() || id.chars().count() > 2048 {
                    return Err(violation(Violation::len_between(
                        "logGroupIdentifier",
                        Shown::Value(id),
                        1,
                        2048,
                    )));
                }
                names::check_group("logGroupIdentifier", &id)?;
                Ok(id)
            }
        }
        (None, None) => Err(violation(Violation::null("logGroupName"))),
    }
}

pub(super) fn stream_name(name: Option<String>) -> Result<String, ServiceError> {
    let name = SPEC.required(name, "logStreamName")?;
    names::check_stream("logStreamName", &name)?;
    Ok(name)
}

/// A `limit` of `min..=max`, `default` when absent.
pub(super) fn limit(value: Option<i64>, max: i64, default: usize) -> Result<usize, ServiceError> {
    match value {
        None => Ok(default),
        Some(v) if v < 1 => Err(violation(Violation::at_least("limit", v, 1))),
        Some(v) if v > max => Err(violation(Violation::at_most("limit", v, max))),
        Some(v) => Ok(v as usize),
    }
}

/// A time member: epoch milliseconds, not negative.
pub(super) fn time(value: Option<i64>, member: &str) -> Result<Option<i64>, ServiceError> {
    match value {
        Some(v) if v < 0 => Err(violation(Violation::at_least(member, v, 0))),
        other => Ok(other),
    }
}

/// One of the values of an enum member.
pub(super) fn one_of<'a>(
    value: Option<&'a str>,
    member: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ServiceError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(violation(Violation::one_of(member, v, allowed))),
        other => Ok(other),
    }
}

/// A `nextToken` the kit's paging wrote, decoded to its key.
pub(super) fn token(value: Option<&str>) -> Result<Option<String>, ServiceError> {
    paging::after(&SPEC, value)
}

/// A group-wide position in the form FilterLogEvents' tokens carry it.
pub(super) fn encode_position(p: Position) -> String {
    paging::encode(&format!("{}:{}", p.timestamp, p.id))
}

pub(super) fn decode_position(token: Option<&str>) -> Result<Option<Position>, ServiceError> {
    let Some(key) = self::token(token)? else {
        return Ok(None);
    };
    let parsed = key.split_once(':').and_then(|(t, i)| {
        Some(Position {
            timestamp: t.parse().ok()?,
            id: i.parse().ok()?,
        })
    });
    parsed
        .map(Some)
        .ok_or_else(|| SPEC.invalid_token(token.unwrap_or_default()))
}

/// GetLogEvents' tokens: `f/` (forward, after) or `b/` (backward, before),
/// 56 digits naming a position (the timestamp in 20, the event's id in
/// 36, as AWS's tokens have 56), and `/s`.
pub(super) fn stream_token(forward: bool, p: Position) -> String {
    let dir = if forward { 'f' } else { 'b' };
    format!("{dir}/{:020}{:036}/s", p.timestamp, p.id)
}

/// A GetLogEvents token: its direction (forward?) and position.
pub(super) fn parse_stream_token(token: &str) -> Result<(bool, Position), ServiceError> {
    let bad = || SPEC.invalid_token(token);
    let (forward, rest) = if let Some(r) = token.strip_prefix("f/") {
        (true, r)
    } else if let Some(r) = token.strip_prefix("b/") {
        (false, r)
    } else {
        return Err(bad());
    };
    let digits = rest.strip_suffix("/s").ok_or_else(bad)?;
    if digits.len() != 56 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let timestamp = digits[..20].parse().map_err(|_| bad())?;
    let id = digits[20..].parse().map_err(|_| bad())?;
    Ok((forward, Position { timestamp, id }))
}

/// Tags as the model bounds them: keys of 1 to 128 characters, values of
/// at most 256.
pub(super) fn tags(tags: Option<super::dto::Tags>, member: &str) -> Result<Vec<(String, String)>, ServiceError> {
    let tags = tags.unwrap_or_default();
    for (k, v) in &tags {
        let n = k.chars().count();
        if !(1..=128).contains(&n) {
            return Err(violation(Violation::len_between(
                &format!("{member}.key"),
                Shown::Value(k.clone()),
                1,
                128,
            )));
        }
        if v.chars().count() > 256 {
            return Err(violation(Violation::max_len(
                &format!("{member}.value"),
                Shown::Value(v.clone()),
                256,
            )));
        }
    }
    Ok(tags.into_iter().collect())
}
