//! The Lambda Runtime API one process talks to: `invocation/next` hands it
//! the next event, `invocation/{id}/response` and `/error` end that
//! invocation, `init/error` reports a handler that could not be loaded.
//! Each process gets its own listener on the loopback interface, so a
//! request's connection says which process made it: the API has no other
//! way to name the caller, and some runtime clients drop any path prefix
//! given in `AWS_LAMBDA_RUNTIME_API`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use tokio::sync::{mpsc, oneshot};

/// AWS's limit on a synchronous response, 6 MB as Lambda counts it.
pub const RESPONSE_LIMIT: usize = 6_291_556;
/// Error bodies a runtime posts; AWS documents none, this bounds memory.
pub const ERROR_LIMIT: usize = 1 << 20;

const PREFIX: &str = "/2018-06-01/runtime/";

/// One event on its way to a process, and who waits for its outcome.
#[derive(Debug)]
pub struct Invocation {
    pub event: Event,
    pub done: oneshot::Sender<Outcome>,
}

/// What `invocation/next` hands the process.
#[derive(Debug)]
pub struct Event {
    pub request_id: String,
    pub payload: Bytes,
    /// Epoch milliseconds.
    pub deadline_ms: u64,
    pub function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
}

/// How an invocation ended, as the process reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(Bytes),
    /// `/error`: the body as posted.
    Error(Bytes),
    /// A response over [`RESPONSE_LIMIT`].
    TooLarge,
    /// The response could not be read (the connection broke).
    Unreadable,
    /// `init/error` before the event was taken: the body as posted.
    InitError(Bytes),
    /// The process ended: how, as Lambda words it (`exit status 1`,
    /// `signal: killed`), or `None` for a clean exit, which gives no reason.
    Exited(Option<String>),
}

/// The invocation a process holds and whether the process is gone, kept
/// under one lock so an invocation is never handed to a process that is
/// ending without being ended with it.
#[derive(Default)]
struct State {
    current: Option<(String, oneshot::Sender<Outcome>)>,
    /// How the process ended; every later invocation ends the same way.
    closed: Option<Outcome>,
}

/// What a process's API shares with the rest of its instance.
pub struct Shared {
    inbox: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    outbox: mpsc::Sender<Invocation>,
    state: Mutex<State>,
    /// When the process first asked for an event: the end of its init.
    ready: Mutex<Option<Instant>>,
}

impl Shared {
    pub fn new() -> Arc<Self> {
        // One at a time: a process serves one invocation, and its lease
        // says no one else sends to it meanwhile.
        let (outbox, inbox) = mpsc::channel(1);
        Arc::new(Self {
            inbox: tokio::sync::Mutex::new(inbox),
            outbox,
            state: Mutex::new(State::default()),
            ready: Mutex::new(None),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn ready_at(&self) -> Option<Instant> {
        *self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How the process ended, if it has.
    pub fn closed(&self) -> Option<Outcome> {
        self.state().closed.clone()
    }

    /// Hands an invocation to the process; one that has ended ends the
    /// invocation as it ended.
    pub fn dispatch(&self, inv: Invocation) {
        let state = self.state();
        if let Some(o) = &state.closed {
            let _ = inv.done.send(o.clone());
            return;
        }
        if let Err(e) = self.outbox.try_send(inv) {
            let inv = match e {
                mpsc::error::TrySendError::Full(i) | mpsc::error::TrySendError::Closed(i) => i,
            };
            let _ = inv.done.send(Outcome::Exited(None));
        }
    }

    /// Ends the invocation in progress, and every one still waiting, as
    /// the process ended; later ones end the same way.
    pub fn fail_all(&self, outcome: Outcome) {
        let mut state = self.state();
        if state.closed.is_some() {
            return;
        }
        state.closed = Some(outcome.clone());
        if let Some((_, done)) = state.current.take() {
            let _ = done.send(outcome.clone());
        }
        // A `next` waiting on the inbox holds it; it then finds `closed`.
        if let Ok(mut inbox) = self.inbox.try_lock() {
            while let Ok(inv) = inbox.try_recv() {
                let _ = inv.done.send(outcome.clone());
            }
        }
    }

    fn finish(&self, request_id: &str, outcome: Outcome) -> bool {
        let mut state = self.state();
        match state.current.take() {
            Some((id, done)) if id == request_id => {
                let _ = done.send(outcome);
                true
            }
            other => {
                state.current = other;
                false
            }
        }
    }

    /// Makes `inv` the invocation in progress, unless the process has
    /// ended; the event to hand the process.
    fn take(&self, inv: Invocation) -> Option<Event> {
        let mut state = self.state();
        if let Some(o) = &state.closed {
            let _ = inv.done.send(o.clone());
            return None;
        }
        state.current = Some((inv.event.request_id.clone(), inv.done));
        Some(inv.event)
    }
}

/// Serves the Runtime API for one process on an ephemeral loopback port
/// until the returned task is aborted.
pub async fn serve(shared: Arc<Shared>) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((tcp, _)) = listener.accept().await else { break };
            let _ = tcp.set_nodelay(true);
            let shared = Arc::clone(&shared);
            connections.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let shared = Arc::clone(&shared);
                    async move { Ok::<_, Infallible>(handle(&shared, req).await) }
                });
                let io = hyper_util::rt::TokioIo::new(tcp);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
            // Reap finished connections so a chatty process cannot grow the set.
            while connections.try_join_next().is_some() {}
        }
    });
    Ok((addr, task))
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn accepted() -> Response<Full<Bytes>> {
    json(StatusCode::ACCEPTED, &serde_json::json!({"status": "OK"}))
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response<Full<Bytes>> {
    json(status, &serde_json::json!({"errorMessage": message, "errorType": kind}))
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return error(StatusCode::NOT_FOUND, "InvalidRequest", "Unknown path");
    };
    match (req.method().clone(), rest.split('/').collect::<Vec<_>>().as_slice()) {
        (Method::GET, ["invocation", "next"]) => next(shared).await,
        (Method::POST, ["invocation", id, "response"]) => {
            let id = (*id).to_owned();
            match read(req, RESPONSE_LIMIT).await {
                Read::Body(body) => {
                    if shared.finish(&id, Outcome::Response(body)) {
                        accepted()
                    } else {
                        invalid_id()
                    }
                }
                Read::TooLarge => {
                    shared.finish(&id, Outcome::TooLarge);
                    error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "RequestEntityTooLarge",
                        &format!("Exceeded maximum allowed payload size ({RESPONSE_LIMIT} bytes)."),
                    )
                }
                Read::Broken => {
                    shared.finish(&id, Outcome::Unreadable);
                    error(StatusCode::BAD_REQUEST, "InvalidRequest", "The body could not be read")
                }
            }
        }
        (Method::POST, ["invocation", id, "error"]) => {
            let id = (*id).to_owned();
            let body = read(req, ERROR_LIMIT).await.body_or_cut();
            if shared.finish(&id, Outcome::Error(body)) {
                accepted()
            } else {
                invalid_id()
            }
        }
        (Method::POST, ["init", "error"]) => {
            let body = read(req, ERROR_LIMIT).await.body_or_cut();
            shared.fail_all(Outcome::InitError(body));
            accepted()
        }
        _ => error(StatusCode::NOT_FOUND, "InvalidRequest", "Unknown path"),
    }
}

fn invalid_id() -> Response<Full<Bytes>> {
    error(StatusCode::BAD_REQUEST, "InvalidRequestID", "Invalid request ID")
}

enum Read {
    Body(Bytes),
    TooLarge,
    Broken,
}

impl Read {
    /// An error body, or AWS's words for one too large to keep.
    fn body_or_cut(self) -> Bytes {
        match self {
            Read::Body(b) => b,
            Read::TooLarge => Bytes::from(
                serde_json::json!({"errorType": "Runtime.ErrorTooLarge", "errorMessage": format!("The error the function reported is larger than {ERROR_LIMIT} bytes")})
                    .to_string(),
            ),
            Read::Broken => Bytes::new(),
        }
    }
}

async fn read(req: Request<Incoming>, limit: usize) -> Read {
    match Limited::new(req.into_body(), limit).collect().await {
        Ok(c) => Read::Body(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Read::TooLarge,
        Err(_) => Read::Broken,
    }
}

async fn next(shared: &Shared) -> Response<Full<Bytes>> {
    {
        let mut ready = shared.ready.lock().unwrap_or_else(PoisonError::into_inner);
        ready.get_or_insert_with(Instant::now);
    }
    let inv = {
        let mut inbox = shared.inbox.lock().await;
        inbox.recv().await
    };
    let Some(inv) = inv.and_then(|i| shared.take(i)) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            "The instance is stopping",
        );
    };
    let mut r = Response::new(Full::new(inv.payload));
    let h = r.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set("lambda-runtime-aws-request-id", &inv.request_id);
    set("lambda-runtime-deadline-ms", &inv.deadline_ms.to_string());
    set("lambda-runtime-invoked-function-arn", &inv.function_arn);
    set("lambda-runtime-trace-id", &inv.trace_id);
    if let Some(cc) = &inv.client_context {
        set("lambda-runtime-client-context", cc);
    }
    set("content-type", "application/json");
    r
}
