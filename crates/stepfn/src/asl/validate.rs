//! Parsing and validating ASL definitions the way Step Functions does at `CreateStateMachine`,
//! `UpdateStateMachine` and `ValidateStateMachineDefinition`.
//!
//! AWS validates in three layers and so does this module:
//! 1. JSON syntax, reported as `INVALID_JSON_DESCRIPTION` with Jackson's wording and
//!    `[Source: ...; line: L, column: C]` location (the service parses with Jackson);
//! 2. a schema walk (`SCHEMA_VALIDATION_FAILED`, `DUPLICATE_STATE_NAME`, `INVALID_STATE_NAME`)
//!    whose message texts were taken from recorded AWS responses where available;
//! 3. a graph walk (`MISSING_TRANSITION_TARGET` for dangling targets and unreachable states,
//!    `MISSING_END_STATE`).
//!
//! Every diagnostic renders as `CODE: message at location` and `CreateStateMachine` joins them with
//! ", " inside `Invalid State Machine Definition: '...'` (see [`invalid_definition_message`]).

use std::collections::{HashSet, VecDeque};

use lakestack_compat::java_double::double_to_string;
use serde_json::{Map, Value};

use super::model::*;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

/// The diagnostic codes AWS documents for `ValidateStateMachineDefinition`. The warning codes
/// exist so callers can round-trip them, but no rule emits them yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    InvalidJsonDescription,
    MissingDescription,
    SchemaValidationFailed,
    InvalidResource,
    MissingEndState,
    DuplicateStateName,
    InvalidStateName,
    DuplicateLabelName,
    InvalidLabelName,
    MissingTransitionTarget,
    TooDeeplyNested,
    NoDollar,
    NoPath,
    PassResultIsStatic,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::MissingDescription => "MISSING_DESCRIPTION",
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::InvalidResource => "INVALID_RESOURCE",
            Code::MissingEndState => "MISSING_END_STATE",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidStateName => "INVALID_STATE_NAME",
            Code::DuplicateLabelName => "DUPLICATE_LABEL_NAME",
            Code::InvalidLabelName => "INVALID_LABEL_NAME",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::TooDeeplyNested => "TOO_DEEPLY_NESTED",
            Code::NoDollar => "NO_DOLLAR",
            Code::NoPath => "NO_PATH",
            Code::PassResultIsStatic => "PASS_RESULT_IS_STATIC",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `ValidateStateMachineDefinition`'s `diagnostics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// A JSON-pointer-like path such as `/States/A/Next` (array items as `[i]`), `/` for the
    /// document root, Jackson's `[Source: ...]` for syntax errors, or none.
    pub location: Option<String>,
}

impl Diagnostic {
    fn error(code: Code, message: impl Into<String>, location: Option<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `CODE: message at location`, the form `CreateStateMachine` uses. AWS prints a missing
    /// location as the literal `null` (its Java string concatenation does).
    pub fn render(&self) -> String {
        let location = self.location.as_deref().unwrap_or("null");
        format!("{}: {} at {}", self.code, self.message, location)
    }
}

/// The state machine `type`: a few integrations are refused only for EXPRESS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub machine_type: MachineType,
}

/// Everything validation found: the model (only when there is no error) plus all diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub definition: Option<Definition>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates a definition string.
pub fn analyze(definition: &str, options: &Options) -> Analysis {
    let root = match read_json(definition) {
        Ok(Value::Object(root)) => root,
        Ok(_) => {
            return failed(Diagnostic::error(
                Code::SchemaValidationFailed,
                msg::NOT_AN_OBJECT,
                None,
            ));
        }
        Err(diagnostic) => return failed(diagnostic),
    };
    let mut checker = Checker::new(options);
    let definition = checker.definition(&root);
    let mut diagnostics = checker.diagnostics;
    graph::check(&root, &mut diagnostics);
    let definition = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        definition
    };
    Analysis {
        definition,
        diagnostics,
    }
}

/// `CreateStateMachine`/`UpdateStateMachine` for a STANDARD machine: the model, or the error
/// diagnostics to report as `InvalidDefinition`.
pub fn parse(definition: &str) -> Result<Definition, Vec<Diagnostic>> {
    parse_with(definition, &Options::default())
}

pub fn parse_with(definition: &str, options: &Options) -> Result<Definition, Vec<Diagnostic>> {
    let analysis = analyze(definition, options);
    match analysis.definition {
        Some(definition) => Ok(definition),
        None => Err(analysis.diagnostics.into_iter().filter(Diagnostic::is_error).collect()),
    }
}

/// The `message` of the `InvalidDefinition` error `CreateStateMachine` returns, e.g.
/// `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at
/// /States/A/Next'`. Warnings never reach this message.
pub fn invalid_definition_message(diagnostics: &[Diagnostic]) -> String {
    let rendered: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::render)
        .collect();
    format!("Invalid State Machine Definition: '{}'", rendered.join(", "))
}

/// Input of `ValidateStateMachineDefinition` besides the definition itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidateRequest {
    pub machine_type: MachineType,
    /// Minimum severity returned: `Error` returns errors only, `Warning` returns both.
    pub severity: Severity,
    /// `maxResults`; 0 means the API default of 100.
    pub max_results: u32,
}

impl Default for ValidateRequest {
    fn default() -> Self {
        ValidateRequest {
            machine_type: MachineType::Standard,
            severity: Severity::Error,
            max_results: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationResult {
    Ok,
    Fail,
}

impl ValidationResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationResult::Ok => "OK",
            ValidationResult::Fail => "FAIL",
        }
    }
}

/// Output of `ValidateStateMachineDefinition`: `{result, diagnostics, truncated}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationReport {
    pub result: ValidationResult,
    pub diagnostics: Vec<Diagnostic>,
    pub truncated: bool,
}

const DEFAULT_MAX_RESULTS: usize = 100;

pub fn validate_state_machine_definition(definition: &str, request: &ValidateRequest) -> ValidationReport {
    let analysis = analyze(
        definition,
        &Options {
            machine_type: request.machine_type,
        },
    );
    // The verdict counts every error even when the list handed back is cut short.
    let result = if analysis.diagnostics.iter().any(Diagnostic::is_error) {
        ValidationResult::Fail
    } else {
        ValidationResult::Ok
    };
    let mut diagnostics: Vec<Diagnostic> = analysis
        .diagnostics
        .into_iter()
        .filter(|d| request.severity == Severity::Warning || d.is_error())
        .collect();
    let limit = if request.max_results == 0 {
        DEFAULT_MAX_RESULTS
    } else {
        request.max_results as usize
    };
    let truncated = diagnostics.len() > limit;
    diagnostics.truncate(limit);
    ValidationReport {
        result,
        diagnostics,
        truncated,
    }
}

fn failed(diagnostic: Diagnostic) -> Analysis {
    Analysis {
        definition: None,
        diagnostics: vec![diagnostic],
    }
}

fn read_json(text: &str) -> Result<Value, Diagnostic> {
    match jackson::scan(text) {
        Err(error) => Err(Diagnostic::error(
            Code::InvalidJsonDescription,
            error.message,
            Some(error.location),
        )),
        // Whitespace only: Jackson yields no node, which AWS reports as not being an object.
        Ok(None) => Ok(Value::Null),
        // Jackson's tree reader stops after the first value, so trailing text is ignored.
        Ok(Some(end)) => serde_json::from_str(&text[..end])
            .map_err(|error| Diagnostic::error(Code::InvalidJsonDescription, error.to_string(), None)),
    }
}

// ---------------------------------------------------------------------------------------------
// Message texts
// ---------------------------------------------------------------------------------------------

/// Message texts. Those marked "recorded" appear verbatim in AWS responses quoted in public
/// issues or snapshot tests; the rest follow the same phrasing families.
mod msg {
    /// Recorded (whitespace-only definition).
    pub const NOT_AN_OBJECT: &str = "Definition must be a valid JSON object";
    /// Recorded (empty `Choices`, `Branches`, `ErrorEquals`).
    pub const EMPTY: &str = "Value cannot be empty";
    /// Recorded (`OutputPath: "Test"`).
    pub const INVALID_JSONPATH: &str = "Value must be a valid JSONPath.";
    /// Recorded.
    pub const NO_TERMINAL_STATE: &str = "Workflow has no terminal state";
    /// Recorded.
    pub const STATES_ALL: &str = "States.ALL must appear alone and at end of list";
    /// Recorded.
    pub const INVALID_ARN: &str = "Value is not a valid resource ARN";
    /// Recorded.
    pub const NOT_RFC3339: &str = "String does not match RFC3339 timestamp";
    pub const ROLE_ARN_REQUIRED: &str = "The field 'RoleArn' is required but was missing";
    pub const CREDENTIALS_ON_ACTIVITY: &str = "The field 'Credentials' is not supported for activities";
    pub const CHOICE_SELECTOR: &str =
        "The object must have only one of the following fields, [And, Or, Not, Variable, Condition]";
    pub const JSONATA_DOWNGRADE: &str =
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";
    pub const ITEM_READER_RESOURCE: &str = "The field 'Resource' does not match any of the allowed values. Examples: \
         [arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2]";
    pub const CSV_HEADER_LOCATION_REQUIRED: &str = "The field 'CSVHeaderLocation' is required";
    pub const EXPRESS_ACTIVITY: &str = "Express state machine does not support Activity ARN";
    pub const EXPRESS_DISTRIBUTED: &str =
        "The field 'Mode' with value 'DISTRIBUTED' is not supported inside 'EXPRESS' state machines";

    fn list(items: &[&str]) -> String {
        format!("[{}]", items.join(", "))
    }

    /// Recorded (`[States, StartAt]`, `[StartAt]`, `[Next]`, `[ErrorEquals]`, `[ExecutionType]`).
    pub fn required(fields: &[&str]) -> String {
        format!("These fields are required: {}", list(fields))
    }

    /// Recorded.
    pub fn unsupported(field: &str) -> String {
        format!("Field '{field}' is not supported")
    }

    /// Recorded (`[Next, End]`, `[MaxItems, MaxItemsPath]`): more than one present.
    pub fn only_one_of(fields: &[&str]) -> String {
        format!("There should only be one of the following fields: {}", list(fields))
    }

    /// Recorded (`[Next, End]`): none present.
    pub fn exactly_one_of(fields: &[&str]) -> String {
        format!(
            "This object should have only one of the following fields: {}",
            list(fields)
        )
    }

    /// Recorded (`[JSONPath, JSONata]`, `[NONE, FULL]`, `[STANDARD, EXPRESS]`, `[1.0]`).
    pub fn one_of_values(values: &[&str]) -> String {
        format!("Value should be one of the following: {}", list(values))
    }

    /// Recorded for `Integer`.
    pub fn expected_type(name: &str) -> String {
        format!("Expected value of type {name}")
    }

    /// Recorded (`Minimum value is 0`, `Minimum value is 0.0`).
    pub fn minimum(limit: &str) -> String {
        format!("Minimum value is {limit}")
    }

    /// Recorded (`Maximum value is 100.0`, `Maximum value is 100000000`).
    pub fn maximum(limit: &str) -> String {
        format!("Maximum value is {limit}")
    }

    /// Recorded (both forms).
    pub fn not_reference_path(path: &str) -> String {
        if path.starts_with('$') {
            "Value is not a Reference Path".to_string()
        } else {
            "Value is not a Reference Path: Reference path didn't start with '$'".to_string()
        }
    }

    /// Recorded; located at the object holding the key.
    pub fn dynamic_value(key: &str) -> String {
        format!("The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call")
    }

    /// Recorded in both directions.
    pub fn wrong_language(language: &str, field: &str, other: &str) -> String {
        format!(
            "The QueryLanguage is set to '{language}', but field '{field}' is only supported for the '{other}' \
             QueryLanguage"
        )
    }

    /// Recorded (with the trailing space AWS sends).
    pub fn express_integration(pattern: &str) -> String {
        format!("Express state machine does not support '{pattern}' service integration ")
    }

    /// Recorded.
    pub fn missing_target(name: &str) -> String {
        format!("Missing 'Next' target: {name}")
    }

    /// Recorded.
    pub fn unreachable(name: &str) -> String {
        format!("State \"{name}\" is not reachable.")
    }

    /// Recorded.
    pub fn duplicate_state(name: &str) -> String {
        format!("Duplicate State name: {name}")
    }

    /// Recorded.
    pub fn state_name_too_long(name: &str) -> String {
        format!("Invalid State name: State '{name}' exceeds the 80-character limit allowed by the service")
    }
}

// ---------------------------------------------------------------------------------------------
// Field tables
// ---------------------------------------------------------------------------------------------

const ROOT_FIELDS: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
];
const BRANCH_FIELDS: &[&str] = &["Comment", "StartAt", "States"];
const PROCESSOR_FIELDS: &[&str] = &["Comment", "StartAt", "States", "ProcessorConfig"];
/// AWS lists missing top-level fields in this order.
const MACHINE_REQUIRED: &[&str] = &["States", "StartAt"];

const STATE_TYPES: &[&str] = &["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "ErrorPath",
    "CausePath",
];
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

const STATE_COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Fields each state type accepts in either query language, as measured against AWS.
fn type_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pass => &[
            "InputPath",
            "OutputPath",
            "Result",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "Next",
            "End",
        ],
        Kind::Task => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "Resource",
            "Credentials",
            "ResultSelector",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Next",
            "End",
        ],
        Kind::Wait => &[
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
        ],
        Kind::Parallel => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        Kind::Map => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Next",
            "End",
        ],
        Kind::Choice => &["InputPath", "OutputPath", "Output", "Assign", "Choices", "Default"],
        Kind::Succeed => &["InputPath", "OutputPath", "Output"],
        Kind::Fail => &["Error", "Cause", "ErrorPath", "CausePath"],
    }
}

const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];
const CATCHER_FIELDS: &[&str] = &["ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"];
const ITEM_READER_FIELDS: &[&str] = &["Resource", "ReaderConfig", "Parameters", "Arguments"];
const READER_CONFIG_FIELDS: &[&str] = &[
    "InputType",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "ManifestType",
    "ItemsPointer",
    "MaxItems",
    "MaxItemsPath",
];
const ITEM_BATCHER_FIELDS: &[&str] = &[
    "MaxItemsPerBatch",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatch",
    "MaxInputBytesPerBatchPath",
    "BatchInput",
];
const RESULT_WRITER_FIELDS: &[&str] = &["Resource", "Parameters", "Arguments", "WriterConfig"];
const WAIT_FIELDS: &[&str] = &["SecondsPath", "Seconds", "TimestampPath", "Timestamp"];

/// The 39 data-test operators, in the order they are listed in diagnostics.
pub(crate) const COMPARISON_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];
const RULE_SELECTORS: &[&str] = &["And", "Or", "Not", "Variable"];

const MAX_STATE_NAME_LENGTH: usize = 80;
const MAX_SECONDS: u64 = 99_999_999;
const MAX_READER_ITEMS: u64 = 100_000_000;
const MAX_RETRY_DELAY_SECONDS: u64 = 31_622_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "Pass" => Kind::Pass,
            "Task" => Kind::Task,
            "Choice" => Kind::Choice,
            "Wait" => Kind::Wait,
            "Succeed" => Kind::Succeed,
            "Fail" => Kind::Fail,
            "Parallel" => Kind::Parallel,
            "Map" => Kind::Map,
            _ => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

/// A diagnostic location; the root is empty internally and rendered as `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loc(String);

impl Loc {
    fn root() -> Loc {
        Loc(String::new())
    }

    fn field(&self, name: &str) -> Loc {
        Loc(format!("{}/{}", self.0, name))
    }

    fn index(&self, index: usize) -> Loc {
        Loc(format!("{}[{}]", self.0, index))
    }

    fn render(&self) -> String {
        if self.0.is_empty() {
            "/".to_string()
        } else {
            self.0.clone()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Schema walk (builds the model while collecting diagnostics)
// ---------------------------------------------------------------------------------------------

/// Integer bounds; AWS checks them after the type.
#[derive(Debug, Clone, Copy)]
struct IntRange {
    min: u64,
    max: Option<u64>,
}

impl IntRange {
    const fn at_least(min: u64) -> IntRange {
        IntRange { min, max: None }
    }

    const fn between(min: u64, max: u64) -> IntRange {
        IntRange { min, max: Some(max) }
    }
}

/// How a `...Path` field is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathRule {
    /// Any JSONPath (`InputPath`, `OutputPath`).
    Json,
    /// A Reference Path; `context` allows `$$` (only `ItemsPath` and Choice paths accept it).
    Reference { context: bool },
    /// `ResultPath`: a Reference Path into the state input, no context, no variables.
    Result,
}

struct Checker<'o> {
    options: &'o Options,
    diagnostics: Vec<Diagnostic>,
    /// State names seen anywhere: AWS wants them unique across the whole machine.
    state_names: HashSet<String>,
    machine_language: QueryLanguage,
}

/// What a state's field parsers need to know about the state.
#[derive(Clone, Copy)]
struct StateCtx<'v, 'l> {
    obj: &'v Map<String, Value>,
    loc: &'l Loc,
    language: QueryLanguage,
}

impl<'v> StateCtx<'v, '_> {
    fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    fn get(&self, key: &str) -> Option<&'v Value> {
        self.obj.get(key)
    }

    fn jsonpath(&self) -> bool {
        self.language == QueryLanguage::JsonPath
    }
}

impl<'o> Checker<'o> {
    fn new(options: &'o Options) -> Self {
        Checker {
            options,
            diagnostics: Vec::new(),
            state_names: HashSet::new(),
            machine_language: QueryLanguage::JsonPath,
        }
    }

    fn report(&mut self, code: Code, loc: &Loc, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, message, Some(loc.render())));
    }

    fn schema(&mut self, loc: &Loc, message: impl Into<String>) {
        self.report(Code::SchemaValidationFailed, loc, message);
    }

    // ---- generic field helpers -------------------------------------------------------------

    fn unsupported_fields(&mut self, obj: &Map<String, Value>, allowed: &[&[&str]], loc: &Loc) {
        for key in obj.keys() {
            if !allowed.iter().any(|set| set.contains(&key.as_str())) {
                self.schema(loc, msg::unsupported(key));
            }
        }
    }

    fn required(&mut self, obj: &Map<String, Value>, fields: &[&str], loc: &Loc) {
        let missing: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|field| !obj.contains_key(*field))
            .collect();
        if !missing.is_empty() {
            self.schema(loc, msg::required(&missing));
        }
    }

    /// At most one of `fields`; reports at the first listed field as AWS does for X/XPath pairs.
    fn at_most_one(&mut self, obj: &Map<String, Value>, fields: &[&str], loc: &Loc) -> bool {
        let present = fields.iter().filter(|field| obj.contains_key(**field)).count();
        if present > 1 {
            self.schema(&loc.field(fields[0]), msg::only_one_of(fields));
        }
        present <= 1
    }

    fn string(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<String> {
        let value = obj.get(key)?;
        match value.as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                self.schema(&loc.field(key), msg::expected_type("String"));
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<bool> {
        let value = obj.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Boolean"));
        }
        flag
    }

    fn object<'v>(&mut self, obj: &'v Map<String, Value>, key: &str, loc: &Loc) -> Option<&'v Map<String, Value>> {
        let value = obj.get(key)?;
        let inner = value.as_object();
        if inner.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Object"));
        }
        inner
    }

    fn array<'v>(&mut self, obj: &'v Map<String, Value>, key: &str, loc: &Loc) -> Option<&'v Vec<Value>> {
        let value = obj.get(key)?;
        let items = value.as_array();
        if items.is_none() {
            self.schema(&loc.field(key), msg::expected_type("Array"));
        }
        items
    }

    fn non_empty_array<'v>(&mut self, obj: &'v Map<String, Value>, key: &str, loc: &Loc) -> Option<&'v Vec<Value>> {
        let items = self.array(obj, key, loc)?;
        if items.is_empty() {
            self.schema(&loc.field(key), msg::EMPTY);
        }
        Some(items)
    }

    fn enumerated(&mut self, obj: &Map<String, Value>, key: &str, values: &[&str], loc: &Loc) -> Option<String> {
        let text = self.string(obj, key, loc)?;
        if values.contains(&text.as_str()) {
            Some(text)
        } else {
            self.schema(&loc.field(key), msg::one_of_values(values));
            None
        }
    }

    fn integer_value(&mut self, value: &Value, loc: &Loc, range: IntRange) -> Option<u64> {
        let Some(number) = value.as_number() else {
            self.schema(loc, msg::expected_type("Integer"));
            return None;
        };
        if let Some(n) = number.as_u64() {
            if n < range.min {
                self.schema(loc, msg::minimum(&range.min.to_string()));
                return None;
            }
            if let Some(max) = range.max.filter(|max| n > *max) {
                self.schema(loc, msg::maximum(&max.to_string()));
                return None;
            }
            return Some(n);
        }
        if number.is_i64() {
            self.schema(loc, msg::minimum(&range.min.to_string()));
        } else {
            self.schema(loc, msg::expected_type("Integer"));
        }
        None
    }

    fn integer(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc, range: IntRange) -> Option<u64> {
        let value = obj.get(key)?;
        self.integer_value(value, &loc.field(key), range)
    }

    fn number_value(&mut self, value: &Value, loc: &Loc, min: f64, max: Option<f64>) -> Option<f64> {
        let Some(n) = value.as_f64() else {
            self.schema(loc, msg::expected_type("Number"));
            return None;
        };
        if n < min {
            self.schema(loc, msg::minimum(&double_to_string(min)));
            return None;
        }
        if let Some(max) = max.filter(|max| n > *max) {
            self.schema(loc, msg::maximum(&double_to_string(max)));
            return None;
        }
        Some(n)
    }

    /// A JSONata `{% %}` string standing in for a literal.
    fn jsonata_expression(value: &Value, language: QueryLanguage) -> Option<String> {
        let text = value.as_str()?;
        (language == QueryLanguage::Jsonata && is_jsonata_expression(text)).then(|| text.to_string())
    }

    fn path_value(&mut self, path: &str, rule: PathRule, loc: &Loc) -> bool {
        let shape = path_shape(path);
        let valid = match (rule, shape) {
            (_, None) => false,
            (PathRule::Json, Some(_)) => true,
            (PathRule::Reference { context }, Some(shape)) => shape.reference && (context || !shape.context),
            (PathRule::Result, Some(shape)) => shape.reference && !shape.context && !shape.variable,
        };
        if !valid {
            let message = match rule {
                PathRule::Json => msg::INVALID_JSONPATH.to_string(),
                _ => msg::not_reference_path(path),
            };
            self.schema(loc, message);
        }
        valid
    }

    /// `InputPath`/`OutputPath`/`ResultPath`: absent, null, or a path.
    fn optional_path(&mut self, obj: &Map<String, Value>, key: &str, rule: PathRule, loc: &Loc) -> OptionalPath {
        match obj.get(key) {
            None => OptionalPath::Absent,
            Some(Value::Null) => OptionalPath::Null,
            Some(Value::String(path)) => {
                self.path_value(path, rule, &loc.field(key));
                OptionalPath::Path(path.clone())
            }
            Some(_) => {
                self.schema(&loc.field(key), msg::expected_type("String"));
                OptionalPath::Absent
            }
        }
    }

    fn path_string(&mut self, obj: &Map<String, Value>, key: &str, rule: PathRule, loc: &Loc) -> Option<String> {
        let path = self.string(obj, key, loc)?;
        self.path_value(&path, rule, &loc.field(key)).then_some(path)
    }

    /// A literal integer field with its optional `...Path` twin (JSONPath) or a JSONata
    /// expression in its place.
    fn int_or_path(
        &mut self,
        ctx: StateCtx<'_, '_>,
        key: &str,
        path_key: &str,
        range: IntRange,
    ) -> Option<ValueOrPath<u64>> {
        self.int_or_path_in(
            ctx.obj,
            key,
            path_key,
            range,
            ctx.language,
            ctx.loc,
            PathRule::Reference { context: false },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn int_or_path_in(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path_key: &str,
        range: IntRange,
        language: QueryLanguage,
        loc: &Loc,
        rule: PathRule,
    ) -> Option<ValueOrPath<u64>> {
        if !self.at_most_one(obj, &[key, path_key], loc) {
            return None;
        }
        if let Some(value) = obj.get(key) {
            if let Some(expression) = Self::jsonata_expression(value, language) {
                return Some(ValueOrPath::Jsonata(expression));
            }
            return self
                .integer_value(value, &loc.field(key), range)
                .map(ValueOrPath::Value);
        }
        if language == QueryLanguage::Jsonata {
            // A `...Path` field in JSONata is reported by the language check.
            return None;
        }
        self.path_string(obj, path_key, rule, loc).map(ValueOrPath::Path)
    }

    /// A payload template (`Parameters`, `ResultSelector`, ...). In JSONPath it must be an object
    /// whose `.$` keys hold paths or intrinsic calls; JSONata also accepts an expression string.
    fn template(&mut self, obj: &Map<String, Value>, key: &str, language: QueryLanguage, loc: &Loc) -> Option<Value> {
        let value = obj.get(key)?;
        let at = loc.field(key);
        if language == QueryLanguage::JsonPath {
            if value.is_object() {
                self.dynamic_keys(value, &at);
            } else {
                self.schema(&at, msg::expected_type("Object"));
            }
        } else if !value.is_object() && Self::jsonata_expression(value, language).is_none() {
            self.schema(&at, msg::expected_type("Object"));
        }
        Some(value.clone())
    }

    /// Checks every `.$` key below `value`, reporting at the object that holds the key.
    fn dynamic_keys(&mut self, value: &Value, loc: &Loc) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key.ends_with(".$") {
                        if !inner.as_str().is_some_and(is_dynamic_value) {
                            self.schema(loc, msg::dynamic_value(key));
                        }
                    } else {
                        self.dynamic_keys(inner, &loc.field(key));
                    }
                }
            }
            Value::Array(items) => {
                for (index, inner) in items.iter().enumerate() {
                    self.dynamic_keys(inner, &loc.index(index));
                }
            }
            _ => {}
        }
    }

    fn assign(&mut self, obj: &Map<String, Value>, language: QueryLanguage, loc: &Loc) -> Option<Value> {
        let value = obj.get("Assign")?;
        let at = loc.field("Assign");
        if !value.is_object() {
            self.schema(&at, msg::expected_type("Object"));
        } else if language == QueryLanguage::JsonPath {
            self.dynamic_keys(value, &at);
        }
        Some(value.clone())
    }

    // ---- machine, sub-machines and state maps ----------------------------------------------

    fn definition(&mut self, root: &Map<String, Value>) -> Option<Definition> {
        let loc = Loc::root();
        self.unsupported_fields(root, &[ROOT_FIELDS], &loc);
        self.required(root, MACHINE_REQUIRED, &loc);
        let comment = self.string(root, "Comment", &loc);
        let version = self.enumerated(root, "Version", &["1.0"], &loc);
        let timeout_seconds = self.integer(root, "TimeoutSeconds", &loc, IntRange::at_least(0));
        let query_language = self.machine_language(root, &loc);
        let start_at = self.string(root, "StartAt", &loc);
        let states = self.states_field(root, &loc);
        Some(Definition {
            comment,
            start_at: start_at?,
            states: states?,
            timeout_seconds,
            version,
            query_language,
        })
    }

    /// Sets the language every state inherits. Only the exact string `JSONPath` means JSONPath:
    /// any other declared value resolves to JSONata (on top of the enum diagnostic).
    fn machine_language(&mut self, root: &Map<String, Value>, loc: &Loc) -> Option<QueryLanguage> {
        let declared = root.get("QueryLanguage")?;
        let language = self.declared_language(declared, &loc.field("QueryLanguage"));
        self.machine_language = language;
        QueryLanguage::from_name(declared.as_str().unwrap_or_default())
    }

    fn declared_language(&mut self, declared: &Value, loc: &Loc) -> QueryLanguage {
        match declared.as_str() {
            Some(name) => {
                if QueryLanguage::from_name(name).is_none() {
                    self.schema(loc, msg::one_of_values(&["JSONPath", "JSONata"]));
                }
                if name == "JSONPath" {
                    QueryLanguage::JsonPath
                } else {
                    QueryLanguage::Jsonata
                }
            }
            None => {
                self.schema(loc, msg::expected_type("String"));
                QueryLanguage::Jsonata
            }
        }
    }

    fn states_field(&mut self, obj: &Map<String, Value>, loc: &Loc) -> Option<States> {
        let states = self.object(obj, "States", loc)?;
        self.states(states, &loc.field("States"))
    }

    fn states(&mut self, states: &Map<String, Value>, loc: &Loc) -> Option<States> {
        let mut parsed = States::new();
        let mut complete = true;
        for (name, value) in states {
            let at = loc.field(name);
            self.state_name(name, &at);
            match self.state(value, &at) {
                Some(state) => parsed.insert(name.clone(), state),
                None => complete = false,
            }
        }
        complete.then_some(parsed)
    }

    fn state_name(&mut self, name: &str, loc: &Loc) {
        // Java counts UTF-16 units, and so does the service's limit.
        if name.encode_utf16().count() > MAX_STATE_NAME_LENGTH {
            self.report(Code::InvalidStateName, loc, msg::state_name_too_long(name));
        }
        if !self.state_names.insert(name.to_string()) {
            self.report(Code::DuplicateStateName, loc, msg::duplicate_state(name));
        }
    }

    fn sub_machine(&mut self, value: &Value, allowed: &[&str], loc: &Loc) -> Option<SubMachine> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[allowed], loc);
        self.required(obj, MACHINE_REQUIRED, loc);
        let comment = self.string(obj, "Comment", loc);
        let start_at = self.string(obj, "StartAt", loc);
        let states = self.states_field(obj, loc);
        Some(SubMachine {
            comment,
            start_at: start_at?,
            states: states?,
        })
    }

    // ---- states ------------------------------------------------------------------------------

    fn state(&mut self, value: &Value, loc: &Loc) -> Option<State> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        let (language, downgraded) = self.state_language(obj, loc);
        let kind = self.state_kind(obj, loc)?;
        let allowed = type_fields(kind);
        self.unsupported_fields(obj, &[STATE_COMMON, allowed], loc);
        // Measured: a refused downgrade is the whole answer about languages for that state.
        if !downgraded {
            self.language_fields(obj, allowed, language, loc);
        }
        let ctx = StateCtx { obj, loc, language };
        let common = self.common_fields(ctx, kind);
        match kind {
            Kind::Pass => self.pass(ctx, common).map(State::Pass),
            Kind::Task => self.task(ctx, common).map(State::Task),
            Kind::Choice => self.choice(ctx, common).map(State::Choice),
            Kind::Wait => self.wait(ctx, common).map(State::Wait),
            Kind::Succeed => Some(State::Succeed(SucceedState { common })),
            Kind::Fail => self.fail(ctx, common).map(State::Fail),
            Kind::Parallel => self.parallel(ctx, common).map(State::Parallel),
            Kind::Map => self.map(ctx, common).map(|map| State::Map(Box::new(map))),
        }
    }

    /// The state's effective language and whether it illegally downgrades a JSONata machine.
    fn state_language(&mut self, obj: &Map<String, Value>, loc: &Loc) -> (QueryLanguage, bool) {
        let Some(declared) = obj.get("QueryLanguage") else {
            // Nested states inherit the machine's language, not their Map's or Parallel's.
            return (self.machine_language, false);
        };
        let language = self.declared_language(declared, &loc.field("QueryLanguage"));
        let downgraded = self.machine_language == QueryLanguage::Jsonata && language == QueryLanguage::JsonPath;
        if downgraded {
            self.schema(loc, msg::JSONATA_DOWNGRADE);
        }
        (language, downgraded)
    }

    fn state_kind(&mut self, obj: &Map<String, Value>, loc: &Loc) -> Option<Kind> {
        let Some(value) = obj.get("Type") else {
            self.schema(loc, msg::required(&["Type"]));
            return None;
        };
        let Some(name) = value.as_str() else {
            self.schema(&loc.field("Type"), msg::expected_type("String"));
            return None;
        };
        let kind = Kind::from_name(name);
        if kind.is_none() {
            self.schema(&loc.field("Type"), msg::one_of_values(STATE_TYPES));
        }
        kind
    }

    /// Fields of the other query language, located at the state as AWS does.
    fn language_fields(&mut self, obj: &Map<String, Value>, allowed: &[&str], language: QueryLanguage, loc: &Loc) {
        for key in obj.keys().filter(|key| allowed.contains(&key.as_str())) {
            let message = match language {
                QueryLanguage::Jsonata if JSONPATH_ONLY.contains(&key.as_str()) => {
                    msg::wrong_language("JSONata", key, "JSONPath")
                }
                QueryLanguage::JsonPath if JSONATA_ONLY.contains(&key.as_str()) => {
                    msg::wrong_language("JSONPath", key, "JSONata")
                }
                _ => continue,
            };
            self.schema(loc, message);
        }
    }

    /// `...Path` twins inside Map sub-objects (`ItemBatcher`, `ReaderConfig`) are JSONPath-only
    /// too; without this a JSONata machine would silently lose them.
    fn nested_path_fields(&mut self, obj: &Map<String, Value>, language: QueryLanguage, loc: &Loc) {
        if language != QueryLanguage::Jsonata {
            return;
        }
        for key in obj.keys().filter(|key| key.ends_with("Path")) {
            self.schema(loc, msg::wrong_language("JSONata", key, "JSONPath"));
        }
    }

    fn common_fields(&mut self, ctx: StateCtx<'_, '_>, kind: Kind) -> CommonFields {
        let loc = ctx.loc;
        let mut common = CommonFields {
            comment: self.string(ctx.obj, "Comment", loc),
            query_language: ctx
                .get("QueryLanguage")
                .and_then(Value::as_str)
                .and_then(QueryLanguage::from_name),
            ..CommonFields::default()
        };
        if kind != Kind::Fail && ctx.jsonpath() {
            common.input_path = self.optional_path(ctx.obj, "InputPath", PathRule::Json, loc);
            common.output_path = self.optional_path(ctx.obj, "OutputPath", PathRule::Json, loc);
        }
        if !matches!(kind, Kind::Succeed | Kind::Fail) {
            common.assign = self.assign(ctx.obj, ctx.language, loc);
        }
        if kind != Kind::Fail && !ctx.jsonpath() {
            common.output = ctx.get("Output").cloned();
        }
        common
    }

    fn transition(&mut self, ctx: StateCtx<'_, '_>) -> Option<Transition> {
        let next = self.string(ctx.obj, "Next", ctx.loc);
        let end = self.boolean(ctx.obj, "End", ctx.loc) == Some(true);
        match (ctx.has("Next"), end) {
            (true, true) => {
                self.schema(ctx.loc, msg::only_one_of(&["Next", "End"]));
                None
            }
            (false, false) => {
                self.schema(ctx.loc, msg::exactly_one_of(&["Next", "End"]));
                None
            }
            (true, false) => next.map(Transition::Next),
            (false, true) => Some(Transition::End),
        }
    }

    fn result_path(&mut self, ctx: StateCtx<'_, '_>) -> OptionalPath {
        if ctx.jsonpath() {
            self.optional_path(ctx.obj, "ResultPath", PathRule::Result, ctx.loc)
        } else {
            OptionalPath::Absent
        }
    }

    /// A JSONPath-only template field; in JSONata the language check already reported it.
    fn jsonpath_template(&mut self, ctx: StateCtx<'_, '_>, key: &str) -> Option<Value> {
        if ctx.jsonpath() {
            self.template(ctx.obj, key, ctx.language, ctx.loc)
        } else {
            None
        }
    }

    fn jsonata_template(&mut self, ctx: StateCtx<'_, '_>, key: &str) -> Option<Value> {
        if ctx.jsonpath() {
            None
        } else {
            self.template(ctx.obj, key, ctx.language, ctx.loc)
        }
    }

    fn pass(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<PassState> {
        let transition = self.transition(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let result = if ctx.jsonpath() {
            ctx.get("Result").cloned()
        } else {
            None
        };
        let result_path = self.result_path(ctx);
        Some(PassState {
            common,
            transition: transition?,
            parameters,
            result,
            result_path,
        })
    }

    fn task(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<TaskState> {
        let transition = self.transition(ctx);
        self.required(ctx.obj, &["Resource"], ctx.loc);
        let resource = self.resource(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let arguments = self.jsonata_template(ctx, "Arguments");
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        let timeout_seconds = self.int_or_path(
            ctx,
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            IntRange::between(1, MAX_SECONDS),
        );
        let heartbeat_seconds = self.int_or_path(
            ctx,
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            IntRange::between(1, MAX_SECONDS),
        );
        let credentials = self.credentials(ctx, resource.as_deref());
        Some(TaskState {
            common,
            transition: transition?,
            resource: resource?,
            parameters,
            arguments,
            result_selector,
            result_path,
            retry,
            catch,
            timeout_seconds,
            heartbeat_seconds,
            credentials,
        })
    }

    fn resource(&mut self, ctx: StateCtx<'_, '_>) -> Option<String> {
        let resource = self.string(ctx.obj, "Resource", ctx.loc)?;
        let at = ctx.loc.field("Resource");
        if !is_arn(&resource) {
            self.schema(&at, msg::INVALID_ARN);
            return None;
        }
        if self.options.machine_type == MachineType::Express {
            self.express_resource(&resource, &at);
        }
        Some(resource)
    }

    fn express_resource(&mut self, resource: &str, loc: &Loc) {
        if is_activity_arn(resource) {
            self.schema(loc, msg::EXPRESS_ACTIVITY);
        } else if resource.ends_with(".waitForTaskToken") {
            self.schema(loc, msg::express_integration(".waitForTaskToken"));
        } else if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
            self.schema(loc, msg::express_integration(".sync"));
        }
    }

    fn credentials(&mut self, ctx: StateCtx<'_, '_>, resource: Option<&str>) -> Option<Value> {
        let credentials = self.object(ctx.obj, "Credentials", ctx.loc)?;
        let at = ctx.loc.field("Credentials");
        if resource.is_some_and(is_activity_arn) {
            self.schema(&at, msg::CREDENTIALS_ON_ACTIVITY);
        }
        let allowed: &[&str] = if ctx.jsonpath() {
            &["RoleArn", "RoleArn.$"]
        } else {
            &["RoleArn"]
        };
        self.unsupported_fields(credentials, &[allowed], &at);
        if !credentials.contains_key("RoleArn") && !credentials.contains_key("RoleArn.$") {
            self.schema(&at, msg::ROLE_ARN_REQUIRED);
        }
        let value = Value::Object(credentials.clone());
        if ctx.jsonpath() {
            self.dynamic_keys(&value, &at);
        }
        Some(value)
    }

    fn choice(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<ChoiceState> {
        self.required(ctx.obj, &["Choices"], ctx.loc);
        let choices = self.choice_rules(ctx);
        let default = self.string(ctx.obj, "Default", ctx.loc);
        Some(ChoiceState {
            common,
            choices: choices?,
            default,
        })
    }

    fn wait(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<WaitState> {
        let transition = self.transition(ctx);
        let wait = self.wait_for(ctx);
        Some(WaitState {
            common,
            transition: transition?,
            wait: wait?,
        })
    }

    fn wait_for(&mut self, ctx: StateCtx<'_, '_>) -> Option<WaitFor> {
        match WAIT_FIELDS.iter().filter(|field| ctx.has(field)).count() {
            0 => {
                self.schema(ctx.loc, msg::exactly_one_of(WAIT_FIELDS));
                None
            }
            1 if ctx.has("Seconds") || ctx.has("SecondsPath") => self
                .int_or_path(ctx, "Seconds", "SecondsPath", IntRange::between(0, MAX_SECONDS))
                .map(WaitFor::Seconds),
            1 => self.timestamp(ctx).map(WaitFor::Timestamp),
            _ => {
                self.schema(ctx.loc, msg::only_one_of(WAIT_FIELDS));
                None
            }
        }
    }

    fn timestamp(&mut self, ctx: StateCtx<'_, '_>) -> Option<ValueOrPath<String>> {
        let Some(value) = ctx.get("Timestamp") else {
            let rule = PathRule::Reference { context: false };
            return if ctx.jsonpath() {
                self.path_string(ctx.obj, "TimestampPath", rule, ctx.loc)
                    .map(ValueOrPath::Path)
            } else {
                None
            };
        };
        if let Some(expression) = Self::jsonata_expression(value, ctx.language) {
            return Some(ValueOrPath::Jsonata(expression));
        }
        let text = self.string(ctx.obj, "Timestamp", ctx.loc)?;
        if !is_rfc3339(&text) {
            self.schema(&ctx.loc.field("Timestamp"), msg::NOT_RFC3339);
            return None;
        }
        Some(ValueOrPath::Value(text))
    }

    fn fail(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<FailState> {
        let error = self.fail_field(ctx, "Error", "ErrorPath");
        let cause = self.fail_field(ctx, "Cause", "CausePath");
        Some(FailState { common, error, cause })
    }

    fn fail_field(&mut self, ctx: StateCtx<'_, '_>, key: &str, path_key: &str) -> Option<ValueOrPath<String>> {
        if !self.at_most_one(ctx.obj, &[key, path_key], ctx.loc) {
            return None;
        }
        if let Some(text) = self.string(ctx.obj, key, ctx.loc) {
            return Some(if ctx.jsonpath() || !is_jsonata_expression(&text) {
                ValueOrPath::Value(text)
            } else {
                ValueOrPath::Jsonata(text)
            });
        }
        if !ctx.jsonpath() {
            return None;
        }
        // A path here may also be an intrinsic function call such as States.Format(...).
        let path = self.string(ctx.obj, path_key, ctx.loc)?;
        let valid = is_intrinsic_call(&path) || path_shape(&path).is_some_and(|shape| shape.reference);
        if !valid {
            self.schema(&ctx.loc.field(path_key), msg::not_reference_path(&path));
            return None;
        }
        Some(ValueOrPath::Path(path))
    }

    fn parallel(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<ParallelState> {
        let transition = self.transition(ctx);
        self.required(ctx.obj, &["Branches"], ctx.loc);
        let branches = self.branches(ctx);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let arguments = self.jsonata_template(ctx, "Arguments");
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        Some(ParallelState {
            common,
            transition: transition?,
            branches: branches?,
            parameters,
            arguments,
            result_selector,
            result_path,
            retry,
            catch,
        })
    }

    fn branches(&mut self, ctx: StateCtx<'_, '_>) -> Option<Vec<SubMachine>> {
        let items = self.non_empty_array(ctx.obj, "Branches", ctx.loc)?;
        let at = ctx.loc.field("Branches");
        let branches: Vec<Option<SubMachine>> = items
            .iter()
            .enumerate()
            .map(|(index, branch)| self.sub_machine(branch, BRANCH_FIELDS, &at.index(index)))
            .collect();
        branches.into_iter().collect()
    }

    // ---- Map -----------------------------------------------------------------------------------

    fn map(&mut self, ctx: StateCtx<'_, '_>, common: CommonFields) -> Option<MapState> {
        let transition = self.transition(ctx);
        let processor = self.item_processor(ctx);
        let items_path = if ctx.jsonpath() {
            self.path_string(ctx.obj, "ItemsPath", PathRule::Reference { context: true }, ctx.loc)
        } else {
            None
        };
        let items = self.items(ctx);
        let item_selector = self.template(ctx.obj, "ItemSelector", ctx.language, ctx.loc);
        let parameters = self.jsonpath_template(ctx, "Parameters");
        let max_concurrency = self.int_or_path(ctx, "MaxConcurrency", "MaxConcurrencyPath", IntRange::at_least(0));
        let item_reader = self.item_reader(ctx);
        let item_batcher = self.item_batcher(ctx);
        let result_writer = self.result_writer(ctx);
        let tolerated_failure_count = self.int_or_path(
            ctx,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            IntRange::at_least(0),
        );
        let tolerated_failure_percentage = self.tolerated_failure_percentage(ctx);
        let label = self.string(ctx.obj, "Label", ctx.loc);
        let result_selector = self.jsonpath_template(ctx, "ResultSelector");
        let result_path = self.result_path(ctx);
        let retry = self.retriers(ctx);
        let catch = self.catchers(ctx);
        Some(MapState {
            common,
            transition: transition?,
            processor: processor?,
            items_path,
            items,
            item_selector,
            parameters,
            max_concurrency,
            item_reader,
            item_batcher,
            result_writer,
            tolerated_failure_count,
            tolerated_failure_percentage,
            label,
            result_selector,
            result_path,
            retry,
            catch,
        })
    }

    fn item_processor(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemProcessor> {
        let (key, legacy, allowed) = match (ctx.has("ItemProcessor"), ctx.has("Iterator")) {
            (true, true) => {
                self.schema(ctx.loc, msg::only_one_of(&["ItemProcessor", "Iterator"]));
                return None;
            }
            (false, false) => {
                self.schema(ctx.loc, msg::exactly_one_of(&["ItemProcessor", "Iterator"]));
                return None;
            }
            (true, false) => ("ItemProcessor", false, PROCESSOR_FIELDS),
            (false, true) => ("Iterator", true, BRANCH_FIELDS),
        };
        let value = ctx.get(key)?;
        let at = ctx.loc.field(key);
        let config = match value.as_object() {
            Some(obj) if !legacy => self.processor_config(obj, &at),
            _ => Some(ProcessorConfig::default()),
        };
        let body = self.sub_machine(value, allowed, &at);
        Some(ItemProcessor {
            config: config?,
            legacy_iterator: legacy,
            body: body?,
        })
    }

    fn processor_config(&mut self, processor: &Map<String, Value>, loc: &Loc) -> Option<ProcessorConfig> {
        let Some(config) = self.object(processor, "ProcessorConfig", loc) else {
            return (!processor.contains_key("ProcessorConfig")).then(ProcessorConfig::default);
        };
        let at = loc.field("ProcessorConfig");
        self.unsupported_fields(config, &[&["Mode", "ExecutionType"]], &at);
        let mode = match self
            .enumerated(config, "Mode", &["INLINE", "DISTRIBUTED"], &at)
            .as_deref()
        {
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            _ => ProcessorMode::Inline,
        };
        let execution_type = match self
            .enumerated(config, "ExecutionType", &["STANDARD", "EXPRESS"], &at)
            .as_deref()
        {
            Some("STANDARD") => Some(ExecutionType::Standard),
            Some(_) => Some(ExecutionType::Express),
            None => None,
        };
        match mode {
            ProcessorMode::Distributed => {
                self.required(config, &["ExecutionType"], &at);
                if self.options.machine_type == MachineType::Express {
                    self.schema(&at.field("Mode"), msg::EXPRESS_DISTRIBUTED);
                }
            }
            ProcessorMode::Inline if config.contains_key("ExecutionType") => {
                self.schema(&at, msg::unsupported("ExecutionType"));
            }
            ProcessorMode::Inline => {}
        }
        Some(ProcessorConfig { mode, execution_type })
    }

    fn items(&mut self, ctx: StateCtx<'_, '_>) -> Option<Value> {
        if ctx.jsonpath() {
            return None;
        }
        let value = ctx.get("Items")?;
        if !value.is_array() && Self::jsonata_expression(value, ctx.language).is_none() {
            self.schema(&ctx.loc.field("Items"), msg::expected_type("Array"));
        }
        Some(value.clone())
    }

    fn tolerated_failure_percentage(&mut self, ctx: StateCtx<'_, '_>) -> Option<ValueOrPath<f64>> {
        let (key, path_key) = ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath");
        if !self.at_most_one(ctx.obj, &[key, path_key], ctx.loc) {
            return None;
        }
        if let Some(value) = ctx.get(key) {
            if let Some(expression) = Self::jsonata_expression(value, ctx.language) {
                return Some(ValueOrPath::Jsonata(expression));
            }
            return self
                .number_value(value, &ctx.loc.field(key), 0.0, Some(100.0))
                .map(ValueOrPath::Value);
        }
        if !ctx.jsonpath() {
            return None;
        }
        self.path_string(ctx.obj, path_key, PathRule::Reference { context: false }, ctx.loc)
            .map(ValueOrPath::Path)
    }

    fn item_reader(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemReader> {
        let reader = self.object(ctx.obj, "ItemReader", ctx.loc)?;
        let at = ctx.loc.field("ItemReader");
        self.unsupported_fields(reader, &[ITEM_READER_FIELDS], &at);
        self.required(reader, &["Resource"], &at);
        let resource = self.string(reader, "Resource", &at);
        if resource
            .as_deref()
            .is_some_and(|resource| !is_item_reader_resource(resource))
        {
            self.schema(&at.field("Resource"), msg::ITEM_READER_RESOURCE);
        }
        let reader_config = self.reader_config(reader, ctx.language, &at);
        let parameters = self.template(reader, "Parameters", QueryLanguage::JsonPath, &at);
        let arguments = reader.get("Arguments").cloned();
        Some(ItemReader {
            resource: resource?,
            reader_config,
            parameters,
            arguments,
        })
    }

    fn reader_config(
        &mut self,
        reader: &Map<String, Value>,
        language: QueryLanguage,
        loc: &Loc,
    ) -> Option<ReaderConfig> {
        let config = self.object(reader, "ReaderConfig", loc)?;
        let at = loc.field("ReaderConfig");
        self.unsupported_fields(config, &[READER_CONFIG_FIELDS], &at);
        self.nested_path_fields(config, language, &at);
        let input_type = self.input_type(config, &at);
        let csv_header_location = self.csv_header_location(config, input_type, &at);
        let csv_headers = self.string_list(config, "CSVHeaders", &at);
        let csv_delimiter = self.string(config, "CSVDelimiter", &at);
        let manifest_type = self.string(config, "ManifestType", &at);
        let max_items = self.int_or_path_in(
            config,
            "MaxItems",
            "MaxItemsPath",
            IntRange::between(0, MAX_READER_ITEMS),
            language,
            &at,
            PathRule::Reference { context: false },
        );
        Some(ReaderConfig {
            input_type,
            csv_header_location,
            csv_headers,
            csv_delimiter,
            manifest_type,
            max_items,
        })
    }

    fn input_type(&mut self, config: &Map<String, Value>, loc: &Loc) -> Option<InputType> {
        let names = ["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"];
        Some(match self.enumerated(config, "InputType", &names, loc)?.as_str() {
            "CSV" => InputType::Csv,
            "JSON" => InputType::Json,
            "JSONL" => InputType::Jsonl,
            "MANIFEST" => InputType::Manifest,
            _ => InputType::Parquet,
        })
    }

    fn csv_header_location(
        &mut self,
        config: &Map<String, Value>,
        input_type: Option<InputType>,
        loc: &Loc,
    ) -> Option<CsvHeaderLocation> {
        let present = config.contains_key("CSVHeaderLocation");
        match input_type {
            Some(InputType::Csv) if !present => self.schema(loc, msg::CSV_HEADER_LOCATION_REQUIRED),
            Some(InputType::Json) if present => self.schema(loc, msg::unsupported("CSVHeaderLocation")),
            _ => {}
        }
        let location = match self
            .enumerated(config, "CSVHeaderLocation", &["FIRST_ROW", "GIVEN"], loc)?
            .as_str()
        {
            "GIVEN" => CsvHeaderLocation::Given,
            _ => CsvHeaderLocation::FirstRow,
        };
        if location == CsvHeaderLocation::Given {
            self.required(config, &["CSVHeaders"], loc);
        }
        Some(location)
    }

    fn string_list(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) -> Option<Vec<String>> {
        let items = self.array(obj, key, loc)?;
        let at = loc.field(key);
        let mut strings = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => strings.push(text.to_string()),
                None => self.schema(&at.index(index), msg::expected_type("String")),
            }
        }
        (strings.len() == items.len()).then_some(strings)
    }

    fn item_batcher(&mut self, ctx: StateCtx<'_, '_>) -> Option<ItemBatcher> {
        let batcher = self.object(ctx.obj, "ItemBatcher", ctx.loc)?;
        let at = ctx.loc.field("ItemBatcher");
        self.unsupported_fields(batcher, &[ITEM_BATCHER_FIELDS], &at);
        self.nested_path_fields(batcher, ctx.language, &at);
        let rule = PathRule::Reference { context: false };
        let range = IntRange::at_least(0);
        let max_items_per_batch = self.int_or_path_in(
            batcher,
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            range,
            ctx.language,
            &at,
            rule,
        );
        let max_input_bytes_per_batch = self.int_or_path_in(
            batcher,
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            range,
            ctx.language,
            &at,
            rule,
        );
        let batch_input = self.template(batcher, "BatchInput", ctx.language, &at);
        Some(ItemBatcher {
            max_items_per_batch,
            max_input_bytes_per_batch,
            batch_input,
        })
    }

    fn result_writer(&mut self, ctx: StateCtx<'_, '_>) -> Option<ResultWriter> {
        let writer = self.object(ctx.obj, "ResultWriter", ctx.loc)?;
        let at = ctx.loc.field("ResultWriter");
        self.unsupported_fields(writer, &[RESULT_WRITER_FIELDS], &at);
        Some(ResultWriter {
            resource: self.string(writer, "Resource", &at),
            parameters: self.template(writer, "Parameters", QueryLanguage::JsonPath, &at),
            arguments: writer.get("Arguments").cloned(),
            writer_config: self
                .object(writer, "WriterConfig", &at)
                .map(|config| Value::Object(config.clone())),
        })
    }

    // ---- Retry / Catch ---------------------------------------------------------------------------

    fn retriers(&mut self, ctx: StateCtx<'_, '_>) -> Vec<Retrier> {
        let Some(items) = self.array(ctx.obj, "Retry", ctx.loc) else {
            return Vec::new();
        };
        let at = ctx.loc.field("Retry");
        let last = items.len().saturating_sub(1);
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.retrier(item, &at.index(index), index == last))
            .collect()
    }

    fn retrier(&mut self, value: &Value, loc: &Loc, last: bool) -> Option<Retrier> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[RETRIER_FIELDS], loc);
        self.required(obj, &["ErrorEquals"], loc);
        let error_equals = self.error_equals(obj, loc, last);
        let comment = self.string(obj, "Comment", loc);
        let interval_seconds = self.integer(obj, "IntervalSeconds", loc, IntRange::between(0, MAX_SECONDS));
        let max_attempts = self.integer(obj, "MaxAttempts", loc, IntRange::between(0, MAX_SECONDS));
        let backoff_rate = obj
            .get("BackoffRate")
            .and_then(|value| self.number_value(value, &loc.field("BackoffRate"), 1.0, None));
        let max_delay_seconds = self.integer(
            obj,
            "MaxDelaySeconds",
            loc,
            IntRange::between(1, MAX_RETRY_DELAY_SECONDS),
        );
        let jitter_strategy = match self
            .enumerated(obj, "JitterStrategy", &["NONE", "FULL"], loc)
            .as_deref()
        {
            Some("FULL") => Some(JitterStrategy::Full),
            Some(_) => Some(JitterStrategy::None),
            None => None,
        };
        Some(Retrier {
            comment,
            error_equals: error_equals?,
            interval_seconds,
            max_attempts,
            backoff_rate,
            max_delay_seconds,
            jitter_strategy,
        })
    }

    fn catchers(&mut self, ctx: StateCtx<'_, '_>) -> Vec<Catcher> {
        let Some(items) = self.array(ctx.obj, "Catch", ctx.loc) else {
            return Vec::new();
        };
        let at = ctx.loc.field("Catch");
        let last = items.len().saturating_sub(1);
        items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.catcher(item, ctx.language, &at.index(index), index == last))
            .collect()
    }

    fn catcher(&mut self, value: &Value, language: QueryLanguage, loc: &Loc, last: bool) -> Option<Catcher> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        self.unsupported_fields(obj, &[CATCHER_FIELDS], loc);
        self.language_fields(obj, CATCHER_FIELDS, language, loc);
        self.required(obj, &["ErrorEquals", "Next"], loc);
        let error_equals = self.error_equals(obj, loc, last);
        let next = self.string(obj, "Next", loc);
        let result_path = if language == QueryLanguage::JsonPath {
            self.optional_path(obj, "ResultPath", PathRule::Result, loc)
        } else {
            OptionalPath::Absent
        };
        // Every field is checked before any `?` so one bad field cannot hide another's diagnostic.
        let comment = self.string(obj, "Comment", loc);
        let assign = self.assign(obj, language, loc);
        let output = if language == QueryLanguage::Jsonata {
            obj.get("Output").cloned()
        } else {
            None
        };
        Some(Catcher {
            comment,
            error_equals: error_equals?,
            next: next?,
            result_path,
            assign,
            output,
        })
    }

    /// `ErrorEquals` of a retrier or catcher; `States.ALL` must be alone in the last entry.
    fn error_equals(&mut self, obj: &Map<String, Value>, loc: &Loc, last: bool) -> Option<Vec<String>> {
        self.non_empty_array(obj, "ErrorEquals", loc)?;
        let names = self.string_list(obj, "ErrorEquals", loc)?;
        if names.iter().any(|name| name == STATES_ALL) && (names.len() > 1 || !last) {
            self.schema(&loc.field("ErrorEquals"), msg::STATES_ALL);
        }
        Some(names)
    }

    // ---- Choice rules ----------------------------------------------------------------------------

    fn choice_rules(&mut self, ctx: StateCtx<'_, '_>) -> Option<Vec<ChoiceRule>> {
        let items = self.non_empty_array(ctx.obj, "Choices", ctx.loc)?;
        let at = ctx.loc.field("Choices");
        let rules: Vec<Option<ChoiceRule>> = items
            .iter()
            .enumerate()
            .map(|(index, rule)| self.top_rule(rule, ctx.language, &at.index(index)))
            .collect();
        rules.into_iter().collect()
    }

    fn top_rule(&mut self, value: &Value, language: QueryLanguage, loc: &Loc) -> Option<ChoiceRule> {
        let Some(obj) = value.as_object() else {
            self.schema(loc, msg::expected_type("Object"));
            return None;
        };
        match language {
            QueryLanguage::JsonPath => {
                self.required(obj, &["Next"], loc);
                self.rule_body(obj, loc, true);
            }
            QueryLanguage::Jsonata => self.jsonata_rule(obj, loc),
        }
        self.assign(obj, language, loc);
        let next = self.string(obj, "Next", loc);
        Some(ChoiceRule {
            rule: value.clone(),
            next: next?,
        })
    }

    fn jsonata_rule(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        let jsonpath_fields: Vec<&str> = RULE_SELECTORS.iter().chain(COMPARISON_OPERATORS).copied().collect();
        self.unsupported_fields(
            obj,
            &[&["Condition", "Next", "Comment", "Assign", "Output"], &jsonpath_fields],
            loc,
        );
        for key in obj.keys().filter(|key| jsonpath_fields.contains(&key.as_str())) {
            self.schema(loc, msg::wrong_language("JSONata", key, "JSONPath"));
        }
        self.required(obj, &["Condition", "Next"], loc);
        if obj
            .get("Condition")
            .is_some_and(|condition| !condition.is_boolean() && !condition.is_string())
        {
            self.schema(&loc.field("Condition"), msg::expected_type("String"));
        }
    }

    /// A JSONPath rule: exactly one of And/Or/Not/Variable, and with Variable exactly one
    /// comparison. Only top-level rules carry `Next` and `Assign`.
    fn rule_body(&mut self, obj: &Map<String, Value>, loc: &Loc, top: bool) {
        let selectors: Vec<&str> = RULE_SELECTORS
            .iter()
            .copied()
            .filter(|key| obj.contains_key(*key))
            .collect();
        let top_fields: &[&str] = if top { &["Next", "Assign"] } else { &[] };
        // Operators belong with Variable; without any selector the selector diagnostic says it all.
        let selector_fields: &[&str] = match selectors.as_slice() {
            [] | ["Variable"] => COMPARISON_OPERATORS,
            _ => &[],
        };
        self.unsupported_fields(
            obj,
            &[
                &["Comment", "Condition", "Output"],
                top_fields,
                &selectors,
                selector_fields,
            ],
            loc,
        );
        for key in ["Condition", "Output"].into_iter().filter(|key| obj.contains_key(*key)) {
            self.schema(loc, msg::wrong_language("JSONPath", key, "JSONata"));
        }
        match selectors.as_slice() {
            ["Variable"] => self.comparison(obj, loc),
            [logical @ ("And" | "Or")] => self.rule_list(obj, logical, loc),
            ["Not"] => match obj.get("Not").and_then(Value::as_object) {
                Some(inner) => self.rule_body(inner, &loc.field("Not"), false),
                None => self.schema(&loc.field("Not"), msg::expected_type("Object")),
            },
            _ => self.schema(loc, msg::CHOICE_SELECTOR),
        }
    }

    fn rule_list(&mut self, obj: &Map<String, Value>, key: &str, loc: &Loc) {
        let Some(items) = self.non_empty_array(obj, key, loc) else {
            return;
        };
        let at = loc.field(key);
        for (index, item) in items.iter().enumerate() {
            match item.as_object() {
                Some(inner) => self.rule_body(inner, &at.index(index), false),
                None => self.schema(&at.index(index), msg::expected_type("Object")),
            }
        }
    }

    fn comparison(&mut self, obj: &Map<String, Value>, loc: &Loc) {
        self.path_string(obj, "Variable", PathRule::Reference { context: true }, loc);
        let operators: Vec<&str> = COMPARISON_OPERATORS
            .iter()
            .copied()
            .filter(|op| obj.contains_key(*op))
            .collect();
        match operators.as_slice() {
            [] => self.schema(loc, msg::exactly_one_of(COMPARISON_OPERATORS)),
            [operator] => self.operand(obj, operator, loc),
            _ => self.schema(loc, msg::only_one_of(COMPARISON_OPERATORS)),
        }
    }

    fn operand(&mut self, obj: &Map<String, Value>, operator: &str, loc: &Loc) {
        let Some(value) = obj.get(operator) else {
            return;
        };
        let at = loc.field(operator);
        if operator.ends_with("Path") {
            self.path_string(obj, operator, PathRule::Reference { context: true }, loc);
        } else if operator.starts_with("Is") || operator == "BooleanEquals" {
            self.boolean(obj, operator, loc);
        } else if operator.starts_with("Numeric") {
            if !value.is_number() {
                self.schema(&at, msg::expected_type("Number"));
            }
        } else if operator.starts_with("Timestamp") {
            if self.string(obj, operator, loc).is_some_and(|text| !is_rfc3339(&text)) {
                self.schema(&at, msg::NOT_RFC3339);
            }
        } else {
            self.string(obj, operator, loc);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Graph walk: dangling transitions, unreachable states, missing terminal state
// ---------------------------------------------------------------------------------------------

mod graph {
    use super::*;

    pub(super) fn check(root: &Map<String, Value>, diagnostics: &mut Vec<Diagnostic>) {
        let Some(states) = root.get("States").and_then(Value::as_object) else {
            return;
        };
        let has_terminal = states.values().any(is_terminal);
        // Measured: without any terminal state AWS skips the unreachable-state report at the top
        // level, but still reports dangling targets.
        scope(root, states, &Loc::root(), has_terminal, diagnostics);
        if !has_terminal {
            diagnostics.push(Diagnostic::error(Code::MissingEndState, msg::NO_TERMINAL_STATE, None));
        }
    }

    fn is_terminal(state: &Value) -> bool {
        let Some(obj) = state.as_object() else {
            return false;
        };
        obj.get("End") == Some(&Value::Bool(true))
            || matches!(obj.get("Type").and_then(Value::as_str), Some("Succeed" | "Fail"))
    }

    fn scope(
        container: &Map<String, Value>,
        states: &Map<String, Value>,
        loc: &Loc,
        reachability: bool,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let states_loc = loc.field("States");
        let start = container.get("StartAt").and_then(Value::as_str);
        if let Some(start) = start.filter(|start| !states.contains_key(*start)) {
            missing(start, &loc.field("StartAt"), diagnostics);
        }
        for (name, state) in states {
            for (target, at) in transitions(state, &states_loc.field(name)) {
                if !states.contains_key(target) {
                    missing(target, &at, diagnostics);
                }
            }
        }
        if reachability && let Some(start) = start {
            for name in unreachable(states, start) {
                let at = states_loc.field(name);
                diagnostics.push(Diagnostic::error(
                    Code::MissingTransitionTarget,
                    msg::unreachable(name),
                    Some(at.render()),
                ));
            }
        }
        for (name, state) in states {
            nested(state, &states_loc.field(name), diagnostics);
        }
    }

    fn missing(target: &str, loc: &Loc, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.push(Diagnostic::error(
            Code::MissingTransitionTarget,
            msg::missing_target(target),
            Some(loc.render()),
        ));
    }

    /// Nested containers are always walked for reachability; they have no terminal-state rule.
    fn nested(state: &Value, loc: &Loc, diagnostics: &mut Vec<Diagnostic>) {
        let Some(obj) = state.as_object() else {
            return;
        };
        let mut containers: Vec<(Loc, &Value)> = Vec::new();
        match obj.get("Type").and_then(Value::as_str) {
            Some("Parallel") => {
                if let Some(branches) = obj.get("Branches").and_then(Value::as_array) {
                    let at = loc.field("Branches");
                    containers.extend(
                        branches
                            .iter()
                            .enumerate()
                            .map(|(index, branch)| (at.index(index), branch)),
                    );
                }
            }
            Some("Map") => {
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(processor) = obj.get(key) {
                        containers.push((loc.field(key), processor));
                    }
                }
            }
            _ => {}
        }
        for (at, container) in containers {
            let Some(container) = container.as_object() else {
                continue;
            };
            if let Some(states) = container.get("States").and_then(Value::as_object) {
                scope(container, states, &at, true, diagnostics);
            }
        }
    }

    /// Targets a state names, with the location AWS reports a dangling one at.
    fn transitions<'v>(state: &'v Value, loc: &Loc) -> Vec<(&'v str, Loc)> {
        let Some(obj) = state.as_object() else {
            return Vec::new();
        };
        let kind = obj.get("Type").and_then(Value::as_str).and_then(Kind::from_name);
        let mut targets = Vec::new();
        let mut push = |value: Option<&'v Value>, at: Loc| {
            if let Some(target) = value.and_then(Value::as_str) {
                targets.push((target, at));
            }
        };
        match kind {
            Some(Kind::Choice) => {
                if let Some(rules) = obj.get("Choices").and_then(Value::as_array) {
                    for (index, rule) in rules.iter().enumerate() {
                        push(rule.get("Next"), loc.field("Choices").index(index).field("Next"));
                    }
                }
                push(obj.get("Default"), loc.field("Default"));
            }
            Some(Kind::Pass | Kind::Task | Kind::Wait | Kind::Parallel | Kind::Map) => {
                push(obj.get("Next"), loc.field("Next"));
                if let Some(catchers) = obj.get("Catch").and_then(Value::as_array) {
                    for (index, catcher) in catchers.iter().enumerate() {
                        push(catcher.get("Next"), loc.field("Catch").index(index).field("Next"));
                    }
                }
            }
            _ => {}
        }
        targets
    }

    /// States not reachable from `start`, in document order. A dangling `start` reaches nothing.
    fn unreachable<'v>(states: &'v Map<String, Value>, start: &str) -> Vec<&'v str> {
        let mut reached: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = VecDeque::new();
        if let Some((name, _)) = states.get_key_value(start) {
            reached.insert(name);
            queue.push_back(name);
        }
        let scratch = Loc::root();
        while let Some(current) = queue.pop_front() {
            let Some(state) = states.get(current) else {
                continue;
            };
            for (target, _) in transitions(state, &scratch) {
                if let Some((name, _)) = states.get_key_value(target)
                    && reached.insert(name)
                {
                    queue.push_back(name);
                }
            }
        }
        states
            .keys()
            .map(String::as_str)
            .filter(|name| !reached.contains(name))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Value syntax helpers: paths, intrinsics, ARNs, timestamps
// ---------------------------------------------------------------------------------------------

/// What a syntactically valid JSONPath looks like, for the rules that restrict it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PathShape {
    /// Starts with `$$` (the context object).
    context: bool,
    /// Starts with `$name` (a workflow variable).
    variable: bool,
    /// Only names and indexes: selects at most one node.
    reference: bool,
}

/// Parses the JSONPath dialect Step Functions accepts (Jayway-like): `$`, `$$`, `$var`, then
/// `.name`, `..name`, `.*`, `[n]`, `['name']`, `[*]`, slices, unions and `[?(...)]` filters.
fn path_shape(path: &str) -> Option<PathShape> {
    let mut shape = PathShape {
        context: false,
        variable: false,
        reference: true,
    };
    let rest = if let Some(rest) = path.strip_prefix("$$") {
        shape.context = true;
        rest
    } else {
        let rest = path.strip_prefix('$')?;
        let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
        if name_end > 0 {
            if !is_variable_name(&rest[..name_end]) {
                return None;
            }
            shape.variable = true;
        }
        &rest[name_end..]
    };
    path_segments(rest, &mut shape)?;
    Some(shape)
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn path_segments(mut rest: &str, shape: &mut PathShape) -> Option<()> {
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            shape.reference = false;
            rest = if after.starts_with('[') {
                after
            } else {
                dot_member(after, shape)?
            };
        } else if let Some(after) = rest.strip_prefix('.') {
            rest = dot_member(after, shape)?;
        } else if let Some(after) = rest.strip_prefix('[') {
            rest = bracket(after, shape)?;
        } else {
            return None;
        }
    }
    Some(())
}

/// A member after `.`: `*` or a name up to the next `.` or `[`.
fn dot_member<'p>(rest: &'p str, shape: &mut PathShape) -> Option<&'p str> {
    if let Some(after) = rest.strip_prefix('*') {
        shape.reference = false;
        return Some(after);
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let name = &rest[..end];
    let bad = |c: char| c.is_whitespace() || matches!(c, ']' | '(' | ')' | '\'' | '"' | '*' | '$');
    if name.is_empty() || name.contains(bad) {
        return None;
    }
    Some(&rest[end..])
}

/// The inside of `[...]` (the opening bracket already consumed).
fn bracket<'p>(rest: &'p str, shape: &mut PathShape) -> Option<&'p str> {
    let end = closing_bracket(rest)?;
    let inner = rest[..end].trim();
    let after = &rest[end + 1..];
    if inner.starts_with("?(") && inner.ends_with(')') {
        shape.reference = false;
        return Some(after);
    }
    let parts = split_outside_quotes(inner, ',');
    if parts.len() > 1 {
        shape.reference = false;
    }
    for part in parts {
        bracket_part(part.trim(), shape)?;
    }
    Some(after)
}

fn bracket_part(part: &str, shape: &mut PathShape) -> Option<()> {
    let quoted = |quote: char| part.len() >= 2 && part.starts_with(quote) && part.ends_with(quote);
    if quoted('\'') || quoted('"') {
        return (part.len() > 2).then_some(());
    }
    if part == "*" {
        shape.reference = false;
        return Some(());
    }
    if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
        return Some(());
    }
    let slice_like = |c: char| c.is_ascii_digit() || c == '-' || c == ':';
    if !part.is_empty() && part.chars().all(slice_like) && part.chars().any(|c| c.is_ascii_digit() || c == ':') {
        shape.reference = false;
        return Some(());
    }
    None
}

/// Index of the `]` closing a bracket, skipping quoted text and nested parentheses.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => depth = depth.checked_sub(1)?,
                ']' if depth == 0 => return Some(index),
                _ => {}
            },
        }
    }
    None
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == separator => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            None => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `States.Name(...)` with balanced parentheses outside single-quoted strings.
fn is_intrinsic_call(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("States.") else {
        return false;
    };
    let name_end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
    let arguments = &rest[name_end..];
    if name_end == 0 || !arguments.starts_with('(') || !arguments.ends_with(')') {
        return false;
    }
    balanced_parentheses(arguments)
}

fn balanced_parentheses(text: &str) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '\'' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth = match depth.checked_sub(1) {
                    Some(depth) => depth,
                    None => return false,
                };
                // The outer call must close only at the very end.
                if depth == 0 && index + 1 != text.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_string
}

/// The value of a `.$` key: a JSONPath (context and variables allowed) or an intrinsic call.
fn is_dynamic_value(text: &str) -> bool {
    (text.starts_with('$') && path_shape(text).is_some()) || is_intrinsic_call(text)
}

fn is_jsonata_expression(text: &str) -> bool {
    text.len() >= 4 && text.starts_with("{%") && text.ends_with("%}")
}

/// `arn:partition:service:region:account:resource...`; regions and accounts may be empty, as in
/// `arn:aws:states:::lambda:invoke`.
fn is_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty()
}

fn is_activity_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(7, ':').collect();
    parts.len() == 7 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "activity"
}

fn is_item_reader_resource(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "states", "", "", "s3", operation] => {
            !partition.is_empty() && matches!(*operation, "getObject" | "listObjectsV2")
        }
        _ => false,
    }
}

/// ASL's RFC 3339 profile: uppercase `T`, and `Z` unless a numeric offset is given.
fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let shape = bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    let zone = rest == "Z" || {
        let zone = rest.as_bytes();
        zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[1..3].iter().all(u8::is_ascii_digit)
            && zone[3] == b':'
            && zone[4..6].iter().all(u8::is_ascii_digit)
    };
    zone && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

// ---------------------------------------------------------------------------------------------
// JSON syntax errors, reported the way Jackson (the service's parser) words and locates them
// ---------------------------------------------------------------------------------------------

mod jackson {
    pub(super) struct SyntaxError {
        /// `<reason>\n at [Source: ...; line: L, column: C]`, as `JsonProcessingException` prints.
        pub(super) message: String,
        /// `[Source: ...; line: L, column: C]`.
        pub(super) location: String,
    }

    /// Checks `text` like Jackson's tree reader: `Ok(None)` for whitespace only, otherwise the
    /// byte offset where the first value ends (Jackson ignores what follows it).
    pub(super) fn scan(text: &str) -> Result<Option<usize>, SyntaxError> {
        let mut scanner = Scanner {
            text,
            pos: 0,
            line: 1,
            row_start: 0,
            stack: Vec::new(),
        };
        if scanner.skip_ws()?.is_none() {
            return Ok(None);
        }
        scanner.document()?;
        Ok(Some(scanner.pos))
    }

    const VALUE_LIST: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
    /// Jackson cuts the echoed document at this many characters.
    const MAX_SNIPPET: usize = 500;
    const MAX_TOKEN: usize = 256;

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Container {
        Object,
        Array,
    }

    impl Container {
        fn name(self) -> &'static str {
            match self {
                Container::Object => "Object",
                Container::Array => "Array",
            }
        }

        fn close(self) -> char {
            match self {
                Container::Object => '}',
                Container::Array => ']',
            }
        }
    }

    /// An open container. Its column is derived only when an error needs it: computing it for
    /// every bracket would make deeply nested input quadratic.
    struct Frame {
        container: Container,
        line: usize,
        row_start: usize,
        pos: usize,
    }

    #[derive(Clone, Copy)]
    enum Expect {
        Value,
        FirstEntryOrClose(Container),
        AfterValue,
    }

    struct Scanner<'t> {
        text: &'t str,
        pos: usize,
        line: usize,
        row_start: usize,
        stack: Vec<Frame>,
    }

    impl Scanner<'_> {
        fn peek(&self) -> Option<char> {
            self.text[self.pos..].chars().next()
        }

        fn bump(&mut self, c: char) {
            self.pos += c.len_utf8();
        }

        /// Jackson columns are 1-based and count UTF-16 units up to the read position.
        fn column(&self) -> usize {
            self.column_of(self.row_start, self.pos)
        }

        fn column_of(&self, row_start: usize, pos: usize) -> usize {
            self.text[row_start..pos].encode_utf16().count() + 1
        }

        fn frame_location(&self, frame: &Frame) -> String {
            self.location_at(frame.line, self.column_of(frame.row_start, frame.pos))
        }

        fn source(&self) -> String {
            let total = self.text.encode_utf16().count();
            let mut snippet = String::new();
            let mut units = 0;
            for c in self.text.chars() {
                if units + c.len_utf16() > MAX_SNIPPET {
                    break;
                }
                units += c.len_utf16();
                if c.is_control() && c != '\r' && c != '\n' {
                    snippet.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    snippet.push(c);
                }
            }
            let mut source = format!("(String)\"{snippet}\"");
            if total > MAX_SNIPPET {
                source.push_str(&format!("[truncated {} chars]", total - MAX_SNIPPET));
            }
            source
        }

        fn location_at(&self, line: usize, column: usize) -> String {
            format!("[Source: {}; line: {}, column: {}]", self.source(), line, column)
        }

        fn error(&self, reason: impl Into<String>) -> SyntaxError {
            let location = self.location_at(self.line, self.column());
            SyntaxError {
                message: format!("{}\n at {}", reason.into(), location),
                location,
            }
        }

        fn unexpected(&self, c: char, comment: &str) -> SyntaxError {
            self.error(format!("Unexpected character ({}): {}", char_desc(c), comment))
        }

        fn newline(&mut self) {
            self.line += 1;
            self.row_start = self.pos;
        }

        /// Skips whitespace; returns the next significant character without consuming it.
        fn skip_ws(&mut self) -> Result<Option<char>, SyntaxError> {
            while let Some(c) = self.peek() {
                match c {
                    ' ' | '\t' => self.bump(c),
                    '\n' => {
                        self.bump(c);
                        self.newline();
                    }
                    '\r' => {
                        self.bump(c);
                        if self.peek() == Some('\n') {
                            self.bump('\n');
                        }
                        self.newline();
                    }
                    '/' => {
                        self.bump(c);
                        return Err(self.unexpected(
                            c,
                            "maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' \
                             not enabled for parser)",
                        ));
                    }
                    c if (c as u32) < 0x20 => {
                        self.bump(c);
                        return Err(self.error(format!(
                            "Illegal character ({}): only regular white space (\\r, \\n, \\t) is allowed between \
                             tokens",
                            char_desc(c)
                        )));
                    }
                    c => return Ok(Some(c)),
                }
            }
            Ok(None)
        }

        fn eof_in_container(&self) -> SyntaxError {
            match self.stack.last() {
                Some(frame) => self.error(format!(
                    "Unexpected end-of-input: expected close marker for {} (start marker at {})",
                    frame.container.name(),
                    self.frame_location(frame)
                )),
                None => self.error("Unexpected end-of-input"),
            }
        }

        fn eof_between_entries(&self) -> SyntaxError {
            let container = self.stack.last().map_or(Container::Object, |frame| frame.container);
            self.error(format!(
                "Unexpected end-of-input within/between {} entries",
                container.name()
            ))
        }

        /// One complete value, iteratively so deep nesting cannot overflow the stack.
        fn document(&mut self) -> Result<(), SyntaxError> {
            let mut expect = Expect::Value;
            loop {
                expect = match expect {
                    Expect::Value => {
                        let c = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
                        self.value_start(c)?
                    }
                    Expect::FirstEntryOrClose(container) => {
                        let c = self.skip_ws()?.ok_or_else(|| self.eof_in_container())?;
                        if c == '}' || c == ']' {
                            self.close(c)?;
                            Expect::AfterValue
                        } else if container == Container::Object {
                            self.field_name(c)?;
                            Expect::Value
                        } else {
                            Expect::Value
                        }
                    }
                    Expect::AfterValue => {
                        let Some(frame) = self.stack.last() else {
                            return Ok(());
                        };
                        let container = frame.container;
                        self.after_value(container)?
                    }
                };
            }
        }

        fn value_start(&mut self, c: char) -> Result<Expect, SyntaxError> {
            match c {
                '{' => {
                    self.open(Container::Object, c);
                    Ok(Expect::FirstEntryOrClose(Container::Object))
                }
                '[' => {
                    self.open(Container::Array, c);
                    Ok(Expect::FirstEntryOrClose(Container::Array))
                }
                _ => {
                    self.scalar(c)?;
                    Ok(Expect::AfterValue)
                }
            }
        }

        fn after_value(&mut self, container: Container) -> Result<Expect, SyntaxError> {
            let c = self.skip_ws()?.ok_or_else(|| self.eof_in_container())?;
            if c == '}' || c == ']' {
                self.close(c)?;
                return Ok(Expect::AfterValue);
            }
            self.bump(c);
            if c != ',' {
                let comment = format!("was expecting comma to separate {} entries", container.name());
                return Err(self.unexpected(c, &comment));
            }
            let next = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
            if container == Container::Object {
                self.field_name(next)?;
            }
            Ok(Expect::Value)
        }

        fn open(&mut self, container: Container, c: char) {
            let frame = Frame {
                container,
                line: self.line,
                row_start: self.row_start,
                pos: self.pos,
            };
            self.stack.push(frame);
            self.bump(c);
        }

        fn close(&mut self, c: char) -> Result<(), SyntaxError> {
            self.bump(c);
            let Some(frame) = self.stack.last() else {
                return Ok(());
            };
            if frame.container.close() != c {
                return Err(self.error(format!(
                    "Unexpected close marker '{}': expected '{}' (for {} starting at {})",
                    c,
                    frame.container.close(),
                    frame.container.name(),
                    self.frame_location(frame)
                )));
            }
            self.stack.pop();
            Ok(())
        }

        /// A field name and its colon; leaves the scanner before the value.
        fn field_name(&mut self, c: char) -> Result<(), SyntaxError> {
            self.bump(c);
            if c != '"' {
                return Err(self.unexpected(c, "was expecting double-quote to start field name"));
            }
            self.string_body("name")?;
            let c = self.skip_ws()?.ok_or_else(|| self.eof_between_entries())?;
            self.bump(c);
            if c != ':' {
                return Err(self.unexpected(c, "was expecting a colon to separate field name and value"));
            }
            if self.skip_ws()?.is_none() {
                return Err(self.eof_between_entries());
            }
            Ok(())
        }

        fn scalar(&mut self, c: char) -> Result<(), SyntaxError> {
            match c {
                '"' => {
                    self.bump(c);
                    self.string_body("string value")
                }
                '-' | '0'..='9' => self.number(c),
                't' => self.literal("true"),
                'f' => self.literal("false"),
                'n' => self.literal("null"),
                _ => {
                    self.bump(c);
                    if is_identifier_start(c) {
                        Err(self.invalid_token(c.to_string()))
                    } else {
                        Err(self.unexpected(c, &format!("expected a valid value {VALUE_LIST}")))
                    }
                }
            }
        }

        /// Jackson reads on while the token looks like an identifier, then names all of it.
        fn invalid_token(&mut self, mut token: String) -> SyntaxError {
            while let Some(c) = self.peek().filter(|c| is_identifier_part(*c)) {
                self.bump(c);
                token.push(c);
                if token.chars().count() >= MAX_TOKEN {
                    token.push_str("...");
                    break;
                }
            }
            self.error(format!("Unrecognized token '{token}': was expecting {VALUE_LIST}"))
        }

        fn literal(&mut self, word: &str) -> Result<(), SyntaxError> {
            for (index, expected) in word.char_indices() {
                match self.peek() {
                    Some(c) if c == expected => self.bump(c),
                    _ => return Err(self.invalid_token(word[..index].to_string())),
                }
            }
            match self.peek() {
                Some(c) if c >= '0' && c != ']' && c != '}' && is_identifier_part(c) => {
                    Err(self.invalid_token(word.to_string()))
                }
                _ => Ok(()),
            }
        }

        fn string_body(&mut self, context: &str) -> Result<(), SyntaxError> {
            loop {
                let Some(c) = self.peek() else {
                    return Err(self.error(if context == "name" {
                        "Unexpected end-of-input in field name"
                    } else {
                        "Unexpected end-of-input: was expecting closing quote for a string value"
                    }));
                };
                self.bump(c);
                match c {
                    '"' => return Ok(()),
                    '\\' => self.escape()?,
                    c if (c as u32) < 0x20 => {
                        return Err(self.error(format!(
                            "Illegal unquoted character ({}): has to be escaped using backslash to be included in {}",
                            char_desc(c),
                            context
                        )));
                    }
                    _ => {}
                }
            }
        }

        fn escape(&mut self) -> Result<(), SyntaxError> {
            let eof = "Unexpected end-of-input in character escape sequence";
            let Some(c) = self.peek() else {
                return Err(self.error(eof));
            };
            self.bump(c);
            match c {
                '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => Ok(()),
                'u' => {
                    for _ in 0..4 {
                        let Some(digit) = self.peek() else {
                            return Err(self.error(eof));
                        };
                        self.bump(digit);
                        if !digit.is_ascii_hexdigit() {
                            return Err(self.unexpected(digit, "expected a hex-digit for character escape sequence"));
                        }
                    }
                    Ok(())
                }
                _ => Err(self.error(format!("Unrecognized character escape {}", char_desc(c)))),
            }
        }

        fn digits(&mut self) -> usize {
            let mut count = 0;
            while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                self.bump(c);
                count += 1;
            }
            count
        }

        fn number_char_error(&mut self, last: char, comment: &str) -> SyntaxError {
            let c = match self.peek() {
                Some(c) => {
                    self.bump(c);
                    c
                }
                None => last,
            };
            self.error(format!(
                "Unexpected character ({}) in numeric value: {}",
                char_desc(c),
                comment
            ))
        }

        fn number(&mut self, first: char) -> Result<(), SyntaxError> {
            if first == '-' {
                self.bump(first);
                if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(self.number_char_error(
                        first,
                        "expected digit (0-9) to follow minus sign, for valid numeric value",
                    ));
                }
            }
            if self.peek() == Some('0') {
                self.bump('0');
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(self.error("Invalid numeric value: Leading zeroes not allowed"));
                }
            } else {
                self.digits();
            }
            if self.peek() == Some('.') {
                self.bump('.');
                if self.digits() == 0 {
                    return Err(self.number_char_error('.', "Decimal point not followed by a digit"));
                }
            }
            if let Some(e) = self.peek().filter(|c| matches!(c, 'e' | 'E')) {
                self.bump(e);
                let mut last = e;
                if let Some(sign) = self.peek().filter(|c| matches!(c, '+' | '-')) {
                    self.bump(sign);
                    last = sign;
                }
                if self.digits() == 0 {
                    return Err(self.number_char_error(last, "Exponent indicator not followed by a digit"));
                }
            }
            self.root_space_after_number()
        }

        /// At the root Jackson wants whitespace (or the end) right after a number.
        fn root_space_after_number(&mut self) -> Result<(), SyntaxError> {
            match self.peek() {
                Some(c) if self.stack.is_empty() && !matches!(c, ' ' | '\t' | '\n' | '\r') => {
                    self.bump(c);
                    Err(self.unexpected(c, "Expected space separating root-level values"))
                }
                _ => Ok(()),
            }
        }
    }

    /// Jackson's `_getCharDesc`.
    fn char_desc(c: char) -> String {
        let code = c as u32;
        if c.is_control() {
            format!("(CTRL-CHAR, code {code})")
        } else if code > 255 {
            format!("'{c}' (code {code} / 0x{code:x})")
        } else {
            format!("'{c}' (code {code})")
        }
    }

    /// Approximates `Character.isJavaIdentifierStart`.
    fn is_identifier_start(c: char) -> bool {
        c.is_alphabetic() || c == '$' || c == '_'
    }

    /// Approximates `Character.isJavaIdentifierPart`.
    fn is_identifier_part(c: char) -> bool {
        c.is_alphanumeric() || c == '$' || c == '_'
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn analyze_json(definition: &Value) -> Analysis {
        analyze(&definition.to_string(), &Options::default())
    }

    /// Every diagnostic rendered the way `CreateStateMachine` prints it.
    fn rendered(definition: &Value) -> Vec<String> {
        analyze_json(definition)
            .diagnostics
            .iter()
            .map(Diagnostic::render)
            .collect()
    }

    fn rendered_express(definition: &Value) -> Vec<String> {
        let options = Options {
            machine_type: MachineType::Express,
        };
        analyze(&definition.to_string(), &options)
            .diagnostics
            .iter()
            .map(Diagnostic::render)
            .collect()
    }

    fn parsed(definition: &Value) -> Definition {
        match parse(&definition.to_string()) {
            Ok(definition) => definition,
            Err(diagnostics) => panic!("unexpected diagnostics: {}", invalid_definition_message(&diagnostics)),
        }
    }

    /// A one-state machine whose only state is `state`, named `name`.
    fn single(name: &str, state: Value) -> Value {
        json!({"StartAt": name, "States": {name: state}})
    }

    fn end_pass() -> Value {
        json!({"Type": "Pass", "End": true})
    }

    // ---- recorded AWS responses -----------------------------------------------------------------

    #[test]
    fn empty_object_lists_both_required_fields_in_aws_order() {
        assert_eq!(
            rendered(&json!({})),
            ["SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /"]
        );
    }

    #[test]
    fn missing_start_at_is_the_only_diagnostic() {
        let definition = json!({"States": {"A": end_pass()}});
        let analysis = analyze_json(&definition);
        assert_eq!(analysis.diagnostics.len(), 1);
        let diagnostic = &analysis.diagnostics[0];
        assert_eq!(diagnostic.code, Code::SchemaValidationFailed);
        assert_eq!(diagnostic.message, "These fields are required: [StartAt]");
        assert_eq!(diagnostic.location.as_deref(), Some("/"));
        assert!(analysis.definition.is_none());
    }

    #[test]
    fn create_state_machine_message_for_missing_states_matches_aws() {
        let diagnostics = parse(r#"{"StartAt": "A"}"#).unwrap_err();
        assert_eq!(
            invalid_definition_message(&diagnostics),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
        );
    }

    #[test]
    fn whitespace_definition_is_not_a_json_object() {
        let analysis = analyze(" ", &Options::default());
        assert_eq!(
            analysis.diagnostics,
            [Diagnostic::error(
                Code::SchemaValidationFailed,
                "Definition must be a valid JSON object",
                None
            )]
        );
    }

    #[test]
    fn non_json_reports_jacksons_unrecognized_token() {
        let analysis = analyze("not a definition", &Options::default());
        let location = "[Source: (String)\"not a definition\"; line: 1, column: 4]";
        assert_eq!(
            analysis.diagnostics,
            [Diagnostic::error(
                Code::InvalidJsonDescription,
                format!(
                    "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', \
                     'true' or 'false')\n at {location}"
                ),
                Some(location.to_string()),
            )]
        );
    }

    #[test]
    fn dangling_next_and_unreachable_state_render_like_aws() {
        let definition = json!({
            "StartAt": "pass1",
            "States": {
                "pass1": {"Type": "Pass", "Next": "pass3"},
                "pass2": end_pass(),
            }
        });
        let diagnostics = parse(&definition.to_string()).unwrap_err();
        assert_eq!(
            invalid_definition_message(&diagnostics),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at \
             /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"
        );
    }

    #[test]
    fn loop_without_terminal_state_reports_only_missing_end_state() {
        let definition = json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"},
                "Orphan": {"Type": "Pass", "Next": "A"},
            }
        });
        let analysis = analyze_json(&definition);
        assert_eq!(
            analysis.diagnostics,
            [Diagnostic::error(
                Code::MissingEndState,
                "Workflow has no terminal state",
                None
            )]
        );
        assert_eq!(
            invalid_definition_message(&analysis.diagnostics),
            "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'"
        );
    }

    #[test]
    fn unreachable_terminal_state_is_reported_instead_of_missing_end() {
        let definition = json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"},
                "C": {"Type": "Succeed"},
            }
        });
        assert_eq!(
            rendered(&definition),
            ["MISSING_TRANSITION_TARGET: State \"C\" is not reachable. at /States/C"]
        );
    }

    #[test]
    fn dangling_target_comes_before_missing_end_state() {
        let definition = single("A", json!({"Type": "Pass", "Next": "NOPE"}));
        assert_eq!(
            rendered(&definition),
            [
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at /States/A/Next",
                "MISSING_END_STATE: Workflow has no terminal state at null",
            ]
        );
    }

    #[test]
    fn every_transition_kind_reports_missing_next_at_its_own_location() {
        let definition = json!({
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Gone1"}],
                    "Default": "Gone2"
                },
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone3"}],
                    "End": true
                }
            }
        });
        assert_eq!(
            rendered(&definition),
            [
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone1 at /States/C/Choices[0]/Next",
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone2 at /States/C/Default",
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone3 at /States/T/Catch[0]/Next",
                "MISSING_TRANSITION_TARGET: State \"T\" is not reachable. at /States/T",
            ]
        );
    }

    #[test]
    fn dangling_start_at_leaves_every_state_unreachable() {
        let definition = json!({"StartAt": "Nowhere", "States": {"A": end_pass()}});
        assert_eq!(
            rendered(&definition),
            [
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /StartAt",
                "MISSING_TRANSITION_TARGET: State \"A\" is not reachable. at /States/A",
            ]
        );
    }

    #[test]
    fn long_state_name_reports_the_recorded_message() {
        let name = "This is an exceptionally long state name that I know will fail when I try to deploy to AWS";
        let definition = json!({
            "StartAt": "Hello",
            "States": {"Hello": {"Type": "Pass", "Next": name}, name: end_pass()}
        });
        assert_eq!(
            rendered(&definition),
            [format!(
                "INVALID_STATE_NAME: Invalid State name: State '{name}' exceeds the 80-character limit allowed by the \
                 service at /States/{name}"
            )]
        );
        let eighty = "x".repeat(80);
        parsed(&single(&eighty, end_pass()));
    }

    #[test]
    fn field_of_another_state_type_is_not_supported() {
        let wait = json!({"Type": "Wait", "Seconds": 1, "ResultPath": null, "End": true});
        assert_eq!(
            rendered(&single("W", wait)),
            ["SCHEMA_VALIDATION_FAILED: Field 'ResultPath' is not supported at /States/W"]
        );
        let pass = json!({"Type": "Pass", "TimeoutSeconds": 5, "Retry": [], "End": true});
        assert_eq!(
            rendered(&single("P", pass)),
            [
                "SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/P",
                "SCHEMA_VALIDATION_FAILED: Field 'Retry' is not supported at /States/P",
            ]
        );
        let fail = json!({"Type": "Fail", "InputPath": "$"});
        assert_eq!(
            rendered(&single("F", fail)),
            ["SCHEMA_VALIDATION_FAILED: Field 'InputPath' is not supported at /States/F"]
        );
    }

    #[test]
    fn unknown_fields_are_reported_at_their_object() {
        let definition =
            json!({"Coment": "typo", "StartAt": "A", "States": {"A": {"Type": "Pass", "Foo": 1, "End": true}}});
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: Field 'Coment' is not supported at /",
                "SCHEMA_VALIDATION_FAILED: Field 'Foo' is not supported at /States/A",
            ]
        );
    }

    #[test]
    fn string_seconds_expects_an_integer() {
        let wait = json!({"Type": "Wait", "Seconds": "60", "End": true});
        assert_eq!(
            rendered(&single("WaitTill", wait)),
            ["SCHEMA_VALIDATION_FAILED: Expected value of type Integer at /States/WaitTill/Seconds"]
        );
    }

    #[test]
    fn output_path_must_be_a_json_path() {
        let definition = json!({
            "StartAt": "Pass",
            "States": {"Pass": {"Type": "Pass", "OutputPath": "Test", "Next": "Success"}, "Success": {"Type": "Succeed"}}
        });
        assert_eq!(
            rendered(&definition),
            ["SCHEMA_VALIDATION_FAILED: Value must be a valid JSONPath. at /States/Pass/OutputPath"]
        );
    }

    #[test]
    fn dynamic_parameter_must_be_a_path_or_intrinsic() {
        let task = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::batch:submitJob",
            "Parameters": {
                "JobDefinition.$": "$",
                "JobName.$": "foo",
                "JobQueue.$": "$$.StateMachine.Id",
                "Tags": {"Owner.$": "States.Format('{}-x', $.owner)", "Bad.$": 3},
                "ExtraParam": "static string"
            },
            "End": true
        });
        assert_eq!(
            rendered(&single("Batch", task)),
            [
                "SCHEMA_VALIDATION_FAILED: The value for the field 'JobName.$' must be a valid JSONPath or a valid \
                 intrinsic function call at /States/Batch/Parameters",
                "SCHEMA_VALIDATION_FAILED: The value for the field 'Bad.$' must be a valid JSONPath or a valid \
                 intrinsic function call at /States/Batch/Parameters/Tags",
            ]
        );
    }

    #[test]
    fn dynamic_assign_is_located_at_assign() {
        let pass = json!({"Type": "Pass", "Assign": {"Variable.$": "literal"}, "End": true});
        assert_eq!(
            rendered(&single("Pass", pass)),
            [
                "SCHEMA_VALIDATION_FAILED: The value for the field 'Variable.$' must be a valid JSONPath or a valid \
              intrinsic function call at /States/Pass/Assign"
            ]
        );
    }

    #[test]
    fn jsonata_downgrade_is_refused_at_the_state() {
        let definition = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Pass",
            "States": {"Pass": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state \
              machine at /States/Pass"
            ]
        );
    }

    #[test]
    fn fields_of_the_other_query_language_are_reported_at_the_state() {
        let jsonata = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "X",
            "States": {"X": {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b", "End": true}}
        });
        assert_eq!(
            rendered(&jsonata),
            [
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'InputPath' is only \
                 supported for the 'JSONPath' QueryLanguage at /States/X",
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'OutputPath' is only \
                 supported for the 'JSONPath' QueryLanguage at /States/X",
            ]
        );
        let jsonpath = single("P", json!({"Type": "Pass", "Output": {"a": 1}, "End": true}));
        assert_eq!(
            rendered(&jsonpath),
            [
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported \
              for the 'JSONata' QueryLanguage at /States/P"
            ]
        );
    }

    #[test]
    fn nested_states_inherit_the_machine_language_not_the_maps() {
        let definition = json!({
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map",
                "QueryLanguage": "JSONata",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": 1, "End": true}}},
                "End": true
            }}
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported \
              for the 'JSONata' QueryLanguage at /States/M/ItemProcessor/States/P"
            ]
        );
    }

    #[test]
    fn item_processor_cannot_declare_a_query_language() {
        let definition = single(
            "M",
            json!({
                "Type": "Map",
                "ItemProcessor": {"QueryLanguage": "JSONPath", "StartAt": "P", "States": {"P": end_pass()}},
                "End": true
            }),
        );
        assert_eq!(
            rendered(&definition),
            ["SCHEMA_VALIDATION_FAILED: Field 'QueryLanguage' is not supported at /States/M/ItemProcessor"]
        );
    }

    #[test]
    fn unknown_query_language_value_is_listed() {
        let definition = json!({"QueryLanguage": "jsonata", "StartAt": "A", "States": {"A": end_pass()}});
        assert_eq!(
            rendered(&definition),
            ["SCHEMA_VALIDATION_FAILED: Value should be one of the following: [JSONPath, JSONata] at /QueryLanguage"]
        );
    }

    #[test]
    fn express_machines_refuse_callback_and_sync_integrations() {
        let definition = json!({
            "StartAt": "SendMessageWithWait",
            "States": {
                "SendMessageWithWait": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Next": "Run"
                },
                "Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": true}
            }
        });
        assert_eq!(
            rendered_express(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service \
                 integration  at /States/SendMessageWithWait/Resource",
                "SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration  at \
                 /States/Run/Resource",
            ]
        );
        assert!(rendered(&definition).is_empty());
    }

    // ---- transitions and state shapes -----------------------------------------------------------

    #[test]
    fn next_and_end_are_exclusive_and_one_is_required() {
        let both =
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true}, "B": end_pass()}});
        assert_eq!(
            rendered(&both),
            ["SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [Next, End] at /States/A"]
        );
        let neither = single("A", json!({"Type": "Pass"}));
        assert_eq!(
            rendered(&neither),
            [
                "SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: [Next, End] at \
                 /States/A",
                "MISSING_END_STATE: Workflow has no terminal state at null",
            ]
        );
    }

    #[test]
    fn type_is_required_and_enumerated() {
        let definition = json!({"StartAt": "A", "States": {"A": {"End": true}, "B": {"Type": "Nope", "End": true}}});
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/A",
                "SCHEMA_VALIDATION_FAILED: Value should be one of the following: [Pass, Task, Choice, Wait, Succeed, \
                 Fail, Parallel, Map] at /States/B/Type",
                "MISSING_TRANSITION_TARGET: State \"B\" is not reachable. at /States/B",
            ]
        );
    }

    #[test]
    fn version_must_be_1_0() {
        let definition = json!({"Version": "2.0", "StartAt": "A", "States": {"A": end_pass()}});
        assert_eq!(
            rendered(&definition),
            ["SCHEMA_VALIDATION_FAILED: Value should be one of the following: [1.0] at /Version"]
        );
        let ok = json!({"Version": "1.0", "TimeoutSeconds": 0, "StartAt": "A", "States": {"A": end_pass()}});
        assert_eq!(parsed(&ok).version.as_deref(), Some("1.0"));
    }

    #[test]
    fn wait_needs_exactly_one_timing_field() {
        let none = single("W", json!({"Type": "Wait", "End": true}));
        assert_eq!(
            rendered(&none),
            [
                "SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: [SecondsPath, \
              Seconds, TimestampPath, Timestamp] at /States/W"
            ]
        );
        let two = single(
            "W",
            json!({"Type": "Wait", "Seconds": 1, "TimestampPath": "$.t", "End": true}),
        );
        assert_eq!(
            rendered(&two),
            [
                "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [SecondsPath, Seconds, \
              TimestampPath, Timestamp] at /States/W"
            ]
        );
    }

    #[test]
    fn wait_timestamp_must_follow_the_asl_rfc3339_profile() {
        let bad = single(
            "W",
            json!({"Type": "Wait", "Timestamp": "2016-03-14t01:59:00Z", "End": true}),
        );
        assert_eq!(
            rendered(&bad),
            ["SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/W/Timestamp"]
        );
        let good = single(
            "W",
            json!({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.123+02:00", "End": true}),
        );
        let State::Wait(wait) = parsed(&good).states.get("W").cloned().unwrap() else {
            panic!("not a wait")
        };
        assert_eq!(
            wait.wait,
            WaitFor::Timestamp(ValueOrPath::Value("2016-03-14T01:59:00.123+02:00".into()))
        );
    }

    #[test]
    fn seconds_range_and_paths() {
        let negative = single("W", json!({"Type": "Wait", "Seconds": -1, "End": true}));
        assert_eq!(
            rendered(&negative),
            ["SCHEMA_VALIDATION_FAILED: Minimum value is 0 at /States/W/Seconds"]
        );
        let path = single("W", json!({"Type": "Wait", "SecondsPath": "$.delay", "End": true}));
        let State::Wait(wait) = parsed(&path).states.get("W").cloned().unwrap() else {
            panic!("not a wait")
        };
        assert_eq!(wait.wait, WaitFor::Seconds(ValueOrPath::Path("$.delay".into())));
    }

    #[test]
    fn fail_error_and_error_path_are_exclusive() {
        let fail = single(
            "F",
            json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": "c", "CausePath": "$.c"}),
        );
        assert_eq!(
            rendered(&fail),
            [
                "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [Error, ErrorPath] at \
                 /States/F/Error",
                "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [Cause, CausePath] at \
                 /States/F/Cause",
            ]
        );
    }

    #[test]
    fn fail_paths_accept_reference_paths_and_intrinsics() {
        let fail = single(
            "F",
            json!({"Type": "Fail", "ErrorPath": "$.error", "CausePath": "States.Format('x {}', $.y)"}),
        );
        let State::Fail(state) = parsed(&fail).states.get("F").cloned().unwrap() else {
            panic!("not a fail")
        };
        assert_eq!(state.error, Some(ValueOrPath::Path("$.error".into())));
        assert_eq!(
            state.cause,
            Some(ValueOrPath::Path("States.Format('x {}', $.y)".into()))
        );
        let bad = single("F", json!({"Type": "Fail", "ErrorPath": "error"}));
        assert_eq!(
            rendered(&bad),
            [
                "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path: Reference path didn't start with '$' at \
              /States/F/ErrorPath"
            ]
        );
    }

    // ---- Choice ---------------------------------------------------------------------------------

    fn choice_machine(choices: Value) -> Value {
        json!({
            "StartAt": "C",
            "States": {"C": {"Type": "Choice", "Choices": choices, "Default": "D"}, "D": {"Type": "Succeed"}}
        })
    }

    #[test]
    fn choice_needs_non_empty_choices() {
        assert_eq!(
            rendered(&choice_machine(json!([]))),
            ["SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/C/Choices"]
        );
        let missing =
            json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "D"}, "D": {"Type": "Succeed"}}});
        assert_eq!(
            rendered(&missing),
            ["SCHEMA_VALIDATION_FAILED: These fields are required: [Choices] at /States/C"]
        );
    }

    #[test]
    fn choice_rule_shapes() {
        let choices = json!([
            {"Variable": "$.a", "StringEquals": "x"},
            {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "D"},
            {"Variable": "$.a", "Next": "D"},
            {"Variable": "a", "IsNull": false, "Next": "D"},
            {"Not": {"Variable": "$.a", "IsPresent": true, "Next": "D"}, "Next": "D"},
            {"And": [], "Next": "D"},
            {"Variable": "$.a", "And": [{"Variable": "$.b", "IsNull": true}], "Next": "D"},
            {"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "D"},
            {"Variable": "$.n", "NumericGreaterThan": "5", "Next": "D"},
        ]);
        let operators = COMPARISON_OPERATORS.join(", ");
        assert_eq!(
            rendered(&choice_machine(choices)),
            [
                "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/C/Choices[0]".to_string(),
                format!(
                    "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [{operators}] at \
                     /States/C/Choices[1]"
                ),
                format!(
                    "SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: \
                     [{operators}] at /States/C/Choices[2]"
                ),
                "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path: Reference path didn't start with '$' at \
                 /States/C/Choices[3]/Variable"
                    .to_string(),
                "SCHEMA_VALIDATION_FAILED: Field 'Next' is not supported at /States/C/Choices[4]/Not".to_string(),
                "SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/C/Choices[5]/And".to_string(),
                "SCHEMA_VALIDATION_FAILED: The object must have only one of the following fields, [And, Or, Not, \
                 Variable, Condition] at /States/C/Choices[6]"
                    .to_string(),
                "SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at \
                 /States/C/Choices[7]/TimestampEquals"
                    .to_string(),
                "SCHEMA_VALIDATION_FAILED: Expected value of type Number at /States/C/Choices[8]/NumericGreaterThan"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn valid_choice_rules_are_kept_raw() {
        let rule = json!({
            "And": [
                {"Variable": "$.a", "IsPresent": true},
                {"Or": [{"Variable": "$$.Execution.Id", "StringMatches": "arn:*"}, {"Not": {"Variable": "$.b", "BooleanEqualsPath": "$.c"}}]}
            ],
            "Assign": {"seen.$": "$.a"},
            "Next": "D"
        });
        let definition = parsed(&choice_machine(json!([rule])));
        let State::Choice(choice) = definition.states.get("C").cloned().unwrap() else {
            panic!("not a choice")
        };
        assert_eq!(choice.choices, [ChoiceRule { rule, next: "D".into() }]);
        assert_eq!(choice.default.as_deref(), Some("D"));
    }

    #[test]
    fn jsonata_choice_rules_use_condition() {
        let definition = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.a > 1 %}", "Next": "D"}, {"Variable": "$.a", "Next": "D"}],
                    "Default": "D"
                },
                "D": {"Type": "Succeed"}
            }
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'Variable' is only \
                 supported for the 'JSONPath' QueryLanguage at /States/C/Choices[1]",
                "SCHEMA_VALIDATION_FAILED: These fields are required: [Condition] at /States/C/Choices[1]",
            ]
        );
    }

    // ---- Retry / Catch --------------------------------------------------------------------------

    fn task_with(extra: Value) -> Value {
        let mut task =
            json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true});
        if let (Some(task), Some(extra)) = (task.as_object_mut(), extra.as_object()) {
            task.extend(extra.clone());
        }
        json!({"StartAt": "T", "States": {"T": task, "Recover": {"Type": "Succeed"}}})
    }

    #[test]
    fn states_all_must_be_alone_and_last() {
        let retry = json!({"Retry": [
            {"ErrorEquals": ["States.ALL", "Custom"]},
            {"ErrorEquals": ["States.ALL"]},
            {"ErrorEquals": ["States.Timeout"]}
        ]});
        let messages = rendered(&task_with(retry));
        assert_eq!(
            messages[..2],
            [
                "SCHEMA_VALIDATION_FAILED: States.ALL must appear alone and at end of list at \
                 /States/T/Retry[0]/ErrorEquals",
                "SCHEMA_VALIDATION_FAILED: States.ALL must appear alone and at end of list at \
                 /States/T/Retry[1]/ErrorEquals",
            ]
        );
    }

    #[test]
    fn retrier_fields_are_checked() {
        let retry = json!({"Retry": [
            {"ErrorEquals": []},
            {"MaxAttempts": 1},
            {"ErrorEquals": ["E"], "JitterStrategy": "SOME", "BackoffRate": 0.5, "MaxDelaySeconds": 0, "Foo": 1}
        ]});
        let messages = rendered(&task_with(retry));
        assert_eq!(
            messages[..6],
            [
                "SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/T/Retry[0]/ErrorEquals",
                "SCHEMA_VALIDATION_FAILED: These fields are required: [ErrorEquals] at /States/T/Retry[1]",
                "SCHEMA_VALIDATION_FAILED: Field 'Foo' is not supported at /States/T/Retry[2]",
                "SCHEMA_VALIDATION_FAILED: Minimum value is 1.0 at /States/T/Retry[2]/BackoffRate",
                "SCHEMA_VALIDATION_FAILED: Minimum value is 1 at /States/T/Retry[2]/MaxDelaySeconds",
                "SCHEMA_VALIDATION_FAILED: Value should be one of the following: [NONE, FULL] at \
                 /States/T/Retry[2]/JitterStrategy",
            ]
        );
    }

    #[test]
    fn catcher_needs_next() {
        let catch = json!({"Catch": [{"ErrorEquals": ["States.ALL"]}]});
        let messages = rendered(&task_with(catch));
        assert_eq!(
            messages[0],
            "SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at /States/T/Catch[0]"
        );
    }

    #[test]
    fn one_bad_catcher_field_does_not_hide_another() {
        let catch = json!({"Catch": [{"ErrorEquals": [], "Next": "Recover", "Assign": {"x.$": "nope"}}]});
        let messages = rendered(&task_with(catch));
        assert_eq!(
            messages[..2],
            [
                "SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/T/Catch[0]/ErrorEquals",
                "SCHEMA_VALIDATION_FAILED: The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic \
                 function call at /States/T/Catch[0]/Assign",
            ]
        );
    }

    #[test]
    fn task_model_keeps_retry_and_catch() {
        let extra = json!({
            "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL", "BackoffRate": 1.5}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": null}],
            "TimeoutSecondsPath": "$.timeout",
            "HeartbeatSeconds": 10,
            "ResultPath": "$.out",
            "Credentials": {"RoleArn.$": "$.role"}
        });
        let definition = parsed(&task_with(extra));
        let State::Task(task) = definition.states.get("T").cloned().unwrap() else {
            panic!("not a task")
        };
        assert_eq!(task.retry.len(), 2);
        assert_eq!(task.retry[0].max_attempts(), 0);
        assert_eq!(task.retry[0].interval_seconds(), 1);
        assert_eq!(task.retry[1].backoff_rate(), 1.5);
        assert_eq!(task.retry[1].jitter_strategy(), JitterStrategy::Full);
        assert_eq!(task.catch[0].next, "Recover");
        assert!(task.catch[0].result_path.is_null());
        assert_eq!(task.timeout_seconds, Some(ValueOrPath::Path("$.timeout".into())));
        assert_eq!(task.heartbeat_seconds, Some(ValueOrPath::Value(10)));
        assert_eq!(task.result_path, OptionalPath::Path("$.out".into()));
        assert_eq!(task.credentials, Some(json!({"RoleArn.$": "$.role"})));
        assert_eq!(task.transition, Transition::End);
    }

    #[test]
    fn task_resource_and_timeouts_are_checked() {
        let definition = json!({
            "StartAt": "T",
            "States": {
                "T": {"Type": "Task", "Resource": "my-function", "TimeoutSeconds": 0, "Next": "U"},
                "U": {"Type": "Task", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "Credentials": {}, "End": true}
            }
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at /States/T/Resource",
                "SCHEMA_VALIDATION_FAILED: Minimum value is 1 at /States/T/TimeoutSeconds",
                "SCHEMA_VALIDATION_FAILED: These fields are required: [Resource] at /States/U",
                "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [TimeoutSeconds, \
                 TimeoutSecondsPath] at /States/U/TimeoutSeconds",
                "SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required but was missing at /States/U/Credentials",
            ]
        );
    }

    #[test]
    fn result_path_is_a_reference_path_into_the_input() {
        let definition = json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "ResultPath": "$$.Execution", "Next": "B"},
                "B": {"Type": "Pass", "ResultPath": "$.items[*]", "InputPath": "$.a[?(@.b > 1)]", "Next": "C"},
                "C": {"Type": "Pass", "ResultPath": "$.a['b c'][0]", "InputPath": null, "End": true}
            }
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path at /States/A/ResultPath",
                "SCHEMA_VALIDATION_FAILED: Value is not a Reference Path at /States/B/ResultPath",
            ]
        );
    }

    #[test]
    fn explicit_null_paths_survive_in_the_model() {
        let pass = json!({"Type": "Pass", "InputPath": null, "OutputPath": "$.x", "ResultPath": null, "End": true});
        let State::Pass(pass) = parsed(&single("P", pass)).states.get("P").cloned().unwrap() else {
            panic!()
        };
        assert_eq!(pass.common.input_path, OptionalPath::Null);
        assert_eq!(pass.common.output_path, OptionalPath::Path("$.x".into()));
        assert_eq!(pass.result_path, OptionalPath::Null);
    }

    // ---- Parallel and Map -----------------------------------------------------------------------

    #[test]
    fn parallel_branches_are_validated_with_nested_locations() {
        let definition = single(
            "P",
            json!({
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "P"}, "Lost": end_pass()}},
                    {"States": {"B": end_pass()}},
                    {"StartAt": "A", "States": {"A": end_pass()}}
                ],
                "End": true
            }),
        );
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /States/P/Branches[1]",
                "DUPLICATE_STATE_NAME: Duplicate State name: A at /States/P/Branches[2]/States/A",
                "MISSING_TRANSITION_TARGET: Missing 'Next' target: P at /States/P/Branches[0]/States/A/Next",
                "MISSING_TRANSITION_TARGET: State \"Lost\" is not reachable. at /States/P/Branches[0]/States/Lost",
            ]
        );
        let empty = single("P", json!({"Type": "Parallel", "Branches": [], "End": true}));
        assert_eq!(
            rendered(&empty),
            ["SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/P/Branches"]
        );
    }

    fn map_machine(fields: Value) -> Value {
        let mut map = json!({
            "Type": "Map",
            "ItemProcessor": {"StartAt": "X", "States": {"X": end_pass()}},
            "End": true
        });
        if let (Some(map), Some(fields)) = (map.as_object_mut(), fields.as_object()) {
            map.extend(fields.clone());
        }
        single("M", map)
    }

    #[test]
    fn map_nested_states_report_full_locations() {
        let definition = map_machine(json!({
            "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Foo": true, "End": true}}}
        }));
        assert_eq!(
            rendered(&definition),
            ["SCHEMA_VALIDATION_FAILED: Field 'Foo' is not supported at /States/M/ItemProcessor/States/X"]
        );
    }

    #[test]
    fn map_needs_one_processor() {
        let neither = single("M", json!({"Type": "Map", "End": true}));
        assert_eq!(
            rendered(&neither),
            [
                "SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: [ItemProcessor, \
              Iterator] at /States/M"
            ]
        );
        let both = map_machine(json!({"Iterator": {"StartAt": "Y", "States": {"Y": end_pass()}}}));
        assert_eq!(
            rendered(&both)[0],
            "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [ItemProcessor, Iterator] at \
             /States/M"
        );
    }

    #[test]
    fn processor_config_rules() {
        let distributed = map_machine(json!({
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X", "States": {"X": end_pass()}}
        }));
        assert_eq!(
            rendered(&distributed),
            [
                "SCHEMA_VALIDATION_FAILED: These fields are required: [ExecutionType] at \
              /States/M/ItemProcessor/ProcessorConfig"
            ]
        );
        let inline = map_machine(json!({
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE", "ExecutionType": "STANDARD"},
                "StartAt": "X",
                "States": {"X": end_pass()}
            }
        }));
        assert_eq!(
            rendered(&inline),
            [
                "SCHEMA_VALIDATION_FAILED: Field 'ExecutionType' is not supported at /States/M/ItemProcessor/ProcessorConfig"
            ]
        );
        let express = map_machine(json!({
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "X",
                "States": {"X": end_pass()}
            }
        }));
        assert_eq!(
            rendered_express(&express),
            [
                "SCHEMA_VALIDATION_FAILED: The field 'Mode' with value 'DISTRIBUTED' is not supported inside 'EXPRESS' \
              state machines at /States/M/ItemProcessor/ProcessorConfig/Mode"
            ]
        );
    }

    #[test]
    fn map_concurrency_rules() {
        let both = map_machine(json!({"MaxConcurrency": 2, "MaxConcurrencyPath": "$.limit"}));
        assert_eq!(
            rendered(&both),
            [
                "SCHEMA_VALIDATION_FAILED: There should only be one of the following fields: [MaxConcurrency, \
              MaxConcurrencyPath] at /States/M/MaxConcurrency"
            ]
        );
        let negative = map_machine(json!({"MaxConcurrency": -1}));
        assert_eq!(
            rendered(&negative),
            ["SCHEMA_VALIDATION_FAILED: Minimum value is 0 at /States/M/MaxConcurrency"]
        );
        let wildcard = map_machine(json!({"MaxConcurrencyPath": "$.limits[*]"}));
        assert_eq!(
            rendered(&wildcard),
            ["SCHEMA_VALIDATION_FAILED: Value is not a Reference Path at /States/M/MaxConcurrencyPath"]
        );
        let context = map_machine(json!({"ToleratedFailureCountPath": "$$.Execution.Input.n"}));
        assert_eq!(
            rendered(&context),
            ["SCHEMA_VALIDATION_FAILED: Value is not a Reference Path at /States/M/ToleratedFailureCountPath"]
        );
        let huge =
            map_machine(json!({"MaxConcurrency": 9_223_372_036_854_775_807u64, "ItemsPath": "$$.Execution.Input"}));
        assert!(rendered(&huge).is_empty());
        let percentage = map_machine(json!({"ToleratedFailurePercentage": 100.5}));
        assert_eq!(
            rendered(&percentage),
            ["SCHEMA_VALIDATION_FAILED: Maximum value is 100.0 at /States/M/ToleratedFailurePercentage"]
        );
    }

    #[test]
    fn item_reader_rules() {
        let resource = map_machine(json!({"ItemReader": {"Resource": "arn:aws:states:::s3:unknownOperation"}}));
        assert_eq!(
            rendered(&resource),
            [
                "SCHEMA_VALIDATION_FAILED: The field 'Resource' does not match any of the allowed values. Examples: \
              [arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2] at \
              /States/M/ItemReader/Resource"
            ]
        );
        let input_type = map_machine(json!({
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "UNSUPPORTED"}}
        }));
        assert_eq!(
            rendered(&input_type),
            [
                "SCHEMA_VALIDATION_FAILED: Value should be one of the following: [CSV, JSON, JSONL, MANIFEST, PARQUET] at \
              /States/M/ItemReader/ReaderConfig/InputType"
            ]
        );
        let csv = map_machine(json!({
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "MaxItems": 100000001}
            }
        }));
        assert_eq!(
            rendered(&csv),
            [
                "SCHEMA_VALIDATION_FAILED: The field 'CSVHeaderLocation' is required at /States/M/ItemReader/ReaderConfig",
                "SCHEMA_VALIDATION_FAILED: Maximum value is 100000000 at /States/M/ItemReader/ReaderConfig/MaxItems",
            ]
        );
    }

    #[test]
    fn jsonata_map_refuses_nested_path_fields() {
        let definition = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "X", "States": {"X": end_pass()}},
                "ItemBatcher": {"MaxItemsPerBatchPath": "$.n"},
                "MaxConcurrency": "{% $states.input.n %}",
                "End": true
            }}
        });
        assert_eq!(
            rendered(&definition),
            [
                "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field 'MaxItemsPerBatchPath' is \
              only supported for the 'JSONPath' QueryLanguage at /States/M/ItemBatcher"
            ]
        );
    }

    #[test]
    fn operator_without_variable_reports_only_the_selector() {
        assert_eq!(
            rendered(&choice_machine(json!([{"StringEquals": "x", "Next": "D"}]))),
            [
                "SCHEMA_VALIDATION_FAILED: The object must have only one of the following fields, [And, Or, Not, \
              Variable, Condition] at /States/C/Choices[0]"
            ]
        );
    }

    #[test]
    fn distributed_map_builds_the_full_model() {
        let definition = map_machine(json!({
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "X",
                "States": {"X": end_pass()}
            },
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"], "MaxItemsPath": "$.max"},
                "Parameters": {"Bucket": "b", "Key.$": "$.key"}
            },
            "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.bytes", "BatchInput": {"run.$": "$$.Execution.Id"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}},
            "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "ToleratedFailurePercentage": 5,
            "ToleratedFailureCount": 2,
            "MaxConcurrency": 100,
            "Label": "Run",
            "ItemsPath": "$.rows"
        }));
        let State::Map(map) = parsed(&definition).states.get("M").cloned().unwrap() else {
            panic!("not a map")
        };
        assert_eq!(
            map.processor.config,
            ProcessorConfig {
                mode: ProcessorMode::Distributed,
                execution_type: Some(ExecutionType::Standard)
            }
        );
        assert!(!map.processor.legacy_iterator);
        assert_eq!(map.processor.body.start_at, "X");
        let reader = map.item_reader.clone().unwrap();
        let config = reader.reader_config.unwrap();
        assert_eq!(config.input_type, Some(InputType::Csv));
        assert_eq!(config.csv_header_location, Some(CsvHeaderLocation::Given));
        assert_eq!(config.csv_headers, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(config.max_items, Some(ValueOrPath::Path("$.max".into())));
        let batcher = map.item_batcher.clone().unwrap();
        assert_eq!(batcher.max_items_per_batch, Some(ValueOrPath::Value(10)));
        assert_eq!(
            batcher.max_input_bytes_per_batch,
            Some(ValueOrPath::Path("$.bytes".into()))
        );
        assert_eq!(
            map.result_writer.as_ref().and_then(|w| w.resource.as_deref()),
            Some("arn:aws:states:::s3:putObject")
        );
        assert_eq!(map.item_template(), Some(&json!({"item.$": "$$.Map.Item.Value"})));
        assert_eq!(map.tolerated_failure_percentage, Some(ValueOrPath::Value(5.0)));
        assert_eq!(map.tolerated_failure_count, Some(ValueOrPath::Value(2)));
        assert_eq!(map.max_concurrency, Some(ValueOrPath::Value(100)));
        assert_eq!(map.label.as_deref(), Some("Run"));
        assert_eq!(map.items_path.as_deref(), Some("$.rows"));
    }

    #[test]
    fn legacy_iterator_is_an_inline_processor() {
        let definition = single(
            "M",
            json!({"Type": "Map", "Iterator": {"StartAt": "Y", "States": {"Y": end_pass()}}, "Parameters": {"v.$": "$$.Map.Item.Value"}, "End": true}),
        );
        let State::Map(map) = parsed(&definition).states.get("M").cloned().unwrap() else {
            panic!("not a map")
        };
        assert!(map.processor.legacy_iterator);
        assert_eq!(map.processor.config, ProcessorConfig::default());
        assert_eq!(map.item_template(), Some(&json!({"v.$": "$$.Map.Item.Value"})));
    }

    #[test]
    fn state_names_are_unique_across_nesting() {
        let definition = json!({
            "StartAt": "Map",
            "States": {
                "Map": {
                    "Type": "Map",
                    "Iterator": {"StartAt": "Final State", "States": {"Final State": {"Type": "Wait", "Seconds": 20, "End": true}}},
                    "Next": "Final State"
                },
                "Final State": end_pass()
            }
        });
        assert_eq!(
            rendered(&definition),
            ["DUPLICATE_STATE_NAME: Duplicate State name: Final State at /States/Final State"]
        );
    }

    // ---- JSONata values -------------------------------------------------------------------------

    #[test]
    fn jsonata_expressions_stand_in_for_literals() {
        let definition = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                    "TimeoutSeconds": "{% $states.input.timeout %}",
                    "Output": "{% $states.result.Payload %}",
                    "Assign": {"x": 1},
                    "Next": "W"
                },
                "W": {"Type": "Wait", "Seconds": "{% $x %}", "End": true}
            }
        });
        let parsed = parsed(&definition);
        assert_eq!(parsed.query_language(), QueryLanguage::Jsonata);
        let State::Task(task) = parsed.states.get("T").cloned().unwrap() else {
            panic!("not a task")
        };
        assert_eq!(
            task.timeout_seconds,
            Some(ValueOrPath::Jsonata("{% $states.input.timeout %}".into()))
        );
        assert_eq!(task.common.output, Some(json!("{% $states.result.Payload %}")));
        assert_eq!(task.common.assign, Some(json!({"x": 1})));
        assert!(task.arguments.is_some());
    }

    // ---- JSON syntax ----------------------------------------------------------------------------

    fn syntax_error(text: &str) -> (String, String) {
        let analysis = analyze(text, &Options::default());
        let [diagnostic] = analysis.diagnostics.as_slice() else {
            panic!("expected one diagnostic for {text:?}")
        };
        assert_eq!(diagnostic.code, Code::InvalidJsonDescription);
        let location = diagnostic.location.clone().unwrap_or_default();
        let reason = diagnostic
            .message
            .split("\n at ")
            .next()
            .unwrap_or_default()
            .to_string();
        (reason, location)
    }

    #[test]
    fn jackson_style_syntax_errors() {
        assert_eq!(
            syntax_error("{"),
            (
                "Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)\"{\"; \
                 line: 1, column: 1])"
                    .to_string(),
                "[Source: (String)\"{\"; line: 1, column: 2]".to_string()
            )
        );
        assert_eq!(
            syntax_error("{\"a\":1,}").0,
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field name"
        );
        assert_eq!(
            syntax_error("{'a':1}").1,
            "[Source: (String)\"{'a':1}\"; line: 1, column: 3]"
        );
        assert_eq!(
            syntax_error("{\"a\" 1}").0,
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value"
        );
        assert_eq!(
            syntax_error("{\"a\":1 \"b\":2}").0,
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"
        );
        assert_eq!(
            syntax_error("[1}").0,
            "Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)\"[1}\"; line: 1, column: 1])"
        );
        assert_eq!(
            syntax_error("{\"a\":tru}").0,
            "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
        );
        assert_eq!(
            syntax_error("{\"a\":01}").0,
            "Invalid numeric value: Leading zeroes not allowed"
        );
        assert_eq!(
            syntax_error("{\"a\":}").0,
            "Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number, Array, Object or token \
             'null', 'true' or 'false')"
        );
        assert_eq!(
            syntax_error("{\"a\":\"x").0,
            "Unexpected end-of-input: was expecting closing quote for a string value"
        );
        assert_eq!(
            syntax_error("{\"a\":").0,
            "Unexpected end-of-input within/between Object entries"
        );
        assert_eq!(
            syntax_error("{\"a\":\"\tb\"}").0,
            "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash to be included in string value"
        );
        assert_eq!(
            syntax_error("{\"a\":\"\\q\"}").0,
            "Unrecognized character escape 'q' (code 113)"
        );
    }

    #[test]
    fn jackson_locations_count_lines_and_truncate_the_source() {
        let (_, location) = syntax_error("{\n  \"StartAt\": x\n}");
        assert_eq!(
            location,
            "[Source: (String)\"{\n  \"StartAt\": x\n}\"; line: 2, column: 15]"
        );
        let long = format!("{{\"Comment\": \"{}\" x", "a".repeat(600));
        let (_, location) = syntax_error(&long);
        let total = long.chars().count();
        assert!(location.contains(&format!(
            "\"[truncated {} chars]; line: 1, column: {}]",
            total - 500,
            total + 1
        )));
    }

    #[test]
    fn text_after_the_first_json_value_is_ignored_like_jackson() {
        let text = format!("{} trailing garbage", single("A", end_pass()));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn non_object_documents_are_refused() {
        for text in ["[]", "\"text\"", "42", "null"] {
            let analysis = analyze(text, &Options::default());
            assert_eq!(
                analysis.diagnostics[0].message, "Definition must be a valid JSON object",
                "{text}"
            );
        }
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let valid = json!({
            "Comment": "é ✓",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true}, "Next": "B"}], "Default": "B"},
                "B": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}}, "End": true}
            }
        })
        .to_string();
        for end in (0..=valid.len()).filter(|end| valid.is_char_boundary(*end)) {
            let _ = analyze(&valid[..end], &Options::default());
        }
        let deep = "[".repeat(100_000);
        assert_eq!(
            analyze(&deep, &Options::default()).diagnostics[0].code,
            Code::InvalidJsonDescription
        );
        let deep_valid = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        assert_eq!(analyze(&deep_valid, &Options::default()).diagnostics.len(), 1);
        let nested_rules = (0..60).fold(
            json!({"Variable": "$.x", "IsNull": true}),
            |rule, _| json!({"Not": rule}),
        );
        let mut rule = nested_rules;
        if let Some(rule) = rule.as_object_mut() {
            rule.insert("Next".into(), json!("B"));
        }
        let _ = analyze(&choice_machine(json!([rule])).to_string(), &Options::default());
    }

    // ---- ValidateStateMachineDefinition ---------------------------------------------------------

    #[test]
    fn validate_reports_ok_with_no_diagnostics() {
        let report =
            validate_state_machine_definition(&single("A", end_pass()).to_string(), &ValidateRequest::default());
        assert_eq!(
            report,
            ValidationReport {
                result: ValidationResult::Ok,
                diagnostics: vec![],
                truncated: false
            }
        );
        assert_eq!(report.result.as_str(), "OK");
    }

    #[test]
    fn validate_truncates_to_max_results_but_keeps_the_verdict() {
        let definition = json!({
            "QueryLanguage": "JSONata",
            "StartAt": "X",
            "States": {"X": {"Type": "Pass", "End": true, "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}}
        })
        .to_string();
        let one = validate_state_machine_definition(
            &definition,
            &ValidateRequest {
                max_results: 1,
                ..Default::default()
            },
        );
        assert_eq!(
            (one.result, one.diagnostics.len(), one.truncated),
            (ValidationResult::Fail, 1, true)
        );
        assert_eq!(one.diagnostics[0].severity.as_str(), "ERROR");
        let all = validate_state_machine_definition(&definition, &ValidateRequest::default());
        assert_eq!((all.diagnostics.len(), all.truncated), (3, false));
    }

    #[test]
    fn validate_honours_the_machine_type() {
        let definition = single(
            "SendMessageWithWait",
            json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}),
        )
        .to_string();
        let express = ValidateRequest {
            machine_type: MachineType::Express,
            ..Default::default()
        };
        let report = validate_state_machine_definition(&definition, &express);
        assert_eq!(report.result.as_str(), "FAIL");
        assert_eq!(
            report.diagnostics[0].location.as_deref(),
            Some("/States/SendMessageWithWait/Resource")
        );
        assert_eq!(
            report.diagnostics[0].message,
            "Express state machine does not support '.waitForTaskToken' service integration "
        );
    }

    // ---- value helpers --------------------------------------------------------------------------

    #[test]
    fn path_shapes() {
        let reference = |path: &str| path_shape(path).map(|shape| shape.reference);
        assert_eq!(reference("$"), Some(true));
        assert_eq!(reference("$.a.b[0]['c d']"), Some(true));
        assert_eq!(reference("$.destroy-status"), Some(true));
        assert_eq!(reference("$..a"), Some(false));
        assert_eq!(reference("$.a[*]"), Some(false));
        assert_eq!(reference("$.a[1:3]"), Some(false));
        assert_eq!(reference("$.a[0,1]"), Some(false));
        assert_eq!(reference("$.a[?(@.b == 'x]')]"), Some(false));
        assert!(path_shape("$$.Execution.Id").is_some_and(|shape| shape.context));
        assert!(path_shape("$myVar.field").is_some_and(|shape| shape.variable));
        for invalid in ["", "a", "$.", "$.a.", "$[", "$.a[]", "$.a b", "$-x", "$.a[x]"] {
            assert!(path_shape(invalid).is_none(), "{invalid}");
        }
    }

    #[test]
    fn intrinsic_calls() {
        assert!(is_intrinsic_call("States.Format('a{}b', $.x)"));
        assert!(is_intrinsic_call("States.Array(States.UUID(), 'x)')"));
        assert!(!is_intrinsic_call("States.Format"));
        assert!(!is_intrinsic_call("States.Format('a'"));
        assert!(!is_intrinsic_call("States.A() + 1"));
        assert!(!is_intrinsic_call("Foo.Bar()"));
    }

    #[test]
    fn arns_and_timestamps() {
        assert!(is_arn("arn:aws:states:::lambda:invoke"));
        assert!(is_arn("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"));
        assert!(!is_arn("arn:aws:lambda"));
        assert!(is_activity_arn("arn:aws:states:us-east-1:123456789012:activity:a"));
        assert!(is_rfc3339("2016-03-14T01:59:00Z"));
        assert!(!is_rfc3339("2016-03-14T01:59:00"));
        assert!(!is_rfc3339("2016-02-30T01:59:00Z"));
    }
}
