//! StartMessageMoveTask, CancelMessageMoveTask, ListMessageMoveTasks.

use lakestack_aws_protocol::Output;

use super::dto::*;
use super::{Answer, Ctx};
use crate::error::SqsError;
use crate::moves;

/// MaxNumberOfMessagesPerSecond's limit.
const MAX_RATE: i64 = 500;

pub(super) async fn start(cx: &Ctx<'_>, r: StartMessageMoveTaskRequest) -> Answer {
    let source = r.source_arn.ok_or(SqsError::MissingParameter("SourceArn"))?;
    let rate = match r.max_number_of_messages_per_second {
        None => None,
        Some(n) if (1..=MAX_RATE).contains(&n) => Some(n as u32),
        Some(n) => {
            return Err(SqsError::parameter(
                "MaxNumberOfMessagesPerSecond",
                n,
                "Must be between 1 and 500, if provided.",
            )
            .into());
        }
    };
    let task_handle = moves::start(cx.sqs, &source, r.destination_arn.as_deref(), rate).await?;
    Output::of(&StartMessageMoveTaskResult { task_handle })
}

pub(super) fn cancel(cx: &Ctx<'_>, r: CancelMessageMoveTaskRequest) -> Answer {
    let handle = r.task_handle.ok_or(SqsError::MissingParameter("TaskHandle"))?;
    let moved = moves::cancel(cx.sqs, &handle)?;
    Output::of(&CancelMessageMoveTaskResult {
        approximate_number_of_messages_moved: moved,
    })
}

pub(super) fn list(cx: &Ctx<'_>, r: ListMessageMoveTasksRequest) -> Answer {
    let source = r.source_arn.ok_or(SqsError::MissingParameter("SourceArn"))?;
    let max = match r.max_results {
        None => 1,
        Some(n) if (1..=10).contains(&n) => n as usize,
        Some(n) => {
            return Err(SqsError::parameter("MaxResults", n, "Must be between 1 and 10, if provided.").into());
        }
    };
    let results = moves::list(cx.sqs, &source, max)?
        .into_iter()
        .map(|t| ListMessageMoveTasksResultEntry {
            task_handle: (t.status == moves::RUNNING).then_some(t.handle),
            status: t.status,
            source_arn: t.source_arn,
            destination_arn: t.destination_arn,
            max_number_of_messages_per_second: t.rate,
            approximate_number_of_messages_moved: t.moved,
            approximate_number_of_messages_to_move: t.to_move,
            failure_reason: t.failure,
            started_timestamp: t.started_ms,
        })
        .collect();
    Output::of(&ListMessageMoveTasksResult { results })
}
