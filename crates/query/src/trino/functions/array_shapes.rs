//! Trino's array functions that reshape an array: `ngrams`, `combinations`,
//! `trim_array` and `array_histogram`, with Trino's bounds and errors.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array, ListArray, UInt64Array, new_null_array};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::lists::*;
use super::udf::{Arg, Fun, Returns, invalid};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "ngrams",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| array_of_arrays(a, "ngrams")),
            ngrams,
        )
        .udf(),
        Fun::new(
            "combinations",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| array_of_arrays(a, "combinations")),
            combinations,
        )
        .udf(),
        Fun::new(
            "trim_array",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| array_like(a, "trim_array")),
            trim_array,
        )
        .udf(),
        Fun::new(
            "array_histogram",
            &[Arg::Any],
            Returns::Computed(histogram_type),
            array_histogram,
        )
        .udf(),
    ]
}

/// Arrays of arrays whose elements are picked, by index, from one list
/// column's elements.
struct Nested {
    name: &'static str,
    picks: Vec<u64>,
    inner: Vec<i32>,
    outer: Vec<i32>,
    valid: Vec<bool>,
}

impl Nested {
    fn new(name: &'static str, rows: usize) -> Self {
        let mut outer = Vec::with_capacity(rows + 1);
        outer.push(0);
        Nested {
            name,
            picks: Vec::new(),
            inner: vec![0],
            outer,
            valid: Vec::with_capacity(rows),
        }
    }

    /// Refuses a row of `groups` inner arrays holding `elements` in all
    /// before any of it is built.
    fn admit(&self, groups: usize, elements: usize) -> Result<()> {
        let total = self
            .picks
            .len()
            .saturating_add(elements)
            .saturating_add(self.inner.len())
            .saturating_add(groups);
        if total > MAX_ELEMENTS {
            return Err(too_many(self.name));
        }
        Ok(())
    }

    /// One inner array of the current row.
    fn group(&mut self, elements: impl Iterator<Item = usize>) -> Result<()> {
        self.picks.extend(elements.map(|i| i as u64));
        if self.picks.len() + self.inner.len() > MAX_ELEMENTS {
            return Err(too_many(self.name));
        }
        self.inner.push(offset(self.picks.len())?);
        Ok(())
    }

    /// Closes the current row: its inner arrays, or NULL.
    fn end_row(&mut self, valid: bool) -> Result<()> {
        self.outer.push(offset(self.inner.len() - 1)?);
        self.valid.push(valid);
        Ok(())
    }

    fn finish(self, values: &ArrayRef) -> Result<ArrayRef> {
        let element = values.data_type().clone();
        let picked = take(values.as_ref(), &UInt64Array::from(self.picks), None)?;
        let inner = ListArray::try_new(list_field(element), OffsetBuffer::new(self.inner.into()), picked, None)?;
        let outer = ListArray::try_new(
            list_field(inner.data_type().clone()),
            OffsetBuffer::new(self.outer.into()),
            Arc::new(inner),
            Some(NullBuffer::from(self.valid)),
        )?;
        Ok(Arc::new(outer))
    }
}

/// `ngrams(array, n)`: the runs of `n` adjacent elements, in order; the whole
/// array as the one gram when it is shorter than `n`.
fn ngrams(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let Some(list) = lists(&args[0])? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let n = ints(&args[1])?;
    let offsets = list.value_offsets();
    let mut out = Nested::new("ngrams", list.len());
    for row in 0..list.len() {
        if list.is_null(row) || n.is_null(row) {
            out.end_row(false)?;
            continue;
        }
        let k = n.value(row);
        if k <= 0 {
            return Err(invalid("N must be positive"));
        }
        let (start, len) = span(offsets, row);
        // An empty array gives one empty gram, as in Trino.
        let k = usize::try_from(k).unwrap_or(usize::MAX).min(len);
        let grams = len - k + 1;
        out.admit(grams, grams.saturating_mul(k))?;
        for first in start..=start + (len - k) {
            out.group(first..first + k)?;
        }
        out.end_row(true)?;
    }
    out.finish(list.values())
}

/// Trino's bounds on `combinations`.
const MAX_COMBINATION_LENGTH: i64 = 5;
const MAX_COMBINATION_ELEMENTS: i64 = 100_000;

/// `combinations(array, n)`: the `n`-element sub-groups by position, in
/// Trino's order (each next combination advances its lowest index that can
/// move and resets the ones below it).
fn combinations(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let Some(list) = lists(&args[0])? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let n = ints(&args[1])?;
    let offsets = list.value_offsets();
    let mut out = Nested::new("combinations", list.len());
    for row in 0..list.len() {
        if list.is_null(row) || n.is_null(row) {
            out.end_row(false)?;
            continue;
        }
        let k = n.value(row);
        if k < 0 {
            return Err(invalid(format!("combination size must not be negative: {k}")));
        }
        if k > MAX_COMBINATION_LENGTH {
            return Err(invalid(format!(
                "combination size must not exceed {MAX_COMBINATION_LENGTH}: {k}"
            )));
        }
        let k = usize::try_from(k).unwrap_or(0);
        let (start, len) = span(offsets, row);
        if k > len {
            out.end_row(true)?;
            continue;
        }
        let count = combination_count(len, k)?;
        if count * k as i64 > MAX_COMBINATION_ELEMENTS {
            return Err(invalid("combinations exceed max size"));
        }
        let groups = usize::try_from(count).unwrap_or(usize::MAX);
        out.admit(groups, groups.saturating_mul(k))?;
        // Indexes of the current combination, then the array's length as a sentinel.
        let mut c: Vec<usize> = (0..k).collect();
        c.push(len);
        loop {
            out.group(c[..k].iter().map(|i| start + i))?;
            if !next_combination(&mut c, k) {
                break;
            }
        }
        out.end_row(true)?;
    }
    out.finish(list.values())
}

/// C(len, k) in Trino's 32-bit arithmetic, with its error where that overflows.
fn combination_count(len: usize, k: usize) -> Result<i64> {
    let too_large = || {
        invalid(format!(
            "Number of combinations too large for array of size {len} and combination length {k}"
        ))
    };
    let mut count: i32 = 1;
    for i in 1..=k {
        let factor = i32::try_from(len - k + i).map_err(|_| too_large())?;
        let divisor = i32::try_from(i).map_err(|_| too_large())?;
        count = count.checked_mul(factor).ok_or_else(too_large)? / divisor;
    }
    Ok(i64::from(count))
}

fn next_combination(c: &mut [usize], k: usize) -> bool {
    for i in 0..k {
        if c[i] + 1 < c[i + 1] {
            c[i] += 1;
            for (j, slot) in c.iter_mut().enumerate().take(i) {
                *slot = j;
            }
            return true;
        }
    }
    false
}

/// `trim_array(array, n)`: the array without its last `n` elements.
fn trim_array(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let Some(list) = lists(&args[0])? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let sizes = ints(&args[1])?;
    let offsets = list.value_offsets();
    let mut picks: Vec<u64> = Vec::new();
    let mut out_offsets = Vec::with_capacity(list.len() + 1);
    out_offsets.push(0i32);
    let mut valid = Vec::with_capacity(list.len());
    for row in 0..list.len() {
        let present = !list.is_null(row) && !sizes.is_null(row);
        if present {
            let (start, len) = span(offsets, row);
            let size = sizes.value(row);
            if size < 0 {
                return Err(invalid(format!("size must not be negative: {size}")));
            }
            if size > len as i64 {
                return Err(invalid(format!("size must not exceed array cardinality {len}: {size}")));
            }
            let keep = len - usize::try_from(size).unwrap_or(0);
            picks.extend((start..start + keep).map(|i| i as u64));
        }
        out_offsets.push(offset(picks.len())?);
        valid.push(present);
    }
    let values = list.values();
    let picked = take(values.as_ref(), &UInt64Array::from(picks), None)?;
    let out = ListArray::try_new(
        list_field(values.data_type().clone()),
        OffsetBuffer::new(out_offsets.into()),
        picked,
        Some(NullBuffer::from(valid)),
    )?;
    Ok(Arc::new(out))
}

fn histogram_type(args: &[DataType]) -> Result<DataType> {
    match args.first().and_then(element_type) {
        Some(e) => Ok(crate::types::map_of(e, DataType::Int64)),
        None => unexpected(args, "array_histogram"),
    }
}

/// `array_histogram(array)`: each distinct non-NULL element and how often it
/// occurs, in the order of first occurrence.
fn array_histogram(args: &[ArrayRef], ret: &DataType) -> Result<ArrayRef> {
    let Some(list) = lists(&args[0])? else {
        return Ok(new_null_array(ret, args[0].len()));
    };
    let values = list.values();
    // Elements compare by their row-format bytes: equal values, equal bytes.
    // An array of NULLs only has nothing to count.
    let converter;
    let rows = if values.data_type().is_null() {
        None
    } else {
        converter = RowConverter::new(vec![SortField::new(values.data_type().clone())])?;
        Some(converter.convert_columns(&[Arc::clone(values)])?)
    };
    let offsets = list.value_offsets();
    let mut keys: Vec<u64> = Vec::new();
    let mut counts: Vec<i64> = Vec::new();
    let mut map_offsets = Vec::with_capacity(list.len() + 1);
    map_offsets.push(0i32);
    let mut valid = Vec::with_capacity(list.len());
    let mut seen: HashMap<&[u8], usize> = HashMap::new();
    for row in 0..list.len() {
        let present = !list.is_null(row);
        if let (true, Some(rows)) = (present, &rows) {
            seen.clear();
            let (start, len) = span(offsets, row);
            for i in start..start + len {
                if values.is_null(i) {
                    continue;
                }
                let slot = *seen.entry(rows.row(i).data()).or_insert(keys.len());
                if slot == keys.len() {
                    // First seen here: this element stands for its key.
                    keys.push(i as u64);
                    counts.push(0);
                }
                if let Some(c) = counts.get_mut(slot) {
                    *c += 1;
                }
            }
        }
        map_offsets.push(offset(keys.len())?);
        valid.push(present);
    }
    let key_values = take(values.as_ref(), &UInt64Array::from(keys), None)?;
    let counts: ArrayRef = Arc::new(Int64Array::from(counts));
    map_array(ret, map_offsets, key_values, counts, Some(NullBuffer::from(valid)))
}
