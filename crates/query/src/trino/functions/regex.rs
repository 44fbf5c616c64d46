//! Trino's `regexp_extract` and `regexp_extract_all`, which DataFusion lacks
//! (its `regexp_match` answers every group as a list).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array, ListBuilder, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;
use regex::Regex;

use super::udf::{Arg, Fun, Returns, invalid, strings};

pub fn udfs() -> Vec<ScalarUDF> {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    vec![
        Fun::new(
            "regexp_extract",
            &[Arg::Str, Arg::Str, Arg::Int],
            Returns::Fixed(DataType::Utf8),
            extract,
        )
        .optional(1)
        .udf(),
        Fun::new(
            "regexp_extract_all",
            &[Arg::Str, Arg::Str, Arg::Int],
            Returns::Fixed(list),
            extract_all,
        )
        .optional(1)
        .udf(),
    ]
}

/// Compiles each distinct pattern of a batch once.
#[derive(Default)]
pub(super) struct Patterns(HashMap<String, Regex>);

impl Patterns {
    pub(super) fn get(&mut self, p: &str) -> Result<&Regex> {
        if !self.0.contains_key(p) {
            let re = Regex::new(p).map_err(|e| invalid(format!("Invalid regular expression: {e}")))?;
            self.0.insert(p.to_owned(), re);
        }
        Ok(&self.0[p])
    }
}

/// The group each row asks for, checked against the pattern as Trino does.
fn group(re: &Regex, groups: Option<&Int64Array>, row: usize) -> Result<Option<usize>> {
    let g = match groups {
        None => 0,
        Some(a) if a.is_null(row) => return Ok(None),
        Some(a) => a.value(row),
    };
    let have = re.captures_len() - 1;
    if g < 0 || g as usize > have {
        return Err(invalid(format!("Pattern has {have} groups. Cannot access group {g}")));
    }
    Ok(Some(g as usize))
}

fn groups_arg(args: &[ArrayRef]) -> Option<&Int64Array> {
    args.get(2).and_then(|a| a.as_any().downcast_ref::<Int64Array>())
}

fn extract(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (s, p, groups) = (strings(&args[0])?, strings(&args[1])?, groups_arg(args));
    let mut patterns = Patterns(HashMap::new());
    let mut out = Vec::with_capacity(s.len());
    for row in 0..s.len() {
        if s.is_null(row) || p.is_null(row) {
            out.push(None);
            continue;
        }
        let re = patterns.get(p.value(row))?;
        let Some(g) = group(re, groups, row)? else {
            out.push(None);
            continue;
        };
        out.push(
            re.captures(s.value(row))
                .and_then(|c| c.get(g))
                .map(|m| m.as_str().to_owned()),
        );
    }
    Ok(Arc::new(StringArray::from(out)))
}

fn extract_all(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (s, p, groups) = (strings(&args[0])?, strings(&args[1])?, groups_arg(args));
    let mut patterns = Patterns(HashMap::new());
    let mut out = ListBuilder::new(StringBuilder::new());
    for row in 0..s.len() {
        if s.is_null(row) || p.is_null(row) {
            out.append(false);
            continue;
        }
        let re = patterns.get(p.value(row))?;
        let Some(g) = group(re, groups, row)? else {
            out.append(false);
            continue;
        };
        for c in re.captures_iter(s.value(row)) {
            out.values().append_option(c.get(g).map(|m| m.as_str()));
        }
        out.append(true);
    }
    Ok(Arc::new(out.finish()))
}
