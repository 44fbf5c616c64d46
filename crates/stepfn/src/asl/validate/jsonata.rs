//! JSONata expressions checked at creation, as AWS checks them: every
//! `{% %}` string of a JSONata state must parse (`INVALID_JSONATA_EXPRESSION`,
//! with the parser's message) and read only what Step Functions provides
//! there (`UNSUPPORTED_JSONATA_EXPRESSION`): no bare field names at the top
//! level (an expression has no input of its own: the state's is
//! `$states.input`), no `$$`, and `$states` members that exist in that
//! field (`result` only in a Task's, Map's or Parallel's `Output` and
//! `Assign`, `errorOutput` only in a catcher's).

use serde_json::{Map, Value};

use super::Code;
use super::checker::Checker;
use super::location::Loc;
use super::syntax::is_jsonata_expression;

/// The `$states` members an expression may read where it stands.
#[derive(Clone, Copy)]
struct Provided {
    result: bool,
    error_output: bool,
}

impl Checker<'_> {
    pub(super) fn jsonata_expressions(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        let with_result = matches!(
            obj.get("Type").and_then(Value::as_str),
            Some("Task" | "Map" | "Parallel")
        );
        for (key, value) in obj {
            // Nested states are checked as states; a comment is prose.
            if matches!(key.as_str(), "Branches" | "ItemProcessor" | "Iterator" | "Comment") {
                continue;
            }
            let provided = match key.as_str() {
                "Catch" => Provided {
                    result: false,
                    error_output: true,
                },
                "Output" | "Assign" => Provided {
                    result: with_result,
                    error_output: false,
                },
                _ => Provided {
                    result: false,
                    error_output: false,
                },
            };
            self.expressions_in(value, &loc.field(key), provided);
        }
    }

    fn expressions_in(&mut self, value: &Value, loc: &Loc, provided: Provided) {
        match value {
            Value::String(s) if is_jsonata_expression(s) => {
                let inner = &s[2..s.len() - 2];
                match lakestack_jsonata::Expression::parse(inner) {
                    Err(e) => self.report(Code::InvalidJsonataExpression, loc, e.message),
                    Ok(expr) => {
                        if let Some(message) = unsupported(&expr.references(), provided) {
                            self.report(Code::UnsupportedJsonataExpression, loc, message);
                        }
                    }
                }
            }
            Value::Object(m) => {
                for (k, v) in m {
                    self.expressions_in(v, &loc.field(k), provided);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.expressions_in(v, &loc.index(i), provided);
                }
            }
            _ => {}
        }
    }
}

/// AWS's message for the first reference it refuses, if any.
fn unsupported(refs: &lakestack_jsonata::References, provided: Provided) -> Option<String> {
    if refs.root_context {
        return Some("Reference to '$$' is not supported.".into());
    }
    if let Some(name) = refs.top_level_fields.first() {
        return Some(format!("Reference to '{name}' at the top level is not supported."));
    }
    refs.variable_members
        .iter()
        .filter(|(var, _)| var == "states")
        .find(|(_, member)| match member.as_str() {
            "input" | "context" => false,
            "result" => !provided.result,
            "errorOutput" => !provided.error_output,
            _ => true,
        })
        .map(|(_, member)| format!("Field '$states.{member}' does not exist."))
}
