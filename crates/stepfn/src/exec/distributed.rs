//! The distributed Map: a Map Run whose items come from S3 (`ItemReader`) or
//! the input, grouped by `ItemBatcher`, each processed by a child workflow
//! execution with its own context (and no events in the parent's history),
//! judged against the tolerated failure threshold, and exported to S3 by
//! `ResultWriter`. The data rules live in `items`; this is the running.

use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use lakestack_aws_protocol::Arn;
use serde_json::{Value, json};

use super::branches::count;
use super::items::{self, ChildOutcome, ChildRecord, ChildRun, FailureStatus, ItemsError, WriterConfig};
use super::{Cursor, Entered, Exit, Failure, Halt, Run, field, retry, run_states, select};
use crate::asl::{ExecutionType, InputType, MapState, ValueOrPath};
use crate::integration::{Pattern, Resource};
use crate::path;
use crate::records::{self, MapRunCounts};

/// Child executions running at once when MaxConcurrency leaves it open.
const CHILD_CONCURRENCY: usize = 1000;

fn s3(action: &str) -> Resource {
    Resource::Sdk {
        service: "s3".into(),
        action: action.into(),
        pattern: Pattern::RequestResponse,
    }
}

/// A payload field of the Map (an ItemReader's or ResultWriter's
/// `Parameters` or `Arguments`, `BatchInput`, `ItemSelector`): a JSONPath
/// template over the effective input, or JSONata `{% %}` values.
fn payload(
    run: &Run,
    e: &Entered<'_>,
    t: Option<&Value>,
    effective: &Value,
    ctx: &Value,
    location: &str,
) -> Result<Value, Halt> {
    match t {
        None => Ok(json!({})),
        Some(t) if e.jsonata => e.query(run, ctx).value(t, location).map_err(|x| e.query_failed(x)),
        Some(t) => e
            .paths(|| path::apply_payload_template(t, effective, ctx))
            .map_err(|x| e.fail(&x)),
    }
}

fn failure(e: ItemsError) -> Halt {
    Halt::Failed(Failure::new(e.error, e.cause))
}

/// An ItemReader's or ResultWriter's request: its `Arguments` in JSONata,
/// its `Parameters` in JSONPath.
fn request(
    run: &Run,
    e: &Entered<'_>,
    parameters: Option<&Value>,
    arguments: Option<&Value>,
    effective: &Value,
    ctx: &Value,
    field: &str,
) -> Result<Value, Halt> {
    if e.jsonata {
        payload(run, e, arguments, effective, ctx, &format!("{field}/Arguments"))
    } else {
        payload(run, e, parameters, effective, ctx, &format!("{field}/Parameters"))
    }
}

fn percentage(
    run: &Run,
    v: &Option<ValueOrPath<f64>>,
    input: &Value,
    ctx: &Value,
    e: &Entered<'_>,
) -> Result<Option<f64>, Halt> {
    match v {
        None => Ok(None),
        Some(ValueOrPath::Value(n)) => Ok(Some(*n)),
        Some(ValueOrPath::Path(p)) => Ok(e
            .paths(|| select(p, "ToleratedFailurePercentagePath", input, ctx))
            .map_err(|x| e.fail(&x))?
            .as_f64()),
        Some(ValueOrPath::Jsonata(expr)) => {
            let v = e
                .query(run, ctx)
                .expression(expr, "ToleratedFailurePercentage")
                .map_err(|x| e.query_failed(x))?;
            v.as_f64().map(Some).ok_or_else(|| {
                e.query_failed(crate::query::QueryError::wrong_type(
                    expr,
                    "ToleratedFailurePercentage",
                    "number",
                    &v,
                ))
            })
        }
    }
}

/// A Map Run's identity (its ARN, and the id its result files are filed
/// under) and the record DescribeMapRun answers, saved as the run goes.
struct MapRun {
    arn: String,
    id: String,
    label: String,
    record: Mutex<records::MapRun>,
}

impl MapRun {
    fn new(run: &Run, s: &MapState, e: &Entered<'_>) -> Self {
        let id = uuid::Uuid::new_v4().to_string();
        let label = s.label.clone().unwrap_or_else(|| e.name.to_owned());
        let execution = Arn::parse(&run.execution_arn);
        let (region, account) = execution
            .as_ref()
            .map_or(("", ""), |a| (a.region.as_str(), a.account.as_str()));
        let resource = format!("mapRun:{}/{label}:{id}", run.machine_name);
        let arn = Arn::new("states", region, account, resource).to_string();
        let record = records::MapRun {
            arn: arn.clone(),
            execution_arn: run.execution_arn.clone(),
            state_machine_arn: format!("{}/{label}", run.machine_arn),
            status: "RUNNING".into(),
            start_ms: run.clock.now().timestamp_millis(),
            stop_ms: None,
            max_concurrency: 0,
            tolerated_failure_percentage: 0.0,
            tolerated_failure_count: 0,
            counts: MapRunCounts::default(),
            item_counts: MapRunCounts::default(),
        };
        Self {
            arn,
            id,
            label,
            record: Mutex::new(record),
        }
    }

    /// Changes the record and saves it.
    fn update(&self, run: &Run, f: impl FnOnce(&mut records::MapRun)) {
        let mut record = self.record.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut record);
        run.host.map_run(&record);
    }

    fn end(&self, run: &Run, status: &str) {
        let at = run.clock.now().timestamp_millis();
        self.update(run, |r| {
            r.status = status.into();
            r.stop_ms = Some(at);
        });
    }
}

/// How many children (or, by `weight`, items) ended each way.
fn counts(children: &[ChildRecord], written: bool, weight: impl Fn(&ChildRecord) -> u64) -> MapRunCounts {
    let mut c = MapRunCounts::default();
    for child in children {
        let n = weight(child);
        c.total += n;
        match &child.outcome {
            ChildOutcome::Succeeded { .. } => c.succeeded += n,
            ChildOutcome::Failed {
                status: FailureStatus::TimedOut,
                ..
            } => c.timed_out += n,
            ChildOutcome::Failed {
                status: FailureStatus::Aborted,
                ..
            } => c.aborted += n,
            ChildOutcome::Failed { .. } => c.failed += n,
            ChildOutcome::Pending => c.pending += n,
        }
    }
    if written {
        c.results_written = c.total - c.pending;
    }
    c
}

pub async fn map(run: &Run, e: &Entered<'_>, s: &MapState, cursor: &mut Cursor) -> Result<Exit, Halt> {
    let mut attempts = vec![0; s.retry.len()];
    let mut retry_count = 0;
    loop {
        let ctx = e.context(run, retry_count);
        let effective = if e.jsonata {
            e.input.clone()
        } else {
            e.paths(|| path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx))
                .map_err(|x| e.fail(&x))?
        };
        let map_run = MapRun::new(run, s, e);
        map_run.update(run, |_| {});
        run.event(cursor, "MapRunStarted", json!({"mapRunArn": map_run.arn}));
        let outcome = map_run_once(run, e, s, &effective, &ctx, &map_run).await;
        map_run.end(
            run,
            match &outcome {
                Ok(_) => "SUCCEEDED",
                Err(Halt::Failed(_)) => "FAILED",
                Err(_) => "ABORTED",
            },
        );
        match outcome {
            Ok(result) => {
                run.event(cursor, "MapRunSucceeded", Value::Null);
                return super::finish_result(
                    run,
                    e,
                    &ctx,
                    result,
                    s.result_selector.as_ref(),
                    &s.result_path,
                    &s.common,
                );
            }
            Err(Halt::Failed(f)) => {
                run.event(cursor, "MapRunFailed", json!({"error": f.error, "cause": f.cause}));
                if !retry::again(run, &s.retry, &mut attempts, &f).await? {
                    return Err(Halt::Failed(f));
                }
                retry_count += 1;
            }
            Err(other) => {
                run.event(cursor, "MapRunAborted", Value::Null);
                return Err(other);
            }
        }
    }
}

/// One Map Run: read, select, batch, run the children, judge, export.
async fn map_run_once(
    run: &Run,
    e: &Entered<'_>,
    s: &MapState,
    effective: &Value,
    ctx: &Value,
    map_run: &MapRun,
) -> Result<Value, Halt> {
    let items = match &s.item_reader {
        Some(_) => read(run, e, s, effective, ctx).await?,
        None if e.jsonata => match super::branches::jsonata_items(run, e, ctx, s.items.as_ref())? {
            Value::Array(items) => items,
            _ => Vec::new(),
        },
        None => inline_items(e, s, effective, ctx)?,
    };
    let mut inputs = Vec::with_capacity(items.len());
    for (index, value) in items.into_iter().enumerate() {
        inputs.push(match s.item_template() {
            Some(t) => {
                let item_ctx = run.context(
                    e.name,
                    e.at,
                    0,
                    Some(("Map", json!({"Item": {"Index": index, "Value": value}}))),
                );
                payload(run, e, Some(t), effective, &item_ctx, "ItemSelector")?
            }
            None => value,
        });
    }
    if let Some(b) = &s.item_batcher {
        let batch_input = match &b.batch_input {
            Some(t) => Some(payload(run, e, Some(t), effective, ctx, "ItemBatcher/BatchInput")?),
            None => None,
        };
        inputs = items::batches(
            inputs,
            count(
                run,
                &b.max_items_per_batch,
                effective,
                ctx,
                e,
                "ItemBatcher/MaxItemsPerBatch",
            )?,
            count(
                run,
                &b.max_input_bytes_per_batch,
                effective,
                ctx,
                e,
                "ItemBatcher/MaxInputBytesPerBatch",
            )?,
            batch_input.as_ref(),
        )
        .map_err(failure)?;
    }
    let tolerated_count = count(
        run,
        &s.tolerated_failure_count,
        effective,
        ctx,
        e,
        "ToleratedFailureCount",
    )?;
    let tolerated_percentage = percentage(run, &s.tolerated_failure_percentage, effective, ctx, e)?;
    // DescribeMapRun reports what was asked for (0 when unset).
    let requested = count(run, &s.max_concurrency, effective, ctx, e, "MaxConcurrency")?.unwrap_or(0);
    let concurrency = match requested {
        0 => CHILD_CONCURRENCY,
        n => n as usize,
    };
    let batched = s.item_batcher.is_some();
    map_run.update(run, |r| {
        r.max_concurrency = requested;
        r.tolerated_failure_count = tolerated_count.unwrap_or(0);
        r.tolerated_failure_percentage = tolerated_percentage.unwrap_or(0.0);
        let pending = |n: u64| MapRunCounts {
            pending: n,
            total: n,
            ..MapRunCounts::default()
        };
        r.counts = pending(inputs.len() as u64);
        r.item_counts = pending(inputs.iter().map(|i| items_in(i, batched)).sum());
    });
    let children = run_children(run, s, map_run, inputs, concurrency, |failed, total| {
        items::exceeds_tolerance(failed, total, tolerated_count, tolerated_percentage)
    })
    .await?;
    let output = export(run, e, s, effective, ctx, map_run, &children).await;
    let written = output.is_ok() && s.result_writer.as_ref().is_some_and(|w| w.resource.is_some());
    // Thresholds count items: a failed batch fails every item in it.
    let by_item = counts(&children, written, |c| items_in(&c.input, batched));
    let exceeded = items::exceeds_tolerance(
        by_item.failed + by_item.timed_out,
        by_item.total,
        tolerated_count,
        tolerated_percentage,
    );
    map_run.update(run, |r| {
        r.counts = counts(&children, written, |_| 1);
        r.item_counts = by_item;
    });
    let output = output?;
    if exceeded {
        return Err(failure(items::tolerance_exceeded()));
    }
    Ok(output)
}

fn inline_items(e: &Entered<'_>, s: &MapState, effective: &Value, ctx: &Value) -> Result<Vec<Value>, Halt> {
    let items = match &s.items_path {
        Some(p) => e
            .paths(|| select(p, "ItemsPath", effective, ctx))
            .map_err(|x| e.fail(&x))?,
        None => effective.clone(),
    };
    match items {
        Value::Array(items) => Ok(items),
        _ => Err(Halt::Failed(Failure::new(
            "States.Runtime",
            super::runtime_cause(
                e,
                &format!(
                    "Invalid path '{}': The Map state's ItemsPath does not reference a JSON array",
                    s.items_path.as_deref().unwrap_or("$")
                ),
            ),
        ))),
    }
}

/// The items an `ItemReader` names: an object's CSV/JSON/JSONL rows, an S3
/// inventory, or the objects under a prefix.
async fn read(run: &Run, e: &Entered<'_>, s: &MapState, effective: &Value, ctx: &Value) -> Result<Vec<Value>, Halt> {
    let Some(reader) = &s.item_reader else {
        return Ok(Vec::new());
    };
    let parameters = request(
        run,
        e,
        reader.parameters.as_ref(),
        reader.arguments.as_ref(),
        effective,
        ctx,
        "ItemReader",
    )?;
    let config = reader.reader_config.clone().unwrap_or_default();
    let max_items = count(
        run,
        &config.max_items,
        effective,
        ctx,
        e,
        "ItemReader/ReaderConfig/MaxItems",
    )?;
    let reader_failed = |f: Failure| Halt::Failed(Failure::new(items::ITEM_READER_FAILED, f.cause));
    match reader.resource.as_str() {
        "arn:aws:states:::s3:listObjectsV2" => {
            let mut request = parameters.clone();
            request["MaxKeys"] = json!(items::MAX_READER_ITEMS);
            let listed = run
                .host
                .call(run, &s3("listObjectsV2"), request)
                .await
                .map_err(reader_failed)?;
            let limit = match max_items {
                None | Some(0) => usize::MAX,
                Some(n) => n as usize,
            };
            Ok(listed["Contents"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .take(limit)
                .map(|o| {
                    let modified = o["LastModified"]
                        .as_str()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
                    items::listed_object_item(
                        o["Key"].as_str().unwrap_or_default(),
                        o["Size"].as_u64().unwrap_or_default(),
                        o["ETag"].as_str().unwrap_or_default(),
                        modified,
                        o["StorageClass"].as_str(),
                    )
                })
                .collect())
        }
        "arn:aws:states:::s3:getObject" => {
            let body = get(run, &parameters).await.map_err(reader_failed)?;
            if config.input_type != Some(InputType::Manifest) {
                return items::read_items(body.as_bytes(), &config, max_items).map_err(failure);
            }
            let manifest = items::inventory_manifest(body.as_bytes()).map_err(failure)?;
            let mut out = Vec::new();
            if let Some(key) = manifest.file_keys.iter().find(|k| k.ends_with(".gz")) {
                return Err(Halt::Failed(Failure::new(
                    items::ITEM_READER_FAILED,
                    format!(
                        "The inventory file {key} is compressed; lakestack reads uncompressed CSV inventories only"
                    ),
                )));
            }
            for key in &manifest.file_keys {
                let left = max_items.map(|m| m.saturating_sub(out.len() as u64));
                if left == Some(0) && max_items.is_some_and(|m| m > 0) {
                    break;
                }
                let file = get(run, &json!({"Bucket": manifest.destination_bucket, "Key": key}))
                    .await
                    .map_err(reader_failed)?;
                out.extend(items::inventory_items(file.as_bytes(), &manifest, left).map_err(failure)?);
            }
            Ok(out)
        }
        other => Err(Halt::Failed(Failure::new(
            items::ITEM_READER_FAILED,
            format!("The ItemReader resource {other} is not supported; use s3:getObject or s3:listObjectsV2"),
        ))),
    }
}

async fn get(run: &Run, parameters: &Value) -> Result<String, Failure> {
    // The ItemReader's own resource: unlike a Task's `aws-sdk:s3:getObject`,
    // its object is not a state's result, so the 256 KiB payload quota does not apply.
    let reader = Resource::Optimized {
        service: "s3".into(),
        action: "getObject".into(),
        pattern: Pattern::RequestResponse,
        sync2: false,
    };
    let got = run.host.call(run, &reader, parameters.clone()).await?;
    Ok(got["Body"].as_str().unwrap_or_default().to_owned())
}

/// How many items a child input holds: a batch's `Items`, else one.
fn items_in(input: &Value, batched: bool) -> u64 {
    match (batched, &input["Items"]) {
        (true, Value::Array(items)) => items.len() as u64,
        _ => 1,
    }
}

/// Runs a child execution per input, `concurrency` at once. Once `exceeded`
/// says the failed items so far are too many, the children still running
/// are stopped (ABORTED) and the rest never start (PENDING).
async fn run_children(
    run: &Run,
    s: &MapState,
    map_run: &MapRun,
    inputs: Vec<Value>,
    concurrency: usize,
    exceeded: impl Fn(u64, u64) -> bool,
) -> Result<Vec<ChildRecord>, Halt> {
    let batched = s.item_batcher.is_some();
    let total_items: u64 = inputs.iter().map(|i| items_in(i, batched)).sum();
    let kind = match s.processor.config.execution_type {
        Some(ExecutionType::Express) => "express",
        _ => "execution",
    };
    let machine_arn = format!("{}/{}", run.machine_arn, map_run.label);
    let prefix = run.machine_arn.replacen(":stateMachine:", &format!(":{kind}:"), 1);
    // Each child's identity, and when it started, known outside its future:
    // a child stopped mid-run is reported as ABORTED.
    let names: Vec<String> = inputs.iter().map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let started: Vec<OnceLock<DateTime<Utc>>> = inputs.iter().map(|_| OnceLock::new()).collect();
    let child_run = |i: usize, start: DateTime<Utc>| ChildRun {
        execution_arn: format!("{prefix}/{}:{}", map_run.label, names[i]),
        name: names[i].clone(),
        state_machine_arn: machine_arn.clone(),
        start_date: start,
        stop_date: run.clock.now(),
        redrive_count: 0,
    };
    let children = inputs.iter().cloned().enumerate().map(|(i, input)| {
        let (child_run, started) = (&child_run, &started);
        async move {
            let start = *started[i].get_or_init(|| run.clock.now());
            let identity = child_run(i, start);
            let child = run.child(
                identity.execution_arn.clone(),
                identity.name.clone(),
                identity.state_machine_arn.clone(),
                input.clone(),
            );
            let body = &s.processor.body;
            let mut cursor = Cursor::default();
            // A distributed Map's child executions see no outer variables (as in AWS).
            let scope = super::Scope::root(serde_json::Map::new());
            let outcome = run_states(&child, &scope, &body.states, &body.start_at, input.clone(), &mut cursor).await;
            let child_run = child_run(i, start);
            let outcome = match outcome {
                Ok(output) => ChildOutcome::Succeeded { run: child_run, output },
                Err(Halt::Failed(f)) => ChildOutcome::Failed {
                    run: child_run,
                    status: FailureStatus::Failed,
                    error: (!f.error.is_empty()).then_some(f.error),
                    cause: (!f.cause.is_empty()).then_some(f.cause),
                },
                Err(Halt::TimedOut) => ChildOutcome::Failed {
                    run: child_run,
                    status: FailureStatus::TimedOut,
                    error: Some("States.Timeout".into()),
                    cause: None,
                },
                Err(Halt::Aborted) => return Err(Halt::Aborted),
            };
            Ok((i, ChildRecord { input, outcome }))
        }
    });
    let mut stream = futures::stream::iter(children).buffer_unordered(concurrency.max(1));
    let mut done: Vec<Option<ChildRecord>> = vec![None; inputs.len()];
    let mut failed_items = 0;
    while let Some(child) = stream.next().await {
        let (i, child) = child?;
        if matches!(child.outcome, ChildOutcome::Failed { .. }) {
            failed_items += items_in(&child.input, batched);
        }
        done[i] = Some(child);
        if exceeded(failed_items, total_items) {
            break;
        }
    }
    drop(stream);
    Ok(done
        .into_iter()
        .zip(inputs)
        .enumerate()
        .map(|(i, (finished, input))| match (finished, started[i].get()) {
            (Some(child), _) => child,
            (None, Some(start)) => ChildRecord {
                input,
                outcome: ChildOutcome::Failed {
                    run: child_run(i, *start),
                    status: FailureStatus::Aborted,
                    error: None,
                    cause: None,
                },
            },
            (None, None) => ChildRecord {
                input,
                outcome: ChildOutcome::Pending,
            },
        })
        .collect())
}

/// The Map state's result: the children's outputs, or with a `ResultWriter`
/// the exported files' manifest.
async fn export(
    run: &Run,
    e: &Entered<'_>,
    s: &MapState,
    effective: &Value,
    ctx: &Value,
    map_run: &MapRun,
    children: &[ChildRecord],
) -> Result<Value, Halt> {
    let Some(writer) = &s.result_writer else {
        return Ok(Value::Array(items::transform_results(
            children,
            items::Transformation::Compact,
        )));
    };
    let config = WriterConfig::from_definition(writer.writer_config.as_ref()).map_err(failure)?;
    let Some(resource) = &writer.resource else {
        return Ok(Value::Array(items::transform_results(children, config.transformation)));
    };
    if resource != "arn:aws:states:::s3:putObject" {
        return Err(Halt::Failed(Failure::new(
            items::RESULT_WRITER_FAILED,
            format!("The ResultWriter resource {resource} is not supported; use s3:putObject"),
        )));
    }
    let parameters = request(
        run,
        e,
        writer.parameters.as_ref(),
        writer.arguments.as_ref(),
        effective,
        ctx,
        "ResultWriter",
    )?;
    let bucket = parameters["Bucket"].as_str().unwrap_or_default().to_owned();
    let prefix = parameters["Prefix"].as_str().unwrap_or_default().to_owned();
    let writer_failed = |f: Failure| Halt::Failed(Failure::new(items::RESULT_WRITER_FAILED, f.cause));
    for (key, body) in items::result_files(&bucket, &prefix, &map_run.arn, &map_run.id, children, config) {
        let body = String::from_utf8_lossy(&body).into_owned();
        run.host
            .call(
                run,
                &s3("putObject"),
                json!({"Bucket": bucket, "Key": key, "Body": body}),
            )
            .await
            .map_err(writer_failed)?;
    }
    Ok(items::writer_output(
        &bucket,
        &items::manifest_key(&prefix, &map_run.id),
        &map_run.arn,
    ))
}
