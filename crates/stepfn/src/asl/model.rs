//! Typed Amazon States Language definition.
//!
//! The model is built by [`super::validate`] only from definitions that passed validation, so the
//! types encode what AWS guarantees after `CreateStateMachine` (for example a Task always has a
//! `Resource`). Payload templates, Choice rules and JSONata fields stay as [`serde_json::Value`]:
//! other modules evaluate them, and keeping them raw preserves key order and the exact literals.
//! The model is never serialised back: `DescribeStateMachine` returns the definition string as the
//! caller sent it.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// A whole state machine (the document passed to `CreateStateMachine`).
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub comment: Option<String>,
    pub start_at: String,
    pub states: States,
    pub timeout_seconds: Option<u64>,
    pub version: Option<String>,
    /// The declared top-level `QueryLanguage`; `None` means the JSONPath default.
    pub query_language: Option<QueryLanguage>,
}

impl Definition {
    /// The language states inherit when they declare none (nested states inherit this too, not
    /// their enclosing Map's or Parallel's, which is how AWS resolves it).
    pub fn query_language(&self) -> QueryLanguage {
        self.query_language.unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }

    /// Exact, case-sensitive match as AWS does.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            _ => None,
        }
    }
}

/// States of one container (the machine, a Parallel branch or a Map item processor), in document
/// order. Order matters: AWS reports diagnostics and console listings in that order.
#[derive(Clone, PartialEq, Default)]
pub struct States {
    entries: Vec<(String, State)>,
    index: HashMap<String, usize>,
}

// The states in order only: the index adds nothing, and its hash order changes from run to run.
impl fmt::Debug for States {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl States {
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces; a replaced state keeps its original position, like JSON objects do.
    pub fn insert(&mut self, name: impl Into<String>, state: State) {
        let name = name.into();
        match self.index.get(&name) {
            Some(&position) => self.entries[position].1 = state,
            None => {
                self.index.insert(name.clone(), self.entries.len());
                self.entries.push((name, state));
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&State> {
        self.index.get(name).map(|&position| &self.entries[position].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &State)> {
        self.entries.iter().map(|(name, state)| (name.as_str(), state))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }
}

impl FromIterator<(String, State)> for States {
    fn from_iter<I: IntoIterator<Item = (String, State)>>(iter: I) -> Self {
        let mut states = States::new();
        for (name, state) in iter {
            states.insert(name, state);
        }
        states
    }
}

/// `StartAt` plus `States`: the body of a Parallel branch or of a Map's `ItemProcessor`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubMachine {
    pub comment: Option<String>,
    pub start_at: String,
    pub states: States,
}

/// Where a non-terminal-by-type state goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

/// `InputPath`, `OutputPath` and `ResultPath`, where an explicit JSON `null` differs from an
/// absent field: absent means `$`, null means "discard" (`{}` for input/output, the raw input for
/// `ResultPath`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OptionalPath {
    #[default]
    Absent,
    Null,
    Path(String),
}

impl OptionalPath {
    /// The path to apply, with absent resolved to `$`; `None` for an explicit null.
    pub fn effective(&self) -> Option<&str> {
        match self {
            OptionalPath::Absent => Some("$"),
            OptionalPath::Null => None,
            OptionalPath::Path(path) => Some(path),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, OptionalPath::Null)
    }
}

/// A field that ASL lets you give literally, through a `...Path` sibling (JSONPath), or as a
/// `{% %}` JSONata expression string.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueOrPath<T> {
    Value(T),
    /// The reference path from the `...Path` variant of the field.
    Path(String),
    /// The whole `{% ... %}` string, delimiters included.
    Jsonata(String),
}

/// Fields every state type may carry (subject to per-type support checked at validation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommonFields {
    pub comment: Option<String>,
    /// The state's own declaration; the effective language falls back to the machine's.
    pub query_language: Option<QueryLanguage>,
    pub input_path: OptionalPath,
    pub output_path: OptionalPath,
    /// Variable assignments (both query languages).
    pub assign: Option<Value>,
    /// JSONata `Output` template.
    pub output: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Pass(PassState),
    Task(TaskState),
    Choice(ChoiceState),
    Wait(WaitState),
    Succeed(SucceedState),
    Fail(FailState),
    Parallel(ParallelState),
    /// Boxed: a Map carries far more fields than any other state.
    Map(Box<MapState>),
}

impl State {
    /// The `Type` string as written in ASL.
    pub fn type_name(&self) -> &'static str {
        match self {
            State::Pass(_) => "Pass",
            State::Task(_) => "Task",
            State::Choice(_) => "Choice",
            State::Wait(_) => "Wait",
            State::Succeed(_) => "Succeed",
            State::Fail(_) => "Fail",
            State::Parallel(_) => "Parallel",
            State::Map(_) => "Map",
        }
    }

    pub fn common(&self) -> &CommonFields {
        match self {
            State::Pass(state) => &state.common,
            State::Task(state) => &state.common,
            State::Choice(state) => &state.common,
            State::Wait(state) => &state.common,
            State::Succeed(state) => &state.common,
            State::Fail(state) => &state.common,
            State::Parallel(state) => &state.common,
            State::Map(state) => &state.common,
        }
    }

    /// `Next`/`End` for the types that have one; Choice, Succeed and Fail have none.
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            State::Pass(state) => Some(&state.transition),
            State::Task(state) => Some(&state.transition),
            State::Wait(state) => Some(&state.transition),
            State::Parallel(state) => Some(&state.transition),
            State::Map(state) => Some(&state.transition),
            State::Choice(_) | State::Succeed(_) | State::Fail(_) => None,
        }
    }

    /// Terminal in the ASL sense: `End: true`, Succeed or Fail.
    pub fn is_terminal(&self) -> bool {
        match self {
            State::Succeed(_) | State::Fail(_) => true,
            State::Choice(_) => false,
            _ => matches!(self.transition(), Some(Transition::End)),
        }
    }

    pub fn retry(&self) -> &[Retrier] {
        match self {
            State::Task(state) => &state.retry,
            State::Parallel(state) => &state.retry,
            State::Map(state) => &state.retry,
            _ => &[],
        }
    }

    pub fn catch(&self) -> &[Catcher] {
        match self {
            State::Task(state) => &state.catch,
            State::Parallel(state) => &state.catch,
            State::Map(state) => &state.catch,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PassState {
    pub common: CommonFields,
    pub transition: Transition,
    pub parameters: Option<Value>,
    pub result: Option<Value>,
    pub result_path: OptionalPath,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskState {
    pub common: CommonFields,
    pub transition: Transition,
    pub resource: String,
    pub parameters: Option<Value>,
    /// JSONata counterpart of `Parameters`.
    pub arguments: Option<Value>,
    pub result_selector: Option<Value>,
    pub result_path: OptionalPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub timeout_seconds: Option<ValueOrPath<u64>>,
    pub heartbeat_seconds: Option<ValueOrPath<u64>>,
    /// `{"RoleArn": ...}` or `{"RoleArn.$": ...}`, kept as a template.
    pub credentials: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceState {
    pub common: CommonFields,
    pub choices: Vec<ChoiceRule>,
    pub default: Option<String>,
}

/// One top-level entry of `Choices`. `rule` is the whole JSON object (including `Next`, `Assign`,
/// `Output`, `Comment`), left for the rule evaluator to interpret.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub rule: Value,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitState {
    pub common: CommonFields,
    pub transition: Transition,
    pub wait: WaitFor,
}

/// Exactly one of `Seconds`/`SecondsPath` or `Timestamp`/`TimestampPath`.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    Seconds(ValueOrPath<u64>),
    /// A literal is an RFC 3339 timestamp string checked at validation.
    Timestamp(ValueOrPath<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SucceedState {
    pub common: CommonFields,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailState {
    pub common: CommonFields,
    /// `Error` or `ErrorPath` (the path may also be an intrinsic function call).
    pub error: Option<ValueOrPath<String>>,
    /// `Cause` or `CausePath` (the path may also be an intrinsic function call).
    pub cause: Option<ValueOrPath<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParallelState {
    pub common: CommonFields,
    pub transition: Transition,
    pub branches: Vec<SubMachine>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    pub result_selector: Option<Value>,
    pub result_path: OptionalPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapState {
    pub common: CommonFields,
    pub transition: Transition,
    pub processor: ItemProcessor,
    /// `ItemsPath` (JSONPath); `None` means `$`.
    pub items_path: Option<String>,
    /// `Items` (JSONata): an array or an expression string.
    pub items: Option<Value>,
    pub item_selector: Option<Value>,
    /// Legacy spelling of `ItemSelector`.
    pub parameters: Option<Value>,
    pub max_concurrency: Option<ValueOrPath<u64>>,
    pub item_reader: Option<ItemReader>,
    pub item_batcher: Option<ItemBatcher>,
    pub result_writer: Option<ResultWriter>,
    pub tolerated_failure_count: Option<ValueOrPath<u64>>,
    pub tolerated_failure_percentage: Option<ValueOrPath<f64>>,
    pub label: Option<String>,
    pub result_selector: Option<Value>,
    pub result_path: OptionalPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

impl MapState {
    /// The per-item template, whichever of `ItemSelector` or legacy `Parameters` was used.
    pub fn item_template(&self) -> Option<&Value> {
        self.item_selector.as_ref().or(self.parameters.as_ref())
    }
}

/// `ItemProcessor`, or the legacy `Iterator` (then `legacy_iterator` is set and the config is the
/// inline default).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProcessor {
    pub config: ProcessorConfig,
    pub legacy_iterator: bool,
    pub body: SubMachine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessorConfig {
    pub mode: ProcessorMode,
    /// Present exactly when `mode` is distributed (AWS requires it there and refuses it inline).
    pub execution_type: Option<ExecutionType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessorMode {
    #[default]
    Inline,
    Distributed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    Standard,
    Express,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    pub resource: String,
    pub reader_config: Option<ReaderConfig>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderConfig {
    pub input_type: Option<InputType>,
    pub csv_header_location: Option<CsvHeaderLocation>,
    pub csv_headers: Option<Vec<String>>,
    pub csv_delimiter: Option<String>,
    pub manifest_type: Option<String>,
    pub max_items: Option<ValueOrPath<u64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    Csv,
    Json,
    Jsonl,
    Manifest,
    Parquet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvHeaderLocation {
    FirstRow,
    Given,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemBatcher {
    pub max_items_per_batch: Option<ValueOrPath<u64>>,
    pub max_input_bytes_per_batch: Option<ValueOrPath<u64>>,
    pub batch_input: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultWriter {
    pub resource: Option<String>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    pub writer_config: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub comment: Option<String>,
    pub error_equals: Vec<String>,
    pub interval_seconds: Option<u64>,
    pub max_attempts: Option<u64>,
    pub backoff_rate: Option<f64>,
    pub max_delay_seconds: Option<u64>,
    pub jitter_strategy: Option<JitterStrategy>,
}

impl Retrier {
    /// Defaults from the ASL specification.
    pub const DEFAULT_INTERVAL_SECONDS: u64 = 1;
    pub const DEFAULT_MAX_ATTEMPTS: u64 = 3;
    pub const DEFAULT_BACKOFF_RATE: f64 = 2.0;

    pub fn interval_seconds(&self) -> u64 {
        self.interval_seconds.unwrap_or(Self::DEFAULT_INTERVAL_SECONDS)
    }

    pub fn max_attempts(&self) -> u64 {
        self.max_attempts.unwrap_or(Self::DEFAULT_MAX_ATTEMPTS)
    }

    pub fn backoff_rate(&self) -> f64 {
        self.backoff_rate.unwrap_or(Self::DEFAULT_BACKOFF_RATE)
    }

    pub fn jitter_strategy(&self) -> JitterStrategy {
        self.jitter_strategy.unwrap_or(JitterStrategy::None)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitterStrategy {
    Full,
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub comment: Option<String>,
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: OptionalPath,
    pub assign: Option<Value>,
    pub output: Option<Value>,
}

/// Error names shared by Retry and Catch matching.
pub const STATES_ALL: &str = "States.ALL";

#[cfg(test)]
mod tests {
    use super::*;

    fn succeed() -> State {
        State::Succeed(SucceedState {
            common: CommonFields::default(),
        })
    }

    fn pass(transition: Transition) -> State {
        State::Pass(PassState {
            common: CommonFields::default(),
            transition,
            parameters: None,
            result: None,
            result_path: OptionalPath::Absent,
        })
    }

    #[test]
    fn states_keep_insertion_order_and_replace_in_place() {
        let mut states = States::new();
        states.insert("B", succeed());
        states.insert("A", pass(Transition::End));
        states.insert("B", pass(Transition::Next("A".into())));
        assert_eq!(states.names().collect::<Vec<_>>(), ["B", "A"]);
        assert_eq!(states.len(), 2);
        assert_eq!(states.get("B").map(State::type_name), Some("Pass"));
        assert!(states.contains("A"));
        assert!(states.get("C").is_none());
    }

    #[test]
    fn optional_path_distinguishes_null_from_absent() {
        assert_eq!(OptionalPath::Absent.effective(), Some("$"));
        assert_eq!(OptionalPath::Null.effective(), None);
        assert!(OptionalPath::Null.is_null());
        assert_eq!(OptionalPath::Path("$.a".into()).effective(), Some("$.a"));
    }

    #[test]
    fn terminal_states_follow_the_spec() {
        assert!(succeed().is_terminal());
        assert!(pass(Transition::End).is_terminal());
        assert!(!pass(Transition::Next("X".into())).is_terminal());
        let choice = State::Choice(ChoiceState {
            common: CommonFields::default(),
            choices: vec![],
            default: None,
        });
        assert!(!choice.is_terminal());
        assert!(choice.transition().is_none());
    }

    #[test]
    fn retrier_defaults_come_from_the_spec() {
        let retrier = Retrier {
            comment: None,
            error_equals: vec![STATES_ALL.into()],
            interval_seconds: None,
            max_attempts: None,
            backoff_rate: None,
            max_delay_seconds: None,
            jitter_strategy: None,
        };
        assert_eq!(retrier.interval_seconds(), 1);
        assert_eq!(retrier.max_attempts(), 3);
        assert_eq!(retrier.backoff_rate(), 2.0);
        assert_eq!(retrier.jitter_strategy(), JitterStrategy::None);
    }

    #[test]
    fn query_language_names_are_case_sensitive() {
        assert_eq!(QueryLanguage::from_name("JSONata"), Some(QueryLanguage::Jsonata));
        assert_eq!(QueryLanguage::from_name("jsonata"), None);
        assert_eq!(QueryLanguage::JsonPath.as_str(), "JSONPath");
    }
}
