//! Message operations: SendMessage(Batch), ReceiveMessage,
//! DeleteMessage(Batch), ChangeMessageVisibility(Batch). A batch is checked
//! whole first (1–10 entries, distinct valid ids, at most 1 MiB of
//! messages), then each entry answers on its own, as `Successful` or
//! `Failed` with the query code AWS puts there.

use std::time::Duration;

use lakestack_aws_protocol::Output;

use super::dto::*;
use super::{Answer, Ctx};
use crate::attributes::MAX_WAIT;
use crate::digest;
use crate::error::SqsError;
use crate::messaging::{ReceiveOptions, select_attributes};
use crate::model::NewMessage;
use crate::validate::{self, MAX_BATCH_BYTES, check_delay, check_max_messages, check_visibility};

fn failed(id: String, e: &SqsError) -> BatchResultErrorEntry {
    BatchResultErrorEntry {
        id,
        sender_fault: e.sender_fault(),
        code: e.query_code_text().to_owned(),
        message: e.to_string(),
    }
}

/// A batch's answer: each attempted entry's outcome (as `ok` writes a
/// success) after the entries already refused before the attempt.
fn batch_answer<R, T: serde::Serialize>(
    ids: Vec<String>,
    outcomes: Vec<Result<R, SqsError>>,
    mut failed_entries: Vec<BatchResultErrorEntry>,
    ok: impl Fn(String, R) -> T,
) -> Answer {
    let mut successful = Vec::new();
    for (id, outcome) in ids.into_iter().zip(outcomes) {
        match outcome {
            Ok(r) => successful.push(ok(id, r)),
            Err(e) => failed_entries.push(failed(id, &e)),
        }
    }
    Output::of(&BatchResult {
        successful,
        failed: failed_entries,
    })
}

fn message(fifo: bool, body: Option<String>, delay: Option<i64>, e: SendFields) -> Result<NewMessage, SqsError> {
    let body = body.ok_or(SqsError::MissingParameter("MessageBody"))?;
    let delay = delay.map(|d| check_delay(d, fifo)).transpose()?;
    Ok(NewMessage {
        body,
        message_attributes: e.attributes.unwrap_or_default(),
        message_system_attributes: e.system.unwrap_or_default(),
        group_id: e.group,
        dedup_id: e.dedup,
        delay,
    })
}

/// The members SendMessage and a batch entry share beside body and delay.
struct SendFields {
    attributes: Option<MessageAttributeMap>,
    system: Option<MessageAttributeMap>,
    group: Option<String>,
    dedup: Option<String>,
}

pub(super) async fn send(cx: &Ctx<'_>, r: SendMessageRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let msg = message(
        q.fifo,
        r.message_body,
        r.delay_seconds,
        SendFields {
            attributes: r.message_attributes,
            system: r.message_system_attributes,
            group: r.message_group_id,
            dedup: r.message_deduplication_id,
        },
    )?;
    let sent = cx
        .sqs
        .send_detached(&q, vec![msg], &cx.sender)
        .await
        .pop()
        .unwrap_or_else(|| Err(SqsError::internal("no answer for a send")))?;
    Output::of(&SendMessageResult {
        md5_of_message_body: sent.md5_of_body,
        md5_of_message_attributes: sent.md5_of_message_attributes,
        md5_of_message_system_attributes: sent.md5_of_message_system_attributes,
        message_id: sent.message_id,
        sequence_number: sent.sequence_number,
    })
}

/// The bytes a batch entry counts toward the batch's limit.
fn entry_bytes(e: &SendMessageBatchRequestEntry) -> usize {
    let attrs = |m: &Option<MessageAttributeMap>| {
        m.iter()
            .flatten()
            .map(|(k, v)| {
                k.len()
                    + v.data_type.len()
                    + v.string_value.as_ref().map_or(0, String::len)
                    + v.binary_value.as_ref().map_or(0, Vec::len)
            })
            .sum::<usize>()
    };
    e.message_body.as_ref().map_or(0, String::len) + attrs(&e.message_attributes)
}

pub(super) async fn send_batch(cx: &Ctx<'_>, r: SendMessageBatchRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let entries = r.entries.unwrap_or_default();
    validate::check_batch("SendMessageBatchRequestEntry", entries.iter().map(|e| e.id.as_deref()))?;
    let sent: usize = entries.iter().map(entry_bytes).sum();
    if sent > MAX_BATCH_BYTES {
        return Err(SqsError::BatchRequestTooLong {
            max: MAX_BATCH_BYTES,
            sent,
        }
        .into());
    }
    let mut failed_entries = Vec::new();
    let mut ids = Vec::new();
    let mut msgs = Vec::new();
    for e in entries {
        let id = e.id.unwrap_or_default();
        let fields = SendFields {
            attributes: e.message_attributes,
            system: e.message_system_attributes,
            group: e.message_group_id,
            dedup: e.message_deduplication_id,
        };
        match message(q.fifo, e.message_body, e.delay_seconds, fields) {
            Ok(m) => {
                ids.push(id);
                msgs.push(m);
            }
            Err(err) => failed_entries.push(failed(id, &err)),
        }
    }
    let results = cx.sqs.send_detached(&q, msgs, &cx.sender).await;
    batch_answer(ids, results, failed_entries, |id, s| SendMessageBatchResultEntry {
        id,
        message_id: s.message_id,
        md5_of_message_body: s.md5_of_body,
        md5_of_message_attributes: s.md5_of_message_attributes,
        md5_of_message_system_attributes: s.md5_of_message_system_attributes,
        sequence_number: s.sequence_number,
    })
}

pub(super) async fn receive(cx: &Ctx<'_>, r: ReceiveMessageRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let max = r.max_number_of_messages.map_or(Ok(1), check_max_messages)?;
    let visibility = r.visibility_timeout.map(check_visibility).transpose()?;
    let wait = match r.wait_time_seconds {
        None => q.lock().config.wait,
        Some(w) if (0..=i64::from(MAX_WAIT)).contains(&w) => w as u32,
        Some(w) => {
            return Err(SqsError::parameter("WaitTimeSeconds", w, "Must be >= 0 and <= 20, if provided.").into());
        }
    };
    if let Some(id) = &r.receive_request_attempt_id {
        validate::check_id("ReceiveRequestAttemptId", id)?;
    }
    let got = cx
        .sqs
        .receive_from(
            &q,
            ReceiveOptions {
                max,
                wait: Duration::from_secs(u64::from(wait)),
                visibility,
                attempt_id: r.receive_request_attempt_id,
            },
        )
        .await?;
    let system: Vec<String> = r
        .attribute_names
        .into_iter()
        .flatten()
        .chain(r.message_system_attribute_names.into_iter().flatten())
        .collect();
    let all_system = system.iter().any(|n| n == "All");
    let wanted = r.message_attribute_names.unwrap_or_default();
    let messages = got
        .into_iter()
        .map(|d| {
            let mut attributes = d.system_attributes();
            attributes.retain(|k, _| all_system || system.contains(k));
            let message_attributes = select_attributes(&d.payload.message_attributes, &wanted);
            Message {
                message_id: d.entry.message_id.to_string(),
                receipt_handle: d.receipt_handle,
                md5_of_body: d.payload.md5_of_body.clone(),
                body: d.payload.body.clone(),
                attributes,
                md5_of_message_attributes: digest::attributes(&message_attributes),
                message_attributes,
            }
        })
        .collect();
    Output::of(&ReceiveMessageResult { messages })
}

pub(super) async fn delete(cx: &Ctx<'_>, r: DeleteMessageRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let handle = r.receipt_handle.ok_or(SqsError::MissingParameter("ReceiptHandle"))?;
    cx.sqs
        .delete_messages(&q, &[handle.as_str()])
        .await
        .pop()
        .unwrap_or(Ok(()))?;
    Ok(Output::empty_members())
}

pub(super) async fn delete_batch(cx: &Ctx<'_>, r: DeleteMessageBatchRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let entries = r.entries.unwrap_or_default();
    validate::check_batch(
        "DeleteMessageBatchRequestEntry",
        entries.iter().map(|e| e.id.as_deref()),
    )?;
    let mut failed_entries = Vec::new();
    let mut ids = Vec::new();
    let mut handles = Vec::new();
    for e in &entries {
        let id = e.id.clone().unwrap_or_default();
        match &e.receipt_handle {
            Some(h) => {
                ids.push(id);
                handles.push(h.as_str());
            }
            None => failed_entries.push(failed(id, &SqsError::MissingParameter("ReceiptHandle"))),
        }
    }
    let results = cx.sqs.delete_messages(&q, &handles).await;
    batch_answer(ids, results, failed_entries, |id, ()| BatchIdEntry { id })
}

pub(super) async fn change_visibility(cx: &Ctx<'_>, r: ChangeMessageVisibilityRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let handle = r.receipt_handle.ok_or(SqsError::MissingParameter("ReceiptHandle"))?;
    let seconds = r
        .visibility_timeout
        .ok_or(SqsError::MissingParameter("VisibilityTimeout"))?;
    let seconds = check_visibility(seconds)?;
    cx.sqs
        .change_visibility_many(&q, &[(handle.as_str(), seconds)])
        .await
        .pop()
        .unwrap_or(Ok(()))?;
    Ok(Output::empty_members())
}

pub(super) async fn change_visibility_batch(cx: &Ctx<'_>, r: ChangeMessageVisibilityBatchRequest) -> Answer {
    let q = cx.queue(r.queue_url)?;
    let entries = r.entries.unwrap_or_default();
    validate::check_batch(
        "ChangeMessageVisibilityBatchRequestEntry",
        entries.iter().map(|e| e.id.as_deref()),
    )?;
    let mut failed_entries = Vec::new();
    let mut ids = Vec::new();
    let mut changes = Vec::new();
    for e in &entries {
        let id = e.id.clone().unwrap_or_default();
        let checked = match (&e.receipt_handle, e.visibility_timeout) {
            (None, _) => Err(SqsError::MissingParameter("ReceiptHandle")),
            (Some(_), None) => Err(SqsError::MissingParameter("VisibilityTimeout")),
            (Some(h), Some(v)) => check_visibility(v).map(|s| (h.as_str(), s)),
        };
        match checked {
            Ok(change) => {
                ids.push(id);
                changes.push(change);
            }
            Err(err) => failed_entries.push(failed(id, &err)),
        }
    }
    let results = cx.sqs.change_visibility_many(&q, &changes).await;
    batch_answer(ids, results, failed_entries, |id, ()| BatchIdEntry { id })
}
