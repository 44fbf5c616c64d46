//! JsonPath as Step Functions evaluates it, and the JSONPath data-flow steps
//! (InputPath, Parameters/ItemSelector/ResultSelector, ResultPath, OutputPath).
//!
//! Step Functions runs Jayway JsonPath on Jackson, so paths, results and the
//! wording of failures follow Jayway: a *definite* path (only single names and
//! single indices) selects one node or fails with Jayway's message, an
//! indefinite one (wildcard, deep scan, slice, filter, index or name list)
//! always yields an array, empty when nothing matched.
//!
//! Validation reads paths with [`Path::shape`], this same grammar, so that a
//! definition is refused at CreateStateMachine exactly when its paths would
//! not compile. `$name…` paths read workflow variables, bound for the span
//! of a state's data flow by [`with_variables`].
//!
//! Errors are returned as [`PathError`] values carrying AWS's error name and
//! the part of the cause that does not depend on the state; the interpreter,
//! which knows the state's name and the id of its `…StateEntered` event, asks
//! [`PathError::cause`] for the full text.

use std::cmp::Ordering;
use std::fmt;

use lakestack_compat::java_double::double_to_string;
use serde_json::{Map, Number, Value};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Which predefined error a failure surfaces as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `States.Runtime`: what AWS reports for paths that match nothing in
    /// InputPath, OutputPath, payload templates and Choice rules.
    Runtime,
    /// `States.ParameterPathFailure`: named by the ASL spec for payload
    /// template paths; AWS itself reports `States.Runtime` there, so nothing
    /// in this module produces it, but callers may.
    ParameterPathFailure,
    /// `States.ResultPathMatchFailure`: ResultPath cannot be applied.
    ResultPathMatchFailure,
    /// `States.IntrinsicFailure`: an intrinsic function rejected its arguments.
    IntrinsicFailure,
    /// `States.NoChoiceMatched`: no Choice rule matched and there is no Default.
    NoChoiceMatched,
    /// The definition itself is invalid (AWS rejects it at CreateStateMachine
    /// with `InvalidDefinition` / `SCHEMA_VALIDATION_FAILED`). Should it only
    /// show up while running, it is reported as `States.Runtime`.
    InvalidDefinition,
}

impl ErrorKind {
    /// The `error` string of the failure event.
    pub fn error_name(self) -> &'static str {
        match self {
            ErrorKind::Runtime | ErrorKind::InvalidDefinition => "States.Runtime",
            ErrorKind::ParameterPathFailure => "States.ParameterPathFailure",
            ErrorKind::ResultPathMatchFailure => "States.ResultPathMatchFailure",
            ErrorKind::IntrinsicFailure => "States.IntrinsicFailure",
            ErrorKind::NoChoiceMatched => "States.NoChoiceMatched",
        }
    }

    /// AWS prefixes the causes of interpreter errors with the state and the
    /// event that entered it.
    fn names_the_state(self) -> bool {
        matches!(
            self,
            ErrorKind::Runtime | ErrorKind::InvalidDefinition | ErrorKind::IntrinsicFailure
        )
    }
}

/// A failure of path evaluation, a data-flow step, an intrinsic or a Choice rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub kind: ErrorKind,
    /// The state-independent part of the cause (for `InvalidDefinition`: the
    /// SCHEMA_VALIDATION_FAILED message, without its location).
    pub detail: String,
}

impl PathError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    pub(crate) fn runtime(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Runtime, detail)
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidDefinition, detail)
    }

    /// The `error` string of the failure event, e.g. `States.Runtime`.
    pub fn error(&self) -> &'static str {
        self.kind.error_name()
    }

    /// The `cause` string of the failure event for a state named `state_name`
    /// whose `…StateEntered` event has id `entered_event_id`.
    pub fn cause(&self, state_name: &str, entered_event_id: u64) -> String {
        if self.kind.names_the_state() {
            format!(
                "An error occurred while executing the state '{state_name}' (entered at the event id #{entered_event_id}). {}",
                self.detail
            )
        } else {
            self.detail.clone()
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error(), self.detail)
    }
}

impl std::error::Error for PathError {}

/// Why a path selected nothing, in Jayway's words (for example
/// `No results for path: $['missing']`). Callers wrap it in the message of
/// the field that used the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMiss(String);

impl PathMiss {
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PathMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// AWS renders "not an object" failures with Jayway's provider class in them.
const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JacksonJsonProvider";

// AWS's answer when a path is applied to a null state input.
const NULL_INPUT: &str = "Unable to apply Path transformation to null or empty input.";

// ---------------------------------------------------------------------------
// The compiled path
// ---------------------------------------------------------------------------

/// Which document a path reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `$…`: the state's (effective) input.
    Input,
    /// `$$…`: the context object.
    Context,
    /// `@…`: the current element inside a filter.
    Current,
    /// `$name…`: a workflow variable.
    Variable,
}

thread_local! {
    /// The workflow variables paths read while [`with_variables`] runs.
    static VARIABLES: std::cell::RefCell<Option<std::sync::Arc<Map<String, Value>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `$name` paths reading these variables. Path evaluation is
/// synchronous and called from many places (templates, intrinsics, Choice
/// rules); binding the variables for the span of one state's data flow
/// saves threading them through every signature. `f` must not await.
pub fn with_variables<T>(vars: &std::sync::Arc<Map<String, Value>>, f: impl FnOnce() -> T) -> T {
    /// Puts back what was bound before, even when `f` panics (the worker
    /// thread lives on, and the next execution on it must not read these).
    struct Restore(Option<std::sync::Arc<Map<String, Value>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            VARIABLES.with(|v| *v.borrow_mut() = previous);
        }
    }
    let _restore = Restore(VARIABLES.with(|v| v.replace(Some(std::sync::Arc::clone(vars)))));
    f()
}

fn variable(name: &str) -> Option<Value> {
    VARIABLES.with(|v| v.borrow().as_ref().and_then(|m| m.get(name).cloned()))
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// One name selects one member; several merge into one object when they
    /// end the path and fan out otherwise (Jayway's rules).
    Child(Vec<String>),
    /// One index selects one element (negative counts from the end).
    Index(Vec<i64>),
    Slice(Option<i64>, Option<i64>),
    Wildcard,
    Filter(Box<Expr>),
    /// `..x`: the inner step applied to the node and all its descendants.
    Scan(Box<Step>),
}

impl Step {
    fn is_definite(&self, last: bool) -> bool {
        match self {
            Step::Child(names) => names.len() == 1 || last,
            Step::Index(indices) => indices.len() == 1,
            _ => false,
        }
    }
}

/// What a path in a definition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'t> {
    /// `$…`: the state's input.
    Input,
    /// `$$…`: the context object.
    Context,
    /// `$name…`: the workflow variable `name`.
    Variable(&'t str),
}

/// What validation needs to know about a path, from [`Path::shape`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape<'t> {
    pub source: Source<'t>,
    /// Only single names and single indices: a Reference Path.
    pub reference: bool,
}

// `$$` before `$name`: `$$.x` reads the context, never a variable called `$`.
fn split_source(text: &str) -> Option<(Source<'_>, &str)> {
    if let Some(rest) = text.strip_prefix("$$") {
        return Some((Source::Context, rest));
    }
    let rest = text.strip_prefix('$')?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    if end == 0 {
        return Some((Source::Input, rest));
    }
    let name = &rest[..end];
    is_variable_name(name).then_some((Source::Variable(name), &rest[end..]))
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_reference(steps: &[Step]) -> bool {
    steps.iter().all(|s| match s {
        Step::Child(names) => names.len() == 1,
        Step::Index(indices) => indices.len() == 1,
        _ => false,
    })
}

fn not_a_jsonpath(text: &str) -> PathError {
    PathError::invalid(format!("The value '{text}' is not a valid JSONPath"))
}

/// A compiled JsonPath (`$…`, `$$…`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    root: Root,
    /// The variable a `Root::Variable` path reads.
    variable: Option<String>,
    steps: Vec<Step>,
}

impl Path {
    /// Compiles a Path (may select many nodes). `$$` reads the context object.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let (root, variable, rest) = match split_source(text) {
            Some((Source::Input, rest)) => (Root::Input, None, rest),
            Some((Source::Context, rest)) => (Root::Context, None, rest),
            Some((Source::Variable(name), rest)) => (Root::Variable, Some(name.to_owned()), rest),
            None => return Err(not_a_jsonpath(text)),
        };
        let steps = Parser::new(rest, text).steps_to_end()?;
        Ok(Path {
            text: text.to_string(),
            root,
            variable,
            steps,
        })
    }

    /// Checks a path as a JSONPath definition may write it, which includes paths that read a
    /// workflow variable, and tells what it reads and whether it is a Reference Path. This is the
    /// grammar [`Path::parse`] compiles, so that what validation accepts is what runs.
    pub fn shape(text: &str) -> Result<Shape<'_>, PathError> {
        let (source, rest) = split_source(text).ok_or_else(|| not_a_jsonpath(text))?;
        let steps = Parser::new(rest, text).steps_to_end()?;
        Ok(Shape {
            source,
            reference: is_reference(&steps),
        })
    }

    /// Compiles a Reference Path: only `.name`, `['name']` and `[index]`
    /// steps, so it always names a single node (ResultPath, Variable,
    /// `…Path` operators, `*Path` fields).
    pub fn parse_reference(text: &str) -> Result<Path, PathError> {
        let path = Path::parse(text)?;
        if path.is_reference() {
            Ok(path)
        } else {
            Err(PathError::invalid(format!(
                "The value '{text}' is not a valid Reference Path"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn root(&self) -> Root {
        self.root
    }

    /// `$` or `$$` alone.
    pub fn is_root_only(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether the path selects at most one node (Jayway's "definite").
    pub fn is_definite(&self) -> bool {
        let last = self.steps.len().saturating_sub(1);
        self.steps.iter().enumerate().all(|(i, s)| s.is_definite(i == last))
    }

    /// Whether the path is a Reference Path.
    pub fn is_reference(&self) -> bool {
        is_reference(&self.steps)
    }

    /// Evaluates the path. A definite path yields its node or fails with
    /// Jayway's message; an indefinite one yields an array of its matches.
    pub fn select(&self, input: &Value, context: &Value) -> Result<Value, PathMiss> {
        let held;
        let doc = if self.root == Root::Variable {
            let name = self.variable.as_deref().unwrap_or_default();
            held = variable(name).ok_or_else(|| PathMiss(format!("The variable '{name}' is not defined")))?;
            &held
        } else {
            self.document(input, context)
        };
        if self.root == Root::Input && doc.is_null() && !self.steps.is_empty() {
            return Err(PathMiss(NULL_INPUT.to_string()));
        }
        let mut out = Vec::new();
        walk(&self.steps, doc, "$".to_string(), true, doc, &mut out).map_err(PathMiss)?;
        if self.is_definite() {
            out.into_iter()
                .next()
                .ok_or_else(|| PathMiss(format!("No results for path: {}", self.jayway())))
        } else {
            Ok(Value::Array(out))
        }
    }

    /// The node a path names, or `None` when it names nothing (IsPresent).
    /// Indefinite paths always find their (possibly empty) array.
    pub fn find(&self, input: &Value, context: &Value) -> Option<Value> {
        self.select(input, context).ok()
    }

    fn document<'a>(&self, input: &'a Value, context: &'a Value) -> &'a Value {
        match self.root {
            Root::Context => context,
            Root::Input | Root::Current | Root::Variable => input,
        }
    }

    /// The path as Jayway prints it in messages: `$['a'][0]`.
    fn jayway(&self) -> String {
        let mut s = String::from("$");
        for step in &self.steps {
            push_step_text(&mut s, step);
        }
        s
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn push_step_text(s: &mut String, step: &Step) {
    match step {
        Step::Child(names) => {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            s.push('[');
            s.push_str(&quoted.join(","));
            s.push(']');
        }
        Step::Index(indices) => {
            let list: Vec<String> = indices.iter().map(i64::to_string).collect();
            s.push('[');
            s.push_str(&list.join(","));
            s.push(']');
        }
        Step::Slice(from, to) => {
            let from = from.map(|v| v.to_string()).unwrap_or_default();
            let to = to.map(|v| v.to_string()).unwrap_or_default();
            s.push_str(&format!("[{from}:{to}]"));
        }
        Step::Wildcard => s.push_str("[*]"),
        Step::Filter(_) => s.push_str("[?]"),
        Step::Scan(inner) => {
            s.push_str("..");
            push_step_text(s, inner);
        }
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

// Jayway raises an error only while every step so far was definite
// ("upstream definite"); past the first fan-out, misses just drop a branch.
fn walk(
    steps: &[Step],
    node: &Value,
    at: String,
    definite: bool,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else {
        out.push(node.clone());
        return Ok(());
    };
    match step {
        Step::Child(names) if names.len() == 1 => walk_child(&names[0], rest, node, at, definite, root, out),
        Step::Child(names) => walk_children(names, rest, node, at, definite, root, out),
        Step::Index(indices) => walk_indices(step, indices, rest, node, at, definite, root, out),
        Step::Slice(from, to) => {
            let Some(items) = array_model(step, node, &at, definite)? else {
                return Ok(());
            };
            for i in slice_indices(items.len(), *from, *to) {
                walk(rest, &items[i], format!("{at}[{i}]"), false, root, out)?;
            }
            Ok(())
        }
        Step::Wildcard => {
            for (child_at, child) in children(node, &at) {
                walk(rest, child, child_at, false, root, out)?;
            }
            Ok(())
        }
        Step::Filter(expr) => walk_filter(expr, rest, node, at, definite, root, out),
        Step::Scan(inner) => {
            let mut hits = Vec::new();
            scan(inner, node, &at, root, &mut hits);
            for hit in hits {
                walk(rest, &hit, at.clone(), false, root, out)?;
            }
            Ok(())
        }
    }
}

fn walk_child(
    name: &str,
    rest: &[Step],
    node: &Value,
    at: String,
    definite: bool,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    let Value::Object(map) = node else {
        return if definite {
            Err(not_an_object(&format!("['{name}']"), &at, node))
        } else {
            Ok(())
        };
    };
    let here = format!("{at}['{name}']");
    match map.get(name) {
        Some(child) => walk(rest, child, here, definite, root, out),
        // A missing leaf just yields nothing; a missing middle step of a
        // definite path is Jayway's "Missing property".
        None if !rest.is_empty() && definite => Err(format!("Missing property in path {here}")),
        None => Ok(()),
    }
}

fn walk_children(
    names: &[String],
    rest: &[Step],
    node: &Value,
    at: String,
    definite: bool,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    let Value::Object(map) = node else {
        if definite {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            return Err(not_an_object(&format!("[{}]", quoted.join(",")), &at, node));
        }
        return Ok(());
    };
    if rest.is_empty() {
        // Jayway merges a trailing name list into one object of the members found.
        let merged: Map<String, Value> = names
            .iter()
            .filter_map(|n| map.get(n).map(|v| (n.clone(), v.clone())))
            .collect();
        out.push(Value::Object(merged));
        return Ok(());
    }
    for name in names {
        if let Some(child) = map.get(name) {
            walk(rest, child, format!("{at}['{name}']"), false, root, out)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn walk_indices(
    step: &Step,
    indices: &[i64],
    rest: &[Step],
    node: &Value,
    at: String,
    definite: bool,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    let Some(items) = array_model(step, node, &at, definite)? else {
        return Ok(());
    };
    let still_definite = definite && indices.len() == 1;
    for &index in indices {
        // Out-of-range indices select nothing, even on a definite path.
        if let Some(i) = resolve_index(items.len(), index) {
            walk(rest, &items[i], format!("{at}[{index}]"), still_definite, root, out)?;
        }
    }
    Ok(())
}

fn walk_filter(
    expr: &Expr,
    rest: &[Step],
    node: &Value,
    at: String,
    definite: bool,
    root: &Value,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    match node {
        // Jayway tests an object itself, not its members.
        Value::Object(_) => {
            if expr.test(node, root) {
                walk(rest, node, at, false, root, out)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if expr.test(item, root) {
                    walk(rest, item, format!("{at}[{i}]"), false, root, out)?;
                }
            }
            Ok(())
        }
        _ if definite => Err(format!(
            "Filter: [?] can not be applied to primitives. Current context is: {}",
            java_display(node)
        )),
        _ => Ok(()),
    }
}

fn array_model<'a>(step: &Step, node: &'a Value, at: &str, definite: bool) -> Result<Option<&'a [Value]>, String> {
    match node {
        Value::Array(items) => Ok(Some(items)),
        _ if !definite => Ok(None),
        Value::Null => Err(format!("The path {at} is null")),
        _ => {
            let mut token = String::new();
            push_step_text(&mut token, step);
            Err(format!(
                "Filter: {token} can only be applied to arrays. Current context is: {}",
                java_display(node)
            ))
        }
    }
}

fn not_an_object(fragment: &str, at: &str, node: &Value) -> String {
    format!(
        "Expected to find an object with property {fragment} in path {at} but found '{}'. \
         This is not a json object according to the JsonProvider: '{JSON_PROVIDER}'.",
        java_class(node)
    )
}

fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if index < 0 { len + index } else { index };
    if (0..len).contains(&i) {
        usize::try_from(i).ok()
    } else {
        None
    }
}

// Jayway's slices: `[from:to]` is end-exclusive, negative bounds count from
// the end, and out-of-range bounds are clamped.
fn slice_indices(len: usize, from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |v: i64| -> usize {
        let v = if v < 0 { n + v } else { v };
        usize::try_from(v.clamp(0, n)).unwrap_or(0)
    };
    let start = from.map_or(0, clamp);
    let end = to.map_or(len, clamp);
    if start < end { start..end } else { 0..0 }
}

fn children<'a>(node: &'a Value, at: &str) -> Vec<(String, &'a Value)> {
    match node {
        Value::Object(map) => map.iter().map(|(k, v)| (format!("{at}['{k}']"), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{at}[{i}]"), v))
            .collect(),
        _ => Vec::new(),
    }
}

// Deep scan: the inner step at this node, then at every descendant, in
// document order. Misses never fail inside a scan.
fn scan(inner: &Step, node: &Value, at: &str, root: &Value, hits: &mut Vec<Value>) {
    let _ = walk(std::slice::from_ref(inner), node, at.to_string(), false, root, hits);
    for (child_at, child) in children(node, at) {
        if child.is_object() || child.is_array() {
            scan(inner, child, &child_at, root, hits);
        }
    }
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    /// The whole path, for messages.
    whole: &'a str,
    /// How many filters, `!`s and parentheses enclose `pos`.
    depth: usize,
}

/// How deeply filters, `!` and parentheses may nest in one path. Parsing,
/// testing and dropping a filter recurse once per level, and a definition of
/// 1 MB could otherwise nest them deep enough to overflow the stack.
pub const MAX_NESTING: usize = 32;
/// How many steps one path may take. Evaluation recurses once per step, and
/// a ResultPath builds one level of object per missing step, so a path of
/// 100,000 steps would build a value that cannot even be dropped safely.
pub const MAX_STEPS: usize = 256;

impl<'a> Parser<'a> {
    fn new(rest: &str, whole: &'a str) -> Self {
        Self {
            chars: rest.chars().collect(),
            pos: 0,
            whole,
            depth: 0,
        }
    }

    fn error(&self) -> PathError {
        not_a_jsonpath(self.whole)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), PathError> {
        if self.eat(c) { Ok(()) } else { Err(self.error()) }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn steps_to_end(&mut self) -> Result<Vec<Step>, PathError> {
        let steps = self.steps()?;
        if self.pos == self.chars.len() {
            Ok(steps)
        } else {
            Err(self.error())
        }
    }

    fn steps(&mut self) -> Result<Vec<Step>, PathError> {
        let mut steps = Vec::new();
        loop {
            if steps.len() == MAX_STEPS && self.peek().is_some() {
                return Err(PathError::invalid(format!(
                    "The value '{}' has more than {MAX_STEPS} steps",
                    self.whole
                )));
            }
            match (self.peek(), self.peek_at(1)) {
                (Some('.'), Some('.')) => {
                    self.pos += 2;
                    let inner = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.pos += 1;
                            Step::Wildcard
                        }
                        _ => Step::Child(vec![self.dot_name()?]),
                    };
                    steps.push(Step::Scan(Box::new(inner)));
                }
                (Some('.'), _) => {
                    self.pos += 1;
                    if self.eat('*') {
                        steps.push(Step::Wildcard);
                    } else {
                        steps.push(Step::Child(vec![self.dot_name()?]));
                    }
                }
                (Some('['), _) => steps.push(self.bracket()?),
                _ => return Ok(steps),
            }
        }
    }

    // Dot names run to the next `.` or `[`; blanks need bracket notation and
    // `(` would start a Jayway function, which Step Functions does not take.
    fn dot_name(&mut self) -> Result<String, PathError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '.' || c == '[' {
                break;
            }
            if c.is_whitespace() || c == '(' || c == ')' || c == ']' {
                return Err(self.error());
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error());
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    fn bracket(&mut self) -> Result<Step, PathError> {
        self.expect('[')?;
        self.skip_ws();
        let step = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Step::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.expect('(')?;
                self.descend()?;
                let expr = self.or_expr()?;
                self.skip_ws();
                self.expect(')')?;
                self.depth -= 1;
                Step::Filter(Box::new(expr))
            }
            Some('\'' | '"') => Step::Child(self.name_list()?),
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.index_or_slice()?,
            _ => return Err(self.error()),
        };
        self.skip_ws();
        self.expect(']')?;
        Ok(step)
    }

    fn name_list(&mut self) -> Result<Vec<String>, PathError> {
        let mut names = vec![self.quoted()?];
        loop {
            self.skip_ws();
            if !self.eat(',') {
                return Ok(names);
            }
            self.skip_ws();
            names.push(self.quoted()?);
        }
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.error()),
        };
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error()),
                Some('\\') => {
                    let escaped = self.peek_at(1).ok_or_else(|| self.error())?;
                    s.push(escaped);
                    self.pos += 2;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn index_or_slice(&mut self) -> Result<Step, PathError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c != ']') {
            self.pos += 1;
        }
        let body: String = self.chars[start..self.pos]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        let number = |s: &str| s.parse::<i64>().map_err(|_| self.error());
        if let Some((from, to)) = body.split_once(':') {
            let bound = |s: &str| if s.is_empty() { Ok(None) } else { number(s).map(Some) };
            return Ok(Step::Slice(bound(from)?, bound(to)?));
        }
        let indices = body.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        Ok(Step::Index(indices))
    }

    // ---- filter expressions: `||` < `&&` < `!`/parentheses < comparisons ----

    // A chain of `||` or `&&` is one flat node, so a long chain costs no
    // recursion when it is tested or dropped.
    fn or_expr(&mut self) -> Result<Expr, PathError> {
        let mut items = vec![self.and_expr()?];
        loop {
            self.skip_ws();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.pos += 2;
                items.push(self.and_expr()?);
            } else {
                return Ok(if items.len() == 1 {
                    items.swap_remove(0)
                } else {
                    Expr::Or(items)
                });
            }
        }
    }

    fn and_expr(&mut self) -> Result<Expr, PathError> {
        let mut items = vec![self.unary_expr()?];
        loop {
            self.skip_ws();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.pos += 2;
                items.push(self.unary_expr()?);
            } else {
                return Ok(if items.len() == 1 {
                    items.swap_remove(0)
                } else {
                    Expr::And(items)
                });
            }
        }
    }

    /// Enters one more level of `!`, parentheses or nested filters.
    fn descend(&mut self) -> Result<(), PathError> {
        if self.depth >= MAX_NESTING {
            return Err(PathError::invalid(format!(
                "The value '{}' nests filters, '!' and parentheses more than {MAX_NESTING} levels deep",
                self.whole
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn unary_expr(&mut self) -> Result<Expr, PathError> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            self.descend()?;
            let inner = self.unary_expr()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.eat('(') {
            self.descend()?;
            let inner = self.or_expr()?;
            self.skip_ws();
            self.expect(')')?;
            self.depth -= 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, PathError> {
        let left = self.operand()?;
        self.skip_ws();
        let Some(op) = self.operator() else {
            return match left {
                Operand::Path(path) => Ok(Expr::Exists(path)),
                _ => Err(self.error()),
            };
        };
        self.skip_ws();
        let right = self.operand()?;
        Ok(Expr::Compare(left, op, right))
    }

    fn operator(&mut self) -> Option<Op> {
        const SYMBOLS: [(&str, Op); 7] = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=~", Op::Regex),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        const WORDS: [(&str, Op); 7] = [
            ("subsetof", Op::SubsetOf),
            ("anyof", Op::AnyOf),
            ("noneof", Op::NoneOf),
            ("empty", Op::Empty),
            ("size", Op::Size),
            ("nin", Op::Nin),
            ("in", Op::In),
        ];
        for (text, op) in SYMBOLS {
            if self.looking_at(text) {
                self.pos += text.len();
                return Some(op);
            }
        }
        for (text, op) in WORDS {
            let after = self.peek_at(text.len());
            if self.looking_at(text) && !after.is_some_and(|c| c.is_alphanumeric()) {
                self.pos += text.len();
                return Some(op);
            }
        }
        None
    }

    fn looking_at(&self, text: &str) -> bool {
        text.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_ws();
        match self.peek() {
            Some('@' | '$') => self.path_operand(),
            Some('\'' | '"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some('[') => self.list_literal(),
            Some('/') => Err(PathError::invalid(format!(
                "The value '{}' uses a regular expression filter, which is not supported",
                self.whole
            ))),
            Some(_) => Ok(Operand::Literal(self.scalar_literal()?)),
            None => Err(self.error()),
        }
    }

    // The path text runs to the first blank or operator character outside
    // brackets and quotes, then compiles like any path.
    fn path_operand(&mut self) -> Result<Operand, PathError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => self.pos += 1,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '[') => depth += 1,
                (None, ']') if depth > 0 => depth -= 1,
                (None, c) if depth == 0 && (c.is_whitespace() || "()=!<>&|,]".contains(c)) => break,
                _ => {}
            }
            self.pos += 1;
        }
        // A backslash that ends the text skips past its end.
        self.pos = self.pos.min(self.chars.len());
        let text: String = self.chars[start..self.pos].iter().collect();
        let (root, rest) = if let Some(rest) = text.strip_prefix('@') {
            (Root::Current, rest.to_string())
        } else if let Some(rest) = text.strip_prefix("$$") {
            (Root::Context, rest.to_string())
        } else {
            (Root::Input, text[1..].to_string())
        };
        let mut inner = Parser::new(&rest, self.whole);
        inner.depth = self.depth;
        let steps = inner.steps_to_end()?;
        Ok(Operand::Path(Path {
            text,
            root,
            variable: None,
            steps,
        }))
    }

    fn list_literal(&mut self) -> Result<Operand, PathError> {
        self.expect('[')?;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(']') {
                return Ok(Operand::Literal(Value::Array(items)));
            }
            if !items.is_empty() {
                self.expect(',')?;
                self.skip_ws();
            }
            let item = match self.peek() {
                Some('\'' | '"') => Value::String(self.quoted()?),
                _ => self.scalar_literal()?,
            };
            items.push(item);
        }
    }

    fn scalar_literal(&mut self) -> Result<Value, PathError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || "+-.".contains(c)) {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match word.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ => serde_json::from_str::<Number>(&word)
                .map(Value::Number)
                .map_err(|_| self.error()),
        }
    }
}

// ---------------------------------------------------------------------------
// Filter expressions
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Exists(Path),
    Compare(Operand, Op, Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Path),
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

impl Expr {
    fn test(&self, current: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(items) => items.iter().any(|x| x.test(current, root)),
            Expr::And(items) => items.iter().all(|x| x.test(current, root)),
            Expr::Not(inner) => !inner.test(current, root),
            Expr::Exists(path) => operand_path(path, current, root).is_some(),
            Expr::Compare(left, op, right) => {
                let left = left.value(current, root);
                let right = right.value(current, root);
                compare(left.as_ref(), *op, right.as_ref())
            }
        }
    }
}

impl Operand {
    /// `None` is Jayway's "undefined": the path selected nothing.
    fn value(&self, current: &Value, root: &Value) -> Option<Value> {
        match self {
            Operand::Literal(v) => Some(v.clone()),
            Operand::Path(path) => operand_path(path, current, root),
        }
    }
}

fn operand_path(path: &Path, current: &Value, root: &Value) -> Option<Value> {
    // Inside a filter `$$` has no context object to read; treat as a miss.
    let doc = match path.root {
        Root::Current => current,
        Root::Input => root,
        Root::Context | Root::Variable => return None,
    };
    let mut out = Vec::new();
    walk(&path.steps, doc, "@".to_string(), false, root, &mut out).ok()?;
    if path.is_definite() {
        out.into_iter().next()
    } else {
        Some(Value::Array(out))
    }
}

fn compare(left: Option<&Value>, op: Op, right: Option<&Value>) -> bool {
    let (Some(l), Some(r)) = (left, right) else {
        // An undefined side only ever satisfies `!=` and `nin`.
        return matches!(op, Op::Ne | Op::Nin) && left.is_some() != right.is_some();
    };
    match op {
        Op::Eq => filter_equals(l, r),
        Op::Ne => !filter_equals(l, r),
        Op::Lt => filter_order(l, r) == Some(Ordering::Less),
        Op::Le => matches!(filter_order(l, r), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => filter_order(l, r) == Some(Ordering::Greater),
        Op::Ge => matches!(filter_order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        // Regular expressions are rejected when the path is compiled.
        Op::Regex => false,
        Op::In => as_list(r).is_some_and(|list| list.iter().any(|x| filter_equals(l, x))),
        Op::Nin => as_list(r).is_some_and(|list| !list.iter().any(|x| filter_equals(l, x))),
        Op::SubsetOf => match (as_list(l), as_list(r)) {
            (Some(a), Some(b)) => a.iter().all(|x| b.iter().any(|y| filter_equals(x, y))),
            _ => false,
        },
        Op::AnyOf => match (as_list(l), as_list(r)) {
            (Some(a), Some(b)) => a.iter().any(|x| b.iter().any(|y| filter_equals(x, y))),
            _ => false,
        },
        Op::NoneOf => match (as_list(l), as_list(r)) {
            (Some(a), Some(b)) => !a.iter().any(|x| b.iter().any(|y| filter_equals(x, y))),
            _ => false,
        },
        Op::Size => {
            let size = match l {
                Value::String(s) => s.encode_utf16().count(),
                Value::Array(a) => a.len(),
                _ => return false,
            };
            r.as_f64().is_some_and(|n| n == size as f64)
        }
        Op::Empty => {
            let empty = match l {
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => return false,
            };
            r.as_bool() == Some(empty)
        }
    }
}

fn as_list(v: &Value) -> Option<&[Value]> {
    v.as_array().map(Vec::as_slice)
}

// Jayway compares numbers by value and lets a number equal a string holding
// the same text; everything else compares structurally.
fn filter_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.parse::<f64>().ok() == n.as_f64()
        }
        _ => a == b,
    }
}

fn filter_order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(java_string_cmp(x, y)),
        _ => None,
    }
}

/// Java's `String.compareTo`: UTF-16 code unit order, which differs from
/// Rust's code point order for characters outside the BMP.
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

// ---------------------------------------------------------------------------
// Java/Jackson renderings
// ---------------------------------------------------------------------------

/// Compact JSON as Jackson writes it (floats like Java's `Double.toString`,
/// e.g. `1.0E20`): used by `States.JsonToString` and in error messages.
pub fn to_compact_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&java_number(n)),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(k));
                out.push(':');
                write_json(v, out);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str) -> String {
    // Serialising a str cannot fail; the fallback is never taken.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A value as Java's `toString` shows it once Jackson has turned it into
/// plain Java objects: strings bare, maps as `{a=1, b=[x, y]}`. This is what
/// `States.Format` interpolates.
pub fn java_display(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => java_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_display).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}={}", java_display(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A JSON number as Java prints it: integers plainly, floats as
/// `Double.toString` does.
pub fn java_number(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64().map_or_else(|| n.to_string(), double_to_string)
    } else {
        n.to_string()
    }
}

/// The Java class Jayway reports for a node in "not an object" messages.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => "java.lang.Integer",
            Some(_) => "java.lang.Long",
            None if n.is_u64() => "java.math.BigInteger",
            None => "java.lang.Double",
        },
    }
}

// ---------------------------------------------------------------------------
// Data flow
// ---------------------------------------------------------------------------

/// How a path-valued state field was written in the definition.
enum PathField {
    Absent,
    Null,
    Path(Path),
}

fn path_field(field: Option<&Value>, name: &str) -> Result<PathField, PathError> {
    match field {
        None => Ok(PathField::Absent),
        Some(Value::Null) => Ok(PathField::Null),
        Some(Value::String(text)) => Path::parse(text).map(PathField::Path),
        Some(_) => Err(PathError::invalid(format!(
            "The value for the field '{name}' must be a valid JSONPath"
        ))),
    }
}

fn invalid_path(path: &Path, miss: &PathMiss) -> PathError {
    PathError::runtime(format!("Invalid path '{}' : {}", path.as_str(), miss.message()))
}

/// InputPath: the raw definition field (`None` when absent). Absent means
/// `$`; `null` gives `{}`.
pub fn apply_input_path(field: Option<&Value>, input: &Value, context: &Value) -> Result<Value, PathError> {
    select_field(path_field(field, "InputPath")?, input, context)
}

/// OutputPath: the raw definition field. Absent means `$`; `null` gives `{}`.
pub fn apply_output_path(field: Option<&Value>, output: &Value, context: &Value) -> Result<Value, PathError> {
    select_field(path_field(field, "OutputPath")?, output, context)
}

fn select_field(field: PathField, value: &Value, context: &Value) -> Result<Value, PathError> {
    match field {
        PathField::Absent => Ok(value.clone()),
        PathField::Null => Ok(Value::Object(Map::new())),
        PathField::Path(path) if path.is_root_only() && path.root() == Root::Input => Ok(value.clone()),
        PathField::Path(path) => path.select(value, context).map_err(|miss| invalid_path(&path, &miss)),
    }
}

/// ResultPath: the raw definition field, the state's raw input and the
/// result (after ResultSelector). Absent or `$` gives the result, `null`
/// keeps the input, a Reference Path writes the result into a copy of the
/// input, creating missing objects on the way.
pub fn apply_result_path(field: Option<&Value>, state_input: &Value, result: Value) -> Result<Value, PathError> {
    let path = match field {
        None => return Ok(result),
        Some(Value::Null) => return Ok(state_input.clone()),
        Some(Value::String(text)) => Path::parse_reference(text)?,
        Some(_) => {
            return Err(PathError::invalid(
                "The value for the field 'ResultPath' must be a valid JSONPath",
            ));
        }
    };
    if path.root() != Root::Input {
        return Err(PathError::invalid(format!(
            "The value for the field 'ResultPath' must be a valid JSONPath, but was '{}'",
            path.as_str()
        )));
    }
    let mut output = state_input.clone();
    if write_at(&mut output, &path.steps, result) {
        Ok(output)
    } else {
        Err(PathError::new(
            ErrorKind::ResultPathMatchFailure,
            format!(
                "Unable to apply ReferencePath {} to input {}",
                path.as_str(),
                to_compact_json(state_input)
            ),
        ))
    }
}

// Writes along a reference path: objects may gain members (and missing
// intermediate objects), arrays only have existing elements replaced.
fn write_at(target: &mut Value, steps: &[Step], value: Value) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        *target = value;
        return true;
    };
    match (step, target) {
        (Step::Child(names), Value::Object(map)) if names.len() == 1 => {
            let slot = map.entry(names[0].clone()).or_insert_with(|| {
                // Only a further name step can live in a new object.
                if rest.is_empty() {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                }
            });
            write_at(slot, rest, value)
        }
        (Step::Index(indices), Value::Array(items)) if indices.len() == 1 => {
            match resolve_index(items.len(), indices[0]) {
                Some(i) => write_at(&mut items[i], rest, value),
                None => false,
            }
        }
        _ => false,
    }
}

/// Evaluates a payload template (Parameters, ItemSelector, ResultSelector,
/// a Task's Credentials): members whose key ends in `.$` take the value of
/// a path, a `$$` context path or an intrinsic call and lose the suffix;
/// nested objects and arrays are processed the same way.
pub fn apply_payload_template(template: &Value, input: &Value, context: &Value) -> Result<Value, PathError> {
    match template {
        Value::Object(members) => {
            let mut out = Map::new();
            for (key, value) in members {
                if let Some(name) = key.strip_suffix(".$") {
                    if members.contains_key(name) {
                        return Err(PathError::invalid(format!(
                            "The field '{name}' and the field '{key}' cannot both be present"
                        )));
                    }
                    out.insert(name.to_string(), dynamic_value(key, value, input, context)?);
                } else {
                    out.insert(key.clone(), apply_payload_template(value, input, context)?);
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| apply_payload_template(item, input, context))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn dynamic_value(key: &str, value: &Value, input: &Value, context: &Value) -> Result<Value, PathError> {
    let Value::String(text) = value else {
        return Err(PathError::invalid(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath but was {}",
            schema_type(value)
        )));
    };
    if text.starts_with('$') {
        let path = Path::parse(text).map_err(|_| not_a_path(key))?;
        return select_for_field(&path, key, input, context);
    }
    if crate::intrinsics::is_intrinsic(text) {
        return crate::intrinsics::evaluate_for_field(text, key, input, context);
    }
    Err(not_a_path(key))
}

fn not_a_path(key: &str) -> PathError {
    PathError::invalid(format!(
        "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
    ))
}

/// Resolves a path that fills the payload field `key` (also used for
/// intrinsic arguments), with AWS's message when it matches nothing.
pub fn select_for_field(path: &Path, key: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    if path.root() == Root::Input && input.is_null() {
        // Even `$` alone is refused on a null input.
        return Err(PathError::runtime(NULL_INPUT));
    }
    path.select(input, context).map_err(|_| {
        let doc = if path.root() == Root::Context { context } else { input };
        PathError::runtime(format!(
            "The JSONPath '{}' specified for the field '{key}' could not be found in the input '{}'",
            path.as_str(),
            to_compact_json(doc)
        ))
    })
}

fn schema_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(n) if n.is_f64() => "NUMBER",
        Value::Number(_) => "INTEGER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> Value {
        json!({
            "store": {
                "book": [
                    {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
                    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
                    {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
                     "isbn": "0-553-21311-3", "price": 8.99},
                    {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord",
                     "isbn": "0-395-19395-8", "price": 22.99}
                ],
                "bicycle": {"color": "red", "price": 19.95}
            },
            "a b": {"c": 1},
            "flag": true
        })
    }

    fn sel(path: &str, input: &Value) -> Result<Value, PathMiss> {
        Path::parse(path).expect("path parses").select(input, &json!({}))
    }

    fn ok(path: &str, input: &Value) -> Value {
        sel(path, input).expect("path matches")
    }

    fn miss(path: &str, input: &Value) -> String {
        sel(path, input).expect_err("path misses").message().to_string()
    }

    #[test]
    fn a_trailing_backslash_in_a_quote_is_an_error_not_a_panic() {
        // Found by the `sfn_path` fuzz target.
        for text in ["$[?(@'\\", "$[?(@.['\\"] {
            assert!(Path::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn nesting_and_length_are_bounded() {
        // Each of these used to recurse once per level while parsing, testing or dropping.
        let nots = format!("$[?({}@.a)]", "!".repeat(100_000));
        let e = Path::parse(&nots).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidDefinition);
        assert!(
            e.detail
                .ends_with("nests filters, '!' and parentheses more than 32 levels deep"),
            "{}",
            &e.detail[e.detail.len() - 80..]
        );
        let parens = format!("$[?({}@.a{})]", "(".repeat(100_000), ")".repeat(100_000));
        assert!(
            Path::parse(&parens)
                .unwrap_err()
                .detail
                .ends_with("more than 32 levels deep")
        );
        let filters = format!("$.a{}{}", "[?(@.a".repeat(50_000), ")]".repeat(50_000));
        assert!(
            Path::parse(&filters)
                .unwrap_err()
                .detail
                .ends_with("more than 32 levels deep")
        );
        let steps = format!("${}", ".a".repeat(100_000));
        let e = Path::parse(&steps).unwrap_err();
        assert!(
            e.detail.ends_with("has more than 256 steps"),
            "{}",
            &e.detail[e.detail.len() - 80..]
        );
        // A long flat chain is fine: it does not nest.
        let chain = format!(
            "$[?({})]",
            vec!["@.price > 100"; 20_000].join(" || ") + " || @.price < 9"
        );
        assert_eq!(ok(&chain, &store()["store"]["book"]).as_array().map(Vec::len), Some(2));
        // The limits themselves still parse.
        assert!(Path::parse(&format!("$[?({}@.a)]", "!".repeat(31))).is_ok());
        assert!(Path::parse(&format!("${}", ".a".repeat(256))).is_ok());
    }

    #[test]
    fn dot_and_bracket_children() {
        let s = store();
        assert_eq!(ok("$", &s), s);
        assert_eq!(ok("$.store.bicycle.color", &s), json!("red"));
        assert_eq!(ok("$['store']['bicycle']['color']", &s), json!("red"));
        assert_eq!(ok("$[\"a b\"].c", &s), json!(1));
        assert_eq!(ok("$['a b']['c']", &s), json!(1));
    }

    #[test]
    fn indices_negative_and_lists() {
        let s = store();
        assert_eq!(ok("$.store.book[0].title", &s), json!("Sayings"));
        assert_eq!(ok("$.store.book[-1].title", &s), json!("The Lord"));
        assert_eq!(ok("$.store.book[0,2].price", &s), json!([8.95, 8.99]));
    }

    #[test]
    fn slices_are_end_exclusive_and_clamped() {
        let v = json!({"a": [0, 1, 2, 3, 4]});
        assert_eq!(ok("$.a[1:3]", &v), json!([1, 2]));
        assert_eq!(ok("$.a[:2]", &v), json!([0, 1]));
        assert_eq!(ok("$.a[-2:]", &v), json!([3, 4]));
        assert_eq!(ok("$.a[3:]", &v), json!([3, 4]));
        assert_eq!(ok("$.a[2:100]", &v), json!([2, 3, 4]));
        assert_eq!(ok("$.a[4:1]", &v), json!([]));
    }

    #[test]
    fn wildcards() {
        let s = store();
        assert_eq!(ok("$.store.book[*].author", &s).as_array().map(Vec::len), Some(4));
        assert_eq!(ok("$.store.bicycle.*", &s), json!(["red", 19.95]));
        assert_eq!(ok("$.flag.*", &s), json!([]));
    }

    #[test]
    fn deep_scan() {
        let s = store();
        let authors = ok("$..author", &s);
        assert_eq!(
            authors,
            json!(["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"])
        );
        // Members come in document order; without serde_json's
        // `preserve_order` that order is alphabetical, so compare as a set.
        let mut prices: Vec<f64> = ok("$.store..price", &s)
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        prices.sort_by(f64::total_cmp);
        assert_eq!(prices, [8.95, 8.99, 12.99, 19.95, 22.99]);
        assert_eq!(ok("$..book[2].title", &s), json!(["Moby Dick"]));
        assert_eq!(ok("$..nothing", &s), json!([]));
        assert_eq!(ok("$..[0].title", &s), json!(["Sayings"]));
    }

    #[test]
    fn filters_compare_numbers_strings_bools_and_null() {
        let s = store();
        assert_eq!(
            ok("$.store.book[?(@.price < 10)].title", &s),
            json!(["Sayings", "Moby Dick"])
        );
        assert_eq!(
            ok("$.store.book[?(@.price >= 12.99)].title", &s),
            json!(["Sword", "The Lord"])
        );
        assert_eq!(
            ok("$.store.book[?(@.category == 'reference')].author", &s),
            json!(["Nigel Rees"])
        );
        assert_eq!(
            ok("$.store.book[?(@.category != \"fiction\")].author", &s),
            json!(["Nigel Rees"])
        );
        assert_eq!(
            ok("$.store.book[?(@.isbn)].title", &s),
            json!(["Moby Dick", "The Lord"])
        );
        assert_eq!(ok("$.store.book[?(!@.isbn)].title", &s), json!(["Sayings", "Sword"]));
        let v = json!({"xs": [{"b": true, "n": null}, {"b": false, "n": 1}]});
        assert_eq!(ok("$.xs[?(@.b == true)].n", &v), json!([null]));
        assert_eq!(ok("$.xs[?(@.n == null)].b", &v), json!([true]));
    }

    #[test]
    fn filters_combine_with_and_or_and_parentheses() {
        let s = store();
        let cheap_fiction = "$.store.book[?(@.category == 'fiction' && @.price < 10)].title";
        assert_eq!(ok(cheap_fiction, &s), json!(["Moby Dick"]));
        let either = "$.store.book[?(@.price < 9 || @.price > 20)].title";
        assert_eq!(ok(either, &s), json!(["Sayings", "Moby Dick", "The Lord"]));
        let grouped = "$.store.book[?((@.price < 9 || @.price > 20) && @.isbn)].title";
        assert_eq!(ok(grouped, &s), json!(["Moby Dick", "The Lord"]));
    }

    #[test]
    fn filters_with_list_operators_and_root_references() {
        let v = json!({"limit": 2, "xs": [{"n": 1, "t": ["a"]}, {"n": 2, "t": ["a", "b"]}, {"n": 3, "t": []}]});
        assert_eq!(ok("$.xs[?(@.n in [1, 3])].n", &v), json!([1, 3]));
        assert_eq!(ok("$.xs[?(@.n nin [1, 3])].n", &v), json!([2]));
        assert_eq!(ok("$.xs[?(@.t size 2)].n", &v), json!([2]));
        assert_eq!(ok("$.xs[?(@.t empty true)].n", &v), json!([3]));
        assert_eq!(ok("$.xs[?(@.t subsetof ['a', 'b'])].n", &v), json!([1, 2, 3]));
        assert_eq!(ok("$.xs[?(@.t anyof ['b'])].n", &v), json!([2]));
        assert_eq!(ok("$.xs[?(@.n <= $.limit)].n", &v), json!([1, 2]));
    }

    #[test]
    fn filter_on_an_object_tests_the_object() {
        let v = json!({"o": {"k": 5}});
        assert_eq!(ok("$.o[?(@.k == 5)]", &v), json!([{"k": 5}]));
        assert_eq!(ok("$.o[?(@.k == 6)]", &v), json!([]));
    }

    #[test]
    fn trailing_name_list_merges() {
        let v = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(ok("$['a','c','zz']", &v), json!({"a": 1, "c": 3}));
    }

    #[test]
    fn jayway_messages_for_definite_misses() {
        let v = json!({"a": {"b": 1}, "s": "text", "arr": [1], "n": null});
        assert_eq!(miss("$.missing", &v), "No results for path: $['missing']");
        assert_eq!(miss("$.a.c", &v), "No results for path: $['a']['c']");
        assert_eq!(miss("$.x.y", &v), "Missing property in path $['x']");
        assert_eq!(miss("$.arr[5]", &v), "No results for path: $['arr'][5]");
        assert_eq!(
            miss("$.s.b", &v),
            "Expected to find an object with property ['b'] in path $['s'] but found 'java.lang.String'. \
             This is not a json object according to the JsonProvider: \
             'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
        );
        assert_eq!(
            miss("$.a[0]", &v),
            "Filter: [0] can only be applied to arrays. Current context is: {b=1}"
        );
        assert_eq!(miss("$.n[0]", &v), "The path $['n'] is null");
        assert_eq!(miss("$.a", &Value::Null), NULL_INPUT);
    }

    #[test]
    fn indefinite_paths_never_fail_past_the_fan_out() {
        let v = json!({"xs": [{"a": 1}, {"b": 2}, 3]});
        assert_eq!(ok("$.xs[*].a", &v), json!([1]));
        assert_eq!(ok("$.xs[*].a.b", &v), json!([]));
        // The part before the fan-out is still definite.
        assert_eq!(miss("$.nope[*]", &v), "Missing property in path $['nope']");
    }

    #[test]
    fn context_paths_read_the_context_object() {
        let ctx = json!({"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Value": {"k": 1}, "Index": 0}}});
        let p = Path::parse("$$.Execution.Id").expect("parses");
        assert_eq!(p.root(), Root::Context);
        assert_eq!(p.select(&json!({}), &ctx), Ok(json!("arn:x")));
        let item = Path::parse("$$.Map.Item.Value").expect("parses");
        assert_eq!(item.select(&Value::Null, &ctx), Ok(json!({"k": 1})));
        assert_eq!(Path::parse("$$").expect("parses").select(&json!(1), &ctx), Ok(ctx));
    }

    #[test]
    fn definiteness_and_reference_paths() {
        assert!(Path::parse("$.a.b[0]").expect("parses").is_reference());
        assert!(Path::parse("$['a b'][-1]").expect("parses").is_reference());
        for text in ["$.a[*]", "$..a", "$.a[0:1]", "$.a[?(@.b)]", "$.a[0,1]", "$['a','b'].c"] {
            let path = Path::parse(text).expect("parses");
            assert!(!path.is_reference(), "{text}");
            assert!(Path::parse_reference(text).is_err(), "{text}");
        }
        assert!(Path::parse("$['a','b']").expect("parses").is_definite());
        assert!(!Path::parse("$['a','b'].c").expect("parses").is_definite());
    }

    #[test]
    fn malformed_paths_are_definition_errors() {
        for text in [
            "",
            "a.b",
            "$.",
            "$.a b",
            "$[",
            "$['a'",
            "$[x]",
            "$.a.length()",
            "$.a[?(@.b =~ /x/)]",
            "$.a]",
        ] {
            let err = Path::parse(text).expect_err(text);
            assert_eq!(err.kind, ErrorKind::InvalidDefinition, "{text}");
        }
    }

    #[test]
    fn shapes_tell_what_a_definition_path_reads() {
        let shape = |text| Path::shape(text).expect(text);
        let input = |reference| Shape {
            source: Source::Input,
            reference,
        };
        assert_eq!(shape("$"), input(true));
        assert_eq!(shape("$.destroy-status['c d'][-1]"), input(true));
        assert_eq!(shape("$.a[?(@.b == 'x]')]"), input(false));
        assert_eq!(shape("$$.Execution.Id").source, Source::Context);
        assert_eq!(shape("$my_Var2.a[0]").source, Source::Variable("my_Var2"));
        assert!(!shape("$_v[*]").reference);
        for text in ["$-x", "$2x", "$my-var.a", "$$x", "$x.", "$x[", "a"] {
            assert!(Path::shape(text).is_err(), "{text}");
        }
        // A variable path reads the variables bound for the state being run.
        let p = Path::parse("$myVar.a").unwrap();
        let vars = std::sync::Arc::new(json!({"myVar": {"a": [1, 2]}}).as_object().cloned().unwrap());
        assert_eq!(
            with_variables(&vars, || p.select(&json!({}), &json!({}))),
            Ok(json!([1, 2]))
        );
        let missing = Path::parse("$other").unwrap();
        assert!(with_variables(&vars, || missing.select(&json!({}), &json!({}))).is_err());
    }

    #[test]
    fn input_path_semantics() {
        let input = json!({"a": {"b": 1}});
        let ctx = json!({});
        assert_eq!(apply_input_path(None, &input, &ctx), Ok(input.clone()));
        assert_eq!(apply_input_path(Some(&Value::Null), &input, &ctx), Ok(json!({})));
        assert_eq!(apply_input_path(Some(&json!("$.a")), &input, &ctx), Ok(json!({"b": 1})));
        assert_eq!(apply_input_path(Some(&json!("$")), &Value::Null, &ctx), Ok(Value::Null));
        let err = apply_input_path(Some(&json!("$.missing")), &input, &ctx).expect_err("misses");
        assert_eq!(err.error(), "States.Runtime");
        assert_eq!(
            err.cause("X", 2),
            "An error occurred while executing the state 'X' (entered at the event id #2). \
             Invalid path '$.missing' : No results for path: $['missing']"
        );
    }

    #[test]
    fn output_path_semantics() {
        let out = json!({"a": [1, 2]});
        let ctx = json!({});
        assert_eq!(apply_output_path(Some(&json!("$.a[*]")), &out, &ctx), Ok(json!([1, 2])));
        assert_eq!(apply_output_path(Some(&Value::Null), &out, &ctx), Ok(json!({})));
        let err = apply_output_path(Some(&json!("$.b.c")), &out, &ctx).expect_err("misses");
        assert_eq!(err.detail, "Invalid path '$.b.c' : Missing property in path $['b']");
        let bad = apply_output_path(Some(&json!(3)), &out, &ctx).expect_err("not a path");
        assert_eq!(bad.kind, ErrorKind::InvalidDefinition);
    }

    #[test]
    fn result_path_semantics() {
        let input = json!({"a": 1, "deep": {"x": 0}, "arr": [0, 1]});
        let r = json!("R");
        assert_eq!(apply_result_path(None, &input, r.clone()), Ok(r.clone()));
        assert_eq!(apply_result_path(Some(&json!("$")), &input, r.clone()), Ok(r.clone()));
        assert_eq!(
            apply_result_path(Some(&Value::Null), &input, r.clone()),
            Ok(input.clone())
        );
        assert_eq!(
            apply_result_path(Some(&json!("$.res")), &input, r.clone()),
            Ok(json!({"a": 1, "deep": {"x": 0}, "arr": [0, 1], "res": "R"}))
        );
        assert_eq!(
            apply_result_path(Some(&json!("$.n1.n2.n3")), &input, r.clone()).map(|v| v["n1"].clone()),
            Ok(json!({"n2": {"n3": "R"}}))
        );
        assert_eq!(
            apply_result_path(Some(&json!("$.deep.x")), &input, r.clone()).map(|v| v["deep"].clone()),
            Ok(json!({"x": "R"}))
        );
        assert_eq!(
            apply_result_path(Some(&json!("$.arr[1]")), &input, r).map(|v| v["arr"].clone()),
            Ok(json!([0, "R"]))
        );
    }

    #[test]
    fn result_path_match_failures() {
        let err = apply_result_path(Some(&json!("$.a")), &json!("hello"), json!(1)).expect_err("string input");
        assert_eq!(err.error(), "States.ResultPathMatchFailure");
        assert_eq!(
            err.cause("S", 2),
            "Unable to apply ReferencePath $.a to input \"hello\""
        );
        let input = json!({"a": 1, "arr": []});
        assert!(apply_result_path(Some(&json!("$.a.b")), &input, json!(1)).is_err());
        assert!(apply_result_path(Some(&json!("$.arr[0]")), &input, json!(1)).is_err());
        let wild = apply_result_path(Some(&json!("$.a[*]")), &input, json!(1)).expect_err("not a reference path");
        assert_eq!(wild.kind, ErrorKind::InvalidDefinition);
        assert!(apply_result_path(Some(&json!("$$.Execution")), &input, json!(1)).is_err());
    }

    #[test]
    fn payload_templates() {
        let input = json!({"flagged": 7, "vals": [0, 10, 20, 30, 40, 50], "name": "N"});
        let ctx = json!({"Execution": {"Id": "exec-1"}});
        let template = json!({
            "flagged": true,
            "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"},
            "list": [{"n.$": "$.name"}, "plain", 1],
            "ctx.$": "$$.Execution.Id",
            "greeting.$": "States.Format('Hi {}', $.name)"
        });
        let expected = json!({
            "flagged": true,
            "parts": {"first": 0, "last3": [30, 40, 50]},
            "list": [{"n": "N"}, "plain", 1],
            "ctx": "exec-1",
            "greeting": "Hi N"
        });
        assert_eq!(apply_payload_template(&template, &input, &ctx), Ok(expected));
    }

    #[test]
    fn payload_template_failures() {
        let input = json!({"other": 1});
        let ctx = json!({});
        let err = apply_payload_template(&json!({"missing.$": "$.nope.deep"}), &input, &ctx).expect_err("miss");
        assert_eq!(err.error(), "States.Runtime");
        assert_eq!(
            err.detail,
            "The JSONPath '$.nope.deep' specified for the field 'missing.$' could not be found in the input '{\"other\":1}'"
        );
        let not_string = apply_payload_template(&json!({"x.$": 5}), &input, &ctx).expect_err("not a string");
        assert_eq!(not_string.kind, ErrorKind::InvalidDefinition);
        assert_eq!(
            not_string.detail,
            "The value for the field 'x.$' must be a STRING that contains a JSONPath but was INTEGER"
        );
        let not_path = apply_payload_template(&json!({"x.$": "missing"}), &input, &ctx).expect_err("not a path");
        assert_eq!(
            not_path.detail,
            "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call"
        );
        let clash = apply_payload_template(&json!({"x": 1, "x.$": "$"}), &input, &ctx).expect_err("clash");
        assert_eq!(clash.kind, ErrorKind::InvalidDefinition);
        let null_input = apply_payload_template(&json!({"Input.$": "$"}), &Value::Null, &ctx).expect_err("null");
        assert_eq!(
            null_input.cause("API Gateway start", 9),
            "An error occurred while executing the state 'API Gateway start' (entered at the event id #9). \
             Unable to apply Path transformation to null or empty input."
        );
    }

    #[test]
    fn java_renderings() {
        // Double.toString itself is tested in lakestack_compat::java_double.
        let v: Value = serde_json::from_str("[1e7,1.5,-0.0,0.0001,12]").expect("json");
        assert_eq!(to_compact_json(&v), "[1.0E7,1.5,-0.0,1.0E-4,12]");
        let v: Value = serde_json::from_str(r#"{"a":1,"b":1.0,"c":[true,null,"x\n"],"d":{}}"#).expect("json");
        assert_eq!(to_compact_json(&v), r#"{"a":1,"b":1.0,"c":[true,null,"x\n"],"d":{}}"#);
        assert_eq!(java_display(&json!({"Arg1": 1, "Arg2": []})), "{Arg1=1, Arg2=[]}");
        assert_eq!(java_display(&json!(["a", 1.5, null])), "[a, 1.5, null]");
    }

    #[test]
    fn java_string_order_is_utf16() {
        // U+FF61 sorts after U+1F600 in Java (0xFF61 > 0xD83D) but before it in Rust.
        assert_eq!(java_string_cmp("\u{FF61}", "\u{1F600}"), Ordering::Greater);
        assert_eq!(java_string_cmp("a", "b"), Ordering::Less);
    }
}
