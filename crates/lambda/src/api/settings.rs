//! Tags, reserved concurrency, asynchronous invocation settings, and the
//! account's settings.

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Call, Output, ServiceError};
use serde_json::{Map, Value, json};

use super::dto::{
    Concurrency, EventInvokeConfigRequest, EventInvokeConfigResponse, ListEventInvokeConfigsResponse, ListTagsResponse,
    TagResourceRequest,
};
use super::functions::tags;
use super::{SPEC, target};
use crate::error::LambdaError;
use crate::model::EventInvokeConfig;
use crate::service::{Lambda, split_function_name};

/// The account's concurrency, and what must stay unreserved of it.
const ACCOUNT_CONCURRENCY: u32 = 1000;
const UNRESERVED_MINIMUM: u32 = 100;

/// The function a tagged resource ARN names, which must exist.
fn tagged(s: &Lambda, call: &Call) -> Result<String, ServiceError> {
    let arn = call.label("Resource").unwrap_or_default();
    let (name, _) = split_function_name(arn)
        .filter(|_| arn.starts_with("arn:"))
        .ok_or_else(|| LambdaError::invalid(format!("Invalid resource ARN: {arn}")))?;
    s.latest(&name)?;
    Ok(s.function_arn(&name))
}

pub fn tag(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let arn = tagged(s, call)?;
    let req: TagResourceRequest = call.input()?;
    let pairs = tags(req.tags.as_ref());
    if s.store.tags(&arn)?.len() + pairs.len() > 50 {
        return Err(LambdaError::invalid("Number of tags exceeds resource tag limit.").into());
    }
    s.store.tag(&arn, &pairs)?;
    Ok(Output::no_content())
}

pub fn untag(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let arn = tagged(s, call)?;
    let keys: Vec<String> = form_keys(call, "tagKeys");
    s.store.untag(&arn, &keys)?;
    Ok(Output::no_content())
}

/// Every value of a repeated query parameter.
fn form_keys(call: &Call, name: &str) -> Vec<String> {
    form_urlencoded::parse(call.uri.query().unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

pub fn list_tags(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let arn = tagged(s, call)?;
    let tags: Map<String, Value> = s
        .store
        .tags(&arn)?
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Output::of(&ListTagsResponse { tags })
}

pub fn put_concurrency(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    let req: Concurrency = call.input()?;
    let n = SPEC.required(req.reserved_concurrent_executions, "reservedConcurrentExecutions")?;
    if n < 0 {
        return Err(SPEC.violation(Violation::at_least("reservedConcurrentExecutions", n, 0)));
    }
    let others = s.store.reserved_total(Some(&t.name))?;
    if n > i64::from(ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM) - i64::from(others) {
        return Err(LambdaError::invalid(format!(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{UNRESERVED_MINIMUM}]."
        ))
        .into());
    }
    s.store.put_setting(&t.name, "", "concurrency", &(n as u32))?;
    s.forget_processes(&t.name);
    Output::of(&Concurrency {
        reserved_concurrent_executions: Some(n),
    })
}

pub fn get_concurrency(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    let n = s.reserved(&t.name)?;
    Output::of(&Concurrency {
        reserved_concurrent_executions: n.map(i64::from),
    })
}

pub fn delete_concurrency(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    s.store.delete_setting(&t.name, "", "concurrency")?;
    s.forget_processes(&t.name);
    Ok(Output::no_content())
}

fn event_config_arn(s: &Lambda, name: &str, qualifier: Option<&str>) -> String {
    s.arn_of(&crate::service::Target {
        name: name.to_owned(),
        qualifier: qualifier.map(str::to_owned),
    })
}

fn event_config_answer(arn: String, c: &EventInvokeConfig) -> EventInvokeConfigResponse {
    let dest = |d: &Option<String>| match d {
        Some(d) => json!({"Destination": d}),
        None => json!({}),
    };
    EventInvokeConfigResponse {
        last_modified: c.last_modified,
        function_arn: arn,
        maximum_retry_attempts: c.maximum_retry_attempts,
        maximum_event_age_in_seconds: c.maximum_event_age_seconds,
        destination_config: json!({"OnSuccess": dest(&c.on_success), "OnFailure": dest(&c.on_failure)}),
    }
}

/// PutFunctionEventInvokeConfig (`replace`: absent members take AWS's
/// defaults) and UpdateFunctionEventInvokeConfig (absent members keep theirs).
pub fn put_event_config(s: &Lambda, call: &Call, replace: bool) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let q = t.qualifier.as_deref().unwrap_or("");
    let req: EventInvokeConfigRequest = call.input()?;
    let mut c: EventInvokeConfig = if replace {
        EventInvokeConfig::default()
    } else {
        s.store.setting(&t.name, q, "event-invoke")?.unwrap_or_default()
    };
    if let Some(n) = req.maximum_retry_attempts {
        if !(0..=2).contains(&n) {
            return Err(SPEC.violation(Violation::range("maximumRetryAttempts", n, 0, 2)));
        }
        c.maximum_retry_attempts = n as u32;
    }
    if let Some(n) = req.maximum_event_age_in_seconds {
        if !(60..=21_600).contains(&n) {
            return Err(SPEC.violation(Violation::range("maximumEventAgeInSeconds", n, 60, 21_600)));
        }
        c.maximum_event_age_seconds = n as u32;
    }
    if let Some(d) = req.destination_config {
        if replace || d.on_success.is_some() {
            c.on_success = d.on_success.and_then(|m| m.destination);
        }
        if replace || d.on_failure.is_some() {
            c.on_failure = d.on_failure.and_then(|m| m.destination);
        }
    }
    c.last_modified = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    s.store.put_setting(&t.name, q, "event-invoke", &c)?;
    Output::of(&event_config_answer(
        event_config_arn(s, &t.name, t.qualifier.as_deref()),
        &c,
    ))
}

pub fn get_event_config(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let arn = event_config_arn(s, &t.name, t.qualifier.as_deref());
    let c: EventInvokeConfig = s
        .store
        .setting(&t.name, t.qualifier.as_deref().unwrap_or(""), "event-invoke")?
        .ok_or_else(|| LambdaError::NotFound(format!("The function {arn} doesn't have an EventInvokeConfig")))?;
    Output::of(&event_config_answer(arn, &c))
}

pub fn delete_event_config(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let arn = event_config_arn(s, &t.name, t.qualifier.as_deref());
    if !s
        .store
        .delete_setting(&t.name, t.qualifier.as_deref().unwrap_or(""), "event-invoke")?
    {
        return Err(LambdaError::NotFound(format!("The function {arn} doesn't have an EventInvokeConfig")).into());
    }
    Ok(Output::no_content())
}

pub fn list_event_configs(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.latest(&t.name)?;
    let mut out = Vec::new();
    let qualifiers = std::iter::once(String::new())
        .chain(s.store.versions(&t.name)?.into_iter().map(|v| v.version))
        .chain(s.store.aliases(&t.name)?.into_iter().map(|a| a.name));
    for q in qualifiers {
        if let Some(c) = s.store.setting::<EventInvokeConfig>(&t.name, &q, "event-invoke")? {
            let arn = event_config_arn(s, &t.name, (!q.is_empty()).then_some(q.as_str()));
            out.push(event_config_answer(arn, &c));
        }
    }
    Output::of(&ListEventInvokeConfigsResponse {
        function_event_invoke_configs: out,
    })
}

pub fn account(s: &Lambda) -> Result<Output, ServiceError> {
    let (count, size) = s.store.usage()?;
    let reserved = s.store.reserved_total(None)?;
    Ok(Output::members(json!({
        "AccountLimit": {
            "TotalCodeSize": 80_530_636_800u64,
            "CodeSizeUnzipped": crate::code::UNZIPPED_LIMIT,
            "CodeSizeZipped": 52_428_800,
            "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
            "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY.saturating_sub(reserved),
        },
        "AccountUsage": {"TotalCodeSize": size, "FunctionCount": count},
    })))
}
