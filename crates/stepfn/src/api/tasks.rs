//! Task tokens, of activity tasks and of `.waitForTaskToken` callbacks:
//! a worker reports success, failure or that it is still at work.

use lakestack_aws_protocol::Output;
use serde_json::Value;

use super::SPEC;
use super::dto::{SendTaskFailureInput, SendTaskHeartbeatInput, SendTaskSuccessInput};
use super::members::Answer;
use crate::error::StepFnError;
use crate::exec::Failure;
use crate::service::StepFunctions;

pub(super) fn send_success(s: &StepFunctions, req: SendTaskSuccessInput) -> Answer {
    let output: Value = serde_json::from_str(SPEC.required(req.output.as_deref(), "output")?)
        .map_err(|e| StepFnError::InvalidOutput(format!("Invalid Output: '{e}'")))?;
    s.complete_task(SPEC.required(req.task_token.as_deref(), "taskToken")?, Ok(output))?;
    Ok(Output::empty_members())
}

pub(super) fn send_failure(s: &StepFunctions, req: SendTaskFailureInput) -> Answer {
    let failure = Failure::new(req.error.unwrap_or_default(), req.cause.unwrap_or_default());
    s.complete_task(SPEC.required(req.task_token.as_deref(), "taskToken")?, Err(failure))?;
    Ok(Output::empty_members())
}

pub(super) fn send_heartbeat(s: &StepFunctions, req: SendTaskHeartbeatInput) -> Answer {
    s.heartbeat(SPEC.required(req.task_token.as_deref(), "taskToken")?)?;
    Ok(Output::empty_members())
}
