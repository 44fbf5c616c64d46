//! jq's binary operators (`+ - * / %`, comparisons) and unary minus, with jq 1.6's
//! typing rules and error messages.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::ast::BinOp;
use crate::budget::Budget;
use crate::error::Limit;
use crate::eval::{Exc, fail};
use crate::limits::{MAX_ARRAY_LEN, MAX_STRING_BYTES};
use crate::value::{Obj, Val, compare, describe, equal};

pub(crate) fn binop(op: BinOp, a: Val, b: &Val, budget: &Budget) -> Result<Val, Exc> {
    let ordered = |accept: fn(Ordering) -> bool| -> Result<Val, Exc> {
        let order = compare(&a, b, true, budget);
        budget.check()?;
        Ok(Val::Bool(accept(order)))
    };
    match op {
        BinOp::Add => add(a, b, budget),
        BinOp::Sub => subtract(a, b, budget),
        BinOp::Mul => multiply(a, b, budget),
        BinOp::Div => divide(a, b, budget),
        BinOp::Mod => modulo(&a, b),
        BinOp::Eq => {
            let eq = equal(&a, b, budget);
            budget.check()?;
            Ok(Val::Bool(eq))
        }
        BinOp::Ne => {
            let eq = equal(&a, b, budget);
            budget.check()?;
            Ok(Val::Bool(!eq))
        }
        BinOp::Lt => ordered(|o| o == Ordering::Less),
        BinOp::Le => ordered(|o| o != Ordering::Greater),
        BinOp::Gt => ordered(|o| o == Ordering::Greater),
        BinOp::Ge => ordered(|o| o != Ordering::Less),
    }
}

fn cannot(a: &Val, b: &Val, what: &str) -> Exc {
    fail(format!("{} and {} cannot be {what}", describe(a), describe(b)))
}

/// Concatenates two strings within the length limit, charging for the copy.
pub(crate) fn concat(x: &str, y: &str, budget: &Budget) -> Result<Val, Exc> {
    let len = x.len() + y.len();
    if len > MAX_STRING_BYTES {
        return Err(Limit::StringLength.into());
    }
    budget.charge(Budget::bytes_cost(len))?;
    let mut s = String::with_capacity(len);
    s.push_str(x);
    s.push_str(y);
    Ok(Val::string(s))
}

/// `a + b`. Takes `a` by value so that a uniquely held array or object is extended in
/// place (`add` over many arrays stays linear).
pub(crate) fn add(a: Val, b: &Val, budget: &Budget) -> Result<Val, Exc> {
    match (a, b) {
        (Val::Null, b) => Ok(b.clone()),
        (a, Val::Null) => Ok(a),
        (Val::Num(x), Val::Num(y)) => Ok(Val::Num(x + y)),
        (Val::Str(x), Val::Str(y)) => concat(&x, y, budget),
        (Val::Arr(mut x), Val::Arr(y)) => {
            if x.len() + y.len() > MAX_ARRAY_LEN {
                return Err(Limit::ArrayLength.into());
            }
            let copied = if Arc::strong_count(&x) == 1 { 0 } else { x.len() };
            budget.charge((copied + y.len()) as u64 + 1)?;
            Arc::make_mut(&mut x).extend(y.iter().cloned());
            Ok(Val::Arr(x))
        }
        (Val::Obj(mut x), Val::Obj(y)) => {
            let copied = if Arc::strong_count(&x) == 1 { 0 } else { x.len() };
            budget.charge((copied + y.len()) as u64 + 1)?;
            let target = Arc::make_mut(&mut x);
            for (key, value) in y.iter() {
                target.insert(key.clone(), value.clone());
            }
            Ok(Val::Obj(x))
        }
        (a, b) => Err(cannot(&a, b, "added")),
    }
}

fn subtract(a: Val, b: &Val, budget: &Budget) -> Result<Val, Exc> {
    match (&a, b) {
        (Val::Num(x), Val::Num(y)) => Ok(Val::Num(x - y)),
        (Val::Arr(x), Val::Arr(y)) => {
            budget.charge(x.len() as u64 + 1)?;
            let kept: Vec<Val> = x
                .iter()
                .filter(|item| !y.iter().any(|drop| equal(item, drop, budget)))
                .cloned()
                .collect();
            budget.check()?;
            Ok(Val::array(kept))
        }
        _ => Err(cannot(&a, b, "subtracted")),
    }
}

/// Recursive object merge for `*`: objects on both sides merge, anything else is replaced.
fn deep_merge(mut x: Arc<Obj>, y: &Obj, budget: &Budget) -> Result<Arc<Obj>, Exc> {
    budget.charge(x.len() as u64 + y.len() as u64 + 1)?;
    let target = Arc::make_mut(&mut x);
    for (key, value) in y.iter() {
        let merged = match (target.get(key), value) {
            (Some(Val::Obj(old)), Val::Obj(new)) => Val::Obj(deep_merge(old.clone(), new, budget)?),
            _ => value.clone(),
        };
        target.insert(key.clone(), merged);
    }
    Ok(x)
}

/// `"s" * n` as jq 1.6 computes it: the count is `(int)(n - 1)` plus one, and a count
/// below one (or a C conversion out of range, which x86 turns into INT_MIN) gives null.
fn repeat(s: &str, n: f64, budget: &Budget) -> Result<Val, Exc> {
    let m = n - 1.0;
    if m.is_nan() || m >= 2_147_483_648.0 || m <= -2_147_483_649.0 {
        return Ok(Val::Null);
    }
    let extra = m.trunc() as i64;
    if extra < 0 {
        return Ok(Val::Null);
    }
    let count = extra as usize + 1;
    let len = s.len().saturating_mul(count);
    if len > MAX_STRING_BYTES {
        return Err(Limit::StringLength.into());
    }
    budget.charge(Budget::bytes_cost(len))?;
    Ok(Val::string(s.repeat(count)))
}

fn multiply(a: Val, b: &Val, budget: &Budget) -> Result<Val, Exc> {
    match (&a, b) {
        (Val::Num(x), Val::Num(y)) => Ok(Val::Num(x * y)),
        (Val::Str(s), Val::Num(n)) | (Val::Num(n), Val::Str(s)) => repeat(s, *n, budget),
        (Val::Obj(x), Val::Obj(y)) => Ok(Val::Obj(deep_merge(x.clone(), y, budget)?)),
        _ => Err(cannot(&a, b, "multiplied")),
    }
}

/// Splits `s` on `sep` as jq's `split/1` and `/` do: an empty input gives `[]`, an
/// empty separator splits into characters.
pub(crate) fn split(s: &str, sep: &str, budget: &Budget) -> Result<Val, Exc> {
    budget.charge(Budget::bytes_cost(s.len()))?;
    if s.is_empty() {
        return Ok(Val::array(Vec::new()));
    }
    let parts: Vec<Val> = if sep.is_empty() {
        s.chars().map(|c| Val::string(c.to_string())).collect()
    } else {
        s.split(sep).map(Val::str).collect()
    };
    if parts.len() > MAX_ARRAY_LEN {
        return Err(Limit::ArrayLength.into());
    }
    budget.charge(parts.len() as u64)?;
    Ok(Val::array(parts))
}

fn divide(a: Val, b: &Val, budget: &Budget) -> Result<Val, Exc> {
    match (&a, b) {
        (Val::Num(x), Val::Num(y)) => {
            if *y == 0.0 {
                return Err(fail(format!(
                    "{} and {} cannot be divided because the divisor is zero",
                    describe(&a),
                    describe(b)
                )));
            }
            Ok(Val::Num(x / y))
        }
        (Val::Str(s), Val::Str(sep)) => split(s, sep, budget),
        _ => Err(cannot(&a, b, "divided")),
    }
}

/// C's `(intmax_t)x` on x86-64: out-of-range values and NaN become INT64_MIN.
fn c_int64(x: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// `%` on the numbers truncated to integers, with C's sign rules.
fn modulo(a: &Val, b: &Val) -> Result<Val, Exc> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => {
            let divisor = c_int64(*y);
            if divisor == 0 {
                return Err(fail(format!(
                    "{} and {} cannot be divided (remainder) because the divisor is zero",
                    describe(a),
                    describe(b)
                )));
            }
            Ok(Val::Num(c_int64(*x).wrapping_rem(divisor) as f64))
        }
        _ => Err(cannot(a, b, "divided (remainder)")),
    }
}

pub(crate) fn negate(v: &Val) -> Result<Val, Exc> {
    match v {
        Val::Num(x) => Ok(Val::Num(-x)),
        other => Err(fail(format!("{} cannot be negated", describe(other)))),
    }
}
