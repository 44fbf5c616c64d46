//! The demo's third act, streaming in: producers put click records on a
//! Kinesis stream, a Firehose delivery stream reads it and writes Parquet
//! partitioned by the click's kind (a jq query) with a Glue table's schema,
//! a crawler catalogs what landed, and Athena counts exactly what was put.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use base64::Engine as _;
use http::{Method, Request};
use serde_json::json;

use super::{Api, BUCKET, Lcg, step};

const STREAM: &str = "demo-clicks";
const PRODUCERS: usize = 4;
const RECORDS_PER_PRODUCER: usize = 250;
const KINDS: [&str; 3] = ["cart", "purchase", "view"];

pub(super) async fn run(api: &Api) -> anyhow::Result<()> {
    let t = Instant::now();
    api.json(
        "Kinesis_20131202.CreateStream",
        json!({"StreamName": STREAM, "ShardCount": 2}),
    )
    .await?;
    let stream_arn = api
        .json("Kinesis_20131202.DescribeStreamSummary", json!({"StreamName": STREAM}))
        .await?["StreamDescriptionSummary"]["StreamARN"]
        .as_str()
        .context("DescribeStreamSummary answered no ARN")?
        .to_owned();
    // The schema Firehose writes Parquet with; `kind` comes from the prefix.
    api.json(
        "AWSGlue.CreateTable",
        json!({"DatabaseName": "demo", "TableInput": {
            "Name": "clicks_schema",
            "StorageDescriptor": {"Columns": [
                {"Name": "user_id", "Type": "string"},
                {"Name": "amount", "Type": "double"},
                {"Name": "clicked", "Type": "timestamp"}
            ], "Location": format!("s3://{BUCKET}/clicks/")}
        }}),
    )
    .await?;
    api.json(
        "Firehose_20150804.CreateDeliveryStream",
        json!({
            "DeliveryStreamName": "demo-clicks-to-lake",
            "DeliveryStreamType": "KinesisStreamAsSource",
            "KinesisStreamSourceConfiguration": {"KinesisStreamARN": stream_arn, "RoleARN": "arn:aws:iam::000000000000:role/firehose"},
            "ExtendedS3DestinationConfiguration": {
                "RoleARN": "arn:aws:iam::000000000000:role/firehose",
                "BucketARN": format!("arn:aws:s3:::{BUCKET}"),
                "Prefix": "clicks/kind=!{partitionKeyFromQuery:kind}/",
                "ErrorOutputPrefix": "clicks-errors/!{firehose:error-output-type}/",
                "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
                "DynamicPartitioningConfiguration": {"Enabled": true},
                "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
                    {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{kind: .kind}"},
                    {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}
                ]}]},
                "DataFormatConversionConfiguration": {
                    "Enabled": true,
                    "SchemaConfiguration": {"DatabaseName": "demo", "TableName": "clicks_schema", "RoleARN": "arn:aws:iam::000000000000:role/firehose"},
                    "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                    "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}}
                }
            }
        }),
    )
    .await?;
    step(
        8,
        "Kinesis",
        "stream demo-clicks (2 shards) → Firehose demo-clicks-to-lake: Parquet by kind under clicks/",
        t,
    );

    let t = Instant::now();
    let mut producers = Vec::new();
    for p in 0..PRODUCERS {
        let api = api.clone();
        producers.push(tokio::spawn(async move { produce(&api, p).await }));
    }
    let mut put = [0u64; 3];
    for p in producers {
        let counts = p.await.context("a producer stopped")??;
        for (total, n) in put.iter_mut().zip(counts) {
            *total += n;
        }
    }
    step(
        9,
        "Kinesis",
        &format!(
            "{PRODUCERS} producers put {} click records (PutRecords)",
            PRODUCERS * RECORDS_PER_PRODUCER
        ),
        t,
    );

    let t = Instant::now();
    let objects = loop {
        let n = api
            .count_objects(&format!("/{BUCKET}?list-type=2&prefix=clicks/"))
            .await?;
        if n >= KINDS.len() {
            break n;
        }
        ensure!(t.elapsed() < Duration::from_secs(60), "Firehose wrote {n} objects");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    step(
        10,
        "Firehose",
        &format!("buffered and wrote {objects} Parquet objects, one per kind (a 60 s buffer at the demo's scale)"),
        t,
    );

    let t = Instant::now();
    api.json(
        "AWSGlue.CreateCrawler",
        json!({
            "Name": "demo-clicks",
            "Role": "arn:aws:iam::000000000000:role/glue",
            "DatabaseName": "demo",
            "Targets": {"S3Targets": [{"Path": format!("s3://{BUCKET}/clicks/")}]},
        }),
    )
    .await?;
    api.json("AWSGlue.StartCrawler", json!({"Name": "demo-clicks"})).await?;
    loop {
        let c = api.json("AWSGlue.GetCrawler", json!({"Name": "demo-clicks"})).await?;
        if c["Crawler"]["State"] == "READY" && c["Crawler"]["LastCrawl"].is_object() {
            break;
        }
        ensure!(
            t.elapsed() < Duration::from_secs(60),
            "the clicks crawler did not finish"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let qid = api
        .json(
            "AmazonAthena.StartQueryExecution",
            json!({
                "QueryString": "SELECT kind, count(*) FROM clicks GROUP BY kind ORDER BY kind",
                "QueryExecutionContext": {"Database": "demo"},
                "ResultConfiguration": {"OutputLocation": format!("s3://{BUCKET}/athena/")},
            }),
        )
        .await?["QueryExecutionId"]
        .as_str()
        .context("StartQueryExecution answered no id")?
        .to_owned();
    loop {
        let e = api
            .json("AmazonAthena.GetQueryExecution", json!({"QueryExecutionId": qid}))
            .await?;
        match e["QueryExecution"]["Status"]["State"].as_str() {
            Some("SUCCEEDED") => break,
            Some("FAILED" | "CANCELLED") => bail!("the clicks query ended {}", e["QueryExecution"]["Status"]),
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    let rows = api
        .json("AmazonAthena.GetQueryResults", json!({"QueryExecutionId": qid}))
        .await?;
    let counted: Vec<(String, u64)> = rows["ResultSet"]["Rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .skip(1)
                .filter_map(|r| {
                    let kind = r["Data"][0]["VarCharValue"].as_str()?.to_owned();
                    let n = r["Data"][1]["VarCharValue"].as_str()?.parse().ok()?;
                    Some((kind, n))
                })
                .collect()
        })
        .unwrap_or_default();
    let want: Vec<(String, u64)> = KINDS
        .iter()
        .map(|k| (k.to_string(), 0))
        .zip(put)
        .map(|((k, _), n)| (k, n))
        .collect();
    ensure!(
        counted == want,
        "Athena counted {counted:?}, the producers put {want:?}"
    );
    let shown: Vec<String> = counted.iter().map(|(k, n)| format!("{k}={n}")).collect();
    step(
        11,
        "Athena",
        &format!(
            "crawled clicks/ and counted every click put: {} ({} in all)",
            shown.join(", "),
            put.iter().sum::<u64>()
        ),
        t,
    );
    Ok(())
}

/// One producer's clicks, put 50 at a time; how many of each kind.
async fn produce(api: &Api, producer: usize) -> anyhow::Result<[u64; 3]> {
    let mut rng = Lcg(0xc11c + producer as u64);
    let mut counts = [0u64; 3];
    let mut batch = Vec::new();
    for i in 0..RECORDS_PER_PRODUCER {
        let kind = (rng.next() % 3) as usize;
        counts[kind] += 1;
        let click = json!({
            "user_id": format!("u-{}", rng.next() % 500),
            "kind": KINDS[kind],
            "amount": if KINDS[kind] == "purchase" { (rng.next() % 10_000) as f64 / 100.0 } else { 0.0 },
            "clicked": format!("2024-04-01 10:{:02}:{:02}", (i / 60) % 60, i % 60),
        });
        batch.push(json!({
            "PartitionKey": click["user_id"],
            "Data": base64::engine::general_purpose::STANDARD.encode(click.to_string()),
        }));
        if batch.len() == 50 {
            api.json(
                "Kinesis_20131202.PutRecords",
                json!({"StreamName": STREAM, "Records": std::mem::take(&mut batch)}),
            )
            .await?;
        }
    }
    if !batch.is_empty() {
        api.json(
            "Kinesis_20131202.PutRecords",
            json!({"StreamName": STREAM, "Records": batch}),
        )
        .await?;
    }
    Ok(counts)
}

impl Api {
    /// How many keys a ListObjectsV2 request (`path` with its query) lists.
    async fn count_objects(&self, path: &str) -> anyhow::Result<usize> {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("host", "127.0.0.1:4566")
            .body(axum::body::Body::empty())?;
        let (status, body) = self.send(request).await?;
        ensure!(status.is_success(), "S3 {path}: {status}");
        Ok(String::from_utf8_lossy(&body).matches("<Key>").count())
    }
}
