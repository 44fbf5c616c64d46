//! Step Functions' Task integrations, served in-process: Glue, Athena and
//! SQS through their own JSON API handlers (the parameters of
//! `aws-sdk:glue:*`, `athena:*` and `sqs:sendMessage` are those APIs'
//! members), S3 through the object store, Lambda and SNS through their Rust
//! APIs. Errors become `<Service>.<ErrorCode>` as
//! Step Functions names them; a function's own error is its `errorType`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use lakestack_aws_protocol::{Service, invoke};
use lakestack_catalog::{CatalogEvent, GlueService};
use lakestack_lambda::{Invoked, Lambda, LambdaError};
use lakestack_query::AthenaService;
use lakestack_stepfn::{Integrations, Pattern, Resource, TaskError};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// How often a `.sync` task looks at what it started if the bus is gone
/// (the server is stopping); otherwise it waits to hear of a change.
const POLL: Duration = Duration::from_millis(20);
/// The longest a `.sync` task waits to hear before it looks again: the bus
/// drops what a lagging forwarder missed, and a wait must not hang on it.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// Waits until the bus carries an event `wanted` picks, a gap in what was
/// heard, or [`LOOK_AGAIN`] passes: then the caller looks at its job again.
async fn heard(events: &mut broadcast::Receiver<crate::bus::Event>, wanted: impl Fn(&crate::bus::Event) -> bool) {
    let _ = tokio::time::timeout(LOOK_AGAIN, async {
        loop {
            match events.recv().await {
                Ok(e) if wanted(&e) => return,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => {
                    tokio::time::sleep(POLL).await;
                    return;
                }
            }
        }
    })
    .await;
}

pub struct Services {
    pub glue: GlueService,
    pub athena: AthenaService,
    pub sqs: lakestack_sqs::SqsApi,
    pub sns: Arc<lakestack_sns::Sns>,
    pub lambda: Arc<Lambda>,
    pub logs: Arc<lakestack_logs::Logs>,
    pub objects: Arc<dyn ObjectStore>,
    /// Where `.sync` tasks hear that what they started has ended.
    pub bus: crate::bus::Bus,
}

/// `startCrawler` → `StartCrawler`.
pub(crate) fn operation(action: &str) -> String {
    let mut c = action.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn unsupported(resource: &Resource) -> TaskError {
    let name = match resource {
        Resource::Optimized { service, action, .. } => format!("arn:aws:states:::{service}:{action}"),
        Resource::Sdk { service, action, .. } => format!("arn:aws:states:::aws-sdk:{service}:{action}"),
        Resource::Activity { arn } | Resource::Function { arn } | Resource::Other { arn } => arn.clone(),
    };
    TaskError::new(
        "States.Runtime",
        format!(
            "The resource provided {name} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
        ),
    )
}

/// Calls a service's operation in-process; an error becomes `<Service>.<code>`.
async fn call(service: &dyn Service, action: &str, parameters: &Value) -> Result<Value, TaskError> {
    invoke(service, &operation(action), parameters)
        .await
        .map_err(|e| TaskError::new(format!("{}.{}", service.spec().title, error_name(&e.code)), e.message))
}

/// The name Step Functions gives a service's error: the Java SDK's
/// exception class. Codes written as Smithy shape ids
/// (`com.amazonaws.sqs#QueueDoesNotExist`) lose their namespace and gain
/// the class's `Exception` suffix; plain codes (`EntityNotFoundException`) stay.
fn error_name(code: &str) -> String {
    match code.rsplit_once('#') {
        Some((_, shape)) => exception(shape),
        None => code.to_owned(),
    }
}

/// A query-protocol code (`NotFound`) as its SDK exception class (`NotFoundException`).
fn exception(code: &str) -> String {
    if code.ends_with("Exception") {
        code.to_owned()
    } else {
        format!("{code}Exception")
    }
}

/// How a Task wants a function's answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LambdaShape {
    /// `arn:aws:states:::lambda:invoke`: Payload, StatusCode and the SDK's metadata.
    Optimized,
    /// `arn:aws:states:::aws-sdk:lambda:invoke`: Invoke's members, Payload as text.
    Sdk,
    /// A function ARN as the resource: the function's answer itself.
    Legacy,
}

impl Services {
    /// Invokes a function for a Task. A function error fails the Task with
    /// the function's `errorType` (`Lambda.Unknown` without one) and its
    /// payload as the cause, which is what Retry and Catch match on AWS.
    async fn lambda(&self, p: &Value, shape: LambdaShape, event: bool) -> Result<Value, TaskError> {
        let name = p["FunctionName"].as_str().unwrap_or_default();
        let qualifier = p["Qualifier"].as_str();
        let event = event || p["InvocationType"].as_str() == Some("Event");
        let payload = match &p["Payload"] {
            Value::Null => bytes::Bytes::from_static(b"{}"),
            Value::String(s) if shape == LambdaShape::Sdk => bytes::Bytes::from(s.clone()),
            other => bytes::Bytes::from(other.to_string()),
        };
        let r = self
            .lambda
            .invoke_named(name, qualifier, payload, event)
            .await
            .map_err(lambda_error)?;
        let parsed = || {
            serde_json::from_slice::<Value>(&r.payload).unwrap_or_else(|_| String::from_utf8_lossy(&r.payload).into())
        };
        if r.function_error.is_some() {
            let kind = parsed()["errorType"].as_str().unwrap_or("Lambda.Unknown").to_owned();
            return Err(TaskError::new(kind, String::from_utf8_lossy(&r.payload)));
        }
        Ok(match shape {
            LambdaShape::Legacy => parsed(),
            LambdaShape::Sdk => json!({
                "ExecutedVersion": r.executed_version,
                "Payload": String::from_utf8_lossy(&r.payload),
                "StatusCode": r.status_code,
            }),
            LambdaShape::Optimized => optimized_result(&r, (!r.payload.is_empty()).then(parsed)),
        })
    }

    async fn glue(&self, action: &str, parameters: Value) -> Result<Value, TaskError> {
        call(&self.glue, action, &parameters).await
    }

    async fn athena(&self, action: &str, parameters: Value) -> Result<Value, TaskError> {
        call(&self.athena, action, &parameters).await
    }

    /// `sqs:sendMessage`: SendMessage's members, with a `MessageBody` that
    /// may be any JSON (Step Functions sends it as its JSON text).
    async fn sqs(&self, action: &str, mut parameters: Value) -> Result<Value, TaskError> {
        if let Some(body) = parameters.get_mut("MessageBody")
            && !body.is_string()
        {
            *body = Value::String(body.to_string());
        }
        let out = call(&self.sqs, action, &parameters).await?;
        Ok(with_sdk_metadata(out))
    }

    /// `sns:publish`: Publish's members; a `Message` that is not text is
    /// sent as its JSON text.
    async fn sns(&self, p: &Value) -> Result<Value, TaskError> {
        let text = |k: &str| p[k].as_str().map(str::to_owned);
        let message = match &p["Message"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut attributes = std::collections::BTreeMap::new();
        for (name, a) in p["MessageAttributes"].as_object().into_iter().flatten() {
            use base64::Engine as _;
            attributes.insert(
                name.clone(),
                lakestack_sns::MessageAttributeValue {
                    data_type: a["DataType"].as_str().unwrap_or_default().to_owned(),
                    string_value: a["StringValue"].as_str().map(str::to_owned),
                    binary_value: a["BinaryValue"]
                        .as_str()
                        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()),
                },
            );
        }
        let topic = text("TopicArn").or_else(|| text("TargetArn")).unwrap_or_default();
        let input = lakestack_sns::PublishInput {
            message,
            subject: text("Subject"),
            message_structure: text("MessageStructure"),
            message_attributes: attributes,
            message_group_id: text("MessageGroupId"),
            message_deduplication_id: text("MessageDeduplicationId"),
        };
        let published = self.sns.publish(&topic, input).await.map_err(|e| {
            let code = lakestack_aws_protocol::AwsError::code(&e);
            TaskError::new(format!("SNS.{}", exception(code)), e.to_string())
        })?;
        let mut out = json!({"MessageId": published.message_id});
        if let Some(n) = published.sequence_number {
            out["SequenceNumber"] = n.into();
        }
        Ok(with_sdk_metadata(out))
    }

    /// `reader`: who reads the body `getObject` returns, which sets the
    /// largest object it reads into memory.
    async fn s3(&self, action: &str, p: &Value, reader: BodyReader) -> Result<Value, TaskError> {
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
        let (bucket, key) = (text("Bucket"), text("Key"));
        let path = |b: &str, k: &str| Path::from(format!("{b}/{k}"));
        let failed = |e: object_store::Error| match e {
            object_store::Error::NotFound { .. } => {
                TaskError::new("S3.NoSuchKeyException", "The specified key does not exist.")
            }
            other => TaskError::new("S3.S3Exception", other.to_string()),
        };
        match action {
            "getObject" => {
                let got = self.objects.get(&path(&bucket, &key)).await.map_err(failed)?;
                let meta = got.meta.clone();
                // Refuse a larger object than its reader takes before reading it.
                reader.admits(meta.size, &bucket, &key)?;
                let bytes = got.bytes().await.map_err(failed)?;
                Ok(json!({
                    "Body": String::from_utf8_lossy(&bytes),
                    "ContentLength": meta.size,
                    "ETag": meta.e_tag,
                    "LastModified": meta.last_modified.to_rfc3339(),
                }))
            }
            "headObject" => {
                let meta = self.objects.head(&path(&bucket, &key)).await.map_err(failed)?;
                Ok(
                    json!({"ContentLength": meta.size, "ETag": meta.e_tag, "LastModified": meta.last_modified.to_rfc3339()}),
                )
            }
            "putObject" => {
                let body = match &p["Body"] {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let put = self
                    .objects
                    .put(&path(&bucket, &key), PutPayload::from(body.into_bytes()))
                    .await
                    .map_err(failed)?;
                Ok(json!({"ETag": put.e_tag}))
            }
            "deleteObject" => {
                self.objects.delete(&path(&bucket, &key)).await.map_err(failed)?;
                Ok(json!({}))
            }
            "copyObject" => {
                let source = text("CopySource");
                let source = source.trim_start_matches('/');
                self.objects
                    .copy(&Path::from(source), &path(&bucket, &key))
                    .await
                    .map_err(failed)?;
                Ok(json!({"CopyObjectResult": {}}))
            }
            "listObjectsV2" => {
                let prefix = text("Prefix");
                let max = p["MaxKeys"].as_u64().unwrap_or(1000) as usize;
                let listed: Vec<object_store::ObjectMeta> = self
                    .objects
                    .list(Some(&Path::from(format!("{bucket}/{prefix}"))))
                    .try_collect()
                    .await
                    .map_err(failed)?;
                let mut keys: Vec<_> = listed
                    .into_iter()
                    .filter_map(|m| {
                        let key = m.location.as_ref().strip_prefix(&format!("{bucket}/"))?.to_owned();
                        key.starts_with(&prefix).then_some((key, m))
                    })
                    .collect();
                keys.sort_by(|a, b| a.0.cmp(&b.0));
                let truncated = keys.len() > max;
                keys.truncate(max);
                let contents: Vec<Value> = keys
                    .iter()
                    .map(|(k, m)| json!({"Key": k, "Size": m.size, "ETag": m.e_tag, "LastModified": m.last_modified.to_rfc3339(), "StorageClass": "STANDARD"}))
                    .collect();
                Ok(json!({
                    "Name": bucket, "Prefix": prefix, "KeyCount": contents.len(), "MaxKeys": max,
                    "IsTruncated": truncated, "Contents": contents,
                }))
            }
            other => Err(unsupported(&Resource::Sdk {
                service: "s3".into(),
                action: other.into(),
                pattern: Pattern::RequestResponse,
            })),
        }
    }
}

/// Who reads an `s3:getObject` body.
#[derive(Clone, Copy)]
enum BodyReader {
    /// A Task state: the body is its result.
    Task,
    /// A distributed Map's ItemReader: the body is decoded into items.
    ItemReader,
}

impl BodyReader {
    /// Whether this reader takes an object of `size` bytes.
    fn admits(self, size: u64, bucket: &str, key: &str) -> Result<(), TaskError> {
        match self {
            // The body becomes the task's result, which AWS caps at 256 KiB.
            BodyReader::Task if size > lakestack_stepfn::MAX_PAYLOAD_BYTES as u64 => Err(TaskError::new(
                "States.DataLimitExceeded",
                "The state/task 'aws-sdk:s3' returned a result with a size exceeding the maximum number of bytes service limit.",
            )),
            BodyReader::ItemReader if size > ITEM_READER_MAX_BYTES => Err(TaskError::new(
                "States.ItemReaderFailed",
                format!(
                    "The object s3://{bucket}/{key} is {size} bytes; lakestack's ItemReader reads at most {ITEM_READER_MAX_BYTES} bytes"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// An optimized integration's result: the API's members and the SDK's
/// response metadata, as Step Functions shows them (`sqs:sendMessage`,
/// `sns:publish`).
fn with_sdk_metadata(mut out: Value) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Value::Object(m) = &mut out {
        m.insert(
            "SdkHttpMetadata".into(),
            json!({
                "AllHttpHeaders": {"Content-Type": ["text/xml"], "x-amzn-RequestId": [request_id]},
                "HttpHeaders": {"Content-Type": "text/xml", "x-amzn-RequestId": request_id},
                "HttpStatusCode": 200,
            }),
        );
        m.insert("SdkResponseMetadata".into(), json!({"RequestId": request_id}));
    }
    out
}

/// `lambda:invoke`'s result: the SDK's response as Step Functions shows it.
fn optimized_result(r: &Invoked, payload: Option<Value>) -> Value {
    let headers = json!({
        "Connection": "keep-alive",
        "Content-Type": "application/json",
        "X-Amz-Executed-Version": r.executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": r.request_id,
    });
    let all: serde_json::Map<String, Value> = headers
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), json!([v]))).collect())
        .unwrap_or_default();
    let mut out = json!({
        "ExecutedVersion": r.executed_version,
        "SdkHttpMetadata": {
            "AllHttpHeaders": all,
            "HttpHeaders": headers,
            "HttpStatusCode": r.status_code,
        },
        "SdkResponseMetadata": {"RequestId": r.request_id},
        "StatusCode": r.status_code,
    });
    if let Some(p) = payload {
        out["Payload"] = p;
    }
    out
}

/// Lambda's own errors as Step Functions names them (`Lambda.ResourceNotFoundException`).
fn lambda_error(e: LambdaError) -> TaskError {
    let code = lakestack_aws_protocol::AwsError::code(&e);
    let name = match e {
        LambdaError::Internal(_) => "Lambda.ServiceException".to_owned(),
        _ => format!("Lambda.{code}"),
    };
    TaskError::new(name, e.to_string())
}

/// The largest object an ItemReader decodes. AWS streams files of gigabytes;
/// lakestack decodes the items in memory, so it caps what it reads.
const ITEM_READER_MAX_BYTES: u64 = 256 << 20;

#[async_trait]
impl Integrations for Services {
    async fn call(&self, resource: &Resource, parameters: Value) -> Result<Value, TaskError> {
        match resource {
            Resource::Sdk { service, action, .. } => match service.as_str() {
                "glue" => self.glue(action, parameters).await,
                "athena" => self.athena(action, parameters).await,
                "s3" => self.s3(action, &parameters, BodyReader::Task).await,
                "lambda" if action == "invoke" => self.lambda(&parameters, LambdaShape::Sdk, false).await,
                "sqs" => call(&self.sqs, action, &parameters).await,
                _ => Err(unsupported(resource)),
            },
            Resource::Optimized { service, action, .. } => match (service.as_str(), action.as_str()) {
                ("athena", "startQueryExecution" | "getQueryExecution" | "getQueryResults" | "stopQueryExecution") => {
                    self.athena(action, parameters).await
                }
                ("lambda", "invoke") => {
                    let token = matches!(
                        resource,
                        Resource::Optimized {
                            pattern: Pattern::WaitForTaskToken,
                            ..
                        }
                    );
                    // With a task token the function answers through
                    // SendTaskSuccess: it is invoked and not waited for.
                    self.lambda(&parameters, LambdaShape::Optimized, token).await
                }
                ("sqs", "sendMessage") => self.sqs(action, parameters).await,
                ("sns", "publish") => self.sns(&parameters).await,
                // A distributed Map's ItemReader (`arn:aws:states:::s3:getObject`).
                ("s3", "getObject") => self.s3(action, &parameters, BodyReader::ItemReader).await,
                ("glue", "startJobRun") => self.glue(action, parameters).await,
                _ => Err(unsupported(resource)),
            },
            Resource::Function { arn } => {
                let p = json!({"FunctionName": arn, "Payload": parameters});
                self.lambda(&p, LambdaShape::Legacy, false).await
            }
            _ => Err(unsupported(resource)),
        }
    }

    /// An execution's log lines, written off the async workers.
    fn log(&self, group: &str, stream: &str, events: Vec<(i64, String)>) {
        let (logs, group, stream) = (Arc::clone(&self.logs), group.to_owned(), stream.to_owned());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = logs.put(&group, &stream, &events) {
                tracing::warn!(group, stream, error = %e, "could not write an execution's log events");
            }
        });
    }

    /// `.sync` for Athena: waits for the query and answers GetQueryExecution,
    /// or fails the Task with the query's error.
    async fn run_to_end(&self, resource: &Resource, parameters: &Value, started: Value) -> Result<Value, TaskError> {
        match resource {
            Resource::Optimized { service, action, .. } if service == "athena" && action == "startQueryExecution" => {
                let id = started["QueryExecutionId"].as_str().unwrap_or_default().to_string();
                // Listening before looking: an end between the look and the
                // wait is heard, not missed.
                let mut events = self.bus.subscribe();
                loop {
                    let got = self
                        .athena("getQueryExecution", json!({"QueryExecutionId": id}))
                        .await?;
                    match got["QueryExecution"]["Status"]["State"].as_str() {
                        Some("SUCCEEDED") => return Ok(got),
                        Some("FAILED" | "CANCELLED") => {
                            return Err(TaskError::new("States.TaskFailed", got.to_string()));
                        }
                        _ => {}
                    }
                    // Until this query's next change, a gap in what was heard, or a
                    // while (the bus may drop what a lagging forwarder missed).
                    heard(
                        &mut events,
                        |e| matches!(e, crate::bus::Event::Query(q) if q.query_execution_id == id),
                    )
                    .await;
                }
            }
            Resource::Optimized { service, action, .. } if service == "glue" && action == "startJobRun" => {
                let job = parameters["JobName"].clone();
                let id = started["JobRunId"].as_str().unwrap_or_default().to_string();
                let mut events = self.bus.subscribe();
                loop {
                    let got = self.glue("getJobRun", json!({"JobName": job, "RunId": id})).await?;
                    let run = &got["JobRun"];
                    match run["JobRunState"].as_str() {
                        // The task's result is the JobRun itself.
                        Some("SUCCEEDED") => return Ok(run.clone()),
                        Some("FAILED" | "STOPPED" | "TIMEOUT" | "ERROR" | "EXPIRED") => {
                            return Err(TaskError::new("States.TaskFailed", run.to_string()));
                        }
                        _ => {}
                    }
                    heard(&mut events, |e| {
                        matches!(e, crate::bus::Event::Catalog(CatalogEvent::JobRunStateChanged { run_id, .. }) if *run_id == id)
                    })
                    .await;
                }
            }
            _ => Err(TaskError::new(
                "States.Runtime",
                "lakestack supports .sync for athena:startQueryExecution, glue:startJobRun and states:startExecution",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_are_the_sdk_exception_classes() {
        assert_eq!(
            error_name("com.amazonaws.sqs#QueueDoesNotExist"),
            "QueueDoesNotExistException"
        );
        assert_eq!(
            error_name("com.amazonaws.sqs#InvalidParameterValueException"),
            "InvalidParameterValueException"
        );
        assert_eq!(error_name("EntityNotFoundException"), "EntityNotFoundException");
    }

    #[test]
    fn readers_take_objects_up_to_their_limits() {
        let max_task = lakestack_stepfn::MAX_PAYLOAD_BYTES as u64;
        assert!(BodyReader::Task.admits(max_task, "b", "k").is_ok());
        let e = BodyReader::Task.admits(max_task + 1, "b", "k").unwrap_err();
        assert_eq!(e.error, "States.DataLimitExceeded");
        assert!(BodyReader::ItemReader.admits(max_task + 1, "b", "k").is_ok());
        assert!(BodyReader::ItemReader.admits(ITEM_READER_MAX_BYTES, "b", "k").is_ok());
        let e = BodyReader::ItemReader
            .admits(ITEM_READER_MAX_BYTES + 1, "b", "items.csv")
            .unwrap_err();
        assert_eq!(e.error, "States.ItemReaderFailed");
        assert_eq!(
            e.cause,
            "The object s3://b/items.csv is 268435457 bytes; lakestack's ItemReader reads at most 268435456 bytes"
        );
    }
}
