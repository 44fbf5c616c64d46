//! Step Functions JSONPath (Paths and Reference Paths), evaluated against a small document.
#![no_main]

use lakestack_stepfn::fuzzing::Path;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let input = serde_json::json!({
        "a": {"b": [1, 2.5, "x", null, {"c": true}]},
        "list": [{"n": 1, "tag": "p"}, {"n": 3, "tag": "q"}],
        "s": "text"
    });
    let context = serde_json::json!({"Execution": {"Id": "arn:aws:states:us-east-1:000000000000:execution:m:e"}});
    if let Ok(path) = Path::parse(text) {
        let _ = path.select(&input, &context);
        let _ = path.find(&input, &context);
    }
    let _ = Path::parse_reference(text);
});
