//! Trino types DataFusion's SQL planner does not map itself: `MAP(K, V)`
//! (Arrow's map of `K` keys, never NULL, to `V` values). `ARRAY(T)` and
//! `ROW(...)` are respelled before parsing (`tokens`).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, not_impl_err};
use datafusion::logical_expr::planner::TypePlanner;
use datafusion::sql::sqlparser::ast::{ArrayElemTypeDef, DataType as SqlType, ExactNumberInfo};

#[derive(Debug, Default)]
pub struct TrinoTypes;

impl TypePlanner for TrinoTypes {
    fn plan_type_field(&self, sql_type: &SqlType) -> Result<Option<FieldRef>> {
        match sql_type {
            SqlType::Map(k, v) => Ok(Some(Arc::new(Field::new("", map_of(k, v)?, true)))),
            _ => Ok(None),
        }
    }
}

fn map_of(key: &SqlType, value: &SqlType) -> Result<DataType> {
    Ok(crate::types::map_of(arrow_type(key)?, arrow_type(value)?))
}

/// A key's or value's type. Nesting follows the statement's, which the
/// parser's recursion limit bounds.
fn arrow_type(t: &SqlType) -> Result<DataType> {
    Ok(match t {
        SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Text | SqlType::String(_) => DataType::Utf8,
        SqlType::TinyInt(_) => DataType::Int8,
        SqlType::SmallInt(_) => DataType::Int16,
        SqlType::Int(_) | SqlType::Integer(_) => DataType::Int32,
        SqlType::BigInt(_) => DataType::Int64,
        SqlType::Real | SqlType::Float(_) => DataType::Float32,
        SqlType::Double(_) | SqlType::DoublePrecision => DataType::Float64,
        SqlType::Boolean | SqlType::Bool => DataType::Boolean,
        SqlType::Date => DataType::Date32,
        SqlType::Varbinary(_) | SqlType::Binary(_) => DataType::Binary,
        SqlType::Decimal(info) => match info {
            ExactNumberInfo::PrecisionAndScale(p, s) => DataType::Decimal128(*p as u8, *s as i8),
            ExactNumberInfo::Precision(p) => DataType::Decimal128(*p as u8, 0),
            ExactNumberInfo::None => DataType::Decimal128(38, 0),
        },
        SqlType::Array(ArrayElemTypeDef::AngleBracket(inner)) => {
            DataType::List(Arc::new(Field::new("item", arrow_type(inner)?, true)))
        }
        SqlType::Map(k, v) => map_of(k, v)?,
        other => return not_impl_err!("Unsupported SQL type {other} in a map"),
    })
}
