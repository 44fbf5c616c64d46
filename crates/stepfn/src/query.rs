//! JSONata in states: `{% %}` strings evaluated with `$states` (input,
//! context, and result or errorOutput where AWS provides them) and the
//! workflow variables bound, and failures worded as AWS words them in
//! `States.QueryEvaluationError`'s cause.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use lakestack_jsonata::{Expression, Options};
use serde_json::{Map, Value};

/// A string is an expression when it is entirely `{% ... %}`, with no
/// space outside the delimiters.
pub fn expression_of(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}")
}

/// What an expression sees as `$states`, and the variables in scope.
pub struct Query<'a> {
    pub input: &'a Value,
    pub context: &'a Value,
    pub result: Option<&'a Value>,
    pub error_output: Option<&'a Value>,
    pub variables: &'a Map<String, Value>,
    /// What `$now()` and `$millis()` answer: the execution's clock.
    pub now_ms: f64,
}

/// Why an expression failed: where (`Output/a`), and the detail AWS's
/// cause ends with.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub location: String,
    pub detail: String,
}

impl QueryError {
    pub const ERROR: &'static str = "States.QueryEvaluationError";

    /// An expression whose value is not of the type its field needs.
    pub fn wrong_type(expression: &str, location: &str, expected: &str, got: &Value) -> Self {
        let inner = expression_of(expression).unwrap_or(expression).trim();
        let kind = match got {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        QueryError {
            location: location.to_owned(),
            detail: format!(
                "The JSONata expression '{inner}' specified for the field '{location}' returned an unexpected result type. Expected '{expected}', but was '{kind}' for value: {}",
                crate::path::to_compact_json(got)
            ),
        }
    }

    /// The whole cause, for a state and the event that entered it.
    pub fn cause(&self, state: &str, entered_id: i64) -> String {
        format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered_id}). {}",
            self.detail
        )
    }
}

/// Bounds for one expression: enough for any real template, small enough
/// that a runaway one fails its state quickly and never the server.
fn options(now_ms: f64) -> Options {
    Options {
        max_depth: 500,
        // Expressions run on the server's worker threads: a second is far
        // beyond any real template and short enough not to starve others.
        timeout: Some(Duration::from_secs(1)),
        now_ms,
        seed: rand::random(),
        aws: true,
    }
}

/// The `$name`s an expression mentions (a superset of those it reads:
/// names in strings count too), so only they are bound.
fn mentioned(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 && !out.contains(&&after[..end]) {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// Expressions parsed on this thread, by text: a Map evaluates the same
/// few expressions for every item.
const CACHED: usize = 256;

thread_local! {
    static PARSED: RefCell<HashMap<String, Rc<Expression>>> = RefCell::new(HashMap::new());
}

fn parse(text: &str) -> Result<Rc<Expression>, lakestack_jsonata::Error> {
    if let Some(e) = PARSED.with(|p| p.borrow().get(text).cloned()) {
        return Ok(e);
    }
    let e = Rc::new(Expression::parse(text)?);
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= CACHED {
            p.clear();
        }
        p.insert(text.to_owned(), Rc::clone(&e));
    });
    Ok(e)
}

impl Query<'_> {
    /// `$states` with the members the expression mentions: the input of a
    /// Map's ItemSelector is the whole item array, and converting it for
    /// every item's expressions would cost the square of the items.
    fn states(&self, expr: &str) -> Value {
        let mut s = Map::new();
        let wants = |member: &str| expr.contains(member) || !expr.contains("$states.");
        if wants("input") {
            s.insert("input".into(), self.input.clone());
        }
        if wants("context") {
            s.insert("context".into(), self.context.clone());
        }
        if let Some(r) = self.result
            && wants("result")
        {
            s.insert("result".into(), r.clone());
        }
        if let Some(e) = self.error_output
            && wants("errorOutput")
        {
            s.insert("errorOutput".into(), e.clone());
        }
        Value::Object(s)
    }

    /// Evaluates one `{% %}` string; an undefined result is an error, since
    /// every field that takes an expression needs a value.
    pub fn expression(&self, text: &str, location: &str) -> Result<Value, QueryError> {
        let inner = expression_of(text).unwrap_or(text).trim();
        let fail = |detail: String| QueryError {
            location: location.to_owned(),
            detail,
        };
        let expr = parse(inner).map_err(|e| {
            fail(format!(
                "The JSONata expression '{inner}' specified for the field '{location}' threw an error during evaluation. {}: {}",
                e.code, e.message
            ))
        })?;
        let mut bindings: Vec<(&str, Value)> = Vec::new();
        for name in mentioned(inner) {
            if name == "states" {
                bindings.push(("states", self.states(inner)));
            } else if let Some(v) = self.variables.get(name) {
                bindings.push((name, v.clone()));
            }
        }
        match expr.evaluate(&Value::Null, &bindings, &options(self.now_ms)) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(fail(format!(
                "The JSONata expression '{inner}' specified for the field '{location}' returned nothing (undefined)."
            ))),
            Err(e) => Err(fail(format!(
                "The JSONata expression '{inner}' specified for the field '{location}' threw an error during evaluation. {}: {}",
                e.code, e.message
            ))),
        }
    }

    /// A field's value: a `{% %}` string is evaluated, objects and arrays
    /// are walked (their keys are never evaluated), other values are kept.
    pub fn value(&self, template: &Value, location: &str) -> Result<Value, QueryError> {
        match template {
            Value::String(s) if expression_of(s).is_some() => self.expression(s, location),
            Value::Object(m) => {
                let mut out = Map::with_capacity(m.len());
                for (k, v) in m {
                    out.insert(k.clone(), self.value(v, &format!("{location}/{k}"))?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    out.push(self.value(v, &format!("{location}[{i}]"))?);
                }
                Ok(Value::Array(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// `Assign` in a JSONata state: each variable's value evaluated against
    /// the values on entry (none sees another assignment of the same field).
    pub fn assign(&self, template: &Value, location: &str) -> Result<Map<String, Value>, QueryError> {
        match self.value(template, location)? {
            Value::Object(m) => Ok(m),
            _ => Ok(Map::new()),
        }
    }
}
