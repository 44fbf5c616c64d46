//! Trino's functions that read and write quantities: `human_readable_seconds`,
//! `parse_data_size`, `parse_duration`, `format_number`, and `luhn_check`.
//!
//! `parse_duration` answers DataFusion's `Interval(MonthDayNano)` (months 0,
//! whole days, the rest in nanoseconds at millisecond precision), which
//! Athena reports as `interval day to second` and which timestamp arithmetic
//! accepts.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, Int64Array, IntervalMonthDayNanoArray, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, IntervalMonthDayNano, IntervalUnit};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::lists::*;
use super::udf::{Arg, Fun, Returns, invalid, strings, trino_error};

pub fn udfs() -> Vec<ScalarUDF> {
    let text = || Returns::Fixed(DataType::Utf8);
    vec![
        Fun::new("human_readable_seconds", &[Arg::Float], text(), human_readable_seconds).udf(),
        Fun::new(
            "parse_data_size",
            &[Arg::Str],
            Returns::Fixed(DataType::Decimal128(38, 0)),
            parse_data_size,
        )
        .udf(),
        Fun::new(
            "parse_duration",
            &[Arg::Str],
            Returns::Fixed(DataType::Interval(IntervalUnit::MonthDayNano)),
            parse_duration,
        )
        .udf(),
        Fun::new("luhn_check", &[Arg::Str], Returns::Fixed(DataType::Boolean), luhn_check).udf(),
        Fun::new(
            "format_number",
            &[Arg::Any],
            Returns::Computed(number_text),
            format_number,
        )
        .udf(),
    ]
}

fn human_readable_seconds(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let x = primitive::<Float64Type>(&args[0])?;
    let out: StringArray = x
        .iter()
        .map(|v| v.map(readable_seconds).transpose())
        .collect::<Result<_>>()?;
    Ok(Arc::new(out))
}

/// Weeks, days, hours, minutes and seconds of the rounded magnitude, the zero
/// ones left out; "0 seconds" when all are.
fn readable_seconds(x: f64) -> Result<String> {
    if !x.is_finite() {
        // As Java prints the double.
        let shown = if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return Err(invalid(format!("Invalid argument found: {shown}")));
    }
    // Java's Math.round of the magnitude; `as` saturates as Java's long does.
    let mut seconds = x.abs().round() as i64;
    let weeks = seconds / (7 * 86_400);
    seconds %= 7 * 86_400;
    let days = seconds / 86_400;
    seconds %= 86_400;
    let hours = seconds / 3_600;
    seconds %= 3_600;
    let minutes = seconds / 60;
    seconds %= 60;
    let parts: Vec<String> = [
        (weeks, "week"),
        (days, "day"),
        (hours, "hour"),
        (minutes, "minute"),
        (seconds, "second"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, unit)| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    })
    .collect();
    Ok(if parts.is_empty() {
        "0 seconds".to_owned()
    } else {
        parts.join(", ")
    })
}

fn parse_data_size(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let out: Decimal128Array = s.iter().map(|v| v.map(data_size).transpose()).collect::<Result<_>>()?;
    Ok(Arc::new(out.with_precision_and_scale(38, 0)?))
}

/// `<number><unit>` in bytes, the fraction truncated: the number is digits
/// with at most one point, the unit one of B, kB, MB ... YB (powers of 1024),
/// nothing between or around them.
fn data_size(text: &str) -> Result<i128> {
    let bad = || invalid(format!("Invalid data size: '{text}'"));
    let number_end = text.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let (Some(number), Some(unit)) = (text.get(..number_end), text.get(number_end..)) else {
        return Err(bad());
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if fraction.contains('.') || (whole.is_empty() && fraction.is_empty()) {
        return Err(bad());
    }
    let power = match unit {
        "B" => 0,
        "kB" => 1,
        "MB" => 2,
        "GB" => 3,
        "TB" => 4,
        "PB" => 5,
        "EB" => 6,
        "ZB" => 7,
        "YB" => 8,
        _ => return Err(bad()),
    };
    let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let mut n = Big::from_digits(&digits);
    for _ in 0..power {
        n.mul_small(1024);
    }
    n.div_pow10(fraction.len());
    n.to_i128().ok_or_else(|| {
        trino_error(
            "NUMERIC_VALUE_OUT_OF_RANGE",
            format!("Value out of range: '{text}' ('{}B')", n.text()),
        )
    })
}

/// One limb of [`Big`].
const LIMB: u64 = 1_000_000_000;

/// A non-negative integer in base 10⁹, least significant limb first: exact
/// arithmetic for `parse_data_size`, whose number may have any number of
/// digits.
struct Big(Vec<u64>);

impl Big {
    fn from_digits(digits: &[u8]) -> Big {
        Big(digits
            .rchunks(9)
            .map(|chunk| {
                chunk
                    .iter()
                    .fold(0u64, |acc, d| acc * 10 + u64::from(d.saturating_sub(b'0')))
            })
            .collect())
    }

    fn mul_small(&mut self, m: u64) {
        let mut carry = 0;
        for limb in &mut self.0 {
            let v = *limb * m + carry;
            *limb = v % LIMB;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.0.push(carry % LIMB);
            carry /= LIMB;
        }
    }

    /// Divides by 10^`exponent`, rounding toward zero.
    fn div_pow10(&mut self, exponent: usize) {
        let divisor = 10u64.pow((exponent % 9) as u32);
        let mut rem = 0;
        for limb in self.0.iter_mut().rev() {
            let current = rem * LIMB + *limb;
            *limb = current / divisor;
            rem = current % divisor;
        }
        let words = (exponent / 9).min(self.0.len());
        self.0.drain(..words);
    }

    fn to_i128(&self) -> Option<i128> {
        self.0.iter().rev().try_fold(0i128, |acc, &limb| {
            acc.checked_mul(i128::from(LIMB))?.checked_add(i128::from(limb))
        })
    }

    fn text(&self) -> String {
        let mut limbs = self.0.iter().rev().skip_while(|l| **l == 0);
        match limbs.next() {
            None => "0".to_owned(),
            Some(first) => {
                let mut s = first.to_string();
                for l in limbs {
                    s.push_str(&format!("{l:09}"));
                }
                s
            }
        }
    }
}

fn parse_duration(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let out: IntervalMonthDayNanoArray = s.iter().map(|v| v.map(duration).transpose()).collect::<Result<_>>()?;
    Ok(Arc::new(out))
}

const MILLIS_PER_DAY: i64 = 86_400_000;

/// `<number> <unit>` as airlift's `Duration` reads it, rounded to whole
/// milliseconds (half up), as Trino's `interval day to second` holds it.
fn duration(text: &str) -> Result<IntervalMonthDayNano> {
    if text.is_empty() {
        return Err(invalid("duration is empty"));
    }
    let not_valid = || invalid(format!("duration is not a valid data duration string: {text}"));
    let (number, unit) = split_duration(text).ok_or_else(not_valid)?;
    let millis_per_unit = match unit {
        "ns" => 1.0 / 1_000_000.0,
        "us" => 1.0 / 1_000.0,
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        other => return Err(invalid(format!("Unknown time unit: {other}"))),
    };
    let value: f64 = number.parse().map_err(|_| not_valid())?;
    let millis = (value * millis_per_unit + 0.5).floor();
    // The comparison Java makes, against the long's maximum as a double.
    if millis.is_nan() || millis > i64::MAX as f64 {
        return Err(invalid(
            "size is too large to be represented in requested unit as a long",
        ));
    }
    let millis = millis as i64;
    let days = i32::try_from(millis / MILLIS_PER_DAY)
        .map_err(|_| invalid(format!("duration is too large for an interval: {text}")))?;
    Ok(IntervalMonthDayNano::new(
        0,
        days,
        (millis % MILLIS_PER_DAY) * 1_000_000,
    ))
}

/// The number and unit of `\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*` (Java's `\s`).
fn split_duration(text: &str) -> Option<(&str, &str)> {
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r');
    let t = text.trim_matches(space);
    let number_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, rest) = (t.get(..number_end)?, t.get(number_end..)?);
    let unit = rest.trim_start_matches(space);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number_ok = match number.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(number),
    };
    let unit_ok = !unit.is_empty() && unit.bytes().all(|b| b.is_ascii_alphabetic());
    (number_ok && unit_ok).then_some((number, unit))
}

fn luhn_check(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let out: BooleanArray = s.iter().map(|v| v.map(luhn).transpose()).collect::<Result<_>>()?;
    Ok(Arc::new(out))
}

/// The Luhn checksum over a string of ASCII digits; an empty string fails it.
fn luhn(text: &str) -> Result<bool> {
    if text.is_empty() {
        return Ok(false);
    }
    let mut sum = 0u64;
    for (i, b) in text.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return Err(invalid("Input contains non-digit character"));
        }
        let mut n = u64::from(b - b'0');
        // Every second digit from the right is doubled, its digits summed.
        if i % 2 == 1 {
            n *= 2;
            if n > 9 {
                n -= 9;
            }
        }
        sum += n;
    }
    Ok(sum.is_multiple_of(10))
}

fn number_text(args: &[DataType]) -> Result<DataType> {
    match args.first() {
        Some(t) if t.is_numeric() || t.is_null() => Ok(DataType::Utf8),
        _ => unexpected(args, "format_number"),
    }
}

fn format_number(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let a = &args[0];
    // Trino has a bigint form and a double form; the double form truncates
    // toward zero as Java's `(long)` does (which `as` matches, NaN to 0).
    let counts: Int64Array = if a.data_type().is_integer() || a.data_type().is_null() {
        let c = cast(a, &DataType::Int64)?;
        primitive::<Int64Type>(&c)?.clone()
    } else {
        let c = cast(a, &DataType::Float64)?;
        primitive::<Float64Type>(&c)?.unary::<_, Int64Type>(|x| x as i64)
    };
    let out: StringArray = counts.iter().map(|v| v.map(format_count)).collect();
    Ok(Arc::new(out))
}

/// Trino's `format_number`: divided by 1000 while at least 1000 in
/// magnitude (K, M, B, T, Q), then shown to about three significant digits.
fn format_count(count: i64) -> String {
    let mut value = count as f64;
    let mut unit = "";
    for symbol in ["K", "M", "B", "T", "Q"] {
        if value >= 1000.0 || value <= -1000.0 {
            value /= 1000.0;
            unit = symbol;
        }
    }
    // Two decimals below 10 (so for every negative value, as in Trino), one
    // below 100, none above.
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{}{unit}", half_up(value, decimals))
}

/// `value` as Java's `DecimalFormat` with pattern `#` / `#.#` / `#.##` and
/// HALF_UP prints it: rounded on the double's exact binary value, trailing
/// zeros of the fraction dropped, no leading zero before the point.
fn half_up(value: f64, decimals: usize) -> String {
    // Every double that reaches here is a whole number or has at most 52
    // fractional binary digits, so 64 decimal places are its exact value.
    let exact = format!("{:.64}", value.abs());
    let (whole, fraction) = exact.split_once('.').unwrap_or((exact.as_str(), ""));
    let kept = fraction.get(..decimals).unwrap_or(fraction);
    let next = fraction.as_bytes().get(decimals).copied().unwrap_or(b'0');
    let mut digits: Vec<u8> = whole.bytes().chain(kept.bytes()).collect();
    if next >= b'5' {
        // Carry the rounding up through the digits.
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len().saturating_sub(kept.len());
    let (int_digits, frac_digits) = digits.split_at(split);
    let int_text = String::from_utf8_lossy(int_digits);
    let int_text = int_text.trim_start_matches('0');
    let frac_text = String::from_utf8_lossy(frac_digits);
    let frac_text = frac_text.trim_end_matches('0');
    let sign = if value < 0.0 { "-" } else { "" };
    match (int_text.is_empty(), frac_text.is_empty()) {
        (true, true) => "0".to_owned(),
        (false, true) => format!("{sign}{int_text}"),
        (true, false) => format!("{sign}.{frac_text}"),
        (false, false) => format!("{sign}{int_text}.{frac_text}"),
    }
}
