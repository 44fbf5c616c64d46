//! One function per operation: read the request's members, call the
//! service, shape the answer as Step Functions does.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::ApiError;
use crate::asl::{self, MachineType, Severity, ValidateRequest, ValidationResult};
use crate::error::StepFnError;
use crate::exec::{Failure, test_state, text};
use crate::records::{Execution, MapRun, StateMachine};
use crate::service::StepFunctions;

type Answer = Result<Value, ApiError>;

pub(crate) async fn dispatch(s: &StepFunctions, op: &str, body: &[u8]) -> Answer {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let req: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::Serialization(format!("Request body is not valid JSON: {e}")))?;
    if !req.is_object() {
        return Err(ApiError::Serialization("Request body must be a JSON object".into()));
    }
    match op {
        "CreateStateMachine" => create_state_machine(s, &req),
        "DescribeStateMachine" => describe_state_machine(s, &req),
        "UpdateStateMachine" => update_state_machine(s, &req),
        "DeleteStateMachine" => {
            s.delete_machine(required(&req, "stateMachineArn")?)?;
            Ok(json!({}))
        }
        "ListStateMachines" => list_state_machines(s, &req),
        "ValidateStateMachineDefinition" => validate(&req),
        "StartExecution" => start_execution(s, &req),
        "StartSyncExecution" => start_sync_execution(s, &req).await,
        "DescribeExecution" => {
            let e = s.execution(required(&req, "executionArn")?)?;
            Ok(describe_execution(&e))
        }
        "DescribeStateMachineForExecution" => describe_for_execution(s, &req),
        "StopExecution" => {
            let stopped = s.stop(
                required(&req, "executionArn")?,
                optional(&req, "error").map(str::to_owned),
                optional(&req, "cause").map(str::to_owned),
            )?;
            Ok(json!({"stopDate": stopped as f64 / 1000.0}))
        }
        "TestState" => test_state(s, &req).await,
        "DescribeMapRun" => Ok(describe_map_run(&s.map_run(required(&req, "mapRunArn")?)?)),
        "ListMapRuns" => list_map_runs(s, &req),
        "RedriveExecution" => {
            let at = s.redrive(required(&req, "executionArn")?)?;
            Ok(json!({"redriveDate": seconds(at)}))
        }
        "ListExecutions" => list_executions(s, &req),
        "GetExecutionHistory" => history(s, &req),
        "CreateActivity" => {
            let a = s.create_activity(required(&req, "name")?, &tags(&req))?;
            Ok(json!({"activityArn": a.arn, "creationDate": a.created_ms as f64 / 1000.0}))
        }
        "DescribeActivity" => {
            let a = s.activity(required(&req, "activityArn")?)?;
            Ok(json!({"activityArn": a.arn, "name": a.name, "creationDate": a.created_ms as f64 / 1000.0}))
        }
        "ListActivities" => {
            let all: Vec<Value> = s
                .activities()?
                .into_iter()
                .map(|a| json!({"activityArn": a.arn, "name": a.name, "creationDate": a.created_ms as f64 / 1000.0}))
                .collect();
            page(&req, all, "activities")
        }
        "DeleteActivity" => {
            s.delete_activity(required(&req, "activityArn")?)?;
            Ok(json!({}))
        }
        "GetActivityTask" => {
            let worker = optional(&req, "workerName").unwrap_or_default();
            Ok(
                match s.next_activity_task(required(&req, "activityArn")?, worker).await? {
                    Some(t) => json!({"taskToken": t.token, "input": t.input}),
                    None => json!({}),
                },
            )
        }
        "SendTaskSuccess" => {
            let output = required(&req, "output")?;
            let value: Value = serde_json::from_str(output)
                .map_err(|e| StepFnError::InvalidOutput(format!("Invalid Output: '{e}'")))?;
            s.complete_task(required(&req, "taskToken")?, Ok(value))?;
            Ok(json!({}))
        }
        "SendTaskFailure" => {
            let f = Failure::new(
                optional(&req, "error").unwrap_or_default(),
                optional(&req, "cause").unwrap_or_default(),
            );
            s.complete_task(required(&req, "taskToken")?, Err(f))?;
            Ok(json!({}))
        }
        "SendTaskHeartbeat" => {
            s.heartbeat(required(&req, "taskToken")?)?;
            Ok(json!({}))
        }
        "TagResource" => {
            s.tag(required(&req, "resourceArn")?, &tags(&req))?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let keys: Vec<String> = req["tagKeys"]
                .as_array()
                .map(|k| k.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            s.untag(required(&req, "resourceArn")?, &keys)?;
            Ok(json!({}))
        }
        "ListTagsForResource" => {
            let tags: Vec<Value> = s
                .tags(required(&req, "resourceArn")?)?
                .into_iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            Ok(json!({"tags": tags}))
        }
        other => Err(ApiError::NotImplemented(other.to_owned())),
    }
}

fn required<'a>(req: &'a Value, member: &str) -> Result<&'a str, ApiError> {
    match req.get(member) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None => Err(StepFnError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
        .into()),
        Some(_) => Err(ApiError::Serialization(format!("Member '{member}' must be a string"))),
    }
}

fn optional<'a>(req: &'a Value, member: &str) -> Option<&'a str> {
    req.get(member).and_then(Value::as_str)
}

fn tags(req: &Value) -> Vec<(String, String)> {
    req["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|x| {
                    Some((
                        x["key"].as_str()?.to_owned(),
                        x["value"].as_str().unwrap_or_default().to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One page of `items` under `key`, with an opaque `nextToken` past it.
fn page(req: &Value, items: Vec<Value>, key: &str) -> Answer {
    let max = match req["maxResults"].as_u64() {
        Some(0) | None => 100,
        Some(n) if n > 1000 => {
            return Err(StepFnError::Validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            ))
            .into());
        }
        Some(n) => n as usize,
    };
    let start = match optional(req, "nextToken") {
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| StepFnError::Validation(format!("Invalid Token: '{t}'")))?,
        None => 0,
    };
    let end = (start + max).min(items.len());
    let mut out = Map::new();
    out.insert(
        key.into(),
        Value::Array(items.get(start..end).map(<[Value]>::to_vec).unwrap_or_default()),
    );
    if end < items.len() {
        out.insert("nextToken".into(), URL_SAFE_NO_PAD.encode(end.to_string()).into());
    }
    Ok(Value::Object(out))
}

fn seconds(ms: i64) -> Value {
    Value::from(ms as f64 / 1000.0)
}

fn create_state_machine(s: &StepFunctions, req: &Value) -> Answer {
    let m = StateMachine {
        arn: String::new(),
        name: required(req, "name")?.to_owned(),
        definition: required(req, "definition")?.to_owned(),
        role_arn: required(req, "roleArn")?.to_owned(),
        kind: optional(req, "type").unwrap_or("STANDARD").to_owned(),
        created_ms: 0,
        updated_ms: None,
        revision_id: String::new(),
        description: None,
        logging_configuration: req
            .get("loggingConfiguration")
            .cloned()
            .unwrap_or(json!({"level": "OFF", "includeExecutionData": false})),
        tracing_configuration: req
            .get("tracingConfiguration")
            .cloned()
            .unwrap_or(json!({"enabled": false})),
    };
    let m = s.create_machine(m, &tags(req))?;
    Ok(json!({"stateMachineArn": m.arn, "creationDate": seconds(m.created_ms)}))
}

fn machine_wire(m: &StateMachine) -> Value {
    json!({
        "stateMachineArn": m.arn,
        "name": m.name,
        "status": "ACTIVE",
        "definition": m.definition,
        "roleArn": m.role_arn,
        "type": m.kind,
        "creationDate": seconds(m.created_ms),
        "loggingConfiguration": m.logging_configuration,
        "tracingConfiguration": m.tracing_configuration,
        "revisionId": m.revision_id,
    })
}

fn describe_state_machine(s: &StepFunctions, req: &Value) -> Answer {
    Ok(machine_wire(&s.machine(required(req, "stateMachineArn")?)?))
}

fn update_state_machine(s: &StepFunctions, req: &Value) -> Answer {
    let m = s.update_machine(
        required(req, "stateMachineArn")?,
        optional(req, "definition").map(str::to_owned),
        optional(req, "roleArn").map(str::to_owned),
        req.get("loggingConfiguration").cloned(),
        req.get("tracingConfiguration").cloned(),
    )?;
    Ok(json!({"updateDate": seconds(m.updated_ms.unwrap_or(m.created_ms)), "revisionId": m.revision_id}))
}

fn list_state_machines(s: &StepFunctions, req: &Value) -> Answer {
    let all: Vec<Value> = s
        .machines()?
        .into_iter()
        .map(|m| json!({"stateMachineArn": m.arn, "name": m.name, "type": m.kind, "creationDate": seconds(m.created_ms)}))
        .collect();
    page(req, all, "stateMachines")
}

fn validate(req: &Value) -> Answer {
    let definition = required(req, "definition")?;
    let machine_type = match optional(req, "type") {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    let severity = match optional(req, "severity") {
        Some("WARNING") => Severity::Warning,
        _ => Severity::Error,
    };
    let report = asl::validate_state_machine_definition(
        definition,
        &ValidateRequest {
            machine_type,
            severity,
            max_results: req["maxResults"].as_u64().unwrap_or(0) as u32,
        },
    );
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut v = json!({"severity": d.severity.as_str(), "code": d.code.as_str(), "message": d.message});
            if let Some(l) = &d.location {
                v["location"] = l.clone().into();
            }
            v
        })
        .collect();
    Ok(json!({
        "result": if report.result == ValidationResult::Ok { "OK" } else { "FAIL" },
        "diagnostics": diagnostics,
        "truncated": report.truncated,
    }))
}

fn describe_map_run(m: &MapRun) -> Value {
    let counts = |c: &crate::records::MapRunCounts| {
        json!({
            "pending": c.pending, "running": c.running, "succeeded": c.succeeded, "failed": c.failed,
            "timedOut": c.timed_out, "aborted": c.aborted, "total": c.total, "resultsWritten": c.results_written,
            "failuresNotRedrivable": 0, "pendingRedrive": 0,
        })
    };
    let mut out = json!({
        "mapRunArn": m.arn,
        "executionArn": m.execution_arn,
        "status": m.status,
        "startDate": seconds(m.start_ms),
        "maxConcurrency": m.max_concurrency,
        "toleratedFailurePercentage": m.tolerated_failure_percentage,
        "toleratedFailureCount": m.tolerated_failure_count,
        "itemCounts": counts(&m.item_counts),
        "executionCounts": counts(&m.counts),
        "redriveCount": 0,
    });
    if let (Some(t), Value::Object(o)) = (m.stop_ms, &mut out) {
        o.insert("stopDate".into(), seconds(t));
    }
    out
}

fn list_map_runs(s: &StepFunctions, req: &Value) -> Answer {
    let runs = s.map_runs(required(req, "executionArn")?)?;
    let listed: Vec<Value> = runs
        .iter()
        .map(|m| {
            let mut v = json!({
                "executionArn": m.execution_arn, "mapRunArn": m.arn,
                "stateMachineArn": m.state_machine_arn, "startDate": seconds(m.start_ms),
            });
            if let (Some(t), Value::Object(o)) = (m.stop_ms, &mut v) {
                o.insert("stopDate".into(), seconds(t));
            }
            v
        })
        .collect();
    Ok(json!({"mapRuns": listed}))
}

async fn test_state(s: &StepFunctions, req: &Value) -> Answer {
    let level = optional(req, "inspectionLevel").unwrap_or("INFO");
    if !matches!(level, "INFO" | "DEBUG" | "TRACE") {
        return Err(StepFnError::Validation(format!(
            "1 validation error detected: Value '{level}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
        ))
        .into());
    }
    let mock = match req.get("mock") {
        None | Some(Value::Null) => None,
        Some(m) => Some(match (&m["result"], &m["errorOutput"]) {
            (Value::String(r), _) => {
                let v = serde_json::from_str(r)
                    .map_err(|e| StepFnError::Validation(format!("The mock result is not valid JSON: {e}")))?;
                test_state::Mock::Result(v)
            }
            (_, Value::Object(e)) => test_state::Mock::Error(Failure::new(
                e.get("error").and_then(Value::as_str).unwrap_or_default(),
                e.get("cause").and_then(Value::as_str).unwrap_or_default(),
            )),
            _ => {
                return Err(StepFnError::Validation("A mock needs a result or an errorOutput".into()).into());
            }
        }),
    };
    let retries = req["stateConfiguration"]["retrierRetryCount"].as_u64().unwrap_or(0);
    let outcome = s
        .test_state(
            required(req, "definition")?,
            optional(req, "stateName"),
            optional(req, "input"),
            mock,
            retries,
        )
        .await?;
    let mut out = serde_json::Map::new();
    if let Some(o) = &outcome.output {
        out.insert("output".into(), text(o).into());
    }
    if let Some(e) = outcome.error {
        out.insert("error".into(), e.into());
    }
    if let Some(c) = outcome.cause {
        out.insert("cause".into(), c.into());
    }
    if level != "INFO" {
        out.insert("inspectionData".into(), Value::Object(outcome.inspection));
    }
    if let Some(n) = outcome.next_state {
        out.insert("nextState".into(), n.into());
    }
    out.insert("status".into(), outcome.status.into());
    Ok(Value::Object(out))
}

/// An execution's `input`, at most 256 KiB as the API model and the
/// service quota allow. The value is sensitive, so the message leaves it out.
fn execution_input(req: &Value) -> Result<Option<String>, ApiError> {
    match optional(req, "input") {
        Some(input) if input.len() > crate::MAX_PAYLOAD_BYTES => Err(StepFnError::Validation(format!(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to {}",
            crate::MAX_PAYLOAD_BYTES
        ))
        .into()),
        other => Ok(other.map(str::to_owned)),
    }
}

fn start_execution(s: &StepFunctions, req: &Value) -> Answer {
    let e = s.start(
        required(req, "stateMachineArn")?,
        optional(req, "name").map(str::to_owned),
        execution_input(req)?,
    )?;
    Ok(json!({"executionArn": e.arn, "startDate": seconds(e.start_ms)}))
}

async fn start_sync_execution(s: &StepFunctions, req: &Value) -> Answer {
    let e = s
        .start_sync(
            required(req, "stateMachineArn")?,
            optional(req, "name").map(str::to_owned),
            execution_input(req)?,
        )
        .await?;
    let mut out = describe_execution(&e);
    if let Value::Object(m) = &mut out {
        m.remove("redriveCount");
        m.remove("redriveStatus");
        m.insert(
            "billingDetails".into(),
            json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}),
        );
    }
    Ok(out)
}

fn describe_execution(e: &Execution) -> Value {
    let mut out = json!({
        "executionArn": e.arn,
        "stateMachineArn": e.state_machine_arn,
        "name": e.name,
        "status": e.status,
        "startDate": seconds(e.start_ms),
        "input": e.input,
        "inputDetails": {"included": true},
        "redriveCount": e.redrive_count,
        "redriveStatus": if matches!(e.status.as_str(), "FAILED" | "ABORTED" | "TIMED_OUT") { "REDRIVABLE" } else { "NOT_REDRIVABLE" },
    });
    let m = out.as_object_mut().expect("an object literal");
    if let Some(t) = e.stop_ms {
        m.insert("stopDate".into(), seconds(t));
    }
    if let Some(t) = e.redrive_ms {
        m.insert("redriveDate".into(), seconds(t));
    }
    if e.kind == "EXPRESS" || matches!(e.status.as_str(), "RUNNING" | "SUCCEEDED") {
        let reason = format!("Execution is {} and cannot be redriven", e.status);
        m.insert("redriveStatusReason".into(), reason.into());
    }
    if let Some(o) = &e.output {
        m.insert("output".into(), o.clone().into());
        m.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(x) = &e.error {
        m.insert("error".into(), x.clone().into());
    }
    if let Some(x) = &e.cause {
        m.insert("cause".into(), x.clone().into());
    }
    out
}

fn describe_for_execution(s: &StepFunctions, req: &Value) -> Answer {
    let e = s.execution(required(req, "executionArn")?)?;
    let name = e.state_machine_arn.rsplit(':').next().unwrap_or_default();
    let mut out = json!({
        "stateMachineArn": e.state_machine_arn,
        "name": name,
        "definition": e.definition,
        "roleArn": e.role_arn,
        "updateDate": seconds(e.start_ms),
    });
    if let Ok(m) = s.machine(&e.state_machine_arn) {
        out["loggingConfiguration"] = m.logging_configuration;
        out["tracingConfiguration"] = m.tracing_configuration;
        out["updateDate"] = seconds(m.updated_ms.unwrap_or(m.created_ms));
        out["revisionId"] = m.revision_id.into();
    }
    Ok(out)
}

fn list_executions(s: &StepFunctions, req: &Value) -> Answer {
    let status = optional(req, "statusFilter");
    if let Some(st) = status
        && !matches!(
            st,
            "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE"
        )
    {
        return Err(StepFnError::Validation(format!(
            "1 validation error detected: Value '{st}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
        ))
        .into());
    }
    let all: Vec<Value> = s
        .executions(required(req, "stateMachineArn")?, status)?
        .iter()
        .map(|e| {
            let mut v = json!({
                "executionArn": e.arn,
                "stateMachineArn": e.state_machine_arn,
                "name": e.name,
                "status": e.status,
                "startDate": seconds(e.start_ms),
                "redriveCount": e.redrive_count,
            });
            if let Some(t) = e.stop_ms {
                v["stopDate"] = seconds(t);
            }
            v
        })
        .collect();
    page(req, all, "executions")
}

fn history(s: &StepFunctions, req: &Value) -> Answer {
    let arn = required(req, "executionArn")?;
    let include = req["includeExecutionData"].as_bool().unwrap_or(true);
    let mut events: Vec<Value> = s.history(arn)?.iter().map(|e| e.to_wire(include)).collect();
    if req["reverseOrder"].as_bool().unwrap_or(false) {
        events.reverse();
    }
    page(req, events, "events")
}
