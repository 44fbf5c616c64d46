//! The server's one clock. Every timer a service keeps (Step Functions'
//! waits, timeouts, heartbeats and retry intervals; Lambda's retries of
//! asynchronous invocations and its idle processes; log retention) goes
//! through [`Clock`], so a pipeline with a ten-minute Wait runs in
//! milliseconds when the server is started with a wait scale of 0
//! (`--wait-time-scale` / `LAKESTACK_WAIT_TIME_SCALE`, as `WAIT_TIME_SCALE`
//! in the AWS local tool), and tests can drive time themselves.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wall-clock time plus sleeping scaled by a factor.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    scale: f64,
}

impl Default for Clock {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

impl Clock {
    /// `scale` multiplies every wait: 0 makes waits instant, 0.01 a
    /// hundred times shorter. Negative or NaN counts as 1.
    pub fn scaled(scale: f64) -> Self {
        Self {
            scale: if scale.is_finite() && scale >= 0.0 { scale } else { 1.0 },
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// How long `d` of execution time lasts on this clock.
    pub fn real(&self, d: Duration) -> Duration {
        d.mul_f64(self.scale)
    }

    pub async fn sleep(&self, d: Duration) {
        let real = self.real(d);
        if !real.is_zero() {
            tokio::time::sleep(real).await;
        }
    }

    /// Sleeps until `at` in execution time (a Wait state's Timestamp).
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        let left = (at - self.now()).to_std().unwrap_or_default();
        self.sleep(left).await;
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
}
