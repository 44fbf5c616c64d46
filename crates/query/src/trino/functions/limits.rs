//! Bounds on the functions whose result can be far larger than their
//! arguments. The engine's memory pool sees sorts, joins and aggregations,
//! but not a scalar function's output: `repeat('x', 300000000)` allocated
//! gigabytes before anything could refuse it. Each function here is checked
//! before it runs, from its arguments' sizes and counts:
//! - Trino's own limits where Trino has one: `repeat` and `sequence` return at
//!   most 10,000 elements;
//! - otherwise Athena's documented 32 MB limit on a row or column value;
//! - and one call (a batch) may produce at most 256 MiB.
//!
//! The wrapped function is DataFusion's: same name, types and results.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::{cast, kernels::length::length};
use datafusion::arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::execution::FunctionRegistry as _;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use datafusion::prelude::SessionContext;

/// Athena's limit on one value ("Row or column size limitation: 32 MB").
pub const MAX_VALUE_BYTES: i128 = 32 << 20;
/// What one call may produce across its batch.
pub const MAX_CALL_BYTES: i128 = 256 << 20;
/// Trino's limit on `repeat` and `sequence` results.
pub const MAX_ENTRIES: i128 = 10_000;

/// Per row, each argument as one number: its length in bytes for strings and
/// binaries, its value for integers, 8 otherwise.
type Estimate = fn(&[i128]) -> Result<i128>;

/// The functions checked, by DataFusion's name (Trino's `repeat` and
/// `sequence` are rewritten to `array_repeat` and `generate_series`).
const CHECKED: &[(&str, Estimate)] = &[
    ("array_repeat", array_repeat),
    ("generate_series", series),
    ("range", series),
    ("lpad", pad),
    ("rpad", pad),
    ("repeat", string_repeat),
    ("replace", replace),
    ("regexp_replace", regexp_replace),
    ("concat", sum),
    ("concat_ws", concat_ws),
];

fn arg(a: &[i128], i: usize) -> i128 {
    a.get(i).copied().unwrap_or(0)
}

fn array_repeat(a: &[i128]) -> Result<i128> {
    let count = arg(a, 1);
    if count > MAX_ENTRIES {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be less than or equal to {MAX_ENTRIES}"
        );
    }
    Ok(arg(a, 0).max(8) * count.max(0))
}

fn series(a: &[i128]) -> Result<i128> {
    // One argument means `range(stop)`: 0 up to stop.
    let (start, stop, step) = match a.len() {
        1 => (0, arg(a, 0), 1),
        2 => (arg(a, 0), arg(a, 1), 1),
        _ => (arg(a, 0), arg(a, 1), arg(a, 2)),
    };
    let entries = if step == 0 { 0 } else { (stop - start) / step + 1 };
    if entries > MAX_ENTRIES {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than {MAX_ENTRIES} entries"
        );
    }
    Ok(entries.max(0) * 8)
}

fn pad(a: &[i128]) -> Result<i128> {
    // A target length in characters, each at most as wide as the pad string
    // (the default pad is a space) and never wider than UTF-8's four bytes.
    let width = if a.len() > 2 { arg(a, 2).clamp(1, 4) } else { 1 };
    Ok(arg(a, 1).max(0) * width)
}

fn string_repeat(a: &[i128]) -> Result<i128> {
    Ok(arg(a, 0) * arg(a, 1).max(0))
}

fn replace(a: &[i128]) -> Result<i128> {
    let (s, from, to) = (arg(a, 0), arg(a, 1).max(1), arg(a, 2));
    Ok(s + (s / from + 1) * to)
}

fn regexp_replace(a: &[i128]) -> Result<i128> {
    // At most one match per position; each copies the replacement, whose
    // group references together expand to no more than the input.
    let (s, repl) = (arg(a, 0), arg(a, 2));
    Ok(s + (s + 1) * repl + repl * s)
}

fn sum(a: &[i128]) -> Result<i128> {
    Ok(a.iter().sum())
}

fn concat_ws(a: &[i128]) -> Result<i128> {
    let sep = arg(a, 0);
    Ok(a.iter().skip(1).sum::<i128>() + sep * (a.len() as i128))
}

/// One argument's numbers: a single one for a scalar, one per row for an array.
enum Sizes {
    One(i128),
    Rows(Vec<i128>),
}

impl Sizes {
    fn at(&self, row: usize) -> i128 {
        match self {
            Sizes::One(n) => *n,
            Sizes::Rows(v) => v.get(row).copied().unwrap_or(0),
        }
    }
}

fn sizes(v: &ColumnarValue) -> Result<Sizes> {
    let array = match v {
        ColumnarValue::Scalar(s) => {
            return Ok(Sizes::One(scalar_size(s)));
        }
        ColumnarValue::Array(a) => a,
    };
    let t = array.data_type();
    let numbers = if t.is_integer() {
        cast(array, &DataType::Int64)?
    } else if matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Binary | DataType::LargeBinary
    ) {
        cast(&length(array)?, &DataType::Int64)?
    } else {
        return Ok(Sizes::One(8));
    };
    let numbers = numbers.as_primitive::<Int64Type>();
    Ok(Sizes::Rows(
        (0..numbers.len())
            .map(|i| {
                if numbers.is_null(i) {
                    0
                } else {
                    i128::from(numbers.value(i))
                }
            })
            .collect(),
    ))
}

fn scalar_size(s: &ScalarValue) -> i128 {
    if let Some(text) = s.try_as_str() {
        return text.map_or(0, |t| t.len() as i128);
    }
    if s.data_type().is_integer() {
        return match s.cast_to(&DataType::Int64) {
            Ok(ScalarValue::Int64(Some(n))) => i128::from(n),
            _ => 0,
        };
    }
    match s {
        ScalarValue::Binary(Some(b)) | ScalarValue::LargeBinary(Some(b)) | ScalarValue::BinaryView(Some(b)) => {
            b.len() as i128
        }
        _ => 8,
    }
}

/// DataFusion's function, checked by its estimate before each call.
#[derive(Debug)]
struct Checked {
    inner: Arc<ScalarUDF>,
    estimate: Estimate,
}

impl PartialEq for Checked {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for Checked {}

impl Hash for Checked {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

impl Checked {
    fn check(&self, args: &ScalarFunctionArgs) -> Result<()> {
        let per_arg: Vec<Sizes> = args.args.iter().map(sizes).collect::<Result<_>>()?;
        let all_scalar = per_arg.iter().all(|s| matches!(s, Sizes::One(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let mut row_args = vec![0i128; per_arg.len()];
        let mut total: i128 = 0;
        for row in 0..rows {
            for (slot, s) in row_args.iter_mut().zip(&per_arg) {
                *slot = s.at(row);
            }
            let bytes = (self.estimate)(&row_args)?;
            if bytes > MAX_VALUE_BYTES {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: {}() would produce a value of {bytes} bytes; a value may not exceed 32 MB",
                    self.inner.name()
                );
            }
            total += bytes;
        }
        if all_scalar {
            total *= args.number_rows.max(1) as i128;
        }
        if total > MAX_CALL_BYTES {
            return exec_err!(
                "INVALID_FUNCTION_ARGUMENT: {}() would produce {total} bytes for {} rows at once",
                self.inner.name(),
                args.number_rows
            );
        }
        Ok(())
    }
}

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.check(&args)?;
        self.inner.invoke_with_args(args)
    }
}

/// Replaces each function of [`CHECKED`] registered on `ctx` with its
/// checked form.
pub fn register(ctx: &SessionContext) {
    for (name, estimate) in CHECKED {
        if let Ok(inner) = ctx.udf(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(Checked {
                inner,
                estimate: *estimate,
            }));
        }
    }
}
