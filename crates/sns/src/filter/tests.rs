//! Filter policies against messages, from the fixture file
//! `tests/filter_policies.txt`: each block is a policy (`policy
//! [body] <json>`) and the messages it must pass (`+`) or stop (`-`), or
//! the error it must get (`!`). Attributes are written `{"name":
//! "Type:value"}` (Binary values in base64); bodies as they are.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;

use super::{Scope, parse};
use crate::message::{Attribute, AttributeValue};

fn attributes(spec: &str) -> BTreeMap<String, Attribute> {
    let map: BTreeMap<String, String> = serde_json::from_str(spec).unwrap_or_else(|e| panic!("attributes {spec}: {e}"));
    map.into_iter()
        .map(|(name, typed)| {
            let (t, v) = typed.split_once(':').expect("Type:value");
            let value = if t.starts_with("Binary") {
                AttributeValue::Binary(base64::engine::general_purpose::STANDARD.decode(v).expect("base64"))
            } else {
                AttributeValue::String(v.to_owned())
            };
            (
                name,
                Attribute {
                    data_type: t.to_owned(),
                    value,
                },
            )
        })
        .collect()
}

#[test]
fn fixture_policies_match_as_aws_documents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/filter_policies.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut current: Option<(usize, String, Scope, Result<super::FilterPolicy, super::PolicyError>)> = None;
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("policy ") {
            let (scope, json) = match rest.strip_prefix("body ") {
                Some(json) => (Scope::MessageBody, json),
                None => (Scope::MessageAttributes, rest),
            };
            current = Some((line_no, json.to_owned(), scope, parse(json, scope)));
            continue;
        }
        let Some((at, json, scope, parsed)) = &current else {
            panic!("line {line_no}: a case before any policy");
        };
        let (mark, subject) = line.split_at(1);
        let subject = subject.trim_start();
        cases += 1;
        match (mark, parsed) {
            ("!", Err(e)) if e.message("") == subject => {}
            ("!", other) => failures.push(format!(
                "line {line_no}: policy of line {at} {json}: expected error {subject:?}, got {other:?}"
            )),
            (_, Err(e)) => failures.push(format!("line {line_no}: policy of line {at} {json} refused: {e:?}")),
            ("+" | "-", Ok(policy)) => {
                let got = match scope {
                    Scope::MessageAttributes => policy.matches_attributes(&attributes(subject)),
                    Scope::MessageBody => policy.matches_body(subject),
                };
                if got != (mark == "+") {
                    failures.push(format!(
                        "line {line_no}: policy {json} {} {subject}",
                        if mark == "+" { "should pass" } else { "should stop" }
                    ));
                }
            }
            _ => panic!("line {line_no}: expected +, - or !"),
        }
    }
    assert!(cases > 100, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn limits_are_enforced_before_any_matching() {
    let huge = format!("{{\"k\": [\"{}\"]}}", "x".repeat(super::MAX_POLICY_BYTES));
    assert_eq!(
        parse(&huge, Scope::MessageAttributes)
            .unwrap_err()
            .message("Invalid parameter: "),
        "Invalid parameter: FilterPolicy: Filter policy is too large"
    );
    let deep = "{\"a\":".repeat(200) + "[1]" + &"}".repeat(200);
    assert!(matches!(
        parse(&deep, Scope::MessageBody),
        Err(super::PolicyError::Json(_))
    ));
    let six = r#"{"a":{"b":{"c":{"d":{"e":{"f":[1]}}}}}}"#;
    assert_eq!(
        parse(six, Scope::MessageBody).unwrap_err().message(""),
        "FilterPolicy: Filter policy can not have more than 5 levels of nesting"
    );
}
