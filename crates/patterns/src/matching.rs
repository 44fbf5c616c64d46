//! Matching an event (or an SNS message's body or attributes, as JSON) against a pattern.
//!
//! Every key of an object must match and one alternative of every `$or` group. A leaf key
//! matches when one of its matchers accepts one of the values there: an array stands for its
//! elements (at any depth), and only scalars are values, so `exists` sees leaves only. A
//! nested key is matched within one object at a time: an array of objects matches when one
//! of its elements does, so that keys matched inside it come from the same element
//! (event-ruler's array consistency).
//!
//! Recursion follows the pattern's objects, whose depth the reader bounds; arrays in the
//! event are flattened with an explicit stack. The cost is bounded by the pattern's size
//! times the event's, and wildcards match in linear time.

use serde_json::{Map, Value};

use crate::Dialect;
use crate::cidr::{self, Ip};
use crate::number;
use crate::tree::{Exclusion, FieldValue, Literal, Matcher, Node};

pub(crate) fn object(node: &Node, obj: Option<&Map<String, Value>>, dialect: Dialect) -> bool {
    node.fields.iter().all(|field| {
        let at = obj.and_then(|o| o.get(&field.key));
        match &field.value {
            FieldValue::Leaf(matchers) => leaf(matchers, at, dialect),
            FieldValue::Nested(inner) => {
                let objects = objects_in(at);
                if objects.is_empty() {
                    object(inner, None, dialect)
                } else {
                    objects.into_iter().any(|o| object(inner, Some(o), dialect))
                }
            }
        }
    }) && node
        .any_of
        .iter()
        .all(|alternatives| alternatives.iter().any(|a| object(a, obj, dialect)))
}

fn leaf(matchers: &[Matcher], at: Option<&Value>, dialect: Dialect) -> bool {
    let values = scalars_in(at);
    // SNS counts an attribute as present whatever it holds (a String.Array of no elements
    // too); elsewhere a key is present when it holds a value.
    let present = match dialect {
        Dialect::SnsAttributes => at.is_some(),
        Dialect::SnsBody | Dialect::EventPattern => !values.is_empty(),
    };
    matchers.iter().any(|m| match m {
        Matcher::Exists(want) => *want == present,
        other => values.iter().any(|v| accepts(other, v, dialect)),
    })
}

/// The scalars at a key: an array stands for its elements, objects are not values.
fn scalars_in(at: Option<&Value>) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = at.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(_) => {}
            scalar => out.push(scalar),
        }
    }
    out
}

/// The objects at a key: an array stands for its elements.
fn objects_in(at: Option<&Value>) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = at.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(m) => out.push(m),
            _ => {}
        }
    }
    out
}

fn ip_of(s: &str, dialect: Dialect) -> Option<Ip> {
    match dialect {
        Dialect::SnsAttributes | Dialect::SnsBody => cidr::sns_ip(s),
        Dialect::EventPattern => cidr::ruler_ip(s),
    }
}

/// Whether one value satisfies a matcher (`exists` is decided by the key).
fn accepts(matcher: &Matcher, v: &Value, dialect: Dialect) -> bool {
    match (matcher, v) {
        (Matcher::Exact(l), v) => equals(l, v, dialect),
        (Matcher::Prefix(p), Value::String(s)) => s.starts_with(p.as_str()),
        (Matcher::PrefixIgnoreCase(p), Value::String(s)) => s.to_lowercase().starts_with(p.as_str()),
        (Matcher::Suffix(p), Value::String(s)) => s.ends_with(p.as_str()),
        (Matcher::SuffixIgnoreCase(p), Value::String(s)) => s.to_lowercase().ends_with(p.as_str()),
        (Matcher::EqualsIgnoreCase(p), Value::String(s)) => s.to_lowercase() == *p,
        (Matcher::Wildcard(w), Value::String(s)) => w.matches(s),
        (Matcher::Numeric(r), Value::Number(n)) => r.contains(n, dialect),
        (Matcher::Cidr(net), Value::String(s)) => ip_of(s, dialect).is_some_and(|ip| net.contains(ip)),
        (Matcher::AnythingBut(e), v) => excludes(e, v, dialect),
        _ => false,
    }
}

/// Whether a value is none of what `anything-but` refuses. For EventBridge a value that is
/// not a string is none of any prefix, suffix or wildcard; SNS lets only strings through
/// those.
fn excludes(exclusion: &Exclusion, v: &Value, dialect: Dialect) -> bool {
    let other_types = dialect == Dialect::EventPattern;
    match (exclusion, v) {
        (Exclusion::Values(list), v) => !list.iter().any(|l| equals(l, v, dialect)),
        (Exclusion::Prefixes(list), Value::String(s)) => !list.iter().any(|p| s.starts_with(p.as_str())),
        (Exclusion::Suffixes(list), Value::String(s)) => !list.iter().any(|p| s.ends_with(p.as_str())),
        (Exclusion::IgnoreCase(list), Value::String(s)) => {
            let lower = s.to_lowercase();
            !list.contains(&lower)
        }
        (Exclusion::Wildcards(list), Value::String(s)) => !list.iter().any(|w| w.matches(s)),
        _ => other_types,
    }
}

fn equals(literal: &Literal, v: &Value, dialect: Dialect) -> bool {
    match (literal, v) {
        (Literal::Str { text, ip }, Value::String(s)) => {
            text == s || ip.is_some_and(|ip| cidr::ruler_ip(s) == Some(ip))
        }
        (Literal::Num(n), Value::Number(e)) => number::equal(n, e, dialect),
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Null, Value::Null) => true,
        _ => false,
    }
}
