//! The retry loop EventBridge's targets and EventBridge Scheduler's share:
//! try again with exponential backoff on the server's clock until an attempt
//! works, one fails for good, or the target's RetryPolicy runs out (too many
//! attempts, or the event too old). Each service then names the failure in
//! its own words for its dead-letter queue.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lakestack_aws_protocol::{Clock, DeliveryError};

use crate::model::RetryPolicy;

/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// One attempt at a delivery. Boxed so that a caller's closure can lend
/// the attempt what it borrows, and the retry loop can still be spawned.
pub(crate) type Attempt<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// Why a delivery did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The target refused it for good (rather than the policy running out).
    pub permanent: bool,
    pub message: String,
    /// `MaximumRetryAttempts` or `MaximumEventAgeInSeconds`, when the
    /// policy ran out on a failure that retrying might have cured.
    pub exhausted: Option<&'static str>,
    /// Attempts after the first.
    pub retries: u32,
}

impl Failure {
    fn permanent(message: String, retries: u32) -> Self {
        Self {
            permanent: true,
            message,
            exhausted: None,
            retries,
        }
    }
}

/// Makes the first attempt, then retries as [`retry`] does. `attempt` gets
/// the attempt's number, from 1.
pub(crate) async fn deliver<'a>(
    clock: &Clock,
    policy: RetryPolicy,
    since_ms: i64,
    mut attempt: impl FnMut(u32) -> Attempt<'a>,
) -> Result<(), Failure> {
    match attempt(1).await {
        Ok(()) => Ok(()),
        Err(DeliveryError::Permanent(e)) => Err(Failure::permanent(e, 0)),
        Err(DeliveryError::Transient(e)) => retry(clock, policy, since_ms, e, attempt).await,
    }
}

/// Retries a delivery whose first attempt failed transiently with
/// `first_error`, until it works or `policy` runs out; the event's age
/// counts from `since_ms`. `attempt` gets the attempt's number (2 for the
/// first retry).
pub(crate) async fn retry<'a>(
    clock: &Clock,
    policy: RetryPolicy,
    since_ms: i64,
    first_error: String,
    mut attempt: impl FnMut(u32) -> Attempt<'a>,
) -> Result<(), Failure> {
    let mut last = first_error;
    let mut attempts = 1u32;
    let mut backoff = Duration::from_secs(1);
    loop {
        let exhausted = if attempts > policy.max_attempts {
            Some("MaximumRetryAttempts")
        } else if clock.now_ms() - since_ms >= i64::from(policy.max_age_secs) * 1000 {
            Some("MaximumEventAgeInSeconds")
        } else {
            None
        };
        if exhausted.is_some() {
            return Err(Failure {
                permanent: false,
                message: last,
                exhausted,
                retries: attempts - 1,
            });
        }
        clock.sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        // The wait may have outlived the event (a clock advance, a long backoff).
        if clock.now_ms() - since_ms >= i64::from(policy.max_age_secs) * 1000 {
            return Err(Failure {
                permanent: false,
                message: last,
                exhausted: Some("MaximumEventAgeInSeconds"),
                retries: attempts - 1,
            });
        }
        match attempt(attempts + 1).await {
            Ok(()) => return Ok(()),
            Err(DeliveryError::Permanent(e)) => return Err(Failure::permanent(e, attempts)),
            Err(DeliveryError::Transient(e)) => {
                last = e;
                attempts += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_until_the_policy_runs_out() {
        let clock = Clock::scaled(0.0);
        let policy = RetryPolicy {
            max_attempts: 2,
            max_age_secs: 86_400,
        };
        let seen = std::sync::Mutex::new(Vec::new());
        let got = deliver(&clock, policy, clock.now_ms(), |n| {
            seen.lock().unwrap().push(n);
            Box::pin(async move { Err(DeliveryError::Transient(format!("busy {n}"))) })
        })
        .await;
        assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);
        assert_eq!(
            got,
            Err(Failure {
                permanent: false,
                message: "busy 3".into(),
                exhausted: Some("MaximumRetryAttempts"),
                retries: 2,
            })
        );
        let mut calls = 0;
        let got = deliver(&clock, policy, clock.now_ms(), |n| {
            calls += 1;
            Box::pin(async move {
                if n == 1 {
                    Err(DeliveryError::Transient("busy".into()))
                } else {
                    Err(DeliveryError::Permanent("gone".into()))
                }
            })
        })
        .await;
        assert_eq!(calls, 2);
        assert_eq!(got, Err(Failure::permanent("gone".into(), 1)));
        let old = clock.now_ms() - 120_000;
        let short = RetryPolicy {
            max_attempts: 185,
            max_age_secs: 60,
        };
        let got = deliver(&clock, short, old, |_| {
            Box::pin(async { Err(DeliveryError::Transient("x".into())) })
        })
        .await;
        assert_eq!(got.unwrap_err().exhausted, Some("MaximumEventAgeInSeconds"));
    }
}
