//! JSONata's standard library: each function with the signature jsonata-js
//! 2.0.6 declares for it (arguments are checked and completed against it
//! before the function runs), and the helpers the evaluator shares with it
//! (`$string`'s rendering, regex matching).

mod aws;
mod collections;
pub use collections::deep_clone;
mod strings;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::eval::Native;
use crate::eval::{Env, Evaluator};
use crate::regex::Pattern;
use crate::signature::Signature;
use crate::value::{Func, Object, Value};

pub type Impl = fn(&mut Evaluator<'_>, &[Value], &Value, &Env) -> Result<Value>;

pub struct Builtin {
    pub name: &'static str,
    signature: &'static str,
    pub f: Impl,
}

macro_rules! builtins {
    ($($name:literal $sig:literal => $f:path),* $(,)?) => {
        &[$(Builtin { name: $name, signature: $sig, f: $f }),*]
    };
}

static BUILTINS: &[Builtin] = builtins![
    "sum" "<a<n>:n>" => collections::sum,
    "count" "<a:n>" => collections::count,
    "max" "<a<n>:n>" => collections::max,
    "min" "<a<n>:n>" => collections::min,
    "average" "<a<n>:n>" => collections::average,
    "string" "<x-b?:s>" => strings::string_fn,
    "substring" "<s-nn?:s>" => strings::substring,
    "substringBefore" "<s-s:s>" => strings::substring_before,
    "substringAfter" "<s-s:s>" => strings::substring_after,
    "lowercase" "<s-:s>" => strings::lowercase,
    "uppercase" "<s-:s>" => strings::uppercase,
    "length" "<s-:n>" => strings::length,
    "trim" "<s-:s>" => strings::trim,
    "pad" "<s-ns?:s>" => strings::pad,
    "match" "<s-f<s:o>n?:a<o>>" => strings::match_fn,
    "contains" "<s-(sf):b>" => strings::contains,
    "replace" "<s-(sf)(sf)n?:s>" => strings::replace,
    "split" "<s-(sf)n?:a<s>>" => strings::split,
    "join" "<a<s>s?:s>" => strings::join,
    "formatNumber" "<n-so?:s>" => strings::format_number,
    "formatBase" "<n-n?:s>" => strings::format_base,
    "formatInteger" "<n-s:s>" => strings::format_integer,
    "parseInteger" "<s-s:n>" => strings::parse_integer,
    "number" "<(nsb)-:n>" => strings::number,
    "floor" "<n-:n>" => collections::floor,
    "ceil" "<n-:n>" => collections::ceil,
    "round" "<n-n?:n>" => collections::round,
    "abs" "<n-:n>" => collections::abs,
    "sqrt" "<n-:n>" => collections::sqrt,
    "power" "<n-n:n>" => collections::power,
    "random" "<:n>" => collections::random,
    "boolean" "<x-:b>" => collections::boolean_fn,
    "not" "<x-:b>" => collections::not,
    "map" "<af>" => collections::map,
    "zip" "<a+>" => collections::zip,
    "filter" "<af>" => collections::filter,
    "single" "<af?>" => collections::single,
    "reduce" "<afj?:j>" => collections::reduce,
    "sift" "<o-f?:o>" => collections::sift,
    "keys" "<x-:a<s>>" => collections::keys,
    "lookup" "<x-s:x>" => collections::lookup,
    "append" "<xx:a>" => collections::append_fn,
    "exists" "<x:b>" => collections::exists,
    "spread" "<x-:a<o>>" => collections::spread,
    "merge" "<a<o>:o>" => collections::merge,
    "reverse" "<a:a>" => collections::reverse,
    "each" "<o-f:a>" => collections::each,
    "error" "<s?:x>" => collections::error,
    "assert" "<bs?:x>" => collections::assert,
    "type" "<x:s>" => collections::type_fn,
    "sort" "<af?:a>" => collections::sort,
    "shuffle" "<a:a>" => collections::shuffle,
    "distinct" "<x:x>" => collections::distinct,
    "base64encode" "<s-:s>" => strings::base64encode,
    "base64decode" "<s-:s>" => strings::base64decode,
    "encodeUrlComponent" "<s-:s>" => strings::encode_url_component,
    "encodeUrl" "<s-:s>" => strings::encode_url,
    "decodeUrlComponent" "<s-:s>" => strings::decode_url_component,
    "decodeUrl" "<s-:s>" => strings::decode_url,
    "toMillis" "<s-s?:n>" => strings::to_millis,
    "fromMillis" "<n-s?s?:s>" => strings::from_millis,
    "now" "<s?s?:s>" => strings::now,
    "millis" "<:n>" => strings::millis,
    "clone" "<(oa)-:o>" => collections::clone,
];

/// AWS Step Functions' additions, bound when the evaluation asks for them;
/// its `$random` takes a seed.
static AWS: &[Builtin] = builtins![
    "partition" "<xn:a>" => aws::partition,
    "range" "<nnn?:a>" => aws::range,
    "hash" "<ss?:s>" => aws::hash,
    "random" "<n?:n>" => aws::random,
    "uuid" "<:s>" => aws::uuid,
    "parse" "<s:x>" => aws::parse,
];

fn aws_signatures() -> &'static [Signature] {
    static SIGS: OnceLock<Vec<Signature>> = OnceLock::new();
    SIGS.get_or_init(|| parse_all(AWS))
}

/// The signatures of a table of functions: constants of this crate, so a
/// bad one is a bug caught by every test.
fn parse_all(table: &[Builtin]) -> Vec<Signature> {
    table
        .iter()
        .map(|b| Signature::parse(b.signature).unwrap_or_else(|e| panic!("builtin {} signature: {e}", b.name)))
        .collect()
}

/// The AWS function of that name.
pub fn aws_builtin(name: &str) -> Option<&'static Builtin> {
    AWS.iter().find(|b| b.name == name)
}

fn index() -> &'static HashMap<&'static str, usize> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX.get_or_init(|| BUILTINS.iter().enumerate().map(|(i, b)| (b.name, i)).collect())
}

fn signatures() -> &'static [Signature] {
    static SIGS: OnceLock<Vec<Signature>> = OnceLock::new();
    SIGS.get_or_init(|| parse_all(BUILTINS))
}

/// The standard function of that name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    index().get(name).map(|i| &BUILTINS[*i])
}

/// How many arguments a higher-order function passes it: jsonata-js counts
/// the declared parameters of its implementation, so `$string` (whose
/// `prettify` has a default) takes one.
pub fn arity_of(b: &Builtin) -> usize {
    match b.name {
        "string" => 1,
        _ => signature_of(b).arity(),
    }
}

pub fn signature_of(b: &Builtin) -> &'static Signature {
    if let Some(i) = AWS.iter().position(|a| std::ptr::eq(a, b)) {
        return &aws_signatures()[i];
    }
    let i = index().get(b.name).copied().unwrap_or(0);
    &signatures()[i]
}

type Args<'a> = &'a [Value];

/// An argument, undefined when not given.
fn arg(args: Args<'_>, i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Undefined)
}

fn num(args: Args<'_>, i: usize) -> Option<f64> {
    match arg(args, i) {
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

/// `$string`'s rendering: strings as they are, everything else as JSON
/// with numbers at 15 significant digits; `prettify` indents by 2.
pub fn string(v: &Value, prettify: bool) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Function(_) => Ok(String::new()),
        Value::Number(n) if !n.is_finite() => {
            Err(err("D3001", "Attempting to invoke string function on Infinity or NaN"))
        }
        Value::Array(a) if a.has(crate::value::OUTER_WRAPPER) => {
            string(&a.items.first().cloned().unwrap_or_default(), prettify)
        }
        other => {
            let mut out = String::new();
            crate::json::write(&mut out, other, prettify.then_some(2), true, 0)?;
            Ok(out)
        }
    }
}

/// A value in a message as jsonata-js shows it (`JSON.stringify`).
pub fn json_of(v: &Value) -> String {
    let mut out = String::new();
    match crate::json::write(&mut out, v, None, false, 0) {
        Ok(()) => out,
        Err(_) => String::new(),
    }
}

/// Every match of a regex in `text` as JSONata's matcher reports them:
/// after a first match, one that is empty fails (D1004) since it would
/// never advance. At most `limit`.
pub fn regex_matches(p: &Pattern, text: &str, limit: Option<usize>) -> Result<Vec<crate::regex::Found>> {
    let mut out: Vec<crate::regex::Found> = Vec::new();
    let Some(first) = p.find_at(text, 0) else {
        return Ok(out);
    };
    let mut last_end = first.end;
    out.push(first);
    loop {
        if limit.is_some_and(|l| out.len() >= l) || last_end >= text.len() {
            break;
        }
        let Some(next) = p.find_at(text, last_end) else { break };
        if next.start == next.end {
            return Err(err("D1004", "Regular expression matches zero length string"));
        }
        last_end = next.end;
        out.push(next);
    }
    Ok(out)
}

fn char_index(text: &str, byte: usize) -> f64 {
    text[..byte.min(text.len())].chars().count() as f64
}

/// A match object: `match`, `start`, `end`, `groups` (and `next`).
pub fn match_object(text: &str, f: &crate::regex::Found) -> Object {
    let mut o = Object::new();
    o.insert(Rc::from("match"), Value::string(&text[f.start..f.end]));
    o.insert(Rc::from("start"), Value::Number(char_index(text, f.start)));
    o.insert(Rc::from("end"), Value::Number(char_index(text, f.end)));
    o.insert(
        Rc::from("groups"),
        Value::array(
            f.groups
                .iter()
                .map(|g| match g {
                    Some((s, e)) => Value::string(&text[*s..*e]),
                    None => Value::Undefined,
                })
                .collect(),
        ),
    );
    o
}

/// A regex called as a function: its first match at or after character
/// `from`, with a `next` function for the following one.
pub fn regex_match(p: &Rc<Pattern>, text: &str, from: usize) -> Value {
    let byte = text.char_indices().nth(from).map_or(text.len(), |(b, _)| b);
    let Some(found) = p.find_at(text, byte) else {
        return Value::Undefined;
    };
    let mut o = match_object(text, &found);
    let (p2, text2, end) = (Rc::clone(p), text.to_owned(), found.end);
    o.insert(
        Rc::from("next"),
        Value::Function(Rc::new(Func::Native(Native {
            arity: 0,
            chained: 0,
            signature: None,
            f: Box::new(move |_, _| {
                if end >= text2.len() {
                    return Ok(Value::Undefined);
                }
                let from = text2[..end].chars().count();
                let next = regex_match(&p2, &text2, from);
                if let Value::Object(o) = &next
                    && matches!(o.get("match"), Some(Value::String(s)) if s.is_empty())
                {
                    return Err(err("D1004", "Regular expression matches zero length string"));
                }
                Ok(next)
            }),
        }))),
    );
    Value::object(o)
}
