//! JSONata expressions checked at creation: every `{% %}` string of a
//! JSONata state must parse (`INVALID_JSONATA_EXPRESSION`, with the
//! parser's message), as AWS refuses a definition whose expressions do not.

use serde_json::{Map, Value};

use super::Code;
use super::checker::Checker;
use super::location::Loc;
use super::syntax::is_jsonata_expression;

impl Checker<'_> {
    pub(super) fn jsonata_expressions(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        for (key, value) in obj {
            // Nested states are checked as states; a comment is prose.
            if matches!(key.as_str(), "Branches" | "ItemProcessor" | "Iterator" | "Comment") {
                continue;
            }
            self.expressions_in(value, &loc.field(key));
        }
    }

    fn expressions_in(&mut self, value: &Value, loc: &Loc) {
        match value {
            Value::String(s) if is_jsonata_expression(s) => {
                let inner = &s[2..s.len() - 2];
                if let Err(e) = lakestack_jsonata::Expression::parse(inner) {
                    self.report(Code::InvalidJsonataExpression, loc, e.message);
                }
            }
            Value::Object(m) => {
                for (k, v) in m {
                    self.expressions_in(v, &loc.field(k));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.expressions_in(v, &loc.index(i));
                }
            }
            _ => {}
        }
    }
}
