//! JSON in and out: serde_json values to JSONata's and back, and
//! `JSON.stringify` as jsonata calls it for `$string`.

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::value::{Object, Value};

/// Refuses to render more than this (a `$string` of something huge).
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::string(s.as_str()),
        serde_json::Value::Array(a) => Value::array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| (Rc::from(k.as_str()), from_json(v)))
                .collect::<Object>(),
        ),
    }
}

/// A number as JSON holds it: integers as integers.
pub fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Counts the nodes of a value up to `budget`: a result built by sharing
/// (`[$a, $a]` doubled in a loop) is small in memory but not as JSON.
pub fn fits(v: &Value, budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match v {
        Value::Array(a) => a.items.iter().all(|i| fits(i, budget)),
        Value::Object(o) => o.values().all(|i| fits(i, budget)),
        _ => true,
    }
}

/// None for undefined; functions are left out of objects and are null in
/// arrays. With `named_non_finite`, infinities and NaN become the
/// strings `"Infinity"`, `"-Infinity"` and `"NaN"` (as AWS's engine writes
/// them) instead of null (as `JSON.stringify` does).
pub fn to_json_as(v: &Value, named_non_finite: bool) -> Option<serde_json::Value> {
    Some(match v {
        Value::Undefined | Value::Function(_) => return None,
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) if named_non_finite && !n.is_finite() => serde_json::Value::String(
            match (n.is_nan(), *n > 0.0) {
                (true, _) => "NaN",
                (false, true) => "Infinity",
                (false, false) => "-Infinity",
            }
            .into(),
        ),
        Value::Number(n) => number_json(*n),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(a) => serde_json::Value::Array(
            a.items
                .iter()
                .map(|i| to_json_as(i, named_non_finite).unwrap_or(serde_json::Value::Null))
                .collect(),
        ),
        Value::Object(o) => serde_json::Value::Object(
            o.iter()
                .filter_map(|(k, v)| to_json_as(v, named_non_finite).map(|j| (k.to_string(), j)))
                .collect(),
        ),
    })
}

fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', n * level));
    }
}

/// `JSON.stringify(v, replacer, indent)`: numbers at 15 significant digits
/// when `precision15` (as `$string` renders them), functions as `""`.
pub fn write(out: &mut String, v: &Value, indent: Option<usize>, precision15: bool, level: usize) -> Result<()> {
    if out.len() > MAX_OUTPUT {
        return Err(Error::new("D3141", "The string would be too long"));
    }
    match v {
        Value::Undefined | Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_infinite() && precision15 => {
            return Err(Error::new("D1001", "Number out of range: null"));
        }
        Value::Number(n) if !n.is_finite() => out.push_str("null"),
        Value::Number(n) => out.push_str(&if precision15 {
            crate::numbers::number_to_string(*n)
        } else {
            crate::numbers::js_number_string(*n)
        }),
        Value::String(s) => quote(out, s),
        Value::Function(_) => out.push_str("\"\""),
        Value::Array(a) => {
            if a.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write(out, item, indent, precision15, level + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Object(o) => {
            let mut first = true;
            out.push('{');
            for (k, item) in o.iter() {
                if item.is_undefined() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                newline(out, indent, level + 1);
                quote(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, item, indent, precision15, level + 1)?;
            }
            if !first {
                newline(out, indent, level);
            }
            out.push('}');
        }
    }
    Ok(())
}
