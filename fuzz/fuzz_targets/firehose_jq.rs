//! Firehose dynamic partitioning's jq (MetadataExtractionQuery): the input's first line
//! is the query, the rest a record (a fixed one when it is not JSON). Parse the query,
//! render any refusal, then run it and extract partition keys on the record and on a
//! fixed one; every failure must be an error value, never a panic, hang or overflow.
#![no_main]

use lakestack_jq::{Env, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (query, record) = text.split_once('\n').unwrap_or((text, ""));
    let query = match Query::parse(query) {
        Ok(query) => query,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let fixed = serde_json::json!({
        "customer_id": "1234567890",
        "event_timestamp": 1565382027,
        "type": {"device": "mobile", "event": "user_clicked_submit_button"},
        "items": [1, 2.5, "x", null, true, {"n": -1}],
        "date": "2019-08-09T20:20:27Z",
    });
    let env = Env { now: 1_700_000_000.5 };
    let mut records = vec![fixed];
    if let Ok(record) = serde_json::from_str::<serde_json::Value>(record) {
        records.push(record);
    }
    for record in &records {
        match query.run(record, &env) {
            Ok(outputs) => drop(outputs),
            Err(e) => drop(e.to_string()),
        }
        match query.partition_keys(record, &env) {
            Ok(keys) => drop(keys),
            Err(e) => drop(e.to_string()),
        }
    }
});
