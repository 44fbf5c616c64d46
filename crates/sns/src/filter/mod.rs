//! Subscription filter policies, the language AWS documents for SNS
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html>):
//! a JSON object whose keys name message attributes (scope
//! `MessageAttributes`) or properties of a JSON message body (scope
//! `MessageBody`, where keys may nest), each holding a list of rules: exact
//! strings, numbers, `true`, `false` and `null`, `prefix`, `suffix`,
//! `equals-ignore-case`, `anything-but` (values, `prefix`, `suffix`),
//! `numeric` comparisons and ranges, `exists` and `cidr`; `$or` joins
//! alternatives. A message matches when every key matches (AND) by any of
//! its rules (OR); an array in the message matches when any element does.
//!
//! A policy is parsed once into [`FilterPolicy`] ([`parse`]), which is
//! checked against AWS's limits as it is read: 256 KB of text, 5 keys, 5
//! levels of nesting and 150 combinations of values; matching then never
//! looks at the JSON of the policy again. A policy is untrusted input: the
//! parser is fuzzed (`crate::fuzzing`).

mod eval;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use parse::PolicyError;

use crate::message::Attribute;

/// AWS's limits on a policy.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;
pub const MAX_KEYS: usize = 5;
pub const MAX_DEPTH: usize = 5;
pub const MAX_COMBINATIONS: u64 = 150;

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
}

/// A parsed, checked filter policy.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    root: Node,
    scope: Scope,
}

/// One object of a policy: keys that must all match, and `$or` groups of
/// which one alternative must match.
#[derive(Debug, Clone, PartialEq, Default)]
struct Node {
    fields: Vec<(String, Field)>,
    any_of: Vec<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    /// The key's value matches one of these.
    Rules(Vec<Rule>),
    /// The key holds an object matched by a nested policy (MessageBody only).
    Nested(Node),
}

#[derive(Debug, Clone, PartialEq)]
enum Rule {
    Exact(Literal),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    AnythingBut(AnythingBut),
    Numeric(Range),
    Exists(bool),
    Cidr(Net),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum AnythingBut {
    Values(Vec<Literal>),
    Prefix(String),
    Suffix(String),
}

/// A numeric condition: bounds, each with whether it is included.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    lower: Option<(f64, bool)>,
    upper: Option<(f64, bool)>,
}

/// An IP network: the address's bits (IPv4 in the low 32) and the mask length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    v6: bool,
    bits: u128,
    prefix: u8,
}

/// Parses and checks a policy as SetSubscriptionAttributes and Subscribe
/// do; the error says why in AWS's words, without the prefix of the
/// operation (`Invalid parameter: FilterPolicy: `).
pub fn parse(text: &str, scope: Scope) -> Result<FilterPolicy, PolicyError> {
    parse::policy(text, scope)
}

impl FilterPolicy {
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether a message with these attributes passes (scope MessageAttributes).
    pub fn matches_attributes(&self, attributes: &BTreeMap<String, Attribute>) -> bool {
        eval::attributes(&self.root, attributes)
    }

    /// Whether a message with this body passes (scope MessageBody): a body
    /// that is not a JSON object passes only an empty policy.
    pub fn matches_body(&self, body: &str) -> bool {
        if self.root == Node::default() {
            return true;
        }
        match serde_json::from_str::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(map)) => eval::body(&self.root, Some(&map)),
            _ => false,
        }
    }

    /// Whether a message passes, by the policy's own scope.
    pub fn matches(&self, body: &str, attributes: &BTreeMap<String, Attribute>) -> bool {
        match self.scope {
            Scope::MessageAttributes => self.matches_attributes(attributes),
            Scope::MessageBody => self.matches_body(body),
        }
    }
}
