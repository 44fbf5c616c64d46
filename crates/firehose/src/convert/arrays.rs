//! Buffered rows of typed cells to an Arrow record batch.

use std::sync::Arc;

use arrow_array::builder::{NullBufferBuilder, OffsetBufferBuilder};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int8Array,
    Int16Array, Int32Array, Int64Array, ListArray, MapArray, RecordBatch, StringArray, StructArray,
    TimestampMillisecondArray,
};
use arrow_schema::{ArrowError, DataType, SchemaRef};

use super::record::Cell;

static NULL: Cell = Cell::Null;

/// The rows (each with one cell per field of `schema`) as one batch.
pub(crate) fn batch(schema: &SchemaRef, rows: &[Vec<Cell>]) -> Result<RecordBatch, ArrowError> {
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let cells: Vec<&Cell> = rows.iter().map(|r| r.get(i).unwrap_or(&NULL)).collect();
            array(f.data_type(), &cells)
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns)
}

/// The validity of a column of cells (None when all are valid).
fn nulls(cells: &[&Cell]) -> NullBufferBuilder {
    let mut b = NullBufferBuilder::new(cells.len());
    for c in cells {
        b.append(!matches!(c, Cell::Null));
    }
    b
}

/// List or map offsets, refused (rather than the builder's panic) past
/// what 32-bit offsets hold; the converter's batch bounds keep far below.
fn offsets(lengths: &[usize]) -> Result<OffsetBufferBuilder<i32>, ArrowError> {
    let total = lengths.iter().try_fold(0usize, |acc, n| acc.checked_add(*n));
    if total.is_none_or(|t| i32::try_from(t).is_err()) {
        return Err(ArrowError::ComputeError("too many nested values in one batch".into()));
    }
    let mut b = OffsetBufferBuilder::new(lengths.len());
    for n in lengths {
        b.push_length(*n);
    }
    Ok(b)
}

/// One column's cells as an array of type `t` (the types the schema check
/// lets through); recursion follows the type's nesting, which the Glue
/// parser bounds.
fn array(t: &DataType, cells: &[&Cell]) -> Result<ArrayRef, ArrowError> {
    macro_rules! ints {
        ($array:ty, $int:ty) => {
            Arc::new(<$array>::from_iter(cells.iter().map(|c| match c {
                Cell::Int(v) => <$int>::try_from(*v).ok(),
                _ => None,
            }))) as ArrayRef
        };
    }
    Ok(match t {
        DataType::Utf8 => Arc::new(StringArray::from_iter(cells.iter().map(|c| match c {
            Cell::Text(s) => Some(s.as_str()),
            _ => None,
        }))),
        DataType::Int8 => ints!(Int8Array, i8),
        DataType::Int16 => ints!(Int16Array, i16),
        DataType::Int32 => ints!(Int32Array, i32),
        DataType::Int64 => ints!(Int64Array, i64),
        // A double out of float's range becomes an infinity, as Java's cast does.
        DataType::Float32 => Arc::new(Float32Array::from_iter(cells.iter().map(|c| match c {
            Cell::Float(v) => Some(*v as f32),
            _ => None,
        }))),
        DataType::Float64 => Arc::new(Float64Array::from_iter(cells.iter().map(|c| match c {
            Cell::Float(v) => Some(*v),
            _ => None,
        }))),
        DataType::Decimal128(p, s) => Arc::new(
            Decimal128Array::from_iter(cells.iter().map(|c| match c {
                Cell::Decimal(v) => Some(*v),
                _ => None,
            }))
            .with_precision_and_scale(*p, *s)?,
        ),
        DataType::Boolean => Arc::new(BooleanArray::from_iter(cells.iter().map(|c| match c {
            Cell::Bool(v) => Some(*v),
            _ => None,
        }))),
        DataType::Date32 => Arc::new(Date32Array::from_iter(cells.iter().map(|c| match c {
            Cell::Date(v) => Some(*v),
            _ => None,
        }))),
        DataType::Timestamp(_, _) => Arc::new(TimestampMillisecondArray::from_iter(cells.iter().map(|c| match c {
            Cell::Timestamp(v) => Some(*v),
            _ => None,
        }))),
        DataType::Binary => Arc::new(BinaryArray::from_iter(cells.iter().map(|c| match c {
            Cell::Bytes(v) => Some(v.as_slice()),
            _ => None,
        }))),
        DataType::List(field) => {
            let items: Vec<&Cell> = cells
                .iter()
                .flat_map(|c| match c {
                    Cell::List(items) => items.as_slice(),
                    _ => &[],
                })
                .collect();
            let lengths: Vec<usize> = cells
                .iter()
                .map(|c| match c {
                    Cell::List(items) => items.len(),
                    _ => 0,
                })
                .collect();
            Arc::new(ListArray::try_new(
                field.clone(),
                offsets(&lengths)?.finish(),
                array(field.data_type(), &items)?,
                nulls(cells).finish(),
            )?)
        }
        DataType::Map(entries, sorted) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(ArrowError::SchemaError(format!(
                    "map entries of type {}",
                    entries.data_type()
                )));
            };
            let (Some(kf), Some(vf)) = (kv.first(), kv.get(1)) else {
                return Err(ArrowError::SchemaError("map entries without key and value".into()));
            };
            let pairs: Vec<&(Cell, Cell)> = cells
                .iter()
                .flat_map(|c| match c {
                    Cell::Map(pairs) => pairs.as_slice(),
                    _ => &[],
                })
                .collect();
            let keys: Vec<&Cell> = pairs.iter().map(|(k, _)| k).collect();
            let values: Vec<&Cell> = pairs.iter().map(|(_, v)| v).collect();
            let lengths: Vec<usize> = cells
                .iter()
                .map(|c| match c {
                    Cell::Map(pairs) => pairs.len(),
                    _ => 0,
                })
                .collect();
            let entries_array = StructArray::try_new(
                kv.clone(),
                vec![array(kf.data_type(), &keys)?, array(vf.data_type(), &values)?],
                None,
            )?;
            Arc::new(MapArray::try_new(
                entries.clone(),
                offsets(&lengths)?.finish(),
                entries_array,
                nulls(cells).finish(),
                *sorted,
            )?)
        }
        DataType::Struct(fields) => {
            let children = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let child: Vec<&Cell> = cells
                        .iter()
                        .map(|c| match c {
                            Cell::Struct(values) => values.get(i).unwrap_or(&NULL),
                            _ => &NULL,
                        })
                        .collect();
                    array(f.data_type(), &child)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(StructArray::try_new_with_length(
                fields.clone(),
                children,
                nulls(cells).finish(),
                cells.len(),
            )?)
        }
        other => {
            return Err(ArrowError::NotYetImplemented(format!("writing {other}")));
        }
    })
}
