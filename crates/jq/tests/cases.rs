//! Runs every case of `cases.txt` (the format is described at the top of that file).
//!
//! The expectations are jq 1.6's own outputs for the same query and input, apart from
//! the parse errors of unsupported features, the bounds and the partition-key rules,
//! which are this crate's.

use lakestack_jq::{Env, EvalError, Limit, Query};
use serde_json::Value;

#[derive(Default, Debug)]
struct Case {
    line: usize,
    query: Option<String>,
    input: Option<String>,
    now: f64,
    outputs: Vec<String>,
    no_output: bool,
    error: Option<String>,
    parse_error: Option<String>,
    limit: Option<String>,
    keys: Option<String>,
    keys_error: Option<String>,
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut current: Option<Case> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            cases.extend(current.take());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let case = current.get_or_insert_with(|| Case {
            line: i + 1,
            ..Case::default()
        });
        let (field, value) = line
            .split_once(':')
            .map_or((line, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
        match field {
            "q" => case.query = Some(value.to_owned()),
            "q+" => {
                let query = case.query.get_or_insert_with(String::new);
                query.push('\n');
                query.push_str(value);
            }
            "in" => case.input = Some(value.to_owned()),
            "now" => case.now = value.parse().unwrap_or_else(|_| panic!("line {}: bad now", i + 1)),
            "out" => case.outputs.push(value.to_owned()),
            "none" => case.no_output = true,
            "err" => case.error = Some(value.to_owned()),
            "perr" => case.parse_error = Some(value.to_owned()),
            "limit" => case.limit = Some(value.to_owned()),
            "keys" => case.keys = Some(value.to_owned()),
            "kerr" => case.keys_error = Some(value.to_owned()),
            other => panic!("line {}: unknown field {other:?}", i + 1),
        }
    }
    cases.extend(current);
    cases
}

/// JSON equality as jq prints it: numbers by value, object keys in order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => a == b,
    }
}

fn limit_name(limit: Limit) -> &'static str {
    match limit {
        Limit::Steps => "steps",
        Limit::Outputs => "outputs",
        Limit::StringLength => "string",
        Limit::ArrayLength => "array",
        Limit::InputDepth => "input-depth",
    }
}

/// Checks one case; `Err` says what went wrong.
fn check(case: &Case) -> Result<(), String> {
    let text = case.query.as_deref().ok_or("no query")?;
    let query = match (Query::parse(text), &case.parse_error) {
        (Err(e), Some(want)) if e.message().contains(want.as_str()) => return Ok(()),
        (Err(e), Some(want)) => return Err(format!("parse error {:?} does not contain {want:?}", e.to_string())),
        (Ok(_), Some(want)) => return Err(format!("parsed, expected a parse error containing {want:?}")),
        (Err(e), None) => return Err(format!("unexpected parse error: {e}")),
        (Ok(query), None) => query,
    };
    let input: Value =
        serde_json::from_str(case.input.as_deref().unwrap_or("null")).map_err(|e| format!("bad input: {e}"))?;
    let env = Env { now: case.now };

    if case.keys.is_some() || case.keys_error.is_some() {
        let result = query.partition_keys(&input, &env);
        return match (&result, &case.keys, &case.keys_error) {
            (Ok(keys), Some(want), _) => {
                let want: Vec<(String, String)> = serde_json::from_str(want).map_err(|e| format!("bad keys: {e}"))?;
                if *keys == want {
                    Ok(())
                } else {
                    Err(format!("keys {keys:?}, expected {want:?}"))
                }
            }
            (Err(e), _, Some(want)) if e.to_string().contains(want.as_str()) => Ok(()),
            _ => Err(format!("partition_keys gave {result:?}")),
        };
    }

    let result = query.run(&input, &env);
    if let Some(want) = &case.limit {
        return match &result {
            Err(EvalError::LimitExceeded(limit)) if limit_name(*limit) == want => Ok(()),
            other => Err(format!("expected the {want} limit, got {other:?}")),
        };
    }
    if let Some(want) = &case.error {
        // `run` returns the error alone; outputs jq printed before it are not compared.
        return match &result {
            Err(EvalError::Runtime(message)) if message.contains(want.as_str()) => Ok(()),
            other => Err(format!("expected an error containing {want:?}, got {other:?}")),
        };
    }
    let outputs = result.map_err(|e| format!("unexpected error: {e}"))?;
    if case.no_output != case.outputs.is_empty() {
        return Err("a case needs `out:` lines or `none`".to_owned());
    }
    let expected: Vec<Value> = case
        .outputs
        .iter()
        .map(|o| serde_json::from_str(o).map_err(|e| format!("bad expected output {o:?}: {e}")))
        .collect::<Result<_, _>>()?;
    if outputs.len() == expected.len() && outputs.iter().zip(&expected).all(|(a, b)| same(a, b)) {
        Ok(())
    } else {
        let got: Vec<String> = outputs.iter().map(Value::to_string).collect();
        Err(format!("outputs {got:?}, expected {:?}", case.outputs))
    }
}

#[test]
fn fixture_cases() {
    let text = include_str!("cases.txt");
    let cases = parse_cases(text);
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|why| format!("line {} ({:?}): {why}", case.line, case.query))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
