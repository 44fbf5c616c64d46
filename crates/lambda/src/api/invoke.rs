//! Invoke (RequestResponse, Event, DryRun) and the legacy InvokeAsync.

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;
use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Call, Output, ServiceError};

use super::{SPEC, target};
use crate::asynq::{self, Queued};
use crate::error::LambdaError;
use crate::invoke::{Request, tail};
use crate::service::{Lambda, Target};

/// AWS's payload limits: 6 MB for a synchronous call, 1 MB queued.
pub const SYNC_LIMIT: usize = 6_291_456;
pub const ASYNC_LIMIT: usize = 1_048_576;
/// The decoded client context a caller may pass.
const CLIENT_CONTEXT_LIMIT: usize = 3583;

/// Checks a payload's size and syntax; an empty one is `{}` as the SDKs
/// send "no payload".
fn payload(body: &Bytes, limit: usize, operation: &str) -> Result<Bytes, ServiceError> {
    if body.len() > limit {
        return Err(LambdaError::RequestTooLarge(format!(
            "Request must be smaller than {limit} bytes for the {operation} operation"
        ))
        .into());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Bytes::from_static(b"{}"));
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        return Err(LambdaError::InvalidRequestContent(format!(
            "Could not parse request body into json: Could not parse payload into json: {e}"
        ))
        .into());
    }
    Ok(body.clone())
}

pub async fn invoke(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let kind = call.header("x-amz-invocation-type").unwrap_or("RequestResponse");
    const KINDS: &[&str] = &["Event", "RequestResponse", "DryRun"];
    if !KINDS.contains(&kind) {
        return Err(SPEC.violation(Violation::one_of("invocationType", kind, KINDS)));
    }
    let log_type = call.header("x-amz-log-type").unwrap_or("None");
    const LOG_TYPES: &[&str] = &["None", "Tail"];
    if !LOG_TYPES.contains(&log_type) {
        return Err(SPEC.violation(Violation::one_of("logType", log_type, LOG_TYPES)));
    }
    let client_context = match call.header("x-amz-client-context") {
        Some(cc) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(cc)
                .map_err(|_| LambdaError::invalid("Client context must be a valid Base64-encoded JSON object."))?;
            if decoded.len() > CLIENT_CONTEXT_LIMIT {
                return Err(LambdaError::invalid(format!(
                    "Client context must be shorter than {CLIENT_CONTEXT_LIMIT} bytes."
                ))
                .into());
            }
            // Runtimes parse it as the context's `client_context`: it must be JSON.
            if serde_json::from_slice::<serde::de::IgnoredAny>(&decoded).is_err() {
                return Err(LambdaError::invalid("Client context must be a valid Base64-encoded JSON object.").into());
            }
            Some(String::from_utf8_lossy(&decoded).into_owned())
        }
        None => None,
    };
    let f = s.resolve_for_invoke(&t)?;
    match kind {
        "DryRun" => Ok(Output::no_content().with_header("x-amz-executed-version", &f.version)),
        "Event" => {
            let body = payload(&call.body, ASYNC_LIMIT, "InvokeAsync")?;
            queue(s, &t, &call.request_id, body)?;
            Ok(Output::no_content()
                .with_status(StatusCode::ACCEPTED)
                .with_header("x-amz-executed-version", &f.version))
        }
        _ => {
            let body = payload(&call.body, SYNC_LIMIT, "InvokeFunction")?;
            let r = s
                .invoke(
                    &f,
                    Request {
                        request_id: call.request_id.clone(),
                        payload: body,
                        client_context,
                        invoked_arn: s.arn_of(&t),
                    },
                )
                .await?;
            let mut out =
                Output::raw(r.payload, "application/json").with_header("x-amz-executed-version", &r.executed_version);
            if let Some(e) = r.function_error {
                out = out.with_header("x-amz-function-error", e);
            }
            if log_type == "Tail" {
                let encoded = base64::engine::general_purpose::STANDARD.encode(tail(&r.log));
                out = out.with_header("x-amz-log-result", &encoded);
            }
            Ok(out)
        }
    }
}

/// Queues an asynchronous invocation under the request's id.
fn queue(s: &Arc<Lambda>, t: &Target, request_id: &str, body: Bytes) -> Result<(), ServiceError> {
    asynq::enqueue(s, &Queued::new(s, t, request_id.to_owned(), &body))?;
    Ok(())
}

/// The deprecated InvokeAsync: the body is the event; 202 `{"Status": 202}`.
pub fn invoke_async(s: &Arc<Lambda>, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let body = payload(&call.body, ASYNC_LIMIT, "InvokeAsync")?;
    queue(s, &t, &call.request_id, body)?;
    Ok(Output::members(serde_json::json!({"Status": 202})).with_status(StatusCode::ACCEPTED))
}
