//! Schedule expressions on rules, `rate(value unit)` and `cron(...)`
//! (AWS's six fields, in UTC), and when each fires next. Schedules follow
//! the server clock's calendar: they fire at their time, or as soon as the
//! clock is advanced past it.

use lakestack_compat::cron;

/// EventBridge's own floor: a rule fires at most once a minute.
const MIN_CRON_INTERVAL_MINUTES: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every this many seconds, counted from the rule's creation.
    Rate(i64),
    Cron(cron::Schedule),
}

impl Schedule {
    /// Reads a ScheduleExpression; `None` is AWS's "Parameter
    /// ScheduleExpression is not valid."
    pub fn parse(expr: &str) -> Option<Self> {
        if let Some(body) = expr.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            let (value, unit) = body.trim().split_once(' ')?;
            let value: i64 = value.parse().ok().filter(|v| *v > 0)?;
            // AWS wants the singular for 1 and the plural otherwise.
            let seconds = match (unit.trim(), value) {
                ("minute", 1) | ("minutes", 2..) => 60,
                ("hour", 1) | ("hours", 2..) => 3_600,
                ("day", 1) | ("days", 2..) => 86_400,
                _ => return None,
            };
            return value.checked_mul(seconds).map(Self::Rate);
        }
        if expr.starts_with("cron(") {
            return cron::Schedule::parse(expr, MIN_CRON_INTERVAL_MINUTES)
                .ok()
                .map(Self::Cron);
        }
        None
    }

    /// The first fire time strictly after `after_ms`, in epoch milliseconds,
    /// for a rule created at `created_ms`.
    pub fn next_after(&self, created_ms: i64, after_ms: i64) -> Option<i64> {
        match self {
            Self::Rate(secs) => {
                let every = secs.checked_mul(1000)?;
                let periods = if after_ms < created_ms {
                    0
                } else {
                    (after_ms - created_ms) / every
                };
                created_ms.checked_add(every.checked_mul(periods + 1)?)
            }
            Self::Cron(c) => c.next_after(after_ms.div_euclid(1000)).map(|s| s * 1000),
        }
    }
}

impl Schedule {
    /// The last fire time at or before `now` that is after `since`, found
    /// without stepping through every fire between (an advance of years over
    /// a one-minute rate must not take billions of steps).
    pub fn last_between(&self, created_ms: i64, since: i64, now: i64) -> Option<i64> {
        let first = self.next_after(created_ms, since).filter(|t| *t <= now)?;
        match self {
            Self::Rate(secs) => {
                let every = secs.checked_mul(1000)?;
                let periods = (now - first) / every;
                Some(first + periods * every)
            }
            Self::Cron(_) => {
                // Look back from `now` over windows that double: the first
                // window holding a fire holds the last one, and few others.
                let mut window = 60_000_i64;
                loop {
                    let from = (now - window).max(since);
                    if let Some(mut at) = self.next_after(created_ms, from).filter(|t| *t <= now) {
                        while let Some(next) = self.next_after(created_ms, at).filter(|t| *t <= now) {
                            at = next;
                        }
                        return Some(at);
                    }
                    if from == since {
                        return Some(first);
                    }
                    window = window.saturating_mul(2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_want_the_right_number() {
        assert_eq!(Schedule::parse("rate(1 minute)"), Some(Schedule::Rate(60)));
        assert_eq!(Schedule::parse("rate(5 minutes)"), Some(Schedule::Rate(300)));
        assert_eq!(Schedule::parse("rate(2 days)"), Some(Schedule::Rate(172_800)));
        for bad in [
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(-1 minutes)",
            "rate(1 second)",
            "rate(1minute)",
            "every(1 minute)",
            "rate(1 minute",
        ] {
            assert_eq!(Schedule::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn next_fire_times() {
        let rate = Schedule::Rate(300);
        assert_eq!(rate.next_after(1_000, 1_000), Some(301_000));
        assert_eq!(rate.next_after(1_000, 301_000), Some(601_000));
        assert_eq!(rate.next_after(1_000, 0), Some(301_000));
        // Every day at 02:00 UTC; 2026-12-07T13:00:00Z is 1_796_648_400.
        let nightly = Schedule::parse("cron(0 2 * * ? *)").unwrap();
        assert_eq!(nightly.next_after(0, 1_796_648_400_000), Some(1_796_695_200_000));
        assert!(
            Schedule::parse("cron(* * * * ? *)").is_some(),
            "every minute is allowed"
        );
        assert!(Schedule::parse("cron(0 2 * * *)").is_none());
    }

    #[test]
    fn the_last_of_many_passed_fires_is_found_at_once() {
        let every_minute = Schedule::Rate(60);
        let year_ms = 365 * 86_400_000_i64;
        assert_eq!(
            every_minute.last_between(0, 0, 1000 * year_ms + 30_000),
            Some(1000 * year_ms)
        );
        let nightly = Schedule::parse("cron(0 2 * * ? *)").unwrap();
        // From 2026-12-07T13:00Z to the end of 2030: the last 02:00 is 2030-12-31.
        let last = nightly.last_between(0, 1_796_648_400_000, 1_924_991_999_000).unwrap();
        assert_eq!(last, 1_924_912_800_000);
        let minutely = Schedule::parse("cron(* * * * ? *)").unwrap();
        assert_eq!(minutely.last_between(0, 0, 120_000_000), Some(120_000_000));
        assert_eq!(nightly.last_between(0, 1_796_648_400_000, 1_796_648_400_000), None);
    }
}
