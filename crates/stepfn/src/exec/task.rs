//! The Task state: its resource called through the [`Host`] (request and
//! response, `.sync`, `.waitForTaskToken`, activities), with TimeoutSeconds,
//! HeartbeatSeconds, Retry, and the Task and Activity history events.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

use super::{Cursor, Entered, Exit, Failure, Halt, Run, field, retry, select, text};
use crate::asl::{TaskState, ValueOrPath};
use crate::integration::{Pattern, Resource};
use crate::mock::MockResponse;
use crate::path;
use crate::query::QueryError;

/// A task a worker fetches with GetActivityTask.
#[derive(Debug, Clone)]
pub struct ActivityTask {
    pub token: String,
    pub input: String,
}

/// What a token-waiting Task hears back: the outcome, heartbeats (a counter
/// that moves on every SendTaskHeartbeat) and, for activities, the worker
/// that took the task.
pub struct TokenWait {
    pub outcome: oneshot::Receiver<Result<Value, Failure>>,
    pub beats: watch::Receiver<u64>,
    pub started: Option<oneshot::Receiver<String>>,
}

/// The services a Task state reaches, provided by the Step Functions service.
#[async_trait]
pub trait Host: Send + Sync {
    /// A request/response call.
    async fn call(&self, run: &Run, resource: &Resource, parameters: Value) -> Result<Value, Failure>;

    /// A `.sync` call: `submitted` is told the first answer, then the job runs to its end.
    async fn run_to_end(
        &self,
        run: &Run,
        resource: &Resource,
        parameters: Value,
        submitted: &(dyn for<'v> Fn(&'v Value) + Send + Sync),
    ) -> Result<Value, Failure>;

    /// Registers a task token before the call that hands it out.
    fn expect_token(&self, token: &str, execution_arn: &str) -> TokenWait;

    /// Queues a task for an activity's workers; the token is already expected.
    fn schedule_activity(&self, activity_arn: &str, task: ActivityTask) -> Result<(), Failure>;

    /// Forgets a token whose Task ended another way (timeout, stop).
    fn drop_token(&self, token: &str);

    /// Records a distributed Map's run as it starts and as it ends.
    fn map_run(&self, run: &crate::records::MapRun);
}

/// `resourceType` and `resource` as Task events name them.
fn names(arn: &str, r: &Resource) -> (String, String) {
    let suffix = |p: Pattern, sync2: bool| match p {
        Pattern::RequestResponse => "",
        Pattern::Sync if sync2 => ".sync:2",
        Pattern::Sync => ".sync",
        Pattern::WaitForTaskToken => ".waitForTaskToken",
    };
    match r {
        Resource::Optimized {
            service,
            action,
            pattern,
            sync2,
        } => (service.clone(), format!("{action}{}", suffix(*pattern, *sync2))),
        Resource::Sdk {
            service,
            action,
            pattern,
        } => (
            format!("aws-sdk:{service}"),
            format!("{action}{}", suffix(*pattern, false)),
        ),
        Resource::Function { .. } => ("lambda".into(), arn.to_owned()),
        Resource::Activity { .. } | Resource::Other { .. } => ("activity".into(), arn.to_owned()),
    }
}

fn seconds(
    run: &Run,
    v: &Option<ValueOrPath<u64>>,
    input: &Value,
    ctx: &Value,
    e: &Entered<'_>,
    what: &str,
) -> Result<Option<u64>, Halt> {
    match v {
        None => Ok(None),
        Some(ValueOrPath::Value(n)) => Ok(Some(*n)),
        Some(ValueOrPath::Jsonata(expr)) => {
            let q = e.query(run, ctx);
            let v = q.expression(expr, what).map_err(|x| e.query_failed(x))?;
            match v.as_u64().filter(|n| (1..=99_999_999).contains(n)) {
                Some(n) => Ok(Some(n)),
                None => Err(e.query_failed(QueryError::wrong_type(expr, what, "integer", &v))),
            }
        }
        Some(ValueOrPath::Path(p)) => {
            let v = e
                .paths(|| select(p, &format!("{what}Path"), input, ctx))
                .map_err(|x| e.fail(&x))?;
            match v.as_u64() {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(Halt::Failed(Failure::new(
                    "States.Runtime",
                    super::runtime_cause(
                        e,
                        &format!("The {what}Path parameter does not reference a valid positive integer: {p}"),
                    ),
                ))),
            }
        }
    }
}

pub async fn run(
    run: &Run,
    _scope: &std::sync::Arc<super::Scope>,
    e: &Entered<'_>,
    s: &TaskState,
    cursor: &mut Cursor,
) -> Result<Exit, Halt> {
    let resource = Resource::parse(&s.resource);
    let (resource_type, resource_name) = names(&s.resource, &resource);
    let token_pattern = matches!(
        resource,
        Resource::Optimized {
            pattern: Pattern::WaitForTaskToken,
            ..
        } | Resource::Sdk {
            pattern: Pattern::WaitForTaskToken,
            ..
        } | Resource::Activity { .. }
    );
    let mut attempts: Vec<u64> = vec![0; s.retry.len()];
    let mut retry_count = 0u64;
    loop {
        let token = token_pattern.then(|| uuid::Uuid::new_v4().to_string());
        let ctx = {
            let mut c = e.context(run, retry_count);
            if let (Some(t), Value::Object(m)) = (&token, &mut c) {
                m.insert("Task".into(), json!({"Token": t}));
            }
            c
        };
        let prepared = (|| {
            let (effective, parameters) = if e.jsonata {
                let q = e.query(run, &ctx);
                let arguments = match &s.arguments {
                    Some(t) => q.value(t, "Arguments").map_err(|x| e.query_failed(x))?,
                    None => e.input.clone(),
                };
                (e.input.clone(), arguments)
            } else {
                e.paths(|| {
                    let effective = path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx)
                        .map_err(|x| e.fail(&x))?;
                    let parameters = match &s.parameters {
                        Some(t) => path::apply_payload_template(t, &effective, &ctx).map_err(|x| e.fail(&x))?,
                        None => effective.clone(),
                    };
                    Ok::<_, Halt>((effective, parameters))
                })?
            };
            let timeout = seconds(run, &s.timeout_seconds, &effective, &ctx, e, "TimeoutSeconds")?;
            let heartbeat = seconds(run, &s.heartbeat_seconds, &effective, &ctx, e, "HeartbeatSeconds")?;
            Ok::<_, Halt>((parameters, timeout, heartbeat))
        })();
        let (parameters, timeout, heartbeat) = match prepared {
            Ok(p) => p,
            Err(h) => {
                retry::query_again(run, &s.retry, &mut attempts, h).await?;
                retry_count += 1;
                continue;
            }
        };
        let outcome = match &resource {
            Resource::Activity { arn } => {
                activity(
                    run,
                    arn,
                    &parameters,
                    token.as_deref().unwrap_or_default(),
                    timeout,
                    heartbeat,
                    cursor,
                )
                .await
            }
            _ => {
                let mut scheduled = json!({
                    "resourceType": resource_type,
                    "resource": resource_name,
                    "region": region_of(&run.execution_arn),
                    "parameters": text(&parameters),
                });
                if let Some(t) = timeout {
                    scheduled["timeoutInSeconds"] = t.into();
                }
                if let Some(h) = heartbeat {
                    scheduled["heartbeatInSeconds"] = h.into();
                }
                run.event(cursor, "TaskScheduled", scheduled);
                run.event(
                    cursor,
                    "TaskStarted",
                    json!({"resourceType": resource_type, "resource": resource_name}),
                );
                let mocked = run.mock.as_ref().and_then(|m| m.next(e.name));
                let result = match mocked {
                    // A mocked state answers at once, whatever its pattern.
                    Some(MockResponse::Return(v)) => Ok(v),
                    Some(MockResponse::Throw { error, cause }) => Err(Halt::Failed(Failure::new(error, cause))),
                    None => {
                        let call = invoke(
                            run,
                            &resource,
                            &s.resource,
                            parameters,
                            token.as_deref(),
                            heartbeat,
                            &resource_type,
                            &resource_name,
                            cursor,
                        );
                        limit(run, timeout, call).await
                    }
                };
                if let (Err(_), Some(t)) = (&result, &token) {
                    run.host.drop_token(t);
                }
                match &result {
                    Ok(output) => {
                        run.event(
                            cursor,
                            "TaskSucceeded",
                            json!({"resourceType": resource_type, "resource": resource_name,
                                   "output": text(output)}),
                        );
                    }
                    Err(Halt::Failed(f)) if f.error == "States.Timeout" || f.error == "States.HeartbeatTimeout" => {
                        run.event(
                            cursor,
                            "TaskTimedOut",
                            json!({"resourceType": resource_type, "resource": resource_name, "error": f.error, "cause": f.cause}),
                        );
                    }
                    Err(Halt::Failed(f)) => {
                        run.event(
                            cursor,
                            "TaskFailed",
                            json!({"resourceType": resource_type, "resource": resource_name, "error": f.error, "cause": f.cause}),
                        );
                    }
                    Err(_) => {}
                }
                result
            }
        };
        match outcome {
            Ok(result) => {
                let finished = super::finish_result(
                    run,
                    e,
                    &ctx,
                    result,
                    s.result_selector.as_ref(),
                    &s.result_path,
                    &s.common,
                );
                match finished {
                    Ok(exit) => return Ok(exit),
                    Err(h) => {
                        retry::query_again(run, &s.retry, &mut attempts, h).await?;
                        retry_count += 1;
                    }
                }
            }
            Err(Halt::Failed(f)) => {
                if !retry::again(run, &s.retry, &mut attempts, &f).await? {
                    return Err(Halt::Failed(f));
                }
                retry_count += 1;
            }
            Err(other) => return Err(other),
        }
    }
}

/// The region in an execution ARN.
fn region_of(arn: &str) -> String {
    arn.split(':').nth(3).unwrap_or("us-east-1").to_owned()
}

/// Runs `f` within the Task's TimeoutSeconds, and stops with the execution.
async fn limit(run: &Run, timeout: Option<u64>, f: impl Future<Output = Result<Value, Halt>>) -> Result<Value, Halt> {
    let mut stop = run.stop.clone();
    let timed = async {
        match timeout {
            Some(t) => {
                let real = run.clock.real(Duration::from_secs(t));
                match tokio::time::timeout(real, f).await {
                    Ok(r) => r,
                    Err(_) => Err(Halt::Failed(Failure::new("States.Timeout", ""))),
                }
            }
            None => f.await,
        }
    };
    tokio::select! {
        r = timed => r,
        _ = stop.wait_for(|s| *s) => Err(Halt::Aborted),
    }
}

#[allow(clippy::too_many_arguments, reason = "the Task's pieces, passed once")]
async fn invoke(
    run: &Run,
    resource: &Resource,
    arn: &str,
    parameters: Value,
    token: Option<&str>,
    heartbeat: Option<u64>,
    resource_type: &str,
    resource_name: &str,
    cursor: &mut Cursor,
) -> Result<Value, Halt> {
    let pattern = match resource {
        Resource::Optimized { pattern, .. } | Resource::Sdk { pattern, .. } => *pattern,
        Resource::Function { .. } => Pattern::RequestResponse,
        _ => {
            return Err(Halt::Failed(Failure::new(
                "States.TaskFailed",
                format!(
                    "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
                ),
            )));
        }
    };
    match pattern {
        Pattern::RequestResponse => run.host.call(run, resource, parameters).await.map_err(Halt::Failed),
        Pattern::Sync => {
            let events = std::sync::Mutex::new(*cursor);
            let record = |v: &Value| {
                let mut c = events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                run.event(
                    &mut c,
                    "TaskSubmitted",
                    json!({"resourceType": resource_type, "resource": resource_name,
                           "output": text(v)}),
                );
            };
            let out = run.host.run_to_end(run, resource, parameters, &record).await;
            *cursor = *events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            out.map_err(Halt::Failed)
        }
        Pattern::WaitForTaskToken => {
            let token = token.unwrap_or_default();
            let wait = run.host.expect_token(token, &run.execution_arn);
            run.host.call(run, resource, parameters).await.map_err(Halt::Failed)?;
            await_token(run, wait, heartbeat).await
        }
    }
}

/// Waits for SendTaskSuccess/Failure, failing with States.HeartbeatTimeout
/// when no heartbeat comes within HeartbeatSeconds.
async fn await_token(run: &Run, wait: TokenWait, heartbeat: Option<u64>) -> Result<Value, Halt> {
    let TokenWait {
        mut outcome, mut beats, ..
    } = wait;
    loop {
        let beat = async {
            match heartbeat {
                Some(h) => {
                    let real = run.clock.real(Duration::from_secs(h));
                    tokio::time::timeout(real, beats.changed()).await.is_ok()
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = &mut outcome => {
                return match r {
                    Ok(Ok(v)) => Ok(v),
                    Ok(Err(f)) => Err(Halt::Failed(f)),
                    Err(_) => Err(Halt::Aborted),
                };
            }
            alive = beat => {
                if !alive {
                    return Err(Halt::Failed(Failure::new("States.HeartbeatTimeout", "")));
                }
            }
        }
    }
}

async fn activity(
    run: &Run,
    arn: &str,
    parameters: &Value,
    token: &str,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    cursor: &mut Cursor,
) -> Result<Value, Halt> {
    let input = text(parameters);
    let mut scheduled = json!({"resource": arn, "input": input});
    if let Some(t) = timeout {
        scheduled["timeoutInSeconds"] = t.into();
    }
    if let Some(h) = heartbeat {
        scheduled["heartbeatInSeconds"] = h.into();
    }
    let mut wait = run.host.expect_token(token, &run.execution_arn);
    if let Err(f) = run.host.schedule_activity(
        arn,
        ActivityTask {
            token: token.to_owned(),
            input,
        },
    ) {
        run.host.drop_token(token);
        run.event(
            cursor,
            "ActivityScheduleFailed",
            json!({"error": f.error, "cause": f.cause}),
        );
        return Err(Halt::Failed(f));
    }
    run.event(cursor, "ActivityScheduled", scheduled);
    let started = wait.started.take();
    let shared = std::sync::Mutex::new(*cursor);
    let body = async {
        if let Some(s) = started {
            let worker = s.await.unwrap_or_default();
            let mut c = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            run.event(&mut c, "ActivityStarted", json!({"workerName": worker}));
        }
        await_token(run, wait, heartbeat).await
    };
    let result = limit(run, timeout, body).await;
    *cursor = *shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match &result {
        Ok(v) => {
            run.event(cursor, "ActivitySucceeded", json!({"output": text(v)}));
        }
        Err(Halt::Failed(f)) if f.error == "States.Timeout" || f.error == "States.HeartbeatTimeout" => {
            run.host.drop_token(token);
            run.event(cursor, "ActivityTimedOut", json!({"error": f.error, "cause": f.cause}));
        }
        Err(Halt::Failed(f)) => {
            run.event(cursor, "ActivityFailed", json!({"error": f.error, "cause": f.cause}));
        }
        Err(_) => run.host.drop_token(token),
    }
    result
}
