//! Log groups: create, delete, describe, retention.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::paging;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::dto::{
    CreateLogGroupRequest, DescribeLogGroupsRequest, DescribeLogGroupsResponse, LogGroup, LogGroupNameRequest,
    PutRetentionPolicyRequest,
};
use super::members::{self, violation};
use super::{Answer, SPEC};
use crate::error::LogsError;
use crate::names;
use crate::service::{GROUP_CLASSES, GroupQuery, Logs};

pub(super) fn create(l: &Logs, req: CreateLogGroupRequest) -> Answer {
    let name = members::group_name(req.log_group_name)?;
    let class = members::one_of(req.log_group_class.as_deref(), "logGroupClass", &GROUP_CLASSES)?;
    let tags = members::tags(req.tags, "tags")?;
    l.create_group(&name, class, req.kms_key_id, &tags)?;
    Ok(Output::empty_members())
}

pub(super) fn delete(l: &Logs, req: LogGroupNameRequest) -> Answer {
    l.delete_group(&members::group_name(req.log_group_name)?)?;
    Ok(Output::empty_members())
}

pub(super) fn describe(l: &Logs, req: DescribeLogGroupsRequest) -> Answer {
    let limit = members::limit(req.limit, 50, 50)?;
    if let Some(p) = &req.log_group_name_prefix {
        names::check_group("logGroupNamePrefix", p)?;
    }
    if let Some(p) = &req.log_group_name_pattern
        && (p.chars().count() > 512 || !p.chars().all(names::group_char))
    {
        return Err(violation(Violation::pattern(
            "logGroupNamePattern",
            Shown::Value(p.clone()),
            r"[\.\-_/#A-Za-z0-9]*",
        )));
    }
    if req.log_group_name_prefix.is_some() && req.log_group_name_pattern.is_some() {
        return Err(LogsError::InvalidParameter(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.".into(),
        )
        .into());
    }
    let class = members::one_of(req.log_group_class.as_deref(), "logGroupClass", &GROUP_CLASSES)?;
    let after = members::token(req.next_token.as_deref())?;
    let q = GroupQuery {
        prefix: req.log_group_name_prefix.as_deref(),
        contains: req.log_group_name_pattern.as_deref().filter(|p| !p.is_empty()),
        class,
        after: after.as_deref(),
        limit,
    };
    let (groups, more) = l.groups(&q)?;
    let next_token = more.then(|| groups.last().map(|g| paging::encode(&g.name))).flatten();
    let log_groups = groups
        .into_iter()
        .map(|g| {
            let arn = l.group_arn(&g.name);
            LogGroup {
                log_group_name: g.name,
                creation_time: g.created_ms,
                retention_in_days: g.retention_days,
                metric_filter_count: 0,
                arn: format!("{arn}:*"),
                stored_bytes: g.stored_bytes,
                kms_key_id: g.kms_key_id,
                log_group_class: g.class,
                log_group_arn: arn,
            }
        })
        .collect();
    Output::of(&DescribeLogGroupsResponse { log_groups, next_token })
}

pub(super) fn put_retention(l: &Logs, req: PutRetentionPolicyRequest) -> Answer {
    let name = members::group_name(req.log_group_name)?;
    let days = SPEC.required(req.retention_in_days, "retentionInDays")?;
    l.put_retention(&name, days)?;
    Ok(Output::empty_members())
}

pub(super) fn delete_retention(l: &Logs, req: LogGroupNameRequest) -> Answer {
    l.delete_retention(&members::group_name(req.log_group_name)?)?;
    Ok(Output::empty_members())
}
