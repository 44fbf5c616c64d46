//! Athena (Trino) SQL: DataFusion's parser with the Trino dialect, then the rewrite to DataFusion.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|sql: &str| {
    let _ = lakestack_query::trino::parse(sql);
});
