//! Parallel and Map: states that run sub-machines concurrently. A failure
//! in one branch or iteration stops the others, as in AWS; the state then
//! fails with that error (and may retry or catch it like a Task).

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use std::sync::Arc;

use super::{Cursor, Entered, Exit, Failure, Halt, Run, Scope, field, retry, run_states, select};
use crate::asl::{CommonFields, MapState, OptionalPath, ParallelState, ProcessorMode, Retrier, ValueOrPath};
use crate::path;
use crate::query::QueryError;

/// AWS runs at most this many inline Map iterations at once.
const INLINE_CONCURRENCY: usize = 40;

/// How a Parallel or a Map ends: its three closing events, its Retry, and
/// the data-flow fields applied to the branches' results.
struct Ends<'a> {
    events: [&'static str; 3],
    retriers: &'a [Retrier],
    selector: Option<&'a Value>,
    result_path: &'a OptionalPath,
    common: &'a CommonFields,
    /// `$states.context.State.RetryCount` for the expressions over the result.
    retry_count: u64,
}

/// Records how the branches ended: the state's output, `None` when a
/// retrier says to run them again, or why the state stops.
async fn settle(
    run: &Run,
    e: &Entered<'_>,
    cursor: &mut Cursor,
    outcome: Result<Vec<Value>, Halt>,
    ends: &Ends<'_>,
    attempts: &mut [u64],
) -> Result<Option<Exit>, Halt> {
    let [succeeded, failed, aborted] = ends.events;
    last_event(run, cursor);
    match outcome {
        Ok(results) => {
            run.event(cursor, succeeded, Value::Null);
            let ctx = e.context(run, ends.retry_count);
            match super::finish_result(
                run,
                e,
                &ctx,
                Value::Array(results),
                ends.selector,
                ends.result_path,
                ends.common,
            ) {
                Ok(exit) => Ok(Some(exit)),
                // An `Output` or `Assign` that fails is the state's error, which its Retry may take.
                Err(h) => retry::query_again(run, ends.retriers, attempts, h).await.map(|()| None),
            }
        }
        Err(Halt::Failed(f)) => {
            run.event(cursor, failed, Value::Null);
            if retry::again(run, ends.retriers, attempts, &f).await? {
                Ok(None)
            } else {
                Err(Halt::Failed(f))
            }
        }
        Err(other) => {
            run.event(cursor, aborted, Value::Null);
            Err(other)
        }
    }
}

/// The id the next event after concurrent branches links to: the last recorded.
fn last_event(run: &Run, cursor: &mut Cursor) {
    if let Some(h) = &run.history {
        cursor.previous = h.len() as i64;
    }
}

pub async fn parallel(
    run: &Run,
    scope: &Arc<Scope>,
    e: &Entered<'_>,
    s: &ParallelState,
    cursor: &mut Cursor,
) -> Result<Exit, Halt> {
    let mut attempts = vec![0; s.retry.len()];
    let mut retry_count = 0;
    loop {
        let ctx = e.context(run, retry_count);
        let prepared = (|| {
            if e.jsonata {
                return match &s.arguments {
                    Some(t) => e.query(run, &ctx).value(t, "Arguments").map_err(|x| e.query_failed(x)),
                    None => Ok(e.input.clone()),
                };
            }
            e.paths(|| {
                let effective = path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx)
                    .map_err(|x| e.fail(&x))?;
                match &s.parameters {
                    Some(t) => path::apply_payload_template(t, &effective, &ctx).map_err(|x| e.fail(&x)),
                    None => Ok(effective),
                }
            })
        })();
        let input = match prepared {
            Ok(input) => input,
            Err(h) => {
                retry::query_again(run, &s.retry, &mut attempts, h).await?;
                retry_count += 1;
                continue;
            }
        };
        let started = run.event(cursor, "ParallelStateStarted", Value::Null);
        let branches = s.branches.iter().map(|b| {
            let input = input.clone();
            // Each branch reads the variables of the scope it runs in and
            // keeps its own assignments.
            let inner = scope.child();
            async move {
                let mut c = Cursor { previous: started };
                run_states(run, &inner, &b.states, &b.start_at, input, &mut c).await
            }
        });
        let outcome = futures::future::try_join_all(branches).await;
        let ends = Ends {
            events: ["ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted"],
            retriers: &s.retry,
            selector: s.result_selector.as_ref(),
            result_path: &s.result_path,
            common: &s.common,
            retry_count,
        };
        if let Some(output) = settle(run, e, cursor, outcome, &ends, &mut attempts).await? {
            return Ok(output);
        }
        retry_count += 1;
    }
}

pub(super) fn count(
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
        Some(ValueOrPath::Path(p)) => {
            // AWS names the field itself, not where it sits (`ItemBatcher/MaxItemsPerBatch`).
            let field = format!("{}Path", what.rsplit('/').next().unwrap_or(what));
            let v = e.paths(|| select(p, &field, input, ctx)).map_err(|x| e.fail(&x))?;
            Ok(v.as_u64())
        }
        Some(ValueOrPath::Jsonata(expr)) => {
            let v = e
                .query(run, ctx)
                .expression(expr, what)
                .map_err(|x| e.query_failed(x))?;
            v.as_u64()
                .map(Some)
                .ok_or_else(|| e.query_failed(QueryError::wrong_type(expr, what, "integer", &v)))
        }
    }
}

/// A JSONata Map's `Items`: an array, or an expression that evaluates to one.
pub(super) fn jsonata_items(run: &Run, e: &Entered<'_>, ctx: &Value, items: Option<&Value>) -> Result<Value, Halt> {
    let Some(t) = items else { return Ok(e.input.clone()) };
    let v = e.query(run, ctx).value(t, "Items").map_err(|x| e.query_failed(x))?;
    if v.is_array() {
        return Ok(v);
    }
    Err(e.query_failed(QueryError::wrong_type(
        t.as_str().unwrap_or_default(),
        "Items",
        "array",
        &v,
    )))
}

pub async fn map(
    run: &Run,
    scope: &Arc<Scope>,
    e: &Entered<'_>,
    s: &MapState,
    cursor: &mut Cursor,
) -> Result<Exit, Halt> {
    if s.processor.config.mode == ProcessorMode::Distributed {
        return super::distributed::map(run, e, s, cursor).await;
    }
    let mut attempts = vec![0; s.retry.len()];
    let mut retry_count = 0;
    loop {
        let ctx = e.context(run, retry_count);
        let (effective, items) = if e.jsonata {
            match jsonata_items(run, e, &ctx, s.items.as_ref()) {
                Ok(items) => (e.input.clone(), items),
                Err(h) => {
                    retry::query_again(run, &s.retry, &mut attempts, h).await?;
                    retry_count += 1;
                    continue;
                }
            }
        } else {
            e.paths(|| {
                let effective = path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx)
                    .map_err(|x| e.fail(&x))?;
                let items = match &s.items_path {
                    Some(p) => select(p, "ItemsPath", &effective, &ctx).map_err(|x| e.fail(&x))?,
                    None => effective.clone(),
                };
                Ok::<_, Halt>((effective, items))
            })?
        };
        let Value::Array(items) = items else {
            return Err(Halt::Failed(Failure::new(
                "States.Runtime",
                super::runtime_cause(
                    e,
                    &format!(
                        "Invalid path '{}': The Map state's ItemsPath does not reference a JSON array",
                        s.items_path.as_deref().unwrap_or("$")
                    ),
                ),
            )));
        };
        let concurrency = match count(run, &s.max_concurrency, &effective, &ctx, e, "MaxConcurrency")? {
            None | Some(0) => INLINE_CONCURRENCY,
            Some(n) => n as usize,
        };
        let started = run.event(cursor, "MapStateStarted", json!({"length": items.len()}));
        let template = s.item_template();
        let body = &s.processor.body;
        let iterations = items.into_iter().enumerate().map(|(index, value)| {
            let effective = &effective;
            let inner = scope.child();
            async move {
                let input = match template {
                    Some(t) => {
                        let item = json!({"Item": {"Index": index, "Value": value}});
                        let item_ctx = run.context(e.name, e.at, retry_count, Some(("Map", item)));
                        if e.jsonata {
                            e.query(run, &item_ctx)
                                .value(t, "ItemSelector")
                                .map_err(|x| e.query_failed(x))?
                        } else {
                            e.paths(|| path::apply_payload_template(t, effective, &item_ctx))
                                .map_err(|x| e.fail(&x))?
                        }
                    }
                    None => value,
                };
                let mut c = Cursor { previous: started };
                run.event(&mut c, "MapIterationStarted", json!({"name": e.name, "index": index}));
                let out = run_states(run, &inner, &body.states, &body.start_at, input, &mut c).await;
                let kind = match &out {
                    Ok(_) => "MapIterationSucceeded",
                    Err(Halt::Failed(_)) => "MapIterationFailed",
                    Err(_) => "MapIterationAborted",
                };
                run.event(&mut c, kind, json!({"name": e.name, "index": index}));
                out
            }
        });
        let outcome: Result<Vec<Value>, Halt> = futures::stream::iter(iterations)
            .buffered(concurrency)
            .try_collect()
            .await;
        let ends = Ends {
            events: ["MapStateSucceeded", "MapStateFailed", "MapStateAborted"],
            retriers: &s.retry,
            selector: s.result_selector.as_ref(),
            result_path: &s.result_path,
            common: &s.common,
            retry_count,
        };
        if let Some(output) = settle(run, e, cursor, outcome, &ends, &mut attempts).await? {
            return Ok(output);
        }
        retry_count += 1;
    }
}
