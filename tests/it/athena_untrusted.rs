//! Athena under hostile SQL: statements DataFusion knows but Athena does not
//! (`COPY ... TO` a host path, DataFusion's `CREATE EXTERNAL TABLE`, `SET`,
//! `SELECT ... INTO`) fail and touch nothing on the host; type strings nested
//! thousands deep, views that name each other and functions asked for
//! gigabytes fail their query and leave the server answering; a query over
//! `--query-memory` or `--query-timeout` ends FAILED with Athena's error.

use aws_sdk_athena::Client;
use aws_sdk_athena::types::QueryExecutionState;
use aws_sdk_glue::types::{Column, StorageDescriptor, TableInput};

use crate::athena::{athena, run};
use crate::common::{Server, sdk_client, temp_dir};

/// Runs `sql`, expects FAILED, and returns Athena's error (category, type, message).
async fn failure(a: &Client, sql: &str) -> (i32, i32, String) {
    let (id, state) = run(a, sql).await;
    assert_eq!(state, QueryExecutionState::Failed, "{sql}");
    let e = a.get_query_execution().query_execution_id(id).send().await.unwrap();
    let status = e.query_execution().unwrap().status().unwrap();
    let err = status.athena_error().unwrap();
    (
        err.error_category().unwrap(),
        err.error_type().unwrap(),
        err.error_message().unwrap().to_owned(),
    )
}

async fn bucket(s: &Server) {
    s.client().create_bucket().bucket("lake").send().await.unwrap();
}

#[tokio::test]
async fn statements_athena_does_not_run_touch_nothing_on_the_host() {
    let s = Server::start();
    bucket(&s).await;
    let a = athena(&s);
    let host = temp_dir();
    let target = host.path().join("pwned.csv");
    let t = target.to_str().unwrap();
    for sql in [
        format!("EXPLAIN ANALYZE COPY (SELECT 'x') TO '{t}' STORED AS CSV"),
        format!("COPY (SELECT 'x') TO '{t}' STORED AS CSV"),
        format!("COPY (SELECT 'x') TO 'file://{t}' STORED AS CSV"),
        format!("/* /* */ SELECT */ COPY (SELECT 'x') TO '{t}' STORED AS CSV"),
        format!("EXPLAIN COPY (SELECT 'x') TO '{t}' STORED AS CSV"),
    ] {
        let (category, _, message) = failure(&a, &sql).await;
        assert_eq!(category, 2, "{sql}: {message}");
        assert_eq!(
            message, "NOT_SUPPORTED: COPY is not a statement Athena runs here",
            "{sql}"
        );
        assert!(!target.exists(), "{sql} wrote {t}");
    }
    // DataFusion's own DDL, session statements and SELECT ... INTO.
    assert_eq!(
        run(&a, "CREATE DATABASE IF NOT EXISTS default").await.1,
        QueryExecutionState::Succeeded
    );
    let etc = host.path().to_str().unwrap();
    std::fs::write(host.path().join("secret.csv"), "a\n1\n").unwrap();
    for (sql, message) in [
        (
            format!("CREATE EXTERNAL TABLE leak STORED AS CSV LOCATION '{etc}/'"),
            "SemanticException Invalid LOCATION",
        ),
        (
            "SET datafusion.execution.batch_size = 1".to_owned(),
            "NOT_SUPPORTED: SET is not a statement Athena runs here",
        ),
        (
            "SELECT 1 AS a INTO copied".to_owned(),
            "NOT_SUPPORTED: DDL not supported: CreateMemoryTable; Athena runs no such statement here",
        ),
    ] {
        let (_, _, got) = failure(&a, &sql).await;
        assert!(got.contains(message), "{sql}: {got}");
    }
    // A path as a table name reads nothing from the host either.
    let (_, _, got) = failure(&a, &format!("SELECT * FROM '{etc}/secret.csv'")).await;
    assert!(got.starts_with("TABLE_NOT_FOUND") || got.contains("not found"), "{got}");
    assert_eq!(std::fs::read_dir(host.path()).unwrap().count(), 1);
    // The engine still answers.
    let (_, state) = run(&a, "SELECT 1").await;
    assert_eq!(state, QueryExecutionState::Succeeded);
}

#[tokio::test]
async fn deep_types_recursive_views_and_huge_values_fail_their_query_only() {
    let s = Server::start();
    bucket(&s).await;
    let a = athena(&s);
    assert_eq!(
        run(&a, "CREATE DATABASE IF NOT EXISTS default").await.1,
        QueryExecutionState::Succeeded
    );
    let deep = format!("{}int{}", "array<".repeat(5_000), ">".repeat(5_000));
    let (category, _, message) = failure(
        &a,
        &format!("CREATE EXTERNAL TABLE deep (c {deep}) STORED AS PARQUET LOCATION 's3://lake/deep/'"),
    )
    .await;
    assert_eq!(category, 2);
    assert!(message.contains("the type nests deeper than 100 levels"), "{message}");

    // The same type stored through Glue, then read by a query.
    let glue = sdk_client!(aws_sdk_glue, s);
    let table = |name: &str, columns: Vec<Column>, view: Option<&str>| {
        let mut t = TableInput::builder().name(name).storage_descriptor(
            StorageDescriptor::builder()
                .set_columns(Some(columns))
                .location("s3://lake/deep/")
                .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
                .build(),
        );
        if let Some(sql) = view {
            t = t.table_type("VIRTUAL_VIEW").view_original_text(sql);
        }
        t.build().unwrap()
    };
    let col = |ty: &str| Column::builder().name("c").r#type(ty).build().unwrap();
    glue.create_table()
        .database_name("default")
        .table_input(table("deep", vec![col(&deep)], None))
        .send()
        .await
        .unwrap();
    let (_, _, message) = failure(&a, "SELECT * FROM deep").await;
    assert!(message.contains("the type nests deeper than 100 levels"), "{message}");

    // Two views that name each other, stored as Athena stores views.
    for (name, other) in [("v1", "v2"), ("v2", "v1")] {
        let sql = format!("SELECT * FROM {other}");
        let presto = presto_view(&sql);
        glue.create_table()
            .database_name("default")
            .table_input(table(name, vec![col("integer")], Some(&presto)))
            .send()
            .await
            .unwrap();
    }
    let (_, _, message) = failure(&a, "SELECT * FROM v1").await;
    assert!(message.contains("View is recursive"), "{message}");

    let (_, _, message) = failure(&a, "SELECT cardinality(repeat('x', 300000000))").await;
    assert_eq!(
        message,
        "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be less than or equal to 10000"
    );
    let (_, _, message) = failure(&a, "SELECT length(lpad('x', 300000000))").await;
    assert!(message.contains("a value may not exceed 32 MB"), "{message}");

    // sqlparser bounds nesting; a chain of operators is as deep as it is long.
    let (_, _, message) = failure(&a, &format!("SELECT 1{}", " + 1".repeat(60_000))).await;
    assert_eq!(
        message,
        "NOT_SUPPORTED: Statement is too large: an expression chains more than 2000 operators"
    );
    let (_, _, message) = failure(&a, &format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000))).await;
    assert!(message.starts_with("SYNTAX_ERROR"), "{message}");

    assert_eq!(run(&a, "SELECT 1").await.1, QueryExecutionState::Succeeded);
}

/// The `/* Presto View: <base64 JSON> */` text Athena stores for a view.
fn presto_view(sql: &str) -> String {
    use base64::Engine as _;
    let json = serde_json::json!({
        "originalSql": sql,
        "catalog": "awsdatacatalog",
        "schema": "default",
        "columns": [{"name": "c", "type": "integer"}],
    });
    format!(
        "/* Presto View: {} */",
        base64::engine::general_purpose::STANDARD.encode(json.to_string())
    )
}

#[tokio::test]
async fn queries_past_their_memory_or_time_end_failed() {
    let s = Server::start_with(&["--ephemeral", "--query-memory", "8MiB", "--query-timeout", "2s"]);
    bucket(&s).await;
    let a = athena(&s);
    let (category, error_type, message) = failure(
        &a,
        "SELECT cardinality(array_agg(value)) FROM generate_series(1, 4000000)",
    )
    .await;
    assert_eq!((category, error_type), (1, 1), "{message}");
    assert!(
        message.starts_with("Query exhausted resources at this scale factor"),
        "{message}"
    );
    let (category, error_type, message) = failure(
        &a,
        "SELECT count(*) FROM generate_series(1, 100000000000) a WHERE a.value % 7 = 3",
    )
    .await;
    assert_eq!((category, error_type), (1, 206), "{message}");
    assert_eq!(
        message,
        "Query timeout: the query ran longer than the limit of 2 s (--query-timeout)"
    );
    assert_eq!(run(&a, "SELECT 1").await.1, QueryExecutionState::Succeeded);
}
