//! The Step Functions service in domain terms: state machines, executions
//! (run as Tokio tasks by the interpreter), task tokens and activities.
//! `api` turns its calls into the wire protocol.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use futures::FutureExt;
use lakestack_aws_protocol::{Arn, timestamp};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, oneshot, watch};

use crate::asl::{self, Definition, MachineType, Options};
use crate::error::{Result, StepFnError};
use crate::exec::test_state;
use crate::exec::{self, ActivityTask, Cursor, Failure, Halt, Host, Run, text};
use crate::history::{self, History, HistoryEvent};
use crate::integration::{Integrations, Pattern, Resource};
use crate::mock::{self, MockConfig};
use crate::records::{Activity, Execution, StateMachine};
use crate::store::Store;
use lakestack_aws_protocol::Clock;

/// How long GetActivityTask waits for a task, as AWS does.
const ACTIVITY_POLL: Duration = Duration::from_secs(60);
/// How the cause of an execution ended by a lakestack bug begins.
const INTERNAL_ERROR: &str = "An internal error occurred in lakestack while running the execution";

/// Where the service runs: its region and account, for ARNs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub region: String,
    pub account: String,
    pub clock: Clock,
    /// The AWS local tool's mock configuration: test cases whose Task
    /// states answer mocked responses instead of calling services.
    pub mock: Option<Arc<MockConfig>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: "us-east-1".into(),
            account: "000000000000".into(),
            clock: Clock::default(),
            mock: None,
        }
    }
}

/// An execution's status change, sent once per transition after the new
/// status is recorded: RUNNING when it starts (StartExecution,
/// StartSyncExecution, a child's `states:startExecution`, RedriveExecution)
/// and its end. What EventBridge's "Step Functions Execution Status Change"
/// event carries; [`StepFunctions::subscribe`] hands them out.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionEvent {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub input: Option<String>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// AWS sends no events for Express executions: the subscriber decides.
    pub express: bool,
    pub redrive_count: i64,
}

impl ExecutionEvent {
    fn of(e: &Execution) -> Self {
        Self {
            execution_arn: e.arn.clone(),
            state_machine_arn: e.state_machine_arn.clone(),
            name: e.name.clone(),
            status: e.status.clone(),
            start_ms: e.start_ms,
            stop_ms: e.stop_ms,
            input: Some(e.input.clone()),
            output: e.output.clone(),
            error: e.error.clone(),
            cause: e.cause.clone(),
            express: e.kind == "EXPRESS",
            redrive_count: e.redrive_count,
        }
    }
}

struct Token {
    execution: String,
    outcome: Option<oneshot::Sender<std::result::Result<Value, Failure>>>,
    beats: watch::Sender<u64>,
    started: Option<oneshot::Sender<String>>,
}

struct Running {
    stop: watch::Sender<bool>,
    history: Option<History>,
    stop_reason: Option<(Option<String>, Option<String>)>,
    done: Arc<Notify>,
}

#[derive(Default)]
struct Live {
    running: HashMap<String, Running>,
    tokens: HashMap<String, Token>,
    queues: HashMap<String, VecDeque<ActivityTask>>,
    arrivals: HashMap<String, Arc<Notify>>,
    /// Ended EXPRESS executions (never stored) until StartSyncExecution takes them.
    express: HashMap<String, Execution>,
}

pub struct StepFunctions {
    store: Store,
    settings: Settings,
    integrations: Arc<dyn Integrations>,
    live: Mutex<Live>,
    me: Weak<StepFunctions>,
    /// Executions' status changes, for the process's event bus.
    events: broadcast::Sender<ExecutionEvent>,
}

/// Names of state machines, executions and activities: 1 to 80 characters,
/// none of the ones AWS refuses.
fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.chars().count() > 80
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c));
    if bad {
        return Err(StepFnError::InvalidName(format!("Invalid Name: '{name}'")));
    }
    Ok(())
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl StepFunctions {
    /// Opens the service over `<dir>/stepfunctions.sqlite` (in memory when
    /// `dir` is None). Executions a stopped server left RUNNING end FAILED.
    pub fn open(dir: Option<&Path>, settings: Settings, integrations: Arc<dyn Integrations>) -> Result<Arc<Self>> {
        let store = match dir {
            Some(d) => Store::open(&d.join("stepfunctions.sqlite"))?,
            None => Store::in_memory()?,
        };
        for mut e in store.running()? {
            e.status = "FAILED".into();
            e.stop_ms = Some(now_ms());
            e.error = Some("States.Runtime".into());
            e.cause = Some("The execution was interrupted because lakestack stopped; executions do not resume.".into());
            // A running execution's history lives in memory: what reaches the
            // file is its start (unless a redrive stored more) and this end.
            let stored = store.events(&e.arn)?.len() as i64;
            let mut events = Vec::new();
            if stored == 0 && e.kind == "STANDARD" {
                events.push(HistoryEvent {
                    id: 1,
                    previous_event_id: 0,
                    timestamp: chrono::DateTime::from_timestamp_millis(e.start_ms).unwrap_or_default(),
                    kind: "ExecutionStarted",
                    details: json!({"input": e.input, "inputDetails": {"truncated": false}, "roleArn": e.role_arn}),
                });
            }
            let id = stored + events.len() as i64 + 1;
            events.push(HistoryEvent {
                id,
                previous_event_id: id - 1,
                timestamp: Utc::now(),
                kind: "ExecutionFailed",
                details: json!({"error": e.error, "cause": e.cause}),
            });
            store.finish_execution(&e, &events)?;
            // Its distributed Maps stopped with it.
            for mut m in store.map_runs(&e.arn)? {
                if m.status == "RUNNING" {
                    m.status = "ABORTED".into();
                    m.stop_ms = e.stop_ms;
                    store.put_map_run(&m)?;
                }
            }
        }
        Ok(Arc::new_cyclic(|me| Self {
            store,
            settings,
            integrations,
            live: Mutex::new(Live::default()),
            me: me.clone(),
            events: broadcast::channel(1024).0,
        }))
    }

    /// Every execution's status changes, STANDARD and EXPRESS alike, in the
    /// order they happen: its start (and each redrive's) and its end.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        self.events.subscribe()
    }

    /// Announces `e` as it now is. A send with nobody subscribed fails,
    /// which is no concern of the execution's.
    fn emit(&self, e: &Execution) {
        let _ = self.events.send(ExecutionEvent::of(e));
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn arn(&self, kind: &str, rest: &str) -> String {
        Arn::new(
            "states",
            &self.settings.region,
            &self.settings.account,
            format!("{kind}:{rest}"),
        )
        .to_string()
    }

    pub fn clock(&self) -> Clock {
        self.settings.clock.clone()
    }

    // --- state machines -------------------------------------------------

    fn validate(definition: &str, kind: &str) -> Result<Definition> {
        let machine_type = if kind == "EXPRESS" {
            MachineType::Express
        } else {
            MachineType::Standard
        };
        asl::parse_with(definition, &Options { machine_type })
            .map_err(|d| StepFnError::InvalidDefinition(asl::invalid_definition_message(&d)))
    }

    /// CreateStateMachine. Creating the same machine again answers the
    /// existing one; another machine under the same name is refused.
    pub fn create_machine(&self, mut m: StateMachine, tags: &[(String, String)]) -> Result<StateMachine> {
        check_name(&m.name)?;
        if m.kind != "STANDARD" && m.kind != "EXPRESS" {
            return Err(StepFnError::Validation(format!(
                "1 validation error detected: Value '{}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
                m.kind
            )));
        }
        Self::validate(&m.definition, &m.kind)?;
        m.arn = self.arn("stateMachine", &m.name);
        if let Some(existing) = self.store.machine(&m.arn)? {
            if existing.definition == m.definition && existing.role_arn == m.role_arn && existing.kind == m.kind {
                return Ok(existing);
            }
            return Err(StepFnError::StateMachineAlreadyExists(format!(
                "State Machine Already Exists: '{}'",
                m.arn
            )));
        }
        m.created_ms = now_ms();
        m.revision_id = uuid::Uuid::new_v4().to_string();
        self.store.put_machine(&m)?;
        if !tags.is_empty() {
            self.store.tag(&m.arn, tags)?;
        }
        Ok(m)
    }

    pub fn machine(&self, arn: &str) -> Result<StateMachine> {
        self.store
            .machine(arn)?
            .ok_or_else(|| StepFnError::StateMachineDoesNotExist(format!("State Machine Does Not Exist: '{arn}'")))
    }

    pub fn machines(&self) -> Result<Vec<StateMachine>> {
        self.store.machines()
    }

    /// UpdateStateMachine: a new definition and/or role; a new revision.
    pub fn update_machine(
        &self,
        arn: &str,
        definition: Option<String>,
        role_arn: Option<String>,
        logging: Option<Value>,
        tracing: Option<Value>,
    ) -> Result<StateMachine> {
        let mut m = self.machine(arn)?;
        if let Some(d) = definition {
            Self::validate(&d, &m.kind)?;
            m.definition = d;
        }
        if let Some(r) = role_arn {
            m.role_arn = r;
        }
        if let Some(l) = logging {
            m.logging_configuration = l;
        }
        if let Some(t) = tracing {
            m.tracing_configuration = t;
        }
        m.updated_ms = Some(now_ms());
        m.revision_id = uuid::Uuid::new_v4().to_string();
        self.store.put_machine(&m)?;
        Ok(m)
    }

    /// DeleteStateMachine: running executions are stopped, as AWS does.
    pub fn delete_machine(&self, arn: &str) -> Result<()> {
        if self.store.machine(arn)?.is_none() {
            return Ok(());
        }
        let running: Vec<String> = self
            .live()
            .running
            .keys()
            .filter(|e| machine_of_execution(e).as_deref() == Some(arn))
            .cloned()
            .collect();
        for e in running {
            let _ = self.stop(&e, None, Some("The state machine was deleted.".into()));
        }
        self.store.delete_machine(arn)?;
        Ok(())
    }

    // --- executions -----------------------------------------------------

    /// StartExecution. The same name with the same input while the first
    /// runs answers that execution; otherwise a name is used once.
    pub fn start(&self, machine_arn: &str, name: Option<String>, input: Option<String>) -> Result<Execution> {
        let (machine_arn, test_case) = self.test_case_of(machine_arn);
        let m = self.machine(machine_arn)?;
        if let (Some(config), Some(case)) = (&self.settings.mock, test_case)
            && !config.has_test_case(&m.name, case)
        {
            return Err(StepFnError::StateMachineDoesNotExist(format!(
                "State Machine Does Not Exist: '{machine_arn}#{case}' (the mock configuration has no test case {case:?} for {})",
                m.name
            )));
        }
        let name = name.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        check_name(&name)?;
        let input = input.unwrap_or_else(|| "{}".into());
        let parsed: Value = serde_json::from_str(&input)
            .map_err(|e| StepFnError::InvalidExecutionInput(format!("Invalid State Machine Execution Input: '{e}'")))?;
        let arn = if m.kind == "EXPRESS" {
            self.arn("express", &format!("{}:{name}:{}", m.name, uuid::Uuid::new_v4()))
        } else {
            self.arn("execution", &format!("{}:{name}", m.name))
        };
        if let Some(existing) = self.store.execution(&arn)? {
            if existing.is_running() && existing.input == input && existing.test_case.as_deref() == test_case {
                return Ok(existing);
            }
            return Err(StepFnError::ExecutionAlreadyExists(format!(
                "Execution Already Exists: '{arn}'"
            )));
        }
        let definition = Self::validate(&m.definition, &m.kind)?;
        let e = Execution {
            arn,
            state_machine_arn: m.arn.clone(),
            name,
            status: "RUNNING".into(),
            start_ms: now_ms(),
            stop_ms: None,
            input,
            output: None,
            error: None,
            cause: None,
            definition: m.definition.clone(),
            role_arn: m.role_arn.clone(),
            kind: m.kind.clone(),
            redrive_count: 0,
            redrive_ms: None,
            parent: None,
            test_case: test_case.map(str::to_owned),
        };
        if m.kind == "STANDARD" {
            self.store.put_execution(&e)?;
        }
        self.launch(e.clone(), &m, definition, parsed, None);
        Ok(e)
    }

    /// With a mock configuration, `<ARN>#<case>` names a test case, as in the
    /// AWS local tool; without one, `#` is just part of an unknown ARN.
    fn test_case_of<'a>(&self, machine_arn: &'a str) -> (&'a str, Option<&'a str>) {
        match &self.settings.mock {
            Some(_) => mock::split_test_case(machine_arn),
            None => (machine_arn, None),
        }
    }

    /// StartSyncExecution: runs an EXPRESS machine and answers when it ends.
    pub async fn start_sync(
        &self,
        machine_arn: &str,
        name: Option<String>,
        input: Option<String>,
    ) -> Result<Execution> {
        let (base, _) = self.test_case_of(machine_arn);
        let m = self.machine(base)?;
        if m.kind != "EXPRESS" {
            return Err(StepFnError::StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine".into(),
            ));
        }
        let e = self.start(machine_arn, name, input)?;
        self.until_done(&e.arn).await;
        self.live()
            .express
            .remove(&e.arn)
            .ok_or_else(|| StepFnError::internal("an express execution ended without a result"))
    }

    /// RedriveExecution: a FAILED, ABORTED or TIMED_OUT STANDARD execution
    /// continues from the top-level state it did not finish, with the input
    /// that state had; the states before it are not run again and the
    /// history goes on after `ExecutionRedriven`. Answers the redrive time.
    pub fn redrive(&self, arn: &str) -> Result<i64> {
        let mut e = self.execution(arn)?;
        let refuse = |why: &str| Err(StepFnError::ExecutionNotRedrivable(format!("Execution {arn} {why}")));
        if e.kind == "EXPRESS" {
            return refuse("is an Express execution and cannot be redriven");
        }
        // An execution still winding down (its end stored, its live entry
        // not yet gone) is as good as running.
        if !matches!(e.status.as_str(), "FAILED" | "ABORTED" | "TIMED_OUT") || self.live().running.contains_key(arn) {
            return refuse(&format!("is {} and cannot be redriven", e.status));
        }
        let history = self.store.events(arn)?;
        if history.len() >= MAX_REDRIVE_EVENTS {
            return refuse("has too many history events to be redriven");
        }
        let definition = Self::validate(&e.definition, &e.kind)?;
        let m = self.machine(&e.state_machine_arn)?;
        let (state, input) = unfinished_state(&definition, &history, &e.input)?;
        e.status = "RUNNING".into();
        e.redrive_count += 1;
        e.redrive_ms = Some(now_ms());
        e.stop_ms = None;
        e.output = None;
        e.error = None;
        e.cause = None;
        // Two redrives at once (or a retried one): only the first finds it ended.
        if !self.store.restart_execution(&e)? {
            return refuse("is RUNNING and cannot be redriven");
        }
        let parsed: Value = serde_json::from_str(&e.input).unwrap_or(Value::Null);
        let at = e.redrive_ms.unwrap_or_default();
        self.launch(e, &m, definition, parsed, Some(Resume { state, input, history }));
        Ok(at)
    }

    /// TestState: one state, from a definition of that state alone or a
    /// whole machine with `state_name`, run once over `input`.
    pub async fn test_state(
        &self,
        definition: &str,
        state_name: Option<&str>,
        input: Option<&str>,
        mock: Option<test_state::Mock>,
        retries: u64,
        variables: serde_json::Map<String, Value>,
    ) -> Result<test_state::Outcome> {
        let (machine, name) = test_machine(definition, state_name)?;
        let parsed = Self::validate(&machine.to_string(), "STANDARD")?;
        let state = parsed
            .states
            .get(&name)
            .ok_or_else(|| StepFnError::InvalidDefinition(format!("The state {name} is not in the definition")))?;
        let input: Value = serde_json::from_str(input.unwrap_or("{}"))
            .map_err(|e| StepFnError::InvalidExecutionInput(format!("Invalid State Input: '{e}'")))?;
        let me = self
            .me
            .upgrade()
            .ok_or_else(|| StepFnError::internal("the service is shutting down"))?;
        let (_stop, stop) = watch::channel(false);
        let machine_arn = self.arn("stateMachine", "TestState");
        let run = Run {
            execution_arn: self.arn("execution", &format!("TestState:{}", uuid::Uuid::new_v4())),
            execution_name: "TestState".into(),
            machine_arn,
            machine_name: "TestState".into(),
            role_arn: String::new(),
            start_time: Utc::now(),
            input: input.clone(),
            redrive_count: 0,
            context_input: true,
            clock: self.settings.clock.clone(),
            history: None,
            logging: None,
            host: me as Arc<dyn Host>,
            stop,
            mock: None,
            language: parsed.query_language(),
        };
        Ok(test_state::test(&run, &name, state, input, mock, retries, variables).await)
    }

    /// DescribeMapRun.
    pub fn map_run(&self, arn: &str) -> Result<crate::records::MapRun> {
        self.store
            .map_run(arn)?
            .ok_or_else(|| StepFnError::ResourceNotFound(format!("Map Run Does Not Exist: '{arn}'")))
    }

    /// ListMapRuns: the Map Runs an execution started.
    pub fn map_runs(&self, execution_arn: &str) -> Result<Vec<crate::records::MapRun>> {
        self.execution(execution_arn)?;
        self.store.map_runs(execution_arn)
    }

    /// Returns once the execution is no longer running.
    async fn until_done(&self, arn: &str) {
        let Some(done) = self.live().running.get(arn).map(|r| Arc::clone(&r.done)) else {
            return;
        };
        let notified = done.notified();
        tokio::pin!(notified);
        // Registered before the check, so an end in between still wakes us.
        notified.as_mut().enable();
        if !self.live().running.contains_key(arn) {
            return;
        }
        notified.await;
    }

    fn launch(&self, e: Execution, m: &StateMachine, definition: Definition, input: Value, resume: Option<Resume>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let stored = resume.as_ref().map(|r| r.history.clone()).unwrap_or_default();
        let logging = crate::logging::LogSettings::of(&m.logging_configuration).map(Arc::new);
        // An EXPRESS execution keeps its events only for its log.
        let history = (e.kind == "STANDARD" || logging.is_some()).then(|| History::new(stored));
        let done = Arc::new(Notify::new());
        self.live().running.insert(
            e.arn.clone(),
            Running {
                stop: stop_tx,
                history: history.clone(),
                stop_reason: None,
                done: Arc::clone(&done),
            },
        );
        let Some(me) = self.me.upgrade() else { return };
        let run = Run {
            execution_arn: e.arn.clone(),
            execution_name: e.name.clone(),
            machine_arn: m.arn.clone(),
            machine_name: m.name.clone(),
            role_arn: e.role_arn.clone(),
            start_time: chrono::DateTime::from_timestamp_millis(e.start_ms).unwrap_or_default(),
            input,
            redrive_count: e.redrive_count,
            context_input: exec::reads_context_input(&e.definition),
            clock: self.settings.clock.clone(),
            history,
            logging,
            host: Arc::clone(&me) as Arc<dyn Host>,
            stop: stop_rx,
            mock: match (&self.settings.mock, &e.test_case) {
                (Some(config), Some(case)) => Some(Arc::new(exec::Mocked::new(Arc::clone(config), &m.name, case))),
                _ => None,
            },
            language: definition.query_language(),
        };
        // Its start (or redrive) is recorded by now; announced before its
        // task exists, so the end cannot be heard first, and after it is in
        // `running`, so a listener's StopExecution finds it.
        self.emit(&e);
        tokio::spawn(async move {
            let fallback = e.clone();
            let stored = resume.as_ref().map_or(0, |r| r.history.len());
            // A panic anywhere in the interpreter must still end the execution
            // (else it stays RUNNING forever and `.sync` callers never return).
            let ran = AssertUnwindSafe(me.execute(e, &definition, &run, resume))
                .catch_unwind()
                .await;
            if let Err(panic) = ran {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(execution = %fallback.arn, panic = %what, "an execution's interpreter panicked");
                let mut cursor = Cursor {
                    previous: run.history.as_ref().map_or(0, |h| h.len() as i64),
                };
                let failure = Failure::new("States.Runtime", format!("{INTERNAL_ERROR}: {what}"));
                me.conclude(fallback, &run, &mut cursor, stored, Err(Halt::Failed(failure)));
            }
            done.notify_waiters();
        });
    }

    async fn execute(&self, e: Execution, definition: &Definition, run: &Run, resume: Option<Resume>) -> Execution {
        let mut cursor = Cursor::default();
        let resume_history = resume.as_ref().map(|r| r.history.clone());
        let (start_at, input, stored) = match resume {
            Some(r) => {
                cursor.previous = r.history.len() as i64;
                run.event(
                    &mut cursor,
                    "ExecutionRedriven",
                    json!({"redriveCount": e.redrive_count}),
                );
                (r.state, r.input, r.history.len())
            }
            None => {
                run.event(
                    &mut cursor,
                    "ExecutionStarted",
                    json!({"input": e.input, "inputDetails": {"truncated": false}, "roleArn": e.role_arn}),
                );
                (definition.start_at.clone(), run.input.clone(), 0)
            }
        };
        let scope = exec::vars::Scope::root(match &resume_history {
            Some(h) => variables_of(h),
            None => serde_json::Map::new(),
        });
        let body = exec::run_states(run, &scope, &definition.states, &start_at, input, &mut cursor);
        let outcome = match definition.timeout_seconds {
            Some(t) => match tokio::time::timeout(run.clock.real(Duration::from_secs(t)), body).await {
                Ok(r) => r,
                Err(_) => Err(Halt::TimedOut),
            },
            None => body.await,
        };
        self.conclude(e, run, &mut cursor, stored, outcome)
    }

    /// Records how an execution ended: its last event, its record, and that
    /// it no longer runs.
    fn conclude(
        &self,
        mut e: Execution,
        run: &Run,
        cursor: &mut Cursor,
        stored: usize,
        outcome: std::result::Result<Value, Halt>,
    ) -> Execution {
        // Whatever happened after the history filled up, AWS ends the
        // execution with event 25,000 saying so.
        let outcome = if run.history_full() {
            Err(Halt::Failed(Failure::new("States.Runtime", history::FULL_CAUSE)))
        } else {
            outcome
        };
        let reason = self.live().running.get(&e.arn).and_then(|r| r.stop_reason.clone());
        e.stop_ms = Some(now_ms());
        match outcome {
            Ok(output) => {
                let output = text(&output);
                run.event(
                    cursor,
                    "ExecutionSucceeded",
                    json!({"output": output, "outputDetails": {"truncated": false}}),
                );
                e.status = "SUCCEEDED".into();
                e.output = Some(output);
            }
            Err(Halt::Aborted) => {
                let (error, cause) = reason.unwrap_or_default();
                let mut details = serde_json::Map::new();
                if let Some(x) = &error {
                    details.insert("error".into(), x.clone().into());
                }
                if let Some(x) = &cause {
                    details.insert("cause".into(), x.clone().into());
                }
                run.event(cursor, "ExecutionAborted", Value::Object(details));
                e.status = "ABORTED".into();
                e.error = error;
                e.cause = cause;
            }
            Err(Halt::TimedOut) => {
                run.event(cursor, "ExecutionTimedOut", json!({"error": "States.Timeout"}));
                e.status = "TIMED_OUT".into();
                e.error = Some("States.Timeout".into());
            }
            Err(Halt::Failed(f)) => {
                let mut details = serde_json::Map::new();
                if !f.error.is_empty() {
                    details.insert("error".into(), f.error.clone().into());
                    e.error = Some(f.error);
                }
                if !f.cause.is_empty() {
                    details.insert("cause".into(), f.cause.clone().into());
                    e.cause = Some(f.cause);
                }
                run.event(cursor, "ExecutionFailed", Value::Object(details));
                e.status = "FAILED".into();
            }
        }
        if e.kind == "STANDARD" {
            let recorded = match &run.history {
                Some(h) => h.with_since(stored, |events| self.store.finish_execution(&e, events)),
                None => self.store.finish_execution(&e, &[]),
            };
            if let Err(err) = recorded {
                tracing::error!(error = %err, execution = %e.arn, "could not record an execution's end");
            }
        } else {
            self.live().express.insert(e.arn.clone(), e.clone());
        }
        if let (Some(l), Some(h)) = (&run.logging, &run.history)
            && let Some(group) = l.group()
        {
            let events = h.with_since(stored, |events| l.events(&e.arn, e.redrive_count, events));
            if !events.is_empty() {
                let stream = crate::logging::LogSettings::stream(&run.machine_name, run.start_time, &e.arn);
                self.integrations.log(group, &stream, events);
            }
        }
        let mut live = self.live();
        live.running.remove(&e.arn);
        live.tokens.retain(|_, t| t.execution != e.arn);
        drop(live);
        tracing::info!(target: "lakestack::states", execution = %e.arn, status = %e.status, "execution finished");
        // Last, once nothing about the execution is left to change: a
        // listener may describe, redrive or wait on it straight away. Last
        // also because a panic before this point has `launch` conclude
        // again, and the end must be announced once.
        self.emit(&e);
        e
    }

    pub fn execution(&self, arn: &str) -> Result<Execution> {
        self.store
            .execution(arn)?
            .ok_or_else(|| StepFnError::ExecutionDoesNotExist(format!("Execution Does Not Exist: '{arn}'")))
    }

    pub fn executions(&self, machine_arn: &str, status: Option<&str>) -> Result<Vec<Execution>> {
        self.machine(machine_arn)?;
        self.store.executions(machine_arn, status)
    }

    /// The history so far: from memory while running, else from the store.
    pub fn history(&self, arn: &str) -> Result<Vec<HistoryEvent>> {
        let live = self.live().running.get(arn).and_then(|r| r.history.clone());
        match live {
            Some(h) => Ok(h.since(0)),
            None => {
                self.execution(arn)?;
                self.store.events(arn)
            }
        }
    }

    /// StopExecution: the execution ends ABORTED with the given error and cause.
    pub fn stop(&self, arn: &str, error: Option<String>, cause: Option<String>) -> Result<i64> {
        let e = self.execution(arn)?;
        let mut live = self.live();
        match live.running.get_mut(arn) {
            Some(r) if e.is_running() => {
                r.stop_reason = Some((error, cause));
                let _ = r.stop.send(true);
            }
            _ => {}
        }
        Ok(now_ms())
    }

    /// Waits until a running execution has ended (for tests and `.sync`).
    pub async fn wait(&self, arn: &str) -> Result<Execution> {
        self.until_done(arn).await;
        if let Some(e) = self.live().express.remove(arn) {
            return Ok(e);
        }
        self.execution(arn)
    }

    // --- tokens and activities -------------------------------------------

    /// SendTaskSuccess / SendTaskFailure.
    pub fn complete_task(&self, token: &str, outcome: std::result::Result<Value, Failure>) -> Result<()> {
        let mut live = self.live();
        let Some(t) = live.tokens.get_mut(token) else {
            return Err(StepFnError::InvalidToken(format!("Invalid Token: '{token}'")));
        };
        let Some(sender) = t.outcome.take() else {
            return Err(StepFnError::TaskTimedOut("Task Timed Out".into()));
        };
        live.tokens.remove(token);
        let _ = sender.send(outcome);
        Ok(())
    }

    /// SendTaskHeartbeat.
    pub fn heartbeat(&self, token: &str) -> Result<()> {
        let live = self.live();
        let Some(t) = live.tokens.get(token) else {
            return Err(StepFnError::InvalidToken(format!("Invalid Token: '{token}'")));
        };
        t.beats.send_modify(|n| *n += 1);
        Ok(())
    }

    pub fn create_activity(&self, name: &str, tags: &[(String, String)]) -> Result<Activity> {
        check_name(name)?;
        let arn = self.arn("activity", name);
        if let Some(a) = self.store.activity(&arn)? {
            return Ok(a);
        }
        let a = Activity {
            arn,
            name: name.to_owned(),
            created_ms: now_ms(),
        };
        self.store.put_activity(&a)?;
        if !tags.is_empty() {
            self.store.tag(&a.arn, tags)?;
        }
        Ok(a)
    }

    pub fn activity(&self, arn: &str) -> Result<Activity> {
        self.store
            .activity(arn)?
            .ok_or_else(|| StepFnError::ActivityDoesNotExist(format!("Activity Does Not Exist: '{arn}'")))
    }

    pub fn activities(&self) -> Result<Vec<Activity>> {
        self.store.activities()
    }

    pub fn delete_activity(&self, arn: &str) -> Result<()> {
        self.store.delete_activity(arn)?;
        Ok(())
    }

    /// GetActivityTask: a queued task, or None after the long poll.
    pub async fn next_activity_task(&self, arn: &str, worker: &str) -> Result<Option<ActivityTask>> {
        self.activity(arn)?;
        let deadline = tokio::time::Instant::now() + ACTIVITY_POLL;
        loop {
            let arrival = {
                let mut live = self.live();
                if let Some(task) = live.queues.get_mut(arn).and_then(VecDeque::pop_front) {
                    if let Some(t) = live.tokens.get_mut(&task.token)
                        && let Some(s) = t.started.take()
                    {
                        let _ = s.send(worker.to_owned());
                    }
                    return Ok(Some(task));
                }
                Arc::clone(live.arrivals.entry(arn.to_owned()).or_default())
            };
            if tokio::time::timeout_at(deadline, arrival.notified()).await.is_err() {
                return Ok(None);
            }
        }
    }

    pub fn tag(&self, arn: &str, tags: &[(String, String)]) -> Result<()> {
        self.require_taggable(arn)?;
        self.store.tag(arn, tags)
    }

    pub fn untag(&self, arn: &str, keys: &[String]) -> Result<()> {
        self.require_taggable(arn)?;
        self.store.untag(arn, keys)
    }

    pub fn tags(&self, arn: &str) -> Result<Vec<(String, String)>> {
        self.require_taggable(arn)?;
        self.store.tags(arn)
    }

    fn require_taggable(&self, arn: &str) -> Result<()> {
        let found = self.store.machine(arn)?.is_some() || self.store.activity(arn)?.is_some();
        if !found {
            return Err(StepFnError::ResourceNotFound(format!("Resource not found: '{arn}'")));
        }
        Ok(())
    }

    /// Starts a child execution for `states:startExecution`; returns its record.
    fn start_child(&self, parameters: &Value, parent: &str) -> std::result::Result<Execution, Failure> {
        let machine = parameters["StateMachineArn"].as_str().unwrap_or_default();
        let input = match &parameters["Input"] {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(text(other)),
        };
        let name = parameters["Name"].as_str().map(str::to_owned);
        let mut e = self.start(machine, name, input).map_err(|err| {
            let code = lakestack_aws_protocol::AwsError::code(&err);
            Failure::new(format!("StepFunctions.{code}"), err.to_string())
        })?;
        e.parent = Some(parent.to_owned());
        Ok(e)
    }
}

/// The state machine ARN an execution ARN belongs to.
fn machine_of_execution(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() >= 8).then(|| format!("{}:stateMachine:{}", parts[..5].join(":"), parts[6]))
}

/// The answer of `states:startExecution`, as the integration gives it.
fn child_started(e: &Execution) -> Value {
    json!({"ExecutionArn": e.arn, "StartDate": timestamp::epoch_seconds(e.start_ms)})
}

/// DescribeExecution's answer in the PascalCase the `.sync` integration returns.
fn child_described(e: &Execution, sync2: bool) -> Value {
    let payload = |s: &Option<String>| -> Value {
        match (s, sync2) {
            (Some(s), true) => serde_json::from_str(s).unwrap_or(Value::String(s.clone())),
            (Some(s), false) => Value::String(s.clone()),
            (None, _) => Value::Null,
        }
    };
    let mut out = json!({
        "ExecutionArn": e.arn,
        "StateMachineArn": e.state_machine_arn,
        "Name": e.name,
        "Status": e.status,
        "StartDate": e.start_ms,
        "StopDate": e.stop_ms,
        "Input": payload(&Some(e.input.clone())),
        "InputDetails": {"Included": true},
    });
    if e.output.is_some() {
        out["Output"] = payload(&e.output);
        out["OutputDetails"] = json!({"Included": true});
    }
    out
}

#[async_trait]
impl Host for StepFunctions {
    async fn call(&self, run: &Run, resource: &Resource, parameters: Value) -> std::result::Result<Value, Failure> {
        if let Resource::Optimized { service, action, .. } = resource
            && service == "states"
            && action == "startExecution"
        {
            let e = self.start_child(&parameters, &run.execution_arn)?;
            return Ok(child_started(&e));
        }
        self.integrations
            .call(resource, parameters)
            .await
            .map_err(|t| Failure::new(t.error, t.cause))
    }

    async fn run_to_end(
        &self,
        run: &Run,
        resource: &Resource,
        parameters: Value,
        submitted: &(dyn for<'v> Fn(&'v Value) + Send + Sync),
    ) -> std::result::Result<Value, Failure> {
        match resource {
            Resource::Optimized {
                service, action, sync2, ..
            } if service == "states" && action == "startExecution" => {
                let e = self.start_child(&parameters, &run.execution_arn)?;
                submitted(&child_started(&e));
                let done = self
                    .wait(&e.arn)
                    .await
                    .map_err(|err| Failure::new("States.Runtime", err.to_string()))?;
                match done.status.as_str() {
                    "SUCCEEDED" => Ok(child_described(&done, *sync2)),
                    "ABORTED" => Err(Failure::new("States.TaskFailed", text(&child_described(&done, *sync2)))),
                    _ => Err(Failure::new(
                        done.error.clone().unwrap_or_else(|| "States.TaskFailed".into()),
                        text(&child_described(&done, *sync2)),
                    )),
                }
            }
            Resource::Optimized {
                pattern: Pattern::Sync, ..
            } => {
                let first = self
                    .integrations
                    .call(resource, parameters.clone())
                    .await
                    .map_err(|t| Failure::new(t.error, t.cause))?;
                submitted(&first);
                self.integrations
                    .run_to_end(resource, &parameters, first)
                    .await
                    .map_err(|t| Failure::new(t.error, t.cause))
            }
            _ => Err(Failure::new(
                "States.Runtime",
                "The .sync pattern is not supported for this resource".to_owned(),
            )),
        }
    }

    fn expect_token(&self, token: &str, execution_arn: &str) -> exec::TokenWait {
        let (outcome_tx, outcome) = oneshot::channel();
        let (beats_tx, beats) = watch::channel(0);
        let (started_tx, started) = oneshot::channel();
        self.live().tokens.insert(
            token.to_owned(),
            Token {
                execution: execution_arn.to_owned(),
                outcome: Some(outcome_tx),
                beats: beats_tx,
                started: Some(started_tx),
            },
        );
        exec::TokenWait {
            outcome,
            beats,
            started: Some(started),
        }
    }

    fn schedule_activity(&self, activity_arn: &str, task: ActivityTask) -> std::result::Result<(), Failure> {
        if !matches!(self.store.activity(activity_arn), Ok(Some(_))) {
            return Err(Failure::new(
                "States.Runtime",
                format!("Activity Does Not Exist: '{activity_arn}'"),
            ));
        }
        let mut live = self.live();
        live.queues.entry(activity_arn.to_owned()).or_default().push_back(task);
        if let Some(n) = live.arrivals.get(activity_arn) {
            n.notify_waiters();
        }
        Ok(())
    }

    fn map_run(&self, run: &crate::records::MapRun) {
        if let Err(e) = self.store.put_map_run(run) {
            tracing::error!(error = %e, map_run = %run.arn, "could not record a map run");
        }
    }

    fn drop_token(&self, token: &str) {
        self.live().tokens.remove(token);
    }
}

/// AWS redrives only executions with fewer history events than this.
const MAX_REDRIVE_EVENTS: usize = 24_999;

/// Where a redriven execution picks up: the state, its input, and the history so far.
struct Resume {
    state: String,
    input: Value,
    history: Vec<HistoryEvent>,
}

/// The variables a redriven execution had: every assignment its history
/// records, in order (a branch's own assignments included, which AWS would
/// have dropped when the branch ended).
fn variables_of(history: &[HistoryEvent]) -> serde_json::Map<String, Value> {
    let mut vars = serde_json::Map::new();
    for e in history {
        if let Some(Value::Object(assigned)) = e.details.get("assignedVariables") {
            for (k, v) in assigned {
                let value = v
                    .as_str()
                    .and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or(Value::Null);
                vars.insert(k.clone(), value);
            }
        }
    }
    vars
}

/// The last top-level state the execution entered without leaving, with the
/// input it entered with; the start state when it entered none.
fn unfinished_state(definition: &Definition, history: &[HistoryEvent], input: &str) -> Result<(String, Value)> {
    let entered = history.iter().rev().find_map(|event| {
        if !event.kind.ends_with("StateEntered") {
            return None;
        }
        let name = event.details["name"].as_str()?;
        definition
            .states
            .contains(name)
            .then(|| (name.to_owned(), event.details["input"].clone()))
    });
    let (state, input) = match entered {
        Some((state, input)) => (state, input.as_str().map(str::to_owned).unwrap_or_default()),
        None => (definition.start_at.clone(), input.to_owned()),
    };
    let input = serde_json::from_str(&input)
        .map_err(|e| StepFnError::internal(format!("the stored input of state {state} does not parse: {e}")))?;
    Ok((state, input))
}

/// The machine TestState validates, and the name of the state to run: a
/// whole definition as given, or one state with a `Succeed` standing in for
/// each state it can go to.
fn test_machine(definition: &str, state_name: Option<&str>) -> Result<(Value, String)> {
    let value: Value = serde_json::from_str(definition)
        .map_err(|e| StepFnError::InvalidDefinition(format!("INVALID_JSON_DESCRIPTION: {e}")))?;
    if value.get("States").is_some() {
        let name = state_name
            .map(str::to_owned)
            .or_else(|| value["StartAt"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Ok((value, name));
    }
    let name = state_name.unwrap_or("TestState").to_owned();
    let mut targets: Vec<&str> = Vec::new();
    for key in ["Next", "Default"] {
        targets.extend(value[key].as_str());
    }
    for list in ["Choices", "Catch"] {
        if let Some(rules) = value[list].as_array() {
            targets.extend(rules.iter().filter_map(|r| r["Next"].as_str()));
        }
    }
    let mut states = serde_json::Map::new();
    states.insert(name.clone(), value.clone());
    for t in targets {
        if t != name {
            states.insert(t.to_owned(), json!({"Type": "Succeed"}));
        }
    }
    Ok((json!({"StartAt": name, "States": states}), name))
}
