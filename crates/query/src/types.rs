//! Glue (Hive) type strings to Arrow types, and Arrow types to the names
//! Athena reports in `ColumnInfo` (Trino's: `varchar`, `integer`, `row`, ...).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};

/// How deep `array`/`map`/`struct` may nest. Hive sets no limit, but the
/// type string is untrusted (Glue's CreateTable stores any text up to 131,072
/// characters) and the parser recurses once per level.
pub const MAX_TYPE_DEPTH: usize = 100;

/// Parses `bigint`, `decimal(10,2)`, `array<struct<a:int,b:string>>`, `map<string,int>`, ...
pub fn arrow_type(glue: &str) -> Result<DataType, String> {
    let (t, rest) = parse(glue.trim(), 0)?;
    if !rest.trim().is_empty() {
        return Err(format!("unexpected {rest:?} after type in {glue:?}"));
    }
    Ok(t)
}

fn ident(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

fn expect(s: &str, c: char) -> Result<&str, String> {
    s.trim_start()
        .strip_prefix(c)
        .ok_or_else(|| format!("expected {c:?} at {s:?}"))
}

fn parse(s: &str, depth: usize) -> Result<(DataType, &str), String> {
    if depth > MAX_TYPE_DEPTH {
        return Err(format!("the type nests deeper than {MAX_TYPE_DEPTH} levels"));
    }
    let s = s.trim_start();
    let (name, rest) = ident(s);
    let lower = name.to_ascii_lowercase();
    let simple = |t: DataType| Ok((t, rest));
    match lower.as_str() {
        "string" | "varchar" | "char" => {
            // varchar(n) / char(n): the length does not change the Arrow type.
            let rest = skip_args(rest)?;
            Ok((DataType::Utf8, rest))
        }
        "bigint" | "long" => simple(DataType::Int64),
        "int" | "integer" => simple(DataType::Int32),
        "smallint" => simple(DataType::Int16),
        "tinyint" => simple(DataType::Int8),
        "double" => simple(DataType::Float64),
        "float" | "real" => simple(DataType::Float32),
        "boolean" => simple(DataType::Boolean),
        "date" => simple(DataType::Date32),
        "timestamp" => simple(DataType::Timestamp(TimeUnit::Millisecond, None)),
        "binary" => simple(DataType::Binary),
        "decimal" | "numeric" => {
            let r = rest.trim_start();
            if let Some(inner) = r.strip_prefix('(') {
                let close = inner.find(')').ok_or("unclosed decimal(")?;
                let args: Vec<&str> = inner[..close].split(',').map(str::trim).collect();
                let p: u8 = args
                    .first()
                    .and_then(|a| a.parse().ok())
                    .ok_or("bad decimal precision")?;
                let sc: i8 = args
                    .get(1)
                    .map_or(Ok(0), |a| a.parse().map_err(|_| "bad decimal scale"))?;
                // Trino's bounds: precision 1 to 38, scale 0 to the precision.
                if !(1..=38).contains(&p) || sc < 0 || sc as u8 > p {
                    return Err(format!(
                        "DECIMAL precision must be in range [1, 38] and scale in [0, precision], got decimal({p},{sc})"
                    ));
                }
                Ok((DataType::Decimal128(p, sc), &inner[close + 1..]))
            } else {
                Ok((DataType::Decimal128(10, 0), rest))
            }
        }
        "array" => {
            let r = expect(rest, '<')?;
            let (inner, r) = parse(r, depth + 1)?;
            let r = expect(r, '>')?;
            Ok((DataType::List(Arc::new(Field::new("item", inner, true))), r))
        }
        "map" => {
            let r = expect(rest, '<')?;
            let (k, r) = parse(r, depth + 1)?;
            let r = expect(r, ',')?;
            let (v, r) = parse(r, depth + 1)?;
            let r = expect(r, '>')?;
            let entries = Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![
                    Field::new("key", k, false),
                    Field::new("value", v, true),
                ])),
                false,
            );
            Ok((DataType::Map(Arc::new(entries), false), r))
        }
        "struct" => {
            let mut r = expect(rest, '<')?;
            let mut fields = Vec::new();
            loop {
                let rr = r.trim_start();
                if let Some(after) = rr.strip_prefix('>') {
                    return Ok((DataType::Struct(Fields::from(fields)), after));
                }
                let (fname, after) = ident(rr);
                if fname.is_empty() {
                    return Err(format!("expected a field name at {rr:?}"));
                }
                let after = expect(after, ':')?;
                let (ft, after) = parse(after, depth + 1)?;
                fields.push(Field::new(fname, ft, true));
                let after = after.trim_start();
                r = after.strip_prefix(',').unwrap_or(after);
            }
        }
        "" => Err(format!("expected a type at {s:?}")),
        other => Err(format!("unsupported type {other}")),
    }
}

fn skip_args(rest: &str) -> Result<&str, String> {
    let r = rest.trim_start();
    if let Some(inner) = r.strip_prefix('(') {
        let close = inner.find(')').ok_or("unclosed (")?;
        return Ok(&inner[close + 1..]);
    }
    Ok(rest)
}

/// An Arrow type as the Hive type string Glue stores (the inverse of [`arrow_type`]).
pub fn hive_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Int32 | DataType::UInt16 => "int".into(),
        DataType::Int16 | DataType::UInt8 => "smallint".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Float64 => "double".into(),
        DataType::Float32 | DataType::Float16 => "float".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            "binary".into()
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            format!("array<{}>", hive_type(f.data_type()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!("map<{},{}>", hive_type(kv[0].data_type()), hive_type(kv[1].data_type()))
            }
            _ => "string".into(),
        },
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), hive_type(f.data_type())))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Dictionary(_, v) => hive_type(v),
        _ => "string".into(),
    }
}

/// The type name Athena puts in `ColumnInfo.Type`, with precision and scale.
pub fn athena_type(t: &DataType) -> (&'static str, i32, i32) {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ("varchar", 2_147_483_647, 0),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ("bigint", 19, 0),
        DataType::Int32 | DataType::UInt16 => ("integer", 10, 0),
        DataType::Int16 | DataType::UInt8 => ("smallint", 5, 0),
        DataType::Int8 => ("tinyint", 3, 0),
        DataType::Float64 => ("double", 17, 0),
        DataType::Float32 | DataType::Float16 => ("real", 7, 0),
        DataType::Boolean => ("boolean", 0, 0),
        DataType::Date32 | DataType::Date64 => ("date", 0, 0),
        DataType::Timestamp(_, None) => ("timestamp", 3, 0),
        DataType::Timestamp(_, Some(_)) => ("timestamp with time zone", 3, 0),
        DataType::Time32(_) | DataType::Time64(_) => ("time", 3, 0),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => ("decimal", i32::from(*p), i32::from(*s)),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            ("varbinary", 1_073_741_824, 0)
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) | DataType::ListView(_) => {
            ("array", 0, 0)
        }
        DataType::Map(_, _) => ("map", 0, 0),
        DataType::Struct(_) => ("row", 0, 0),
        DataType::Interval(_) | DataType::Duration(_) => ("interval day to second", 0, 0),
        DataType::Null => ("unknown", 0, 0),
        DataType::Dictionary(_, v) => athena_type(v),
        _ => ("varchar", 2_147_483_647, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hive_types_parse() {
        assert_eq!(arrow_type("bigint").unwrap(), DataType::Int64);
        assert_eq!(arrow_type("decimal(15,2)").unwrap(), DataType::Decimal128(15, 2));
        assert_eq!(arrow_type("varchar(10)").unwrap(), DataType::Utf8);
        let t = arrow_type("struct<browser:string,screen_width:int>").unwrap();
        let DataType::Struct(f) = t else { panic!() };
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].data_type(), &DataType::Int32);
        let t = arrow_type("array<struct<sku:string,qty:int>>").unwrap();
        assert!(matches!(t, DataType::List(_)));
        assert!(matches!(arrow_type("map<string,bigint>").unwrap(), DataType::Map(_, _)));
        assert!(arrow_type("struct<a:int").is_err());
        assert!(arrow_type("geometry").is_err());
        assert_eq!(athena_type(&DataType::Int32), ("integer", 10, 0));
    }

    #[test]
    fn untrusted_type_strings_are_bounded() {
        let nested = |n: usize| format!("{}int{}", "array<".repeat(n), ">".repeat(n));
        assert!(arrow_type(&nested(MAX_TYPE_DEPTH)).is_ok());
        assert_eq!(
            arrow_type(&nested(5_000)),
            Err(format!("the type nests deeper than {MAX_TYPE_DEPTH} levels"))
        );
        let structs = format!("{}int{}", "struct<a:".repeat(5_000), ">".repeat(5_000));
        assert!(arrow_type(&structs).is_err());
        assert!(arrow_type("decimal(200,0)").is_err());
        assert!(arrow_type("decimal(10,11)").is_err());
        assert!(arrow_type("decimal(38,38)").is_ok());
    }
}
