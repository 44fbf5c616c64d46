//! The API through the kit (in-process), with an in-memory object store, a
//! catalog and a host whose "Lambda" is a Rust closure: records put, then
//! delivered by size or by the clock, under AWS's layout.

use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_aws_protocol::{Clock, ServiceSettings, invoke};
use lakestack_catalog::{Catalog, CatalogSettings};
use object_store::memory::InMemory;
use object_store::{ObjectStore, ObjectStoreExt as _};
use serde_json::{Value, json};

use super::FirehoseApi;
use crate::host::{Host, InvokeError, SourceBatch};
use crate::service::Firehose;

type Transform = dyn Fn(&Value) -> Value + Send + Sync;

struct FakeHost {
    transform: Mutex<Option<Box<Transform>>>,
    invocations: Mutex<Vec<Value>>,
    /// (group, stream, message) of each delivery error logged.
    logged: Mutex<Vec<(String, String, Value)>>,
}

#[async_trait]
impl Host for FakeHost {
    async fn invoke(&self, _arn: &str, payload: Vec<u8>) -> Result<Vec<u8>, InvokeError> {
        let event: Value = serde_json::from_slice(&payload).unwrap();
        self.invocations.lock().unwrap().push(event.clone());
        let t = self.transform.lock().unwrap();
        let f = t.as_ref().expect("a transformer");
        Ok(f(&event).to_string().into_bytes())
    }

    fn stream_exists(&self, _: &str) -> bool {
        false
    }

    async fn read_stream(
        &self,
        _: &str,
        _: &str,
        _: i64,
        _: usize,
        _: Duration,
    ) -> Result<Option<SourceBatch>, String> {
        Ok(None)
    }

    async fn commit_stream(&self, _: &str, _: &SourceBatch) -> Result<(), String> {
        Ok(())
    }

    async fn forget_reader(&self, _: &str) {}

    fn log_error(&self, group: &str, stream: &str, _at_ms: i64, message: String) {
        let doc = serde_json::from_str(&message).expect("a JSON log event");
        self.logged.lock().unwrap().push((group.into(), stream.into(), doc));
    }
}

struct Fixture {
    api: FirehoseApi,
    clock: Clock,
    objects: Arc<dyn ObjectStore>,
    host: Arc<FakeHost>,
    _dir: tempfile::TempDir,
}

fn open(dir: &std::path::Path, clock: &Clock, objects: &Arc<dyn ObjectStore>, host: &Arc<FakeHost>) -> Arc<Firehose> {
    let catalog = Catalog::in_memory(Arc::clone(objects), CatalogSettings::default()).unwrap();
    let f = Firehose::open(
        ServiceSettings {
            dir: Some(dir.to_path_buf()),
            clock: clock.clone(),
            ..Default::default()
        },
        Arc::clone(objects),
        catalog,
        Arc::clone(host) as _,
    )
    .unwrap();
    f.start();
    f
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    let objects: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let host = Arc::new(FakeHost {
        transform: Mutex::new(None),
        invocations: Mutex::default(),
        logged: Mutex::default(),
    });
    Fixture {
        api: FirehoseApi::new(open(dir.path(), &clock, &objects, &host)),
        clock,
        objects,
        host,
        _dir: dir,
    }
}

impl Fixture {
    async fn call(&self, op: &str, input: Value) -> Value {
        invoke(&self.api, op, &input)
            .await
            .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
    }

    async fn fail(&self, op: &str, input: Value) -> (String, String) {
        let e = invoke(&self.api, op, &input).await.expect_err(op);
        (e.code.into_owned(), e.message)
    }

    async fn put(&self, stream: &str, records: &[&str]) {
        let records: Vec<Value> = records.iter().map(|r| json!({"Data": STANDARD.encode(r)})).collect();
        let out = self
            .call(
                "PutRecordBatch",
                json!({"DeliveryStreamName": stream, "Records": records}),
            )
            .await;
        assert_eq!(out["FailedPutCount"], 0);
    }

    /// The objects under `prefix`, once there are `n` of them (keys sorted).
    async fn objects(&self, prefix: &str, n: usize) -> Vec<(String, Vec<u8>)> {
        use futures::TryStreamExt as _;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mut listed: Vec<_> = self
                .objects
                .list(Some(&object_store::path::Path::from(prefix)))
                .try_collect()
                .await
                .unwrap();
            if listed.len() >= n {
                listed.sort_by(|a, b| a.location.cmp(&b.location));
                let mut out = Vec::new();
                for m in listed {
                    let body = self.objects.get(&m.location).await.unwrap().bytes().await.unwrap();
                    out.push((m.location.to_string(), body.to_vec()));
                }
                return out;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} of {n} objects under {prefix}",
                listed.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn gunzip(b: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(b).read_to_string(&mut s).unwrap();
    s
}

fn destination(extra: Value) -> Value {
    let mut d = json!({"RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::lake"});
    if let (Some(m), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    d
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_json_lands_under_the_default_layout_when_the_interval_passes() {
    let f = fixture();
    let arn = f
        .call(
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "events", "ExtendedS3DestinationConfiguration": destination(json!({
                "Prefix": "raw/", "CompressionFormat": "GZIP", "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300}
            }))}),
        )
        .await;
    assert_eq!(
        arn["DeliveryStreamARN"],
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/events"
    );
    f.put("events", &["{\"a\":1}\n", "{\"a\":2}\n"]).await;
    f.put("events", &["{\"a\":3}\n"]).await;
    let start = f.clock.now();
    // Nothing before the interval; everything in one object after it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(f.objects("lake/", 0).await.is_empty());
    f.clock.advance(Duration::from_secs(301));
    let got = f.objects("lake/", 1).await;
    assert_eq!(got.len(), 1);
    let (key, body) = &got[0];
    let hour = start.format("%Y/%m/%d/%H/").to_string();
    assert!(
        key.starts_with(&format!("lake/raw/{hour}events-1-{}", start.format("%Y-%m-%d-%H-"))),
        "{key}"
    );
    assert!(key.ends_with(".gz"), "{key}");
    assert_eq!(gunzip(body), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    let d = f
        .call("DescribeDeliveryStream", json!({"DeliveryStreamName": "events"}))
        .await;
    let d = &d["DeliveryStreamDescription"];
    assert_eq!(d["DeliveryStreamStatus"], "ACTIVE");
    assert_eq!(d["DeliveryStreamType"], "DirectPut");
    assert_eq!(d["VersionId"], "1");
    let ext = &d["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(ext["CompressionFormat"], "GZIP");
    assert_eq!(ext["S3BackupMode"], "Disabled");
    assert_eq!(
        ext["EncryptionConfiguration"],
        json!({"NoEncryptionConfig": "NoEncryption"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_buffer_is_delivered_at_once_with_a_delimiter() {
    let f = fixture();
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "big", "ExtendedS3DestinationConfiguration": destination(json!({
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 900},
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "AppendDelimiterToRecord"}]}
        }))}),
    )
    .await;
    let record = "x".repeat(100_000);
    for _ in 0..11 {
        f.put("big", &[&record]).await;
    }
    let got = f.objects("lake/", 1).await;
    let body = &got[0].1;
    assert!(body.len() >= 1 << 20);
    assert_eq!(body[..100_001], *format!("{record}\n").as_bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn dynamic_partitioning_writes_one_object_per_partition() {
    let f = fixture();
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "parts", "ExtendedS3DestinationConfiguration": destination(json!({
            "Prefix": "sales/customer=!{partitionKeyFromQuery:customer}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
            "DynamicPartitioningConfiguration": {"Enabled": true},
            "ProcessingConfiguration": {"Enabled": true, "Processors": [
                {"Type": "MetadataExtraction", "Parameters": [
                    {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer: .customer}"},
                    {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}
                ]},
                {"Type": "AppendDelimiterToRecord", "Parameters": [{"ParameterName": "Delimiter", "ParameterValue": "\\n"}]}
            ]}
        }))}),
    )
    .await;
    f.put(
        "parts",
        &[
            r#"{"customer":"a","n":1}"#,
            r#"{"customer":"b","n":2}"#,
            r#"{"customer":"a","n":3}"#,
            "not json",
        ],
    )
    .await;
    f.clock.advance(Duration::from_secs(61));
    let got = f.objects("lake/", 3).await;
    let bodies: Vec<(&str, String)> = got
        .iter()
        .map(|(k, b)| (k.as_str(), String::from_utf8(b.clone()).unwrap()))
        .collect();
    let a = bodies
        .iter()
        .find(|(k, _)| k.starts_with("lake/sales/customer=a/parts-1-"))
        .unwrap();
    assert_eq!(a.1, "{\"customer\":\"a\",\"n\":1}\n{\"customer\":\"a\",\"n\":3}\n");
    let b = bodies
        .iter()
        .find(|(k, _)| k.starts_with("lake/sales/customer=b/"))
        .unwrap();
    assert_eq!(b.1, "{\"customer\":\"b\",\"n\":2}\n");
    let err = bodies
        .iter()
        .find(|(k, _)| k.starts_with("lake/errors/partitioning-failed/"))
        .unwrap();
    let doc: Value = serde_json::from_str(err.1.trim()).unwrap();
    assert_eq!(doc["rawData"], STANDARD.encode("not json"));
    assert_eq!(doc["errorCode"], "DynamicPartitioning.MetadataExtractionFailed");
    let (code, msg) = f
        .fail(
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "bad", "ExtendedS3DestinationConfiguration": destination(json!({
                "Prefix": "x/!{partitionKeyFromQuery:k}/"
            }))}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(
        msg,
        "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lambda_transformer_rewrites_drops_and_fails_records() {
    let f = fixture();
    *f.host.transform.lock().unwrap() = Some(Box::new(|event: &Value| {
        let records: Vec<Value> = event["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let data = String::from_utf8(STANDARD.decode(r["data"].as_str().unwrap()).unwrap()).unwrap();
                let result = match data.as_str() {
                    "drop" => "Dropped",
                    "fail" => "ProcessingFailed",
                    _ => "Ok",
                };
                json!({"recordId": r["recordId"], "result": result, "data": STANDARD.encode(data.to_uppercase() + "\n")})
            })
            .collect();
        json!({"records": records})
    }));
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "t", "ExtendedS3DestinationConfiguration": destination(json!({
            "Prefix": "out/", "ErrorOutputPrefix": "err/",
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:upper"}
            ]}]}
        }))}),
    )
    .await;
    f.put("t", &["keep", "drop", "fail", "also"]).await;
    f.clock.advance(Duration::from_secs(301));
    let got = f.objects("lake/", 2).await;
    let out = got.iter().find(|(k, _)| k.starts_with("lake/out/")).unwrap();
    assert_eq!(String::from_utf8(out.1.clone()).unwrap(), "KEEP\nALSO\n");
    let err = got
        .iter()
        .find(|(k, _)| k.starts_with("lake/err/processing-failed/"))
        .unwrap();
    let doc: Value = serde_json::from_str(String::from_utf8(err.1.clone()).unwrap().trim()).unwrap();
    assert_eq!(doc["rawData"], STANDARD.encode("fail"));
    assert_eq!(doc["errorCode"], "Lambda.ProcessingFailedStatus");
    assert_eq!(doc["lambdaArn"], "arn:aws:lambda:us-east-1:000000000000:function:upper");
    let inv = f.host.invocations.lock().unwrap();
    assert_eq!(
        inv[0]["deliveryStreamArn"],
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/t"
    );
    assert_eq!(inv[0]["records"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn accepted_records_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    let objects: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let host = Arc::new(FakeHost {
        transform: Mutex::new(None),
        invocations: Mutex::default(),
        logged: Mutex::default(),
    });
    {
        let api = FirehoseApi::new(open(dir.path(), &clock, &objects, &host));
        invoke(
            &api,
            "CreateDeliveryStream",
            &json!({"DeliveryStreamName": "d", "ExtendedS3DestinationConfiguration": destination(json!({}))}),
        )
        .await
        .unwrap();
        invoke(
            &api,
            "PutRecord",
            &json!({"DeliveryStreamName": "d", "Record": {"Data": STANDARD.encode("kept")}}),
        )
        .await
        .unwrap();
    }
    let f = Fixture {
        api: FirehoseApi::new(open(dir.path(), &clock, &objects, &host)),
        clock,
        objects,
        host,
        _dir: dir,
    };
    f.clock.advance(Duration::from_secs(301));
    let got = f.objects("lake/", 1).await;
    assert_eq!(got[0].1, b"kept");
    let (code, msg) = f
        .fail("DescribeDeliveryStream", json!({"DeliveryStreamName": "nope"}))
        .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "Firehose nope under account 000000000000 not found."
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn source_records_are_backed_up_beside_the_transformed_ones() {
    let f = fixture();
    *f.host.transform.lock().unwrap() = Some(Box::new(|event: &Value| {
        let records: Vec<Value> = event["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!({"recordId": r["recordId"], "result": "Ok", "data": STANDARD.encode("T\n")}))
            .collect();
        json!({"records": records})
    }));
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "b", "ExtendedS3DestinationConfiguration": destination(json!({
            "Prefix": "out/",
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:t"}
            ]}]},
            "S3BackupMode": "Enabled",
            "S3BackupConfiguration": {"RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::backup", "Prefix": "src/", "CompressionFormat": "GZIP"}
        }))}),
    )
    .await;
    f.put("b", &["one\n", "two\n"]).await;
    f.clock.advance(Duration::from_secs(301));
    let out = f.objects("lake/out/", 1).await;
    assert_eq!(out[0].1, b"T\nT\n");
    let backup = f.objects("backup/src/", 1).await;
    assert!(backup[0].0.ends_with(".gz"), "{}", backup[0].0);
    assert_eq!(gunzip(&backup[0].1), "one\ntwo\n");
    let d = f
        .call("DescribeDeliveryStream", json!({"DeliveryStreamName": "b"}))
        .await;
    let ext = &d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(ext["S3BackupMode"], "Enabled");
    assert_eq!(ext["S3BackupDescription"]["BucketARN"], "arn:aws:s3:::backup");
    // Backup, once on, stays on.
    let (code, _) = f
        .fail(
            "UpdateDestination",
            json!({"DeliveryStreamName": "b", "CurrentDeliveryStreamVersionId": "1", "DestinationId": "destinationId-000000000001",
                   "ExtendedS3DestinationUpdate": {"S3BackupMode": "Disabled"}}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transformer_that_answers_nonsense_is_logged_where_logging_options_say() {
    let f = fixture();
    *f.host.transform.lock().unwrap() = Some(Box::new(|_: &Value| json!("not a records object")));
    let lambda = "arn:aws:lambda:us-east-1:000000000000:function:broken";
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "logged", "ExtendedS3DestinationConfiguration": destination(json!({
            "ErrorOutputPrefix": "err/",
            "CloudWatchLoggingOptions": {"Enabled": true, "LogGroupName": "/aws/kinesisfirehose/logged", "LogStreamName": "DestinationDelivery"},
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": lambda},
                {"ParameterName": "NumberOfRetries", "ParameterValue": "0"}
            ]}]}
        }))}),
    )
    .await;
    f.put("logged", &["a", "b"]).await;
    f.clock.advance(Duration::from_secs(301));
    let got = f.objects("lake/err/processing-failed/", 1).await;
    let docs: Vec<Value> = String::from_utf8(got[0].1.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["errorCode"], "Lambda.MissingRecordsArray");
    let logged = f.host.logged.lock().unwrap().clone();
    assert_eq!(logged.len(), 1, "{logged:?}");
    let (group, stream, doc) = &logged[0];
    assert_eq!(
        (group.as_str(), stream.as_str()),
        ("/aws/kinesisfirehose/logged", "DestinationDelivery")
    );
    assert_eq!(
        *doc,
        json!({
            "deliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/logged",
            "destination": "arn:aws:s3:::lake",
            "deliveryStreamVersionId": 1,
            "message": docs[0]["errorMessage"],
            "errorCode": "Lambda.MissingRecordsArray",
            "processor": lambda,
        })
    );
    // DescribeDeliveryStream shows the options as they were given.
    let d = f
        .call("DescribeDeliveryStream", json!({"DeliveryStreamName": "logged"}))
        .await;
    assert_eq!(
        d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]["CloudWatchLoggingOptions"],
        json!({"Enabled": true, "LogGroupName": "/aws/kinesisfirehose/logged", "LogStreamName": "DestinationDelivery"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logging_options_default_to_off_and_are_checked() {
    let f = fixture();
    f.call(
        "CreateDeliveryStream",
        json!({"DeliveryStreamName": "quiet", "ExtendedS3DestinationConfiguration": destination(json!({}))}),
    )
    .await;
    let d = f
        .call("DescribeDeliveryStream", json!({"DeliveryStreamName": "quiet"}))
        .await;
    assert_eq!(
        d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]["CloudWatchLoggingOptions"],
        json!({"Enabled": false})
    );
    let (code, msg) = f
        .fail(
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "bad", "ExtendedS3DestinationConfiguration": destination(json!({
                "CloudWatchLoggingOptions": {"Enabled": true, "LogGroupName": "a:b", "LogStreamName": "s"}
            }))}),
        )
        .await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        msg,
        "1 validation error detected: Value 'a:b' at 'extendedS3DestinationConfiguration.cloudWatchLoggingOptions.logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]*"
    );
}
