//! One handler per Athena operation; the wire shapes are built here and only here.

use lakestack_aws_protocol::{JsonBodyError, parse_json_body};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{ApiError, AthenaService};
use crate::engine::StartRequest;
use crate::error::QueryError;
use crate::execution::Execution;
use crate::provider::CATALOG_NAME;
use crate::resources::{NamedQuery, PreparedStatement, WorkGroup};

type Reply = Result<Value, ApiError>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json_body(body).map_err(|e| match e {
        JsonBodyError::Shape(m) => ApiError::Query(QueryError::InvalidRequest(m)),
        JsonBodyError::Syntax(m) => ApiError::Serialization(m),
    })
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Req {
    query_execution_id: Option<String>,
    query_execution_ids: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
    work_group: Option<String>,
    name: Option<String>,
    catalog_name: Option<String>,
    database_name: Option<String>,
    table_name: Option<String>,
    expression: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct StartIn {
    query_string: String,
    client_request_token: Option<String>,
    query_execution_context: Option<Context>,
    result_configuration: Option<ResultConfiguration>,
    work_group: Option<String>,
    execution_parameters: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Context {
    database: Option<String>,
    catalog: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ResultConfiguration {
    output_location: Option<String>,
}

fn required(v: Option<String>, field: &str) -> Result<String, ApiError> {
    v.filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::Query(QueryError::InvalidRequest(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        )))
    })
}

fn page_size(max: Option<i64>, default: usize, limit: usize) -> Result<usize, ApiError> {
    match max {
        None => Ok(default),
        Some(n) if n >= 1 && n as usize <= limit => Ok(n as usize),
        Some(n) => Err(ApiError::Query(QueryError::InvalidRequest(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {limit}"
        )))),
    }
}

fn execution(e: &Execution) -> Value {
    let mut status = json!({
        "State": e.state,
        "SubmissionDateTime": secs(e.submitted_ms),
    });
    if let Some(r) = &e.state_change_reason {
        status["StateChangeReason"] = json!(r);
    }
    if let Some(done) = e.completed_ms {
        status["CompletionDateTime"] = json!(secs(done));
    }
    if let Some(err) = &e.error {
        status["AthenaError"] = json!({
            "ErrorCategory": err.category,
            "ErrorType": err.error_type,
            "Retryable": err.retryable,
            "ErrorMessage": err.message,
        });
    }
    let queue = e.started_ms.map_or(0, |s| s - e.submitted_ms);
    let total = e.completed_ms.map_or(0, |c| c - e.submitted_ms);
    let mut context = json!({ "Catalog": e.catalog });
    if let Some(db) = &e.database {
        context["Database"] = json!(db);
    }
    let substatement = e
        .query
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    json!({
        "QueryExecutionId": e.id,
        "Query": e.query,
        "StatementType": e.statement_type,
        "SubstatementType": substatement,
        "ResultConfiguration": { "OutputLocation": e.output_location },
        "ResultReuseConfiguration": { "ResultReuseByAgeConfiguration": { "Enabled": false } },
        "QueryExecutionContext": context,
        "Status": status,
        "Statistics": {
            "EngineExecutionTimeInMillis": e.engine_ms,
            "DataScannedInBytes": e.scanned_bytes,
            "TotalExecutionTimeInMillis": total,
            "QueryQueueTimeInMillis": queue,
            "QueryPlanningTimeInMillis": e.planning_ms,
            "ServicePreProcessingTimeInMillis": 0,
            "ServiceProcessingTimeInMillis": 0,
            "ResultReuseInformation": { "ReusedPreviousResult": false },
        },
        "WorkGroup": e.workgroup,
        "EngineVersion": {
            "SelectedEngineVersion": "AUTO",
            "EffectiveEngineVersion": "Athena engine version 3",
        },
    })
}

fn workgroup(w: &WorkGroup) -> Value {
    let mut result = json!({});
    if let Some(o) = &w.output_location {
        result["OutputLocation"] = json!(o);
    }
    json!({
        "Name": w.name,
        "State": w.state,
        "Configuration": {
            "ResultConfiguration": result,
            "EnforceWorkGroupConfiguration": w.enforce,
            "PublishCloudWatchMetricsEnabled": false,
            "RequesterPaysEnabled": false,
            "EngineVersion": {
                "SelectedEngineVersion": "AUTO",
                "EffectiveEngineVersion": "Athena engine version 3",
            },
        },
        "Description": w.description,
        "CreationTime": secs(w.created_ms),
    })
}

fn named_query(q: &NamedQuery) -> Value {
    json!({
        "Name": q.name,
        "Description": q.description,
        "Database": q.database,
        "QueryString": q.query,
        "NamedQueryId": q.id,
        "WorkGroup": q.workgroup,
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct WorkGroupIn {
    name: String,
    description: Option<String>,
    configuration: Option<WorkGroupConfiguration>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct WorkGroupConfiguration {
    result_configuration: Option<ResultConfiguration>,
    enforce_work_group_configuration: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct UpdateWorkGroupIn {
    work_group: String,
    description: Option<String>,
    state: Option<String>,
    configuration_updates: Option<ConfigurationUpdates>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ConfigurationUpdates {
    enforce_work_group_configuration: Option<bool>,
    result_configuration_updates: Option<ResultConfigurationUpdates>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ResultConfigurationUpdates {
    output_location: Option<String>,
    remove_output_location: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct NamedQueryIn {
    name: String,
    description: Option<String>,
    database: String,
    query_string: String,
    work_group: Option<String>,
    named_query_id: Option<String>,
    named_query_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PreparedIn {
    statement_name: String,
    work_group: String,
    query_statement: String,
    description: Option<String>,
}

fn require_catalog(name: Option<&str>) -> Result<(), ApiError> {
    match name.map(str::to_lowercase) {
        None => Ok(()),
        Some(n) if n == CATALOG_NAME => Ok(()),
        Some(n) => Err(ApiError::Metadata(format!("Catalog {n} does not exist"))),
    }
}

fn table_metadata(t: &lakestack_catalog::model::Table) -> Value {
    let sd = t.storage_descriptor.clone().unwrap_or_default();
    let column = |c: &lakestack_catalog::model::Column| {
        let mut v = json!({ "Name": c.name, "Type": c.r#type.clone().unwrap_or_else(|| "string".into()) });
        if let Some(comment) = &c.comment {
            v["Comment"] = json!(comment);
        }
        v
    };
    let mut params: serde_json::Map<String, Value> = t.parameters.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    if let Some(l) = &sd.location {
        params.insert("location".into(), json!(l));
    }
    if let Some(f) = &sd.input_format {
        params.insert("inputformat".into(), json!(f));
    }
    if let Some(f) = &sd.output_format {
        params.insert("outputformat".into(), json!(f));
    }
    if let Some(s) = &sd.serde_info {
        if let Some(lib) = &s.serialization_library {
            params.insert("serde.serialization.lib".into(), json!(lib));
        }
        for (k, v) in &s.parameters {
            params.insert(format!("serde.param.{k}"), json!(v));
        }
    }
    json!({
        "Name": t.name,
        "CreateTime": secs(t.create_time),
        "TableType": t.table_type.clone().unwrap_or_else(|| "EXTERNAL_TABLE".into()),
        "Columns": sd.columns.iter().map(column).collect::<Vec<_>>(),
        "PartitionKeys": t.partition_keys.iter().map(column).collect::<Vec<_>>(),
        "Parameters": params,
    })
}

fn metadata_err(e: lakestack_catalog::CatalogError) -> ApiError {
    match e {
        lakestack_catalog::CatalogError::NotFound(m) => ApiError::Metadata(m),
        other => ApiError::Query(QueryError::Internal(Box::new(other))),
    }
}

pub(super) async fn dispatch(svc: &AthenaService, op: &str, body: &[u8]) -> Reply {
    let engine = &svc.engine;
    match op {
        "StartQueryExecution" => {
            let i: StartIn = parse(body)?;
            let ctx = i.query_execution_context.unwrap_or_default();
            let id = engine.start(StartRequest {
                query: i.query_string,
                database: ctx.database,
                catalog: ctx.catalog,
                output_location: i.result_configuration.and_then(|r| r.output_location),
                workgroup: i.work_group,
                client_request_token: i.client_request_token,
                parameters: i.execution_parameters,
            })?;
            Ok(json!({ "QueryExecutionId": id }))
        }
        "GetQueryExecution" => {
            let r: Req = parse(body)?;
            let e = engine.get(&required(r.query_execution_id, "queryExecutionId")?)?;
            Ok(json!({ "QueryExecution": execution(&e) }))
        }
        "BatchGetQueryExecution" => {
            let r: Req = parse(body)?;
            if r.query_execution_ids.is_empty() || r.query_execution_ids.len() > 50 {
                return Err(QueryError::InvalidRequest(
                    "1 validation error detected: Value at 'queryExecutionIds' failed to satisfy constraint: Member must have length between 1 and 50".into(),
                )
                .into());
            }
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for id in &r.query_execution_ids {
                match engine.get(id) {
                    Ok(e) => found.push(execution(&e)),
                    Err(_) => missing.push(json!({
                        "QueryExecutionId": id,
                        "ErrorCode": "INVALID_INPUT",
                        "ErrorMessage": format!("QueryExecution {id} was not found"),
                    })),
                }
            }
            Ok(json!({ "QueryExecutions": found, "UnprocessedQueryExecutionIds": missing }))
        }
        "ListQueryExecutions" => {
            let r: Req = parse(body)?;
            let max = page_size(r.max_results, 50, 50)?;
            let (ids, next) = engine.list(r.work_group.as_deref(), r.next_token.as_deref(), max)?;
            let mut v = json!({ "QueryExecutionIds": ids });
            if let Some(t) = next {
                v["NextToken"] = json!(t);
            }
            Ok(v)
        }
        "StopQueryExecution" => {
            let r: Req = parse(body)?;
            engine.stop(&required(r.query_execution_id, "queryExecutionId")?)?;
            Ok(json!({}))
        }
        "GetQueryResults" => {
            let r: Req = parse(body)?;
            let id = required(r.query_execution_id, "queryExecutionId")?;
            let max = page_size(r.max_results, 1000, 1000)?;
            let page = engine.results(&id, r.next_token.as_deref(), max).await?;
            let rows: Vec<Value> = page
                .rows
                .iter()
                .map(|row| {
                    let data: Vec<Value> = row
                        .iter()
                        .map(|v| match v {
                            Some(s) => json!({ "VarCharValue": s }),
                            None => json!({}),
                        })
                        .collect();
                    json!({ "Data": data })
                })
                .collect();
            let columns: Vec<Value> = page
                .columns
                .iter()
                .map(|c| {
                    json!({
                        "CatalogName": "hive",
                        "SchemaName": "",
                        "TableName": "",
                        "Name": c.name,
                        "Label": c.name,
                        "Type": c.type_name,
                        "Precision": c.precision,
                        "Scale": c.scale,
                        "Nullable": "UNKNOWN",
                        "CaseSensitive": c.type_name == "varchar",
                    })
                })
                .collect();
            let mut v = json!({
                "UpdateCount": page.update_count,
                "ResultSet": { "Rows": rows, "ResultSetMetadata": { "ColumnInfo": columns } },
            });
            if let Some(t) = page.next_token {
                v["NextToken"] = json!(t);
            }
            Ok(v)
        }
        "GetQueryRuntimeStatistics" => {
            let r: Req = parse(body)?;
            let e = engine.get(&required(r.query_execution_id, "queryExecutionId")?)?;
            Ok(json!({ "QueryRuntimeStatistics": {
                "Timeline": {
                    "QueryQueueTimeInMillis": e.started_ms.map_or(0, |s| s - e.submitted_ms),
                    "QueryPlanningTimeInMillis": e.planning_ms,
                    "EngineExecutionTimeInMillis": e.engine_ms,
                    "ServiceProcessingTimeInMillis": 0,
                    "TotalExecutionTimeInMillis": e.completed_ms.map_or(0, |c| c - e.submitted_ms),
                },
                "Rows": { "InputRows": 0, "InputBytes": e.scanned_bytes, "OutputBytes": 0, "OutputRows": e.rows },
            }}))
        }
        "CreateWorkGroup" => {
            let i: WorkGroupIn = parse(body)?;
            let conf = i.configuration.unwrap_or_default();
            engine.create_workgroup(WorkGroup {
                name: i.name,
                description: i.description.unwrap_or_default(),
                output_location: conf.result_configuration.and_then(|r| r.output_location),
                enforce: conf.enforce_work_group_configuration.unwrap_or(false),
                ..WorkGroup::default()
            })?;
            Ok(json!({}))
        }
        "GetWorkGroup" => {
            let r: Req = parse(body)?;
            let w = engine.workgroup(&required(r.work_group, "workGroup")?)?;
            Ok(json!({ "WorkGroup": workgroup(&w) }))
        }
        "ListWorkGroups" => {
            let list: Vec<Value> = engine
                .list_workgroups()?
                .iter()
                .map(|w| {
                    json!({
                        "Name": w.name,
                        "State": w.state,
                        "Description": w.description,
                        "CreationTime": secs(w.created_ms),
                        "EngineVersion": { "SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3" },
                    })
                })
                .collect();
            Ok(json!({ "WorkGroups": list }))
        }
        "UpdateWorkGroup" => {
            let i: UpdateWorkGroupIn = parse(body)?;
            engine.update_workgroup(&i.work_group, |w| {
                if let Some(d) = i.description {
                    w.description = d;
                }
                if let Some(s) = i.state {
                    w.state = s;
                }
                if let Some(u) = i.configuration_updates {
                    if let Some(e) = u.enforce_work_group_configuration {
                        w.enforce = e;
                    }
                    if let Some(r) = u.result_configuration_updates {
                        if r.remove_output_location.unwrap_or(false) {
                            w.output_location = None;
                        }
                        if let Some(o) = r.output_location {
                            w.output_location = Some(o);
                        }
                    }
                }
            })?;
            Ok(json!({}))
        }
        "DeleteWorkGroup" => {
            let r: Req = parse(body)?;
            engine.delete_workgroup(&required(r.work_group, "workGroup")?)?;
            Ok(json!({}))
        }
        "CreateNamedQuery" => {
            let i: NamedQueryIn = parse(body)?;
            let id = engine.create_named_query(NamedQuery {
                name: i.name,
                description: i.description,
                database: i.database,
                query: i.query_string,
                workgroup: i.work_group.unwrap_or_default(),
                ..NamedQuery::default()
            })?;
            Ok(json!({ "NamedQueryId": id }))
        }
        "GetNamedQuery" => {
            let i: NamedQueryIn = parse(body)?;
            let q = engine.named_query(&required(i.named_query_id, "namedQueryId")?)?;
            Ok(json!({ "NamedQuery": named_query(&q) }))
        }
        "BatchGetNamedQuery" => {
            let i: NamedQueryIn = parse(body)?;
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for id in &i.named_query_ids {
                match engine.named_query(id) {
                    Ok(q) => found.push(named_query(&q)),
                    Err(e) => missing.push(
                        json!({ "NamedQueryId": id, "ErrorCode": "INVALID_INPUT", "ErrorMessage": e.to_string() }),
                    ),
                }
            }
            Ok(json!({ "NamedQueries": found, "UnprocessedNamedQueryIds": missing }))
        }
        "ListNamedQueries" => {
            let r: Req = parse(body)?;
            let wg = r.work_group.unwrap_or_else(|| "primary".into());
            engine.workgroup(&wg)?;
            let ids: Vec<String> = engine.named_queries(&wg)?.into_iter().map(|q| q.id).collect();
            Ok(json!({ "NamedQueryIds": ids }))
        }
        "UpdateNamedQuery" => {
            let i: NamedQueryIn = parse(body)?;
            engine.update_named_query(NamedQuery {
                id: required(i.named_query_id, "namedQueryId")?,
                name: i.name,
                description: i.description,
                query: i.query_string,
                ..NamedQuery::default()
            })?;
            Ok(json!({}))
        }
        "DeleteNamedQuery" => {
            let i: NamedQueryIn = parse(body)?;
            engine.delete_named_query(&required(i.named_query_id, "namedQueryId")?)?;
            Ok(json!({}))
        }
        "CreatePreparedStatement" | "UpdatePreparedStatement" => {
            let i: PreparedIn = parse(body)?;
            engine.put_prepared(
                PreparedStatement {
                    name: i.statement_name.to_lowercase(),
                    workgroup: i.work_group,
                    query: i.query_statement,
                    description: i.description,
                    last_modified_ms: 0,
                },
                op == "CreatePreparedStatement",
            )?;
            Ok(json!({}))
        }
        "GetPreparedStatement" => {
            let i: PreparedIn = parse(body)?;
            let p = engine.prepared(&i.work_group, &i.statement_name.to_lowercase())?;
            Ok(json!({ "PreparedStatement": {
                "StatementName": p.name,
                "QueryStatement": p.query,
                "WorkGroupName": p.workgroup,
                "Description": p.description,
                "LastModifiedTime": secs(p.last_modified_ms),
            }}))
        }
        "ListPreparedStatements" => {
            let i: PreparedIn = parse(body)?;
            let list: Vec<Value> = engine
                .prepared_statements(&i.work_group)?
                .iter()
                .map(|p| json!({ "StatementName": p.name, "LastModifiedTime": secs(p.last_modified_ms) }))
                .collect();
            Ok(json!({ "PreparedStatements": list }))
        }
        "DeletePreparedStatement" => {
            let i: PreparedIn = parse(body)?;
            engine.delete_prepared(&i.work_group, &i.statement_name.to_lowercase())?;
            Ok(json!({}))
        }
        "ListDataCatalogs" => Ok(json!({ "DataCatalogsSummary": [{
            "CatalogName": "AwsDataCatalog", "Type": "GLUE", "Status": "CREATE_COMPLETE",
        }]})),
        "GetDataCatalog" => {
            let r: Req = parse(body)?;
            let name = required(r.name, "name")?;
            require_catalog(Some(&name))
                .map_err(|_| ApiError::Query(QueryError::InvalidRequest(format!("Catalog {name} does not exist"))))?;
            Ok(json!({ "DataCatalog": {
                "Name": "AwsDataCatalog",
                "Description": "AWS Glue Data Catalog",
                "Type": "GLUE",
                "Parameters": { "catalog-id": svc.catalog.settings().account_id },
                "Status": "CREATE_COMPLETE",
            }}))
        }
        "ListDatabases" => {
            let r: Req = parse(body)?;
            require_catalog(Some(&required(r.catalog_name, "catalogName")?))?;
            let max = page_size(r.max_results, 50, 50)?;
            let (dbs, next) = svc
                .catalog
                .get_databases(r.next_token.as_deref(), Some(max as i64))
                .map_err(metadata_err)?;
            let list: Vec<Value> = dbs
                .iter()
                .map(|d| {
                    let mut v = json!({ "Name": d.name, "Parameters": d.parameters });
                    if let Some(desc) = &d.description {
                        v["Description"] = json!(desc);
                    }
                    v
                })
                .collect();
            let mut v = json!({ "DatabaseList": list });
            if let Some(t) = next {
                v["NextToken"] = json!(t);
            }
            Ok(v)
        }
        "GetDatabase" => {
            let r: Req = parse(body)?;
            require_catalog(Some(&required(r.catalog_name, "catalogName")?))?;
            let d = svc
                .catalog
                .get_database(&required(r.database_name, "databaseName")?)
                .map_err(metadata_err)?;
            Ok(json!({ "Database": { "Name": d.name, "Description": d.description, "Parameters": d.parameters } }))
        }
        "ListTableMetadata" => {
            let r: Req = parse(body)?;
            require_catalog(Some(&required(r.catalog_name, "catalogName")?))?;
            let max = page_size(r.max_results, 50, 50)?;
            let (tables, next) = svc
                .catalog
                .get_tables(
                    &required(r.database_name, "databaseName")?,
                    r.expression.as_deref(),
                    r.next_token.as_deref(),
                    Some(max as i64),
                )
                .map_err(metadata_err)?;
            let mut v = json!({ "TableMetadataList": tables.iter().map(table_metadata).collect::<Vec<_>>() });
            if let Some(t) = next {
                v["NextToken"] = json!(t);
            }
            Ok(v)
        }
        "GetTableMetadata" => {
            let r: Req = parse(body)?;
            require_catalog(Some(&required(r.catalog_name, "catalogName")?))?;
            let t = svc
                .catalog
                .get_table(
                    &required(r.database_name, "databaseName")?,
                    &required(r.table_name, "tableName")?,
                )
                .map_err(metadata_err)?;
            Ok(json!({ "TableMetadata": table_metadata(&t) }))
        }
        other => Err(ApiError::NotImplemented(other.to_owned())),
    }
}
