//! Evaluates a parsed query depth-first, the way jq's backtracking does: each node
//! hands its outputs one at a time to a callback standing for "the rest of the query",
//! so outputs come out in jq's order and an error stops the run where jq stops it.
//!
//! That also reproduces jq 1.6's `try`, which catches an error raised downstream of a
//! value it produced (`(try (1,2)) | error` gives nothing), and `first`/`limit`, which
//! stop their generator with an internal break.
//!
//! Recursion follows the query's tree, whose height the parser bounds; every step,
//! output and copy is charged to the run's [`Budget`].

use std::cell::Cell;
use std::sync::Arc;

use crate::ast::{Expr, Kind, Part};
use crate::budget::Budget;
use crate::builtins::{self, Builtin, from_entries, iterate, pick_extreme, sort_by_keys};
use crate::error::{EvalError, Limit};
use crate::limits::{MAX_ARRAY_LEN, MAX_OUTPUTS, MAX_STEPS, MAX_STRING_BYTES};
use crate::ops::{binop, negate};
use crate::value::{Obj, Val, compare, describe, dump_prefix, to_text};

/// What one run shares: its budget, its clock and a counter for break labels.
pub(crate) struct Ctx {
    pub(crate) budget: Budget,
    pub(crate) now: f64,
    labels: Cell<u64>,
}

impl Ctx {
    pub(crate) fn new(now: f64) -> Ctx {
        Ctx {
            budget: Budget::new(MAX_STEPS),
            now,
            labels: Cell::new(0),
        }
    }

    fn label(&self) -> u64 {
        let id = self.labels.get() + 1;
        self.labels.set(id);
        id
    }
}

/// Why evaluation stopped early.
#[derive(Debug)]
pub(crate) enum Exc {
    /// A jq error, with its value (usually a message string); `try` catches these.
    Error(Val),
    /// `first(f)` or `limit(n; f)` stopping its generator.
    Break(u64),
    /// A bound exceeded; nothing catches it.
    Limit(Limit),
}

impl From<Limit> for Exc {
    fn from(limit: Limit) -> Self {
        Exc::Limit(limit)
    }
}

/// A jq error with a message.
pub(crate) fn fail(message: impl Into<String>) -> Exc {
    Exc::Error(Val::string(message.into()))
}

/// `error(v)`: jq 1.6 treats `error(null)` as producing nothing rather than an error.
fn raise(v: Val) -> Res {
    match v {
        Val::Null => Ok(()),
        v => Err(Exc::Error(v)),
    }
}

type Res = Result<(), Exc>;
type Out<'o> = dyn FnMut(Val) -> Res + 'o;

/// Variable bindings, innermost first, living on the evaluator's stack.
pub(crate) struct Vars<'v> {
    val: Val,
    up: Option<&'v Vars<'v>>,
}

fn lookup(vars: Option<&Vars<'_>>, mut up: usize) -> Result<Val, Exc> {
    let mut scope = vars;
    while let Some(s) = scope {
        if up == 0 {
            return Ok(s.val.clone());
        }
        up -= 1;
        scope = s.up;
    }
    Err(fail("internal error: unbound variable"))
}

/// Runs a query on one input, collecting at most [`MAX_OUTPUTS`] outputs.
pub(crate) fn run(cx: &Ctx, root: &Expr, input: &Val) -> Result<Vec<Val>, EvalError> {
    let mut outputs = Vec::new();
    let result = eval(cx, root, input, None, &mut |v| {
        if outputs.len() >= MAX_OUTPUTS {
            return Err(Limit::Outputs.into());
        }
        outputs.push(v);
        Ok(())
    });
    match result {
        Ok(()) => Ok(outputs),
        Err(Exc::Error(Val::Str(message))) => Err(EvalError::Runtime(message.to_string())),
        Err(Exc::Error(other)) => Err(EvalError::Runtime(format!(
            "{} (not a string)",
            dump_prefix(&other, 1000)
        ))),
        Err(Exc::Break(_)) => Err(EvalError::Runtime("break".to_owned())),
        Err(Exc::Limit(limit)) => Err(EvalError::LimitExceeded(limit)),
    }
}

/// Runs `e`, keeping its outputs; a jq error after some outputs comes back beside
/// them (for the cartesian products below), anything else propagates.
#[inline(never)]
fn collect_partial(cx: &Ctx, e: &Expr, input: &Val, vars: Option<&Vars<'_>>) -> Result<(Vec<Val>, Option<Exc>), Exc> {
    let mut items = Vec::new();
    match eval(cx, e, input, vars, &mut |v| push(&mut items, v)) {
        Ok(()) => Ok((items, None)),
        Err(Exc::Error(v)) => Ok((items, Some(Exc::Error(v)))),
        Err(other) => Err(other),
    }
}

/// Runs `e`, keeping its outputs.
#[inline(never)]
fn collect(cx: &Ctx, e: &Expr, input: &Val, vars: Option<&Vars<'_>>) -> Result<Vec<Val>, Exc> {
    let mut items = Vec::new();
    eval(cx, e, input, vars, &mut |v| push(&mut items, v))?;
    Ok(items)
}

fn push(items: &mut Vec<Val>, v: Val) -> Res {
    if items.len() >= MAX_ARRAY_LEN {
        return Err(Limit::ArrayLength.into());
    }
    items.push(v);
    Ok(())
}

/// Walks the cartesian product of `items` in jq's depth-first order, the first list
/// outermost. `errors[i]` ended list `i` early; depth-first evaluation raises it the
/// first time list `i` runs out, and so does this.
fn product<T>(items: &[Vec<T>], errors: &mut [Option<Exc>], emit: &mut dyn FnMut(&[usize]) -> Res) -> Res {
    let mut choice = vec![0usize; items.len()];
    loop {
        emit(&choice)?;
        let mut i = items.len();
        loop {
            if i == 0 {
                return Ok(());
            }
            i -= 1;
            let (Some(slot), Some(list)) = (choice.get_mut(i), items.get(i)) else {
                return Ok(());
            };
            *slot += 1;
            if *slot < list.len() {
                break;
            }
            if let Some(err) = errors.get_mut(i).and_then(Option::take) {
                return Err(err);
            }
            *slot = 0;
        }
    }
}

/// When list number `items.len()` of a product turns out empty, nothing is ever
/// emitted; depth-first evaluation would still raise the pending error of the
/// innermost earlier list that has one (it runs out first), or `err` if this list
/// itself ended in one.
fn empty_product(errors: &mut [Option<Exc>], err: Option<Exc>) -> Res {
    match err.or_else(|| errors.iter_mut().rev().find_map(Option::take)) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub(crate) fn eval(cx: &Ctx, e: &Expr, input: &Val, vars: Option<&Vars<'_>>, out: &mut Out<'_>) -> Res {
    cx.budget.charge(1)?;
    match &e.kind {
        Kind::Identity => out(input.clone()),
        Kind::RecurseAll => recurse_all(cx, input, out),
        Kind::Const(v) => out(v.clone()),
        Kind::Template(parts) => template(cx, parts, input, vars, out),
        Kind::Index { target, key, opt } => {
            let apply = |k: &Val, out: &mut Out<'_>| {
                eval(
                    cx,
                    target,
                    input,
                    vars,
                    &mut |t| match builtins::index(&t, k, &cx.budget) {
                        Ok(v) => out(v),
                        Err(Exc::Error(_)) if *opt => Ok(()),
                        Err(err) => Err(err),
                    },
                )
            };
            match &key.kind {
                Kind::Const(k) => apply(k, out),
                _ => eval(cx, key, input, vars, &mut |k| apply(&k, out)),
            }
        }
        Kind::Slice { target, from, to, opt } => each(cx, from.as_deref(), input, vars, &mut |start| {
            each(cx, to.as_deref(), input, vars, &mut |end| {
                eval(
                    cx,
                    target,
                    input,
                    vars,
                    &mut |t| match builtins::slice(&t, &start, &end, &cx.budget) {
                        Ok(v) => out(v),
                        Err(Exc::Error(_)) if *opt => Ok(()),
                        Err(err) => Err(err),
                    },
                )
            })
        }),
        Kind::Iterate { target, opt } => eval(cx, target, input, vars, &mut |t| match &t {
            Val::Arr(items) => {
                for item in items.iter() {
                    cx.budget.charge(1)?;
                    out(item.clone())?;
                }
                Ok(())
            }
            Val::Obj(obj) => {
                for item in obj.values() {
                    cx.budget.charge(1)?;
                    out(item.clone())?;
                }
                Ok(())
            }
            _ if *opt => Ok(()),
            other => Err(fail(format!("Cannot iterate over {}", describe(other)))),
        }),
        Kind::Pipe(a, b) => eval(cx, a, input, vars, &mut |v| eval(cx, b, &v, vars, out)),
        Kind::Comma(a, b) => {
            eval(cx, a, input, vars, out)?;
            eval(cx, b, input, vars, out)
        }
        Kind::Neg(a) => eval(cx, a, input, vars, &mut |v| out(negate(&v)?)),
        // jq evaluates the right operand first: it is the outer loop.
        Kind::Binary(op, a, b) => eval(cx, b, input, vars, &mut |r| {
            eval(cx, a, input, vars, &mut |l| out(binop(*op, l, &r, &cx.budget)?))
        }),
        Kind::And(a, b) => eval(cx, a, input, vars, &mut |l| {
            if !l.truthy() {
                return out(Val::Bool(false));
            }
            eval(cx, b, input, vars, &mut |r| out(Val::Bool(r.truthy())))
        }),
        Kind::Or(a, b) => eval(cx, a, input, vars, &mut |l| {
            if l.truthy() {
                return out(Val::Bool(true));
            }
            eval(cx, b, input, vars, &mut |r| out(Val::Bool(r.truthy())))
        }),
        // jq 1.6: the true outputs of `a`, or if there are none, those of `b`; an
        // error in `a` is not suppressed.
        Kind::Alt(a, b) => {
            let mut found = false;
            eval(cx, a, input, vars, &mut |v| {
                if v.truthy() {
                    found = true;
                    out(v)
                } else {
                    Ok(())
                }
            })?;
            if found { Ok(()) } else { eval(cx, b, input, vars, out) }
        }
        Kind::If { branches, otherwise } => eval_if(cx, branches, otherwise, input, vars, out),
        Kind::Try { body, handler } => match eval(cx, body, input, vars, out) {
            Err(Exc::Error(err)) => match handler {
                Some(handler) => eval(cx, handler, &err, vars, out),
                None => Ok(()),
            },
            other => other,
        },
        Kind::Bind { source, body } => eval(cx, source, input, vars, &mut |v| {
            let scope = Vars { val: v, up: vars };
            eval(cx, body, input, Some(&scope), out)
        }),
        Kind::Var(up) => out(lookup(vars, *up)?),
        Kind::Array(inner) => {
            let items = match inner {
                Some(inner) => collect(cx, inner, input, vars)?,
                None => Vec::new(),
            };
            out(Val::array(items))
        }
        Kind::Object(entries) => object(cx, entries, input, vars, out),
        Kind::Call(builtin, args) => call(cx, *builtin, args, input, vars, out),
    }
}

/// The outputs of an optional expression, or a single null when it is absent.
fn each(cx: &Ctx, e: Option<&Expr>, input: &Val, vars: Option<&Vars<'_>>, out: &mut Out<'_>) -> Res {
    match e {
        Some(e) => eval(cx, e, input, vars, out),
        None => out(Val::Null),
    }
}

#[inline(never)]
fn eval_if(
    cx: &Ctx,
    branches: &[(Expr, Expr)],
    otherwise: &Expr,
    input: &Val,
    vars: Option<&Vars<'_>>,
    out: &mut Out<'_>,
) -> Res {
    match branches.split_first() {
        None => eval(cx, otherwise, input, vars, out),
        Some(((cond, then), rest)) => eval(cx, cond, input, vars, &mut |c| {
            if c.truthy() {
                eval(cx, then, input, vars, out)
            } else {
                eval_if(cx, rest, otherwise, input, vars, out)
            }
        }),
    }
}

/// `..`: the input and everything inside it, depth-first, parents before children.
#[inline(never)]
fn recurse_all(cx: &Ctx, input: &Val, out: &mut Out<'_>) -> Res {
    let mut stack = vec![input.clone()];
    while let Some(v) = stack.pop() {
        cx.budget.charge(1)?;
        match &v {
            Val::Arr(items) => stack.extend(items.iter().rev().cloned()),
            Val::Obj(obj) => {
                let children: Vec<Val> = obj.values().cloned().collect();
                stack.extend(children.into_iter().rev());
            }
            _ => {}
        }
        out(v)?;
    }
    Ok(())
}

/// A string with interpolations. jq builds it as a chain of `+`, whose right side
/// runs first, so the last interpolation is the outermost loop.
#[inline(never)]
fn template(cx: &Ctx, parts: &[Part], input: &Val, vars: Option<&Vars<'_>>, out: &mut Out<'_>) -> Res {
    let interps: Vec<&Expr> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Interp(e) => Some(e),
            Part::Text(_) => None,
        })
        .collect();
    // Lists in loop order: the last interpolation first.
    let mut texts: Vec<Vec<Arc<str>>> = Vec::with_capacity(interps.len());
    let mut errors: Vec<Option<Exc>> = Vec::with_capacity(interps.len());
    for e in interps.iter().rev() {
        let (values, err) = collect_partial(cx, e, input, vars)?;
        if values.is_empty() {
            return empty_product(&mut errors, err);
        }
        texts.push(
            values
                .iter()
                .map(|v| to_text(v, &cx.budget))
                .collect::<Result<_, _>>()?,
        );
        errors.push(err);
    }
    let count = texts.len();
    product(&texts, &mut errors, &mut |choice| {
        let mut s = String::new();
        let mut nth = 0;
        for part in parts {
            match part {
                Part::Text(t) => s.push_str(t),
                Part::Interp(_) => {
                    let list = count - 1 - nth;
                    nth += 1;
                    if let Some(t) = choice.get(list).and_then(|&i| texts.get(list).and_then(|l| l.get(i))) {
                        s.push_str(t);
                    }
                }
            }
            if s.len() > MAX_STRING_BYTES {
                return Err(Limit::StringLength.into());
            }
        }
        cx.budget.charge(Budget::bytes_cost(s.len()))?;
        out(Val::string(s))
    })
}

/// Object construction: every combination of the entries' outputs, the first entry
/// outermost and, within an entry, the key outside the value.
#[inline(never)]
fn object(cx: &Ctx, entries: &[(Expr, Expr)], input: &Val, vars: Option<&Vars<'_>>, out: &mut Out<'_>) -> Res {
    let mut pairs: Vec<Vec<(Arc<str>, Val)>> = Vec::with_capacity(entries.len());
    let mut errors: Vec<Option<Exc>> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let (keys, key_err) = collect_partial(cx, key, input, vars)?;
        let mut list = Vec::new();
        let mut err = None;
        if !keys.is_empty() {
            let (values, mut value_err) = collect_partial(cx, value, input, vars)?;
            'keys: for k in &keys {
                for v in &values {
                    let Val::Str(name) = k else {
                        err = Some(fail(format!("Cannot use {} as object key", describe(k))));
                        break 'keys;
                    };
                    cx.budget.charge(1)?;
                    list.push((name.clone(), v.clone()));
                }
                if let Some(e) = value_err.take() {
                    err = Some(e);
                    break;
                }
            }
        }
        let err = err.or(key_err);
        if list.is_empty() {
            return empty_product(&mut errors, err);
        }
        pairs.push(list);
        errors.push(err);
    }
    product(&pairs, &mut errors, &mut |choice| {
        cx.budget.charge(pairs.len() as u64 + 1)?;
        let mut obj = Obj::default();
        for (list, &i) in pairs.iter().zip(choice) {
            if let Some((k, v)) = list.get(i) {
                obj.insert(k.clone(), v.clone());
            }
        }
        out(Val::object(obj))
    })
}

#[inline(never)]
fn range(cx: &Ctx, from: &Val, upto: &Val, by: Option<&Val>, out: &mut Out<'_>) -> Res {
    let (Val::Num(from), Val::Num(upto), Some(Val::Num(by))) = (from, upto, by.or(Some(&Val::Num(1.0)))) else {
        return Err(fail("Range bounds must be numeric"));
    };
    let mut x = *from;
    if *by > 0.0 {
        while x < *upto {
            cx.budget.charge(1)?;
            out(Val::Num(x))?;
            x += by;
        }
    } else if *by < 0.0 {
        while x > *upto {
            cx.budget.charge(1)?;
            out(Val::Num(x))?;
            x += by;
        }
    }
    Ok(())
}

/// Runs `f` until `emit` asks to stop with the break labelled `id`.
fn until_break(id: u64, result: Res) -> Res {
    match result {
        Err(Exc::Break(b)) if b == id => Ok(()),
        other => other,
    }
}

#[inline(never)]
fn call(cx: &Ctx, builtin: Builtin, args: &[Expr], input: &Val, vars: Option<&Vars<'_>>, out: &mut Out<'_>) -> Res {
    let arg = |i: usize| {
        args.get(i)
            .ok_or_else(|| fail("internal error: missing builtin argument"))
    };
    let budget = &cx.budget;
    match builtin {
        Builtin::Empty => Ok(()),
        Builtin::Error0 => raise(input.clone()),
        Builtin::Error1 => eval(cx, arg(0)?, input, vars, &mut raise),
        Builtin::Select => eval(cx, arg(0)?, input, vars, &mut |c| {
            if c.truthy() { out(input.clone()) } else { Ok(()) }
        }),
        Builtin::Filter(filter) => {
            if filter.accepts(input) {
                out(input.clone())
            } else {
                Ok(())
            }
        }
        Builtin::Map => {
            let f = arg(0)?;
            let mut items = Vec::new();
            for item in iterate(input, budget)? {
                eval(cx, f, &item, vars, &mut |v| push(&mut items, v))?;
            }
            out(Val::array(items))
        }
        Builtin::RecurseAll => recurse_all(cx, input, out),
        Builtin::Range1 => eval(cx, arg(0)?, input, vars, &mut |upto| {
            range(cx, &Val::Num(0.0), &upto, None, out)
        }),
        Builtin::Range2 => eval(cx, arg(0)?, input, vars, &mut |from| {
            eval(cx, arg(1)?, input, vars, &mut |upto| range(cx, &from, &upto, None, out))
        }),
        Builtin::Range3 => eval(cx, arg(0)?, input, vars, &mut |from| {
            eval(cx, arg(1)?, input, vars, &mut |upto| {
                eval(cx, arg(2)?, input, vars, &mut |by| {
                    range(cx, &from, &upto, Some(&by), out)
                })
            })
        }),
        // jq 1.6: a negative count passes everything, otherwise it stops once `n`
        // outputs are out, after at least one (so `limit(0; f)` gives one).
        Builtin::Limit => eval(cx, arg(0)?, input, vars, &mut |n| {
            let f = arg(1)?;
            if compare(&n, &Val::Num(0.0), true, budget) == std::cmp::Ordering::Less {
                return eval(cx, f, input, vars, out);
            }
            let id = cx.label();
            let mut count = 0.0;
            until_break(
                id,
                eval(cx, f, input, vars, &mut |v| {
                    out(v)?;
                    count += 1.0;
                    if compare(&Val::Num(count), &n, true, budget) == std::cmp::Ordering::Less {
                        Ok(())
                    } else {
                        Err(Exc::Break(id))
                    }
                }),
            )
        }),
        Builtin::FirstOf => {
            let id = cx.label();
            until_break(
                id,
                eval(cx, arg(0)?, input, vars, &mut |v| {
                    out(v)?;
                    Err(Exc::Break(id))
                }),
            )
        }
        Builtin::LastOf => {
            let mut last = Val::Null;
            eval(cx, arg(0)?, input, vars, &mut |v| {
                last = v;
                Ok(())
            })?;
            out(last)
        }
        Builtin::SortBy | Builtin::MinBy | Builtin::MaxBy => {
            let f = arg(0)?;
            let values = iterate(input, budget)?;
            let mut keys = Vec::with_capacity(values.len());
            for item in &values {
                keys.push(Val::array(collect(cx, f, item, vars)?));
            }
            let Val::Arr(items) = input else {
                return Err(fail(match builtin {
                    Builtin::SortBy => format!("{} cannot be sorted, as it is not an array", describe(input)),
                    _ => format!(
                        "{} and {} cannot be iterated over",
                        describe(input),
                        describe(&Val::array(keys))
                    ),
                }));
            };
            match builtin {
                Builtin::SortBy => out(Val::array(sort_by_keys(items, &keys, budget)?)),
                _ => {
                    let best = pick_extreme(&keys, builtin == Builtin::MinBy, budget)?;
                    out(best.and_then(|i| items.get(i).cloned()).unwrap_or(Val::Null))
                }
            }
        }
        Builtin::AnyOf | Builtin::AllOf => {
            let f = arg(0)?;
            let all = builtin == Builtin::AllOf;
            let mut acc = all;
            for item in iterate(input, budget)? {
                eval(cx, f, &item, vars, &mut |v| {
                    acc = if all { acc && v.truthy() } else { acc || v.truthy() };
                    Ok(())
                })?;
            }
            out(Val::Bool(acc))
        }
        // `any(gen; cond)` and `all(gen; cond)`: jq 1.6's `foreach` checks whether it
        // has decided when the next value arrives, so it stops one value late.
        Builtin::AnyGen | Builtin::AllGen => {
            let (generator, condition) = (arg(0)?, arg(1)?);
            let any = builtin == Builtin::AnyGen;
            let id = cx.label();
            let mut decided = false;
            until_break(
                id,
                eval(cx, generator, input, vars, &mut |g| {
                    eval(cx, condition, &g, vars, &mut |c| {
                        if decided {
                            return Err(Exc::Break(id));
                        }
                        decided = c.truthy() == any;
                        Ok(())
                    })
                }),
            )?;
            out(Val::Bool(if any { decided } else { !decided }))
        }
        Builtin::WithEntries => {
            let f = arg(0)?;
            let entries = builtins::call(Builtin::ToEntries, input, &[], cx)?;
            let mut mapped = Vec::new();
            for entry in iterate(&entries, budget)? {
                eval(cx, f, &entry, vars, &mut |v| push(&mut mapped, v))?;
            }
            out(from_entries(&Val::array(mapped), budget)?)
        }
        // A C builtin in jq: its last argument is the outer loop.
        Builtin::Pow => eval(cx, arg(1)?, input, vars, &mut |b| {
            eval(cx, arg(0)?, input, vars, &mut |a| {
                out(builtins::call(builtin, input, &[a, b.clone()], cx)?)
            })
        }),
        _ => match args {
            [] => out(builtins::call(builtin, input, &[], cx)?),
            [a] => eval(cx, a, input, vars, &mut |v| {
                out(builtins::call(builtin, input, &[v], cx)?)
            }),
            _ => Err(fail("internal error: unexpected builtin arity")),
        },
    }
}
