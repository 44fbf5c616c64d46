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
    let bytes = || Returns::Fixed(DataType::Binary);
    vec![
        Fun::new("trino_to_json", &[Arg::Any], text(), to_json).udf(),
        Fun::new("json_value_text", &[Arg::Str], text(), value_text).udf(),
        Fun::new(
            "trino_json_cast",
            &[Arg::Str, Arg::Any],
            Returns::Computed(|args| match args {
                [_, target] => Ok(target.clone()),
                _ => datafusion::common::plan_err!("trino_json_cast takes JSON and a typed NULL"),
            }),
            json_to_type,
        )
        .udf(),
        Fun::new("trino_json_object", &[Arg::Str, Arg::Any], text(), |a, _| {
            object(a, false)
        })
        .variadic()
        .optional(1)
        .udf(),
        Fun::new("trino_json_object_bytes", &[Arg::Str, Arg::Any], bytes(), |a, _| {
            object(a, true)
        })
        .variadic()
        .optional(1)
        .udf(),
        Fun::new("trino_json_array", &[Arg::Str, Arg::Any], text(), |a, _| {
            array(a, false)
        })
        .variadic()
        .optional(1)
        .udf(),
        Fun::new("trino_json_array_bytes", &[Arg::Str, Arg::Any], bytes(), |a, _| {
            array(a, true)
        })
        .variadic()
        .optional(1)
        .udf(),
    ]
}

/// The clauses of a constructor, as the token rewrite passes them.
struct Clauses {
    absent_on_null: bool,
    unique: bool,
    encoding: u8,
}

impl Clauses {
    fn of(options: &str, absent_by_default: bool) -> Self {
        let o = options.to_ascii_uppercase();
        Clauses {
            absent_on_null: if o.contains("ABSENT ON NULL") {
                true
            } else if o.contains("NULL ON NULL") {
                false
            } else {
                absent_by_default
            },
            unique: o.contains("WITH UNIQUE"),
            encoding: if o.contains("UTF16") {
                2
            } else if o.contains("UTF32") {
                3
            } else {
                1
            },
        }
    }
}

fn int_at(a: &ArrayRef, row: usize) -> u8 {
    datafusion::arrow::compute::cast(&a.slice(row, 1), &DataType::Int64)
        .ok()
        .and_then(|c| {
            c.as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>()
                .map(|p| p.value(0))
        })
        .map_or(0, |v| v.clamp(0, 3) as u8)
}

/// Text in an encoding: 1 UTF-8, 2 UTF-16 LE, 3 UTF-32 LE.
fn decode(bytes: &[u8], encoding: u8) -> Option<String> {
    match encoding {
        2 => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        3 => bytes
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => String::from_utf8(bytes.to_vec()).ok(),
    }
}

fn encode(text: &str, encoding: u8) -> Vec<u8> {
    match encoding {
        2 => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        3 => text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
        _ => text.as_bytes().to_vec(),
    }
}

/// One constructor argument as JSON: a SQL value converted, or JSON text
/// (format 1) or JSON bytes (2, 3) parsed into canonical form.
fn json_argument(out: &mut String, value: &ArrayRef, format: u8, row: usize) -> Result<()> {
    if format == 0 {
        return write_json(out, value, row);
    }
    let text = match value.data_type() {
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let b = datafusion::arrow::compute::cast(&value.slice(row, 1), &DataType::Binary)?;
            decode(b.as_binary::<i32>().value(0), format)
        }
        _ => crate::render::value(value, row),
    };
    let text = text.ok_or_else(|| invalid("Cannot read the JSON input"))?;
    out.push_str(&json_parse(&text).map_err(invalid)?);
    Ok(())
}

fn finish(rows: Vec<Option<String>>, bytes: bool, encodings: &[u8]) -> ArrayRef {
    if bytes {
        let out: datafusion::arrow::array::BinaryArray = rows
            .iter()
            .zip(encodings)
            .map(|(r, &e)| r.as_ref().map(|t| encode(t, e)))
            .collect();
        Arc::new(out)
    } else {
        Arc::new(rows.into_iter().collect::<StringArray>())
    }
}

/// `json_object(k : v [FORMAT JSON], ...)`: members in the order written;
/// NULL ON NULL by default.
fn object(args: &[ArrayRef], bytes: bool) -> Result<ArrayRef> {
    let options = super::udf::strings(&args[0])?;
    let n = options.len();
    let (mut rows, mut encodings) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for row in 0..n {
        let clauses = Clauses::of(options.value(row), false);
        let mut out = String::from("{");
        let mut seen = std::collections::HashSet::new();
        for triple in args[1..].chunks(3) {
            let [key, value, format] = triple else {
                return Err(invalid("json_object takes keys with values"));
            };
            let Some(name) = (!key.is_null(row)).then(|| crate::render::value(key, row)).flatten() else {
                return Err(invalid("null value passed for key to JSON_OBJECT function"));
            };
            if clauses.unique && !seen.insert(name.clone()) {
                return Err(invalid("duplicate key passed to JSON_OBJECT function"));
            }
            if (value.is_null(row) || value.data_type().is_null()) && clauses.absent_on_null {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            quoted(&mut out, &name);
            out.push(':');
            json_argument(&mut out, value, int_at(format, row), row)?;
        }
        out.push('}');
        rows.push(Some(out));
        encodings.push(clauses.encoding);
    }
    Ok(finish(rows, bytes, &encodings))
}

/// `json_array(v [FORMAT JSON], ...)`: ABSENT ON NULL by default.
fn array(args: &[ArrayRef], bytes: bool) -> Result<ArrayRef> {
    let options = super::udf::strings(&args[0])?;
    let n = options.len();
    let (mut rows, mut encodings) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for row in 0..n {
        let clauses = Clauses::of(options.value(row), true);
        let mut out = String::from("[");
        for pair in args[1..].chunks(2) {
            let [value, format] = pair else {
                return Err(invalid("json_array takes values with formats"));
            };
            if (value.is_null(row) || value.data_type().is_null()) && clauses.absent_on_null {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            json_argument(&mut out, value, int_at(format, row), row)?;
        }
        out.push(']');
        rows.push(Some(out));
        encodings.push(clauses.encoding);
    }
    Ok(finish(rows, bytes, &encodings))
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

/// `CAST(json AS ARRAY(...) | MAP(...) | ROW(...))`: the JSON decoded into the
/// target type (the type of the typed NULL the rewrite passes second). A JSON
/// array becomes a row field by field, as Trino casts it; scalars read as the
/// element type asks (a number into varchar is its text); JSON null is NULL.
fn json_to_type(args: &[ArrayRef], returns: &DataType) -> Result<ArrayRef> {
    let texts = super::udf::strings(&args[0])?;
    let mut lines = Vec::with_capacity(texts.len() * 16);
    for row in 0..texts.len() {
        if texts.is_null(row) {
            lines.extend_from_slice(b"{}\n");
            continue;
        }
        let json = texts.value(row);
        let value: serde_json::Value = serde_json::from_str(json).map_err(|_| {
            super::udf::trino_error(
                "INVALID_CAST_ARGUMENT",
                format!("Cannot cast to {}. '{json}'", crate::types::athena_type(returns).0),
            )
        })?;
        let wrapped = serde_json::json!({ "v": reshape(value, returns) });
        serde_json::to_writer(&mut lines, &wrapped).map_err(|e| invalid(e.to_string()))?;
        lines.push(b'\n');
    }
    let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
        datafusion::arrow::datatypes::Field::new("v", returns.clone(), true),
    ]));
    let cast_failed = |e: datafusion::arrow::error::ArrowError| {
        super::udf::trino_error(
            "INVALID_CAST_ARGUMENT",
            format!("Cannot cast to {}. {e}", crate::types::athena_type(returns).0),
        )
    };
    let mut decoder = datafusion::arrow::json::ReaderBuilder::new(schema)
        .with_batch_size(texts.len().max(1))
        .with_coerce_primitive(true)
        .build_decoder()
        .map_err(cast_failed)?;
    decoder.decode(&lines).map_err(cast_failed)?;
    match decoder.flush().map_err(cast_failed)? {
        Some(batch) if batch.num_rows() == texts.len() => Ok(Arc::clone(batch.column(0))),
        Some(_) | None => Ok(datafusion::arrow::array::new_null_array(returns, texts.len())),
    }
}

/// A JSON value shaped for the target type: arrays bound for a row become
/// objects by field position; nested values are shaped for their own types.
/// Nesting follows the target type, which the parser bounds.
fn reshape(v: serde_json::Value, t: &DataType) -> serde_json::Value {
    use serde_json::Value as J;
    match (v, t) {
        (J::Array(items), DataType::Struct(fields)) => J::Object(
            fields
                .iter()
                .zip(items)
                .map(|(f, item)| (f.name().clone(), reshape(item, f.data_type())))
                .collect(),
        ),
        (J::Object(members), DataType::Struct(fields)) => J::Object(
            members
                .into_iter()
                .filter_map(|(k, item)| {
                    // Trino matches a row's fields to an object's keys ignoring case.
                    let f = fields.iter().find(|f| f.name().eq_ignore_ascii_case(&k))?;
                    Some((f.name().clone(), reshape(item, f.data_type())))
                })
                .collect(),
        ),
        (J::Array(items), DataType::List(f) | DataType::LargeList(f)) => {
            J::Array(items.into_iter().map(|i| reshape(i, f.data_type())).collect())
        }
        (J::Object(members), DataType::Map(entries, _)) => {
            let value_type = match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => kv[1].data_type().clone(),
                _ => DataType::Null,
            };
            J::Object(members.into_iter().map(|(k, i)| (k, reshape(i, &value_type))).collect())
        }
        (v, _) => v,
    }
}
