//! `<QueryExecutionId>.csv.metadata`, the object Athena writes beside a
//! result: a protocol-buffers message holding the result's `ColumnInfo`, as
//! GetQueryResults reports it. Tools that read results straight from S3
//! (drivers, `aws s3 cp` then a parser) find the same bytes Athena writes.
//!
//! The message, as observed in Athena's own files:
//! - field 1 (string): the engine's query id;
//! - field 4 (repeated message), one per column: 1 catalog (`hive`), 2 schema,
//!   3 table, 4 name, 5 label, 6 type, 7 precision, 8 scale, 9 nullable
//!   (1 NOT_NULL, 2 NULLABLE, 3 UNKNOWN), 10 case sensitive.
//!
//! Zero values are left out, as proto3 encoders do.

use crate::execution::ResultColumn;

const NULLABLE_UNKNOWN: u64 = 3;

/// The metadata message for a result with `columns`, produced by `query_id`.
pub fn encode(query_id: &str, columns: &[ResultColumn]) -> Vec<u8> {
    let mut out = Vec::new();
    string_field(&mut out, 1, query_id);
    for c in columns {
        let mut column = Vec::new();
        string_field(&mut column, 1, "hive");
        string_field(&mut column, 4, &c.name);
        string_field(&mut column, 5, &c.name);
        string_field(&mut column, 6, &c.type_name);
        varint_field(&mut column, 7, c.precision.max(0) as u64);
        varint_field(&mut column, 8, c.scale.max(0) as u64);
        varint_field(&mut column, 9, NULLABLE_UNKNOWN);
        varint_field(&mut column, 10, u64::from(c.type_name == "varchar"));
        bytes_field(&mut out, 4, &column);
    }
    out
}

fn key(out: &mut Vec<u8>, field: u64, wire_type: u64) {
    varint(out, (field << 3) | wire_type);
}

fn varint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    if value != 0 {
        key(out, field, 0);
        varint(out, value);
    }
}

fn string_field(out: &mut Vec<u8>, field: u64, value: &str) {
    if !value.is_empty() {
        bytes_field(out, field, value.as_bytes());
    }
}

fn bytes_field(out: &mut Vec<u8>, field: u64, value: &[u8]) {
    key(out, field, 2);
    varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, type_name: &str, precision: i32, scale: i32) -> ResultColumn {
        ResultColumn {
            name: name.into(),
            type_name: type_name.into(),
            precision,
            scale,
        }
    }

    #[test]
    fn matches_the_bytes_athena_wrote_for_an_array_column() {
        // A file Athena wrote for `SELECT ... AS ary` (an array column): only
        // the query id, catalog, name, label, type and nullability are set.
        let expected: &[u8] = b"\x0a\x1b20190423_125128_00001_ehtur\
            \x22\x19\x0a\x04hive\x22\x03ary\x2a\x03ary\x32\x05array\x48\x03";
        assert_eq!(
            encode("20190423_125128_00001_ehtur", &[column("ary", "array", 0, 0)]),
            expected
        );
    }

    #[test]
    fn writes_precision_scale_and_case_sensitivity_as_varints() {
        let bytes = encode(
            "q",
            &[column("s", "varchar", 2_147_483_647, 0), column("d", "decimal", 38, 2)],
        );
        let expected: &[u8] = b"\x0a\x01q\
            \x22\x1f\x0a\x04hive\x22\x01s\x2a\x01s\x32\x07varchar\x38\xff\xff\xff\xff\x07\x48\x03\x50\x01\
            \x22\x1b\x0a\x04hive\x22\x01d\x2a\x01d\x32\x07decimal\x38\x26\x40\x02\x48\x03";
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_result_without_columns_holds_only_the_query_id() {
        assert_eq!(encode("abc", &[]), b"\x0a\x03abc");
    }
}
