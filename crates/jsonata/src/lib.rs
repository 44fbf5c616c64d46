//! JSONata 2.0.6, the version AWS Step Functions evaluates (without
//! `$eval`): an expression is parsed once (with a nesting limit) and
//! evaluated over JSON within a depth and a time budget, so a runaway
//! expression fails instead of the process.
//!
//! ```
//! let e = lakestack_jsonata::Expression::parse("$sum(items.price)").unwrap();
//! let out = e.evaluate(&serde_json::json!({"items": [{"price": 2}, {"price": 3}]}), &[], &Default::default()).unwrap();
//! assert_eq!(out, Some(serde_json::json!(5)));
//! ```

mod ast;
pub mod datetime;
pub mod error;
mod eval;
mod functions;
mod json;
mod lexer;
pub mod numbers;
mod parser;
mod process;
mod regex;
mod scan;
mod signature;
mod transform;
mod value;

use std::rc::Rc;
use std::time::{Duration, Instant};

pub use error::{Error, Result};
pub use scan::References;
pub use value::Value;

/// Bounds and inputs of one evaluation.
#[derive(Debug, Clone)]
pub struct Options {
    /// Nested evaluations allowed (JSONata's stack-overflow error, U1001, past it).
    pub max_depth: usize,
    /// Time allowed (U1001 past it).
    pub timeout: Option<Duration>,
    /// Items an array constructor or range may build, and bytes a string
    /// concatenation may (U1002 past either).
    pub max_items: usize,
    pub max_string_bytes: usize,
    /// What `$now()` and `$millis()` return: one instant for the whole evaluation.
    pub now_ms: f64,
    /// Seed of `$random()` and `$shuffle()`.
    pub seed: u64,
    /// Binds AWS Step Functions' functions (`$partition`, `$range`, `$hash`,
    /// `$random(seed)`, `$uuid`, `$parse`).
    pub aws: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_depth: 2000,
            timeout: Some(Duration::from_secs(5)),
            max_items: eval::MAX_ITEMS,
            max_string_bytes: eval::MAX_STRING_BYTES,
            now_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_millis() as f64),
            seed: 0x9E37_79B9_7F4A_7C15,
            aws: false,
        }
    }
}

/// A parsed expression.
pub struct Expression {
    root: ast::Node,
    labels: Vec<Rc<str>>,
}

impl Expression {
    pub fn parse(src: &str) -> Result<Self> {
        let raw = parser::parse(src)?;
        let processed = process::process(raw)?;
        Ok(Self {
            root: processed.root,
            labels: processed.labels,
        })
    }

    /// What the expression reads, found without evaluating it.
    pub fn references(&self) -> References {
        let mut out = References::default();
        scan::walk(&self.root, true, &mut out);
        out
    }

    /// Evaluates over `input` with variables bound (`$name`); None is
    /// JSONata's undefined.
    pub fn evaluate(
        &self,
        input: &serde_json::Value,
        bindings: &[(&str, serde_json::Value)],
        options: &Options,
    ) -> Result<Option<serde_json::Value>> {
        let bound: Vec<(&str, Value)> = bindings.iter().map(|(k, v)| (*k, json::from_json(v))).collect();
        self.evaluate_with(json::from_json(input), &bound, options)
    }

    /// As `evaluate` with no input at all (JSONata's undefined).
    pub fn evaluate_undefined(
        &self,
        bindings: &[(String, serde_json::Value)],
        options: &Options,
    ) -> Result<Option<serde_json::Value>> {
        let bound: Vec<(&str, Value)> = bindings.iter().map(|(k, v)| (k.as_str(), json::from_json(v))).collect();
        self.evaluate_with(Value::Undefined, &bound, options)
    }

    /// As `evaluate`, with values converted beforehand (with
    /// [`Value::from_json`]): a caller that evaluates several expressions
    /// over the same data converts it once.
    pub fn evaluate_with(
        &self,
        input: Value,
        bindings: &[(&str, Value)],
        options: &Options,
    ) -> Result<Option<serde_json::Value>> {
        let out = self.evaluate_value(input, bindings, options)?;
        json_result_as(&out, options.aws)
    }

    /// As `evaluate`, over JSONata values (an undefined input allowed).
    pub fn evaluate_value(&self, input: Value, bindings: &[(&str, Value)], options: &Options) -> Result<Value> {
        let limits = eval::Limits {
            max_depth: options.max_depth,
            deadline: options.timeout.map(|t| Instant::now() + t),
            max_items: options.max_items.min(eval::MAX_ITEMS),
            max_string_bytes: options.max_string_bytes.min(eval::MAX_STRING_BYTES),
        };
        let mut ev = eval::Evaluator::new(&self.labels, limits, options.now_ms, options.seed);
        ev.aws = options.aws;
        let env = ev.frame(None);
        for (k, v) in bindings {
            eval::Evaluator::bind(&env, k, v.clone());
        }
        eval::Evaluator::bind(&env, "$", input.clone());
        let input = match &input {
            Value::Array(a) if !a.has(value::SEQUENCE) => Value::Array(Rc::new(value::Array::new(
                vec![input.clone()],
                value::SEQUENCE | value::OUTER_WRAPPER,
            ))),
            _ => input,
        };
        ev.evaluate(&self.root, &input, &env)
    }
}

/// Nodes a result may have as JSON.
const MAX_RESULT_NODES: usize = 1_000_000;

/// The result as JSON (see [`json::to_json_as`]).
fn json_result_as(v: &Value, named_non_finite: bool) -> Result<Option<serde_json::Value>> {
    let mut budget = MAX_RESULT_NODES;
    // Nesting is bounded by the evaluation's depth, so the walk is too.
    if !json::fits(v, &mut budget) {
        return Err(eval::too_large());
    }
    Ok(json::to_json_as(v, named_non_finite))
}

/// A value rendered as JSONata's `$string` renders it.
pub fn to_string(v: &Value) -> Result<String> {
    functions::string(v, false)
}
