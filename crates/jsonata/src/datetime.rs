//! `$fromMillis`, `$toMillis`, `$formatInteger` and `$parseInteger`: the `XPath` 3.1
//! `format-dateTime` / `format-integer` picture strings as jsonata-js 2.0.6 implements them.
//!
//! AWS evaluates these with jsonata-js, so its quirks are reproduced rather than the `XPath`
//! specification: JavaScript number semantics (`NaN` flows through, `%` keeps the dividend's
//! sign, numbers print as `Number.prototype.toString` prints them), `Date.UTC` mapping the
//! years 0-99 to 1900-1999, grouping separators spliced in with `String.prototype.substr`,
//! `$toMillis` matching pictures with a case-insensitive backtracking regular expression, and
//! `Date.parse` accepting what V8 accepts. Everything is computed with `f64`, the one number
//! type JavaScript has, so `NaN` and `-0` behave as they do there.
//!
//! Where jsonata-js would fail with a plain JavaScript exception rather than a `JSONata` error
//! (a `TypeError` on a month name of an invalid date, a `RangeError` on a stack overflow or an
//! oversized string), the error's code is that exception's name: `TypeError` or `RangeError`.
//! Comparisons of `f64`s are exact on purpose: they are JavaScript's `===` and `<`.

#![allow(
    clippy::float_cmp,
    reason = "JavaScript compares numbers exactly, and this emulates it"
)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use lakestack_compat::civil::{days_from_fields as days_from_civil, fields_from_days as civil_from_days};

const MS_PER_DAY: f64 = 86_400_000.0;

/// ECMAScript's time values reach 100,000,000 days either side of the epoch.
const MAX_TIME_VALUE: f64 = 8.64e15;

/// The longest string these functions build, in UTF-16 units. JavaScript allows far more, but
/// a state's whole payload is limited to 256 KiB, so nothing legitimate comes near this.
const MAX_OUTPUT_UNITS: usize = 1 << 22;

/// Bound on the UTF-16 units moved while splicing irregular grouping separators in, which is
/// quadratic in the picture's length, as it is in jsonata-js.
const MAX_GROUPING_WORK: usize = 100_000_000;

/// jsonata-js writes roman numerals recursively, one call a numeral: V8's stack gives out
/// somewhere past ten thousand of them.
const MAX_ROMAN_NUMERALS: usize = 10_000;

/// Steps the picture matcher may take. Adjacent `[0-9]+` parts over a long run of digits
/// backtrack a lot: polynomially here (dead ends are remembered), exponentially in JavaScript,
/// where such a match never finishes.
const MAX_MATCH_STEPS: usize = 5_000_000;

/// Words recurse once for each group of three digits; deeper means a value that is not finite,
/// on which jsonata-js recurses until the stack overflows.
const MAX_WORDS_DEPTH: usize = 64;

/// The picture `$fromMillis` uses without one.
const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// `$fromMillis(number, picture?, timezone?)`: `timezone` is an offset like `"+0100"`,
/// `"-0500"` or `"0000"`, read as jsonata-js reads it (`parseInt`, then hundreds are hours).
/// Without a picture the result is ISO 8601, e.g. `2018-03-23T10:33:36.617Z`.
///
/// # Errors
/// The picture's errors (`D3130`-`D3135`), and `TypeError`/`RangeError` where jsonata-js
/// throws a JavaScript exception (see the module documentation).
pub fn from_millis(millis: f64, picture: Option<&str>, timezone: Option<&str>) -> Result<String> {
    let offset = Offset::parse(timezone);
    let parts = analyse_datetime_picture(picture.unwrap_or(ISO_PICTURE))?;
    let date = DateFields::new(time_clip(millis + offset.millis()));
    let mut out = String::new();
    for part in &parts {
        let piece = match part {
            Part::Literal(text) => text.clone(),
            Part::Marker(marker) => format_marker(&date, marker, offset)?,
        };
        push_bounded(&mut out, &piece)?;
    }
    Ok(out)
}

/// `$toMillis(timestamp, picture?)`, with components the picture leaves out taken from the
/// current time. `Ok(None)` is `JSONata`'s `undefined` (the timestamp does not match the
/// picture); `Ok(Some(NaN))` is jsonata-js returning `NaN` (e.g. an impossible date).
///
/// # Errors
/// `D3110` for a timestamp that is not ISO 8601 (without a picture), the picture's errors
/// (`D3130`-`D3136`), and `U1001` when matching the picture takes too long.
pub fn to_millis(timestamp: &str, picture: Option<&str>) -> Result<Option<f64>> {
    to_millis_at(timestamp, picture, current_millis())
}

/// [`to_millis`] with "now" given: jsonata-js defaults the components a picture leaves out
/// from the evaluation's fixed timestamp, the one `$now()` and `$millis()` return.
///
/// # Errors
/// As [`to_millis`].
pub fn to_millis_at(timestamp: &str, picture: Option<&str>, now_millis: f64) -> Result<Option<f64>> {
    match picture {
        None => {
            if !matches_iso_shape(timestamp) {
                return Err(Error::new(
                    "D3110",
                    format!(
                        "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {}",
                        json_quote(timestamp)
                    ),
                ));
            }
            Ok(Some(date_parse(timestamp)))
        }
        Some(picture) => parse_datetime(timestamp, picture, now_millis),
    }
}

/// `$formatInteger(number, picture)`.
///
/// # Errors
/// `D3130` for a picture that is a numbering sequence jsonata-js does not support, `D3131`
/// for digits of different families, `RangeError` for output jsonata-js could not build.
pub fn format_integer(value: f64, picture: &str) -> Result<String> {
    let format = analyse_integer_picture(picture)?;
    format_with(value.floor(), &format)
}

/// `$parseInteger(string, picture)`. jsonata-js does not check the string against the picture,
/// so text that is not a number in that form gives `Ok(Some(NaN))` (or whatever its lenient
/// reading makes of it) rather than an error; `Ok(None)` is never returned for a string.
///
/// # Errors
/// `D3130` and `D3131` as for [`format_integer`]; `RangeError` for text below a non-ASCII
/// digit family's zero, on which jsonata-js's `String.fromCodePoint` throws.
pub fn parse_integer(value: &str, picture: &str) -> Result<Option<f64>> {
    let format = analyse_integer_picture(picture)?;
    if let Primary::Sequence(token) = &format.primary {
        return Err(unsupported_sequence(token));
    }
    parse_with(value, &format).map(Some)
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

fn unsupported_sequence(token: &str) -> Error {
    Error::new(
        "D3130",
        format!(
            "Formatting or parsing an integer as a sequence starting with {} is not supported by this implementation",
            json_quote(token)
        ),
    )
}

fn mixed_digit_groups() -> Error {
    Error::new(
        "D3131",
        "In a decimal digit pattern, all digits must be from the same decimal group",
    )
}

fn unknown_component(component: &str) -> Error {
    Error::new(
        "D3132",
        format!(
            "Unknown component specifier {} in date/time picture string",
            json_quote(component)
        ),
    )
}

fn names_not_supported(component: char) -> Error {
    Error::new(
        "D3133",
        format!(
            "The 'name' modifier can only be applied to months and days in the date/time picture string, not {}",
            json_quote(&component.to_string())
        ),
    )
}

fn timezone_too_long() -> Error {
    Error::new(
        "D3134",
        "The timezone integer format specifier cannot have more than four digits",
    )
}

fn unclosed_marker() -> Error {
    Error::new("D3135", "No matching closing bracket ']' in date/time picture string")
}

fn missing_components() -> Error {
    Error::new(
        "D3136",
        "The date/time picture string is missing specifiers required to parse the timestamp",
    )
}

fn type_error(message: &str) -> Error {
    Error::new("TypeError", message)
}

fn string_too_long() -> Error {
    Error::new("RangeError", "Invalid string length")
}

fn match_timeout() -> Error {
    Error::new("U1001", "Expression evaluation timeout: Check for infinite loop")
}

fn stack_overflow() -> Error {
    Error::new("RangeError", "Maximum call stack size exceeded")
}

/// Appends within [`MAX_OUTPUT_UNITS`], measured in UTF-8 bytes: a UTF-16 unit takes at most
/// three of them.
fn push_bounded(out: &mut String, piece: &str) -> Result<()> {
    if out.len().saturating_add(piece.len()) > MAX_OUTPUT_UNITS * 3 {
        return Err(string_too_long());
    }
    out.push_str(piece);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// JavaScript primitives
// ---------------------------------------------------------------------------------------------

/// `JSON.stringify` of a string, as jsonata-js puts values into its messages.
fn json_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `parseInt(text)`: leading white space, a sign, a `0x` prefix, then as many digits as there
/// are; `NaN` when there are none.
fn js_parse_int(text: &str) -> f64 {
    let text = text.trim_start_matches(crate::numbers::is_js_whitespace);
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
    let magnitude = if let Some(digits) = hex {
        let end = digits.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(digits.len());
        if end == 0 {
            f64::NAN
        } else {
            digits[..end]
                .chars()
                .filter_map(|c| c.to_digit(16))
                .fold(0.0, |acc, d| acc * 16.0 + f64::from(d))
        }
    } else {
        let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        if end == 0 {
            f64::NAN
        } else {
            text[..end].parse::<f64>().unwrap_or(f64::NAN)
        }
    };
    if negative { -magnitude } else { magnitude }
}

/// `String.prototype.substring(start, end)` over characters: both ends clamped, swapped when
/// reversed.
fn js_substring(chars: &[char], start: f64, end: f64) -> String {
    let clamp = |x: f64| -> usize {
        if x.is_nan() || x <= 0.0 {
            0
        } else if x >= len_f64(chars.len()) {
            chars.len()
        } else {
            f64_to_usize(x)
        }
    };
    let (a, b) = (clamp(start), clamp(end));
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    chars[a..b].iter().collect()
}

/// A length as a JavaScript number; lengths here are far below 2^53.
fn len_f64(len: usize) -> f64 {
    u32::try_from(len).map_or(f64::from(u32::MAX), f64::from)
}

/// A non-negative integral `f64` as an index, saturating: callers bound it first.
fn f64_to_usize(x: f64) -> usize {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= 4_294_967_295.0 {
        u32::MAX as usize
    } else {
        // In range and non-negative, so the conversion is exact after truncation.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = x as u32;
        n as usize
    }
}

/// JavaScript's `i` flag without `u`: characters compare by their single-unit upper case, but
/// nothing outside ASCII folds onto ASCII.
fn canonicalize(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u32::from(u) <= 0xffff && !(u32::from(c) >= 128 && u32::from(u) < 128) => u,
        _ => c,
    }
}

fn same_ignoring_case(a: char, b: char) -> bool {
    a == b || canonicalize(a) == canonicalize(b)
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

// ---------------------------------------------------------------------------------------------
// JavaScript Date arithmetic
// ---------------------------------------------------------------------------------------------

/// ECMAScript `TimeClip`: `NaN` out of range, otherwise truncated toward zero.
fn time_clip(time: f64) -> f64 {
    if time.is_finite() && time.abs() <= MAX_TIME_VALUE {
        time.trunc() + 0.0
    } else {
        f64::NAN
    }
}

/// An integral `f64` known to be within ±2^53 as `i64`.
fn f64_to_i64(x: f64) -> i64 {
    if x.is_nan() {
        0
    } else {
        // Callers bound the value well inside i64; `as` saturates anyway.
        #[allow(clippy::cast_possible_truncation)]
        let n = x as i64;
        n
    }
}

fn i64_to_f64(n: i64) -> f64 {
    // Day and millisecond counts here stay far below 2^53, where the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let x = n as f64;
    x
}

/// ECMAScript `MakeDay` with V8's limits on year and month.
fn make_day(year: f64, month: f64, date: f64) -> f64 {
    if !(-1_000_000.0..=1_000_000.0).contains(&year)
        || !(-10_000_000.0..=10_000_000.0).contains(&month)
        || !date.is_finite()
    {
        return f64::NAN;
    }
    let month = f64_to_i64(month.trunc());
    let year = f64_to_i64(year.trunc()) + month.div_euclid(12);
    let first = days_from_civil(year, month.rem_euclid(12) + 1, 1);
    i64_to_f64(first) + date.trunc() - 1.0
}

/// ECMAScript `MakeTime`.
fn make_time(hour: f64, minute: f64, second: f64, ms: f64) -> f64 {
    if [hour, minute, second, ms].iter().all(|x| x.is_finite()) {
        hour.trunc() * 3_600_000.0 + minute.trunc() * 60_000.0 + second.trunc() * 1000.0 + ms.trunc()
    } else {
        f64::NAN
    }
}

/// ECMAScript `MakeDate`.
fn make_date(day: f64, time: f64) -> f64 {
    if day.is_finite() && time.is_finite() {
        day * MS_PER_DAY + time
    } else {
        f64::NAN
    }
}

/// `Date.UTC(year, month, day, hour, minute, second, ms)`, years 0-99 meaning 1900-1999.
fn date_utc(year: f64, month: f64, day: f64, hour: f64, minute: f64, second: f64, ms: f64) -> f64 {
    let full_year = if !year.is_nan() && (0.0..=99.0).contains(&year.trunc()) {
        1900.0 + year.trunc()
    } else {
        year
    };
    time_clip(make_date(
        make_day(full_year, month, day),
        make_time(hour, minute, second, ms),
    ))
}

fn date_utc_day(year: f64, month: f64, day: f64) -> f64 {
    date_utc(year, month, day, 0.0, 0.0, 0.0, 0.0)
}

/// A `Date`'s UTC getters; all `NaN` for an invalid date.
#[derive(Clone, Copy, Debug)]
struct DateFields {
    time: f64,
    year: f64,
    month0: f64,
    day: f64,
    weekday: f64,
    hours: f64,
    minutes: f64,
    seconds: f64,
    millis: f64,
}

impl DateFields {
    /// `time` is a time value already through [`time_clip`].
    fn new(time: f64) -> Self {
        if time.is_nan() {
            let nan = f64::NAN;
            return Self {
                time,
                year: nan,
                month0: nan,
                day: nan,
                weekday: nan,
                hours: nan,
                minutes: nan,
                seconds: nan,
                millis: nan,
            };
        }
        let t = f64_to_i64(time);
        let days = t.div_euclid(86_400_000);
        let in_day = t.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        Self {
            time,
            year: i64_to_f64(year),
            month0: i64_to_f64(month - 1),
            day: i64_to_f64(day),
            weekday: i64_to_f64((days + 4).rem_euclid(7)),
            hours: i64_to_f64(in_day / 3_600_000),
            minutes: i64_to_f64(in_day / 60_000 % 60),
            seconds: i64_to_f64(in_day / 1000 % 60),
            millis: i64_to_f64(in_day % 1000),
        }
    }
}

/// `new Date(time).getUTCDay()`.
fn weekday_of(time: f64) -> f64 {
    DateFields::new(time_clip(time)).weekday
}

/// Midnight starting the first week of a year or month: ISO 8601's week holding the first
/// Thursday, which `XPath` extends to months.
fn start_of_first_week(year: f64, month0: f64) -> f64 {
    let first = date_utc_day(year, month0, 1.0);
    let mut weekday = weekday_of(first);
    if weekday == 0.0 {
        weekday = 7.0;
    }
    if weekday > 4.0 {
        first + (8.0 - weekday) * MS_PER_DAY
    } else {
        first - (weekday - 1.0) * MS_PER_DAY
    }
}

fn delta_weeks(start: f64, end: f64) -> f64 {
    (end - start) / (MS_PER_DAY * 7.0) + 1.0
}

fn next_month(year: f64, month0: f64) -> (f64, f64) {
    if month0 == 11.0 {
        (year + 1.0, 0.0)
    } else {
        (year, month0 + 1.0)
    }
}

fn previous_month(year: f64, month0: f64) -> (f64, f64) {
    if month0 == 0.0 {
        (year - 1.0, 11.0)
    } else {
        (year, month0 - 1.0)
    }
}

fn week_in_year(date: &DateFields) -> f64 {
    let start = start_of_first_week(date.year, 0.0);
    let today = date_utc_day(date.year, date.month0, date.day);
    let mut week = delta_weeks(start, today);
    if week > 52.0 {
        if today >= start_of_first_week(date.year + 1.0, 0.0) {
            week = 1.0;
        }
    } else if week < 1.0 {
        week = delta_weeks(start_of_first_week(date.year - 1.0, 0.0), today);
    }
    week.floor()
}

fn week_in_month(date: &DateFields) -> f64 {
    let start = start_of_first_week(date.year, date.month0);
    let today = date_utc_day(date.year, date.month0, date.day);
    let mut week = delta_weeks(start, today);
    if week > 4.0 {
        let (year, month0) = next_month(date.year, date.month0);
        if today >= start_of_first_week(year, month0) {
            week = 1.0;
        }
    } else if week < 1.0 {
        let (year, month0) = previous_month(date.year, date.month0);
        week = delta_weeks(start_of_first_week(year, month0), today);
    }
    week.floor()
}

/// The ISO week-numbering year (jsonata's `X` extension).
fn week_numbering_year(date: &DateFields) -> f64 {
    if date.time < start_of_first_week(date.year, 0.0) {
        date.year - 1.0
    } else if date.time >= start_of_first_week(date.year + 1.0, 0.0) {
        date.year + 1.0
    } else {
        date.year
    }
}

/// The month a week-in-month belongs to (jsonata's `x` extension).
fn week_numbering_month(date: &DateFields) -> f64 {
    let (next_year, next_month0) = next_month(date.year, date.month0);
    if date.time < start_of_first_week(date.year, date.month0) {
        previous_month(date.year, date.month0).1 + 1.0
    } else if date.time >= start_of_first_week(next_year, next_month0) {
        next_month0 + 1.0
    } else {
        date.month0 + 1.0
    }
}

fn current_millis() -> f64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (since_epoch.as_secs_f64() * 1000.0).floor()
}

// ---------------------------------------------------------------------------------------------
// Integer pictures
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Clone, Debug, PartialEq)]
enum Primary {
    Decimal,
    Letters,
    Roman,
    Words,
    /// A numbering sequence jsonata-js does not implement: an error once used.
    Sequence(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Grouping {
    /// The same separator every `every` digits.
    Regular { every: usize, separator: char },
    /// Separators at positions counted from the right (possibly none).
    Irregular(Vec<(usize, char)>),
}

/// An analysed integer picture. The numeric fields are JavaScript values: `None` where
/// jsonata-js leaves them `undefined` (they are only set for decimal pictures) and possibly
/// `NaN` when they come from a width modifier that is not a number.
#[derive(Clone, Debug)]
struct IntegerFormat {
    primary: Primary,
    case: Case,
    ordinal: bool,
    zero: u32,
    mandatory: Option<f64>,
    optional: Option<f64>,
    grouping: Option<Grouping>,
}

impl IntegerFormat {
    fn simple(primary: Primary, case: Case, ordinal: bool) -> Self {
        Self {
            primary,
            case,
            ordinal,
            zero: 0x30,
            mandatory: None,
            optional: None,
            grouping: None,
        }
    }

    fn is_regular(&self) -> bool {
        matches!(self.grouping, Some(Grouping::Regular { .. }))
    }

    fn regular_separator(&self) -> Option<char> {
        match self.grouping {
            Some(Grouping::Regular { separator, .. }) => Some(separator),
            _ => None,
        }
    }
}

/// The zeros of the Unicode decimal digit families jsonata-js recognises.
const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

fn digit_family(c: char) -> Option<u32> {
    let code = u32::from(c);
    DECIMAL_GROUPS
        .iter()
        .copied()
        .find(|&zero| (zero..=zero + 9).contains(&code))
}

fn analyse_integer_picture(picture: &str) -> Result<IntegerFormat> {
    // The modifier follows the last semicolon; only its first character counts.
    let (primary, ordinal) = match picture.rfind(';') {
        Some(at) => (&picture[..at], picture[at + 1..].starts_with('o')),
        None => (picture, false),
    };
    let format = match primary {
        "A" => IntegerFormat::simple(Primary::Letters, Case::Upper, ordinal),
        "a" => IntegerFormat::simple(Primary::Letters, Case::Lower, ordinal),
        "I" => IntegerFormat::simple(Primary::Roman, Case::Upper, ordinal),
        "i" => IntegerFormat::simple(Primary::Roman, Case::Lower, ordinal),
        "W" => IntegerFormat::simple(Primary::Words, Case::Upper, ordinal),
        "Ww" => IntegerFormat::simple(Primary::Words, Case::Title, ordinal),
        "w" => IntegerFormat::simple(Primary::Words, Case::Lower, ordinal),
        _ => analyse_decimal_picture(primary, ordinal)?,
    };
    Ok(format)
}

/// A decimal-digit-pattern: digits of one family, `#` for optional digits, anything else a
/// grouping separator. Without a digit it is a numbering sequence.
fn analyse_decimal_picture(primary: &str, ordinal: bool) -> Result<IntegerFormat> {
    let mut zero = None;
    let mut mandatory = 0usize;
    let mut optional = 0usize;
    let mut position = 0usize;
    let mut separators = Vec::new();
    // From the right, so that separators are positioned by the digits after them.
    for c in primary.chars().rev() {
        if let Some(family) = digit_family(c) {
            match zero {
                None => zero = Some(family),
                Some(z) if z != family => return Err(mixed_digit_groups()),
                Some(_) => {}
            }
            mandatory += 1;
            position += 1;
        } else if c == '#' {
            optional += 1;
            position += 1;
        } else {
            separators.push((position, c));
        }
    }
    let Some(zero) = zero else {
        return Ok(IntegerFormat::simple(
            Primary::Sequence(primary.to_string()),
            Case::Lower,
            ordinal,
        ));
    };
    let grouping = match regular_interval(&separators) {
        Some(every) => Grouping::Regular {
            every,
            separator: separators[0].1,
        },
        None => Grouping::Irregular(separators),
    };
    Ok(IntegerFormat {
        primary: Primary::Decimal,
        case: Case::Lower,
        ordinal,
        zero,
        mandatory: Some(len_f64(mandatory)),
        optional: Some(len_f64(optional)),
        grouping: Some(grouping),
    })
}

/// The interval of grouping separators that are all the same character at every multiple of
/// the greatest common divisor of their positions (as many multiples as there are separators).
fn regular_interval(separators: &[(usize, char)]) -> Option<usize> {
    let (_, first) = *separators.first()?;
    if separators.iter().any(|&(_, c)| c != first) {
        return None;
    }
    let factor = separators.iter().map(|&(p, _)| p).reduce(gcd)?;
    let positions: HashSet<usize> = separators.iter().map(|&(p, _)| p).collect();
    let all_present =
        (1..=separators.len()).all(|index| index.checked_mul(factor).is_some_and(|p| positions.contains(&p)));
    (all_present && factor > 0).then_some(factor)
}

fn gcd(a: usize, b: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// jsonata-js's `_formatInteger`: the value is used as given (no flooring here).
fn format_with(value: f64, format: &IntegerFormat) -> Result<String> {
    let negative = value < 0.0;
    let value = value.abs();
    let text = match &format.primary {
        Primary::Letters => to_letters(value, format.case == Case::Upper)?,
        Primary::Roman => {
            let roman = to_roman(value)?;
            if format.case == Case::Upper {
                roman.to_uppercase()
            } else {
                roman
            }
        }
        Primary::Words => {
            let words = to_words(value, false, format.ordinal, 0)?;
            match format.case {
                Case::Upper => words.to_uppercase(),
                Case::Lower => words.to_lowercase(),
                Case::Title => words,
            }
        }
        Primary::Decimal => to_decimal(value, format)?,
        Primary::Sequence(token) => return Err(unsupported_sequence(token)),
    };
    Ok(if negative { format!("-{text}") } else { text })
}

/// Digits (of the picture's family), zero-padded, grouped, with an English ordinal suffix.
/// Worked on UTF-16 units because jsonata-js positions separators by them.
fn to_decimal(value: f64, format: &IntegerFormat) -> Result<String> {
    let mut units: Vec<u16> = crate::numbers::js_number_string(value).encode_utf16().collect();
    if let Some(mandatory) = format.mandatory {
        let pad = mandatory - len_f64(units.len());
        if pad > 0.0 {
            if pad > len_f64(MAX_OUTPUT_UNITS) {
                return Err(string_too_long());
            }
            let mut padded = vec![u16::from(b'0'); f64_to_usize(pad)];
            padded.extend_from_slice(&units);
            units = padded;
        }
    }
    if format.zero != 0x30 {
        // Only ASCII has been produced so far, and every family is in the BMP.
        let shift = format.zero - 0x30;
        units = units
            .iter()
            .map(|&u| u16::try_from(u32::from(u) + shift).unwrap_or(0xfffd))
            .collect();
    }
    units = match &format.grouping {
        Some(Grouping::Regular { every, separator }) => group_regularly(&units, *every, *separator),
        Some(Grouping::Irregular(separators)) => group_irregularly(units, separators)?,
        None => units,
    };
    if format.ordinal {
        units.extend(ordinal_suffix(&units).encode_utf16());
    }
    Ok(String::from_utf16_lossy(&units))
}

fn group_regularly(units: &[u16], every: usize, separator: char) -> Vec<u16> {
    let mut buf = [0u16; 2];
    let separator = separator.encode_utf16(&mut buf);
    let len = units.len();
    let mut out = Vec::with_capacity(len + len / every.max(1) * separator.len());
    for (i, &unit) in units.iter().enumerate() {
        if i > 0 && every > 0 && (len - i).is_multiple_of(every) {
            out.extend_from_slice(separator);
        }
        out.push(unit);
    }
    out
}

/// Each separator spliced in at `length - position` with `substr`, leftmost first, exactly
/// as jsonata-js does: a position beyond the digits drops characters, as it does there.
fn group_irregularly(mut units: Vec<u16>, separators: &[(usize, char)]) -> Result<Vec<u16>> {
    let mut work = 0usize;
    for &(position, separator) in separators.iter().rev() {
        let mut buf = [0u16; 2];
        let separator = separator.encode_utf16(&mut buf);
        let len = units.len();
        work = work.saturating_add(len);
        if work > MAX_GROUPING_WORK || len > MAX_OUTPUT_UNITS {
            return Err(string_too_long());
        }
        units = if position <= len {
            let at = len - position;
            let mut out = Vec::with_capacity(len + 2);
            out.extend_from_slice(&units[..at]);
            out.extend_from_slice(separator);
            out.extend_from_slice(&units[at..]);
            out
        } else {
            // substr(0, negative) is empty; substr(negative) keeps `position - len` units at most.
            let keep = (position - len).min(len);
            let mut out = Vec::with_capacity(keep + 2);
            out.extend_from_slice(separator);
            out.extend_from_slice(&units[len - keep..]);
            out
        };
    }
    Ok(units)
}

fn ordinal_suffix(units: &[u16]) -> &'static str {
    let last = units.last().copied();
    let tens_is_one = units.len() > 1 && units[units.len() - 2] == u16::from(b'1');
    match last.and_then(|u| u8::try_from(u).ok()) {
        _ if tens_is_one => "th",
        Some(b'1') => "st",
        Some(b'2') => "nd",
        Some(b'3') => "rd",
        _ => "th",
    }
}

/// Spreadsheet-column letters: 1 = a, 26 = z, 27 = aa.
fn to_letters(value: f64, upper: bool) -> Result<String> {
    if value == f64::INFINITY {
        // jsonata-js loops until it runs out of memory.
        return Err(string_too_long());
    }
    let base = if upper { 65.0 } else { 97.0 };
    let mut value = value;
    let mut letters = Vec::new();
    // Each turn divides by 26, so even 1e308 takes a few hundred.
    while value > 0.0 {
        letters.push(from_char_code((value - 1.0) % 26.0 + base));
        value = ((value - 1.0) / 26.0).floor();
    }
    Ok(letters.iter().rev().collect())
}

/// `String.fromCharCode`: the number truncated to a UTF-16 unit.
fn from_char_code(code: f64) -> char {
    let unit = if code.is_finite() {
        f64_to_i64(code.trunc()).rem_euclid(65_536)
    } else {
        0
    };
    u32::try_from(unit).ok().and_then(char::from_u32).unwrap_or('\u{fffd}')
}

const ROMAN_NUMERALS: [(f64, &str); 13] = [
    (1000.0, "m"),
    (900.0, "cm"),
    (500.0, "d"),
    (400.0, "cd"),
    (100.0, "c"),
    (90.0, "xc"),
    (50.0, "l"),
    (40.0, "xl"),
    (10.0, "x"),
    (9.0, "ix"),
    (5.0, "v"),
    (4.0, "iv"),
    (1.0, "i"),
];

fn to_roman(value: f64) -> Result<String> {
    let mut value = value;
    let mut out = String::new();
    let mut count = 0usize;
    while let Some(&(amount, numeral)) = ROMAN_NUMERALS.iter().find(|(amount, _)| value >= *amount) {
        count += 1;
        if count > MAX_ROMAN_NUMERALS {
            return Err(stack_overflow());
        }
        out.push_str(numeral);
        value -= amount;
    }
    Ok(out)
}

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];

const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];

const DECADES: [&str; 9] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred",
];

const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

/// `array[index]` in JavaScript: `None` (`undefined`) unless an integral index in range.
fn js_lookup<'a>(array: &[&'a str], index: f64) -> Option<&'a str> {
    (index >= 0.0 && index.fract() == 0.0 && index < len_f64(array.len())).then(|| array[f64_to_usize(index)])
}

/// `'' + array[index]`: a missing entry reads as the text `undefined`.
fn js_index<'a>(array: &[&'a str], index: f64) -> &'a str {
    js_lookup(array, index).unwrap_or("undefined")
}

/// English words in title case: "One Hundred and One", "Twenty-Third", "One Thousand Trillion".
fn to_words(num: f64, prev: bool, ordinal: bool, depth: usize) -> Result<String> {
    if depth > MAX_WORDS_DEPTH {
        return Err(stack_overflow());
    }
    if num <= 19.0 {
        let word = js_index(if ordinal { &ORDINALS } else { &FEW }, num);
        return Ok(format!("{}{word}", if prev { " and " } else { "" }));
    }
    if num < 100.0 {
        let tens = (num / 10.0).floor();
        let remainder = num % 10.0;
        let mut words = format!("{}{}", if prev { " and " } else { "" }, js_index(&DECADES, tens - 2.0));
        if remainder > 0.0 {
            words.push('-');
            words.push_str(&to_words(remainder, false, ordinal, depth + 1)?);
        } else if ordinal {
            words.pop();
            words.push_str("ieth");
        }
        return Ok(words);
    }
    if num < 1000.0 {
        let hundreds = (num / 100.0).floor();
        let remainder = num % 100.0;
        let mut words = format!("{}{} Hundred", if prev { ", " } else { "" }, js_index(&FEW, hundreds));
        if remainder > 0.0 {
            words.push_str(&to_words(remainder, true, ordinal, depth + 1)?);
        } else if ordinal {
            words.push_str("th");
        }
        return Ok(words);
    }
    let mut magnitude = (num.log10() / 3.0).floor();
    if magnitude > 4.0 {
        // "Trillion" is the largest word; a larger number repeats it.
        magnitude = 4.0;
    }
    let factor = 10f64.powf(magnitude * 3.0);
    let mantissa = (num / factor).floor();
    let remainder = num - mantissa * factor;
    let mut words = format!(
        "{}{} {}",
        if prev { ", " } else { "" },
        to_words(mantissa, false, false, depth + 1)?,
        js_index(&MAGNITUDES, magnitude - 1.0)
    );
    if remainder > 0.0 {
        words.push_str(&to_words(remainder, true, ordinal, depth + 1)?);
    } else if ordinal {
        words.push_str("th");
    }
    Ok(words)
}

/// jsonata-js's `wordValues`, in its key order (which its parsing regex alternates in).
fn word_values() -> &'static [(String, f64)] {
    static TABLE: OnceLock<Vec<(String, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Vec::new();
        for (i, word) in FEW.iter().enumerate() {
            table.push((word.to_lowercase(), len_f64(i)));
        }
        for (i, word) in ORDINALS.iter().enumerate() {
            table.push((word.to_lowercase(), len_f64(i)));
        }
        for (i, word) in DECADES.iter().enumerate() {
            let lower = word.to_lowercase();
            let value = len_f64(i + 2) * 10.0;
            // "twenty" gives "twentieth"; "hundred" gives "hundreieth", as in jsonata-js.
            let ordinal = format!("{}ieth", &lower[..lower.len() - 1]);
            table.push((lower, value));
            table.push((ordinal, value));
        }
        table.push(("hundredth".to_string(), 100.0));
        for (i, word) in MAGNITUDES.iter().enumerate() {
            let lower = word.to_lowercase();
            let value = 10f64.powf(len_f64(i + 1) * 3.0);
            table.push((lower.clone(), value));
            table.push((format!("{lower}th"), value));
        }
        table
    })
}

fn word_value(word: &str) -> f64 {
    word_values()
        .iter()
        .find(|(w, _)| w == word)
        .map_or(f64::NAN, |&(_, v)| v)
}

/// Splits as `text.split(/,\s|\sand\s|[\s\\-]/)` does.
fn split_number_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let separator_at = |q: usize| -> usize {
        let at = |i: usize| chars.get(i).copied();
        if at(q) == Some(',') && at(q + 1).is_some_and(crate::numbers::is_js_whitespace) {
            2
        } else if at(q).is_some_and(crate::numbers::is_js_whitespace)
            && chars.get(q + 1..q + 4) == Some(&['a', 'n', 'd'][..])
            && at(q + 4).is_some_and(crate::numbers::is_js_whitespace)
        {
            5
        } else {
            usize::from(at(q).is_some_and(|c| crate::numbers::is_js_whitespace(c) || c == '\\' || c == '-'))
        }
    };
    let mut parts = Vec::new();
    let (mut p, mut q) = (0, 0);
    while q < chars.len() {
        match separator_at(q) {
            0 => q += 1,
            len => {
                parts.push(chars[p..q].iter().collect());
                p = q + len;
                q = p;
            }
        }
    }
    parts.push(chars[p.min(chars.len())..].iter().collect());
    parts
}

/// jsonata-js's `wordsToNumber`: magnitudes multiply what precedes them since the last
/// thousand-or-more; an unknown word makes the whole `NaN`.
fn words_to_number(text: &str) -> f64 {
    let mut segments = vec![0.0];
    for part in split_number_words(text) {
        let value = word_value(&part);
        let mut top = segments.pop().unwrap_or(0.0);
        if value < 100.0 {
            if top >= 1000.0 {
                segments.push(top);
                top = 0.0;
            }
            segments.push(top + value);
        } else {
            segments.push(top * value);
        }
    }
    segments.iter().fold(0.0, |sum, s| sum + s)
}

fn roman_to_decimal(roman: &str) -> f64 {
    let mut decimal = 0.0;
    let mut max = 1.0;
    let units: Vec<u16> = roman.encode_utf16().collect();
    for &unit in units.iter().rev() {
        let value = match u8::try_from(unit).unwrap_or(0) {
            b'M' => 1000.0,
            b'D' => 500.0,
            b'C' => 100.0,
            b'L' => 50.0,
            b'X' => 10.0,
            b'V' => 5.0,
            b'I' => 1.0,
            _ => return f64::NAN,
        };
        if value < max {
            decimal -= value;
        } else {
            max = value;
            decimal += value;
        }
    }
    decimal
}

fn letters_to_decimal(letters: &str, upper: bool) -> f64 {
    let base = if upper { 65.0 } else { 97.0 };
    let units: Vec<u16> = letters.encode_utf16().collect();
    units.iter().rev().zip(0u32..).fold(0.0, |sum, (&unit, i)| {
        sum + (f64::from(unit) - base + 1.0) * 26f64.powf(f64::from(i))
    })
}

/// jsonata-js's parser for one integer: it does not validate, it reads what it can.
fn parse_with(text: &str, format: &IntegerFormat) -> Result<f64> {
    Ok(match &format.primary {
        Primary::Letters => letters_to_decimal(text, format.case == Case::Upper),
        Primary::Roman if format.case == Case::Upper => roman_to_decimal(text),
        Primary::Roman => roman_to_decimal(&text.to_uppercase()),
        Primary::Words => words_to_number(&text.to_lowercase()),
        Primary::Decimal => parse_decimal(text, format)?,
        Primary::Sequence(token) => return Err(unsupported_sequence(token)),
    })
}

fn parse_decimal(text: &str, format: &IntegerFormat) -> Result<f64> {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    if format.ordinal {
        units.truncate(units.len().saturating_sub(2));
    }
    let mut digits = String::from_utf16_lossy(&units);
    match &format.grouping {
        // jsonata-js strips commas here whatever the separator is.
        Some(Grouping::Regular { .. }) => digits = digits.replace(',', ""),
        Some(Grouping::Irregular(separators)) => {
            for &(_, separator) in separators {
                digits = digits.replace(separator, "");
            }
        }
        None => {}
    }
    if format.zero != 0x30 {
        digits = shift_to_ascii_digits(&digits, format.zero)?;
    }
    Ok(js_parse_int(&digits))
}

/// Moves each UTF-16 unit down by the family's offset from ASCII, as `String.fromCodePoint`
/// does in jsonata-js: it throws on a negative code point.
fn shift_to_ascii_digits(text: &str, zero: u32) -> Result<String> {
    let shift = i64::from(zero) - 0x30;
    text.encode_utf16()
        .map(|unit| {
            let code = i64::from(unit) - shift;
            if code < 0 {
                return Err(Error::new("RangeError", format!("Invalid code point {code}")));
            }
            Ok(u32::try_from(code).ok().and_then(char::from_u32).unwrap_or('\u{fffd}'))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Date/time pictures
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Part {
    Literal(String),
    Marker(Marker),
}

/// A width modifier's bounds: `None` where absent or `*`, `NaN` where not a number.
#[derive(Clone, Copy, Debug)]
struct Width {
    min: Option<f64>,
    max: Option<f64>,
}

#[derive(Clone, Debug)]
struct Marker {
    component: char,
    presentation2: Option<char>,
    names: Option<Case>,
    width: Option<Width>,
    integer: Option<IntegerFormat>,
    /// For year, month and day: how many digits to parse (-1 for any), and for the year how
    /// many trailing digits to print. `None` for the other components.
    digits: Option<f64>,
}

/// Components formatted as integers (`f` is formatted separately, but analysed the same).
const INTEGER_COMPONENTS: &str = "YMDdFWwXxHhmsf";

fn default_presentation(component: char) -> Option<&'static str> {
    Some(match component {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

/// Splits a picture into literals and variable markers (`[[` and `]]` escape brackets).
fn analyse_datetime_picture(picture: &str) -> Result<Vec<Part>> {
    let chars: Vec<char> = picture.chars().collect();
    let mut parts: Vec<Part> = Vec::new();
    let add_literal = |parts: &mut Vec<Part>, from: usize, to: usize| {
        if to > from {
            let text: String = chars[from..to].iter().collect();
            parts.push(Part::Literal(text.replace("]]", "]")));
        }
    };
    let (mut start, mut pos) = (0, 0);
    while pos < chars.len() {
        if chars[pos] == '[' {
            if chars.get(pos + 1) == Some(&'[') {
                add_literal(&mut parts, start, pos);
                parts.push(Part::Literal("[".to_string()));
                pos += 2;
                start = pos;
                continue;
            }
            add_literal(&mut parts, start, pos);
            let Some(close) = chars[pos..].iter().position(|&c| c == ']').map(|i| pos + i) else {
                return Err(unclosed_marker());
            };
            let text: String = chars[pos + 1..close]
                .iter()
                .filter(|&&c| !crate::numbers::is_js_whitespace(c))
                .collect();
            parts.push(Part::Marker(analyse_marker(&text)?));
            pos = close;
            start = pos + 1;
        }
        pos += 1;
    }
    add_literal(&mut parts, start, chars.len());
    Ok(parts)
}

fn parse_width_bound(bound: Option<&str>) -> Option<f64> {
    match bound {
        None | Some("*") => None,
        Some(text) => Some(js_parse_int(text)),
    }
}

/// `[component presentation? (, width)?]` with white space already removed.
fn analyse_marker(text: &str) -> Result<Marker> {
    let chars: Vec<char> = text.chars().collect();
    let Some(&component) = chars.first() else {
        return Err(unknown_component(""));
    };
    let (presentation, width) = match chars.iter().rposition(|&c| c == ',') {
        Some(comma) => {
            let modifier: String = chars[comma + 1..].iter().collect();
            let (min, max) = match modifier.split_once('-') {
                Some((min, max)) => (Some(min), Some(max)),
                None => (Some(modifier.as_str()), None),
            };
            let width = Width {
                min: parse_width_bound(min),
                max: parse_width_bound(max),
            };
            (js_substring(&chars, 1.0, len_f64(comma)), Some(width))
        }
        None => (chars[1..].iter().collect(), None),
    };
    let (presentation1, presentation2) = split_presentation(&presentation, component)?;
    let names = match presentation1.chars().next() {
        Some('n') => Some(Case::Lower),
        Some('N') if presentation1.chars().nth(1) == Some('n') => Some(Case::Title),
        Some('N') => Some(Case::Upper),
        _ => None,
    };
    let mut marker = Marker {
        component,
        presentation2,
        names,
        width,
        integer: None,
        digits: None,
    };
    if component == 'Z' || component == 'z' {
        // Timezones take the first modifier alone, names or not.
        marker.integer = Some(analyse_integer_picture(&presentation1)?);
    } else if names.is_none() && INTEGER_COMPONENTS.contains(component) {
        let picture = match presentation2 {
            Some(modifier) => format!("{presentation1};{modifier}"),
            None => presentation1,
        };
        let mut format = analyse_integer_picture(&picture)?;
        apply_width(&mut marker, &mut format);
        marker.integer = Some(format);
    }
    Ok(marker)
}

/// The first presentation modifier and the second (`a`, `t`, `c` or `o`), or the component's
/// default when there is none.
fn split_presentation(presentation: &str, component: char) -> Result<(String, Option<char>)> {
    match utf16_len(presentation) {
        0 => match default_presentation(component) {
            Some(default) => Ok((default.to_string(), None)),
            None => Err(unknown_component(&component.to_string())),
        },
        1 => Ok((presentation.to_string(), None)),
        _ => {
            let mut chars = presentation.chars();
            match chars.next_back() {
                Some(last @ ('a' | 't' | 'c' | 'o')) => Ok((chars.collect(), Some(last))),
                _ => Ok((presentation.to_string(), None)),
            }
        }
    }
}

/// §9.8.4.2/§9.8.4.4 as jsonata-js 2.0.6 applies them: a minimum width raises the mandatory
/// digits; for year, month and day a maximum width sets them (and the digit count), otherwise
/// the picture's digits count when there are two or more.
fn apply_width(marker: &mut Marker, format: &mut IntegerFormat) {
    if let Some(min) = marker.width.and_then(|w| w.min)
        && format.mandatory.is_some_and(|mandatory| mandatory < min)
    {
        format.mandatory = Some(min);
    }
    if !"YMD".contains(marker.component) {
        return;
    }
    marker.digits = Some(-1.0);
    if let Some(max) = marker.width.and_then(|w| w.max) {
        marker.digits = Some(max);
        format.mandatory = Some(max);
    } else if let (Some(mandatory), Some(optional)) = (format.mandatory, format.optional)
        && mandatory + optional >= 2.0
    {
        marker.digits = Some(mandatory + optional);
    }
}

/// A component's value as jsonata-js's `getDateTimeFragment` returns it.
enum Fragment {
    Number(f64),
    Text(&'static str),
    Undefined,
}

fn fragment(date: &DateFields, component: char) -> Fragment {
    let number = match component {
        'Y' => date.year,
        'M' => date.month0 + 1.0,
        'D' => date.day,
        'd' => {
            let today = date_utc_day(date.year, date.month0, date.day);
            let first = date_utc_day(date.year, 0.0, 1.0);
            (today - first) / MS_PER_DAY + 1.0
        }
        'F' if date.weekday == 0.0 => 7.0,
        'F' => date.weekday,
        'W' => week_in_year(date),
        'w' => week_in_month(date),
        'X' => week_numbering_year(date),
        'x' => week_numbering_month(date),
        'H' => date.hours,
        'h' if date.hours % 12.0 == 0.0 => 12.0,
        'h' => date.hours % 12.0,
        'P' => return Fragment::Text(if date.hours >= 12.0 { "pm" } else { "am" }),
        'm' => date.minutes,
        's' => date.seconds,
        'f' => date.millis,
        'C' | 'E' => return Fragment::Text("ISO"),
        _ => return Fragment::Undefined,
    };
    Fragment::Number(number)
}

/// A timezone offset as jsonata-js reads `"+hhmm"`: `parseInt`, hours by flooring hundreds,
/// minutes the signed remainder (so `"-0530"` comes out as -6 hours and -30 minutes).
#[derive(Clone, Copy, Debug)]
struct Offset {
    hours: f64,
    minutes: f64,
}

impl Offset {
    fn parse(timezone: Option<&str>) -> Self {
        match timezone {
            Some(tz) => {
                let offset = js_parse_int(tz);
                Self {
                    hours: (offset / 100.0).floor(),
                    minutes: offset % 100.0,
                }
            }
            None => Self {
                hours: 0.0,
                minutes: 0.0,
            },
        }
    }

    fn millis(self) -> f64 {
        (60.0 * self.hours + self.minutes) * 60.0 * 1000.0
    }
}

fn format_marker(date: &DateFields, marker: &Marker, offset: Offset) -> Result<String> {
    let component = marker.component;
    let value = fragment(date, component);
    if "YMDdFWwXxHhms".contains(component) {
        let Fragment::Number(mut number) = value else {
            return Ok("undefined".to_string());
        };
        if let Some(digits) = marker.digits.filter(|&d| component == 'Y' && d != -1.0) {
            number %= 10f64.powf(digits);
        }
        return match (marker.names, &marker.integer) {
            (Some(case), _) => format_name(number, marker, case),
            (None, Some(format)) => format_with(number, format),
            (None, None) => Ok("undefined".to_string()),
        };
    }
    match component {
        'f' => match (&marker.integer, value) {
            (Some(format), Fragment::Number(number)) => format_with(number, format),
            _ => Err(type_error("Cannot read properties of undefined (reading 'primary')")),
        },
        'Z' | 'z' => format_timezone(marker, offset),
        'P' => match value {
            Fragment::Text(text) if marker.names == Some(Case::Upper) => Ok(text.to_uppercase()),
            Fragment::Text(text) => Ok(text.to_string()),
            _ => Ok("undefined".to_string()),
        },
        _ => Ok(match value {
            Fragment::Text(text) => text.to_string(),
            Fragment::Number(number) => crate::numbers::js_number_string(number),
            Fragment::Undefined => "undefined".to_string(),
        }),
    }
}

/// Month and day names, cased and cut to the maximum width.
fn format_name(number: f64, marker: &Marker, case: Case) -> Result<String> {
    let name = match marker.component {
        'M' | 'x' => js_lookup(&lakestack_compat::civil::MONTH_NAMES, number - 1.0),
        // jsonata's day table has an empty name at 0 before Monday (1) to Sunday (7).
        'F' if number == 0.0 => Some(""),
        'F' => js_lookup(&lakestack_compat::civil::WEEKDAY_NAMES, number - 1.0),
        other => return Err(names_not_supported(other)),
    };
    let Some(name) = name else {
        // An invalid date: jsonata-js calls a method on `undefined`, or prints it.
        return match case {
            Case::Upper => Err(type_error(
                "Cannot read properties of undefined (reading 'toUpperCase')",
            )),
            Case::Lower => Err(type_error(
                "Cannot read properties of undefined (reading 'toLowerCase')",
            )),
            Case::Title if marker.width.is_some() => {
                Err(type_error("Cannot read properties of undefined (reading 'length')"))
            }
            Case::Title => Ok("undefined".to_string()),
        };
    };
    let name = match case {
        Case::Upper => name.to_uppercase(),
        Case::Lower => name.to_lowercase(),
        Case::Title => name.to_string(),
    };
    match marker.width.and_then(|w| w.max) {
        Some(max) if len_f64(name.len()) > max => {
            let chars: Vec<char> = name.chars().collect();
            Ok(js_substring(&chars, 0.0, max))
        }
        _ => Ok(name),
    }
}

/// §9.8.4.6 as jsonata-js implements it.
fn format_timezone(marker: &Marker, offset: Offset) -> Result<String> {
    let Some(format) = &marker.integer else {
        return Err(timezone_too_long());
    };
    let total = offset.hours * 100.0 + offset.minutes;
    let mut text = if format.is_regular() {
        format_with(total, format)?
    } else {
        match format.mandatory {
            Some(digits) if digits == 1.0 || digits == 2.0 => {
                let mut text = format_with(offset.hours, format)?;
                if offset.minutes != 0.0 {
                    text.push(':');
                    text.push_str(&format_integer(offset.minutes, "00")?);
                }
                text
            }
            Some(digits) if digits == 3.0 || digits == 4.0 => format_with(total, format)?,
            _ => return Err(timezone_too_long()),
        }
    };
    if total >= 0.0 {
        text.insert(0, '+');
    }
    if marker.component == 'z' {
        text.insert_str(0, "GMT");
    }
    if total == 0.0 && marker.presentation2 == Some('t') {
        text = "Z".to_string();
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------------------
// Parsing timestamps with a picture
// ---------------------------------------------------------------------------------------------

/// How the digits of a decimal component are quantified in jsonata-js's regular expression.
#[derive(Clone, Debug)]
enum DigitCount {
    /// `[0-9]+`
    Any,
    /// `[0-9]{min,max}` (or `{n}`).
    Between(usize, usize),
    /// `[0-9]{x}` where `x` makes no quantifier (`{-1,2}`, say): one digit, then that text.
    OneThen(Vec<char>),
}

/// One capture group of the regular expression jsonata-js builds from a picture.
#[derive(Clone, Debug)]
enum Matcher {
    Literal(Vec<char>),
    Timezone { gmt: bool, separator: Option<char> },
    Digits { count: DigitCount, ordinal: bool },
    Letters,
    Roman,
    Words,
}

#[derive(Clone, Debug)]
enum Reader {
    Timezone { gmt: bool, separator: Option<char> },
    Integer(IntegerFormat),
    Names(Vec<(String, f64)>),
}

struct ParsePart {
    matcher: Matcher,
    reader: Option<(char, Reader)>,
}

fn parse_parts(parts: &[Part]) -> Result<Vec<ParsePart>> {
    parts
        .iter()
        .map(|part| match part {
            Part::Literal(text) => Ok(ParsePart {
                matcher: Matcher::Literal(text.chars().collect()),
                reader: None,
            }),
            Part::Marker(marker) => marker_parser(marker),
        })
        .collect()
}

fn marker_parser(marker: &Marker) -> Result<ParsePart> {
    let component = marker.component;
    if component == 'Z' || component == 'z' {
        let separator = marker.integer.as_ref().and_then(IntegerFormat::regular_separator);
        let gmt = component == 'z';
        return Ok(ParsePart {
            matcher: Matcher::Timezone { gmt, separator },
            reader: Some((component, Reader::Timezone { gmt, separator })),
        });
    }
    if let Some(format) = &marker.integer {
        let matcher = integer_matcher(format, marker.digits)?;
        return Ok(ParsePart {
            matcher,
            reader: Some((component, Reader::Integer(format.clone()))),
        });
    }
    let names = name_table(marker)?;
    Ok(ParsePart {
        matcher: Matcher::Letters,
        reader: Some((component, Reader::Names(names))),
    })
}

fn integer_matcher(format: &IntegerFormat, digits: Option<f64>) -> Result<Matcher> {
    Ok(match &format.primary {
        Primary::Letters => Matcher::Letters,
        Primary::Roman => Matcher::Roman,
        Primary::Words => Matcher::Words,
        Primary::Decimal => Matcher::Digits {
            count: digit_count(format, digits),
            ordinal: format.ordinal,
        },
        Primary::Sequence(token) => return Err(unsupported_sequence(token)),
    })
}

/// `{n}` without optional digits, `{n-optional,n}` with them, `+` without a positive `n`.
fn digit_count(format: &IntegerFormat, digits: Option<f64>) -> DigitCount {
    let Some(n) = digits.filter(|&n| n > 0.0) else {
        return DigitCount::Any;
    };
    let optional = format.optional.unwrap_or(f64::NAN);
    let min = if optional == 0.0 { n } else { n - optional };
    // A JavaScript quantifier takes plain decimal digits; anything else is literal text.
    let is_count = |x: f64| x >= 0.0 && x.fract() == 0.0 && x < 1e21;
    if is_count(min) && is_count(n) {
        return DigitCount::Between(f64_to_usize(min), f64_to_usize(n));
    }
    let text = if optional == 0.0 {
        format!("{{{}}}", crate::numbers::js_number_string(n))
    } else {
        format!(
            "{{{},{}}}",
            crate::numbers::js_number_string(min),
            crate::numbers::js_number_string(n)
        )
    };
    DigitCount::OneThen(text.chars().collect())
}

/// Names a component can be read from, later entries winning as in a JavaScript object.
fn name_table(marker: &Marker) -> Result<Vec<(String, f64)>> {
    let truncate = marker
        .width
        .and_then(|w| w.max)
        .filter(|&max| max != 0.0 && !max.is_nan());
    let key = |name: &str| match truncate {
        Some(max) => js_substring(&name.chars().collect::<Vec<_>>(), 0.0, max),
        None => name.to_string(),
    };
    Ok(match marker.component {
        'M' | 'x' => lakestack_compat::civil::MONTH_NAMES
            .iter()
            .zip(1u32..)
            .map(|(name, i)| (key(name), f64::from(i)))
            .collect(),
        'F' => lakestack_compat::civil::WEEKDAY_NAMES
            .iter()
            .zip(1u32..)
            .map(|(name, i)| (key(name), f64::from(i)))
            .collect(),
        'P' => [("am", 0.0), ("AM", 0.0), ("pm", 1.0), ("PM", 1.0)]
            .iter()
            .map(|&(name, value)| (name.to_string(), value))
            .collect(),
        other => return Err(names_not_supported(other)),
    })
}

/// Counts the matcher's steps against [`MAX_MATCH_STEPS`].
struct Budget(usize);

impl Budget {
    fn spend(&mut self, steps: usize) -> Result<()> {
        self.0 = self.0.saturating_add(steps);
        if self.0 > MAX_MATCH_STEPS {
            Err(match_timeout())
        } else {
            Ok(())
        }
    }
}

fn is_digit_at(input: &[char], at: usize) -> bool {
    input.get(at).is_some_and(char::is_ascii_digit)
}

fn literal_at(input: &[char], at: usize, literal: &[char]) -> bool {
    input
        .get(at..at + literal.len())
        .is_some_and(|slice| slice.iter().zip(literal).all(|(&a, &b)| same_ignoring_case(a, b)))
}

/// Ends of a greedy `class+` run from `at`, longest first (the order backtracking tries).
fn run_ends(input: &[char], at: usize, class: impl Fn(char) -> bool) -> Vec<usize> {
    let run = input
        .get(at..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| class(c)).count());
    (1..=run).rev().map(|len| at + len).collect()
}

fn digit_ends(input: &[char], at: usize, count: &DigitCount) -> Vec<usize> {
    match count {
        DigitCount::Any => run_ends(input, at, |c| c.is_ascii_digit()),
        DigitCount::Between(min, max) => {
            let run = (at..input.len())
                .take_while(|&i| is_digit_at(input, i))
                .take(*max)
                .count();
            (*min..=run).rev().map(|len| at + len).collect()
        }
        DigitCount::OneThen(text) => (is_digit_at(input, at) && literal_at(input, at + 1, text))
            .then_some(at + 1 + text.len())
            .into_iter()
            .collect(),
    }
}

const ORDINAL_SUFFIXES: [[char; 2]; 4] = [['t', 'h'], ['s', 't'], ['n', 'd'], ['r', 'd']];

fn candidate_ends(matcher: &Matcher, input: &[char], at: usize, budget: &mut Budget) -> Result<Vec<usize>> {
    let ends = match matcher {
        Matcher::Literal(text) => literal_at(input, at, text)
            .then_some(at + text.len())
            .into_iter()
            .collect(),
        Matcher::Digits { count, ordinal } => {
            let ends = digit_ends(input, at, count);
            if *ordinal {
                ends.into_iter()
                    .filter(|&end| ORDINAL_SUFFIXES.iter().any(|suffix| literal_at(input, end, suffix)))
                    .map(|end| end + 2)
                    .collect()
            } else {
                ends
            }
        }
        Matcher::Letters => run_ends(input, at, |c| c.is_ascii_alphabetic()),
        Matcher::Roman => run_ends(input, at, |c| {
            "MDCLXVI".contains(c.to_ascii_uppercase()) && c.is_ascii()
        }),
        Matcher::Words => word_ends(input, at, budget)?,
        Matcher::Timezone { gmt, separator } => timezone_ends(input, at, *gmt, *separator),
    };
    budget.spend(ends.len() + 1)?;
    Ok(ends)
}

/// `[-+][0-9]+`, after `GMT` for `z`, then `sep[0-9]+` for a picture with a regular grouping
/// separator, inserted into the expression unescaped: a `.` matches any character.
fn timezone_ends(input: &[char], at: usize, gmt: bool, separator: Option<char>) -> Vec<usize> {
    let mut at = at;
    if gmt {
        if !literal_at(input, at, &['G', 'M', 'T']) {
            return Vec::new();
        }
        at += 3;
    }
    if !matches!(input.get(at), Some('-' | '+')) {
        return Vec::new();
    }
    let hours = run_ends(input, at + 1, |c| c.is_ascii_digit());
    let Some(separator) = separator else {
        return hours;
    };
    let separator_matches = |c: char| {
        if separator == '.' {
            !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
        } else {
            same_ignoring_case(c, separator)
        }
    };
    hours
        .into_iter()
        .filter(|&end| input.get(end).is_some_and(|&c| separator_matches(c)))
        .flat_map(|end| run_ends(input, end + 1, |c| c.is_ascii_digit()))
        .collect()
}

/// The alternatives of jsonata-js's words expression, `(?:zero|one|...|and|[\-, ])+`.
fn word_alternatives() -> &'static [Vec<char>] {
    static ALTERNATIVES: OnceLock<Vec<Vec<char>>> = OnceLock::new();
    ALTERNATIVES.get_or_init(|| {
        let mut alternatives: Vec<Vec<char>> = word_values().iter().map(|(w, _)| w.chars().collect()).collect();
        alternatives.push(vec!['a', 'n', 'd']);
        alternatives
    })
}

fn word_alternative_at(input: &[char], at: usize, index: usize) -> Option<usize> {
    let alternatives = word_alternatives();
    match alternatives.get(index) {
        Some(word) => literal_at(input, at, word).then_some(at + word.len()),
        // The last alternative, the character class.
        None => matches!(input.get(at), Some('-' | ',' | ' ')).then_some(at + 1),
    }
}

/// Ends of `(?:alternatives)+` from `start` in backtracking order: each alternative in turn,
/// with further repetitions tried before stopping. An end already explored is not explored
/// again: everything after it was tried then and failed.
fn word_ends(input: &[char], start: usize, budget: &mut Budget) -> Result<Vec<usize>> {
    let alternative_count = word_alternatives().len() + 1;
    let mut ends = Vec::new();
    let mut explored = HashSet::new();
    let mut stack = vec![(start, 0usize)];
    while let Some(frame) = stack.last_mut() {
        let (at, next) = *frame;
        budget.spend(alternative_count - next)?;
        let found = (next..alternative_count).find_map(|i| word_alternative_at(input, at, i).map(|end| (i, end)));
        if let Some((i, end)) = found {
            frame.1 = i + 1;
            if !explored.contains(&end) {
                stack.push((end, 0));
            }
        } else {
            stack.pop();
            if !stack.is_empty() {
                explored.insert(at);
                ends.push(at);
            }
        }
    }
    Ok(ends)
}

/// A part being matched from `start`, trying `ends` in order.
struct Frame {
    part: usize,
    start: usize,
    ends: Vec<usize>,
    next: usize,
}

/// Matches the whole input against the parts, as `^(p1)(p2)...$` backtracks, returning each
/// part's span. Dead ends (part, position) are remembered, which keeps the search polynomial.
fn match_parts(parts: &[ParsePart], input: &[char]) -> Result<Option<Vec<(usize, usize)>>> {
    if parts.is_empty() {
        return Ok(input.is_empty().then(Vec::new));
    }
    let mut budget = Budget(0);
    let mut failed: HashSet<(usize, usize)> = HashSet::new();
    let first = candidate_ends(&parts[0].matcher, input, 0, &mut budget)?;
    let mut stack = vec![Frame {
        part: 0,
        start: 0,
        ends: first,
        next: 0,
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(&end) = frame.ends.get(frame.next) else {
            failed.insert((frame.part, frame.start));
            stack.pop();
            continue;
        };
        frame.next += 1;
        let part = frame.part + 1;
        if part == parts.len() {
            if end == input.len() {
                return Ok(Some(stack.iter().map(|f| (f.start, f.ends[f.next - 1])).collect()));
            }
            continue;
        }
        if !failed.contains(&(part, end)) {
            let ends = candidate_ends(&parts[part].matcher, input, end, &mut budget)?;
            stack.push(Frame {
                part,
                start: end,
                ends,
                next: 0,
            });
        }
    }
    Ok(None)
}

fn read_timezone(text: &str, gmt: bool, separator: Option<char>) -> f64 {
    let chars: Vec<char> = text.chars().collect();
    let chars = if gmt {
        chars.get(3..).unwrap_or(&[]).to_vec()
    } else {
        chars
    };
    let whole: String = chars.iter().collect();
    let (hours, minutes) = match separator {
        Some(separator) => {
            let index = chars.iter().position(|&c| c == separator).map_or(-1.0, len_f64);
            let hours = js_parse_int(&js_substring(&chars, 0.0, index));
            let minutes = js_parse_int(&js_substring(&chars, index + 1.0, len_f64(chars.len())));
            (hours, minutes)
        }
        None if utf16_len(&whole) <= 3 => (js_parse_int(&whole), 0.0),
        None => {
            let hours = js_parse_int(&js_substring(&chars, 0.0, 3.0));
            let minutes = js_parse_int(&js_substring(&chars, 3.0, len_f64(chars.len())));
            (hours, minutes)
        }
    };
    hours * 60.0 + minutes
}

fn read_part(text: &str, reader: &Reader) -> Result<Option<f64>> {
    Ok(match reader {
        Reader::Timezone { gmt, separator } => Some(read_timezone(text, *gmt, *separator)),
        Reader::Integer(format) => Some(parse_with(text, format)?),
        Reader::Names(table) => table
            .iter()
            .rev()
            .find(|(name, _)| name == text)
            .map(|&(_, value)| value),
    })
}

/// The components read from a timestamp: a missing key is absent, `Some(None)` is a key
/// holding `undefined` (a name that was not recognised).
#[derive(Default)]
struct Components(Vec<(char, Option<f64>)>);

impl Components {
    fn get(&self, component: char) -> Option<f64> {
        self.0.iter().find(|(c, _)| *c == component).and_then(|&(_, v)| v)
    }

    fn set(&mut self, component: char, value: Option<f64>) {
        match self.0.iter_mut().find(|(c, _)| *c == component) {
            Some(entry) => entry.1 = value,
            None => self.0.push((component, value)),
        }
    }

    /// The bit pattern of the components present with a truthy value (0 and `NaN` are not).
    fn mask(&self, components: &str) -> u32 {
        components.chars().fold(0, |mask, c| {
            let truthy = self.get(c).is_some_and(|v| v != 0.0 && !v.is_nan());
            (mask << 1) | u32::from(truthy)
        })
    }

    fn value(&self, component: char) -> f64 {
        self.get(component).unwrap_or(f64::NAN)
    }
}

/// No component outside `pattern`, and at least one in it.
fn is_type(pattern: u32, mask: u32) -> bool {
    (!pattern & mask) == 0 && (pattern & mask) != 0
}

fn parse_datetime(timestamp: &str, picture: &str, now_millis: f64) -> Result<Option<f64>> {
    let parts = parse_parts(&analyse_datetime_picture(picture)?)?;
    let input: Vec<char> = timestamp.chars().collect();
    let Some(spans) = match_parts(&parts, &input)? else {
        return Ok(None);
    };
    let mut components = Components::default();
    for (part, &(from, to)) in parts.iter().zip(&spans) {
        if let Some((component, reader)) = &part.reader {
            let text: String = input[from..to].iter().collect();
            components.set(*component, read_part(&text, reader)?);
        }
    }
    if components.0.is_empty() {
        return Ok(None);
    }
    combine_components(&mut components, now_millis).map(Some)
}

/// jsonata-js's rules for turning components into a time: one date form (Y-M-D, Y-d,
/// X-x-w-F or X-W-F) and one time form (H-m-s-f or P-h-m-s-f); components before the first
/// given default to now, after the last given to their minimum, and a gap is an error.
fn combine_components(components: &mut Components, now_millis: f64) -> Result<f64> {
    let date_mask = components.mask("YXMxWwdD");
    let date_a = is_type(0b1010_0001, date_mask);
    let date_b = !date_a && is_type(0b1000_0010, date_mask);
    let date_c = is_type(0b0101_0100, date_mask);
    let date_d = !date_c && is_type(0b0100_1000, date_mask);
    let time_mask = components.mask("PHhmsf");
    let time_a = is_type(0b01_0111, time_mask);
    let time_b = !time_a && is_type(0b10_1111, time_mask);

    // jsonata-js lists "YD" for the day-of-year form, and so checks D rather than d.
    let date_order = if date_b {
        "YD"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_order = if time_b { "Phmsf" } else { "Hmsf" };
    fill_defaults(components, &format!("{date_order}{time_order}"), now_millis)?;

    let month = components.value('M');
    components.set('M', Some(if month > 0.0 { month - 1.0 } else { 0.0 }));
    if date_b {
        let first = date_utc_day(components.value('Y'), 0.0, 1.0);
        let derived = DateFields::new(time_clip(first + (components.value('d') - 1.0) * MS_PER_DAY));
        components.set('M', Some(derived.month0));
        components.set('D', Some(derived.day));
    }
    if date_c || date_d {
        return Err(missing_components());
    }
    if time_b {
        let hour = components.value('h');
        let hour = if hour == 12.0 { 0.0 } else { hour };
        let pm = components.get('P') == Some(1.0);
        components.set('H', Some(if pm { hour + 12.0 } else { hour }));
    }
    let value = |c| components.value(c);
    let mut millis = date_utc(
        value('Y'),
        value('M'),
        value('D'),
        value('H'),
        value('m'),
        value('s'),
        value('f'),
    );
    let truthy = |v: Option<f64>| v.filter(|&v| v != 0.0 && !v.is_nan());
    if let Some(offset) = truthy(components.get('Z')).or_else(|| truthy(components.get('z'))) {
        millis -= offset * 60.0 * 1000.0;
    }
    Ok(millis)
}

fn fill_defaults(components: &mut Components, order: &str, now_millis: f64) -> Result<()> {
    let now = DateFields::new(time_clip(now_millis));
    let mut start_specified = false;
    let mut end_specified = false;
    for part in order.chars() {
        if components.get(part).is_none() {
            let value = if start_specified {
                end_specified = true;
                if "MDd".contains(part) { 1.0 } else { 0.0 }
            } else {
                match fragment(&now, part) {
                    Fragment::Number(n) => n,
                    // am/pm is text there, never the 1 that means pm.
                    Fragment::Text(_) | Fragment::Undefined => f64::NAN,
                }
            };
            components.set(part, Some(value));
        } else {
            start_specified = true;
            if end_specified {
                return Err(missing_components());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Parsing ISO 8601 timestamps: jsonata-js's check, then V8's Date.parse
// ---------------------------------------------------------------------------------------------

/// jsonata-js's `^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$`.
/// The two date groups together accept any run of `-[0-3]\d`.
fn matches_iso_shape(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let within = |i: usize, lo: u8, hi: u8| b.get(i).is_some_and(|c| (lo..=hi).contains(c));
    if !(0..4).all(digit) {
        return false;
    }
    let date_group = |i: usize| b.get(i) == Some(&b'-') && within(i + 1, b'0', b'3') && digit(i + 2);
    let time_group = |i: usize| {
        b.get(i) == Some(&b'T')
            && within(i + 1, b'0', b'2')
            && digit(i + 2)
            && b.get(i + 3) == Some(&b':')
            && within(i + 4, b'0', b'5')
            && digit(i + 5)
            && b.get(i + 6) == Some(&b':')
            && within(i + 7, b'0', b'5')
            && digit(i + 8)
    };
    let zone_ends = |i: usize| -> bool {
        if i == b.len() {
            return true;
        }
        if b.get(i) == Some(&b'Z') {
            return i + 1 == b.len();
        }
        if !matches!(b.get(i), Some(b'+' | b'-')) || !within(i + 1, b'0', b'2') || !digit(i + 2) {
            return false;
        }
        let i = if b.get(i + 3) == Some(&b':') { i + 4 } else { i + 3 };
        within(i, b'0', b'5') && digit(i + 1) && i + 2 == b.len()
    };
    let fraction_then_zone = |i: usize| -> bool {
        if b.get(i) == Some(&b'.') && digit(i + 1) {
            let end = (i + 1..=b.len()).find(|&j| !digit(j)).unwrap_or(b.len());
            if zone_ends(end) {
                return true;
            }
        }
        zone_ends(i)
    };
    let mut date_positions = vec![4];
    while let Some(&last) = date_positions.last() {
        if !date_group(last) {
            break;
        }
        date_positions.push(last + 3);
    }
    date_positions.iter().rev().any(|&i| {
        let mut j = i;
        let mut time_positions = vec![j];
        while time_group(j) {
            j += 9;
            time_positions.push(j);
        }
        time_positions.iter().rev().any(|&k| fraction_then_zone(k))
    })
}

/// A token of V8's date string scanner.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    /// `value` holds at most nine significant digits; `length` counts every digit.
    Number {
        value: i64,
        length: usize,
    },
    Symbol(u8),
    TimeSeparator,
    Zulu,
    End,
}

/// Tokenizes text that passed [`matches_iso_shape`]: digits, `-+:.`, `T` and `Z`.
fn date_tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i] == b'0' {
                i += 1;
            }
            let (mut value, mut significant) = (0i64, 0);
            while i < b.len() && b[i].is_ascii_digit() {
                if significant < 9 {
                    value = value * 10 + i64::from(b[i] - b'0');
                }
                significant += 1;
                i += 1;
            }
            tokens.push(Token::Number {
                value,
                length: i - start,
            });
            continue;
        }
        tokens.push(match c {
            b'T' => Token::TimeSeparator,
            b'Z' => Token::Zulu,
            other => Token::Symbol(other),
        });
        i += 1;
    }
    tokens.push(Token::End);
    tokens
}

/// What V8's date parser has gathered.
#[derive(Default)]
struct DateParts {
    day: Vec<i64>,
    time: Vec<i64>,
    /// Offset east of UTC in seconds; `None` is local time, which AWS runs as UTC.
    zone: Option<i64>,
    iso: bool,
}

enum Es5 {
    Done,
    /// Continue with the legacy parser from this token.
    Legacy(usize),
    Invalid,
}

fn fixed_number(tokens: &[Token], i: usize, length: usize) -> Option<i64> {
    match tokens.get(i) {
        Some(&Token::Number { value, length: l }) if l == length => Some(value),
        _ => None,
    }
}

/// V8 rounds a fraction's first three significant digits down, counting at most nine digits.
fn read_milliseconds(value: i64, length: usize) -> i64 {
    match length {
        1 => value * 100,
        2 => value * 10,
        3 => value,
        _ => {
            let excess = u32::try_from(length.min(9) - 3).unwrap_or(0);
            value / 10i64.pow(excess)
        }
    }
}

/// V8's `ParseES5DateTime`, for the shapes [`matches_iso_shape`] lets through.
fn parse_es5(tokens: &[Token], parts: &mut DateParts) -> Es5 {
    let Some(year) = fixed_number(tokens, 0, 4) else {
        return Es5::Invalid;
    };
    parts.day.push(year);
    let mut i = 1;
    if tokens.get(i) == Some(&Token::Symbol(b'-')) {
        i += 1;
        match fixed_number(tokens, i, 2).filter(|m| (1..=12).contains(m)) {
            Some(month) => parts.day.push(month),
            None => return Es5::Legacy(i),
        }
        i += 1;
        if tokens.get(i) == Some(&Token::Symbol(b'-')) {
            i += 1;
            match fixed_number(tokens, i, 2).filter(|d| (1..=31).contains(d)) {
                Some(day) => parts.day.push(day),
                None => return Es5::Legacy(i),
            }
            i += 1;
        }
    }
    if tokens.get(i) != Some(&Token::TimeSeparator) {
        if tokens.get(i) != Some(&Token::End) {
            return Es5::Legacy(i);
        }
    } else if !parse_es5_time(tokens, i + 1, parts) {
        return Es5::Invalid;
    }
    if parts.zone.is_none() && parts.time.is_empty() {
        parts.zone = Some(0);
    }
    parts.iso = true;
    Es5::Done
}

/// `HH:mm[:ss[.sss]][Z|±hh:mm|±hhmm]` to the end, hour 24 only for midnight.
fn parse_es5_time(tokens: &[Token], mut i: usize, parts: &mut DateParts) -> bool {
    let Some(hour) = fixed_number(tokens, i, 2).filter(|h| (0..=24).contains(h)) else {
        return false;
    };
    let is_24 = hour == 24;
    parts.time.push(hour);
    i += 1;
    if tokens.get(i) != Some(&Token::Symbol(b':')) {
        return false;
    }
    let Some(minute) = fixed_number(tokens, i + 1, 2).filter(|m| (0..=59).contains(m) && !(is_24 && *m > 0)) else {
        return false;
    };
    parts.time.push(minute);
    i += 2;
    if tokens.get(i) == Some(&Token::Symbol(b':')) {
        let Some(second) = fixed_number(tokens, i + 1, 2).filter(|s| (0..=59).contains(s) && !(is_24 && *s > 0)) else {
            return false;
        };
        parts.time.push(second);
        i += 2;
        if tokens.get(i) == Some(&Token::Symbol(b'.')) {
            let Some(&Token::Number { value, length }) = tokens.get(i + 1) else {
                return false;
            };
            if is_24 && value > 0 {
                return false;
            }
            parts.time.push(read_milliseconds(value, length));
            i += 2;
        }
    }
    match tokens.get(i) {
        Some(Token::Zulu) => {
            parts.zone = Some(0);
            i += 1;
        }
        Some(&Token::Symbol(sign @ (b'+' | b'-'))) => {
            let sign = if sign == b'+' { 1 } else { -1 };
            let (hours, minutes, next) = if let Some(hhmm) = fixed_number(tokens, i + 1, 4) {
                (hhmm / 100, hhmm % 100, i + 2)
            } else {
                let hours = fixed_number(tokens, i + 1, 2);
                let colon = tokens.get(i + 2) == Some(&Token::Symbol(b':'));
                match (hours, colon, fixed_number(tokens, i + 3, 2)) {
                    (Some(h), true, Some(m)) => (h, m, i + 4),
                    _ => return false,
                }
            };
            if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) {
                return false;
            }
            parts.zone = Some(sign * (hours * 3600 + minutes * 60));
            i = next;
        }
        _ => {}
    }
    tokens.get(i) == Some(&Token::End)
}

/// V8's legacy parser over what is left: a number before `:` is a time, other numbers are
/// day components (eating a following `-`, even an offset's), a `Z` is UTC, and a sign or a
/// `T` after numbers makes the date invalid.
fn parse_legacy(tokens: &[Token], mut i: usize, parts: &mut DateParts) -> bool {
    while let Some(&token) = tokens.get(i) {
        i += 1;
        match token {
            Token::Number { value, .. } => match legacy_number(tokens, i, value, parts) {
                Some(next) => i = next,
                None => return false,
            },
            Token::Zulu => parts.zone = Some(0),
            // Signs are offsets only after a time or UTC, which the accepted shapes never
            // put before one.
            Token::TimeSeparator | Token::Symbol(b'+' | b'-') => return false,
            Token::Symbol(_) => {}
            Token::End => break,
        }
    }
    true
}

/// A number in V8's legacy parser; `i` is the token after it. Returns where to go on.
fn legacy_number(tokens: &[Token], mut i: usize, value: i64, parts: &mut DateParts) -> Option<usize> {
    let is = |i: usize, symbol: u8| tokens.get(i) == Some(&Token::Symbol(symbol));
    if is(i, b':') {
        i += 1;
        if is(i, b':') {
            if !parts.time.is_empty() {
                return None;
            }
            parts.time.extend([value, 0]);
            return Some(i + 1);
        }
        if parts.time.len() >= 4 {
            return None;
        }
        parts.time.push(value);
        return Some(if is(i, b'.') { i + 1 } else { i });
    }
    // The `.` is consumed whether or not a time was expecting this number.
    let had_point = is(i, b'.');
    if had_point {
        i += 1;
    }
    if had_point && time_expects(&parts.time, value) {
        parts.time.push(value);
        let Some(&Token::Number {
            value: fraction,
            length,
        }) = tokens.get(i)
        else {
            return None;
        };
        finish_time(&mut parts.time, read_milliseconds(fraction, length))?;
        return Some(i + 1);
    }
    if time_expects(&parts.time, value) {
        finish_time(&mut parts.time, value)?;
        // A completed time must be followed by the end, a `Z` or a sign.
        return matches!(
            tokens.get(i),
            Some(Token::End | Token::Zulu | Token::Symbol(b'+' | b'-'))
        )
        .then_some(i);
    }
    if parts.day.len() >= 3 {
        return None;
    }
    parts.day.push(value);
    Some(if is(i, b'-') { i + 1 } else { i })
}

/// V8's `TimeComposer::IsExpecting`: the next of minute, second, millisecond, if in range.
fn time_expects(time: &[i64], value: i64) -> bool {
    match time.len() {
        1 | 2 => (0..=59).contains(&value),
        3 => (0..=999).contains(&value),
        _ => false,
    }
}

/// `TimeComposer::AddFinal`: the value, then zeros for the rest.
fn finish_time(time: &mut Vec<i64>, value: i64) -> Option<()> {
    if time.len() >= 4 {
        return None;
    }
    time.push(value);
    time.resize(4, 0);
    Some(())
}

/// V8's `DayComposer::Write`: (year, month 1-12, day), read as Y-M-D when ISO or when the
/// first number cannot be a day, otherwise M-D-Y; two-digit legacy years are 19xx/20xx.
fn compose_day(parts: &DateParts) -> Option<(i64, i64, i64)> {
    let mut day = parts.day.clone();
    if day.is_empty() {
        return None;
    }
    day.resize(3, 1);
    let is_day = |d: i64| (1..=31).contains(&d);
    let (mut year, month, date) = if parts.iso || !is_day(day[0]) {
        (day[0], day[1], day[2])
    } else {
        (day[2], day[0], day[1])
    };
    if !parts.iso {
        if (0..=49).contains(&year) {
            year += 2000;
        } else if (50..=99).contains(&year) {
            year += 1900;
        }
    }
    ((1..=12).contains(&month) && is_day(date)).then_some((year, month, date))
}

/// `Date.parse` of a string that passed jsonata-js's check, as V8 reads it. Times without an
/// offset are local in V8; they are read as UTC here, the zone AWS runs in.
fn date_parse(text: &str) -> f64 {
    let tokens = date_tokens(text);
    let mut parts = DateParts::default();
    let valid = match parse_es5(&tokens, &mut parts) {
        Es5::Done => true,
        Es5::Invalid => false,
        Es5::Legacy(i) => parse_legacy(&tokens, i, &mut parts),
    };
    if !valid {
        return f64::NAN;
    }
    let Some((year, month, day)) = compose_day(&parts) else {
        return f64::NAN;
    };
    let mut time = parts.time.clone();
    time.resize(4, 0);
    let (hour, minute, second, ms) = (time[0], time[1], time[2], time[3]);
    if !((0..=23).contains(&hour) || (hour == 24 && minute == 0 && second == 0 && ms == 0)) {
        return f64::NAN;
    }
    let as_f64 = i64_to_f64;
    let date = make_date(
        make_day(as_f64(year), as_f64(month - 1), as_f64(day)),
        make_time(as_f64(hour), as_f64(minute), as_f64(second), as_f64(ms)),
    );
    let utc = date - as_f64(parts.zone.unwrap_or(0)) * 1000.0;
    if utc.abs() <= MAX_TIME_VALUE { utc } else { f64::NAN }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2018-03-23T10:33:36.617Z, a Friday.
    const FRIDAY: f64 = 1_521_801_216_617.0;

    fn fmt(millis: f64, picture: &str) -> String {
        from_millis(millis, Some(picture), None).unwrap()
    }

    fn fmt_code(millis: f64, picture: &str) -> &'static str {
        from_millis(millis, Some(picture), None).unwrap_err().code
    }

    fn parse(timestamp: &str, picture: &str) -> Option<f64> {
        to_millis_at(timestamp, Some(picture), 0.0).unwrap()
    }

    fn parse_code(timestamp: &str, picture: &str) -> &'static str {
        to_millis_at(timestamp, Some(picture), 0.0).unwrap_err().code
    }

    fn iso(timestamp: &str) -> f64 {
        to_millis_at(timestamp, None, 0.0).unwrap().unwrap()
    }

    fn int(value: f64, picture: &str) -> String {
        format_integer(value, picture).unwrap()
    }

    fn parse_int(value: &str, picture: &str) -> f64 {
        parse_integer(value, picture).unwrap().unwrap()
    }

    #[test]
    fn from_millis_defaults_to_iso_8601() {
        assert_eq!(from_millis(1.0, None, None).unwrap(), "1970-01-01T00:00:00.001Z");
        assert_eq!(from_millis(FRIDAY, None, None).unwrap(), "2018-03-23T10:33:36.617Z");
        assert_eq!(
            from_millis(FRIDAY, None, Some("-0500")).unwrap(),
            "2018-03-23T05:33:36.617-05:00"
        );
        assert_eq!(
            from_millis(FRIDAY, None, Some("0000")).unwrap(),
            "2018-03-23T10:33:36.617Z"
        );
    }

    #[test]
    fn from_millis_literals_and_brackets() {
        assert_eq!(fmt(FRIDAY, "Hello"), "Hello");
        assert_eq!(fmt(FRIDAY, "[[Year]]: [[[Y0001]]]"), "[Year]: [2018]");
        assert_eq!(fmt(FRIDAY, "[Y]-[ M01]-[D 01]"), "2018-03-23");
    }

    #[test]
    fn from_millis_integer_presentations() {
        assert_eq!(fmt(FRIDAY, "Year: <[Y9,999,*]>"), "Year: <2,018>");
        assert_eq!(fmt(FRIDAY, "[D#1,2]/[M1,2]/[Y,2]"), "23/03/18");
        assert_eq!(fmt(FRIDAY, "[D1] [M01] [YI]"), "23 03 MMXVIII");
        assert_eq!(fmt(FRIDAY, "[Da] [MA] [Yi]"), "w C mmxviii");
        assert_eq!(fmt(FRIDAY, "[D1o] [Yw]"), "23rd two thousand and eighteen");
        assert_eq!(fmt(FRIDAY, "[Y,*-2][M,2]"), "1803");
    }

    #[test]
    fn from_millis_names() {
        assert_eq!(
            fmt(FRIDAY, "[FNn], the [Dwo] of [MNn] [Y] [E]"),
            "Friday, the twenty-third of March 2018 ISO"
        );
        assert_eq!(
            fmt(FRIDAY, "[FNn,3-3], [D1o] [MN,3-3] [Y] [C]"),
            "Fri, 23rd MAR 2018 ISO"
        );
        assert_eq!(fmt(FRIDAY, "[F], [h]:[m]:[s] [P] [PN]"), "friday, 10:33:36 am AM");
    }

    #[test]
    fn from_millis_weeks() {
        assert_eq!(fmt(1_451_304_000_000.0, "Week: [W]"), "Week: 53");
        assert_eq!(fmt(1_483_272_000_000.0, "Week: [w] of [xNn]"), "Week: 5 of December");
        assert_eq!(fmt(1_483_185_600_000.0, "[d] days in [Y0001]"), "366 days in 2016");
        // Sat 1 Jan 2005 belongs to the last ISO week of 2004.
        let day = parse("2005-01-01", "[Y]-[M]-[D]").unwrap();
        assert_eq!(fmt(day, "[X0001]-W[W01]-[F1]"), "2004-W53-6");
    }

    #[test]
    fn from_millis_timezones() {
        let noon = 1_531_310_400_000.0;
        let zoned = |picture: &str, tz: &str| from_millis(noon, Some(picture), Some(tz)).unwrap();
        assert_eq!(zoned("[H01]:[m][Z]", "-0500"), "07:00-05:00");
        assert_eq!(zoned("[H01]:[m][Z0]", "+0530"), "17:30+5:30");
        assert_eq!(zoned("[H01]:[m][Z0101t]", "+0100"), "13:00+0100");
        assert_eq!(zoned("[H01]:[m][z]", "-0500"), "07:00GMT-05:00");
        assert_eq!(fmt(noon, "[H01][Z01:01t]"), "12Z");
        // jsonata-js floors the hundreds of -530, so the offset is -6:30.
        assert_eq!(
            from_millis(0.0, Some("[H01]:[m01] [Z]"), Some("-0530")).unwrap(),
            "17:30 -06:30"
        );
    }

    #[test]
    fn from_millis_javascript_quirks() {
        // Beyond JavaScript's dates every component is NaN.
        assert_eq!(from_millis(1e16, None, None).unwrap(), "0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ");
        assert_eq!(fmt(0.0, "[q1]"), "undefined");
        assert_eq!(fmt_code(1e16, "[MN]"), "TypeError");
        assert_eq!(fmt_code(1e12, "[fN]"), "TypeError");
        assert_eq!(fmt_code(0.0, "[Y,1000000000]"), "RangeError");
    }

    #[test]
    fn from_millis_errors() {
        assert_eq!(fmt_code(FRIDAY, "[Z010101t]"), "D3134");
        assert_eq!(fmt_code(FRIDAY, "[YN]-[M]"), "D3133");
        assert_eq!(fmt_code(FRIDAY, "[YN]-[M"), "D3135");
        assert_eq!(fmt_code(FRIDAY, "[q]"), "D3132");
        assert_eq!(fmt_code(FRIDAY, "[Y#]"), "D3130");
        let error = from_millis(FRIDAY, Some("[q]"), None).unwrap_err();
        assert_eq!(
            error.message,
            "Unknown component specifier \"q\" in date/time picture string"
        );
    }

    #[test]
    fn to_millis_iso_8601() {
        assert_eq!(iso("1970-01-01T00:00:00.001Z"), 1.0);
        assert_eq!(iso("2018-02-01T09:42:13.123+0000"), 1_517_478_133_123.0);
        assert_eq!(iso("2017-10-30"), 1_509_321_600_000.0);
        assert_eq!(iso("2018"), 1_514_764_800_000.0);
        // V8 rolls the 31st of February over, and takes 24:00 as the next midnight.
        assert_eq!(iso("2018-02-31"), 1_520_035_200_000.0);
        assert_eq!(iso("2018-02-01T24:00:00Z"), 1_517_529_600_000.0);
        assert!(iso("2018-13-01").is_nan());
        // V8's fallback parser reads what jsonata's check lets through as a time.
        assert_eq!(iso("1399-23:45"), -18_018_893_700_000.0);
    }

    #[test]
    fn to_millis_rejects_other_shapes() {
        let error = to_millis_at("foo", None, 0.0).unwrap_err();
        assert_eq!(error.code, "D3110");
        assert_eq!(
            error.message,
            "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given \"foo\""
        );
        assert_eq!(
            to_millis_at("2018-02-03 11:15:33", None, 0.0).unwrap_err().code,
            "D3110"
        );
    }

    #[test]
    fn to_millis_with_pictures() {
        assert_eq!(parse("20180205", "[Y0001][M01][D01]"), Some(1_517_788_800_000.0));
        assert_eq!(parse("201802", "[Y,*-4][M01]"), Some(1_517_443_200_000.0));
        assert_eq!(
            parse("27th April 2008", "[D1o] [MNn] [Y0001]"),
            Some(1_209_254_400_000.0)
        );
        assert_eq!(parse("2 Feb 2012", "[D1] [MNn,3-3] [Y0001]"), Some(1_328_140_800_000.0));
        assert_eq!(parse("MCMLXXXIV", "[YI]"), Some(441_763_200_000.0));
        assert_eq!(parse("w C mmxviii", "[Da] [MA] [Yi]"), Some(1_521_763_200_000.0));
        assert_eq!(
            parse("twenty-first August two thousand and seventeen", "[Dw] [MNn] [Yw]"),
            Some(1_503_273_600_000.0)
        );
        assert_eq!(
            parse("seventeenth March 2018", "[Dw] [MNn] [Y]"),
            Some(1_521_244_800_000.0)
        );
        assert_eq!(
            parse("4/4/2018 12:06 am", "[D1]/[M1]/[Y0001] [h]:[m] [P]"),
            Some(1_522_800_360_000.0)
        );
        assert_eq!(parse("2018-094", "[Y0001]-[d001]"), Some(1_522_800_000_000.0));
        assert_eq!(
            parse(
                "2020-09-09 12:00:00 +05:30",
                "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [Z]"
            ),
            Some(1_599_633_000_000.0)
        );
        assert_eq!(
            parse(
                "2020-09-09 12:00:00 GMT-5",
                "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [z01]"
            ),
            Some(1_599_670_800_000.0)
        );
    }

    #[test]
    fn to_millis_defaults_and_quirks() {
        // Components before the first given come from "now", those after from their minimum.
        let now = 1_700_000_000_000.0; // 2023-11-14T22:13:20Z
        assert_eq!(
            to_millis_at("13:45", Some("[H]:[m]"), now).unwrap(),
            Some(1_699_969_500_000.0)
        );
        assert_eq!(parse("2018-6", "[Y]-[M]"), Some(1_527_811_200_000.0));
        // Date.UTC reads years 0-99 as 1900-1999.
        assert_eq!(parse("0050-01-01", "[Y0001]-[M01]-[D01]"), Some(-631_152_000_000.0));
        // The expression is case-insensitive, the month names are not: March is left out.
        assert_eq!(parse("2018MARCH", "[Y][MNn]"), Some(1_514_764_800_000.0));
        assert_eq!(parse("irrelevant string", "[Y]-[M]-[D]"), None);
        assert_eq!(parse("Hello", "Hello"), None);
    }

    #[test]
    fn to_millis_errors() {
        assert_eq!(parse_code("2018-05-22", "[Y]-[M]-[q]"), "D3132");
        assert_eq!(parse_code("2018-05-22", "[YN]-[M]-[D]"), "D3133");
        assert_eq!(parse_code("2018-22", "[Y]-[D]"), "D3136");
        assert_eq!(parse_code("2018-32-5", "[X]-[W]-[F1]"), "D3136");
        assert_eq!(parse_code("50", "[Y#]"), "D3130");
        assert_eq!(parse_code(&"1".repeat(4000), "[Y][M][D]x"), "U1001");
    }

    #[test]
    fn format_integer_decimal() {
        assert_eq!(int(123.0, "0000"), "0123");
        assert_eq!(int(-3.0, "0000"), "-0003");
        assert_eq!(int(12.6, "###0"), "12");
        assert_eq!(int(-0.5, "0"), "-1");
        assert_eq!(int(1_234_567_890.0, "#,##0"), "1,234,567,890");
        assert_eq!(int(1_234_567_890.0, "#:###,##0"), "1234:567,890");
        assert_eq!(int(1_234_567_890.0, "##,##,##0"), "12345,67,890");
        assert_eq!(int(1.0, "#:###,##0"), ",1");
        assert_eq!(int(12340.0, "###\u{661}"), "\u{661}\u{662}\u{663}\u{664}\u{660}");
        assert_eq!(int(123.0, "000;o"), "123rd");
        assert_eq!(int(12.0, "###0;o"), "12th");
        assert_eq!(int(1e21, "0"), "1e+21");
    }

    #[test]
    fn format_integer_words_letters_roman() {
        assert_eq!(int(555.0, "Ww"), "Five Hundred and Fifty-Five");
        assert_eq!(int(99.0, "W;o"), "NINETY-NINTH");
        assert_eq!(int(3731.0, "w;o"), "three thousand, seven hundred and thirty-first");
        assert_eq!(int(1_000_000_000_001.0, "w"), "one trillion and one");
        assert_eq!(int(1e46, "w"), "ten billion trillion trillion trillion");
        assert_eq!(int(1984.0, "I"), "MCMLXXXIV");
        assert_eq!(int(0.0, "I"), "");
        assert_eq!(int(27.0, "a"), "aa");
        assert_eq!(int(123_456.0, "A"), "FZPH");
    }

    #[test]
    fn format_integer_errors() {
        assert_eq!(format_integer(1.0, "\u{3b1}").unwrap_err().code, "D3130");
        assert_eq!(format_integer(1.0, "##0\u{ff10}").unwrap_err().code, "D3131");
        assert_eq!(format_integer(1e9, "I").unwrap_err().code, "RangeError");
        assert_eq!(format_integer(f64::INFINITY, "w").unwrap_err().code, "RangeError");
    }

    #[test]
    fn parse_integer_forms() {
        assert_eq!(parse_int("0123", "0000"), 123.0);
        assert_eq!(parse_int("12,345,678", "#,##0"), 12_345_678.0);
        assert_eq!(parse_int("1234:567,890", "#:###,##0"), 1_234_567_890.0);
        assert_eq!(parse_int("28th", "#0;o"), 28.0);
        assert_eq!(parse_int("\u{661}\u{662}\u{663}\u{664}\u{660}", "###\u{661}"), 12340.0);
        assert_eq!(parse_int("0x1A", "0"), 26.0);
        assert_eq!(parse_int("MCMLXXXIV", "I"), 1984.0);
        assert_eq!(parse_int("", "I"), 0.0);
        assert_eq!(parse_int("Seven Hundred and Thirty-Third", "Ww;o"), 733.0);
        assert_eq!(parse_int("one thousand trillion", "w"), 1e15);
        assert_eq!(parse_int("ten billion trillion trillion trillion", "w"), 1e46);
        assert_eq!(parse_int("FZPH", "A"), 123_456.0);
        assert!(parse_int("foo", "w").is_nan());
    }

    #[test]
    fn parse_integer_errors() {
        assert_eq!(parse_integer("50", "#").unwrap_err().code, "D3130");
        assert_eq!(parse_integer("12", "##\u{661}").unwrap_err().code, "RangeError");
    }
}
