//! The interpreter: runs a parsed definition over an input, state by state,
//! recording the history events AWS records, applying the data-flow fields
//! (InputPath, Parameters, ResultSelector, ResultPath, OutputPath), retries
//! and catches, waits on the execution's [`Clock`], and Task states through
//! the [`Host`]. Parallel branches and Map iterations run concurrently.

mod branches;
mod distributed;
pub mod items;
mod retry;
mod task;
pub mod test_state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::asl::{
    ChoiceState, FailState, OptionalPath, PassState, State, States, Transition, ValueOrPath, WaitFor, WaitState,
};
use crate::history::History;
use crate::mock::{MockConfig, MockResponse};
use crate::path::{self, PathError};
use lakestack_aws_protocol::Clock;

pub use task::{ActivityTask, Host, TokenWait};

/// Why a path of execution stopped before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum Halt {
    /// A state failed with this error and cause (catchable where Catch allows).
    Failed(Failure),
    /// StopExecution: the whole execution ends ABORTED.
    Aborted,
    /// The execution's own TimeoutSeconds passed.
    TimedOut,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub cause: String,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// The errors that end an execution whatever Catch says.
fn uncatchable(error: &str) -> bool {
    matches!(error, "States.Runtime" | "States.DataLimitExceeded")
}

/// What is shared by every path of one execution.
pub struct Run {
    pub execution_arn: String,
    pub execution_name: String,
    pub machine_arn: String,
    pub machine_name: String,
    pub role_arn: String,
    pub start_time: DateTime<Utc>,
    pub input: Value,
    pub redrive_count: i64,
    /// Whether `$$` must carry `Execution.Input`: copying a large input into
    /// every state's context (10,000 Map iterations) is the cost otherwise.
    pub context_input: bool,
    pub clock: Clock,
    /// None for EXPRESS executions, which keep no history (unless their
    /// machine logs it).
    pub history: Option<History>,
    /// Where the execution's events are logged, if its machine logs them.
    pub logging: Option<Arc<crate::logging::LogSettings>>,
    pub host: Arc<dyn Host>,
    /// Becomes true when the execution is stopped.
    pub stop: watch::Receiver<bool>,
    /// The mock-config test case the execution runs, if any.
    pub mock: Option<Arc<Mocked>>,
}

/// A test case of the mock configuration, with how many times each state
/// has been invoked so far: the count picks the response, retries included.
pub struct Mocked {
    config: Arc<MockConfig>,
    machine: String,
    case: String,
    invocations: Mutex<HashMap<String, u64>>,
}

impl Mocked {
    pub fn new(config: Arc<MockConfig>, machine: &str, case: &str) -> Self {
        Self {
            config,
            machine: machine.to_owned(),
            case: case.to_owned(),
            invocations: Mutex::default(),
        }
    }

    /// The response for this invocation of `state`, or None when the test
    /// case leaves the state to its real service.
    fn next(&self, state: &str) -> Option<MockResponse> {
        let mut counts = self.invocations.lock().unwrap_or_else(PoisonError::into_inner);
        let n = counts.entry(state.to_owned()).or_default();
        let response = self.config.response(&self.machine, &self.case, state, *n)?;
        *n += 1;
        Some(response)
    }
}

/// Where a branch's next event links to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    pub previous: i64,
}

impl Run {
    /// A child workflow execution of a distributed Map: its own identity and
    /// context, no history in the parent's, the parent's clock, services and stop.
    pub fn child(&self, execution_arn: String, execution_name: String, machine_arn: String, input: Value) -> Run {
        Run {
            execution_arn,
            execution_name,
            machine_name: machine_arn.rsplit(':').next().unwrap_or_default().to_owned(),
            machine_arn,
            role_arn: self.role_arn.clone(),
            start_time: self.clock.now(),
            input,
            redrive_count: 0,
            context_input: self.context_input,
            clock: self.clock.clone(),
            history: None,
            logging: None,
            host: Arc::clone(&self.host),
            stop: self.stop.clone(),
            mock: self.mock.clone(),
        }
    }

    /// Records an event after the cursor's last and moves the cursor to it.
    pub fn event(&self, cursor: &mut Cursor, kind: &'static str, details: Value) -> i64 {
        match &self.history {
            Some(h) => {
                cursor.previous = h.append(kind, cursor.previous, self.clock.now(), details);
                cursor.previous
            }
            None => 0,
        }
    }

    /// Whether this path of execution must end: StopExecution, or the
    /// history has reached its quota (the execution then fails; see `execute`).
    pub fn stopped(&self) -> bool {
        *self.stop.borrow() || self.history_full()
    }

    pub fn history_full(&self) -> bool {
        self.history.as_ref().is_some_and(History::is_full)
    }

    /// `$$`: the context object a state sees.
    pub fn context(
        &self,
        state: &str,
        entered: DateTime<Utc>,
        retry_count: u64,
        extra: Option<(&str, Value)>,
    ) -> Value {
        let mut c = json!({
            "Execution": {
                "Id": self.execution_arn,
                "Input": if self.context_input { self.input.clone() } else { Value::Null },
                "Name": self.execution_name,
                "RoleArn": self.role_arn,
                "StartTime": iso(self.start_time),
                "RedriveCount": self.redrive_count,
            },
            "State": {"EnteredTime": iso(entered), "Name": state, "RetryCount": retry_count},
            "StateMachine": {"Id": self.machine_arn, "Name": self.machine_name},
        });
        if let (Some((key, value)), Value::Object(m)) = (extra, &mut c) {
            m.insert(key.to_owned(), value);
        }
        c
    }

    /// Sleeps on the execution clock; Err when the execution is stopped meanwhile.
    pub async fn sleep(&self, d: Duration) -> Result<(), Halt> {
        let mut stop = self.stop.clone();
        tokio::select! {
            () = self.clock.sleep(d) => Ok(()),
            _ = stop.wait_for(|s| *s) => Err(Halt::Aborted),
        }
    }
}

/// Whether a definition can read `$$.Execution.Input`: it names it, or
/// takes `$$` or `$$.Execution` whole.
pub fn reads_context_input(definition: &str) -> bool {
    definition.match_indices("$$").any(|(i, _)| {
        let rest = &definition[i + 2..];
        match rest.strip_prefix(".Execution") {
            Some(after) => !after.starts_with('.') || after.starts_with(".Input"),
            None => !rest.starts_with('.'),
        }
    })
}

/// ISO 8601 with milliseconds and `Z`, as the context object writes times.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Compact JSON, as event details carry inputs and outputs.
pub fn text(v: &Value) -> String {
    path::to_compact_json(v)
}

/// AWS's quota for a state's input and output, a task's result and an
/// execution's input and output: 256 KiB of UTF-8 JSON.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// How deeply a state's output may nest: as deep as serde_json reads back
/// (executions are resumed from their stored history), and shallow enough
/// that serializing and dropping it, which recurse, are safe. Values read
/// from requests cannot nest deeper; a loop that wraps its input once per
/// turn (`ResultPath: $.previous`) can.
pub const MAX_NESTING: usize = 127;

/// Whether `v` nests arrays and objects more than `max` levels deep; does
/// not recurse, so it is safe on any value.
pub fn nests_deeper_than(v: &Value, max: usize) -> bool {
    let mut stack: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth > max {
            return true;
        }
        stack.extend(
            children
                .filter(|c| c.is_array() || c.is_object())
                .map(|c| (c, depth + 1)),
        );
    }
    false
}

/// A state's output as the JSON text its events carry, refused past the
/// payload quota (`States.DataLimitExceeded`, which no Catch catches) or
/// past [`MAX_NESTING`].
fn output_text(state: &str, entered_id: i64, output: &Value) -> Result<String, Halt> {
    if nests_deeper_than(output, MAX_NESTING) {
        return Err(Halt::Failed(Failure::new(
            "States.Runtime",
            format!(
                "An error occurred while executing the state '{state}' (entered at the event id #{entered_id}). \
                 The state's output nests arrays and objects more than {MAX_NESTING} levels deep."
            ),
        )));
    }
    let t = text(output);
    if t.len() > MAX_PAYLOAD_BYTES {
        return Err(Halt::Failed(Failure::new(
            "States.DataLimitExceeded",
            format!(
                "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        )));
    }
    Ok(t)
}

/// The JSON for a data-flow field: absent is None, explicit null is Null.
fn field(p: &OptionalPath) -> Option<Value> {
    match p {
        OptionalPath::Absent => None,
        OptionalPath::Null => Some(Value::Null),
        OptionalPath::Path(s) => Some(Value::String(s.clone())),
    }
}

/// A state's failure from a path error, worded with the state and the event that entered it.
fn path_failure(e: &PathError, state: &str, entered_id: i64) -> Failure {
    Failure::new(e.error(), e.cause(state, entered_id.max(0) as u64))
}

/// Runs the states of a machine or branch from `start_at` until one ends it.
pub async fn run_states(
    run: &Run,
    states: &States,
    start_at: &str,
    input: Value,
    cursor: &mut Cursor,
) -> Result<Value, Halt> {
    let mut name = start_at.to_owned();
    let mut input = input;
    loop {
        if run.stopped() {
            return Err(Halt::Aborted);
        }
        let Some(state) = states.get(&name) else {
            return Err(Halt::Failed(Failure::new(
                "States.Runtime",
                format!("The state '{name}' does not exist in the state machine"),
            )));
        };
        let step = run_state(run, &name, state, input, cursor).await?;
        match step {
            Step::Next(next, output) => {
                name = next;
                input = output;
            }
            Step::End(output) => return Ok(output),
        }
    }
}

enum Step {
    Next(String, Value),
    End(Value),
}

fn step_of(t: &Transition, output: Value) -> Step {
    match t {
        Transition::Next(n) => Step::Next(n.clone(), output),
        Transition::End => Step::End(output),
    }
}

/// The `*StateEntered` event's type for a state.
fn entered_kind(state: &State) -> &'static str {
    match state {
        State::Pass(_) => "PassStateEntered",
        State::Task(_) => "TaskStateEntered",
        State::Choice(_) => "ChoiceStateEntered",
        State::Wait(_) => "WaitStateEntered",
        State::Succeed(_) => "SucceedStateEntered",
        State::Fail(_) => "FailStateEntered",
        State::Parallel(_) => "ParallelStateEntered",
        State::Map(_) => "MapStateEntered",
    }
}

fn exited_kind(state: &State) -> &'static str {
    match state {
        State::Pass(_) => "PassStateExited",
        State::Task(_) => "TaskStateExited",
        State::Choice(_) => "ChoiceStateExited",
        State::Wait(_) => "WaitStateExited",
        State::Succeed(_) => "SucceedStateExited",
        State::Fail(_) => "FailStateExited",
        State::Parallel(_) => "ParallelStateExited",
        State::Map(_) => "MapStateExited",
    }
}

/// What a state entered with: its name, raw input, when, and the event id.
pub struct Entered<'a> {
    pub name: &'a str,
    pub input: Value,
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Entered<'_> {
    pub fn context(&self, run: &Run, retry_count: u64) -> Value {
        run.context(self.name, self.at, retry_count, None)
    }

    pub fn fail(&self, e: &PathError) -> Halt {
        Halt::Failed(path_failure(e, self.name, self.id))
    }
}

async fn run_state(run: &Run, name: &str, state: &State, input: Value, cursor: &mut Cursor) -> Result<Step, Halt> {
    let at = run.clock.now();
    let id = run.event(
        cursor,
        entered_kind(state),
        json!({"name": name, "input": text(&input)}),
    );
    let entered = Entered { name, input, at, id };
    let outcome = match state {
        State::Pass(s) => pass(run, &entered, s),
        State::Choice(s) => return choice(run, &entered, s, cursor),
        State::Wait(s) => wait(run, &entered, s).await,
        State::Succeed(s) => {
            let ctx = entered.context(run, 0);
            field_io(&s.common.input_path, &s.common.output_path, &entered, &ctx)
        }
        State::Fail(s) => return Err(fail(run, &entered, s)),
        State::Task(s) => task::run(run, &entered, s, cursor).await,
        State::Parallel(s) => branches::parallel(run, &entered, s, cursor).await,
        State::Map(s) => branches::map(run, &entered, s, cursor).await,
    };
    let output = match outcome {
        Ok(output) => output,
        Err(Halt::Failed(f)) => match retry::catcher(state.catch(), &f) {
            // A caught error moves on to the catcher's state without an exit event.
            Some(c) if !uncatchable(&f.error) => {
                let error_output = json!({"Error": f.error, "Cause": f.cause});
                let out = path::apply_result_path(field(&c.result_path).as_ref(), &entered.input, error_output)
                    .map_err(|e| entered.fail(&e))?;
                output_text(name, entered.id, &out)?;
                return Ok(Step::Next(c.next.clone(), out));
            }
            _ => return Err(Halt::Failed(f)),
        },
        Err(other) => return Err(other),
    };
    let out_text = output_text(name, entered.id, &output)?;
    run.event(cursor, exited_kind(state), json!({"name": name, "output": out_text}));
    match state {
        State::Succeed(_) => Ok(Step::End(output)),
        other => match other.transition() {
            Some(t) => Ok(step_of(t, output)),
            None => Ok(Step::End(output)),
        },
    }
}

/// InputPath then OutputPath: the whole data flow of Succeed (and Wait, Choice).
fn field_io(
    input_path: &OptionalPath,
    output_path: &OptionalPath,
    e: &Entered<'_>,
    ctx: &Value,
) -> Result<Value, Halt> {
    let effective = path::apply_input_path(field(input_path).as_ref(), &e.input, ctx).map_err(|x| e.fail(&x))?;
    path::apply_output_path(field(output_path).as_ref(), &effective, ctx).map_err(|x| e.fail(&x))
}

fn pass(run: &Run, e: &Entered<'_>, s: &PassState) -> Result<Value, Halt> {
    let ctx = e.context(run, 0);
    let effective =
        path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
    let result = match (&s.result, &s.parameters) {
        (Some(r), _) => r.clone(),
        (None, Some(p)) => path::apply_payload_template(p, &effective, &ctx).map_err(|x| e.fail(&x))?,
        (None, None) => effective,
    };
    let merged = path::apply_result_path(field(&s.result_path).as_ref(), &e.input, result).map_err(|x| e.fail(&x))?;
    path::apply_output_path(field(&s.common.output_path).as_ref(), &merged, &ctx).map_err(|x| e.fail(&x))
}

fn choice(run: &Run, e: &Entered<'_>, s: &ChoiceState, cursor: &mut Cursor) -> Result<Step, Halt> {
    let ctx = e.context(run, 0);
    let effective =
        path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
    let mut next = None;
    for rule in &s.choices {
        if crate::choice::matches(&rule.rule, &effective, &ctx).map_err(|x| e.fail(&x))? {
            next = Some(rule.next.clone());
            break;
        }
    }
    let Some(next) = next.or_else(|| s.default.clone()) else {
        return Err(Halt::Failed(Failure::new("States.NoChoiceMatched", "No Matches!")));
    };
    let output =
        path::apply_output_path(field(&s.common.output_path).as_ref(), &effective, &ctx).map_err(|x| e.fail(&x))?;
    let out_text = output_text(e.name, e.id, &output)?;
    run.event(cursor, "ChoiceStateExited", json!({"name": e.name, "output": out_text}));
    Ok(Step::Next(next, output))
}

async fn wait(run: &Run, e: &Entered<'_>, s: &WaitState) -> Result<Value, Halt> {
    let ctx = e.context(run, 0);
    let effective =
        path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
    let runtime = |detail: String| Halt::Failed(Failure::new("States.Runtime", runtime_cause(e, &detail)));
    match &s.wait {
        WaitFor::Seconds(v) => {
            let secs = match v {
                ValueOrPath::Value(n) => *n,
                ValueOrPath::Path(p) => {
                    let v = select(p, &effective, &ctx).map_err(|x| e.fail(&x))?;
                    v.as_u64().ok_or_else(|| {
                        runtime(format!(
                            "The SecondsPath parameter does not reference a valid integer: {p}"
                        ))
                    })?
                }
                ValueOrPath::Jsonata(_) => return Err(runtime("JSONata is not supported".into())),
            };
            run.sleep(Duration::from_secs(secs)).await?;
        }
        WaitFor::Timestamp(v) => {
            let raw = match v {
                ValueOrPath::Value(t) => t.clone(),
                ValueOrPath::Path(p) => {
                    let v = select(p, &effective, &ctx).map_err(|x| e.fail(&x))?;
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        runtime(format!("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p}"))
                    })?
                }
                ValueOrPath::Jsonata(_) => return Err(runtime("JSONata is not supported".into())),
            };
            let at = crate::choice::parse_timestamp(&raw).ok_or_else(|| {
                runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {raw}"
                ))
            })?;
            let left = (at.with_timezone(&Utc) - run.clock.now()).to_std().unwrap_or_default();
            run.sleep(left).await?;
        }
    }
    path::apply_output_path(field(&s.common.output_path).as_ref(), &effective, &ctx).map_err(|x| e.fail(&x))
}

fn runtime_cause(e: &Entered<'_>, detail: &str) -> String {
    format!(
        "An error occurred while executing the state '{}' (entered at the event id #{}). {detail}",
        e.name, e.id
    )
}

/// A reference path's value (a `*Path` field).
pub fn select(p: &str, input: &Value, ctx: &Value) -> Result<Value, PathError> {
    let path = path::Path::parse_reference(p)?;
    path::select_for_field(&path, p, input, ctx)
}

fn fail(run: &Run, e: &Entered<'_>, s: &FailState) -> Halt {
    let ctx = e.context(run, 0);
    let value = |v: &Option<ValueOrPath<String>>| -> Result<Option<String>, Halt> {
        Ok(match v {
            None => None,
            Some(ValueOrPath::Value(s)) => Some(s.clone()),
            Some(ValueOrPath::Path(p)) => {
                let v = if crate::intrinsics::is_intrinsic(p) {
                    crate::intrinsics::evaluate(p, &e.input, &ctx)
                } else {
                    select(p, &e.input, &ctx)
                }
                .map_err(|x| e.fail(&x))?;
                Some(match v {
                    Value::String(s) => s,
                    other => text(&other),
                })
            }
            Some(ValueOrPath::Jsonata(_)) => None,
        })
    };
    match (value(&s.error), value(&s.cause)) {
        (Ok(error), Ok(cause)) => Halt::Failed(Failure {
            error: error.unwrap_or_default(),
            cause: cause.unwrap_or_default(),
        }),
        (Err(h), _) | (_, Err(h)) => h,
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, nests_deeper_than, reads_context_input};
    use serde_json::Value;

    #[test]
    fn the_nesting_bound_is_what_serde_reads_back() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let deepest: Value = serde_json::from_str(&nested(MAX_NESTING)).unwrap();
        assert!(!nests_deeper_than(&deepest, MAX_NESTING));
        assert!(serde_json::from_str::<Value>(&nested(MAX_NESTING + 1)).is_err());
        let mut deeper = deepest;
        for _ in 0..1000 {
            deeper = Value::Array(vec![Value::Null, deeper]);
        }
        assert!(nests_deeper_than(&deeper, MAX_NESTING));
        assert!(!nests_deeper_than(&deeper, MAX_NESTING + 1000));
        assert!(!nests_deeper_than(&Value::Null, 0));
    }

    #[test]
    fn context_input_is_carried_only_when_named() {
        assert!(reads_context_input(r#"{"a.$": "$$.Execution.Input.x"}"#));
        assert!(reads_context_input(r#"{"a.$": "$$.Execution"}"#));
        assert!(reads_context_input(r#"{"a.$": "States.JsonToString($$)"}"#));
        assert!(!reads_context_input(
            r#"{"a.$": "$$.Execution.Id", "b.$": "$$.Map.Item.Value"}"#
        ));
        assert!(!reads_context_input(r#"{"a.$": "$.x"}"#));
    }
}
