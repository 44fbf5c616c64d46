//! Parallel and Map: states that run sub-machines concurrently. A failure
//! in one branch or iteration stops the others, as in AWS; the state then
//! fails with that error (and may retry or catch it like a Task).

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{Cursor, Entered, Failure, Halt, Run, field, retry, run_states, select};
use crate::asl::{MapState, OptionalPath, ParallelState, ProcessorMode, Retrier, ValueOrPath};
use crate::path;

/// AWS runs at most this many inline Map iterations at once.
const INLINE_CONCURRENCY: usize = 40;

/// Data flow shared by Parallel and Map once their branches produced `result`.
pub(super) fn finish(
    run: &Run,
    e: &Entered<'_>,
    result: Value,
    selector: Option<&Value>,
    result_path: &OptionalPath,
    output_path: &OptionalPath,
) -> Result<Value, Halt> {
    let ctx = e.context(run, 0);
    let selected = match selector {
        Some(t) => path::apply_payload_template(t, &result, &ctx).map_err(|x| e.fail(&x))?,
        None => result,
    };
    let merged = path::apply_result_path(field(result_path).as_ref(), &e.input, selected).map_err(|x| e.fail(&x))?;
    path::apply_output_path(field(output_path).as_ref(), &merged, &ctx).map_err(|x| e.fail(&x))
}

/// How a Parallel or a Map ends: its three closing events, its Retry, and
/// the data-flow fields applied to the branches' results.
struct Ends<'a> {
    events: [&'static str; 3],
    retriers: &'a [Retrier],
    selector: Option<&'a Value>,
    result_path: &'a OptionalPath,
    output_path: &'a OptionalPath,
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
) -> Result<Option<Value>, Halt> {
    let [succeeded, failed, aborted] = ends.events;
    last_event(run, cursor);
    match outcome {
        Ok(results) => {
            run.event(cursor, succeeded, Value::Null);
            finish(
                run,
                e,
                Value::Array(results),
                ends.selector,
                ends.result_path,
                ends.output_path,
            )
            .map(Some)
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

pub async fn parallel(run: &Run, e: &Entered<'_>, s: &ParallelState, cursor: &mut Cursor) -> Result<Value, Halt> {
    let mut attempts = vec![0; s.retry.len()];
    let mut retry_count = 0;
    loop {
        let ctx = e.context(run, retry_count);
        let effective =
            path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
        let input = match &s.parameters {
            Some(t) => path::apply_payload_template(t, &effective, &ctx).map_err(|x| e.fail(&x))?,
            None => effective,
        };
        let started = run.event(cursor, "ParallelStateStarted", Value::Null);
        let branches = s.branches.iter().map(|b| {
            let input = input.clone();
            async move {
                let mut c = Cursor { previous: started };
                run_states(run, &b.states, &b.start_at, input, &mut c).await
            }
        });
        let outcome = futures::future::try_join_all(branches).await;
        let ends = Ends {
            events: ["ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted"],
            retriers: &s.retry,
            selector: s.result_selector.as_ref(),
            result_path: &s.result_path,
            output_path: &s.common.output_path,
        };
        if let Some(output) = settle(run, e, cursor, outcome, &ends, &mut attempts).await? {
            return Ok(output);
        }
        retry_count += 1;
    }
}

pub(super) fn count(
    v: &Option<ValueOrPath<u64>>,
    input: &Value,
    ctx: &Value,
    e: &Entered<'_>,
) -> Result<Option<u64>, Halt> {
    match v {
        None | Some(ValueOrPath::Jsonata(_)) => Ok(None),
        Some(ValueOrPath::Value(n)) => Ok(Some(*n)),
        Some(ValueOrPath::Path(p)) => {
            let v = select(p, input, ctx).map_err(|x| e.fail(&x))?;
            Ok(v.as_u64())
        }
    }
}

pub async fn map(run: &Run, e: &Entered<'_>, s: &MapState, cursor: &mut Cursor) -> Result<Value, Halt> {
    if s.processor.config.mode == ProcessorMode::Distributed {
        return super::distributed::map(run, e, s, cursor).await;
    }
    let mut attempts = vec![0; s.retry.len()];
    let mut retry_count = 0;
    loop {
        let ctx = e.context(run, retry_count);
        let effective =
            path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
        let items = match &s.items_path {
            Some(p) => select(p, &effective, &ctx).map_err(|x| e.fail(&x))?,
            None => effective.clone(),
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
        let concurrency = match count(&s.max_concurrency, &effective, &ctx, e)? {
            None | Some(0) => INLINE_CONCURRENCY,
            Some(n) => n as usize,
        };
        let started = run.event(cursor, "MapStateStarted", json!({"length": items.len()}));
        let template = s.item_template();
        let body = &s.processor.body;
        let iterations = items.into_iter().enumerate().map(|(index, value)| {
            let effective = &effective;
            async move {
                let input = match template {
                    Some(t) => {
                        let item = json!({"Item": {"Index": index, "Value": value}});
                        let item_ctx = run.context(e.name, e.at, retry_count, Some(("Map", item)));
                        path::apply_payload_template(t, effective, &item_ctx).map_err(|x| e.fail(&x))?
                    }
                    None => value,
                };
                let mut c = Cursor { previous: started };
                run.event(&mut c, "MapIterationStarted", json!({"name": e.name, "index": index}));
                let out = run_states(run, &body.states, &body.start_at, input, &mut c).await;
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
            output_path: &s.common.output_path,
        };
        if let Some(output) = settle(run, e, cursor, outcome, &ends, &mut attempts).await? {
            return Ok(output);
        }
        retry_count += 1;
    }
}
