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
//!
//! The schema walk is one `Checker` whose methods are spread over the modules below by the part
//! of the language they check. It builds the model while it checks; [`analyze`] keeps the model
//! only when no error was found.

mod checker;
mod choice_rules;
mod fields;
mod graph;
mod jackson;
mod jsonata;
mod location;
mod machine;
mod map;
mod messages;
mod retry_catch;
mod states;
mod syntax;
mod task;
mod values;

use serde_json::Value;

use super::model::Definition;
use checker::Checker;
pub(crate) use fields::COMPARISON_OPERATORS;
use messages as msg;

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
    InvalidJsonataExpression,
    UnsupportedJsonataExpression,
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
            Code::InvalidJsonataExpression => "INVALID_JSONATA_EXPRESSION",
            Code::UnsupportedJsonataExpression => "UNSUPPORTED_JSONATA_EXPRESSION",
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

// Definitions in, diagnostics out: `tests/fixtures/validate/`. These cover what the fixtures
// cannot: the API's options and inputs too large or too many to keep as files.
#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PASS_STATE: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;

    #[test]
    fn invalid_definition_message_joins_the_errors_like_aws() {
        let diagnostics = parse(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#).unwrap_err();
        assert_eq!(
            invalid_definition_message(&diagnostics),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at \
             /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'"
        );
    }

    #[test]
    fn validate_reports_ok_with_no_diagnostics() {
        let report = validate_state_machine_definition(ONE_PASS_STATE, &ValidateRequest::default());
        let ok = ValidationReport {
            result: ValidationResult::Ok,
            diagnostics: vec![],
            truncated: false,
        };
        assert_eq!(report, ok);
        assert_eq!(report.result.as_str(), "OK");
    }

    #[test]
    fn validate_truncates_to_max_results_but_keeps_the_verdict() {
        let definition = r#"{"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Pass", "End": true,
            "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}}}"#;
        let request = |max_results| ValidateRequest {
            max_results,
            ..Default::default()
        };
        let one = validate_state_machine_definition(definition, &request(1));
        assert_eq!(
            (one.result, one.diagnostics.len(), one.truncated),
            (ValidationResult::Fail, 1, true)
        );
        assert_eq!(one.diagnostics[0].severity.as_str(), "ERROR");
        let all = validate_state_machine_definition(definition, &request(0));
        assert_eq!((all.diagnostics.len(), all.truncated), (3, false));
    }

    #[test]
    fn validate_honours_the_machine_type() {
        let definition = r#"{"StartAt": "W", "States": {"W": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}}"#;
        let express = ValidateRequest {
            machine_type: MachineType::Express,
            ..Default::default()
        };
        let report = validate_state_machine_definition(definition, &express);
        assert_eq!(report.result.as_str(), "FAIL");
        assert_eq!(report.diagnostics[0].location.as_deref(), Some("/States/W/Resource"));
        let standard = validate_state_machine_definition(definition, &ValidateRequest::default());
        assert_eq!(standard.result, ValidationResult::Ok);
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let valid = r#"{"Comment": "é ✓", "StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true}, "Next": "B"}], "Default": "B"},
            "B": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}}, "End": true}}}"#;
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
        let mut rule = r#"{"Variable": "$.x", "IsNull": true}"#.to_string();
        for _ in 0..60 {
            rule = format!(r#"{{"Not": {rule}}}"#);
        }
        let nested = format!(
            r#"{{"StartAt": "C", "States": {{"C": {{"Type": "Choice", "Choices": [{{"Not": {rule}, "Next": "D"}}]}},
            "D": {{"Type": "Succeed"}}}}}}"#
        );
        let _ = analyze(&nested, &Options::default());
    }
}
