//! What Glue checks in a job definition and in a run's overrides.

use lakestack_aws_protocol::validation::Violation;

use crate::error::{CatalogError, Result};
use crate::model::{JOB_COMMANDS, Job};
use crate::names;

/// Glue's ceiling on a timeout: "Jobs must have timeout values less than 7
/// days or 10080 minutes. Otherwise, the jobs will throw an exception."
const MAX_TIMEOUT_MINUTES: i32 = 10_080;

fn invalid(message: impl Into<String>) -> CatalogError {
    CatalogError::InvalidInput(message.into())
}

pub fn job(j: &Job) -> Result<()> {
    names::check(&j.name, "name")?;
    if j.role.is_empty() {
        return Err(CatalogError::invalid(Violation::null("role")));
    }
    let kind = j.command.name.as_str();
    if !JOB_COMMANDS.contains(&kind) {
        return Err(invalid(format!(
            "Command name should be one of: {}",
            JOB_COMMANDS.join(", ")
        )));
    }
    timeout(j.timeout)?;
    if j.max_retries < 0 {
        return Err(CatalogError::invalid(Violation::at_least(
            "maxRetries",
            j.max_retries,
            0,
        )));
    }
    if let Some(n) = j.max_concurrent_runs
        && n < 1
    {
        return Err(CatalogError::invalid(Violation::at_least(
            "executionProperty.maxConcurrentRuns",
            n,
            1,
        )));
    }
    if let Some(n) = j.notify_delay_after
        && n < 1
    {
        return Err(CatalogError::invalid(Violation::at_least(
            "notificationProperty.notifyDelayAfter",
            n,
            1,
        )));
    }
    capacity(kind, j.max_capacity, j.worker_type.as_deref(), j.number_of_workers)
}

/// A timeout in minutes: at least 1 (the model's bound), at most 7 days.
pub fn timeout(minutes: Option<i32>) -> Result<()> {
    match minutes {
        Some(t) if t < 1 => Err(CatalogError::invalid(Violation::at_least("timeout", t, 1))),
        Some(t) if t > MAX_TIMEOUT_MINUTES => Err(invalid(format!(
            "Timeout should be less than or equal to {MAX_TIMEOUT_MINUTES} minutes (7 days), got {t}"
        ))),
        _ => Ok(()),
    }
}

/// Glue's rules on capacity: `MaxCapacity` or `WorkerType` with
/// `NumberOfWorkers`, never both; a Python shell job takes 0.0625 or 1 DPU
/// and no workers; a Spark job 2 to 100 whole DPUs.
pub fn capacity(kind: &str, max_capacity: Option<f64>, worker_type: Option<&str>, workers: Option<i32>) -> Result<()> {
    if worker_type.is_some() != workers.is_some() {
        return Err(invalid(
            "Both WorkerType and NumberOfWorkers should be specified together.",
        ));
    }
    if max_capacity.is_some() && worker_type.is_some() {
        return Err(invalid(
            "Please set either MaxCapacity, or WorkerType and NumberOfWorkers, not both.",
        ));
    }
    if let Some(n) = workers
        && n < 1
    {
        return Err(CatalogError::invalid(Violation::at_least("numberOfWorkers", n, 1)));
    }
    match kind {
        "pythonshell" => {
            if worker_type.is_some() {
                return Err(invalid(
                    "WorkerType and NumberOfWorkers are not supported for pythonshell jobs: set MaxCapacity to 0.0625 or 1.",
                ));
            }
            if let Some(c) = max_capacity
                && c != 0.0625
                && c != 1.0
            {
                return Err(invalid(format!(
                    "MaxCapacity should be 0.0625 or 1 for pythonshell jobs, got {c}"
                )));
            }
        }
        "glueetl" | "gluestreaming" => {
            if let Some(c) = max_capacity
                && (c.fract() != 0.0 || !(2.0..=100.0).contains(&c))
            {
                return Err(invalid(format!(
                    "MaxCapacity should be a whole number of DPUs from 2 to 100 for {kind} jobs, got {c}"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobCommand;

    fn shell() -> Job {
        Job {
            name: "j".into(),
            role: "r".into(),
            command: JobCommand {
                name: "pythonshell".into(),
                ..JobCommand::default()
            },
            ..Job::default()
        }
    }

    #[test]
    fn python_shell_capacity() {
        assert!(job(&shell()).is_ok());
        for ok in [0.0625, 1.0] {
            assert!(
                job(&Job {
                    max_capacity: Some(ok),
                    ..shell()
                })
                .is_ok()
            );
        }
        assert!(
            job(&Job {
                max_capacity: Some(2.0),
                ..shell()
            })
            .is_err()
        );
        let workers = Job {
            worker_type: Some("G.1X".into()),
            number_of_workers: Some(2),
            ..shell()
        };
        assert!(job(&workers).is_err());
    }

    #[test]
    fn timeouts_and_kinds() {
        assert!(
            job(&Job {
                timeout: Some(10_080),
                ..shell()
            })
            .is_ok()
        );
        assert!(
            job(&Job {
                timeout: Some(10_081),
                ..shell()
            })
            .is_err()
        );
        assert_eq!(
            job(&Job {
                timeout: Some(0),
                ..shell()
            })
            .unwrap_err()
            .to_string(),
            "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let mut spark = shell();
        spark.command.name = "glue".into();
        assert!(job(&spark).is_err());
        spark.command.name = "glueetl".into();
        assert!(
            job(&Job {
                max_capacity: Some(2.5),
                ..spark.clone()
            })
            .is_err()
        );
        assert!(
            job(&Job {
                max_capacity: Some(10.0),
                ..spark
            })
            .is_ok()
        );
    }
}
