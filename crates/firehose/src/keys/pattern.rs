//! The `!{timestamp:<pattern>}` value: a Java `DateTimeFormatter` pattern.
//!
//! "Custom Prefixes for Amazon S3 Objects" (Firehose developer guide) says the
//! value is "a valid Java DateTimeFormatter string", that anything in single
//! quotes is taken literally, and that every instance in one prefix evaluates
//! to the same instant. Firehose compiles the pattern when the stream is
//! created, so a bad pattern fails `CreateDeliveryStream`; this module does the
//! same split: [`TimePattern::compile`] checks the letters the way
//! `DateTimeFormatter.ofPattern` does (Java 11+ rules), and
//! [`TimePattern::format`] prints one instant.
//!
//! Which letters Firehose accepts is not documented beyond "Java". A
//! third-party catalogue of service responses (measured over all 52 ASCII
//! letters) lists `C I J P R T U V b f i j l o p r t` as rejected when used
//! alone, which is exactly Java's set of unknown letters plus `V` (Java needs
//! `VV`) and `p` (Java needs a letter after the pad), so the rules below follow
//! Java.
//!
//! Text (month and day names, AM/PM, eras, day periods) is English and week
//! fields use the United States definition (weeks start on Sunday, week 1
//! holds January 1st): `ofPattern` takes the JVM's default locale, which the
//! service does not state; `en_US` is the usual default and is assumed here.
//! Zone names have no CLDR table here: `z`/`v` print the tz database
//! abbreviation (`JST`, `EST`, `CEST`, `UTC`) and `zzzz`/`vvvv` the zone id,
//! except UTC's "Coordinated Universal Time".

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use lakestack_compat::civil::{MONTH_NAMES, WEEKDAY_NAMES};

/// The longest run of one letter Java accepts for a number (`appendValue`
/// takes widths 1 to 19).
const MAX_NUMBER_WIDTH: usize = 19;

/// Why a pattern does not compile. The wording mirrors Java's
/// `IllegalArgumentException` messages, for logs; the API answer is the
/// service's own sentence (see `KeyError::message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternProblem {
    /// A letter that is no pattern letter (`Unknown pattern letter: t`).
    UnknownLetter(char),
    /// A letter repeated more times than it allows (`Too many pattern letters: d`).
    TooManyLetters(char),
    /// A letter that takes only some counts (`V` needs 2, `O` 1 or 4, `cc`...).
    WrongLetterCount { letter: char, count: usize },
    /// A quote that is never closed.
    UnterminatedLiteral,
    /// A `]` with no `[` before it.
    UnmatchedOptionalEnd,
    /// `{`, `}` or `#`, which Java reserves.
    ReservedCharacter(char),
    /// `p` not followed by a pattern letter.
    PadWithoutField,
}

impl PatternProblem {
    /// Java's wording, for logs.
    pub fn describe(&self) -> String {
        match self {
            Self::UnknownLetter(c) => format!("Unknown pattern letter: {c}"),
            Self::TooManyLetters(c) => format!("Too many pattern letters: {c}"),
            Self::WrongLetterCount { letter, count } => {
                format!("Wrong number of pattern letters: {}", letter.to_string().repeat(*count))
            }
            Self::UnterminatedLiteral => "Pattern ends with an incomplete string literal".to_owned(),
            Self::UnmatchedOptionalEnd => "Pattern invalid as it contains ] without previous [".to_owned(),
            Self::ReservedCharacter(c) => format!("Pattern includes reserved character: '{c}'"),
            Self::PadWithoutField => "Pad letter 'p' must be followed by valid pad pattern".to_owned(),
        }
    }
}

/// Why a compiled pattern cannot print an instant (Java throws
/// `DateTimeException` at format time for these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintProblem {
    /// A fixed-width number wider than its width, such as `AAAA` in the afternoon.
    TooWide { letter: char, value: i64, width: usize },
    /// A padded field longer than its pad.
    PadExceeded { width: usize, printed: usize },
    /// A negative value in a field that may not be negative.
    Negative { letter: char, value: i64 },
}

impl PrintProblem {
    /// Java's wording, for logs.
    pub fn describe(&self) -> String {
        match self {
            Self::TooWide { letter, value, width } => format!(
                "Field {letter} cannot be printed as the value {value} exceeds the maximum print width of {width}"
            ),
            Self::PadExceeded { width, printed } => {
                format!("Cannot print as output of {printed} characters exceeds pad width of {width}")
            }
            Self::Negative { letter, value } => {
                format!("Field {letter} cannot be printed as the value {value} cannot be negative")
            }
        }
    }
}

/// One instant as the pattern sees it: local wall time in the stream's zone
/// plus what the zone letters need.
#[derive(Debug, Clone)]
pub struct ZonedTime<'a> {
    pub local: NaiveDateTime,
    /// Seconds east of UTC.
    pub offset: i32,
    /// `Asia/Tokyo`, or `UTC` when no `CustomTimeZone` is set.
    pub zone_id: &'a str,
    /// tz database abbreviation (`JST`), when it is a name rather than a number.
    pub abbreviation: Option<&'a str>,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimePattern {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    /// `pad` is the width of a preceding `p` run, 0 for none.
    Field {
        letter: char,
        field: Field,
        pad: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Normal,
    NotNegative,
    ExceedsPad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Short,
    Full,
    Narrow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    YearOfEra,
    ProlepticYear,
    WeekBasedYear,
    DayOfYear,
    Month,
    DayOfMonth,
    Quarter,
    WeekOfWeekBasedYear,
    WeekOfMonth,
    LocalizedDayOfWeek,
    AlignedWeekOfMonth,
    ClockHourOfAmPm,
    HourOfAmPm,
    ClockHourOfDay,
    HourOfDay,
    Minute,
    Second,
    MilliOfDay,
    NanoOfSecond,
    NanoOfDay,
    ModifiedJulianDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    Era,
    Month,
    Quarter,
    DayOfWeek,
    AmPm,
    DayPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Number {
        value: Value,
        min: usize,
        max: usize,
        sign: Sign,
    },
    /// The last two digits (`yy`, `uu`, `YY`).
    TwoDigit(Value),
    Text {
        text: Text,
        width: Width,
    },
    Fraction {
        digits: usize,
    },
    ZoneName {
        full: bool,
    },
    ZoneId,
    /// `style` is the index into Java's offset patterns (`+HH`, `+HHmm`, ...).
    Offset {
        style: u8,
        zero: &'static str,
    },
    LocalizedOffset {
        full: bool,
    },
}

fn number(value: Value, min: usize, max: usize, sign: Sign) -> Field {
    Field::Number { value, min, max, sign }
}

/// `appendValue(field)`: as many digits as needed.
fn plain(value: Value) -> Field {
    number(value, 1, MAX_NUMBER_WIDTH, Sign::Normal)
}

/// `appendValue(field, width)`: exactly `width` digits.
fn fixed(value: Value, width: usize) -> Field {
    number(value, width, width, Sign::NotNegative)
}

fn text(text: Text, count: usize, letter: char) -> Result<Field, PatternProblem> {
    let width = match count {
        1..=3 => Width::Short,
        4 => Width::Full,
        5 => Width::Narrow,
        _ => return Err(PatternProblem::TooManyLetters(letter)),
    };
    Ok(Field::Text { text, width })
}

/// `M L Q q`: number for one or two letters, text for three to five.
fn number_or_text(value: Value, txt: Text, count: usize, letter: char) -> Result<Field, PatternProblem> {
    match count {
        1 => Ok(plain(value)),
        2 => Ok(fixed(value, 2)),
        _ => text(txt, count, letter),
    }
}

/// `y u Y`: two letters keep the last two digits, four or more pad and sign
/// years that overflow the width.
fn year(value: Value, count: usize, letter: char) -> Result<Field, PatternProblem> {
    match count {
        2 => Ok(Field::TwoDigit(value)),
        c if c > MAX_NUMBER_WIDTH => Err(PatternProblem::TooManyLetters(letter)),
        c if c < 4 => Ok(number(value, c, MAX_NUMBER_WIDTH, Sign::Normal)),
        c => Ok(number(value, c, MAX_NUMBER_WIDTH, Sign::ExceedsPad)),
    }
}

/// Week-definition numbers (`e c w W`): Java prints one or two digits.
fn week_number(value: Value, count: usize) -> Field {
    number(value, if count == 2 { 2 } else { 1 }, 2, Sign::NotNegative)
}

fn field_for(letter: char, count: usize) -> Result<Field, PatternProblem> {
    let too_many = PatternProblem::TooManyLetters(letter);
    let wrong = PatternProblem::WrongLetterCount { letter, count };
    Ok(match letter {
        'G' => text(Text::Era, count, letter)?,
        'y' => year(Value::YearOfEra, count, letter)?,
        'u' => year(Value::ProlepticYear, count, letter)?,
        'Y' => year(Value::WeekBasedYear, count, letter)?,
        'M' | 'L' => number_or_text(Value::Month, Text::Month, count, letter)?,
        'Q' | 'q' => number_or_text(Value::Quarter, Text::Quarter, count, letter)?,
        'E' => text(Text::DayOfWeek, count, letter)?,
        'e' if count <= 2 => week_number(Value::LocalizedDayOfWeek, count),
        'e' => text(Text::DayOfWeek, count, letter)?,
        'c' if count == 1 => week_number(Value::LocalizedDayOfWeek, count),
        'c' if count == 2 => return Err(wrong),
        'c' => text(Text::DayOfWeek, count, letter)?,
        'w' if count <= 2 => week_number(Value::WeekOfWeekBasedYear, count),
        'W' if count == 1 => week_number(Value::WeekOfMonth, count),
        'w' | 'W' => return Err(too_many),
        'D' => match count {
            1 => plain(Value::DayOfYear),
            2 | 3 => number(Value::DayOfYear, count, 3, Sign::NotNegative),
            _ => return Err(too_many),
        },
        'F' if count == 1 => plain(Value::AlignedWeekOfMonth),
        'a' if count == 1 => Field::Text {
            text: Text::AmPm,
            width: Width::Short,
        },
        'B' => match count {
            1 => Field::Text {
                text: Text::DayPeriod,
                width: Width::Short,
            },
            4 => Field::Text {
                text: Text::DayPeriod,
                width: Width::Full,
            },
            5 => Field::Text {
                text: Text::DayPeriod,
                width: Width::Narrow,
            },
            _ => return Err(wrong),
        },
        'd' | 'h' | 'H' | 'k' | 'K' | 'm' | 's' => {
            let value = match letter {
                'd' => Value::DayOfMonth,
                'h' => Value::ClockHourOfAmPm,
                'H' => Value::HourOfDay,
                'k' => Value::ClockHourOfDay,
                'K' => Value::HourOfAmPm,
                'm' => Value::Minute,
                _ => Value::Second,
            };
            match count {
                1 => plain(value),
                2 => fixed(value, 2),
                _ => return Err(too_many),
            }
        }
        'F' | 'a' => return Err(too_many),
        'S' if count <= 9 => Field::Fraction { digits: count },
        'S' => return Err(too_many),
        'A' | 'n' | 'N' | 'g' if count > MAX_NUMBER_WIDTH => return Err(too_many),
        'A' => number(Value::MilliOfDay, count, MAX_NUMBER_WIDTH, Sign::NotNegative),
        'n' => number(Value::NanoOfSecond, count, MAX_NUMBER_WIDTH, Sign::NotNegative),
        'N' => number(Value::NanoOfDay, count, MAX_NUMBER_WIDTH, Sign::NotNegative),
        'g' => number(Value::ModifiedJulianDay, count, MAX_NUMBER_WIDTH, Sign::Normal),
        'z' if count <= 4 => Field::ZoneName { full: count == 4 },
        'z' => return Err(too_many),
        'v' if count == 1 || count == 4 => Field::ZoneName { full: count == 4 },
        'v' => return Err(wrong),
        'V' if count == 2 => Field::ZoneId,
        'V' => return Err(wrong),
        'O' if count == 1 || count == 4 => Field::LocalizedOffset { full: count == 4 },
        'O' => return Err(wrong),
        'Z' => match count {
            1..=3 => Field::Offset {
                style: 3,
                zero: "+0000",
            },
            4 => Field::LocalizedOffset { full: true },
            5 => Field::Offset { style: 6, zero: "Z" },
            _ => return Err(too_many),
        },
        'X' | 'x' if count > 5 => return Err(too_many),
        'X' => Field::Offset {
            style: offset_style(count),
            zero: "Z",
        },
        'x' => Field::Offset {
            style: offset_style(count),
            zero: match count {
                1 => "+00",
                c if c.is_multiple_of(2) => "+0000",
                _ => "+00:00",
            },
        },
        _ => return Err(PatternProblem::UnknownLetter(letter)),
    })
}

/// `X`/`x` counts 1 to 5 map to Java's `+HHmm`, `+HHMM`, `+HH:MM`,
/// `+HHMMss`, `+HH:MM:ss`.
fn offset_style(count: usize) -> u8 {
    match count {
        1 => 1,
        2 => 3,
        3 => 4,
        4 => 5,
        _ => 6,
    }
}

impl TimePattern {
    /// Compiles a pattern the way `DateTimeFormatter.ofPattern` does.
    pub fn compile(pattern: &str) -> Result<TimePattern, PatternProblem> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items = Vec::new();
        let mut literal = String::new();
        let mut open_sections = 0usize;
        let mut pos = 0;
        while pos < chars.len() {
            let c = chars[pos];
            if c.is_ascii_alphabetic() {
                let mut count = run_length(&chars, pos);
                let mut letter = c;
                pos += count;
                let mut pad = 0;
                if letter == 'p' {
                    // `ppH`: pad the next field to the number of `p`s.
                    match chars.get(pos) {
                        Some(next) if next.is_ascii_alphabetic() => {
                            pad = count;
                            letter = *next;
                            count = run_length(&chars, pos);
                            pos += count;
                        }
                        _ => return Err(PatternProblem::PadWithoutField),
                    }
                }
                let field = field_for(letter, count)?;
                if !literal.is_empty() {
                    items.push(Item::Literal(std::mem::take(&mut literal)));
                }
                items.push(Item::Field { letter, field, pad });
                continue;
            }
            match c {
                '\'' => {
                    // Java: `''` is one quote, `'text'` is literal text in
                    // which `''` stands for a quote.
                    let start = pos + 1;
                    let mut end = start;
                    loop {
                        match chars.get(end) {
                            None => return Err(PatternProblem::UnterminatedLiteral),
                            Some('\'') if chars.get(end + 1) == Some(&'\'') => end += 2,
                            Some('\'') => break,
                            Some(_) => end += 1,
                        }
                    }
                    if end == start {
                        literal.push('\'');
                    } else {
                        literal.push_str(&chars[start..end].iter().collect::<String>().replace("''", "'"));
                    }
                    pos = end + 1;
                }
                // Optional sections print whenever their fields exist, and a
                // date-time has them all, so only the nesting is checked.
                '[' => {
                    open_sections += 1;
                    pos += 1;
                }
                ']' => {
                    if open_sections == 0 {
                        return Err(PatternProblem::UnmatchedOptionalEnd);
                    }
                    open_sections -= 1;
                    pos += 1;
                }
                '{' | '}' | '#' => return Err(PatternProblem::ReservedCharacter(c)),
                _ => {
                    literal.push(c);
                    pos += 1;
                }
            }
        }
        if !literal.is_empty() {
            items.push(Item::Literal(literal));
        }
        Ok(TimePattern { items })
    }

    /// Prints `time` and appends it to `out`.
    pub fn format(&self, time: &ZonedTime<'_>, out: &mut String) -> Result<(), PrintProblem> {
        for item in &self.items {
            match item {
                Item::Literal(text) => out.push_str(text),
                Item::Field { letter, field, pad } => {
                    let start = out.len();
                    print_field(*letter, field, time, out)?;
                    if *pad > 0 {
                        let printed = out[start..].chars().count();
                        if printed > *pad {
                            return Err(PrintProblem::PadExceeded { width: *pad, printed });
                        }
                        out.insert_str(start, &" ".repeat(pad - printed));
                    }
                }
            }
        }
        Ok(())
    }
}

fn run_length(chars: &[char], start: usize) -> usize {
    chars[start..].iter().take_while(|c| **c == chars[start]).count()
}

fn print_field(letter: char, field: &Field, time: &ZonedTime<'_>, out: &mut String) -> Result<(), PrintProblem> {
    match *field {
        Field::Number { value, min, max, sign } => {
            print_number(letter, value_of(value, &time.local), min, max, sign, out)
        }
        Field::TwoDigit(value) => {
            let v = value_of(value, &time.local).unsigned_abs() % 100;
            out.push_str(&format!("{v:02}"));
            Ok(())
        }
        Field::Text { text, width } => {
            out.push_str(&text_of(text, width, &time.local));
            Ok(())
        }
        Field::Fraction { digits } => {
            // Java truncates, it does not round.
            let nanos = nano_of_second(&time.local);
            let all = format!("{nanos:09}");
            out.push_str(&all[..digits]);
            Ok(())
        }
        Field::ZoneName { full } => {
            out.push_str(&zone_name(time, full));
            Ok(())
        }
        Field::ZoneId => {
            out.push_str(time.zone_id);
            Ok(())
        }
        Field::Offset { style, zero } => {
            print_offset(time.offset, style, zero, out);
            Ok(())
        }
        Field::LocalizedOffset { full } => {
            print_localized_offset(time.offset, full, out);
            Ok(())
        }
    }
}

/// Java's `NumberPrinterParser.format`.
fn print_number(
    letter: char,
    value: i64,
    min: usize,
    max: usize,
    sign: Sign,
    out: &mut String,
) -> Result<(), PrintProblem> {
    let digits = value.unsigned_abs().to_string();
    if digits.len() > max {
        return Err(PrintProblem::TooWide {
            letter,
            value,
            width: max,
        });
    }
    if value >= 0 {
        if sign == Sign::ExceedsPad && min < MAX_NUMBER_WIDTH && value.unsigned_abs() >= 10u64.pow(min as u32) {
            out.push('+');
        }
    } else {
        match sign {
            Sign::NotNegative => return Err(PrintProblem::Negative { letter, value }),
            Sign::Normal | Sign::ExceedsPad => out.push('-'),
        }
    }
    for _ in digits.len()..min {
        out.push('0');
    }
    out.push_str(&digits);
    Ok(())
}

fn nano_of_second(t: &NaiveDateTime) -> i64 {
    // chrono keeps a leap second as nanoseconds past 10^9; Java has none.
    i64::from(t.nanosecond().min(999_999_999))
}

/// Day of week counted from Sunday = 1 (the `en_US` week).
fn localized_day_of_week(date: NaiveDate) -> i64 {
    i64::from(date.weekday().num_days_from_sunday()) + 1
}

/// `en_US` weeks: start on Sunday, week 1 holds the first day of the year.
const MINIMAL_DAYS_IN_FIRST_WEEK: i64 = 1;

// The three functions below port `java.time.temporal.WeekFields`.
fn start_of_week_offset(day: i64, dow: i64) -> i64 {
    let week_start = (day - dow).rem_euclid(7);
    if week_start + 1 > MINIMAL_DAYS_IN_FIRST_WEEK {
        7 - week_start
    } else {
        -week_start
    }
}

fn compute_week(offset: i64, day: i64) -> i64 {
    (7 + offset + (day - 1)).div_euclid(7)
}

fn year_length(date: NaiveDate) -> i64 {
    if NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some() {
        366
    } else {
        365
    }
}

fn week_of_week_based_year(date: NaiveDate) -> i64 {
    let dow = localized_day_of_week(date);
    let doy = i64::from(date.ordinal());
    let offset = start_of_week_offset(doy, dow);
    let week = compute_week(offset, doy);
    if week == 0 {
        // The day sits in the last week of the previous year.
        return match NaiveDate::from_ymd_opt(date.year() - 1, 12, 31) {
            Some(last) => week_of_week_based_year(last),
            None => 1,
        };
    }
    if week > 50 {
        let new_year_week = compute_week(offset, year_length(date) + MINIMAL_DAYS_IN_FIRST_WEEK);
        if week >= new_year_week {
            return week - new_year_week + 1;
        }
    }
    week
}

fn week_based_year(date: NaiveDate) -> i64 {
    let dow = localized_day_of_week(date);
    let year = i64::from(date.year());
    let doy = i64::from(date.ordinal());
    let offset = start_of_week_offset(doy, dow);
    let week = compute_week(offset, doy);
    if week == 0 {
        return year - 1;
    }
    let new_year_week = compute_week(offset, year_length(date) + MINIMAL_DAYS_IN_FIRST_WEEK);
    if week >= new_year_week { year + 1 } else { year }
}

fn week_of_month(date: NaiveDate) -> i64 {
    let dow = localized_day_of_week(date);
    let dom = i64::from(date.day());
    compute_week(start_of_week_offset(dom, dow), dom)
}

fn value_of(value: Value, t: &NaiveDateTime) -> i64 {
    let date = t.date();
    let hour = i64::from(t.hour());
    let seconds_of_day = hour * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    match value {
        Value::YearOfEra => {
            let y = i64::from(date.year());
            if y >= 1 { y } else { 1 - y }
        }
        Value::ProlepticYear => i64::from(date.year()),
        Value::WeekBasedYear => week_based_year(date),
        Value::DayOfYear => i64::from(date.ordinal()),
        Value::Month => i64::from(date.month()),
        Value::DayOfMonth => i64::from(date.day()),
        Value::Quarter => i64::from((date.month() - 1) / 3 + 1),
        Value::WeekOfWeekBasedYear => week_of_week_based_year(date),
        Value::WeekOfMonth => week_of_month(date),
        Value::LocalizedDayOfWeek => localized_day_of_week(date),
        Value::AlignedWeekOfMonth => i64::from((date.day() - 1) / 7 + 1),
        Value::ClockHourOfAmPm => match hour % 12 {
            0 => 12,
            h => h,
        },
        Value::HourOfAmPm => hour % 12,
        Value::ClockHourOfDay => match hour {
            0 => 24,
            h => h,
        },
        Value::HourOfDay => hour,
        Value::Minute => i64::from(t.minute()),
        Value::Second => i64::from(t.second()),
        Value::MilliOfDay => seconds_of_day * 1000 + nano_of_second(t) / 1_000_000,
        Value::NanoOfSecond => nano_of_second(t),
        Value::NanoOfDay => seconds_of_day * 1_000_000_000 + nano_of_second(t),
        Value::ModifiedJulianDay => {
            // Days since 1858-11-17, i.e. days since 1970-01-01 + 40587.
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            (date - epoch).num_days() + 40_587
        }
    }
}

const QUARTERS: [&str; 4] = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];

fn shortened(full: &str, width: Width, short_len: usize) -> String {
    match width {
        Width::Full => full.to_owned(),
        Width::Short => full.chars().take(short_len).collect(),
        Width::Narrow => full.chars().take(1).collect(),
    }
}

fn text_of(text: Text, width: Width, t: &NaiveDateTime) -> String {
    let date = t.date();
    match text {
        Text::Month => shortened(MONTH_NAMES[date.month0() as usize], width, 3),
        Text::DayOfWeek => shortened(WEEKDAY_NAMES[date.weekday().num_days_from_monday() as usize], width, 3),
        Text::Quarter => {
            let q = (date.month0() / 3) as usize;
            match width {
                Width::Full => QUARTERS[q].to_owned(),
                Width::Short => format!("Q{}", q + 1),
                Width::Narrow => (q + 1).to_string(),
            }
        }
        Text::AmPm => if t.hour() < 12 { "AM" } else { "PM" }.to_owned(),
        Text::Era => {
            let ad = date.year() >= 1;
            match (width, ad) {
                (Width::Full, true) => "Anno Domini",
                (Width::Full, false) => "Before Christ",
                (Width::Short, true) => "AD",
                (Width::Short, false) => "BC",
                (Width::Narrow, true) => "A",
                (Width::Narrow, false) => "B",
            }
            .to_owned()
        }
        Text::DayPeriod => day_period(t, width).to_owned(),
    }
}

/// CLDR's English flexible day periods, which Java's `B` prints.
fn day_period(t: &NaiveDateTime, width: Width) -> &'static str {
    let exact_hour = t.minute() == 0 && t.second() == 0 && t.nanosecond() == 0;
    match (t.hour(), exact_hour, width) {
        (0, true, Width::Narrow) => "mi",
        (0, true, _) => "midnight",
        (12, true, Width::Narrow) => "n",
        (12, true, _) => "noon",
        (6..=11, _, _) => "in the morning",
        (12..=17, _, _) => "in the afternoon",
        (18..=20, _, _) => "in the evening",
        _ => "at night",
    }
}

fn zone_name(time: &ZonedTime<'_>, full: bool) -> String {
    if time.zone_id == "UTC" {
        return if full { "Coordinated Universal Time" } else { "UTC" }.to_owned();
    }
    if full {
        return time.zone_id.to_owned();
    }
    match time.abbreviation {
        Some(abbreviation) => abbreviation.to_owned(),
        None => {
            let mut s = String::new();
            print_localized_offset(time.offset, true, &mut s);
            s
        }
    }
}

/// Java's `OffsetIdPrinterParser`: `style` indexes `+HH`, `+HHmm`,
/// `+HH:mm`, `+HHMM`, `+HH:MM`, `+HHMMss`, `+HH:MM:ss`; lower-case parts
/// print only when not zero.
fn print_offset(total: i32, style: u8, zero: &str, out: &mut String) {
    if total == 0 {
        out.push_str(zero);
        return;
    }
    let abs = total.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    let colon = if style.is_multiple_of(2) { ":" } else { "" };
    out.push(if total < 0 { '-' } else { '+' });
    out.push_str(&format!("{hours:02}"));
    if style >= 3 || (style >= 1 && minutes > 0) {
        out.push_str(&format!("{colon}{minutes:02}"));
        if style >= 7 || (style >= 5 && seconds > 0) {
            out.push_str(&format!("{colon}{seconds:02}"));
        }
    }
}

/// Java's `LocalizedOffsetIdPrinterParser` for English: `GMT+9` (short) or
/// `GMT+09:00` (full), plain `GMT` at zero.
fn print_localized_offset(total: i32, full: bool, out: &mut String) {
    out.push_str("GMT");
    if total == 0 {
        return;
    }
    let abs = total.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    out.push(if total < 0 { '-' } else { '+' });
    if full {
        out.push_str(&format!("{hours:02}:{minutes:02}"));
        if seconds != 0 {
            out.push_str(&format!(":{seconds:02}"));
        }
    } else {
        out.push_str(&hours.to_string());
        if minutes != 0 || seconds != 0 {
            out.push_str(&format!(":{minutes:02}"));
            if seconds != 0 {
                out.push_str(&format!(":{seconds:02}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap()
    }

    fn fmt(pattern: &str, local: &str, offset: i32, zone: &str, abbreviation: Option<&str>) -> String {
        let time = ZonedTime {
            local: at(local),
            offset,
            zone_id: zone,
            abbreviation,
        };
        let mut out = String::new();
        TimePattern::compile(pattern).unwrap().format(&time, &mut out).unwrap();
        out
    }

    fn utc(pattern: &str, local: &str) -> String {
        fmt(pattern, local, 0, "UTC", Some("UTC"))
    }

    #[test]
    fn numbers_and_widths() {
        let t = "2018-08-03T07:05:09.123456789";
        assert_eq!(utc("yyyy/MM/dd/HH/", t), "2018/08/03/07/");
        assert_eq!(utc("y-yy-yyy-yyyyy", t), "2018-18-2018-02018");
        assert_eq!(utc("u uu", t), "2018 18");
        assert_eq!(utc("M d H m s", t), "8 3 7 5 9");
        assert_eq!(utc("D DD DDD", t), "215 215 215");
        assert_eq!(utc("D DD DDD", "2018-01-05T00:00:00"), "5 05 005");
        assert_eq!(utc("S SSS SSSSSSSSS", t), "1 123 123456789");
        assert_eq!(utc("h hh K k a", "2018-08-03T00:30:00"), "12 12 0 24 AM");
        assert_eq!(utc("h K k a", "2018-08-03T13:30:00"), "1 1 13 PM");
        assert_eq!(utc("A", "2018-08-03T00:00:01.5"), "1500");
        assert_eq!(utc("n N", "2018-08-03T00:00:01.000000005"), "5 1000000005");
        assert_eq!(utc("g", "1970-01-01T00:00:00"), "40587");
        assert_eq!(utc("Q QQ QQQ QQQQ QQQQQ q", t), "3 03 Q3 3rd quarter 3 3");
        assert_eq!(utc("F", "2018-08-15T00:00:00"), "3");
    }

    #[test]
    fn text_fields() {
        let t = "2018-08-03T07:05:09";
        assert_eq!(utc("MMM MMMM MMMMM LLL", t), "Aug August A Aug");
        assert_eq!(utc("E EEE EEEE EEEEE", t), "Fri Fri Friday F");
        assert_eq!(utc("G GGGG GGGGG", t), "AD Anno Domini A");
        assert_eq!(utc("e ee eee c ccc", t), "6 06 Fri 6 Fri");
        assert_eq!(utc("B", t), "in the morning");
        assert_eq!(utc("B BBBBB", "2018-08-03T12:00:00"), "noon n");
    }

    #[test]
    fn quotes_sections_and_padding() {
        let t = "2018-07-06T23:00:00";
        assert_eq!(
            utc("'year='yyyy'/month='MM'/day='dd'/hour='HH", t),
            "year=2018/month=07/day=06/hour=23"
        );
        assert_eq!(utc("''yyyy''", t), "'2018'");
        assert_eq!(utc("'it''s' yyyy", t), "it's 2018");
        assert_eq!(utc("yyyy[-MM]", t), "2018-07");
        assert_eq!(utc("pppM", t), "  7");
        assert_eq!(utc("yyyy-MM-dd'T'HH", t), "2018-07-06T23");
    }

    #[test]
    fn week_fields_follow_en_us() {
        // 2018-12-30 is a Sunday: US week 1 of week-based year 2019.
        assert_eq!(utc("Y w e", "2018-12-30T00:00:00"), "2019 1 1");
        assert_eq!(utc("Y w", "2018-12-29T00:00:00"), "2018 52");
        assert_eq!(utc("YY ww W", "2018-08-03T00:00:00"), "18 31 1");
        assert_eq!(utc("W", "2018-08-05T00:00:00"), "2");
        // 2022-01-01 is a Saturday and still week 1 (one day is enough).
        assert_eq!(utc("Y w", "2022-01-01T00:00:00"), "2022 1");
    }

    #[test]
    fn zones_and_offsets() {
        let t = "2018-08-03T19:30:00";
        let tokyo = |p: &str| fmt(p, t, 9 * 3600, "Asia/Tokyo", Some("JST"));
        assert_eq!(tokyo("z zzzz VV"), "JST Asia/Tokyo Asia/Tokyo");
        assert_eq!(tokyo("X XX XXX x xx xxx"), "+09 +0900 +09:00 +09 +0900 +09:00");
        assert_eq!(tokyo("Z ZZZZ ZZZZZ O OOOO"), "+0900 GMT+09:00 +09:00 GMT+9 GMT+09:00");
        let india = |p: &str| fmt(p, t, 5 * 3600 + 1800, "Asia/Kolkata", Some("IST"));
        assert_eq!(india("X O"), "+0530 GMT+5:30");
        let west = fmt("XXX Z", t, -4 * 3600, "America/New_York", Some("EDT"));
        assert_eq!(west, "-04:00 -0400");
        assert_eq!(
            utc("X x Z ZZZZ O zzzz VV", t),
            "Z +00 +0000 GMT GMT Coordinated Universal Time UTC"
        );
    }

    #[test]
    fn rejects_what_java_rejects() {
        for letter in "CIJPRTUbfijlort".chars() {
            assert_eq!(
                TimePattern::compile(&letter.to_string()),
                Err(PatternProblem::UnknownLetter(letter)),
                "{letter}"
            );
        }
        assert_eq!(
            TimePattern::compile("V"),
            Err(PatternProblem::WrongLetterCount { letter: 'V', count: 1 })
        );
        assert_eq!(TimePattern::compile("p"), Err(PatternProblem::PadWithoutField));
        assert_eq!(TimePattern::compile("ddd"), Err(PatternProblem::TooManyLetters('d')));
        assert_eq!(TimePattern::compile("HHH"), Err(PatternProblem::TooManyLetters('H')));
        assert_eq!(TimePattern::compile("MMMMMM"), Err(PatternProblem::TooManyLetters('M')));
        assert_eq!(
            TimePattern::compile("SSSSSSSSSS"),
            Err(PatternProblem::TooManyLetters('S'))
        );
        assert_eq!(TimePattern::compile("aa"), Err(PatternProblem::TooManyLetters('a')));
        assert_eq!(
            TimePattern::compile("cc"),
            Err(PatternProblem::WrongLetterCount { letter: 'c', count: 2 })
        );
        assert_eq!(TimePattern::compile("'abc"), Err(PatternProblem::UnterminatedLiteral));
        assert_eq!(TimePattern::compile("yyyy]"), Err(PatternProblem::UnmatchedOptionalEnd));
        assert_eq!(
            TimePattern::compile("yyyy#"),
            Err(PatternProblem::ReservedCharacter('#'))
        );
        assert_eq!(
            TimePattern::compile(&"y".repeat(20)),
            Err(PatternProblem::TooManyLetters('y'))
        );
        // Every other ASCII letter compiles alone.
        for letter in "ABDEFGHKLMNOQSWXYZacdeghkmnqsuvwxyz".chars() {
            assert!(TimePattern::compile(&letter.to_string()).is_ok(), "{letter}");
        }
    }

    #[test]
    fn pad_narrower_than_the_field_fails_at_print_time() {
        let time = ZonedTime {
            local: at("2018-08-03T19:30:00"),
            offset: 0,
            zone_id: "UTC",
            abbreviation: None,
        };
        let mut out = String::new();
        let err = TimePattern::compile("pH").unwrap().format(&time, &mut out).unwrap_err();
        assert_eq!(err, PrintProblem::PadExceeded { width: 1, printed: 2 });
        assert_eq!(utc("pH", "2018-08-03T09:00:00"), "9");
    }
}
