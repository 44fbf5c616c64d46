//! Numeric, aggregation, boolean, array, object and higher-order functions.

use std::rc::Rc;

use super::{Args, arg, err, num};
use crate::error::Result;
use crate::eval::{self, Env, Evaluator, boolean, items};
use crate::value::{Object, SEQUENCE, Value, deep_equal};

fn numbers(v: &Value) -> Vec<f64> {
    items(v)
        .iter()
        .filter_map(|x| match x {
            Value::Number(n) => Some(*n),
            _ => None,
        })
        .collect()
}

pub fn sum(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let a = arg(args, 0);
    if a.is_undefined() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Number(numbers(a).iter().sum()))
}

pub fn count(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(Value::Number(match arg(args, 0) {
        Value::Undefined => 0.0,
        v => items(v).len() as f64,
    }))
}

fn extreme(args: Args<'_>, pick: fn(f64, f64) -> f64) -> Value {
    let ns = numbers(arg(args, 0));
    match ns.split_first() {
        None => Value::Undefined,
        Some((first, rest)) => Value::Number(rest.iter().fold(*first, |a, b| pick(a, *b))),
    }
}

pub fn max(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(extreme(args, f64::max))
}

pub fn min(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(extreme(args, f64::min))
}

pub fn average(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let ns = numbers(arg(args, 0));
    if ns.is_empty() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Number(ns.iter().sum::<f64>() / ns.len() as f64))
}

fn unary(args: Args<'_>, f: fn(f64) -> f64) -> Value {
    num(args, 0).map_or(Value::Undefined, |n| Value::Number(f(n)))
}

pub fn floor(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(unary(args, f64::floor))
}

pub fn ceil(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(unary(args, f64::ceil))
}

pub fn abs(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(unary(args, f64::abs))
}

pub fn round(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    let precision = num(args, 1).unwrap_or(0.0);
    Ok(Value::Number(crate::numbers::round(n, precision.trunc() as i64)))
}

pub fn sqrt(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    if n < 0.0 {
        return Err(err(
            "D3060",
            format!(
                "The sqrt function cannot be applied to a negative number: {}",
                crate::numbers::js_number_string(n)
            ),
        ));
    }
    Ok(Value::Number(n.sqrt()))
}

pub fn power(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let (Some(b), Some(e)) = (num(args, 0), num(args, 1)) else {
        return Ok(Value::Undefined);
    };
    let r = b.powf(e);
    if !r.is_finite() {
        return Err(err(
            "D3061",
            format!(
                "The power function has resulted in a value that cannot be represented as a JSON number: base={}, exponent={}",
                crate::numbers::js_number_string(b),
                crate::numbers::js_number_string(e)
            ),
        ));
    }
    Ok(Value::Number(r))
}

/// The next number of the evaluation's generator, in [0, 1).
pub fn next_random(ev: &mut Evaluator<'_>) -> f64 {
    // xorshift64*: fast, and seedable for AWS's $random(seed).
    let mut x = ev.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ev.rng = x;
    (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
}

pub fn random(ev: &mut Evaluator<'_>, _: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(Value::Number(next_random(ev)))
}

pub fn boolean_fn(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(boolean(arg(args, 0)).map_or(Value::Undefined, Value::Bool))
}

pub fn not(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(boolean(arg(args, 0)).map_or(Value::Undefined, |b| Value::Bool(!b)))
}

/// Each item of the array argument with what the function argument answers
/// for it (given value, index and array, as many as it takes; true when
/// there is no function); None when the array is undefined.
fn item_answers(ev: &mut Evaluator<'_>, args: Args<'_>, env: &Env) -> Result<Option<Vec<(Value, Value)>>> {
    let a = arg(args, 0);
    if a.is_undefined() {
        return Ok(None);
    }
    let list = items(a);
    let whole = Value::array(list.clone());
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.into_iter().enumerate() {
        let answer = match arg(args, 1) {
            Value::Undefined => Value::Bool(true),
            f => ev.call_hof(f, &[v.clone(), Value::Number(i as f64), whole.clone()], env)?,
        };
        out.push((v, answer));
    }
    Ok(Some(out))
}

/// A member's key and value, and the function's answer for it.
type MemberAnswer = (Rc<str>, Value, Value);

/// Each member of the object argument with what the function argument
/// answers for it (given value, key and object); None when the argument is
/// no object.
fn member_answers(ev: &mut Evaluator<'_>, args: Args<'_>, env: &Env) -> Result<Option<Vec<MemberAnswer>>> {
    let Value::Object(o) = arg(args, 0) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(o.len());
    for (k, v) in o.iter() {
        let answer = ev.call_hof(
            arg(args, 1),
            &[v.clone(), Value::String(Rc::clone(k)), arg(args, 0).clone()],
            env,
        )?;
        out.push((Rc::clone(k), v.clone(), answer));
    }
    Ok(Some(out))
}

pub fn map(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    Ok(match item_answers(ev, args, env)? {
        None => Value::Undefined,
        Some(answers) => Value::sequence(
            answers
                .into_iter()
                .map(|(_, r)| r)
                .filter(|r| !r.is_undefined())
                .collect(),
        ),
    })
}

pub fn filter(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    Ok(match item_answers(ev, args, env)? {
        None => Value::Undefined,
        Some(answers) => Value::sequence(
            answers
                .into_iter()
                .filter(|(_, r)| boolean(r).unwrap_or(false))
                .map(|(v, _)| v)
                .collect(),
        ),
    })
}

pub fn single(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(answers) = item_answers(ev, args, env)? else {
        return Ok(Value::Undefined);
    };
    let mut found: Option<Value> = None;
    for (v, answer) in answers {
        let keep = boolean(&answer).unwrap_or(false);
        if keep {
            if found.is_some() {
                return Err(err(
                    "D3138",
                    "The $single() function expected exactly 1 matching result.  Instead it matched more.",
                ));
            }
            found = Some(v);
        }
    }
    found.ok_or_else(|| {
        err(
            "D3139",
            "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        )
    })
}

pub fn reduce(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let a = arg(args, 0);
    if a.is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = arg(args, 1);
    let arity = eval::arity(f);
    if arity < 2 {
        return Err(err(
            "D3050",
            "The second argument of reduce function must be a function with at least two arguments",
        ));
    }
    let list = items(a);
    let whole = Value::array(list.clone());
    let init = arg(args, 2);
    let (mut acc, start) = if init.is_undefined() && !list.is_empty() {
        (list[0].clone(), 1)
    } else {
        (init.clone(), 0)
    };
    for (i, v) in list.iter().enumerate().skip(start) {
        let mut call = vec![acc, v.clone()];
        if arity >= 3 {
            call.push(Value::Number(i as f64));
        }
        if arity >= 4 {
            call.push(whole.clone());
        }
        acc = ev.apply(f, call, &Value::Undefined, env, "")?;
    }
    Ok(acc)
}

pub fn sift(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(answers) = member_answers(ev, args, env)? else {
        return Ok(Value::Undefined);
    };
    let out: Object = answers
        .into_iter()
        .filter(|(_, _, keep)| boolean(keep).unwrap_or(false))
        .map(|(k, v, _)| (k, v))
        .collect();
    Ok(if out.is_empty() {
        Value::Undefined
    } else {
        Value::object(out)
    })
}

fn keys_of(v: &Value, out: &mut indexmap::IndexSet<Rc<str>>) {
    match v {
        Value::Array(a) => a.items.iter().for_each(|i| keys_of(i, out)),
        Value::Object(o) => {
            for k in o.keys() {
                out.insert(Rc::clone(k));
            }
        }
        _ => {}
    }
}

pub fn keys(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let mut out = indexmap::IndexSet::new();
    keys_of(arg(args, 0), &mut out);
    Ok(Value::sequence(out.into_iter().map(Value::String).collect()))
}

pub fn lookup(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let key = arg(args, 1).as_str().unwrap_or("");
    Ok(eval::lookup_field(arg(args, 0), key))
}

pub fn append_fn(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    eval::append_checked(arg(args, 0).clone(), arg(args, 1).clone())
}

pub fn exists(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(Value::Bool(!arg(args, 0).is_undefined()))
}

/// `$spread` of an array's items, flattened into `out` (built in place:
/// appending result by result would copy it once per item).
fn spread_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.items.iter().for_each(|i| spread_into(i, out)),
        Value::Object(o) => out.extend(o.iter().map(|(k, v)| {
            let mut one = Object::new();
            one.insert(Rc::clone(k), v.clone());
            Value::object(one)
        })),
        Value::Undefined => {}
        other => out.push(other.clone()),
    }
}

pub fn spread(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    match arg(args, 0) {
        v @ (Value::Array(_) | Value::Object(_)) => {
            let mut out = Vec::new();
            spread_into(v, &mut out);
            Ok(Value::sequence(out))
        }
        other => Ok(other.clone()),
    }
}

pub fn merge(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let a = arg(args, 0);
    if a.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut out = Object::new();
    for v in items(a) {
        if let Value::Object(o) = v {
            for (k, x) in o.iter() {
                out.insert(Rc::clone(k), x.clone());
            }
        }
    }
    Ok(Value::object(out))
}

pub fn reverse(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    match arg(args, 0) {
        Value::Undefined => Ok(Value::Undefined),
        Value::Array(a) if a.items.len() <= 1 => Ok(arg(args, 0).clone()),
        v => {
            let mut list = items(v);
            list.reverse();
            Ok(Value::array(list))
        }
    }
}

pub fn each(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    Ok(match member_answers(ev, args, env)? {
        None => Value::Undefined,
        Some(answers) => Value::sequence(
            answers
                .into_iter()
                .map(|(_, _, r)| r)
                .filter(|r| !r.is_undefined())
                .collect(),
        ),
    })
}

pub fn error(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let message = arg(args, 0).as_str().unwrap_or("$error() function evaluated");
    Err(err("D3137", message))
}

pub fn assert(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    if matches!(arg(args, 0), Value::Bool(false)) {
        let message = arg(args, 1).as_str().unwrap_or("$assert() statement failed");
        return Err(err("D3141", message));
    }
    Ok(Value::Undefined)
}

pub fn type_fn(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(arg(args, 0).type_name().map_or(Value::Undefined, Value::string))
}

/// JavaScript truthiness, which `$sort`'s comparator results follow.
fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Undefined | Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// The items to reorder, or the value itself when there is nothing to
/// reorder (undefined, or at most one item).
fn reorderable(a: &Value) -> std::result::Result<Vec<Value>, Value> {
    match a {
        Value::Undefined => Err(Value::Undefined),
        Value::Array(x) if x.items.len() <= 1 => Err(a.clone()),
        v => Ok(items(v)),
    }
}

pub fn sort(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let list = match reorderable(arg(args, 0)) {
        Ok(list) => list,
        Err(same) => return Ok(same),
    };
    let f = arg(args, 1).clone();
    let sorted = if f.is_undefined() {
        let all_numbers = list.iter().all(|v| matches!(v, Value::Number(_)));
        let all_strings = list.iter().all(|v| matches!(v, Value::String(_)));
        if !all_numbers && !all_strings {
            return Err(err(
                "D3070",
                "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
            ));
        }
        ev.merge_sort(list, &mut |_, x, y| {
            Ok(match (x, y) {
                (Value::Number(p), Value::Number(q)) => p > q,
                (Value::String(p), Value::String(q)) => eval::js_string_cmp(p, q) > 0,
                _ => false,
            })
        })?
    } else {
        let env = Rc::clone(env);
        ev.merge_sort(list, &mut |ev, x, y| {
            let r = ev.apply(&f, vec![x.clone(), y.clone()], &Value::Undefined, &env, "")?;
            Ok(js_truthy(&r))
        })?
    };
    Ok(Value::array(sorted))
}

pub fn shuffle(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let mut list = match reorderable(arg(args, 0)) {
        Ok(list) => list,
        Err(same) => return Ok(same),
    };
    for i in (1..list.len()).rev() {
        let j = (next_random(ev) * (i + 1) as f64) as usize;
        list.swap(i, j.min(i));
    }
    Ok(Value::array(list))
}

pub fn distinct(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let a = arg(args, 0);
    let Value::Array(arr) = a else { return Ok(a.clone()) };
    if arr.items.len() <= 1 {
        return Ok(a.clone());
    }
    let mut out: Vec<Value> = Vec::new();
    for v in &arr.items {
        let mut seen = false;
        for o in &out {
            // Quadratic in the worst case: the work is charged to the budget.
            ev.tick()?;
            if deep_equal(o, v) {
                seen = true;
                break;
            }
        }
        if !seen {
            out.push(v.clone());
        }
    }
    Ok(if arr.has(SEQUENCE) {
        Value::sequence(out)
    } else {
        Value::array(out)
    })
}

pub fn zip(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    // Anything but an array (an undefined argument) has no items to zip.
    let lists: Vec<Vec<Value>> = args
        .iter()
        .map(|a| match a {
            Value::Array(x) => x.items.clone(),
            _ => Vec::new(),
        })
        .collect();
    let len = lists.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::array(
        (0..len)
            .map(|i| Value::array(lists.iter().map(|l| l[i].clone()).collect()))
            .collect(),
    ))
}

/// `$clone`: a deep copy through JSON (functions dropped).
pub fn clone(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(deep_clone(arg(args, 0)))
}

pub fn deep_clone(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::array(
            a.items
                .iter()
                .filter(|i| !i.is_undefined())
                .map(|i| if i.is_function() { Value::Null } else { deep_clone(i) })
                .collect(),
        ),
        Value::Object(o) => Value::object(
            o.iter()
                .filter(|(_, x)| !x.is_undefined() && !x.is_function())
                .map(|(k, x)| (Rc::clone(k), deep_clone(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}
