//! Subscription filter policies (<https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html>):
//! SNS's adapter over the content-filtering language it shares with EventBridge
//! (`lakestack_patterns`, which parses, checks and matches, and words SNS's refusals).
//!
//! What is SNS's own is here: a policy's scope, which picks the dialect (scope
//! `MessageAttributes` refuses nested keys), how a message is shown to the policy (its body
//! parsed as JSON, or its attributes as a JSON object: a String is a string, a Number a
//! number, a String.Array the array it holds, and a Binary attribute is left out), and the
//! operation's prefix before a refusal.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use lakestack_patterns::{Dialect, Pattern, PatternError};
use serde_json::{Map, Number, Value};

pub use lakestack_patterns::{
    SNS_MAX_COMBINATIONS as MAX_COMBINATIONS, SNS_MAX_DEPTH as MAX_DEPTH, SNS_MAX_KEYS as MAX_KEYS,
    SNS_MAX_POLICY_BYTES as MAX_POLICY_BYTES,
};

use crate::message::{Attribute, AttributeValue};

/// What a subscription's policy is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    MessageAttributes,
    MessageBody,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MessageAttributes" => Some(Self::MessageAttributes),
            "MessageBody" => Some(Self::MessageBody),
            _ => None,
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Self::MessageAttributes => Dialect::SnsAttributes,
            Self::MessageBody => Dialect::SnsBody,
        }
    }
}

/// A parsed, checked filter policy.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    pattern: Pattern,
    scope: Scope,
}

/// Why a policy is refused: not JSON (or not an object), or anything else SNS refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    Json(PatternError),
    Invalid(PatternError),
}

impl PolicyError {
    /// The message SNS answers, after the operation's own prefix
    /// (`Invalid parameter: ` or `Invalid parameter: Attributes Reason: `).
    pub fn message(&self, prefix: &str) -> String {
        let (Self::Json(e) | Self::Invalid(e)) = self;
        format!("{prefix}{}", e.message())
    }
}

impl From<PatternError> for PolicyError {
    fn from(e: PatternError) -> Self {
        if e.is_json() { Self::Json(e) } else { Self::Invalid(e) }
    }
}

/// Parses and checks a policy as SetSubscriptionAttributes and Subscribe do.
pub fn parse(text: &str, scope: Scope) -> Result<FilterPolicy, PolicyError> {
    let pattern = lakestack_patterns::parse(text, scope.dialect())?;
    Ok(FilterPolicy { pattern, scope })
}

impl FilterPolicy {
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether a message with these attributes passes (scope MessageAttributes).
    pub fn matches_attributes(&self, attributes: &BTreeMap<String, Attribute>) -> bool {
        self.pattern.matches(&attributes_as_json(attributes))
    }

    /// Whether a message with this body passes (scope MessageBody): a body that is not a
    /// JSON object passes only an empty policy.
    pub fn matches_body(&self, body: &str) -> bool {
        if self.pattern.is_empty() {
            return true;
        }
        serde_json::from_str::<Value>(body).is_ok_and(|v| self.pattern.matches(&v))
    }

    /// Whether a message passes, by the policy's own scope.
    pub fn matches(&self, body: &str, attributes: &BTreeMap<String, Attribute>) -> bool {
        match self.scope {
            Scope::MessageAttributes => self.matches_attributes(attributes),
            Scope::MessageBody => self.matches_body(body),
        }
    }
}

/// A message's attributes as the object a policy of scope MessageAttributes is matched
/// against. A value that holds nothing to match (a String.Array of no scalars, a Number that
/// does not read as one; Publish refuses both) becomes an empty array: the attribute is
/// there for `exists`, and nothing else matches it.
fn attributes_as_json(attributes: &BTreeMap<String, Attribute>) -> Value {
    let nothing = || Value::Array(Vec::new());
    let mut out = Map::new();
    for (name, a) in attributes {
        let AttributeValue::String(s) = &a.value else {
            // Binary attributes are not looked at: as if absent.
            continue;
        };
        let value = match a.kind() {
            "String.Array" => match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(items)) => Value::Array(
                    items
                        .into_iter()
                        .filter(|v| !matches!(v, Value::Array(_) | Value::Object(_)))
                        .collect(),
                ),
                _ => nothing(),
            },
            "Number" => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or_else(nothing, Value::Number),
            _ => Value::String(s.clone()),
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}
