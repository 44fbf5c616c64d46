//! Event patterns against events, from the fixture file `tests/event_patterns.txt`: each
//! block is a pattern (`pattern <json>`) and the events it must match (`+`) or not (`-`),
//! or the message EventBridge refuses it with (`!`, where `\n` stands for a line break).

use std::path::Path;

use lakestack_patterns::{Dialect, parse};

#[test]
fn fixture_patterns_match_as_aws_documents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/event_patterns.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut failures = Vec::new();
    let mut current = None;
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(json) = line.strip_prefix("pattern ") {
            current = Some((line_no, json, parse(json, Dialect::EventPattern)));
            continue;
        }
        let Some((at, json, parsed)) = &current else {
            panic!("line {line_no}: a case before any pattern");
        };
        let (mark, subject) = line.split_at(1);
        let subject = subject.trim_start();
        cases += 1;
        match (mark, parsed) {
            ("!", Err(e)) if e.message() == subject.replace("\\n", "\n") => {}
            ("!", other) => failures.push(format!(
                "line {line_no}: pattern of line {at} {json}: expected error {subject:?}, got {:?}",
                other.as_ref().map_err(|e| e.message())
            )),
            (_, Err(e)) => failures.push(format!(
                "line {line_no}: pattern of line {at} {json} refused: {}",
                e.message()
            )),
            ("+" | "-", Ok(pattern)) => {
                let event: serde_json::Value =
                    serde_json::from_str(subject).unwrap_or_else(|e| panic!("line {line_no}: event {subject}: {e}"));
                if pattern.matches(&event) != (mark == "+") {
                    failures.push(format!(
                        "line {line_no}: pattern {json} {} {subject}",
                        if mark == "+" {
                            "should match"
                        } else {
                            "should not match"
                        }
                    ));
                }
            }
            _ => panic!("line {line_no}: expected +, - or !"),
        }
    }
    assert!(cases >= 150, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
