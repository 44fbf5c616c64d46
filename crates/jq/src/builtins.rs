//! The builtins this subset supports: resolving `name/arity` at parse time, and the
//! ones that compute a single value from their input and already-evaluated arguments.
//! Builtins that take filters as arguments (`map(f)`, `select(f)`, `limit(n; f)`...) or
//! produce several outputs (`range`, `empty`, `..`) are evaluated in [`crate::eval`].

use std::cmp::Ordering;
use std::sync::Arc;

use crate::budget::Budget;
use crate::error::Limit;
use crate::eval::{Ctx, Exc, fail};
use crate::limits::{MAX_ARRAY_LEN, MAX_STRING_BYTES};
use crate::ops;
use crate::time;
use crate::value::{Obj, Val, compare, describe, dump, equal, from_json, to_text};

/// A type selector: `values`, `nulls`, `numbers`...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeFilter {
    Values,
    Nulls,
    Booleans,
    Numbers,
    Strings,
    Arrays,
    Objects,
    Iterables,
    Scalars,
}

impl TypeFilter {
    pub(crate) fn accepts(self, v: &Val) -> bool {
        match self {
            TypeFilter::Values => !matches!(v, Val::Null),
            TypeFilter::Nulls => matches!(v, Val::Null),
            TypeFilter::Booleans => matches!(v, Val::Bool(_)),
            TypeFilter::Numbers => matches!(v, Val::Num(_)),
            TypeFilter::Strings => matches!(v, Val::Str(_)),
            TypeFilter::Arrays => matches!(v, Val::Arr(_)),
            TypeFilter::Objects => matches!(v, Val::Obj(_)),
            TypeFilter::Iterables => matches!(v, Val::Arr(_) | Val::Obj(_)),
            TypeFilter::Scalars => !matches!(v, Val::Arr(_) | Val::Obj(_)),
        }
    }
}

/// One-argument math functions on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Math {
    Floor,
    Ceil,
    Round,
    Fabs,
    Sqrt,
    Trunc,
    Log,
    Log2,
    Log10,
    Exp,
    Exp2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    // Evaluated in `eval`: generators and builtins taking filters.
    Empty,
    Error0,
    Error1,
    Select,
    Map,
    RecurseAll,
    Range1,
    Range2,
    Range3,
    Limit,
    FirstOf,
    LastOf,
    SortBy,
    MinBy,
    MaxBy,
    AnyOf,
    AllOf,
    AnyGen,
    AllGen,
    WithEntries,
    Pow,
    Filter(TypeFilter),
    // Single-valued, evaluated here by `call`.
    Not,
    Length,
    Utf8ByteLength,
    Keys,
    KeysUnsorted,
    Has,
    In,
    Contains,
    Inside,
    Type,
    ToString,
    ToNumber,
    ToJson,
    FromJson,
    AsciiDowncase,
    AsciiUpcase,
    Explode,
    Implode,
    Ltrimstr,
    Rtrimstr,
    Startswith,
    Endswith,
    Split,
    Join,
    Math(Math),
    Infinite,
    Nan,
    IsInfinite,
    IsNan,
    IsNormal,
    Min,
    Max,
    Add,
    Any,
    All,
    Flatten,
    FlattenDepth,
    Sort,
    Unique,
    Reverse,
    ToEntries,
    FromEntries,
    First,
    Last,
    Nth,
    GetPath,
    Now,
    Mktime,
    Gmtime,
    Strftime,
    Strptime,
    Todate,
    Fromdate,
}

impl Builtin {
    /// Resolves a call by name and argument count.
    pub(crate) fn lookup(name: &str, arity: usize) -> Option<Builtin> {
        use Builtin as B;
        let math = |m| Some(B::Math(m));
        let filter = |f| Some(B::Filter(f));
        match (name, arity) {
            ("empty", 0) => Some(B::Empty),
            ("error", 0) => Some(B::Error0),
            ("error", 1) => Some(B::Error1),
            ("not", 0) => Some(B::Not),
            ("select", 1) => Some(B::Select),
            ("map", 1) => Some(B::Map),
            ("recurse", 0) => Some(B::RecurseAll),
            ("range", 1) => Some(B::Range1),
            ("range", 2) => Some(B::Range2),
            ("range", 3) => Some(B::Range3),
            ("limit", 2) => Some(B::Limit),
            ("first", 1) => Some(B::FirstOf),
            ("last", 1) => Some(B::LastOf),
            ("sort_by", 1) => Some(B::SortBy),
            ("min_by", 1) => Some(B::MinBy),
            ("max_by", 1) => Some(B::MaxBy),
            ("any", 1) => Some(B::AnyOf),
            ("all", 1) => Some(B::AllOf),
            ("any", 2) => Some(B::AnyGen),
            ("all", 2) => Some(B::AllGen),
            ("with_entries", 1) => Some(B::WithEntries),
            ("pow", 2) => Some(B::Pow),
            ("values", 0) => filter(TypeFilter::Values),
            ("nulls", 0) => filter(TypeFilter::Nulls),
            ("booleans", 0) => filter(TypeFilter::Booleans),
            ("numbers", 0) => filter(TypeFilter::Numbers),
            ("strings", 0) => filter(TypeFilter::Strings),
            ("arrays", 0) => filter(TypeFilter::Arrays),
            ("objects", 0) => filter(TypeFilter::Objects),
            ("iterables", 0) => filter(TypeFilter::Iterables),
            ("scalars", 0) => filter(TypeFilter::Scalars),
            ("length", 0) => Some(B::Length),
            ("utf8bytelength", 0) => Some(B::Utf8ByteLength),
            ("keys", 0) => Some(B::Keys),
            ("keys_unsorted", 0) => Some(B::KeysUnsorted),
            ("has", 1) => Some(B::Has),
            ("in", 1) => Some(B::In),
            ("contains", 1) => Some(B::Contains),
            ("inside", 1) => Some(B::Inside),
            ("type", 0) => Some(B::Type),
            ("tostring", 0) => Some(B::ToString),
            ("tonumber", 0) => Some(B::ToNumber),
            ("tojson", 0) => Some(B::ToJson),
            ("fromjson", 0) => Some(B::FromJson),
            ("ascii_downcase", 0) => Some(B::AsciiDowncase),
            ("ascii_upcase", 0) => Some(B::AsciiUpcase),
            ("explode", 0) => Some(B::Explode),
            ("implode", 0) => Some(B::Implode),
            ("ltrimstr", 1) => Some(B::Ltrimstr),
            ("rtrimstr", 1) => Some(B::Rtrimstr),
            ("startswith", 1) => Some(B::Startswith),
            ("endswith", 1) => Some(B::Endswith),
            ("split", 1) => Some(B::Split),
            ("join", 1) => Some(B::Join),
            ("floor", 0) => math(Math::Floor),
            ("ceil", 0) => math(Math::Ceil),
            ("round", 0) => math(Math::Round),
            ("fabs", 0) => math(Math::Fabs),
            ("sqrt", 0) => math(Math::Sqrt),
            ("trunc", 0) => math(Math::Trunc),
            ("log", 0) => math(Math::Log),
            ("log2", 0) => math(Math::Log2),
            ("log10", 0) => math(Math::Log10),
            ("exp", 0) => math(Math::Exp),
            ("exp2", 0) => math(Math::Exp2),
            ("infinite", 0) => Some(B::Infinite),
            ("nan", 0) => Some(B::Nan),
            ("isinfinite", 0) => Some(B::IsInfinite),
            ("isnan", 0) => Some(B::IsNan),
            ("isnormal", 0) => Some(B::IsNormal),
            ("min", 0) => Some(B::Min),
            ("max", 0) => Some(B::Max),
            ("add", 0) => Some(B::Add),
            ("any", 0) => Some(B::Any),
            ("all", 0) => Some(B::All),
            ("flatten", 0) => Some(B::Flatten),
            ("flatten", 1) => Some(B::FlattenDepth),
            ("sort", 0) => Some(B::Sort),
            ("unique", 0) => Some(B::Unique),
            ("reverse", 0) => Some(B::Reverse),
            ("to_entries", 0) => Some(B::ToEntries),
            ("from_entries", 0) => Some(B::FromEntries),
            ("first", 0) => Some(B::First),
            ("last", 0) => Some(B::Last),
            ("nth", 1) => Some(B::Nth),
            ("getpath", 1) => Some(B::GetPath),
            ("now", 0) => Some(B::Now),
            ("mktime", 0) => Some(B::Mktime),
            // The emulator's clock is UTC, so local time is UTC time.
            ("gmtime" | "localtime", 0) => Some(B::Gmtime),
            ("strftime" | "strflocaltime", 1) => Some(B::Strftime),
            ("strptime", 1) => Some(B::Strptime),
            ("todate" | "todateiso8601", 0) => Some(B::Todate),
            ("fromdate" | "fromdateiso8601", 0) => Some(B::Fromdate),
            _ => None,
        }
    }

    /// How many levels deeper than its input and arguments the values this builtin
    /// builds can be (see [`crate::ast::Expr::new`]): `to_entries` wraps each value
    /// in an object in an array, the `_by` builtins wrap each key in an array.
    pub(crate) fn growth(self) -> usize {
        match self {
            Builtin::ToEntries | Builtin::WithEntries => 2,
            Builtin::SortBy | Builtin::MinBy | Builtin::MaxBy => 1,
            _ => 0,
        }
    }
}

/// The parse error for a call that [`Builtin::lookup`] does not know: jq 1.6 builtins
/// outside the subset say why they are left out, other names are "not defined" as jq
/// says of them.
pub(crate) fn unknown_call_message(name: &str, arity: usize) -> String {
    const REGEX: &[&str] = &["test", "match", "capture", "scan", "splits", "sub", "gsub"];
    const IO: &[&str] = &[
        "input",
        "inputs",
        "debug",
        "stderr",
        "input_filename",
        "input_line_number",
        "halt",
        "halt_error",
        "env",
        "builtins",
        "get_search_list",
        "get_prog_origin",
        "get_jq_origin",
    ];
    const PATHS: &[&str] = &[
        "path",
        "paths",
        "leaf_paths",
        "setpath",
        "delpaths",
        "del",
        "map_values",
        "tostream",
        "fromstream",
        "truncate_stream",
        "walk",
    ];
    const LOOPS: &[&str] = &["recurse_down", "while", "until", "repeat"];
    const OTHER: &[&str] = &[
        "group_by",
        "unique_by",
        "transpose",
        "indices",
        "index",
        "rindex",
        "combinations",
        "isvalid",
        "isempty",
        "IN",
        "INDEX",
        "dateadd",
        "datesub",
        "date",
        "ascii",
        "significand",
        "drem",
        "ldexp",
        "scalb",
        "scalbln",
        "nearbyint",
        "rint",
        "logb",
        "gamma",
        "lgamma",
        "tgamma",
        "lgamma_r",
        "frexp",
        "modf",
        "cbrt",
        "exp10",
        "expm1",
        "log1p",
        "pow10",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atanh",
        "atan2",
        "cos",
        "cosh",
        "sin",
        "sinh",
        "tan",
        "tanh",
        "j0",
        "j1",
        "y0",
        "y1",
        "fmin",
        "fmax",
        "fmod",
        "fma",
        "copysign",
        "hypot",
        "nexttoward",
        "nextafter",
    ];
    let call = format!("{name}/{arity}");
    let supported: Vec<String> = (0..=3)
        .filter(|n| Builtin::lookup(name, *n).is_some())
        .map(|n| format!("{name}/{n}"))
        .collect();
    if REGEX.contains(&name) || (name == "split" && arity == 2) {
        format!("{call} is not supported: regular expressions are not supported")
    } else if name == "recurse" {
        format!("{call} is not supported: only `..` and `recurse/0` are (no user-defined recursion)")
    } else if !supported.is_empty() {
        format!("{call} is not defined (this subset has {})", supported.join(", "))
    } else if IO.contains(&name) {
        format!("{call} is not supported: input, output and environment builtins are not supported")
    } else if PATHS.contains(&name) {
        format!("{call} is not supported: path expressions and streaming are not supported")
    } else if LOOPS.contains(&name) {
        format!("{call} is not supported: loops are not supported")
    } else if OTHER.contains(&name) {
        format!("{call} is not supported: it is not part of this jq subset")
    } else {
        format!("{call} is not defined")
    }
}

fn number_required(v: &Val) -> Exc {
    fail(format!("{} number required", describe(v)))
}

fn num(v: &Val) -> Result<f64, Exc> {
    match v {
        Val::Num(x) => Ok(*x),
        other => Err(number_required(other)),
    }
}

fn check_string_len(len: usize) -> Result<(), Exc> {
    if len > MAX_STRING_BYTES {
        Err(Limit::StringLength.into())
    } else {
        Ok(())
    }
}

/// Applies a single-valued builtin to its input and evaluated arguments.
pub(crate) fn call(builtin: Builtin, input: &Val, args: &[Val], cx: &Ctx) -> Result<Val, Exc> {
    let budget = &cx.budget;
    let arg = |i: usize| {
        args.get(i)
            .ok_or_else(|| fail("internal error: missing builtin argument"))
    };
    match builtin {
        Builtin::Not => Ok(Val::Bool(!input.truthy())),
        Builtin::Length => {
            if let Val::Str(text) = input {
                budget.charge(Budget::bytes_cost(text.len()))?;
            }
            length(input)
        }
        Builtin::Utf8ByteLength => match input {
            Val::Str(s) => Ok(Val::Num(s.len() as f64)),
            other => Err(fail(format!("{} only strings have UTF-8 byte length", describe(other)))),
        },
        Builtin::Keys | Builtin::KeysUnsorted => keys(input, builtin == Builtin::Keys, budget),
        Builtin::Has => has(input, arg(0)?),
        Builtin::In => has(arg(0)?, input),
        Builtin::Contains => Ok(Val::Bool(contains(input, arg(0)?, budget)?)),
        Builtin::Inside => Ok(Val::Bool(contains(arg(0)?, input, budget)?)),
        Builtin::Type => Ok(Val::str(input.kind())),
        Builtin::ToString => Ok(Val::Str(to_text(input, budget)?)),
        Builtin::ToNumber => {
            if let Val::Str(text) = input {
                budget.charge(Budget::bytes_cost(text.len()))?;
            }
            to_number(input)
        }
        Builtin::ToJson => Ok(Val::string(dump(input, budget)?)),
        Builtin::FromJson => from_json_text(input, budget),
        Builtin::AsciiDowncase | Builtin::AsciiUpcase => match input {
            Val::Str(s) => {
                budget.charge(Budget::bytes_cost(s.len()))?;
                Ok(Val::string(if builtin == Builtin::AsciiDowncase {
                    s.to_ascii_lowercase()
                } else {
                    s.to_ascii_uppercase()
                }))
            }
            _ => Err(fail("explode input must be a string")),
        },
        Builtin::Explode => match input {
            Val::Str(s) => {
                budget.charge(s.len() as u64 + 1)?;
                Ok(Val::array(s.chars().map(|c| Val::Num(f64::from(c as u32))).collect()))
            }
            _ => Err(fail("explode input must be a string")),
        },
        Builtin::Implode => implode(input, budget),
        Builtin::Ltrimstr | Builtin::Rtrimstr => {
            let (Val::Str(s), Val::Str(affix)) = (input, arg(0)?) else {
                return Ok(input.clone());
            };
            budget.charge(Budget::bytes_cost(affix.len()))?;
            let trimmed = if builtin == Builtin::Ltrimstr {
                s.strip_prefix(&**affix)
            } else {
                s.strip_suffix(&**affix)
            };
            match trimmed {
                Some(rest) => {
                    budget.charge(Budget::bytes_cost(rest.len()))?;
                    Ok(Val::str(rest))
                }
                None => Ok(input.clone()),
            }
        }
        Builtin::Startswith | Builtin::Endswith => {
            let name = if builtin == Builtin::Startswith {
                "startswith"
            } else {
                "endswith"
            };
            match (input, arg(0)?) {
                (Val::Str(s), Val::Str(affix)) => {
                    budget.charge(Budget::bytes_cost(affix.len()))?;
                    Ok(Val::Bool(if builtin == Builtin::Startswith {
                        s.starts_with(&**affix)
                    } else {
                        s.ends_with(&**affix)
                    }))
                }
                _ => Err(fail(format!("{name}() requires string inputs"))),
            }
        }
        Builtin::Split => match (input, arg(0)?) {
            (Val::Str(s), Val::Str(sep)) => ops::split(s, sep, budget),
            _ => Err(fail("split input and separator must be strings")),
        },
        Builtin::Join => join(input, arg(0)?, budget),
        Builtin::Math(m) => {
            let x = num(input)?;
            Ok(Val::Num(match m {
                Math::Floor => x.floor(),
                Math::Ceil => x.ceil(),
                Math::Round => x.round(),
                Math::Fabs => x.abs(),
                Math::Sqrt => x.sqrt(),
                Math::Trunc => x.trunc(),
                Math::Log => x.ln(),
                Math::Log2 => x.log2(),
                Math::Log10 => x.log10(),
                Math::Exp => x.exp(),
                Math::Exp2 => x.exp2(),
            }))
        }
        Builtin::Pow => Ok(Val::Num(num(arg(0)?)?.powf(num(arg(1)?)?))),
        Builtin::Infinite => Ok(Val::Num(f64::INFINITY)),
        Builtin::Nan => Ok(Val::Num(f64::NAN)),
        // jq 1.6 defines these as `type == "number" and ...`: false for other types.
        Builtin::IsInfinite => Ok(Val::Bool(matches!(input, Val::Num(x) if x.is_infinite()))),
        Builtin::IsNan => Ok(Val::Bool(matches!(input, Val::Num(x) if x.is_nan()))),
        Builtin::IsNormal => Ok(Val::Bool(matches!(input, Val::Num(x) if x.is_normal()))),
        Builtin::Min | Builtin::Max => min_max(input, builtin == Builtin::Min, budget),
        Builtin::Add => add_all(input, budget),
        Builtin::Any | Builtin::All => {
            let all = builtin == Builtin::All;
            let mut acc = all;
            for item in iterate(input, budget)? {
                acc = if all {
                    acc && item.truthy()
                } else {
                    acc || item.truthy()
                };
            }
            Ok(Val::Bool(acc))
        }
        Builtin::Flatten => flatten_all(input, -1.0, budget),
        Builtin::FlattenDepth => {
            let depth = num(arg(0)?)?;
            if depth < 0.0 {
                return Err(fail("flatten depth must not be negative"));
            }
            flatten_all(input, depth, budget)
        }
        Builtin::Sort => match input {
            Val::Arr(items) => Ok(Val::array(sort_values(items, budget)?)),
            other => Err(not_sortable(other)),
        },
        Builtin::Unique => unique(input, budget),
        Builtin::Reverse => {
            if let Val::Arr(items) = input {
                budget.charge(items.len() as u64 + 1)?;
            }
            reverse(input)
        }
        Builtin::ToEntries => to_entries(input, budget),
        Builtin::FromEntries => from_entries(input, budget),
        Builtin::First => index(input, &Val::Num(0.0), budget),
        Builtin::Last => index(input, &Val::Num(-1.0), budget),
        Builtin::Nth => index(input, arg(0)?, budget),
        Builtin::GetPath => getpath(input, arg(0)?, budget),
        Builtin::Now => Ok(Val::Num(cx.now)),
        Builtin::Mktime => time::mktime(input).map(Val::Num).map_err(fail),
        Builtin::Gmtime => match input {
            Val::Num(t) => time::gmtime(*t).map_err(fail),
            _ => Err(fail("gmtime() requires a number")),
        },
        Builtin::Strftime => strftime(input, arg(0)?, budget),
        Builtin::Strptime => {
            let format = arg(0)?;
            if let (Val::Str(text), Val::Str(fmt)) = (input, format) {
                budget.charge(Budget::bytes_cost(text.len() + fmt.len()))?;
            }
            time::strptime(input, format).map_err(fail)
        }
        Builtin::Todate => strftime(input, &Val::str(time::ISO8601), budget),
        Builtin::Fromdate => {
            if let Val::Str(text) = input {
                budget.charge(Budget::bytes_cost(text.len()))?;
            }
            let tm = time::strptime(input, &Val::str(time::ISO8601)).map_err(fail)?;
            time::mktime(&tm).map(Val::Num).map_err(fail)
        }
        Builtin::Empty
        | Builtin::Error0
        | Builtin::Error1
        | Builtin::Select
        | Builtin::Map
        | Builtin::RecurseAll
        | Builtin::Range1
        | Builtin::Range2
        | Builtin::Range3
        | Builtin::Limit
        | Builtin::FirstOf
        | Builtin::LastOf
        | Builtin::SortBy
        | Builtin::MinBy
        | Builtin::MaxBy
        | Builtin::AnyOf
        | Builtin::AllOf
        | Builtin::AnyGen
        | Builtin::AllGen
        | Builtin::WithEntries
        | Builtin::Filter(_) => Err(fail("internal error: builtin evaluated out of place")),
    }
}

fn strftime(input: &Val, format: &Val, budget: &Budget) -> Result<Val, Exc> {
    let text = time::strftime(input, format).map_err(fail)?;
    check_string_len(text.len())?;
    budget.charge(Budget::bytes_cost(text.len()))?;
    Ok(Val::string(text))
}

fn length(v: &Val) -> Result<Val, Exc> {
    Ok(Val::Num(match v {
        Val::Null => 0.0,
        Val::Num(x) => x.abs(),
        Val::Str(s) => s.chars().count() as f64,
        Val::Arr(items) => items.len() as f64,
        Val::Obj(obj) => obj.len() as f64,
        Val::Bool(_) => return Err(fail(format!("{} has no length", describe(v)))),
    }))
}

fn keys(v: &Val, sorted: bool, budget: &Budget) -> Result<Val, Exc> {
    match v {
        Val::Obj(obj) => {
            budget.charge(obj.len() as u64 + 1)?;
            let keys: Vec<Val> = if sorted {
                obj.sorted_keys().into_iter().map(Val::Str).collect()
            } else {
                obj.iter().map(|(k, _)| Val::Str(k.clone())).collect()
            };
            Ok(Val::array(keys))
        }
        Val::Arr(items) => {
            budget.charge(items.len() as u64 + 1)?;
            Ok(Val::array((0..items.len()).map(|i| Val::Num(i as f64)).collect()))
        }
        other => Err(fail(format!("{} has no keys", describe(other)))),
    }
}

fn has(container: &Val, key: &Val) -> Result<Val, Exc> {
    match (container, key) {
        (Val::Null, _) => Ok(Val::Bool(false)),
        (Val::Obj(obj), Val::Str(k)) => Ok(Val::Bool(obj.get(k).is_some())),
        (Val::Arr(items), Val::Num(i)) => Ok(Val::Bool(*i >= 0.0 && *i < items.len() as f64)),
        _ => Err(fail(format!(
            "Cannot check whether {} has a {} key",
            container.kind(),
            key.kind()
        ))),
    }
}

/// jq's kinds for `contains`, where `true` and `false` are different kinds.
fn contains_kind(v: &Val) -> u8 {
    match v {
        Val::Null => 0,
        Val::Bool(false) => 1,
        Val::Bool(true) => 2,
        Val::Num(_) => 3,
        Val::Str(_) => 4,
        Val::Arr(_) => 5,
        Val::Obj(_) => 6,
    }
}

/// jq's `contains`: both sides must be of the same kind, then substrings, sub-objects,
/// sub-arrays (each element of `b` contained in some element of `a`) or equality;
/// inside arrays and objects a kind mismatch is simply "not contained".
fn contains(a: &Val, b: &Val, budget: &Budget) -> Result<bool, Exc> {
    if contains_kind(a) != contains_kind(b) {
        return Err(fail(format!(
            "{} and {} cannot have their containment checked",
            describe(a),
            describe(b)
        )));
    }
    let found = contained(a, b, budget);
    budget.check()?;
    Ok(found)
}

fn contained(a: &Val, b: &Val, budget: &Budget) -> bool {
    if !budget.tick(1) {
        return false;
    }
    match (a, b) {
        _ if contains_kind(a) != contains_kind(b) => false,
        (Val::Obj(x), Val::Obj(y)) => y
            .iter()
            .all(|(key, want)| x.get(key).is_some_and(|have| contained(have, want, budget))),
        (Val::Arr(x), Val::Arr(y)) => y.iter().all(|want| x.iter().any(|have| contained(have, want, budget))),
        (Val::Str(x), Val::Str(y)) => budget.tick(Budget::bytes_cost(x.len())) && x.contains(&**y),
        _ => equal(a, b, budget),
    }
}

/// `tonumber`: numbers as they are; strings holding a number, as jq's parser reads
/// them (surrounding whitespace allowed, nothing else).
fn to_number(v: &Val) -> Result<Val, Exc> {
    match v {
        Val::Num(_) => Ok(v.clone()),
        Val::Str(s) => {
            let text = s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
            let numeric = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
            match text.parse::<f64>() {
                Ok(x) if numeric => Ok(Val::Num(x)),
                _ => Err(fail(format!("{} cannot be parsed as a number", describe(v)))),
            }
        }
        other => Err(fail(format!("{} cannot be parsed as a number", describe(other)))),
    }
}

fn from_json_text(v: &Val, budget: &Budget) -> Result<Val, Exc> {
    let Val::Str(text) = v else {
        return Err(fail(format!("{} only strings can be parsed", describe(v))));
    };
    budget.charge(Budget::bytes_cost(text.len()))?;
    // serde_json limits nesting to 128 levels, well inside the depth bound.
    let parsed: serde_json::Value =
        serde_json::from_str(text).map_err(|e| fail(format!("{e} (while parsing '{text}')")))?;
    Ok(from_json(&parsed, 0)?)
}

fn implode(v: &Val, budget: &Budget) -> Result<Val, Exc> {
    let Val::Arr(items) = v else {
        return Err(fail("implode input must be an array"));
    };
    budget.charge(items.len() as u64 + 1)?;
    let mut out = String::with_capacity(items.len());
    for item in items.iter() {
        let Val::Num(code) = item else {
            return Err(fail("Unicode codepoints must be numeric"));
        };
        let code = if *code >= 0.0 && *code <= f64::from(u32::MAX) {
            *code as u32
        } else {
            0xFFFD
        };
        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    check_string_len(out.len())?;
    Ok(Val::string(out))
}

/// `join(sep)`, as jq 1.6 defines it: numbers and booleans as JSON text, null as "",
/// strings as they are, and arrays or objects are an error (they cannot be added to a
/// string). Built in one buffer rather than by repeated `+`, which would be quadratic.
fn join(input: &Val, sep: &Val, budget: &Budget) -> Result<Val, Exc> {
    let mut out = String::new();
    for (i, item) in iterate(input, budget)?.into_iter().enumerate() {
        if i > 0 {
            match sep {
                Val::Str(s) => out.push_str(s),
                Val::Null => {}
                other => {
                    return Err(fail(format!(
                        "{} and {} cannot be added",
                        describe(&Val::str(&out)),
                        describe(other)
                    )));
                }
            }
        }
        match &item {
            Val::Null => {}
            Val::Str(s) => out.push_str(s),
            Val::Num(_) | Val::Bool(_) => out.push_str(&dump(&item, budget)?),
            other => {
                return Err(fail(format!(
                    "{} and {} cannot be added",
                    describe(&Val::str(&out)),
                    describe(other)
                )));
            }
        }
        check_string_len(out.len())?;
    }
    budget.charge(Budget::bytes_cost(out.len()))?;
    Ok(Val::string(out))
}

/// `.[]`'s values: array elements or object values, charged per element.
pub(crate) fn iterate(v: &Val, budget: &Budget) -> Result<Vec<Val>, Exc> {
    let len = match v {
        Val::Arr(items) => items.len(),
        Val::Obj(obj) => obj.len(),
        _ => 0,
    };
    budget.charge(len as u64 + 1)?;
    match v {
        Val::Arr(items) => Ok(items.to_vec()),
        Val::Obj(obj) => Ok(obj.values().cloned().collect()),
        other => Err(fail(format!("Cannot iterate over {}", describe(other)))),
    }
}

/// `min`/`max` as jq 1.6 scans: a later element replaces the best so far when smaller
/// (min) or not smaller (max), so ties go to the first minimum and the last maximum.
pub(crate) fn pick_extreme(keys: &[Val], min: bool, budget: &Budget) -> Result<Option<usize>, Exc> {
    let mut best: Option<usize> = None;
    for (i, key) in keys.iter().enumerate() {
        let replace = match best.and_then(|b| keys.get(b)) {
            None => true,
            Some(current) => (compare(key, current, true, budget) == Ordering::Less) == min,
        };
        if replace {
            best = Some(i);
        }
    }
    budget.check()?;
    Ok(best)
}

fn min_max(input: &Val, min: bool, budget: &Budget) -> Result<Val, Exc> {
    let Val::Arr(items) = input else {
        return Err(fail(format!(
            "{} and {} cannot be iterated over",
            describe(input),
            describe(input)
        )));
    };
    Ok(pick_extreme(items, min, budget)?
        .and_then(|i| items.get(i).cloned())
        .unwrap_or(Val::Null))
}

/// `add`: `reduce .[] as $x (null; . + $x)`, with strings gathered in one buffer.
fn add_all(input: &Val, budget: &Budget) -> Result<Val, Exc> {
    let mut acc = Val::Null;
    let mut text: Option<String> = None;
    for item in iterate(input, budget)? {
        match (&mut text, &acc, &item) {
            (Some(buf), _, Val::Str(s)) => {
                buf.push_str(s);
                check_string_len(buf.len())?;
                budget.charge(Budget::bytes_cost(s.len()))?;
            }
            (Some(_), _, Val::Null) => {}
            (None, Val::Str(first), Val::Str(s)) => {
                let mut buf = String::with_capacity(first.len() + s.len());
                buf.push_str(first);
                buf.push_str(s);
                check_string_len(buf.len())?;
                budget.charge(Budget::bytes_cost(buf.len()))?;
                text = Some(buf);
            }
            _ => {
                if let Some(buf) = text.take() {
                    acc = Val::string(buf);
                }
                acc = ops::add(acc, &item, budget)?;
            }
        }
    }
    Ok(match text {
        Some(buf) => Val::string(buf),
        None => acc,
    })
}

fn flatten_into(v: &Val, depth: f64, out: &mut Vec<Val>, budget: &Budget) -> Result<(), Exc> {
    for item in iterate(v, budget)? {
        budget.charge(1)?;
        match &item {
            Val::Arr(_) if depth != 0.0 => flatten_into(&item, depth - 1.0, out, budget)?,
            _ => {
                if out.len() >= MAX_ARRAY_LEN {
                    return Err(Limit::ArrayLength.into());
                }
                out.push(item);
            }
        }
    }
    Ok(())
}

fn flatten_all(v: &Val, depth: f64, budget: &Budget) -> Result<Val, Exc> {
    let mut out = Vec::new();
    flatten_into(v, depth, &mut out, budget)?;
    Ok(Val::array(out))
}

fn not_sortable(v: &Val) -> Exc {
    fail(format!("{} cannot be sorted, as it is not an array", describe(v)))
}

/// Sorts by jq's order (stable, NaN first), charging for the comparisons.
pub(crate) fn sort_values(items: &[Val], budget: &Budget) -> Result<Vec<Val>, Exc> {
    let mut sorted = items.to_vec();
    sorted.sort_by(|a, b| compare(a, b, false, budget));
    budget.check()?;
    Ok(sorted)
}

/// Sorts `items` by `keys` (one key per item), stably.
pub(crate) fn sort_by_keys(items: &[Val], keys: &[Val], budget: &Budget) -> Result<Vec<Val>, Exc> {
    let mut order: Vec<usize> = (0..items.len().min(keys.len())).collect();
    order.sort_by(|&i, &j| match (keys.get(i), keys.get(j)) {
        (Some(a), Some(b)) => compare(a, b, false, budget),
        _ => Ordering::Equal,
    });
    budget.check()?;
    Ok(order.into_iter().filter_map(|i| items.get(i).cloned()).collect())
}

/// `unique`: sorted, keeping one of each run of equal values (NaN equals nothing).
fn unique(input: &Val, budget: &Budget) -> Result<Val, Exc> {
    let items = match input {
        Val::Arr(items) => items,
        Val::Obj(_) => return Err(not_sortable(input)),
        other => return Err(fail(format!("Cannot iterate over {}", describe(other)))),
    };
    let sorted = sort_values(items, budget)?;
    let mut out: Vec<Val> = Vec::with_capacity(sorted.len());
    for item in sorted {
        if out.last().is_some_and(|last| equal(last, &item, budget)) {
            continue;
        }
        out.push(item);
    }
    budget.check()?;
    Ok(Val::array(out))
}

/// jq 1.6's `reverse` is `[.[length - 1 - range(0; length)]]`: arrays reverse, anything
/// of length 0 gives `[]`, and anything else fails to be indexed by a number.
fn reverse(input: &Val) -> Result<Val, Exc> {
    if let Val::Arr(items) = input {
        return Ok(Val::array(items.iter().rev().cloned().collect()));
    }
    match length(input)? {
        Val::Num(0.0) => Ok(Val::array(Vec::new())),
        _ => Err(fail(format!("Cannot index {} with number", input.kind()))),
    }
}

fn to_entries(input: &Val, budget: &Budget) -> Result<Val, Exc> {
    let entry = |key: Val, value: Val| {
        let mut obj = Obj::default();
        obj.insert(Arc::from("key"), key);
        obj.insert(Arc::from("value"), value);
        Val::object(obj)
    };
    match input {
        Val::Obj(obj) => {
            budget.charge(obj.len() as u64 + 1)?;
            Ok(Val::array(
                obj.iter().map(|(k, v)| entry(Val::Str(k.clone()), v.clone())).collect(),
            ))
        }
        Val::Arr(items) => {
            budget.charge(items.len() as u64 + 1)?;
            Ok(Val::array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| entry(Val::Num(i as f64), v.clone()))
                    .collect(),
            ))
        }
        other => Err(fail(format!("{} has no keys", describe(other)))),
    }
}

/// jq 1.6's `from_entries`: the key from `key`, `Key`, `name` or `Name` (the first that
/// is neither null nor false), the value from `value` if present, else `Value`.
pub(crate) fn from_entries(input: &Val, budget: &Budget) -> Result<Val, Exc> {
    let mut obj = Obj::default();
    for entry in iterate(input, budget)? {
        budget.charge(1)?;
        let mut key = Val::Null;
        for name in ["key", "Key", "name", "Name"] {
            key = index(&entry, &Val::str(name), budget)?;
            if key.truthy() {
                break;
            }
        }
        let has_value = matches!(has(&entry, &Val::str("value"))?, Val::Bool(true));
        let value = index(&entry, &Val::str(if has_value { "value" } else { "Value" }), budget)?;
        match key {
            Val::Str(k) => obj.insert(k, value),
            other => return Err(fail(format!("Cannot use {} as object key", describe(&other)))),
        }
    }
    Ok(Val::object(obj))
}

/// `.[k]` for one value and one key, with jq 1.6's rules: null indexes to null,
/// non-integer array indices give null, negative ones count from the end, and an
/// array key finds where that sub-array occurs.
pub(crate) fn index(t: &Val, k: &Val, budget: &Budget) -> Result<Val, Exc> {
    match (t, k) {
        (Val::Obj(obj), Val::Str(key)) => Ok(obj.get(key).cloned().unwrap_or(Val::Null)),
        (Val::Arr(items), Val::Num(n)) => {
            if n.fract() != 0.0 || n.is_nan() {
                return Ok(Val::Null);
            }
            let len = items.len() as f64;
            let i = if *n < 0.0 { n + len } else { *n };
            if i < 0.0 || i >= len {
                return Ok(Val::Null);
            }
            Ok(items.get(i as usize).cloned().unwrap_or(Val::Null))
        }
        (Val::Arr(items), Val::Arr(needle)) => {
            let mut found = Vec::new();
            if !needle.is_empty() && needle.len() <= items.len() {
                for start in 0..=(items.len() - needle.len()) {
                    let window = items.get(start..start + needle.len()).unwrap_or(&[]);
                    if window.iter().zip(needle.iter()).all(|(a, b)| equal(a, b, budget)) {
                        found.push(Val::Num(start as f64));
                    }
                }
            }
            budget.check()?;
            Ok(Val::array(found))
        }
        (Val::Null, Val::Str(_) | Val::Num(_)) => Ok(Val::Null),
        (_, Val::Str(key)) if key.len() < 30 => Err(fail(format!("Cannot index {} with string \"{key}\"", t.kind()))),
        _ => Err(fail(format!("Cannot index {} with {}", t.kind(), k.kind()))),
    }
}

/// `.[from:to]` on an array or string (by code points), jq 1.6's clamping: negative
/// bounds count from the end, the start rounds down and the end rounds up.
pub(crate) fn slice(t: &Val, from: &Val, to: &Val, budget: &Budget) -> Result<Val, Exc> {
    let len = match t {
        Val::Null => return Ok(Val::Null),
        Val::Arr(items) => items.len(),
        Val::Str(s) => s.chars().count(),
        other => return Err(fail(format!("Cannot index {} with object", other.kind()))),
    };
    let bound = |v: &Val, default: usize| -> Result<f64, Exc> {
        match v {
            Val::Null => Ok(default as f64),
            Val::Num(x) if x.is_nan() => Ok(0.0),
            Val::Num(x) => Ok(*x),
            _ => Err(fail("Start and end indices of an array slice must be numbers")),
        }
    };
    let lenf = len as f64;
    let (mut start, mut end) = (bound(from, 0)?, bound(to, len)?);
    if start < 0.0 {
        start += lenf;
    }
    if end < 0.0 {
        end += lenf;
    }
    let start = start.clamp(0.0, lenf).floor();
    let end = end.clamp(start, lenf).ceil().min(lenf);
    let (start, end) = (start as usize, end as usize);
    match t {
        Val::Arr(_) => budget.charge(end.saturating_sub(start) as u64 + 1)?,
        Val::Str(s) => budget.charge(Budget::bytes_cost(s.len()))?,
        _ => {}
    }
    match t {
        Val::Arr(items) => Ok(Val::array(items.get(start..end).unwrap_or(&[]).to_vec())),
        Val::Str(s) => Ok(Val::string(s.chars().skip(start).take(end - start).collect())),
        _ => Ok(Val::Null),
    }
}

/// `getpath(p)`: follows `p` with `.[k]` steps; a null along the way gives null.
fn getpath(input: &Val, path: &Val, budget: &Budget) -> Result<Val, Exc> {
    let steps = match path {
        Val::Null => return Ok(input.clone()),
        Val::Arr(steps) => steps,
        _ => return Err(fail("Path must be specified as an array")),
    };
    let mut current = input.clone();
    for step in steps.iter() {
        if matches!(current, Val::Null) {
            return Ok(Val::Null);
        }
        current = index(&current, step, budget)?;
    }
    Ok(current)
}
