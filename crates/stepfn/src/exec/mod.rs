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
pub mod vars;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::asl::{
    ChoiceState, FailState, OptionalPath, PassState, QueryLanguage, State, States, Transition, ValueOrPath, WaitFor,
    WaitState,
};
use crate::history::History;
use crate::mock::{MockConfig, MockResponse};
use crate::path::{self, PathError};
use crate::query::{Query, QueryError};
use lakestack_aws_protocol::Clock;
use vars::Scope;

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
    /// The field whose JSONata expression failed (`Output/a`), for the
    /// `EvaluationFailed` event.
    pub location: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
            location: None,
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
    /// The machine's `QueryLanguage`, which states that declare none use
    /// (nested ones too, whatever their Map's or Parallel's).
    pub language: QueryLanguage,
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
            language: self.language,
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

/// Sets a state's variables, failing it past AWS's quotas on them.
fn assign(scope: &Scope, state: &str, assigned: &Map<String, Value>) -> Result<(), Halt> {
    scope
        .assign(state, assigned)
        .map_err(|e| Halt::Failed(Failure::new("States.DataLimitExceeded", e.0)))
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
    scope: &Arc<Scope>,
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
        let step = run_state(run, scope, &name, state, input, cursor).await?;
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

/// What a state entered with: its name, raw input, when, the event id, its
/// language, and the variables as they were on entry (every reference in
/// the state reads these, whatever it assigns).
pub struct Entered<'a> {
    pub name: &'a str,
    pub input: Value,
    pub at: DateTime<Utc>,
    pub id: i64,
    pub jsonata: bool,
    pub vars: Arc<Map<String, Value>>,
    /// Run by TestState, which records no history: AWS gives a failed
    /// expression's bare detail there, without the state and event id.
    pub test_state: bool,
}

impl Entered<'_> {
    pub fn context(&self, run: &Run, retry_count: u64) -> Value {
        run.context(self.name, self.at, retry_count, None)
    }

    pub fn fail(&self, e: &PathError) -> Halt {
        Halt::Failed(path_failure(e, self.name, self.id))
    }

    /// A JSONata query over this state's input and context.
    pub fn query<'q>(&'q self, run: &Run, context: &'q Value) -> Query<'q> {
        Query::new(
            &self.input,
            context,
            &self.vars,
            run.clock.now().timestamp_millis() as f64,
        )
    }

    /// A failed expression as the state's failure.
    pub fn query_failed(&self, e: QueryError) -> Halt {
        let cause = if self.test_state {
            e.detail.clone()
        } else {
            e.cause(self.name, self.id)
        };
        Halt::Failed(Failure {
            error: QueryError::ERROR.into(),
            cause,
            location: Some(e.location),
        })
    }

    /// Runs JSONPath data flow with `$name` paths reading the variables.
    pub fn paths<T>(&self, f: impl FnOnce() -> T) -> T {
        path::with_variables(&self.vars, f)
    }

    /// `Assign` in a JSONPath state: a payload template over `dollar`
    /// (the state's result, or its effective input for Choice and Wait).
    pub fn assign_paths(
        &self,
        assign: Option<&Value>,
        dollar: &Value,
        ctx: &Value,
    ) -> Result<Map<String, Value>, Halt> {
        let Some(t) = assign else { return Ok(Map::new()) };
        match self.paths(|| path::apply_payload_template(t, dollar, ctx)) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Ok(Map::new()),
            Err(x) => Err(self.fail(&x)),
        }
    }
}

/// How a state ends well: its output and the variables it assigns (set
/// once it is done, so nothing in the state saw them).
pub struct Exit {
    pub output: Value,
    pub assigned: Map<String, Value>,
    /// Where a Choice goes (which records its own exit event).
    pub next: Option<String>,
}

impl Exit {
    pub fn output(output: Value) -> Self {
        Exit {
            output,
            assigned: Map::new(),
            next: None,
        }
    }

    pub fn with(output: Value, assigned: Map<String, Value>) -> Self {
        Exit {
            output,
            assigned,
            next: None,
        }
    }
}

/// The state's effective language.
fn language_of(run: &Run, state: &State) -> QueryLanguage {
    state.common().query_language.unwrap_or(run.language)
}

/// The `assignedVariables` of an exited event: each value as compact JSON.
fn assigned_details(details: &mut Value, assigned: &Map<String, Value>) {
    if assigned.is_empty() {
        return;
    }
    let vars: Map<String, Value> = assigned
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(text(v))))
        .collect();
    details["assignedVariables"] = Value::Object(vars);
    details["assignedVariablesDetails"] = json!({"truncated": false});
}

async fn run_state(
    run: &Run,
    scope: &Arc<Scope>,
    name: &str,
    state: &State,
    input: Value,
    cursor: &mut Cursor,
) -> Result<Step, Halt> {
    let before = cursor.previous;
    let at = run.clock.now();
    let id = run.event(
        cursor,
        entered_kind(state),
        json!({"name": name, "input": text(&input)}),
    );
    let jsonata = language_of(run, state) == QueryLanguage::Jsonata;
    let entered = Entered {
        name,
        input,
        at,
        id,
        jsonata,
        vars: scope.snapshot(),
        test_state: false,
    };
    let outcome = match state {
        State::Pass(s) => pass(run, &entered, s),
        State::Choice(s) => choice(run, &entered, s, cursor),
        State::Wait(s) => wait(run, &entered, s).await,
        State::Succeed(s) => succeed(run, &entered, &s.common),
        State::Fail(s) => Err(fail(run, &entered, s)),
        State::Task(s) => task::run(run, scope, &entered, s, cursor).await,
        State::Parallel(s) => branches::parallel(run, scope, &entered, s, cursor).await,
        State::Map(s) => branches::map(run, scope, &entered, s, cursor).await,
    };
    let exit = match outcome {
        Ok(exit) => exit,
        Err(Halt::Failed(mut f)) => {
            // Recorded once, by the state that failed, not again by an enclosing Parallel or Map.
            if let Some(location) = f.location.take() {
                evaluation_failed(run, cursor, before, name, &f, &location);
            }
            let caught = retry::catcher(state.catch(), &f)
                .and_then(|c| state.catch().iter().position(|x| std::ptr::eq(x, c)).map(|i| (i, c)));
            match caught {
                // A caught error moves on to the catcher's state without an exit event.
                Some((index, c)) if !uncatchable(&f.error) => {
                    let error_output = json!({"Error": f.error, "Cause": f.cause});
                    let (out, assigned) = if entered.jsonata {
                        let ctx = entered.context(run, 0);
                        match jsonata_catch(run, &entered, &ctx, index, c, error_output) {
                            Ok(v) => v,
                            Err(e) => {
                                let halt = entered.query_failed(e);
                                if let Halt::Failed(f) = &halt
                                    && let Some(location) = &f.location
                                {
                                    evaluation_failed(run, cursor, cursor.previous, name, f, location);
                                }
                                return Err(halt);
                            }
                        }
                    } else {
                        let ctx = entered.context(run, 0);
                        let out = path::apply_result_path(
                            field(&c.result_path).as_ref(),
                            &entered.input,
                            error_output.clone(),
                        )
                        .map_err(|e| entered.fail(&e))?;
                        let assigned = entered.assign_paths(c.assign.as_ref(), &error_output, &ctx)?;
                        (out, assigned)
                    };
                    output_text(name, entered.id, &out)?;
                    assign(scope, name, &assigned)?;
                    return Ok(Step::Next(c.next.clone(), out));
                }
                _ => return Err(Halt::Failed(f)),
            }
        }
        Err(other) => return Err(other),
    };
    let out_text = output_text(name, entered.id, &exit.output)?;
    assign(scope, name, &exit.assigned)?;
    if let Some(next) = exit.next {
        // A Choice records its exit itself.
        return Ok(Step::Next(next, exit.output));
    }
    let mut details = json!({"name": name, "output": out_text});
    assigned_details(&mut details, &exit.assigned);
    run.event(cursor, exited_kind(state), details);
    match state {
        State::Succeed(_) => Ok(Step::End(exit.output)),
        other => match other.transition() {
            Some(t) => Ok(step_of(t, exit.output)),
            None => Ok(Step::End(exit.output)),
        },
    }
}

/// What a Task, Parallel or Map makes of its `result`: in JSONata, `Output`
/// (default: the result) and `Assign` over `$states.result`; in JSONPath,
/// ResultSelector, then `Assign` over the selected result, ResultPath and
/// OutputPath.
pub fn finish_result(
    run: &Run,
    e: &Entered<'_>,
    ctx: &Value,
    result: Value,
    result_selector: Option<&Value>,
    result_path: &OptionalPath,
    common: &crate::asl::CommonFields,
) -> Result<Exit, Halt> {
    if e.jsonata {
        let q = e.query(run, ctx).with_result(&result);
        let assigned = jsonata_assign(e, &q, common.assign.as_ref())?;
        let output = match &common.output {
            Some(t) => q.value(t, "Output").map_err(|x| e.query_failed(x))?,
            None => result.clone(),
        };
        return Ok(Exit::with(output, assigned));
    }
    e.paths(|| {
        let selected = match result_selector {
            Some(t) => path::apply_payload_template(t, &result, ctx).map_err(|x| e.fail(&x))?,
            None => result,
        };
        let assigned = e.assign_paths(common.assign.as_ref(), &selected, ctx)?;
        let merged =
            path::apply_result_path(field(result_path).as_ref(), &e.input, selected).map_err(|x| e.fail(&x))?;
        let output =
            path::apply_output_path(field(&common.output_path).as_ref(), &merged, ctx).map_err(|x| e.fail(&x))?;
        Ok(Exit::with(output, assigned))
    })
}

/// A JSONata catcher's `Output` (default: the error output) and `Assign`,
/// over `$states.errorOutput`.
fn jsonata_catch(
    run: &Run,
    e: &Entered<'_>,
    ctx: &Value,
    index: usize,
    c: &crate::asl::Catcher,
    error_output: Value,
) -> Result<(Value, Map<String, Value>), QueryError> {
    let q = e.query(run, ctx).with_error_output(&error_output);
    let assigned = match &c.assign {
        Some(t) => q.assign(t, &format!("Catch[{index}]/Assign"))?,
        None => Map::new(),
    };
    let output = match &c.output {
        Some(t) => q.value(t, &format!("Catch[{index}]/Output"))?,
        None => error_output.clone(),
    };
    Ok((output, assigned))
}

/// The `EvaluationFailed` event AWS records when a JSONata expression
/// fails: linked to the event before the state was entered, as AWS links it.
fn evaluation_failed(run: &Run, cursor: &mut Cursor, previous: i64, state: &str, f: &Failure, location: &str) {
    let mut c = Cursor { previous };
    run.event(
        &mut c,
        "EvaluationFailed",
        json!({"error": f.error, "cause": f.cause, "location": location, "state": state}),
    );
    if c.previous != previous {
        cursor.previous = c.previous;
    }
}

/// InputPath then OutputPath: the whole data flow of a JSONPath Succeed.
fn field_io(
    input_path: &OptionalPath,
    output_path: &OptionalPath,
    e: &Entered<'_>,
    ctx: &Value,
) -> Result<Value, Halt> {
    e.paths(|| {
        let effective = path::apply_input_path(field(input_path).as_ref(), &e.input, ctx).map_err(|x| e.fail(&x))?;
        path::apply_output_path(field(output_path).as_ref(), &effective, ctx).map_err(|x| e.fail(&x))
    })
}

/// `Output` of a JSONata state that has no result: evaluated, or the input.
fn jsonata_output(e: &Entered<'_>, q: &Query<'_>, output: Option<&Value>) -> Result<Value, Halt> {
    match output {
        Some(t) => q.value(t, "Output").map_err(|x| e.query_failed(x)),
        None => Ok(e.input.clone()),
    }
}

/// `Assign` of a JSONata state.
fn jsonata_assign(e: &Entered<'_>, q: &Query<'_>, assign: Option<&Value>) -> Result<Map<String, Value>, Halt> {
    match assign {
        Some(t) => q.assign(t, "Assign").map_err(|x| e.query_failed(x)),
        None => Ok(Map::new()),
    }
}

fn succeed(run: &Run, e: &Entered<'_>, common: &crate::asl::CommonFields) -> Result<Exit, Halt> {
    let ctx = e.context(run, 0);
    if e.jsonata {
        let q = e.query(run, &ctx);
        return jsonata_output(e, &q, common.output.as_ref()).map(Exit::output);
    }
    field_io(&common.input_path, &common.output_path, e, &ctx).map(Exit::output)
}

fn pass(run: &Run, e: &Entered<'_>, s: &PassState) -> Result<Exit, Halt> {
    let ctx = e.context(run, 0);
    if e.jsonata {
        let q = e.query(run, &ctx);
        let assigned = jsonata_assign(e, &q, s.common.assign.as_ref())?;
        let output = jsonata_output(e, &q, s.common.output.as_ref())?;
        return Ok(Exit::with(output, assigned));
    }
    e.paths(|| {
        let effective =
            path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
        let result = match (&s.result, &s.parameters) {
            (Some(r), _) => r.clone(),
            (None, Some(p)) => path::apply_payload_template(p, &effective, &ctx).map_err(|x| e.fail(&x))?,
            (None, None) => effective,
        };
        let assigned = e.assign_paths(s.common.assign.as_ref(), &result, &ctx)?;
        let merged =
            path::apply_result_path(field(&s.result_path).as_ref(), &e.input, result).map_err(|x| e.fail(&x))?;
        let output =
            path::apply_output_path(field(&s.common.output_path).as_ref(), &merged, &ctx).map_err(|x| e.fail(&x))?;
        Ok(Exit::with(output, assigned))
    })
}

/// A JSONata Choice rule's `Condition`: true, false, or an expression that
/// must evaluate to a boolean.
fn condition(e: &Entered<'_>, q: &Query<'_>, rule: &Value, index: usize) -> Result<bool, Halt> {
    let location = format!("Choices[{index}]/Condition");
    let v = match rule.get("Condition") {
        Some(Value::String(t)) => q.expression(t, &location).map_err(|x| e.query_failed(x))?,
        Some(other) => other.clone(),
        None => Value::Bool(false),
    };
    match v {
        Value::Bool(b) => Ok(b),
        other => {
            let expr = rule.get("Condition").and_then(Value::as_str).unwrap_or_default();
            Err(e.query_failed(QueryError::wrong_type(expr, &location, "boolean", &other)))
        }
    }
}

fn choice(run: &Run, e: &Entered<'_>, s: &ChoiceState, cursor: &mut Cursor) -> Result<Exit, Halt> {
    let ctx = e.context(run, 0);
    let (next, output, assigned) = if e.jsonata {
        let q = e.query(run, &ctx);
        let mut chosen = None;
        for (i, rule) in s.choices.iter().enumerate() {
            if condition(e, &q, &rule.rule, i)? {
                chosen = Some((i, rule));
                break;
            }
        }
        match chosen {
            Some((i, rule)) => {
                let assigned = match rule.rule.get("Assign") {
                    Some(t) => q
                        .assign(t, &format!("Choices[{i}]/Assign"))
                        .map_err(|x| e.query_failed(x))?,
                    None => Map::new(),
                };
                let output = match rule.rule.get("Output") {
                    Some(t) => q
                        .value(t, &format!("Choices[{i}]/Output"))
                        .map_err(|x| e.query_failed(x))?,
                    None => e.input.clone(),
                };
                (Some(rule.next.clone()), output, assigned)
            }
            None => {
                let assigned = jsonata_assign(e, &q, s.common.assign.as_ref())?;
                let output = jsonata_output(e, &q, s.common.output.as_ref())?;
                (s.default.clone(), output, assigned)
            }
        }
    } else {
        e.paths(|| {
            let effective =
                path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx).map_err(|x| e.fail(&x))?;
            let mut chosen = None;
            for rule in &s.choices {
                if crate::choice::matches(&rule.rule, &effective, &ctx).map_err(|x| e.fail(&x))? {
                    chosen = Some(rule);
                    break;
                }
            }
            let assign = match chosen {
                Some(rule) => rule.rule.get("Assign"),
                None => s.common.assign.as_ref(),
            };
            let assigned = e.assign_paths(assign, &effective, &ctx)?;
            let output = path::apply_output_path(field(&s.common.output_path).as_ref(), &effective, &ctx)
                .map_err(|x| e.fail(&x))?;
            Ok::<_, Halt>((
                chosen.map(|r| r.next.clone()).or_else(|| s.default.clone()),
                output,
                assigned,
            ))
        })?
    };
    let Some(next) = next else {
        return Err(Halt::Failed(Failure::new("States.NoChoiceMatched", "No Matches!")));
    };
    let out_text = output_text(e.name, e.id, &output)?;
    let mut details = json!({"name": e.name, "output": out_text});
    assigned_details(&mut details, &assigned);
    run.event(cursor, "ChoiceStateExited", details);
    Ok(Exit {
        output,
        assigned,
        next: Some(next),
    })
}

/// A JSONata `Seconds`: an integer from 0 to 99999999.
fn jsonata_seconds(e: &Entered<'_>, q: &Query<'_>, expr: &str) -> Result<u64, Halt> {
    let v = q.expression(expr, "Seconds").map_err(|x| e.query_failed(x))?;
    match v.as_u64().filter(|n| *n <= 99_999_999) {
        Some(n) => Ok(n),
        None => Err(e.query_failed(QueryError::wrong_type(expr, "Seconds", "integer", &v))),
    }
}

async fn wait(run: &Run, e: &Entered<'_>, s: &WaitState) -> Result<Exit, Halt> {
    let (exit, left) = wait_for(run, e, s)?;
    run.sleep(left).await?;
    Ok(exit)
}

/// A Wait state's output and assignments, and how long it waits.
fn wait_for(run: &Run, e: &Entered<'_>, s: &WaitState) -> Result<(Exit, Duration), Halt> {
    let ctx = e.context(run, 0);
    let runtime = |detail: String| Halt::Failed(Failure::new("States.Runtime", runtime_cause(e, &detail)));
    let q = e.query(run, &ctx);
    let effective = if e.jsonata {
        e.input.clone()
    } else {
        e.paths(|| path::apply_input_path(field(&s.common.input_path).as_ref(), &e.input, &ctx))
            .map_err(|x| e.fail(&x))?
    };
    let assigned = if e.jsonata {
        jsonata_assign(e, &q, s.common.assign.as_ref())?
    } else {
        e.assign_paths(s.common.assign.as_ref(), &effective, &ctx)?
    };
    let output = if e.jsonata {
        jsonata_output(e, &q, s.common.output.as_ref())?
    } else {
        e.paths(|| path::apply_output_path(field(&s.common.output_path).as_ref(), &effective, &ctx))
            .map_err(|x| e.fail(&x))?
    };
    let left = match &s.wait {
        WaitFor::Seconds(v) => {
            let secs = match v {
                ValueOrPath::Value(n) => *n,
                ValueOrPath::Path(p) => {
                    let v = e
                        .paths(|| select(p, "SecondsPath", &effective, &ctx))
                        .map_err(|x| e.fail(&x))?;
                    v.as_u64().ok_or_else(|| {
                        runtime(format!(
                            "The SecondsPath parameter does not reference a valid integer: {p}"
                        ))
                    })?
                }
                ValueOrPath::Jsonata(expr) => jsonata_seconds(e, &q, expr)?,
            };
            Duration::from_secs(secs)
        }
        WaitFor::Timestamp(v) => {
            let raw = match v {
                ValueOrPath::Value(t) => t.clone(),
                ValueOrPath::Path(p) => {
                    let v = e
                        .paths(|| select(p, "TimestampPath", &effective, &ctx))
                        .map_err(|x| e.fail(&x))?;
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        runtime(format!("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p}"))
                    })?
                }
                ValueOrPath::Jsonata(expr) => match q.expression(expr, "Timestamp").map_err(|x| e.query_failed(x))? {
                    Value::String(t) => t,
                    other => {
                        return Err(e.query_failed(QueryError::wrong_type(expr, "Timestamp", "string", &other)));
                    }
                },
            };
            let at = crate::choice::parse_timestamp(&raw).ok_or_else(|| {
                runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {raw}"
                ))
            })?;
            (at.with_timezone(&Utc) - run.clock.now()).to_std().unwrap_or_default()
        }
    };
    Ok((Exit::with(output, assigned), left))
}

fn runtime_cause(e: &Entered<'_>, detail: &str) -> String {
    format!(
        "An error occurred while executing the state '{}' (entered at the event id #{}). {detail}",
        e.name, e.id
    )
}

/// A reference path's value (the `*Path` field named `field`), with
/// AWS's cause naming that field when it matches nothing.
pub fn select(p: &str, field: &str, input: &Value, ctx: &Value) -> Result<Value, PathError> {
    let path = path::Path::parse_reference(p)?;
    path::select_for_field(&path, field, input, ctx)
}

fn fail(run: &Run, e: &Entered<'_>, s: &FailState) -> Halt {
    let ctx = e.context(run, 0);
    let q = e.query(run, &ctx);
    let value = |v: &Option<ValueOrPath<String>>, field_name: &str| -> Result<Option<String>, Halt> {
        Ok(match v {
            None => None,
            Some(ValueOrPath::Value(s)) => Some(s.clone()),
            Some(ValueOrPath::Path(p)) => {
                let v = e
                    .paths(|| {
                        if crate::intrinsics::is_intrinsic(p) {
                            crate::intrinsics::evaluate(p, &e.input, &ctx)
                        } else {
                            select(p, &format!("{field_name}Path"), &e.input, &ctx)
                        }
                    })
                    .map_err(|x| e.fail(&x))?;
                Some(match v {
                    Value::String(s) => s,
                    other => text(&other),
                })
            }
            Some(ValueOrPath::Jsonata(expr)) => match q.expression(expr, field_name).map_err(|x| e.query_failed(x))? {
                Value::String(s) => Some(s),
                other => {
                    return Err(e.query_failed(QueryError::wrong_type(expr, field_name, "string", &other)));
                }
            },
        })
    };
    match (value(&s.error, "Error"), value(&s.cause, "Cause")) {
        (Ok(error), Ok(cause)) => Halt::Failed(Failure::new(error.unwrap_or_default(), cause.unwrap_or_default())),
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
