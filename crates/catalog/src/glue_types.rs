//! Glue (Hive) type strings, as a table's `StorageDescriptor.Columns[].Type`
//! holds them (`bigint`, `decimal(10,2)`, `array<struct<a:int>>`, ...), to
//! Arrow types. Here rather than in the query crate because more than Athena
//! reads Glue tables: Firehose's record format conversion writes Parquet and
//! ORC to a table's columns, and depends on the catalog but not on DataFusion.
//! The `arrow-schema` crate is the one DataFusion re-exports, so these types
//! are `datafusion::arrow::datatypes::DataType` too.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, TimeUnit};

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
