//! Values shared by many fields: paths, payload templates with their `.$` keys, `Assign`, and
//! integers that a `...Path` twin or a JSONata expression may stand in for.

use serde_json::{Map, Value};

use super::checker::{Checker, IntRange, StateCtx};
use super::location::Loc;
use super::msg;
use super::syntax::{is_dynamic_value, is_jsonata_expression, path_shape};
use crate::asl::model::{OptionalPath, QueryLanguage, ValueOrPath};
use crate::path::Source;

/// How a `...Path` field is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathRule {
    /// Any JSONPath (`InputPath`, `OutputPath`).
    Json,
    /// A Reference Path; `context` allows `$$` (only `ItemsPath` and Choice paths accept it).
    Reference { context: bool },
    /// `ResultPath`: a Reference Path into the state input, no context, no variables.
    Result,
}

impl Checker<'_> {
    /// A JSONata `{% %}` string standing in for a literal.
    pub(super) fn jsonata_expression(value: &Value, language: QueryLanguage) -> Option<String> {
        let text = value.as_str()?;
        (language == QueryLanguage::Jsonata && is_jsonata_expression(text)).then(|| text.to_string())
    }

    fn path_value(&mut self, path: &str, rule: PathRule, loc: &Loc) -> bool {
        let valid = match (rule, path_shape(path)) {
            (_, None) => false,
            (PathRule::Json, Some(_)) => true,
            (PathRule::Reference { context }, Some(shape)) => {
                shape.reference && (context || shape.source != Source::Context)
            }
            (PathRule::Result, Some(shape)) => shape.reference && shape.source == Source::Input,
        };
        if !valid {
            let message = match rule {
                PathRule::Json => msg::INVALID_JSONPATH.to_string(),
                _ => msg::not_reference_path(path),
            };
            self.schema(loc, message);
        }
        valid
    }

    /// `InputPath`/`OutputPath`/`ResultPath`: absent, null, or a path.
    pub(super) fn optional_path(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        rule: PathRule,
        loc: &Loc,
    ) -> OptionalPath {
        match obj.get(key) {
            None => OptionalPath::Absent,
            Some(Value::Null) => OptionalPath::Null,
            Some(Value::String(path)) => {
                self.path_value(path, rule, &loc.field(key));
                OptionalPath::Path(path.clone())
            }
            Some(_) => {
                self.schema(&loc.field(key), msg::expected_type("String"));
                OptionalPath::Absent
            }
        }
    }

    pub(super) fn path_string(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        rule: PathRule,
        loc: &Loc,
    ) -> Option<String> {
        let path = self.string(obj, key, loc)?;
        self.path_value(&path, rule, &loc.field(key)).then_some(path)
    }

    /// A literal integer field with its optional `...Path` twin (JSONPath) or a JSONata
    /// expression in its place.
    pub(super) fn int_or_path(
        &mut self,
        ctx: StateCtx<'_, '_>,
        key: &str,
        path_key: &str,
        range: IntRange,
    ) -> Option<ValueOrPath<u64>> {
        self.int_or_path_in(
            ctx.obj,
            key,
            path_key,
            range,
            ctx.language,
            ctx.loc,
            PathRule::Reference { context: false },
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn int_or_path_in(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path_key: &str,
        range: IntRange,
        language: QueryLanguage,
        loc: &Loc,
        rule: PathRule,
    ) -> Option<ValueOrPath<u64>> {
        if !self.at_most_one(obj, &[key, path_key], loc) {
            return None;
        }
        if let Some(value) = obj.get(key) {
            if let Some(expression) = Self::jsonata_expression(value, language) {
                return Some(ValueOrPath::Jsonata(expression));
            }
            return self
                .integer_value(value, &loc.field(key), range)
                .map(ValueOrPath::Value);
        }
        if language == QueryLanguage::Jsonata {
            // A `...Path` field in JSONata is reported by the language check.
            return None;
        }
        self.path_string(obj, path_key, rule, loc).map(ValueOrPath::Path)
    }

    /// A payload template (`Parameters`, `ResultSelector`, ...). In JSONPath it must be an object
    /// whose `.$` keys hold paths or intrinsic calls; JSONata also accepts an expression string.
    pub(super) fn template(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        language: QueryLanguage,
        loc: &Loc,
    ) -> Option<Value> {
        let value = obj.get(key)?;
        let at = loc.field(key);
        if language == QueryLanguage::JsonPath {
            if value.is_object() {
                self.dynamic_keys(value, &at);
            } else {
                self.schema(&at, msg::expected_type("Object"));
            }
        } else if !value.is_object() && Self::jsonata_expression(value, language).is_none() {
            self.schema(&at, msg::expected_type("Object"));
        }
        Some(value.clone())
    }

    /// Checks every `.$` key below `value`, reporting at the object that holds the key.
    pub(super) fn dynamic_keys(&mut self, value: &Value, loc: &Loc) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key.ends_with(".$") {
                        if !inner.as_str().is_some_and(is_dynamic_value) {
                            self.schema(loc, msg::dynamic_value(key));
                        }
                    } else {
                        self.dynamic_keys(inner, &loc.field(key));
                    }
                }
            }
            Value::Array(items) => {
                for (index, inner) in items.iter().enumerate() {
                    self.dynamic_keys(inner, &loc.index(index));
                }
            }
            _ => {}
        }
    }

    pub(super) fn assign(&mut self, obj: &Map<String, Value>, language: QueryLanguage, loc: &Loc) -> Option<Value> {
        let value = obj.get("Assign")?;
        let at = loc.field("Assign");
        if !value.is_object() {
            self.schema(&at, msg::expected_type("Object"));
        } else if language == QueryLanguage::JsonPath {
            self.dynamic_keys(value, &at);
        }
        Some(value.clone())
    }
}
