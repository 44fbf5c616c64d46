//! Step Functions intrinsic functions (`States.Format(...)`, ...): parse and evaluate.
#![no_main]

use lakestack_stepfn::fuzzing as sfn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let input = serde_json::json!({"a": [1, 2, 3], "s": "a,b", "o": {"k": "v"}, "n": 7});
    let context = serde_json::json!({"Execution": {"Name": "e"}});
    if sfn::parse_intrinsic(text).is_ok() {
        let _ = sfn::evaluate_intrinsic(text, &input, &context);
    }
});
