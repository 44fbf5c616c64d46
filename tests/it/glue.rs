//! The Glue catalog through aws-sdk-rust: CRUD, the partition predicate
//! language, optimistic table updates, a crawl, and durability across kill -9.

use std::time::{Duration, Instant};

use aws_sdk_glue::Client;
use aws_sdk_glue::types::{
    Column, CrawlerState, CrawlerTargets, DatabaseInput, LastCrawlStatus, PartitionInput, S3Target, StorageDescriptor,
    TableInput,
};

use crate::common::{Server, sdk_client, temp_dir};

fn glue(s: &Server) -> Client {
    sdk_client!(aws_sdk_glue, s)
}

fn col(name: &str, ty: &str) -> Column {
    Column::builder().name(name).r#type(ty).build().unwrap()
}

fn sd(location: &str) -> StorageDescriptor {
    StorageDescriptor::builder()
        .columns(col("id", "bigint"))
        .columns(col("name", "string"))
        .location(location)
        .build()
}

async fn make_table(g: &Client, partitions: usize) {
    g.create_database()
        .database_input(DatabaseInput::builder().name("db").build().unwrap())
        .send()
        .await
        .unwrap();
    g.create_table()
        .database_name("db")
        .table_input(
            TableInput::builder()
                .name("t")
                .storage_descriptor(sd("s3://b/t/"))
                .partition_keys(col("year", "int"))
                .partition_keys(col("region", "string"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let all: Vec<PartitionInput> = (0..partitions)
        .map(|i| {
            let (year, region) = (2000 + i / 5, ["eu", "us", "ap", "sa", "af"][i % 5]);
            PartitionInput::builder()
                .values(year.to_string())
                .values(region)
                .storage_descriptor(sd(&format!("s3://b/t/year={year}/region={region}/")))
                .build()
        })
        .collect();
    for chunk in all.chunks(100) {
        let out = g
            .batch_create_partition()
            .database_name("db")
            .table_name("t")
            .set_partition_input_list(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        assert!(out.errors().is_empty(), "{:?}", out.errors());
    }
}

async fn partition_values(g: &Client, expression: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = g
            .get_partitions()
            .database_name("db")
            .table_name("t")
            .expression(expression)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        out.extend(page.partitions().iter().map(|p| p.values().to_vec()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return out;
        }
    }
}

#[tokio::test]
async fn catalog_crud_expressions_and_optimistic_updates() {
    let s = Server::start();
    let g = glue(&s);
    make_table(&g, 1000).await;
    let t = g.get_table().database_name("db").name("T").send().await.unwrap();
    let t = t.table().unwrap();
    assert_eq!(t.name(), "t");
    assert_eq!(t.version_id(), Some("0"));
    assert_eq!(t.partition_keys().len(), 2);

    let v = partition_values(&g, "year >= 2195 AND region IN ('eu', 'us')").await;
    assert_eq!(
        v,
        [
            ["2195", "eu"],
            ["2195", "us"],
            ["2196", "eu"],
            ["2196", "us"],
            ["2197", "eu"],
            ["2197", "us"],
            ["2198", "eu"],
            ["2198", "us"],
            ["2199", "eu"],
            ["2199", "us"]
        ]
        .map(|p| p.map(str::to_owned).to_vec())
    );
    assert_eq!(partition_values(&g, "").await.len(), 1000);
    assert_eq!(
        partition_values(&g, "year < 2010 OR region LIKE 'a%'").await.len(),
        50 + 2 * 190
    );

    let input = TableInput::builder()
        .name("t")
        .storage_descriptor(sd("s3://b/t2/"))
        .build()
        .unwrap();
    g.update_table()
        .database_name("db")
        .table_input(input.clone())
        .version_id("0")
        .send()
        .await
        .unwrap();
    let err = g
        .update_table()
        .database_name("db")
        .table_input(input)
        .version_id("0")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_concurrent_modification_exception(),
        "{err:?}"
    );
    let err = g.get_table().database_name("db").name("nope").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_entity_not_found_exception());
    let err = g
        .get_partitions()
        .database_name("db")
        .table_name("t")
        .expression("year >")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_invalid_input_exception(), "{err:?}");
}

#[tokio::test]
async fn a_crawl_through_the_rust_sdks() {
    let s = Server::start();
    let s3 = s.client();
    let g = glue(&s);
    s3.create_bucket().bucket("lake").send().await.unwrap();
    for day in 1..=3 {
        s3.put_object()
            .bucket("lake")
            .key(format!("logs/dt=2024-01-0{day}/part-0.csv"))
            .body(
                format!("ts,status,bytes\n2024-01-0{day} 10:00:00,200,512\n2024-01-0{day} 10:00:01,404,0\n")
                    .into_bytes()
                    .into(),
            )
            .send()
            .await
            .unwrap();
    }
    g.create_database()
        .database_input(DatabaseInput::builder().name("web").build().unwrap())
        .send()
        .await
        .unwrap();
    g.create_crawler()
        .name("logs")
        .role("arn:aws:iam::000000000000:role/glue")
        .database_name("web")
        .targets(
            CrawlerTargets::builder()
                .s3_targets(S3Target::builder().path("s3://lake/logs/").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    g.start_crawler().name("logs").send().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let crawler = loop {
        let c = g.get_crawler().name("logs").send().await.unwrap().crawler.unwrap();
        if c.state() == Some(&CrawlerState::Ready) && c.last_crawl().is_some() {
            break c;
        }
        assert!(Instant::now() < deadline, "crawl did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        crawler.last_crawl().unwrap().status(),
        Some(&LastCrawlStatus::Succeeded)
    );
    let t = g.get_table().database_name("web").name("logs").send().await.unwrap();
    let t = t.table().unwrap();
    let cols: Vec<(&str, &str)> = t
        .storage_descriptor()
        .unwrap()
        .columns()
        .iter()
        .map(|c| (c.name(), c.r#type().unwrap()))
        .collect();
    assert_eq!(cols, [("ts", "string"), ("status", "bigint"), ("bytes", "bigint")]);
    let keys: Vec<&str> = t.partition_keys().iter().map(Column::name).collect();
    assert_eq!(keys, ["dt"]);
    assert_eq!(t.parameters().unwrap()["recordCount"], "6");
    let parts = g
        .get_partitions()
        .database_name("web")
        .table_name("logs")
        .expression("dt > '2024-01-01'")
        .send()
        .await
        .unwrap();
    let mut values: Vec<&str> = parts.partitions().iter().map(|p| p.values()[0].as_str()).collect();
    values.sort_unstable();
    assert_eq!(values, ["2024-01-02", "2024-01-03"]);
}

#[tokio::test]
async fn acknowledged_catalog_writes_survive_kill_9() {
    let dir = temp_dir();
    let s = Server::start_in(dir.path());
    let g = glue(&s);
    make_table(&g, 250).await;
    g.update_table()
        .database_name("db")
        .table_input(
            TableInput::builder()
                .name("t")
                .storage_descriptor(sd("s3://b/v1/"))
                .partition_keys(col("year", "int"))
                .partition_keys(col("region", "string"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    s.kill9();

    let s = Server::start_in(dir.path());
    let g = glue(&s);
    let t = g.get_table().database_name("db").name("t").send().await.unwrap();
    let t = t.table().unwrap();
    assert_eq!(t.version_id(), Some("1"));
    assert_eq!(t.storage_descriptor().unwrap().location(), Some("s3://b/v1/"));
    assert_eq!(partition_values(&g, "").await.len(), 250);
    assert_eq!(partition_values(&g, "year = 2049").await.len(), 5);
}

#[tokio::test]
async fn strict_auth_checks_glue_signatures() {
    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDGLUE:glue-secret"]);
    let client = |ak: &str, sk: &str| -> Client { sdk_client!(aws_sdk_glue, s, ak, sk) };
    client("AKIDGLUE", "glue-secret")
        .create_database()
        .database_input(DatabaseInput::builder().name("signed").build().unwrap())
        .send()
        .await
        .unwrap();
    use aws_sdk_glue::error::ProvideErrorMetadata;
    let err = client("AKIDGLUE", "wrong").get_databases().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidSignatureException"), "{err:?}");
    let err = client("AKIDOTHER", "glue-secret")
        .get_databases()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnrecognizedClientException"), "{err:?}");
    let r = reqwest::Client::new()
        .post(format!("{}/", s.endpoint))
        .header("x-amz-target", "AWSGlue.GetDatabases")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(r.headers()["x-amzn-errortype"], "MissingAuthenticationTokenException");
    let dbs = client("AKIDGLUE", "glue-secret").get_databases().send().await.unwrap();
    assert_eq!(dbs.database_list().len(), 1);
}

/// Issue 11: a 20 KB run of `NOT`s used to overflow the parser's stack and
/// abort the whole server. Glue's model caps `Expression` at 2,048 characters,
/// and within that the nesting of `NOT`s and parentheses is capped at 100.
#[tokio::test]
async fn hostile_partition_expressions_are_refused_and_the_server_lives() {
    use aws_sdk_glue::error::ProvideErrorMetadata;
    let s = Server::start();
    let g = glue(&s);
    make_table(&g, 10).await;
    let refuse = |expression: String| {
        let g = g.clone();
        async move {
            let err = g
                .get_partitions()
                .database_name("db")
                .table_name("t")
                .expression(expression)
                .send()
                .await
                .unwrap_err();
            let code = err.code().unwrap_or_default().to_owned();
            (code, err.message().unwrap_or_default().to_owned())
        }
    };

    let nots = format!("{}year = 2000", "NOT ".repeat(5000));
    let (code, msg) = refuse(nots.clone()).await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        msg,
        format!(
            "1 validation error detected: Value '{nots}' at 'expression' failed to satisfy constraint: \
             Member must have length less than or equal to 2048"
        )
    );

    // Within 2,048 characters: 500 NOTs, 1,000 parentheses.
    let nots = format!("{}year = 2000", "NOT ".repeat(500));
    assert_eq!(
        refuse(nots.clone()).await,
        (
            "InvalidInputException".to_owned(),
            format!(
                "Unsupported expression '{nots}': NOT and parentheses nest more than 100 levels deep at position 401"
            )
        )
    );
    let parens = format!("{}year = 2000{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(
        refuse(parens.clone()).await,
        (
            "InvalidInputException".to_owned(),
            format!(
                "Unsupported expression '{parens}': NOT and parentheses nest more than 100 levels deep at position 101"
            )
        )
    );

    // The server is still up, and 2,048 characters with 100 levels is accepted.
    let deepest = format!("{}year = 2001 AND region = 'us'{}", "(".repeat(100), ")".repeat(100));
    let padded = format!("{deepest}{}", " ".repeat(2048 - deepest.len()));
    assert_eq!(partition_values(&g, &padded).await, [["2001", "us"]]);
    let (code, _) = refuse(format!("{padded} ")).await;
    assert_eq!(code, "ValidationException");
}
