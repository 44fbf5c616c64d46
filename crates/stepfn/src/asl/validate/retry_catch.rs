//! `Retry` and `Catch`: retriers, catchers and the `ErrorEquals` list they share.

use serde_json::{Map, Value};

use super::checker::{Checker, IntRange, StateCtx};
use super::fields::{CATCHER_FIELDS, MAX_RETRY_DELAY_SECONDS, MAX_SECONDS, RETRIER_FIELDS};
use super::location::Loc;
use super::msg;
use super::values::PathRule;
use crate::asl::model::{Catcher, JitterStrategy, OptionalPath, QueryLanguage, Retrier, STATES_ALL};

impl Checker<'_> {
    pub(super) fn retriers(&mut self, ctx: StateCtx<'_, '_>) -> Vec<Retrier> {
        let Some(items) = self.array(ctx.obj, "Retry", ctx.loc) else {
            return Vec::new();
        };
        let at = ctx.loc.field("Retry");
        let last = items.len().saturating_sub(1);
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.retrier(item, &at.index(index), index == last))
            .collect()
    }

    fn retrier(&mut self, value: &Value, loc: &Loc, last: bool) -> Option<Retrier> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[RETRIER_FIELDS], loc);
        self.required(obj, &["ErrorEquals"], loc);
        let error_equals = self.error_equals(obj, loc, last);
        let comment = self.string(obj, "Comment", loc);
        let interval_seconds = self.integer(obj, "IntervalSeconds", loc, IntRange::between(0, MAX_SECONDS));
        let max_attempts = self.integer(obj, "MaxAttempts", loc, IntRange::between(0, MAX_SECONDS));
        let backoff_rate = obj
            .get("BackoffRate")
            .and_then(|value| self.number_value(value, &loc.field("BackoffRate"), 1.0, None));
        let max_delay_seconds = self.integer(
            obj,
            "MaxDelaySeconds",
            loc,
            IntRange::between(1, MAX_RETRY_DELAY_SECONDS),
        );
        let jitter_strategy = match self
            .enumerated(obj, "JitterStrategy", &["NONE", "FULL"], loc)
            .as_deref()
        {
            Some("FULL") => Some(JitterStrategy::Full),
            Some(_) => Some(JitterStrategy::None),
            None => None,
        };
        Some(Retrier {
            comment,
            error_equals: error_equals?,
            interval_seconds,
            max_attempts,
            backoff_rate,
            max_delay_seconds,
            jitter_strategy,
        })
    }

    pub(super) fn catchers(&mut self, ctx: StateCtx<'_, '_>) -> Vec<Catcher> {
        let Some(items) = self.array(ctx.obj, "Catch", ctx.loc) else {
            return Vec::new();
        };
        let at = ctx.loc.field("Catch");
        let last = items.len().saturating_sub(1);
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.catcher(item, ctx.language, &at.index(index), index == last))
            .collect()
    }

    fn catcher(&mut self, value: &Value, language: QueryLanguage, loc: &Loc, last: bool) -> Option<Catcher> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[CATCHER_FIELDS], loc);
        self.language_fields(obj, CATCHER_FIELDS, language, loc);
        self.required(obj, &["ErrorEquals", "Next"], loc);
        let error_equals = self.error_equals(obj, loc, last);
        let next = self.string(obj, "Next", loc);
        let result_path = if language == QueryLanguage::JsonPath {
            self.optional_path(obj, "ResultPath", PathRule::Result, loc)
        } else {
            OptionalPath::Absent
        };
        // Every field is checked before any `?` so one bad field cannot hide another's diagnostic.
        let comment = self.string(obj, "Comment", loc);
        let assign = self.assign(obj, language, loc);
        let output = if language == QueryLanguage::Jsonata {
            obj.get("Output").cloned()
        } else {
            None
        };
        Some(Catcher {
            comment,
            error_equals: error_equals?,
            next: next?,
            result_path,
            assign,
            output,
        })
    }

    /// `ErrorEquals` of a retrier or catcher; `States.ALL` must be alone in the last entry.
    fn error_equals(&mut self, obj: &Map<String, Value>, loc: &Loc, last: bool) -> Option<Vec<String>> {
        self.non_empty_array(obj, "ErrorEquals", loc)?;
        let names = self.string_list(obj, "ErrorEquals", loc)?;
        if names.iter().any(|name| name == STATES_ALL) && (names.len() > 1 || !last) {
            self.schema(&loc.field("ErrorEquals"), msg::STATES_ALL);
        }
        Some(names)
    }
}
