//! Trino's higher-order functions over maps and pairs of arrays:
//! `transform_values`, `transform_keys` and `map_filter` call their lambda
//! with each entry's key and value; `map_zip_with` with each key of two maps
//! and its values (NULL where a map lacks the key); `zip_with` with the
//! elements of two arrays at one position (the shorter padded with NULL);
//! `array_sort(a, (x, y) -> ...)` with pairs of elements to compare; and
//! `regexp_replace(s, pattern, x -> ...)` with each match's groups. Each
//! lambda runs once over every entry, position, pair or match of the batch,
//! its captured columns spread to the row each one came from.
//! `trino_array_sort_by` and `trino_regexp_replace_fn` are the names the
//! rewrite gives the lambda forms of `array_sort` and `regexp_replace`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray, MapArray, UInt32Array};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{can_cast_types, filter, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature, HigherOrderUDF,
    HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::lists::{element_field, entry_fields, map_array};
use super::udf::invalid;
use crate::types::map_of;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    TransformValues,
    TransformKeys,
    MapFilter,
    ZipWith,
    MapZipWith,
    SortBy,
    RegexpReplace,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Lambda {
    kind: Kind,
    signature: HigherOrderSignature,
}

pub fn udfs() -> Vec<HigherOrderUDF> {
    let value_then_lambda = || {
        HigherOrderSignature::exact(
            vec![ValueOrLambda::Value(()), ValueOrLambda::Lambda(())],
            Volatility::Immutable,
        )
    };
    let mut out: Vec<HigherOrderUDF> = [Kind::TransformValues, Kind::TransformKeys, Kind::MapFilter]
        .into_iter()
        .map(|kind| {
            HigherOrderUDF::new_from_impl(Lambda {
                kind,
                signature: value_then_lambda(),
            })
        })
        .collect();
    let two_values_then_lambda = || {
        HigherOrderSignature::exact(
            vec![
                ValueOrLambda::Value(()),
                ValueOrLambda::Value(()),
                ValueOrLambda::Lambda(()),
            ],
            Volatility::Immutable,
        )
    };
    for kind in [Kind::ZipWith, Kind::MapZipWith, Kind::RegexpReplace] {
        out.push(HigherOrderUDF::new_from_impl(Lambda {
            kind,
            signature: two_values_then_lambda(),
        }));
    }
    out.push(HigherOrderUDF::new_from_impl(Lambda {
        kind: Kind::SortBy,
        signature: value_then_lambda(),
    }));
    out
}

/// Pairs of elements one `array_sort` comparator may be asked about across a
/// batch: it compares every pair of a row's elements, so a row of n elements
/// costs n² evaluations.
const MAX_COMPARISONS: usize = 10_000_000;

impl Lambda {
    fn unexpected(&self, given: &[&DataType]) -> datafusion::error::DataFusionError {
        let names: Vec<&str> = given.iter().map(|t| crate::types::athena_type(t).0).collect();
        datafusion::error::DataFusionError::Plan(format!(
            "Unexpected parameters ({}) for function {}",
            names.join(", "),
            self.name()
        ))
    }
}

impl HigherOrderUDFImpl for Lambda {
    fn name(&self) -> &str {
        match self.kind {
            Kind::TransformValues => "transform_values",
            Kind::TransformKeys => "transform_keys",
            Kind::MapFilter => "map_filter",
            Kind::ZipWith => "zip_with",
            Kind::MapZipWith => "map_zip_with",
            Kind::SortBy => "trino_array_sort_by",
            Kind::RegexpReplace => "trino_regexp_replace_fn",
        }
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let ok = match self.kind {
            Kind::ZipWith | Kind::SortBy => arg_types.iter().all(|t| t.is_null() || element_field(t).is_some()),
            Kind::RegexpReplace => arg_types
                .iter()
                .all(|t| t.is_null() || can_cast_types(t, &DataType::Utf8)),
            _ => arg_types.iter().all(|t| t.is_null() || entry_fields(t).is_some()),
        };
        if !ok {
            return Err(self.unexpected(&arg_types.iter().collect::<Vec<_>>()));
        }
        // Lists of any kind are taken as plain lists.
        Ok(arg_types
            .iter()
            .map(|t| match (self.kind, element_field(t)) {
                (Kind::ZipWith | Kind::SortBy, Some(f)) => DataType::List(f),
                (Kind::RegexpReplace, _) => DataType::Utf8,
                _ => t.clone(),
            })
            .collect())
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let unknown = || Arc::new(Field::new("", DataType::Null, true));
        let params = match (self.kind, fields) {
            (Kind::SortBy, [ValueOrLambda::Value(a), _]) => {
                let f = element_field(a.data_type())
                    .map_or_else(unknown, |f| Arc::new(f.as_ref().clone().with_nullable(true)));
                vec![Arc::clone(&f), f]
            }
            (Kind::RegexpReplace, _) => vec![Arc::new(Field::new(
                "",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ))],
            (Kind::MapZipWith, [ValueOrLambda::Value(a), ValueOrLambda::Value(b), _]) => {
                match (entry_fields(a.data_type()), entry_fields(b.data_type())) {
                    (Some((k, v1)), Some((_, v2))) => vec![
                        k,
                        Arc::new(v1.as_ref().clone().with_nullable(true)),
                        Arc::new(v2.as_ref().clone().with_nullable(true)),
                    ],
                    _ => vec![unknown(), unknown(), unknown()],
                }
            }
            (Kind::ZipWith, [ValueOrLambda::Value(a), ValueOrLambda::Value(b), _]) => {
                let nullable =
                    |f: Option<FieldRef>| f.map_or_else(unknown, |f| Arc::new(f.as_ref().clone().with_nullable(true)));
                vec![
                    nullable(element_field(a.data_type())),
                    nullable(element_field(b.data_type())),
                ]
            }
            (_, [ValueOrLambda::Value(m), _]) => match entry_fields(m.data_type()) {
                Some((k, v)) => vec![k, v],
                None => vec![unknown(), unknown()],
            },
            _ => return plan_err!("{} takes its values, then a lambda", self.name()),
        };
        Ok(LambdaParametersProgress::Complete(vec![params]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs<'_>) -> Result<FieldRef> {
        let value = |i: usize| match args.arg_fields.get(i) {
            Some(ValueOrLambda::Value(f)) => Some(f.data_type().clone()),
            _ => None,
        };
        let lambda = match args.arg_fields.last() {
            Some(ValueOrLambda::Lambda(f)) => f.data_type().clone(),
            _ => return plan_err!("{} takes a lambda last", self.name()),
        };
        let map = value(0).unwrap_or(DataType::Null);
        let returns = match self.kind {
            Kind::ZipWith => DataType::List(Arc::new(Field::new("item", lambda, true))),
            Kind::SortBy => map,
            Kind::RegexpReplace => DataType::Utf8,
            Kind::MapZipWith => match entry_fields(&map) {
                Some((k, _)) => map_of(k.data_type().clone(), lambda),
                None => DataType::Null,
            },
            Kind::MapFilter => map,
            Kind::TransformValues => match entry_fields(&map) {
                Some((k, _)) => map_of(k.data_type().clone(), lambda),
                None => DataType::Null,
            },
            Kind::TransformKeys => match entry_fields(&map) {
                Some((_, v)) => map_of(lambda, v.data_type().clone()),
                None => DataType::Null,
            },
        };
        Ok(Arc::new(Field::new("", returns, true)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let returns = args.return_field.data_type().clone();
        if matches!(self.kind, Kind::ZipWith | Kind::MapZipWith | Kind::RegexpReplace) {
            let [a, b, f] = take_function_args(self.name(), &args.args)?;
            let (ValueOrLambda::Value(a), ValueOrLambda::Value(b), ValueOrLambda::Lambda(f)) = (a, b, f) else {
                return exec_err!("{} takes two values and a lambda", self.name());
            };
            let (a, b) = (a.to_array(n)?, b.to_array(n)?);
            return match self.kind {
                Kind::ZipWith => zip_with(&a, &b, f, &returns),
                Kind::MapZipWith => map_zip_with(&a, &b, f, &returns),
                _ => regexp_replace_fn(&a, &b, f),
            }
            .map(ColumnarValue::Array);
        }
        if self.kind == Kind::SortBy {
            let [a, f] = take_function_args(self.name(), &args.args)?;
            let (ValueOrLambda::Value(a), ValueOrLambda::Lambda(f)) = (a, f) else {
                return exec_err!("array_sort takes an array and a comparator");
            };
            return sort_by(&a.to_array(n)?, f).map(ColumnarValue::Array);
        }
        let [m, f] = take_function_args(self.name(), &args.args)?;
        let (ValueOrLambda::Value(m), ValueOrLambda::Lambda(f)) = (m, f) else {
            return exec_err!("{} takes a map and a lambda", self.name());
        };
        let m = m.to_array(n)?;
        if m.data_type().is_null() {
            return Ok(ColumnarValue::Array(m));
        }
        let Some(map) = m.as_map_opt() else {
            return exec_err!("{} expected a map, got {}", self.name(), m.data_type());
        };
        self.on_entries(map, f, &returns).map(ColumnarValue::Array)
    }
}

/// The row each of `offsets`' elements belongs to.
fn rows_of(offsets: &[i32]) -> UInt32Array {
    offsets
        .windows(2)
        .enumerate()
        .flat_map(|(row, w)| std::iter::repeat_n(row as u32, (w[1] - w[0]).max(0) as usize))
        .collect()
}

fn spread(rows: &UInt32Array) -> impl FnOnce(&[ArrayRef]) -> Result<Vec<ArrayRef>> + '_ {
    move |captures| captures.iter().map(|c| Ok(take(c.as_ref(), rows, None)?)).collect()
}

impl Lambda {
    fn on_entries(&self, map: &MapArray, f: &LambdaArgument, returns: &DataType) -> Result<ArrayRef> {
        // Entries behind a NULL map are not the function's to see.
        let first = map.value_offsets().first().copied().unwrap_or(0) as usize;
        let total = map.value_offsets().last().copied().unwrap_or(0) as usize - first;
        let keys = map.keys().slice(first, total);
        let values = map.values().slice(first, total);
        let offsets: Vec<i32> = map.value_offsets().iter().map(|o| o - first as i32).collect();
        let rows = rows_of(&offsets);
        let (k, v) = (|| Ok(Arc::clone(&keys)), || Ok(Arc::clone(&values)));
        let out = f.evaluate(&[&k, &v], spread(&rows))?.into_array(total)?;
        let (keys, values, offsets) = match self.kind {
            Kind::TransformValues => (keys, out, offsets),
            Kind::TransformKeys => {
                check_keys(&out, &offsets)?;
                (out, values, offsets)
            }
            _ => {
                // A NULL from the predicate drops the entry, as false does.
                let Some(keep) = out.as_boolean_opt() else {
                    return exec_err!("map_filter's lambda must return a boolean");
                };
                let keep: BooleanArray = keep.iter().map(|b| Some(b == Some(true))).collect();
                let mut kept = Vec::with_capacity(offsets.len());
                kept.push(0i32);
                for w in offsets.windows(2) {
                    let n = (w[0]..w[1]).filter(|&i| keep.value(i as usize)).count() as i32;
                    kept.push(kept.last().copied().unwrap_or(0) + n);
                }
                (filter(&keys, &keep)?, filter(&values, &keep)?, kept)
            }
        };
        map_array(returns, offsets, keys, values, map.nulls().cloned())
    }
}

/// New keys must be neither NULL nor repeated within a map, as Trino requires.
fn check_keys(keys: &ArrayRef, offsets: &[i32]) -> Result<()> {
    if keys.null_count() > 0 {
        return Err(invalid("map key cannot be null"));
    }
    let rows = datafusion::arrow::row::RowConverter::new(vec![datafusion::arrow::row::SortField::new(
        keys.data_type().clone(),
    )])?;
    let converted = rows.convert_columns(std::slice::from_ref(keys))?;
    for w in offsets.windows(2) {
        let mut seen = std::collections::HashSet::new();
        for i in w[0]..w[1] {
            if !seen.insert(converted.row(i as usize)) {
                let shown = datafusion::arrow::util::display::array_value_to_string(keys, i as usize)?;
                return Err(invalid(format!("Duplicate map keys ({shown}) are not allowed")));
            }
        }
    }
    Ok(())
}

/// `zip_with(a, b, f)`: f over the pairs of elements at each position, the
/// shorter array padded with NULL; NULL when either array is.
fn zip_with(a: &ArrayRef, b: &ArrayRef, f: &LambdaArgument, returns: &DataType) -> Result<ArrayRef> {
    let n = a.len();
    let (Some(la), Some(lb)) = (a.as_list_opt::<i32>(), b.as_list_opt::<i32>()) else {
        // A NULL literal array zips to NULL.
        return Ok(datafusion::arrow::array::new_null_array(returns, n));
    };
    let len = |l: &ListArray, r: usize| {
        if l.is_null(r) {
            0
        } else {
            (l.value_offsets()[r + 1] - l.value_offsets()[r]) as usize
        }
    };
    let mut offsets = vec![0i32];
    let (mut ia, mut ib, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..n {
        let m = if la.is_null(r) || lb.is_null(r) {
            0
        } else {
            len(la, r).max(len(lb, r))
        };
        for p in 0..m {
            ia.push((p < len(la, r)).then(|| la.value_offsets()[r] as u32 + p as u32));
            ib.push((p < len(lb, r)).then(|| lb.value_offsets()[r] as u32 + p as u32));
            rows.push(r as u32);
        }
        offsets.push(i32::try_from(ia.len()).map_err(|_| invalid("zip_with result is too large"))?);
    }
    let xs = take(la.values().as_ref(), &UInt32Array::from(ia), None)?;
    let ys = take(lb.values().as_ref(), &UInt32Array::from(ib), None)?;
    let rows = UInt32Array::from(rows);
    let (x, y) = (|| Ok(Arc::clone(&xs)), || Ok(Arc::clone(&ys)));
    let out = f.evaluate(&[&x, &y], spread(&rows))?.into_array(xs.len())?;
    let Some(field) = element_field(returns) else {
        return exec_err!("zip_with returns an array");
    };
    let nulls = NullBuffer::union(la.nulls(), lb.nulls());
    Ok(Arc::new(ListArray::try_new(
        field,
        OffsetBuffer::new(offsets.into()),
        out,
        nulls,
    )?))
}

/// `map_zip_with(m1, m2, (k, v1, v2) -> ...)`: over the keys of `m1` in
/// order, then those only `m2` has; NULL when either map is.
fn map_zip_with(a: &ArrayRef, b: &ArrayRef, f: &LambdaArgument, returns: &DataType) -> Result<ArrayRef> {
    let n = a.len();
    let (Some(ma), Some(mb)) = (a.as_map_opt(), b.as_map_opt()) else {
        return Ok(datafusion::arrow::array::new_null_array(returns, n));
    };
    // Keys compared in one row format: the two maps' key types are the same.
    let converter = datafusion::arrow::row::RowConverter::new(vec![datafusion::arrow::row::SortField::new(
        ma.keys().data_type().clone(),
    )])?;
    let ka = converter.convert_columns(std::slice::from_ref(ma.keys()))?;
    let kb = converter.convert_columns(std::slice::from_ref(mb.keys()))?;
    let (mut picks, mut ia, mut ib, mut rows) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut offsets = vec![0i32];
    for r in 0..n {
        if !(ma.is_null(r) || mb.is_null(r)) {
            let (a0, a1) = (ma.value_offsets()[r] as usize, ma.value_offsets()[r + 1] as usize);
            let (b0, b1) = (mb.value_offsets()[r] as usize, mb.value_offsets()[r + 1] as usize);
            for i in a0..a1 {
                let j = (b0..b1).find(|&j| kb.row(j) == ka.row(i));
                picks.push((0usize, i));
                ia.push(Some(i as u32));
                ib.push(j.map(|j| j as u32));
                rows.push(r as u32);
            }
            for j in b0..b1 {
                if !(a0..a1).any(|i| ka.row(i) == kb.row(j)) {
                    picks.push((1usize, j));
                    ia.push(None);
                    ib.push(Some(j as u32));
                    rows.push(r as u32);
                }
            }
        }
        offsets.push(i32::try_from(ia.len()).map_err(|_| invalid("map_zip_with result is too large"))?);
    }
    let key_values = datafusion::arrow::compute::interleave(&[ma.keys().as_ref(), mb.keys().as_ref()], &picks)?;
    let v1 = take(ma.values().as_ref(), &UInt32Array::from(ia), None)?;
    let v2 = take(mb.values().as_ref(), &UInt32Array::from(ib), None)?;
    let rows = UInt32Array::from(rows);
    let (k, x, y) = (
        || Ok(Arc::clone(&key_values)),
        || Ok(Arc::clone(&v1)),
        || Ok(Arc::clone(&v2)),
    );
    let out = f.evaluate(&[&k, &x, &y], spread(&rows))?.into_array(key_values.len())?;
    map_array(
        returns,
        offsets,
        key_values,
        out,
        NullBuffer::union(ma.nulls(), mb.nulls()),
    )
}

/// `array_sort(a, (x, y) -> ...)`: a stable sort by a comparator answering
/// a negative number, 0 or a positive one. Every pair of a row's elements is
/// compared in one evaluation; the sort then reads the answers.
fn sort_by(a: &ArrayRef, f: &LambdaArgument) -> Result<ArrayRef> {
    if a.data_type().is_null() {
        return Ok(Arc::clone(a));
    }
    let Some(list) = a.as_list_opt::<i32>() else {
        return exec_err!("array_sort expected an array, got {}", a.data_type());
    };
    let offsets = list.value_offsets();
    let len = |r: usize| {
        if list.is_null(r) {
            0
        } else {
            (offsets[r + 1] - offsets[r]).max(0) as usize
        }
    };
    let pairs = (0..list.len()).fold(0usize, |p, r| p.saturating_add(len(r).saturating_mul(len(r))));
    if pairs > MAX_COMPARISONS {
        return Err(invalid(format!(
            "array_sort with a comparator would compare {pairs} pairs of elements; at most {MAX_COMPARISONS} are allowed at once"
        )));
    }
    let (mut left, mut right, mut rows) = (
        Vec::with_capacity(pairs),
        Vec::with_capacity(pairs),
        Vec::with_capacity(pairs),
    );
    for (r, &offset) in offsets[..list.len()].iter().enumerate() {
        let start = offset as usize;
        for i in start..start + len(r) {
            for j in start..start + len(r) {
                left.push(i as u32);
                right.push(j as u32);
                rows.push(r as u32);
            }
        }
    }
    let xs = take(list.values().as_ref(), &UInt32Array::from(left), None)?;
    let ys = take(list.values().as_ref(), &UInt32Array::from(right), None)?;
    let rows = UInt32Array::from(rows);
    let (x, y) = (|| Ok(Arc::clone(&xs)), || Ok(Arc::clone(&ys)));
    let answers = f.evaluate(&[&x, &y], spread(&rows))?.into_array(xs.len())?;
    if answers.null_count() > 0 {
        return Err(invalid("Lambda comparator must return either -1, 0, or 1"));
    }
    let answers = datafusion::arrow::compute::cast(&answers, &DataType::Int64)?;
    let answers = answers.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
    let (mut order, mut out_offsets) = (Vec::with_capacity(list.values().len()), vec![0i32]);
    let mut base = 0usize;
    for (r, &offset) in offsets[..list.len()].iter().enumerate() {
        let (start, n) = (offset as usize, len(r));
        let mut idx: Vec<usize> = (0..n).collect();
        merge_sort(&mut idx, &|i, j| answers.value(base + i * n + j) > 0);
        base += n * n;
        order.extend(idx.into_iter().map(|i| (start + i) as u32));
        out_offsets.push(i32::try_from(order.len()).map_err(|_| invalid("array_sort result is too large"))?);
    }
    let values = take(list.values().as_ref(), &UInt32Array::from(order), None)?;
    let DataType::List(field) = a.data_type() else {
        return exec_err!("array_sort expected an array, got {}", a.data_type());
    };
    Ok(Arc::new(ListArray::try_new(
        Arc::clone(field),
        OffsetBuffer::new(out_offsets.into()),
        values,
        list.nulls().cloned(),
    )?))
}

/// A stable merge sort of `idx`, where `after(i, j)` says `i` goes after
/// `j`: it ends whatever a comparator answers (Rust's own sorts may panic on
/// an order that is not total, and a user's lambda need not be).
fn merge_sort(idx: &mut Vec<usize>, after: &dyn Fn(usize, usize) -> bool) {
    let n = idx.len();
    let mut buf = idx.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                if after(idx[i], idx[j]) {
                    buf[k] = idx[j];
                    j += 1;
                } else {
                    buf[k] = idx[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - i)].copy_from_slice(&idx[i..mid]);
            k += mid - i;
            buf[k..k + (end - j)].copy_from_slice(&idx[j..end]);
            start = end;
        }
        std::mem::swap(idx, &mut buf);
        width *= 2;
    }
}

/// `regexp_replace(s, pattern, x -> ...)`: each match replaced by what the
/// function makes of its groups (`x[1]` is the first, an unmatched group
/// NULL); a NULL replacement makes the result NULL.
fn regexp_replace_fn(s: &ArrayRef, p: &ArrayRef, f: &LambdaArgument) -> Result<ArrayRef> {
    let (Some(s), Some(p)) = (s.as_string_opt::<i32>(), p.as_string_opt::<i32>()) else {
        return Ok(datafusion::arrow::array::new_null_array(&DataType::Utf8, s.len()));
    };
    let mut patterns = super::regex::Patterns::default();
    // Each match: its row and its byte range; its groups go to `groups`.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut groups = datafusion::arrow::array::ListBuilder::new(datafusion::arrow::array::StringBuilder::new());
    let mut rows = Vec::new();
    for r in 0..s.len() {
        if s.is_null(r) || p.is_null(r) {
            continue;
        }
        let re = patterns.get(p.value(r))?;
        for caps in re.captures_iter(s.value(r)) {
            let Some(whole) = caps.get(0) else { continue };
            spans.push((r, whole.start(), whole.end()));
            for g in caps.iter().skip(1) {
                groups.values().append_option(g.map(|m| m.as_str()));
            }
            groups.append(true);
            rows.push(r as u32);
            if spans.len() > MAX_COMPARISONS {
                return Err(invalid("regexp_replace would replace too many matches at once"));
            }
        }
    }
    let groups: ArrayRef = Arc::new(groups.finish());
    let rows = UInt32Array::from(rows);
    let g = || Ok(Arc::clone(&groups));
    let out = f.evaluate(&[&g], spread(&rows))?.into_array(spans.len())?;
    let out = datafusion::arrow::compute::cast(&out, &DataType::Utf8)?;
    let out = out.as_string::<i32>();
    let mut result = datafusion::arrow::array::StringBuilder::new();
    let mut m = 0;
    for r in 0..s.len() {
        if s.is_null(r) || p.is_null(r) {
            result.append_null();
            continue;
        }
        let text = s.value(r);
        let mut replaced = Some(String::with_capacity(text.len()));
        let mut at = 0;
        while m < spans.len() && spans[m].0 == r {
            let (_, start, end) = spans[m];
            if let Some(acc) = replaced.as_mut() {
                acc.push_str(&text[at..start]);
                if out.is_null(m) {
                    replaced = None;
                } else {
                    acc.push_str(out.value(m));
                }
            }
            at = end;
            m += 1;
        }
        match replaced {
            Some(mut acc) => {
                acc.push_str(&text[at..]);
                result.append_value(acc);
            }
            None => result.append_null(),
        }
    }
    Ok(Arc::new(result.finish()))
}
