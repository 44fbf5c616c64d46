//! DataFusion's errors in Athena's words: `COLUMN_NOT_FOUND: line 1:8:
//! Column 'x' cannot be resolved`, `TABLE_NOT_FOUND: line 1:15: Table
//! 'awsdatacatalog.db.t' does not exist`, `SYNTAX_ERROR: line 1:10: ...`,
//! with the line and column of the offending name in the query text.

use datafusion::arrow::error::ArrowError;
use datafusion::common::SchemaError;
use datafusion::error::DataFusionError;

use crate::execution::AthenaError;

/// Athena's error categories and types (its error catalog).
const USER: i32 = 2;
const SYSTEM: i32 = 1;
const USER_ERROR: i32 = 1000;
const DATA_ERROR: i32 = 1001;
const ENGINE_ERROR: i32 = 200;

fn user(message: String) -> AthenaError {
    AthenaError {
        category: USER,
        error_type: USER_ERROR,
        retryable: false,
        message,
    }
}

/// 1-based line and column of the first whole-word, case-insensitive match of `name`.
fn position(sql: &str, name: &str) -> (usize, usize) {
    let lower = sql.to_lowercase();
    let needle = name.to_lowercase();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle).map(|i| i + from) {
        let before = lower[..i].chars().next_back();
        let after = lower[i + needle.len()..].chars().next();
        if !is_word(before) && !is_word(after) {
            return line_and_column(&lower, i);
        }
        from = i + needle.len().max(1);
    }
    (1, 1)
}

/// 1-based line and column (in characters, as sqlparser and Trino count) of byte `at`.
pub(crate) fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// The text an error's positions are counted in: a statement, and where in
/// it the query that was planned starts. CTAS, INSERT, UNLOAD and CREATE VIEW
/// plan only their query, but Trino reports positions in the whole statement.
#[derive(Clone, Copy)]
struct Source<'a> {
    statement: &'a str,
    query_at: usize,
}

impl Source<'_> {
    fn query(&self) -> &str {
        &self.statement[self.query_at..]
    }

    /// A position in the query as a position in the statement.
    fn in_statement(&self, (line, column): (usize, usize)) -> (usize, usize) {
        let (l, c) = line_and_column(self.statement, self.query_at);
        if line == 1 {
            (l, c + column - 1)
        } else {
            (l + line - 1, column)
        }
    }

    /// Where `name` first appears in the query, or where DataFusion's
    /// diagnostic says the error is when it has a span.
    fn locate(&self, span: Option<(usize, usize)>, name: &str) -> (usize, usize) {
        self.in_statement(span.unwrap_or_else(|| position(self.query(), name)))
    }
}

/// Whether a message starts with a Trino error name such as `INVALID_FUNCTION_ARGUMENT: `.
fn has_error_name(msg: &str) -> bool {
    msg.split_once(": ")
        .is_some_and(|(name, _)| name.len() > 3 && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
}

/// An error of a query, in Athena's words.
pub fn athena_error(e: &DataFusionError, sql: &str) -> AthenaError {
    athena_error_at(e, sql, 0)
}

/// An error of the query that starts at byte `query_at` of `statement`, with
/// its positions in the statement.
pub fn athena_error_at(e: &DataFusionError, statement: &str, query_at: usize) -> AthenaError {
    translate(e, Source { statement, query_at }, None)
}

/// `span`: the line and column in the query of the innermost diagnostic
/// DataFusion attached (the session collects spans: `engine::session_config`).
fn translate(e: &DataFusionError, src: Source<'_>, span: Option<(usize, usize)>) -> AthenaError {
    match e {
        DataFusionError::Context(_, inner) => translate(inner, src, span),
        DataFusionError::Diagnostic(d, inner) => {
            let here = d.span.map(|s| (s.start.line as usize, s.start.column as usize));
            translate(inner, src, here.filter(|&(l, c)| l > 0 && c > 0).or(span))
        }
        DataFusionError::SchemaError(s, _) => match s.as_ref() {
            SchemaError::FieldNotFound { field, .. } => {
                let (l, c) = src.locate(span, &field.name);
                user(format!(
                    "COLUMN_NOT_FOUND: line {l}:{c}: Column '{}' cannot be resolved",
                    field.name
                ))
            }
            other => user(format!("SYNTAX_ERROR: line 1:1: {other}")),
        },
        DataFusionError::SQL(p, _) => {
            let msg = p.to_string();
            // sqlparser ends messages with "at Line: L, Column: C".
            let (l, c, text) = match msg.rsplit_once(" at Line: ") {
                Some((text, pos)) => {
                    let mut it = pos.split(", Column: ");
                    let l = it.next().and_then(|v| v.trim().parse().ok()).unwrap_or(1);
                    let c = it.next().and_then(|v| v.trim().parse().ok()).unwrap_or(1);
                    let (l, c) = src.in_statement((l, c));
                    (l, c, text.to_owned())
                }
                // At the end of the text sqlparser gives no position; Trino
                // points just past the last token.
                None if msg.ends_with("found: EOF") => {
                    let query = src.query();
                    let (l, c) = line_and_column(query, query.trim_end().len());
                    let (l, c) = src.in_statement((l, c));
                    (l, c, msg)
                }
                None => (1, 1, msg),
            };
            let text = text.trim_start_matches("sql parser error: ");
            user(format!("SYNTAX_ERROR: line {l}:{c}: {text}"))
        }
        DataFusionError::Plan(msg) | DataFusionError::Execution(msg) if wrong_arguments(msg).is_some() => {
            let (name, types) = wrong_arguments(msg).expect("checked");
            let (l, c) = src.locate(span, &name);
            user(format!(
                "FUNCTION_NOT_FOUND: line {l}:{c}: Unexpected parameters ({types}) for function {name}"
            ))
        }
        DataFusionError::Plan(msg) => {
            if let Some(rest) = msg.strip_prefix("table '")
                && let Some(name) = rest.strip_suffix("' not found")
            {
                let last = name.rsplit('.').next().unwrap_or(name);
                let (l, c) = src.locate(span, last);
                let full = match name.matches('.').count() {
                    0 => format!("awsdatacatalog.default.{name}"),
                    1 => format!("awsdatacatalog.{name}"),
                    _ => name.to_owned(),
                };
                return user(format!("TABLE_NOT_FOUND: line {l}:{c}: Table '{full}' does not exist"));
            }
            if let Some(name) = msg
                .strip_prefix("Invalid function '")
                .and_then(|r| r.split('\'').next())
            {
                let (l, c) = src.locate(span, name);
                return user(format!(
                    "FUNCTION_NOT_FOUND: line {l}:{c}: Function '{name}' not registered"
                ));
            }
            user(format!("SYNTAX_ERROR: line 1:1: {msg}"))
        }
        DataFusionError::NotImplemented(msg) => user(format!("NOT_SUPPORTED: {msg}")),
        // The engine's memory pool refused a reservation (`--query-memory`):
        // Athena's category SYSTEM, type 1, in its words.
        DataFusionError::ResourcesExhausted(msg) => AthenaError {
            category: SYSTEM,
            error_type: 1,
            retryable: false,
            message: format!("Query exhausted resources at this scale factor: {msg}"),
        },
        // Our Trino functions and table scans fail with Trino's own error name in front.
        DataFusionError::Execution(msg) if has_error_name(msg) => user(msg.clone()),
        DataFusionError::External(inner) if inner.is::<ArrowError>() => {
            arrow_error(inner.downcast_ref::<ArrowError>().expect("checked"))
        }
        DataFusionError::External(inner) if inner.is::<DataFusionError>() => {
            translate(inner.downcast_ref::<DataFusionError>().expect("checked"), src, span)
        }
        DataFusionError::External(inner) => AthenaError {
            category: SYSTEM,
            error_type: ENGINE_ERROR,
            retryable: false,
            message: format!("GENERIC_INTERNAL_ERROR: {inner}"),
        },
        DataFusionError::ArrowError(inner, _) => arrow_error(inner),
        other => AthenaError {
            category: SYSTEM,
            error_type: ENGINE_ERROR,
            retryable: false,
            message: format!("GENERIC_INTERNAL_ERROR: {}", other.strip_backtrace()),
        },
    }
}

/// A call whose arguments no signature of the function takes: the function's
/// name and the argument types in Athena's words. Our functions say so in
/// Trino's words already; DataFusion's own name Arrow types.
fn wrong_arguments(msg: &str) -> Option<(String, String)> {
    if let Some(at) = msg.find("Unexpected parameters (") {
        let rest = &msg[at + "Unexpected parameters (".len()..];
        let (types, rest) = rest.split_once(") for function ")?;
        let name = rest.split(|c: char| c.is_whitespace() || c == '.').next()?;
        return Some((name.to_owned(), types.to_owned()));
    }
    let rest = msg.split_once("Failed to coerce arguments to satisfy a call to '")?.1;
    let (name, rest) = rest.split_once("' function: coercion from ")?;
    let (types, _) = rest.split_once(" to the signature ")?;
    let names: Vec<String> = top_level_items(types)
        .into_iter()
        .map(|t| match t.parse::<datafusion::arrow::datatypes::DataType>() {
            Ok(dt) => crate::trino::type_name(&dt),
            Err(_) => t.to_owned(),
        })
        .collect();
    Some((name.to_owned(), names.join(", ")))
}

/// `a, b(c, d), e` split at the commas outside parentheses.
fn top_level_items(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, ch) in list.char_indices() {
        match ch {
            '(' | '<' | '[' => depth += 1,
            ')' | '>' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !list[start..].trim().is_empty() {
        items.push(list[start..].trim());
    }
    items
}

/// Arrow's kernel errors (arithmetic, casts) as the Trino errors they are.
fn arrow_error(e: &ArrowError) -> AthenaError {
    let message = match e {
        ArrowError::DivideByZero => "DIVISION_BY_ZERO: Division by zero".to_owned(),
        ArrowError::ArithmeticOverflow(msg) => overflow(msg),
        ArrowError::CastError(msg) | ArrowError::ParseError(msg) => cast_error(msg),
        ArrowError::ExternalError(inner) if inner.is::<ArrowError>() => {
            return arrow_error(inner.downcast_ref::<ArrowError>().expect("checked"));
        }
        other => format!("INVALID_FUNCTION_ARGUMENT: {other}"),
    };
    // Athena's error type 1001: a data error.
    AthenaError {
        error_type: DATA_ERROR,
        ..user(message)
    }
}

/// `Overflow happened on: 2147483647 + 1` as Trino words it, naming the type
/// the operands must have had to overflow.
fn overflow(msg: &str) -> String {
    let operation = msg.strip_prefix("Overflow happened on: ").unwrap_or(msg);
    let mut parts = operation.splitn(3, ' ');
    let (Some(a), Some(op), Some(b)) = (parts.next(), parts.next(), parts.next()) else {
        return format!("NUMERIC_VALUE_OUT_OF_RANGE: {msg}");
    };
    let name = match op {
        "+" => "addition",
        "-" => "subtraction",
        "*" => "multiplication",
        "/" => "division",
        "%" => "modulus",
        _ => return format!("NUMERIC_VALUE_OUT_OF_RANGE: {msg}"),
    };
    let fits = |f: fn(&str) -> bool| f(a) && f(b);
    if fits(|v| v.parse::<i32>().is_ok()) {
        format!("NUMERIC_VALUE_OUT_OF_RANGE: integer {name} overflow: {operation}")
    } else if fits(|v| v.parse::<i64>().is_ok()) {
        format!("NUMERIC_VALUE_OUT_OF_RANGE: bigint {name} overflow: {operation}")
    } else {
        "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow".to_owned()
    }
}

/// Arrow's cast failures in Trino's words: `Cannot cast 'abc' to INT`,
/// `Out of range for tinyint: 300`, `Value cannot be cast to date: x`.
fn cast_error(msg: &str) -> String {
    let msg = msg.strip_prefix("Cast error: ").unwrap_or(msg);
    let upper = |arrow: &str| -> Option<String> {
        let name = match arrow {
            "Int8" => "TINYINT",
            "Int16" => "SMALLINT",
            "Int32" => "INT",
            "Int64" => "BIGINT",
            "Float32" => "REAL",
            "Float64" => "DOUBLE",
            "Boolean" => "BOOLEAN",
            _ => return None,
        };
        Some(name.to_owned())
    };
    // "Cannot cast string 'abc' to value of Int32 type"
    if let Some(rest) = msg
        .strip_prefix("Cannot cast string '")
        .or_else(|| msg.strip_prefix("Cannot cast value '"))
        && let Some((value, ty)) = rest.rsplit_once("' to value of ")
    {
        let ty = ty.strip_suffix(" type").unwrap_or(ty);
        if let Some(name) = upper(ty) {
            return format!("INVALID_CAST_ARGUMENT: Cannot cast '{value}' to {name}");
        }
        if ty.starts_with("Date") {
            return format!("INVALID_CAST_ARGUMENT: Value cannot be cast to date: {value}");
        }
        if ty.starts_with("Timestamp") {
            return format!("INVALID_CAST_ARGUMENT: Value cannot be cast to timestamp: {value}");
        }
        if let Some(ps) = ty.strip_prefix("Decimal128(").and_then(|r| r.strip_suffix(')')) {
            return format!(
                "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR '{value}' to DECIMAL({ps}). Value is not a number."
            );
        }
    }
    // "Can't cast value 300 to type Int8" / "value of 300 is out of range Int8"
    let out_of_range = msg
        .strip_prefix("Can't cast value ")
        .and_then(|r| r.split_once(" to type "))
        .or_else(|| {
            msg.strip_prefix("value of ")
                .and_then(|r| r.split_once(" is out of range "))
        });
    if let Some((value, ty)) = out_of_range
        && let Some(name) = upper(ty)
    {
        let name = if name == "INT" {
            "integer".to_owned()
        } else {
            name.to_lowercase()
        };
        return format!("NUMERIC_VALUE_OUT_OF_RANGE: Out of range for {name}: {value}");
    }
    format!("INVALID_CAST_ARGUMENT: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_of_whole_words() {
        assert_eq!(position("select xx, x from t", "x"), (1, 12));
        assert_eq!(position("select a\nfrom   tbl", "tbl"), (2, 8));
        assert_eq!(position("select 1", "nope"), (1, 1));
    }
}
