//! Executions: start them (and wait for an EXPRESS one), describe, stop,
//! redrive and list them, and read their history.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::Violation;

use super::SPEC;
use super::dto::{
    BillingDetails, DataDetails, DescribeExecutionOutput, DescribeStateMachineForExecutionOutput, ExecutionArnInput,
    ExecutionListItem, GetExecutionHistoryInput, GetExecutionHistoryOutput, ListExecutionsInput, ListExecutionsOutput,
    RedriveExecutionOutput, StartExecutionInput, StartExecutionOutput, StopExecutionInput, StopExecutionOutput,
};
use super::members::{Answer, ascending_number, descending_number, descending_text, execution_input, page};
use crate::history::HistoryEvent;
use crate::records::Execution;
use crate::service::StepFunctions;

/// ListExecutions' `statusFilter` values, in the order AWS's message lists them.
const STATUSES: [&str; 6] = [
    "SUCCEEDED",
    "TIMED_OUT",
    "PENDING_REDRIVE",
    "ABORTED",
    "FAILED",
    "RUNNING",
];

pub(super) fn start(s: &StepFunctions, req: StartExecutionInput) -> Answer {
    let e = s.start(
        SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?,
        req.name,
        execution_input(req.input)?,
    )?;
    Output::of(&StartExecutionOutput {
        execution_arn: e.arn,
        start_date: e.start_ms,
    })
}

pub(super) async fn start_sync(s: &StepFunctions, req: StartExecutionInput) -> Answer {
    let e = s
        .start_sync(
            SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?,
            req.name,
            execution_input(req.input)?,
        )
        .await?;
    Output::of(&DescribeExecutionOutput {
        redrive_count: None,
        redrive_status: None,
        billing_details: Some(BillingDetails {
            billed_memory_used_in_mb: 64,
            billed_duration_in_milliseconds: 100,
        }),
        ..described(e)
    })
}

pub(super) fn describe(s: &StepFunctions, req: ExecutionArnInput) -> Answer {
    let e = s.execution(SPEC.required(req.execution_arn.as_deref(), "executionArn")?)?;
    Output::of(&described(e))
}

fn described(e: Execution) -> DescribeExecutionOutput {
    let redrivable = matches!(e.status.as_str(), "FAILED" | "ABORTED" | "TIMED_OUT");
    let not_redrivable_reason = (e.kind == "EXPRESS" || matches!(e.status.as_str(), "RUNNING" | "SUCCEEDED"))
        .then(|| format!("Execution is {} and cannot be redriven", e.status));
    DescribeExecutionOutput {
        execution_arn: e.arn,
        state_machine_arn: e.state_machine_arn,
        name: e.name,
        status: e.status,
        start_date: e.start_ms,
        input: e.input,
        input_details: DataDetails::INCLUDED,
        redrive_count: Some(e.redrive_count),
        redrive_status: Some(if redrivable { "REDRIVABLE" } else { "NOT_REDRIVABLE" }),
        stop_date: e.stop_ms,
        redrive_date: e.redrive_ms,
        redrive_status_reason: not_redrivable_reason,
        output_details: e.output.as_ref().map(|_| DataDetails::INCLUDED),
        output: e.output,
        error: e.error,
        cause: e.cause,
        billing_details: None,
    }
}

/// DescribeStateMachineForExecution: the machine as the execution started
/// it, with the machine's current configuration while it exists.
pub(super) fn describe_machine(s: &StepFunctions, req: ExecutionArnInput) -> Answer {
    let e = s.execution(SPEC.required(req.execution_arn.as_deref(), "executionArn")?)?;
    let name = e.state_machine_arn.rsplit(':').next().unwrap_or_default().to_owned();
    let current = s.machine(&e.state_machine_arn).ok();
    let update_date = current
        .as_ref()
        .map_or(e.start_ms, |m| m.updated_ms.unwrap_or(m.created_ms));
    let (logging_configuration, tracing_configuration, revision_id) = match current {
        Some(m) => (
            Some(m.logging_configuration),
            Some(m.tracing_configuration),
            Some(m.revision_id),
        ),
        None => (None, None, None),
    };
    Output::of(&DescribeStateMachineForExecutionOutput {
        state_machine_arn: e.state_machine_arn,
        name,
        definition: e.definition,
        role_arn: e.role_arn,
        update_date,
        logging_configuration,
        tracing_configuration,
        revision_id,
    })
}

pub(super) fn stop(s: &StepFunctions, req: StopExecutionInput) -> Answer {
    let stopped = s.stop(
        SPEC.required(req.execution_arn.as_deref(), "executionArn")?,
        req.error,
        req.cause,
    )?;
    Output::of(&StopExecutionOutput { stop_date: stopped })
}

pub(super) fn redrive(s: &StepFunctions, req: ExecutionArnInput) -> Answer {
    let at = s.redrive(SPEC.required(req.execution_arn.as_deref(), "executionArn")?)?;
    Output::of(&RedriveExecutionOutput { redrive_date: at })
}

/// A machine's executions newest first, as the store lists them: the later
/// start first, and among those started in the same millisecond the
/// greater ARN first.
pub(super) fn list(s: &StepFunctions, req: ListExecutionsInput) -> Answer {
    if let Some(status) = req.status_filter.as_deref()
        && !STATUSES.contains(&status)
    {
        return Err(SPEC.violation(Violation::one_of("statusFilter", status, &STATUSES)));
    }
    let all = s.executions(
        SPEC.required(req.state_machine_arn.as_deref(), "stateMachineArn")?,
        req.status_filter.as_deref(),
    )?;
    let newest_first = |e: &Execution| format!("{}{}", descending_number(e.start_ms), descending_text(&e.arn));
    let (listed, next_token) = page(all, newest_first, req.max_results, req.next_token.as_deref())?;
    let executions = listed
        .into_iter()
        .map(|e| ExecutionListItem {
            execution_arn: e.arn,
            state_machine_arn: e.state_machine_arn,
            name: e.name,
            status: e.status,
            start_date: e.start_ms,
            redrive_count: e.redrive_count,
            stop_date: e.stop_ms,
        })
        .collect();
    Output::of(&ListExecutionsOutput { executions, next_token })
}

/// The history in event order (ids ascending), or reversed.
pub(super) fn history(s: &StepFunctions, req: GetExecutionHistoryInput) -> Answer {
    let mut events = s.history(SPEC.required(req.execution_arn.as_deref(), "executionArn")?)?;
    let reverse = req.reverse_order.unwrap_or(false);
    if reverse {
        events.reverse();
    }
    let key = |e: &HistoryEvent| {
        if reverse {
            descending_number(e.id)
        } else {
            ascending_number(e.id)
        }
    };
    let (events, next_token) = page(events, key, req.max_results, req.next_token.as_deref())?;
    let include = req.include_execution_data.unwrap_or(true);
    Output::of(&GetExecutionHistoryOutput {
        events: events.iter().map(|e| e.to_wire(include)).collect(),
        next_token,
    })
}
