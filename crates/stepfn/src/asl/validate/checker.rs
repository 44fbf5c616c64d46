//! The schema walk's state and the generic field readers every part of it uses: each reader
//! reports what is wrong with one field and returns what it could read, so that one walk finds every
//! problem (AWS lists them all) and still builds the model when there is none.

use std::collections::HashSet;

use lakestack_compat::java_double::double_to_string;
use serde_json::{Map, Value};

use super::location::Loc;
use super::{Code, Diagnostic, Options, msg};
use crate::asl::model::QueryLanguage;

/// Integer bounds; AWS checks them after the type.
#[derive(Debug, Clone, Copy)]
pub(super) struct IntRange {
    min: u64,
    max: Option<u64>,
}

impl IntRange {
    pub(super) const fn at_least(min: u64) -> IntRange {
        IntRange { min, max: None }
    }

    pub(super) const fn between(min: u64, max: u64) -> IntRange {
        IntRange { min, max: Some(max) }
    }
}

pub(super) struct Checker<'o> {
    pub(super) options: &'o Options,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// State names seen anywhere: AWS wants them unique across the whole machine.
    pub(super) state_names: HashSet<String>,
    pub(super) machine_language: QueryLanguage,
}

/// What a state's field parsers need to know about the state.
#[derive(Clone, Copy)]
pub(super) struct StateCtx<'v, 'l> {
    pub(super) obj: &'v Map<String, Value>,
    pub(super) loc: &'l Loc,
    pub(super) language: QueryLanguage,
}

impl<'v> StateCtx<'v, '_> {
    pub(super) fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&'v Value> {
        self.obj.get(key)
    }

    pub(super) fn jsonpath(&self) -> bool {
        self.language == QueryLanguage::JsonPath
    }
}

impl<'o> Checker<'o> {
    pub(super) fn new(options: &'o Options) -> Self {
        Checker {
            options,
            diagnostics: Vec::new(),
            state_names: HashSet::new(),
            machine_language: QueryLanguage::JsonPath,
        }
    }

    pub(super) fn report(&mut self, code: Code, loc: &Loc, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, message, Some(loc.render())));
    }

    pub(super) fn schema(&mut self, loc: &Loc, message: impl Into<String>) {
        self.report(Code::SchemaValidationFailed, loc, message);
    }

    pub(super) fn unsupported_fields(&mut self, obj: &Map<String, Value>, allowed: &[&[&str]], loc: &Loc) {
        for key in obj.keys() {
            if !allowed.iter().any(|set| set.contains(&key.as_str())) {
                self.schema(loc, msg::unsupported(key));
            }
        }
    }

    pub(super) fn required(&mut self, obj: &Map<String, Value>, fields: &[&str], loc: &Loc) {
        let missing: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|field| !obj.contains_key(*field))
            .collect();
        if !missing.is_empty() {
            self.schema(loc, msg::required(&missing));
        }
    }

    /// At most one of `fields`; reports at the first listed field as AWS does for X/XPath pairs.
    pub(super) fn at_most_one(&mut self, obj: &Map<String, Value>, fields: &[&str], loc: &Loc) -> bool {
        let present = fields.iter().filter(|field| obj.contains_key(**field)).count();
        if present > 1 {
            self.schema(&loc.field(fields[0]), msg::only_one_of(fields));
        }
        present <= 1
    }

    pub(super) fn string(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<String> {
        let value = obj.get(key)?;
        match value.as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                self.schema(&loc.field(key), msg::expected_type("String"));
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<bool> {
        let value = obj.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Boolean"));
        }
        flag
    }

    pub(super) fn object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        loc: &Loc,
    ) -> Option<&'v Map<String, Value>> {
        let value = obj.get(key)?;
        let inner = value.as_object();
        if inner.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Object"));
        }
        inner
    }

    pub(super) fn array<'v>(&mut self, obj: &'v Map<String, Value>, key: &str, loc: &Loc) -> Option<&'v Vec<Value>> {
        let value = obj.get(key)?;
        let items = value.as_array();
        if items.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Array"));
        }
        items
    }

    pub(super) fn non_empty_array<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        loc: &Loc,
    ) -> Option<&'v Vec<Value>> {
        let items = self.array(obj, key, loc)?;
        if items.is_empty() {
            self.schema(&loc.field(key), msg::EMPTY);
        }
        Some(items)
    }

    pub(super) fn enumerated(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        values: &[&str],
        loc: &Loc,
    ) -> Option<String> {
        let text = self.string(obj, key, loc)?;
        if values.contains(&text.as_str()) {
            Some(text)
        } else {
            self.schema(&loc.field(key), msg::one_of_values(values));
            None
        }
    }

    pub(super) fn integer_value(&mut self, value: &Value, loc: &Loc, range: IntRange) -> Option<u64> {
        let Some(number) = value.as_number() else {
            self.schema(loc, msg::expected_type("Integer"));
            return None;
        };
        if let Some(n) = number.as_u64() {
            if n < range.min {
                self.schema(loc, msg::minimum(&range.min.to_string()));
                return None;
            }
            if let Some(max) = range.max.filter(|max| n > *max) {
                self.schema(loc, msg::maximum(&max.to_string()));
                return None;
            }
            return Some(n);
        }
        if number.is_i64() {
            self.schema(loc, msg::minimum(&range.min.to_string()));
        } else {
            self.schema(loc, msg::expected_type("Integer"));
        }
        None
    }

    pub(super) fn integer(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc, range: IntRange) -> Option<u64> {
        let value = obj.get(key)?;
        self.integer_value(value, &loc.field(key), range)
    }

    pub(super) fn number_value(&mut self, value: &Value, loc: &Loc, min: f64, max: Option<f64>) -> Option<f64> {
        let Some(n) = value.as_f64() else {
            self.schema(loc, msg::expected_type("Number"));
            return None;
        };
        if n < min {
            self.schema(loc, msg::minimum(&double_to_string(min)));
            return None;
        }
        if let Some(max) = max.filter(|max| n > *max) {
            self.schema(loc, msg::maximum(&double_to_string(max)));
            return None;
        }
        Some(n)
    }

    pub(super) fn string_list(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<Vec<String>> {
        let items = self.array(obj, key, loc)?;
        let at = loc.field(key);
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => strings.push(text.to_string()),
                None => self.schema(&at.index(index), msg::expected_type("String")),
            }
        }
        (strings.len() == items.len()).then_some(strings)
    }
}
