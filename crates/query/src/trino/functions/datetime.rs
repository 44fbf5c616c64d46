//! Trino's date and time functions that rest on Joda-Time, as Athena engine version 3 runs them:
//! `date_format`/`date_parse` (MySQL-style formats), `format_datetime`/`parse_datetime` (Joda
//! patterns), `from_iso8601_timestamp`/`from_iso8601_date`/`to_iso8601`, `date_add`/`date_diff`,
//! and the small extractors (`day_of_week`, `week_of_year`, `last_day_of_month`, ...).
//!
//! Trino hands all of these to Joda-Time (trinodb/trino `DateTimeFunctions`, `timestamp.DateAdd`,
//! `timestamp.DateDiff`, `timestamp.FormatDateTime`, `timestamp.ToIso8601`), so this follows Joda's
//! formatter, parser and ISO chronology (JodaOrg/joda-time `DateTimeFormat`,
//! `DateTimeFormatterBuilder`, `DateTimeParserBucket`, `ISODateTimeFormat`,
//! `BasicMonthOfYearDateTimeField`, `BasicGJChronology`), messages included. What shapes it:
//!
//! - Formatting and parsing work in milliseconds: a timestamp is rounded half up to milliseconds
//!   before it is formatted, and parsed fractions are cut to milliseconds.
//! - Parsing collects field values first and applies them afterwards, largest field first, each
//!   checked against its range (`Cannot parse "2020-02-30": Value 30 for dayOfMonth must be in the
//!   range [1,29]`). Fields the text leaves out come from 1970-01-01T00:00, except that a text whose
//!   largest field is a month, week or day lands in the year 2000 (`date_parse('02-29', '%m-%d')` is
//!   2000-02-29).
//! - Text that does not match gives Joda's `Invalid format: "…" is malformed at "…"` (or `is too
//!   short`); literals match in any case, month, weekday and AM/PM names in title, lower or upper case.
//! - `date_add` by months clamps to the month's last day; `date_diff` counts whole units the way Joda
//!   does, so from Jan 31 to Feb 29 is one month.
//! - Named zones (`ZZZ` ids such as `America/Los_Angeles`, `z` names such as `PST`) take their
//!   rules from the IANA database in chrono-tz: the offset is the zone's at the parsed local time,
//!   the earlier one when clocks go back, and a local time that clocks skip fails as in Joda.
//!
//! Deliberate differences: years are limited to chrono's range (about ±262,000 instead of Joda's
//! ±292 million), and a zone id chrono-tz does not know fails with an error of lakestack's own
//! rather than Joda's `Invalid format`. A value parsed in a named zone keeps only that zone's offset
//! at the instant, since lakestack's zoned timestamps hold an offset, not a zone.

pub(crate) use lakestack_compat::civil::{MONTH_NAMES, WEEKDAY_NAMES};
use std::fmt;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use lakestack_compat::civil;

const MILLIS_PER_SECOND: i64 = 1_000;
const MILLIS_PER_MINUTE: i64 = 60 * MILLIS_PER_SECOND;
const MILLIS_PER_HOUR: i64 = 60 * MILLIS_PER_MINUTE;
const MILLIS_PER_HALFDAY: i64 = 12 * MILLIS_PER_HOUR;
const MILLIS_PER_DAY: i64 = 24 * MILLIS_PER_HOUR;
const MILLIS_PER_WEEK: i64 = 7 * MILLIS_PER_DAY;

/// Joda's ISO chronology year limits, which its range messages quote.
const JODA_MIN_YEAR: i64 = -292_275_054;
const JODA_MAX_YEAR: i64 = 292_278_993;
/// `%y` reads two-digit years as 1970..=2069 (Trino's `PIVOT_YEAR`).
const MYSQL_PIVOT_YEAR: i64 = 2020;
/// The year Joda fills in when the largest parsed field is a month, week or day.
const DEFAULT_PARSE_YEAR: i64 = 2000;

const MONTH_SHORT_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Monday first, as ISO numbers the days.
const WEEKDAY_SHORT_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const HALFDAY_NAMES: [&str; 2] = ["AM", "PM"];
const ERA_NAMES: [&str; 2] = ["BC", "AD"];

/// Zone ids Joda knows as UTC under another name; `ZZZ` parses them.
const UTC_ZONE_IDS: [&str; 18] = [
    "UTC",
    "Etc/UTC",
    "UCT",
    "Etc/UCT",
    "Universal",
    "Etc/Universal",
    "Zulu",
    "Etc/Zulu",
    "GMT",
    "Etc/GMT",
    "GMT0",
    "Etc/GMT0",
    "GMT+0",
    "GMT-0",
    "Etc/GMT+0",
    "Etc/GMT-0",
    "Greenwich",
    "Etc/Greenwich",
];
/// Joda's default names for `z`: the UTC ones parse, the US ones need daylight-saving rules.
const UTC_ZONE_NAMES: [&str; 3] = ["UT", "UTC", "GMT"];
/// Joda's default short names for US zones, each standing for the whole zone (standard and summer).
const US_ZONE_NAMES: [(&str, Tz); 8] = [
    ("EST", Tz::America__New_York),
    ("EDT", Tz::America__New_York),
    ("CST", Tz::America__Chicago),
    ("CDT", Tz::America__Chicago),
    ("MST", Tz::America__Denver),
    ("MDT", Tz::America__Denver),
    ("PST", Tz::America__Los_Angeles),
    ("PDT", Tz::America__Los_Angeles),
];

// ------------------------------------------------------------------------------------------------
// Errors

/// Why a date/time function failed; `Display` gives Trino's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTimeFnError {
    /// The text does not match the format; `position` (in characters) is where matching stopped.
    Malformed { text: String, position: usize },
    /// A field value outside its range; `text` is the text being parsed, if any.
    FieldValue {
        text: Option<String>,
        field: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },
    /// A run of digits too long for a Java `int`; holds the digits.
    NumberFormat(String),
    /// A MySQL specifier Trino refuses (`%D %U %u %V %w %X`).
    UnsupportedSpecifier(char),
    /// A MySQL format with nothing in it (empty, or a lone trailing `%`).
    EmptyMysqlFormat,
    /// An empty Joda pattern.
    EmptyPattern,
    /// A Joda pattern letter that means nothing; holds the run of letters.
    IllegalPatternComponent(String),
    /// `format_datetime` on a `timestamp` with `z` or `Z` in the pattern.
    ZoneInTimestampFormat,
    /// A Joda pattern that can print but not parse (`zzzz`).
    ParsingNotSupported,
    /// A `date_add`/`date_diff` unit that does not apply to timestamps; holds it lower-cased.
    InvalidTimestampUnit(String),
    /// A `date_add`/`date_diff` unit that does not apply to dates; holds it lower-cased.
    InvalidDateUnit(String),
    /// A `date_add` amount outside Java's `int`.
    IntegerOverflow,
    /// A result outside the years chrono can hold (lakestack's own message).
    OutOfRange,
    /// A zone name the zone database does not know; holds the text from the name on (lakestack's
    /// own message).
    UnsupportedTimeZone(String),
    /// A local time that a named zone skips (clocks going forward); Joda's `IllegalInstantException`.
    IllegalInstant { text: String, zone: String },
}

impl DateTimeFnError {
    /// Trino's error name, for the Athena error the caller builds.
    pub fn error_name(&self) -> &'static str {
        match self {
            // Joda throws UnsupportedOperationException here, which Trino does not translate.
            Self::ParsingNotSupported => "GENERIC_INTERNAL_ERROR",
            _ => "INVALID_FUNCTION_ARGUMENT",
        }
    }

    fn with_parse_text(self, parsed: &str) -> Self {
        match self {
            Self::FieldValue {
                text: None,
                field,
                value,
                min,
                max,
            } => Self::FieldValue {
                text: Some(parsed.to_owned()),
                field,
                value,
                min,
                max,
            },
            other => other,
        }
    }
}

impl fmt::Display for DateTimeFnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { text, position } => f.write_str(&malformed_message(text, *position)),
            Self::FieldValue { text, field, value, min, max } => {
                if let Some(text) = text {
                    write!(f, "Cannot parse \"{text}\": ")?;
                }
                write!(f, "Value {value} for {field} must be in the range [{min},{max}]")
            }
            Self::NumberFormat(digits) => write!(f, "For input string: \"{digits}\""),
            Self::UnsupportedSpecifier(c) => write!(f, "%{c} not supported in date format string"),
            Self::EmptyMysqlFormat => f.write_str("Both printing and parsing not supported"),
            Self::EmptyPattern => f.write_str("Invalid pattern specification"),
            Self::IllegalPatternComponent(token) => write!(f, "Illegal pattern component: {token}"),
            Self::ZoneInTimestampFormat => f.write_str(
                "format_datetime for TIMESTAMP type, cannot use 'Z' nor 'z' in format, as this type does not contain TZ information",
            ),
            Self::ParsingNotSupported => f.write_str("Parsing not supported"),
            Self::InvalidTimestampUnit(unit) => write!(f, "'{unit}' is not a valid Timestamp field"),
            Self::InvalidDateUnit(unit) => write!(f, "'{unit}' is not a valid DATE field"),
            Self::IntegerOverflow => f.write_str("integer overflow"),
            Self::OutOfRange => f.write_str("Date/time value is outside the supported range"),
            Self::UnsupportedTimeZone(text) => write!(f, "Time zone not supported: {text}"),
            Self::IllegalInstant { text, zone } => write!(
                f,
                "Cannot parse \"{text}\": Illegal instant due to time zone offset transition ({zone})"
            ),
        }
    }
}

impl std::error::Error for DateTimeFnError {}

/// Joda's message for text that stops matching at `position`: it quotes at most 32 characters past
/// that point so one long value cannot flood the error.
fn malformed_message(text: &str, position: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let sample_len = position + 32;
    let sample: String = if chars.len() <= sample_len + 3 {
        text.to_owned()
    } else {
        chars[..sample_len].iter().collect::<String>() + "..."
    };
    if position == 0 {
        return format!("Invalid format: \"{sample}\"");
    }
    if position >= chars.len() {
        return format!("Invalid format: \"{sample}\" is too short");
    }
    let rest: String = sample.chars().skip(position).collect();
    format!("Invalid format: \"{sample}\" is malformed at \"{rest}\"")
}

type Result<T> = std::result::Result<T, DateTimeFnError>;

// ------------------------------------------------------------------------------------------------
// Public API

/// A parsed instant and the UTC offset its text gave, if it gave one: Trino's `timestamp with time
/// zone`. Without an offset Trino uses the session zone, which lakestack takes to be UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZonedTimestamp {
    pub utc: NaiveDateTime,
    pub offset_seconds: Option<i32>,
}

/// `date_format(timestamp, format)`.
pub fn mysql_format(ts: NaiveDateTime, format: &str) -> Result<String> {
    let elems = compile_mysql(format)?;
    Ok(print_elems(&elems, round_half_up(ts, 3), DisplayZone::None))
}

/// `date_parse(string, format)`; the result has millisecond precision, like Trino's `timestamp(3)`.
pub fn mysql_parse(text: &str, format: &str) -> Result<NaiveDateTime> {
    let elems = compile_mysql(format)?;
    Ok(parse_zoned(&elems, text)?.utc)
}

/// `format_datetime(timestamp, format)`: Trino refuses zone letters since a `timestamp` has no zone.
pub fn joda_format(ts: NaiveDateTime, pattern: &str) -> Result<String> {
    if pattern_names_zone(pattern) {
        return Err(DateTimeFnError::ZoneInTimestampFormat);
    }
    let elems = compile_joda(pattern, Pivots::from_clock())?;
    Ok(print_elems(&elems, round_half_up(ts, 3), DisplayZone::None))
}

/// `format_datetime(timestamp with time zone, format)` for an instant shown at a fixed UTC offset;
/// offset 0 is Trino's `UTC` zone (`z` prints `UTC`, `zzzz` `Coordinated Universal Time`).
pub fn joda_format_at_offset(utc: NaiveDateTime, offset_seconds: i32, pattern: &str) -> Result<String> {
    let elems = compile_joda(pattern, Pivots::from_clock())?;
    let offset_ms = i64::from(offset_seconds) * MILLIS_PER_SECOND;
    let local = shift_millis(round_half_up(utc, 3), offset_ms)?;
    Ok(print_elems(&elems, local, DisplayZone::Fixed(offset_ms)))
}

/// `parse_datetime(string, format)` as a UTC instant.
pub fn joda_parse(text: &str, pattern: &str) -> Result<NaiveDateTime> {
    Ok(joda_parse_zoned(text, pattern)?.utc)
}

/// `parse_datetime(string, format)` with the offset the text gave.
pub fn joda_parse_zoned(text: &str, pattern: &str) -> Result<ZonedTimestamp> {
    let elems = compile_joda(pattern, Pivots::from_clock())?;
    parse_zoned(&elems, text)
}

/// `from_iso8601_timestamp(string)` as a UTC instant.
pub fn from_iso8601_timestamp(text: &str) -> Result<NaiveDateTime> {
    Ok(from_iso8601_timestamp_zoned(text)?.utc)
}

/// `from_iso8601_timestamp(string)` with the offset the text gave.
pub fn from_iso8601_timestamp_zoned(text: &str) -> Result<ZonedTimestamp> {
    parse_zoned(&[iso_date_time_parser()], text)
}

/// `from_iso8601_date(string)`: a calendar date, a week date (`2020-W10`) or an ordinal date
/// (`2020-123`), and nothing after it.
pub fn from_iso8601_date(text: &str) -> Result<NaiveDate> {
    Ok(parse_zoned(&[iso_date_element()], text)?.utc.date())
}

/// `to_iso8601(timestamp(3))`, e.g. `2020-05-11T11:15:05.055`.
pub fn to_iso8601_timestamp(ts: NaiveDateTime) -> String {
    to_iso8601_timestamp_with_precision(ts, 3)
}

/// `to_iso8601(timestamp(p))`: the value is rounded half up to `precision` digits (at most 12;
/// digits past microseconds are zeros).
pub fn to_iso8601_timestamp_with_precision(ts: NaiveDateTime, precision: u32) -> String {
    let precision = precision.min(12);
    let rounded = round_half_up(ts, precision.min(6));
    let mut out = java_iso_seconds(rounded);
    push_fraction_digits(&mut out, rounded, precision);
    out
}

/// `to_iso8601(timestamp(3) with time zone)`, e.g. `2020-05-11T11:15:05.055+01:00` (or `...Z`).
pub fn to_iso8601_timestamp_tz(utc: NaiveDateTime, offset_seconds: i32) -> String {
    let rounded = round_half_up(utc, 3);
    let local = shift_millis(rounded, i64::from(offset_seconds) * MILLIS_PER_SECOND).unwrap_or(rounded);
    let mut out = java_iso_seconds(local);
    push_fraction_digits(&mut out, local, 3);
    out.push_str(&java_offset_id(offset_seconds));
    out
}

/// `to_iso8601(date)`, e.g. `2020-05-11` (Joda prints long years unsigned: `10000-01-01`).
pub fn to_iso8601_date(date: NaiveDate) -> String {
    let mut out = String::new();
    push_padded(&mut out, i64::from(date.year()), 4);
    out.push_str(&format!("-{:02}-{:02}", date.month(), date.day()));
    out
}

/// `date_add(unit, value, timestamp)`; units are millisecond to year, in any case.
pub fn add_units(ts: NaiveDateTime, unit: &str, value: i64) -> Result<NaiveDateTime> {
    let unit = Unit::for_timestamp(unit)?;
    add_unit(ts, unit, java_int(value)?)
}

/// `date_add(unit, value, date)`; units are day to year.
pub fn add_units_date(date: NaiveDate, unit: &str, value: i64) -> Result<NaiveDate> {
    let unit = Unit::for_date(unit)?;
    Ok(add_unit(start_of_day(date), unit, java_int(value)?)?.date())
}

/// `date_diff(unit, from, to)`: `to - from` in whole units, counted on milliseconds.
pub fn diff_units(unit: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<i64> {
    let unit = Unit::for_timestamp(unit)?;
    Ok(unit_difference(unit, truncate_to_millis(from), truncate_to_millis(to)))
}

/// `date_diff(unit, from, to)` for dates; units are day to year.
pub fn diff_units_date(unit: &str, from: NaiveDate, to: NaiveDate) -> Result<i64> {
    let unit = Unit::for_date(unit)?;
    Ok(unit_difference(unit, start_of_day(from), start_of_day(to)))
}

/// `day_of_week`: ISO, Monday 1 to Sunday 7.
pub fn day_of_week(date: NaiveDate) -> i64 {
    i64::from(date.weekday().number_from_monday())
}

/// `day_of_year`: 1 to 366.
pub fn day_of_year(date: NaiveDate) -> i64 {
    i64::from(date.ordinal())
}

/// `week_of_year`/`week`: the ISO week, 1 to 53.
pub fn week_of_year(date: NaiveDate) -> i64 {
    i64::from(date.iso_week().week())
}

/// `year_of_week`: the year the ISO week belongs to.
pub fn year_of_week(date: NaiveDate) -> i64 {
    i64::from(date.iso_week().year())
}

/// `quarter`: 1 to 4.
pub fn quarter(date: NaiveDate) -> i64 {
    i64::from(date.month0() / 3 + 1)
}

/// `last_day_of_month`.
pub fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first = first_of_month(date);
    first + TimeDelta::days(i64::from(civil::days_in_month(date.year().into(), date.month())) - 1)
}

// ------------------------------------------------------------------------------------------------
// Calendar helpers

fn year_i32(year: i64) -> Result<i32> {
    i32::try_from(year).map_err(|_| DateTimeFnError::OutOfRange)
}

/// ISO week-numbering years have 53 weeks exactly when a week 53 exists.
fn weeks_in_weekyear(weekyear: i64) -> Result<i64> {
    let year = year_i32(weekyear)?;
    Ok(if NaiveDate::from_isoywd_opt(year, 53, Weekday::Mon).is_some() {
        53
    } else {
        52
    })
}

fn start_of_day(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date - TimeDelta::days(i64::from(date.day0()))
}

fn start_of_month(dt: NaiveDateTime) -> NaiveDateTime {
    start_of_day(first_of_month(dt.date()))
}

fn start_of_year(dt: NaiveDateTime) -> NaiveDateTime {
    start_of_day(dt.date() - TimeDelta::days(i64::from(dt.date().ordinal0())))
}

fn epoch() -> NaiveDateTime {
    DateTime::UNIX_EPOCH.naive_utc()
}

fn shift_millis(dt: NaiveDateTime, millis: i64) -> Result<NaiveDateTime> {
    TimeDelta::try_milliseconds(millis)
        .and_then(|delta| dt.checked_add_signed(delta))
        .ok_or(DateTimeFnError::OutOfRange)
}

fn millis_of_day(dt: NaiveDateTime) -> i64 {
    i64::from(dt.num_seconds_from_midnight()) * MILLIS_PER_SECOND + i64::from(dt.nanosecond() / 1_000_000)
}

/// Cuts `dt` down to a multiple of `unit_ms` within its day.
fn floor_within_day(dt: NaiveDateTime, unit_ms: i64) -> Result<NaiveDateTime> {
    let millis = millis_of_day(dt);
    shift_millis(start_of_day(dt.date()), millis - millis % unit_ms)
}

fn truncate_to_millis(ts: NaiveDateTime) -> NaiveDateTime {
    ts.with_nanosecond(ts.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(ts)
}

/// Rounds to `precision` fractional digits (at most 6), half up as Trino's `roundDiv` does; the
/// extreme end of chrono's range keeps the value as it is rather than fail.
fn round_half_up(ts: NaiveDateTime, precision: u32) -> NaiveDateTime {
    let factor = 10_i64.pow(6 - precision.min(6));
    let micros = ts.and_utc().timestamp_micros();
    let rounded = (micros + factor / 2).div_euclid(factor) * factor;
    DateTime::from_timestamp_micros(rounded).map_or(ts, |d| d.naive_utc())
}

fn java_int(value: i64) -> Result<i64> {
    // Trino passes the amount through Math.toIntExact.
    i32::try_from(value)
        .map(i64::from)
        .map_err(|_| DateTimeFnError::IntegerOverflow)
}

// ------------------------------------------------------------------------------------------------
// Fields, with the get/set/round rules of Joda's ISO chronology

/// The fields Joda's formatters read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Era,
    CenturyOfEra,
    YearOfEra,
    Year,
    Weekyear,
    WeekOfWeekyear,
    MonthOfYear,
    DayOfMonth,
    DayOfYear,
    DayOfWeek,
    HalfdayOfDay,
    HourOfHalfday,
    ClockhourOfHalfday,
    ClockhourOfDay,
    HourOfDay,
    MinuteOfHour,
    SecondOfMinute,
    MillisOfSecond,
    /// An ISO minute fraction; Joda saves it as milliseconds within the minute.
    MillisOfMinute,
    /// An ISO hour fraction; Joda saves it as milliseconds within the hour.
    MillisOfHour,
}

/// Sizes of Joda's duration fields; parsing applies fields largest first by these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Span {
    Millis,
    Seconds,
    Minutes,
    Hours,
    Halfdays,
    Days,
    Weeks,
    Months,
    Years,
    Centuries,
    /// No limit, or eras (which Joda cannot measure and so ranks as unbounded).
    Unbounded,
}

impl Field {
    /// The name Joda's range messages use.
    fn name(self) -> &'static str {
        match self {
            Self::Era => "era",
            Self::CenturyOfEra => "centuryOfEra",
            Self::YearOfEra => "yearOfEra",
            Self::Year => "year",
            Self::Weekyear => "weekyear",
            Self::WeekOfWeekyear => "weekOfWeekyear",
            Self::MonthOfYear => "monthOfYear",
            Self::DayOfMonth => "dayOfMonth",
            Self::DayOfYear => "dayOfYear",
            Self::DayOfWeek => "dayOfWeek",
            Self::HalfdayOfDay => "halfdayOfDay",
            Self::HourOfHalfday => "hourOfHalfday",
            Self::ClockhourOfHalfday => "clockhourOfHalfday",
            Self::ClockhourOfDay => "clockhourOfDay",
            Self::HourOfDay => "hourOfDay",
            Self::MinuteOfHour => "minuteOfHour",
            Self::SecondOfMinute => "secondOfMinute",
            Self::MillisOfSecond | Self::MillisOfMinute | Self::MillisOfHour => "millisOfSecond",
        }
    }

    fn duration(self) -> Span {
        match self {
            Self::Era => Span::Unbounded,
            Self::CenturyOfEra => Span::Centuries,
            Self::YearOfEra | Self::Year | Self::Weekyear => Span::Years,
            Self::WeekOfWeekyear => Span::Weeks,
            Self::MonthOfYear => Span::Months,
            Self::DayOfMonth | Self::DayOfYear | Self::DayOfWeek => Span::Days,
            Self::HalfdayOfDay => Span::Halfdays,
            Self::HourOfHalfday | Self::ClockhourOfHalfday | Self::ClockhourOfDay | Self::HourOfDay => Span::Hours,
            Self::MinuteOfHour => Span::Minutes,
            Self::SecondOfMinute => Span::Seconds,
            Self::MillisOfSecond | Self::MillisOfMinute | Self::MillisOfHour => Span::Millis,
        }
    }

    fn range(self) -> Span {
        match self {
            Self::Era | Self::CenturyOfEra | Self::YearOfEra | Self::Year | Self::Weekyear => Span::Unbounded,
            Self::WeekOfWeekyear | Self::MonthOfYear | Self::DayOfYear => Span::Years,
            Self::DayOfMonth => Span::Months,
            Self::DayOfWeek => Span::Weeks,
            Self::HalfdayOfDay | Self::ClockhourOfDay | Self::HourOfDay => Span::Days,
            Self::HourOfHalfday | Self::ClockhourOfHalfday => Span::Halfdays,
            Self::MinuteOfHour | Self::MillisOfHour => Span::Hours,
            Self::SecondOfMinute | Self::MillisOfMinute => Span::Minutes,
            Self::MillisOfSecond => Span::Seconds,
        }
    }

    fn get(self, dt: NaiveDateTime) -> i64 {
        let year = i64::from(dt.year());
        let hour = i64::from(dt.hour());
        let millis = i64::from(dt.nanosecond() / 1_000_000);
        match self {
            Self::Era => i64::from(year > 0),
            Self::CenturyOfEra => year_of_era(year) / 100,
            Self::YearOfEra => year_of_era(year),
            Self::Year => year,
            Self::Weekyear => i64::from(dt.iso_week().year()),
            Self::WeekOfWeekyear => i64::from(dt.iso_week().week()),
            Self::MonthOfYear => i64::from(dt.month()),
            Self::DayOfMonth => i64::from(dt.day()),
            Self::DayOfYear => i64::from(dt.ordinal()),
            Self::DayOfWeek => i64::from(dt.weekday().number_from_monday()),
            Self::HalfdayOfDay => hour / 12,
            Self::HourOfHalfday => hour % 12,
            Self::ClockhourOfHalfday => (hour + 11) % 12 + 1,
            Self::ClockhourOfDay => (hour + 23) % 24 + 1,
            Self::HourOfDay => hour,
            Self::MinuteOfHour => i64::from(dt.minute()),
            Self::SecondOfMinute => i64::from(dt.second()),
            Self::MillisOfSecond => millis,
            Self::MillisOfMinute => i64::from(dt.second()) * MILLIS_PER_SECOND + millis,
            Self::MillisOfHour => i64::from(dt.minute() * 60 + dt.second()) * MILLIS_PER_SECOND + millis,
        }
    }

    /// The range `value` must fall in when set on `dt`. Joda quotes the limit for the instant only
    /// when the value could be out of it, so `[1,28]` style bounds never show in messages.
    fn bounds(self, dt: NaiveDateTime, value: i64) -> Result<(i64, i64)> {
        Ok(match self {
            Self::Era | Self::HalfdayOfDay => (0, 1),
            Self::CenturyOfEra => (0, JODA_MAX_YEAR / 100),
            Self::YearOfEra => (1, JODA_MAX_YEAR),
            Self::Year | Self::Weekyear => (JODA_MIN_YEAR, JODA_MAX_YEAR),
            Self::WeekOfWeekyear if value > 52 => (1, weeks_in_weekyear(Self::Weekyear.get(dt))?),
            Self::WeekOfWeekyear => (1, 52),
            Self::MonthOfYear => (1, 12),
            Self::DayOfMonth if (1..=28).contains(&value) => (1, 28),
            Self::DayOfMonth => (1, i64::from(civil::days_in_month(dt.year().into(), dt.month()))),
            Self::DayOfYear if (1..=365).contains(&value) => (1, 365),
            Self::DayOfYear => (1, civil::days_in_year(dt.year().into()).into()),
            Self::DayOfWeek => (1, 7),
            Self::HourOfHalfday => (0, 11),
            Self::ClockhourOfHalfday => (1, 12),
            Self::ClockhourOfDay => (1, 24),
            Self::HourOfDay => (0, 23),
            Self::MinuteOfHour | Self::SecondOfMinute => (0, 59),
            Self::MillisOfSecond => (0, MILLIS_PER_SECOND - 1),
            Self::MillisOfMinute => (0, MILLIS_PER_MINUTE - 1),
            Self::MillisOfHour => (0, MILLIS_PER_HOUR - 1),
        })
    }

    /// For fields Joda implements as fixed-length steps: the step in milliseconds.
    fn step_millis(self) -> i64 {
        match self {
            Self::WeekOfWeekyear => MILLIS_PER_WEEK,
            Self::DayOfYear | Self::DayOfWeek => MILLIS_PER_DAY,
            Self::HalfdayOfDay => MILLIS_PER_HALFDAY,
            Self::HourOfHalfday | Self::HourOfDay => MILLIS_PER_HOUR,
            Self::MinuteOfHour => MILLIS_PER_MINUTE,
            Self::SecondOfMinute => MILLIS_PER_SECOND,
            _ => 1,
        }
    }

    fn set(self, dt: NaiveDateTime, value: i64) -> Result<NaiveDateTime> {
        self.check(dt, value)?;
        match self {
            Self::Era if value == self.get(dt) => Ok(dt),
            // Switching era mirrors the year (AD 5 <-> BC 5, i.e. year -4).
            Self::Era => with_year(dt, 1 - i64::from(dt.year())),
            Self::CenturyOfEra => {
                let year_of_century = year_of_era(i64::from(dt.year())) % 100;
                Self::YearOfEra.set(dt, value * 100 + year_of_century)
            }
            Self::YearOfEra if dt.year() <= 0 => with_year(dt, 1 - value),
            Self::YearOfEra | Self::Year => with_year(dt, value),
            Self::Weekyear => with_weekyear(dt, value),
            Self::MonthOfYear => with_month(dt, value),
            Self::DayOfMonth => dt.with_day(value as u32).ok_or(DateTimeFnError::OutOfRange),
            // 12 o'clock is hour 0 of the half day, 24 o'clock hour 0 of the day.
            Self::ClockhourOfHalfday => Self::HourOfHalfday.set(dt, value % 12),
            Self::ClockhourOfDay => Self::HourOfDay.set(dt, value % 24),
            _ => shift_millis(dt, (value - self.get(dt)) * self.step_millis()),
        }
    }

    fn check(self, dt: NaiveDateTime, value: i64) -> Result<()> {
        let (min, max) = self.bounds(dt, value)?;
        // Joda checks the magnitude of a week-based year, so negative ones pass.
        let checked = if self == Self::Weekyear { value.abs() } else { value };
        if (min..=max).contains(&checked) {
            return Ok(());
        }
        Err(DateTimeFnError::FieldValue {
            text: None,
            field: self.name(),
            value: checked,
            min,
            max,
        })
    }

    /// Joda's `roundFloor`: the start of the field's current unit.
    fn round_floor(self, dt: NaiveDateTime) -> Result<NaiveDateTime> {
        match self {
            // Joda floors BC to the start of time, which no calendar here holds; the year start
            // keeps the parsed fields meaningful.
            Self::Era if dt.year() > 0 => Ok(start_of_day(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(dt.date()))),
            Self::Era | Self::YearOfEra | Self::Year => Ok(start_of_year(dt)),
            Self::CenturyOfEra => Ok(start_of_year(Self::YearOfEra.set(dt, self.get(dt) * 100)?)),
            Self::Weekyear => {
                let first = NaiveDate::from_isoywd_opt(dt.iso_week().year(), 1, Weekday::Mon);
                first.map(start_of_day).ok_or(DateTimeFnError::OutOfRange)
            }
            Self::WeekOfWeekyear => {
                let monday = dt.date() - TimeDelta::days(i64::from(dt.weekday().num_days_from_monday()));
                Ok(start_of_day(monday))
            }
            Self::MonthOfYear => Ok(start_of_month(dt)),
            Self::DayOfMonth | Self::DayOfYear | Self::DayOfWeek => Ok(start_of_day(dt.date())),
            Self::HalfdayOfDay => floor_within_day(dt, MILLIS_PER_HALFDAY),
            Self::HourOfHalfday | Self::ClockhourOfHalfday | Self::ClockhourOfDay | Self::HourOfDay => {
                floor_within_day(dt, MILLIS_PER_HOUR)
            }
            Self::MinuteOfHour => floor_within_day(dt, MILLIS_PER_MINUTE),
            Self::SecondOfMinute => floor_within_day(dt, MILLIS_PER_SECOND),
            Self::MillisOfSecond | Self::MillisOfMinute | Self::MillisOfHour => Ok(dt),
        }
    }

    /// The values a text field takes, for matching names.
    fn text_values(self) -> std::ops::RangeInclusive<i64> {
        match self {
            Self::MonthOfYear => 1..=12,
            Self::DayOfWeek => 1..=7,
            _ => 0..=1,
        }
    }

    /// Joda tries names at most this long (the era's three allows `BCE`).
    fn max_text_len(self) -> usize {
        match self {
            Self::MonthOfYear | Self::DayOfWeek => 9,
            Self::Era => 3,
            _ => 2,
        }
    }

    fn text_name(self, value: i64, short: bool) -> &'static str {
        let names: &[&'static str] = match (self, short) {
            (Self::MonthOfYear, false) => &MONTH_NAMES,
            (Self::MonthOfYear, true) => &MONTH_SHORT_NAMES,
            (Self::DayOfWeek, false) => &WEEKDAY_NAMES,
            (Self::DayOfWeek, true) => &WEEKDAY_SHORT_NAMES,
            (Self::HalfdayOfDay, _) => &HALFDAY_NAMES,
            _ => &ERA_NAMES,
        };
        // Months and weekdays count from 1, AM/PM and eras from 0.
        let index = usize::try_from(value - self.text_values().start()).ok();
        index.and_then(|index| names.get(index)).copied().unwrap_or("")
    }
}

fn year_of_era(year: i64) -> i64 {
    if year <= 0 { 1 - year } else { year }
}

/// Joda's year change keeps month and day, turning Feb 29 into Feb 28 where it does not exist.
fn with_year(dt: NaiveDateTime, year: i64) -> Result<NaiveDateTime> {
    let year = year_i32(year)?;
    let day = dt.day().min(civil::days_in_month(year.into(), dt.month()));
    let date = NaiveDate::from_ymd_opt(year, dt.month(), day).ok_or(DateTimeFnError::OutOfRange)?;
    Ok(date.and_time(dt.time()))
}

fn with_month(dt: NaiveDateTime, month: i64) -> Result<NaiveDateTime> {
    let month = u32::try_from(month).map_err(|_| DateTimeFnError::OutOfRange)?;
    let day = dt.day().min(civil::days_in_month(dt.year().into(), month));
    let date = NaiveDate::from_ymd_opt(dt.year(), month, day).ok_or(DateTimeFnError::OutOfRange)?;
    Ok(date.and_time(dt.time()))
}

/// Joda's week-year change keeps the week number (capped to the target year's weeks) and weekday.
fn with_weekyear(dt: NaiveDateTime, weekyear: i64) -> Result<NaiveDateTime> {
    if i64::from(dt.iso_week().year()) == weekyear {
        return Ok(dt);
    }
    let week = i64::from(dt.iso_week().week()).min(weeks_in_weekyear(weekyear)?);
    let date = NaiveDate::from_isoywd_opt(year_i32(weekyear)?, week as u32, dt.weekday());
    Ok(date.ok_or(DateTimeFnError::OutOfRange)?.and_time(dt.time()))
}

// ------------------------------------------------------------------------------------------------
// Format elements, the common form of MySQL formats, Joda patterns and the ISO parsers

#[derive(Debug, Clone)]
enum Elem {
    /// Printed as is, matched ignoring case.
    Literal(String),
    /// A decimal field: printed with at least `min_digits` digits, parsed from up to `max_digits`.
    Number {
        field: Field,
        min_digits: usize,
        max_digits: usize,
        signed: bool,
    },
    /// A year printed as two digits and parsed into the century around `pivot`; a lenient one reads
    /// any other digit count as the full year.
    TwoDigitYear {
        field: Field,
        pivot: i64,
        lenient: bool,
    },
    /// A month, weekday, AM/PM or era name.
    Text {
        field: Field,
        short: bool,
    },
    /// A fraction of the unit that `field` counts milliseconds within.
    Fraction {
        field: Field,
        min_digits: usize,
        max_digits: usize,
    },
    Offset(OffsetStyle),
    ZoneId,
    ZoneShortName,
    /// Print-only: Joda cannot parse long zone names.
    ZoneLongName,
    /// Joda's matching parser: the alternative that reads furthest wins.
    Choice {
        alternatives: Vec<Vec<Elem>>,
        optional: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct OffsetStyle {
    /// Printed instead of a zero offset.
    zero_print: Option<&'static str>,
    /// Accepted for a zero offset.
    zero_parse: Option<&'static str>,
    separators: bool,
    min_fields: u8,
    max_fields: u8,
}

impl Elem {
    fn literal(c: char) -> Self {
        Self::Literal(c.to_string())
    }

    fn number(field: Field, min_digits: usize, max_digits: usize) -> Self {
        Self::Number {
            field,
            min_digits,
            max_digits: max_digits.max(min_digits),
            signed: false,
        }
    }

    fn signed(field: Field, min_digits: usize, max_digits: usize) -> Self {
        Self::Number {
            field,
            min_digits,
            max_digits: max_digits.max(min_digits),
            signed: true,
        }
    }

    fn text(field: Field, short: bool) -> Self {
        Self::Text { field, short }
    }

    fn optional(elems: Vec<Elem>) -> Self {
        Self::Choice {
            alternatives: vec![elems],
            optional: true,
        }
    }

    fn one_of(alternatives: Vec<Vec<Elem>>) -> Self {
        Self::Choice {
            alternatives,
            optional: false,
        }
    }

    fn can_parse(&self) -> bool {
        match self {
            Self::ZoneLongName => false,
            Self::Choice { alternatives, .. } => alternatives.iter().flatten().all(Elem::can_parse),
            _ => true,
        }
    }
}

/// The zone a formatted value is shown in.
#[derive(Debug, Clone, Copy)]
enum DisplayZone {
    /// A `timestamp`: zone elements print nothing.
    None,
    /// A fixed offset in milliseconds; zero is Trino's `UTC`.
    Fixed(i64),
}

// ------------------------------------------------------------------------------------------------
// Printing

fn print_elems(elems: &[Elem], local: NaiveDateTime, zone: DisplayZone) -> String {
    let mut out = String::new();
    for elem in elems {
        print_elem(elem, local, zone, &mut out);
    }
    out
}

fn print_elem(elem: &Elem, local: NaiveDateTime, zone: DisplayZone, out: &mut String) {
    match elem {
        Elem::Literal(text) => out.push_str(text),
        Elem::Number { field, min_digits, .. } => push_padded(out, field.get(local), *min_digits),
        Elem::TwoDigitYear { field, .. } => push_padded(out, field.get(local).abs() % 100, 2),
        Elem::Text { field, short } => out.push_str(field.text_name(field.get(local), *short)),
        Elem::Fraction {
            min_digits, max_digits, ..
        } => {
            push_fraction(out, Field::MillisOfSecond.get(local), *min_digits, *max_digits);
        }
        Elem::Offset(style) => push_offset(out, zone, style),
        Elem::ZoneId | Elem::ZoneShortName => out.push_str(&zone_name(zone, false)),
        Elem::ZoneLongName => out.push_str(&zone_name(zone, true)),
        Elem::Choice { alternatives, .. } => {
            for elem in alternatives.first().into_iter().flatten() {
                print_elem(elem, local, zone, out);
            }
        }
    }
}

/// Joda's padding puts the sign before the zeros: `-0005`.
fn push_padded(out: &mut String, value: i64, min_digits: usize) {
    if value < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", value.unsigned_abs(), width = min_digits));
}

/// Joda prints a fraction scaled to `max_digits` (fewer if that would overflow a long) and then
/// drops trailing zeros down to `min_digits`.
fn push_fraction(out: &mut String, millis: i64, min_digits: usize, max_digits: usize) {
    if millis == 0 {
        out.push_str(&"0".repeat(min_digits));
        return;
    }
    let mut digits = max_digits;
    let scalar = loop {
        let scalar = if (1..=18).contains(&digits) {
            10_i64.pow(digits as u32)
        } else {
            1
        };
        if MILLIS_PER_SECOND.checked_mul(scalar).is_some() {
            break scalar;
        }
        digits -= 1;
    };
    let scaled = (millis * scalar / MILLIS_PER_SECOND).to_string();
    let mut min_left = min_digits as i64;
    let mut digits_left = digits as i64;
    while (scaled.len() as i64) < digits_left {
        out.push('0');
        min_left -= 1;
        digits_left -= 1;
    }
    let mut keep = scaled.len();
    while min_left < digits_left && keep > 1 && scaled.as_bytes()[keep - 1] == b'0' {
        digits_left -= 1;
        keep -= 1;
    }
    out.push_str(&scaled[..keep]);
}

fn push_offset(out: &mut String, zone: DisplayZone, style: &OffsetStyle) {
    let DisplayZone::Fixed(offset) = zone else { return };
    if offset == 0
        && let Some(text) = style.zero_print
    {
        out.push_str(text);
        return;
    }
    out.push(if offset >= 0 { '+' } else { '-' });
    let mut rest = offset.abs();
    let units = [MILLIS_PER_HOUR, MILLIS_PER_MINUTE, MILLIS_PER_SECOND];
    for (index, unit) in units.into_iter().enumerate() {
        let printed = index as u8 + 1;
        if index > 0 && style.separators {
            out.push(':');
        }
        push_padded(out, rest / unit, 2);
        rest %= unit;
        if style.max_fields == printed || (rest == 0 && style.min_fields == printed) {
            return;
        }
    }
    if style.separators {
        out.push('.');
    }
    push_padded(out, rest, 3);
}

/// Zone ids and names as Trino's Joda zones give them: `UTC` for offset zero, else the offset id.
fn zone_name(zone: DisplayZone, long: bool) -> String {
    match zone {
        DisplayZone::None => String::new(),
        DisplayZone::Fixed(0) if long => "Coordinated Universal Time".to_owned(),
        DisplayZone::Fixed(0) => "UTC".to_owned(),
        DisplayZone::Fixed(offset) => joda_offset_id(offset),
    }
}

/// Joda's id for a fixed-offset zone: `+09:00`, with seconds and milliseconds only when present.
fn joda_offset_id(offset_ms: i64) -> String {
    let mut out = String::from(if offset_ms >= 0 { "+" } else { "-" });
    let mut rest = offset_ms.abs();
    push_padded(&mut out, rest / MILLIS_PER_HOUR, 2);
    rest %= MILLIS_PER_HOUR;
    out.push(':');
    push_padded(&mut out, rest / MILLIS_PER_MINUTE, 2);
    rest %= MILLIS_PER_MINUTE;
    if rest != 0 {
        out.push(':');
        push_padded(&mut out, rest / MILLIS_PER_SECOND, 2);
        rest %= MILLIS_PER_SECOND;
        if rest != 0 {
            out.push('.');
            push_padded(&mut out, rest, 3);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Parsing: elements save field values into a bucket, which is resolved once the text is read

#[derive(Debug, Clone, Default)]
struct Bucket {
    fields: Vec<(Field, i64)>,
    /// An offset read from the text, in milliseconds.
    offset_ms: Option<i64>,
    /// The offset of a fixed zone named in the text, in milliseconds.
    zone_offset_ms: Option<i64>,
    /// A zone with rules named in the text; its offset depends on the local time parsed.
    zone: Option<Tz>,
}

/// Why an element did not match: at a position (another alternative may still match), or for good.
enum Fail {
    At(usize),
    Hard(DateTimeFnError),
}

type Parsed = std::result::Result<usize, Fail>;

fn parse_zoned(elems: &[Elem], text: &str) -> Result<ZonedTimestamp> {
    if !elems.iter().all(Elem::can_parse) {
        return Err(DateTimeFnError::ParsingNotSupported);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut bucket = Bucket::default();
    let malformed = |position| DateTimeFnError::Malformed {
        text: text.to_owned(),
        position,
    };
    let end = match parse_elems(elems, &mut bucket, &chars, 0) {
        Ok(end) => end,
        Err(Fail::At(position)) => return Err(malformed(position)),
        Err(Fail::Hard(error)) => return Err(error),
    };
    if end < chars.len() {
        return Err(malformed(end));
    }
    let local = resolve_fields(&bucket.fields).map_err(|e| e.with_parse_text(text))?;
    // As in Joda, an offset in the text wins over a zone; the zone named last wins among zones.
    let offset_ms = match (bucket.offset_ms.or(bucket.zone_offset_ms), bucket.zone) {
        (Some(offset), _) => Some(offset),
        (None, Some(zone)) => Some(zone_offset_at_local(zone, local, text)?),
        (None, None) => None,
    };
    let utc = shift_millis(local, -offset_ms.unwrap_or(0))?;
    let offset_seconds = offset_ms.map(|ms| (ms / MILLIS_PER_SECOND) as i32);
    Ok(ZonedTimestamp { utc, offset_seconds })
}

fn parse_elems(elems: &[Elem], bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    elems
        .iter()
        .try_fold(pos, |pos, elem| parse_elem(elem, bucket, text, pos))
}

fn parse_elem(elem: &Elem, bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    match elem {
        Elem::Literal(literal) => parse_literal(literal, text, pos),
        Elem::Number {
            field,
            max_digits,
            signed,
            ..
        } => parse_number(*field, *max_digits, *signed, bucket, text, pos),
        Elem::TwoDigitYear { field, pivot, lenient } => {
            parse_two_digit_year(*field, *pivot, *lenient, bucket, text, pos)
        }
        Elem::Text { field, .. } => parse_text(*field, bucket, text, pos),
        Elem::Fraction { field, max_digits, .. } => parse_fraction(*field, *max_digits, bucket, text, pos),
        Elem::Offset(style) => parse_offset(style, bucket, text, pos),
        Elem::ZoneId => parse_zone_id(bucket, text, pos),
        Elem::ZoneShortName => parse_zone_short_name(bucket, text, pos),
        Elem::ZoneLongName => Err(Fail::Hard(DateTimeFnError::ParsingNotSupported)),
        Elem::Choice { alternatives, optional } => parse_choice(alternatives, *optional, bucket, text, pos),
    }
}

fn same_ignoring_case(a: char, b: char) -> bool {
    a == b || a.to_uppercase().eq(b.to_uppercase()) || a.to_lowercase().eq(b.to_lowercase())
}

fn starts_with_ignoring_case(text: &[char], pos: usize, prefix: &str) -> bool {
    let mut rest = text.get(pos..).unwrap_or_default().iter();
    prefix
        .chars()
        .all(|expected| rest.next().is_some_and(|&c| same_ignoring_case(c, expected)))
}

fn parse_literal(literal: &str, text: &[char], pos: usize) -> Parsed {
    if starts_with_ignoring_case(text, pos, literal) {
        Ok(pos + literal.chars().count())
    } else {
        Err(Fail::At(pos))
    }
}

/// Reads digits as Java's `int` parsing does: long runs can overflow, which Joda lets escape as an
/// error rather than a mismatch.
fn digits_value(digits: &str) -> std::result::Result<i64, Fail> {
    let value: i64 = digits
        .parse()
        .map_err(|_| Fail::Hard(DateTimeFnError::NumberFormat(digits.to_owned())))?;
    if i32::try_from(value).is_err() {
        return Err(Fail::Hard(DateTimeFnError::NumberFormat(digits.to_owned())));
    }
    Ok(value)
}

fn parse_number(
    field: Field,
    max_digits: usize,
    signed: bool,
    bucket: &mut Bucket,
    text: &[char],
    pos: usize,
) -> Parsed {
    let mut start = pos;
    let mut limit = max_digits.min(text.len() - start);
    let mut len = 0;
    while len < limit {
        let c = text[start + len];
        if len == 0 && signed && (c == '-' || c == '+') {
            // A sign counts only before a digit; it does not use up a digit (a `+` even adds one).
            if len + 1 >= limit || !text[start + 1].is_ascii_digit() {
                break;
            }
            if c == '-' {
                len += 1;
            } else {
                start += 1;
            }
            limit = (limit + 1).min(text.len() - start);
            continue;
        }
        if !c.is_ascii_digit() {
            break;
        }
        len += 1;
    }
    if len == 0 {
        return Err(Fail::At(start));
    }
    let digits: String = text[start..start + len].iter().collect();
    bucket.fields.push((field, digits_value(&digits)?));
    Ok(start + len)
}

fn parse_two_digit_year(
    field: Field,
    pivot: i64,
    lenient: bool,
    bucket: &mut Bucket,
    text: &[char],
    pos: usize,
) -> Parsed {
    if lenient && let Some(parsed) = parse_full_year(field, bucket, text, pos) {
        return parsed;
    }
    let pair = text
        .get(pos..pos + 2)
        .and_then(|pair| pair[0].to_digit(10).zip(pair[1].to_digit(10)));
    let Some((tens, units)) = pair else {
        return Err(Fail::At(pos));
    };
    let two_digits = i64::from(tens * 10 + units);
    // The century is chosen so the year falls in [pivot - 50, pivot + 49].
    let low = pivot - 50;
    let low_in_century = if low >= 0 { low % 100 } else { 99 + (low + 1) % 100 };
    let century_shift = if two_digits < low_in_century { 100 } else { 0 };
    bucket
        .fields
        .push((field, two_digits + low + century_shift - low_in_century));
    Ok(pos + 2)
}

/// A lenient two-digit year takes a signed number or any digit count but two as the year itself;
/// `None` means it is exactly two digits after all.
fn parse_full_year(field: Field, bucket: &mut Bucket, text: &[char], pos: usize) -> Option<Parsed> {
    let mut start = pos;
    let sign = text.get(pos).copied().filter(|c| *c == '-' || *c == '+');
    if sign == Some('+') {
        start += 1;
    }
    let digits_from = if sign == Some('-') { start + 1 } else { start };
    let digit_count = text[digits_from.min(text.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if sign.is_none() && digit_count == 2 {
        return None;
    }
    if digit_count == 0 {
        return Some(Err(Fail::At(start)));
    }
    let end = digits_from + digit_count;
    let digits: String = text[start..end].iter().collect();
    Some(digits_value(&digits).map(|value| {
        bucket.fields.push((field, value));
        end
    }))
}

fn text_value(field: Field, candidate: &str) -> Option<i64> {
    let matches =
        |name: &str| candidate == name || candidate == name.to_lowercase() || candidate == name.to_uppercase();
    let named = field
        .text_values()
        .find(|&value| matches(field.text_name(value, true)) || matches(field.text_name(value, false)));
    // Joda adds the common-era spellings for English.
    named.or(match (field, candidate) {
        (Field::Era, "BCE" | "bce") => Some(0),
        (Field::Era, "CE" | "ce") => Some(1),
        _ => None,
    })
}

fn parse_text(field: Field, bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    let longest = (pos + field.max_text_len()).min(text.len());
    for end in (pos + 1..=longest).rev() {
        let candidate: String = text[pos..end].iter().collect();
        if let Some(value) = text_value(field, &candidate) {
            bucket.fields.push((field, value));
            return Ok(end);
        }
    }
    Err(Fail::At(pos))
}

/// Joda scales each digit to the field's unit and drops what is finer than a millisecond.
fn parse_fraction(field: Field, max_digits: usize, bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    let unit_ms = match field {
        Field::MillisOfHour => MILLIS_PER_HOUR,
        Field::MillisOfMinute => MILLIS_PER_MINUTE,
        _ => MILLIS_PER_SECOND,
    };
    let digits: Vec<i64> = text[pos..]
        .iter()
        .take(max_digits)
        .map_while(|c| c.to_digit(10).map(i64::from))
        .collect();
    if digits.is_empty() {
        return Err(Fail::At(pos));
    }
    let mut weight = unit_ms * 10;
    let mut value = 0;
    for digit in &digits {
        weight /= 10;
        value += digit * weight;
    }
    bucket.fields.push((field, value / 10));
    Ok(pos + digits.len())
}

fn two_digits_at(text: &[char], pos: usize) -> Option<i64> {
    let pair = text.get(pos..pos + 2)?;
    Some(i64::from(pair[0].to_digit(10)? * 10 + pair[1].to_digit(10)?))
}

fn digit_count(text: &[char], pos: usize, most: usize) -> usize {
    text.get(pos..)
        .unwrap_or_default()
        .iter()
        .take(most)
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// Joda's offset parser: `Z`, or a sign and `hh`, `hhmm`, `hh:mm`, up to seconds and milliseconds.
fn parse_offset(style: &OffsetStyle, bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    if let Some(zero) = style.zero_parse
        && starts_with_ignoring_case(text, pos, zero)
    {
        bucket.offset_ms = Some(0);
        return Ok(pos + zero.chars().count());
    }
    if text.len() - pos <= 1 {
        return Err(Fail::At(pos));
    }
    let negative = match text[pos] {
        '-' => true,
        '+' => false,
        _ => return Err(Fail::At(pos)),
    };
    let mut pos = pos + 1;
    let hours = two_digits_at(text, pos).filter(|h| *h <= 23).ok_or(Fail::At(pos))?;
    pos += 2;
    let offset = hours * MILLIS_PER_HOUR + offset_tail(text, &mut pos)?;
    bucket.offset_ms = Some(if negative { -offset } else { offset });
    Ok(pos)
}

/// Minutes, seconds and milliseconds of an offset; a colon after the hours means every later part
/// needs its separator, no colon means none may have one.
fn offset_tail(text: &[char], pos: &mut usize) -> std::result::Result<i64, Fail> {
    let Some(&first) = text.get(*pos) else { return Ok(0) };
    let separators = first == ':';
    if separators {
        *pos += 1;
    } else if !first.is_ascii_digit() {
        return Ok(0);
    }
    let mut offset = 0;
    for (unit, separator) in [(MILLIS_PER_MINUTE, None), (MILLIS_PER_SECOND, Some(':'))] {
        if let Some(separator) = separator
            && !take_separator(text, pos, separators, &[separator])
        {
            return Ok(offset);
        }
        match offset_part(text, pos, separators)? {
            Some(value) => offset += value * unit,
            None => return Ok(offset),
        }
    }
    if !take_separator(text, pos, separators, &['.', ',']) {
        return Ok(offset);
    }
    let count = digit_count(text, *pos, 3);
    if count == 0 {
        return if separators { Err(Fail::At(*pos)) } else { Ok(offset) };
    }
    for (digit, weight) in text[*pos..*pos + count].iter().zip([100, 10, 1]) {
        offset += i64::from(digit.to_digit(10).unwrap_or(0)) * weight;
    }
    *pos += count;
    Ok(offset)
}

/// Whether parsing goes on to the next offset part: there is more text and, with separators, the
/// separator is there (and consumed).
fn take_separator(text: &[char], pos: &mut usize, separators: bool, accepted: &[char]) -> bool {
    let Some(c) = text.get(*pos) else { return false };
    if !separators {
        return true;
    }
    if accepted.contains(c) {
        *pos += 1;
        return true;
    }
    false
}

fn offset_part(text: &[char], pos: &mut usize, separators: bool) -> std::result::Result<Option<i64>, Fail> {
    let count = digit_count(text, *pos, 2);
    if count == 0 && !separators {
        return Ok(None);
    }
    let value = two_digits_at(text, *pos).filter(|v| *v <= 59).ok_or(Fail::At(*pos))?;
    *pos += 2;
    Ok(Some(value))
}

/// The longest of `names` that the text at `pos` starts with (case matters, as in Joda).
fn longest_prefix<'a>(text: &[char], pos: usize, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let rest: String = text.get(pos..).unwrap_or_default().iter().collect();
    names
        .filter(|name| rest.starts_with(name))
        .max_by_key(|name| name.len())
}

fn unsupported_zone(text: &[char], pos: usize) -> Fail {
    let name: String = text[pos..].iter().take_while(|c| !c.is_whitespace()).collect();
    Fail::Hard(DateTimeFnError::UnsupportedTimeZone(name))
}

/// The offset, in milliseconds, a zone with rules has at a local time, as Joda's parser resolves it:
/// where clocks go back the earlier (summer) offset, and where they go forward an error, since that
/// local time never happens there.
fn zone_offset_at_local(zone: Tz, local: NaiveDateTime, text: &str) -> Result<i64> {
    match zone.from_local_datetime(&local).earliest() {
        Some(instant) => Ok(i64::from(instant.offset().fix().local_minus_utc()) * MILLIS_PER_SECOND),
        None => Err(DateTimeFnError::IllegalInstant {
            text: text.to_owned(),
            zone: zone.name().to_owned(),
        }),
    }
}

/// Sets the zone a name stands for: UTC and the `Etc/GMT±h` zones as fixed offsets, anything else
/// with its rules. Each zone element replaces what an earlier one set, as Joda's `setZone` does.
fn set_zone(bucket: &mut Bucket, fixed_offset_ms: Option<i64>, zone: Option<Tz>) {
    bucket.zone_offset_ms = fixed_offset_ms;
    bucket.zone = zone;
}

/// `ZZZ`: a zone id, matched case-sensitively and longest first, among UTC's aliases, the fixed
/// `Etc/GMT±h` zones (whose sign is inverted by convention) and the IANA ids chrono-tz knows.
fn parse_zone_id(bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    let fixed: Vec<(String, i64)> = (1..=14)
        .flat_map(|hours| {
            [
                (format!("Etc/GMT+{hours}"), -hours * MILLIS_PER_HOUR),
                (format!("Etc/GMT-{hours}"), hours * MILLIS_PER_HOUR),
            ]
        })
        .collect();
    let ids = UTC_ZONE_IDS
        .into_iter()
        .chain(fixed.iter().map(|(id, _)| id.as_str()))
        .chain(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name()));
    if let Some(id) = longest_prefix(text, pos, ids) {
        let fixed_offset = if UTC_ZONE_IDS.contains(&id) {
            Some(0)
        } else {
            fixed
                .iter()
                .find(|(fixed_id, _)| fixed_id == id)
                .map(|(_, offset)| *offset)
        };
        let zone = match fixed_offset {
            Some(_) => None,
            None => Some(id.parse::<Tz>().map_err(|_| unsupported_zone(text, pos))?),
        };
        set_zone(bucket, fixed_offset, zone);
        return Ok(pos + id.len());
    }
    if text.get(pos).is_some_and(|c| c.is_alphabetic()) {
        return Err(unsupported_zone(text, pos));
    }
    Err(Fail::At(pos))
}

/// `z`: Joda's default short names. The US ones stand for whole zones, not for fixed offsets, so
/// `PST` in July reads as Pacific daylight time, as in Joda.
fn parse_zone_short_name(bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    let names = UTC_ZONE_NAMES
        .into_iter()
        .chain(US_ZONE_NAMES.iter().map(|(name, _)| *name));
    match longest_prefix(text, pos, names) {
        Some(name) if UTC_ZONE_NAMES.contains(&name) => {
            set_zone(bucket, Some(0), None);
            Ok(pos + name.len())
        }
        Some(name) => {
            let zone = US_ZONE_NAMES.iter().find(|(us, _)| *us == name).map(|(_, zone)| *zone);
            set_zone(bucket, None, zone);
            Ok(pos + name.len())
        }
        None => Err(Fail::At(pos)),
    }
}

/// Joda's matching parser: every alternative is tried from `pos`, the one reading furthest wins
/// (stopping early at one that reads all the text), and an optional choice may match nothing.
fn parse_choice(alternatives: &[Vec<Elem>], optional: bool, bucket: &mut Bucket, text: &[char], pos: usize) -> Parsed {
    let original = bucket.clone();
    let mut best: Option<(usize, Bucket)> = None;
    let mut furthest_failure = pos;
    for (index, alternative) in alternatives.iter().enumerate() {
        match parse_elems(alternative, bucket, text, pos) {
            Ok(end) if end > best.as_ref().map_or(pos, |(end, _)| *end) => {
                if end >= text.len() || index + 1 == alternatives.len() {
                    return Ok(end);
                }
                best = Some((end, bucket.clone()));
            }
            Ok(_) => {}
            Err(Fail::At(at)) => furthest_failure = furthest_failure.max(at),
            Err(hard) => return Err(hard),
        }
        *bucket = original.clone();
    }
    match best {
        Some((end, state)) => {
            *bucket = state;
            Ok(end)
        }
        None if optional => Ok(pos),
        None => Err(Fail::At(furthest_failure)),
    }
}

/// Applies saved fields as Joda's `DateTimeParserBucket.computeMillis(true)` does.
fn resolve_fields(saved: &[(Field, i64)]) -> Result<NaiveDateTime> {
    let mut fields = saved.to_vec();
    sort_fields(&mut fields);
    let largest = fields.first().map(|(field, _)| field.duration());
    if largest.is_some_and(|span| (Span::Days..=Span::Months).contains(&span)) {
        fields.push((Field::Year, DEFAULT_PARSE_YEAR));
        sort_fields(&mut fields);
    }
    let mut dt = epoch();
    // Every field is set and rounded down, then all are set again so a later rounding cannot undo
    // an earlier field; only the last is rounded the second time.
    for &(field, value) in &fields {
        dt = field.round_floor(field.set(dt, value)?)?;
    }
    for (index, &(field, value)) in fields.iter().enumerate() {
        dt = field.set(dt, value)?;
        if index + 1 == fields.len() {
            dt = field.round_floor(dt)?;
        }
    }
    Ok(dt)
}

/// Larger fields first (by range, then by unit) so smaller ones refine them; the sort is stable,
/// like Joda's, so equal fields apply in text order.
fn sort_fields(fields: &mut [(Field, i64)]) {
    fields.sort_by(|(a, _), (b, _)| b.range().cmp(&a.range()).then(b.duration().cmp(&a.duration())));
}

// ------------------------------------------------------------------------------------------------
// MySQL formats (Trino's `DateTimeFunctions.createDateTimeFormatter`)

fn compile_mysql(format: &str) -> Result<Vec<Elem>> {
    let mut elems = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            elems.push(Elem::literal(c));
            continue;
        }
        // A `%` at the very end adds nothing.
        let Some(specifier) = chars.next() else { break };
        elems.extend(mysql_specifier(specifier)?);
    }
    if elems.is_empty() {
        return Err(DateTimeFnError::EmptyMysqlFormat);
    }
    Ok(elems)
}

fn mysql_specifier(specifier: char) -> Result<Vec<Elem>> {
    use Field::*;
    let time = |hour: Field| {
        vec![
            Elem::number(hour, 2, 2),
            Elem::literal(':'),
            Elem::number(MinuteOfHour, 2, 2),
            Elem::literal(':'),
            Elem::number(SecondOfMinute, 2, 2),
        ]
    };
    Ok(match specifier {
        'a' => vec![Elem::text(DayOfWeek, true)],
        'b' => vec![Elem::text(MonthOfYear, true)],
        'c' => vec![Elem::number(MonthOfYear, 1, 2)],
        'd' => vec![Elem::number(DayOfMonth, 2, 2)],
        'e' => vec![Elem::number(DayOfMonth, 1, 2)],
        'f' => vec![Elem::Fraction {
            field: MillisOfSecond,
            min_digits: 6,
            max_digits: 9,
        }],
        'H' => vec![Elem::number(HourOfDay, 2, 2)],
        'h' | 'I' => vec![Elem::number(ClockhourOfHalfday, 2, 2)],
        'i' => vec![Elem::number(MinuteOfHour, 2, 2)],
        'j' => vec![Elem::number(DayOfYear, 3, 3)],
        'k' => vec![Elem::number(HourOfDay, 1, 2)],
        'l' => vec![Elem::number(ClockhourOfHalfday, 1, 2)],
        'M' => vec![Elem::text(MonthOfYear, false)],
        'm' => vec![Elem::number(MonthOfYear, 2, 2)],
        'p' => vec![Elem::text(HalfdayOfDay, false)],
        'r' => {
            let mut elems = time(ClockhourOfHalfday);
            elems.extend([Elem::literal(' '), Elem::text(HalfdayOfDay, false)]);
            elems
        }
        'S' | 's' => vec![Elem::number(SecondOfMinute, 2, 2)],
        'T' => time(HourOfDay),
        'v' => vec![Elem::number(WeekOfWeekyear, 2, 2)],
        'x' => vec![Elem::signed(Weekyear, 4, 4)],
        'W' => vec![Elem::text(DayOfWeek, false)],
        'Y' => vec![Elem::signed(Year, 4, 4)],
        'y' => vec![Elem::TwoDigitYear {
            field: Year,
            pivot: MYSQL_PIVOT_YEAR,
            lenient: false,
        }],
        'D' | 'U' | 'u' | 'V' | 'w' | 'X' => return Err(DateTimeFnError::UnsupportedSpecifier(specifier)),
        // `%%` and any other `%x` stand for the character itself.
        other => vec![Elem::literal(other)],
    })
}

// ------------------------------------------------------------------------------------------------
// Joda patterns (`DateTimeFormat.forPattern`)

/// Centres of Joda's two-digit years: 30 years before today, as `SimpleDateFormat` has it.
#[derive(Debug, Clone, Copy)]
struct Pivots {
    year: i64,
    weekyear: i64,
}

impl Pivots {
    fn from_clock() -> Self {
        let today = Utc::now().date_naive();
        Self {
            year: i64::from(today.year()) - 30,
            weekyear: i64::from(today.iso_week().year()) - 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A run of one pattern letter.
    Letters(char, usize),
    /// Quoted or non-letter text, quotes resolved.
    Literal(String),
}

/// Trino's test for zone letters outside quotes; it runs before the pattern is compiled.
fn pattern_names_zone(pattern: &str) -> bool {
    let mut quoted = false;
    for c in pattern.chars() {
        if quoted {
            quoted = c != '\'';
            continue;
        }
        match c {
            'z' | 'Z' => return true,
            '\'' => quoted = true,
            _ => {}
        }
    }
    false
}

fn compile_joda(pattern: &str, pivots: Pivots) -> Result<Vec<Elem>> {
    if pattern.is_empty() {
        return Err(DateTimeFnError::EmptyPattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut elems = Vec::new();
    let mut pos = 0;
    while pos < chars.len() {
        let (token, next) = read_token(&chars, pos);
        // A numeric field right after limits how far this one may read.
        let next_is_numeric = next < chars.len() && is_numeric_token(&read_token(&chars, next).0);
        elems.push(joda_element(token, next_is_numeric, pivots)?);
        pos = next;
    }
    Ok(elems)
}

fn read_token(pattern: &[char], start: usize) -> (Token, usize) {
    let first = pattern[start];
    if first.is_ascii_alphabetic() {
        let count = pattern[start..].iter().take_while(|&&c| c == first).count();
        return (Token::Letters(first, count), start + count);
    }
    let mut literal = String::new();
    let mut quoted = false;
    let mut pos = start;
    while pos < pattern.len() {
        let c = pattern[pos];
        if c == '\'' {
            if pattern.get(pos + 1) == Some(&'\'') {
                literal.push('\'');
                pos += 2;
                continue;
            }
            quoted = !quoted;
        } else if !quoted && c.is_ascii_alphabetic() {
            break;
        } else {
            literal.push(c);
        }
        pos += 1;
    }
    (Token::Literal(literal), pos)
}

fn is_numeric_token(token: &Token) -> bool {
    match token {
        Token::Letters('M', count) => *count <= 2,
        Token::Letters(letter, _) => "cCxyYdhHmsSeDFwWkK".contains(*letter),
        Token::Literal(_) => false,
    }
}

fn joda_element(token: Token, next_is_numeric: bool, pivots: Pivots) -> Result<Elem> {
    use Field::*;
    let (letter, count) = match token {
        Token::Literal(text) => return Ok(Elem::Literal(text)),
        Token::Letters(letter, count) => (letter, count),
    };
    Ok(match letter {
        'G' => Elem::text(Era, false),
        'C' => Elem::signed(CenturyOfEra, count, count),
        'x' | 'y' | 'Y' if count == 2 => {
            let (field, pivot) = if letter == 'x' {
                (Weekyear, pivots.weekyear)
            } else {
                (Year, pivots.year)
            };
            Elem::TwoDigitYear {
                field,
                pivot,
                lenient: !next_is_numeric,
            }
        }
        'x' | 'y' | 'Y' => {
            let max_digits = if next_is_numeric { count } else { 9 };
            match letter {
                'x' => Elem::signed(Weekyear, count, max_digits),
                'y' => Elem::signed(Year, count, max_digits),
                _ => Elem::number(YearOfEra, count, max_digits),
            }
        }
        'M' if count >= 3 => Elem::text(MonthOfYear, count == 3),
        'M' => Elem::number(MonthOfYear, count, 2),
        'd' => Elem::number(DayOfMonth, count, 2),
        'a' => Elem::text(HalfdayOfDay, false),
        'h' => Elem::number(ClockhourOfHalfday, count, 2),
        'H' => Elem::number(HourOfDay, count, 2),
        'k' => Elem::number(ClockhourOfDay, count, 2),
        'K' => Elem::number(HourOfHalfday, count, 2),
        'm' => Elem::number(MinuteOfHour, count, 2),
        's' => Elem::number(SecondOfMinute, count, 2),
        'S' => Elem::Fraction {
            field: MillisOfSecond,
            min_digits: count,
            max_digits: count.min(18),
        },
        'e' => Elem::number(DayOfWeek, count, 1),
        'E' => Elem::text(DayOfWeek, count < 4),
        'D' => Elem::number(DayOfYear, count, 3),
        'w' => Elem::number(WeekOfWeekyear, count, 2),
        'z' if count >= 4 => Elem::ZoneLongName,
        'z' => Elem::ZoneShortName,
        'Z' if count <= 2 => Elem::Offset(OffsetStyle {
            zero_print: None,
            zero_parse: Some("Z"),
            separators: count == 2,
            min_fields: 2,
            max_fields: 2,
        }),
        'Z' => Elem::ZoneId,
        _ => {
            return Err(DateTimeFnError::IllegalPatternComponent(
                letter.to_string().repeat(count),
            ));
        }
    })
}

// ------------------------------------------------------------------------------------------------
// ISO 8601 (Joda's `ISODateTimeFormat.dateTimeParser` and `dateElementParser`)

fn iso_year(field: Field) -> Elem {
    Elem::signed(field, 4, 9)
}

/// `yyyy[-MM[-dd]]`, `xxxx-Www[-e]` or `yyyy-DDD`; Joda reads 1 or 2 digit months and days too.
fn iso_date_element() -> Elem {
    use Field::*;
    let dash = || Elem::literal('-');
    let calendar = vec![
        iso_year(Year),
        Elem::optional(vec![
            dash(),
            Elem::number(MonthOfYear, 2, 2),
            Elem::optional(vec![dash(), Elem::number(DayOfMonth, 2, 2)]),
        ]),
    ];
    let week = vec![
        iso_year(Weekyear),
        Elem::Literal("-W".to_owned()),
        Elem::number(WeekOfWeekyear, 2, 2),
        Elem::optional(vec![dash(), Elem::number(DayOfWeek, 1, 1)]),
    ];
    let ordinal = vec![iso_year(Year), dash(), Elem::number(DayOfYear, 3, 3)];
    Elem::one_of(vec![calendar, week, ordinal])
}

/// `HH[:mm[:ss[.fff]]]`, where the last part given may carry a `.` or `,` fraction.
fn iso_time_element() -> Vec<Elem> {
    use Field::*;
    let point = || Elem::one_of(vec![vec![Elem::literal('.')], vec![Elem::literal(',')]]);
    let fraction = |field| Elem::Fraction {
        field,
        min_digits: 1,
        max_digits: 9,
    };
    let seconds = vec![
        Elem::literal(':'),
        Elem::number(SecondOfMinute, 2, 2),
        Elem::optional(vec![point(), fraction(MillisOfSecond)]),
    ];
    let minutes = vec![
        Elem::literal(':'),
        Elem::number(MinuteOfHour, 2, 2),
        Elem::Choice {
            alternatives: vec![seconds, vec![point(), fraction(MillisOfMinute)]],
            optional: true,
        },
    ];
    vec![
        Elem::number(HourOfDay, 2, 2),
        Elem::Choice {
            alternatives: vec![minutes, vec![point(), fraction(MillisOfHour)]],
            optional: true,
        },
    ]
}

fn iso_offset() -> Elem {
    Elem::Offset(OffsetStyle {
        zero_print: Some("Z"),
        zero_parse: Some("Z"),
        separators: true,
        min_fields: 2,
        max_fields: 4,
    })
}

/// A time alone (`T10:15`), or a date optionally followed by `T`, a time and an offset.
fn iso_date_time_parser() -> Elem {
    let mut time_only = vec![Elem::literal('T')];
    time_only.extend(iso_time_element());
    time_only.push(Elem::optional(vec![iso_offset()]));
    let time_or_offset = vec![
        Elem::literal('T'),
        Elem::optional(iso_time_element()),
        Elem::optional(vec![iso_offset()]),
    ];
    let date_optional_time = vec![iso_date_element(), Elem::optional(time_or_offset)];
    Elem::one_of(vec![time_only, date_optional_time])
}

/// java.time's `uuuu-MM-dd'T'HH:mm:ss`, whose year takes a sign past four digits.
fn java_iso_seconds(dt: NaiveDateTime) -> String {
    let year = dt.year();
    let year = if year > 9999 {
        format!("+{year}")
    } else {
        format!("{}{:04}", if year < 0 { "-" } else { "" }, year.unsigned_abs())
    };
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn push_fraction_digits(out: &mut String, dt: NaiveDateTime, precision: u32) {
    if precision == 0 {
        return;
    }
    let micros = format!("{:06}", dt.nanosecond() / 1_000 % 1_000_000);
    let width = precision as usize;
    out.push('.');
    out.push_str(&format!("{:0<width$}", &micros[..width.min(6)]));
}

/// java.time's offset id: `Z` for zero, else `+hh:mm` (with `:ss` when there are seconds).
fn java_offset_id(offset_seconds: i32) -> String {
    if offset_seconds == 0 {
        return "Z".to_owned();
    }
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let total = offset_seconds.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{seconds:02}")
    }
}

// ------------------------------------------------------------------------------------------------
// Unit arithmetic (`date_add`, `date_diff`)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    fn for_timestamp(unit: &str) -> Result<Self> {
        let name = unit.to_lowercase();
        Ok(match name.as_str() {
            "millisecond" => Self::Millisecond,
            "second" => Self::Second,
            "minute" => Self::Minute,
            "hour" => Self::Hour,
            "day" => Self::Day,
            "week" => Self::Week,
            "month" => Self::Month,
            "quarter" => Self::Quarter,
            "year" => Self::Year,
            _ => return Err(DateTimeFnError::InvalidTimestampUnit(name)),
        })
    }

    fn for_date(unit: &str) -> Result<Self> {
        let name = unit.to_lowercase();
        match Self::for_timestamp(&name) {
            Ok(unit) if unit.fixed_millis().is_none_or(|ms| ms >= MILLIS_PER_DAY) => Ok(unit),
            _ => Err(DateTimeFnError::InvalidDateUnit(name)),
        }
    }

    /// The unit's length, for units Joda counts as fixed lengths (all up to weeks, in UTC).
    fn fixed_millis(self) -> Option<i64> {
        match self {
            Self::Millisecond => Some(1),
            Self::Second => Some(MILLIS_PER_SECOND),
            Self::Minute => Some(MILLIS_PER_MINUTE),
            Self::Hour => Some(MILLIS_PER_HOUR),
            Self::Day => Some(MILLIS_PER_DAY),
            Self::Week => Some(MILLIS_PER_WEEK),
            Self::Month | Self::Quarter | Self::Year => None,
        }
    }

    fn months(self) -> i64 {
        match self {
            Self::Quarter => 3,
            Self::Year => 12,
            _ => 1,
        }
    }
}

fn add_unit(ts: NaiveDateTime, unit: Unit, value: i64) -> Result<NaiveDateTime> {
    match unit.fixed_millis() {
        Some(ms) => shift_millis(ts, value * ms),
        None => add_months(ts, value * unit.months()),
    }
}

/// Joda's month arithmetic: the day is clamped to the target month's length, the time kept.
fn add_months(ts: NaiveDateTime, months: i64) -> Result<NaiveDateTime> {
    let total = i64::from(ts.year()) * 12 + i64::from(ts.month0()) + months;
    let year = year_i32(total.div_euclid(12))?;
    let month = total.rem_euclid(12) as u32 + 1;
    let day = ts.day().min(civil::days_in_month(year.into(), month));
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(DateTimeFnError::OutOfRange)?;
    Ok(date.and_time(ts.time()))
}

fn unit_difference(unit: Unit, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    match (unit.fixed_millis(), unit) {
        // Java's division truncates toward zero, and so does Rust's.
        (Some(ms), _) => (to - from).num_milliseconds() / ms,
        (None, Unit::Year) => year_difference(to, from),
        (None, _) => month_difference(to, from) / unit.months(),
    }
}

/// Joda's whole months from `subtrahend` to `minuend`, where a month-end minuend counts as reaching
/// any later day of the month (Jan 31 to Feb 29 is one month) since adding a month clamps there.
fn month_difference(minuend: NaiveDateTime, subtrahend: NaiveDateTime) -> i64 {
    if minuend < subtrahend {
        return -month_difference(subtrahend, minuend);
    }
    let months = |dt: NaiveDateTime| i64::from(dt.year()) * 12 + i64::from(dt.month0());
    let difference = months(minuend) - months(subtrahend);
    let mut subtrahend = subtrahend;
    let minuend_day = minuend.day();
    if minuend_day == civil::days_in_month(minuend.year().into(), minuend.month()) && subtrahend.day() > minuend_day {
        subtrahend = subtrahend.with_day(minuend_day).unwrap_or(subtrahend);
    }
    let into_month = |dt: NaiveDateTime| dt - start_of_month(dt);
    if into_month(minuend) < into_month(subtrahend) {
        difference - 1
    } else {
        difference
    }
}

/// Joda's whole years from `subtrahend` to `minuend`; Feb 29 lines up with Feb 28 of a year
/// without one, so anniversaries match.
fn year_difference(minuend: NaiveDateTime, subtrahend: NaiveDateTime) -> i64 {
    if minuend < subtrahend {
        return -year_difference(subtrahend, minuend);
    }
    let (minuend_year, subtrahend_year) = (minuend.year(), subtrahend.year());
    let mut minuend_rest = minuend - start_of_year(minuend);
    let mut subtrahend_rest = subtrahend - start_of_year(subtrahend);
    let feb_29 = TimeDelta::days(31 + 28);
    let one_day = TimeDelta::days(1);
    if subtrahend_rest >= feb_29 {
        if civil::is_leap_year(subtrahend_year.into()) {
            if !civil::is_leap_year(minuend_year.into()) {
                subtrahend_rest -= one_day;
            }
        } else if minuend_rest >= feb_29 && civil::is_leap_year(minuend_year.into()) {
            minuend_rest -= one_day;
        }
    }
    let difference = i64::from(minuend_year - subtrahend_year);
    if minuend_rest < subtrahend_rest {
        difference - 1
    } else {
        difference
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Midnight of a day whose year chrono's parser may not take (signed or past four digits).
    fn midnight(year: i32, month: u32, day: u32) -> NaiveDateTime {
        start_of_day(NaiveDate::from_ymd_opt(year, month, day).unwrap())
    }

    fn message<T: fmt::Debug>(result: Result<T>) -> String {
        result.unwrap_err().to_string()
    }

    // --- date_format -----------------------------------------------------------------------------

    #[test]
    fn mysql_format_matches_trino_docs_example() {
        assert_eq!(
            mysql_format(ts("2022-10-20 05:10:00"), "%m-%d-%Y %H").unwrap(),
            "10-20-2022 05"
        );
    }

    #[test]
    fn mysql_format_prints_every_supported_specifier() {
        let value = ts("2024-01-05 13:04:09.123456");
        let cases = [
            ("%a", "Fri"),
            ("%b", "Jan"),
            ("%c", "1"),
            ("%d", "05"),
            ("%e", "5"),
            ("%f", "123000"),
            ("%H", "13"),
            ("%h", "01"),
            ("%I", "01"),
            ("%i", "04"),
            ("%j", "005"),
            ("%k", "13"),
            ("%l", "1"),
            ("%M", "January"),
            ("%m", "01"),
            ("%p", "PM"),
            ("%r", "01:04:09 PM"),
            ("%S", "09"),
            ("%s", "09"),
            ("%T", "13:04:09"),
            ("%v", "01"),
            ("%W", "Friday"),
            ("%x", "2024"),
            ("%Y", "2024"),
            ("%y", "24"),
            ("%%", "%"),
        ];
        for (format, expected) in cases {
            assert_eq!(mysql_format(value, format).unwrap(), expected, "{format}");
        }
    }

    #[test]
    fn mysql_format_hours_at_midnight_and_noon() {
        let midnight = ts("2024-01-05 00:07:00");
        assert_eq!(mysql_format(midnight, "%H %k %h %l %p").unwrap(), "00 0 12 12 AM");
        let noon = ts("2024-01-05 12:07:00");
        assert_eq!(mysql_format(noon, "%H %k %h %l %p").unwrap(), "12 12 12 12 PM");
    }

    #[test]
    fn mysql_format_rounds_to_milliseconds_half_up() {
        assert_eq!(mysql_format(ts("2024-01-05 13:04:09.000500"), "%f").unwrap(), "001000");
        assert_eq!(mysql_format(ts("2024-01-05 13:04:09.000499"), "%f").unwrap(), "000000");
        let carried = mysql_format(ts("2023-12-31 23:59:59.999500"), "%Y-%m-%d %H:%i:%s.%f").unwrap();
        assert_eq!(carried, "2024-01-01 00:00:00.000000");
    }

    #[test]
    fn mysql_format_week_year_differs_from_calendar_year() {
        // 2021-01-01 is a Friday in ISO week 53 of 2020.
        assert_eq!(
            mysql_format(ts("2021-01-01 00:00:00"), "%x-%v %Y").unwrap(),
            "2020-53 2021"
        );
    }

    #[test]
    fn mysql_format_years_outside_four_digits() {
        assert_eq!(mysql_format(midnight(99, 3, 4), "%Y %y").unwrap(), "0099 99");
        assert_eq!(mysql_format(midnight(12345, 3, 4), "%Y").unwrap(), "12345");
        assert_eq!(mysql_format(midnight(-5, 3, 4), "%Y %y").unwrap(), "-0005 05");
    }

    #[test]
    fn mysql_format_treats_unknown_specifiers_and_trailing_percent_as_text() {
        assert_eq!(mysql_format(ts("2024-01-05 13:04:09"), "%Q|%Y%").unwrap(), "Q|2024");
        assert_eq!(mysql_format(ts("2024-01-05 13:04:09"), "plain").unwrap(), "plain");
    }

    #[test]
    fn mysql_format_rejects_unsupported_specifiers() {
        for specifier in ['D', 'U', 'u', 'V', 'w', 'X'] {
            let format = format!("%Y %{specifier}");
            let expected = format!("%{specifier} not supported in date format string");
            assert_eq!(message(mysql_format(ts("2024-01-05 13:04:09"), &format)), expected);
            assert_eq!(message(mysql_parse("2024", &format)), expected);
        }
    }

    #[test]
    fn mysql_format_rejects_empty_formats() {
        assert_eq!(
            message(mysql_format(ts("2024-01-05 13:04:09"), "")),
            "Both printing and parsing not supported"
        );
        assert_eq!(message(mysql_parse("", "%")), "Both printing and parsing not supported");
    }

    // --- date_parse ------------------------------------------------------------------------------

    #[test]
    fn mysql_parse_matches_trino_docs_example() {
        assert_eq!(
            mysql_parse("2022/10/20/05", "%Y/%m/%d/%H").unwrap(),
            ts("2022-10-20 05:00:00")
        );
    }

    #[test]
    fn mysql_parse_full_timestamp_cuts_fraction_to_millis() {
        let parsed = mysql_parse("2020-05-11 11:15:05.123456", "%Y-%m-%d %H:%i:%s.%f").unwrap();
        assert_eq!(parsed, ts("2020-05-11 11:15:05.123"));
        assert_eq!(mysql_parse("05.5", "%s.%f").unwrap(), ts("1970-01-01 00:00:05.500"));
    }

    #[test]
    fn mysql_parse_names_in_title_lower_or_upper_case() {
        assert_eq!(
            mysql_parse("february 3, 2021", "%M %e, %Y").unwrap(),
            ts("2021-02-03 00:00:00")
        );
        assert_eq!(
            mysql_parse("FEB 3 2021", "%b %e %Y").unwrap(),
            ts("2021-02-03 00:00:00")
        );
        // Either name length works for either specifier.
        assert_eq!(
            mysql_parse("Feb 3 2021", "%M %e %Y").unwrap(),
            ts("2021-02-03 00:00:00")
        );
        assert_eq!(
            message(mysql_parse("fEb 3 2021", "%b %e %Y")),
            "Invalid format: \"fEb 3 2021\""
        );
    }

    #[test]
    fn mysql_parse_twelve_hour_clock() {
        assert_eq!(mysql_parse("03:15 pm", "%h:%i %p").unwrap(), ts("1970-01-01 15:15:00"));
        assert_eq!(mysql_parse("12:00 AM", "%h:%i %p").unwrap(), ts("1970-01-01 00:00:00"));
        assert_eq!(mysql_parse("12:30:01 PM", "%r").unwrap(), ts("1970-01-01 12:30:01"));
        assert_eq!(mysql_parse("01:04:09 PM", "%r").unwrap(), ts("1970-01-01 13:04:09"));
    }

    #[test]
    fn mysql_parse_two_digit_years_pivot_on_1970() {
        assert_eq!(mysql_parse("69", "%y").unwrap(), ts("2069-01-01 00:00:00"));
        assert_eq!(mysql_parse("70", "%y").unwrap(), ts("1970-01-01 00:00:00"));
        assert_eq!(message(mysql_parse("7", "%y")), "Invalid format: \"7\"");
    }

    #[test]
    fn mysql_parse_without_year_uses_2000_for_dates_and_1970_for_times() {
        assert_eq!(mysql_parse("02-29", "%m-%d").unwrap(), ts("2000-02-29 00:00:00"));
        assert_eq!(mysql_parse("15", "%d").unwrap(), ts("2000-01-15 00:00:00"));
        assert_eq!(mysql_parse("10:30", "%H:%i").unwrap(), ts("1970-01-01 10:30:00"));
        assert_eq!(mysql_parse("x", "x").unwrap(), ts("1970-01-01 00:00:00"));
    }

    #[test]
    fn mysql_parse_week_and_ordinal_dates() {
        // Joda rounds to the start of the week once weekyear and week are set.
        assert_eq!(mysql_parse("2020-10", "%x-%v").unwrap(), ts("2020-03-02 00:00:00"));
        assert_eq!(mysql_parse("2020-060", "%Y-%j").unwrap(), ts("2020-02-29 00:00:00"));
        assert_eq!(mysql_parse("2020-60", "%Y-%j").unwrap(), ts("2020-02-29 00:00:00"));
    }

    #[test]
    fn mysql_parse_literals_ignore_case() {
        assert_eq!(mysql_parse("2020 t 10", "%Y T %H").unwrap(), ts("2020-01-01 10:00:00"));
    }

    #[test]
    fn mysql_parse_reports_joda_format_errors() {
        assert_eq!(
            message(mysql_parse("2020-05-11", "%Y/%m/%d")),
            "Invalid format: \"2020-05-11\" is malformed at \"-05-11\""
        );
        assert_eq!(
            message(mysql_parse("2020-05", "%Y-%m-%d")),
            "Invalid format: \"2020-05\" is too short"
        );
        assert_eq!(
            message(mysql_parse("2020-05-11x", "%Y-%m-%d")),
            "Invalid format: \"2020-05-11x\" is malformed at \"x\""
        );
        assert_eq!(message(mysql_parse("", "%Y")), "Invalid format: \"\"");
    }

    #[test]
    fn mysql_parse_error_quotes_at_most_32_characters_past_the_error() {
        let text = format!("x{}", "0".repeat(40));
        let expected = format!("Invalid format: \"x{}...\"", "0".repeat(31));
        assert_eq!(message(mysql_parse(&text, "%Y")), expected);
        let text = format!("2020x{}", "0".repeat(40));
        let expected = format!(
            "Invalid format: \"2020x{0}...\" is malformed at \"x{0}...\"",
            "0".repeat(31)
        );
        assert_eq!(message(mysql_parse(&text, "%Y")), expected);
    }

    #[test]
    fn mysql_parse_reports_field_ranges() {
        assert_eq!(
            message(mysql_parse("31/02/2020", "%d/%m/%Y")),
            "Cannot parse \"31/02/2020\": Value 31 for dayOfMonth must be in the range [1,29]"
        );
        assert_eq!(
            message(mysql_parse("2020-0-11", "%Y-%c-%d")),
            "Cannot parse \"2020-0-11\": Value 0 for monthOfYear must be in the range [1,12]"
        );
        assert_eq!(
            message(mysql_parse("24:00", "%H:%i")),
            "Cannot parse \"24:00\": Value 24 for hourOfDay must be in the range [0,23]"
        );
        assert_eq!(
            message(mysql_parse("2019-366", "%Y-%j")),
            "Cannot parse \"2019-366\": Value 366 for dayOfYear must be in the range [1,365]"
        );
        assert_eq!(
            message(mysql_parse("13", "%h")),
            "Cannot parse \"13\": Value 13 for clockhourOfHalfday must be in the range [1,12]"
        );
    }

    #[test]
    fn mysql_parse_year_reads_four_digits_at_most() {
        assert_eq!(mysql_parse("20200511", "%Y%m%d").unwrap(), ts("2020-05-11 00:00:00"));
        assert_eq!(mysql_parse("-0044", "%Y").unwrap(), midnight(-44, 1, 1));
    }

    // --- format_datetime -------------------------------------------------------------------------

    #[test]
    fn joda_format_common_patterns() {
        let value = ts("2024-01-05 13:04:09.123456");
        assert_eq!(
            joda_format(value, "yyyy-MM-dd HH:mm:ss.SSS").unwrap(),
            "2024-01-05 13:04:09.123"
        );
        assert_eq!(
            joda_format(value, "EEEE, MMMM d, yyyy h:mm a").unwrap(),
            "Friday, January 5, 2024 1:04 PM"
        );
        assert_eq!(joda_format(value, "E MMM dd yy").unwrap(), "Fri Jan 05 24");
        assert_eq!(joda_format(value, "yyyyMMdd'T'HHmmss").unwrap(), "20240105T130409");
    }

    #[test]
    fn joda_format_every_letter() {
        let value = ts("2024-01-05 13:04:09.123");
        let cases = [
            ("G", "AD"),
            ("C", "20"),
            ("Y", "2024"),
            ("YY", "24"),
            ("x", "2024"),
            ("xx", "24"),
            ("w", "1"),
            ("ww", "01"),
            ("e", "5"),
            ("E", "Fri"),
            ("EEEE", "Friday"),
            ("y", "2024"),
            ("yyyyy", "02024"),
            ("D", "5"),
            ("DDD", "005"),
            ("M", "1"),
            ("MM", "01"),
            ("MMM", "Jan"),
            ("MMMM", "January"),
            ("d", "5"),
            ("a", "PM"),
            ("K", "1"),
            ("h", "1"),
            ("H", "13"),
            ("k", "13"),
            ("m", "4"),
            ("s", "9"),
            ("S", "1"),
            ("SS", "12"),
            ("SSS", "123"),
            ("SSSSSS", "123000"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(joda_format(value, pattern).unwrap(), expected, "{pattern}");
        }
    }

    #[test]
    fn joda_format_clock_hours_at_midnight() {
        let midnight = ts("2024-01-05 00:00:00");
        assert_eq!(joda_format(midnight, "H k K h a").unwrap(), "0 24 0 12 AM");
    }

    #[test]
    fn joda_format_fraction_of_zero_and_small_values() {
        assert_eq!(joda_format(ts("2024-01-05 00:00:00"), "S|SSS").unwrap(), "0|000");
        assert_eq!(
            joda_format(ts("2024-01-05 00:00:00.005"), "S|SS|SSS|SSSS").unwrap(),
            "0|00|005|0050"
        );
    }

    #[test]
    fn joda_format_quotes() {
        let value = ts("2024-01-05 13:04:09");
        assert_eq!(
            joda_format(value, "yyyy'T'HH 'o''clock' ''").unwrap(),
            "2024T13 o'clock '"
        );
        assert_eq!(joda_format(value, "'Zone: z' HH").unwrap(), "Zone: z 13");
        assert_eq!(joda_format(value, "HH:mm#?").unwrap(), "13:04#?");
    }

    #[test]
    fn joda_format_negative_and_early_years() {
        assert_eq!(joda_format(midnight(-5, 3, 4), "yyyy G Y C").unwrap(), "-0005 BC 6 0");
        assert_eq!(joda_format(midnight(0, 3, 4), "yyyy G Y").unwrap(), "0000 BC 1");
    }

    #[test]
    fn joda_format_rejects_zone_letters_for_timestamps() {
        let value = ts("2024-01-05 13:04:09");
        let expected = "format_datetime for TIMESTAMP type, cannot use 'Z' nor 'z' in format, as this type does not contain TZ information";
        assert_eq!(message(joda_format(value, "yyyy Z")), expected);
        assert_eq!(message(joda_format(value, "z")), expected);
    }

    #[test]
    fn joda_format_rejects_bad_patterns() {
        let value = ts("2024-01-05 13:04:09");
        assert_eq!(message(joda_format(value, "")), "Invalid pattern specification");
        assert_eq!(message(joda_format(value, "yyyy-qq")), "Illegal pattern component: qq");
        assert_eq!(message(joda_format(value, "F")), "Illegal pattern component: F");
    }

    #[test]
    fn joda_format_at_offset_prints_zones() {
        let instant = ts("2024-01-05 04:04:09");
        let pattern = "yyyy-MM-dd HH:mm Z ZZ ZZZ z zzzz";
        assert_eq!(
            joda_format_at_offset(instant, 9 * 3600, pattern).unwrap(),
            "2024-01-05 13:04 +0900 +09:00 +09:00 +09:00 +09:00"
        );
        assert_eq!(
            joda_format_at_offset(instant, 0, pattern).unwrap(),
            "2024-01-05 04:04 +0000 +00:00 UTC UTC Coordinated Universal Time"
        );
        assert_eq!(
            joda_format_at_offset(instant, -(5 * 3600 + 30 * 60), "HH:mm Z ZZ").unwrap(),
            "22:34 -0530 -05:30"
        );
    }

    // --- parse_datetime --------------------------------------------------------------------------

    #[test]
    fn joda_parse_common_patterns() {
        assert_eq!(
            joda_parse("2020-05-11 11:15:05", "yyyy-MM-dd HH:mm:ss").unwrap(),
            ts("2020-05-11 11:15:05")
        );
        assert_eq!(joda_parse("20200511", "yyyyMMdd").unwrap(), ts("2020-05-11 00:00:00"));
        assert_eq!(joda_parse("200511", "yyMMdd").unwrap(), ts("2020-05-11 00:00:00"));
        assert_eq!(
            joda_parse("may 5 2020", "MMM d yyyy").unwrap(),
            ts("2020-05-05 00:00:00")
        );
        assert_eq!(
            joda_parse("2020-05-11 11:15:05.123", "yyyy-MM-dd HH:mm:ss.SSS").unwrap(),
            ts("2020-05-11 11:15:05.123")
        );
    }

    #[test]
    fn joda_parse_offsets() {
        let parsed = joda_parse_zoned("11/05/2020 13:00 +0900", "dd/MM/yyyy HH:mm Z").unwrap();
        assert_eq!(
            parsed,
            ZonedTimestamp {
                utc: ts("2020-05-11 04:00:00"),
                offset_seconds: Some(32400)
            }
        );
        let parsed = joda_parse_zoned("2020-05-11T11:15:05Z", "yyyy-MM-dd'T'HH:mm:ssZ").unwrap();
        assert_eq!(
            parsed,
            ZonedTimestamp {
                utc: ts("2020-05-11 11:15:05"),
                offset_seconds: Some(0)
            }
        );
        let parsed = joda_parse_zoned("2020-05-11 11:15 -05:30", "yyyy-MM-dd HH:mm ZZ").unwrap();
        assert_eq!(parsed.utc, ts("2020-05-11 16:45:00"));
        assert_eq!(parsed.offset_seconds, Some(-19800));
        let parsed = joda_parse_zoned("2020-05-11", "yyyy-MM-dd").unwrap();
        assert_eq!(parsed.offset_seconds, None);
    }

    #[test]
    fn joda_parse_zone_names_and_ids() {
        let parsed = joda_parse_zoned("2020-05-11 11:15 UTC", "yyyy-MM-dd HH:mm z").unwrap();
        assert_eq!(
            parsed,
            ZonedTimestamp {
                utc: ts("2020-05-11 11:15:00"),
                offset_seconds: Some(0)
            }
        );
        let parsed = joda_parse_zoned("2020-05-11 11:15 Etc/GMT+5", "yyyy-MM-dd HH:mm ZZZ").unwrap();
        assert_eq!(parsed.utc, ts("2020-05-11 16:15:00"));
        assert_eq!(parsed.offset_seconds, Some(-18000));
        assert_eq!(joda_parse("2020 UTC", "yyyy ZZZ").unwrap(), ts("2020-01-01 00:00:00"));
        assert_eq!(
            message(joda_parse("2020 Mars/Olympus_Mons", "yyyy ZZZ")),
            "Time zone not supported: Mars/Olympus_Mons"
        );
        assert_eq!(
            message(joda_parse("2020 america/new_york", "yyyy ZZZ")),
            "Time zone not supported: america/new_york"
        );
        assert_eq!(message(joda_parse("2020 UTC", "yyyy zzzz")), "Parsing not supported");
    }

    #[test]
    fn joda_parse_named_zones_use_their_rules() {
        let pattern = "yyyy-MM-dd HH:mm ZZZ";
        let cases = [
            // Summer and winter time.
            ("2020-05-11 11:15 America/Los_Angeles", "2020-05-11 18:15:00", -7 * 3600),
            ("2020-01-15 09:00 Europe/Berlin", "2020-01-15 08:00:00", 3600),
            ("2020-07-01 12:00 Europe/Berlin", "2020-07-01 10:00:00", 2 * 3600),
            // A half-hour offset without daylight saving.
            ("2020-05-11 11:15 Asia/Kolkata", "2020-05-11 05:45:00", 19800),
            // 01:30 happens twice when clocks go back; Joda takes the earlier, summer offset.
            ("2020-11-01 01:30 America/Los_Angeles", "2020-11-01 08:30:00", -7 * 3600),
            ("2020-10-25 02:30 Europe/Berlin", "2020-10-25 00:30:00", 2 * 3600),
            // Just after the gap.
            ("2020-03-08 03:00 America/Los_Angeles", "2020-03-08 10:00:00", -7 * 3600),
            // A backward-compatible alias.
            ("2020-01-15 09:00 US/Pacific", "2020-01-15 17:00:00", -8 * 3600),
        ];
        for (text, utc, offset) in cases {
            let parsed = joda_parse_zoned(text, pattern).unwrap();
            assert_eq!(
                parsed,
                ZonedTimestamp {
                    utc: ts(utc),
                    offset_seconds: Some(offset)
                },
                "{text}"
            );
        }
        // The local time 02:30 does not exist when clocks go forward.
        assert_eq!(
            message(joda_parse("2020-03-08 02:30 America/Los_Angeles", pattern)),
            "Cannot parse \"2020-03-08 02:30 America/Los_Angeles\": Illegal instant due to time zone offset transition (America/Los_Angeles)"
        );
        // An offset in the text wins over the zone, whichever comes first.
        let parsed = joda_parse_zoned("2020-05-11 11:15 +01:00 Asia/Tokyo", "yyyy-MM-dd HH:mm ZZ ZZZ").unwrap();
        assert_eq!(parsed.utc, ts("2020-05-11 10:15:00"));
        assert_eq!(
            joda_parse("2020 America/New_York", "yyyy ZZZ").unwrap(),
            ts("2020-01-01 05:00:00")
        );
    }

    #[test]
    fn joda_parse_us_short_names_stand_for_zones() {
        let pattern = "yyyy-MM-dd HH:mm z";
        // Joda maps `PST` and `PDT` alike to America/Los_Angeles, so the date picks the offset.
        assert_eq!(
            joda_parse("2020-01-15 12:00 PST", pattern).unwrap(),
            ts("2020-01-15 20:00:00")
        );
        assert_eq!(
            joda_parse("2020-07-01 12:00 PST", pattern).unwrap(),
            ts("2020-07-01 19:00:00")
        );
        assert_eq!(
            joda_parse("2020-07-01 12:00 EST", pattern).unwrap(),
            ts("2020-07-01 16:00:00")
        );
        assert_eq!(
            joda_parse("2020-01-15 12:00 CDT", pattern).unwrap(),
            ts("2020-01-15 18:00:00")
        );
        assert_eq!(
            joda_parse("2020-01-15 12:00 MST", pattern).unwrap(),
            ts("2020-01-15 19:00:00")
        );
    }

    #[test]
    fn joda_parse_two_digit_years() {
        let pivots = Pivots {
            year: 1996,
            weekyear: 1996,
        };
        let elems = compile_joda("yy", pivots).unwrap();
        assert_eq!(parse_zoned(&elems, "45").unwrap().utc, ts("2045-01-01 00:00:00"));
        assert_eq!(parse_zoned(&elems, "46").unwrap().utc, ts("1946-01-01 00:00:00"));
        // Alone, a two-digit year is lenient: any other digit count is the year itself.
        assert_eq!(parse_zoned(&elems, "2020").unwrap().utc, ts("2020-01-01 00:00:00"));
        assert_eq!(parse_zoned(&elems, "5").unwrap().utc, midnight(5, 1, 1));
        assert_eq!(parse_zoned(&elems, "-12").unwrap().utc, midnight(-12, 1, 1));
        // Before another number it is strict.
        let strict = compile_joda("yyMM", pivots).unwrap();
        assert_eq!(parse_zoned(&strict, "9912").unwrap().utc, ts("1999-12-01 00:00:00"));
        assert_eq!(joda_parse("20", "yy").unwrap(), ts("2020-01-01 00:00:00"));
    }

    #[test]
    fn joda_parse_fraction_digits_are_exact() {
        assert_eq!(joda_parse("1", "S").unwrap(), ts("1970-01-01 00:00:00.100"));
        assert_eq!(
            message(joda_parse("12", "S")),
            "Invalid format: \"12\" is malformed at \"2\""
        );
    }

    #[test]
    fn joda_parse_day_of_week_overrides_the_date() {
        // Joda applies the weekday after the day of month, moving within the week.
        assert_eq!(
            joda_parse("Tue 2020-05-11", "EEE yyyy-MM-dd").unwrap(),
            ts("2020-05-12 00:00:00")
        );
    }

    #[test]
    fn joda_parse_era_and_clock_hours() {
        assert_eq!(joda_parse("24:30", "kk:mm").unwrap(), ts("1970-01-01 00:30:00"));
        assert_eq!(joda_parse("11 PM", "K a").unwrap(), ts("1970-01-01 23:00:00"));
        assert_eq!(joda_parse("2020 AD", "yyyy G").unwrap(), ts("2020-01-01 00:00:00"));
        assert_eq!(joda_parse("2020 ce", "yyyy G").unwrap(), ts("2020-01-01 00:00:00"));
    }

    #[test]
    fn joda_parse_reports_errors() {
        assert_eq!(
            message(joda_parse("2020-02-30", "yyyy-MM-dd")),
            "Cannot parse \"2020-02-30\": Value 30 for dayOfMonth must be in the range [1,29]"
        );
        assert_eq!(
            message(joda_parse("2020", "yyyy-MM")),
            "Invalid format: \"2020\" is too short"
        );
        assert_eq!(message(joda_parse("x", "")), "Invalid pattern specification");
        // Nine digits at most, then the rest does not match.
        assert_eq!(
            message(joda_parse("99999999999", "yyyy")),
            "Invalid format: \"99999999999\" is malformed at \"99\""
        );
        assert_eq!(
            message(joda_parse("999999999", "yyyy")),
            "Cannot parse \"999999999\": Value 999999999 for year must be in the range [-292275054,292278993]"
        );
        assert_eq!(
            message(joda_parse("+9999999999", "yyyy")),
            "For input string: \"9999999999\""
        );
    }

    // --- ISO 8601 --------------------------------------------------------------------------------

    #[test]
    fn from_iso8601_timestamp_docs_examples() {
        assert_eq!(from_iso8601_timestamp("2020-05-11").unwrap(), ts("2020-05-11 00:00:00"));
        assert_eq!(
            from_iso8601_timestamp("2020-05-11T11:15:05").unwrap(),
            ts("2020-05-11 11:15:05")
        );
        let zoned = from_iso8601_timestamp_zoned("2020-05-11T11:15:05.055+01:00").unwrap();
        assert_eq!(
            zoned,
            ZonedTimestamp {
                utc: ts("2020-05-11 10:15:05.055"),
                offset_seconds: Some(3600)
            }
        );
    }

    #[test]
    fn from_iso8601_timestamp_variants() {
        let cases = [
            ("2020-05-11T11:15:05Z", "2020-05-11 11:15:05"),
            ("2020-05-11T11:15:05.123456789z", "2020-05-11 11:15:05.123"),
            ("2020-05-11T11:15:05,5", "2020-05-11 11:15:05.500"),
            ("2020-05-11T11", "2020-05-11 11:00:00"),
            ("2020-05-11T11.5", "2020-05-11 11:30:00"),
            ("2020-05-11T11:15.25", "2020-05-11 11:15:15"),
            ("2020-05-11T", "2020-05-11 00:00:00"),
            ("2020-05", "2020-05-01 00:00:00"),
            ("2020", "2020-01-01 00:00:00"),
            ("2020-5-1T1:2", "2020-05-01 01:02:00"),
            ("T11:15", "1970-01-01 11:15:00"),
            ("2020-W10-3", "2020-03-04 00:00:00"),
            ("2020-123T10:00", "2020-05-02 10:00:00"),
            ("2020-05-11T11:15:05+0900", "2020-05-11 02:15:05"),
            ("2020-05-11T11:15:05-09", "2020-05-11 20:15:05"),
            ("2020-05-11T+01:00", "2020-05-10 23:00:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(from_iso8601_timestamp(text).unwrap(), ts(expected), "{text}");
        }
        assert_eq!(
            from_iso8601_timestamp_zoned("2020-05-11T11:15:05Z")
                .unwrap()
                .offset_seconds,
            Some(0)
        );
        assert_eq!(
            from_iso8601_timestamp_zoned("2020-05-11T11:15").unwrap().offset_seconds,
            None
        );
    }

    #[test]
    fn from_iso8601_timestamp_errors() {
        assert_eq!(
            message(from_iso8601_timestamp("2020-05-11 11:15:05")),
            "Invalid format: \"2020-05-11 11:15:05\" is malformed at \" 11:15:05\""
        );
        assert_eq!(
            message(from_iso8601_timestamp("2020-13-01")),
            "Cannot parse \"2020-13-01\": Value 13 for monthOfYear must be in the range [1,12]"
        );
        assert_eq!(message(from_iso8601_timestamp("")), "Invalid format: \"\"");
        assert_eq!(message(from_iso8601_timestamp("hello")), "Invalid format: \"hello\"");
        assert_eq!(
            message(from_iso8601_timestamp("2020-05-11T25:00")),
            "Cannot parse \"2020-05-11T25:00\": Value 25 for hourOfDay must be in the range [0,23]"
        );
        // Joda reads up to nine year digits; chrono cannot hold year 20200511.
        assert_eq!(
            message(from_iso8601_timestamp("20200511")),
            "Date/time value is outside the supported range"
        );
    }

    #[test]
    fn from_iso8601_date_forms() {
        assert_eq!(from_iso8601_date("2020-05-11").unwrap(), date("2020-05-11"));
        assert_eq!(from_iso8601_date("2020-W10").unwrap(), date("2020-03-02"));
        assert_eq!(from_iso8601_date("2020-123").unwrap(), date("2020-05-02"));
        assert_eq!(from_iso8601_date("2020-W53-7").unwrap(), date("2021-01-03"));
        assert_eq!(from_iso8601_date("2020").unwrap(), date("2020-01-01"));
        assert_eq!(
            message(from_iso8601_date("2020-05-11T00:00")),
            "Invalid format: \"2020-05-11T00:00\" is malformed at \"T00:00\""
        );
        assert_eq!(
            message(from_iso8601_date("2021-W53")),
            "Cannot parse \"2021-W53\": Value 53 for weekOfWeekyear must be in the range [1,52]"
        );
    }

    #[test]
    fn to_iso8601_forms() {
        let value = ts("2020-05-11 11:15:05.055");
        assert_eq!(to_iso8601_timestamp(value), "2020-05-11T11:15:05.055");
        assert_eq!(
            to_iso8601_timestamp(ts("2020-05-11 11:15:05.0556")),
            "2020-05-11T11:15:05.056"
        );
        assert_eq!(to_iso8601_timestamp_with_precision(value, 0), "2020-05-11T11:15:05");
        assert_eq!(
            to_iso8601_timestamp_with_precision(ts("2020-05-11 11:15:05.0556"), 6),
            "2020-05-11T11:15:05.055600"
        );
        assert_eq!(
            to_iso8601_timestamp_with_precision(value, 9),
            "2020-05-11T11:15:05.055000000"
        );
        assert_eq!(to_iso8601_timestamp(midnight(10000, 1, 1)), "+10000-01-01T00:00:00.000");
        assert_eq!(to_iso8601_timestamp(midnight(-1, 1, 1)), "-0001-01-01T00:00:00.000");
        assert_eq!(
            to_iso8601_timestamp_tz(ts("2020-05-11 02:15:05.055"), 32400),
            "2020-05-11T11:15:05.055+09:00"
        );
        assert_eq!(
            to_iso8601_timestamp_tz(ts("2020-05-11 02:15:05.055"), 0),
            "2020-05-11T02:15:05.055Z"
        );
        assert_eq!(to_iso8601_date(date("2020-05-11")), "2020-05-11");
        assert_eq!(to_iso8601_date(midnight(10000, 1, 1).date()), "10000-01-01");
        assert_eq!(to_iso8601_date(midnight(-1, 1, 1).date()), "-0001-01-01");
    }

    // --- date_add / date_diff --------------------------------------------------------------------

    #[test]
    fn add_units_docs_examples() {
        let base = ts("2020-03-01 00:00:00");
        assert_eq!(add_units(base, "second", 86).unwrap(), ts("2020-03-01 00:01:26"));
        assert_eq!(add_units(base, "hour", 9).unwrap(), ts("2020-03-01 09:00:00"));
        assert_eq!(add_units(base, "day", -1).unwrap(), ts("2020-02-29 00:00:00"));
    }

    #[test]
    fn add_units_clamps_months_to_their_last_day() {
        assert_eq!(
            add_units(ts("2024-01-31 10:00:00"), "month", 1).unwrap(),
            ts("2024-02-29 10:00:00")
        );
        assert_eq!(
            add_units(ts("2024-01-31 10:00:00"), "month", 13).unwrap(),
            ts("2025-02-28 10:00:00")
        );
        assert_eq!(
            add_units(ts("2024-03-31 10:00:00"), "MONTH", -1).unwrap(),
            ts("2024-02-29 10:00:00")
        );
        assert_eq!(
            add_units(ts("2012-10-31 01:00:00"), "month", 1).unwrap(),
            ts("2012-11-30 01:00:00")
        );
        assert_eq!(
            add_units(ts("2024-11-30 00:00:00"), "quarter", 1).unwrap(),
            ts("2025-02-28 00:00:00")
        );
        assert_eq!(
            add_units(ts("2024-02-29 00:00:00"), "year", 1).unwrap(),
            ts("2025-02-28 00:00:00")
        );
        assert_eq!(
            add_units(ts("2024-02-29 00:00:00"), "Year", 4).unwrap(),
            ts("2028-02-29 00:00:00")
        );
    }

    #[test]
    fn add_units_keeps_microseconds() {
        let value = ts("2020-01-01 00:00:00.000123");
        assert_eq!(
            add_units(value, "millisecond", 1500).unwrap(),
            ts("2020-01-01 00:00:01.500123")
        );
        assert_eq!(add_units(value, "week", 1).unwrap(), ts("2020-01-08 00:00:00.000123"));
        assert_eq!(
            add_units(value, "minute", -1).unwrap(),
            ts("2019-12-31 23:59:00.000123")
        );
    }

    #[test]
    fn add_units_errors() {
        let value = ts("2020-01-01 00:00:00");
        assert_eq!(
            message(add_units(value, "Foo", 1)),
            "'foo' is not a valid Timestamp field"
        );
        assert_eq!(
            message(add_units(value, "days", 1)),
            "'days' is not a valid Timestamp field"
        );
        assert_eq!(message(add_units(value, "day", 1 << 31)), "integer overflow");
        assert_eq!(
            message(add_units(value, "foo", 1 << 31)),
            "'foo' is not a valid Timestamp field"
        );
        assert_eq!(
            message(add_units(value, "year", 300_000)),
            "Date/time value is outside the supported range"
        );
        assert_eq!(
            message(add_units_date(date("2020-01-01"), "hour", 1)),
            "'hour' is not a valid DATE field"
        );
        assert_eq!(
            message(add_units_date(date("2020-01-01"), "Millisecond", 1)),
            "'millisecond' is not a valid DATE field"
        );
    }

    #[test]
    fn add_units_date_units() {
        let day = date("2024-01-31");
        assert_eq!(add_units_date(day, "day", 1).unwrap(), date("2024-02-01"));
        assert_eq!(add_units_date(day, "week", -1).unwrap(), date("2024-01-24"));
        assert_eq!(add_units_date(day, "month", 1).unwrap(), date("2024-02-29"));
        assert_eq!(add_units_date(day, "quarter", 1).unwrap(), date("2024-04-30"));
        assert_eq!(add_units_date(day, "year", -1).unwrap(), date("2023-01-31"));
    }

    #[test]
    fn diff_units_docs_examples() {
        let (a, b) = (ts("2020-03-01 00:00:00"), ts("2020-03-02 00:00:00"));
        assert_eq!(diff_units("second", a, b).unwrap(), 86400);
        assert_eq!(diff_units("hour", a, b).unwrap(), 24);
        assert_eq!(
            diff_units_date("day", date("2020-03-01"), date("2020-03-02")).unwrap(),
            1
        );
        let (a, b) = (ts("2020-06-01 12:30:45"), ts("2020-06-02 12:30:45.123456"));
        assert_eq!(diff_units("second", a, b).unwrap(), 86400);
        assert_eq!(diff_units("millisecond", a, b).unwrap(), 86_400_123);
    }

    #[test]
    fn diff_units_truncates_toward_zero() {
        let (a, b) = (ts("2020-01-01 00:00:00"), ts("2020-01-02 23:59:59"));
        assert_eq!(diff_units("day", a, b).unwrap(), 1);
        assert_eq!(diff_units("day", b, a).unwrap(), -1);
        assert_eq!(diff_units("week", a, ts("2020-01-14 00:00:00")).unwrap(), 1);
        assert_eq!(
            diff_units(
                "millisecond",
                ts("2020-01-01 00:00:00.0009"),
                ts("2020-01-01 00:00:00.0021")
            )
            .unwrap(),
            2
        );
    }

    #[test]
    fn diff_units_months_follow_joda() {
        let month = |a: &str, b: &str| diff_units("month", ts(a), ts(b)).unwrap();
        assert_eq!(month("2024-01-31 00:00:00", "2024-02-29 00:00:00"), 1);
        assert_eq!(month("2024-01-31 00:00:00", "2024-02-28 00:00:00"), 0);
        assert_eq!(month("2024-02-29 00:00:00", "2024-01-31 00:00:00"), -1);
        assert_eq!(month("2024-03-31 00:00:00", "2024-02-29 00:00:00"), -1);
        assert_eq!(month("2024-01-15 12:00:00", "2024-02-15 11:59:59"), 0);
        assert_eq!(month("2024-01-15 12:00:00", "2024-02-15 12:00:00"), 1);
        assert_eq!(month("2020-01-01 00:00:00", "2024-03-01 00:00:00"), 50);
        assert_eq!(
            diff_units("quarter", ts("2024-01-31 00:00:00"), ts("2024-04-30 00:00:00")).unwrap(),
            1
        );
        assert_eq!(
            diff_units("quarter", ts("2024-04-30 00:00:00"), ts("2024-01-31 00:00:00")).unwrap(),
            -1
        );
        assert_eq!(
            diff_units_date("month", date("2024-05-31"), date("2024-02-29")).unwrap(),
            -3
        );
    }

    #[test]
    fn diff_units_years_line_up_leap_days() {
        let year = |a: &str, b: &str| diff_units_date("year", date(a), date(b)).unwrap();
        assert_eq!(year("2020-02-29", "2021-02-28"), 1);
        assert_eq!(year("2020-02-29", "2021-02-27"), 0);
        assert_eq!(year("2019-03-01", "2020-02-29"), 0);
        assert_eq!(year("2019-03-01", "2020-03-01"), 1);
        assert_eq!(year("2021-02-28", "2020-02-29"), -1);
        assert_eq!(
            diff_units("YEAR", ts("2020-06-01 10:00:00"), ts("2021-06-01 09:59:59")).unwrap(),
            0
        );
    }

    #[test]
    fn diff_units_errors() {
        let value = ts("2020-01-01 00:00:00");
        assert_eq!(
            message(diff_units("fortnight", value, value)),
            "'fortnight' is not a valid Timestamp field"
        );
        assert_eq!(
            message(diff_units_date("second", date("2020-01-01"), date("2020-01-02"))),
            "'second' is not a valid DATE field"
        );
    }

    // --- extractors ------------------------------------------------------------------------------

    #[test]
    fn extractors() {
        assert_eq!(day_of_week(date("2024-01-07")), 7);
        assert_eq!(day_of_week(date("2024-01-08")), 1);
        assert_eq!(day_of_year(date("2024-12-31")), 366);
        assert_eq!(week_of_year(date("2021-01-01")), 53);
        assert_eq!(year_of_week(date("2021-01-01")), 2020);
        assert_eq!(week_of_year(date("2024-12-30")), 1);
        assert_eq!(year_of_week(date("2024-12-30")), 2025);
        assert_eq!(quarter(date("2024-03-31")), 1);
        assert_eq!(quarter(date("2024-10-01")), 4);
        assert_eq!(last_day_of_month(date("2024-02-10")), date("2024-02-29"));
        assert_eq!(last_day_of_month(date("2023-02-10")), date("2023-02-28"));
        assert_eq!(last_day_of_month(date("2024-12-31")), date("2024-12-31"));
    }

    #[test]
    fn weeks_in_weekyear_counts_iso_weeks() {
        assert_eq!(weeks_in_weekyear(2020).unwrap(), 53);
        assert_eq!(weeks_in_weekyear(2021).unwrap(), 52);
        assert_eq!(weeks_in_weekyear(2026).unwrap(), 53);
    }

    #[test]
    fn error_names() {
        assert_eq!(
            DateTimeFnError::IntegerOverflow.error_name(),
            "INVALID_FUNCTION_ARGUMENT"
        );
        assert_eq!(
            DateTimeFnError::ParsingNotSupported.error_name(),
            "GENERIC_INTERNAL_ERROR"
        );
    }
}
