//! JSONata (Step Functions' `{% %}` expressions): the input's first line is the
//! expression, the rest an input document (a fixed one when it is not JSON). Parse,
//! then evaluate within small depth and time bounds; every failure must be an error
//! value, never a panic, hang, overflow or runaway allocation.
#![no_main]

use std::time::Duration;

use lakestack_jsonata::{Expression, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (expr, input) = text.split_once('\n').unwrap_or((text, ""));
    let expr = match Expression::parse(expr) {
        Ok(e) => e,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let input = serde_json::from_str(input).unwrap_or_else(|_| {
        serde_json::json!({"order": {"items": [{"price": 2.5, "qty": 3}, {"price": 1, "qty": null}]}, "name": "x", "tags": ["a", "b"]})
    });
    let options = Options {
        max_depth: 200,
        timeout: Some(Duration::from_millis(200)),
        now_ms: 1_700_000_000_000.0,
        seed: 7,
        aws: true,
    };
    match expr.evaluate(&input, &[("v", serde_json::json!([1, 2, 3]))], &options) {
        Ok(v) => drop(v),
        Err(e) => drop(e.to_string()),
    }
});
