//! AWS Step Functions' JSONata functions (`tests/aws.json`): bound with
//! `Options::aws`, unknown without it.

use lakestack_jsonata::{Expression, Options};
use serde_json::Value;

#[test]
fn aws_functions_behave_as_documented() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("aws.json")).unwrap();
    let options = Options {
        aws: true,
        ..Options::default()
    };
    for c in &cases {
        let expr = c["expr"].as_str().unwrap();
        let got = Expression::parse(expr).and_then(|e| e.evaluate(&Value::Null, &[], &options));
        match (c.get("result"), c.get("code").and_then(Value::as_str)) {
            (Some(want), _) => assert_eq!(
                got.as_ref().ok().and_then(Option::as_ref),
                Some(want),
                "{expr}: {got:?}"
            ),
            (None, Some(code)) => assert_eq!(got.err().map(|e| e.code), Some(code), "{expr}"),
            _ => panic!("{expr}: no expectation"),
        }
    }
}

#[test]
fn without_the_option_they_are_unknown() {
    let e = Expression::parse("$range(0, 2, 1)").unwrap();
    let err = e.evaluate(&Value::Null, &[], &Options::default()).unwrap_err();
    assert_eq!(err.code, "T1006");
}
