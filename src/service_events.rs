//! AWS-shaped events from lakestack's own services, onto EventBridge's
//! default bus, so that users write the rules they write on AWS: the
//! in-process bus says what happened, and this module words it as the AWS
//! service would (`source`, `detail-type`, `detail`), for the states AWS
//! emits events for. (S3's events take their own, durable path: S3's event
//! outbox, `notify.rs`.)

use std::sync::Arc;

use lakestack_catalog::{Catalog, CatalogEvent};
use lakestack_events::{Events, NewEvent};
use lakestack_query::QueryEvent;
use lakestack_stepfn::ExecutionEvent;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::bus::{Bus, Event};

/// Step Functions leaves out an input or output whose escaped text passes 248 KB.
const MAX_STATES_PAYLOAD: usize = 248 * 1024;

/// Puts the bus's events on EventBridge's default bus as they happen.
pub fn attach(bus: &Bus, events: &Arc<Events>, catalog: &Arc<Catalog>) {
    let mut rx = bus.subscribe();
    let (events, catalog) = (Arc::downgrade(events), Arc::downgrade(catalog));
    tokio::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "service events to EventBridge lagged");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let (Some(events), Some(catalog)) = (events.upgrade(), catalog.upgrade()) else {
                return;
            };
            let Some(entry) = word(&event, &events, &catalog) else {
                continue;
            };
            if let Err(e) = events.put_service_events(vec![entry]).await {
                tracing::warn!(error = %e, "a service event did not reach EventBridge");
            }
        }
    });
}

fn entry(source: &str, detail_type: &str, resources: Vec<String>, detail: Value) -> NewEvent {
    NewEvent {
        source: Some(source.into()),
        detail_type: Some(detail_type.into()),
        detail: Some(detail.to_string()),
        resources,
        ..Default::default()
    }
}

/// The AWS event for what happened, if AWS emits one.
fn word(event: &Event, events: &Events, catalog: &Catalog) -> Option<NewEvent> {
    let s = events.settings();
    match event {
        Event::Catalog(CatalogEvent::CrawlerStateChanged {
            crawler,
            state,
            outcome,
        }) => crawler_event(crawler, state, outcome.as_deref(), &s.account_id, &s.region, catalog),
        Event::Catalog(c) => c
            .eventbridge(|r| catalog.resource_arn(r))
            .map(|g| entry("aws.glue", g.detail_type, g.resources, g.detail)),
        Event::Query(q) => Some(query_event(q)),
        Event::Execution(e) if !e.express => Some(execution_event(e)),
        _ => None,
    }
}

fn iso_seconds(ms: i64) -> String {
    lakestack_events::envelope_time(ms)
}

/// `Glue Crawler State Change`: Started, Succeeded or Failed, its counts as strings.
fn crawler_event(
    crawler: &str,
    state: &str,
    outcome: Option<&str>,
    account: &str,
    region: &str,
    catalog: &Catalog,
) -> Option<NewEvent> {
    let last = catalog.list_crawls(crawler).ok().and_then(|c| c.into_iter().next());
    let log_link = format!(
        "https://console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group=/aws-glue/crawlers;stream={crawler}"
    );
    let detail = match (state, outcome) {
        ("RUNNING", _) => json!({
            "accountId": account,
            "crawlerName": crawler,
            "startTime": iso_seconds(last.as_ref().map_or(0, |c| c.start_time)),
            "state": "Started",
            "message": "Crawler Started",
        }),
        ("READY", Some("SUCCEEDED")) => {
            let c = last?;
            let n = &c.summary;
            let end = c.end_time.unwrap_or(c.start_time);
            json!({
                "tablesCreated": n.tables_created.to_string(),
                "warningMessage": "N/A",
                "partitionsUpdated": n.partitions_updated.to_string(),
                "tablesUpdated": n.tables_updated.to_string(),
                "message": "Crawler Succeeded",
                "partitionsDeleted": n.partitions_deleted.to_string(),
                "accountId": account,
                "runningTime (sec)": ((end - c.start_time) / 1000).to_string(),
                "tablesDeleted": n.tables_deleted.to_string(),
                "crawlerName": crawler,
                "completionDate": iso_seconds(end),
                "state": "Succeeded",
                "partitionsCreated": n.partitions_created.to_string(),
                "cloudWatchLogLink": log_link,
            })
        }
        ("READY", Some("FAILED")) => json!({
            "crawlerName": crawler,
            "errorMessage": last.and_then(|c| c.error_message).unwrap_or_else(|| "Internal Service Exception".into()),
            "accountId": account,
            "cloudWatchLogLink": log_link,
            "state": "Failed",
            "message": "Crawler Failed",
        }),
        _ => return None,
    };
    Some(entry("aws.glue", "Glue Crawler State Change", Vec::new(), detail))
}

/// `Athena Query State Change`, on every transition.
fn query_event(q: &QueryEvent) -> NewEvent {
    let mut detail = serde_json::Map::new();
    detail.insert("versionId".into(), "0".into());
    detail.insert("currentState".into(), q.current_state.clone().into());
    if let Some(previous) = &q.previous_state {
        detail.insert("previousState".into(), previous.clone().into());
    }
    detail.insert("statementType".into(), q.statement_type.clone().into());
    detail.insert("queryExecutionId".into(), q.query_execution_id.clone().into());
    detail.insert("workgroupName".into(), q.workgroup.clone().into());
    detail.insert("sequenceNumber".into(), q.sequence_number.to_string().into());
    if let Some(e) = &q.error {
        // AWS's example writes the numbers as doubles.
        detail.insert(
            "athenaError".into(),
            json!({
                "errorCategory": f64::from(e.category),
                "errorType": f64::from(e.error_type),
                "errorMessage": e.message,
                "retryable": e.retryable,
            }),
        );
    }
    entry(
        "aws.athena",
        "Athena Query State Change",
        Vec::new(),
        Value::Object(detail),
    )
}

/// `Step Functions Execution Status Change`: what DescribeExecution says,
/// dates in epoch milliseconds.
fn execution_event(e: &ExecutionEvent) -> NewEvent {
    let escaped = |s: &Option<String>| s.as_ref().map_or(0, |t| Value::String(t.clone()).to_string().len());
    let output_fits = escaped(&e.output) <= MAX_STATES_PAYLOAD;
    let input_fits = escaped(&e.input) + if output_fits { escaped(&e.output) } else { 0 } <= MAX_STATES_PAYLOAD;
    let ended = e.status != "RUNNING";
    let succeeded = e.status == "SUCCEEDED";
    let detail = json!({
        "executionArn": e.execution_arn,
        "stateMachineArn": e.state_machine_arn,
        "name": e.name,
        "status": e.status,
        "startDate": e.start_ms,
        "stopDate": if ended { e.stop_ms.map_or(Value::Null, Value::from) } else { Value::Null },
        "input": if input_fits { e.input.clone().map_or(Value::Null, Value::from) } else { Value::Null },
        "output": if succeeded && output_fits { e.output.clone().map_or(Value::Null, Value::from) } else { Value::Null },
        "inputDetails": {"included": input_fits},
        "outputDetails": if succeeded { json!({"included": output_fits}) } else { Value::Null },
        "error": e.error.clone().map_or(Value::Null, Value::from),
        "cause": e.cause.clone().map_or(Value::Null, Value::from),
        "redriveCount": e.redrive_count,
    });
    entry(
        "aws.states",
        "Step Functions Execution Status Change",
        vec![e.execution_arn.clone()],
        detail,
    )
}
