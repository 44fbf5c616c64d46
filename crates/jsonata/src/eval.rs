//! The evaluator: walks the processed tree over a value, as jsonata-js
//! 2.0.6 does (sequences and their flattening, tuple streams for `@`/`#`/`%`
//! bindings, lazily applied tail calls), within a depth and a time budget.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::Instant;

use crate::ast::{BinOp, Kind, LambdaDef, Node, Stage};
use crate::error::{Error, Result};
use crate::functions::{self, Builtin};
use crate::signature::Signature;
use crate::value::{
    Array, CONS, Func, KEEP_SINGLETON, OUTER_WRAPPER, Object, SEQUENCE, TUPLE_STREAM, Value, deep_equal,
};

/// Variables in scope: a block, a lambda's call, a tuple's bindings.
pub struct Frame {
    vars: RefCell<HashMap<Rc<str>, Value>>,
    parent: Option<Env>,
    /// Frames above this one: a chain of partial applications adds one
    /// each, and lookups and drops walk the chain.
    depth: usize,
}

/// How many frames may chain, and how many functions may be composed.
const MAX_CHAIN: usize = 2000;

pub type Env = Rc<Frame>;

/// A lambda and what it closed over.
pub struct Closure {
    pub params: Vec<Rc<str>>,
    pub def: Rc<LambdaDef>,
    pub env: Env,
    pub input: Value,
    /// A tail call waiting for the trampoline.
    pub thunk: bool,
    /// Partial application drops the signature (its parameters changed).
    pub signature: Option<Signature>,
}

type NativeFn = dyn Fn(&mut Evaluator<'_>, &[Value]) -> Result<Value>;

/// A function the evaluator makes (composition, transform, `next`).
pub struct Native {
    pub arity: usize,
    /// Compositions nested inside (`f ~> g ~> h`...), bounded.
    pub chained: usize,
    pub signature: Option<Signature>,
    pub f: Box<NativeFn>,
}

/// Bounds on one evaluation.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Nested evaluations (and so native stack) allowed.
    pub max_depth: usize,
    /// Wall-clock deadline.
    pub deadline: Option<Instant>,
    /// Items an array built by a constructor or a range may hold.
    pub max_items: usize,
    /// Bytes a string built by `&` may hold.
    pub max_string_bytes: usize,
}

pub struct Evaluator<'e> {
    labels: &'e [Rc<str>],
    depth: usize,
    limits: Limits,
    ticks: u32,
    /// Every frame made, so cycles (a lambda bound in the frame it closes
    /// over) are broken when the evaluation ends.
    frames: Vec<Weak<Frame>>,
    pub now_ms: f64,
    pub rng: u64,
    /// AWS Step Functions' functions are bound.
    pub aws: bool,
}

impl Drop for Evaluator<'_> {
    fn drop(&mut self) {
        for f in self.frames.drain(..) {
            if let Some(f) = f.upgrade() {
                f.vars.borrow_mut().clear();
            }
        }
    }
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

/// Items of a sequence or array; a single value as one item.
pub fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.items.clone(),
        other => vec![other.clone()],
    }
}

/// JSONata's truthiness (`$boolean`); None for undefined.
pub fn boolean(v: &Value) -> Option<bool> {
    Some(match v {
        Value::Undefined => return None,
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => match a.items.len() {
            0 => false,
            1 => boolean(&a.items[0]).unwrap_or(false),
            _ => a.items.iter().any(|i| boolean(i).unwrap_or(false)),
        },
        Value::Object(o) => !o.is_empty(),
        Value::Function(_) => false,
    })
}

/// A number, failing D1001 for one out of range (JSONata's `isNumeric`).
pub fn numeric(v: &Value) -> Result<Option<f64>> {
    match v {
        Value::Number(n) if n.is_nan() => Ok(None),
        // jsonata-js shows the value as JSON, where infinity is null.
        Value::Number(n) if n.is_infinite() => Err(err("D1001", "Number out of range: null")),
        Value::Number(n) => Ok(Some(*n)),
        _ => Ok(None),
    }
}

/// Stack left below which a nested evaluation moves to a new segment, and
/// that segment's size.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// Bounds on what one evaluation may build: a string's bytes and an
/// array's items (a loop that doubles a value otherwise exhausts memory
/// long before the time budget is checked).
pub const MAX_STRING_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_ITEMS: usize = 10_000_000;
/// How deeply a value built by an evaluation may nest.
pub const MAX_VALUE_DEPTH: u32 = 1000;

pub fn too_large() -> Error {
    err(
        "U1002",
        "The expression built a value larger than an evaluation may hold",
    )
}

/// `$append` with the item bound.
pub fn append_checked(a: Value, b: Value) -> Result<Value> {
    let len = |v: &Value| match v {
        Value::Array(x) => x.items.len(),
        Value::Undefined => 0,
        _ => 1,
    };
    if len(&a) + len(&b) > MAX_ITEMS {
        return Err(too_large());
    }
    Ok(append(a, b))
}

/// `fn.append`: undefined is nothing; the result is a plain array.
pub fn append(a: Value, b: Value) -> Value {
    if a.is_undefined() {
        return b;
    }
    if b.is_undefined() {
        return a;
    }
    let mut out = items(&a);
    out.extend(items(&b));
    Value::array(out)
}

fn tuple_get(t: &Value, key: &str) -> Value {
    match t {
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        _ => Value::Undefined,
    }
}

fn make_tuple(o: Object) -> Value {
    Value::object(o)
}

fn tuple_stream(items: Vec<Value>) -> Value {
    Value::Array(Rc::new(Array::new(items, SEQUENCE | TUPLE_STREAM)))
}

impl<'e> Evaluator<'e> {
    pub fn new(labels: &'e [Rc<str>], limits: Limits, now_ms: f64, seed: u64) -> Self {
        Self {
            labels,
            depth: 0,
            limits,
            ticks: 0,
            frames: Vec::new(),
            now_ms,
            rng: seed | 1,
            aws: false,
        }
    }

    pub fn frame(&mut self, parent: Option<&Env>) -> Env {
        let f = Rc::new(Frame {
            vars: RefCell::new(HashMap::new()),
            parent: parent.cloned(),
            depth: parent.map_or(0, |p| p.depth + 1),
        });
        if self.frames.len() > 1024 && self.frames.len().is_power_of_two() {
            self.frames.retain(|w| w.strong_count() > 0);
        }
        self.frames.push(Rc::downgrade(&f));
        f
    }

    pub fn bind(env: &Env, name: &str, v: Value) {
        env.vars.borrow_mut().insert(Rc::from(name), v);
    }

    /// A variable bound in a frame.
    fn bound(env: &Env, name: &str) -> Option<Value> {
        let mut f = Some(env);
        while let Some(fr) = f {
            if let Some(v) = fr.vars.borrow().get(name) {
                return Some(v.clone());
            }
            f = fr.parent.as_ref();
        }
        None
    }

    /// A variable, or the standard function of that name (bindings shadow functions).
    pub fn lookup(env: &Env, name: &str) -> Option<Value> {
        Self::bound(env, name).or_else(|| functions::builtin(name).map(|b| Value::Function(Rc::new(Func::Builtin(b)))))
    }

    /// As [`Self::lookup`], with AWS's functions when this evaluation binds them.
    fn variable(&self, env: &Env, name: &str) -> Option<Value> {
        match functions::aws_builtin(name).filter(|_| self.aws) {
            Some(b) => Self::bound(env, name).or_else(|| Some(Value::Function(Rc::new(Func::Builtin(b))))),
            None => Self::lookup(env, name),
        }
    }

    fn frame_from_tuple(&mut self, env: &Env, tuple: &Value) -> Env {
        let f = self.frame(Some(env));
        if let Value::Object(o) = tuple {
            let mut vars = f.vars.borrow_mut();
            for (k, v) in o.iter() {
                vars.insert(Rc::clone(k), v.clone());
            }
        }
        f
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(err(
                "U1001",
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
            ));
        }
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(256)
            && let Some(d) = self.limits.deadline
            && Instant::now() > d
        {
            return Err(err("U1001", "Expression evaluation timeout: Check for infinite loop"));
        }
        Ok(())
    }

    /// Charges work done outside `evaluate` (a builtin's loop) to the budget.
    pub fn tick(&mut self) -> Result<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(256)
            && let Some(d) = self.limits.deadline
            && Instant::now() > d
        {
            return Err(err("U1001", "Expression evaluation timeout: Check for infinite loop"));
        }
        Ok(())
    }

    pub fn evaluate(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value> {
        self.enter()?;
        // Depth is bounded, but frames differ in size between builds and
        // threads differ in stack: grow the stack rather than overflow it.
        let out = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.evaluate_inner(node, input, env));
        self.depth -= 1;
        let mut result = out?;
        if result.depth() > MAX_VALUE_DEPTH {
            return Err(err(
                "U1002",
                format!("The expression built a value nested more than {MAX_VALUE_DEPTH} levels deep"),
            ));
        }
        if let Value::Array(a) = &result
            && a.has(SEQUENCE)
            && !a.has(TUPLE_STREAM)
        {
            if node.keep_array {
                a.set(KEEP_SINGLETON);
            }
            if a.items.is_empty() {
                result = Value::Undefined;
            } else if a.items.len() == 1 && !a.has(KEEP_SINGLETON) {
                result = a.items[0].clone();
            }
        }
        Ok(result)
    }

    fn evaluate_inner(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value> {
        let mut result = match &node.kind {
            Kind::Path(steps) => self.path(node, steps, input, env)?,
            Kind::Binary(op, l, r) => self.binary(*op, l, r, input, env).map_err(|e| {
                if e.token.is_none() {
                    e.token(op.symbol()).at(node.position)
                } else {
                    e
                }
            })?,
            Kind::Negate(e) => match self.evaluate(e, input, env)? {
                Value::Undefined => Value::Undefined,
                v => match numeric(&v)? {
                    Some(n) => Value::Number(-n),
                    None => {
                        return Err(err(
                            "D1002",
                            format!("Cannot negate a non-numeric value: {}", functions::json_of(&v)),
                        )
                        .at(node.position)
                        .token("-"));
                    }
                },
            },
            Kind::Array(exprs) => {
                let mut out: Vec<Value> = Vec::new();
                for item in exprs {
                    let v = self.evaluate(item, input, env)?;
                    if v.is_undefined() {
                        continue;
                    }
                    if matches!(item.kind, Kind::Array(_)) {
                        out.push(v);
                    } else {
                        match &v {
                            Value::Array(a) => out.extend(a.items.iter().cloned()),
                            other => out.push(other.clone()),
                        }
                        if out.len() > self.limits.max_items {
                            return Err(too_large());
                        }
                    }
                }
                Value::Array(Rc::new(Array::new(out, if node.cons_array { CONS } else { 0 })))
            }
            Kind::Object(pairs) => self.group(pairs, node.position, input, env)?,
            Kind::Name(n) => lookup_field(input, n),
            Kind::Str(s) => Value::String(Rc::clone(s)),
            Kind::Num(n) => Value::Number(*n),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
            Kind::Regex(p) => Value::Function(Rc::new(Func::Regex(Rc::clone(p)))),
            Kind::Wildcard => wildcard(input),
            Kind::Descendants => {
                let mut out = Vec::new();
                if !input.is_undefined() {
                    descendants(input, &mut out);
                }
                if out.len() == 1 {
                    out.pop().unwrap_or_default()
                } else {
                    Value::sequence(out)
                }
            }
            Kind::Parent(slot) => {
                let label = self.labels.get(*slot).cloned().unwrap_or_else(|| Rc::from(""));
                Self::lookup(env, &label).unwrap_or_default()
            }
            Kind::Var(name) => {
                if name.is_empty() {
                    match input {
                        Value::Array(a) if a.has(OUTER_WRAPPER) => a.items.first().cloned().unwrap_or_default(),
                        other => other.clone(),
                    }
                } else {
                    self.variable(env, name).unwrap_or_default()
                }
            }
            Kind::Condition(c, t, e) => {
                let cond = self.evaluate(c, input, env)?;
                if boolean(&cond).unwrap_or(false) {
                    self.evaluate(t, input, env)?
                } else if let Some(e) = e {
                    self.evaluate(e, input, env)?
                } else {
                    Value::Undefined
                }
            }
            Kind::Block(exprs) => {
                let frame = self.frame(Some(env));
                let mut last = Value::Undefined;
                for e in exprs {
                    last = self.evaluate(e, input, &frame)?;
                }
                last
            }
            Kind::Bind(name, e) => {
                let v = self.evaluate(e, input, env)?;
                Self::bind(env, name, v.clone());
                v
            }
            Kind::Call {
                procedure,
                args,
                partial: false,
            } => self.call(node, procedure, args, input, env, None)?,
            Kind::Call {
                procedure,
                args,
                partial: true,
            } => self.partial(node, procedure, args, input, env)?,
            Kind::Placeholder => Value::Undefined,
            Kind::Lambda(def) => Value::Function(Rc::new(Func::Lambda(Closure {
                params: def.params.clone(),
                def: Rc::clone(def),
                env: Rc::clone(env),
                input: input.clone(),
                thunk: node.thunk,
                signature: def.signature.clone(),
            }))),
            Kind::Apply(l, r) => self.apply_chain(node, l, r, input, env)?,
            Kind::Transform { .. } => self.transformer(node, env),
            Kind::Sort(_) => self.sort(node, input, env)?,
        };
        for p in &node.predicates {
            result = self.filter(p, &result, env)?;
        }
        if !matches!(node.kind, Kind::Path(_))
            && let Some(g) = &node.group
        {
            result = self.group(g, node.position, &result, env)?;
        }
        Ok(result)
    }

    // --- paths -------------------------------------------------------------

    fn path(&mut self, node: &Node, steps: &[Node], input: &Value, env: &Env) -> Result<Value> {
        let mut input_seq: Vec<Value> = match input {
            Value::Array(a) if !matches!(steps.first().map(|s| &s.kind), Some(Kind::Var(_))) => a.items.clone(),
            other => vec![other.clone()],
        };
        let mut result = Value::Undefined;
        let mut tuples: Option<Vec<Value>> = None;
        let mut is_tuple = false;
        for (ii, step) in steps.iter().enumerate() {
            // A step whose input a parent reference names carries it in tuples.
            if step.tuple || step.ancestor.is_some() {
                is_tuple = true;
            }
            if ii == 0 && step.cons_array {
                let seq = Value::sequence(input_seq.clone());
                result = self.evaluate(step, &seq, env)?;
            } else if is_tuple {
                tuples = Some(self.tuple_step(step, &input_seq, tuples.take(), env)?);
            } else {
                result = self.step(step, &input_seq, env, ii == steps.len() - 1)?;
            }
            if !is_tuple {
                let empty = match &result {
                    Value::Undefined => true,
                    Value::Array(a) => a.items.is_empty(),
                    _ => false,
                };
                if empty {
                    break;
                }
            }
            if step.focus.is_none() {
                input_seq = items(&result);
            }
        }
        let tuples = tuples.map(tuple_stream);
        if let Some(tb) = &tuples {
            if node.tuple {
                result = tb.clone();
            } else {
                result = Value::sequence(items(tb).iter().map(|t| tuple_get(t, "@")).collect());
            }
        }
        if node.keep_singleton_array {
            if let Value::Array(a) = &result
                && a.has(CONS)
                && !a.has(SEQUENCE)
            {
                result = Value::sequence(vec![result.clone()]);
            }
            match &result {
                Value::Array(a) => a.set(KEEP_SINGLETON),
                Value::Undefined => {}
                other => {
                    let seq = Value::Array(Rc::new(Array::new(vec![other.clone()], SEQUENCE | KEEP_SINGLETON)));
                    result = seq;
                }
            }
        }
        if let Some(g) = &node.group {
            let source = match tuples {
                Some(tb) => tb,
                None => result,
            };
            result = self.group(g, node.position, &source, env)?;
        }
        Ok(result)
    }

    fn step(&mut self, step: &Node, input: &[Value], env: &Env, last: bool) -> Result<Value> {
        if matches!(step.kind, Kind::Sort(_)) {
            let mut result = self.sort(step, &Value::sequence(input.to_vec()), env)?;
            if !step.stages.is_empty() {
                result = self.stages(&step.stages, result, env)?;
            }
            return Ok(result);
        }
        let mut results = Vec::new();
        for item in input {
            let mut res = self.evaluate(step, item, env)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    res = self.filter(p, &res, env)?;
                }
            }
            if !res.is_undefined() {
                results.push(res);
            }
        }
        if last
            && results.len() == 1
            && let Value::Array(a) = &results[0]
            && !a.has(SEQUENCE)
        {
            return Ok(results.pop().unwrap_or_default());
        }
        let mut out = Vec::new();
        for r in results {
            match &r {
                Value::Array(a) if !a.has(CONS) => out.extend(a.items.iter().cloned()),
                _ => out.push(r),
            }
        }
        Ok(Value::sequence(out))
    }

    fn stages(&mut self, stages: &[Stage], input: Value, env: &Env) -> Result<Value> {
        let mut result = input;
        for stage in stages {
            match stage {
                Stage::Filter(p) => result = self.filter(p, &result, env)?,
                Stage::Index(var) => {
                    if let Value::Array(a) = &result {
                        let flags = a.flags();
                        let indexed: Vec<Value> = a
                            .items
                            .iter()
                            .enumerate()
                            .map(|(i, t)| match t {
                                Value::Object(o) => {
                                    let mut o = o.map().clone();
                                    o.insert(Rc::clone(var), Value::Number(i as f64));
                                    make_tuple(o)
                                }
                                other => other.clone(),
                            })
                            .collect();
                        result = Value::Array(Rc::new(Array::new(indexed, flags)));
                    }
                }
            }
        }
        Ok(result)
    }

    fn tuple_step(
        &mut self,
        step: &Node,
        input: &[Value],
        tuples: Option<Vec<Value>>,
        env: &Env,
    ) -> Result<Vec<Value>> {
        if matches!(step.kind, Kind::Sort(_)) {
            let mut result = match tuples {
                Some(tb) => items(&self.sort(step, &tuple_stream(tb), env)?),
                None => {
                    let sorted = self.sort(step, &Value::sequence(input.to_vec()), env)?;
                    items(&sorted)
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut t = Object::new();
                            t.insert(Rc::from("@"), v);
                            if let Some(ix) = &step.index {
                                t.insert(Rc::clone(ix), Value::Number(i as f64));
                            }
                            make_tuple(t)
                        })
                        .collect()
                }
            };
            if !step.stages.is_empty() {
                result = items(&self.stages(&step.stages, tuple_stream(result), env)?);
            }
            return Ok(result);
        }
        let tb: Vec<Value> = match tuples {
            Some(tb) => tb,
            None => input
                .iter()
                .map(|v| {
                    let mut t = Object::new();
                    t.insert(Rc::from("@"), v.clone());
                    make_tuple(t)
                })
                .collect(),
        };
        let mut out = Vec::new();
        for t in &tb {
            let step_env = self.frame_from_tuple(env, t);
            let context = tuple_get(t, "@");
            let res = self.evaluate(step, &context, &step_env)?;
            if res.is_undefined() {
                continue;
            }
            let (res_items, res_tuples) = match &res {
                Value::Array(a) => (a.items.clone(), a.has(TUPLE_STREAM)),
                other => (vec![other.clone()], false),
            };
            let base = match t {
                Value::Object(o) => o.map().clone(),
                _ => Object::new(),
            };
            for (bb, r) in res_items.into_iter().enumerate() {
                let mut tuple = base.clone();
                if res_tuples {
                    if let Value::Object(o) = &r {
                        for (k, v) in o.iter() {
                            tuple.insert(Rc::clone(k), v.clone());
                        }
                    }
                } else {
                    if let Some(f) = &step.focus {
                        tuple.insert(Rc::clone(f), r);
                        tuple.insert(Rc::from("@"), context.clone());
                    } else {
                        tuple.insert(Rc::from("@"), r);
                    }
                    if let Some(ix) = &step.index {
                        tuple.insert(Rc::clone(ix), Value::Number(bb as f64));
                    }
                    if let Some(slot) = step.ancestor
                        && let Some(label) = self.labels.get(slot)
                    {
                        tuple.insert(Rc::clone(label), context.clone());
                    }
                }
                out.push(make_tuple(tuple));
            }
        }
        if !step.stages.is_empty() {
            out = items(&self.stages(&step.stages, tuple_stream(out), env)?);
        }
        Ok(out)
    }

    fn filter(&mut self, predicate: &Node, input: &Value, env: &Env) -> Result<Value> {
        let is_tuple = matches!(input, Value::Array(a) if a.has(TUPLE_STREAM));
        let list = items(input);
        let flags = if is_tuple { SEQUENCE | TUPLE_STREAM } else { SEQUENCE };
        if let Kind::Num(n) = predicate.kind {
            let mut index = n.floor();
            if index < 0.0 {
                index += list.len() as f64;
            }
            if index >= 0.0
                && let Some(item) = list.get(index as usize)
                && !item.is_undefined()
            {
                if let Value::Array(_) = item {
                    return Ok(item.clone());
                }
                return Ok(Value::Array(Rc::new(Array::new(vec![item.clone()], flags))));
            }
            return Ok(Value::Array(Rc::new(Array::new(Vec::new(), flags))));
        }
        let mut out = Vec::new();
        let len = list.len() as f64;
        for (index, item) in list.iter().enumerate() {
            let (context, item_env) = if is_tuple {
                (tuple_get(item, "@"), self.frame_from_tuple(env, item))
            } else {
                (item.clone(), Rc::clone(env))
            };
            let res = self.evaluate(predicate, &context, &item_env)?;
            let numbers: Option<Vec<f64>> = match &res {
                Value::Number(_) => numeric(&res)?.map(|n| vec![n]),
                Value::Array(a) if a.items.iter().all(|v| matches!(v, Value::Number(_))) => {
                    let mut ns = Vec::new();
                    for v in &a.items {
                        ns.push(numeric(v)?.unwrap_or(f64::NAN));
                    }
                    Some(ns)
                }
                _ => None,
            };
            match numbers {
                Some(ns) => {
                    for n in ns {
                        let mut ii = n.floor();
                        if ii < 0.0 {
                            ii += len;
                        }
                        if ii == index as f64 {
                            out.push(item.clone());
                        }
                    }
                }
                None => {
                    if boolean(&res).unwrap_or(false) {
                        out.push(item.clone());
                    }
                }
            }
        }
        Ok(Value::Array(Rc::new(Array::new(out, flags))))
    }

    // --- operators ---------------------------------------------------------

    fn binary(&mut self, op: BinOp, l: &Node, r: &Node, input: &Value, env: &Env) -> Result<Value> {
        let lhs = self.evaluate(l, input, env)?;
        if matches!(op, BinOp::And | BinOp::Or) {
            let lb = boolean(&lhs).unwrap_or(false);
            if op == BinOp::And && !lb {
                return Ok(Value::Bool(false));
            }
            if op == BinOp::Or && lb {
                return Ok(Value::Bool(true));
            }
            let rhs = self.evaluate(r, input, env)?;
            return Ok(Value::Bool(boolean(&rhs).unwrap_or(false)));
        }
        let rhs = self.evaluate(r, input, env)?;
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let ln = numeric(&lhs)?;
                if !lhs.is_undefined() && ln.is_none() {
                    return Err(err(
                        "T2001",
                        format!(
                            "The left side of the {} operator must evaluate to a number",
                            crate::error::quote(op.symbol())
                        ),
                    ));
                }
                let rn = numeric(&rhs)?;
                if !rhs.is_undefined() && rn.is_none() {
                    return Err(err(
                        "T2002",
                        format!(
                            "The right side of the {} operator must evaluate to a number",
                            crate::error::quote(op.symbol())
                        ),
                    ));
                }
                let (Some(a), Some(b)) = (ln, rn) else {
                    return Ok(Value::Undefined);
                };
                Ok(Value::Number(match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => a % b,
                }))
            }
            BinOp::Eq | BinOp::Ne => {
                if lhs.is_undefined() || rhs.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                let eq = deep_equal(&lhs, &rhs);
                Ok(Value::Bool(if op == BinOp::Eq { eq } else { !eq }))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => compare(op, &lhs, &rhs),
            BinOp::Concat => {
                let a = if lhs.is_undefined() {
                    String::new()
                } else {
                    functions::string(&lhs, false)?
                };
                let b = if rhs.is_undefined() {
                    String::new()
                } else {
                    functions::string(&rhs, false)?
                };
                if a.len() + b.len() > self.limits.max_string_bytes {
                    return Err(too_large());
                }
                Ok(Value::string(a + &b))
            }
            BinOp::Range => range(&lhs, &rhs, self.limits.max_items),
            BinOp::In => {
                if lhs.is_undefined() || rhs.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(items(&rhs).iter().any(|v| strict_equal(v, &lhs))))
            }
            BinOp::And | BinOp::Or => Ok(Value::Undefined),
        }
    }

    // --- objects, grouping and sorting ------------------------------------

    pub fn group(&mut self, pairs: &[(Node, Node)], position: usize, input: &Value, env: &Env) -> Result<Value> {
        let reduce = matches!(input, Value::Array(a) if a.has(TUPLE_STREAM));
        let mut list = items(input);
        if list.is_empty() {
            list.push(Value::Undefined);
        }
        // key -> (data, index of the pair that made it)
        let mut groups: IndexMapKeys = IndexMapKeys::default();
        for item in &list {
            let item_env = if reduce {
                self.frame_from_tuple(env, item)
            } else {
                Rc::clone(env)
            };
            let context = if reduce { tuple_get(item, "@") } else { item.clone() };
            for (pi, (k, _)) in pairs.iter().enumerate() {
                let key = self.evaluate(k, &context, &item_env)?;
                let key = match key {
                    Value::Undefined => continue,
                    Value::String(s) => s,
                    other => {
                        return Err(err(
                            "T1003",
                            format!(
                                "Key in object structure must evaluate to a string; got: {}",
                                functions::json_of(&other)
                            ),
                        )
                        .at(position));
                    }
                };
                match groups.get_mut(&key) {
                    Some((data, idx)) => {
                        if *idx != pi {
                            return Err(err(
                                "D1009",
                                format!(
                                    "Multiple key definitions evaluate to same key: {}",
                                    crate::error::quote(&key)
                                ),
                            )
                            .at(position));
                        }
                        *data = append_checked(std::mem::take(data), item.clone())?;
                    }
                    None => {
                        groups.insert(key, (item.clone(), pi));
                    }
                }
            }
        }
        let mut result = Object::new();
        for (key, (data, pi)) in groups {
            let (context, value_env) = if reduce {
                let mut tuple = reduce_tuples(&data);
                let ctx = tuple.shift_remove("@").unwrap_or_default();
                let t = make_tuple(tuple);
                (ctx, self.frame_from_tuple(env, &t))
            } else {
                (data, Rc::clone(env))
            };
            let v = self.evaluate(&pairs[pi].1, &context, &value_env)?;
            if !v.is_undefined() {
                result.insert(key, v);
            }
        }
        Ok(Value::object(result))
    }

    fn sort(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value> {
        let Kind::Sort(terms) = &node.kind else {
            return Ok(input.clone());
        };
        let is_tuple = matches!(input, Value::Array(a) if a.has(TUPLE_STREAM));
        let list = match input {
            Value::Undefined => return Ok(Value::Undefined),
            Value::Array(a) if a.items.len() <= 1 => return Ok(input.clone()),
            Value::Array(a) => a.items.clone(),
            other => return Ok(other.clone()),
        };
        let position = node.position;
        let key = |ev: &mut Self, term: &Node, v: &Value| -> Result<Value> {
            if is_tuple {
                let e = ev.frame_from_tuple(env, v);
                ev.evaluate(term, &tuple_get(v, "@"), &e)
            } else {
                ev.evaluate(term, v, env)
            }
        };
        let mut swap = |ev: &mut Self, a: &Value, b: &Value| -> Result<bool> {
            let mut comp = 0i32;
            for term in terms {
                if comp != 0 {
                    break;
                }
                let aa = key(ev, &term.expr, a)?;
                let bb = key(ev, &term.expr, b)?;
                if aa.is_undefined() {
                    comp = if bb.is_undefined() { 0 } else { 1 };
                    continue;
                }
                if bb.is_undefined() {
                    comp = -1;
                    continue;
                }
                let ok = |v: &Value| matches!(v, Value::String(_) | Value::Number(_));
                if !ok(&aa) || !ok(&bb) {
                    return Err(err(
                        "T2008",
                        "The expressions within an order-by clause must evaluate to numeric or string values",
                    )
                    .at(position));
                }
                comp = match (&aa, &bb) {
                    (Value::Number(x), Value::Number(y)) => x.partial_cmp(y).map_or(0, |o| o as i32),
                    (Value::String(x), Value::String(y)) => js_string_cmp(x, y),
                    _ => {
                        return Err(err(
                            "T2007",
                            format!(
                                "Type mismatch when comparing values {} and {} in order-by clause",
                                functions::json_of(&aa),
                                functions::json_of(&bb)
                            ),
                        )
                        .at(position));
                    }
                };
                if term.descending {
                    comp = -comp;
                }
            }
            Ok(comp == 1)
        };
        let sorted = self.merge_sort(list, &mut swap)?;
        Ok(Value::array(sorted))
    }

    /// A stable merge sort with a comparator that may fail; `swap(a, b)`
    /// says `b` goes first.
    pub fn merge_sort(
        &mut self,
        list: Vec<Value>,
        swap: &mut dyn FnMut(&mut Self, &Value, &Value) -> Result<bool>,
    ) -> Result<Vec<Value>> {
        if list.len() <= 1 {
            return Ok(list);
        }
        let mut right = list;
        let left = right.drain(..right.len() / 2).collect::<Vec<_>>();
        let left = self.merge_sort(left, swap)?;
        let right = self.merge_sort(right, swap)?;
        let mut out = Vec::with_capacity(left.len() + right.len());
        let (mut i, mut j) = (0, 0);
        while i < left.len() && j < right.len() {
            self.tick()?;
            if swap(self, &left[i], &right[j])? {
                out.push(right[j].clone());
                j += 1;
            } else {
                out.push(left[i].clone());
                i += 1;
            }
        }
        out.extend_from_slice(&left[i..]);
        out.extend_from_slice(&right[j..]);
        Ok(out)
    }

    // --- functions ---------------------------------------------------------

    fn call(
        &mut self,
        node: &Node,
        procedure: &Node,
        args: &[Node],
        input: &Value,
        env: &Env,
        applyto: Option<Value>,
    ) -> Result<Value> {
        let proc = self.evaluate(procedure, input, env)?;
        let name = proc_name(procedure);
        if let Some(n) = forgot_dollar(&proc, procedure, env) {
            return Err(err(
                "T1005",
                format!("Attempted to invoke a non-function. Did you mean ${n}?"),
            )
            .at(node.position)
            .token(n));
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        if let Some(a) = applyto {
            values.push(a);
        }
        for a in args {
            values.push(self.evaluate(a, input, env)?);
        }
        self.apply(&proc, values, input, env, &name).map_err(|e| {
            let e = if e.position.is_none() { e.at(node.position) } else { e };
            if e.token.is_none() { e.token(name.clone()) } else { e }
        })
    }

    /// Applies a function, then runs any tail calls it returns.
    pub fn apply(&mut self, proc: &Value, args: Vec<Value>, input: &Value, env: &Env, name: &str) -> Result<Value> {
        let mut result = self.apply_inner(proc, args, input, env, name)?;
        loop {
            let thunk = match &result {
                Value::Function(f) => match &**f {
                    Func::Lambda(c) if c.thunk => Some((Rc::clone(&c.def), Rc::clone(&c.env), c.input.clone())),
                    _ => None,
                },
                _ => None,
            };
            let Some((def, tenv, tinput)) = thunk else { break };
            let Kind::Call { procedure, args, .. } = &def.body.kind else {
                break;
            };
            self.tick()?;
            let next = self.evaluate(procedure, &tinput, &tenv)?;
            let next_name = proc_name(procedure);
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(self.evaluate(a, &tinput, &tenv)?);
            }
            result = self.apply_inner(&next, values, input, env, &next_name)?;
        }
        Ok(result)
    }

    fn apply_inner(&mut self, proc: &Value, args: Vec<Value>, input: &Value, env: &Env, name: &str) -> Result<Value> {
        let Value::Function(f) = proc else {
            return Err(err("T1006", "Attempted to invoke a non-function"));
        };
        match &**f {
            Func::Lambda(c) => {
                let args = match &c.signature {
                    Some(sig) => sig.validate(&args, input, name)?,
                    None => args,
                };
                let frame = self.frame(Some(&c.env));
                for (i, p) in c.params.iter().enumerate() {
                    Self::bind(&frame, p, args.get(i).cloned().unwrap_or_default());
                }
                self.evaluate(&c.def.body, &c.input, &frame)
            }
            Func::Builtin(b) => {
                let args = b.signature().validate(&args, input, name)?;
                (b.f)(self, &args, input, env)
            }
            Func::Partial(target, bound) => {
                let mut supplied = args.into_iter();
                let full: Vec<Value> = bound
                    .iter()
                    .map(|b| match b {
                        Some(v) => v.clone(),
                        None => supplied.next().unwrap_or_default(),
                    })
                    .collect();
                self.apply_inner(target, full, input, env, name)
            }
            Func::Regex(p) => {
                let text = args.first().and_then(Value::as_str).unwrap_or("").to_owned();
                let from = match args.get(1) {
                    Some(Value::Number(n)) if *n > 0.0 => *n as usize,
                    _ => 0,
                };
                Ok(functions::regex_match(p, &text, from))
            }
            Func::Native(n) => {
                let args = match &n.signature {
                    Some(sig) => sig.validate(&args, input, name)?,
                    None => args,
                };
                self.enter()?;
                let out = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || (n.f)(self, &args));
                self.depth -= 1;
                out
            }
        }
    }

    fn partial(&mut self, node: &Node, procedure: &Node, args: &[Node], input: &Value, env: &Env) -> Result<Value> {
        let mut bound = Vec::with_capacity(args.len());
        for a in args {
            if matches!(a.kind, Kind::Placeholder) {
                bound.push(None);
            } else {
                bound.push(Some(self.evaluate(a, input, env)?));
            }
        }
        let proc = self.evaluate(procedure, input, env)?;
        let name = proc_name(procedure);
        if let Some(n) = forgot_dollar(&proc, procedure, env) {
            return Err(err(
                "T1007",
                format!("Attempted to partially apply a non-function. Did you mean ${n}?"),
            )
            .at(node.position)
            .token(n));
        }
        match &proc {
            Value::Function(f) => match &**f {
                Func::Lambda(c) => {
                    if c.env.depth >= MAX_CHAIN {
                        return Err(chain_too_long());
                    }
                    // Bind the supplied arguments in a frame; the result takes the rest.
                    let frame = self.frame(Some(&c.env));
                    let mut unbound = Vec::new();
                    for (i, p) in c.params.iter().enumerate() {
                        match bound.get(i) {
                            Some(None) => unbound.push(Rc::clone(p)),
                            Some(Some(v)) => Self::bind(&frame, p, v.clone()),
                            None => Self::bind(&frame, p, Value::Undefined),
                        }
                    }
                    Ok(Value::Function(Rc::new(Func::Lambda(Closure {
                        params: unbound,
                        def: Rc::clone(&c.def),
                        env: frame,
                        input: c.input.clone(),
                        thunk: false,
                        signature: None,
                    }))))
                }
                // A partial of a partial fills the first one's gaps: one level, however many times.
                Func::Partial(target, first) => {
                    let mut newer = bound.into_iter();
                    let mut merged: Vec<Option<Value>> = Vec::with_capacity(first.len());
                    for b in first {
                        merged.push(match b {
                            Some(v) => Some(v.clone()),
                            None => newer.next().unwrap_or(None),
                        });
                    }
                    merged.extend(newer);
                    Ok(Value::Function(Rc::new(Func::Partial(target.clone(), merged))))
                }
                _ => Ok(Value::Function(Rc::new(Func::Partial(proc.clone(), bound)))),
            },
            _ => Err(err("T1008", "Attempted to partially apply a non-function")
                .at(node.position)
                .token(name)),
        }
    }

    fn apply_chain(&mut self, node: &Node, l: &Node, r: &Node, input: &Value, env: &Env) -> Result<Value> {
        let lhs = self.evaluate(l, input, env)?;
        if let Kind::Call {
            procedure,
            args,
            partial: false,
        } = &r.kind
        {
            let result = self.call(r, procedure, args, input, env, Some(lhs))?;
            if r.keep_array
                && let Value::Array(a) = &result
                && a.has(SEQUENCE)
            {
                a.set(KEEP_SINGLETON);
            }
            return Ok(result);
        }
        let func = self.evaluate(r, input, env)?;
        if !func.is_function() {
            return Err(err(
                "T2006",
                "The right side of the function application operator ~> must be a function",
            )
            .at(node.position));
        }
        if lhs.is_function() {
            // f ~> g: a function applying f, then g.
            let (f, g) = (lhs, func);
            let arity = arity(&f);
            let chained = 1 + chain_of(&f).max(chain_of(&g));
            if chained > MAX_CHAIN {
                return Err(chain_too_long());
            }
            return Ok(Value::Function(Rc::new(Func::Native(Native {
                arity,
                chained,
                signature: None,
                f: Box::new(move |ev, args| {
                    let root = ev.frame(None);
                    let x = ev.apply(&f, args.to_vec(), &Value::Undefined, &root, "")?;
                    ev.apply(&g, vec![x], &Value::Undefined, &root, "")
                }),
            }))));
        }
        self.apply(&func, vec![lhs], &Value::Undefined, env, &proc_name(r))
    }

    /// `| pattern | update [, delete] |`: a function of one object that
    /// returns a changed copy.
    fn transformer(&mut self, node: &Node, env: &Env) -> Value {
        let node = node.clone();
        let env = Rc::clone(env);
        Value::Function(Rc::new(Func::Native(Native {
            arity: 1,
            chained: 0,
            signature: Signature::parse("<(oa):o>").ok(),
            f: Box::new(move |ev, args| {
                crate::transform::run(ev, &node, &env, args.first().cloned().unwrap_or_default())
            }),
        })))
    }

    /// Calls a function argument of a higher-order builtin with as many of
    /// (value, index, array) as it takes.
    pub fn call_hof(&mut self, f: &Value, args: &[Value], env: &Env) -> Result<Value> {
        let n = arity(f).max(1).min(args.len());
        self.apply(f, args[..n].to_vec(), &Value::Undefined, env, "")
    }
}

type IndexMapKeys = indexmap::IndexMap<Rc<str>, (Value, usize)>;

fn chain_too_long() -> Error {
    err(
        "U1001",
        "Stack overflow error: too many functions are chained or partially applied",
    )
}

/// How deeply a function value nests others.
fn chain_of(f: &Value) -> usize {
    match f {
        Value::Function(f) => match &**f {
            Func::Native(n) => n.chained,
            Func::Lambda(c) => c.env.depth,
            _ => 0,
        },
        _ => 0,
    }
}

/// A call of a field that names no function, but a variable of that name
/// exists: the `$` was forgotten.
fn forgot_dollar(proc: &Value, procedure: &Node, env: &Env) -> Option<String> {
    if !proc.is_undefined() {
        return None;
    }
    let Kind::Path(steps) = &procedure.kind else {
        return None;
    };
    let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) else {
        return None;
    };
    Evaluator::lookup(env, n).map(|_| n.to_string())
}

/// The name a call reports in errors (`substring` for `$substring(...)`).
fn proc_name(procedure: &Node) -> String {
    match &procedure.kind {
        Kind::Var(v) => v.to_string(),
        Kind::Path(steps) => match steps.first().map(|s| &s.kind) {
            Some(Kind::Name(n)) => n.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// How many arguments a function takes (JSONata's `getFunctionArity`).
pub fn arity(f: &Value) -> usize {
    let Value::Function(f) = f else { return 0 };
    match &**f {
        Func::Lambda(c) => c.params.len(),
        Func::Builtin(b) => functions::arity_of(b),
        Func::Partial(_, bound) => bound.iter().filter(|b| b.is_none()).count(),
        Func::Regex(_) => 1,
        Func::Native(n) => n.arity,
    }
}

fn strict_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        _ => deep_equal(a, b),
    }
}

/// JavaScript's `<` on strings: UTF-16 code unit order.
pub fn js_string_cmp(a: &str, b: &str) -> i32 {
    let mut x = a.encode_utf16();
    let mut y = b.encode_utf16();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return 0,
            (None, Some(_)) => return -1,
            (Some(_), None) => return 1,
            (Some(p), Some(q)) if p != q => return if p < q { -1 } else { 1 },
            _ => {}
        }
    }
}

fn compare(op: BinOp, lhs: &Value, rhs: &Value) -> Result<Value> {
    let comparable = |v: &Value| matches!(v, Value::Undefined | Value::String(_) | Value::Number(_));
    if !comparable(lhs) || !comparable(rhs) {
        return Err(err(
            "T2010",
            format!(
                "The expressions either side of operator {} must evaluate to numeric or string values",
                crate::error::quote(op.symbol())
            ),
        ));
    }
    if lhs.is_undefined() || rhs.is_undefined() {
        return Ok(Value::Undefined);
    }
    let c = match (lhs, rhs) {
        (Value::Number(a), Value::Number(b)) => match a.partial_cmp(b) {
            Some(o) => o as i32,
            None => return Ok(Value::Bool(false)),
        },
        (Value::String(a), Value::String(b)) => js_string_cmp(a, b),
        _ => {
            return Err(err(
                "T2009",
                format!(
                    "The values {} and {} either side of operator {} must be of the same data type",
                    functions::json_of(lhs),
                    functions::json_of(rhs),
                    crate::error::quote(op.symbol())
                ),
            ));
        }
    };
    Ok(Value::Bool(match op {
        BinOp::Lt => c < 0,
        BinOp::Le => c <= 0,
        BinOp::Gt => c > 0,
        _ => c >= 0,
    }))
}

fn range(lhs: &Value, rhs: &Value, max_items: usize) -> Result<Value> {
    let int = |v: &Value| matches!(v, Value::Number(n) if n.fract() == 0.0 && n.is_finite());
    if !lhs.is_undefined() && !int(lhs) {
        return Err(err(
            "T2003",
            "The left side of the range operator (..) must evaluate to an integer",
        ));
    }
    if !rhs.is_undefined() && !int(rhs) {
        return Err(err(
            "T2004",
            "The right side of the range operator (..) must evaluate to an integer",
        ));
    }
    let (Value::Number(a), Value::Number(b)) = (lhs, rhs) else {
        return Ok(Value::Undefined);
    };
    if a > b {
        return Ok(Value::Undefined);
    }
    let size = b - a + 1.0;
    if size > 1e7 {
        return Err(err(
            "D2014",
            format!(
                "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {}.",
                crate::numbers::number_to_string(size)
            ),
        ));
    }
    if size > max_items as f64 {
        return Err(too_large());
    }
    // In floating point, as jsonata-js counts: bounds near i64's limits cannot overflow.
    Ok(Value::array(
        (0..size as i64).map(|i| Value::Number(a + i as f64)).collect(),
    ))
}

/// `fn.lookup`: a field of an object, or of each object in an array.
pub fn lookup_field(input: &Value, key: &str) -> Value {
    match input {
        Value::Array(a) => {
            let mut out = Vec::new();
            for item in &a.items {
                match lookup_field(item, key) {
                    Value::Undefined => {}
                    Value::Array(inner) => out.extend(inner.items.iter().cloned()),
                    v => out.push(v),
                }
            }
            Value::sequence(out)
        }
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        _ => Value::Undefined,
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => {
            for i in &a.items {
                flatten_into(i, out);
            }
        }
        other => out.push(other.clone()),
    }
}

fn wildcard(input: &Value) -> Value {
    let mut input = input;
    if let Value::Array(a) = input
        && a.has(OUTER_WRAPPER)
        && let Some(first) = a.items.first()
    {
        input = first;
    }
    let mut out = Vec::new();
    let mut add = |v: &Value| match v {
        Value::Array(_) => {
            let mut flat = Vec::new();
            flatten_into(v, &mut flat);
            out.extend(flat);
        }
        other => out.push(other.clone()),
    };
    match input {
        Value::Object(o) => o.values().for_each(&mut add),
        Value::Array(a) => a.items.iter().for_each(&mut add),
        _ => {}
    }
    Value::sequence(out)
}

fn descendants(v: &Value, out: &mut Vec<Value>) {
    if !matches!(v, Value::Array(_)) {
        out.push(v.clone());
    }
    match v {
        Value::Array(a) => a.items.iter().for_each(|i| descendants(i, out)),
        Value::Object(o) => o.values().for_each(|i| descendants(i, out)),
        _ => {}
    }
}

/// Merges a group's tuples: each binding becomes the sequence of its values.
fn reduce_tuples(data: &Value) -> Object {
    let list = match data {
        Value::Array(a) => a.items.clone(),
        Value::Object(o) => return o.map().clone(),
        _ => return Object::new(),
    };
    let mut result = match list.first() {
        Some(Value::Object(o)) => o.map().clone(),
        _ => Object::new(),
    };
    for t in list.iter().skip(1) {
        if let Value::Object(o) = t {
            for (k, v) in o.iter() {
                let prev = result.get(k).cloned().unwrap_or_default();
                result.insert(Rc::clone(k), append(prev, v.clone()));
            }
        }
    }
    result
}

impl Builtin {
    fn signature(&self) -> &Signature {
        functions::signature_of(self)
    }
}
