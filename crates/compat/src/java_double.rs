//! Java's `Double.toString` and `Float.toString`.
//!
//! AWS's Java services print floating-point numbers this way wherever a number becomes text:
//! Step Functions (Jackson writing a `Double`, `States.Format`, validation messages), and Trino
//! under Athena (DOUBLE and REAL in results, `json_parse`, `format('%s')`). The form is
//! `123.456` between 10^-3 and 10^7 and `1.0E10`, `1.0E-5` outside, always with a fractional
//! digit, and with the fewest significant digits that read back as the same value.
//!
//! The digits are those of JDK 19 and later (the JDK Trino runs on): the shortest decimal that
//! rounds to the value, the closest one when several are as short. Rust's `{:e}` picks the same
//! digits, with one exception: where one digit would do, Java takes the closest decimal of one
//! *or two* digits, which only makes a difference for the smallest subnormals
//! (`Double.MIN_VALUE` prints as `4.9E-324`, not `5.0E-324`; `Float.MIN_VALUE` as `1.4E-45`).
//!
//! A REAL (Java `float`) prints with its own digits, not those of the `double` it widens to:
//! `Float.toString(1.1E10f)` is `1.1E10` where `Double.toString` of the same value is
//! `1.1000000512E10`; [`float_to_string`] is that form.

use std::fmt::LowerExp;
use std::str::FromStr;

/// `Double.toString(value)`: `NaN`, `Infinity`, `-0.0`, `1.0E-4`, `0.001`, `1234567.0`,
/// `1.0E7`, `4.9E-324`.
pub fn double_to_string(value: f64) -> String {
    java_text(value.is_nan(), value.is_sign_negative(), value.is_infinite(), || {
        shortest_digits(value)
    })
}

/// `Float.toString(value)`: the same layout over the shortest digits of the `float` itself
/// (`1.1E10`, `0.1`, `1.4E-45`).
pub fn float_to_string(value: f32) -> String {
    java_text(value.is_nan(), value.is_sign_negative(), value.is_infinite(), || {
        shortest_digits_f32(value)
    })
}

/// The decimal Java selects to print a finite `double`, sign ignored: its significant digits
/// without trailing zeros (`"125"`) and the decimal exponent of the first one (`-3` for
/// 0.00125). Zero is `("0", 0)`.
///
/// These are also the digits `java.util.Formatter` rounds for `%e`, `%f` and `%g` (JDK 21 and
/// later format from the `Double.toString` decimal).
pub fn shortest_digits(value: f64) -> (String, i32) {
    java_digits(value.abs())
}

/// [`shortest_digits`] for a `float`: the digits `Float.toString` prints.
pub fn shortest_digits_f32(value: f32) -> (String, i32) {
    java_digits(value.abs())
}

/// Rust's shortest digits (`{:e}`) unless they are a single digit; then the correctly rounded
/// two-digit form (`{:.1e}`), which is the closest two-digit decimal and so Java's choice
/// whenever it still reads back as the value.
fn java_digits<T>(magnitude: T) -> (String, i32)
where
    T: Copy + Default + PartialEq + LowerExp + FromStr,
{
    if magnitude == T::default() {
        return ("0".to_owned(), 0);
    }
    let (digits, exponent) = scientific_parts(&format!("{magnitude:e}"));
    if digits.len() > 1 {
        return (digits, exponent);
    }
    let two = format!("{magnitude:.1e}");
    if two.parse::<T>().ok() != Some(magnitude) {
        return (digits, exponent);
    }
    let (two, exponent) = scientific_parts(&two);
    (two.trim_end_matches('0').to_owned(), exponent)
}

/// Splits Rust's `{:e}` text (`1.25e-3`) into its digits (`125`) and exponent (`-3`).
fn scientific_parts(text: &str) -> (String, i32) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    (mantissa.replace('.', ""), exponent.parse().unwrap_or(0))
}

fn java_text(nan: bool, negative: bool, infinite: bool, digits: impl FnOnce() -> (String, i32)) -> String {
    if nan {
        return "NaN".to_owned();
    }
    let sign = if negative { "-" } else { "" };
    if infinite {
        return format!("{sign}Infinity");
    }
    match digits() {
        (digits, _) if digits == "0" => format!("{sign}0.0"),
        (digits, exponent) => format!("{sign}{}", layout(&digits, exponent)),
    }
}

/// The layout of `Double.toString` for the non-zero decimal `d.ddd × 10^exponent`: plain when
/// the exponent is in [-3, 7), otherwise `d.dddE±n`; either way with at least one decimal.
fn layout(digits: &str, exponent: i32) -> String {
    match exponent {
        0..=6 => {
            let integer_len = exponent as usize + 1;
            if digits.len() <= integer_len {
                format!("{digits:0<integer_len$}.0")
            } else {
                let (integer, fraction) = digits.split_at(integer_len);
                format!("{integer}.{fraction}")
            }
        }
        -3..=-1 => format!("0.{}{digits}", "0".repeat((-exponent - 1) as usize)),
        _ => {
            let (first, rest) = digits.split_at(1);
            let rest = if rest.is_empty() { "0" } else { rest };
            format!("{first}.{rest}E{exponent}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_double_to_string() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.0, "2.0"),
            (1.1, "1.1"),
            (1.5, "1.5"),
            (-0.5, "-0.5"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (0.3, "0.3"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123.456, "123.456"),
            (-0.0025, "-0.0025"),
            (2e-3, "0.002"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.234e-5, "1.234E-5"),
            (1e-5, "1.0E-5"),
            (1234567.0, "1234567.0"),
            (9999999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (123_456_789.5, "1.234567895E8"),
            (1e10, "1.0E10"),
            (1e20, "1.0E20"),
            (1e21, "1.0E21"),
            (1e23, "1.0E23"),
            (-1e-7, "-1.0E-7"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(double_to_string(value), expected, "{value:e}");
        }
    }

    #[test]
    fn smallest_subnormals_take_a_closer_second_digit() {
        // JDK 19+: Double.MIN_VALUE is 4.9E-324 (Rust's shortest is 5e-324), 2 × MIN_VALUE 9.9E-324.
        assert_eq!(double_to_string(5e-324), "4.9E-324");
        assert_eq!(double_to_string(-5e-324), "-4.9E-324");
        assert_eq!(double_to_string(1e-323), "9.9E-324");
        assert_eq!(double_to_string(1.5e-323), "1.5E-323");
        assert_eq!(shortest_digits(5e-324), ("49".to_owned(), -324));
        // Float.MIN_VALUE and its small multiples.
        let min = f32::from_bits(1);
        assert_eq!(float_to_string(min), "1.4E-45");
        assert_eq!(float_to_string(f32::from_bits(2)), "2.8E-45");
        assert_eq!(float_to_string(f32::from_bits(3)), "4.2E-45");
        assert_eq!(float_to_string(f32::from_bits(5)), "7.0E-45");
    }

    #[test]
    fn floats_print_their_own_digits() {
        let cases = [
            (0.1f32, "0.1"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1.0e10, "1.0E10"),
            (1.1e10, "1.1E10"),
            (16_777_216.0, "1.6777216E7"),
            (0.0001, "1.0E-4"),
            (0.001, "0.001"),
            (3.4028235e38, "3.4028235E38"),
            (f32::NAN, "NaN"),
            (f32::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_to_string(value), expected, "{value:e}");
        }
        // The widened double has other digits.
        assert_eq!(double_to_string(f64::from(1.1e10f32)), "1.1000000512E10");
    }

    #[test]
    fn shortest_digits_are_the_decimal_and_its_exponent() {
        assert_eq!(shortest_digits(0.00125), ("125".to_owned(), -3));
        assert_eq!(shortest_digits(-1500.0), ("15".to_owned(), 3));
        assert_eq!(shortest_digits(0.0), ("0".to_owned(), 0));
        assert_eq!(shortest_digits(1e23), ("1".to_owned(), 23));
        assert_eq!(shortest_digits_f32(0.1), ("1".to_owned(), -1));
    }
}
