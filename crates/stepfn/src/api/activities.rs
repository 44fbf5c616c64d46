//! Activities: create, describe, list and delete them, and hand their
//! tasks to workers.

use lakestack_aws_protocol::Output;

use super::SPEC;
use super::dto::{
    ActivityArnInput, ActivityOutput, CreateActivityInput, CreateActivityOutput, GetActivityTaskInput,
    GetActivityTaskOutput, ListActivitiesOutput, PageInput, tag_pairs,
};
use super::members::{Answer, page};
use crate::service::StepFunctions;

pub(super) fn create(s: &StepFunctions, req: CreateActivityInput) -> Answer {
    let a = s.create_activity(SPEC.required(req.name.as_deref(), "name")?, &tag_pairs(req.tags))?;
    Output::of(&CreateActivityOutput {
        activity_arn: a.arn,
        creation_date: a.created_ms,
    })
}

pub(super) fn describe(s: &StepFunctions, req: ActivityArnInput) -> Answer {
    let a = s.activity(SPEC.required(req.activity_arn.as_deref(), "activityArn")?)?;
    Output::of(&ActivityOutput::from(a))
}

/// The activities by name, as the store lists them (a name is unique).
pub(super) fn list(s: &StepFunctions, req: PageInput) -> Answer {
    let (activities, next_token) = page(
        s.activities()?,
        |a| a.name.clone(),
        req.max_results,
        req.next_token.as_deref(),
    )?;
    Output::of(&ListActivitiesOutput {
        activities: activities.into_iter().map(ActivityOutput::from).collect(),
        next_token,
    })
}

pub(super) fn delete(s: &StepFunctions, req: ActivityArnInput) -> Answer {
    s.delete_activity(SPEC.required(req.activity_arn.as_deref(), "activityArn")?)?;
    Ok(Output::empty_members())
}

/// GetActivityTask: a task, or no members when none came during the long poll.
pub(super) async fn get_task(s: &StepFunctions, req: GetActivityTaskInput) -> Answer {
    let worker = req.worker_name.as_deref().unwrap_or_default();
    let task = s
        .next_activity_task(SPEC.required(req.activity_arn.as_deref(), "activityArn")?, worker)
        .await?;
    Output::of(&match task {
        Some(t) => GetActivityTaskOutput {
            task_token: Some(t.token),
            input: Some(t.input),
        },
        None => GetActivityTaskOutput::default(),
    })
}
