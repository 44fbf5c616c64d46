//! The API through the kit's in-process entry point, as Step Functions'
//! integrations call it: the same parsing, shapes and errors as the wire.
//! Exact answers are transcripts in `tests/wire/` (see
//! `lakestack_aws_protocol::transcript`; `BLESS=1` rewrites them).

use std::path::Path;
use std::sync::Arc;

use lakestack_aws_protocol::{invoke, paging, transcript};
use lakestack_catalog::{Catalog, CatalogSettings};
use serde_json::{Value, json};

use super::*;
use crate::engine::{QueryEngine, StartRequest};
use crate::execution::QueryEvent;

fn service() -> AthenaService {
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::memory::InMemory::new());
    let catalog = Catalog::in_memory(Arc::clone(&objects), CatalogSettings::default()).unwrap();
    let engine = QueryEngine::in_memory(Arc::clone(&catalog), objects).unwrap();
    AthenaService::new(engine, catalog)
}

async fn ok(svc: &AthenaService, op: &str, input: Value) -> Value {
    invoke(svc, op, &input).await.unwrap_or_else(|e| panic!("{op}: {e}"))
}

/// An error's code and message.
fn said(e: &ServiceError) -> (&str, &str) {
    (&e.code, &e.message)
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

/// Members whose values differ from run to run.
const VOLATILE: transcript::Volatile<'_> = transcript::Volatile {
    hidden: &[
        "SubmissionDateTime",
        "CompletionDateTime",
        "EngineExecutionTimeInMillis",
        "TotalExecutionTimeInMillis",
        "QueryQueueTimeInMillis",
        "QueryPlanningTimeInMillis",
        "ServicePreProcessingTimeInMillis",
        "ServiceProcessingTimeInMillis",
        "CreationTime",
        "LastModifiedTime",
        "Timeline",
    ],
    numbered: &["QueryExecutionId", "NamedQueryId", "NextToken"],
};

#[tokio::test]
async fn wire_transcripts() {
    if let Err(report) = transcript::check_dir(Path::new("tests/wire"), VOLATILE, service).await {
        panic!("{report}");
    }
}

/// Named queries list in the order of their (random) ids, so this one is not
/// a transcript.
#[tokio::test]
async fn named_queries_page_by_id() {
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
    let first = ok(&svc, "ListNamedQueries", json!({"MaxResults": 2})).await;
    assert_eq!(first["NamedQueryIds"], json!(ids[..2]));
    let rest = ok(&svc, "ListNamedQueries", json!({"NextToken": first["NextToken"]})).await;
    assert_eq!(rest, json!({"NamedQueryIds": ids[2..]}));
}

/// The next state change, waiting for the query's task to make it.
async fn next_change(events: &mut tokio::sync::broadcast::Receiver<QueryEvent>) -> QueryEvent {
    tokio::time::timeout(std::time::Duration::from_secs(30), events.recv())
        .await
        .expect("a state change in time")
        .expect("the channel is open")
}

/// Each query's transitions reach subscribers once each, in order, numbered
/// from 1, with the error GetQueryExecution reports when it fails.
#[tokio::test]
async fn state_changes_are_announced_in_order() {
    let svc = service();
    let engine = svc.engine();
    let mut events = engine.subscribe();
    let start = |sql: &str| {
        engine
            .start(StartRequest {
                query: sql.into(),
                output_location: Some("s3://lake/results/".into()),
                ..StartRequest::default()
            })
            .unwrap()
    };
    let change = |id: &str, previous: Option<&str>, current: &str, sequence: u64| QueryEvent {
        query_execution_id: id.to_owned(),
        workgroup: "primary".into(),
        previous_state: previous.map(str::to_owned),
        current_state: current.into(),
        statement_type: "DML".into(),
        sequence_number: sequence,
        error: None,
    };

    let id = start("SELECT 1 AS n");
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next_change(&mut events).await);
    }
    assert_eq!(
        seen,
        [
            change(&id, None, "QUEUED", 1),
            change(&id, Some("QUEUED"), "RUNNING", 2),
            change(&id, Some("RUNNING"), "SUCCEEDED", 3),
        ]
    );
    assert_eq!(engine.get(&id).unwrap().state, "SUCCEEDED");

    let id = start("SELECT * FROM no_such_table");
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next_change(&mut events).await);
    }
    let failed = engine.get(&id).unwrap();
    assert_eq!(failed.state, "FAILED");
    let error = failed.error.expect("the failure's AthenaError");
    assert!(error.message.contains("no_such_table"), "{error:?}");
    assert_eq!(
        seen,
        [
            change(&id, None, "QUEUED", 1),
            change(&id, Some("QUEUED"), "RUNNING", 2),
            QueryEvent {
                error: Some(error),
                ..change(&id, Some("RUNNING"), "FAILED", 3)
            },
        ]
    );

    // Stopped before its task ran (this runtime has one thread): the task
    // then finds it gone and changes nothing, and a second stop is no change.
    let id = start("SELECT 2");
    engine.stop(&id).unwrap();
    engine.stop(&id).unwrap();
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        [next_change(&mut events).await, next_change(&mut events).await],
        [
            change(&id, None, "QUEUED", 1),
            change(&id, Some("QUEUED"), "CANCELLED", 2),
        ]
    );
    assert_eq!(engine.get(&id).unwrap().state, "CANCELLED");
    assert!(events.try_recv().is_err(), "no change after the end");
}
