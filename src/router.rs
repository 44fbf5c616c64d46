//! The one HTTP router on the one port: health, awsJson services by
//! `X-Amz-Target`, query-protocol services by credential scope, and S3 for
//! everything else.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures::FutureExt;
use http::StatusCode;
use lakestack_aws_protocol::{Target, credential_service, json_error, query_error, request_id, sigv4};
use lakestack_catalog::GlueService;
use lakestack_query::AthenaService;
use lakestack_s3_api::S3Service;
use lakestack_stepfn::StepFunctionsApi;

/// awsJson request bodies larger than this are refused (Glue's largest, a
/// BatchCreatePartition of 100 partitions, stays far below it).
const JSON_BODY_LIMIT: usize = 32 << 20;

/// Which services this build serves; reported by the health endpoint.
const SERVICES: [(&str, &str); 4] = [
    ("s3", "running"),
    ("glue", "running"),
    ("athena", "running"),
    ("stepfunctions", "running"),
];

#[derive(Clone)]
pub struct AppState {
    pub s3: S3Service,
    pub glue: GlueService,
    pub athena: AthenaService,
    pub states: StepFunctionsApi,
    /// Access key → secret under `--auth strict`; `None` accepts any signature.
    pub json_keys: Option<Arc<HashMap<String, String>>>,
    pub started: Arc<Instant>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/_lakestack/health", get(health).head(health))
        .route("/_localstack/health", get(health).head(health))
        .fallback(dispatch)
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> Response {
    let services: serde_json::Map<String, serde_json::Value> = SERVICES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    let body = serde_json::json!({
        "services": services,
        "edition": "lakestack",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_ms": state.started.elapsed().as_millis() as u64,
    });
    ([(http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn to_axum(resp: http::Response<Bytes>) -> Response {
    resp.map(Body::from)
}

async fn dispatch(State(state): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let empty_expect = expects_continue_without_body(&req);
    let shape = ErrorShape::of(&req);
    let (op, mut resp) = guarded(shape, route(state, req)).await;
    if empty_expect {
        // botocore, asked for `Expect: 100-continue` with an empty body, takes
        // the final answer as the 100 it waited for and then misreads the next
        // response on the same connection. S3 always sends the 100; hyper
        // cannot for an empty body, so we close the connection instead.
        resp.headers_mut()
            .insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
    }
    tracing::info!(
        target: "lakestack::request",
        %method,
        path = %path,
        operation = %op,
        status = resp.status().as_u16(),
        ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
    );
    resp
}

async fn route(state: AppState, req: Request) -> (String, Response) {
    if let Some(target) = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    {
        let rid = request_id();
        let Some(t) = Target::parse(&target) else {
            let msg = format!("X-Amz-Target {target:?} is not of the form Service.Operation");
            return (
                target,
                to_axum(json_error(
                    StatusCode::BAD_REQUEST,
                    "UnknownOperationException",
                    &msg,
                    &rid,
                )),
            );
        };
        if matches!(t.prefix, "AWSGlue" | "AmazonAthena" | "AWSStepFunctions") {
            let op = format!("{}:{}", t.service(), t.operation);
            let operation = t.operation.to_owned();
            let (parts, body) = req.into_parts();
            let body = match axum::body::to_bytes(body, JSON_BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return (
                        op,
                        to_axum(json_error(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "SerializationException",
                            "The request body is too large or could not be read",
                            &rid,
                        )),
                    );
                }
            };
            if let Some(keys) = &state.json_keys
                && let Err(e) = sigv4::verify(&parts, &body, |k| keys.get(k).cloned(), SystemTime::now())
            {
                return (op, to_axum(json_error(StatusCode::FORBIDDEN, e.code, &e.message, &rid)));
            }
            let resp = match t.prefix {
                "AWSGlue" => state.glue.handle(&operation, body).await,
                "AmazonAthena" => state.athena.handle(&operation, body).await,
                _ => state.states.handle(&operation, body).await,
            };
            return (op, to_axum(resp));
        }
        let msg = format!(
            "lakestack does not implement the {} service yet (operation {})",
            t.service(),
            t.operation
        );
        let op = format!("{}:{}", t.service(), t.operation);
        return (
            op,
            to_axum(json_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", &msg, &rid)),
        );
    }
    let scope = credential_service(req.headers());
    if let Some(service) = scope.filter(|s| s != "s3" && s != "s3express") {
        // Query-protocol services (STS, IAM, SQS-query) put the operation in `Action`.
        let rid = request_id();
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
        let action = form_value(parts.uri.query().unwrap_or_default(), "Action")
            .or_else(|| form_value(std::str::from_utf8(&body).unwrap_or_default(), "Action"))
            .unwrap_or_else(|| "unknown".to_owned());
        let msg = format!("lakestack does not implement the {service} service yet (operation {action})");
        let op = format!("{service}:{action}");
        return (
            op,
            to_axum(query_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", &msg, &rid)),
        );
    }
    let op = format!("s3:{}", state.s3.operation_of(&req));
    let req = req.map(s3s::Body::http_body_unsync);
    let resp = state.s3.handle(req).await;
    (op, resp.map(Body::new))
}

/// Whose error shape a request gets if its handler panics: the service it is
/// routed to, decided the way `route` decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorShape {
    S3,
    Glue,
    Athena,
    StepFunctions,
    /// An awsJson service lakestack does not implement.
    OtherJson,
    /// A query-protocol service lakestack does not implement.
    Query,
}

impl ErrorShape {
    fn of(req: &Request) -> Self {
        if let Some(target) = req.headers().get("x-amz-target") {
            let prefix = target.to_str().ok().and_then(Target::parse).map(|t| t.prefix);
            return match prefix {
                Some("AWSGlue") => Self::Glue,
                Some("AmazonAthena") => Self::Athena,
                Some("AWSStepFunctions") => Self::StepFunctions,
                _ => Self::OtherJson,
            };
        }
        match credential_service(req.headers()) {
            Some(s) if s != "s3" && s != "s3express" => Self::Query,
            _ => Self::S3,
        }
    }

    fn service(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Glue => "glue",
            Self::Athena => "athena",
            Self::StepFunctions => "states",
            Self::OtherJson => "json",
            Self::Query => "query",
        }
    }

    /// The 500 each service answers for a failure of its own: S3's
    /// `InternalError`, the internal-error shape of Glue's and Athena's API
    /// models, and for Step Functions (whose model has none) AWS's common
    /// `InternalFailure`.
    fn internal_error(self) -> Response {
        let rid = request_id();
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        let (code, message) = match self {
            Self::S3 => return s3_internal_error(&rid),
            Self::Glue => ("InternalServiceException", "An internal service error occurred."),
            Self::Athena => (
                "InternalServerException",
                "An internal error occurred. Please try again.",
            ),
            Self::StepFunctions | Self::OtherJson | Self::Query => (
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
            ),
        };
        let mut resp = match self {
            Self::Query => query_error(status, code, message, &rid),
            _ => json_error(status, code, message, &rid),
        };
        if self == Self::StepFunctions {
            // Step Functions speaks awsJson 1.0; json_error writes 1.1.
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/x-amz-json-1.0"),
            );
        }
        to_axum(resp)
    }
}

fn s3_internal_error(rid: &str) -> Response {
    // S3 request ids are 16 upper-case hex digits; the host id is opaque.
    let s3_request_id = rid.replace('-', "")[..16].to_ascii_uppercase();
    let host_id = request_id().replace('-', "");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>{s3_request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    );
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    for (name, value) in [("x-amz-request-id", &s3_request_id), ("x-amz-id-2", &host_id)] {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    }
    resp
}

/// Runs a routed request; a panic in it (a bug: handlers answer errors, they
/// do not panic) becomes the service's own 500 instead of a dropped
/// connection, and is logged. Only the handler's future is covered: a panic
/// in a task it spawned reaches it as a `JoinError`, and one while a
/// response body streams ends that stream.
async fn guarded(shape: ErrorShape, work: impl Future<Output = (String, Response)>) -> (String, Response) {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(done) => done,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic without a message");
            tracing::error!(
                service = shape.service(),
                panic = what,
                "a handler panicked; answering 500"
            );
            (format!("{}:panicked", shape.service()), shape.internal_error())
        }
    }
}

fn expects_continue_without_body(req: &Request) -> bool {
    let h = req.headers();
    h.get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
        && h.get(http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
}

fn form_value(s: &str, key: &str) -> Option<String> {
    s.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn handler_with_a_bug() -> (String, Response) {
        panic!("a handler bug")
    }

    async fn answer(shape: ErrorShape) -> (String, StatusCode, http::HeaderMap, String) {
        let (op, resp) = guarded(shape, handler_with_a_bug()).await;
        let (parts, body) = resp.into_parts();
        let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (
            op,
            parts.status,
            parts.headers,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_its_services_internal_error() {
        for (shape, code, content_type) in [
            (
                ErrorShape::Glue,
                "InternalServiceException",
                "application/x-amz-json-1.1",
            ),
            (
                ErrorShape::Athena,
                "InternalServerException",
                "application/x-amz-json-1.1",
            ),
            (
                ErrorShape::StepFunctions,
                "InternalFailure",
                "application/x-amz-json-1.0",
            ),
            (ErrorShape::OtherJson, "InternalFailure", "application/x-amz-json-1.1"),
        ] {
            let (op, status, headers, body) = answer(shape).await;
            assert_eq!(op, format!("{}:panicked", shape.service()));
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(headers["content-type"], content_type, "{shape:?}");
            assert_eq!(headers["x-amzn-errortype"], code);
            assert!(headers.contains_key("x-amzn-requestid"));
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["__type"], code);
            assert!(!v["message"].as_str().unwrap().is_empty());
        }

        let (op, status, headers, body) = answer(ErrorShape::S3).await;
        assert_eq!(op, "s3:panicked");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers["content-type"], "application/xml");
        let rid = headers["x-amz-request-id"].to_str().unwrap();
        assert_eq!(rid.len(), 16);
        assert!(body.contains(
            "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>"
        ));
        assert!(body.contains(&format!("<RequestId>{rid}</RequestId>")), "{body}");

        let (_, status, headers, body) = answer(ErrorShape::Query).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers["content-type"], "text/xml");
        assert!(body.contains("<Code>InternalFailure</Code>"), "{body}");
    }

    #[tokio::test]
    async fn a_handler_that_returns_is_untouched() {
        let (op, resp) = guarded(ErrorShape::Glue, async {
            ("glue:GetDatabases".to_owned(), Response::new(Body::from("{}")))
        })
        .await;
        assert_eq!(op, "glue:GetDatabases");
        assert_eq!(resp.status(), StatusCode::OK);
    }

    #[test]
    fn requests_are_shaped_by_the_service_they_route_to() {
        let req = |target: Option<&str>, auth: Option<&str>| {
            let mut b = http::Request::builder().method("POST").uri("/");
            if let Some(t) = target {
                b = b.header("x-amz-target", t);
            }
            if let Some(a) = auth {
                b = b.header("authorization", a);
            }
            b.body(Body::empty()).unwrap()
        };
        let scope = |svc: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/{svc}/aws4_request, SignedHeaders=host, Signature=00"
            )
        };
        assert_eq!(ErrorShape::of(&req(Some("AWSGlue.GetTable"), None)), ErrorShape::Glue);
        assert_eq!(
            ErrorShape::of(&req(Some("AmazonAthena.StartQueryExecution"), None)),
            ErrorShape::Athena
        );
        assert_eq!(
            ErrorShape::of(&req(Some("AWSStepFunctions.StartExecution"), None)),
            ErrorShape::StepFunctions
        );
        assert_eq!(
            ErrorShape::of(&req(Some("DynamoDB_20120810.PutItem"), None)),
            ErrorShape::OtherJson
        );
        assert_eq!(ErrorShape::of(&req(None, Some(&scope("sts")))), ErrorShape::Query);
        assert_eq!(ErrorShape::of(&req(None, Some(&scope("s3")))), ErrorShape::S3);
        assert_eq!(ErrorShape::of(&req(None, None)), ErrorShape::S3);
    }
}
