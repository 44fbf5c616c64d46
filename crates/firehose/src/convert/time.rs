//! Dates and timestamps as the two deserializers read them, to days and
//! milliseconds since the epoch (the Glue `timestamp` is written with
//! millisecond precision, as the query crate and Athena read it).
//!
//! OpenX ("Convert input data format in Amazon Data Firehose"):
//! `yyyy-MM-dd'T'HH:mm:ss[.S]'Z'` and `yyyy-[M]M-[d]d HH:mm:ss[.S]` with up to
//! nine fraction digits, epoch seconds, epoch milliseconds and floating-point
//! epoch seconds. Hive (HiveJsonSerDe API reference): the `TimestampFormats`
//! (Joda-Time patterns, or `millis`), then `java.sql.Timestamp::valueOf`.

use chrono::{DateTime, NaiveDate, NaiveTime};

use super::number::{DecimalText, Round};

/// Epoch numbers below this magnitude are seconds, above milliseconds
/// (1e12 ms is 2001-09-09: seconds that large are 33658 AD). AWS's rule as
/// probed by others; the docs only list both forms.
const EPOCH_MILLIS_FROM: i128 = 1_000_000_000_000;

/// `java.sql.Date.valueOf`: `yyyy-[M]M-[d]d`, to days since the epoch.
pub(crate) fn date_days(text: &str) -> Option<i32> {
    let (y, m, d) = date_parts(text, false)?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}

/// `yyyy-M-d`; `strict` wants two-digit months and days.
fn date_parts(text: &str, strict: bool) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let width = if strict { 2..=2 } else { 1..=2 };
    if !width.contains(&m.len()) || !width.contains(&d.len()) {
        return None;
    }
    Some((digits(y)?, digits(m)?, digits(d)?))
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `H:m:s[.fraction]` (fraction up to nine digits) to a time of day.
fn time_of_day(text: &str, strict: bool) -> Option<NaiveTime> {
    let (hms, nanos) = match text.split_once('.') {
        Some((hms, frac)) => (hms, fraction_nanos(frac)?),
        None => (text, 0),
    };
    let mut parts = hms.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let width = if strict { 2..=2 } else { 1..=2 };
    if parts.next().is_some() || ![h, m, s].iter().all(|p| width.contains(&p.len())) {
        return None;
    }
    NaiveTime::from_hms_nano_opt(digits(h)?, digits(m)?, digits(s)?, nanos)
}

/// `.123` → 123,000,000 ns: one to nine digits.
fn fraction_nanos(frac: &str) -> Option<u32> {
    if frac.is_empty() || frac.len() > 9 {
        return None;
    }
    let n: u32 = digits(frac)?;
    Some(n * 10u32.pow(9 - u32::try_from(frac.len()).ok()?))
}

fn millis(date: NaiveDate, time: NaiveTime, offset_seconds: i64) -> Option<i64> {
    let utc = date.and_time(time).and_utc().timestamp_millis();
    utc.checked_sub(offset_seconds.checked_mul(1000)?)
}

/// `java.sql.Timestamp::valueOf`: `yyyy-[M]M-[d]d [H]H:[m]m:[s]s[.f...]`,
/// surrounding whitespace ignored.
pub(crate) fn timestamp_value_of(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ')?;
    let (y, m, d) = date_parts(date, false)?;
    millis(NaiveDate::from_ymd_opt(y, m, d)?, time_of_day(time, false)?, 0)
}

/// OpenX's ISO form, `yyyy-MM-dd'T'HH:mm:ss[.S]'Z'` (two-digit fields). An
/// explicit offset (`+01:00`) instead of the `Z`, or none, is also taken.
fn iso_timestamp(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once('T')?;
    let (y, m, d) = date_parts(date, true)?;
    let (time, offset) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], offset_seconds(&rest[i..])?)
    } else {
        (rest, 0)
    };
    millis(NaiveDate::from_ymd_opt(y, m, d)?, time_of_day(time, true)?, offset)
}

/// `+HH`, `+HHMM`, `+HH:MM` (or `-`) to seconds east of UTC.
fn offset_seconds(text: &str) -> Option<i64> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = match rest.len() {
        2 => (rest, "00"),
        4 => (rest.get(..2)?, rest.get(2..)?),
        5 if rest.as_bytes().get(2) == Some(&b':') => (rest.get(..2)?, rest.get(3..)?),
        _ => return None,
    };
    let (h, m): (i64, i64) = (digits(h)?, digits(m)?);
    if h > 18 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// An epoch number, seconds or milliseconds by its size (fractions of a
/// second kept to the millisecond).
pub(crate) fn epoch_millis(text: &str) -> Option<i64> {
    let n = DecimalText::parse(text)?;
    let whole = n.scaled(0, Round::Down, 38)?;
    let ms = if whole.abs() < EPOCH_MILLIS_FROM {
        n.scaled(3, Round::Down, 38)?
    } else {
        whole
    };
    let ms = i64::try_from(ms).ok()?;
    // Only instants a calendar can show: readers turn the value into one.
    DateTime::from_timestamp_millis(ms).map(|_| ms)
}

/// An OpenX timestamp given as a string: one of the documented forms, or an
/// epoch number written as a string (which AWS takes, as probed by others).
pub(crate) fn openx_timestamp(text: &str) -> Option<i64> {
    iso_timestamp(text)
        .or_else(|| timestamp_value_of(text))
        .or_else(|| epoch_millis(text))
}

/// One of HiveJsonSerDe's `TimestampFormats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HiveFormat {
    /// `millis`: epoch milliseconds.
    Millis,
    Joda(JodaPattern),
}

impl HiveFormat {
    pub(crate) fn new(format: &str) -> HiveFormat {
        if format == "millis" {
            HiveFormat::Millis
        } else {
            HiveFormat::Joda(JodaPattern::new(format))
        }
    }
}

/// A Hive timestamp: the formats in order, then `Timestamp::valueOf` (Hive's
/// `TimestampParser` falls back to it).
pub(crate) fn hive_timestamp(text: &str, formats: &[HiveFormat]) -> Option<i64> {
    formats
        .iter()
        .find_map(|f| match f {
            HiveFormat::Millis => {
                // `Long.parseLong`: sign and digits only.
                let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let ms: i64 = text.parse().ok()?;
                DateTime::from_timestamp_millis(ms).map(|_| ms)
            }
            HiveFormat::Joda(p) => p.parse(text),
        })
        .or_else(|| timestamp_value_of(text))
}

/// A Joda-Time `DateTimeFormat` pattern, for parsing. Letters it does not
/// implement (eras, weeks, days of the year, zone names but UTC/GMT) make a
/// pattern that matches nothing, so such values fall through to the next
/// format, as a failed Joda parse does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JodaPattern {
    items: Vec<Item>,
    supported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    Number { field: Field, count: usize },
    MonthName,
    DayName,
    HalfDay,
    Zone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Year,
    /// `yy`: two digits, 1950 to 2049 (Joda pivots on the current year).
    ShortYear,
    Month,
    Day,
    /// `H`: 0-23.
    Hour,
    /// `k`: 1-24.
    HourFrom1,
    /// `h`: 1-12, with `a`.
    ClockHour,
    /// `K`: 0-11, with `a`.
    ClockHourFrom0,
    Minute,
    Second,
    Fraction,
}

impl Field {
    fn max_digits(self) -> usize {
        match self {
            Field::Year | Field::Fraction => 9,
            _ => 2,
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl JodaPattern {
    pub(crate) fn new(pattern: &str) -> JodaPattern {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items = Vec::new();
        let mut supported = true;
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c == '\'' {
                // 'text' is literal; '' is a quote.
                let mut text = String::new();
                if chars.get(i + 1) == Some(&'\'') {
                    text.push('\'');
                    i += 2;
                } else {
                    i += 1;
                    while let Some(&q) = chars.get(i) {
                        if q == '\'' {
                            if chars.get(i + 1) == Some(&'\'') {
                                text.push('\'');
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        text.push(q);
                        i += 1;
                    }
                    i += 1;
                }
                items.push(Item::Literal(text));
                continue;
            }
            let count = chars[i..].iter().take_while(|x| **x == c).count();
            i += count;
            let number = |field| Item::Number { field, count };
            let item = match c {
                'y' | 'Y' | 'u' if count == 2 => number(Field::ShortYear),
                'y' | 'Y' | 'u' => number(Field::Year),
                'M' if count >= 3 => Item::MonthName,
                'M' => number(Field::Month),
                'd' => number(Field::Day),
                'H' => number(Field::Hour),
                'k' => number(Field::HourFrom1),
                'h' => number(Field::ClockHour),
                'K' => number(Field::ClockHourFrom0),
                'm' => number(Field::Minute),
                's' => number(Field::Second),
                'S' => number(Field::Fraction),
                'E' => Item::DayName,
                'a' => Item::HalfDay,
                'Z' | 'z' => Item::Zone,
                c if c.is_ascii_alphabetic() => {
                    supported = false;
                    continue;
                }
                c => Item::Literal(c.to_string().repeat(count)),
            };
            items.push(item);
        }
        JodaPattern { items, supported }
    }

    /// The instant `text` names, which must match the whole pattern.
    pub(crate) fn parse(&self, text: &str) -> Option<i64> {
        if !self.supported {
            return None;
        }
        let mut p = Parsed::default();
        let mut rest = text;
        for (n, item) in self.items.iter().enumerate() {
            rest = match item {
                Item::Literal(l) => {
                    let head = rest.get(..l.len())?;
                    // Joda matches literals ignoring case.
                    if !head.eq_ignore_ascii_case(l) {
                        return None;
                    }
                    &rest[l.len()..]
                }
                Item::Number { field, count } => {
                    // A number right before another takes exactly its count of
                    // digits (`yyyyMMdd`); otherwise as many as the field has.
                    let adjacent = matches!(self.items.get(n + 1), Some(Item::Number { .. }));
                    let max = if adjacent {
                        *count
                    } else {
                        field.max_digits().max(*count)
                    };
                    let len = rest.bytes().take(max).take_while(u8::is_ascii_digit).count();
                    if len == 0 || (adjacent && len != *count) {
                        return None;
                    }
                    p.set(*field, &rest[..len])?;
                    &rest[len..]
                }
                Item::MonthName => {
                    let (i, len) = name_at(rest, &MONTHS)?;
                    p.month = Some(u32::try_from(i).ok()? + 1);
                    &rest[len..]
                }
                Item::DayName => &rest[name_at(rest, &DAYS)?.1..],
                Item::HalfDay => {
                    let head = rest.get(..2)?;
                    p.pm = Some(if head.eq_ignore_ascii_case("pm") {
                        true
                    } else if head.eq_ignore_ascii_case("am") {
                        false
                    } else {
                        return None;
                    });
                    &rest[2..]
                }
                Item::Zone => {
                    let (offset, len) = zone_at(rest)?;
                    p.offset = offset;
                    &rest[len..]
                }
            };
        }
        if !rest.is_empty() {
            return None;
        }
        p.millis()
    }
}

/// The index of the name (full, or its first three letters) `s` starts with,
/// and the length matched.
fn name_at(s: &str, names: &[&str]) -> Option<(usize, usize)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let full = s.get(..name.len()).filter(|h| h.eq_ignore_ascii_case(name));
        let short = s.get(..3).filter(|h| h.eq_ignore_ascii_case(&name[..3]));
        full.map(|h| (i, h.len())).or_else(|| short.map(|h| (i, h.len())))
    })
}

/// `Z`, `UTC`, `GMT` or an offset at the start of `s`: seconds east, length.
fn zone_at(s: &str) -> Option<(i64, usize)> {
    for name in ["UTC", "GMT"] {
        if s.get(..3).is_some_and(|h| h.eq_ignore_ascii_case(name)) {
            return Some((0, 3));
        }
    }
    if s.starts_with(['Z', 'z']) {
        return Some((0, 1));
    }
    [6, 5, 3]
        .into_iter()
        .find_map(|len| Some((offset_seconds(s.get(..len)?)?, len)))
}

#[derive(Default)]
struct Parsed {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    clock_hour: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    offset: i64,
}

impl Parsed {
    fn set(&mut self, field: Field, text: &str) -> Option<()> {
        match field {
            Field::Year => self.year = Some(digits(text)?),
            Field::ShortYear => {
                let yy: i32 = digits(text)?;
                self.year = Some(if yy < 50 { 2000 + yy } else { 1900 + yy });
            }
            Field::Month => self.month = Some(digits(text)?),
            Field::Day => self.day = Some(digits(text)?),
            Field::Hour => self.hour = Some(digits(text)?),
            Field::HourFrom1 => self.hour = Some(digits::<u32>(text)? % 24),
            Field::ClockHour => self.clock_hour = Some(digits::<u32>(text)? % 12),
            Field::ClockHourFrom0 => self.clock_hour = Some(digits(text)?),
            Field::Minute => self.minute = Some(digits(text)?),
            Field::Second => self.second = Some(digits(text)?),
            Field::Fraction => self.nanos = Some(fraction_nanos(text)?),
        }
        Some(())
    }

    fn millis(&self) -> Option<i64> {
        let hour = match (self.clock_hour, self.hour) {
            (Some(h), _) if h < 12 => h + if self.pm == Some(true) { 12 } else { 0 },
            (Some(_), _) => return None,
            (None, h) => h.unwrap_or(0),
        };
        let date = NaiveDate::from_ymd_opt(
            self.year.unwrap_or(1970),
            self.month.unwrap_or(1),
            self.day.unwrap_or(1),
        )?;
        let time = NaiveTime::from_hms_nano_opt(
            hour,
            self.minute.unwrap_or(0),
            self.second.unwrap_or(0),
            self.nanos.unwrap_or(0),
        )?;
        millis(date, time, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_486_480_381_000; // 2017-02-07T15:13:01Z

    #[test]
    fn openx_forms() {
        assert_eq!(openx_timestamp("2017-02-07T15:13:01.39256Z"), Some(T + 392));
        assert_eq!(openx_timestamp("2017-02-07T15:13:01Z"), Some(T));
        assert_eq!(openx_timestamp("2017-02-07T16:13:01+01:00"), Some(T));
        assert_eq!(openx_timestamp("2017-02-07 15:13:01.14"), Some(T + 140));
        assert_eq!(openx_timestamp("2017-2-7 15:13:1"), Some(T));
        assert_eq!(openx_timestamp("1486480381"), Some(T));
        assert_eq!(openx_timestamp("1486480381123"), Some(T + 123));
        assert_eq!(openx_timestamp("1486480381.123"), Some(T + 123));
        assert_eq!(openx_timestamp("2017-2-7T15:13:01Z"), None);
        assert_eq!(openx_timestamp("2017-02-07"), None);
        assert_eq!(openx_timestamp("2017-02-30 00:00:00"), None);
        assert_eq!(openx_timestamp("yesterday"), None);
        assert_eq!(openx_timestamp("2017-02-07T15:13:01.1234567890Z"), None);
        assert_eq!(epoch_millis("1e300"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(date_days("1970-01-02"), Some(1));
        assert_eq!(date_days("2017-2-7"), Some(17204));
        assert_eq!(date_days("1969-12-31"), Some(-1));
        assert_eq!(date_days("2017-02-30"), None);
        assert_eq!(date_days("17-02-07"), None);
        assert_eq!(date_days("2017-02-07T00:00:00"), None);
    }

    #[test]
    fn hive_formats_then_value_of() {
        let formats = [
            HiveFormat::new("millis"),
            HiveFormat::new("dd/MM/yyyy HH:mm:ss.SSS Z"),
            HiveFormat::new("yyyyMMdd'T'HHmmss"),
            HiveFormat::new("EEE, d MMM yyyy hh:mm a"),
        ];
        assert_eq!(hive_timestamp("1486480381000", &formats), Some(T));
        assert_eq!(hive_timestamp("07/02/2017 16:13:01.500 +0100", &formats), Some(T + 500));
        assert_eq!(hive_timestamp("20170207T151301", &formats), Some(T));
        assert_eq!(hive_timestamp("Tue, 7 Feb 2017 03:13 PM", &formats), Some(T - 1000));
        assert_eq!(hive_timestamp("2017-02-07 15:13:01", &formats), Some(T));
        assert_eq!(hive_timestamp("2017-02-07T15:13:01Z", &formats), None);
        assert_eq!(hive_timestamp("1486480381", &[]), None);
        // An unsupported letter (week of year) matches nothing.
        assert_eq!(hive_timestamp("2017 06", &[HiveFormat::new("yyyy ww")]), None);
        assert_eq!(
            hive_timestamp("17-02-07 15.13.01 UTC", &[HiveFormat::new("yy-MM-dd HH.mm.ss z")]),
            Some(T)
        );
        assert_eq!(
            hive_timestamp("it's 2017", &[HiveFormat::new("'it''s' yyyy")]),
            Some(1_483_228_800_000)
        );
    }
}
