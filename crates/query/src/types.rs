//! Arrow types to the names Athena reports in `ColumnInfo` (Trino's:
//! `varchar`, `integer`, `row`, ...) and to Hive type strings. The other
//! direction, Glue (Hive) type strings to Arrow types, is the catalog's
//! [`lakestack_catalog::glue_types`], shared with Firehose.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields};

pub use lakestack_catalog::glue_types::arrow_type;

/// Trino's `MAP(K, V)` as lakestack holds it: entries named `entries`, keys
/// never NULL, values nullable. Every map a function builds has this layout.
pub fn map_of(key: DataType, value: DataType) -> DataType {
    let entries = Fields::from(vec![Field::new("key", key, false), Field::new("value", value, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
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
    fn athena_names() {
        assert_eq!(athena_type(&DataType::Int32), ("integer", 10, 0));
        // The catalog's parser yields DataFusion's own Arrow types.
        assert_eq!(athena_type(&arrow_type("decimal(15,2)").unwrap()), ("decimal", 15, 2));
        assert_eq!(
            hive_type(&arrow_type("array<struct<a:int>>").unwrap()),
            "array<struct<a:int>>"
        );
    }
}
