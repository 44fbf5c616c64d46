//! Context attributes: keywords in a schedule's input that EventBridge
//! Scheduler replaces with their values each time it invokes the target
//! ("Adding context attributes in EventBridge Scheduler").

use super::model::Invocation;
use crate::put::envelope_time;

/// What a target receives when a schedule gives no Input (AWS's "default
/// notification" is not documented further).
const NO_INPUT: &str = "{}";

/// The invocation's input for attempt `attempt` (from 1), its keywords filled in.
pub(crate) fn fill(inv: &Invocation, attempt: u32) -> String {
    let input = inv.target.input.as_deref().unwrap_or(NO_INPUT);
    if !input.contains("<aws.scheduler.") {
        return input.to_string();
    }
    input
        .replace("<aws.scheduler.schedule-arn>", &inv.schedule_arn)
        // Whole seconds, UTC, as AWS's example `2022-03-22T18:59:43Z`.
        .replace("<aws.scheduler.scheduled-time>", &envelope_time(inv.scheduled_ms))
        .replace("<aws.scheduler.execution-id>", &inv.execution_id)
        .replace("<aws.scheduler.attempt-number>", &attempt.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RetryPolicy;
    use crate::schedules::model::ScheduleTarget;

    #[test]
    fn keywords_are_replaced_and_the_rest_kept() {
        let mut inv = Invocation {
            seq: 1,
            schedule_arn: "arn:aws:scheduler:us-east-1:1:schedule/default/s".into(),
            schedule_name: "s".into(),
            scheduled_ms: 1_796_648_400_000,
            execution_id: "d32c5kddcf5bb8c3".into(),
            target: ScheduleTarget {
                arn: "arn:aws:sqs:us-east-1:1:q".into(),
                role_arn: "arn:aws:iam::1:role/r".into(),
                input: Some(
                    r#"{"at": "<aws.scheduler.scheduled-time>", "n": <aws.scheduler.attempt-number>, "id": "<aws.scheduler.execution-id>", "arn": "<aws.scheduler.schedule-arn>", "x": "<aws.other>"}"#
                        .into(),
                ),
                retry: RetryPolicy::default(),
                dead_letter_arn: None,
                message_group_id: None,
                event_bridge: None,
                other: Default::default(),
            },
        };
        assert_eq!(
            fill(&inv, 2),
            r#"{"at": "2026-12-07T13:00:00Z", "n": 2, "id": "d32c5kddcf5bb8c3", "arn": "arn:aws:scheduler:us-east-1:1:schedule/default/s", "x": "<aws.other>"}"#
        );
        inv.target.input = None;
        assert_eq!(fill(&inv, 1), "{}");
    }
}
