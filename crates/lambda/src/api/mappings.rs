//! CreateEventSourceMapping, GetEventSourceMapping,
//! UpdateEventSourceMapping, DeleteEventSourceMapping,
//! ListEventSourceMappings.

use std::sync::Arc;

use http::StatusCode;
use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Call, Output, ServiceError, paging};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SPEC;
use crate::error::LambdaError;
use crate::mappings::{self, Mapping, source_kind};
use crate::service::Lambda;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MappingRequest {
    function_name: Option<String>,
    event_source_arn: Option<String>,
    enabled: Option<bool>,
    batch_size: Option<i64>,
    maximum_batching_window_in_seconds: Option<i64>,
    starting_position: Option<String>,
    starting_position_timestamp: Option<f64>,
    function_response_types: Option<Vec<String>>,
    /// Everything else, stored and answered as sent.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct MappingConfiguration {
    #[serde(rename = "UUID")]
    uuid: String,
    event_source_mapping_arn: String,
    event_source_arn: String,
    function_arn: String,
    batch_size: u32,
    maximum_batching_window_in_seconds: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_position_timestamp: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    function_response_types: Vec<String>,
    last_modified: f64,
    last_processing_result: String,
    state: String,
    state_transition_reason: &'static str,
    #[serde(flatten)]
    stored: Map<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListMappingsResponse {
    event_source_mappings: Vec<MappingConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_marker: Option<String>,
}

/// Members AWS answers that we keep as sent.
const STORED: &[&str] = &[
    "FilterCriteria",
    "DestinationConfig",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
    "ScalingConfig",
    "Topics",
    "Queues",
    "MetricsConfig",
];

fn answer(s: &Lambda, m: &Mapping, state: Option<&str>) -> MappingConfiguration {
    let state = state
        .map(str::to_owned)
        .unwrap_or_else(|| if m.enabled { "Enabled" } else { "Disabled" }.to_owned());
    let function_arn = match &m.qualifier {
        Some(q) => s.qualified_arn(&m.function, q),
        None => s.function_arn(&m.function),
    };
    MappingConfiguration {
        uuid: m.uuid.clone(),
        event_source_mapping_arn: s.mapping_arn(&m.uuid),
        event_source_arn: m.event_source_arn.clone(),
        function_arn,
        batch_size: m.batch_size,
        maximum_batching_window_in_seconds: m.maximum_batching_window_s,
        starting_position: m.starting_position.clone(),
        starting_position_timestamp: m.starting_position_timestamp,
        function_response_types: if m.report_item_failures {
            vec!["ReportBatchItemFailures".into()]
        } else {
            Vec::new()
        },
        last_modified: m.last_modified,
        last_processing_result: m.last_processing_result.clone(),
        state,
        state_transition_reason: "USER_INITIATED",
        stored: m.stored.clone(),
    }
}

fn now_seconds() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}

/// Applies a request's members to a mapping.
fn apply(m: &mut Mapping, req: MappingRequest) -> Result<(), ServiceError> {
    if let Some(b) = req.batch_size {
        if !(1..=10_000).contains(&b) {
            return Err(SPEC.violation(Violation::range("batchSize", b, 1, 10_000)));
        }
        m.batch_size = b as u32;
    }
    if let Some(w) = req.maximum_batching_window_in_seconds {
        if !(0..=300).contains(&w) {
            return Err(SPEC.violation(Violation::range("maximumBatchingWindowInSeconds", w, 0, 300)));
        }
        m.maximum_batching_window_s = w as u32;
    }
    if let Some(e) = req.enabled {
        m.enabled = e;
    }
    if let Some(types) = req.function_response_types {
        m.report_item_failures = types.iter().any(|t| t == "ReportBatchItemFailures");
    }
    for (k, v) in req.rest {
        if STORED.contains(&k.as_str()) {
            m.stored.insert(k, v);
        }
    }
    m.last_modified = now_seconds();
    Ok(())
}

fn not_found() -> ServiceError {
    LambdaError::NotFound("The resource you requested does not exist.".into()).into()
}

pub fn create(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let mut req: MappingRequest = call.input()?;
    let name = SPEC.required(req.function_name.take(), "functionName")?;
    let source = SPEC.required(req.event_source_arn.take(), "eventSourceArn")?;
    let t = s.target(&name, None)?;
    s.resolve(&t)?;
    let default_batch = source_kind(&source).map_or(100, |k| k.1);
    let mut m = Mapping {
        uuid: uuid::Uuid::new_v4().to_string(),
        function: t.name.clone(),
        qualifier: t.qualifier.clone(),
        event_source_arn: source,
        batch_size: default_batch,
        maximum_batching_window_s: 0,
        starting_position: req.starting_position.take(),
        starting_position_timestamp: req.starting_position_timestamp.take(),
        enabled: true,
        report_item_failures: false,
        last_modified: 0.0,
        last_processing_result: "No records processed".into(),
        stored: Map::new(),
    };
    apply(&mut m, req)?;
    if let Some(other) =
        s.store.mappings()?.into_iter().find(|o| {
            o.event_source_arn == m.event_source_arn && o.function == m.function && o.qualifier == m.qualifier
        })
    {
        return Err(LambdaError::Conflict(format!(
            "An event source mapping with event source (\"{}\"), function (\"{}\") already exists. Please update or delete the existing mapping with UUID {}",
            m.event_source_arn,
            s.arn_of(&t),
            other.uuid
        ))
        .into());
    }
    s.check_mapping(&m)?;
    s.store.put_mapping(&m)?;
    mappings::start(s, &m);
    Ok(Output::of(&answer(s, &m, Some("Creating")))?.with_status(StatusCode::ACCEPTED))
}

pub fn get(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let uuid = call.label("UUID").unwrap_or_default();
    let m = s.store.mapping(uuid)?.ok_or_else(not_found)?;
    Output::of(&answer(s, &m, None))
}

pub fn update(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let uuid = call.label("UUID").unwrap_or_default();
    let mut m = s.store.mapping(uuid)?.ok_or_else(not_found)?;
    let mut req: MappingRequest = call.input()?;
    if let Some(name) = req.function_name.take() {
        let t = s.target(&name, None)?;
        s.resolve(&t)?;
        m.function = t.name;
        m.qualifier = t.qualifier;
    }
    apply(&mut m, req)?;
    s.check_mapping(&m)?;
    s.store.put_mapping(&m)?;
    mappings::start(s, &m);
    Ok(Output::of(&answer(s, &m, Some("Updating")))?.with_status(StatusCode::ACCEPTED))
}

pub fn delete(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let uuid = call.label("UUID").unwrap_or_default();
    let m = s.store.mapping(uuid)?.ok_or_else(not_found)?;
    s.pollers.stop(uuid);
    s.store.delete_mapping(uuid)?;
    Ok(Output::of(&answer(s, &m, Some("Deleting")))?.with_status(StatusCode::ACCEPTED))
}

pub fn list(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let source = call.query_param("EventSourceArn");
    let function = match call.query_param("FunctionName") {
        Some(f) => Some(s.target(&f, None)?.name),
        None => None,
    };
    let max = call
        .query_param("MaxItems")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 10_000);
    let all: Vec<Mapping> = s
        .store
        .mappings()?
        .into_iter()
        .filter(|m| source.as_ref().is_none_or(|a| m.event_source_arn == *a))
        .filter(|m| function.as_ref().is_none_or(|f| m.function == *f))
        .collect();
    let (page, next) = paging::page_from(
        &SPEC,
        all,
        |m| m.uuid.clone(),
        call.query_param("Marker").as_deref(),
        max,
    )?;
    Output::of(&ListMappingsResponse {
        event_source_mappings: page.iter().map(|m| answer(s, m, None)).collect(),
        next_marker: next,
    })
}
