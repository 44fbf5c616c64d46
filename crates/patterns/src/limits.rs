//! The limits each service puts on a pattern, checked on the whole parsed pattern after
//! the reasons found while reading it (SNS reports a shape error before a limit).
//!
//! SNS (<https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html>):
//! 256 KB of text, 5 keys at the top, 5 levels of nesting and 150 combinations of values.
//! EventBridge: 4096 characters of text (the `EventPattern` parameter of PutRule), and
//! event-ruler's refusal of wildcard rules "too complex" to match quickly; event-ruler
//! measures that on the automaton it builds, which this crate does not build, so it counts
//! the stars of a key's wildcards instead (see [`MAX_WILDCARDS_PER_KEY`]).

use crate::Dialect;
use crate::error::PatternError;
use crate::tree::{FieldValue, Matcher, Node};

/// SNS: the longest policy, in bytes.
pub const SNS_MAX_POLICY_BYTES: usize = 256 * 1024;
/// SNS: the most keys at the top of a policy (`$or` counts as one).
pub const SNS_MAX_KEYS: usize = 5;
/// SNS: the most levels of objects (the top is level 1).
pub const SNS_MAX_DEPTH: usize = 5;
/// SNS: the most combinations of values (see [`combinations`]).
pub const SNS_MAX_COMBINATIONS: u64 = 150;
/// EventBridge: the longest event pattern, in characters.
pub const MAX_EVENT_PATTERN_CHARS: usize = 4096;
/// EventBridge: the most wildcard characters in the wildcards of one key. AWS's documented
/// example of a rule too complex, `"*:*:*:*:*:event-bus/*"`, has six; event-ruler's own
/// measure is not reproduced.
pub const MAX_WILDCARDS_PER_KEY: usize = 5;
/// The deepest nesting of a pattern's text that is read (serde_json's own limit, which
/// events are parsed under, so a deeper pattern could match nothing).
pub const MAX_NESTING: usize = 128;

const TOO_COMPLEX_WILDCARD: &str = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

pub(crate) fn check(root: &Node, deepest: usize, dialect: Dialect) -> Result<(), PatternError> {
    match dialect {
        Dialect::SnsAttributes | Dialect::SnsBody => sns(root, deepest, dialect),
        Dialect::EventPattern => wildcards(root),
    }
}

fn sns(root: &Node, deepest: usize, dialect: Dialect) -> Result<(), PatternError> {
    let invalid = |reason: String| PatternError::invalid(dialect, reason, Vec::new());
    if dialect == Dialect::SnsAttributes && deepest > 1 {
        return Err(PatternError::NestedAttributes);
    }
    let keys = root.fields.len() + usize::from(!root.any_of.is_empty());
    if keys > SNS_MAX_KEYS {
        return Err(invalid(format!(
            "Filter policy can not have more than {SNS_MAX_KEYS} keys"
        )));
    }
    if deepest > SNS_MAX_DEPTH {
        return Err(invalid(format!(
            "Filter policy can not have more than {SNS_MAX_DEPTH} levels of nesting"
        )));
    }
    if combinations(root, 1) > SNS_MAX_COMBINATIONS {
        return Err(invalid("Filter policy is too complex".into()));
    }
    Ok(())
}

/// SNS's count of a policy's combinations: the product over keys of each list's length
/// times its key's depth, a nested object counting as its own product and `$or` as the sum
/// of its alternatives.
fn combinations(node: &Node, level: u64) -> u64 {
    let fields = node.fields.iter().fold(1u64, |acc, f| {
        let n = match &f.value {
            FieldValue::Leaf(matchers) => (matchers.len() as u64).saturating_mul(level),
            FieldValue::Nested(inner) => combinations(inner, level + 1),
        };
        acc.saturating_mul(n)
    });
    node.any_of.iter().fold(fields, |acc, alternatives| {
        let sum = alternatives
            .iter()
            .fold(0u64, |s, a| s.saturating_add(combinations(a, level)));
        acc.saturating_mul(sum)
    })
}

fn wildcards(node: &Node) -> Result<(), PatternError> {
    for field in &node.fields {
        match &field.value {
            FieldValue::Leaf(matchers) => {
                let stars: usize = matchers
                    .iter()
                    .map(|m| match m {
                        Matcher::Wildcard(w) => w.stars(),
                        _ => 0,
                    })
                    .sum();
                if stars > MAX_WILDCARDS_PER_KEY {
                    return Err(PatternError::invalid(
                        Dialect::EventPattern,
                        TOO_COMPLEX_WILDCARD,
                        Vec::new(),
                    ));
                }
            }
            FieldValue::Nested(inner) => wildcards(inner)?,
        }
    }
    node.any_of.iter().flatten().try_for_each(wildcards)
}
