//! Choice rules: `Condition` in JSONata; in JSONPath exactly one of `And`/`Or`/`Not`/`Variable`,
//! and with `Variable` exactly one comparison whose operand has the operator's type.

use serde_json::{Map, Value};

use super::checker::{Checker, StateCtx};
use super::fields::{COMPARISON_OPERATORS, RULE_SELECTORS};
use super::location::Loc;
use super::msg;
use super::syntax::is_rfc3339;
use super::values::PathRule;
use crate::asl::model::{ChoiceRule, QueryLanguage};

impl Checker<'_> {
    pub(super) fn choice_rules(&mut self, ctx: StateCtx<'_, '_>) -> Option<Vec<ChoiceRule>> {
        let items = self.non_empty_array(ctx.obj, "Choices", ctx.loc)?;
        let at = ctx.loc.field("Choices");
        let rules: Vec<Option<ChoiceRule>> = items
            .iter()
            .enumerate()
            .map(|(index, rule)| self.top_rule(rule, ctx.language, &at.index(index)))
            .collect();
        rules.into_iter().collect()
    }

    fn top_rule(&mut self, value: &Value, language: QueryLanguage, loc: &Loc) -> Option<ChoiceRule> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        match language {
            QueryLanguage::JsonPath => {
                self.required(obj, &["Next"], loc);
                self.rule_body(obj, loc, true);
            }
            QueryLanguage::Jsonata => self.jsonata_rule(obj, loc),
        }
        self.assign(obj, language, loc);
        let next = self.string(obj, "Next", loc);
        Some(ChoiceRule {
            rule: value.clone(),
            next: next?,
        })
    }

    fn jsonata_rule(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        let jsonpath_fields: Vec<&str> = RULE_SELECTORS.iter().chain(COMPARISON_OPERATORS).copied().collect();
        self.unsupported_fields(
            obj,
            &[&["Condition", "Next", "Comment", "Assign", "Output"], &jsonpath_fields],
            loc,
        );
        for key in obj.keys().filter(|key| jsonpath_fields.contains(&key.as_str())) {
            self.schema(loc, msg::wrong_language("JSONata", key, "JSONPath"));
        }
        self.required(obj, &["Condition", "Next"], loc);
        if obj
            .get("Condition")
            .is_some_and(|condition| !condition.is_boolean() && !condition.is_string())
        {
            self.schema(&loc.field("Condition"), msg::expected_type("String"));
        }
    }

    /// A JSONPath rule: exactly one of And/Or/Not/Variable, and with Variable exactly one
    /// comparison. Only top-level rules carry `Next` and `Assign`.
    fn rule_body(&mut self, obj: &Map<String, Value>, loc: &Loc, top: bool) {
        let selectors: Vec<&str> = RULE_SELECTORS
            .iter()
            .copied()
            .filter(|key| obj.contains_key(*key))
            .collect();
        let top_fields: &[&str] = if top { &["Next", "Assign"] } else { &[] };
        // Operators belong with Variable; without any selector the selector diagnostic says it all.
        let selector_fields: &[&str] = match selectors.as_slice() {
            [] | ["Variable"] => COMPARISON_OPERATORS,
            _ => &[],
        };
        self.unsupported_fields(
            obj,
            &[
                &["Comment", "Condition", "Output"],
                top_fields,
                &selectors,
                selector_fields,
            ],
            loc,
        );
        for key in ["Condition", "Output"].into_iter().filter(|key| obj.contains_key(*key)) {
            self.schema(loc, msg::wrong_language("JSONPath", key, "JSONata"));
        }
        match selectors.as_slice() {
            ["Variable"] => self.comparison(obj, loc),
            [logical @ ("And" | "Or")] => self.rule_list(obj, logical, loc),
            ["Not"] => match obj.get("Not").and_then(Value::as_object) {
                Some(inner) => self.rule_body(inner, &loc.field("Not"), false),
                None => self.schema(&loc.field("Not"), msg::expected_type("Object")),
            },
            _ => self.schema(loc, msg::CHOICE_SELECTOR),
        }
    }

    fn rule_list(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) {
        let Some(items) = self.non_empty_array(obj, key, loc) else {
            return;
        };
        let at = loc.field(key);
        for (index, item) in items.iter().enumerate() {
            match item.as_object() {
                Some(inner) => self.rule_body(inner, &at.index(index), false),
                None => self.schema(&at.index(index), msg::expected_type("Object")),
            }
        }
    }

    fn comparison(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        self.path_string(obj, "Variable", PathRule::Reference { context: true }, loc);
        let operators: Vec<&str> = COMPARISON_OPERATORS
            .iter()
            .copied()
            .filter(|op| obj.contains_key(*op))
            .collect();
        match operators.as_slice() {
            [] => self.schema(loc, msg::exactly_one_of(COMPARISON_OPERATORS)),
            [operator] => self.operand(obj, operator, loc),
            _ => self.schema(loc, msg::only_one_of(COMPARISON_OPERATORS)),
        }
    }

    fn operand(&mut self, obj: &Map<String, Value>, operator: &str, loc: &Loc) {
        let Some(value) = obj.get(operator) else {
            return;
        };
        let at = loc.field(operator);
        if operator.ends_with("Path") {
            self.path_string(obj, operator, PathRule::Reference { context: true }, loc);
        } else if operator.starts_with("Is") || operator == "BooleanEquals" {
            self.boolean(obj, operator, loc);
        } else if operator.starts_with("Numeric") {
            if !value.is_number() {
                self.schema(&at, msg::expected_type("Number"));
            }
        } else if operator.starts_with("Timestamp") {
            if self.string(obj, operator, loc).is_some_and(|text| !is_rfc3339(&text)) {
                self.schema(&at, msg::NOT_RFC3339);
            }
        } else {
            self.string(obj, operator, loc);
        }
    }
}
