//! TestState: one state run once, outside any execution, reporting what
//! each data-flow field made of the input (`inspectionData`), the next
//! state, and how it ended. Unlike an execution, a Task is called once: an
//! error a retrier names answers RETRIABLE, one a catcher names CAUGHT_ERROR.

use serde_json::{Map, Value, json};

use super::{Cursor, Entered, Exit, Failure, Halt, Run, field, retry, text};
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
pub async fn test(
    run: &Run,
    name: &str,
    state: &State,
    input: Value,
    mock: Option<Mock>,
    retries: u64,
    variables: Map<String, Value>,
) -> Outcome {
    let e = Entered {
        name,
        input,
        at: run.clock.now(),
        id: 0,
        jsonata: state.common().query_language.unwrap_or(run.language) == crate::asl::QueryLanguage::Jsonata,
        vars: std::sync::Arc::new(variables),
        test_state: true,
    };
    let mut out = Outcome {
        status: "SUCCEEDED",
        ..Outcome::default()
    };
    out.note("input", &e.input);
    if e.jsonata {
        return jsonata(run, &e, state, mock, retries, out).await;
    }
    let ctx = e.context(run, retries);
    if let State::Task(s) = state {
        return task(run, &e, s, &ctx, mock, retries, out).await;
    }
    if let (State::Parallel(_) | State::Map(_), Some(Mock::Error(f))) = (state, &mock) {
        return judged(run, out, &e, &ctx, state.retry(), state.catch(), retries, f.clone());
    }
    let common = state.common();
    // `$name` paths read the variables the request gave.
    let step = e.paths(|| {
        let effective =
            path::apply_input_path(field(&common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
        out.note("afterInputPath", &effective);
        let over_input = |assign: Option<&Value>, next: Option<String>| {
            let assigned = e.assign_paths(assign, &effective, &ctx)?;
            output_path(&e, &ctx, &effective, &common.output_path).map(|o| (o, next, assigned))
        };
        match state {
            State::Pass(s) => {
                let result = match (&s.result, &s.parameters) {
                    (Some(r), _) => r.clone(),
                    (None, Some(p)) => {
                        let v = path::apply_payload_template(p, &effective, &ctx).map_err(|x| e.fail(&x))?;
                        out.note("afterParameters", &v);
                        v
                    }
                    (None, None) => effective.clone(),
                };
                let ends = (None, &s.result_path, common.assign.as_ref());
                finish(&mut out, &e, &ctx, result, ends, &common.output_path)
                    .map(|(o, assigned)| (o, next_of(&s.transition), assigned))
            }
            State::Choice(s) => {
                let mut chosen = None;
                for rule in &s.choices {
                    if crate::choice::matches(&rule.rule, &effective, &ctx).map_err(|x| e.fail(&x))? {
                        chosen = Some(rule);
                        break;
                    }
                }
                match chosen {
                    Some(rule) => over_input(
                        rule.rule.get("Assign").or(common.assign.as_ref()),
                        Some(rule.next.clone()),
                    ),
                    None => match &s.default {
                        Some(next) => over_input(common.assign.as_ref(), Some(next.clone())),
                        None => Err(Halt::Failed(Failure::new("States.NoChoiceMatched", "No Matches!"))),
                    },
                }
            }
            // A Wait is not waited out: what it would pass on is the answer.
            State::Wait(s) => over_input(common.assign.as_ref(), next_of(&s.transition)),
            State::Succeed(_) => over_input(None, None),
            State::Fail(s) => Err(super::fail(run, &e, s)),
            State::Parallel(s) => {
                let fields = (s.result_selector.as_ref(), &s.result_path, &s.transition);
                mocked(&mut out, &e, &ctx, mock, fields, common, "Parallel states")
            }
            State::Map(s) => {
                let fields = (s.result_selector.as_ref(), &s.result_path, &s.transition);
                mocked(&mut out, &e, &ctx, mock, fields, common, "Map states")
            }
            // Run above, outside the paths' variables (the call awaits).
            State::Task(_) => Err(unsupported("Task states here")),
        }
    });
    match step {
        Ok((output, next, assigned)) => {
            note_variables(&mut out, &e, &assigned);
            out.output = Some(output);
            out.next_state = next;
            out
        }
        Err(h) => out.failed(halted(h)),
    }
}

/// The variables after the state: those it was given, then its assignments.
fn note_variables(out: &mut Outcome, e: &Entered<'_>, assigned: &Map<String, Value>) {
    if e.vars.is_empty() && assigned.is_empty() {
        return;
    }
    let mut all = (*e.vars).clone();
    for (k, v) in assigned {
        all.insert(k.clone(), v.clone());
    }
    out.note("variables", &Value::Object(all));
}

/// A JSONata state under TestState: the execution's own evaluation of each
/// field, without waiting, and a Task's work done by the mock or a
/// request/response call.
async fn jsonata(
    run: &Run,
    e: &Entered<'_>,
    state: &State,
    mock: Option<Mock>,
    retries: u64,
    mut out: Outcome,
) -> Outcome {
    let ctx = e.context(run, retries);
    let step: Result<(Exit, Option<String>), Halt> = match state {
        State::Pass(s) => super::pass(run, e, s).map(|x| (x, next_of(&s.transition))),
        State::Succeed(s) => super::succeed(run, e, &s.common).map(|x| (x, None)),
        State::Fail(s) => Err(super::fail(run, e, s)),
        State::Choice(s) => super::choice(run, e, s, &mut Cursor::default()).map(|x| {
            let next = x.next.clone();
            (x, next)
        }),
        State::Wait(s) => {
            let q = e.query(run, &ctx);
            super::jsonata_assign(e, &q, s.common.assign.as_ref()).and_then(|assigned| {
                super::jsonata_output(e, &q, s.common.output.as_ref())
                    .map(|output| (Exit::with(output, assigned), next_of(&s.transition)))
            })
        }
        State::Task(s) => {
            let arguments = match &s.arguments {
                Some(t) => match e.query(run, &ctx).value(t, "Arguments") {
                    Ok(v) => v,
                    Err(x) => return out.failed(halted(e.query_failed(x))),
                },
                None => e.input.clone(),
            };
            out.note("afterArguments", &arguments);
            let called = work(run, &s.resource, arguments, mock).await;
            match called {
                Ok(result) => {
                    out.note("result", &result);
                    let finished =
                        super::finish_result(run, e, &ctx, result, None, &crate::asl::OptionalPath::Absent, &s.common);
                    finished.map(|x| (x, next_of(&s.transition)))
                }
                Err(f) => return judged(run, out, e, &ctx, &s.retry, &s.catch, retries, f),
            }
        }
        State::Parallel(s) => match mock {
            Some(Mock::Result(r)) => {
                super::finish_result(run, e, &ctx, r, None, &crate::asl::OptionalPath::Absent, &s.common)
                    .map(|x| (x, next_of(&s.transition)))
            }
            Some(Mock::Error(f)) => return judged(run, out, e, &ctx, &s.retry, &s.catch, retries, f),
            None => Err(unsupported("Parallel states")),
        },
        State::Map(s) => match mock {
            Some(Mock::Result(r)) => {
                super::finish_result(run, e, &ctx, r, None, &crate::asl::OptionalPath::Absent, &s.common)
                    .map(|x| (x, next_of(&s.transition)))
            }
            Some(Mock::Error(f)) => return judged(run, out, e, &ctx, &s.retry, &s.catch, retries, f),
            None => Err(unsupported("Map states")),
        },
    };
    match step {
        Ok((exit, next)) => {
            note_variables(&mut out, e, &exit.assigned);
            out.output = Some(exit.output);
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

/// ResultSelector, `Assign` over the selected result, ResultPath and
/// OutputPath, noting each.
fn finish(
    out: &mut Outcome,
    e: &Entered<'_>,
    ctx: &Value,
    result: Value,
    (selector, result_path, assign): (Option<&Value>, &crate::asl::OptionalPath, Option<&Value>),
    output: &crate::asl::OptionalPath,
) -> Result<(Value, Map<String, Value>), Halt> {
    out.note("result", &result);
    let selected = match selector {
        Some(t) => {
            let v = path::apply_payload_template(t, &result, ctx).map_err(|x| e.fail(&x))?;
            out.note("afterResultSelector", &v);
            v
        }
        None => result,
    };
    let assigned = e.assign_paths(assign, &selected, ctx)?;
    let merged = path::apply_result_path(field(result_path).as_ref(), &e.input, selected).map_err(|x| e.fail(&x))?;
    out.note("afterResultPath", &merged);
    output_path(e, ctx, &merged, output).map(|o| (o, assigned))
}

/// A state's output, the state after it, and what it assigned.
type Stepped = (Value, Option<String>, Map<String, Value>);

/// A Map or Parallel under TestState: the mock stands in for its branches.
fn mocked(
    out: &mut Outcome,
    e: &Entered<'_>,
    ctx: &Value,
    mock: Option<Mock>,
    (selector, result_path, transition): (Option<&Value>, &crate::asl::OptionalPath, &Transition),
    common: &crate::asl::CommonFields,
    what: &str,
) -> Result<Stepped, Halt> {
    match mock {
        Some(Mock::Result(r)) => {
            let ends = (selector, result_path, common.assign.as_ref());
            finish(out, e, ctx, r, ends, &common.output_path).map(|(o, assigned)| (o, next_of(transition), assigned))
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
    mock: Option<Mock>,
    retries: u64,
    mut out: Outcome,
) -> Outcome {
    // `$name` paths read the variables the request gave; the call itself is outside.
    let parameters = e.paths(|| {
        let effective =
            path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, ctx).map_err(|x| e.fail(&x))?;
        out.note("afterInputPath", &effective);
        match &s.parameters {
            Some(t) => {
                let v = path::apply_payload_template(t, &effective, ctx).map_err(|x| e.fail(&x))?;
                out.note("afterParameters", &v);
                Ok(v)
            }
            None => Ok(effective),
        }
    });
    let parameters = match parameters {
        Ok(v) => v,
        Err(h) => return out.failed(halted(h)),
    };
    let called = work(run, &s.resource, parameters, mock).await;
    let failure = match called {
        Ok(result) => {
            let ends = (s.result_selector.as_ref(), &s.result_path, s.common.assign.as_ref());
            match e.paths(|| finish(&mut out, e, ctx, result, ends, &s.common.output_path)) {
                Ok((output, assigned)) => {
                    note_variables(&mut out, e, &assigned);
                    out.output = Some(output);
                    out.next_state = next_of(&s.transition);
                    return out;
                }
                Err(h) => halted(h),
            }
        }
        Err(f) => f,
    };
    judged(run, out, e, ctx, &s.retry, &s.catch, retries, failure)
}

/// A Task's work under TestState: the mock's answer, or a request/response call.
async fn work(run: &Run, resource_arn: &str, parameters: Value, mock: Option<Mock>) -> Result<Value, Failure> {
    let resource = Resource::parse(resource_arn);
    match mock {
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
                format!("TestState calls request/response integrations only; {resource_arn} needs a mock"),
            )),
        },
    }
}

/// A failure as TestState reports it: RETRIABLE when a retrier names it and
/// has attempts left, CAUGHT_ERROR when a catcher takes it (its ResultPath,
/// or in JSONata its `Output` and `Assign`), else FAILED.
#[allow(clippy::too_many_arguments, reason = "the state's pieces, passed once")]
fn judged(
    run: &Run,
    mut out: Outcome,
    e: &Entered<'_>,
    ctx: &Value,
    retriers: &[crate::asl::Retrier],
    catchers: &[crate::asl::Catcher],
    retries: u64,
    failure: Failure,
) -> Outcome {
    if retry::retrier(retriers, &failure).is_some_and(|(_, r)| retries < r.max_attempts()) {
        out.status = "RETRIABLE";
        out.error = Some(failure.error);
        out.cause = Some(failure.cause);
        return out;
    }
    let caught = retry::catcher(catchers, &failure)
        .and_then(|c| catchers.iter().position(|x| std::ptr::eq(x, c)).map(|i| (i, c)))
        .filter(|_| !super::uncatchable(&failure.error));
    let Some((index, c)) = caught else {
        return out.failed(failure);
    };
    let error_output = json!({"Error": failure.error, "Cause": failure.cause});
    let output = if e.jsonata {
        match super::jsonata_catch(run, e, ctx, index, c, error_output) {
            Ok((output, assigned)) => {
                out.inspection
                    .insert("errorDetails".into(), json!({"catchIndex": index}));
                note_variables(&mut out, e, &assigned);
                output
            }
            Err(x) => return out.failed(halted(e.query_failed(x))),
        }
    } else {
        let caught = e.paths(|| {
            let assigned = e.assign_paths(c.assign.as_ref(), &error_output, ctx)?;
            path::apply_result_path(field(&c.result_path).as_ref(), &e.input, error_output.clone())
                .map(|v| (v, assigned))
                .map_err(|x| e.fail(&x))
        });
        match caught {
            Ok((v, assigned)) => {
                note_variables(&mut out, e, &assigned);
                v
            }
            Err(h) => return out.failed(halted(h)),
        }
    };
    out.status = "CAUGHT_ERROR";
    out.output = Some(output);
    out.next_state = Some(c.next.clone());
    out.error = Some(failure.error);
    out.cause = Some(failure.cause);
    out
}
