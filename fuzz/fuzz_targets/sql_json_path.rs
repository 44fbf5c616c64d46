//! The SQL/JSON path language of json_exists, json_value and json_query:
//! the first line is the path, the rest the JSON input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (path, input) = text.split_once('\n').unwrap_or((text, "{}"));
    lakestack_query::fuzzing::json_path(path, input);
});
