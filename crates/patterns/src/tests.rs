//! Unit checks that do not fit the fixture file: limits on size and depth, locations on
//! lines after the first, time bounds, and text no parser should panic on.

use super::{Dialect, MAX_EVENT_PATTERN_CHARS, parse};

#[test]
fn size_and_depth_are_limited() {
    let huge = format!("{{\"k\": [\"{}\"]}}", "x".repeat(MAX_EVENT_PATTERN_CHARS));
    let e = parse(&huge, Dialect::EventPattern).unwrap_err();
    assert_eq!(e.code(), "ValidationException");
    assert_eq!(
        e.message(),
        "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: \
         Member must have length less than or equal to 4096"
    );
    let deep = "{\"a\":".repeat(200) + "[1]" + &"}".repeat(200);
    let e = parse(&deep, Dialect::EventPattern).unwrap_err();
    assert!(e.message().contains("exceeds the maximum allowed (128)"), "{e}");
}

#[test]
fn locations_count_lines_and_characters() {
    let text = "{\n  \"détail\": {\n    \"n\": 5\n  }\n}";
    let e = parse(text, Dialect::EventPattern).unwrap_err();
    assert_eq!(
        e.message(),
        format!(
            "Event pattern is not valid. Reason: \"n\" must be an object or an array\n at [Source: (String)\"{text}\"; line: 3, column: 11]"
        )
    );
    let long = format!("{{\"a\": [\"{}\"], \"b\": 1}}", "y".repeat(600));
    let message = parse(&long, Dialect::EventPattern).unwrap_err().message();
    assert!(
        message.ends_with("\"[truncated 119 chars]; line: 1, column: 619]"),
        "{message}"
    );
}

#[test]
fn wildcards_match_in_linear_time() {
    let pattern = parse(r#"{"k": [{"wildcard": "*a*a*a*a*b"}]}"#, Dialect::EventPattern).unwrap();
    let event = serde_json::json!({ "k": "a".repeat(200_000) });
    let started = std::time::Instant::now();
    assert!(!pattern.matches(&event));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn deep_events_and_values_never_panic() {
    let pattern = parse(r#"{"a": {"b": [{"exists": true}]}}"#, Dialect::EventPattern).unwrap();
    let mut event = serde_json::json!("x");
    for _ in 0..100_000 {
        event = serde_json::Value::Array(vec![event]);
    }
    // (json! would serialize the value, recursively.)
    let mut map = serde_json::Map::new();
    map.insert("a".into(), event);
    let event = serde_json::Value::Object(map);
    assert!(!pattern.matches(&event));
    // A deep value must not overflow the stack when it is dropped either.
    let mut v = event;
    while let serde_json::Value::Object(mut m) = v {
        v = m.remove("a").unwrap_or_default();
    }
    while let serde_json::Value::Array(mut items) = v {
        v = items.pop().unwrap_or_default();
    }
}

#[test]
fn garbage_never_panics() {
    // A small deterministic generator of pattern-shaped text, for the cases a fuzzer would
    // find first.
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"k\"",
        "\"numeric\"",
        "\"anything-but\"",
        "\"prefix\"",
        "\"suffix\"",
        "\"wildcard\"",
        "\"*a\\\\*\"",
        "\"$or\"",
        "\"cidr\"",
        "\"10.0.0.0/8\"",
        "\"::1/64\"",
        "\"exists\"",
        "\"equals-ignore-case\"",
        "1",
        "-1e309",
        "5e9",
        "0.0000001",
        "null",
        "true",
        "\">\"",
        "\"<=\"",
        "\"=\"",
        " ",
        "\"\\u00e9\"",
        "\"\\ud800\"",
    ];
    let events = [
        serde_json::json!({"k": [1, "a", {"k": null}, "10.1.2.3"], "$or": 5}),
        serde_json::json!({"k": {"k": [{"k": "x*a"}]}}),
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        for dialect in [Dialect::EventPattern, Dialect::SnsBody, Dialect::SnsAttributes] {
            match parse(&text, dialect) {
                Ok(p) => {
                    for event in &events {
                        let _ = p.matches(event);
                    }
                }
                Err(e) => {
                    let _ = (e.message(), e.code(), e.reason());
                }
            }
        }
    }
}

#[test]
fn patterns_and_errors_can_be_shared_across_threads() {
    fn shared<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    shared::<super::Pattern>();
    shared::<super::PatternError>();
}
