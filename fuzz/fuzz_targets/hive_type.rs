//! Glue/Hive column type strings (`array<struct<a:int>>`, `decimal(10,2)`, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = lakestack_query::fuzzing::arrow_type(text);
});
