//! Matching a message against a parsed policy. Every key must match (AND);
//! a key matches by any of its rules (OR). Attributes: a String is a
//! string, a Number a number, a String.Array each of its elements, and a
//! Binary attribute is not looked at (it is as if absent). Body: the
//! scalars at a key, an array standing for each of its elements, and a
//! nested policy matched within one object of an array at a time.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::{AnythingBut, Field, Literal, Net, Node, Range, Rule};
use crate::message::{Attribute, AttributeValue};

/// A value a rule is matched against.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Null,
}

impl<'a> Val<'a> {
    fn of(v: &'a Value) -> Option<Self> {
        match v {
            Value::String(s) => Some(Self::Str(s)),
            Value::Number(n) => n.as_f64().map(Self::Num),
            Value::Bool(b) => Some(Self::Bool(*b)),
            Value::Null => Some(Self::Null),
            _ => None,
        }
    }
}

/// AWS compares numbers to five decimal places.
fn same_number(a: f64, b: f64) -> bool {
    (a * 1e5).round() == (b * 1e5).round()
}

fn equals(l: &Literal, v: Val<'_>) -> bool {
    match (l, v) {
        (Literal::Str(a), Val::Str(b)) => a == b,
        (Literal::Num(a), Val::Num(b)) => same_number(*a, b),
        (Literal::Bool(a), Val::Bool(b)) => *a == b,
        (Literal::Null, Val::Null) => true,
        _ => false,
    }
}

impl Range {
    fn contains(&self, n: f64) -> bool {
        let above = self.lower.is_none_or(|(b, inc)| if inc { n >= b } else { n > b });
        let below = self.upper.is_none_or(|(t, inc)| if inc { n <= t } else { n < t });
        above && below
    }
}

pub(super) fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl Net {
    fn contains(&self, s: &str) -> bool {
        let Ok(ip) = s.parse::<IpAddr>() else { return false };
        let (v6, width) = match ip {
            IpAddr::V4(_) => (false, 32u32),
            IpAddr::V6(_) => (true, 128u32),
        };
        if v6 != self.v6 {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
        let width_mask = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
        (ip_bits(ip) & mask & width_mask) == (self.bits & mask & width_mask)
    }
}

impl Rule {
    /// Whether one value satisfies the rule (`exists` is decided by the key).
    fn accepts(&self, v: Val<'_>) -> bool {
        match (self, v) {
            (Rule::Exact(l), v) => equals(l, v),
            (Rule::Prefix(p), Val::Str(s)) => s.starts_with(p.as_str()),
            (Rule::Suffix(p), Val::Str(s)) => s.ends_with(p.as_str()),
            (Rule::EqualsIgnoreCase(p), Val::Str(s)) => s.to_lowercase() == p.to_lowercase(),
            (Rule::AnythingBut(AnythingBut::Values(list)), v) => !list.iter().any(|l| equals(l, v)),
            (Rule::AnythingBut(AnythingBut::Prefix(p)), Val::Str(s)) => !s.starts_with(p.as_str()),
            (Rule::AnythingBut(AnythingBut::Suffix(p)), Val::Str(s)) => !s.ends_with(p.as_str()),
            (Rule::Numeric(r), Val::Num(n)) => r.contains(n),
            (Rule::Cidr(net), Val::Str(s)) => net.contains(s),
            _ => false,
        }
    }
}

/// A key's rules against the values found at it; `present` says whether
/// the key exists with a value to match.
fn key_matches(rules: &[Rule], present: bool, values: &[Val<'_>]) -> bool {
    rules.iter().any(|r| match r {
        Rule::Exists(want) => *want == present,
        other => values.iter().any(|v| other.accepts(*v)),
    })
}

pub(super) fn attributes(node: &Node, attrs: &BTreeMap<String, Attribute>) -> bool {
    let fields = node.fields.iter().all(|(key, field)| match field {
        Field::Rules(rules) => {
            let parsed;
            let values: Vec<Val<'_>> = match attrs.get(key) {
                Some(a) => match (&a.value, a.kind()) {
                    (AttributeValue::String(s), "String.Array") => {
                        parsed = serde_json::from_str::<Value>(s).ok();
                        match &parsed {
                            Some(Value::Array(items)) => items.iter().filter_map(Val::of).collect(),
                            _ => Vec::new(),
                        }
                    }
                    (AttributeValue::String(s), "Number") => s.trim().parse().map(Val::Num).into_iter().collect(),
                    (AttributeValue::String(s), _) => vec![Val::Str(s)],
                    (AttributeValue::Binary(_), _) => {
                        return key_matches(rules, false, &[]);
                    }
                },
                None => return key_matches(rules, false, &[]),
            };
            key_matches(rules, true, &values)
        }
        // Nested keys are refused for attributes when the policy is read.
        Field::Nested(_) => false,
    });
    fields && node.any_of.iter().all(|alts| alts.iter().any(|a| attributes(a, attrs)))
}

/// The scalars at a key of the body: an array stands for its elements.
fn leaves<'a>(v: &'a Value, out: &mut Vec<Val<'a>>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
        Value::Object(_) => {}
        scalar => out.extend(Val::of(scalar)),
    }
}

/// The objects at a key of the body: an array stands for its elements.
fn objects<'a>(v: &'a Value, out: &mut Vec<&'a Map<String, Value>>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| objects(i, out)),
        Value::Object(m) => out.push(m),
        _ => {}
    }
}

pub(super) fn body(node: &Node, obj: Option<&Map<String, Value>>) -> bool {
    let fields = node.fields.iter().all(|(key, field)| {
        let at = obj.and_then(|o| o.get(key));
        match field {
            Field::Rules(rules) => {
                let mut values = Vec::new();
                if let Some(v) = at {
                    leaves(v, &mut values);
                }
                key_matches(rules, !values.is_empty(), &values)
            }
            Field::Nested(inner) => {
                let mut found = Vec::new();
                if let Some(v) = at {
                    objects(v, &mut found);
                }
                if found.is_empty() {
                    body(inner, None)
                } else {
                    found.into_iter().any(|m| body(inner, Some(m)))
                }
            }
        }
    });
    fields && node.any_of.iter().all(|alts| alts.iter().any(|a| body(a, obj)))
}
