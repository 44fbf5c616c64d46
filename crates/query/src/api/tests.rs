//! The API through the kit's in-process entry point, as Step Functions'
//! integrations call it: the same parsing, shapes and errors as the wire.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lakestack_aws_protocol::{invoke, paging};
use lakestack_catalog::{Catalog, CatalogSettings, model};
use serde_json::{Value, json};

use super::*;
use crate::engine::QueryEngine;

fn service() -> AthenaService {
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
    let catalog = Catalog::in_memory(Arc::clone(&objects), CatalogSettings::default()).unwrap();
    let engine = QueryEngine::in_memory(Arc::clone(&catalog), objects).unwrap();
    AthenaService::new(engine, catalog)
}

async fn ok(svc: &AthenaService, op: &str, input: Value) -> Value {
    invoke(svc, op, &input).await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn err(svc: &AthenaService, op: &str, input: Value) -> ServiceError {
    invoke(svc, op, &input).await.expect_err(op)
}

/// An error's code and message.
fn said(e: &ServiceError) -> (&str, &str) {
    (&e.code, &e.message)
}

/// The `Name`s of the items of the list member `list`.
fn names<'v>(v: &'v Value, list: &str) -> Vec<&'v str> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["Name"].as_str().unwrap())
        .collect()
}

/// Starts `sql` and waits for its final state; returns its id and execution.
async fn run(svc: &AthenaService, sql: &str) -> (String, Value) {
    let started = ok(
        svc,
        "StartQueryExecution",
        json!({"QueryString": sql, "ResultConfiguration": {"OutputLocation": "s3://lake/results/"}}),
    )
    .await;
    let id = started["QueryExecutionId"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = ok(svc, "GetQueryExecution", json!({"QueryExecutionId": id})).await;
        let e = got["QueryExecution"].clone();
        if matches!(
            e["Status"]["State"].as_str(),
            Some("SUCCEEDED" | "FAILED" | "CANCELLED")
        ) {
            return (id, e);
        }
        assert!(Instant::now() < deadline, "{sql} did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn operations_parse_and_others_are_not_implemented() {
    assert_eq!("GetQueryResults".parse::<AthenaOp>(), Ok(AthenaOp::GetQueryResults));
    assert_eq!(AthenaOp::ALL.len(), 29);
    let e = SPEC.not_implemented("CreateDataCatalog");
    assert_eq!(
        (e.code.as_ref(), e.status),
        ("NotImplemented", StatusCode::NOT_IMPLEMENTED)
    );
    assert_eq!(
        e.message,
        "lakestack does not implement the Athena operation CreateDataCatalog yet"
    );
}

#[test]
fn members_and_page_sizes_are_checked_as_aws_words_it() {
    let e = required(Some(String::new()), "queryExecutionId").unwrap_err();
    assert_eq!(e.code, "InvalidRequestException");
    assert_eq!(
        e.message,
        "1 validation error detected: Value null at 'queryExecutionId' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(page_size(None, 50, 50).unwrap(), 50);
    assert_eq!(page_size(Some(7), 50, 50).unwrap(), 7);
    assert_eq!(
        page_size(Some(0), 1000, 1000).unwrap_err().message,
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
    );
}

#[test]
fn listings_page_by_key() {
    let names = ["etl", "primary", "adhoc"].map(String::from);
    let mut sorted = names.to_vec();
    sorted.sort();
    let page = |items: Vec<String>, token: Option<&str>| paging::page_from(&SPEC, items, String::clone, token, 2);
    let (first, token) = page(sorted.clone(), None).unwrap();
    assert_eq!(first, ["adhoc", "etl"]);
    let (rest, token) = page(sorted, token.as_deref()).unwrap();
    assert_eq!((rest, token), (vec!["primary".to_owned()], None));
    let e = page(names.to_vec(), Some("***")).unwrap_err();
    assert_eq!(said(&e), ("InvalidRequestException", "NextToken is not valid"));
}

#[tokio::test]
async fn unknown_operations_and_bad_members() {
    let svc = service();
    let e = err(&svc, "CreateDataCatalog", json!({"Name": "x"})).await;
    assert_eq!(e.code, "NotImplemented");
    assert!(e.message.contains("CreateDataCatalog"), "{e}");
    let e = err(&svc, "GetQueryExecution", json!({})).await;
    assert_eq!(
        said(&e),
        (
            "InvalidRequestException",
            "1 validation error detected: Value null at 'queryExecutionId' failed to satisfy constraint: Member must not be null"
        )
    );
    let e = err(&svc, "GetQueryExecution", json!({"QueryExecutionId": 7})).await;
    assert_eq!(e.code, "InvalidRequestException");
    let e = err(&svc, "BatchGetQueryExecution", json!({"QueryExecutionIds": []})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'queryExecutionIds' failed to satisfy constraint: Member must have length between 1 and 50"
    );
    let e = err(&svc, "StartQueryExecution", json!({"QueryString": " "})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length between 1 and 262144"
    );
    let e = err(&svc, "ListQueryExecutions", json!({"MaxResults": 51})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"
    );
    let e = err(&svc, "CreateWorkGroup", json!({"Name": "a b"})).await;
    assert_eq!(
        e.message,
        "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}"
    );
}

#[tokio::test]
async fn a_query_runs_and_its_result_pages_by_position() {
    let svc = service();
    let (id, e) = run(&svc, "SELECT value AS n FROM generate_series(1, 3) ORDER BY n").await;
    assert_eq!(e["Status"]["State"], "SUCCEEDED", "{e}");
    assert_eq!(e["QueryExecutionContext"], json!({"Catalog": "awsdatacatalog"}));
    assert_eq!(
        e["ResultConfiguration"]["OutputLocation"],
        format!("s3://lake/results/{id}.csv")
    );
    assert!(e["Status"]["SubmissionDateTime"].is_f64());
    assert!(e["Status"]["CompletionDateTime"].is_f64());
    assert!(e["Status"].get("AthenaError").is_none());

    let mut rows = Vec::new();
    let mut token = Value::Null;
    loop {
        let mut input = json!({"QueryExecutionId": id, "MaxResults": 2});
        if !token.is_null() {
            input["NextToken"] = token.clone();
        }
        let page = ok(&svc, "GetQueryResults", input).await;
        assert_eq!(page["UpdateCount"], 0);
        assert_eq!(
            page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"][0]["Type"],
            "bigint"
        );
        rows.extend(page["ResultSet"]["Rows"].as_array().unwrap().iter().cloned());
        token = page.get("NextToken").cloned().unwrap_or(Value::Null);
        if token.is_null() {
            break;
        }
    }
    let values: Vec<&str> = rows
        .iter()
        .map(|r| r["Data"][0]["VarCharValue"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["n", "1", "2", "3"]);

    let stats = ok(&svc, "GetQueryRuntimeStatistics", json!({"QueryExecutionId": id})).await;
    assert_eq!(stats["QueryRuntimeStatistics"]["Rows"]["OutputRows"], 3);
    let got = ok(
        &svc,
        "BatchGetQueryExecution",
        json!({"QueryExecutionIds": [id, "missing"]}),
    )
    .await;
    assert_eq!(got["QueryExecutions"][0]["QueryExecutionId"], id.as_str());
    assert_eq!(
        got["UnprocessedQueryExecutionIds"],
        json!([{"QueryExecutionId": "missing", "ErrorCode": "INVALID_INPUT", "ErrorMessage": "QueryExecution missing was not found"}])
    );
    let listed = ok(&svc, "ListQueryExecutions", json!({})).await;
    assert_eq!(listed, json!({"QueryExecutionIds": [id]}));
    ok(&svc, "StopQueryExecution", json!({"QueryExecutionId": id})).await;
}

#[tokio::test]
async fn work_groups_page_by_name() {
    let svc = service();
    for name in ["etl", "adhoc"] {
        let out = ok(
            &svc,
            "CreateWorkGroup",
            json!({"Name": name, "Configuration": {"ResultConfiguration": {"OutputLocation": "s3://lake/wg/"}}}),
        )
        .await;
        assert_eq!(out, json!({}));
    }
    let all = ok(&svc, "ListWorkGroups", json!({})).await;
    assert_eq!(names(&all, "WorkGroups"), ["adhoc", "etl", "primary"]);
    assert!(all.get("NextToken").is_none());
    assert_eq!(all["WorkGroups"][2]["EngineVersion"]["SelectedEngineVersion"], "AUTO");

    let first = ok(&svc, "ListWorkGroups", json!({"MaxResults": 2})).await;
    assert_eq!(first["WorkGroups"].as_array().unwrap().len(), 2);
    // The next page starts after the last name returned, even once it is gone.
    ok(&svc, "DeleteWorkGroup", json!({"WorkGroup": "etl"})).await;
    let rest = ok(
        &svc,
        "ListWorkGroups",
        json!({"MaxResults": 2, "NextToken": first["NextToken"]}),
    )
    .await;
    assert_eq!(names(&rest, "WorkGroups"), ["primary"]);
    let e = err(&svc, "ListWorkGroups", json!({"NextToken": "***"})).await;
    assert_eq!(said(&e), ("InvalidRequestException", "NextToken is not valid"));

    ok(
        &svc,
        "UpdateWorkGroup",
        json!({"WorkGroup": "adhoc", "Description": "d", "ConfigurationUpdates": {
            "EnforceWorkGroupConfiguration": true,
            "ResultConfigurationUpdates": {"RemoveOutputLocation": true},
        }}),
    )
    .await;
    let w = ok(&svc, "GetWorkGroup", json!({"WorkGroup": "adhoc"})).await["WorkGroup"].clone();
    assert_eq!(w["Description"], "d");
    assert_eq!(
        w["Configuration"],
        json!({
            "ResultConfiguration": {},
            "EnforceWorkGroupConfiguration": true,
            "PublishCloudWatchMetricsEnabled": false,
            "RequesterPaysEnabled": false,
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
        })
    );
    let e = err(&svc, "GetWorkGroup", json!({"WorkGroup": "nope"})).await;
    assert_eq!(said(&e), ("InvalidRequestException", "WorkGroup nope is not found."));
}

#[tokio::test]
async fn named_queries_and_prepared_statements() {
    let svc = service();
    let mut ids = Vec::new();
    for n in 0..3 {
        let out = ok(
            &svc,
            "CreateNamedQuery",
            json!({"Name": format!("q{n}"), "Database": "shop", "QueryString": "SELECT 1"}),
        )
        .await;
        ids.push(out["NamedQueryId"].as_str().unwrap().to_owned());
    }
    ids.sort();
    let got = ok(&svc, "GetNamedQuery", json!({"NamedQueryId": ids[0]})).await["NamedQuery"].clone();
    assert_eq!(got["WorkGroup"], "primary");
    assert!(got.get("Description").is_none(), "{got}");
    let first = ok(&svc, "ListNamedQueries", json!({"MaxResults": 2})).await;
    assert_eq!(first["NamedQueryIds"], json!(ids[..2]));
    let rest = ok(&svc, "ListNamedQueries", json!({"NextToken": first["NextToken"]})).await;
    assert_eq!(rest, json!({"NamedQueryIds": ids[2..]}));
    let batch = ok(
        &svc,
        "BatchGetNamedQuery",
        json!({"NamedQueryIds": [ids[1], "missing"]}),
    )
    .await;
    assert_eq!(batch["NamedQueries"][0]["NamedQueryId"], ids[1].as_str());
    assert_eq!(
        batch["UnprocessedNamedQueryIds"],
        json!([{"NamedQueryId": "missing", "ErrorCode": "INVALID_INPUT", "ErrorMessage": "NamedQuery missing was not found"}])
    );
    ok(
        &svc,
        "UpdateNamedQuery",
        json!({"NamedQueryId": ids[1], "Name": "renamed", "QueryString": "SELECT 2"}),
    )
    .await;
    let got = ok(&svc, "GetNamedQuery", json!({"NamedQueryId": ids[1]})).await;
    assert_eq!(
        (&got["NamedQuery"]["Name"], &got["NamedQuery"]["Database"]),
        (&json!("renamed"), &json!("shop"))
    );
    ok(&svc, "DeleteNamedQuery", json!({"NamedQueryId": ids[1]})).await;
    let e = err(&svc, "ListNamedQueries", json!({"WorkGroup": "nope"})).await;
    assert_eq!(e.code, "InvalidRequestException");

    let put = json!({"StatementName": "By_Day", "WorkGroup": "primary", "QueryStatement": "SELECT ?"});
    ok(&svc, "CreatePreparedStatement", put.clone()).await;
    assert_eq!(
        err(&svc, "CreatePreparedStatement", put.clone()).await.code,
        "InvalidRequestException"
    );
    ok(&svc, "UpdatePreparedStatement", put).await;
    let p = ok(
        &svc,
        "GetPreparedStatement",
        json!({"StatementName": "by_day", "WorkGroup": "primary"}),
    )
    .await;
    assert_eq!(p["PreparedStatement"]["StatementName"], "by_day");
    assert_eq!(p["PreparedStatement"]["WorkGroupName"], "primary");
    assert!(p["PreparedStatement"]["LastModifiedTime"].is_f64());
    let listed = ok(&svc, "ListPreparedStatements", json!({"WorkGroup": "primary"})).await;
    assert_eq!(listed["PreparedStatements"][0]["StatementName"], "by_day");
    ok(
        &svc,
        "DeletePreparedStatement",
        json!({"StatementName": "BY_DAY", "WorkGroup": "primary"}),
    )
    .await;
    let e = err(
        &svc,
        "GetPreparedStatement",
        json!({"StatementName": "by_day", "WorkGroup": "primary"}),
    )
    .await;
    assert_eq!(e.code, "ResourceNotFoundException");
}

#[tokio::test]
async fn metadata_is_glues() {
    let svc = service();
    svc.catalog
        .create_database(model::Database {
            name: "shop".into(),
            ..model::Database::default()
        })
        .unwrap();
    let catalogs = ok(&svc, "ListDataCatalogs", json!({})).await;
    assert_eq!(
        catalogs,
        json!({"DataCatalogsSummary": [{"CatalogName": "AwsDataCatalog", "Type": "GLUE", "Status": "CREATE_COMPLETE"}]})
    );
    let c = ok(&svc, "GetDataCatalog", json!({"Name": "awsdatacatalog"})).await;
    assert_eq!(c["DataCatalog"]["Parameters"], json!({"catalog-id": "000000000000"}));
    let e = err(&svc, "GetDataCatalog", json!({"Name": "Other"})).await;
    assert_eq!(said(&e), ("InvalidRequestException", "Catalog Other does not exist"));

    let dbs = ok(&svc, "ListDatabases", json!({"CatalogName": "AwsDataCatalog"})).await;
    assert_eq!(dbs, json!({"DatabaseList": [{"Name": "shop", "Parameters": {}}]}));
    let db = ok(
        &svc,
        "GetDatabase",
        json!({"CatalogName": "AwsDataCatalog", "DatabaseName": "shop"}),
    )
    .await;
    assert_eq!(db, json!({"Database": {"Name": "shop", "Parameters": {}}}));
    let e = err(&svc, "ListDatabases", json!({"CatalogName": "hive"})).await;
    assert_eq!(said(&e), ("MetadataException", "Catalog hive does not exist"));
    let e = err(
        &svc,
        "ListDatabases",
        json!({"CatalogName": "AwsDataCatalog", "NextToken": "***"}),
    )
    .await;
    assert_eq!(e.code, "InvalidRequestException");
    let tables = ok(
        &svc,
        "ListTableMetadata",
        json!({"CatalogName": "AwsDataCatalog", "DatabaseName": "shop"}),
    )
    .await;
    assert_eq!(tables, json!({"TableMetadataList": []}));
    let e = err(
        &svc,
        "GetTableMetadata",
        json!({"CatalogName": "AwsDataCatalog", "DatabaseName": "shop", "TableName": "nope"}),
    )
    .await;
    assert_eq!(e.code, "MetadataException");
}
