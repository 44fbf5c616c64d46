//! Helpers the array-shaped Trino functions share: list types, list
//! arguments whatever list type they came as, and the bound on what one
//! call may produce.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, ListArray, PrimitiveArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType, Field, FieldRef, Int64Type};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};

use super::udf::invalid;

/// A list type's element field.
pub(super) fn element_field(list: &DataType) -> Option<FieldRef> {
    match list {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(Arc::clone(f)),
        _ => None,
    }
}

/// A map type's key and value fields.
pub(super) fn entry_fields(map: &DataType) -> Option<(FieldRef, FieldRef)> {
    match map {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(f) if f.len() == 2 => Some((Arc::clone(&f[0]), Arc::clone(&f[1]))),
            _ => None,
        },
        _ => None,
    }
}

/// A map column of the map type `ret`: its keys and values, where each
/// row's entries start (`offsets`, one more than the rows), and which rows
/// are NULL.
pub(super) fn map_array(
    ret: &DataType,
    offsets: Vec<i32>,
    keys: ArrayRef,
    values: ArrayRef,
    nulls: Option<datafusion::arrow::buffer::NullBuffer>,
) -> Result<ArrayRef> {
    let DataType::Map(entries_field, _) = ret else {
        return exec_err!("expected a map type, not {ret}");
    };
    let DataType::Struct(entry_fields) = entries_field.data_type() else {
        return exec_err!("map entries are not a struct: {ret}");
    };
    let entries = datafusion::arrow::array::StructArray::try_new(entry_fields.clone(), vec![keys, values], None)?;
    Ok(Arc::new(datafusion::arrow::array::MapArray::try_new(
        Arc::clone(entries_field),
        datafusion::arrow::buffer::OffsetBuffer::new(offsets.into()),
        entries,
        nulls,
        false,
    )?))
}

/// The most elements (and nested arrays) one call may produce across its
/// batch: the memory pool does not see a scalar function's output, and
/// `ngrams` or `combinations` can dwarf their input.
pub(super) const MAX_ELEMENTS: usize = 10_000_000;

pub(super) fn list_field(t: DataType) -> FieldRef {
    Arc::new(Field::new("item", t, true))
}

pub(super) fn list_of(t: DataType) -> DataType {
    DataType::List(list_field(t))
}

/// The element type of an array argument; the NULL literal counts as an
/// array of unknown.
pub(super) fn element_type(t: &DataType) -> Option<DataType> {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(f.data_type().clone()),
        DataType::Null => Some(DataType::Null),
        _ => None,
    }
}

pub(super) fn unexpected<T>(args: &[DataType], name: &str) -> Result<T> {
    let given: Vec<&str> = args.iter().map(|t| crate::types::athena_type(t).0).collect();
    plan_err!("Unexpected parameters ({}) for function {name}", given.join(", "))
}

/// `array(array(T))` for an `array(T)` argument.
pub(super) fn array_of_arrays(args: &[DataType], name: &str) -> Result<DataType> {
    match args.first().and_then(element_type) {
        Some(e) => Ok(list_of(list_of(e))),
        None => unexpected(args, name),
    }
}

/// `array(T)` for an `array(T)` argument.
pub(super) fn array_like(args: &[DataType], name: &str) -> Result<DataType> {
    match args.first().and_then(element_type) {
        Some(e) => Ok(list_of(e)),
        None => unexpected(args, name),
    }
}

pub(super) fn primitive<T: ArrowPrimitiveType>(a: &ArrayRef) -> Result<&PrimitiveArray<T>> {
    a.as_primitive_opt::<T>()
        .ok_or_else(|| DataFusionError::Internal(format!("expected {}, got {}", T::DATA_TYPE, a.data_type())))
}

/// A coerced integer argument.
pub(super) fn ints(a: &ArrayRef) -> Result<&Int64Array> {
    primitive::<Int64Type>(a)
}

/// An array argument as a `List` of its elements, whichever list type it
/// came as; `None` for the NULL literal.
pub(super) fn lists(a: &ArrayRef) -> Result<Option<ListArray>> {
    let Some(element) = element_type(a.data_type()) else {
        return exec_err!("expected an array, got {}", a.data_type());
    };
    if a.data_type().is_null() {
        return Ok(None);
    }
    list_as(a, element)
}

pub(super) fn list_as(a: &ArrayRef, element: DataType) -> Result<Option<ListArray>> {
    let c = cast(a, &list_of(element))?;
    match c.as_list_opt::<i32>() {
        Some(l) => Ok(Some(l.clone())),
        None => exec_err!("expected a list, got {}", c.data_type()),
    }
}

/// Row `row`'s first element and length, from a list's offsets.
pub(super) fn span(offsets: &[i32], row: usize) -> (usize, usize) {
    let at = |i: usize| usize::try_from(offsets.get(i).copied().unwrap_or(0)).unwrap_or(0);
    let (start, end) = (at(row), at(row + 1));
    (start, end.saturating_sub(start))
}

/// An Arrow offset; counts stay under [`MAX_ELEMENTS`], far below `i32::MAX`.
pub(super) fn offset(n: usize) -> Result<i32> {
    i32::try_from(n).map_err(|_| invalid(format!("result of {n} elements is too large")))
}

pub(super) fn too_many(name: &str) -> DataFusionError {
    invalid(format!(
        "{name} would produce more than {MAX_ELEMENTS} elements in one call"
    ))
}
