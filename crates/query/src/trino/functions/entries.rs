//! Trino's functions that build maps and rows out of arrays:
//! `map_from_entries`, `multimap_from_entries` and `zip`, with Trino's
//! errors for NULL entries, NULL keys and repeated keys.
//!
//! Entries arrive as DataFusion structs of two fields (`(1, 'x')` is a
//! struct `{c0, c1}`); the field names do not matter, their positions do.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, StructArray, UInt64Array, new_null_array};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::arrow::row::{RowConverter, Rows, SortField};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;

use super::lists::*;
use super::udf::{Arg, Fun, Returns, invalid};

/// Trino defines `zip` for two to five arrays.
const ZIP_MIN_ARITY: usize = 2;
const ZIP_MAX_ARITY: usize = 5;

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "map_from_entries",
            &[Arg::Any],
            Returns::Computed(map_type),
            map_from_entries,
        )
        .udf(),
        Fun::new(
            "multimap_from_entries",
            &[Arg::Any],
            Returns::Computed(multimap_type),
            multimap_from_entries,
        )
        .udf(),
        Fun::new("zip", &[Arg::Any, Arg::Any], Returns::Computed(zip_type), zip)
            .variadic()
            .udf(),
    ]
}

/// `K` and `V` of an `array(row(K, V))` argument; the NULL literal and an
/// array of unknown (`ARRAY[]`) give unknown for both.
fn entry_types(args: &[DataType], name: &str) -> Result<(DataType, DataType)> {
    match args.first().and_then(element_type) {
        Some(DataType::Struct(fields)) if fields.len() == 2 => {
            Ok((fields[0].data_type().clone(), fields[1].data_type().clone()))
        }
        Some(DataType::Null) => Ok((DataType::Null, DataType::Null)),
        _ => unexpected(args, name),
    }
}

fn map_type(args: &[DataType]) -> Result<DataType> {
    let (k, v) = entry_types(args, "map_from_entries")?;
    Ok(crate::types::map_of(k, v))
}

fn multimap_type(args: &[DataType]) -> Result<DataType> {
    let (k, v) = entry_types(args, "multimap_from_entries")?;
    Ok(crate::types::map_of(k, list_of(v)))
}

fn is_null_at(nulls: &Option<NullBuffer>, i: usize) -> bool {
    nulls.as_ref().is_some_and(|n| n.is_null(i))
}

/// One array-of-entries argument taken apart: the list, and its elements'
/// keys, values and NULLs. An array of unknown (`ARRAY[]`, `ARRAY[NULL]`)
/// has NULL keys and values, which only matter if there is an entry.
struct Entries {
    list: ListArray,
    keys: ArrayRef,
    values: ArrayRef,
    /// NULL entries (rows), as opposed to entries whose key is NULL.
    entry_nulls: Option<NullBuffer>,
    key_nulls: Option<NullBuffer>,
    /// The keys in row format, to compare them by bytes; none for keys of
    /// type unknown, which are all NULL.
    key_rows: Option<Rows>,
}

impl Entries {
    /// `None` for the NULL literal.
    fn of(a: &ArrayRef, name: &str) -> Result<Option<Entries>> {
        let Some(list) = lists(a)? else {
            return Ok(None);
        };
        let elements = list.values();
        let (keys, values) = match elements.as_struct_opt() {
            Some(s) if s.num_columns() == 2 => (Arc::clone(s.column(0)), Arc::clone(s.column(1))),
            Some(_) => return exec_err!("{name} takes an array of rows of two fields"),
            None if elements.data_type().is_null() => {
                let unknown = new_null_array(&DataType::Null, elements.len());
                (Arc::clone(&unknown), unknown)
            }
            None => return exec_err!("{name} takes an array of rows, not {}", a.data_type()),
        };
        let entry_nulls = elements.logical_nulls();
        let key_nulls = keys.logical_nulls();
        let key_rows = if keys.data_type().is_null() {
            None
        } else {
            let converter = RowConverter::new(vec![SortField::new(keys.data_type().clone())])?;
            Some(converter.convert_columns(&[Arc::clone(&keys)])?)
        };
        Ok(Some(Entries {
            list,
            keys,
            values,
            entry_nulls,
            key_nulls,
            key_rows,
        }))
    }

    /// Trino's checks on entry `i`: neither it nor its key may be NULL.
    fn check(&self, i: usize) -> Result<()> {
        if is_null_at(&self.entry_nulls, i) {
            return Err(invalid("map entry cannot be null"));
        }
        if is_null_at(&self.key_nulls, i) {
            return Err(invalid("map key cannot be null"));
        }
        Ok(())
    }

    /// The bytes key `i` compares by: equal keys, equal bytes. Only called
    /// on entries [`Entries::check`] passed, so the keys are not unknown.
    fn key(&self, i: usize) -> &[u8] {
        match &self.key_rows {
            Some(rows) => rows.row(i).data(),
            None => &[],
        }
    }

    /// The key as Trino quotes it in its duplicate-key error.
    fn shown_key(&self, i: usize) -> String {
        crate::render::value(&self.keys, i).unwrap_or_else(|| "null".into())
    }
}

fn picks(indices: Vec<u64>) -> UInt64Array {
    UInt64Array::from(indices)
}

/// `map_from_entries(array(row(K, V)))`: a map of the entries in order;
/// NULL for a NULL array.
fn map_from_entries(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let Some(e) = Entries::of(&args[0], "map_from_entries")? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let offsets = e.list.value_offsets();
    let mut chosen: Vec<u64> = Vec::new();
    let mut map_offsets = Vec::with_capacity(e.list.len() + 1);
    map_offsets.push(0i32);
    let mut valid = Vec::with_capacity(e.list.len());
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for row in 0..e.list.len() {
        let present = !e.list.is_null(row);
        if present {
            seen.clear();
            let (start, len) = span(offsets, row);
            if chosen.len().saturating_add(len) > MAX_ELEMENTS {
                return Err(too_many("map_from_entries"));
            }
            for i in start..start + len {
                e.check(i)?;
                if !seen.insert(e.key(i)) {
                    return Err(invalid(format!(
                        "Duplicate map keys ({}) are not allowed",
                        e.shown_key(i)
                    )));
                }
                chosen.push(i as u64);
            }
        }
        map_offsets.push(offset(chosen.len())?);
        valid.push(present);
    }
    let indices = picks(chosen);
    let keys = take(e.keys.as_ref(), &indices, None)?;
    let values = take(e.values.as_ref(), &indices, None)?;
    map_array(ret, map_offsets, keys, values, Some(NullBuffer::from(valid)))
}

/// `multimap_from_entries(array(row(K, V)))`: each distinct key, in the
/// order it first appears, with the array of its values in entry order.
fn multimap_from_entries(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let value_type = match ret {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) => kv.get(1).map(|f| f.data_type().clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(DataType::List(item_field)) = value_type else {
        return exec_err!("multimap_from_entries returns a map of arrays");
    };
    let Some(e) = Entries::of(&args[0], "multimap_from_entries")? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let offsets = e.list.value_offsets();
    // The entry standing for each key, and every entry's value grouped by key.
    let mut key_picks: Vec<u64> = Vec::new();
    let mut value_picks: Vec<u64> = Vec::new();
    let mut value_offsets = vec![0i32];
    let mut map_offsets = Vec::with_capacity(e.list.len() + 1);
    map_offsets.push(0i32);
    let mut valid = Vec::with_capacity(e.list.len());
    let mut groups: Vec<Vec<u64>> = Vec::new();
    let mut slots: HashMap<&[u8], usize> = HashMap::new();
    for row in 0..e.list.len() {
        let present = !e.list.is_null(row);
        if present {
            groups.clear();
            slots.clear();
            let (start, len) = span(offsets, row);
            // Each entry yields one value and at most one key and array.
            let bound = key_picks
                .len()
                .saturating_add(value_picks.len())
                .saturating_add(len.saturating_mul(2));
            if bound > MAX_ELEMENTS {
                return Err(too_many("multimap_from_entries"));
            }
            for i in start..start + len {
                e.check(i)?;
                let slot = *slots.entry(e.key(i)).or_insert(groups.len());
                if slot == groups.len() {
                    // First seen here: this entry stands for its key.
                    key_picks.push(i as u64);
                    groups.push(Vec::new());
                }
                if let Some(g) = groups.get_mut(slot) {
                    g.push(i as u64);
                }
            }
            for g in &groups {
                value_picks.extend_from_slice(g);
                value_offsets.push(offset(value_picks.len())?);
            }
        }
        map_offsets.push(offset(key_picks.len())?);
        valid.push(present);
    }
    let keys = take(e.keys.as_ref(), &picks(key_picks), None)?;
    let values = take(e.values.as_ref(), &picks(value_picks), None)?;
    let value_arrays = ListArray::try_new(item_field, OffsetBuffer::new(value_offsets.into()), values, None)?;
    map_array(
        ret,
        map_offsets,
        keys,
        Arc::new(value_arrays),
        Some(NullBuffer::from(valid)),
    )
}

/// `array(row(field0 T1, field1 T2, ...))`: Trino's rows from `zip` are
/// anonymous, which Athena prints with the names `field0`, `field1`, ...
fn zip_type(args: &[DataType]) -> Result<DataType> {
    if !(ZIP_MIN_ARITY..=ZIP_MAX_ARITY).contains(&args.len()) {
        return unexpected(args, "zip");
    }
    let mut fields = Vec::with_capacity(args.len());
    for (i, t) in args.iter().enumerate() {
        let Some(element) = element_type(t) else {
            return unexpected(args, "zip");
        };
        fields.push(Field::new(format!("field{i}"), element, true));
    }
    Ok(list_of(DataType::Struct(Fields::from(fields))))
}

/// `zip(array1, array2, ...)`: the arrays' elements side by side, the
/// shorter ones padded with NULL; NULL when any array is NULL.
fn zip(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let DataType::List(item_field) = ret else {
        return exec_err!("zip returns an array, not {ret}");
    };
    let DataType::Struct(row_fields) = item_field.data_type() else {
        return exec_err!("zip returns an array of rows, not {ret}");
    };
    let rows = args.first().map_or(0, |a| a.len());
    let mut arrays = Vec::with_capacity(args.len());
    for a in args {
        match lists(a)? {
            Some(l) => arrays.push(l),
            // A NULL literal argument makes every row NULL.
            None => return Ok(new_null_array(ret, rows)),
        }
    }
    // Per argument, the element at each output position, or None to pad.
    let mut chosen: Vec<Vec<Option<u64>>> = vec![Vec::new(); arrays.len()];
    let mut out_offsets = Vec::with_capacity(rows + 1);
    out_offsets.push(0i32);
    let mut valid = Vec::with_capacity(rows);
    let mut produced = 0usize;
    for row in 0..rows {
        let present = arrays.iter().all(|l| !l.is_null(row));
        if present {
            let spans: Vec<(usize, usize)> = arrays.iter().map(|l| span(l.value_offsets(), row)).collect();
            let longest = spans.iter().map(|s| s.1).max().unwrap_or(0);
            produced = produced.saturating_add(longest);
            if produced.saturating_mul(arrays.len()) > MAX_ELEMENTS {
                return Err(too_many("zip"));
            }
            for (column, &(start, len)) in chosen.iter_mut().zip(&spans) {
                column.extend((0..longest).map(|j| (j < len).then(|| (start + j) as u64)));
            }
        }
        out_offsets.push(offset(produced)?);
        valid.push(present);
    }
    let mut columns = Vec::with_capacity(arrays.len());
    for (l, indices) in arrays.iter().zip(chosen) {
        columns.push(take(l.values().as_ref(), &UInt64Array::from(indices), None)?);
    }
    let elements = StructArray::try_new(row_fields.clone(), columns, None)?;
    let out = ListArray::try_new(
        Arc::clone(item_field),
        OffsetBuffer::new(out_offsets.into()),
        Arc::new(elements),
        Some(NullBuffer::from(valid)),
    )?;
    Ok(Arc::new(out))
}
