//! Message texts. Those marked "recorded" appear verbatim in AWS responses quoted in public
//! issues or snapshot tests; the rest follow the same phrasing families.

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
pub const JSONATA_DOWNGRADE: &str = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";
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
