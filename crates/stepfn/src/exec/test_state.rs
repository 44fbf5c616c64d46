//! TestState: one state run once, outside any execution, reporting what
//! each data-flow field made of the input (`inspectionData`), the next
//! state, and how it ended. Unlike an execution, a Task is called once: an
//! error a retrier names answers RETRIABLE, one a catcher names CAUGHT_ERROR.

use serde_json::{Map, Value, json};

use super::{Entered, Failure, Halt, Run, field, retry, text};
use crate::asl::{State, Transition};
use crate::integration::{Pattern, Resource};
use crate::path;

/// A stand-in for the state's work, as TestState's `mock` gives it.
#[derive(Debug, Clone)]
pub enum Mock {
    Result(Value),
    Error(Failure),
}

/// What TestState answers.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR.
    pub status: &'static str,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub next_state: Option<String>,
    /// `inspectionData`: each stage's value as JSON text.
    pub inspection: Map<String, Value>,
}

impl Outcome {
    fn note(&mut self, key: &str, v: &Value) {
        self.inspection.insert(key.into(), text(v).into());
    }

    fn failed(mut self, f: Failure) -> Self {
        self.status = "FAILED";
        self.error = Some(f.error);
        self.cause = Some(f.cause);
        self
    }
}

fn next_of(t: &Transition) -> Option<String> {
    match t {
        Transition::Next(n) => Some(n.clone()),
        Transition::End => None,
    }
}

fn halted(h: Halt) -> Failure {
    match h {
        Halt::Failed(f) => f,
        Halt::Aborted => Failure::new("States.Runtime", "The test was stopped"),
        Halt::TimedOut => Failure::new("States.Timeout", ""),
    }
}

/// Runs `state` once over `input`. `retries` is how many retries the
/// state has had already (TestState's `stateConfiguration.retrierRetryCount`).
pub async fn test(run: &Run, name: &str, state: &State, input: Value, mock: Option<Mock>, retries: u64) -> Outcome {
    let e = Entered {
        name,
        input,
        at: run.clock.now(),
        id: 0,
        jsonata: state.common().query_language.unwrap_or(run.language) == crate::asl::QueryLanguage::Jsonata,
        vars: std::sync::Arc::default(),
    };
    let mut out = Outcome {
        status: "SUCCEEDED",
        ..Outcome::default()
    };
    out.note("input", &e.input);
    let ctx = e.context(run, retries);
    let common = state.common();
    let effective = match path::apply_input_path(field(&common.input_path).as_ref(), &e.input, &ctx) {
        Ok(v) => v,
        Err(x) => return out.failed(halted(e.fail(&x))),
    };
    out.note("afterInputPath", &effective);
    let step = match state {
        State::Pass(s) => {
            let result = match (&s.result, &s.parameters) {
                (Some(r), _) => Ok(r.clone()),
                (None, Some(p)) => path::apply_payload_template(p, &effective, &ctx).inspect(|v| {
                    out.note("afterParameters", v);
                }),
                (None, None) => Ok(effective.clone()),
            };
            result
                .map_err(|x| e.fail(&x))
                .and_then(|r| finish(&mut out, &e, &ctx, r, None, &s.result_path, &common.output_path))
                .map(|o| (o, next_of(&s.transition)))
        }
        State::Task(s) => {
            return task(run, &e, s, &ctx, effective, mock, retries, out).await;
        }
        State::Choice(s) => {
            let mut next = None;
            for rule in &s.choices {
                match crate::choice::matches(&rule.rule, &effective, &ctx) {
                    Ok(true) => {
                        next = Some(rule.next.clone());
                        break;
                    }
                    Ok(false) => {}
                    Err(x) => return out.failed(halted(e.fail(&x))),
                }
            }
            match next.or_else(|| s.default.clone()) {
                Some(next) => output_path(&e, &ctx, &effective, &common.output_path).map(|o| (o, Some(next))),
                None => Err(Halt::Failed(Failure::new("States.NoChoiceMatched", "No Matches!"))),
            }
        }
        // A Wait is not waited out: what it would pass on is the answer.
        State::Wait(s) => output_path(&e, &ctx, &effective, &common.output_path).map(|o| (o, next_of(&s.transition))),
        State::Succeed(_) => output_path(&e, &ctx, &effective, &common.output_path).map(|o| (o, None)),
        State::Fail(s) => Err(super::fail(run, &e, s)),
        State::Parallel(s) => {
            if let Some(Mock::Error(f)) = mock {
                return judged(out, &e, &s.retry, &s.catch, retries, f);
            }
            let fields = (s.result_selector.as_ref(), &s.result_path, &s.transition);
            mocked(&mut out, &e, &ctx, mock, fields, &common.output_path, "Parallel states")
        }
        State::Map(s) => {
            if let Some(Mock::Error(f)) = mock {
                return judged(out, &e, &s.retry, &s.catch, retries, f);
            }
            let fields = (s.result_selector.as_ref(), &s.result_path, &s.transition);
            mocked(&mut out, &e, &ctx, mock, fields, &common.output_path, "Map states")
        }
    };
    match step {
        Ok((output, next)) => {
            out.output = Some(output);
            out.next_state = next;
            out
        }
        Err(h) => out.failed(halted(h)),
    }
}

fn unsupported(what: &str) -> Halt {
    Halt::Failed(Failure::new(
        "States.Runtime",
        format!("TestState runs {what} only with a mock"),
    ))
}

fn output_path(e: &Entered<'_>, ctx: &Value, v: &Value, p: &crate::asl::OptionalPath) -> Result<Value, Halt> {
    path::apply_output_path(field(p).as_ref(), v, ctx).map_err(|x| e.fail(&x))
}

/// ResultSelector, ResultPath and OutputPath over a result, noting each.
fn finish(
    out: &mut Outcome,
    e: &Entered<'_>,
    ctx: &Value,
    result: Value,
    selector: Option<&Value>,
    result_path: &crate::asl::OptionalPath,
    output: &crate::asl::OptionalPath,
) -> Result<Value, Halt> {
    out.note("result", &result);
    let selected = match selector {
        Some(t) => {
            let v = path::apply_payload_template(t, &result, ctx).map_err(|x| e.fail(&x))?;
            out.note("afterResultSelector", &v);
            v
        }
        None => result,
    };
    let merged = path::apply_result_path(field(result_path).as_ref(), &e.input, selected).map_err(|x| e.fail(&x))?;
    out.note("afterResultPath", &merged);
    output_path(e, ctx, &merged, output)
}

/// A Map or Parallel under TestState: the mock stands in for its branches.
fn mocked(
    out: &mut Outcome,
    e: &Entered<'_>,
    ctx: &Value,
    mock: Option<Mock>,
    (selector, result_path, transition): (Option<&Value>, &crate::asl::OptionalPath, &Transition),
    output: &crate::asl::OptionalPath,
    what: &str,
) -> Result<(Value, Option<String>), Halt> {
    match mock {
        Some(Mock::Result(r)) => {
            finish(out, e, ctx, r, selector, result_path, output).map(|o| (o, next_of(transition)))
        }
        Some(Mock::Error(f)) => Err(Halt::Failed(f)),
        None => Err(unsupported(what)),
    }
}

#[allow(clippy::too_many_arguments, reason = "the Task's pieces, passed once")]
async fn task(
    run: &Run,
    e: &Entered<'_>,
    s: &crate::asl::TaskState,
    ctx: &Value,
    effective: Value,
    mock: Option<Mock>,
    retries: u64,
    mut out: Outcome,
) -> Outcome {
    let parameters = match &s.parameters {
        Some(t) => match path::apply_payload_template(t, &effective, ctx) {
            Ok(v) => {
                out.note("afterParameters", &v);
                v
            }
            Err(x) => return out.failed(halted(e.fail(&x))),
        },
        None => effective,
    };
    let resource = Resource::parse(&s.resource);
    let called = match mock {
        Some(Mock::Result(r)) => Ok(r),
        Some(Mock::Error(f)) => Err(f),
        None => match &resource {
            Resource::Optimized {
                pattern: Pattern::RequestResponse,
                ..
            }
            | Resource::Sdk {
                pattern: Pattern::RequestResponse,
                ..
            } => run.host.call(run, &resource, parameters).await,
            _ => Err(Failure::new(
                "States.Runtime",
                format!(
                    "TestState calls request/response integrations only; {} needs a mock",
                    s.resource
                ),
            )),
        },
    };
    let failure = match called {
        Ok(result) => {
            match finish(
                &mut out,
                e,
                ctx,
                result,
                s.result_selector.as_ref(),
                &s.result_path,
                &s.common.output_path,
            ) {
                Ok(output) => {
                    out.output = Some(output);
                    out.next_state = next_of(&s.transition);
                    return out;
                }
                Err(h) => halted(h),
            }
        }
        Err(f) => f,
    };
    judged(out, e, &s.retry, &s.catch, retries, failure)
}

/// A failure as TestState reports it: RETRIABLE when a retrier names it and
/// has attempts left, CAUGHT_ERROR when a catcher takes it, else FAILED.
fn judged(
    mut out: Outcome,
    e: &Entered<'_>,
    retriers: &[crate::asl::Retrier],
    catchers: &[crate::asl::Catcher],
    retries: u64,
    failure: Failure,
) -> Outcome {
    if let Some((_, r)) = retry::retrier(retriers, &failure)
        && retries < r.max_attempts()
    {
        out.status = "RETRIABLE";
        out.error = Some(failure.error);
        out.cause = Some(failure.cause);
        return out;
    }
    if let Some(c) = retry::catcher(catchers, &failure)
        && !super::uncatchable(&failure.error)
    {
        let error_output = json!({"Error": failure.error, "Cause": failure.cause});
        match path::apply_result_path(field(&c.result_path).as_ref(), &e.input, error_output) {
            Ok(v) => {
                out.status = "CAUGHT_ERROR";
                out.output = Some(v);
                out.next_state = Some(c.next.clone());
                out.error = Some(failure.error);
                out.cause = Some(failure.cause);
                return out;
            }
            Err(x) => return out.failed(halted(e.fail(&x))),
        }
    }
    out.failed(failure)
}
