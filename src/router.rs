//! The one HTTP router on the one port: health, the services of the kit's
//! [`Registry`] (awsJson by `X-Amz-Target`, restJson1 by route, awsQuery
//! by credential scope), and S3 for everything else.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures::FutureExt;
use http::StatusCode;
use lakestack_aws_protocol::{
    Protocol, Registry, Routed, Service, ServiceError, Target, error_response, json_error, query_error, request_id,
    serve,
};
use lakestack_s3_api::S3Service;

#[derive(Clone)]
pub struct AppState {
    pub s3: S3Service,
    /// Every service but S3, which has an edge of its own (s3s).
    pub services: Registry,
    /// Access key → secret under `--auth strict`; `None` accepts any signature.
    pub keys: Option<lakestack_s3_api::KeyLookup>,
    pub started: Arc<Instant>,
    /// Lambda's packages, served at GetFunction's `Code.Location`.
    pub lake: Arc<crate::lake::LakeCell>,
    /// The server's clock, which `/_lakestack/clock` shows and advances.
    pub clock: lakestack_aws_protocol::Clock,
    /// `--auth strict`: the clock may not be moved by an unsigned request.
    pub strict: bool,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/_lakestack/health", get(health).head(health))
        .route("/_lakestack/lambda/code/{file}", get(lambda_code))
        .route("/_lakestack/sns/messages", get(sns_messages).delete(clear_sns_messages))
        .route("/_lakestack/clock", get(clock).post(advance_clock))
        .route("/_localstack/health", get(health).head(health))
        .fallback(dispatch)
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> Response {
    let mut services = serde_json::Map::new();
    services.insert("s3".into(), "running".into());
    for s in state.services.services() {
        services.insert(s.spec().name.into(), "running".into());
    }
    let body = serde_json::json!({
        "services": services,
        "edition": "lakestack",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_ms": state.started.elapsed().as_millis() as u64,
    });
    ([(http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A function's deployment package, where GetFunction's `Code.Location`
/// points (AWS hands out a presigned S3 URL). Packages are named by their
/// SHA-256, so the name is the only key; only an open Lambda has any.
async fn lambda_code(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let path = file
        .strip_suffix(".zip")
        .and_then(|key| state.lake.lambda()?.package(key));
    let opened = match path {
        Some(p) => tokio::fs::File::open(p).await.ok(),
        None => None,
    };
    match opened {
        // Streamed: a package may be hundreds of MB.
        Some(f) => (
            [(http::header::CONTENT_TYPE, "application/zip")],
            Body::from_stream(tokio_util::io::ReaderStream::new(f)),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such package").into_response(),
    }
}

/// The links SNS writes into messages (SubscribeURL, UnsubscribeURL) are
/// unsigned GETs of `/?Action=...`, which would otherwise be S3's: they go
/// to SNS, which answers them as AWS does.
fn sns_link(services: &Registry, req: &Request) -> Option<Routed> {
    let h = req.headers();
    // Only what a link is: a bodiless GET whose query names one of the two
    // actions. A body would be read as the form instead (any action), and a
    // presigned query would claim a signature this route does not check.
    let bodiless = h.get(http::header::CONTENT_LENGTH).is_none_or(|v| v.as_bytes() == b"0")
        && !h.contains_key(http::header::TRANSFER_ENCODING);
    if !matches!(*req.method(), http::Method::GET | http::Method::HEAD)
        || req.uri().path() != "/"
        || h.contains_key(http::header::AUTHORIZATION)
        || !bodiless
    {
        return None;
    }
    let query: Vec<(String, String)> = form_urlencoded::parse(req.uri().query()?.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if query.iter().any(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Signature")) {
        return None;
    }
    let action = query.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.as_str())?;
    if !matches!(action, "ConfirmSubscription" | "Unsubscribe") {
        return None;
    }
    let sns = services.services().find(|s| s.spec().name == "sns")?;
    Some(Routed::Service(Arc::clone(sns), Protocol::AwsQuery))
}

/// What SNS recorded instead of sending (email, SMS, mobile push, and
/// deliveries it could not make), for tests to assert "the alert was sent";
/// query members narrow it (`topicArn`, `subscriptionArn`, `protocol`,
/// `endpoint`, `after`, `limit`). docs/sns.md describes it.
async fn sns_messages(
    State(state): State<AppState>,
    axum::extract::Query(filter): axum::extract::Query<lakestack_sns::RecordedFilter>,
) -> Response {
    let messages = state.lake.sns().map(|s| s.recorded(&filter)).unwrap_or_default();
    axum::Json(serde_json::json!({ "messages": messages })).into_response()
}

async fn clear_sns_messages(
    State(state): State<AppState>,
    axum::extract::Query(filter): axum::extract::Query<lakestack_sns::RecordedFilter>,
) -> Response {
    let cleared = state.lake.sns().map_or(0, |s| s.clear_recorded(&filter));
    axum::Json(serde_json::json!({ "cleared": cleared })).into_response()
}

/// The server's calendar time and wait scale.
async fn clock(State(state): State<AppState>) -> Response {
    clock_answer(&state.clock)
}

fn clock_answer(clock: &lakestack_aws_protocol::Clock) -> Response {
    let now = clock.now();
    axum::Json(serde_json::json!({
        "now": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "nowMs": now.timestamp_millis(),
        "aheadMs": clock.ahead_ms(),
        "waitTimeScale": clock.scale(),
    }))
    .into_response()
}

/// What `POST /_lakestack/clock` takes: how far to move, or where to.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    /// Seconds to move forward.
    #[serde(rename = "advanceSeconds")]
    seconds: Option<f64>,
    /// A time to move forward to (RFC 3339).
    to: Option<String>,
}

/// Moves the calendar forward (never back): schedules due by then fire, and
/// waits that the jump covers end. docs/clock.md describes it.
async fn advance_clock(State(state): State<AppState>, body: Bytes) -> Response {
    if state.strict {
        return (
            StatusCode::FORBIDDEN,
            "the clock can be moved only under --auth permissive",
        )
            .into_response();
    }
    let bad = |m: String| (StatusCode::BAD_REQUEST, m).into_response();
    let a: Advance = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return bad(format!(
                "expected {{\"advanceSeconds\": n}} or {{\"to\": \"<RFC 3339 time>\"}}: {e}"
            ));
        }
    };
    let before = state.clock.now();
    match (a.seconds, a.to) {
        // Past the year 9999 the clock stops (docs/clock.md).
        (Some(s), None) if s.is_finite() && (0.0..1e12).contains(&s) => {
            state.clock.advance(std::time::Duration::from_secs_f64(s));
        }
        (None, Some(to)) => match chrono::DateTime::parse_from_rfc3339(&to) {
            Ok(t) => {
                if !state.clock.advance_to(t.with_timezone(&chrono::Utc)) {
                    return bad(format!("{to} is in the past: the clock never goes back"));
                }
            }
            Err(e) => return bad(format!("{to:?} is not an RFC 3339 time: {e}")),
        },
        _ => return bad("give one of advanceSeconds (a number of seconds, 0 or more) and to".into()),
    }
    let by = (state.clock.now() - before).to_std().unwrap_or_default();
    tracing::info!(target: "lakestack::clock", seconds = by.as_secs_f64(), "clock advanced");
    clock_answer(&state.clock)
}

fn to_axum(resp: http::Response<Bytes>) -> Response {
    resp.map(Body::from)
}

async fn dispatch(State(state): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let empty_expect = expects_continue_without_body(&req);
    // SNS's links carry their own proof (the token), so they are served unsigned in strict mode too.
    let link = sns_link(&state.services, &req);
    let unsigned = link.is_some();
    let routed = link.unwrap_or_else(|| state.services.route_headers(req.headers(), req.uri().path()));
    let shape = ErrorShape::of(&routed, req.headers());
    let (op, mut resp) = guarded(shape, route(state, routed, req, unsigned)).await;
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

async fn route(state: AppState, routed: Routed, req: Request, unsigned: bool) -> (String, Response) {
    match routed {
        Routed::Service(service, protocol) => {
            let keys = state.keys.clone();
            let lookup = move |k: &str| keys.as_ref().and_then(|f| f(k));
            let secrets = (state.keys.is_some() && !unsigned).then_some(&lookup as _);
            let (op, resp) = serve(service.as_ref(), protocol, req, secrets).await;
            (op, to_axum(resp))
        }
        Routed::UnknownTarget => {
            let rid = request_id();
            let target = req
                .headers()
                .get("x-amz-target")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
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
            let msg = format!(
                "lakestack does not implement the {} service yet (operation {})",
                t.service(),
                t.operation
            );
            let op = format!("{}:{}", t.service(), t.operation);
            (
                op,
                to_axum(json_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", &msg, &rid)),
            )
        }
        Routed::UnknownQueryService(service) => {
            // Query-protocol services (STS, IAM, SQS-query) put the operation in `Action`.
            let rid = request_id();
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let action = form_value(parts.uri.query().unwrap_or_default(), "Action")
                .or_else(|| form_value(std::str::from_utf8(&body).unwrap_or_default(), "Action"))
                .unwrap_or_else(|| "unknown".to_owned());
            let msg = format!("lakestack does not implement the {service} service yet (operation {action})");
            let op = format!("{service}:{action}");
            (
                op,
                to_axum(query_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", &msg, &rid)),
            )
        }
        Routed::S3 => {
            let op = format!("s3:{}", state.s3.operation_of(&req));
            let req = req.map(s3s::Body::http_body_unsync);
            let resp = state.s3.handle(req).await;
            (op, resp.map(Body::new))
        }
    }
}

/// Whose error shape a request gets if its handler panics: the service it
/// is routed to, in the protocol it was routed in.
#[derive(Clone)]
enum ErrorShape {
    S3,
    Service(Arc<dyn Service>, Protocol, http::HeaderMap),
    /// An awsJson service lakestack does not implement.
    OtherJson,
    /// A query-protocol service lakestack does not implement.
    Query,
}

impl ErrorShape {
    fn of(routed: &Routed, headers: &http::HeaderMap) -> Self {
        match routed {
            Routed::Service(s, p) => Self::Service(Arc::clone(s), *p, headers.clone()),
            Routed::UnknownTarget => Self::OtherJson,
            Routed::UnknownQueryService(_) => Self::Query,
            Routed::S3 => Self::S3,
        }
    }

    fn service(&self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Service(s, ..) => s.spec().signing_name,
            Self::OtherJson => "json",
            Self::Query => "query",
        }
    }

    /// The 500 each service answers for a failure of its own: S3's
    /// `InternalError`, a registered service's own (its spec names it),
    /// and AWS's common `InternalFailure` otherwise.
    fn internal_error(&self) -> Response {
        let rid = request_id();
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        let failure = ServiceError::new(
            "InternalFailure",
            status,
            "The request processing has failed because of an unknown error, exception or failure.",
        );
        to_axum(match self {
            Self::S3 => return s3_internal_error(&rid),
            Self::Service(s, protocol, headers) => {
                error_response(s.as_ref(), *protocol, headers, &s.spec().internal_error())
            }
            Self::OtherJson => json_error(status, &failure.code, &failure.message, &rid),
            Self::Query => query_error(status, &failure.code, &failure.message, &rid),
        })
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
    use lakestack_aws_protocol::{Call, Output, ServiceSpec};

    /// A service with a real service's spec, for routing and error shapes.
    struct Like(&'static ServiceSpec);

    #[async_trait::async_trait]
    impl Service for Like {
        fn spec(&self) -> &'static ServiceSpec {
            self.0
        }

        async fn call(&self, _: Call) -> Result<Output, ServiceError> {
            Ok(Output::empty_members())
        }
    }

    fn registry() -> Registry {
        Registry::new()
            .register(Arc::new(Like(&lakestack_catalog::GLUE_SPEC)))
            .register(Arc::new(Like(&lakestack_query::ATHENA_SPEC)))
            .register(Arc::new(Like(&lakestack_stepfn::STATES_SPEC)))
    }

    async fn handler_with_a_bug() -> (String, Response) {
        panic!("a handler bug")
    }

    fn shape(target: Option<&str>, auth: Option<&str>) -> ErrorShape {
        let mut h = http::HeaderMap::new();
        if let Some(t) = target {
            h.insert("x-amz-target", t.parse().unwrap());
        }
        if let Some(a) = auth {
            h.insert("authorization", a.parse().unwrap());
        }
        ErrorShape::of(&registry().route_headers(&h, "/"), &h)
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

    fn scope(svc: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/{svc}/aws4_request, SignedHeaders=host, Signature=00"
        )
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_its_services_internal_error() {
        for (target, service, code, content_type) in [
            (
                "AWSGlue.GetTable",
                "glue",
                "InternalServiceException",
                "application/x-amz-json-1.1",
            ),
            (
                "AmazonAthena.StartQueryExecution",
                "athena",
                "InternalServerException",
                "application/x-amz-json-1.1",
            ),
            (
                "AWSStepFunctions.StartExecution",
                "states",
                "InternalFailure",
                "application/x-amz-json-1.0",
            ),
            (
                "DynamoDB_20120810.PutItem",
                "json",
                "InternalFailure",
                "application/x-amz-json-1.1",
            ),
        ] {
            let (op, status, headers, body) = answer(shape(Some(target), None)).await;
            assert_eq!(op, format!("{service}:panicked"));
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(headers["content-type"], content_type, "{target}");
            assert_eq!(headers["x-amzn-errortype"], code);
            assert!(headers.contains_key("x-amzn-requestid"));
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["__type"], code);
            assert!(!v["message"].as_str().unwrap().is_empty());
        }

        let (op, status, headers, body) = answer(shape(None, None)).await;
        assert_eq!(op, "s3:panicked");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers["content-type"], "application/xml");
        let rid = headers["x-amz-request-id"].to_str().unwrap();
        assert_eq!(rid.len(), 16);
        assert!(body.contains(
            "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>"
        ));
        assert!(body.contains(&format!("<RequestId>{rid}</RequestId>")), "{body}");

        let (_, status, headers, body) = answer(shape(None, Some(&scope("sts")))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers["content-type"], "text/xml");
        assert!(body.contains("<Code>InternalFailure</Code>"), "{body}");
    }

    #[tokio::test]
    async fn a_handler_that_returns_is_untouched() {
        let (op, resp) = guarded(ErrorShape::S3, async {
            ("glue:GetDatabases".to_owned(), Response::new(Body::from("{}")))
        })
        .await;
        assert_eq!(op, "glue:GetDatabases");
        assert_eq!(resp.status(), StatusCode::OK);
    }

    #[test]
    fn requests_route_to_the_service_that_declares_them() {
        let name = |s: ErrorShape| s.service();
        assert_eq!(name(shape(Some("AWSGlue.GetTable"), None)), "glue");
        assert_eq!(name(shape(Some("AmazonAthena.StartQueryExecution"), None)), "athena");
        assert_eq!(name(shape(Some("AWSStepFunctions.StartExecution"), None)), "states");
        assert_eq!(name(shape(Some("DynamoDB_20120810.PutItem"), None)), "json");
        assert_eq!(name(shape(None, Some(&scope("sts")))), "query");
        assert_eq!(name(shape(None, Some(&scope("s3")))), "s3");
        assert_eq!(name(shape(None, None)), "s3");
    }
}
