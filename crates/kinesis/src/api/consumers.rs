//! Enhanced fan-out consumers: registered, described, listed and
//! deregistered. SubscribeToShard (an HTTP/2 event stream) is not served:
//! it answers the error naming it (docs/kinesis.md).

use lakestack_aws_protocol::{Output, paging};

use super::dto;
use super::{Answer, SPEC, bounded, check_name, invalid, required, stream_name};
use crate::model::{Consumer, Stream};
use crate::service::Kinesis;

fn stream_by_arn(k: &Kinesis, arn: Option<String>) -> Result<Stream, super::ServiceError> {
    let name = stream_name(
        k,
        &dto::StreamRef {
            stream_name: None,
            stream_arn: Some(required(arn, "streamARN")?),
        },
    )?;
    Ok(k.stream(&name)?)
}

fn described(s: &Stream, c: &Consumer) -> dto::ConsumerDescription {
    dto::ConsumerDescription {
        consumer_name: c.name.clone(),
        consumer_arn: c.arn.clone(),
        consumer_status: "ACTIVE",
        consumer_creation_timestamp: c.created_ms,
        stream_arn: s.arn.clone(),
    }
}

fn out(c: &Consumer) -> dto::Consumer {
    dto::Consumer {
        consumer_name: c.name.clone(),
        consumer_arn: c.arn.clone(),
        consumer_status: "ACTIVE",
        consumer_creation_timestamp: c.created_ms,
    }
}

pub(super) async fn register(k: &Kinesis, r: dto::ConsumerRequest) -> Answer {
    let s = stream_by_arn(k, r.stream_arn)?;
    let name = required(r.consumer_name, "consumerName")?;
    check_name(&name, "consumerName")?;
    let c = k.register_consumer(&s.name, &name).await?;
    Output::of(&serde_json::json!({ "Consumer": out(&c) }))
}

/// The stream and consumer a request names: by `ConsumerARN`, or by
/// `StreamARN` and `ConsumerName`.
fn find(k: &Kinesis, r: dto::ConsumerRequest) -> Result<(Stream, Consumer), super::ServiceError> {
    if let Some(arn) = r.consumer_arn {
        return Ok(k.consumer_by_arn(&arn)?);
    }
    let (Some(stream), Some(name)) = (r.stream_arn, r.consumer_name) else {
        return Err(invalid(
            "Either ConsumerARN or both StreamARN and ConsumerName must be provided.",
        ));
    };
    let s = stream_by_arn(k, Some(stream))?;
    let c = s.consumers.iter().find(|c| c.name == name).cloned().ok_or_else(|| {
        crate::error::KinesisError::ConsumerNotFound {
            consumer: name,
            stream: s.arn.clone(),
        }
    })?;
    Ok((s, c))
}

pub(super) fn describe(k: &Kinesis, r: dto::ConsumerRequest) -> Answer {
    let (s, c) = find(k, r)?;
    Output::of(&serde_json::json!({ "ConsumerDescription": described(&s, &c) }))
}

pub(super) fn list(k: &Kinesis, r: dto::ConsumerRequest) -> Answer {
    let s = stream_by_arn(k, r.stream_arn)?;
    let max = bounded(r.max_results, "maxResults", 1, 10_000, 100)? as usize;
    let (page, next) = paging::page_from(
        &SPEC,
        s.consumers.iter().collect::<Vec<_>>(),
        |c| c.name.clone(),
        r.next_token.as_deref(),
        max,
    )?;
    Output::of(&dto::ListStreamConsumersResponse {
        consumers: page.into_iter().map(out).collect(),
        next_token: next,
    })
}

pub(super) async fn deregister(k: &Kinesis, r: dto::ConsumerRequest) -> Answer {
    let (s, c) = find(k, r)?;
    k.deregister_consumer(&s.name, &c.name).await?;
    Ok(Output::empty_members())
}
