//! Trino's `regexp_position` and `regexp_split`, with Trino's semantics and
//! error messages, over the `regex` crate's patterns.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int32Array, Int64Array, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;
use regex::Regex;

use super::lists::*;
use super::regex::Patterns;
use super::udf::{Arg, Fun, Returns, invalid, strings};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "regexp_position",
            &[Arg::Str, Arg::Str, Arg::Int, Arg::Int],
            Returns::Fixed(DataType::Int32),
            regexp_position,
        )
        .optional(2)
        .udf(),
        Fun::new(
            "regexp_split",
            &[Arg::Str, Arg::Str],
            Returns::Fixed(list_of(DataType::Utf8)),
            regexp_split,
        )
        .udf(),
    ]
}

/// Where the search resumes after a match at `start..end`: at its end, or one
/// character further after an empty match (past the text when it ends there).
fn next_start(s: &str, start: usize, end: usize) -> usize {
    if end > start {
        end
    } else {
        end + s.get(start..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8)
    }
}

fn regexp_position(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (s, p) = (strings(&args[0])?, strings(&args[1])?);
    let starts = args.get(2).map(ints).transpose()?;
    let occurrences = args.get(3).map(ints).transpose()?;
    let mut patterns = Patterns::default();
    let mut out = Vec::with_capacity(s.len());
    for row in 0..s.len() {
        // An argument left out is 1; a NULL one makes the result NULL.
        let given = |a: Option<&Int64Array>| match a {
            None => Some(1),
            Some(a) if a.is_null(row) => None,
            Some(a) => Some(a.value(row)),
        };
        let (Some(start), Some(occurrence)) = (given(starts), given(occurrences)) else {
            out.push(None);
            continue;
        };
        if s.is_null(row) || p.is_null(row) {
            out.push(None);
            continue;
        }
        let re = patterns.get(p.value(row))?;
        out.push(Some(position(s.value(row), re, start, occurrence)?));
    }
    Ok(Arc::new(Int32Array::from(out)))
}

/// The 1-based character position of the `occurrence`th match at or after
/// character `start`, or -1.
fn position(s: &str, re: &Regex, start: i64, occurrence: i64) -> Result<i32> {
    if start < 1 {
        return Err(invalid("start position cannot be smaller than 1"));
    }
    if occurrence < 1 {
        return Err(invalid("occurrence cannot be smaller than 1"));
    }
    let chars = s.chars().count();
    if u64::try_from(start).unwrap_or(u64::MAX) > chars as u64 {
        return Ok(-1);
    }
    let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
    let mut next = s.char_indices().nth(skip).map_or(s.len(), |(i, _)| i);
    let mut count = 0i64;
    while next <= s.len() {
        let Some(m) = re.find_at(s, next) else { break };
        count += 1;
        if count == occurrence {
            let before = s.get(..m.start()).map_or(0, |p| p.chars().count());
            return i32::try_from(before + 1).map_err(|_| invalid("position out of range"));
        }
        next = next_start(s, m.start(), m.end());
    }
    Ok(-1)
}

fn regexp_split(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (s, p) = (strings(&args[0])?, strings(&args[1])?);
    let mut patterns = Patterns::default();
    let mut out = ListBuilder::new(StringBuilder::new());
    for row in 0..s.len() {
        if s.is_null(row) || p.is_null(row) {
            out.append(false);
            continue;
        }
        let re = patterns.get(p.value(row))?;
        let text = s.value(row);
        let (mut last_end, mut next) = (0, 0);
        while next <= text.len() {
            let Some(m) = re.find_at(text, next) else { break };
            out.values()
                .append_value(text.get(last_end..m.start()).unwrap_or_default());
            last_end = m.end();
            next = next_start(text, m.start(), m.end());
        }
        // What follows the last match, empty or not, is the last piece.
        out.values().append_value(text.get(last_end..).unwrap_or_default());
        out.append(true);
    }
    Ok(Arc::new(out.finish()))
}
