//! PutRecord and PutRecordBatch.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};

use super::{Answer, dto, invalid, required, stream_name, violation};
use crate::service::Firehose;

/// A record's largest size (before base64), a batch's count and size.
const MAX_RECORD: usize = 1_024_000;
const MAX_BATCH: usize = 500;
const MAX_BATCH_BYTES: usize = 4 << 20;

fn data(r: dto::RecordIn, member: &str) -> Result<Vec<u8>, super::ServiceError> {
    let text = required(r.data, member)?;
    let bytes = STANDARD
        .decode(text.as_bytes())
        .map_err(|_| super::ServiceError::serialization("Base64 encoded Data is not valid."))?;
    if bytes.len() > MAX_RECORD {
        return Err(violation(Violation::max_len(member, Shown::Hidden, MAX_RECORD)));
    }
    Ok(bytes)
}

pub(super) async fn put_record(f: &Firehose, r: dto::PutRecordRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let record = data(required(r.record, "record")?, "record.data")?;
    let encrypted = f.stream(&name)?.encryption.is_some();
    let ids = f.put(&name, vec![record]).await?;
    Output::of(&dto::PutRecordResponse {
        record_id: ids.into_iter().next().unwrap_or_default(),
        encrypted,
    })
}

pub(super) async fn put_record_batch(f: &Firehose, r: dto::PutRecordBatchRequest) -> Answer {
    let name = stream_name(r.delivery_stream_name)?;
    let records = required(r.records, "records")?;
    if records.is_empty() || records.len() > MAX_BATCH {
        return Err(violation(Violation::len_between(
            "records",
            Shown::Hidden,
            1,
            MAX_BATCH,
        )));
    }
    let mut batch = Vec::with_capacity(records.len());
    let mut total = 0;
    for (i, rec) in records.into_iter().enumerate() {
        let d = data(rec, &format!("records.{}.member.data", i + 1))?;
        total += d.len();
        batch.push(d);
    }
    if total > MAX_BATCH_BYTES {
        return Err(invalid(format!(
            "Records size exceeds 4 MiB limit: the batch holds {total} bytes."
        )));
    }
    let encrypted = f.stream(&name)?.encryption.is_some();
    let ids = f.put(&name, batch).await?;
    Output::of(&dto::PutRecordBatchResponse {
        failed_put_count: 0,
        encrypted,
        request_responses: ids
            .into_iter()
            .map(|record_id| dto::PutRecordBatchEntry { record_id })
            .collect(),
    })
}
