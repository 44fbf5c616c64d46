//! AWS's schedule expressions `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, as Glue
//! (triggers, crawlers) and EventBridge (rules) read them, evaluated in UTC.
//!
//! The grammar follows AWS's "Time-based schedules for jobs and crawlers" page and the EventBridge
//! "Cron expressions reference", both of which describe the Quartz dialect rather than Unix cron:
//! six fields, a mandatory year, day-of-week numbered 1-7 from Sunday, exactly one of the two day
//! fields set to `?`, and the extra `L`, `W` and `#` forms. Glue adds one rule of its own: a
//! schedule may not fire more often than every 5 minutes.
//!
//! Where AWS says nothing and Quartz has a firm answer (`*/n`, `LW`, `L` alone in day-of-week
//! meaning every Saturday, ranges that wrap such as `FRI-MON` or `20-2`, `L`/`W`/`#` not mixing with
//! lists), Quartz's answer is used, since that is what the documented examples imply.

use crate::civil;

const MIN_YEAR: i64 = 1970;
const MAX_YEAR: i64 = 2199;
const YEAR_SPAN: u32 = (MAX_YEAR - MIN_YEAR + 1) as u32;
const SATURDAY: u32 = 7;
const SUNDAY: u32 = 1;
const SECS_PER_DAY: i64 = 86_400;

/// A parsed Glue cron schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Bit `m` set when minute `m` fires.
    minutes: u64,
    /// Bit `h` set when hour `h` fires.
    hours: u64,
    days: DayRule,
    /// Bit `m` (1-12) set when month `m` fires.
    months: u64,
    /// Bit `y - 1970` set when year `y` fires.
    years: [u64; 4],
}

/// Whichever of the two day fields is not `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// Day-of-month list; bit `d` (1-31) set when day `d` fires.
    MonthDays(u64),
    /// Day-of-month `L`.
    LastDayOfMonth,
    /// Day-of-month `LW`.
    LastWeekdayOfMonth,
    /// Day-of-month `nW`.
    NearestWeekday(u32),
    /// Day-of-week list; bit `w` (1 = SUN .. 7 = SAT) set when weekday `w` fires.
    WeekDays(u64),
    /// Day-of-week `nL`: the last such weekday of the month.
    LastWeekdayOf(u32),
    /// Day-of-week `n#k`.
    NthWeekday { weekday: u32, nth: u32 },
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// Largest `/n` accepted; EventBridge rejects `*/60` in Minutes, as Quartz does.
    max_step: u32,
    /// Whether `a-b` with `a > b` wraps round (the documented `0/30 20-2` hours example).
    wraps: bool,
}

const MINUTES: Field = Field {
    name: "Minutes",
    min: 0,
    max: 59,
    names: &[],
    max_step: 59,
    wraps: true,
};
const HOURS: Field = Field {
    name: "Hours",
    min: 0,
    max: 23,
    names: &[],
    max_step: 23,
    wraps: true,
};
const DAY_OF_MONTH: Field = Field {
    name: "Day-of-month",
    min: 1,
    max: 31,
    names: &[],
    max_step: 31,
    wraps: true,
};
const MONTH: Field = Field {
    name: "Month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    max_step: 12,
    wraps: true,
};
const DAY_OF_WEEK: Field = Field {
    name: "Day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    max_step: 7,
    wraps: true,
};
const YEAR: Field = Field {
    name: "Year",
    min: MIN_YEAR as u32,
    max: MAX_YEAR as u32,
    names: &[],
    max_step: YEAR_SPAN,
    wraps: false,
};

const SYNTAX: &str = "Expected cron(Minutes Hours Day-of-month Month Day-of-week Year)";

impl Schedule {
    /// Parses `cron(...)` (the wrapper is required, as AWS requires it), refusing a schedule that
    /// may fire twice within `min_interval_minutes` (Glue: 5; EventBridge: 1, so nothing). The
    /// error is the message for Glue's `InvalidInputException`:
    /// `Invalid schedule expression: <expr>. <reason>`.
    pub fn parse(expr: &str, min_interval_minutes: u32) -> Result<Schedule, String> {
        let invalid = |reason: String| format!("Invalid schedule expression: {expr}. {reason}");
        let body = expr
            .trim()
            .strip_prefix("cron(")
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| invalid(SYNTAX.to_string()))?;
        // Quartz upper-cases the whole expression, so month/day names and L/W are case-insensitive.
        let body = body.to_ascii_uppercase();
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, day_of_month, month, day_of_week, year] = fields[..] else {
            return Err(invalid(format!("{SYNTAX}; found {} fields", fields.len())));
        };

        let minutes = to_mask(&parse_list(minutes, &MINUTES).map_err(&invalid)?);
        let hours = to_mask(&parse_list(hours, &HOURS).map_err(&invalid)?);
        let months = to_mask(&parse_list(month, &MONTH).map_err(&invalid)?);
        let mut years = [0u64; 4];
        for y in parse_list(year, &YEAR).map_err(&invalid)? {
            let bit = y - YEAR.min;
            years[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        let by_month = parse_day_of_month(day_of_month).map_err(&invalid)?;
        let by_week = parse_day_of_week(day_of_week).map_err(&invalid)?;
        let days = match (by_month, by_week) {
            (Some(days), None) | (None, Some(days)) => days,
            (None, None) => {
                return Err(invalid(
                    "'?' can be used in only one of the Day-of-month and Day-of-week fields".to_string(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "Day-of-month and Day-of-week cannot both be specified; use '?' in one of them".to_string(),
                ));
            }
        };

        let schedule = Schedule {
            minutes,
            hours,
            days,
            months,
            years,
        };
        if schedule.min_interval_minutes() < min_interval_minutes {
            return Err(invalid(format!(
                "Cron expressions that lead to rates faster than {min_interval_minutes} minutes are not supported"
            )));
        }
        Ok(schedule)
    }

    /// The first fire time strictly after `after_epoch_secs` (UTC, seconds since epoch), in whole
    /// minutes; `None` if there is none (e.g. the Year field has passed).
    pub fn next_after(&self, after_epoch_secs: i64) -> Option<i64> {
        let end = civil::days_from_civil(MAX_YEAR + 1, 1, 1) * SECS_PER_DAY;
        if after_epoch_secs >= end {
            return None;
        }
        // Nothing fires before 1970, so earlier instants all start the search at the epoch.
        let start = if after_epoch_secs < 0 {
            0
        } else {
            after_epoch_secs / 60 * 60 + 60
        };
        let (mut year, mut month, mut day) = civil::civil_from_days(start.div_euclid(SECS_PER_DAY));
        let secs_of_day = start.rem_euclid(SECS_PER_DAY);
        let mut hour = (secs_of_day / 3600) as u32;
        let mut minute = (secs_of_day % 3600 / 60) as u32;

        // Each step either accepts the current unit or jumps to the next candidate of that unit,
        // resetting the smaller ones, so the search costs a few steps per month at worst.
        loop {
            if year > MAX_YEAR {
                return None;
            }
            if !self.has_year(year) {
                year = self.next_year_after(year)?;
                (month, day, hour, minute) = (1, 1, 0, 0);
            }
            match next_bit(self.months, month) {
                Some(next) if next == month => {}
                Some(next) => (month, day, hour, minute) = (next, 1, 0, 0),
                None => {
                    (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0);
                    continue;
                }
            }
            match next_bit(self.day_mask(year, month), day) {
                Some(next) if next == day => {}
                Some(next) => (day, hour, minute) = (next, 0, 0),
                None => {
                    (month, day, hour, minute) = (month + 1, 1, 0, 0);
                    continue;
                }
            }
            match next_bit(self.hours, hour) {
                Some(next) if next == hour => {}
                Some(next) => (hour, minute) = (next, 0),
                None => {
                    (day, hour, minute) = (day + 1, 0, 0);
                    continue;
                }
            }
            match next_bit(self.minutes, minute) {
                Some(next) => {
                    let days = civil::days_from_civil(year, month, day);
                    return Some(days * SECS_PER_DAY + i64::from(hour) * 3600 + i64::from(next) * 60);
                }
                None => (hour, minute) = (hour + 1, 0),
            }
        }
    }

    fn has_year(&self, year: i64) -> bool {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return false;
        }
        let bit = (year - MIN_YEAR) as u32;
        self.years[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    }

    fn next_year_after(&self, year: i64) -> Option<i64> {
        (year.max(MIN_YEAR - 1) + 1..=MAX_YEAR).find(|&y| self.has_year(y))
    }

    /// Days of `month` on which the schedule fires, as bits 1-31.
    fn day_mask(&self, year: i64, month: u32) -> u64 {
        let last = civil::days_in_month(year, month);
        match self.days {
            DayRule::MonthDays(mask) => mask & (((1u64 << (last + 1)) - 1) & !1),
            DayRule::LastDayOfMonth => 1 << last,
            DayRule::LastWeekdayOfMonth => 1 << nearest_weekday(year, month, last),
            // The nearest weekday to a day the month lacks is taken not to exist either.
            DayRule::NearestWeekday(day) if day > last => 0,
            DayRule::NearestWeekday(day) => 1 << nearest_weekday(year, month, day),
            DayRule::WeekDays(set) => {
                let first = weekday(year, month, 1);
                (1..=last)
                    .filter(|d| set & (1 << ((first - 1 + d - 1) % 7 + 1)) != 0)
                    .fold(0, |mask, d| mask | (1 << d))
            }
            DayRule::LastWeekdayOf(wanted) => {
                let back = (weekday(year, month, last) + 7 - wanted) % 7;
                1 << (last - back)
            }
            DayRule::NthWeekday { weekday: wanted, nth } => {
                let first = 1 + (wanted + 7 - weekday(year, month, 1)) % 7;
                let day = first + 7 * (nth - 1);
                if day > last { 0 } else { 1 << day }
            }
        }
    }

    /// The shortest gap between two consecutive fire times, used for Glue's 5-minute floor.
    /// Gaps of an hour or more cannot matter, so only minute spacing and hour boundaries count.
    fn min_interval_minutes(&self) -> u32 {
        let fired: Vec<u32> = (0..60).filter(|m| self.minutes & (1 << m) != 0).collect();
        let (Some(&first), Some(&last)) = (fired.first(), fired.last()) else {
            return u32::MAX;
        };
        let within_hour = fired.windows(2).map(|pair| pair[1] - pair[0]).min().unwrap_or(u32::MAX);
        let across_hour = 60 - last + first;
        if across_hour >= within_hour {
            return within_hour;
        }
        let adjacent_hours = self.hours & (self.hours >> 1) != 0;
        let across_midnight = self.hours & 1 != 0 && self.hours & (1 << 23) != 0 && self.fires_on_consecutive_days();
        if adjacent_hours || across_midnight {
            across_hour
        } else {
            within_hour
        }
    }

    fn fires_on_consecutive_days(&self) -> bool {
        let mut previous_month_ended_on_fire = false;
        for year in MIN_YEAR..=MAX_YEAR {
            for month in 1..=12 {
                if !self.has_year(year) || self.months & (1 << month) == 0 {
                    previous_month_ended_on_fire = false;
                    continue;
                }
                let mask = self.day_mask(year, month);
                if mask & (mask >> 1) != 0 || (previous_month_ended_on_fire && mask & 0b10 != 0) {
                    return true;
                }
                previous_month_ended_on_fire = mask & (1 << civil::days_in_month(year, month)) != 0;
            }
        }
        false
    }
}

fn parse_day_of_month(text: &str) -> Result<Option<DayRule>, String> {
    let field = &DAY_OF_MONTH;
    match text {
        "?" => return Ok(None),
        "L" => return Ok(Some(DayRule::LastDayOfMonth)),
        "LW" => return Ok(Some(DayRule::LastWeekdayOfMonth)),
        _ => {}
    }
    if let Some(day) = text.strip_suffix('W') {
        if !is_number(day) {
            return Err(format!(
                "{} field: 'W' must follow a single day number, as in 15W",
                field.name
            ));
        }
        return Ok(Some(DayRule::NearestWeekday(parse_value(day, field)?)));
    }
    if text.contains(['L', 'W']) {
        return Err(format!(
            "{} field: 'L' and 'W' cannot be combined with other values",
            field.name
        ));
    }
    Ok(Some(DayRule::MonthDays(to_mask(&parse_list(text, field)?))))
}

fn parse_day_of_week(text: &str) -> Result<Option<DayRule>, String> {
    let field = &DAY_OF_WEEK;
    match text {
        "?" => return Ok(None),
        // "The last day of the week": every Saturday, not the month's last Saturday (that is `7L`).
        "L" => return Ok(Some(DayRule::WeekDays(1 << SATURDAY))),
        _ => {}
    }
    if text.contains('#') && text.contains(',') {
        return Err(format!("{} field: only one expression is allowed with '#'", field.name));
    }
    if text.contains('L') && text.contains(',') {
        return Err(format!(
            "{} field: 'L' cannot be combined with other values",
            field.name
        ));
    }
    if let Some((day, nth)) = text.split_once('#') {
        let weekday = parse_single_weekday(day)?;
        let nth = match nth.parse::<u32>() {
            Ok(n @ 1..=5) if is_number(nth) => n,
            _ => {
                return Err(format!(
                    "{} field: '#' must be followed by a number from 1 to 5",
                    field.name
                ));
            }
        };
        return Ok(Some(DayRule::NthWeekday { weekday, nth }));
    }
    if let Some(day) = text.strip_suffix('L') {
        return Ok(Some(DayRule::LastWeekdayOf(parse_single_weekday(day)?)));
    }
    if text.contains('L') {
        return Err(format!(
            "{} field: 'L' cannot be combined with other values",
            field.name
        ));
    }
    Ok(Some(DayRule::WeekDays(to_mask(&parse_list(text, field)?))))
}

fn parse_single_weekday(text: &str) -> Result<u32, String> {
    if text.contains([',', '-', '/', '*']) {
        return Err(format!(
            "{} field: 'L' and '#' take a single day of the week",
            DAY_OF_WEEK.name
        ));
    }
    parse_value(text, &DAY_OF_WEEK)
}

/// Values of a comma-separated list of `*`, `v`, `a-b`, with an optional `/step` on each item.
fn parse_list(text: &str, field: &Field) -> Result<Vec<u32>, String> {
    let mut values = Vec::new();
    for item in text.split(',') {
        parse_item(item, field, &mut values)?;
    }
    Ok(values)
}

fn parse_item(item: &str, field: &Field, values: &mut Vec<u32>) -> Result<(), String> {
    let name = field.name;
    if item.is_empty() {
        return Err(format!("{name} field: empty list item"));
    }
    if item.contains('?') {
        return Err(format!(
            "{name} field: '?' is only allowed alone, in Day-of-month or Day-of-week"
        ));
    }
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => {
            let step = match step.parse::<u32>() {
                Ok(s) if is_number(step) && (1..=field.max_step).contains(&s) => s,
                _ => {
                    return Err(format!(
                        "{name} field: increment '{step}' must be a number from 1 to {}",
                        field.max_step
                    ));
                }
            };
            (range, Some(step))
        }
        None => (item, None),
    };
    let (start, end) = if range == "*" {
        (field.min, field.max)
    } else if let Some((start, end)) = range.split_once('-') {
        let (start, end) = (parse_value(start, field)?, parse_value(end, field)?);
        if start > end && !field.wraps {
            return Err(format!("{name} field: range {range} ends before it starts"));
        }
        (start, end)
    } else {
        // `a/n` runs from `a` to the end of the field, as in the documented `0/15`.
        let start = parse_value(range, field)?;
        (start, if step.is_some() { field.max } else { start })
    };
    let span = field.max - field.min + 1;
    let count = if start <= end {
        end - start + 1
    } else {
        span - (start - end) + 1
    };
    for offset in (0..count).step_by(step.unwrap_or(1) as usize) {
        values.push(field.min + (start - field.min + offset) % span);
    }
    Ok(())
}

fn parse_value(text: &str, field: &Field) -> Result<u32, String> {
    let value = if is_number(text) {
        text.parse::<u32>().ok()
    } else {
        field
            .names
            .iter()
            .position(|&n| n == text)
            .map(|i| field.min + i as u32)
    };
    match value {
        Some(v) if (field.min..=field.max).contains(&v) => Ok(v),
        _ => {
            let names = match field.names {
                [] => String::new(),
                names => format!(" or {}-{}", names[0], names[names.len() - 1]),
            };
            Err(format!(
                "{} field: '{text}' is not a value from {} to {}{names}",
                field.name, field.min, field.max
            ))
        }
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn to_mask(values: &[u32]) -> u64 {
    values.iter().fold(0, |mask, &v| mask | (1 << v))
}

/// The lowest set bit of `mask` at or above `from`.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    if from >= 64 {
        return None;
    }
    let rest = mask >> from;
    (rest != 0).then(|| from + rest.trailing_zeros())
}

/// Quartz's `W`: the weekday nearest `day`, never crossing into the previous or next month.
fn nearest_weekday(year: i64, month: u32, day: u32) -> u32 {
    match weekday(year, month, day) {
        SATURDAY if day == 1 => 3,
        SATURDAY => day - 1,
        SUNDAY if day == civil::days_in_month(year, month) => day - 2,
        SUNDAY => day + 1,
        _ => day,
    }
}

/// AWS numbering: 1 = Sunday .. 7 = Saturday.
fn weekday(year: i64, month: u32, day: u32) -> u32 {
    civil::weekday_from_sunday(civil::days_from_civil(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "YYYY-MM-DD HH:MM[:SS]" (UTC) to epoch seconds.
    fn at(text: &str) -> i64 {
        let n = |range: std::ops::Range<usize>| text[range].parse::<u32>().expect("digits");
        let secs = if text.len() > 16 { n(17..19) } else { 0 };
        civil::days_from_civil(n(0..4).into(), n(5..7), n(8..10)) * SECS_PER_DAY
            + i64::from(n(11..13) * 3600 + n(14..16) * 60 + secs)
    }

    fn show(epoch: i64) -> String {
        let (y, m, d) = civil::civil_from_days(epoch.div_euclid(SECS_PER_DAY));
        let secs = epoch.rem_euclid(SECS_PER_DAY);
        assert_eq!(secs % 60, 0, "fire times are whole minutes");
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
    }

    fn schedule(expr: &str) -> Schedule {
        Schedule::parse(expr, 5).unwrap_or_else(|e| panic!("{expr} should parse: {e}"))
    }

    fn next(expr: &str, after: &str) -> Option<String> {
        schedule(expr).next_after(at(after)).map(show)
    }

    /// The next `count` fire times after `after`.
    fn series(expr: &str, after: &str, count: usize) -> Vec<String> {
        let schedule = schedule(expr);
        let mut now = at(after);
        let mut out = Vec::new();
        for _ in 0..count {
            let Some(fire) = schedule.next_after(now) else { break };
            assert!(fire > now);
            out.push(show(fire));
            now = fire;
        }
        out
    }

    fn error(expr: &str) -> String {
        match Schedule::parse(expr, 5) {
            Ok(s) => panic!("{expr} should be rejected, parsed as {s:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn glue_documented_examples() {
        // Run at 10:00 am (UTC) every day.
        assert_eq!(
            next("cron(0 10 * * ? *)", "2024-01-15 09:59:59").as_deref(),
            Some("2024-01-15 10:00")
        );
        assert_eq!(
            next("cron(0 10 * * ? *)", "2024-01-15 10:00").as_deref(),
            Some("2024-01-16 10:00")
        );
        assert_eq!(
            next("cron(0 10 * * ? *)", "2024-12-31 10:30").as_deref(),
            Some("2025-01-01 10:00")
        );
        // Run at 12:15 pm (UTC) every day.
        assert_eq!(
            next("cron(15 12 * * ? *)", "2024-01-15 10:30").as_deref(),
            Some("2024-01-15 12:15")
        );
        assert_eq!(
            next("cron(15 12 * * ? *)", "2024-01-15 12:15:01").as_deref(),
            Some("2024-01-16 12:15")
        );
        // Run at 6:00 pm (UTC) every Monday through Friday; 2024-01-19 is a Friday.
        assert_eq!(
            series("cron(0 18 ? * MON-FRI *)", "2024-01-18 18:00", 3),
            ["2024-01-19 18:00", "2024-01-22 18:00", "2024-01-23 18:00"]
        );
        // Run at 8:00 am (UTC) every first day of the month.
        assert_eq!(
            series("cron(0 8 1 * ? *)", "2024-11-15 00:00", 3),
            ["2024-12-01 08:00", "2025-01-01 08:00", "2025-02-01 08:00"]
        );
        // Run every 15 minutes.
        assert_eq!(
            series("cron(0/15 * * * ? *)", "2024-01-15 10:31:10", 4),
            [
                "2024-01-15 10:45",
                "2024-01-15 11:00",
                "2024-01-15 11:15",
                "2024-01-15 11:30"
            ]
        );
        // Run every 10 minutes Monday through Friday: Friday night rolls to Monday.
        assert_eq!(
            series("cron(0/10 * ? * MON-FRI *)", "2024-01-19 23:45", 3),
            ["2024-01-19 23:50", "2024-01-22 00:00", "2024-01-22 00:10"]
        );
        // Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC).
        assert_eq!(
            series("cron(0/5 8-17 ? * MON-FRI *)", "2024-01-15 17:50", 3),
            ["2024-01-15 17:55", "2024-01-16 08:00", "2024-01-16 08:05"]
        );
        assert_eq!(
            next("cron(0/5 8-17 ? * MON-FRI *)", "2024-01-19 17:55").as_deref(),
            Some("2024-01-22 08:00")
        );
    }

    #[test]
    fn eventbridge_documented_examples() {
        // Every 30 minutes Monday through Friday, 10:00 pm to 2:00 am: the hour range wraps.
        assert_eq!(
            series("cron(0/30 20-2 ? * MON-FRI *)", "2024-01-19 01:45", 6),
            [
                "2024-01-19 02:00",
                "2024-01-19 02:30",
                "2024-01-19 20:00",
                "2024-01-19 20:30",
                "2024-01-19 21:00",
                "2024-01-19 21:30"
            ]
        );
        // Saturday is not in MON-FRI, so after Friday 23:30 the next run is Monday 00:00.
        assert_eq!(
            next("cron(0/30 20-2 ? * MON-FRI *)", "2024-01-19 23:30").as_deref(),
            Some("2024-01-22 00:00")
        );
        // 9:00 am on the first Monday of each month; 2024-02-01 is a Thursday.
        assert_eq!(
            series("cron(0 9 ? * 2#1 *)", "2024-01-15 10:30", 2),
            ["2024-02-05 09:00", "2024-03-04 09:00"]
        );
        // 2:05 pm and 2:35 pm every day.
        assert_eq!(
            series("cron(5,35 14 * * ? *)", "2024-01-15 14:05", 3),
            ["2024-01-15 14:35", "2024-01-16 14:05", "2024-01-16 14:35"]
        );
        // 10:15 am on the last Friday of each month during 2019 to 2022.
        assert_eq!(
            next("cron(15 10 ? * 6L 2019-2022)", "2022-12-01 00:00").as_deref(),
            Some("2022-12-30 10:15")
        );
        assert_eq!(next("cron(15 10 ? * 6L 2019-2022)", "2022-12-30 10:15"), None);
        assert_eq!(next("cron(15 10 ? * 6L 2019-2022)", "2024-01-01 00:00"), None);
        assert_eq!(
            next("cron(15 10 ? * 6L 2019-2022)", "2000-01-01 00:00").as_deref(),
            Some("2019-01-25 10:15")
        );
        // The common `cron(0 12 * * ? *)` and `cron(0 10 * * ? *)` forms, with `?` on the other side.
        assert_eq!(
            next("cron(0 12 ? * * *)", "2024-01-15 12:00").as_deref(),
            Some("2024-01-16 12:00")
        );
    }

    #[test]
    fn last_day_of_month() {
        assert_eq!(
            series("cron(0 10 L * ? *)", "2024-01-31 10:00", 4),
            [
                "2024-02-29 10:00",
                "2024-03-31 10:00",
                "2024-04-30 10:00",
                "2024-05-31 10:00"
            ]
        );
        assert_eq!(
            next("cron(0 10 L * ? *)", "2023-02-10 00:00").as_deref(),
            Some("2023-02-28 10:00")
        );
        assert_eq!(
            next("cron(0 10 L * ? *)", "2100-02-01 00:00").as_deref(),
            Some("2100-02-28 10:00")
        );
        // Same-day fire still pending.
        assert_eq!(
            next("cron(0 10 L * ? *)", "2024-02-29 09:59").as_deref(),
            Some("2024-02-29 10:00")
        );
        // `lw` and `l` are case-insensitive, as Quartz upper-cases the expression.
        assert_eq!(
            next("cron(0 10 l * ? *)", "2024-04-01 00:00").as_deref(),
            Some("2024-04-30 10:00")
        );
    }

    #[test]
    fn last_day_of_week() {
        // Bare `L` in Day-of-week is "the last day of the week", Saturday (7), every week.
        assert_eq!(
            series("cron(0 0 ? * L *)", "2024-01-15 00:00", 2),
            ["2024-01-20 00:00", "2024-01-27 00:00"]
        );
        // Last Monday: 2024-01-29, 2024-02-26, 2024-03-25.
        assert_eq!(
            series("cron(30 6 ? * MONL *)", "2024-01-01 00:00", 3),
            ["2024-01-29 06:30", "2024-02-26 06:30", "2024-03-25 06:30"]
        );
        assert_eq!(
            series("cron(30 6 ? * 2L *)", "2024-01-01 00:00", 1),
            ["2024-01-29 06:30"]
        );
    }

    #[test]
    fn nearest_weekday_w() {
        // The 15th: 2024-01-15 Monday stays; 2024-06-15 Saturday moves back to Friday 14th;
        // 2024-09-15 Sunday moves forward to Monday 16th.
        assert_eq!(
            next("cron(0 12 15W * ? *)", "2024-01-01 00:00").as_deref(),
            Some("2024-01-15 12:00")
        );
        assert_eq!(
            next("cron(0 12 15W * ? *)", "2024-06-01 00:00").as_deref(),
            Some("2024-06-14 12:00")
        );
        assert_eq!(
            next("cron(0 12 15W * ? *)", "2024-09-01 00:00").as_deref(),
            Some("2024-09-16 12:00")
        );
        // Already past this month's nearest weekday: next month.
        assert_eq!(
            next("cron(0 12 15W * ? *)", "2024-06-14 12:00").as_deref(),
            Some("2024-07-15 12:00")
        );
    }

    #[test]
    fn nearest_weekday_does_not_cross_month_edges() {
        // 2024-06-01 is a Saturday: 1W is Monday the 3rd, not Friday 31 May.
        assert_eq!(
            next("cron(0 0 1W * ? *)", "2024-05-15 00:00").as_deref(),
            Some("2024-06-03 00:00")
        );
        // 2024-06-30 is a Sunday and the last day: 30W is Friday the 28th, not Monday 1 July.
        assert_eq!(
            next("cron(0 0 30W 6 ? *)", "2024-06-01 00:00").as_deref(),
            Some("2024-06-28 00:00")
        );
        // 2024-03-31 is a Sunday: 31W is Friday the 29th.
        assert_eq!(
            next("cron(0 0 31W 3 ? *)", "2024-03-01 00:00").as_deref(),
            Some("2024-03-29 00:00")
        );
        // 2024-09-01 is a Sunday but not the last day: 1W is Monday the 2nd.
        assert_eq!(
            next("cron(0 0 1W 9 ? *)", "2024-08-01 00:00").as_deref(),
            Some("2024-09-02 00:00")
        );
        // A day the month lacks has no nearest weekday; 31W skips April (30 days).
        assert_eq!(
            next("cron(0 0 31W 4,5 ? *)", "2024-04-01 00:00").as_deref(),
            Some("2024-05-31 00:00")
        );
    }

    #[test]
    fn last_weekday_of_month_lw() {
        // 2024-08-31 is a Saturday -> Friday 30th; 2024-03-31 is a Sunday -> Friday 29th;
        // 2024-01-31 is a Wednesday and stays.
        assert_eq!(
            next("cron(0 17 LW * ? *)", "2024-08-01 00:00").as_deref(),
            Some("2024-08-30 17:00")
        );
        assert_eq!(
            next("cron(0 17 LW * ? *)", "2024-03-01 00:00").as_deref(),
            Some("2024-03-29 17:00")
        );
        assert_eq!(
            next("cron(0 17 LW * ? *)", "2024-01-01 00:00").as_deref(),
            Some("2024-01-31 17:00")
        );
    }

    #[test]
    fn nth_weekday_hash() {
        // Third Friday: 2024-01-19, 2024-02-16.
        assert_eq!(
            series("cron(0 9 ? * 6#3 *)", "2024-01-01 00:00", 2),
            ["2024-01-19 09:00", "2024-02-16 09:00"]
        );
        assert_eq!(
            series("cron(0 9 ? * FRI#3 *)", "2024-01-01 00:00", 1),
            ["2024-01-19 09:00"]
        );
        // Fifth Monday: January 2024 has one (29th), February and March do not, April does (29th).
        assert_eq!(
            series("cron(0 9 ? * 2#5 *)", "2024-01-01 00:00", 2),
            ["2024-01-29 09:00", "2024-04-29 09:00"]
        );
        // First Sunday when the month starts on a Sunday (2024-09-01).
        assert_eq!(
            next("cron(0 9 ? * 1#1 *)", "2024-08-05 00:00").as_deref(),
            Some("2024-09-01 09:00")
        );
    }

    #[test]
    fn ranges_lists_and_names() {
        assert_eq!(
            series("cron(0 6 ? * MON,WED,FRI *)", "2024-01-15 06:00", 3),
            ["2024-01-17 06:00", "2024-01-19 06:00", "2024-01-22 06:00"]
        );
        // A day-of-week range that wraps over the week end: FRI-MON is Fri, Sat, Sun, Mon.
        assert_eq!(
            series("cron(0 6 ? * FRI-MON *)", "2024-01-16 00:00", 5),
            [
                "2024-01-19 06:00",
                "2024-01-20 06:00",
                "2024-01-21 06:00",
                "2024-01-22 06:00",
                "2024-01-26 06:00"
            ]
        );
        // Month names and a wrapping month range.
        assert_eq!(
            series("cron(0 0 1 NOV-FEB ? *)", "2024-03-01 00:00", 5),
            [
                "2024-11-01 00:00",
                "2024-12-01 00:00",
                "2025-01-01 00:00",
                "2025-02-01 00:00",
                "2025-11-01 00:00"
            ]
        );
        assert_eq!(
            series("cron(0 0 1 JAN,jul ? *)", "2024-03-01 00:00", 2),
            ["2024-07-01 00:00", "2025-01-01 00:00"]
        );
        assert_eq!(schedule("cron(0 0 ? * mon-fri *)"), schedule("cron(0 0 ? * 2-6 *)"));
        assert_eq!(schedule("cron(0 0 1 JAN-MAR ? *)"), schedule("cron(0 0 1 1-3 ? *)"));
        assert_eq!(schedule("cron(0 0 1-3,5 * ? *)"), schedule("cron(0 0 1,2,3,5 * ? *)"));
        // Mixing numbers and names in one range.
        assert_eq!(schedule("cron(0 0 ? * 2-FRI *)"), schedule("cron(0 0 ? * MON-FRI *)"));
        // Day 31 only exists in some months.
        assert_eq!(
            series("cron(0 0 31 * ? *)", "2024-01-31 00:00", 3),
            ["2024-03-31 00:00", "2024-05-31 00:00", "2024-07-31 00:00"]
        );
    }

    #[test]
    fn increments() {
        assert_eq!(schedule("cron(0/15 * * * ? *)"), schedule("cron(0,15,30,45 * * * ? *)"));
        // The documented `1/10` is the 1st, 11th, 21st ... minute.
        assert_eq!(
            schedule("cron(1/10 * * * ? *)"),
            schedule("cron(1,11,21,31,41,51 * * * ? *)")
        );
        // `*/n` starts at the field's first value, as in Quartz.
        assert_eq!(schedule("cron(*/10 * * * ? *)"), schedule("cron(0/10 * * * ? *)"));
        assert_eq!(schedule("cron(0 */6 * * ? *)"), schedule("cron(0 0,6,12,18 * * ? *)"));
        assert_eq!(schedule("cron(0 0 */10 * ? *)"), schedule("cron(0 0 1,11,21,31 * ? *)"));
        assert_eq!(
            schedule("cron(10-30/10 * * * ? *)"),
            schedule("cron(10,20,30 * * * ? *)")
        );
        assert_eq!(schedule("cron(0 22-3/2 * * ? *)"), schedule("cron(0 22,0,2 * * ? *)"));
        assert_eq!(
            schedule("cron(0 0 1 1/3 ? *)"),
            schedule("cron(0 0 1 JAN,APR,JUL,OCT ? *)")
        );
        assert_eq!(
            schedule("cron(0 0 ? * 1/2 *)"),
            schedule("cron(0 0 ? * SUN,TUE,THU,SAT *)")
        );
        assert_eq!(schedule("cron(0 0 ? * MON/2 *)"), schedule("cron(0 0 ? * 2,4,6 *)"));
        assert_eq!(
            series("cron(5/20 9 * * ? *)", "2024-01-15 00:00", 4),
            [
                "2024-01-15 09:05",
                "2024-01-15 09:25",
                "2024-01-15 09:45",
                "2024-01-16 09:05"
            ]
        );
        // A step larger than what is left of the field gives just the start value.
        assert_eq!(schedule("cron(50/30 * * * ? *)"), schedule("cron(50 * * * ? *)"));
    }

    #[test]
    fn year_field() {
        assert_eq!(
            next("cron(0 0 1 1 ? 2030)", "2024-05-01 00:00").as_deref(),
            Some("2030-01-01 00:00")
        );
        assert_eq!(next("cron(0 0 1 1 ? 2030)", "2030-01-01 00:00"), None);
        assert_eq!(
            series("cron(0 12 1 JUN ? 2025-2026)", "2020-01-01 00:00", 3),
            ["2025-06-01 12:00", "2026-06-01 12:00"]
        );
        assert_eq!(
            series("cron(0 12 1 1 ? 2024,2030/5)", "2020-01-01 00:00", 4),
            [
                "2024-01-01 12:00",
                "2030-01-01 12:00",
                "2035-01-01 12:00",
                "2040-01-01 12:00"
            ]
        );
        // The last possible run, and nothing after it.
        assert_eq!(
            next("cron(59 23 L 12 ? *)", "2199-06-01 00:00").as_deref(),
            Some("2199-12-31 23:59")
        );
        assert_eq!(next("cron(59 23 L 12 ? *)", "2199-12-31 23:59"), None);
        assert_eq!(next("cron(0 0 * * ? *)", "2200-01-01 00:00"), None);
        assert_eq!(schedule("cron(0 0 * * ? *)").next_after(i64::MAX), None);
        // Nothing before 1970: early instants start at the epoch.
        assert_eq!(
            schedule("cron(0 0 * * ? *)").next_after(i64::MIN).map(show).as_deref(),
            Some("1970-01-01 00:00")
        );
        assert_eq!(schedule("cron(0 0 * * ? *)").next_after(-1), Some(0));
        assert_eq!(
            schedule("cron(0 0 * * ? *)").next_after(-61).map(show).as_deref(),
            Some("1970-01-01 00:00")
        );
        assert_eq!(
            schedule("cron(0 0 * * ? *)").next_after(0).map(show).as_deref(),
            Some("1970-01-02 00:00")
        );
    }

    #[test]
    fn leap_day() {
        assert_eq!(
            series("cron(0 0 29 2 ? *)", "2024-03-01 00:00", 3),
            ["2028-02-29 00:00", "2032-02-29 00:00", "2036-02-29 00:00"]
        );
        // 2100 is not a leap year.
        assert_eq!(
            next("cron(0 0 29 2 ? *)", "2096-03-01 00:00").as_deref(),
            Some("2104-02-29 00:00")
        );
        assert_eq!(next("cron(0 0 29 2 ? *)", "2196-02-29 00:00"), None);
        // A date that never exists parses but never fires.
        assert_eq!(next("cron(0 0 30 2 ? *)", "1970-01-01 00:00"), None);
        assert_eq!(next("cron(0 0 31 4,6,9,11 ? *)", "1970-01-01 00:00"), None);
    }

    #[test]
    fn next_after_is_strictly_after_and_whole_minutes() {
        let s = schedule("cron(0/5 * * * ? *)");
        assert_eq!(
            s.next_after(at("2024-01-15 10:30")).map(show).as_deref(),
            Some("2024-01-15 10:35")
        );
        assert_eq!(
            s.next_after(at("2024-01-15 10:29:59")).map(show).as_deref(),
            Some("2024-01-15 10:30")
        );
        assert_eq!(
            s.next_after(at("2024-01-15 10:30:01")).map(show).as_deref(),
            Some("2024-01-15 10:35")
        );
        // Crossing every boundary at once.
        assert_eq!(
            s.next_after(at("2024-12-31 23:59:30")).map(show).as_deref(),
            Some("2025-01-01 00:00")
        );
        // A long walk agrees with stepping: every result is a fire time and fires are 5 minutes apart.
        let mut now = at("2024-02-28 22:00");
        for _ in 0..2000 {
            let fire = s.next_after(now).expect("fires forever");
            assert_eq!(fire - now, if now % 300 == 0 { 300 } else { 300 - now % 300 });
            now = fire;
        }
    }

    #[test]
    fn sparse_schedules_search_quickly() {
        // These would take millions of minute steps; the search skips by month and year instead.
        let leap = schedule("cron(0 0 29 2 ? *)");
        let never = schedule("cron(0 0 30 2 ? *)");
        let fifth_monday_2199 = schedule("cron(0 0 ? * 2#5 2199)");
        let mut now = 0;
        for _ in 0..2_000 {
            now = leap.next_after(now).unwrap_or(0);
            assert_eq!(never.next_after(now), None);
        }
        assert_eq!(
            fifth_monday_2199.next_after(0).map(show).as_deref(),
            Some("2199-04-29 00:00")
        );
    }

    /// Weekday by Zeller's congruence (1 = SUN .. 7 = SAT), independent of `days_from_civil`.
    fn zeller_weekday(year: i64, month: u32, day: u32) -> u32 {
        let (y, m) = if month < 3 {
            (year - 1, month + 12)
        } else {
            (year, month)
        };
        let (k, j) = (y.rem_euclid(100), y.div_euclid(100));
        let h = (i64::from(day) + 13 * (i64::from(m) + 1) / 5 + k + k / 4 + j / 4 + 5 * j).rem_euclid(7);
        // Zeller's h is 0 = Saturday.
        ((h + 6) % 7 + 1) as u32
    }

    /// Whether the day rule holds, from the definitions rather than from `day_mask`'s arithmetic.
    fn day_rule_holds(days: DayRule, year: i64, month: u32, day: u32) -> bool {
        let last = civil::days_in_month(year, month);
        let wd = |d: u32| zeller_weekday(year, month, d);
        let is_weekday = |d: u32| !matches!(wd(d), SATURDAY | SUNDAY);
        match days {
            DayRule::MonthDays(mask) => mask & (1 << day) != 0,
            DayRule::LastDayOfMonth => day == last,
            DayRule::LastWeekdayOfMonth => is_weekday(day) && (day + 1..=last).all(|d| !is_weekday(d)),
            DayRule::NearestWeekday(target) => {
                target <= last
                    && is_weekday(day)
                    && (1..=last)
                        .filter(|&d| is_weekday(d))
                        .all(|d| target.abs_diff(d) >= target.abs_diff(day))
            }
            DayRule::WeekDays(set) => set & (1 << wd(day)) != 0,
            DayRule::LastWeekdayOf(w) => wd(day) == w && day + 7 > last,
            DayRule::NthWeekday { weekday, nth } => wd(day) == weekday && (day - 1) / 7 + 1 == nth,
        }
    }

    /// Every fire time in `[from, to)`, by testing each day and then each minute of matching days.
    fn brute_force(s: &Schedule, from: i64, to: i64) -> Vec<i64> {
        let mut out = Vec::new();
        for days in from.div_euclid(SECS_PER_DAY)..=to.div_euclid(SECS_PER_DAY) {
            let (y, m, d) = civil::civil_from_days(days);
            if !s.has_year(y) || s.months & (1 << m) == 0 || !day_rule_holds(s.days, y, m, d) {
                continue;
            }
            for h in (0..24).filter(|h| s.hours & (1 << h) != 0) {
                for mi in (0..60).filter(|mi| s.minutes & (1 << mi) != 0) {
                    let t = days * SECS_PER_DAY + i64::from(h * 3600 + mi * 60);
                    if (from..to).contains(&t) {
                        out.push(t);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn zeller_agrees_with_epoch_weekday() {
        for days in -50_000..100_000 {
            let (y, m, d) = civil::civil_from_days(days);
            assert_eq!(zeller_weekday(y, m, d), weekday(y, m, d), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn agrees_with_brute_force_on_generated_schedules() {
        let minutes = ["0", "7", "0/30", "15,45", "59", "*/20", "5-15/5"];
        let hours = ["0", "23", "12", "9-11", "22-1", "*/8", "0,23"];
        let month_days = [
            "*", "1", "L", "LW", "15W", "1W", "31W", "30W", "29", "31", "1-7", "28-3", "*/9", "2W", "29W",
        ];
        let week_days = [
            "*", "MON", "SAT,SUN", "FRI-MON", "2#1", "6#5", "1#5", "7#4", "6L", "1L", "L", "1/3",
        ];
        let months = ["*", "FEB", "2,3", "NOV-FEB", "*/5", "3,6,9,12"];
        let years = ["*", "2024", "2023,2026", "2025-2026", "2022/2"];
        let (from, to) = (at("2022-12-25 00:00"), at("2027-01-03 00:00"));
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut pick = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut checked = 0;
        for _ in 0..250 {
            let (dom, dow) = if pick(2) == 0 {
                (month_days[pick(month_days.len())], "?")
            } else {
                ("?", week_days[pick(week_days.len())])
            };
            let expr = format!(
                "cron({} {} {dom} {} {dow} {})",
                minutes[pick(minutes.len())],
                hours[pick(hours.len())],
                months[pick(months.len())],
                years[pick(years.len())]
            );
            let Ok(s) = Schedule::parse(&expr, 5) else {
                // Only the 5-minute floor can reject these, e.g. "59" with hours "0,23".
                assert!(error(&expr).ends_with("are not supported"), "{expr}");
                continue;
            };
            let mut fast = Vec::new();
            let mut now = from - 1;
            while let Some(t) = s.next_after(now).filter(|&t| t < to) {
                fast.push(t);
                now = t;
            }
            let slow = brute_force(&s, from, to);
            assert_eq!(fast.len(), slow.len(), "{expr}");
            assert!(
                fast == slow,
                "{expr}: first difference at {:?}",
                fast.iter().zip(&slow).find(|(a, b)| a != b)
            );
            // Starting mid-minute lands on the same fires.
            for &t in slow.iter().step_by(97) {
                assert_eq!(s.next_after(t - 59), Some(t), "{expr}");
            }
            checked += 1;
        }
        assert!(checked > 200, "only {checked} generated schedules parsed");
    }

    #[test]
    fn question_mark_rules() {
        // Both day fields given.
        assert!(error("cron(0 10 * * * *)").contains("cannot both be specified"));
        assert!(error("cron(0 10 1 * MON *)").contains("cannot both be specified"));
        assert!(error("cron(0 10 L * 6L *)").contains("cannot both be specified"));
        // Neither given.
        assert!(error("cron(0 10 ? * ? *)").contains("only one of"));
        // `?` elsewhere.
        assert!(error("cron(? 10 * * ? *)").contains("Minutes field"));
        assert!(error("cron(0 10 * ? ? *)").contains("Month field"));
        assert!(error("cron(0 10 * * ? ?)").contains("Year field"));
        assert!(error("cron(0 10 1,? * ? *)").contains("Day-of-month field"));
        // Either side may carry the `?`.
        schedule("cron(0 10 * * ? *)");
        schedule("cron(0 10 ? * * *)");
    }

    #[test]
    fn wrapper_and_field_count() {
        for bad in [
            "",
            "0 10 * * ? *",
            "cron 0 10 * * ? *",
            "cron(0 10 * * ? *",
            "rate(5 minutes)",
            "CRON(0 10 * * ? *)",
        ] {
            let e = error(bad);
            assert!(e.starts_with("Invalid schedule expression: "), "{e}");
            assert!(
                e.contains("Expected cron(Minutes Hours Day-of-month Month Day-of-week Year)"),
                "{e}"
            );
        }
        assert!(error("cron(0 10 * * ?)").contains("found 5 fields"));
        assert!(error("cron(0 0 10 * * ? *)").contains("found 7 fields"));
        assert!(error("cron()").contains("found 0 fields"));
        // Surrounding and repeated white space is tolerated.
        assert_eq!(schedule("  cron( 0  10 * *\t? * )  "), schedule("cron(0 10 * * ? *)"));
        assert_eq!(
            error("cron(60 10 * * ? *)"),
            "Invalid schedule expression: cron(60 10 * * ? *). Minutes field: '60' is not a value from 0 to 59"
        );
    }

    #[test]
    fn out_of_range_and_malformed_values() {
        for (expr, field) in [
            ("cron(60 0 * * ? *)", "Minutes field"),
            ("cron(-1 0 * * ? *)", "Minutes field"),
            ("cron(0 24 * * ? *)", "Hours field"),
            ("cron(0 0 0 * ? *)", "Day-of-month field"),
            ("cron(0 0 32 * ? *)", "Day-of-month field"),
            ("cron(0 0 1 0 ? *)", "Month field"),
            ("cron(0 0 1 13 ? *)", "Month field"),
            ("cron(0 0 1 MON ? *)", "Month field"),
            ("cron(0 0 1 JANUARY ? *)", "Month field"),
            ("cron(0 0 ? * 0 *)", "Day-of-week field"),
            ("cron(0 0 ? * 8 *)", "Day-of-week field"),
            ("cron(0 0 ? * JAN *)", "Day-of-week field"),
            ("cron(0 0 * * ? 1969)", "Year field"),
            ("cron(0 0 * * ? 2200)", "Year field"),
            ("cron(0 0 * * ? 2030-2025)", "Year field"),
            ("cron(x 0 * * ? *)", "Minutes field"),
            ("cron(1.5 0 * * ? *)", "Minutes field"),
            ("cron(99999999999 0 * * ? *)", "Minutes field"),
            ("cron(0 0 1, * ? *)", "Day-of-month field"),
            ("cron(0 ,1 * * ? *)", "Hours field"),
            ("cron(0 1- * * ? *)", "Hours field"),
            ("cron(0 -1 * * ? *)", "Hours field"),
            ("cron(0 1-2-3 * * ? *)", "Hours field"),
            ("cron(L 0 * * ? *)", "Minutes field"),
            ("cron(0 0 * L ? *)", "Month field"),
            ("cron(0 0 ? * 1W *)", "Day-of-week field"),
            ("cron(0 0 1#1 * ? *)", "Day-of-month field"),
            ("cron(0 0 * * ? **)", "Year field"),
        ] {
            let e = error(expr);
            assert!(
                e.starts_with(&format!("Invalid schedule expression: {expr}. {field}: ")),
                "{expr}: {e}"
            );
        }
    }

    #[test]
    fn malformed_increments() {
        assert!(error("cron(0/0 * * * ? *)").contains("increment '0'"));
        // EventBridge rejects `*/60`; Quartz caps increments at the field's largest value.
        assert!(error("cron(*/60 * * * ? *)").contains("from 1 to 59"));
        assert!(error("cron(0 */24 * * ? *)").contains("from 1 to 23"));
        assert!(error("cron(0 0 */32 * ? *)").contains("from 1 to 31"));
        assert!(error("cron(0 0 1 */13 ? *)").contains("from 1 to 12"));
        assert!(error("cron(0 0 ? * */8 *)").contains("from 1 to 7"));
        assert!(error("cron(0/ * * * ? *)").contains("increment ''"));
        assert!(error("cron(0/5/5 * * * ? *)").contains("increment '5/5'"));
        assert!(error("cron(/5 * * * ? *)").contains("Minutes field"));
        schedule("cron(0 */23 * * ? *)");
        schedule("cron(0 0 1 */12 ? *)");
    }

    #[test]
    fn special_characters_must_stand_alone() {
        // AWS: with '#', only one expression is allowed in Day-of-week ("3#1,6#3" is invalid).
        assert!(error("cron(0 0 ? * 3#1,6#3 *)").contains("only one expression"));
        assert!(error("cron(0 0 ? * 2#6 *)").contains("1 to 5"));
        assert!(error("cron(0 0 ? * 2#0 *)").contains("1 to 5"));
        assert!(error("cron(0 0 ? * 2# *)").contains("1 to 5"));
        assert!(error("cron(0 0 ? * #2 *)").contains("Day-of-week field"));
        assert!(error("cron(0 0 ? * 2-3#2 *)").contains("single day of the week"));
        assert!(error("cron(0 0 ? * 1-3L *)").contains("single day of the week"));
        assert!(error("cron(0 0 ? * 8L *)").contains("Day-of-week field"));
        assert!(error("cron(0 0 ? * 2,L *)").contains("'L' cannot be combined"));
        assert!(error("cron(0 0 1,L * ? *)").contains("'L' and 'W' cannot be combined"));
        assert!(error("cron(0 0 L-3 * ? *)").contains("'L' and 'W' cannot be combined"));
        assert!(error("cron(0 0 1-5W * ? *)").contains("'W' must follow a single day"));
        assert!(error("cron(0 0 W * ? *)").contains("'W' must follow a single day"));
        assert!(error("cron(0 0 32W * ? *)").contains("Day-of-month field"));
        assert!(error("cron(0 0 0W * ? *)").contains("Day-of-month field"));
    }

    #[test]
    fn five_minute_floor() {
        let floor = "Cron expressions that lead to rates faster than 5 minutes are not supported";
        for too_fast in [
            "cron(* * * * ? *)",
            "cron(0/1 * * * ? *)",
            "cron(*/4 * * * ? *)",
            "cron(0,3 * * * ? *)",
            "cron(0-4 9 * * ? *)",
            // 9:58 then 10:01: three minutes apart across the hour.
            "cron(1,58 9-10 * * ? *)",
            // 23:59 then 00:01 the next day.
            "cron(1,59 0,23 * * ? *)",
            "cron(1,59 0,23 ? * MON-FRI *)",
            // The last day of one month and the first of the next.
            "cron(1,59 0,23 1,30,31 * ? *)",
            // 30 April then 1 May.
            "cron(1,59 0,23 1,30 * ? *)",
        ] {
            assert!(error(too_fast).ends_with(floor), "{too_fast}");
        }
        for fine in [
            "cron(0/5 * * * ? *)",
            "cron(*/5 * * * ? *)",
            "cron(0,5 * * * ? *)",
            "cron(0/5 8-17 ? * MON-FRI *)",
            // 9:58 then 9:01 the next day: the hour range is not adjacent to itself.
            "cron(1,58 9 * * ? *)",
            "cron(1,58 9,11 * * ? *)",
            // 23:59 and 00:01 never on consecutive days.
            "cron(1,59 0,23 ? * MON,WED *)",
            "cron(1,59 0,23 15 * ? *)",
            "cron(1,59 0,23 ? * 2#1 *)",
            "cron(0 0 * * ? *)",
        ] {
            schedule(fine);
        }
        // 31 December then 1 January crosses a year; 30 January then 1 February is two days apart.
        assert!(error("cron(1,59 0,23 1,31 1,12 ? *)").ends_with(floor));
        schedule("cron(1,59 0,23 1,30 1,2 ? *)");
        // The year field decides whether 31 December 2030 is followed by a run on 1 January 2031.
        schedule("cron(1,59 0,23 1,31 1,12 ? 2030)");
        assert!(error("cron(1,59 0,23 1,31 1,12 ? 2030-2031)").ends_with(floor));
    }
}
