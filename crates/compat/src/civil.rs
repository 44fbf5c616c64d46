//! Dates of the proleptic Gregorian calendar counted in days since 1970-01-01.
//!
//! This is the calendar of `java.time` (`LocalDate.toEpochDay`) and of Trino's DATE, which
//! Athena formats; Glue's cron schedules are evaluated in it too (in UTC). The Gregorian rules
//! are applied to every year, before 1582 as well, and year 0 is 1 BC (`-1` is 2 BC).
//!
//! Counting years from March puts the leap day at the end of the year, so the day of such a
//! year is a fixed function of the month, and whole 400-year cycles (146,097 days) cover the
//! rest.

/// The months' English names, January first (`java.time`'s and glibc's
/// English locale alike).
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The days' English names, Monday first (ISO order, `DayOfWeek`'s).
pub const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Days in a 400-year Gregorian cycle.
const DAYS_PER_CYCLE: i64 = 146_097;
/// Days from 0000-03-01, where cycle 0 starts, to 1970-01-01.
const CYCLE_START_TO_EPOCH: i64 = 719_468;

/// Every 4th year, except every 100th, except every 400th.
pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// 28 to 31; `month` is 1 to 12.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 365 or 366.
pub fn days_in_year(year: i64) -> u32 {
    if is_leap_year(year) { 366 } else { 365 }
}

/// 1 to 366, as `LocalDate.getDayOfYear`.
pub fn day_of_year(year: i64, month: u32, day: u32) -> u32 {
    const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap_day = u32::from(month > 2 && is_leap_year(year));
    BEFORE_MONTH[(month.clamp(1, 12) - 1) as usize] + day + leap_day
}

/// Days since 1970-01-01 (negative before it) of a date, as `LocalDate.toEpochDay`.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let cycle = year.div_euclid(400);
    let year_of_cycle = year - cycle * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    cycle * DAYS_PER_CYCLE + day_of_cycle - CYCLE_START_TO_EPOCH
}

/// The `(year, month, day)` of a day count, the inverse of [`days_from_civil`]
/// (`LocalDate.ofEpochDay`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + CYCLE_START_TO_EPOCH;
    let cycle = days.div_euclid(DAYS_PER_CYCLE);
    let day_of_cycle = days - cycle * DAYS_PER_CYCLE;
    // Undo the leap days (every 4th year, except the 100th, except the 400th) to get the year.
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36_524 - day_of_cycle / 146_096) / 365;
    let day_of_year = day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_cycle + cycle * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// [`days_from_civil`] over signed fields, as C's `timegm` takes them: a month outside
/// 1 to 12 is clamped, and days past the month's end move the date along.
pub fn days_from_fields(year: i64, month: i64, day: i64) -> i64 {
    let month = u32::try_from(month.clamp(1, 12)).unwrap_or(1);
    days_from_civil(year, month, 1) + day - 1
}

/// [`civil_from_days`] as signed fields.
pub fn fields_from_days(days: i64) -> (i64, i64, i64) {
    let (year, month, day) = civil_from_days(days);
    (year, i64::from(month), i64::from(day))
}

/// The weekday of a day count numbered 1 = Sunday to 7 = Saturday: the numbering of
/// `java.util.Calendar` (whose name tables `Formatter` uses) and of the day-of-week field of
/// AWS cron expressions.
pub fn weekday_from_sunday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday, day 5 when counting from Sunday.
    ((days + 4).rem_euclid(7) + 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const SATURDAY: u32 = 7;
    const SUNDAY: u32 = 1;

    #[test]
    fn known_dates() {
        // Epoch seconds from GNU `date -u -d <day> +%s`, divided by 86,400.
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 1, 15) * 86_400, 1_705_276_800);
        assert_eq!(days_from_civil(2024, 2, 29) * 86_400, 1_709_164_800);
        assert_eq!(days_from_civil(2028, 2, 29) * 86_400, 1_835_395_200);
        assert_eq!(days_from_civil(2104, 2, 29) * 86_400, 4_233_686_400);
        assert_eq!(days_from_civil(2100, 2, 28) * 86_400, 4_107_456_000);
        // LocalDate.ofEpochDay: 2001-08-22, 0005-01-01, -0005-01-01 (6 BC), +12345-01-01.
        assert_eq!(civil_from_days(11_556), (2001, 8, 22));
        assert_eq!(civil_from_days(-717_701), (5, 1, 1));
        assert_eq!(civil_from_days(-721_354), (-5, 1, 1));
        assert_eq!(civil_from_days(3_789_391), (12_345, 1, 1));
        assert_eq!(civil_from_days(-719_528), (0, 1, 1));
    }

    #[test]
    fn conversions_are_inverse() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=days_in_month(y, m)).contains(&d));
            assert_eq!(
                i64::from(day_of_year(y, m, d)),
                days - days_from_civil(y, 1, 1) + 1,
                "{y}-{m}-{d}"
            );
        }
    }

    #[test]
    fn calendar_helpers() {
        assert!(is_leap_year(2024) && is_leap_year(2000) && is_leap_year(2400));
        assert!(is_leap_year(0) && is_leap_year(-4) && is_leap_year(-400));
        assert!(!is_leap_year(2023) && !is_leap_year(2100) && !is_leap_year(1900) && !is_leap_year(-100));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2024, 4), 30);
        assert_eq!(days_in_month(2024, 12), 31);
        assert_eq!(days_in_year(2024), 366);
        assert_eq!(days_in_year(2100), 365);
        assert_eq!(day_of_year(2024, 3, 1), 61);
        assert_eq!(day_of_year(2023, 3, 1), 60);
        assert_eq!(day_of_year(2024, 12, 31), 366);
        assert_eq!(day_of_year(2001, 8, 22), 234);
    }

    #[test]
    fn weekdays_count_from_sunday() {
        // Checked with `date -u -d <day> +%a`.
        let weekday = |y, m, d| weekday_from_sunday(days_from_civil(y, m, d));
        assert_eq!(weekday(1970, 1, 1), 5); // Thu
        assert_eq!(weekday(2024, 1, 15), 2); // Mon
        assert_eq!(weekday(2024, 6, 15), SATURDAY);
        assert_eq!(weekday(2024, 9, 15), SUNDAY);
        assert_eq!(weekday(2100, 2, 28), SUNDAY);
        assert_eq!(weekday(2104, 2, 29), 6); // Fri
        assert_eq!(weekday_from_sunday(-1), 4); // 1969-12-31, a Wednesday
    }
}
