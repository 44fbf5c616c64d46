//! One synchronous invocation on a warm or new process: the START, END and
//! REPORT lines Lambda writes around the function's own output, the
//! timeout, and the payload each way an invocation can end takes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;
use tokio::sync::oneshot;

use crate::logs::{LogWriter, now_ms};
use crate::model::Function;
use crate::runtime::api::{Event, Invocation, Outcome};
use crate::runtime::pool::{Acquire, Pool};

/// AWS gives a function's init this long before it counts as failed.
const INIT_LIMIT: Duration = Duration::from_secs(10);
/// `LogType=Tail` returns this much of the end of the log.
pub const TAIL_BYTES: usize = 4096;
/// How long an ended invocation waits for the output its process wrote
/// before reporting: a process that never stops writing cannot hold it.
const DRAIN_LIMIT: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct Request {
    pub request_id: String,
    pub payload: Bytes,
    pub client_context: Option<String>,
    /// The ARN the caller invoked, qualifier and all.
    pub invoked_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub payload: Bytes,
    /// `Unhandled` when the function failed.
    pub function_error: Option<&'static str>,
    /// The invocation's log, START to REPORT (the last 8 KB of its output).
    pub log: String,
    pub executed_version: String,
}

pub enum Ran {
    Done(Response),
    /// Reserved concurrency is exhausted.
    Throttled,
}

/// How the wait for an outcome ended.
enum Ended {
    Outcome(Outcome),
    TimedOut,
}

pub async fn run(pool: &Pool, f: &Function, writer: &LogWriter, req: Request) -> Ran {
    let lease = match pool.acquire(writer).await {
        Acquire::Got(l) => l,
        Acquire::Throttled => return Ran::Throttled,
        Acquire::Failed(reason) => {
            let message = format!("RequestId: {} Error: {reason}", req.request_id);
            return Ran::Done(unhandled(
                json!({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}),
                format!("{message}\nRuntime.InvalidEntrypoint\n"),
                f,
            ));
        }
    };
    let inst = Arc::clone(&lease.instance);
    let (group, stream) = (&inst.log_group, &inst.log_stream);
    let id = req.request_id.clone();
    let mut log = String::new();
    let line = |log: &mut String, text: String| {
        log.push_str(&text);
        log.push('\n');
        text
    };
    if lease.cold {
        let t = line(
            &mut log,
            format!(
                "INIT_START Runtime Version: {}.lakestack",
                f.runtime.replace("python", "python:").replace("nodejs", "nodejs:")
            ),
        );
        writer.push(group, stream, now_ms(), t).await;
    }
    let start = line(&mut log, format!("START RequestId: {id} Version: {}", f.version));
    writer.push(group, stream, now_ms(), start).await;
    inst.output.clear();
    let timeout = Duration::from_secs(u64::from(f.timeout));
    let dispatched = Instant::now();
    let (done, outcome) = oneshot::channel();
    inst.send(Invocation {
        event: Event {
            request_id: id.clone(),
            payload: req.payload,
            deadline_ms: (now_ms() as u64).saturating_add(timeout.as_millis() as u64),
            function_arn: req.invoked_arn,
            trace_id: trace_id(),
            client_context: req.client_context,
        },
        done,
    });
    let ended = wait(outcome, &inst, dispatched, timeout).await;
    let finished = Instant::now();
    let output = inst.output.drain(DRAIN_LIMIT).await;
    log.push_str(&output);
    let ready = inst.ready_at();
    let init_ms = ready
        .filter(|_| lease.cold)
        .map(|r| (r - inst.started).as_secs_f64() * 1000.0);
    let began = ready.map_or(dispatched, |r| r.max(dispatched));
    let duration_ms = finished.saturating_duration_since(began).as_secs_f64() * 1000.0;
    let mut status = None;
    let mut reuse = true;
    let (payload, failed) = match ended {
        Ended::Outcome(Outcome::Response(body)) => (body, false),
        Ended::Outcome(Outcome::Error(body)) => (body, true),
        Ended::Outcome(Outcome::TooLarge) => (
            Bytes::from(
                json!({
                    "errorMessage": format!("Response payload size exceeded maximum allowed payload size ({} bytes).", crate::runtime::api::RESPONSE_LIMIT),
                    "errorType": "Function.ResponseSizeTooLarge",
                })
                .to_string(),
            ),
            true,
        ),
        Ended::Outcome(Outcome::InitError(body)) => {
            reuse = false;
            let kind = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["errorType"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "Runtime.Unknown".into());
            let t = line(
                &mut log,
                format!(
                    "INIT_REPORT Init Duration: {:.2} ms\tPhase: init\tStatus: error\tError Type: {kind}",
                    (finished - inst.started).as_secs_f64() * 1000.0
                ),
            );
            writer.push(group, stream, now_ms(), t).await;
            (body, true)
        }
        Ended::Outcome(Outcome::Unreadable) => {
            reuse = false;
            (
                Bytes::from(json!({"errorType": "Runtime.Unknown", "errorMessage": format!("RequestId: {id} Error: the runtime's response could not be read")}).to_string()),
                true,
            )
        }
        Ended::Outcome(Outcome::Exited(how)) => {
            reuse = false;
            let message = match how {
                None => format!("RequestId: {id} Error: Runtime exited without providing a reason"),
                Some(how) => format!("RequestId: {id} Error: Runtime exited with error: {how}"),
            };
            let t = line(&mut log, format!("{message}\nRuntime.ExitError"));
            writer.push(group, stream, now_ms(), t).await;
            status = Some("error");
            (
                Bytes::from(json!({"errorType": "Runtime.ExitError", "errorMessage": message}).to_string()),
                true,
            )
        }
        Ended::TimedOut => {
            reuse = false;
            inst.stop();
            let secs = format!("{:.2}", timeout.as_secs_f64());
            let t = line(
                &mut log,
                format!(
                    "{} {id} Task timed out after {secs} seconds",
                    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ")
                ),
            );
            writer.push(group, stream, now_ms(), t).await;
            status = Some("timeout");
            (
                Bytes::from(
                    json!({
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": format!("RequestId: {id} Error: Task timed out after {secs} seconds"),
                    })
                    .to_string(),
                ),
                true,
            )
        }
    };
    let end = line(&mut log, format!("END RequestId: {id}"));
    writer.push(group, stream, now_ms(), end).await;
    let mut report = format!(
        "REPORT RequestId: {id}\tDuration: {duration_ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
        duration_ms.ceil().max(1.0) as u64,
        f.memory_size,
        inst.max_memory_mb(),
    );
    if let Some(init) = init_ms {
        report.push_str(&format!("Init Duration: {init:.2} ms\t"));
    }
    if let Some(s) = status {
        report.push_str(&format!("Status: {s}"));
    }
    let report = line(&mut log, report);
    writer.push(group, stream, now_ms(), report).await;
    inst.warm.store(true, std::sync::atomic::Ordering::SeqCst);
    pool.release(lease, reuse);
    Ran::Done(Response {
        payload,
        function_error: failed.then_some("Unhandled"),
        log,
        executed_version: f.version.clone(),
    })
}

/// Waits for the outcome within the function's timeout, which starts when
/// the process is ready: a cold start's init has its own ten seconds.
async fn wait(
    mut outcome: oneshot::Receiver<Outcome>,
    inst: &crate::runtime::instance::Instance,
    dispatched: Instant,
    timeout: Duration,
) -> Ended {
    let mut deadline = dispatched + timeout;
    loop {
        tokio::select! {
            o = &mut outcome => {
                return Ended::Outcome(o.unwrap_or_else(|_| inst.ended().unwrap_or(Outcome::Exited(None))));
            }
            () = tokio::time::sleep_until(deadline.into()) => {
                match inst.ready_at() {
                    Some(r) if r + timeout > deadline => deadline = r + timeout,
                    None if inst.started + INIT_LIMIT > deadline => deadline = inst.started + INIT_LIMIT,
                    _ => return Ended::TimedOut,
                }
            }
        }
    }
}

fn unhandled(body: serde_json::Value, log: String, f: &Function) -> Response {
    Response {
        payload: Bytes::from(body.to_string()),
        function_error: Some("Unhandled"),
        log,
        executed_version: f.version.clone(),
    }
}

/// An X-Ray trace header of AWS's form.
fn trace_id() -> String {
    let secs = chrono::Utc::now().timestamp();
    let r: u128 = rand::random();
    format!(
        "Root=1-{secs:08x}-{:024x};Parent={:016x};Sampled=0",
        r >> 32,
        rand::random::<u64>()
    )
}

/// The last [`TAIL_BYTES`] of a log, at a character boundary.
pub fn tail(log: &str) -> &str {
    if log.len() <= TAIL_BYTES {
        return log;
    }
    let mut cut = log.len() - TAIL_BYTES;
    while !log.is_char_boundary(cut) {
        cut += 1;
    }
    &log[cut..]
}
