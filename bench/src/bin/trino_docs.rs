//! Athena's Trino surface measured against Trino's own documentation: runs
//! every example in `bench/data/trino-docs-examples.jsonl` through the query
//! engine in process (StartQueryExecution, then the first value of the first
//! row) and prints how many give the documented answer, per documentation
//! page, and the ones that do not.
//!
//! A value matches when it equals the documented text, or does once both
//! are normalised: trimmed, whitespace collapsed, quotes and the pages'
//! literal prefixes (`JSON '...'`, `DATE '...'`) dropped, `true`/`false`/
//! `null` lower-cased, SQL NULL read as `null`; an example marked
//! approximate matches at its printed precision. A documented failure
//! matches a query that fails for a reason other than a missing function,
//! an unsupported feature or syntax.
//!
//! `cargo run -p lakestack-bench --bin lakestack-bench-trino-docs [-- -v]`
//! (`-v` lists every miss).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lakestack_catalog::model::Database;
use lakestack_catalog::{Catalog, CatalogSettings};
use lakestack_query::{QueryEngine, StartRequest};
use object_store::memory::InMemory;
use serde_json::Value;

const CASES: &str = include_str!("../../data/trino-docs-examples.jsonl");

/// What one example came to: its state and first value, or its failure.
struct Outcome {
    succeeded: bool,
    value: Option<String>,
    error: String,
}

async fn run(engine: &Arc<QueryEngine>, sql: &str) -> Outcome {
    let failed = |error: String| Outcome {
        succeeded: false,
        value: None,
        error,
    };
    let id = match engine.start(StartRequest {
        query: sql.to_owned(),
        database: Some("default".into()),
        output_location: Some("s3://results/".into()),
        ..StartRequest::default()
    }) {
        Ok(id) => id,
        Err(e) => return failed(format!("InvalidRequestException: {e}")),
    };
    let started = Instant::now();
    let e = loop {
        match engine.get(&id) {
            Ok(e) if e.is_done() => break e,
            Ok(_) if started.elapsed() > Duration::from_secs(30) => return failed("TIMEOUT".into()),
            Ok(_) => tokio::time::sleep(Duration::from_millis(1)).await,
            Err(e) => return failed(e.to_string()),
        }
    };
    if e.state != "SUCCEEDED" {
        return failed(e.error.map(|x| x.message).or(e.state_change_reason).unwrap_or(e.state));
    }
    match engine.results(&id, None, 2).await {
        // The first row is the header.
        Ok(page) => Outcome {
            succeeded: true,
            value: page.rows.get(1).and_then(|r| r.first().cloned()).flatten(),
            error: String::new(),
        },
        Err(e) => failed(e.to_string()),
    }
}

/// The documentation's way of writing a value, reduced to compare with ours.
fn normalise(text: Option<&str>) -> String {
    let Some(text) = text else { return "null".into() };
    let mut s = text.trim().to_owned();
    for remark in [" (invalid JSON)", " (the double quote is gone)"] {
        if let Some(t) = s.strip_suffix(remark) {
            s = t.to_owned();
        }
    }
    for prefix in ["JSON '", "DATE '", "TIME '", "TIMESTAMP '", "X'", "X '"] {
        s = s.replace(prefix, "'");
    }
    let s = s.replace('\'', "");
    s.split_whitespace()
        .map(|w| match w.to_ascii_lowercase().as_str() {
            l @ ("true" | "false" | "null") => l.to_owned(),
            _ => w.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn matches(case: &Value, o: &Outcome) -> bool {
    let expected = case["expected"].as_str().unwrap_or_default();
    if expected.starts_with("ERROR") || expected.starts_with("failure") {
        let unsupported = [
            "FUNCTION_NOT_FOUND",
            "NOT_SUPPORTED",
            "SYNTAX_ERROR",
            "InvalidRequestException",
        ];
        return !o.succeeded && !unsupported.iter().any(|u| o.error.contains(u));
    }
    if !o.succeeded {
        return false;
    }
    let got = o.value.as_deref();
    if got == Some(expected) {
        return true;
    }
    let (g, e) = (normalise(got), normalise(Some(expected)));
    let bare = |s: &str| s.split_whitespace().collect::<String>();
    if g == e || bare(&g) == bare(&e) {
        return true;
    }
    // An approximate value matches at the precision the page prints.
    let approximate = case["note"].as_str().is_some_and(|n| n.contains("approximate"));
    if approximate && let (Some(g), Ok(e)) = (got.and_then(|g| g.parse::<f64>().ok()), expected.parse::<f64>()) {
        let digits = expected.split('.').nth(1).map_or(0, str::len) as i32;
        let scale = 10f64.powi(digits);
        return (g * scale).round() == (e * scale).round();
    }
    false
}

#[tokio::main]
async fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let objects: Arc<dyn object_store::ObjectStore> = Arc::new(InMemory::new());
    let catalog = Catalog::in_memory(Arc::clone(&objects), CatalogSettings::default()).expect("catalog");
    catalog
        .create_database(Database {
            name: "default".into(),
            ..Database::default()
        })
        .expect("database");
    let engine = QueryEngine::in_memory(catalog, objects).expect("engine");
    let mut families: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut total, mut matched) = (0, 0);
    let mut misses = Vec::new();
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON case per line");
        let sql = case["sql"].as_str().unwrap_or_default();
        let o = run(&engine, sql).await;
        let ok = matches(&case, &o);
        let family = families
            .entry(case["family"].as_str().unwrap_or("?").to_owned())
            .or_default();
        family.0 += 1;
        total += 1;
        if ok {
            family.1 += 1;
            matched += 1;
        } else {
            let got = if o.succeeded {
                o.value.unwrap_or_else(|| "NULL".into())
            } else {
                o.error
            };
            misses.push(format!(
                "{sql}\n    documented: {}\n    answered:   {got}",
                case["expected"]
            ));
        }
    }
    println!("Trino documentation examples: {matched} of {total} answered as documented");
    println!("{:<14} {:>6} {:>8}", "page", "cases", "matched");
    for (family, (n, m)) in &families {
        println!("{family:<14} {n:>6} {m:>8}");
    }
    if verbose {
        println!();
        for m in misses {
            println!("{m}");
        }
    }
}
