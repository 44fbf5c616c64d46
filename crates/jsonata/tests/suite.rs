//! The official JSONata test suite (v2.0.6) run as data: every case's
//! expression over its input, compared with its expected result or error
//! code. `suite-skips.txt` lists the cases we do not pass, with the reason
//! for each; a listed case that passes fails the run, so the list only shrinks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lakestack_jsonata::{Expression, Options};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite")
}

struct Case {
    id: String,
    body: Value,
    dir: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(root().join("groups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    groups.sort();
    for g in groups {
        let mut files: Vec<_> = std::fs::read_dir(&g).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_none_or(|e| e != "json") {
                continue;
            }
            // A case holding a lone UTF-16 surrogate is no valid JSON for serde_json.
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
                .unwrap_or_else(|e| serde_json::json!({"unreadable": e.to_string()}));
            let base = format!(
                "{}/{}",
                g.file_name().unwrap().to_string_lossy(),
                f.file_stem().unwrap().to_string_lossy()
            );
            match v {
                Value::Array(list) => {
                    for (i, c) in list.into_iter().enumerate() {
                        out.push(Case {
                            id: format!("{base}[{i}]"),
                            body: c,
                            dir: g.clone(),
                        });
                    }
                }
                c => out.push(Case {
                    id: base,
                    body: c,
                    dir: g.clone(),
                }),
            }
        }
    }
    out
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || ((x - y).abs() <= 1e-9 * x.abs().max(y.abs()))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| numbers_equal(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| numbers_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Runs one case: Ok(()) when it passes, Err(what happened) otherwise. An
/// expected error must also carry jsonata-js 2.0.6's message, where
/// `suite-messages.json` records it (AWS puts the message in its causes).
fn run(
    case: &Case,
    datasets: &BTreeMap<String, Value>,
    messages: &serde_json::Map<String, Value>,
) -> Result<(), String> {
    let c = &case.body;
    let from_file;
    let expr = match (
        c.get("expr").and_then(Value::as_str),
        c.get("expr-file").and_then(Value::as_str),
    ) {
        (Some(e), _) => e,
        (None, Some(f)) => {
            from_file = std::fs::read_to_string(case.dir.join(f)).map_err(|e| e.to_string())?;
            from_file.as_str()
        }
        _ => return Err(format!("no expression: {}", c["unreadable"])),
    };
    let input = if let Some(d) = c.get("data") {
        Some(d.clone())
    } else {
        match c.get("dataset") {
            Some(Value::String(name)) => datasets.get(name).cloned(),
            _ => None,
        }
    };
    let bindings: Vec<(String, Value)> = c
        .get("bindings")
        .and_then(Value::as_object)
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let bound: Vec<(&str, Value)> = bindings.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut options = Options {
        now_ms: 1_500_000_000_000.0,
        ..Options::default()
    };
    if let Some(d) = c.get("depth").and_then(Value::as_u64) {
        options.max_depth = d as usize;
    }
    if let Some(t) = c.get("timelimit").and_then(Value::as_u64) {
        options.timeout = Some(Duration::from_millis(t));
    }
    let outcome = Expression::parse(expr).and_then(|e| match &input {
        Some(i) => e.evaluate(i, &bound, &options),
        None => {
            let bound: Vec<(&str, lakestack_jsonata::Value)> = Vec::new();
            let _ = bound;
            e.evaluate_undefined(&bindings, &options)
        }
    });
    let expected_code = c
        .get("code")
        .or_else(|| c.get("error").and_then(|e| e.get("code")))
        .and_then(Value::as_str);
    match (outcome, expected_code) {
        (Err(e), Some(code)) if e.code == code => match messages.get(&case.id).and_then(Value::as_str) {
            Some(want) if want != e.message => Err(format!("message {:?}, expected {want:?}", e.message)),
            _ => Ok(()),
        },
        (Err(e), _) => Err(format!("error {}: {}", e.code, e.message)),
        (Ok(got), Some(code)) => Err(format!("expected error {code}, got {got:?}")),
        (Ok(got), None) => {
            if c.get("undefinedResult").and_then(Value::as_bool) == Some(true) {
                return if got.is_none() {
                    Ok(())
                } else {
                    Err(format!("expected undefined, got {got:?}"))
                };
            }
            match (c.get("result"), &got) {
                (Some(want), Some(g)) if numbers_equal(want, g) => Ok(()),
                (Some(want), g) => Err(format!("expected {want}, got {g:?}")),
                (None, _) => Ok(()),
            }
        }
    }
}

#[test]
fn the_jsonata_suite_passes_except_the_listed_cases() {
    // Deep recursion cases need more stack than a test thread's default.
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(suite)
        .unwrap()
        .join()
        .unwrap();
}

fn suite() {
    let mut datasets = BTreeMap::new();
    for e in std::fs::read_dir(root().join("datasets")).unwrap() {
        let p = e.unwrap().path();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        datasets.insert(p.file_stem().unwrap().to_string_lossy().to_string(), v);
    }
    let skips_text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite-skips.txt"))
        .unwrap_or_default();
    let skips: BTreeMap<&str, &str> = skips_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(' ').map_or((l, ""), |(a, b)| (a, b.trim())))
        .collect();
    let messages: serde_json::Map<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite-messages.json")).unwrap(),
    )
    .unwrap();
    let all = cases();
    let (mut passed, mut failed, mut unexpected_pass) = (0, Vec::new(), Vec::new());
    for case in &all {
        let result =
            std::panic::catch_unwind(|| run(case, &datasets, &messages)).unwrap_or_else(|_| Err("panicked".into()));
        match (result, skips.contains_key(case.id.as_str())) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => unexpected_pass.push(case.id.clone()),
            (Err(_), true) => {}
            (Err(why), false) => failed.push(format!("{} {}: {why}", case.id, case.body["expr"])),
        }
    }
    if std::env::var_os("JSONATA_SUITE_REPORT").is_some() {
        for f in &failed {
            println!("FAIL {f}");
        }
    }
    println!(
        "JSONata suite: {passed} of {} cases pass; {} listed in suite-skips.txt",
        all.len(),
        skips.len()
    );
    assert!(
        failed.is_empty(),
        "{} cases fail:\n{}",
        failed.len(),
        failed.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        unexpected_pass.is_empty(),
        "these listed cases now pass; remove them from suite-skips.txt: {unexpected_pass:?}"
    );
}
