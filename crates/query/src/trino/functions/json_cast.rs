//! Casts to and from Trino's JSON type, which lakestack holds as canonical
//! JSON text: `CAST(x AS JSON)` is `trino_to_json(x)` (numbers, strings,
//! booleans, arrays, maps as objects, rows as objects by field name, a SQL
//! NULL stays NULL), and `CAST(json AS <scalar type>)` reads the JSON
//! scalar's text through `json_value_text` before the ordinary cast (a JSON
//! string loses its quotes, JSON null is NULL). `rewrite` turns the SQL
//! spellings into these calls.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::json::json_parse;
use super::udf::{Arg, Fun, Returns, invalid, map_str};

pub fn udfs() -> Vec<ScalarUDF> {
    let text = || Returns::Fixed(DataType::Utf8);
    vec![
        Fun::new("trino_to_json", &[Arg::Any], text(), to_json).udf(),
        Fun::new("json_value_text", &[Arg::Str], text(), value_text).udf(),
    ]
}

fn to_json(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let a = &args[0];
    let out = (0..a.len())
        .map(|row| {
            // A NullArray has no null buffer: its rows answer is_null false.
            if a.is_null(row) || a.data_type().is_null() {
                return Ok(None);
            }
            let mut text = String::new();
            write_json(&mut text, a, row)?;
            // Canonical form: the text json_parse would give (sorted keys, Trino's numbers).
            json_parse(&text).map(Some).map_err(invalid)
        })
        .collect::<Result<StringArray>>()?;
    Ok(Arc::new(out))
}

fn quoted(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::String(s.to_owned()).to_string());
}

/// One value as JSON text. Nesting follows the column's type, which the
/// catalog and the parser bound.
fn write_json(out: &mut String, a: &ArrayRef, row: usize) -> Result<()> {
    if a.is_null(row) || a.data_type().is_null() {
        out.push_str("null");
        return Ok(());
    }
    match a.data_type() {
        DataType::Boolean => out.push_str(if a.as_boolean().value(row) { "true" } else { "false" }),
        t if t.is_numeric() => out.push_str(&crate::render::value(a, row).unwrap_or_else(|| "null".into())),
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) => {
            let items = match a.data_type() {
                DataType::List(_) => a.as_list::<i32>().value(row),
                DataType::LargeList(_) => a.as_list::<i64>().value(row),
                _ => a.as_fixed_size_list().value(row),
            };
            out.push('[');
            for i in 0..items.len() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, &items, i)?;
            }
            out.push(']');
        }
        DataType::Map(_, _) => {
            let m = a.as_map();
            let (start, end) = (m.value_offsets()[row] as usize, m.value_offsets()[row + 1] as usize);
            out.push('{');
            for i in start..end {
                if i > start {
                    out.push(',');
                }
                let key = crate::render::value(m.keys(), i).unwrap_or_default();
                quoted(out, &key);
                out.push(':');
                write_json(out, m.values(), i)?;
            }
            out.push('}');
        }
        DataType::Struct(fields) => {
            let s = a.as_struct();
            out.push('{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted(out, f.name());
                out.push(':');
                write_json(out, s.column(i), row)?;
            }
            out.push('}');
        }
        // Text, dates and times: a JSON string of the value as Trino shows it.
        _ => {
            let shown = crate::render::value(a, row).unwrap_or_default();
            let _ = write!(out, "{}", serde_json::Value::String(shown));
        }
    }
    Ok(())
}

/// A JSON scalar's text: a string without its quotes and escapes, a number
/// or boolean as written, NULL for JSON null (and for arrays and objects,
/// which are not scalars to cast).
fn value_text(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    map_str(&args[0], |json| {
        Ok(match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::String(s)) => Some(s),
            Ok(serde_json::Value::Null) => None,
            Ok(serde_json::Value::Bool(b)) => Some(b.to_string()),
            Ok(serde_json::Value::Number(_)) => Some(json.trim().to_owned()),
            Ok(_) => return Err(invalid(format!("Cannot cast JSON '{json}' to a scalar type"))),
            Err(_) => return Err(invalid(format!("Cannot convert value to JSON: '{json}'"))),
        })
    })
}
