//! Values during evaluation, and how jq 1.6 orders, compares and prints them.
//!
//! Arrays, objects and strings sit behind `Arc`, so copying a value (which jq does
//! all the time: `.`, `$x`, `[., .]`) costs a reference count, not a deep copy; a deep
//! copy only happens on write, where the budget is charged for it. Objects keep
//! insertion order, as jq prints them, with a hash index once they grow.
//!
//! Every function here that walks a value recurses once per nesting level; values are
//! at most [`crate::limits::MAX_INPUT_DEPTH`] deep on input and the parser bounds how
//! much deeper a query can build them, so the recursion is bounded.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::budget::Budget;
use crate::error::Limit;
use crate::limits::{MAX_INPUT_DEPTH, MAX_STRING_BYTES};

/// A jq value. Numbers are `f64`, as in jq 1.6.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(Arc<str>),
    Arr(Arc<Vec<Val>>),
    Obj(Arc<Obj>),
}

/// Objects with more keys than this get a hash index; below it a scan is faster.
const INDEX_FROM: usize = 16;

/// An object: entries in insertion order (how jq prints them).
#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    entries: Vec<(Arc<str>, Val)>,
    index: Option<HashMap<Arc<str>, usize>>,
}

impl Obj {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| &**k == key),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        self.position(key).and_then(|i| self.entries.get(i)).map(|(_, v)| v)
    }

    /// Sets `key`; an existing key keeps its place (as jq's `+` does).
    pub(crate) fn insert(&mut self, key: Arc<str>, val: Val) {
        if let Some(i) = self.position(&key) {
            if let Some(entry) = self.entries.get_mut(i) {
                entry.1 = val;
            }
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, val));
        if self.index.is_none() && self.entries.len() > INDEX_FROM {
            let index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            self.index = Some(index);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Val)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Val> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Keys in jq's `keys` order (by code point, which is UTF-8 byte order).
    pub(crate) fn sorted_keys(&self) -> Vec<Arc<str>> {
        let mut keys: Vec<Arc<str>> = self.entries.iter().map(|(k, _)| k.clone()).collect();
        keys.sort();
        keys
    }
}

impl Val {
    pub(crate) fn str(s: &str) -> Val {
        Val::Str(Arc::from(s))
    }

    pub(crate) fn string(s: String) -> Val {
        Val::Str(Arc::from(s))
    }

    pub(crate) fn array(items: Vec<Val>) -> Val {
        Val::Arr(Arc::new(items))
    }

    pub(crate) fn object(obj: Obj) -> Val {
        Val::Obj(Arc::new(obj))
    }

    /// jq's `type` name.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
            Val::Arr(_) => "array",
            Val::Obj(_) => "object",
        }
    }

    /// Position in jq's order of kinds: null < false < true < numbers < strings < arrays < objects.
    fn rank(&self) -> u8 {
        match self {
            Val::Null => 0,
            Val::Bool(false) => 1,
            Val::Bool(true) => 2,
            Val::Num(_) => 3,
            Val::Str(_) => 4,
            Val::Arr(_) => 5,
            Val::Obj(_) => 6,
        }
    }

    /// Everything but `null` and `false` is true.
    pub(crate) fn truthy(&self) -> bool {
        !matches!(self, Val::Null | Val::Bool(false))
    }
}

/// Compares two numbers. With `nan_quirk`, NaN is below everything including NaN, as
/// jq 1.6's `<` and `min`/`max` observe; without it NaN is below every other number but
/// equal to itself, a total order that sorting needs.
fn compare_numbers(x: f64, y: f64, nan_quirk: bool) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) if !nan_quirk => Ordering::Equal,
        (true, _) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// jq's ordering of values: by kind, then numbers numerically, strings by code point,
/// arrays element-wise, objects by their sorted key lists and then by values key by key.
/// Charges the budget per node and returns `Equal` once it is spent (the caller checks).
pub(crate) fn compare(a: &Val, b: &Val, nan_quirk: bool, budget: &Budget) -> Ordering {
    if !budget.tick(1) {
        return Ordering::Equal;
    }
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => compare_numbers(*x, *y, nan_quirk),
        (Val::Str(x), Val::Str(y)) => {
            if !budget.tick(Budget::bytes_cost(x.len().min(y.len()))) {
                return Ordering::Equal;
            }
            x.as_bytes().cmp(y.as_bytes())
        }
        (Val::Arr(x), Val::Arr(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let order = compare(p, q, nan_quirk, budget);
                if order != Ordering::Equal {
                    return order;
                }
            }
            x.len().cmp(&y.len())
        }
        (Val::Obj(x), Val::Obj(y)) => {
            if !budget.tick((x.len() + y.len()) as u64) {
                return Ordering::Equal;
            }
            let (kx, ky) = (x.sorted_keys(), y.sorted_keys());
            let order = kx.cmp(&ky);
            if order != Ordering::Equal {
                return order;
            }
            for key in &kx {
                let (Some(p), Some(q)) = (x.get(key), y.get(key)) else {
                    continue;
                };
                let order = compare(p, q, nan_quirk, budget);
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        }
        _ => a.rank().cmp(&b.rank()),
    }
}

/// jq's `==`: the ordering says equal (so NaN equals nothing, and `1 == 1.0`).
pub(crate) fn equal(a: &Val, b: &Val, budget: &Budget) -> bool {
    compare(a, b, true, budget) == Ordering::Equal
}

/// A number as jq 1.6 prints it: the shortest digits that round-trip, in plain
/// notation unless the exponent is below -4 or the number has more than 15 trailing
/// zeros ("1e+17", "1e-05"), NaN as `null` and infinities as the largest finite double.
pub(crate) fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "null".to_owned();
    }
    let x = x.clamp(-f64::MAX, f64::MAX);
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits, as jq's dtoa mode 0 does.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let count = digits.len() as i32;
    let point = exponent + 1; // digits before the decimal point
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if point <= -4 || point > count + 15 {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = point - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point >= count {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - count) as usize));
    } else {
        let (int, frac) = digits.split_at(point as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Appends `s` as a JSON string literal, escaped as jq escapes it (control characters
/// and DEL as `\u00XX` unless they have a short form; everything else raw).
pub(crate) fn escape_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `v` as `jq -c` would. Stops early (returning `Ok`) once `out` is longer than
/// `stop_after`, for error messages that only show the start of a value.
fn dump_into(v: &Val, out: &mut String, stop_after: usize, budget: &Budget) -> Result<(), Limit> {
    budget.charge(1)?;
    if out.len() > stop_after {
        return Ok(());
    }
    if out.len() > MAX_STRING_BYTES {
        return Err(Limit::StringLength);
    }
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(x) => out.push_str(&format_number(*x)),
        Val::Str(s) => {
            budget.charge(Budget::bytes_cost(s.len()))?;
            escape_string(s, out);
        }
        Val::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                dump_into(item, out, stop_after, budget)?;
                if out.len() > stop_after {
                    return Ok(());
                }
            }
            out.push(']');
        }
        Val::Obj(obj) => {
            out.push('{');
            for (i, (key, item)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escape_string(key, out);
                out.push(':');
                dump_into(item, out, stop_after, budget)?;
                if out.len() > stop_after {
                    return Ok(());
                }
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `tojson`: the compact JSON text of `v`, bounded by the string length limit.
pub(crate) fn dump(v: &Val, budget: &Budget) -> Result<String, Limit> {
    let mut out = String::new();
    dump_into(v, &mut out, usize::MAX, budget)?;
    if out.len() > MAX_STRING_BYTES {
        return Err(Limit::StringLength);
    }
    Ok(out)
}

/// `tostring`: strings as they are, anything else as JSON text.
pub(crate) fn to_text(v: &Val, budget: &Budget) -> Result<Arc<str>, Limit> {
    match v {
        Val::Str(s) => Ok(s.clone()),
        other => Ok(Arc::from(dump(other, budget)?)),
    }
}

/// The JSON text of `v`, cut after `max` bytes (at a character boundary) with "..."
/// appended, for messages that show values.
pub(crate) fn dump_prefix(v: &Val, max: usize) -> String {
    // A private budget: a message must be writable whatever the run's budget says,
    // and stopping after `max` bytes keeps this to a few nodes.
    let budget = Budget::new(u64::MAX);
    let mut out = String::new();
    let _ = dump_into(v, &mut out, max, &budget);
    if out.len() <= max {
        return out;
    }
    let mut end = max;
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    out.truncate(end);
    out.push_str("...");
    out
}

/// The start of `v`'s JSON text as jq 1.6 shows values in error messages: at most 11
/// bytes followed by "..." when the text is longer than 14.
pub(crate) fn dump_short(v: &Val) -> String {
    let text = dump_prefix(v, 14);
    if text.len() <= 14 {
        return text;
    }
    let mut short = text;
    let mut end = 11;
    while !short.is_char_boundary(end) {
        end -= 1;
    }
    short.truncate(end);
    short.push_str("...");
    short
}

/// `kind (value)`, the way jq names a value in error messages.
pub(crate) fn describe(v: &Val) -> String {
    format!("{} ({})", v.kind(), dump_short(v))
}

/// Converts a record into a value, failing beyond [`MAX_INPUT_DEPTH`] levels.
pub(crate) fn from_json(v: &serde_json::Value, depth: usize) -> Result<Val, Limit> {
    if depth > MAX_INPUT_DEPTH {
        return Err(Limit::InputDepth);
    }
    Ok(match v {
        serde_json::Value::Null => Val::Null,
        serde_json::Value::Bool(b) => Val::Bool(*b),
        serde_json::Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Val::str(s),
        serde_json::Value::Array(items) => array_from_json(items, depth)?,
        serde_json::Value::Object(map) => object_from_json(map, depth)?,
    })
}

// Kept out of line so that `from_json`, which recurses once per level, stays small.
#[inline(never)]
fn array_from_json(items: &[serde_json::Value], depth: usize) -> Result<Val, Limit> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(from_json(item, depth + 1)?);
    }
    Ok(Val::array(out))
}

#[inline(never)]
fn object_from_json(map: &serde_json::Map<String, serde_json::Value>, depth: usize) -> Result<Val, Limit> {
    let mut obj = Obj::default();
    for (key, item) in map {
        obj.insert(Arc::from(key.as_str()), from_json(item, depth + 1)?);
    }
    Ok(Val::object(obj))
}

/// A number as a JSON value: integral values as integers (so they print without
/// ".0"), NaN as null and infinities as the largest finite double, as jq prints them.
fn number_to_json(x: f64) -> serde_json::Value {
    if x.is_nan() {
        return serde_json::Value::Null;
    }
    let x = x.clamp(-f64::MAX, f64::MAX);
    // 2^63: the integral doubles below it convert to i64 exactly.
    if x.fract() == 0.0 && x.abs() < 9_223_372_036_854_775_808.0 && !(x == 0.0 && x.is_sign_negative()) {
        return serde_json::Value::from(x as i64);
    }
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Converts an output back into a JSON value, charging the budget per node.
pub(crate) fn to_json(v: &Val, budget: &Budget) -> Result<serde_json::Value, Limit> {
    budget.charge(1)?;
    Ok(match v {
        Val::Null => serde_json::Value::Null,
        Val::Bool(b) => serde_json::Value::Bool(*b),
        Val::Num(x) => number_to_json(*x),
        Val::Str(s) => {
            budget.charge(Budget::bytes_cost(s.len()))?;
            serde_json::Value::String(s.to_string())
        }
        Val::Arr(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|item| to_json(item, budget))
                .collect::<Result<_, _>>()?,
        ),
        Val::Obj(obj) => {
            let mut map = serde_json::Map::with_capacity(obj.len());
            for (key, item) in obj.iter() {
                map.insert(key.to_string(), to_json(item, budget)?);
            }
            serde_json::Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_jq_1_6_prints_them() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-0.0, "-0"),
            (1.5, "1.5"),
            (1e15, "1000000000000000"),
            (1e16, "1e+16"),
            (1.5e16, "15000000000000000"),
            (1e17, "1e+17"),
            (123456789012345678.0, "123456789012345680"),
            (1e20, "1e+20"),
            (1234567890123456789012.0, "1234567890123456800000"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (1e-7, "1e-07"),
            (1.5e300, "1.5e+300"),
            (f64::INFINITY, "1.7976931348623157e+308"),
            (f64::NEG_INFINITY, "-1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "null"),
            (1565382027.0, "1565382027"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
        ];
        for (x, text) in cases {
            assert_eq!(format_number(*x), *text, "{x}");
        }
    }

    #[test]
    fn short_dumps_truncate_like_jq() {
        let long = Val::str("aaaaaaaaaaaaaaaaaaa");
        assert_eq!(dump_short(&long), "\"aaaaaaaaaa...");
        assert_eq!(dump_short(&Val::Num(1.0)), "1");
        assert_eq!(describe(&Val::array(vec![])), "array ([])");
    }
}
