//! Retry and Catch: which rule an error matches, and how long a retry waits.

use std::time::Duration;

use rand::Rng;

use super::{Failure, Halt, Run};
use crate::asl::{Catcher, JitterStrategy, Retrier, STATES_ALL};

/// Whether an `ErrorEquals` list names `error`. `States.ALL` matches every
/// error but the terminal ones; `States.TaskFailed` every error but a timeout.
pub fn names(error_equals: &[String], error: &str) -> bool {
    error_equals.iter().any(|e| match e.as_str() {
        STATES_ALL => !matches!(error, "States.Runtime" | "States.DataLimitExceeded"),
        "States.TaskFailed" => !matches!(
            error,
            "States.Timeout" | "States.HeartbeatTimeout" | "States.Runtime" | "States.DataLimitExceeded"
        ),
        other => other == error,
    })
}

/// The first catcher that names the failure.
pub fn catcher<'a>(catchers: &'a [Catcher], f: &Failure) -> Option<&'a Catcher> {
    catchers.iter().find(|c| names(&c.error_equals, &f.error))
}

/// The first retrier that names the failure, with its position (each
/// retrier counts its own attempts).
pub fn retrier<'a>(retriers: &'a [Retrier], f: &Failure) -> Option<(usize, &'a Retrier)> {
    retriers
        .iter()
        .enumerate()
        .find(|(_, r)| names(&r.error_equals, &f.error))
}

/// Whether to try again after `f`: sleeps the retrier's delay and counts
/// the attempt (`attempts` holds one count per retrier).
pub async fn again(run: &Run, retriers: &[Retrier], attempts: &mut [u64], f: &Failure) -> Result<bool, Halt> {
    let Some((i, r)) = retrier(retriers, f) else {
        return Ok(false);
    };
    if attempts[i] >= r.max_attempts() {
        return Ok(false);
    }
    run.sleep(delay(r, attempts[i])).await?;
    attempts[i] += 1;
    Ok(true)
}

/// A failed expression (a failure with a location) is the state's error,
/// which its Retry may take: Ok to run the state again. Any other halt, or
/// a failure no retrier takes, stands.
pub async fn query_again(run: &Run, retriers: &[Retrier], attempts: &mut [u64], h: Halt) -> Result<(), Halt> {
    match h {
        Halt::Failed(f) if f.location.is_some() => {
            if again(run, retriers, attempts, &f).await? {
                Ok(())
            } else {
                Err(Halt::Failed(f))
            }
        }
        other => Err(other),
    }
}

/// How long retry number `attempt` (0 for the first) waits.
pub fn delay(r: &Retrier, attempt: u64) -> Duration {
    let base = r.interval_seconds() as f64 * r.backoff_rate().powi(attempt.min(1000) as i32);
    let capped = match r.max_delay_seconds {
        Some(max) => base.min(max as f64),
        None => base,
    };
    let secs = match r.jitter_strategy() {
        JitterStrategy::Full => rand::rng().random_range(0.0..=capped.max(0.0)),
        JitterStrategy::None => capped,
    };
    Duration::from_secs_f64(secs.clamp(0.0, 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn wildcards_leave_out_terminal_errors() {
        assert!(names(&list(&["States.ALL"]), "Athena.InvalidRequestException"));
        assert!(names(&list(&["States.ALL"]), "States.Timeout"));
        assert!(!names(&list(&["States.ALL"]), "States.Runtime"));
        assert!(names(&list(&["States.TaskFailed"]), "Glue.EntityNotFoundException"));
        assert!(!names(&list(&["States.TaskFailed"]), "States.Timeout"));
        assert!(names(&list(&["MyError", "Other"]), "Other"));
        assert!(!names(&list(&["MyError"]), "myerror"));
    }

    #[test]
    fn delays_back_off_and_cap() {
        let r = Retrier {
            comment: None,
            error_equals: list(&["States.ALL"]),
            interval_seconds: Some(2),
            max_attempts: Some(5),
            backoff_rate: Some(3.0),
            max_delay_seconds: Some(10),
            jitter_strategy: None,
        };
        assert_eq!(delay(&r, 0), Duration::from_secs(2));
        assert_eq!(delay(&r, 1), Duration::from_secs(6));
        assert_eq!(delay(&r, 2), Duration::from_secs(10));
    }
}
