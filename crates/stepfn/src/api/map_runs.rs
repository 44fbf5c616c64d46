//! The Map Runs of distributed Map states.

use lakestack_aws_protocol::Output;

use super::SPEC;
use super::dto::{DescribeMapRunOutput, ExecutionArnInput, ListMapRunsOutput, MapRunArnInput, MapRunListItem};
use super::members::Answer;
use crate::service::StepFunctions;

pub(super) fn describe(s: &StepFunctions, req: MapRunArnInput) -> Answer {
    let m = s.map_run(SPEC.required(req.map_run_arn.as_deref(), "mapRunArn")?)?;
    Output::of(&DescribeMapRunOutput {
        item_counts: (&m.item_counts).into(),
        execution_counts: (&m.counts).into(),
        map_run_arn: m.arn,
        execution_arn: m.execution_arn,
        status: m.status,
        start_date: m.start_ms,
        max_concurrency: m.max_concurrency,
        tolerated_failure_percentage: m.tolerated_failure_percentage,
        tolerated_failure_count: m.tolerated_failure_count,
        redrive_count: 0,
        stop_date: m.stop_ms,
    })
}

/// An execution's Map Runs, oldest first, all at once.
pub(super) fn list(s: &StepFunctions, req: ExecutionArnInput) -> Answer {
    let runs = s.map_runs(SPEC.required(req.execution_arn.as_deref(), "executionArn")?)?;
    let map_runs = runs
        .into_iter()
        .map(|m| MapRunListItem {
            execution_arn: m.execution_arn,
            map_run_arn: m.arn,
            state_machine_arn: m.state_machine_arn,
            start_date: m.start_ms,
            stop_date: m.stop_ms,
        })
        .collect();
    Output::of(&ListMapRunsOutput { map_runs })
}
