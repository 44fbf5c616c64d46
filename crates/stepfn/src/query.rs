//! JSONata in states: `{% %}` strings evaluated with `$states` (input,
//! context, and result or errorOutput where AWS provides them) and the
//! workflow variables bound, and failures worded as AWS words them in
//! `States.QueryEvaluationError`'s cause.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use lakestack_jsonata::{Expression, Options, Value as Data};
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
    result: Option<&'a Value>,
    error_output: Option<&'a Value>,
    pub variables: &'a Map<String, Value>,
    /// What `$now()` and `$millis()` answer: the execution's clock.
    pub now_ms: f64,
    converted: Converted,
}

/// `$states` members and variables as JSONata holds them, each converted
/// on first use and then shared by every expression of the query (a
/// template's fields mostly read the same few).
#[derive(Default)]
struct Converted {
    input: OnceCell<Data>,
    context: OnceCell<Data>,
    result: OnceCell<Data>,
    error_output: OnceCell<Data>,
    variables: RefCell<HashMap<String, Data>>,
}

fn converted(cell: &OnceCell<Data>, v: &Value) -> Data {
    cell.get_or_init(|| Data::from_json(v)).clone()
}

/// Where a template's field is (`Output/a[2]`), spelled out only when an
/// error names it.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Field(&'a str),
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Field(name) => f.write_str(name),
            Loc::Key(parent, key) => write!(f, "{parent}/{key}"),
            Loc::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
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

/// Bounds for one expression, where AWS's engine draws them: about a
/// hundred nested evaluations (a 100-term sum passes, 101 fails), arrays of
/// 873,782 items from a range or constructor, strings of 4 MiB from `&`.
fn options(now_ms: f64) -> Options {
    Options {
        max_depth: MAX_DEPTH,
        // Expressions run on the server's worker threads: a second is far
        // beyond any real template and short enough not to starve others.
        timeout: Some(Duration::from_secs(1)),
        max_items: 873_782,
        max_string_bytes: 4 * 1024 * 1024,
        now_ms,
        seed: rand::random(),
        aws: true,
    }
}

const MAX_DEPTH: usize = 100;

/// The tail AWS's cause ends with: `. CODE: message` for JSONata's coded
/// errors, `: message` for its resource limits, which carry no code there.
fn error_tail(e: &lakestack_jsonata::Error) -> String {
    match e.code {
        "U1001" if e.message.starts_with("Stack overflow") => {
            ": Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive"
                .to_owned()
        }
        "U1001" if e.message.starts_with("Expression evaluation timeout") => {
            ": Expression evaluation timeout: Check for infinite loop".to_owned()
        }
        "U1002" => ": Expression evaluation memory limit exceeded: Check for excessive memory usage".to_owned(),
        code => format!(". {code}: {}", e.message),
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

impl<'a> Query<'a> {
    /// A query over a state's input and context; `result` and
    /// `error_output` are set where AWS provides them.
    pub fn new(input: &'a Value, context: &'a Value, variables: &'a Map<String, Value>, now_ms: f64) -> Self {
        Query {
            input,
            context,
            result: None,
            error_output: None,
            variables,
            now_ms,
            converted: Converted::default(),
        }
    }

    /// With `$states.result` (a Task's, Parallel's or Map's `Output` and `Assign`).
    pub fn with_result(mut self, result: &'a Value) -> Self {
        self.result = Some(result);
        self
    }

    /// With `$states.errorOutput` (a catcher's `Output` and `Assign`).
    pub fn with_error_output(mut self, error_output: &'a Value) -> Self {
        self.error_output = Some(error_output);
        self
    }

    /// `$states` with the members the expression mentions: the input of a
    /// Map's ItemSelector is the whole item array, and converting it for
    /// every item's expressions would cost the square of the items.
    fn states(&self, expr: &str) -> Data {
        let wants = |member: &str| expr.contains(member) || !expr.contains("$states.");
        let c = &self.converted;
        let mut members = Vec::with_capacity(4);
        if wants("input") {
            members.push(("input", converted(&c.input, self.input)));
        }
        if wants("context") {
            members.push(("context", converted(&c.context, self.context)));
        }
        if let Some(r) = self.result
            && wants("result")
        {
            members.push(("result", converted(&c.result, r)));
        }
        if let Some(e) = self.error_output
            && wants("errorOutput")
        {
            members.push(("errorOutput", converted(&c.error_output, e)));
        }
        Data::object_of(members)
    }

    fn variable(&self, name: &str) -> Option<Data> {
        let mut cache = self.converted.variables.borrow_mut();
        if let Some(v) = cache.get(name) {
            return Some(v.clone());
        }
        let v = Data::from_json(self.variables.get(name)?);
        cache.insert(name.to_owned(), v.clone());
        Some(v)
    }

    /// Evaluates one `{% %}` string; an undefined result is an error, since
    /// every field that takes an expression needs a value.
    pub fn expression(&self, text: &str, location: &str) -> Result<Value, QueryError> {
        self.expression_at(text, Loc::Field(location))
    }

    fn expression_at(&self, text: &str, location: Loc<'_>) -> Result<Value, QueryError> {
        let inner = expression_of(text).unwrap_or(text).trim();
        let fail = |detail: String| QueryError {
            location: location.to_string(),
            detail,
        };
        let threw = |e: lakestack_jsonata::Error| {
            fail(format!(
                "The JSONata expression '{inner}' specified for the field '{location}' threw an error during evaluation{}",
                error_tail(&e)
            ))
        };
        let expr = parse(inner).map_err(threw)?;
        let mut bindings: Vec<(&str, Data)> = Vec::new();
        for name in mentioned(inner) {
            if name == "states" {
                bindings.push(("states", self.states(inner)));
            } else if let Some(v) = self.variable(name) {
                bindings.push((name, v));
            }
        }
        match expr.evaluate_with(Data::Null, &bindings, &options(self.now_ms)) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(fail(format!(
                "The JSONata expression '{inner}' specified for the field '{location}' returned nothing (undefined)."
            ))),
            Err(e) => Err(threw(e)),
        }
    }

    /// A field's value: a `{% %}` string is evaluated, objects and arrays
    /// are walked (their keys are never evaluated), other values are kept.
    pub fn value(&self, template: &Value, location: &str) -> Result<Value, QueryError> {
        self.value_at(template, Loc::Field(location))
    }

    fn value_at(&self, template: &Value, location: Loc<'_>) -> Result<Value, QueryError> {
        match template {
            Value::String(s) if expression_of(s).is_some() => self.expression_at(s, location),
            Value::Object(m) => {
                let mut out = Map::with_capacity(m.len());
                for (k, v) in m {
                    out.insert(k.clone(), self.value_at(v, Loc::Key(&location, k))?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    out.push(self.value_at(v, Loc::Index(&location, i))?);
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
