//! The Step Functions Local mock configuration (`SFN_MOCK_CONFIG`, usually
//! `MockConfigFile.json`). An execution started on `<state machine ARN>#<test case>`
//! gets canned results or errors for the Task states its test case names, so
//! Retry and Catch paths can be tested without the services behind them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::intrinsics::kind;
use serde_json::{Map, Value};

const STATE_MACHINES: &str = "StateMachines";
const MOCKED_RESPONSES: &str = "MockedResponses";
const TEST_CASES: &str = "TestCases";
const RETURN: &str = "Return";
const THROW: &str = "Throw";

/// The error a mocked state fails with on an invocation its mocked response
/// has no entry for. AWS documents only that the execution fails; this error
/// ends it whatever Retry and Catch say.
pub const MISSING_RESPONSE_ERROR: &str = "States.Runtime";

/// What a mocked Task state does on one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// Succeed as if the service had answered this (any JSON value).
    Return(Value),
    /// Fail as if the service had raised this error.
    Throw { error: String, cause: String },
}

/// A parsed and validated mock configuration file, in the format of
/// <https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html>.
///
/// Test cases name states, not paths: state names are unique across a whole
/// definition (Parallel branches and Map iterators included), so a name is enough.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// State machine name → test case name → state name → its responses.
    machines: HashMap<String, HashMap<String, TestCase>>,
}

type TestCase = HashMap<String, Arc<Schedule>>;

/// One entry of `MockedResponses`: the answers by invocation.
#[derive(Debug)]
struct Schedule {
    name: String,
    /// Sorted by `first` and disjoint, so a lookup is a binary search.
    slots: Vec<Slot>,
}

#[derive(Debug)]
struct Slot {
    first: u64,
    last: u64,
    response: MockResponse,
}

impl MockConfig {
    /// Parses and validates the whole file; the error names where it is wrong
    /// (e.g. `MockedResponses.MockedLambdaRetry."1-2": ...`) and is the first
    /// problem found.
    ///
    /// Beyond what AWS documents, these are our choices: a file is rejected
    /// for fields the format does not have (a typo would otherwise silently
    /// disable a mock), for overlapping invocation keys (which answer would
    /// win is undefined), and for a test case naming an undefined mocked
    /// response (Step Functions Local only notices when the state runs).
    /// Gaps in the keys, and keys not starting at 0, are accepted: the
    /// invocations they miss fail at run time, as AWS documents for
    /// invocations with no response.
    pub fn parse(text: &str) -> Result<MockConfig, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let loc = Loc::Root;
        let top = object(&root, &loc)?;
        only_fields(top, &[STATE_MACHINES, MOCKED_RESPONSES], &loc)?;
        let machines = required(top, STATE_MACHINES, &loc)?;
        let responses = required(top, MOCKED_RESPONSES, &loc)?;
        let schedules = parse_mocked_responses(responses, &loc.at(MOCKED_RESPONSES))?;
        let machines = parse_state_machines(machines, &loc.at(STATE_MACHINES), &schedules)?;
        Ok(MockConfig { machines })
    }

    /// Whether `state_machine` (a name, not an ARN) has this test case.
    pub fn has_test_case(&self, state_machine: &str, test_case: &str) -> bool {
        self.test_case(state_machine, test_case).is_some()
    }

    /// The response the state gets on its `invocation`-th call (0-based) in that test case,
    /// or None when the test case does not mock this state.
    ///
    /// `invocation` counts every attempt of the state in the execution:
    /// retries, re-entries through a loop, and Map iterations, which share
    /// one count (AWS advises `MaxConcurrency: 1` for a predictable order).
    /// An invocation the mocked response has no entry for is answered with a
    /// [`MISSING_RESPONSE_ERROR`] throw: AWS documents that the execution
    /// then fails, not that the last response repeats.
    pub fn response(&self, state_machine: &str, test_case: &str, state: &str, invocation: u64) -> Option<MockResponse> {
        let schedule = self.test_case(state_machine, test_case)?.get(state)?;
        let response = match schedule.at(invocation) {
            Some(response) => response.clone(),
            None => schedule.missing(state, invocation),
        };
        Some(response)
    }

    fn test_case(&self, state_machine: &str, test_case: &str) -> Option<&TestCase> {
        self.machines.get(state_machine)?.get(test_case)
    }
}

impl Schedule {
    fn at(&self, invocation: u64) -> Option<&MockResponse> {
        let i = self.slots.partition_point(|slot| slot.last < invocation);
        let slot = self.slots.get(i).filter(|slot| slot.first <= invocation)?;
        Some(&slot.response)
    }

    fn missing(&self, state: &str, invocation: u64) -> MockResponse {
        MockResponse::Throw {
            error: MISSING_RESPONSE_ERROR.to_owned(),
            cause: format!(
                "mocked response {:?} has no entry for invocation {invocation} of state {state:?}",
                self.name
            ),
        }
    }
}

/// Splits `arn:...:stateMachine:Name#Case` into (`arn:...:stateMachine:Name`, Some("Case")).
///
/// State machine names cannot contain `#`, so the first one starts the test
/// case. `Name#` gives `Some("")`, so the caller reports an unknown test case
/// instead of quietly calling real services.
pub fn split_test_case(arn: &str) -> (&str, Option<&str>) {
    match arn.split_once('#') {
        Some((machine, test_case)) => (machine, Some(test_case)),
        None => (arn, None),
    }
}

fn parse_mocked_responses(value: &Value, loc: &Loc<'_>) -> Result<HashMap<String, Arc<Schedule>>, String> {
    object(value, loc)?
        .iter()
        .map(|(name, entries)| {
            let schedule = parse_schedule(name, entries, &loc.at(name))?;
            Ok((name.clone(), Arc::new(schedule)))
        })
        .collect()
}

fn parse_schedule(name: &str, value: &Value, loc: &Loc<'_>) -> Result<Schedule, String> {
    let mut keyed = object(value, loc)?
        .iter()
        .map(|(key, entry)| {
            let at = loc.at(key);
            let (first, last) = parse_key(key).map_err(|problem| at.err(problem))?;
            let response = parse_response(entry, &at)?;
            Ok((key.as_str(), Slot { first, last, response }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    keyed.sort_by_key(|(_, slot)| slot.first);
    if let Some(pair) = keyed.windows(2).find(|pair| pair[0].1.last >= pair[1].1.first) {
        let ((earlier, _), (later, slot)) = (&pair[0], &pair[1]);
        return Err(loc
            .at(later)
            .err(format!("overlaps {earlier:?} at invocation {}", slot.first)));
    }
    Ok(Schedule {
        name: name.to_owned(),
        slots: keyed.into_iter().map(|(_, slot)| slot).collect(),
    })
}

/// `"3"` → (3, 3); `"1-2"` → (1, 2), inclusive.
fn parse_key(key: &str) -> Result<(u64, u64), String> {
    let Some((first, last)) = key.split_once('-') else {
        let n = parse_invocation(key)?;
        return Ok((n, n));
    };
    let (first, last) = (parse_invocation(first)?, parse_invocation(last)?);
    if first > last {
        return Err(format!("range start {first} is greater than its end {last}"));
    }
    Ok((first, last))
}

fn parse_invocation(digits: &str) -> Result<u64, String> {
    // `u64::from_str` would also take "+3"; the format has digits only.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(r#"expected an invocation number such as "3" or an inclusive range such as "1-2""#.to_owned());
    }
    digits
        .parse()
        .map_err(|_| format!("invocation number {digits} is too large"))
}

fn parse_response(value: &Value, loc: &Loc<'_>) -> Result<MockResponse, String> {
    let fields = object(value, loc)?;
    match fields.iter().next() {
        Some((key, body)) if fields.len() == 1 && key == RETURN => Ok(MockResponse::Return(body.clone())),
        Some((key, body)) if fields.len() == 1 && key == THROW => parse_throw(body, &loc.at(THROW)),
        _ => {
            let found = if fields.is_empty() {
                "none".to_owned()
            } else {
                fields.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
            };
            Err(loc.err(format!("must have exactly one field, Return or Throw (found: {found})")))
        }
    }
}

fn parse_throw(value: &Value, loc: &Loc<'_>) -> Result<MockResponse, String> {
    let fields = object(value, loc)?;
    Ok(MockResponse::Throw {
        error: string_field(fields, "Error", loc)?.to_owned(),
        cause: string_field(fields, "Cause", loc)?.to_owned(),
    })
}

fn parse_state_machines(
    value: &Value,
    loc: &Loc<'_>,
    schedules: &HashMap<String, Arc<Schedule>>,
) -> Result<HashMap<String, HashMap<String, TestCase>>, String> {
    object(value, loc)?
        .iter()
        .map(|(machine, config)| {
            let at = loc.at(machine);
            let fields = object(config, &at)?;
            only_fields(fields, &[TEST_CASES], &at)?;
            let cases_at = at.at(TEST_CASES);
            let cases = object(required(fields, TEST_CASES, &at)?, &cases_at)?
                .iter()
                .map(|(name, states)| Ok((name.clone(), parse_test_case(states, &cases_at.at(name), schedules)?)))
                .collect::<Result<_, String>>()?;
            Ok((machine.clone(), cases))
        })
        .collect()
}

fn parse_test_case(
    value: &Value,
    loc: &Loc<'_>,
    schedules: &HashMap<String, Arc<Schedule>>,
) -> Result<TestCase, String> {
    object(value, loc)?
        .iter()
        .map(|(state, target)| {
            let at = loc.at(state);
            let name = target.as_str().ok_or_else(|| {
                at.err(format!(
                    "expected the name of a mocked response, found {}",
                    kind(target)
                ))
            })?;
            let schedule = schedules
                .get(name)
                .ok_or_else(|| at.err(format!("mocked response {name:?} is not defined in MockedResponses")))?;
            Ok((state.clone(), Arc::clone(schedule)))
        })
        .collect()
}

fn object<'v>(value: &'v Value, loc: &Loc<'_>) -> Result<&'v Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| loc.err(format!("expected an object, found {}", kind(value))))
}

fn required<'v>(fields: &'v Map<String, Value>, key: &str, loc: &Loc<'_>) -> Result<&'v Value, String> {
    fields
        .get(key)
        .ok_or_else(|| loc.at(key).err("required field is missing"))
}

fn string_field<'v>(fields: &'v Map<String, Value>, key: &str, loc: &Loc<'_>) -> Result<&'v str, String> {
    let value = required(fields, key, loc)?;
    value
        .as_str()
        .ok_or_else(|| loc.at(key).err(format!("expected a string, found {}", kind(value))))
}

fn only_fields(fields: &Map<String, Value>, allowed: &[&str], loc: &Loc<'_>) -> Result<(), String> {
    match fields.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(loc
            .at(key)
            .err(format!("unknown field (expected {})", allowed.join(" or ")))),
        None => Ok(()),
    }
}

/// Where in the file a value sits, built on the stack while walking it, so
/// nothing is allocated unless there is an error to report.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root,
    Field(&'a Loc<'a>, &'a str),
}

impl Loc<'_> {
    fn at<'b>(&'b self, key: &'b str) -> Loc<'b> {
        Loc::Field(self, key)
    }

    fn err(&self, problem: impl fmt::Display) -> String {
        format!("{self}: {problem}")
    }
}

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (parent, key) = match self {
            Loc::Root => return f.write_str("top level"),
            Loc::Field(parent, key) => (parent, key),
        };
        if !matches!(parent, Loc::Root) {
            write!(f, "{parent}.")?;
        }
        // Quoted unless plainly an identifier, so `"1-2"` or `"Check Identity"` reads as one key.
        let bare = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if bare { f.write_str(key) } else { write!(f, "{key:?}") }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const EXAMPLE: &str = r#"{
      "StateMachines": {
        "LambdaSQSIntegration": {
          "TestCases": {
            "HappyPath": { "LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess" },
            "RetryPath": { "LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess" },
            "HybridPath": { "LambdaState": "MockedLambdaSuccess" }
          }
        }
      },
      "MockedResponses": {
        "MockedLambdaSuccess": { "0": { "Return": { "StatusCode": 200, "Payload": {"k": "v"} } } },
        "MockedSQSSuccess": { "0": { "Return": { "MessageId": "m-1" } } },
        "LambdaMockedResourceNotReady": {
          "0": { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready." } }
        },
        "MockedLambdaRetry": {
          "0": { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready." } },
          "1-2": { "Throw": { "Error": "Lambda.TimeoutException", "Cause": "Lambda timed out." } },
          "3": { "Return": { "StatusCode": 200, "Payload": {} } }
        }
      }
    }"#;

    const SM: &str = "LambdaSQSIntegration";

    fn example() -> MockConfig {
        MockConfig::parse(EXAMPLE).expect("the documented example parses")
    }

    fn throw(error: &str, cause: &str) -> MockResponse {
        MockResponse::Throw {
            error: error.to_owned(),
            cause: cause.to_owned(),
        }
    }

    /// A config with one test case `M#T` mocking state `S` with `entries`.
    fn single(entries: Value) -> Result<MockConfig, String> {
        let file = json!({
            "StateMachines": { "M": { "TestCases": { "T": { "S": "R" } } } },
            "MockedResponses": { "R": entries }
        });
        MockConfig::parse(&file.to_string())
    }

    fn returns(n: i64) -> Value {
        json!({ "Return": n })
    }

    #[test]
    fn happy_path_returns_the_documented_payloads() {
        let config = example();
        assert_eq!(
            config.response(SM, "HappyPath", "LambdaState", 0),
            Some(MockResponse::Return(
                json!({ "StatusCode": 200, "Payload": { "k": "v" } })
            ))
        );
        assert_eq!(
            config.response(SM, "HappyPath", "SQSState", 0),
            Some(MockResponse::Return(json!({ "MessageId": "m-1" })))
        );
    }

    #[test]
    fn retry_path_walks_single_keys_and_ranges_in_order() {
        let config = example();
        let at = |n| config.response(SM, "RetryPath", "LambdaState", n);
        let not_ready = throw("Lambda.ResourceNotReadyException", "Lambda resource is not ready.");
        let timed_out = throw("Lambda.TimeoutException", "Lambda timed out.");
        assert_eq!(at(0), Some(not_ready));
        assert_eq!(at(1), Some(timed_out.clone()));
        assert_eq!(at(2), Some(timed_out));
        assert_eq!(
            at(3),
            Some(MockResponse::Return(json!({ "StatusCode": 200, "Payload": {} })))
        );
    }

    #[test]
    fn invocations_past_the_last_key_fail_instead_of_repeating() {
        let config = example();
        let expected = throw(
            "States.Runtime",
            r#"mocked response "MockedLambdaRetry" has no entry for invocation 4 of state "LambdaState""#,
        );
        assert_eq!(config.response(SM, "RetryPath", "LambdaState", 4), Some(expected));
        assert!(matches!(
            config.response(SM, "RetryPath", "LambdaState", u64::MAX),
            Some(MockResponse::Throw { error, .. }) if error == MISSING_RESPONSE_ERROR
        ));
    }

    #[test]
    fn states_outside_the_test_case_are_not_mocked() {
        let config = example();
        assert_eq!(config.response(SM, "HybridPath", "SQSState", 0), None);
        assert_eq!(config.response(SM, "NoSuchCase", "LambdaState", 0), None);
        assert_eq!(config.response("Other", "HappyPath", "LambdaState", 0), None);
        // Mocked responses are reached through a test case, never by their own name.
        assert_eq!(config.response(SM, "HappyPath", "MockedLambdaSuccess", 0), None);
    }

    #[test]
    fn has_test_case_matches_names_exactly() {
        let config = example();
        assert!(config.has_test_case(SM, "HappyPath"));
        assert!(config.has_test_case(SM, "HybridPath"));
        assert!(!config.has_test_case(SM, "happypath"));
        assert!(!config.has_test_case(SM, ""));
        assert!(!config.has_test_case("Other", "HappyPath"));
        assert!(!MockConfig::default().has_test_case(SM, "HappyPath"));
    }

    #[test]
    fn keys_may_come_in_any_order_and_ranges_may_be_single() {
        let config =
            single(json!({ "5-5": returns(3), "3-4": returns(2), "0": returns(0), "1-2": returns(1) })).expect("valid");
        let got: Vec<_> = (0..6).map(|n| config.response("M", "T", "S", n)).collect();
        let want: Vec<_> = [0, 1, 1, 2, 2, 3]
            .into_iter()
            .map(|n| Some(MockResponse::Return(json!(n))))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn ranges_reach_the_largest_invocation() {
        let config = single(json!({ "0-18446744073709551615": returns(7) })).expect("valid");
        assert_eq!(
            config.response("M", "T", "S", u64::MAX),
            Some(MockResponse::Return(json!(7)))
        );
    }

    #[test]
    fn gaps_and_a_missing_zero_fail_only_the_invocations_they_miss() {
        let config = single(json!({ "1": returns(1), "3-4": returns(3) })).expect("gaps are accepted");
        let error_at = |n| match config.response("M", "T", "S", n) {
            Some(MockResponse::Throw { error, .. }) => Some(error),
            _ => None,
        };
        assert_eq!(error_at(0).as_deref(), Some(MISSING_RESPONSE_ERROR));
        assert_eq!(config.response("M", "T", "S", 1), Some(MockResponse::Return(json!(1))));
        assert_eq!(error_at(2).as_deref(), Some(MISSING_RESPONSE_ERROR));
        assert_eq!(config.response("M", "T", "S", 4), Some(MockResponse::Return(json!(3))));
        assert_eq!(error_at(5).as_deref(), Some(MISSING_RESPONSE_ERROR));
    }

    #[test]
    fn an_empty_mocked_response_fails_its_first_invocation() {
        let config = single(json!({})).expect("an empty mocked response is accepted");
        assert!(matches!(
            config.response("M", "T", "S", 0),
            Some(MockResponse::Throw { error, .. }) if error == MISSING_RESPONSE_ERROR
        ));
    }

    #[test]
    fn return_takes_any_json_value() {
        for value in [json!(null), json!("text"), json!([1, 2]), json!(false), json!(1.5)] {
            let config = single(json!({ "0": { "Return": value.clone() } })).expect("valid");
            assert_eq!(config.response("M", "T", "S", 0), Some(MockResponse::Return(value)));
        }
    }

    #[test]
    fn leading_zeros_name_the_same_invocation() {
        let config = single(json!({ "00-01": returns(1), "002": returns(2) })).expect("valid");
        assert_eq!(config.response("M", "T", "S", 1), Some(MockResponse::Return(json!(1))));
        assert_eq!(config.response("M", "T", "S", 2), Some(MockResponse::Return(json!(2))));
    }

    #[test]
    fn empty_sections_are_valid() {
        let config = MockConfig::parse(r#"{"StateMachines": {}, "MockedResponses": {}}"#).expect("valid");
        assert!(!config.has_test_case("M", "T"));
        let config = MockConfig::parse(r#"{"StateMachines": {"M": {"TestCases": {"T": {}}}}, "MockedResponses": {}}"#)
            .expect("valid");
        assert!(config.has_test_case("M", "T"));
        assert_eq!(config.response("M", "T", "S", 0), None);
    }

    fn parse_err(file: Value) -> String {
        MockConfig::parse(&file.to_string()).expect_err("must be rejected")
    }

    fn entry_err(entries: Value) -> String {
        single(entries).expect_err("must be rejected")
    }

    #[test]
    fn rejects_text_that_is_not_json() {
        assert_eq!(
            MockConfig::parse("").expect_err("empty"),
            "invalid JSON: EOF while parsing a value at line 1 column 0"
        );
        assert_eq!(
            MockConfig::parse("{\"StateMachines\": {}").expect_err("unclosed"),
            "invalid JSON: EOF while parsing an object at line 1 column 20"
        );
    }

    #[test]
    fn rejects_bad_top_level_sections() {
        let cases = [
            (json!([]), "top level: expected an object, found an array"),
            (
                json!({ "MockedResponses": {} }),
                "StateMachines: required field is missing",
            ),
            (
                json!({ "StateMachines": {} }),
                "MockedResponses: required field is missing",
            ),
            (
                json!({ "StateMachines": "x", "MockedResponses": {} }),
                "StateMachines: expected an object, found a string",
            ),
            (
                json!({ "StateMachines": {}, "MockedResponses": [] }),
                "MockedResponses: expected an object, found an array",
            ),
            (
                json!({ "StateMachines": {}, "MockedResponse": {} }),
                "MockedResponse: unknown field (expected StateMachines or MockedResponses)",
            ),
        ];
        for (file, message) in cases {
            assert_eq!(parse_err(file), message);
        }
    }

    #[test]
    fn rejects_bad_state_machines_and_test_cases() {
        let responses = json!({ "R": { "0": { "Return": 1 } } });
        let cases = [
            (json!({ "M": null }), "StateMachines.M: expected an object, found null"),
            (
                json!({ "M": {} }),
                "StateMachines.M.TestCases: required field is missing",
            ),
            (
                json!({ "M": { "TestCase": {} } }),
                "StateMachines.M.TestCase: unknown field (expected TestCases)",
            ),
            (
                json!({ "M": { "TestCases": [] } }),
                "StateMachines.M.TestCases: expected an object, found an array",
            ),
            (
                json!({ "M": { "TestCases": { "T": "R" } } }),
                "StateMachines.M.TestCases.T: expected an object, found a string",
            ),
            (
                json!({ "M": { "TestCases": { "T": { "Check Identity": 3 } } } }),
                r#"StateMachines.M.TestCases.T."Check Identity": expected the name of a mocked response, found a number"#,
            ),
            (
                json!({ "M": { "TestCases": { "T": { "S": "Nope" } } } }),
                r#"StateMachines.M.TestCases.T.S: mocked response "Nope" is not defined in MockedResponses"#,
            ),
        ];
        for (machines, message) in cases {
            let file = json!({ "StateMachines": machines, "MockedResponses": responses });
            assert_eq!(parse_err(file), message);
        }
    }

    #[test]
    fn rejects_bad_invocation_keys() {
        let syntax = r#"expected an invocation number such as "3" or an inclusive range such as "1-2""#;
        let keys = [
            ("a", "a"),
            ("", r#""""#),
            ("-1", r#""-1""#),
            ("1-", r#""1-""#),
            ("+3", r#""+3""#),
            (" 3", r#"" 3""#),
            ("1-2-3", r#""1-2-3""#),
            ("1 - 2", r#""1 - 2""#),
            ("1.5", r#""1.5""#),
            ("٣", r#""٣""#),
        ];
        for (key, shown) in keys {
            assert_eq!(
                entry_err(json!({ key: returns(0) })),
                format!("MockedResponses.R.{shown}: {syntax}"),
                "key {key:?}"
            );
        }
        assert_eq!(
            entry_err(json!({ "2-1": returns(0) })),
            r#"MockedResponses.R."2-1": range start 2 is greater than its end 1"#
        );
        assert_eq!(
            entry_err(json!({ "18446744073709551616": returns(0) })),
            r#"MockedResponses.R."18446744073709551616": invocation number 18446744073709551616 is too large"#
        );
    }

    #[test]
    fn rejects_overlapping_keys() {
        let cases = [
            (
                json!({ "0-1": returns(0), "1-3": returns(1) }),
                r#"MockedResponses.R."1-3": overlaps "0-1" at invocation 1"#,
            ),
            (
                json!({ "2": returns(0), "0-5": returns(1) }),
                r#"MockedResponses.R."2": overlaps "0-5" at invocation 2"#,
            ),
            (
                json!({ "1": returns(0), "01": returns(1) }),
                r#"MockedResponses.R."01": overlaps "1" at invocation 1"#,
            ),
            (
                json!({ "0-9": returns(0), "3": returns(1), "5": returns(2) }),
                r#"MockedResponses.R."3": overlaps "0-9" at invocation 3"#,
            ),
        ];
        for (entries, message) in cases {
            assert_eq!(entry_err(entries), message);
        }
    }

    #[test]
    fn rejects_responses_without_exactly_one_of_return_or_throw() {
        let both = json!({ "0": { "Return": 1, "Throw": { "Error": "E", "Cause": "C" } } });
        let cases = [
            (
                json!({ "0": 1 }),
                r#"MockedResponses.R."0": expected an object, found a number"#,
            ),
            (
                json!({ "0": {} }),
                r#"MockedResponses.R."0": must have exactly one field, Return or Throw (found: none)"#,
            ),
            (
                both,
                r#"MockedResponses.R."0": must have exactly one field, Return or Throw (found: Return, Throw)"#,
            ),
            (
                json!({ "0": { "Retrun": 1 } }),
                r#"MockedResponses.R."0": must have exactly one field, Return or Throw (found: Retrun)"#,
            ),
            (
                json!({ "0": { "Return": 1, "Comment": "x" } }),
                r#"MockedResponses.R."0": must have exactly one field, Return or Throw (found: Return, Comment)"#,
            ),
        ];
        for (entries, message) in cases {
            assert_eq!(entry_err(entries), message);
        }
    }

    #[test]
    fn rejects_throw_without_string_error_and_cause() {
        let cases = [
            (
                json!("E"),
                r#"MockedResponses.R."0".Throw: expected an object, found a string"#,
            ),
            (
                json!({ "Cause": "C" }),
                r#"MockedResponses.R."0".Throw.Error: required field is missing"#,
            ),
            (
                json!({ "Error": 1, "Cause": "C" }),
                r#"MockedResponses.R."0".Throw.Error: expected a string, found a number"#,
            ),
            (
                json!({ "Error": "E" }),
                r#"MockedResponses.R."0".Throw.Cause: required field is missing"#,
            ),
            (
                json!({ "Error": "E", "Cause": null }),
                r#"MockedResponses.R."0".Throw.Cause: expected a string, found null"#,
            ),
        ];
        for (body, message) in cases {
            assert_eq!(entry_err(json!({ "0": { "Throw": body } })), message);
        }
    }

    #[test]
    fn an_unused_mocked_response_is_still_validated() {
        let file = json!({
            "StateMachines": {},
            "MockedResponses": { "Unused": { "x": { "Return": 1 } } }
        });
        assert_eq!(
            parse_err(file),
            r#"MockedResponses.Unused.x: expected an invocation number such as "3" or an inclusive range such as "1-2""#
        );
    }

    #[test]
    fn split_test_case_splits_at_the_first_hash() {
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration";
        assert_eq!(split_test_case(arn), (arn, None));
        assert_eq!(split_test_case(&format!("{arn}#HappyPath")), (arn, Some("HappyPath")));
        assert_eq!(split_test_case(&format!("{arn}#")), (arn, Some("")));
        assert_eq!(split_test_case(&format!("{arn}#a#b")), (arn, Some("a#b")));
        assert_eq!(split_test_case(""), ("", None));
    }
}
