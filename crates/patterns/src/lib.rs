//! The content-filtering language of SNS subscription filter policies and EventBridge event
//! patterns. Both services run AWS's event-ruler, so lakestack has one implementation too,
//! with a [`Dialect`] for what each service takes and how it words its refusals.
//!
//! A pattern is a JSON object whose keys name fields of the event (or of an SNS message's
//! body, or its attributes), each holding a list of what the field may be, or an object
//! naming fields within it. A list holds exact values (strings, numbers, `true`, `false`,
//! `null`) and operators: `prefix`, `suffix`, `equals-ignore-case`, `anything-but`,
//! `numeric`, `exists`, `cidr`, and for EventBridge `wildcard` and the `equals-ignore-case`
//! forms of `prefix`, `suffix` and `anything-but`. `$or` joins alternative objects. An event
//! matches when every key matches (AND) by one of its list's entries (OR); see `matching`
//! for arrays in events.
//!
//! EventBridge: <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html>
//! and event-ruler's README. SNS:
//! <https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html>.
//!
//! A pattern is parsed once ([`parse`]), checked against the service's limits (`limits`), and
//! then matched any number of times ([`Pattern::matches`]) without looking at its JSON again.
//! Patterns and events are untrusted input: nothing here panics, recursion is bounded by the
//! nesting limit, and matching time is bounded by the sizes of the pattern and the event
//! (the parser is fuzzed: [`fuzzing`]). This crate depends on no other lakestack crate.
//!
//! ```
//! use lakestack_patterns::{Dialect, parse};
//! let pattern = parse(r#"{"source": ["aws.ec2"], "detail": {"state": ["running"]}}"#, Dialect::EventPattern).unwrap();
//! let event = serde_json::json!({"source": "aws.ec2", "detail": {"state": "running"}});
//! assert!(pattern.matches(&event));
//! ```

mod cidr;
mod compile;
mod error;
mod limits;
mod matching;
mod number;
mod operators;
mod reader;
mod tokens;
mod tree;
mod wildcard;

use serde_json::Value;

pub use error::{Location, PatternError};
pub use limits::{
    MAX_EVENT_PATTERN_CHARS, MAX_NESTING, MAX_WILDCARDS_PER_KEY, SNS_MAX_COMBINATIONS, SNS_MAX_DEPTH, SNS_MAX_KEYS,
    SNS_MAX_POLICY_BYTES,
};

/// Which service's language a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// An SNS filter policy of scope `MessageAttributes`: no nested keys, matched against
    /// the attributes as a JSON object (a key counts as present whatever it holds).
    SnsAttributes,
    /// An SNS filter policy of scope `MessageBody`.
    SnsBody,
    /// An EventBridge event pattern.
    EventPattern,
}

/// A parsed, checked pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    root: tree::Node,
    dialect: Dialect,
}

/// Parses and checks a pattern as the dialect's service does when it is set (PutRule,
/// Subscribe, SetSubscriptionAttributes), refusing it with the service's reason.
pub fn parse(text: &str, dialect: Dialect) -> Result<Pattern, PatternError> {
    let compiled = match dialect {
        Dialect::EventPattern => {
            if text.chars().count() > MAX_EVENT_PATTERN_CHARS {
                return Err(PatternError::too_large(dialect));
            }
            compile::pattern(&mut reader::TextTokens::new(text), dialect)?
        }
        Dialect::SnsAttributes | Dialect::SnsBody => {
            if text.len() > SNS_MAX_POLICY_BYTES {
                return Err(PatternError::too_large(dialect));
            }
            // serde_json stops at 128 levels of nesting, which bounds the walk below.
            let value: Value =
                serde_json::from_str(text).map_err(|e| PatternError::json(dialect, e.to_string(), Vec::new()))?;
            compile::pattern(&mut tokens::ValueTokens::new(&value), dialect)?
        }
    };
    limits::check(&compiled.root, compiled.deepest, dialect)?;
    Ok(Pattern {
        root: compiled.root,
        dialect,
    })
}

impl Pattern {
    /// Whether an event (an SNS message's body, or its attributes as an object) matches.
    /// Only an empty pattern (SNS's `{}`) matches a value that is not an object.
    pub fn matches(&self, value: &Value) -> bool {
        match value {
            Value::Object(map) => matching::object(&self.root, Some(map), self.dialect),
            _ => self.is_empty(),
        }
    }

    /// Whether the pattern is `{}`, which SNS takes and which matches everything.
    pub fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

/// Entry points for the fuzz targets in `fuzz/`; not an API.
#[doc(hidden)]
pub mod fuzzing {
    use super::{Dialect, parse};

    /// Parses `text` as an event pattern and matches it against `event` (when that is
    /// JSON) and against a few fixed events; renders any refusal.
    pub fn event_pattern(text: &str, event: &str) {
        match parse(text, Dialect::EventPattern) {
            Ok(pattern) => {
                if let Ok(event) = serde_json::from_str(event) {
                    let _ = pattern.matches(&event);
                }
                for fixed in [
                    serde_json::json!({"source": "aws.ec2", "detail": {"state": "running", "c-count": 5}}),
                    serde_json::json!({"a": [1, "b", null, true, {"a": [{"b": "10.0.0.1"}]}], "b": 3.0e2}),
                    serde_json::json!([1, 2]),
                ] {
                    let _ = pattern.matches(&fixed);
                }
            }
            Err(e) => {
                let _ = (e.message(), e.code());
            }
        }
        for dialect in [Dialect::SnsAttributes, Dialect::SnsBody] {
            if let Ok(pattern) = parse(text, dialect)
                && let Ok(event) = serde_json::from_str(event)
            {
                let _ = pattern.matches(&event);
            }
        }
    }
}

#[cfg(test)]
mod tests;
