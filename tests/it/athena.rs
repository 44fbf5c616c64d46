//! Athena through aws-sdk-rust: SQL DDL over data put by aws-sdk-s3, a
//! Trino-dialect query with exact rows and column types, Athena's error
//! shape for bad input, and executions that survive kill -9.

use std::time::{Duration, Instant};

use aws_sdk_athena::Client;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use aws_sdk_s3::primitives::ByteStream;

use crate::common::{Server, sdk_client, temp_dir};

pub(crate) fn athena(s: &Server) -> Client {
    sdk_client!(aws_sdk_athena, s)
}

/// Runs `sql` to a final state; returns its id and that state.
pub(crate) async fn run(a: &Client, sql: &str) -> (String, QueryExecutionState) {
    let id = a
        .start_query_execution()
        .query_string(sql)
        .query_execution_context(QueryExecutionContext::builder().database("default").build())
        .result_configuration(
            ResultConfiguration::builder()
                .output_location("s3://lake/results/")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .query_execution_id()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let e = a.get_query_execution().query_execution_id(&id).send().await.unwrap();
        let state = e.query_execution().unwrap().status().unwrap().state().unwrap().clone();
        if matches!(
            state,
            QueryExecutionState::Succeeded | QueryExecutionState::Failed | QueryExecutionState::Cancelled
        ) {
            return (id, state);
        }
        assert!(Instant::now() < deadline, "{sql} did not finish");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn lake(s: &Server) {
    let s3 = s.client();
    s3.create_bucket().bucket("lake").send().await.unwrap();
    for (day, body) in [
        (
            "2024-01-01",
            "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"at\": \"2024-01-01 10:00:00\"}\n",
        ),
        (
            "2024-01-02",
            "{\"id\": 2, \"tags\": [], \"at\": \"2024-01-02 11:30:00\"}\n",
        ),
    ] {
        s3.put_object()
            .bucket("lake")
            .key(format!("ev/dt={day}/part-0.json"))
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .unwrap();
    }
    let a = athena(s);
    for sql in [
        "CREATE DATABASE IF NOT EXISTS default",
        "CREATE EXTERNAL TABLE ev (id bigint, tags array<string>, at string) PARTITIONED BY (dt string) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/ev/'",
        "MSCK REPAIR TABLE ev",
    ] {
        assert_eq!(run(&a, sql).await.1, QueryExecutionState::Succeeded, "{sql}");
    }
}

#[tokio::test]
async fn trino_query_rows_and_types() {
    let s = Server::start();
    lake(&s).await;
    let a = athena(&s);
    let (id, state) = run(
        &a,
        "SELECT id, t, date_format(date_parse(at, '%Y-%m-%d %H:%i:%s'), '%H:%i') AS hm, cardinality(tags) AS n \
         FROM ev CROSS JOIN UNNEST(tags) AS u(t) WHERE dt = '2024-01-01' ORDER BY t",
    )
    .await;
    assert_eq!(state, QueryExecutionState::Succeeded);
    let r = a.get_query_results().query_execution_id(&id).send().await.unwrap();
    let set = r.result_set().unwrap();
    let rows: Vec<Vec<String>> = set
        .rows()
        .iter()
        .map(|row| {
            row.data()
                .iter()
                .map(|d| d.var_char_value().unwrap_or("NULL").to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["id", "t", "hm", "n"],
            ["1", "a", "10:00", "2"],
            ["1", "b", "10:00", "2"]
        ]
    );
    let types: Vec<&str> = set
        .result_set_metadata()
        .unwrap()
        .column_info()
        .iter()
        .map(|c| c.r#type())
        .collect();
    assert_eq!(types, ["bigint", "varchar", "varchar", "bigint"]);
}

#[tokio::test]
async fn bad_input_is_an_invalid_request() {
    let s = Server::start();
    let a = athena(&s);
    let e = a
        .get_query_execution()
        .query_execution_id("nope")
        .send()
        .await
        .unwrap_err();
    let e = e.into_service_error();
    assert!(e.is_invalid_request_exception(), "{e:?}");
    let e = a
        .start_query_execution()
        .query_string("")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(e.is_invalid_request_exception(), "{e:?}");
}

#[tokio::test]
async fn executions_survive_kill_9() {
    let dir = temp_dir();
    let s = Server::start_in(dir.path());
    lake(&s).await;
    let (id, state) = run(&athena(&s), "SELECT count(*) AS n FROM ev").await;
    assert_eq!(state, QueryExecutionState::Succeeded);
    s.kill9();

    let s = Server::start_in(dir.path());
    let a = athena(&s);
    let e = a.get_query_execution().query_execution_id(&id).send().await.unwrap();
    assert_eq!(
        e.query_execution().unwrap().status().unwrap().state(),
        Some(&QueryExecutionState::Succeeded)
    );
    let r = a.get_query_results().query_execution_id(&id).send().await.unwrap();
    let last = r.result_set().unwrap().rows().last().unwrap().data()[0].var_char_value();
    assert_eq!(last, Some("2"));
}
