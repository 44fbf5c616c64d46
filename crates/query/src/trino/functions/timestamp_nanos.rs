//! Trino's functions that answer `timestamp(9) with time zone`:
//! `from_unixtime_nanos` and `from_iso8601_timestamp_nanos` (Java's
//! `ISO_DATE_TIME` text, with java.time's error messages).
//!
//! Such a value is an Arrow `Timestamp(Nanosecond, "UTC")` here: lakestack's
//! zoned timestamps hold the instant only, so an offset in the text is
//! applied and the result shown in UTC (as `from_iso8601_timestamp` does).
//! Arrow's nanoseconds reach from 1677 to 2262; values outside fail rather
//! than wrap.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, TimestampNanosecondArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, TimeUnit};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;

use super::lists::{ints, primitive, unexpected};
use super::udf::{Arg, Fun, Returns, invalid, strings};

pub fn udfs() -> Vec<ScalarUDF> {
    vec![
        Fun::new(
            "from_unixtime_nanos",
            &[Arg::Any],
            Returns::Computed(unixtime_nanos_type),
            from_unixtime_nanos,
        )
        .udf(),
        Fun::new(
            "from_iso8601_timestamp_nanos",
            &[Arg::Str],
            Returns::Fixed(zoned_nanos()),
            from_iso8601_timestamp_nanos,
        )
        .udf(),
    ]
}

fn zoned_nanos() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
}

fn out_of_range() -> DataFusionError {
    invalid("Date/time value is outside the supported range")
}

// ------------------------------------------------------------------------------------------------
// from_unixtime_nanos

/// Trino takes a bigint or a decimal. A double is taken as the decimal it
/// would be in Trino, where `1234.5` is a decimal literal, not a double.
fn unixtime_nanos_type(args: &[DataType]) -> Result<DataType> {
    match args.first() {
        Some(t) if t.is_integer() || t.is_floating() || t.is_null() || matches!(t, DataType::Decimal128(_, _)) => {
            Ok(zoned_nanos())
        }
        _ => unexpected(args, "from_unixtime_nanos"),
    }
}

/// Nanoseconds since the epoch; a decimal's fraction is cut off toward zero,
/// as Trino's `BigInteger.divide` does (`-1234.9` is `-1234`).
fn from_unixtime_nanos(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let a = &args[0];
    let nanos: Vec<Option<i64>> = match a.data_type() {
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            primitive::<Decimal128Type>(a)?
                .iter()
                .map(|v| v.map(|v| decimal_nanos(v, scale)).transpose())
                .collect::<Result<_>>()?
        }
        t if t.is_floating() => {
            let x = cast(a, &DataType::Float64)?;
            primitive::<Float64Type>(&x)?
                .iter()
                .map(|v| v.map(double_nanos).transpose())
                .collect::<Result<_>>()?
        }
        _ => {
            let n = cast(a, &DataType::Int64)?;
            ints(&n)?.iter().collect()
        }
    };
    let out = TimestampNanosecondArray::from(nanos).with_timezone("UTC");
    Ok(Arc::new(out))
}

fn decimal_nanos(v: i128, scale: i8) -> Result<i64> {
    let whole = if scale >= 0 {
        // 10^38 is the largest power a decimal128 scale asks for, and fits.
        let divisor = 10i128
            .checked_pow(u32::from(scale.unsigned_abs()))
            .ok_or_else(out_of_range)?;
        v / divisor
    } else {
        let factor = 10i128
            .checked_pow(u32::from(scale.unsigned_abs()))
            .ok_or_else(out_of_range)?;
        v.checked_mul(factor).ok_or_else(out_of_range)?
    };
    i64::try_from(whole).map_err(|_| out_of_range())
}

fn double_nanos(x: f64) -> Result<i64> {
    let whole = x.trunc();
    // i64's range as doubles: -2^63 is exact, 2^63 is just past the end.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if whole.is_finite() && (-LIMIT..LIMIT).contains(&whole) {
        Ok(whole as i64)
    } else {
        Err(out_of_range())
    }
}

// ------------------------------------------------------------------------------------------------
// from_iso8601_timestamp_nanos

fn from_iso8601_timestamp_nanos(args: &[ArrayRef], _: &DataType) -> Result<ArrayRef> {
    let s = strings(&args[0])?;
    let out: TimestampNanosecondArray = s
        .iter()
        .map(|v| v.map(iso8601_nanos).transpose())
        .collect::<Result<_>>()?;
    Ok(Arc::new(out.with_timezone("UTC")))
}

/// Where and why java.time's parser gave up on a text.
enum IsoFailure {
    /// The text does not match at this index.
    At(usize),
    /// A whole date-time matched, but more text follows at this index.
    Unparsed(usize),
    /// The text matched, but a value in it is invalid.
    Invalid(String),
}

/// Trino's message for a text `ISO_DATE_TIME` rejects: java.time's own,
/// which quotes at most 64 characters of the text.
fn iso_error(text: &str, why: IsoFailure) -> DataFusionError {
    let shown: String = if text.chars().count() > 64 {
        text.chars().take(64).chain("...".chars()).collect()
    } else {
        text.to_owned()
    };
    invalid(match why {
        IsoFailure::At(i) => format!("Text '{shown}' could not be parsed at index {i}"),
        IsoFailure::Unparsed(i) => format!("Text '{shown}' could not be parsed, unparsed text found at index {i}"),
        IsoFailure::Invalid(m) => format!("Text '{shown}' could not be parsed: {m}"),
    })
}

/// The fields of a parsed date-time, not yet checked against their ranges.
struct IsoFields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nano: i64,
    offset_seconds: i64,
}

/// A position in ASCII text. Every index it reports is a byte index, which
/// is the character index Java reports: all that precedes it is ASCII.
struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn literal(&mut self, c: u8) -> Result<(), IsoFailure> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(IsoFailure::At(self.pos))
        }
    }

    /// `min` to `max` (at most 10) ASCII digits as a number, and how many.
    fn digits(&mut self, min: usize, max: usize) -> Result<(i64, usize), IsoFailure> {
        let start = self.pos;
        let (mut value, mut count) = (0i64, 0usize);
        while count < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + i64::from(d - b'0');
                    self.pos += 1;
                    count += 1;
                }
                _ => break,
            }
        }
        if count < min {
            self.pos = start;
            return Err(IsoFailure::At(start));
        }
        Ok((value, count))
    }

    /// `ISO_LOCAL_DATE`'s year: four to ten digits, a sign before more than
    /// four (`+10000`) and allowed before four only if it is `-`.
    fn year(&mut self) -> Result<i64, IsoFailure> {
        let sign_at = self.pos;
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            0
        };
        let digits_at = self.pos;
        let (value, count) = self.digits(4, 10)?;
        match sign {
            1 if count <= 4 => Err(IsoFailure::At(sign_at)),
            0 if count > 4 => Err(IsoFailure::At(digits_at)),
            -1 if value == 0 => Err(IsoFailure::At(sign_at)),
            -1 => Ok(-value),
            _ => Ok(value),
        }
    }

    /// `appendOffsetId()` (`+HH:MM:ss`, `Z` for zero, any case here): the
    /// offset in seconds, or `None` with nothing consumed when there is none.
    fn zone_offset(&mut self) -> Result<Option<i64>, IsoFailure> {
        let start = self.pos;
        if self.eat(b'Z') || self.eat(b'z') {
            return Ok(Some(0));
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return Ok(None);
        };
        let (Ok((hours, _)), true) = (self.digits(2, 2), self.eat(b':')) else {
            self.pos = start;
            return Ok(None);
        };
        let Ok((minutes, _)) = self.digits(2, 2) else {
            self.pos = start;
            return Ok(None);
        };
        let mut seconds = 0;
        let before = self.pos;
        if self.eat(b':') {
            match self.digits(2, 2) {
                Ok((s, _)) => seconds = s,
                Err(_) => self.pos = before,
            }
        }
        if hours > 23 || minutes > 59 || seconds > 59 {
            return Err(IsoFailure::Invalid(
                "Value out of range: Hour[0-23], Minute[0-59], Second[0-59]".into(),
            ));
        }
        let total = hours * 3600 + minutes * 60 + seconds;
        if total > 18 * 3600 {
            return Err(IsoFailure::Invalid(
                "Zone offset not in valid range: -18:00 to +18:00".into(),
            ));
        }
        Ok(Some(sign * total))
    }

    /// An optional `[zone id]` after the offset. The instant comes from the
    /// offset, so the zone only has to be one java.time would know.
    fn zone_region(&mut self) {
        let start = self.pos;
        if !self.eat(b'[') {
            return;
        }
        let rest = self.text.get(self.pos..).unwrap_or(&[]);
        let id = rest
            .iter()
            .position(|b| *b == b']')
            .and_then(|end| rest.get(..end))
            .and_then(|id| std::str::from_utf8(id).ok());
        match id {
            Some(id) if known_zone(id) => self.pos += id.len() + 1,
            _ => self.pos = start,
        }
    }
}

fn known_zone(id: &str) -> bool {
    if matches!(id, "Z" | "UTC" | "GMT" | "UT") || id.parse::<chrono_tz::Tz>().is_ok() {
        return true;
    }
    // A fixed offset, alone or after UTC, GMT or UT.
    let offset = ["UTC", "GMT", "UT"]
        .iter()
        .find_map(|prefix| id.strip_prefix(prefix))
        .unwrap_or(id);
    let mut s = Scanner {
        text: offset.as_bytes(),
        pos: 0,
    };
    offset.starts_with(['+', '-']) && matches!(s.zone_offset(), Ok(Some(_))) && s.pos == offset.len()
}

/// Java's `DateTimeFormatter.ISO_DATE_TIME`, as Trino's
/// `from_iso8601_timestamp_nanos` parses with it:
/// `yyyy-MM-dd'T'HH:mm[:ss[.fffffffff]][offset['['zone']']]`.
fn parse_iso(text: &str) -> Result<IsoFields, IsoFailure> {
    let mut s = Scanner {
        text: text.as_bytes(),
        pos: 0,
    };
    let year = s.year()?;
    s.literal(b'-')?;
    let (month, _) = s.digits(2, 2)?;
    s.literal(b'-')?;
    let (day, _) = s.digits(2, 2)?;
    // ISO_LOCAL_DATE_TIME parses case-insensitively, so `t` (and `z`) do too.
    if !(s.eat(b'T') || s.eat(b't')) {
        return Err(IsoFailure::At(s.pos));
    }
    let (hour, _) = s.digits(2, 2)?;
    s.literal(b':')?;
    let (minute, _) = s.digits(2, 2)?;
    // Seconds are optional, and within them a fraction of up to nine digits
    // (a point with no digits after it is a zero fraction).
    let (mut second, mut nano) = (0, 0);
    let before = s.pos;
    if s.eat(b':') {
        match s.digits(2, 2) {
            Ok((v, _)) => {
                second = v;
                if s.eat(b'.') {
                    let (fraction, count) = s.digits(0, 9)?;
                    nano = fraction * 10i64.pow(9 - count as u32);
                }
            }
            Err(_) => s.pos = before,
        }
    }
    let mut offset_seconds = 0;
    if let Some(offset) = s.zone_offset()? {
        offset_seconds = offset;
        s.zone_region();
    }
    if s.pos < s.text.len() {
        return Err(IsoFailure::Unparsed(s.pos));
    }
    Ok(IsoFields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nano,
        offset_seconds,
    })
}

fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// java.time's strict resolution of the fields, in its order and words:
/// the date first, then minute, hour and second.
fn check_fields(f: &IsoFields) -> Result<(), IsoFailure> {
    let range = |name: &str, low: i64, high: &str, v: i64| {
        IsoFailure::Invalid(format!("Invalid value for {name} (valid values {low} - {high}): {v}"))
    };
    if !(-999_999_999..=999_999_999).contains(&f.year) {
        return Err(range("Year", -999_999_999, "999999999", f.year));
    }
    if !(1..=12).contains(&f.month) {
        return Err(range("MonthOfYear", 1, "12", f.month));
    }
    if !(1..=31).contains(&f.day) {
        return Err(range("DayOfMonth", 1, "28/31", f.day));
    }
    let last = match f.month {
        2 if is_leap(f.year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if f.day > last {
        return Err(IsoFailure::Invalid(if f.day == 29 {
            format!("Invalid date 'February 29' as '{}' is not a leap year", f.year)
        } else {
            let month = usize::try_from(f.month - 1)
                .ok()
                .and_then(|m| lakestack_compat::civil::MONTH_NAMES.get(m))
                // java.time names its months in capitals (the enum's names).
                .map(|m| m.to_ascii_uppercase())
                .unwrap_or_default();
            format!("Invalid date '{month} {}'", f.day)
        }));
    }
    if f.minute > 59 {
        return Err(range("MinuteOfHour", 0, "59", f.minute));
    }
    if f.hour > 23 {
        return Err(range("HourOfDay", 0, "23", f.hour));
    }
    if f.second > 59 {
        return Err(range("SecondOfMinute", 0, "59", f.second));
    }
    Ok(())
}

/// `from_iso8601_timestamp_nanos(text)` as nanoseconds since the epoch; a
/// text without an offset is in the session zone, which is UTC.
fn iso8601_nanos(text: &str) -> Result<i64> {
    let f = parse_iso(text).map_err(|why| iso_error(text, why))?;
    check_fields(&f).map_err(|why| iso_error(text, why))?;
    // The checks above bound every field, so the conversions below fail
    // only for years chrono cannot hold.
    let as_u32 = |v: i64| u32::try_from(v).map_err(|_| out_of_range());
    let year = i32::try_from(f.year).map_err(|_| out_of_range())?;
    let (hour, minute, second, nano) = (as_u32(f.hour)?, as_u32(f.minute)?, as_u32(f.second)?, as_u32(f.nano)?);
    let local = chrono::NaiveDate::from_ymd_opt(year, as_u32(f.month)?, as_u32(f.day)?)
        .and_then(|d| d.and_hms_nano_opt(hour, minute, second, nano))
        .ok_or_else(out_of_range)?;
    let seconds = i128::from(local.and_utc().timestamp()) - i128::from(f.offset_seconds);
    let nanos = seconds * 1_000_000_000 + i128::from(f.nano);
    i64::try_from(nanos).map_err(|_| out_of_range())
}
