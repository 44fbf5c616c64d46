//! The Step Functions API edge: awsJson 1.0 (`X-Amz-Target:
//! AWSStepFunctions.<Op>`), camelCase members, epoch-second timestamps.
//! Each operation's input is read once into its typed request
//! ([`dto`]), handled by the module named after what it does, and answered
//! with its typed response.

mod activities;
mod dto;
mod executions;
mod machines;
mod map_runs;
mod members;
mod tags;
mod tasks;
mod test_state;

use std::sync::Arc;

use async_trait::async_trait;
use http::StatusCode;
use lakestack_aws_protocol::{AwsError, Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};

use crate::error::StepFnError;
use crate::service::StepFunctions;

lakestack_aws_protocol::operations! {
    /// The Step Functions operations lakestack implements.
    pub enum StatesOp {
        CreateStateMachine,
        DescribeStateMachine,
        UpdateStateMachine,
        DeleteStateMachine,
        ListStateMachines,
        ValidateStateMachineDefinition,
        StartExecution,
        StartSyncExecution,
        DescribeExecution,
        DescribeStateMachineForExecution,
        StopExecution,
        RedriveExecution,
        ListExecutions,
        GetExecutionHistory,
        TestState,
        DescribeMapRun,
        ListMapRuns,
        CreateActivity,
        DescribeActivity,
        ListActivities,
        DeleteActivity,
        GetActivityTask,
        SendTaskSuccess,
        SendTaskFailure,
        SendTaskHeartbeat,
        TagResource,
        UntagResource,
        ListTagsForResource,
    }
}

/// The Step Functions error code of each service error.
impl AwsError for StepFnError {
    fn code(&self) -> &'static str {
        match self {
            StepFnError::InvalidArn(_) => "InvalidArn",
            StepFnError::InvalidName(_) => "InvalidName",
            StepFnError::InvalidDefinition(_) => "InvalidDefinition",
            StepFnError::InvalidExecutionInput(_) => "InvalidExecutionInput",
            StepFnError::InvalidToken(_) => "InvalidToken",
            StepFnError::InvalidOutput(_) => "InvalidOutput",
            StepFnError::Validation(_) => "ValidationException",
            StepFnError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            StepFnError::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            StepFnError::StateMachineTypeNotSupported(_) => "StateMachineTypeNotSupported",
            StepFnError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            StepFnError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            StepFnError::ExecutionNotRedrivable(_) => "ExecutionNotRedrivable",
            StepFnError::ActivityDoesNotExist(_) => "ActivityDoesNotExist",
            StepFnError::TaskDoesNotExist(_) => "TaskDoesNotExist",
            StepFnError::TaskTimedOut(_) => "TaskTimedOut",
            StepFnError::ResourceNotFound(_) => "ResourceNotFound",
            StepFnError::TooManyTags(_) => "TooManyTags",
            StepFnError::Internal(_) => "InternalServerError",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            StepFnError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Step Functions: awsJson 1.0 under `AWSStepFunctions`, signing name
/// `states`. A member of the wrong JSON type is a SerializationException,
/// as the service's deserializer answers it (a missing required member is
/// the ValidationException the handlers raise); a token it did not write is
/// InvalidToken, naming it. Its model has no internal-error shape, so a 500
/// is AWS's common InternalFailure.
pub static SPEC: ServiceSpec = ServiceSpec {
    name: "stepfunctions",
    title: "Step Functions",
    signing_name: "states",
    protocols: &[Protocol::AwsJson1_0],
    target_prefix: Some("AWSStepFunctions"),
    invalid_input_code: "SerializationException",
    violation_code: "ValidationException",
    invalid_token: ("InvalidToken", "Invalid Token: '{token}'"),
    ..DEFAULT
};

/// Serves the Step Functions JSON API.
#[derive(Clone)]
pub struct StepFunctionsApi {
    service: Arc<StepFunctions>,
}

impl StepFunctionsApi {
    pub fn new(service: Arc<StepFunctions>) -> Self {
        Self { service }
    }

    pub fn service(&self) -> &Arc<StepFunctions> {
        &self.service
    }
}

#[async_trait]
impl Service for StepFunctionsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        use StatesOp as Op;
        let s = &*self.service;
        match call.operation::<StatesOp>()? {
            Op::CreateStateMachine => machines::create(s, call.input()?),
            Op::DescribeStateMachine => machines::describe(s, call.input()?),
            Op::UpdateStateMachine => machines::update(s, call.input()?),
            Op::DeleteStateMachine => machines::delete(s, call.input()?),
            Op::ListStateMachines => machines::list(s, call.input()?),
            Op::ValidateStateMachineDefinition => machines::validate(call.input()?),
            Op::StartExecution => executions::start(s, call.input()?),
            Op::StartSyncExecution => executions::start_sync(s, call.input()?).await,
            Op::DescribeExecution => executions::describe(s, call.input()?),
            Op::DescribeStateMachineForExecution => executions::describe_machine(s, call.input()?),
            Op::StopExecution => executions::stop(s, call.input()?),
            Op::RedriveExecution => executions::redrive(s, call.input()?),
            Op::ListExecutions => executions::list(s, call.input()?),
            Op::GetExecutionHistory => executions::history(s, call.input()?),
            Op::TestState => test_state::run(s, call.input()?).await,
            Op::DescribeMapRun => map_runs::describe(s, call.input()?),
            Op::ListMapRuns => map_runs::list(s, call.input()?),
            Op::CreateActivity => activities::create(s, call.input()?),
            Op::DescribeActivity => activities::describe(s, call.input()?),
            Op::ListActivities => activities::list(s, call.input()?),
            Op::DeleteActivity => activities::delete(s, call.input()?),
            Op::GetActivityTask => activities::get_task(s, call.input()?).await,
            Op::SendTaskSuccess => tasks::send_success(s, call.input()?),
            Op::SendTaskFailure => tasks::send_failure(s, call.input()?),
            Op::SendTaskHeartbeat => tasks::send_heartbeat(s, call.input()?),
            Op::TagResource => tags::tag(s, call.input()?),
            Op::UntagResource => tags::untag(s, call.input()?),
            Op::ListTagsForResource => tags::list(s, call.input()?),
        }
    }
}

#[cfg(test)]
mod tests;
