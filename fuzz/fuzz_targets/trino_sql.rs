//! Athena (Trino) SQL: EXPLAIN's option list, DataFusion's parser with the
//! Trino dialect, then the rewrite to DataFusion.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|sql: &str| {
    match lakestack_query::fuzzing::explain_options(sql) {
        Ok(Some(explain)) => {
            // Blanking the options keeps every later position where it was.
            assert_eq!(explain.sql.len(), sql.len());
            let _ = lakestack_query::trino::parse(&explain.sql);
        }
        _ => {
            let _ = lakestack_query::trino::parse(sql);
        }
    }
});
