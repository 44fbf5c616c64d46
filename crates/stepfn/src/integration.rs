//! The services a Task state can call. The crate knows none of them: the
//! root package implements [`Integrations`] by calling S3, Glue and Athena
//! in-process, and a mock-config file can stand in for it per test case.

use async_trait::async_trait;
use serde_json::Value;

/// How a Task waits for its service, from the resource ARN's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Call and take the answer.
    RequestResponse,
    /// `.sync` (and `.sync:2`): run the job to its end.
    Sync,
    /// `.waitForTaskToken`: call, then wait for SendTaskSuccess/Failure.
    WaitForTaskToken,
}

/// A Task resource, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `arn:aws:states:::<service>:<action>[.sync|.waitForTaskToken]`, an optimized integration.
    Optimized {
        service: String,
        action: String,
        pattern: Pattern,
        sync2: bool,
    },
    /// `arn:aws:states:::aws-sdk:<service>:<action>[...]`, an AWS SDK integration.
    Sdk {
        service: String,
        action: String,
        pattern: Pattern,
    },
    /// `arn:aws:states:<region>:<account>:activity:<name>`.
    Activity { arn: String },
    /// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`,
    /// the legacy way to invoke a function: the Task's result is the
    /// function's own answer.
    Function { arn: String },
    /// Anything else.
    Other { arn: String },
}

impl Resource {
    pub fn parse(arn: &str) -> Self {
        let other = || Resource::Other { arn: arn.to_owned() };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() == 6 && parts[0] == "arn" && parts[2] == "lambda" && parts[5].starts_with("function:") {
            return Resource::Function { arn: arn.to_owned() };
        }
        if parts.len() < 6 || parts[0] != "arn" || parts[2] != "states" {
            return other();
        }
        if parts[5].starts_with("activity:") {
            return Resource::Activity { arn: arn.to_owned() };
        }
        if !parts[3].is_empty() || !parts[4].is_empty() {
            return other();
        }
        let (rest, pattern, sync2) = split_pattern(parts[5]);
        match rest.split_once(':') {
            Some(("aws-sdk", tail)) => match tail.split_once(':') {
                Some((service, action)) => Resource::Sdk {
                    service: service.to_owned(),
                    action: action.to_owned(),
                    pattern,
                },
                None => other(),
            },
            Some((service, action)) => Resource::Optimized {
                service: service.to_owned(),
                action: action.to_owned(),
                pattern,
                sync2,
            },
            None => other(),
        }
    }
}

fn split_pattern(s: &str) -> (&str, Pattern, bool) {
    if let Some(r) = s.strip_suffix(".sync:2") {
        (r, Pattern::Sync, true)
    } else if let Some(r) = s.strip_suffix(".sync") {
        (r, Pattern::Sync, false)
    } else if let Some(r) = s.strip_suffix(".waitForTaskToken") {
        (r, Pattern::WaitForTaskToken, false)
    } else {
        (s, Pattern::RequestResponse, false)
    }
}

/// A Task failure as Step Functions reports it: an error name such as
/// `Athena.InvalidRequestException` or `States.TaskFailed`, and a cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    pub error: String,
    pub cause: String,
}

impl TaskError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// The services behind Task states. `call` answers request/response calls;
/// `run_to_end` serves `.sync` for the services that have it (the caller
/// has already checked the service supports it).
#[async_trait]
pub trait Integrations: Send + Sync {
    async fn call(&self, resource: &Resource, parameters: Value) -> Result<Value, TaskError>;

    /// A `.sync` task's wait: `started` is what `call` answered for
    /// `parameters`; the answer is the task's result when the job has ended.
    async fn run_to_end(&self, resource: &Resource, parameters: &Value, started: Value) -> Result<Value, TaskError>;

    /// Writes an ended execution's log events (epoch ms, message) to a
    /// CloudWatch Logs group and stream, when its machine logs; without
    /// CloudWatch Logs they are dropped.
    fn log(&self, group: &str, stream: &str, events: Vec<(i64, String)>) {
        let _ = (group, stream, events);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_resource_forms() {
        assert_eq!(
            Resource::parse("arn:aws:states:::athena:startQueryExecution.sync"),
            Resource::Optimized {
                service: "athena".into(),
                action: "startQueryExecution".into(),
                pattern: Pattern::Sync,
                sync2: false
            }
        );
        assert_eq!(
            Resource::parse("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            Resource::Function {
                arn: "arn:aws:lambda:us-east-1:123456789012:function:f:live".into()
            }
        );
        assert_eq!(
            Resource::parse("arn:aws:states:::aws-sdk:glue:startCrawler"),
            Resource::Sdk {
                service: "glue".into(),
                action: "startCrawler".into(),
                pattern: Pattern::RequestResponse
            }
        );
        assert_eq!(
            Resource::parse("arn:aws:states:::states:startExecution.sync:2"),
            Resource::Optimized {
                service: "states".into(),
                action: "startExecution".into(),
                pattern: Pattern::Sync,
                sync2: true
            }
        );
        assert!(matches!(
            Resource::parse("arn:aws:states:us-east-1:000000000000:activity:work"),
            Resource::Activity { .. }
        ));
        assert!(matches!(
            Resource::parse("arn:aws:lambda:us-east-1:000000000000:layer:f"),
            Resource::Other { .. }
        ));
    }
}
