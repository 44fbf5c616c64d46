//! Parquet schemas from the footer alone, as the Hive type strings Glue
//! writes (`bigint`, `decimal(10,2)`, `array<struct<a:int>>`, ...).
//!
//! Row data is never read: the crawler fetches the file's tail, and this
//! module decodes the Thrift footer in it.

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::file::metadata::{FooterTail, ParquetMetaDataReader};
use parquet::schema::types::Type;

/// Bytes after the metadata: 4-byte metadata length + `PAR1`.
pub const FOOTER_LEN: usize = 8;

/// What a Parquet footer tells the crawler.
#[derive(Debug, Clone, PartialEq)]
pub struct ParquetSchema {
    pub columns: Vec<(String, String)>,
    pub rows: u64,
}

/// How many bytes of the file's end hold the metadata and the footer,
/// read from the last 8 bytes.
pub fn metadata_span(last8: &[u8]) -> Result<usize, String> {
    let tail: &[u8; FOOTER_LEN] = last8
        .try_into()
        .map_err(|_| "file is too short to be Parquet".to_owned())?;
    let footer = FooterTail::try_new(tail).map_err(|e| format!("not a Parquet file: {e}"))?;
    if footer.is_encrypted_footer() {
        return Err("encrypted Parquet footers are not supported".into());
    }
    Ok(footer.metadata_length() + FOOTER_LEN)
}

/// Decodes the footer: `tail` must end with the whole metadata and the 8-byte footer.
pub fn decode(tail: &[u8]) -> Result<ParquetSchema, String> {
    if tail.len() < FOOTER_LEN {
        return Err("file is too short to be Parquet".into());
    }
    let span = metadata_span(&tail[tail.len() - FOOTER_LEN..])?;
    if span > tail.len() {
        return Err(format!("footer needs {span} bytes, have {}", tail.len()));
    }
    let meta = &tail[tail.len() - span..tail.len() - FOOTER_LEN];
    let md = ParquetMetaDataReader::decode_metadata(meta).map_err(|e| format!("corrupt Parquet footer: {e}"))?;
    let file = md.file_metadata();
    let root = file.schema_descr().root_schema();
    let columns = root
        .get_fields()
        .iter()
        .map(|f| (f.name().to_lowercase(), hive_type(f)))
        .collect();
    Ok(ParquetSchema {
        columns,
        rows: u64::try_from(file.num_rows()).unwrap_or(0),
    })
}

fn repeated(t: &Type) -> bool {
    let info = t.get_basic_info();
    info.has_repetition() && info.repetition() == Repetition::REPEATED
}

/// The Hive type of a field, wrapping it in `array<>` when the field itself
/// repeats without a LIST annotation (the legacy layout).
fn hive_type(t: &Type) -> String {
    let inner = hive_type_of_value(t);
    if repeated(t) { format!("array<{inner}>") } else { inner }
}

fn hive_type_of_value(t: &Type) -> String {
    let info = t.get_basic_info();
    let logical = info.logical_type_ref();
    let converted = info.converted_type();
    if t.is_group() {
        let is_list = matches!(logical, Some(LogicalType::List)) || converted == ConvertedType::LIST;
        let is_map = matches!(logical, Some(LogicalType::Map))
            || matches!(converted, ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE);
        if is_list && let Some(elem) = list_element(t) {
            return format!("array<{elem}>");
        }
        if is_map && let Some((k, v)) = map_entries(t) {
            return format!("map<{k},{v}>");
        }
        return struct_of(t.get_fields());
    }
    primitive(t, logical, converted)
}

fn struct_of(fields: &[std::sync::Arc<Type>]) -> String {
    let inner: Vec<String> = fields
        .iter()
        .map(|f| format!("{}:{}", f.name(), hive_type(f)))
        .collect();
    format!("struct<{}>", inner.join(","))
}

/// The element type of a LIST group, in both the standard three-level
/// layout and the legacy two-level ones the Parquet spec's compatibility rules allow.
fn list_element(t: &Type) -> Option<String> {
    let [rep] = t.get_fields() else { return None };
    if !repeated(rep) {
        return None;
    }
    if rep.is_primitive() {
        return Some(hive_type_of_value(rep));
    }
    let fields = rep.get_fields();
    // A repeated group with several fields, or named `array` / `<list>_tuple`,
    // is itself the element (legacy writers).
    if fields.len() != 1 || rep.name() == "array" || rep.name() == format!("{}_tuple", t.name()) {
        return Some(struct_of(fields));
    }
    Some(hive_type(&fields[0]))
}

fn map_entries(t: &Type) -> Option<(String, String)> {
    let [kv] = t.get_fields() else { return None };
    if kv.is_primitive() {
        return None;
    }
    match kv.get_fields() {
        [k, v] => Some((hive_type(k), hive_type(v))),
        [k] => Some((hive_type(k), "string".into())),
        _ => None,
    }
}

fn primitive(t: &Type, logical: Option<&LogicalType>, converted: ConvertedType) -> String {
    let decimal = || format!("decimal({},{})", t.get_precision(), t.get_scale());
    match logical {
        Some(LogicalType::Decimal(d)) => return format!("decimal({},{})", d.precision, d.scale),
        Some(LogicalType::Date) => return "date".into(),
        Some(LogicalType::Timestamp(_)) => return "timestamp".into(),
        Some(LogicalType::String | LogicalType::Enum | LogicalType::Json) => return "string".into(),
        Some(LogicalType::Integer(i)) => {
            return match (i.bit_width, i.is_signed) {
                (8, true) => "tinyint",
                (16, true) | (8, false) => "smallint",
                (32, true) | (16, false) => "int",
                _ => "bigint",
            }
            .into();
        }
        _ => {}
    }
    match converted {
        ConvertedType::DECIMAL => return decimal(),
        ConvertedType::DATE => return "date".into(),
        ConvertedType::TIMESTAMP_MILLIS | ConvertedType::TIMESTAMP_MICROS => return "timestamp".into(),
        ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON => return "string".into(),
        ConvertedType::INT_8 => return "tinyint".into(),
        ConvertedType::INT_16 | ConvertedType::UINT_8 => return "smallint".into(),
        ConvertedType::INT_32 | ConvertedType::UINT_16 => return "int".into(),
        ConvertedType::INT_64 | ConvertedType::UINT_32 | ConvertedType::UINT_64 => return "bigint".into(),
        _ => {}
    }
    match t.get_physical_type() {
        Physical::BOOLEAN => "boolean",
        Physical::INT32 => "int",
        Physical::INT64 => "bigint",
        Physical::INT96 => "timestamp",
        Physical::FLOAT => "float",
        Physical::DOUBLE => "double",
        Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY => "binary",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::schema::parser::parse_message_type;

    use super::*;

    fn types_of(message: &str) -> Vec<(String, String)> {
        let schema = parse_message_type(message).unwrap();
        schema
            .get_fields()
            .iter()
            .map(|f| (f.name().to_lowercase(), hive_type(f)))
            .collect()
    }

    #[test]
    fn primitive_and_logical_types_map_to_hive_names() {
        let cols = types_of(
            "message m {
                required int64 Id;
                optional int32 small (INTEGER(16,true));
                optional int32 tiny (INT_8);
                optional int32 d (DATE);
                optional int64 ts (TIMESTAMP(MICROS,false));
                optional int96 legacy_ts;
                optional binary s (UTF8);
                optional binary raw;
                optional boolean b;
                optional float f;
                optional double x;
                optional fixed_len_byte_array(16) amount (DECIMAL(38,9));
                optional int64 price (DECIMAL(15,2));
            }",
        );
        let want = [
            ("id", "bigint"),
            ("small", "smallint"),
            ("tiny", "tinyint"),
            ("d", "date"),
            ("ts", "timestamp"),
            ("legacy_ts", "timestamp"),
            ("s", "string"),
            ("raw", "binary"),
            ("b", "boolean"),
            ("f", "float"),
            ("x", "double"),
            ("amount", "decimal(38,9)"),
            ("price", "decimal(15,2)"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
        assert_eq!(cols, want);
    }

    #[test]
    fn nested_lists_maps_and_structs() {
        let cols = types_of(
            "message m {
                optional group tags (LIST) { repeated group list { optional binary element (UTF8); } }
                optional group props { optional binary browser (UTF8); optional int32 screen_width; }
                optional group attrs (MAP) { repeated group key_value { required binary key (UTF8); optional int64 value; } }
                optional group legacy (LIST) { repeated int32 array; }
                optional group points (LIST) { repeated group array { required double x; required double y; } }
                repeated binary bare (UTF8);
            }",
        );
        assert_eq!(cols[0].1, "array<string>");
        assert_eq!(cols[1].1, "struct<browser:string,screen_width:int>");
        assert_eq!(cols[2].1, "map<string,bigint>");
        assert_eq!(cols[3].1, "array<int>");
        assert_eq!(cols[4].1, "array<struct<x:double,y:double>>");
        assert_eq!(cols[5].1, "array<string>");
    }

    #[test]
    fn footer_round_trip_through_a_written_file() {
        use parquet::file::properties::WriterProperties;
        use parquet::file::writer::SerializedFileWriter;
        let schema = Arc::new(parse_message_type("message m { required int64 a; optional binary b (UTF8); }").unwrap());
        let mut buf = Vec::new();
        let w = SerializedFileWriter::new(&mut buf, schema, Arc::new(WriterProperties::builder().build())).unwrap();
        w.close().unwrap();
        let span = metadata_span(&buf[buf.len() - 8..]).unwrap();
        assert!(span < buf.len());
        let s = decode(&buf[buf.len() - span..]).unwrap();
        assert_eq!(
            s.columns,
            vec![("a".into(), "bigint".into()), ("b".into(), "string".into())]
        );
        assert_eq!(s.rows, 0);
        assert!(decode(&buf[buf.len() - span + 1..]).is_err());
        assert!(metadata_span(b"12345678").is_err());
    }
}
