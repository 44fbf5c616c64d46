//! EventBridge Scheduler's schedule expressions and when each fires.
//!
//! - `at(yyyy-mm-ddThh:mm:ss)` fires once, at that wall-clock time in the
//!   schedule's zone.
//! - `rate(value unit)` fires every `value` minutes, hours or days of
//!   fixed length (a day is 24 hours across a DST change, as AWS counts
//!   it), from the StartDate, or from the creation when there is none (AWS:
//!   "starts invoking its target immediately").
//! - `cron(...)` has AWS's six fields, read in the schedule's zone. Across
//!   DST, as AWS documents: a time the spring change skips does not fire,
//!   and a time the autumn change repeats fires once, at its first pass.
//!
//! AWS lists `minute | minutes | hour | hours | day | days` for rates
//! without EventBridge's rule that 1 takes the singular, so either form is
//! read for any value.

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use lakestack_compat::cron;

/// A schedule may fire at most once a minute, as AWS's precision is a minute.
const MIN_CRON_INTERVAL_MINUTES: u32 = 1;
/// Candidates a cron may skip over in a row (times a DST change removes or
/// repeats) before it is taken to fire no more: a change moves an hour.
const MAX_SKIPS: usize = 2 * 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    /// A wall-clock time in the schedule's zone.
    At(NaiveDateTime),
    /// Every this many seconds.
    Rate(i64),
    Cron(cron::Schedule),
}

impl Expression {
    /// Reads a ScheduleExpression; `None` is AWS's "Invalid Schedule Expression".
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(body) = text.strip_prefix("at(").and_then(|r| r.strip_suffix(')')) {
            return parse_at(body).map(Self::At);
        }
        if let Some(body) = text.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            let (value, unit) = body.split_once(' ')?;
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let value: i64 = value.parse().ok().filter(|v| *v > 0)?;
            let seconds = match unit {
                "minute" | "minutes" => 60,
                "hour" | "hours" => 3_600,
                "day" | "days" => 86_400,
                _ => return None,
            };
            return value.checked_mul(seconds).map(Self::Rate);
        }
        if text.starts_with("cron(") {
            return cron::Schedule::parse(text, MIN_CRON_INTERVAL_MINUTES)
                .ok()
                .map(Self::Cron);
        }
        None
    }

    /// A one-time schedule: it completes once it has fired.
    pub fn is_one_time(&self) -> bool {
        matches!(self, Self::At(_))
    }

    /// Where a new (or replaced) schedule starts looking for fire times, at
    /// `now_ms`. AWS fires within the minute a time falls in, so an `at()`
    /// of the current minute still fires; a rate fires at once; a cron
    /// waits for its next time.
    pub fn considered_from(&self, now_ms: i64) -> i64 {
        match self {
            Self::At(_) => now_ms.div_euclid(60_000) * 60_000 - 1,
            Self::Rate(_) => now_ms - 1,
            Self::Cron(_) => now_ms,
        }
    }
}

/// `yyyy-mm-ddThh:mm:ss`, every digit written.
fn parse_at(body: &str) -> Option<NaiveDateTime> {
    let b = body.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let n = |r: std::ops::Range<usize>| body[r].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(body[0..4].parse().ok()?, n(5..7)?, n(8..10)?)?;
    let time = NaiveTime::from_hms_opt(n(11..13)?, n(14..16)?, n(17..19)?)?;
    Some(date.and_time(time))
}

/// Reads a ScheduleExpressionTimezone: an IANA name; UTC when absent.
pub fn zone(name: Option<&str>) -> Option<Tz> {
    match name {
        None => Some(Tz::UTC),
        Some(name) => name.parse().ok(),
    }
}

/// A schedule's timing, read once: its expression, zone and bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    pub expression: Expression,
    pub zone: Tz,
    /// Epoch ms; recurring schedules only.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

impl When {
    /// The first fire time strictly after `after_ms` (epoch ms), for a
    /// schedule whose rate counts from `anchor_ms` when it has no
    /// StartDate; `None` when it fires no more.
    pub fn next_after(&self, after_ms: i64, anchor_ms: i64) -> Option<i64> {
        let next = match &self.expression {
            Expression::At(local) => return Some(instant_of_at(self.zone, *local)?).filter(|t| *t > after_ms),
            Expression::Rate(secs) => {
                let every = secs.checked_mul(1000)?;
                let anchor = self.start_ms.unwrap_or(anchor_ms);
                let periods = if after_ms < anchor {
                    0
                } else {
                    after_ms.checked_sub(anchor)? / every + 1
                };
                anchor.checked_add(every.checked_mul(periods)?)?
            }
            Expression::Cron(c) => {
                let after = match self.start_ms {
                    Some(start) => after_ms.max(start.saturating_sub(1)),
                    None => after_ms,
                };
                next_cron(c, self.zone, after)?
            }
        };
        Some(next).filter(|t| self.end_ms.is_none_or(|end| *t <= end))
    }
}

/// The instant an `at()` names: the first pass of a repeated time; past
/// a skipped one, the first minute that exists (AWS is silent there).
fn instant_of_at(zone: Tz, local: NaiveDateTime) -> Option<i64> {
    let mut t = local;
    for _ in 0..MAX_SKIPS {
        match zone.from_local_datetime(&t) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => return Some(at.timestamp_millis()),
            LocalResult::None => t += chrono::TimeDelta::minutes(1),
        }
    }
    None
}

fn next_cron(c: &cron::Schedule, zone: Tz, after_ms: i64) -> Option<i64> {
    // The cron reads wall-clock fields: walk its times as if the zone's
    // wall clock were UTC, and map each back to an instant.
    let mut local = DateTime::from_timestamp_millis(after_ms)?
        .with_timezone(&zone)
        .naive_local()
        .and_utc()
        .timestamp();
    for _ in 0..MAX_SKIPS {
        let candidate = c.next_after(local)?;
        let wall = DateTime::from_timestamp(candidate, 0)?.naive_utc();
        let instant = match zone.from_local_datetime(&wall) {
            // A repeated time fires at its first pass only.
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.timestamp_millis()),
            // A time the change skips does not fire.
            LocalResult::None => None,
        };
        if let Some(at) = instant.filter(|at| *at > after_ms) {
            return Some(at);
        }
        local = candidate;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
    }

    fn when(expr: &str, zone: &str) -> When {
        When {
            expression: Expression::parse(expr).unwrap(),
            zone: zone.parse().unwrap(),
            start_ms: None,
            end_ms: None,
        }
    }

    #[test]
    fn expressions_parse_as_scheduler_reads_them() {
        assert_eq!(Expression::parse("rate(1 minute)"), Some(Expression::Rate(60)));
        assert_eq!(Expression::parse("rate(1 minutes)"), Some(Expression::Rate(60)));
        assert_eq!(Expression::parse("rate(5 minutes)"), Some(Expression::Rate(300)));
        assert_eq!(Expression::parse("rate(2 day)"), Some(Expression::Rate(172_800)));
        assert!(matches!(
            Expression::parse("at(2026-03-29T10:00:00)"),
            Some(Expression::At(_))
        ));
        assert!(Expression::parse("cron(0 2 * * ? *)").is_some());
        for bad in [
            "rate(0 minutes)",
            "rate(-1 minutes)",
            "rate(+1 minutes)",
            "rate(1 second)",
            "rate(1  minutes)",
            "at(2026-02-30T10:00:00)",
            "at(2026-3-29T10:00:00)",
            "at(2026-03-29 10:00:00)",
            "at(2026-03-29T24:00:00)",
            "cron(0 2 * * *)",
            "every(1 minute)",
        ] {
            assert_eq!(Expression::parse(bad), None, "{bad}");
        }
        assert_eq!(zone(None), Some(Tz::UTC));
        assert_eq!(zone(Some("Europe/Paris")), Some(Tz::Europe__Paris));
        assert_eq!(zone(Some("Mars/Olympus")), None);
    }

    #[test]
    fn at_fires_at_its_wall_clock_time_in_its_zone() {
        // Paris is UTC+2 in summer and UTC+1 in winter.
        let summer = when("at(2026-07-01T10:00:00)", "Europe/Paris");
        assert_eq!(summer.next_after(0, 0), Some(ms("2026-07-01T08:00:00Z")));
        assert_eq!(summer.next_after(ms("2026-07-01T08:00:00Z"), 0), None);
        let winter = when("at(2026-01-15T10:00:00)", "Europe/Paris");
        assert_eq!(winter.next_after(0, 0), Some(ms("2026-01-15T09:00:00Z")));
        // 02:30 does not exist on 29 March 2026 in Paris: the first minute after the gap.
        let gap = when("at(2026-03-29T02:30:00)", "Europe/Paris");
        assert_eq!(gap.next_after(0, 0), Some(ms("2026-03-29T01:00:00Z")));
        // 02:30 happens twice on 25 October 2026: the first pass.
        let twice = when("at(2026-10-25T02:30:00)", "Europe/Paris");
        assert_eq!(twice.next_after(0, 0), Some(ms("2026-10-25T00:30:00Z")));
    }

    #[test]
    fn rates_count_fixed_periods_from_their_start() {
        let mut every5 = when("rate(5 minutes)", "UTC");
        let t0 = ms("2026-01-01T00:00:00Z");
        assert_eq!(every5.next_after(t0 - 1, t0), Some(t0), "fires at once");
        assert_eq!(every5.next_after(t0, t0), Some(t0 + 300_000));
        assert_eq!(every5.next_after(t0 + 299_999, t0), Some(t0 + 300_000));
        every5.start_ms = Some(t0 + 3_600_000);
        every5.end_ms = Some(t0 + 3_900_000);
        assert_eq!(every5.next_after(t0, t0), Some(t0 + 3_600_000));
        assert_eq!(every5.next_after(t0 + 3_600_000, t0), Some(t0 + 3_900_000));
        assert_eq!(every5.next_after(t0 + 3_900_000, t0), None, "past the EndDate");
        // A day is 24 hours, whatever the zone's clocks do.
        let daily = when("rate(1 day)", "Europe/Paris");
        let before = ms("2026-03-28T12:00:00Z");
        assert_eq!(daily.next_after(before, before), Some(ms("2026-03-29T12:00:00Z")));
    }

    #[test]
    fn crons_follow_the_zones_clock_across_dst() {
        let nightly = when("cron(30 2 * * ? *)", "Europe/Paris");
        let mut t = ms("2026-03-27T12:00:00Z");
        let mut fires = Vec::new();
        for _ in 0..3 {
            t = nightly.next_after(t, 0).unwrap();
            fires.push(t);
        }
        assert_eq!(
            fires,
            [
                ms("2026-03-28T01:30:00Z"),
                // 29 March has no 02:30: skipped.
                ms("2026-03-30T00:30:00Z"),
                ms("2026-03-31T00:30:00Z"),
            ]
        );
        // 25 October has two 02:30s: one fire, at the first.
        let mut t = ms("2026-10-24T12:00:00Z");
        let mut fires = Vec::new();
        for _ in 0..2 {
            t = nightly.next_after(t, 0).unwrap();
            fires.push(t);
        }
        assert_eq!(fires, [ms("2026-10-25T00:30:00Z"), ms("2026-10-26T01:30:00Z")]);
        // Every 30 minutes through the repeated hour: its second pass is not repeated.
        let half_hourly = when("cron(0/30 * * * ? *)", "Europe/Paris");
        let after_first_pass = ms("2026-10-25T00:45:00Z");
        assert_eq!(
            half_hourly.next_after(after_first_pass, 0),
            Some(ms("2026-10-25T02:00:00Z"))
        );
        let mut bounded = when("cron(0 12 * * ? *)", "UTC");
        bounded.start_ms = Some(ms("2026-05-10T00:00:00Z"));
        bounded.end_ms = Some(ms("2026-05-11T11:00:00Z"));
        assert_eq!(bounded.next_after(0, 0), Some(ms("2026-05-10T12:00:00Z")));
        assert_eq!(bounded.next_after(ms("2026-05-10T12:00:00Z"), 0), None);
    }
}
