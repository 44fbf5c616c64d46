//! The server's one clock. Every timer a service keeps (Step Functions'
//! waits, timeouts, heartbeats and retry intervals; Lambda's retries of
//! asynchronous invocations and its idle processes; log retention; queue
//! timeouts; schedules) goes through [`Clock`], and tests control it two ways:
//!
//! - **Scale** (`--wait-time-scale` / `LAKESTACK_WAIT_TIME_SCALE`, as
//!   `WAIT_TIME_SCALE` in the AWS local tool) multiplies every *duration*
//!   waited for: at 0 a ten-minute Wait state ends at once, at 0.01 it lasts
//!   six seconds. Calendar time itself is not scaled: `now()` keeps pace
//!   with the wall clock, so timestamps stay believable.
//! - **Advance** ([`Clock::advance`], the `/_lakestack/clock` endpoint) moves
//!   calendar time forward at once. Every sleeper wakes and counts the jump as
//!   time waited, so "run tonight's 02:00 schedule" or "let the 10-minute Wait
//!   pass" takes a request, not a night.
//!
//! One clock is shared (cloned) by every service of a server, so one advance
//! reaches them all.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

/// Wall-clock time moved forward by advances, plus sleeping scaled by a factor.
#[derive(Debug, Clone)]
pub struct Clock {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    scale: f64,
    /// The wall clock when the clock was made, and Tokio's instant then:
    /// calendar time runs on Tokio's clock from there, so that a test with a
    /// paused Tokio clock sees one coherent time.
    origin_wall: DateTime<Utc>,
    origin: tokio::time::Instant,
    /// How far calendar time is ahead of the wall clock, in milliseconds.
    ahead_ms: AtomicI64,
    /// Bumped on every advance, so that sleepers wake and recount.
    advanced: watch::Sender<u64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::scaled(1.0)
    }
}

impl Clock {
    /// `scale` multiplies every wait: 0 makes waits instant, 0.01 a
    /// hundred times shorter. Negative or NaN counts as 1.
    pub fn scaled(scale: f64) -> Self {
        Self {
            shared: Arc::new(Shared {
                scale: if scale.is_finite() && scale >= 0.0 { scale } else { 1.0 },
                origin_wall: Utc::now(),
                origin: tokio::time::Instant::now(),
                ahead_ms: AtomicI64::new(0),
                advanced: watch::channel(0).0,
            }),
        }
    }

    /// A clock whose calendar starts at `start` (`--clock-start`): tests that
    /// assert dates and schedules get the same ones on every run.
    pub fn starting_at(scale: f64, start: DateTime<Utc>) -> Self {
        let clock = Self::scaled(scale);
        let ahead = (start.min(DateTime::from_timestamp_millis(Self::LAST_MS).unwrap_or(start)) - Utc::now())
            .num_milliseconds();
        clock.shared.ahead_ms.store(ahead, Ordering::Relaxed);
        clock
    }

    pub fn scale(&self) -> f64 {
        self.shared.scale
    }

    /// Calendar time: the wall clock plus every advance so far, held at
    /// [`Clock::LAST_MS`] once an advance has taken it there.
    pub fn now(&self) -> DateTime<Utc> {
        let now = self.wall_now() + TimeDelta::milliseconds(self.ahead_ms());
        match DateTime::from_timestamp_millis(Self::LAST_MS) {
            Some(last) if now > last => last,
            _ => now,
        }
    }

    /// [`Clock::now`] in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// How far calendar time is ahead of the wall clock.
    pub fn ahead_ms(&self) -> i64 {
        self.shared.ahead_ms.load(Ordering::Relaxed)
    }

    /// Moves calendar time forward by `by` (never past [`Clock::LAST_MS`]) and
    /// wakes every sleeper. Time never goes back: a clock that did would fire
    /// schedules twice.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let most = self.most_ahead_ms();
        let _ = self
            .shared
            .ahead_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |a| {
                Some(a.saturating_add(ms).min(most.max(a)))
            });
        self.shared.advanced.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The last calendar time the clock reaches: the end of year 9999, far
    /// inside what dates can hold, so that no advance makes `now()` overflow.
    pub const LAST_MS: i64 = 253_402_300_799_999;

    /// How far ahead of the wall clock calendar time may be.
    fn most_ahead_ms(&self) -> i64 {
        Self::LAST_MS - self.wall_now().timestamp_millis()
    }

    /// The wall clock, on Tokio's time.
    fn wall_now(&self) -> DateTime<Utc> {
        let elapsed = TimeDelta::from_std(self.shared.origin.elapsed()).unwrap_or(TimeDelta::MAX);
        self.shared.origin_wall + elapsed
    }

    /// Moves calendar time forward to `at` (to the millisecond, rounded up so
    /// that `now() >= at` afterwards); false, and no move, if `at` has passed.
    pub fn advance_to(&self, at: DateTime<Utc>) -> bool {
        if at.timestamp_millis() > Self::LAST_MS {
            return false;
        }
        // The offset that puts the calendar at `at`, set in one step so that
        // two moves to the same time at once land there, not past it.
        let wall = self.wall_now();
        let Some(micros) = (at - wall).num_microseconds() else {
            return false;
        };
        let wanted = micros.div_euclid(1000) + i64::from(micros.rem_euclid(1000) != 0);
        let moved = self
            .shared
            .ahead_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |a| {
                (wanted >= a).then_some(wanted)
            });
        if moved.is_err() {
            return false;
        }
        self.shared.advanced.send_modify(|n| *n = n.wrapping_add(1));
        true
    }

    /// How long `d` of execution time lasts on this clock.
    pub fn real(&self, d: Duration) -> Duration {
        d.mul_f64(self.shared.scale)
    }

    /// Waits `d` of execution time: `real(d)` of real time, less whatever
    /// advances happen meanwhile.
    pub async fn sleep(&self, d: Duration) {
        self.sleep_scaled(d, self.real(d)).await;
    }

    /// Waits `d` of execution time that lasts `real` on the wall clock (a
    /// service with its own floor on scaled durations passes it here), cut
    /// short by advances as [`Clock::sleep`] is.
    pub async fn sleep_scaled(&self, d: Duration, real: Duration) {
        let mut advanced = self.shared.advanced.subscribe();
        let start_ahead = self.ahead_ms();
        let started = tokio::time::Instant::now();
        loop {
            let jumped = Duration::from_millis(u64::try_from(self.ahead_ms() - start_ahead).unwrap_or(0));
            if jumped >= d {
                return;
            }
            // What is left of `d` after the jumps, in the same proportion of `real`.
            let left = real.mul_f64((d - jumped).as_secs_f64() / d.as_secs_f64());
            let Some(wait) = left.checked_sub(started.elapsed()).filter(|w| !w.is_zero()) else {
                return;
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => return,
                changed = advanced.changed() => {
                    if changed.is_err() {
                        // The clock is gone with the server: nothing more will advance it.
                        tokio::time::sleep(wait).await;
                        return;
                    }
                }
            }
        }
    }

    /// Sleeps until `at` in execution time (a Wait state's Timestamp): the
    /// time left is scaled like any wait.
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        let left = (at - self.now()).to_std().unwrap_or_default();
        self.sleep(left).await;
    }

    /// Sleeps until calendar time reaches `at`, unscaled: schedules fire at
    /// their hour, or as soon as an advance passes it.
    pub async fn until(&self, at: DateTime<Utc>) {
        // The calendar stops at LAST_MS: a time past it never comes.
        if at.timestamp_millis() > Self::LAST_MS {
            return std::future::pending().await;
        }
        let mut advanced = self.shared.advanced.subscribe();
        loop {
            let Some(left) = (at - self.now()).to_std().ok().filter(|l| !l.is_zero()) else {
                return;
            };
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                changed = advanced.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(left).await;
                    }
                }
            }
        }
    }

    /// Resolves at the next advance (or never, once the clock is gone): a
    /// task that sleeps on its own terms selects on this to recount.
    pub async fn advanced(&self) {
        let mut advanced = self.shared.advanced.subscribe();
        if advanced.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_waits() {
        assert_eq!(Clock::scaled(0.0).real(Duration::from_secs(600)), Duration::ZERO);
        assert_eq!(Clock::scaled(0.5).real(Duration::from_secs(10)), Duration::from_secs(5));
        assert_eq!(Clock::scaled(-1.0).real(Duration::from_secs(3)), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn an_advance_ends_a_wait_it_covers() {
        let clock = Clock::scaled(1.0);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(600)).await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        clock.advance(Duration::from_secs(599));
        tokio::time::timeout(Duration::from_millis(10), sleeper)
            .await
            .expect("the advance covers the rest of the wait")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn an_advance_shortens_a_wait_it_does_not_cover() {
        let clock = Clock::scaled(1.0);
        let start = tokio::time::Instant::now();
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(100)).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(60));
        sleeper.await.unwrap();
        assert_eq!(start.elapsed().as_secs(), 40);
    }

    #[test]
    fn the_calendar_stops_at_the_end_of_9999() {
        let clock = Clock::scaled(1.0);
        for _ in 0..100 {
            clock.advance(Duration::from_secs(100_000_000_000));
        }
        assert_eq!(clock.now().format("%Y").to_string(), "9999");
        let at = clock.now() - TimeDelta::days(1);
        assert!(!clock.advance_to(at), "never back");
    }

    #[tokio::test(start_paused = true)]
    async fn until_waits_for_the_calendar() {
        let clock = Clock::scaled(0.0);
        let at = clock.now() + TimeDelta::hours(10);
        let start = tokio::time::Instant::now();
        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move { clock.until(at).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(9 * 3600));
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "an hour is left: a scale of 0 does not shorten calendar waits"
        );
        clock.advance(Duration::from_secs(3600));
        waiter.await.unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(clock.now() >= at);
    }
}
