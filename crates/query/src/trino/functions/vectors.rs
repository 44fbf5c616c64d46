//! Trino's vector measures: `cosine_similarity` (dense arrays and sparse
//! maps) and `euclidean_distance`.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, MapArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;

use super::lists::*;
use super::udf::{Arg, Fun, Returns, invalid, strings};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "cosine_similarity",
            &[Arg::Any, Arg::Any],
            Returns::Computed(|a| vectors(a, "cosine_similarity", true)),
            cosine_similarity,
        )
        .udf(),
        Fun::new(
            "euclidean_distance",
            &[Arg::Any, Arg::Any],
            Returns::Computed(|a| vectors(a, "euclidean_distance", false)),
            euclidean_distance,
        )
        .udf(),
    ]
}

/// `double` for two numeric arrays (or, when `sparse`, two maps).
fn vectors(args: &[DataType], name: &str, sparse: bool) -> Result<DataType> {
    let numeric = |t: &DataType| element_type(t).is_some_and(|e| e.is_null() || e.is_numeric());
    let map = |t: &DataType| t.is_null() || matches!(t, DataType::Map(_, _));
    if args.len() == 2 && (args.iter().all(numeric) || (sparse && args.iter().all(map))) {
        Ok(DataType::Float64)
    } else {
        unexpected(args, name)
    }
}

fn cosine_similarity(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let is_map = |a: &ArrayRef| matches!(a.data_type(), DataType::Map(_, _));
    if is_map(&args[0]) || is_map(&args[1]) {
        return sparse_cosine(&args[0], &args[1]);
    }
    dense(args, cosine)
}

fn euclidean_distance(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    dense(args, euclidean)
}

fn cosine(x: &[f64], y: &[f64]) -> Result<f64> {
    let (mut xx, mut yy, mut xy) = (0.0f64, 0.0f64, 0.0f64);
    for (a, b) in x.iter().zip(y) {
        xx += a * a;
        yy += b * b;
        xy += a * b;
    }
    if xx == 0.0 || yy == 0.0 {
        return Err(invalid("Vector magnitude cannot be zero"));
    }
    Ok(xy / (xx * yy).sqrt())
}

fn euclidean(x: &[f64], y: &[f64]) -> Result<f64> {
    let sum: f64 = x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
    Ok(sum.sqrt())
}

/// A measure of two dense vectors, row by row: arrays of one length (Trino's
/// error otherwise); NULL for a NULL array or an array holding a NULL.
fn dense(args: &[ArrayRef], measure: fn(&[f64], &[f64]) -> Result<f64>) -> Result<ArrayRef> {
    let rows = args[0].len();
    let doubles = |a: &ArrayRef| {
        if a.data_type().is_null() {
            Ok(None)
        } else {
            list_as(a, DataType::Float64)
        }
    };
    let (Some(a), Some(b)) = (doubles(&args[0])?, doubles(&args[1])?) else {
        return Ok(Arc::new(Float64Array::new_null(rows)));
    };
    let (av, bv) = (
        primitive::<Float64Type>(a.values())?,
        primitive::<Float64Type>(b.values())?,
    );
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        if a.is_null(row) || b.is_null(row) {
            out.push(None);
            continue;
        }
        let ((sa, la), (sb, lb)) = (span(a.value_offsets(), row), span(b.value_offsets(), row));
        if la != lb {
            return Err(invalid("The arguments must have the same length"));
        }
        let has_null = |v: &Float64Array, s: usize| v.null_count() > 0 && (s..s + la).any(|i| v.is_null(i));
        if has_null(av, sa) || has_null(bv, sb) {
            out.push(None);
            continue;
        }
        let (Some(x), Some(y)) = (av.values().get(sa..sa + la), bv.values().get(sb..sb + lb)) else {
            return exec_err!("vector offsets out of range");
        };
        out.push(Some(measure(x, y)?));
    }
    Ok(Arc::new(Float64Array::from(out)))
}

/// Trino's `cosine_similarity` of sparse vectors, `map(varchar, double)`:
/// the dot product over shared keys divided by both norms; NULL when either
/// map holds a NULL value.
fn sparse_cosine(a: &ArrayRef, b: &ArrayRef) -> Result<ArrayRef> {
    let rows = a.len();
    let (Some(x), Some(y)) = (a.as_map_opt(), b.as_map_opt()) else {
        return Ok(Arc::new(Float64Array::new_null(rows)));
    };
    let parts = |m: &MapArray| -> Result<(ArrayRef, ArrayRef)> {
        Ok((cast(m.keys(), &DataType::Utf8)?, cast(m.values(), &DataType::Float64)?))
    };
    let ((xk, xv), (yk, yv)) = (parts(x)?, parts(y)?);
    let (xk, yk) = (strings(&xk)?, strings(&yk)?);
    let (xv, yv) = (primitive::<Float64Type>(&xv)?, primitive::<Float64Type>(&yv)?);
    let norm = |v: &Float64Array, start: usize, len: usize| -> Option<f64> {
        let mut sum = 0.0f64;
        for i in start..start + len {
            if v.is_null(i) {
                return None;
            }
            sum += v.value(i) * v.value(i);
        }
        Some(sum.sqrt())
    };
    let mut right: HashMap<&str, f64> = HashMap::new();
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        if x.is_null(row) || y.is_null(row) {
            out.push(None);
            continue;
        }
        let ((xs, xl), (ys, yl)) = (span(x.value_offsets(), row), span(y.value_offsets(), row));
        let (Some(nx), Some(ny)) = (norm(xv, xs, xl), norm(yv, ys, yl)) else {
            out.push(None);
            continue;
        };
        right.clear();
        for j in ys..ys + yl {
            right.entry(yk.value(j)).or_insert(yv.value(j));
        }
        let mut dot = 0.0f64;
        for i in xs..xs + xl {
            if let Some(v) = right.get(xk.value(i)) {
                dot += xv.value(i) * v;
            }
        }
        out.push(Some(dot / (nx * ny)));
    }
    Ok(Arc::new(Float64Array::from(out)))
}
