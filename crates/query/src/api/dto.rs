//! Athena's structures, named and spelled as its API model names them, and
//! how each is read off the engine's and the catalog's types. The
//! operations' own inputs and outputs live beside their handlers.
//!
//! A member AWS leaves out when it is unset is an `Option` skipped when
//! `None`; timestamps are kept in milliseconds and written as awsJson's
//! epoch seconds.

use std::collections::BTreeMap;

use lakestack_aws_protocol::timestamp::as_epoch_seconds;
use lakestack_catalog::model;
use serde::{Deserialize, Serialize};

use crate::execution::{self, Execution, ResultColumn};
use crate::resources;

// Structures Athena both reads and answers with.

/// Where a query's result is written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResultConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_location: Option<String>,
}

/// The catalog and database unqualified names in a query resolve in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct QueryExecutionContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// A work group's engine version: always Athena engine version 3, the
/// Trino dialect lakestack follows; a requested one is read and ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EngineVersion {
    pub selected_engine_version: String,
    pub effective_engine_version: String,
}

impl EngineVersion {
    pub fn current() -> Self {
        Self {
            selected_engine_version: "AUTO".into(),
            effective_engine_version: "Athena engine version 3".into(),
        }
    }
}

/// A work group's settings. CreateWorkGroup reads the result location and
/// enforcement; the other members are answered with lakestack's values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WorkGroupConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_configuration: Option<ResultConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_work_group_configuration: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_cloud_watch_metrics_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester_pays_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<EngineVersion>,
}

// Query executions.

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryExecution {
    pub query_execution_id: String,
    pub query: String,
    pub statement_type: String,
    pub substatement_type: String,
    pub result_configuration: ResultConfiguration,
    pub result_reuse_configuration: ResultReuseConfiguration,
    pub query_execution_context: QueryExecutionContext,
    pub status: QueryExecutionStatus,
    pub statistics: QueryExecutionStatistics,
    pub work_group: String,
    pub engine_version: EngineVersion,
}

/// Results are never reused: every query runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultReuseConfiguration {
    pub result_reuse_by_age_configuration: ResultReuseByAgeConfiguration,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultReuseByAgeConfiguration {
    pub enabled: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryExecutionStatus {
    /// QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub state: String,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub submission_date_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_change_reason: Option<String>,
    #[serde(serialize_with = "as_epoch_seconds::option", skip_serializing_if = "Option::is_none")]
    pub completion_date_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athena_error: Option<AthenaError>,
}

/// Why a query failed, as Athena classifies it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AthenaError {
    /// 1 system, 2 user, 3 other.
    pub error_category: i32,
    pub error_type: i32,
    pub retryable: bool,
    pub error_message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryExecutionStatistics {
    pub engine_execution_time_in_millis: i64,
    pub data_scanned_in_bytes: u64,
    pub total_execution_time_in_millis: i64,
    pub query_queue_time_in_millis: i64,
    pub query_planning_time_in_millis: i64,
    pub service_pre_processing_time_in_millis: i64,
    pub service_processing_time_in_millis: i64,
    pub result_reuse_information: ResultReuseInformation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_manifest_location: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultReuseInformation {
    pub reused_previous_result: bool,
}

/// GetQueryRuntimeStatistics' answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryRuntimeStatistics {
    pub timeline: QueryRuntimeStatisticsTimeline,
    pub rows: QueryRuntimeStatisticsRows,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryRuntimeStatisticsTimeline {
    pub query_queue_time_in_millis: i64,
    pub query_planning_time_in_millis: i64,
    pub engine_execution_time_in_millis: i64,
    pub service_processing_time_in_millis: i64,
    pub total_execution_time_in_millis: i64,
}

/// Input rows and output bytes are not counted: they are 0.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryRuntimeStatisticsRows {
    pub input_rows: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
    pub output_rows: u64,
}

/// An id BatchGetQueryExecution found no execution for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnprocessedQueryExecutionId {
    pub query_execution_id: String,
    pub error_code: String,
    pub error_message: String,
}

/// Time from submission to start, 0 until the query starts.
fn queue_ms(e: &Execution) -> i64 {
    e.started_ms.map_or(0, |s| s - e.submitted_ms)
}

/// Time from submission to the end, 0 until the query ends.
fn total_ms(e: &Execution) -> i64 {
    e.completed_ms.map_or(0, |c| c - e.submitted_ms)
}

impl From<Execution> for QueryExecution {
    fn from(e: Execution) -> Self {
        let substatement_type = e
            .query
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let statistics = QueryExecutionStatistics {
            engine_execution_time_in_millis: e.engine_ms,
            data_scanned_in_bytes: e.scanned_bytes,
            total_execution_time_in_millis: total_ms(&e),
            query_queue_time_in_millis: queue_ms(&e),
            query_planning_time_in_millis: e.planning_ms,
            service_pre_processing_time_in_millis: 0,
            service_processing_time_in_millis: 0,
            result_reuse_information: ResultReuseInformation {
                reused_previous_result: false,
            },
            data_manifest_location: e.data_manifest.clone(),
        };
        Self {
            query_execution_id: e.id,
            query: e.query,
            statement_type: e.statement_type,
            substatement_type,
            result_configuration: ResultConfiguration {
                output_location: Some(e.output_location),
            },
            result_reuse_configuration: ResultReuseConfiguration {
                result_reuse_by_age_configuration: ResultReuseByAgeConfiguration { enabled: false },
            },
            query_execution_context: QueryExecutionContext {
                catalog: Some(e.catalog),
                database: e.database,
            },
            status: QueryExecutionStatus {
                state: e.state,
                submission_date_time: e.submitted_ms,
                state_change_reason: e.state_change_reason,
                completion_date_time: e.completed_ms,
                athena_error: e.error.map(AthenaError::from),
            },
            statistics,
            work_group: e.workgroup,
            engine_version: EngineVersion::current(),
        }
    }
}

impl From<execution::AthenaError> for AthenaError {
    fn from(e: execution::AthenaError) -> Self {
        Self {
            error_category: e.category,
            error_type: e.error_type,
            retryable: e.retryable,
            error_message: e.message,
        }
    }
}

impl From<&Execution> for QueryRuntimeStatistics {
    fn from(e: &Execution) -> Self {
        Self {
            timeline: QueryRuntimeStatisticsTimeline {
                query_queue_time_in_millis: queue_ms(e),
                query_planning_time_in_millis: e.planning_ms,
                engine_execution_time_in_millis: e.engine_ms,
                service_processing_time_in_millis: 0,
                total_execution_time_in_millis: total_ms(e),
            },
            rows: QueryRuntimeStatisticsRows {
                input_rows: 0,
                input_bytes: e.scanned_bytes,
                output_bytes: 0,
                output_rows: e.rows,
            },
        }
    }
}

// Query results.

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultSet {
    pub rows: Vec<Row>,
    pub result_set_metadata: ResultSetMetadata,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Row {
    pub data: Vec<Datum>,
}

/// One value; SQL NULL is a datum without a value (`{}`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Datum {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub var_char_value: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultSetMetadata {
    pub column_info: Vec<ColumnInfo>,
}

/// A result column as Athena describes it; Athena leaves the schema and
/// table names empty and the nullability unknown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ColumnInfo {
    pub catalog_name: String,
    pub schema_name: String,
    pub table_name: String,
    pub name: String,
    pub label: String,
    pub r#type: String,
    pub precision: i32,
    pub scale: i32,
    pub nullable: String,
    pub case_sensitive: bool,
}

impl From<Vec<Option<String>>> for Row {
    fn from(values: Vec<Option<String>>) -> Self {
        Self {
            data: values
                .into_iter()
                .map(|var_char_value| Datum { var_char_value })
                .collect(),
        }
    }
}

impl From<ResultColumn> for ColumnInfo {
    fn from(c: ResultColumn) -> Self {
        Self {
            catalog_name: "hive".into(),
            schema_name: String::new(),
            table_name: String::new(),
            label: c.name.clone(),
            name: c.name,
            case_sensitive: c.type_name == "varchar",
            r#type: c.type_name,
            precision: c.precision,
            scale: c.scale,
            nullable: "UNKNOWN".into(),
        }
    }
}

// Work groups.

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroup {
    pub name: String,
    /// ENABLED or DISABLED.
    pub state: String,
    pub configuration: WorkGroupConfiguration,
    pub description: String,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub creation_time: i64,
}

/// A work group as ListWorkGroups lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroupSummary {
    pub name: String,
    pub state: String,
    pub description: String,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub creation_time: i64,
    pub engine_version: EngineVersion,
}

impl From<resources::WorkGroup> for WorkGroup {
    fn from(w: resources::WorkGroup) -> Self {
        Self {
            name: w.name,
            state: w.state,
            configuration: WorkGroupConfiguration {
                result_configuration: Some(ResultConfiguration {
                    output_location: w.output_location,
                }),
                enforce_work_group_configuration: Some(w.enforce),
                publish_cloud_watch_metrics_enabled: Some(false),
                requester_pays_enabled: Some(false),
                engine_version: Some(EngineVersion::current()),
            },
            description: w.description,
            creation_time: w.created_ms,
        }
    }
}

impl From<resources::WorkGroup> for WorkGroupSummary {
    fn from(w: resources::WorkGroup) -> Self {
        Self {
            name: w.name,
            state: w.state,
            description: w.description,
            creation_time: w.created_ms,
            engine_version: EngineVersion::current(),
        }
    }
}

// Named queries and prepared statements.

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NamedQuery {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub database: String,
    pub query_string: String,
    pub named_query_id: String,
    pub work_group: String,
}

/// An id BatchGetNamedQuery found no named query for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnprocessedNamedQueryId {
    pub named_query_id: String,
    pub error_code: String,
    pub error_message: String,
}

impl From<resources::NamedQuery> for NamedQuery {
    fn from(q: resources::NamedQuery) -> Self {
        Self {
            name: q.name,
            description: q.description,
            database: q.database,
            query_string: q.query,
            named_query_id: q.id,
            work_group: q.workgroup,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PreparedStatement {
    pub statement_name: String,
    pub query_statement: String,
    pub work_group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub last_modified_time: i64,
}

/// A prepared statement as ListPreparedStatements lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PreparedStatementSummary {
    pub statement_name: String,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub last_modified_time: i64,
}

impl From<resources::PreparedStatement> for PreparedStatement {
    fn from(p: resources::PreparedStatement) -> Self {
        Self {
            statement_name: p.name,
            query_statement: p.query,
            work_group_name: p.workgroup,
            description: p.description,
            last_modified_time: p.last_modified_ms,
        }
    }
}

impl From<resources::PreparedStatement> for PreparedStatementSummary {
    fn from(p: resources::PreparedStatement) -> Self {
        Self {
            statement_name: p.name,
            last_modified_time: p.last_modified_ms,
        }
    }
}

// The Glue Data Catalog.

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataCatalogSummary {
    pub catalog_name: String,
    pub r#type: String,
    pub status: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataCatalog {
    pub name: String,
    pub description: String,
    pub r#type: String,
    pub parameters: BTreeMap<String, String>,
    pub status: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Database {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub parameters: BTreeMap<String, String>,
}

/// A Glue table as Athena shows it: the storage descriptor's location,
/// formats and SerDe folded into the parameters.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableMetadata {
    pub name: String,
    #[serde(serialize_with = "as_epoch_seconds::serialize")]
    pub create_time: i64,
    pub table_type: String,
    pub columns: Vec<Column>,
    pub partition_keys: Vec<Column>,
    pub parameters: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Column {
    pub name: String,
    pub r#type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl From<model::Database> for Database {
    fn from(d: model::Database) -> Self {
        Self {
            name: d.name,
            description: d.description,
            parameters: d.parameters,
        }
    }
}

impl From<model::Column> for Column {
    fn from(c: model::Column) -> Self {
        Self {
            name: c.name,
            r#type: c.r#type.unwrap_or_else(|| "string".into()),
            comment: c.comment,
        }
    }
}

impl From<model::Table> for TableMetadata {
    fn from(t: model::Table) -> Self {
        let sd = t.storage_descriptor.unwrap_or_default();
        let mut parameters = t.parameters;
        let folded = [
            ("location", sd.location),
            ("inputformat", sd.input_format),
            ("outputformat", sd.output_format),
        ];
        parameters.extend(folded.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))));
        if let Some(info) = sd.serde_info {
            if let Some(lib) = info.serialization_library {
                parameters.insert("serde.serialization.lib".into(), lib);
            }
            parameters.extend(
                info.parameters
                    .into_iter()
                    .map(|(k, v)| (format!("serde.param.{k}"), v)),
            );
        }
        Self {
            name: t.name,
            create_time: t.create_time,
            table_type: t.table_type.unwrap_or_else(|| "EXTERNAL_TABLE".into()),
            columns: sd.columns.into_iter().map(Column::from).collect(),
            partition_keys: t.partition_keys.into_iter().map(Column::from).collect(),
            parameters,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_execution_reads_as_athena_writes_it() {
        let e = Execution {
            id: "q1".into(),
            query: "  select 1".into(),
            catalog: "awsdatacatalog".into(),
            workgroup: "primary".into(),
            output_location: "s3://b/r/q1.csv".into(),
            statement_type: "DML".into(),
            state: "FAILED".into(),
            state_change_reason: Some("boom".into()),
            submitted_ms: 1_700_000_000_000,
            started_ms: Some(1_700_000_000_010),
            completed_ms: Some(1_700_000_000_250),
            error: Some(execution::AthenaError {
                category: 2,
                error_type: 1000,
                retryable: false,
                message: "boom".into(),
            }),
            planning_ms: 5,
            engine_ms: 200,
            scanned_bytes: 42,
            rows: 3,
            ..Execution::default()
        };
        let stats = serde_json::to_value(QueryRuntimeStatistics::from(&e)).unwrap();
        assert_eq!(stats["Timeline"]["QueryQueueTimeInMillis"], 10);
        assert_eq!(
            stats["Rows"],
            json!({"InputRows": 0, "InputBytes": 42, "OutputBytes": 0, "OutputRows": 3})
        );
        let v = serde_json::to_value(QueryExecution::from(e)).unwrap();
        assert_eq!(v["SubstatementType"], "SELECT");
        assert_eq!(v["QueryExecutionContext"], json!({"Catalog": "awsdatacatalog"}));
        assert_eq!(
            v["Status"],
            json!({
                "State": "FAILED",
                "SubmissionDateTime": 1_700_000_000.0,
                "StateChangeReason": "boom",
                "CompletionDateTime": 1_700_000_000.25,
                "AthenaError": {"ErrorCategory": 2, "ErrorType": 1000, "Retryable": false, "ErrorMessage": "boom"},
            })
        );
        assert_eq!(v["Statistics"]["TotalExecutionTimeInMillis"], 250);
        assert_eq!(v["Statistics"]["ServicePreProcessingTimeInMillis"], 0);
        assert_eq!(
            v["ResultReuseConfiguration"],
            json!({"ResultReuseByAgeConfiguration": {"Enabled": false}})
        );
        assert_eq!(v["EngineVersion"]["EffectiveEngineVersion"], "Athena engine version 3");
    }

    #[test]
    fn a_running_execution_has_no_completion() {
        let v = serde_json::to_value(QueryExecution::from(Execution {
            state: "RUNNING".into(),
            database: Some("shop".into()),
            ..Execution::default()
        }))
        .unwrap();
        assert_eq!(v["Status"], json!({"State": "RUNNING", "SubmissionDateTime": 0.0}));
        assert_eq!(v["QueryExecutionContext"]["Database"], "shop");
    }

    #[test]
    fn results_columns_and_nulls() {
        let row = serde_json::to_value(Row::from(vec![Some("a".into()), None])).unwrap();
        assert_eq!(row, json!({"Data": [{"VarCharValue": "a"}, {}]}));
        let c = serde_json::to_value(ColumnInfo::from(ResultColumn {
            name: "n".into(),
            type_name: "varchar".into(),
            precision: 2147483647,
            scale: 0,
        }))
        .unwrap();
        assert_eq!(
            c,
            json!({
                "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": "n", "Label": "n",
                "Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true,
            })
        );
    }

    #[test]
    fn work_groups_and_tables() {
        let w = serde_json::to_value(WorkGroup::from(resources::WorkGroup::primary())).unwrap();
        assert_eq!(w["Configuration"]["ResultConfiguration"], json!({}));
        assert_eq!(w["Configuration"]["EnforceWorkGroupConfiguration"], false);
        assert_eq!(w["Description"], "");
        assert_eq!(w["CreationTime"], 0.0);
        let t = model::Table {
            name: "orders".into(),
            partition_keys: vec![model::Column::new("dt", "string")],
            storage_descriptor: Some(model::StorageDescriptor {
                columns: vec![model::Column {
                    name: "id".into(),
                    comment: Some("key".into()),
                    ..model::Column::default()
                }],
                location: Some("s3://lake/orders/".into()),
                serde_info: Some(model::SerDeInfo {
                    serialization_library: Some("lib".into()),
                    parameters: [("field.delim".to_owned(), ",".to_owned())].into(),
                    ..model::SerDeInfo::default()
                }),
                ..model::StorageDescriptor::default()
            }),
            parameters: [("EXTERNAL".to_owned(), "TRUE".to_owned())].into(),
            ..model::Table::default()
        };
        let t = serde_json::to_value(TableMetadata::from(t)).unwrap();
        assert_eq!(t["TableType"], "EXTERNAL_TABLE");
        assert_eq!(
            t["Columns"],
            json!([{"Name": "id", "Type": "string", "Comment": "key"}])
        );
        assert_eq!(t["PartitionKeys"], json!([{"Name": "dt", "Type": "string"}]));
        assert_eq!(
            t["Parameters"],
            json!({
                "EXTERNAL": "TRUE",
                "location": "s3://lake/orders/",
                "serde.param.field.delim": ",",
                "serde.serialization.lib": "lib",
            })
        );
    }
}
