//! Trino's `json_exists`, `json_value` and `json_query` over the SQL/JSON
//! path language (`sql_json_path`). The token rewrite (`tokens::path_call`)
//! hands each call over as `trino_json_*('<clauses>', input, path, ...)`:
//! the clauses joined by `;` (`WITH CONDITIONAL ARRAY WRAPPER`, `OMIT
//! QUOTES`, `EMPTY ARRAY ON ERROR`, `DEFAULT ON EMPTY`, ...), json_value's
//! DEFAULT values for empty and error, and the PASSING variables as name and
//! JSON text pairs.
//!
//! What each does with the path's sequence of items:
//! - `json_exists`: true when it is not empty; a failure (bad input, a
//!   strict-mode error) answers per `ON ERROR`, FALSE by default.
//! - `json_value`: the one scalar item as text (a string without quotes;
//!   JSON null is NULL); no item answers per `ON EMPTY`, more than one or a
//!   non-scalar per `ON ERROR`, NULL by default.
//! - `json_query`: the one item as JSON text, or the items in an array with a
//!   wrapper (`CONDITIONAL` wraps unless the one item is an array or
//!   object); `OMIT QUOTES` gives a scalar string without its quotes.
//!
//! A path is parsed once per batch when it is the same on every row.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanBuilder, StringArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::sql_json_path::{JsonPath, PathError};
use super::udf::{Arg, Fun, Returns, strings, trino_error};

/// Longest path text taken (Trino's paths are a few dozen characters).
const MAX_PATH_BYTES: usize = 64 * 1024;

pub fn udfs() -> Vec<ScalarUDF> {
    const EXISTS: &[Arg] = &[Arg::Str, Arg::Str, Arg::Str, Arg::Str];
    const VALUE: &[Arg] = &[Arg::Str, Arg::Str, Arg::Str, Arg::Str, Arg::Str, Arg::Str];
    vec![
        Fun::new("trino_json_exists", EXISTS, Returns::Fixed(DataType::Boolean), exists)
            .optional(1)
            .variadic()
            .udf(),
        Fun::new("trino_json_value", VALUE, Returns::Fixed(DataType::Utf8), value)
            .optional(1)
            .variadic()
            .udf(),
        Fun::new("trino_json_query", EXISTS, Returns::Fixed(DataType::Utf8), query)
            .optional(1)
            .variadic()
            .udf(),
    ]
}

/// What to answer when there is no item, or when evaluation fails.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Behaviour {
    Null,
    Error,
    Default,
    EmptyArray,
    EmptyObject,
    True,
    False,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Wrapper {
    Without,
    Conditional,
    Unconditional,
}

#[derive(Debug, Clone, Copy)]
struct Clauses {
    on_empty: Behaviour,
    on_error: Behaviour,
    wrapper: Wrapper,
    omit_quotes: bool,
}

fn clauses(text: &str, default_on_error: Behaviour) -> Result<Clauses> {
    let mut c = Clauses {
        on_empty: Behaviour::Null,
        on_error: default_on_error,
        wrapper: Wrapper::Without,
        omit_quotes: false,
    };
    for clause in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let behaviour = |b: &str| match b {
            "NULL" => Ok(Behaviour::Null),
            "ERROR" => Ok(Behaviour::Error),
            "DEFAULT" => Ok(Behaviour::Default),
            "EMPTY ARRAY" => Ok(Behaviour::EmptyArray),
            "EMPTY OBJECT" => Ok(Behaviour::EmptyObject),
            "TRUE" => Ok(Behaviour::True),
            "FALSE" => Ok(Behaviour::False),
            "UNKNOWN" => Ok(Behaviour::Null),
            _ => Err(syntax(clause)),
        };
        if let Some(b) = clause.strip_suffix(" ON EMPTY") {
            c.on_empty = behaviour(b)?;
        } else if let Some(b) = clause.strip_suffix(" ON ERROR") {
            c.on_error = behaviour(b)?;
        } else if clause.starts_with("WITHOUT") && clause.ends_with("WRAPPER") {
            c.wrapper = Wrapper::Without;
        } else if clause.starts_with("WITH ") && clause.ends_with("WRAPPER") {
            c.wrapper = if clause.contains("CONDITIONAL") && !clause.contains("UNCONDITIONAL") {
                Wrapper::Conditional
            } else {
                Wrapper::Unconditional
            };
        } else if clause.starts_with("KEEP QUOTES") {
            c.omit_quotes = false;
        } else if clause.starts_with("OMIT QUOTES") {
            c.omit_quotes = true;
        } else {
            return Err(syntax(clause));
        }
    }
    if c.omit_quotes && c.wrapper != Wrapper::Without {
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            "OMIT QUOTES behavior specified with WITH WRAPPER behavior",
        ));
    }
    Ok(c)
}

fn syntax(clause: &str) -> datafusion::error::DataFusionError {
    trino_error("SYNTAX_ERROR", format!("unexpected clause '{clause}'"))
}

/// The failure a clause's ERROR behaviour raises.
fn path_failure(e: &PathError) -> datafusion::error::DataFusionError {
    trino_error("PATH_EVALUATION_ERROR", format!("path evaluation failed: {e}"))
}

/// One row's path, parsed; the last path seen is kept for the next row.
struct Paths {
    last: Option<(String, Result<JsonPath, PathError>)>,
}

impl Paths {
    fn get(&mut self, text: &str) -> Result<&JsonPath, PathError> {
        if text.len() > MAX_PATH_BYTES {
            return Err(PathError::Limit(format!("a path is at most {MAX_PATH_BYTES} bytes")));
        }
        if self.last.as_ref().is_none_or(|(t, _)| t != text) {
            self.last = Some((text.to_owned(), JsonPath::parse(text)));
        }
        match &self.last {
            Some((_, Ok(p))) => Ok(p),
            Some((_, Err(e))) => Err(e.clone()),
            None => Err(PathError::Syntax("no path".into())),
        }
    }
}

/// One row's sequence of items, or why there is none; `None` for a NULL
/// input or path.
type Row = Option<Result<Vec<Value>, Failure>>;

/// Hands each row's sequence of items to `each` as soon as it is evaluated,
/// so a batch holds one row's items at a time.
fn for_each_row(args: &[ArrayRef], vars_from: usize, mut each: impl FnMut(usize, Row) -> Result<()>) -> Result<()> {
    let (input, path) = (strings(&args[1])?, strings(&args[2])?);
    let passing: Vec<&StringArray> = args[vars_from..].iter().map(strings).collect::<Result<_>>()?;
    let mut paths = Paths { last: None };
    for row in 0..input.len() {
        if input.is_null(row) || path.is_null(row) {
            each(row, None)?;
            continue;
        }
        // A malformed path fails the query whatever ON ERROR says, as Trino's
        // analysis would.
        let p = match paths.get(path.value(row)) {
            Ok(p) => p,
            Err(e) => return Err(trino_error("INVALID_PATH", e)),
        };
        let mut vars = HashMap::new();
        for pair in passing.chunks(2) {
            let [name, value] = pair else { break };
            if name.is_null(row) {
                continue;
            }
            let v = if value.is_null(row) {
                Value::Null
            } else {
                serde_json::from_str(value.value(row)).unwrap_or(Value::Null)
            };
            vars.insert(name.value(row).to_owned(), v);
        }
        let result = match serde_json::from_str::<Value>(input.value(row)) {
            Err(e) => Err(Failure::Input(e.to_string())),
            Ok(json) => p.evaluate(&json, &vars).map_err(Failure::Path),
        };
        each(row, Some(result))?;
    }
    Ok(())
}

enum Failure {
    Input(String),
    Path(PathError),
}

impl Failure {
    fn raise(&self) -> datafusion::error::DataFusionError {
        match self {
            Failure::Input(e) => trino_error("JSON_INPUT_CONVERSION_ERROR", format!("conversion to JSON failed: {e}")),
            Failure::Path(e) => path_failure(e),
        }
    }
}

fn exists(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let opts = strings(&args[0])?;
    let c = clauses(if opts.is_empty() { "" } else { opts.value(0) }, Behaviour::False)?;
    let mut out = BooleanBuilder::new();
    for_each_row(args, 3, |_, r| {
        let v = match r {
            None => None,
            Some(Ok(items)) => Some(!items.is_empty()),
            Some(Err(f)) => match c.on_error {
                Behaviour::True => Some(true),
                Behaviour::False => Some(false),
                Behaviour::Error => return Err(f.raise()),
                _ => None,
            },
        };
        out.append_option(v);
        Ok(())
    })?;
    Ok(Arc::new(out.finish()))
}

/// A scalar item as json_value answers it; `Err` for arrays and objects.
fn scalar_text(v: &Value) -> Result<Option<String>, ()> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Array(_) | Value::Object(_) => Err(()),
    }
}

fn value(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let opts = strings(&args[0])?;
    let c = clauses(if opts.is_empty() { "" } else { opts.value(0) }, Behaviour::Null)?;
    let (on_empty, on_error) = (strings(&args[3])?, strings(&args[4])?);
    let mut out = StringBuilder::new();
    for_each_row(args, 5, |row, r| {
        let answer = |b: Behaviour, defaults: &StringArray, failure: datafusion::error::DataFusionError| match b {
            Behaviour::Error => Err(failure),
            Behaviour::Default if !defaults.is_null(row) => Ok(Some(defaults.value(row).to_owned())),
            _ => Ok(None),
        };
        let v = match r {
            None => None,
            Some(Err(f)) => answer(c.on_error, on_error, f.raise())?,
            Some(Ok(items)) => match items.as_slice() {
                [] => answer(
                    c.on_empty,
                    on_empty,
                    trino_error("JSON_VALUE_RESULT_ERROR", "JSON path found no items"),
                )?,
                [one] => match scalar_text(one) {
                    Ok(text) => text,
                    Err(()) => answer(
                        c.on_error,
                        on_error,
                        trino_error(
                            "JSON_VALUE_RESULT_ERROR",
                            "JSON path found an item that cannot be converted to a SQL value",
                        ),
                    )?,
                },
                _ => answer(
                    c.on_error,
                    on_error,
                    trino_error("JSON_VALUE_RESULT_ERROR", "JSON path found multiple items"),
                )?,
            },
        };
        out.append_option(v);
        Ok(())
    })?;
    Ok(Arc::new(out.finish()))
}

fn query(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let opts = strings(&args[0])?;
    let c = clauses(if opts.is_empty() { "" } else { opts.value(0) }, Behaviour::Null)?;
    let answer = |b: Behaviour, failure: datafusion::error::DataFusionError| match b {
        Behaviour::Error => Err(failure),
        Behaviour::EmptyArray => Ok(Some("[]".to_owned())),
        Behaviour::EmptyObject => Ok(Some("{}".to_owned())),
        _ => Ok(None),
    };
    let mut out = StringBuilder::new();
    for_each_row(args, 3, |_, r| {
        let v = match r {
            None => None,
            Some(Err(f)) => answer(c.on_error, f.raise())?,
            Some(Ok(items)) if items.is_empty() => answer(
                c.on_empty,
                trino_error("JSON_QUERY_RESULT_ERROR", "JSON path found no items"),
            )?,
            Some(Ok(mut items)) => {
                let container = |v: &Value| matches!(v, Value::Array(_) | Value::Object(_));
                let wrap = match c.wrapper {
                    Wrapper::Unconditional => true,
                    Wrapper::Conditional => !(items.len() == 1 && container(&items[0])),
                    Wrapper::Without => false,
                };
                if wrap {
                    Some(Value::Array(items).to_string())
                } else if items.len() > 1 {
                    answer(
                        c.on_error,
                        trino_error(
                            "JSON_QUERY_RESULT_ERROR",
                            "JSON path found multiple items: use an array wrapper",
                        ),
                    )?
                } else {
                    match items.pop() {
                        Some(Value::String(s)) if c.omit_quotes => Some(s),
                        Some(v) => Some(v.to_string()),
                        None => None,
                    }
                }
            }
        };
        out.append_option(v);
        Ok(())
    })?;
    Ok(Arc::new(out.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_read_as_the_rewrite_writes_them() {
        let c = clauses(
            "WITH CONDITIONAL ARRAY WRAPPER;EMPTY ARRAY ON EMPTY;ERROR ON ERROR",
            Behaviour::Null,
        )
        .unwrap();
        assert_eq!(c.wrapper, Wrapper::Conditional);
        assert_eq!(c.on_empty, Behaviour::EmptyArray);
        assert_eq!(c.on_error, Behaviour::Error);
        let c = clauses("WITH UNCONDITIONAL WRAPPER", Behaviour::Null).unwrap();
        assert_eq!(c.wrapper, Wrapper::Unconditional);
        assert!(clauses("OMIT QUOTES ON SCALAR STRING;WITH WRAPPER", Behaviour::Null).is_err());
        assert!(clauses("SOMETIMES ON ERROR", Behaviour::Null).is_err());
    }
}
