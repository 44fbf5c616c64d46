//! The Glue edge through the kit's in-process `invoke`: operations, the
//! errors AWS answers with, paging and timestamps.

use std::sync::Arc;

use lakestack_aws_protocol::{ServiceError, invoke};
use serde_json::{Value, json};

use super::{GlueOp, GlueService};
use crate::{Catalog, CatalogSettings};

fn glue() -> GlueService {
    let objects = Arc::new(object_store::memory::InMemory::new());
    GlueService::new(Catalog::in_memory(objects, CatalogSettings::default()).unwrap())
}

async fn ok(g: &GlueService, op: &str, input: Value) -> Value {
    invoke(g, op, &input).await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn err(g: &GlueService, op: &str, input: Value) -> (String, String) {
    let e: ServiceError = invoke(g, op, &input).await.expect_err(op);
    (e.code.into_owned(), e.message)
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

#[test]
fn every_operation_parses_by_its_name() {
    for op in GlueOp::ALL {
        assert_eq!(op.name().parse::<GlueOp>(), Ok(*op));
    }
    assert_eq!(GlueOp::ALL.len(), 46);
}

#[tokio::test]
async fn unknown_operations_and_other_catalogs() {
    let g = glue();
    let (code, message) = err(&g, "GetJobs", json!({})).await;
    assert_eq!(code, "NotImplemented");
    assert!(message.contains("GetJobs"), "{message}");
    assert_eq!(
        err(&g, "GetDatabases", json!({"CatalogId": "123"})).await,
        pair("EntityNotFoundException", "Catalog 123 not found.")
    );
    assert_eq!(
        ok(&g, "GetDatabases", json!({"CatalogId": "000000000000"})).await,
        json!({"DatabaseList": []})
    );
    assert_eq!(
        err(&g, "GetDatabase", json!({})).await,
        pair(
            "InvalidInputException",
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
        )
    );
    assert_eq!(
        err(&g, "GetDatabase", json!({"Name": 5})).await,
        pair(
            "InvalidInputException",
            "invalid type: integer `5`, expected a string at line 1 column 9"
        )
    );
}

#[tokio::test]
async fn databases_page_by_name_with_epoch_second_times() {
    let g = glue();
    for name in ["b", "A", "c"] {
        ok(&g, "CreateDatabase", json!({"DatabaseInput": {"Name": name}})).await;
    }
    let first = ok(&g, "GetDatabases", json!({"MaxResults": 2})).await;
    let names: Vec<_> = first["DatabaseList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["Name"])
        .collect();
    assert_eq!(names, ["a", "b"]);
    let created = first["DatabaseList"][0]["CreateTime"].as_f64().unwrap();
    assert!(created > 1.7e9 && created < 1e11, "{created}");
    let token = first["NextToken"].as_str().unwrap();
    let rest = ok(&g, "GetDatabases", json!({"MaxResults": 2, "NextToken": token})).await;
    assert_eq!(rest["DatabaseList"][0]["Name"], "c");
    assert!(rest.get("NextToken").is_none());
    assert_eq!(
        err(&g, "GetDatabases", json!({"MaxResults": 101})).await.1,
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100"
    );
    assert_eq!(
        err(&g, "GetDatabases", json!({"NextToken": "***"})).await,
        pair("InvalidInputException", "Invalid pagination token")
    );
}

#[tokio::test]
async fn batch_limits_and_partition_errors() {
    let g = glue();
    ok(&g, "CreateDatabase", json!({"DatabaseInput": {"Name": "db"}})).await;
    let table = json!({"Name": "t", "PartitionKeys": [{"Name": "dt", "Type": "string"}]});
    ok(&g, "CreateTable", json!({"DatabaseName": "db", "TableInput": table})).await;
    let out = ok(
        &g,
        "BatchCreatePartition",
        json!({"DatabaseName": "db", "TableName": "t", "PartitionInputList": [
            {"Values": ["1"], "LastAccessTime": 1700000000.5}, {"Values": ["1"]}
        ]}),
    )
    .await;
    assert_eq!(
        out,
        json!({"Errors": [{"PartitionValues": ["1"], "ErrorDetail": {
            "ErrorCode": "AlreadyExistsException", "ErrorMessage": "Partition already exists."
        }}]})
    );
    let p = ok(
        &g,
        "GetPartition",
        json!({"DatabaseName": "db", "TableName": "t", "PartitionValues": ["1"]}),
    )
    .await;
    assert_eq!(p["Partition"]["LastAccessTime"], json!(1700000000.5));
    let too_many = vec![json!({"Values": ["x"]}); 26];
    assert_eq!(
        err(
            &g,
            "BatchDeletePartition",
            json!({"DatabaseName": "db", "TableName": "t", "PartitionsToDelete": too_many})
        )
        .await
        .1,
        "1 validation error detected: Value at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25"
    );
    let got = ok(
        &g,
        "BatchGetPartition",
        json!({"DatabaseName": "db", "TableName": "t", "PartitionsToGet": [{"Values": ["1"]}, {"Values": ["2"]}]}),
    )
    .await;
    assert_eq!(got["Partitions"].as_array().unwrap().len(), 1);
    assert_eq!(got["UnprocessedKeys"], json!([]));
}

#[tokio::test]
async fn classifier_updates_keep_what_they_leave_out() {
    let g = glue();
    let csv = json!({"Name": "pipes", "Delimiter": "|", "QuoteSymbol": "'", "ContainsHeader": "PRESENT"});
    ok(&g, "CreateClassifier", json!({"CsvClassifier": csv})).await;
    ok(
        &g,
        "UpdateClassifier",
        json!({"CsvClassifier": {"Name": "pipes", "Delimiter": ";"}}),
    )
    .await;
    let c = ok(&g, "GetClassifier", json!({"Name": "pipes"})).await;
    let c = &c["Classifier"]["CsvClassifier"];
    assert_eq!(
        (&c["Delimiter"], &c["QuoteSymbol"], &c["ContainsHeader"], &c["Version"]),
        (&json!(";"), &json!("'"), &json!("PRESENT"), &json!(2))
    );
    assert_eq!(
        err(&g, "CreateClassifier", json!({})).await,
        pair("InvalidInputException", "Exactly one classifier must be specified.")
    );
    assert_eq!(
        err(&g, "UpdateClassifier", json!({"GrokClassifier": {"Name": "g"}}))
            .await
            .0,
        "NotImplemented"
    );
}

#[tokio::test]
async fn tags_by_arn() {
    let g = glue();
    ok(
        &g,
        "CreateDatabase",
        json!({"DatabaseInput": {"Name": "Sales"}, "Tags": {"b": "2", "a": "1"}}),
    )
    .await;
    let arn = "arn:aws:glue:us-east-1:000000000000:database/SALES";
    assert_eq!(
        ok(&g, "GetTags", json!({"ResourceArn": arn})).await,
        json!({"Tags": {"a": "1", "b": "2"}})
    );
    let elsewhere = "arn:aws:glue:eu-west-1:000000000000:database/sales";
    assert_eq!(
        err(&g, "GetTags", json!({"ResourceArn": elsewhere})).await,
        pair("InvalidInputException", &format!("Invalid ARN: {elsewhere}"))
    );
}

#[tokio::test]
async fn edge_listings_page_by_name_and_refuse_tokens_as_the_catalog_does() {
    let g = glue();
    for name in ["b", "a", "c"] {
        ok(
            &g,
            "CreateClassifier",
            json!({"JsonClassifier": {"Name": name, "JsonPath": "$"}}),
        )
        .await;
    }
    let first = ok(&g, "GetClassifiers", json!({"MaxResults": 2})).await;
    let token = first["NextToken"].as_str().unwrap();
    let rest = ok(&g, "GetClassifiers", json!({"MaxResults": 2, "NextToken": token})).await;
    assert_eq!(rest["Classifiers"][0]["JsonClassifier"]["Name"], "c");
    assert!(rest.get("NextToken").is_none());
    // The token is read before the page size, so a bad one wins.
    assert_eq!(
        err(&g, "GetCrawlers", json!({"NextToken": "***", "MaxResults": 0})).await,
        pair("InvalidInputException", "Invalid pagination token")
    );
    assert_eq!(
        err(&g, "ListCrawlers", json!({"MaxResults": 1001})).await.1,
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"
    );
    // The edge's listings and the catalog's own answer a bad token alike.
    assert_eq!(
        super::SPEC.invalid_token("***"),
        ServiceError::from(crate::paging::invalid_token())
    );
}

#[tokio::test]
async fn input_times_are_epoch_seconds() {
    let g = glue();
    ok(&g, "CreateDatabase", json!({"DatabaseInput": {"Name": "db"}})).await;
    let table = json!({"Name": "t", "LastAccessTime": 1700000000, "LastAnalyzedTime": 1.0006});
    ok(&g, "CreateTable", json!({"DatabaseName": "db", "TableInput": table})).await;
    let t = ok(&g, "GetTable", json!({"DatabaseName": "db", "Name": "t"})).await;
    assert_eq!(
        (&t["Table"]["LastAccessTime"], &t["Table"]["LastAnalyzedTime"]),
        (&json!(1700000000.0), &json!(1.001))
    );
    let table = json!({"Name": "u", "LastAccessTime": "yesterday"});
    assert_eq!(
        err(&g, "CreateTable", json!({"DatabaseName": "db", "TableInput": table})).await,
        pair(
            "InvalidInputException",
            "invalid type: string \"yesterday\", expected f64 at line 1 column 74"
        )
    );
}
