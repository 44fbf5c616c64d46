//! CloudWatch Logs filter patterns: parse, then match a few messages of
//! each shape (text, JSON, space-delimited).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(pattern) = lakestack_logs::fuzzing::FilterPattern::parse(text) else {
        return;
    };
    for message in [
        "[ERROR] Caught IllegalArgumentException",
        r#"{"level": "ERROR", "latency": 900, "list": [{"id": 1}, null], "flag": true}"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#,
        "",
        text,
    ] {
        let _ = pattern.matches(message);
    }
});
