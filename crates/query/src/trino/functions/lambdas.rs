//! Trino's higher-order functions over maps and pairs of arrays:
//! `transform_values`, `transform_keys` and `map_filter` call their lambda
//! with each entry's key and value; `zip_with` with the elements of two
//! arrays at one position (the shorter padded with NULL). Each lambda runs
//! once over every entry or position of the batch, its captured columns
//! spread to the row each one came from.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray, MapArray, StructArray, UInt32Array};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{filter, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::utils::take_function_args;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature, HigherOrderUDF,
    HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::udf::invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    TransformValues,
    TransformKeys,
    MapFilter,
    ZipWith,
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
    out.push(HigherOrderUDF::new_from_impl(Lambda {
        kind: Kind::ZipWith,
        signature: HigherOrderSignature::exact(
            vec![
                ValueOrLambda::Value(()),
                ValueOrLambda::Value(()),
                ValueOrLambda::Lambda(()),
            ],
            Volatility::Immutable,
        ),
    }));
    out
}

/// A map's key and value fields.
fn entry_fields(map: &DataType) -> Option<(FieldRef, FieldRef)> {
    match map {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(f) if f.len() == 2 => Some((Arc::clone(&f[0]), Arc::clone(&f[1]))),
            _ => None,
        },
        _ => None,
    }
}

fn element_field(list: &DataType) -> Option<FieldRef> {
    match list {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(Arc::clone(f)),
        _ => None,
    }
}

/// A map type with these key and value types.
fn map_of(key: &DataType, value: &DataType) -> DataType {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("key", key.clone(), false),
            Field::new("value", value.clone(), true),
        ])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

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
        }
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let ok = match self.kind {
            Kind::ZipWith => arg_types.iter().all(|t| t.is_null() || element_field(t).is_some()),
            _ => arg_types.iter().all(|t| t.is_null() || entry_fields(t).is_some()),
        };
        if !ok {
            return Err(self.unexpected(&arg_types.iter().collect::<Vec<_>>()));
        }
        // Lists of any kind are taken as plain lists.
        Ok(arg_types
            .iter()
            .map(|t| match (self.kind, element_field(t)) {
                (Kind::ZipWith, Some(f)) => DataType::List(f),
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
            Kind::MapFilter => map,
            Kind::TransformValues => match entry_fields(&map) {
                Some((k, _)) => map_of(k.data_type(), &lambda),
                None => DataType::Null,
            },
            Kind::TransformKeys => match entry_fields(&map) {
                Some((_, v)) => map_of(&lambda, v.data_type()),
                None => DataType::Null,
            },
        };
        Ok(Arc::new(Field::new("", returns, true)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let returns = args.return_field.data_type().clone();
        if self.kind == Kind::ZipWith {
            let [a, b, f] = take_function_args(self.name(), &args.args)?;
            let (ValueOrLambda::Value(a), ValueOrLambda::Value(b), ValueOrLambda::Lambda(f)) = (a, b, f) else {
                return exec_err!("zip_with takes two arrays and a lambda");
            };
            return zip_with(&a.to_array(n)?, &b.to_array(n)?, f, &returns).map(ColumnarValue::Array);
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
        let Some((key_field, value_field)) = entry_fields(returns) else {
            return exec_err!("{} returns a map", self.name());
        };
        let entries_field = match returns {
            DataType::Map(e, _) => Arc::clone(e),
            _ => return exec_err!("{} returns a map", self.name()),
        };
        let (keys, values, offsets) = match self.kind {
            Kind::TransformValues => (keys, out, OffsetBuffer::new(offsets.into())),
            Kind::TransformKeys => {
                check_keys(&out, &offsets)?;
                (out, values, OffsetBuffer::new(offsets.into()))
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
                (
                    filter(&keys, &keep)?,
                    filter(&values, &keep)?,
                    OffsetBuffer::new(kept.into()),
                )
            }
        };
        let entries = StructArray::try_new(Fields::from(vec![key_field, value_field]), vec![keys, values], None)?;
        Ok(Arc::new(MapArray::try_new(
            entries_field,
            offsets,
            entries,
            map.nulls().cloned(),
            false,
        )?))
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
