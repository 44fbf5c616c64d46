//! A target's input: the event itself, a constant (`Input`), a part of the
//! event (`InputPath`), or a template filled from it (`InputTransformer`).
//!
//! EventBridge's paths are a small JSONPath: `$`, `.name`, `['name']`,
//! `[n]` and `*`. A template's `<name>` placeholders are filled by where
//! they stand, as AWS documents and answers:
//! - in a value position of a JSON template (`{"a": <v>}`), a string goes
//!   in quoted, anything else as its JSON; a path that found nothing as `""`;
//! - inside a JSON string (`"is <v>"`), a string goes in as it is (AWS does
//!   not escape it), an object or array as its JSON without its quotes, and
//!   nothing found as nothing;
//! - in a plain-text template, a string as it is, anything else as its JSON.
//!
//! A template that is a JSON string is delivered with its quotes.

use serde_json::Value;

/// The predefined variables of a template.
pub const RULE_ARN: &str = "aws.events.rule-arn";
pub const RULE_NAME: &str = "aws.events.rule-name";
pub const INGESTION_TIME: &str = "aws.events.event.ingestion-time";
pub const EVENT: &str = "aws.events.event";
pub const EVENT_JSON: &str = "aws.events.event.json";
/// AWS's limit on InputPathsMap.
pub const MAX_VARIABLES: usize = 100;

/// What a template may draw on besides its variables.
pub struct Context<'a> {
    pub rule_arn: &'a str,
    pub rule_name: &'a str,
    pub ingestion_time: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    Any,
}

/// Reads a path; `None` when it is not one EventBridge accepts.
fn steps(path: &str) -> Option<Vec<Step>> {
    let rest = path.trim().strip_prefix('$')?;
    let bytes = rest.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'.' && bytes[end] != b'[' {
                    end += 1;
                }
                let key = &rest[start..end];
                if key.is_empty() {
                    return None;
                }
                out.push(if key == "*" {
                    Step::Any
                } else {
                    Step::Key(key.to_string())
                });
                i = end;
            }
            b'[' => {
                let close = rest[i..].find(']')? + i;
                let inner = rest[i + 1..close].trim();
                if inner == "*" {
                    out.push(Step::Any);
                } else if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    out.push(Step::Key(q.to_string()));
                } else {
                    out.push(Step::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Whether `path` is a path EventBridge accepts.
pub fn valid_path(path: &str) -> bool {
    steps(path).is_some()
}

/// The value at `path` in `event`: one value, or an array of what a `*`
/// gathered; `None` when nothing is there.
pub fn select(event: &Value, path: &str) -> Option<Value> {
    let steps = steps(path)?;
    let mut current = vec![event];
    let mut wild = false;
    for step in &steps {
        let mut next = Vec::new();
        for v in current {
            match (step, v) {
                (Step::Key(k), Value::Object(m)) => next.extend(m.get(k)),
                (Step::Index(n), Value::Array(a)) => next.extend(a.get(*n)),
                (Step::Any, Value::Object(m)) => next.extend(m.values()),
                (Step::Any, Value::Array(a)) => next.extend(a.iter()),
                _ => {}
            }
        }
        wild |= *step == Step::Any;
        current = next;
    }
    if wild {
        Some(Value::Array(current.into_iter().cloned().collect()))
    } else {
        current.first().map(|v| (*v).clone())
    }
}

/// The placeholders of a template that name neither a variable of `vars`
/// nor a predefined one (PutTargets refuses them).
pub fn unknown_placeholders<'a>(template: &'a str, vars: &[String]) -> Vec<&'a str> {
    placeholders(template)
        .filter(|name| !PREDEFINED.contains(name) && !vars.iter().any(|v| v == name))
        .collect()
}

const PREDEFINED: [&str; 5] = [RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON];

/// A placeholder's name: what `<...>` may hold.
fn placeholder_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The name of the placeholder `text` starts with, if it starts with one.
fn placeholder_at(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('<')?;
    let end = rest.find(|c: char| !placeholder_char(c))?;
    (end > 0 && rest[end..].starts_with('>')).then(|| &rest[..end])
}

/// The names of a template's `<name>` placeholders, in order.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .match_indices('<')
        .filter_map(|(i, _)| placeholder_at(&template[i..]))
}

/// Fills a template. `vars` are the InputPathsMap's names with the values
/// their paths found (`None` when nothing was there).
pub fn fill(template: &str, vars: &[(String, Option<Value>)], event: &Value, cx: &Context<'_>) -> String {
    fill_bounded(template, vars, event, cx, usize::MAX).unwrap_or_default()
}

/// [`fill`], giving up (`None`) as soon as the output passes `limit` bytes:
/// a short template repeating a large value must not take memory without bound.
pub fn fill_bounded(
    template: &str,
    vars: &[(String, Option<Value>)],
    event: &Value,
    cx: &Context<'_>,
    limit: usize,
) -> Option<String> {
    let json = matches!(template.trim_start().as_bytes().first(), Some(b'{' | b'[' | b'"'));
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(name) = placeholder_at(rest)
            && let Some(value) = lookup(name, vars, event, cx)
        {
            put(&mut out, value.as_ref(), in_string, json);
            if out.len() > limit {
                return None;
            }
            rest = &rest[name.len() + 2..];
            escaped = false;
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (out.len() <= limit).then_some(out)
}

/// A placeholder's value: `Some(None)` for a variable whose path found
/// nothing; `None` when the name is not a variable (the text stays as written).
fn lookup(name: &str, vars: &[(String, Option<Value>)], event: &Value, cx: &Context<'_>) -> Option<Option<Value>> {
    Some(Some(match name {
        RULE_ARN => cx.rule_arn.into(),
        RULE_NAME => cx.rule_name.into(),
        INGESTION_TIME => cx.ingestion_time.into(),
        EVENT => without_detail(event),
        EVENT_JSON => event.clone(),
        _ => return vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()),
    }))
}

/// `aws.events.event`: the envelope without its detail, its members named
/// and ordered as AWS delivers them (`detailType`, not `detail-type`).
fn without_detail(event: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (from, to) in [
        ("id", "id"),
        ("account", "account"),
        ("detail-type", "detailType"),
        ("time", "time"),
        ("source", "source"),
        ("region", "region"),
        ("resources", "resources"),
        ("version", "version"),
    ] {
        if let Some(v) = event.get(from) {
            out.insert(to.into(), v.clone());
        }
    }
    Value::Object(out)
}

fn put(out: &mut String, value: Option<&Value>, in_string: bool, json: bool) {
    match (value, in_string, json) {
        (None, true, _) | (None, false, false) => {}
        (None, false, true) => out.push_str("\"\""),
        (Some(Value::String(s)), true, _) | (Some(Value::String(s)), false, false) => out.push_str(s),
        // An object or array inside a string loses its inner quotes, so the string stays one.
        (Some(other), true, _) => out.extend(other.to_string().chars().filter(|c| *c != '"')),
        (Some(other), false, _) => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests;
