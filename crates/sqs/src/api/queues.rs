//! Queue operations: CreateQueue, GetQueueUrl, Get/SetQueueAttributes,
//! ListQueues, DeleteQueue, PurgeQueue, ListDeadLetterSourceQueues.

use lakestack_aws_protocol::{Output, paging};

use super::dto::*;
use super::{Answer, Ctx};
use crate::error::SqsError;

/// ListQueues and ListDeadLetterSourceQueues answer at most this many.
const MAX_RESULTS: i64 = 1000;

pub(super) async fn create(cx: &Ctx<'_>, r: CreateQueueRequest) -> Answer {
    let name = r.queue_name.ok_or(SqsError::MissingParameter("QueueName"))?;
    let q = cx
        .sqs
        .create_queue(&name, &r.attributes.unwrap_or_default(), &r.tags.unwrap_or_default())
        .await?;
    Output::of(&QueueUrlResult {
        queue_url: cx.queue_url(&q.name),
    })
}

pub(super) fn get_url(cx: &Ctx<'_>, r: GetQueueUrlRequest) -> Answer {
    let name = r.queue_name.ok_or(SqsError::MissingParameter("QueueName"))?;
    let account = &cx.sqs.settings().account_id;
    if r.queue_owner_aws_account_id.as_ref().is_some_and(|a| a != account) {
        return Err(SqsError::QueueDoesNotExist.into());
    }
    let q = cx.sqs.queue_named(&name).ok_or(SqsError::QueueDoesNotExist)?;
    Output::of(&QueueUrlResult {
        queue_url: cx.queue_url(&q.name),
    })
}

pub(super) fn get_attributes(cx: &Ctx<'_>, r: GetQueueAttributesRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let names = r.attribute_names.unwrap_or_default();
    let attrs = cx.sqs.attributes(&q, &names)?;
    Output::of(&GetQueueAttributesResult {
        attributes: (!attrs.is_empty()).then(|| {
            attrs
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect()
        }),
    })
}

pub(super) async fn set_attributes(cx: &Ctx<'_>, r: SetQueueAttributesRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let attrs = r.attributes.ok_or(SqsError::MissingParameter("Attributes"))?;
    cx.sqs.set_attributes(&q, &attrs).await?;
    Ok(Output::empty_members())
}

/// MaxResults of the list operations: 1–1000 when given.
fn max_results(v: Option<i64>) -> Result<Option<usize>, SqsError> {
    match v {
        None => Ok(None),
        Some(n) if (1..=MAX_RESULTS).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(SqsError::parameter(
            "MaxResults",
            n,
            "MaxResults must be an integer between 1 and 1000.",
        )),
    }
}

/// The name a NextToken continues after.
fn after(token: Option<&str>) -> Result<Option<String>, SqsError> {
    paging::decode(token).map_err(|()| SqsError::InvalidRequest("Invalid NextToken value.".into()))
}

/// One page of names; a NextToken only when MaxResults was given, as AWS
/// answers.
fn page(
    names: Vec<String>,
    max: Option<usize>,
    token: Option<&str>,
) -> Result<(Vec<String>, Option<String>), SqsError> {
    let after = after(token)?;
    let limit = max.unwrap_or(MAX_RESULTS as usize);
    let (page, next) = paging::page(names, String::clone, after.as_deref(), limit);
    Ok((page, next.filter(|_| max.is_some())))
}

pub(super) fn list(cx: &Ctx<'_>, r: ListQueuesRequest) -> Answer {
    let max = max_results(r.max_results)?;
    let prefix = r.queue_name_prefix.unwrap_or_default();
    let names: Vec<String> = cx
        .sqs
        .all_queues()
        .into_iter()
        .map(|q| q.name.clone())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    let (names, next_token) = page(names, max, r.next_token.as_deref())?;
    Output::of(&ListQueuesResult {
        queue_urls: names.iter().map(|n| cx.queue_url(n)).collect(),
        next_token,
    })
}

pub(super) async fn delete(cx: &Ctx<'_>, r: QueueUrlRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    cx.sqs.delete_queue(&q).await?;
    Ok(Output::empty_members())
}

pub(super) async fn purge(cx: &Ctx<'_>, r: QueueUrlRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    cx.sqs.purge(&q).await?;
    Ok(Output::empty_members())
}

pub(super) fn dead_letter_sources(cx: &Ctx<'_>, r: ListDeadLetterSourceQueuesRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let max = max_results(r.max_results)?;
    let names = cx
        .sqs
        .dead_letter_sources(&q)
        .into_iter()
        .map(|s| s.name.clone())
        .collect();
    let (names, next_token) = page(names, max, r.next_token.as_deref())?;
    Output::of(&ListDeadLetterSourceQueuesResult {
        queue_urls: names.iter().map(|n| cx.queue_url(n)).collect(),
        next_token,
    })
}
