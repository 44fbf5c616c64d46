//! Dates as jq 1.6 handles them: epoch seconds in UTC, and "broken-down time" arrays
//! `[year, month (0-11), day, hours, minutes, seconds (with fraction), weekday, day of year]`.
//!
//! jq 1.6 hands these to the C library (`gmtime_r`, `timegm`, `strftime`, `strptime`);
//! this module reproduces glibc's behaviour in the C locale with the clock in UTC, which
//! is what Firehose's documented queries (`strftime("%Y")` on epoch seconds) rely on,
//! including the corners jq users meet: fields are not normalised by `strftime`, text
//! after a `strptime` match is appended to the array, and a result longer than the
//! format plus 99 bytes is an error.

use crate::value::Val;
use lakestack_compat::civil::{days_from_fields as days_from_civil, fields_from_days as civil_from_days};

/// The format of `todate` and `fromdate`.
pub(crate) const ISO8601: &str = "%Y-%m-%dT%H:%M:%SZ";

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
/// Days before each month, for common and leap years.
const MONTH_START: [[i64; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// C's `struct tm`, with the full year rather than years since 1900.
#[derive(Debug, Clone, Copy, Default)]
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    wday: i64,
    yday: i64,
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7) // 1970-01-01 was a Thursday
}

/// `gmtime_r`: fails where glibc does, when the year does not fit a C int.
fn tm_from_epoch(secs: i64) -> Result<Tm, String> {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if year - 1900 > i64::from(i32::MAX) || year - 1900 < i64::from(i32::MIN) {
        return Err("gmtime(): time out of range".to_owned());
    }
    Ok(Tm {
        year,
        mon: month - 1,
        mday: day,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: weekday(days),
        yday: days - days_from_civil(year, 1, 1),
    })
}

/// `timegm`: normalises every field (month 13 is January next year, day 0 the last
/// day of the month before...).
fn timegm(tm: &Tm) -> i64 {
    let year = tm.year + tm.mon.div_euclid(12);
    let month = tm.mon.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, 1) + tm.mday - 1;
    days * 86_400 + tm.hour * 3600 + tm.min * 60 + tm.sec
}

fn tm_to_array(tm: &Tm, sec: f64) -> Val {
    Val::array(vec![
        Val::Num(tm.year as f64),
        Val::Num(tm.mon as f64),
        Val::Num(tm.mday as f64),
        Val::Num(tm.hour as f64),
        Val::Num(tm.min as f64),
        Val::Num(sec),
        Val::Num(tm.wday as f64),
        Val::Num(tm.yday as f64),
    ])
}

/// A double stored into a C `int` on x86-64: truncated, and INT_MIN when out of range.
fn c_int(x: f64) -> i64 {
    if x.is_nan() || x >= 2_147_483_648.0 || x <= -2_147_483_649.0 {
        i64::from(i32::MIN)
    } else {
        x.trunc() as i64
    }
}

/// jq's `jv2tm`: the first eight elements must all be numbers.
fn tm_from_array(v: &Val) -> Option<Tm> {
    let Val::Arr(items) = v else {
        return None;
    };
    let field = |i: usize| match items.get(i) {
        Some(Val::Num(x)) => Some(c_int(*x)),
        _ => None,
    };
    Some(Tm {
        year: field(0)?,
        mon: field(1)?,
        mday: field(2)?,
        hour: field(3)?,
        min: field(4)?,
        sec: field(5)?,
        wday: field(6)?,
        yday: field(7)?,
    })
}

/// `gmtime`: the seconds field keeps the fraction (jq adds `t - floor(t)` to the
/// seconds of the truncated time, which is what jq 1.6 prints for negative times too).
pub(crate) fn gmtime(t: f64) -> Result<Val, String> {
    // Beyond this the year overflows a C int, which gmtime_r rejects.
    if !t.is_finite() || t.abs() > 1e17 {
        return Err("gmtime(): time out of range".to_owned());
    }
    let tm = tm_from_epoch(t.trunc() as i64)?;
    Ok(tm_to_array(&tm, tm.sec as f64 + (t - t.floor())))
}

/// `mktime`: a broken-down time (in UTC) to epoch seconds, whole seconds.
pub(crate) fn mktime(v: &Val) -> Result<f64, String> {
    if !matches!(v, Val::Arr(_)) {
        return Err("mktime requires array inputs".to_owned());
    }
    let tm = tm_from_array(v).ok_or("mktime requires parsed datetime inputs")?;
    let t = timegm(&tm);
    // jq 1.6 takes timegm's -1 for its failure value, even for 1969-12-31T23:59:59Z.
    if t == -1 || tm_from_epoch(t).is_err() {
        return Err("invalid gmtime representation".to_owned());
    }
    Ok(t as f64)
}

/// `strftime(format)` on epoch seconds or a broken-down time.
pub(crate) fn strftime(input: &Val, format: &Val) -> Result<String, String> {
    let tm = match input {
        Val::Num(t) => tm_from_array(&gmtime(*t)?),
        Val::Arr(_) => tm_from_array(input),
        _ => None,
    }
    .ok_or("strftime/1 requires parsed datetime inputs")?;
    let Val::Str(format) = format else {
        return Err("strftime/1 requires a string format".to_owned());
    };
    // jq 1.6 formats into a buffer of the format's length plus 100 bytes, and reports
    // an overflow (or an empty result) as a failure.
    let capacity = format.len() + 99;
    let out = format_tm(&tm, format, capacity).ok_or("strftime/1: unknown system failure")?;
    if out.is_empty() || out.len() > capacity {
        return Err("strftime/1: unknown system failure".to_owned());
    }
    Ok(out)
}

/// How a number is padded by default.
#[derive(Clone, Copy)]
enum Pad {
    Zero,
    Space,
}

/// One conversion's flags, as glibc reads them: `_ - 0 +` choose the padding, `^`
/// upper-cases, `#` swaps case, digits set a width.
#[derive(Clone, Copy, Default)]
struct Flags {
    pad: Option<char>,
    upcase: bool,
    swapcase: bool,
    width: Option<usize>,
}

impl Flags {
    /// Left-pads `text` to the width, with zeros under the `0`/`+` flags, else spaces.
    fn pad_text(&self, text: &str, out: &mut String) {
        let len = text.chars().count();
        if let Some(width) = self.width.filter(|_| self.pad != Some('-')) {
            let fill = if matches!(self.pad, Some('0' | '+')) { '0' } else { ' ' };
            out.extend(std::iter::repeat_n(fill, width.saturating_sub(len)));
        }
        out.push_str(text);
    }

    /// A number with `digits` default digits and the given default padding.
    fn number(&self, value: i64, digits: usize, default: Pad, out: &mut String) {
        let body = value.unsigned_abs().to_string();
        let sign = if value < 0 { "-" } else { "" };
        let width = self.width.unwrap_or(digits);
        let pad = match self.pad {
            Some('-') => None,
            Some('_') => Some(' '),
            Some('0' | '+') => Some('0'),
            _ => Some(match default {
                Pad::Zero => '0',
                Pad::Space => ' ',
            }),
        };
        let shortage = width.saturating_sub(body.len() + sign.len());
        match pad {
            Some('0') => {
                out.push_str(sign);
                out.extend(std::iter::repeat_n('0', shortage));
            }
            Some(fill) => {
                out.extend(std::iter::repeat_n(fill, shortage));
                out.push_str(sign);
            }
            None => out.push_str(sign),
        }
        out.push_str(&body);
    }

    fn text(&self, text: &str, lower: bool, out: &mut String) {
        let text = if self.upcase {
            text.to_uppercase()
        } else if lower {
            text.to_lowercase()
        } else {
            text.to_owned()
        };
        self.pad_text(&text, out);
    }
}

/// glibc's ISO 8601 week-based year: (days into the ISO week-year, year adjustment).
fn iso_week(tm: &Tm) -> (i64, i64) {
    fn iso_week_days(yday: i64, wday: i64) -> i64 {
        let big_enough_multiple_of_7 = (366 / 7 + 2) * 7;
        yday - (yday - wday + 4 + big_enough_multiple_of_7) % 7 + 3
    }
    let mut days = iso_week_days(tm.yday, tm.wday);
    let mut adjust = 0;
    if days < 0 {
        adjust = -1;
        days = iso_week_days(tm.yday + 365 + i64::from(is_leap(tm.year - 1)), tm.wday);
    } else {
        let next = iso_week_days(tm.yday - (365 + i64::from(is_leap(tm.year))), tm.wday);
        if next >= 0 {
            adjust = 1;
            days = next;
        }
    }
    (days, adjust)
}

fn name(names: &[&'static str], i: i64, abbreviated: bool) -> &'static str {
    match usize::try_from(i).ok().and_then(|i| names.get(i)) {
        Some(full) if abbreviated => full.get(..3).unwrap_or(full),
        Some(full) => full,
        None => "?",
    }
}

/// glibc's `strftime` in the C locale, for UTC. `None` when the output would exceed
/// `capacity` (checked before padding allocates).
fn format_tm(tm: &Tm, format: &str, capacity: usize) -> Option<String> {
    let mut out = String::new();
    let mut chars = format.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if out.len() > capacity {
            return None;
        }
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '_' | '-' | '0' | '+' => flags.pad = Some(f),
                '^' => flags.upcase = true,
                '#' => flags.swapcase = true,
                _ => break,
            }
            chars.next();
        }
        while let Some(&(_, d)) = chars.peek() {
            let Some(digit) = d.to_digit(10) else { break };
            let width = flags
                .width
                .unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(digit as usize);
            if width > capacity {
                return None;
            }
            flags.width = Some(width);
            chars.next();
        }
        let modifier = chars.next_if(|&(_, m)| m == 'E' || m == 'O').map(|(_, m)| m);
        let conversion = chars.next();
        let end = conversion.map_or(format.len(), |(i, c)| i + c.len_utf8());
        let valid_modifier = match (modifier, conversion.map(|(_, c)| c)) {
            (None, _) => true,
            (Some('E'), Some(c)) => "cCxXyY".contains(c),
            (Some(_), Some(c)) => "bBhdeHIklmMSUuVwWy".contains(c),
            _ => false,
        };
        let Some((_, conversion)) = conversion.filter(|_| valid_modifier) else {
            // An unknown or truncated conversion is copied as written, padded to the width.
            flags.pad_text(format.get(start..end).unwrap_or("%"), &mut out);
            continue;
        };
        let hour12 = if tm.hour > 12 {
            tm.hour - 12
        } else if tm.hour == 0 {
            12
        } else {
            tm.hour
        };
        let composite = |sub: &str, out: &mut String| -> Option<()> {
            let text = format_tm(tm, sub, capacity)?;
            flags.text(&text, false, out);
            Some(())
        };
        match conversion {
            '%' => flags.pad_text("%", &mut out),
            'a' | 'A' => {
                let mut f = flags;
                f.upcase |= f.swapcase;
                f.text(name(&DAYS, tm.wday, conversion == 'a'), false, &mut out);
            }
            'b' | 'h' | 'B' => {
                let mut f = flags;
                f.upcase |= f.swapcase;
                f.text(
                    name(&lakestack_compat::civil::MONTH_NAMES, tm.mon, conversion != 'B'),
                    false,
                    &mut out,
                );
            }
            'p' | 'P' => {
                let text = if tm.hour > 11 { "PM" } else { "AM" };
                let lower = conversion == 'P' || flags.swapcase;
                let mut f = flags;
                f.upcase &= !lower;
                f.text(text, lower, &mut out);
            }
            'Z' => flags.text("UTC", flags.swapcase, &mut out),
            'z' => flags.pad_text("+0000", &mut out),
            'n' => flags.pad_text("\n", &mut out),
            't' => flags.pad_text("\t", &mut out),
            'c' => composite("%a %b %e %H:%M:%S %Y", &mut out)?,
            'D' | 'x' => composite("%m/%d/%y", &mut out)?,
            'F' => composite("%Y-%m-%d", &mut out)?,
            'r' => composite("%I:%M:%S %p", &mut out)?,
            'R' => composite("%H:%M", &mut out)?,
            'T' | 'X' => composite("%H:%M:%S", &mut out)?,
            'C' => flags.number(tm.year.div_euclid(100), 1, Pad::Zero, &mut out),
            'y' => flags.number(((tm.year - 1900) % 100 + 100) % 100, 2, Pad::Zero, &mut out),
            'Y' => flags.number(tm.year, 1, Pad::Zero, &mut out),
            'd' => flags.number(tm.mday, 2, Pad::Zero, &mut out),
            'e' => flags.number(tm.mday, 2, Pad::Space, &mut out),
            'H' => flags.number(tm.hour, 2, Pad::Zero, &mut out),
            'k' => flags.number(tm.hour, 2, Pad::Space, &mut out),
            'I' => flags.number(hour12, 2, Pad::Zero, &mut out),
            'l' => flags.number(hour12, 2, Pad::Space, &mut out),
            'j' => flags.number(tm.yday + 1, 3, Pad::Zero, &mut out),
            'm' => flags.number(tm.mon + 1, 2, Pad::Zero, &mut out),
            'M' => flags.number(tm.min, 2, Pad::Zero, &mut out),
            'S' => flags.number(tm.sec, 2, Pad::Zero, &mut out),
            's' => flags.number(timegm(tm), 1, Pad::Zero, &mut out),
            'q' => flags.number(tm.mon * 11 / 32 + 1, 1, Pad::Zero, &mut out),
            'u' => flags.number((tm.wday - 1 + 7) % 7 + 1, 1, Pad::Zero, &mut out),
            'w' => flags.number(tm.wday, 1, Pad::Zero, &mut out),
            'U' => flags.number((tm.yday - tm.wday + 7) / 7, 2, Pad::Zero, &mut out),
            'W' => flags.number((tm.yday - (tm.wday - 1 + 7) % 7 + 7) / 7, 2, Pad::Zero, &mut out),
            'V' => flags.number(iso_week(tm).0 / 7 + 1, 2, Pad::Zero, &mut out),
            'G' => flags.number(tm.year + iso_week(tm).1, 1, Pad::Zero, &mut out),
            'g' => {
                let (_, adjust) = iso_week(tm);
                let tm_year = tm.year - 1900;
                let yy = (tm_year % 100 + adjust) % 100;
                let yy = if yy >= 0 {
                    yy
                } else if tm_year < -1900 - adjust {
                    -yy
                } else {
                    yy + 100
                };
                flags.number(yy, 2, Pad::Zero, &mut out);
            }
            _ => flags.pad_text(format.get(start..end).unwrap_or("%"), &mut out),
        }
    }
    Some(out)
}

/// glibc `strptime`'s state beyond the `struct tm`.
#[derive(Default)]
struct Parsed {
    have_i: bool,
    is_pm: bool,
    century: Option<i64>,
    want_century: bool,
    want_xday: bool,
    have_wday: bool,
    have_yday: bool,
    have_mon: bool,
    have_mday: bool,
}

fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// A cursor over the input of `strptime`.
struct Input<'s> {
    rest: &'s str,
}

impl Input<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start_matches(is_c_space);
    }

    /// glibc's `get_number`: spaces, then up to `digits` digits, stopping early once
    /// another digit would exceed `max`; the value must lie in `min..=max`.
    fn number(&mut self, min: i64, max: i64, digits: usize) -> Option<i64> {
        self.skip_space();
        let mut value: i64 = 0;
        let mut read = 0;
        for c in self.rest.chars() {
            let Some(d) = c.to_digit(10) else { break };
            if read > 0 && (read >= digits || value * 10 > max) {
                break;
            }
            value = value * 10 + i64::from(d);
            read += 1;
        }
        if read == 0 || value < min || value > max {
            return None;
        }
        self.rest = self.rest.get(read..)?;
        Some(value)
    }

    /// Case-insensitive prefix match, consuming it.
    fn word(&mut self, word: &str) -> bool {
        match self.rest.get(..word.len()) {
            Some(head) if head.eq_ignore_ascii_case(word) => {
                self.rest = self.rest.get(word.len()..).unwrap_or("");
                true
            }
            _ => false,
        }
    }

    /// The longest full or three-letter name matching, as glibc picks it.
    fn name(&mut self, names: &[&str]) -> Option<i64> {
        let mut best: Option<(usize, i64)> = None;
        for (i, full) in names.iter().enumerate() {
            for candidate in [*full, full.get(..3).unwrap_or(full)] {
                let matches = self
                    .rest
                    .get(..candidate.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(candidate));
                if matches && best.is_none_or(|(len, _)| candidate.len() > len) {
                    best = Some((candidate.len(), i as i64));
                }
            }
        }
        let (len, i) = best?;
        self.rest = self.rest.get(len..)?;
        Some(i)
    }
}

/// Parses `input` against `format` into `tm`; `None` when it does not match.
fn parse_into(input: &mut Input<'_>, format: &str, tm: &mut Tm, st: &mut Parsed, depth: usize) -> Option<()> {
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if is_c_space(c) {
            input.skip_space();
            continue;
        }
        if c != '%' {
            let mut it = input.rest.chars();
            if it.next() != Some(c) {
                return None;
            }
            input.rest = it.as_str();
            continue;
        }
        // strftime's flags and widths are accepted and ignored, as are E and O.
        while chars.next_if(|f| "_-0^#+".contains(*f)).is_some() {}
        while chars.next_if(char::is_ascii_digit).is_some() {}
        while chars.next_if(|m| *m == 'E' || *m == 'O').is_some() {}
        let conversion = chars.next()?;
        let mut recurse = |sub: &str, input: &mut Input<'_>| -> Option<()> {
            // The composite formats nest one level; the bound is a formality.
            if depth > 4 {
                return None;
            }
            parse_into(input, sub, tm, st, depth + 1)
        };
        match conversion {
            '%' => {
                if !input.word("%") {
                    return None;
                }
            }
            'n' | 't' => input.skip_space(),
            'a' | 'A' => {
                tm.wday = input.name(&DAYS)?;
                st.have_wday = true;
            }
            'b' | 'B' | 'h' => {
                tm.mon = input.name(&lakestack_compat::civil::MONTH_NAMES)?;
                st.have_mon = true;
                st.want_xday = true;
            }
            'c' => {
                recurse("%a %b %e %H:%M:%S %Y", input)?;
                st.want_xday = true;
            }
            'D' | 'x' => {
                recurse("%m/%d/%y", input)?;
                st.want_xday = true;
            }
            'F' => {
                recurse("%Y-%m-%d", input)?;
                st.want_xday = true;
            }
            'r' => recurse("%I:%M:%S %p", input)?,
            'R' => recurse("%H:%M", input)?,
            'T' | 'X' => recurse("%H:%M:%S", input)?,
            'C' => {
                st.century = Some(input.number(0, 99, 2)?);
                st.want_xday = true;
            }
            'd' | 'e' => {
                tm.mday = input.number(1, 31, 2)?;
                st.have_mday = true;
                st.want_xday = true;
            }
            'H' | 'k' => {
                tm.hour = input.number(0, 23, 2)?;
                st.have_i = false;
            }
            'I' | 'l' => {
                tm.hour = input.number(1, 12, 2)? % 12;
                st.have_i = true;
            }
            'j' => {
                tm.yday = input.number(1, 366, 3)? - 1;
                st.have_yday = true;
            }
            'm' => {
                tm.mon = input.number(1, 12, 2)? - 1;
                st.have_mon = true;
                st.want_xday = true;
            }
            'M' => tm.min = input.number(0, 59, 2)?,
            'S' => tm.sec = input.number(0, 61, 2)?,
            'p' | 'P' => {
                if input.word("AM") {
                    st.is_pm = false;
                } else if input.word("PM") {
                    st.is_pm = true;
                } else {
                    return None;
                }
            }
            's' => {
                let digits = input
                    .rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(input.rest.len());
                let secs: i64 = input.rest.get(..digits)?.parse().ok()?;
                input.rest = input.rest.get(digits..)?;
                *tm = tm_from_epoch(secs).ok()?;
            }
            'u' => {
                tm.wday = input.number(1, 7, 1)? % 7;
                st.have_wday = true;
            }
            'w' => {
                tm.wday = input.number(0, 6, 1)?;
                st.have_wday = true;
            }
            'U' | 'W' | 'V' => {
                input.number(0, 53, 2)?;
            }
            'g' => {
                input.number(0, 99, 2)?;
            }
            'G' => {
                let digits = input
                    .rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(input.rest.len());
                if digits == 0 {
                    return None;
                }
                input.rest = input.rest.get(digits..)?;
            }
            'y' => {
                let yy = input.number(0, 99, 2)?;
                tm.year = 1900 + if yy >= 69 { yy } else { yy + 100 };
                st.want_century = true;
                st.want_xday = true;
            }
            'Y' => {
                tm.year = input.number(0, 9999, 4)?;
                st.want_century = false;
                st.want_xday = true;
            }
            'Z' => {
                input.skip_space();
                input.rest = input.rest.trim_start_matches(|c: char| !is_c_space(c));
            }
            'z' => {
                input.skip_space();
                if input.word("Z") {
                    continue;
                }
                // The offset is parsed but, as with jq's timegm-based mktime, not applied.
                if !input.word("+") && !input.word("-") {
                    return None;
                }
                let mut value = 0;
                let mut read = 0;
                while read < 4 {
                    let Some(d) = input.rest.chars().next().and_then(|c| c.to_digit(10)) else {
                        break;
                    };
                    value = value * 10 + d;
                    read += 1;
                    input.rest = input.rest.get(1..).unwrap_or("");
                    let after_colon = input.rest.strip_prefix(':').unwrap_or("");
                    if read == 2 && after_colon.starts_with(|c: char| c.is_ascii_digit()) {
                        input.rest = after_colon;
                    }
                }
                if !(read == 2 || (read == 4 && value % 100 < 60)) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(())
}

/// `strptime(format)`: a broken-down time, as jq 1.6 builds it from glibc's result.
pub(crate) fn strptime(input: &Val, format: &Val) -> Result<Val, String> {
    let (Val::Str(text), Val::Str(fmt)) = (input, format) else {
        return Err("strptime/1 requires string inputs and arguments".to_owned());
    };
    let mismatch = || format!("date \"{text}\" does not match format \"{fmt}\"");
    // jq's sentinels: 8 and 367 mark a weekday and day of year nobody set.
    let mut tm = Tm {
        year: 1900,
        wday: 8,
        yday: 367,
        ..Tm::default()
    };
    let mut st = Parsed::default();
    let mut cursor = Input { rest: text };
    parse_into(&mut cursor, fmt, &mut tm, &mut st, 0).ok_or_else(mismatch)?;
    let rest = cursor.rest;
    // jq accepts trailing text only if it starts with white space.
    if rest.chars().next().is_some_and(|c| !is_c_space(c)) {
        return Err(mismatch());
    }
    finish(&mut tm, &st);
    let mut items = match tm_to_array(&tm, tm.sec as f64) {
        Val::Arr(items) => items.to_vec(),
        _ => Vec::new(),
    };
    // jq 1.6 appends the unparsed remainder to the array.
    if !rest.is_empty() {
        items.push(Val::str(rest));
    }
    Ok(Val::array(items))
}

/// glibc's completion of the parsed fields, then jq's own fix-ups.
fn finish(tm: &mut Tm, st: &Parsed) {
    if st.have_i && st.is_pm {
        tm.hour += 12;
    }
    if let Some(century) = st.century {
        let tm_year = tm.year - 1900;
        tm.year = 1900
            + if st.want_century {
                tm_year % 100 + (century - 19) * 100
            } else {
                (century - 19) * 100
            };
    }
    let starts = &MONTH_START[usize::from(is_leap(tm.year))];
    if st.want_xday && !st.have_wday {
        if !(st.have_mon && st.have_mday) && st.have_yday {
            let mut month = 0;
            while month < 12 && starts.get(month).is_some_and(|&s| s <= tm.yday) {
                month += 1;
            }
            let month = month.max(1);
            if !st.have_mon {
                tm.mon = month as i64 - 1;
            }
            if !st.have_mday {
                tm.mday = tm.yday - starts.get(month - 1).copied().unwrap_or(0) + 1;
            }
        }
        if tm.year >= 0 {
            tm.wday = weekday(days_from_civil(tm.year, tm.mon + 1, 1) + tm.mday - 1);
        }
    }
    if st.want_xday && !st.have_yday {
        tm.yday = usize::try_from(tm.mon)
            .ok()
            .and_then(|m| starts.get(m))
            .copied()
            .unwrap_or(0)
            + tm.mday
            - 1;
    }
    // jq 1.6 fills in what is still unset when the day of the month is plausible.
    if (1..=31).contains(&tm.mday) && (0..12).contains(&tm.mon) {
        let days = days_from_civil(tm.year, tm.mon + 1, tm.mday);
        if tm.wday == 8 {
            tm.wday = weekday(days);
        }
        if tm.yday == 367 {
            tm.yday = days - days_from_civil(tm.year, 1, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &Val) -> String {
        crate::value::dump(v, &crate::budget::Budget::new(1000)).unwrap()
    }

    #[test]
    fn gmtime_and_timegm_round_trip() {
        assert_eq!(text(&gmtime(1565382027.0).unwrap()), "[2019,7,9,20,20,27,5,220]");
        assert_eq!(text(&gmtime(-1.5).unwrap()), "[1969,11,31,23,59,59.5,3,364]");
        assert_eq!(text(&gmtime(-62135596800.0).unwrap()), "[1,0,1,0,0,0,1,0]");
        let tm = Tm {
            year: 2019,
            mon: 13,
            mday: 40,
            hour: 25,
            min: 61,
            sec: 61,
            wday: 0,
            yday: 0,
        };
        assert_eq!(timegm(&tm), 1583978521);
        for t in [-100_000_000_000i64, -1, 0, 951_782_400, 1_565_382_027, 253_402_300_800] {
            assert_eq!(timegm(&tm_from_epoch(t).unwrap()), t);
        }
    }

    #[test]
    fn strftime_matches_glibc() {
        let t = Val::Num(1565382027.0);
        let f = |fmt: &str| strftime(&t, &Val::str(fmt)).unwrap();
        assert_eq!(f("%Y-%m-%dT%H:%M:%SZ"), "2019-08-09T20:20:27Z");
        assert_eq!(
            f("%j %y %e %Z %z %s %a %b %A %B %p %%"),
            "221 19  9 UTC +0000 1565382027 Fri Aug Friday August PM %"
        );
        assert_eq!(
            f("%-d|%_m|%05Y|%^a|%10A|%Ey|%Od|%#Z|%3S|%#p"),
            "9| 8|02019|FRI|    Friday|19|09|utc|027|pm"
        );
        assert_eq!(f("%c"), "Fri Aug  9 20:20:27 2019");
        assert_eq!(f("%G %V %g %U %W %u %w %C"), "2019 32 19 31 31 5 5 20");
        assert_eq!(f("%Q %5 %Ed"), "%Q   %5 %Ed");
        assert!(strftime(&t, &Val::str("%c%c%c%c%c")).is_err());
        assert!(strftime(&t, &Val::str("")).is_err());
    }

    #[test]
    fn strptime_matches_glibc_and_jq() {
        let p = |s: &str, fmt: &str| strptime(&Val::str(s), &Val::str(fmt)).map(|v| text(&v));
        assert_eq!(p("2019-08-09T20:20:27Z", ISO8601).unwrap(), "[2019,7,9,20,20,27,5,220]");
        assert_eq!(p("12:30", "%H:%M").unwrap(), "[1900,0,0,12,30,0,8,367]");
        assert_eq!(p("2019-221", "%Y-%j").unwrap(), "[2019,7,9,0,0,0,5,220]");
        assert_eq!(p("2019 5", "%Y %u").unwrap(), "[2019,0,0,0,0,0,5,-1]");
        assert_eq!(p("19 08 09", "%C %y %m").unwrap(), "[1908,8,0,0,0,0,1,243]");
        assert_eq!(p("Aug", "%b").unwrap(), "[1900,7,0,0,0,0,2,211]");
        assert_eq!(p("2019-08-09 x", "%Y-%m-%d").unwrap(), "[2019,7,9,0,0,0,5,220,\" x\"]");
        assert!(p("2019-08-09x", "%Y-%m-%d").is_err());
        assert!(p("12019-08-09", "%Y-%m-%d").is_err());
        assert!(p("Augus", "%B").is_err());
    }
}
