use serde_json::json;

use super::*;

fn ec2() -> Value {
    json!({
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "123456789012",
        "time": "2015-11-11T21:29:54Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
        "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
    })
}

fn cx() -> Context<'static> {
    Context {
        rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
        rule_name: "r",
        ingestion_time: "2015-11-11T21:29:55Z",
    }
}

fn vars(event: &Value, map: &[(&str, &str)]) -> Vec<(String, Option<Value>)> {
    map.iter().map(|(n, p)| (n.to_string(), select(event, p))).collect()
}

#[test]
fn paths() {
    let e = ec2();
    assert_eq!(select(&e, "$.detail.state"), Some(json!("RUNNING")));
    assert_eq!(
        select(&e, "$.resources[0]"),
        Some(json!("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"))
    );
    assert_eq!(
        select(&e, "$['detail-type']"),
        Some(json!("EC2 Instance State-change Notification"))
    );
    assert_eq!(select(&e, "$.detail.missing"), None);
    assert_eq!(select(&e, "$.detail.*"), Some(json!(["i-0123456789", "RUNNING"])));
    assert_eq!(select(&e, "$"), Some(e.clone()));
    assert!(!valid_path("detail"));
    assert!(!valid_path("$..x"));
}

#[test]
fn templates_by_where_placeholders_stand() {
    let e = ec2();
    let v = vars(
        &e,
        &[
            ("instance", "$.detail.instance-id"),
            ("state", "$.detail.state"),
            ("missing", "$.detail.nothing"),
            ("detail", "$.detail"),
        ],
    );
    let cases = [
        // The user guide's examples, with their documented outputs.
        (
            r#""instance <instance> is in <state>""#,
            r#""instance i-0123456789 is in RUNNING""#,
        ),
        (
            r#""instance \"<instance>\" is in <state>""#,
            r#""instance \"i-0123456789\" is in RUNNING""#,
        ),
        (
            r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#,
            r#"{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}"#,
        ),
        (r#""<aws.events.rule-name> triggered""#, r#""r triggered""#),
        (
            r#""<instance> is in state <state>""#,
            r#""i-0123456789 is in state RUNNING""#,
        ),
        (
            r#"{"instance" : <instance>, "state": <state>}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#,
        ),
        (
            r#"{"instance" : "<instance>", "state": "<state>"}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#,
        ),
        (
            "instance <instance> is in <state>",
            "instance i-0123456789 is in RUNNING",
        ),
        (r#"{"rule": "<aws.events.rule-name>"}"#, r#"{"rule": "r"}"#),
        ("<unknown> stays", "<unknown> stays"),
        // A path that found nothing: "" as a value, nothing inside a string (as AWS answered).
        (r#"{"m": <missing>}"#, r#"{"m": ""}"#),
        (r#""info <missing>.""#, r#""info .""#),
        (
            r#""detail <detail>""#,
            r#""detail {instance-id:i-0123456789,state:RUNNING}""#,
        ),
    ];
    for (template, want) in cases {
        assert_eq!(fill(template, &v, &e, &cx()), want, "{template}");
    }
}

#[test]
fn predefined_event_variables() {
    let e = ec2();
    let out = fill(
        r#"{"original": <aws.events.event>, "json": <aws.events.event.json>}"#,
        &[],
        &e,
        &cx(),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["json"], e);
    let keys: Vec<&String> = v["original"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "account",
            "detailType",
            "time",
            "source",
            "region",
            "resources",
            "version"
        ]
    );
}

#[test]
fn unknown_placeholders_are_named() {
    let vars = vec!["a".to_string()];
    assert_eq!(
        unknown_placeholders("<a> <b> <aws.events.rule-arn> a < b >", &vars),
        ["b"]
    );
}
