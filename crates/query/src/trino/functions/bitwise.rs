//! Trino's bitwise functions over two's-complement integers. The shifts keep
//! their argument's type and width (`bitwise_left_shift` of an integer is an
//! integer, bits shifted past its 32 are gone); the others work on bigint.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::ScalarUDF;

use super::udf::{Arg, Fun, Returns, invalid};

pub fn udfs() -> Vec<ScalarUDF> {
    let bigint = || Returns::Fixed(DataType::Int64);
    vec![
        Fun::new("bit_count", &[Arg::Int, Arg::Int], bigint(), bit_count).udf(),
        Fun::new("bitwise_and", &[Arg::Int, Arg::Int], bigint(), |a, _| {
            pairwise(a, |x, y| x & y)
        })
        .udf(),
        Fun::new("bitwise_or", &[Arg::Int, Arg::Int], bigint(), |a, _| {
            pairwise(a, |x, y| x | y)
        })
        .udf(),
        Fun::new("bitwise_xor", &[Arg::Int, Arg::Int], bigint(), |a, _| {
            pairwise(a, |x, y| x ^ y)
        })
        .udf(),
        Fun::new("bitwise_not", &[Arg::Int], bigint(), bitwise_not).udf(),
        Fun::new(
            "bitwise_left_shift",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| integer_of(a, "bitwise_left_shift")),
            |a, t| shift(a, t, |v, s, _| v.checked_shl(s).unwrap_or(0)),
        )
        .udf(),
        Fun::new(
            "bitwise_right_shift",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| integer_of(a, "bitwise_right_shift")),
            |a, t| {
                shift(a, t, |v, s, width| {
                    // Logical: the value's own bits, zeros shifted in.
                    let bits = (v as u64) & mask(width);
                    bits.checked_shr(s).unwrap_or(0) as i64
                })
            },
        )
        .udf(),
        Fun::new(
            "bitwise_right_shift_arithmetic",
            &[Arg::Any, Arg::Int],
            Returns::Computed(|a| integer_of(a, "bitwise_right_shift_arithmetic")),
            |a, t| shift(a, t, |v, s, _| v >> s.min(63)),
        )
        .udf(),
    ]
}

/// The value's own integer type; anything else is not an integer to shift.
fn integer_of(args: &[DataType], name: &str) -> Result<DataType> {
    match args.first() {
        Some(t @ (DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)) => Ok(t.clone()),
        Some(DataType::Null) => Ok(DataType::Int64),
        _ => {
            let given: Vec<&str> = args.iter().map(|t| crate::types::athena_type(t).0).collect();
            plan_err!("Unexpected parameters ({}) for function {name}", given.join(", "))
        }
    }
}

fn bigints(a: &ArrayRef) -> Result<Int64Array> {
    let c = cast(a, &DataType::Int64)?;
    Ok(c.as_any()
        .downcast_ref::<Int64Array>()
        .cloned()
        .unwrap_or_else(|| Int64Array::new_null(a.len())))
}

fn pairwise(args: &[ArrayRef], f: fn(i64, i64) -> i64) -> Result<ArrayRef> {
    let (x, y) = (bigints(&args[0])?, bigints(&args[1])?);
    let out: Int64Array = x.iter().zip(y.iter()).map(|(a, b)| Some(f(a?, b?))).collect();
    Ok(Arc::new(out))
}

fn bitwise_not(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let x = bigints(&args[0])?;
    let out: Int64Array = x.iter().map(|v| v.map(|v| !v)).collect();
    Ok(Arc::new(out))
}

fn mask(width: u32) -> u64 {
    if width >= 64 { u64::MAX } else { (1u64 << width) - 1 }
}

/// `bit_count(x, bits)`: the ones in `x` written as a `bits`-bit two's-complement number.
fn bit_count(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let (x, bits) = (bigints(&args[0])?, bigints(&args[1])?);
    let out = x
        .iter()
        .zip(bits.iter())
        .map(|(v, b)| {
            let (Some(v), Some(b)) = (v, b) else { return Ok(None) };
            if !(2..=64).contains(&b) {
                return Err(invalid(format!(
                    "Bits specified in bit_count must be between 2 and 64, got {b}"
                )));
            }
            let low = -(1i128 << (b - 1));
            let high = (1i128 << (b - 1)) - 1;
            if !(low..=high).contains(&(v as i128)) {
                return Err(invalid(format!(
                    "Number must be representable with the bits specified. {v} cannot be represented with {b} bits"
                )));
            }
            Ok(Some(((v as u64) & mask(b as u32)).count_ones() as i64))
        })
        .collect::<Result<Int64Array>>()?;
    Ok(Arc::new(out))
}

/// A shift of the first argument, computed in 64 bits and brought back to
/// its type's width (which wraps, as Trino's fixed-width integers do).
fn shift(args: &[ArrayRef], returns: &DataType, f: fn(i64, u32, u32) -> i64) -> Result<ArrayRef> {
    let width = match returns {
        DataType::Int8 => 8,
        DataType::Int16 => 16,
        DataType::Int32 => 32,
        _ => 64,
    };
    let (x, s) = (bigints(&args[0])?, bigints(&args[1])?);
    let out: Int64Array = x
        .iter()
        .zip(s.iter())
        .map(|(v, s)| {
            let (v, s) = (v?, s?);
            // A shift by the width or more leaves nothing of the value's bits
            // (or only its sign, for the arithmetic shift).
            let s = u32::try_from(s).unwrap_or(u32::MAX);
            let shifted = f(v, s.min(64), width);
            Some(wrap(shifted, width))
        })
        .collect();
    Ok(cast(&(Arc::new(out) as ArrayRef), returns)?)
}

/// `v` as a `width`-bit two's-complement number, sign-extended.
fn wrap(v: i64, width: u32) -> i64 {
    if width >= 64 {
        v
    } else {
        let s = 64 - width;
        (v << s) >> s
    }
}
