//! Events: PutLogEvents, GetLogEvents, FilterLogEvents.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::dto::{
    FilterLogEventsRequest, FilterLogEventsResponse, FilteredLogEvent, GetLogEventsRequest, GetLogEventsResponse,
    OutputLogEvent, PutLogEventsRequest, PutLogEventsResponse, RejectedLogEventsInfo,
};
use super::members::{self, violation};
use super::{Answer, SPEC};
use crate::error::LogsError;
use crate::model::Streams;
use crate::names;
use crate::pattern::FilterPattern;
use crate::service::{FilterQuery, Logs, MAX_BATCH_EVENTS, Start};

/// GetLogEvents' and FilterLogEvents' largest (and default) page.
const MAX_EVENTS_PAGE: i64 = 10_000;
const MAX_PATTERN: usize = 1024;
const MAX_STREAM_NAMES: usize = 100;

pub(super) fn put(l: &Logs, req: PutLogEventsRequest) -> Answer {
    let group = members::group_name(req.log_group_name)?;
    let stream = members::stream_name(req.log_stream_name)?;
    let input = SPEC.required(req.log_events, "logEvents")?;
    if input.is_empty() {
        return Err(violation(Violation::min_len("logEvents", Shown::Value("[]".into()), 1)));
    }
    if input.len() > MAX_BATCH_EVENTS {
        return Err(violation(Violation::max_len(
            "logEvents",
            Shown::Hidden,
            MAX_BATCH_EVENTS,
        )));
    }
    let mut events = Vec::with_capacity(input.len());
    for (i, e) in input.into_iter().enumerate() {
        // The model's member paths count from 1.
        let at = |m: &str| format!("logEvents.{}.member.{m}", i + 1);
        let ts = SPEC.required(e.timestamp, &at("timestamp"))?;
        if ts < 0 {
            return Err(violation(Violation::at_least(&at("timestamp"), ts, 0)));
        }
        let message = SPEC.required(e.message, &at("message"))?;
        if message.is_empty() {
            return Err(violation(Violation::min_len(&at("message"), Shown::Value(message), 1)));
        }
        events.push((ts, message));
    }
    let (token, rejected) = l.put_events(&group, &stream, &events)?;
    Output::of(&PutLogEventsResponse {
        next_sequence_token: token,
        rejected_log_events_info: (!rejected.is_empty()).then_some(RejectedLogEventsInfo {
            too_new_log_event_start_index: rejected.too_new_start,
            too_old_log_event_end_index: rejected.too_old_end,
            expired_log_event_end_index: rejected.expired_end,
        }),
    })
}

pub(super) fn get(l: &Logs, req: GetLogEventsRequest) -> Answer {
    let group = members::group_identified(req.log_group_name, req.log_group_identifier)?;
    let stream = members::stream_name(req.log_stream_name)?;
    let start = members::time(req.start_time, "startTime")?;
    let end = members::time(req.end_time, "endTime")?;
    let limit = members::limit(req.limit, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE as usize)?;
    let from = match req.next_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => match members::parse_stream_token(t)? {
            (true, p) => Start::After(p),
            (false, p) => Start::Before(p),
        },
        None if req.start_from_head.unwrap_or(false) => Start::Head,
        None => Start::Tail,
    };
    let page = l.stream_events(&group, &stream, start, end, from, limit)?;
    // At either end nothing is read and the position stays where the
    // token put it, so the token sent comes back unchanged: that is how the
    // SDKs' paginators and `aws logs get-log-events` know to stop.
    let forward = members::stream_token(true, page.forward);
    let backward = members::stream_token(false, page.backward);
    let events = page
        .events
        .into_iter()
        .map(|e| OutputLogEvent {
            timestamp: e.timestamp,
            message: e.message,
            ingestion_time: e.ingestion_ms,
        })
        .collect();
    Output::of(&GetLogEventsResponse {
        events,
        next_forward_token: forward,
        next_backward_token: backward,
    })
}

pub(super) fn filter(l: &Logs, req: FilterLogEventsRequest) -> Answer {
    let group = members::group_identified(req.log_group_name, req.log_group_identifier)?;
    let start = members::time(req.start_time, "startTime")?;
    let end = members::time(req.end_time, "endTime")?;
    let limit = members::limit(req.limit, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE as usize)?;
    let text = req.filter_pattern.unwrap_or_default();
    if text.chars().count() > MAX_PATTERN {
        return Err(violation(Violation::max_len(
            "filterPattern",
            Shown::Value(text),
            MAX_PATTERN,
        )));
    }
    let streams = match (req.log_stream_names, req.log_stream_name_prefix) {
        (Some(_), Some(_)) => {
            return Err(LogsError::InvalidParameter(
                "Cannot specify both logStreamNames and logStreamNamePrefix.".into(),
            )
            .into());
        }
        (Some(names), None) => {
            if names.is_empty() || names.len() > MAX_STREAM_NAMES {
                return Err(violation(Violation::len_between(
                    "logStreamNames",
                    Shown::Hidden,
                    1,
                    MAX_STREAM_NAMES,
                )));
            }
            for n in &names {
                names::check_stream("logStreamNames.member", n)?;
            }
            Streams::Named(names)
        }
        (None, Some(prefix)) => {
            names::check_stream("logStreamNamePrefix", &prefix)?;
            Streams::Prefix(prefix)
        }
        (None, None) => Streams::All,
    };
    let after = members::decode_position(req.next_token.as_deref())?;
    let pattern = FilterPattern::parse(&text).map_err(LogsError::from)?;
    let q = FilterQuery {
        streams,
        start,
        end,
        pattern: &pattern,
        limit,
        after,
    };
    let page = l.filter_events(&group, &q)?;
    let events = page
        .events
        .into_iter()
        .map(|e| FilteredLogEvent {
            event_id: e.event_id(),
            log_stream_name: e.stream,
            timestamp: e.timestamp,
            message: e.message,
            ingestion_time: e.ingestion_ms,
        })
        .collect();
    Output::of(&FilterLogEventsResponse {
        events,
        next_token: page.next.map(members::encode_position),
    })
}
