//! CreatePartition, BatchCreatePartition, GetPartition, GetPartitions,
//! BatchGetPartition, UpdatePartition, BatchUpdatePartition,
//! DeletePartition, BatchDeletePartition.

use lakestack_aws_protocol::Output;
use lakestack_aws_protocol::validation::{Shown, Violation};
use serde::{Deserialize, Serialize};

use super::{Answer, SPEC, convert, dto};
use crate::partitions::PartitionQuery;
use crate::{Catalog, CatalogError};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatePartitionRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_name: String,
    partition_input: dto::PartitionInput,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchCreatePartitionRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_name: String,
    partition_input_list: Vec<dto::PartitionInput>,
}

/// GetPartition and DeletePartition.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PartitionRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    #[serde(default)]
    partition_values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetPartitionsRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    expression: Option<String>,
    segment: Option<Segment>,
    next_token: Option<String>,
    max_results: Option<i64>,
    #[serde(default)]
    exclude_column_schema: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Segment {
    segment_number: i64,
    total_segments: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchGetPartitionRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    #[serde(default)]
    partitions_to_get: Vec<PartitionValueList>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdatePartitionRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_name: String,
    partition_value_list: Vec<String>,
    partition_input: dto::PartitionInput,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchUpdatePartitionRequest {
    catalog_id: Option<String>,
    database_name: String,
    table_name: String,
    entries: Vec<BatchUpdatePartitionRequestEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchUpdatePartitionRequestEntry {
    partition_value_list: Vec<String>,
    partition_input: dto::PartitionInput,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BatchDeletePartitionRequest {
    catalog_id: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    #[serde(default)]
    partitions_to_delete: Vec<PartitionValueList>,
}

/// One partition's values, as batch requests name partitions.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PartitionValueList {
    values: Vec<String>,
}

catalog_scoped!(
    CreatePartitionRequest,
    BatchCreatePartitionRequest,
    PartitionRequest,
    GetPartitionsRequest,
    BatchGetPartitionRequest,
    UpdatePartitionRequest,
    BatchUpdatePartitionRequest,
    BatchDeletePartitionRequest,
);

/// BatchCreatePartition and BatchDeletePartition.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PartitionErrorsResponse {
    errors: Vec<dto::PartitionError>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetPartitionResponse {
    partition: dto::Partition,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetPartitionsResponse {
    partitions: Vec<dto::Partition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetPartitionResponse {
    partitions: Vec<dto::Partition>,
    /// Always empty: every key is looked up.
    unprocessed_keys: Vec<PartitionValueList>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchUpdatePartitionResponse {
    errors: Vec<BatchUpdatePartitionFailureEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BatchUpdatePartitionFailureEntry {
    partition_value_list: Vec<String>,
    error_detail: dto::ErrorDetail,
}

/// Glue's cap on the entries of a batch request.
fn check_batch(n: usize, max: usize, member: &str) -> Result<(), CatalogError> {
    if n > max {
        return Err(CatalogError::invalid(Violation::max_len(member, Shown::Hidden, max)));
    }
    Ok(())
}

fn partition_errors(errors: Vec<crate::PartitionError>) -> Answer {
    Output::of(&PartitionErrorsResponse {
        errors: errors.into_iter().map(convert::partition_error_out).collect(),
    })
}

fn partition_list(c: &Catalog, partitions: &[crate::model::Partition]) -> Vec<dto::Partition> {
    let id = &c.settings().account_id;
    partitions.iter().map(|p| convert::partition_out(p, id)).collect()
}

pub(super) fn create(c: &Catalog, r: CreatePartitionRequest) -> Answer {
    c.create_partition(
        &r.database_name,
        &r.table_name,
        convert::partition_in(r.partition_input),
    )?;
    Ok(Output::empty_members())
}

pub(super) fn batch_create(c: &Catalog, r: BatchCreatePartitionRequest) -> Answer {
    check_batch(r.partition_input_list.len(), 100, "partitionInputList")?;
    let inputs = r.partition_input_list.into_iter().map(convert::partition_in).collect();
    partition_errors(c.batch_create_partition(&r.database_name, &r.table_name, inputs)?)
}

pub(super) fn get(c: &Catalog, r: PartitionRequest) -> Answer {
    let p = c.get_partition(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        &r.partition_values,
    )?;
    Output::of(&GetPartitionResponse {
        partition: convert::partition_out(&p, &c.settings().account_id),
    })
}

pub(super) fn list(c: &Catalog, r: GetPartitionsRequest) -> Answer {
    let q = PartitionQuery {
        expression: r.expression.as_deref(),
        segment: r.segment.as_ref().map(|s| (s.segment_number, s.total_segments)),
        next_token: r.next_token.as_deref(),
        max_results: r.max_results,
        exclude_column_schema: r.exclude_column_schema,
    };
    let page = c.get_partitions(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        &q,
    )?;
    Output::of(&GetPartitionsResponse {
        partitions: partition_list(c, &page.partitions),
        next_token: page.next_token,
    })
}

pub(super) fn batch_get(c: &Catalog, r: BatchGetPartitionRequest) -> Answer {
    check_batch(r.partitions_to_get.len(), 1000, "partitionsToGet")?;
    let keys: Vec<Vec<String>> = r.partitions_to_get.into_iter().map(|p| p.values).collect();
    let found = c.batch_get_partition(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        &keys,
    )?;
    Output::of(&BatchGetPartitionResponse {
        partitions: partition_list(c, &found),
        unprocessed_keys: Vec::new(),
    })
}

pub(super) fn update(c: &Catalog, r: UpdatePartitionRequest) -> Answer {
    c.update_partition(
        &r.database_name,
        &r.table_name,
        &r.partition_value_list,
        convert::partition_in(r.partition_input),
    )?;
    Ok(Output::empty_members())
}

pub(super) fn batch_update(c: &Catalog, r: BatchUpdatePartitionRequest) -> Answer {
    check_batch(r.entries.len(), 100, "entries")?;
    let entries = r
        .entries
        .into_iter()
        .map(|e| (e.partition_value_list, convert::partition_in(e.partition_input)))
        .collect();
    let errors = c.batch_update_partition(&r.database_name, &r.table_name, entries)?;
    Output::of(&BatchUpdatePartitionResponse {
        errors: errors
            .into_iter()
            .map(|e| BatchUpdatePartitionFailureEntry {
                partition_value_list: e.values,
                error_detail: convert::error_detail(e.code, e.message),
            })
            .collect(),
    })
}

pub(super) fn delete(c: &Catalog, r: PartitionRequest) -> Answer {
    c.delete_partition(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        &r.partition_values,
    )?;
    Ok(Output::empty_members())
}

pub(super) fn batch_delete(c: &Catalog, r: BatchDeletePartitionRequest) -> Answer {
    check_batch(r.partitions_to_delete.len(), 25, "partitionsToDelete")?;
    let keys: Vec<Vec<String>> = r.partitions_to_delete.into_iter().map(|p| p.values).collect();
    partition_errors(c.batch_delete_partition(
        SPEC.required(r.database_name.as_deref(), "databaseName")?,
        SPEC.required(r.table_name.as_deref(), "tableName")?,
        &keys,
    )?)
}
