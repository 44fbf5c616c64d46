//! Expressions with their expected answers or error codes, as data:
//! `aws.json` (AWS Step Functions' functions, bound with `Options::aws`)
//! and `limits.json` (hostile expressions: each fails with an error value
//! or answers, never overflowing the stack, hanging or panicking).

use lakestack_jsonata::{Expression, Options};
use serde_json::Value;

fn check(cases: &str, options: &Options) {
    let cases: Vec<Value> = serde_json::from_str(cases).unwrap();
    for c in &cases {
        let expr = c["expr"].as_str().unwrap();
        let name = c.get("name").and_then(Value::as_str).unwrap_or(expr);
        let got = Expression::parse(expr).and_then(|e| e.evaluate(&Value::Null, &[], options));
        match (c.get("result"), c.get("code").and_then(Value::as_str)) {
            (Some(want), _) => assert_eq!(
                got.as_ref().ok().and_then(Option::as_ref),
                Some(want),
                "{name}: {got:?}"
            ),
            (None, Some(code)) => assert_eq!(got.err().map(|e| e.code), Some(code), "{name}"),
            _ => panic!("{name}: no expectation"),
        }
    }
}

#[test]
fn aws_functions_behave_as_documented() {
    let options = Options {
        aws: true,
        ..Options::default()
    };
    check(include_str!("aws.json"), &options);
}

#[test]
fn without_the_option_aws_functions_are_unknown() {
    let e = Expression::parse("$range(0, 2, 1)").unwrap();
    let err = e.evaluate(&Value::Null, &[], &Options::default()).unwrap_err();
    assert_eq!(err.code, "T1006");
}

#[test]
fn hostile_expressions_fail_or_answer_within_bounds() {
    // On a thread with 2 MiB of stack, as small as a worker's may be.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| check(include_str!("limits.json"), &Options::default()))
        .unwrap()
        .join()
        .unwrap();
}
