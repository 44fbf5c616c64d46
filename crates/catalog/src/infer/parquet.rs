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
    check_schema_shape(meta)?;
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

/// How deeply groups may nest in a schema we hand to the parquet crate.
/// It builds the schema tree recursively and sizes each group's child list
/// from the file, so a crafted footer of a few kilobytes could overflow the
/// stack (aborting the server) or ask for gigabytes; [`check_schema_shape`]
/// walks the flat list first, without recursion. Real schemas nest a few levels.
pub const MAX_SCHEMA_DEPTH: usize = 100;

/// Checks the schema in thrift-compact `FileMetaData` bytes: every group's
/// child count fits in the list, and groups nest at most [`MAX_SCHEMA_DEPTH`]
/// deep. Bytes it cannot follow are left for the parquet crate to refuse.
fn check_schema_shape(meta: &[u8]) -> Result<(), String> {
    let Some(children) = Compact { b: meta, pos: 0 }.schema_children() else {
        return Ok(());
    };
    // Open groups, each with how many of its children are still to come.
    let mut open: Vec<u64> = Vec::new();
    for (i, &n) in children.iter().enumerate() {
        if let Some(left) = open.last_mut() {
            *left -= 1;
        }
        let n = u64::try_from(n).map_err(|_| format!("corrupt Parquet footer: a group has {n} children"))?;
        if n > 0 {
            if n > (children.len() - i - 1) as u64 {
                return Err(format!(
                    "corrupt Parquet footer: a group has {n} children but the schema has {} elements",
                    children.len()
                ));
            }
            // The root (message) group does not count as a level.
            if open.len() > MAX_SCHEMA_DEPTH {
                return Err(format!(
                    "unsupported Parquet schema: groups nest more than {MAX_SCHEMA_DEPTH} levels deep"
                ));
            }
            open.push(n);
        }
        while open.last() == Some(&0) {
            open.pop();
        }
    }
    Ok(())
}

/// Just enough of the thrift compact protocol to read `FileMetaData.schema`'s
/// `num_children` fields; `None` where the bytes are not what it expects.
struct Compact<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Compact<'_> {
    /// Nesting of skipped values, as the parquet crate's own reader bounds it.
    const SKIP_DEPTH: u8 = 64;

    fn byte(&mut self) -> Option<u8> {
        let b = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn advance(&mut self, n: u64) -> Option<()> {
        let end = self.pos.checked_add(usize::try_from(n).ok()?)?;
        (end <= self.b.len()).then(|| self.pos = end)
    }

    /// The next field's (id, type), or None at the struct's end.
    fn field(&mut self, last: &mut i64) -> Option<Option<(i64, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Some(None);
        }
        let delta = i64::from(b >> 4);
        *last = if delta == 0 { self.zigzag()? } else { *last + delta };
        Some(Some((*last, b & 0x0f)))
    }

    fn list_header(&mut self) -> Option<(u64, u8)> {
        let h = self.byte()?;
        let n = match h >> 4 {
            15 => self.varint()?,
            n => u64::from(n),
        };
        Some((n, h & 0x0f))
    }

    /// Skips a value of type `ty`; `in_struct` because a struct field's bool
    /// lives in its header.
    fn skip(&mut self, ty: u8, in_struct: bool, depth: u8) -> Option<()> {
        let depth = depth.checked_sub(1)?;
        match ty {
            1 | 2 if in_struct => Some(()),
            1..=3 => self.advance(1),
            4..=6 => self.varint().map(drop),
            7 => self.advance(8),
            8 => {
                let n = self.varint()?;
                self.advance(n)
            }
            9 | 10 => {
                let (n, elem) = self.list_header()?;
                for _ in 0..n {
                    self.skip(elem, false, depth)?;
                }
                Some(())
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.skip(kv >> 4, false, depth)?;
                        self.skip(kv & 0x0f, false, depth)?;
                    }
                }
                Some(())
            }
            12 => {
                let mut last = 0;
                while let Some((_, t)) = self.field(&mut last)? {
                    self.skip(t, true, depth)?;
                }
                Some(())
            }
            _ => None,
        }
    }

    /// `num_children` of each `FileMetaData.schema` (field 2) element, in order.
    fn schema_children(&mut self) -> Option<Vec<i64>> {
        let mut last = 0;
        loop {
            let (id, ty) = self.field(&mut last)??;
            if id == 2 && ty == 9 {
                break;
            }
            self.skip(ty, true, Self::SKIP_DEPTH)?;
        }
        let (n, elem) = self.list_header()?;
        if elem != 12 {
            return None;
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let mut children = 0;
            let mut last = 0;
            while let Some((id, ty)) = self.field(&mut last)? {
                if id == 5 && ty == 5 {
                    children = self.zigzag()?;
                } else {
                    self.skip(ty, true, Self::SKIP_DEPTH)?;
                }
            }
            out.push(children);
        }
        Some(out)
    }
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

    /// A thrift-compact `FileMetaData` whose schema is `depth` nested groups
    /// around one int32 column, with a footer.
    fn nested_footer(depth: usize, children: u8) -> Vec<u8> {
        let mut m = vec![0x15, 0x02]; // 1: version = 1
        m.push(0x19); // 2: schema, a list
        m.push(0xfc); // of structs, size in a varint
        let mut n = depth + 1;
        while n >= 0x80 {
            m.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        m.push(n as u8);
        for _ in 0..depth {
            // 3: repetition = REQUIRED, 4: name = "g", 5: num_children, stop
            m.extend([0x35, 0x00, 0x18, 0x01, b'g', 0x15, children * 2, 0x00]);
        }
        // 1: type = INT32, 3: repetition = REQUIRED, 4: name = "x", stop
        m.extend([0x15, 0x02, 0x25, 0x00, 0x18, 0x01, b'x', 0x00]);
        m.extend([0x16, 0x00, 0x19, 0x0c, 0x00]); // 3: num_rows = 0, 4: row_groups = [], stop
        let len = m.len() as u32;
        m.extend(len.to_le_bytes());
        m.extend(b"PAR1");
        m
    }

    #[test]
    fn deep_or_oversized_schemas_are_refused_without_recursion() {
        // 100,000 nested groups in 800 KB used to overflow the parquet crate's stack.
        let e = decode(&nested_footer(100_000, 1)).unwrap_err();
        assert_eq!(e, "unsupported Parquet schema: groups nest more than 100 levels deep");
        // The message group plus 100 levels is fine.
        let s = decode(&nested_footer(101, 1)).unwrap();
        let want = format!("{}int{}", "struct<g:".repeat(99) + "struct<x:", ">".repeat(100));
        assert_eq!(s.columns, vec![("g".to_owned(), want)]);
        assert_eq!(decode(&nested_footer(102, 1)).unwrap_err(), e);
        // A child count that the list cannot hold is refused before anything is sized by it.
        let e = decode(&nested_footer(3, 60)).unwrap_err();
        assert_eq!(
            e,
            "corrupt Parquet footer: a group has 60 children but the schema has 4 elements"
        );
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
