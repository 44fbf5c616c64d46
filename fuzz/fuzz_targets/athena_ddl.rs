//! Athena DDL, CTAS, UNLOAD, INSERT INTO and CREATE VIEW recognisers.
#![no_main]

use lakestack_query::fuzzing as q;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|sql: &str| {
    let _ = q::parse_ddl(sql);
    let _ = q::parse_ctas(sql);
    let _ = q::parse_unload(sql);
    let _ = q::parse_insert(sql);
    let _ = q::parse_view(sql);
});
