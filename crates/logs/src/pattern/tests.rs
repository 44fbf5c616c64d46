//! Filter patterns against messages, as data: `tests/filter_patterns.txt`
//! lists patterns, each followed by messages it must match (`+ `), must not
//! match (`- `), or the error it must raise (`! `).

use super::FilterPattern;

#[test]
fn fixture_patterns_match_as_listed() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/filter_patterns.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = Vec::new();
    let mut current: Option<(usize, String, Result<FilterPattern, String>)> = None;
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(p) = line.strip_prefix("pattern: ") {
            current = Some((n, p.to_owned(), FilterPattern::parse(p).map_err(|e| e.0)));
            continue;
        }
        let Some((at, pattern, parsed)) = &current else {
            panic!("line {n}: a case before any pattern");
        };
        let (kind, body) = line.trim_start().split_at(1);
        let body = body.strip_prefix(' ').unwrap_or(body);
        cases += 1;
        match (kind, parsed) {
            ("!", Err(e)) if e == body => {}
            ("!", other) => failures.push(format!("line {n}: {pattern} should fail with {body}, got {other:?}")),
            (_, Err(e)) => failures.push(format!("line {at}: {pattern} does not parse: {e}")),
            ("+", Ok(p)) if !p.matches(body) => failures.push(format!("line {n}: {pattern} should match {body}")),
            ("-", Ok(p)) if p.matches(body) => failures.push(format!("line {n}: {pattern} should not match {body}")),
            ("+" | "-", Ok(_)) => {}
            _ => panic!("line {n}: expected `+ `, `- ` or `! `"),
        }
    }
    assert!(cases > 50, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_patterns_fail_cleanly() {
    let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(FilterPattern::parse(&deep).unwrap_err().0, "Invalid filter pattern");
    let ok = format!("{{ {}$.a = 1{} }}", "(".repeat(20), ")".repeat(20));
    assert!(FilterPattern::parse(&ok).unwrap().matches(r#"{"a": 1}"#));
    for text in [
        "{",
        "[",
        "{$",
        "{$.",
        "{$.a[",
        "{$.a[9999999999999999999999] = 1}",
        "[a,",
        "%",
        "%(%",
        "\"",
        "?",
        "-",
        "{ $.a = \"x }",
        "%a{99999}{99999}%",
    ] {
        assert!(FilterPattern::parse(text).is_err(), "{text}");
    }
    let wide = format!("[{}]", vec!["a"; 101].join(","));
    assert!(FilterPattern::parse(&wide).is_err());
    // Every prefix of a rich pattern parses or fails without panicking.
    let rich = r#"{ ($.a[0].b = "x*" || $.c != %ab+c%) && $.d >= -1.5e3 && $.e IS NULL && $.f NOT EXISTS }"#;
    for (i, _) in rich.char_indices() {
        let _ = FilterPattern::parse(&rich[..i]);
    }
}
