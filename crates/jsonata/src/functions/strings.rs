//! String functions, number formatting and parsing, URL and base64
//! coding, and the date/time functions (whose pictures live in `datetime`).
//! Strings are counted in Unicode code points, as jsonata does.

use std::rc::Rc;

use super::{Args, arg, err, match_object, num, regex_matches, string};
use crate::error::Result;
use crate::eval::{Env, Evaluator};
use crate::value::{Func, Object, Value};

fn text(args: Args<'_>, i: usize) -> Option<&str> {
    arg(args, i).as_str()
}

/// Refuses a string longer than this (padding, repetition) rather than
/// allocating without bound.
const MAX_STRING: usize = 10_000_000;

pub fn string_fn(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let v = arg(args, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let pretty = matches!(arg(args, 1), Value::Bool(true));
    Ok(Value::string(string(v, pretty)?))
}

/// JavaScript's `Array.prototype.slice` index: negative from the end, clamped.
fn slice_index(i: f64, len: usize) -> usize {
    let i = i.trunc();
    if i < 0.0 {
        (len as f64 + i).max(0.0) as usize
    } else {
        i.min(len as f64) as usize
    }
}

pub fn substring(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let mut start = num(args, 1).unwrap_or(0.0);
    if len as f64 + start < 0.0 {
        start = 0.0;
    }
    if let Some(length) = num(args, 2) {
        if length <= 0.0 {
            return Ok(Value::string(""));
        }
        let end = if start >= 0.0 {
            start + length
        } else {
            len as f64 + start + length
        };
        let (a, b) = (slice_index(start, len), slice_index(end, len));
        return Ok(Value::string(if a < b {
            chars[a..b].iter().collect::<String>()
        } else {
            String::new()
        }));
    }
    let a = slice_index(start, len);
    Ok(Value::string(chars[a..].iter().collect::<String>()))
}

/// The string and where the other one first occurs in it (`$substringBefore`/`After`).
fn find_in<'a>(args: Args<'a>) -> Option<(&'a str, Option<(usize, usize)>)> {
    let s = text(args, 0)?;
    Some((s, text(args, 1).and_then(|c| s.find(c).map(|i| (i, c.len())))))
}

pub fn substring_before(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(match find_in(args) {
        None => Value::Undefined,
        Some((s, Some((i, _)))) => Value::string(&s[..i]),
        Some((s, None)) => Value::string(s),
    })
}

pub fn substring_after(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(match find_in(args) {
        None => Value::Undefined,
        Some((s, Some((i, len)))) => Value::string(&s[i + len..]),
        Some((s, None)) => Value::string(s),
    })
}

pub fn lowercase(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(text(args, 0).map_or(Value::Undefined, |s| Value::string(s.to_lowercase())))
}

pub fn uppercase(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(text(args, 0).map_or(Value::Undefined, |s| Value::string(s.to_uppercase())))
}

pub fn length(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(text(args, 0).map_or(Value::Undefined, |s| Value::Number(s.chars().count() as f64)))
}

pub fn trim(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    let t = out.strip_prefix(' ').unwrap_or(&out);
    Ok(Value::string(t.strip_suffix(' ').unwrap_or(t)))
}

pub fn pad(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let width = num(args, 1).unwrap_or(0.0);
    let fill = match text(args, 2) {
        Some(c) if !c.is_empty() => c,
        _ => " ",
    };
    let pad_len = width.abs().trunc() - s.chars().count() as f64;
    if pad_len <= 0.0 {
        return Ok(Value::string(s));
    }
    if pad_len > MAX_STRING as f64 {
        return Err(err("D3141", "The padded string would be too long"));
    }
    let padding: String = fill.chars().cycle().take(pad_len as usize).collect();
    Ok(Value::string(if width > 0.0 {
        format!("{s}{padding}")
    } else {
        format!("{padding}{s}")
    }))
}

/// A match of a pattern: the text matched, its character offsets, its groups.
struct Hit {
    matched: String,
    start: usize,
    groups: Vec<Value>,
    obj: Object,
}

/// The matches of a regex or of a custom matcher function, up to `limit`.
fn hits(
    ev: &mut Evaluator<'_>,
    pattern: &Value,
    s: &str,
    limit: Option<usize>,
    env: &Env,
    func: &str,
) -> Result<Vec<Hit>> {
    if let Value::Function(f) = pattern
        && let Func::Regex(p) = &**f
    {
        let found = regex_matches(p, s, limit)?;
        return Ok(found
            .iter()
            .map(|m| {
                let obj = match_object(s, m);
                Hit {
                    matched: s[m.start..m.end].to_owned(),
                    start: s[..m.start].chars().count(),
                    groups: m
                        .groups
                        .iter()
                        .map(|g| g.map_or(Value::Undefined, |(a, b)| Value::string(&s[a..b])))
                        .collect(),
                    obj,
                }
            })
            .collect());
    }
    // A function that behaves as a matcher: returns a match object with `next`.
    let mut out = Vec::new();
    let mut m = ev.apply(pattern, vec![Value::string(s)], &Value::Undefined, env, "")?;
    loop {
        let o = match &m {
            Value::Object(o) => o.clone(),
            Value::Undefined => break,
            _ => {
                return Err(err(
                    "T1010",
                    format!(
                        "The matcher function argument passed to function {} does not return the correct object structure",
                        crate::error::quote(func)
                    ),
                ));
            }
        };
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        ev.tick()?;
        let matched = o.get("match").and_then(Value::as_str).unwrap_or("").to_owned();
        let start = o.get("start").and_then(Value::as_number).unwrap_or(0.0).max(0.0) as usize;
        let groups = o.get("groups").map(crate::eval::items).unwrap_or_default();
        let next = o.get("next").cloned().unwrap_or_default();
        out.push(Hit {
            matched,
            start,
            groups,
            obj: o.map().clone(),
        });
        if !next.is_function() {
            break;
        }
        m = ev.apply(&next, Vec::new(), &Value::Undefined, env, "")?;
    }
    Ok(out)
}

fn limit_arg(args: Args<'_>, i: usize, code: &'static str, func: &str) -> Result<Option<usize>> {
    match num(args, i) {
        None => Ok(None),
        Some(n) if n < 0.0 => Err(err(
            code,
            format!(
                "{} argument of {func} function must evaluate to a positive number",
                if func == "replace" { "Fourth" } else { "Third" }
            ),
        )),
        Some(n) => Ok(Some(n.min(usize::MAX as f64) as usize)),
    }
}

pub fn match_fn(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let limit = limit_arg(args, 2, "D3040", "match")?;
    if limit == Some(0) {
        return Ok(Value::sequence(Vec::new()));
    }
    let found = hits(ev, arg(args, 1), s, limit, env, "match")?;
    Ok(Value::sequence(
        found
            .into_iter()
            .map(|h| {
                let mut o = Object::new();
                o.insert(Rc::from("match"), Value::string(h.matched));
                o.insert(Rc::from("index"), Value::Number(h.start as f64));
                o.insert(Rc::from("groups"), Value::array(h.groups));
                Value::object(o)
            })
            .collect(),
    ))
}

pub fn contains(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::Bool(match arg(args, 1) {
        Value::String(t) => s.contains(&**t),
        p => !hits(ev, p, s, Some(1), env, "contains")?.is_empty(),
    }))
}

/// `$1`... in a replacement string: the groups of the match.
fn substitute(replacement: &str, matched: &str, groups: &[Value]) -> String {
    let r: Vec<char> = replacement.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    while pos < r.len() {
        let Some(rel) = r[pos..].iter().position(|c| *c == '$') else {
            break;
        };
        let index = pos + rel;
        out.extend(&r[pos..index]);
        pos = index + 1;
        match r.get(pos) {
            Some('$') => {
                out.push('$');
                pos += 1;
            }
            Some('0') => {
                out.push_str(matched);
                pos += 1;
            }
            _ => {
                let max_digits = if groups.is_empty() {
                    1
                } else {
                    (groups.len() as f64).log10().floor() as usize + 1
                };
                let digits = |n: usize| -> Option<usize> {
                    let d: String = r[pos..(pos + n).min(r.len())]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    d.parse().ok()
                };
                let mut idx = digits(max_digits);
                if max_digits > 1
                    && let Some(i) = idx
                    && i > groups.len()
                {
                    idx = digits(max_digits - 1);
                }
                match idx {
                    Some(i) => {
                        if i >= 1
                            && let Some(Value::String(g)) = groups.get(i - 1)
                        {
                            out.push_str(g);
                        }
                        pos += i.to_string().len();
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    out.extend(&r[pos.min(r.len())..]);
    out
}

pub fn replace(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let pattern = arg(args, 1);
    if matches!(pattern, Value::String(p) if p.is_empty()) {
        return Err(err(
            "D3010",
            "Second argument of replace function cannot be an empty string",
        ));
    }
    let limit = limit_arg(args, 3, "D3011", "replace")?;
    if limit == Some(0) {
        return Ok(Value::string(s));
    }
    let replacement = arg(args, 2);
    let mut out = String::new();
    if let Value::String(p) = pattern {
        let mut pos = 0;
        let mut count = 0;
        let rep = replacement.as_str().unwrap_or("");
        while let Some(i) = s[pos..].find(&**p) {
            if limit.is_some_and(|l| count >= l) {
                break;
            }
            out.push_str(&s[pos..pos + i]);
            out.push_str(rep);
            pos += i + p.len();
            count += 1;
            if out.len() > MAX_STRING {
                return Err(err("D3141", "The replaced string would be too long"));
            }
        }
        out.push_str(&s[pos..]);
        return Ok(Value::string(out));
    }
    let found = hits(ev, pattern, s, limit, env, "replace")?;
    if found.is_empty() {
        return Ok(Value::string(s));
    }
    let starts: Vec<usize> = s
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()))
        .collect();
    let mut pos = 0;
    for h in found {
        let start = starts.get(h.start).copied().unwrap_or(s.len());
        if start >= pos {
            out.push_str(&s[pos..start]);
        }
        let with = match replacement {
            Value::String(r) => substitute(r, &h.matched, &h.groups),
            f if f.is_function() => {
                let mut o = h.obj.clone();
                o.shift_remove("next");
                match ev.apply(f, vec![Value::object(o)], &Value::Undefined, env, "")? {
                    Value::String(r) => r.to_string(),
                    _ => {
                        return Err(err(
                            "D3012",
                            "Attempted to replace a matched string with a non-string value",
                        ));
                    }
                }
            }
            _ => String::new(),
        };
        out.push_str(&with);
        // In characters: a custom matcher's `start` need not agree with the text.
        pos = starts
            .get(h.start + h.matched.chars().count())
            .copied()
            .unwrap_or(s.len())
            .max(pos);
        if out.len() > MAX_STRING {
            return Err(err("D3141", "The replaced string would be too long"));
        }
    }
    out.push_str(&s[pos..]);
    Ok(Value::string(out))
}

pub fn split(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, env: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let limit = limit_arg(args, 2, "D3020", "split")?;
    let mut parts: Vec<Value> = match arg(args, 1) {
        Value::String(sep) if sep.is_empty() => s.chars().map(|c| Value::string(c.to_string())).collect(),
        Value::String(sep) => s.split(&**sep).map(Value::string).collect(),
        p => {
            let found = hits(ev, p, s, None, env, "split")?;
            let starts: Vec<usize> = s
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(s.len()))
                .collect();
            let mut out = Vec::new();
            let mut pos = 0;
            for h in found {
                let start = starts.get(h.start).copied().unwrap_or(s.len());
                out.push(Value::string(s.get(pos..start).unwrap_or("")));
                pos = starts
                    .get(h.start + h.matched.chars().count())
                    .copied()
                    .unwrap_or(s.len())
                    .max(pos);
            }
            out.push(Value::string(&s[pos..]));
            out
        }
    };
    if let Some(l) = limit {
        parts.truncate(l);
    }
    Ok(Value::array(parts))
}

pub fn join(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let list = match arg(args, 0) {
        Value::Undefined => return Ok(Value::Undefined),
        v => crate::eval::items(v),
    };
    let sep = text(args, 1).unwrap_or("");
    let strings: Vec<String> = list.iter().map(|v| v.as_str().unwrap_or("").to_owned()).collect();
    let total: usize = strings.iter().map(String::len).sum::<usize>() + sep.len() * strings.len();
    if total > crate::eval::MAX_STRING_BYTES {
        return Err(crate::eval::too_large());
    }
    Ok(Value::string(strings.join(sep)))
}

pub fn format_number(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    let picture = text(args, 1).unwrap_or("");
    let mut format = crate::numbers::DecimalFormat::default();
    if let Value::Object(o) = arg(args, 2) {
        for (k, v) in o.iter() {
            format.set(k, v.as_str().unwrap_or(""))?;
        }
    }
    match crate::numbers::format_number(n, picture, &format) {
        Ok(t) => Ok(Value::string(t)),
        // jsonata-js trips on `undefined` (a sub-picture with no active
        // character, or none left by an empty pattern separator); AWS's
        // engine reports those pictures as passive characters out of place.
        Err(e) if ev.aws && e.code == "TypeError" => Err(crate::numbers::picture_error("D3086")),
        Err(e) => Err(e),
    }
}

pub fn format_base(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(crate::numbers::format_base(n, num(args, 1))?))
}

pub fn format_integer(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(crate::datetime::format_integer(
        n,
        text(args, 1).unwrap_or(""),
    )?))
}

pub fn parse_integer(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(crate::datetime::parse_integer(s, text(args, 1).unwrap_or(""))?.map_or(Value::Undefined, Value::Number))
}

pub fn number(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    match arg(args, 0) {
        Value::Undefined => Ok(Value::Undefined),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::Bool(b) => Ok(Value::Number(if *b { 1.0 } else { 0.0 })),
        Value::String(s) => match crate::numbers::parse_number(s) {
            Some(n) if n.is_finite() => Ok(Value::Number(n)),
            _ => Err(err(
                "D3030",
                format!("Unable to cast value to a number: {}", crate::error::quote(s)),
            )),
        },
        other => Err(err(
            "D3030",
            format!(
                "Unable to cast value to a number: {}",
                string(other, false).unwrap_or_default()
            ),
        )),
    }
}

/// `btoa`/`atob` over Latin-1, as jsonata does.
pub fn base64encode(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    let bytes: Vec<u8> = s.chars().map(|c| (c as u32 & 0xFF) as u8).collect();
    use base64::Engine as _;
    Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(&bytes)))
}

pub fn base64decode(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim_end_matches('=')))
        .unwrap_or_default();
    Ok(Value::string(bytes.iter().map(|b| char::from(*b)).collect::<String>()))
}

fn url_encode(s: &str, keep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c) || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn url_decode(s: &str, reserved: &str, func: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let malformed = || {
        err(
            "D3140",
            format!("Malformed URL passed to ${func}(): {}", crate::error::quote(s)),
        )
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = s.get(i + 1..i + 3).ok_or_else(malformed)?;
        let b = u8::from_str_radix(hex, 16).map_err(|_| malformed())?;
        if b < 0x80 && reserved.contains(char::from(b)) {
            out.extend_from_slice(&bytes[i..i + 3]);
        } else {
            out.push(b);
        }
        i += 3;
    }
    String::from_utf8(out).map_err(|_| malformed())
}

pub fn encode_url_component(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(text(args, 0).map_or(Value::Undefined, |s| Value::string(url_encode(s, ""))))
}

pub fn encode_url(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(text(args, 0).map_or(Value::Undefined, |s| Value::string(url_encode(s, ";,/?:@&=+$#"))))
}

pub fn decode_url_component(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(url_decode(s, "", "decodeUrlComponent")?))
}

pub fn decode_url(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(url_decode(s, ";,/?:@&=+$#", "decodeUrl")?))
}

pub fn to_millis(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(s) = text(args, 0) else {
        return Ok(Value::Undefined);
    };
    // A picture without a date takes today's (of the evaluation's instant).
    Ok(crate::datetime::to_millis_at(s, text(args, 1), ev.now_ms)?.map_or(Value::Undefined, Value::Number))
}

pub fn from_millis(_: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    let Some(n) = num(args, 0) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(crate::datetime::from_millis(
        n,
        text(args, 1),
        text(args, 2),
    )?))
}

pub fn now(ev: &mut Evaluator<'_>, args: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(Value::string(crate::datetime::from_millis(
        ev.now_ms,
        text(args, 0),
        text(args, 1),
    )?))
}

pub fn millis(ev: &mut Evaluator<'_>, _: Args<'_>, _: &Value, _: &Env) -> Result<Value> {
    Ok(Value::Number(ev.now_ms))
}
