//! Log streams: create, delete, describe.

use lakestack_aws_protocol::{Output, paging};

use super::dto::{DescribeLogStreamsRequest, DescribeLogStreamsResponse, LogStream, LogStreamRequest};
use super::members;
use super::{Answer, SPEC};
use crate::error::LogsError;
use crate::names;
use crate::service::{Logs, sequence_token};

pub(super) fn create(l: &Logs, req: LogStreamRequest) -> Answer {
    let group = members::group_name(req.log_group_name)?;
    let stream = members::stream_name(req.log_stream_name)?;
    l.create_stream(&group, &stream)?;
    Ok(Output::empty_members())
}

pub(super) fn delete(l: &Logs, req: LogStreamRequest) -> Answer {
    let group = members::group_name(req.log_group_name)?;
    let stream = members::stream_name(req.log_stream_name)?;
    l.delete_stream(&group, &stream)?;
    Ok(Output::empty_members())
}

pub(super) fn describe(l: &Logs, req: DescribeLogStreamsRequest) -> Answer {
    let group = members::group_identified(req.log_group_name, req.log_group_identifier)?;
    if let Some(p) = &req.log_stream_name_prefix {
        names::check_stream("logStreamNamePrefix", p)?;
    }
    let order = members::one_of(req.order_by.as_deref(), "orderBy", &["LogStreamName", "LastEventTime"])?;
    let by_last_event = order == Some("LastEventTime");
    if by_last_event && req.log_stream_name_prefix.is_some() {
        return Err(
            LogsError::InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.".into()).into(),
        );
    }
    let limit = members::limit(req.limit, 50, 50)?;
    let key = members::token(req.next_token.as_deref())?;
    // The token carries the last stream's sort key: `<last event>:<name>`
    // (stream names cannot hold a colon).
    let after = match &key {
        None => None,
        Some(k) => {
            let parsed = k.split_once(':').and_then(|(t, n)| Some((t.parse::<i64>().ok()?, n)));
            Some(parsed.ok_or_else(|| SPEC.invalid_token(req.next_token.as_deref().unwrap_or_default()))?)
        }
    };
    let descending = req.descending.unwrap_or(false);
    let (streams, more) = l.streams(
        &group,
        req.log_stream_name_prefix.as_deref(),
        by_last_event,
        descending,
        after,
        limit,
    )?;
    let next_token = more
        .then(|| {
            streams.last().map(|s| {
                let k = if by_last_event { s.last_event_ms.unwrap_or(0) } else { 0 };
                paging::encode(&format!("{k}:{}", s.name))
            })
        })
        .flatten();
    let group_arn = l.group_arn(&group);
    let log_streams = streams
        .into_iter()
        .map(|s| LogStream {
            arn: format!("{group_arn}:log-stream:{}", s.name),
            log_stream_name: s.name,
            creation_time: s.created_ms,
            first_event_timestamp: s.first_event_ms,
            last_event_timestamp: s.last_event_ms,
            last_ingestion_time: s.last_ingestion_ms,
            upload_sequence_token: sequence_token(s.uploads + 1),
            stored_bytes: s.stored_bytes,
        })
        .collect();
    Output::of(&DescribeLogStreamsResponse {
        log_streams,
        next_token,
    })
}
