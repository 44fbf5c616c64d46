//! Reading a policy's JSON into rules, refusing what AWS refuses with its
//! words. Shape errors come in document order, as AWS's streaming reader
//! finds them; the limits on keys, depth and combinations are checked on
//! the whole policy afterwards.

use serde_json::{Map, Value};

use super::{AnythingBut, Field, FilterPolicy, Literal, Net, Node, Range, Rule, Scope};
use super::{MAX_COMBINATIONS, MAX_DEPTH, MAX_KEYS, MAX_POLICY_BYTES};

/// Why a policy is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// Not JSON: the parser's own words.
    Json(String),
    /// A rule or a limit AWS refuses (`Filter policy is too complex`).
    Invalid(String),
    /// A nested key under scope MessageAttributes.
    NestedAttributes,
}

impl PolicyError {
    /// The message SNS answers, after the operation's own prefix
    /// (`Invalid parameter: ` or `Invalid parameter: Attributes Reason: `).
    pub fn message(&self, prefix: &str) -> String {
        match self {
            Self::Json(m) => format!("{prefix}FilterPolicy: failed to parse JSON. {m}"),
            Self::Invalid(m) => format!("{prefix}FilterPolicy: {m}"),
            Self::NestedAttributes => {
                format!("{prefix}Filter policy scope MessageAttributes does not support nested filter policy")
            }
        }
    }
}

fn invalid(m: impl Into<String>) -> PolicyError {
    PolicyError::Invalid(m.into())
}

pub(super) fn policy(text: &str, scope: Scope) -> Result<FilterPolicy, PolicyError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(invalid("Filter policy is too large"));
    }
    // serde_json stops at 128 levels of nesting, so no input can exhaust
    // the stack here or in the walk below.
    let value: Value = serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(PolicyError::Json("The filter policy must be a JSON object".into()));
    };
    let mut depth = 0;
    let root = node(&map, 1, &mut depth)?;
    if scope == Scope::MessageAttributes && depth > 1 {
        return Err(PolicyError::NestedAttributes);
    }
    if map.len() > MAX_KEYS {
        return Err(invalid(format!("Filter policy can not have more than {MAX_KEYS} keys")));
    }
    if depth > MAX_DEPTH {
        return Err(invalid(format!(
            "Filter policy can not have more than {MAX_DEPTH} levels of nesting"
        )));
    }
    if combinations(&root, 1) > MAX_COMBINATIONS {
        return Err(invalid("Filter policy is too complex"));
    }
    Ok(FilterPolicy { root, scope })
}

/// An object of the policy at `level` (1 at the top); `deepest` records
/// the deepest level holding rules.
fn node(map: &Map<String, Value>, level: usize, deepest: &mut usize) -> Result<Node, PolicyError> {
    let mut out = Node::default();
    *deepest = (*deepest).max(level);
    for (key, value) in map {
        if key == "$or" {
            out.any_of.push(alternatives(value, level, deepest)?);
            continue;
        }
        let field = match value {
            Value::Array(items) => Field::Rules(rules(items)?),
            Value::Object(inner) => Field::Nested(node(inner, level + 1, deepest)?),
            _ => return Err(invalid(format!("\"{key}\" must be an object or an array"))),
        };
        out.fields.push((key.clone(), field));
    }
    Ok(out)
}

fn alternatives(value: &Value, level: usize, deepest: &mut usize) -> Result<Vec<Node>, PolicyError> {
    let refuse = || invalid("\"$or\" must be an array of at least two objects");
    let Value::Array(items) = value else {
        return Err(refuse());
    };
    if items.len() < 2 {
        return Err(refuse());
    }
    items
        .iter()
        .map(|item| match item {
            Value::Object(m) => node(m, level, deepest),
            _ => Err(refuse()),
        })
        .collect()
}

fn rules(items: &[Value]) -> Result<Vec<Rule>, PolicyError> {
    if items.is_empty() {
        return Err(invalid("Empty arrays are not allowed"));
    }
    items.iter().map(rule).collect()
}

fn literal(v: &Value) -> Option<Literal> {
    match v {
        Value::String(s) => Some(Literal::Str(s.clone())),
        Value::Number(n) => n.as_f64().map(Literal::Num),
        Value::Bool(b) => Some(Literal::Bool(*b)),
        Value::Null => Some(Literal::Null),
        _ => None,
    }
}

fn rule(v: &Value) -> Result<Rule, PolicyError> {
    match v {
        Value::Array(_) => Err(invalid("Match value must be String, number, true, false, or null")),
        Value::Object(m) => expression(m),
        scalar => literal(scalar)
            .map(Rule::Exact)
            .ok_or_else(|| invalid("Match value must be String, number, true, false, or null")),
    }
}

fn text<'a>(name: &str, v: &'a Value) -> Result<&'a str, PolicyError> {
    v.as_str()
        .ok_or_else(|| invalid(format!("{name} match pattern must be a string")))
}

/// `{"<operator>": <operand>}`: one key only.
fn expression(m: &Map<String, Value>) -> Result<Rule, PolicyError> {
    let mut entries = m.iter();
    let Some((op, operand)) = entries.next() else {
        return Err(invalid("Empty objects are not allowed"));
    };
    let rule = match op.as_str() {
        "prefix" => Rule::Prefix(text(op, operand)?.to_owned()),
        "suffix" => Rule::Suffix(text(op, operand)?.to_owned()),
        "equals-ignore-case" => Rule::EqualsIgnoreCase(text(op, operand)?.to_owned()),
        "anything-but" => Rule::AnythingBut(anything_but(operand)?),
        "numeric" => Rule::Numeric(numeric(operand)?),
        "exists" => Rule::Exists(
            operand
                .as_bool()
                .ok_or_else(|| invalid("exists match pattern must be either true or false."))?,
        ),
        "cidr" => Rule::Cidr(cidr(operand)?),
        other => return Err(invalid(format!("Unrecognized match type {other}"))),
    };
    if entries.next().is_some() {
        return Err(invalid("Only one key allowed in match expression"));
    }
    Ok(rule)
}

fn anything_but(v: &Value) -> Result<AnythingBut, PolicyError> {
    match v {
        Value::String(_) | Value::Number(_) => Ok(AnythingBut::Values(literal(v).into_iter().collect())),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(invalid("Empty arrays are not allowed"));
            }
            items
                .iter()
                .map(|i| match i {
                    Value::String(_) | Value::Number(_) => literal(i)
                        .ok_or_else(|| invalid("Inside anything but list, start|null|boolean is not supported.")),
                    _ => Err(invalid(
                        "Inside anything but list, start|null|boolean is not supported.",
                    )),
                })
                .collect::<Result<_, _>>()
                .map(AnythingBut::Values)
        }
        Value::Object(m) => {
            let mut entries = m.iter();
            let Some((op, operand)) = entries.next() else {
                return Err(invalid("Empty objects are not allowed"));
            };
            let out = match op.as_str() {
                "prefix" => AnythingBut::Prefix(text(op, operand)?.to_owned()),
                "suffix" => AnythingBut::Suffix(text(op, operand)?.to_owned()),
                other => return Err(invalid(format!("Unsupported anything-but pattern: {other}"))),
            };
            if entries.next().is_some() {
                return Err(invalid("Only one key allowed in match expression"));
            }
            Ok(out)
        }
        _ => Err(invalid(
            "Value of anything-but must be an array or single string/number value.",
        )),
    }
}

/// `["=", n]`, `["<" | "<=", n]`, `[">" | ">=", n]` or `[">" | ">=", a, "<" | "<=", b]`.
fn numeric(v: &Value) -> Result<Range, PolicyError> {
    let Value::Array(items) = v else {
        return Err(invalid("Value of numeric must be an array."));
    };
    let Some(first) = items.first() else {
        return Err(invalid("Invalid member in numeric match: ]"));
    };
    let Some(op) = first.as_str() else {
        return Err(invalid(format!("Invalid member in numeric match: {first}")));
    };
    let value_of = |i: usize, name: &str| -> Result<f64, PolicyError> {
        items
            .get(i)
            .and_then(Value::as_f64)
            .filter(|n| n.is_finite())
            .ok_or_else(|| invalid(format!("Value of {name} must be numeric")))
    };
    let (lower, upper) = match op {
        "=" => {
            let n = value_of(1, "equals")?;
            (Some((n, true)), Some((n, true)))
        }
        "<" | "<=" => (None, Some((value_of(1, op)?, op == "<="))),
        ">" | ">=" => (Some((value_of(1, op)?, op == ">=")), None),
        other => return Err(invalid(format!("Unrecognized numeric range operator: {other}"))),
    };
    if upper.is_some() || items.len() == 2 {
        if items.len() > 2 {
            return Err(invalid("Too many elements in numeric expression"));
        }
        return Ok(Range { lower, upper });
    }
    let second = &items[2];
    let Some(op2) = second.as_str() else {
        return Err(invalid(format!("Bad value in numeric range: {second}")));
    };
    if !matches!(op2, "<" | "<=") {
        return Err(invalid(format!("Bad numeric range operator: {op2}")));
    }
    let top = value_of(3, op2)?;
    if items.len() > 4 {
        return Err(invalid("Too many terms in numeric range expression"));
    }
    let bottom = lower.map_or(f64::NEG_INFINITY, |(b, _)| b);
    if bottom >= top {
        return Err(invalid("Bottom must be less than top"));
    }
    Ok(Range {
        lower,
        upper: Some((top, op2 == "<=")),
    })
}

fn cidr(v: &Value) -> Result<Net, PolicyError> {
    let s = v
        .as_str()
        .ok_or_else(|| invalid("cidr match pattern must be a string"))?;
    let (addr, bits) = s
        .split_once('/')
        .ok_or_else(|| invalid("Malformed CIDR, one '/' required"))?;
    let ip: std::net::IpAddr = addr
        .parse()
        .map_err(|_| invalid(format!("Nonstandard IP address: {addr}")))?;
    let (v6, max) = match ip {
        std::net::IpAddr::V4(_) => (false, 32),
        std::net::IpAddr::V6(_) => (true, 128),
    };
    let prefix: u8 = bits.parse().ok().filter(|p| *p <= max).ok_or_else(|| {
        invalid(format!(
            "Malformed CIDR, mask bits must be a number between 0 and {max}"
        ))
    })?;
    Ok(Net {
        v6,
        bits: super::eval::ip_bits(ip),
        prefix,
    })
}

/// AWS's count of a policy's combinations: the product over keys of each
/// rule list's length times its key's depth, a nested object counting as
/// its own product and `$or` as the sum of its alternatives.
fn combinations(node: &Node, level: u64) -> u64 {
    let fields = node.fields.iter().fold(1u64, |acc, (_, f)| {
        let n = match f {
            Field::Rules(r) => (r.len() as u64).saturating_mul(level),
            Field::Nested(inner) => combinations(inner, level + 1),
        };
        acc.saturating_mul(n)
    });
    node.any_of.iter().fold(fields, |acc, alts| {
        let sum = alts.iter().fold(0u64, |s, a| s.saturating_add(combinations(a, level)));
        acc.saturating_mul(sum)
    })
}
