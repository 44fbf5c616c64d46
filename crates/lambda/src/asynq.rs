//! Asynchronous invocations (`InvocationType=Event`): acknowledged with a
//! 202 once queued in the service's file, so they survive `kill -9`, then
//! run in the background. A failed attempt is retried as AWS retries it
//! (by default twice, one minute and then two minutes later, on the
//! server's clock) within the event's maximum age; the outcome goes to the
//! configured destinations (OnSuccess, OnFailure) or, on failure, to the
//! function's dead-letter queue, in AWS's record shapes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::Result;
use crate::invoke;
use crate::logs::now_ms;
use crate::model::EventInvokeConfig;
use crate::service::{Lambda, Target, split_function_name};

/// A queued invocation as the file keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub request_id: String,
    pub function: String,
    pub qualifier: Option<String>,
    pub payload: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// How long the event has waited between attempts, in the clock's
    /// time: its age as AWS counts it against MaximumEventAgeInSeconds.
    #[serde(default)]
    pub waited_s: u64,
    pub first_ms: i64,
    pub invoked_arn: String,
}

impl Queued {
    /// A first attempt of `payload` on `t`, under the request's id.
    pub fn new(lambda: &Lambda, t: &Target, request_id: String, payload: &[u8]) -> Self {
        Self {
            request_id,
            function: t.name.clone(),
            qualifier: t.qualifier.clone(),
            payload: String::from_utf8_lossy(payload).into_owned(),
            attempts: 0,
            waited_s: 0,
            first_ms: now_ms(),
            invoked_arn: lambda.arn_of(t),
        }
    }
}

/// Queues an invocation and schedules its first attempt.
pub fn enqueue(lambda: &Arc<Lambda>, q: &Queued) -> Result<()> {
    lambda.store.queue(&q.request_id, now_ms(), q)?;
    schedule(lambda, q.request_id.clone(), Duration::ZERO);
    Ok(())
}

/// Schedules every invocation the file holds (at start).
pub fn resume(lambda: &Arc<Lambda>) -> Result<()> {
    let now = now_ms();
    for (id, due) in lambda.store.queued()? {
        schedule(lambda, id, Duration::from_millis((due - now).max(0) as u64));
    }
    Ok(())
}

/// Runs an attempt after `delay` of real time.
fn schedule(lambda: &Arc<Lambda>, id: String, delay: Duration) {
    let lambda = Arc::downgrade(lambda);
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if let Some(lambda) = lambda.upgrade()
            && let Err(e) = attempt(&lambda, &id).await
        {
            tracing::warn!(request_id = id, error = %e, "asynchronous invocation failed to run");
        }
    });
}

async fn attempt(lambda: &Arc<Lambda>, id: &str) -> Result<()> {
    // Queued events wait as ids; only this many hold their payload and a
    // process at once, however many are due.
    let Ok(_slot) = lambda.async_slots.acquire().await else {
        return Ok(());
    };
    let Some(mut q) = lambda.store.queued_one::<Queued>(id)? else {
        return Ok(());
    };
    let target = Target {
        name: q.function.clone(),
        qualifier: q.qualifier.clone(),
    };
    let Ok(f) = lambda.resolve_for_invoke(&target) else {
        // The function is gone: nothing left to run it.
        lambda.store.dequeue(id)?;
        return Ok(());
    };
    let config = event_config(lambda, &q.function, q.qualifier.as_deref())?;
    let clock = lambda.clock();
    if q.waited_s > u64::from(config.maximum_event_age_seconds) {
        lambda.store.dequeue(id)?;
        return finish(
            lambda,
            &q,
            &f.version,
            None,
            "EventAgeExceeded",
            &config,
            f.dead_letter_target.as_deref(),
        )
        .await;
    }
    let req = invoke::Request {
        request_id: q.request_id.clone(),
        payload: Bytes::from(q.payload.clone()),
        client_context: None,
        invoked_arn: q.invoked_arn.clone(),
    };
    q.attempts += 1;
    match lambda.invoke(&f, req).await {
        Ok(r) if r.function_error.is_none() => {
            lambda.store.dequeue(id)?;
            if let Some(dest) = &config.on_success {
                let record = record(lambda, &q, &r.executed_version, Some(&r), "Success");
                deliver(lambda, dest, record).await;
            }
            Ok(())
        }
        Ok(_) if q.attempts <= config.maximum_retry_attempts => {
            // AWS waits at least a minute before the first retry, two before the second.
            let wait = 60 * u64::from(q.attempts);
            q.waited_s += wait;
            let delay = clock.real(Duration::from_secs(wait));
            lambda.store.queue(id, now_ms() + delay.as_millis() as i64, &q)?;
            schedule(lambda, id.to_owned(), delay);
            Ok(())
        }
        Ok(r) => {
            lambda.store.dequeue(id)?;
            finish(
                lambda,
                &q,
                &r.executed_version,
                Some(&r),
                "RetriesExhausted",
                &config,
                f.dead_letter_target.as_deref(),
            )
            .await
        }
        Err(e) if !matches!(e, crate::error::LambdaError::TooManyRequests(_)) => {
            // Lambda itself failed (the package is gone, the disk is full):
            // retrying every second would only repeat it.
            lambda.store.dequeue(id)?;
            tracing::warn!(request_id = id, error = %e, "an asynchronous invocation could not run");
            Ok(())
        }
        Err(_) => {
            // Throttled: AWS keeps retrying throttled events within their maximum age.
            q.attempts -= 1;
            q.waited_s += 1;
            let delay = clock.real(Duration::from_secs(1));
            lambda.store.queue(id, now_ms() + delay.as_millis() as i64, &q)?;
            schedule(lambda, id.to_owned(), delay.max(Duration::from_millis(10)));
            Ok(())
        }
    }
}

/// The settings of asynchronous invocation that apply to a qualifier: its
/// own, else the function's, else AWS's defaults.
pub fn event_config(lambda: &Lambda, function: &str, qualifier: Option<&str>) -> Result<EventInvokeConfig> {
    let q = qualifier.unwrap_or("");
    if let Some(c) = lambda.store.setting(function, q, "event-invoke")? {
        return Ok(c);
    }
    Ok(lambda.store.setting(function, "", "event-invoke")?.unwrap_or_default())
}

async fn finish(
    lambda: &Arc<Lambda>,
    q: &Queued,
    version: &str,
    r: Option<&invoke::Response>,
    condition: &str,
    config: &EventInvokeConfig,
    dead_letter: Option<&str>,
) -> Result<()> {
    if let Some(dest) = &config.on_failure {
        deliver(lambda, dest, record(lambda, q, version, r, condition)).await;
    } else if let Some(dlq) = dead_letter {
        // A dead-letter queue gets the event itself.
        if let Err(e) = lambda.host.deliver(dlq, q.payload.clone()).await {
            tracing::warn!(target = dlq, error = %e, "could not deliver to the dead-letter queue");
        }
    }
    Ok(())
}

/// AWS's invocation record for destinations.
fn record(lambda: &Lambda, q: &Queued, version: &str, r: Option<&invoke::Response>, condition: &str) -> Value {
    let parse = |b: &[u8]| {
        serde_json::from_slice::<Value>(b).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned()))
    };
    let mut response_context = json!({"statusCode": 200, "executedVersion": version});
    if let Some(e) = r.and_then(|r| r.function_error) {
        response_context["functionError"] = e.into();
    }
    let mut rec = json!({
        "version": "1.0",
        "timestamp": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "requestContext": {
            "requestId": q.request_id,
            "functionArn": lambda.qualified_arn(&q.function, version),
            "condition": condition,
            "approximateInvokeCount": q.attempts,
        },
        "requestPayload": parse(q.payload.as_bytes()),
        "responseContext": response_context,
    });
    if let Some(r) = r {
        rec["responsePayload"] = parse(&r.payload);
    }
    rec
}

/// Sends a record to a destination: a Lambda function of ours is invoked
/// asynchronously with it; anything else goes through the host.
async fn deliver(lambda: &Arc<Lambda>, dest: &str, record: Value) {
    let body = record.to_string();
    if dest.starts_with("arn:aws:lambda:")
        && let Some((name, qualifier)) = split_function_name(dest)
    {
        let t = Target { name, qualifier };
        let q = Queued::new(lambda, &t, uuid::Uuid::new_v4().to_string(), body.as_bytes());
        if let Err(e) = enqueue(lambda, &q) {
            tracing::warn!(target = dest, error = %e, "could not deliver to the destination");
        }
        return;
    }
    if let Err(e) = lambda.host.deliver(dest, body).await {
        tracing::warn!(target = dest, error = %e, "could not deliver to the destination");
    }
}
