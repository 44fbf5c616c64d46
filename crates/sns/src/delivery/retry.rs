//! When a failed delivery is tried again, as AWS documents it
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html>):
//! AWS-managed endpoints (SQS, Lambda, Firehose) get 3 immediate retries, 2
//! a second apart, 10 backing off from 1 to 20 seconds, then up to 100,000
//! every 20 seconds (23 days in all); HTTP/S endpoints follow the effective
//! delivery policy (by default 3 retries 20 seconds apart), which AWS
//! bounds at 100 retries of at most an hour each. Delays are service time:
//! the caller turns them into real time on the clock.

use std::time::Duration;

use serde_json::Value;

/// AWS's schedule for SQS, Lambda and Firehose: the delay before retry
/// `n` (1-based), or none when retries are exhausted.
pub(crate) fn aws_managed(n: u32) -> Option<Duration> {
    const IMMEDIATE: u32 = 3;
    const PRE_BACKOFF: u32 = 2;
    const BACKOFF: u32 = 10;
    const POST_BACKOFF: u32 = 100_000;
    let secs = match n {
        0 => return None,
        n if n <= IMMEDIATE => 0.0,
        n if n <= IMMEDIATE + PRE_BACKOFF => 1.0,
        n if n <= IMMEDIATE + PRE_BACKOFF + BACKOFF => {
            let k = f64::from(n - IMMEDIATE - PRE_BACKOFF - 1);
            20f64.powf(k / f64::from(BACKOFF - 1))
        }
        n if n <= IMMEDIATE + PRE_BACKOFF + BACKOFF + POST_BACKOFF => 20.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

/// The HTTP/S retry policy in effect for a subscription: its own
/// `healthyRetryPolicy`, else its topic's `http.defaultHealthyRetryPolicy`,
/// else AWS's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HttpPolicy {
    pub min_delay: u32,
    pub max_delay: u32,
    pub num_retries: u32,
    pub no_delay: u32,
    pub min_delay_retries: u32,
    pub max_delay_retries: u32,
    pub backoff: Backoff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backoff {
    Linear,
    Arithmetic,
    Geometric,
    Exponential,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        Self {
            min_delay: 20,
            max_delay: 20,
            num_retries: 3,
            no_delay: 0,
            min_delay_retries: 0,
            max_delay_retries: 0,
            backoff: Backoff::Linear,
        }
    }
}

impl HttpPolicy {
    /// Reads a `healthyRetryPolicy` object over the defaults, clamped to
    /// AWS's bounds so that no policy can schedule without end.
    pub fn from_json(v: Option<&Value>) -> Self {
        let mut p = Self::default();
        let Some(Value::Object(m)) = v else { return p };
        let num = |k: &str, max: u64| m.get(k).and_then(Value::as_u64).map(|n| n.min(max) as u32);
        if let Some(n) = num("minDelayTarget", 3600) {
            p.min_delay = n.max(1);
        }
        if let Some(n) = num("maxDelayTarget", 3600) {
            p.max_delay = n.max(1);
        }
        p.max_delay = p.max_delay.max(p.min_delay);
        if let Some(n) = num("numRetries", 100) {
            p.num_retries = n;
        }
        p.no_delay = num("numNoDelayRetries", 100).unwrap_or(0);
        p.min_delay_retries = num("numMinDelayRetries", 100).unwrap_or(0);
        p.max_delay_retries = num("numMaxDelayRetries", 100).unwrap_or(0);
        p.backoff = match m.get("backoffFunction").and_then(Value::as_str) {
            Some("arithmetic") => Backoff::Arithmetic,
            Some("geometric") => Backoff::Geometric,
            Some("exponential") => Backoff::Exponential,
            _ => Backoff::Linear,
        };
        p
    }

    /// The delay before retry `n` (1-based), or none when exhausted: the
    /// no-delay retries, then those at the minimum delay, then the backoff
    /// phase from the minimum to the maximum, then those at the maximum.
    pub fn delay(&self, n: u32) -> Option<Duration> {
        if n == 0 || n > self.num_retries {
            return None;
        }
        let (min, max) = (f64::from(self.min_delay), f64::from(self.max_delay));
        let fixed = self.no_delay + self.min_delay_retries + self.max_delay_retries;
        let backoff = self.num_retries.saturating_sub(fixed);
        let secs = if n <= self.no_delay {
            0.0
        } else if n <= self.no_delay + self.min_delay_retries {
            min
        } else if n <= self.no_delay + self.min_delay_retries + backoff {
            let k = n - self.no_delay - self.min_delay_retries;
            let t = if backoff <= 1 {
                1.0
            } else {
                f64::from(k - 1) / f64::from(backoff - 1)
            };
            match self.backoff {
                Backoff::Linear => min + (max - min) * t,
                Backoff::Arithmetic => min + (max - min) * t * t,
                Backoff::Geometric => min * (max / min).powf(t),
                Backoff::Exponential => min + (max - min) * (2f64.powf(t * 10.0) - 1.0) / 1023.0,
            }
        } else {
            max
        };
        Some(Duration::from_secs_f64(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aws_managed_endpoints_follow_awss_phases() {
        let s = |n| aws_managed(n).map(|d| d.as_secs_f64());
        assert_eq!((s(1), s(3)), (Some(0.0), Some(0.0)));
        assert_eq!((s(4), s(5)), (Some(1.0), Some(1.0)));
        assert_eq!(s(6), Some(1.0));
        assert!((s(15).unwrap() - 20.0).abs() < 1e-9);
        assert_eq!(s(16), Some(20.0));
        assert_eq!(s(100_015), Some(20.0));
        assert_eq!(s(100_016), None);
    }

    #[test]
    fn http_policies_default_to_three_retries_twenty_seconds_apart() {
        let p = HttpPolicy::from_json(None);
        assert_eq!(
            (1..=4).map(|n| p.delay(n).map(|d| d.as_secs())).collect::<Vec<_>>(),
            [Some(20), Some(20), Some(20), None]
        );
        let q = HttpPolicy::from_json(Some(&json!({
            "minDelayTarget": 1, "maxDelayTarget": 9, "numRetries": 6, "numNoDelayRetries": 1,
            "numMinDelayRetries": 1, "numMaxDelayRetries": 1, "backoffFunction": "linear"
        })));
        assert_eq!(
            (1..=7).map(|n| q.delay(n).map(|d| d.as_secs())).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(1), Some(5), Some(9), Some(9), None]
        );
        let huge = HttpPolicy::from_json(Some(&json!({"numRetries": 1_000_000, "maxDelayTarget": 99999})));
        assert_eq!((huge.num_retries, huge.max_delay), (100, 3600));
    }
}
