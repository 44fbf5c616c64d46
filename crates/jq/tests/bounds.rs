//! The bounds on untrusted queries and records: each is an error, never a panic, a
//! stack overflow, a hang or unbounded memory.

use lakestack_jq::limits::{MAX_DEPTH, MAX_INPUT_DEPTH, MAX_QUERY_LEN};
use lakestack_jq::{Env, EvalError, Limit, Query};
use serde_json::{Value, json};

fn run(query: &str, input: &Value) -> Result<Vec<Value>, EvalError> {
    Query::parse(query)
        .unwrap_or_else(|e| panic!("{query:.80}: {e}"))
        .run(input, &Env::default())
}

fn limit(query: &str, input: &Value) -> Limit {
    match run(query, input) {
        Err(EvalError::LimitExceeded(limit)) => limit,
        other => panic!("{query:.80}: expected a limit, got {:.300}", format!("{other:?}")),
    }
}

/// Runs `f` on a thread with a deliberately small stack, so that a test fails rather
/// than passes by luck if recursion grows beyond what the bounds promise. Measured at
/// the deepest accepted nesting: under 200 KiB in release builds and under 900 KiB in
/// debug builds, whose frames are several times larger; a tokio worker has 2 MiB.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let stack = if cfg!(debug_assertions) { 2 << 20 } else { 512 << 10 };
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn nested(open: &str, middle: &str, close: &str, levels: usize) -> String {
    format!("{}{middle}{}", open.repeat(levels), close.repeat(levels))
}

#[test]
fn deep_nesting_is_a_parse_error() {
    on_small_stack(|| {
        for text in [
            nested("[", ".", "]", 10_000),
            nested("(", ".", ")", 10_000),
            nested("{a:", ".", "}", 10_000),
            nested("\"\\(", ".", ")\"", 10_000),
            nested(".[", ".", "]", 10_000),
            nested("if . then ", ".", " else . end", 10_000),
            nested("try ", ".", "", 10_000),
            nested("map(", ".", ")", 10_000),
            nested("- ", "1", "", 10_000),
            nested(". as $x | ", ".", "", 10_000),
            nested("", "1", " // 1", 10_000),
            format!(".{}", ["a"; 3000].join(".")),
            format!("1{}", " + 1".repeat(3000)),
            format!(". {}", "| .".repeat(3000)),
            format!("if . then 1 {} else 2 end", "elif . then 1 ".repeat(200)),
        ] {
            let text = text.get(..MAX_QUERY_LEN).unwrap_or(&text).to_owned();
            let err = Query::parse(&text).expect_err(&text[..40]);
            assert!(err.message().contains("levels deep"), "{}: {err}", &text[..40]);
        }
    });
}

#[test]
fn long_queries_are_rejected() {
    let text = format!(".a{}", " ".repeat(MAX_QUERY_LEN));
    assert!(Query::parse(&text).unwrap_err().message().contains("longer than"));
    assert!(Query::parse(&format!(".a{}", " ".repeat(MAX_QUERY_LEN - 2))).is_ok());
}

#[test]
fn queries_that_build_too_deep_values_are_rejected() {
    // Each stage wraps its input once more; nesting the stages in pairs keeps the
    // tree short while the values grow with every stage.
    let mut text = String::from("[.]");
    for _ in 0..7 {
        text = format!("({text} | {text})");
    }
    let err = Query::parse(&text).unwrap_err();
    assert!(err.message().contains("nests the arrays and objects"), "{err}");
}

#[test]
fn the_deepest_accepted_queries_fit_a_small_stack() {
    on_small_stack(|| {
        let depth = MAX_DEPTH - 2;
        let deep = [
            nested("[", ".", "]", depth),
            nested("(1 + ", "1", ")", depth / 2),
            nested("{a:", ".", "}", depth),
            nested("\"\\(", ".", ")\"", depth),
            nested("first(", ".", ")", depth),
            nested("map(", ".", ")", depth),
            nested("try (", "error(\"x\")", ") catch .", depth / 2),
            nested("if . then ", ".", " else . end", depth / 2),
            nested(". as $x | [", "$x", "]", depth / 2),
            nested("[.[", "0", "]]", depth / 2),
            format!(".{}", vec!["a"; MAX_DEPTH - 2].join(".")),
            format!(". {}", "| [.] ".repeat(depth / 2)),
        ];
        for text in deep {
            let query = Query::parse(&text).unwrap_or_else(|e| panic!("{:.60}: {e}", text));
            let _ = query.run(&json!({"a": [[1]]}), &Env::default());
        }
    });
}

#[test]
fn deep_inputs_are_refused_and_deep_values_are_handled() {
    on_small_stack(|| {
        // Built iteratively: serde_json's own parser would refuse this depth.
        let mut deep = json!(1);
        for _ in 0..(MAX_INPUT_DEPTH + 10) {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(limit(".", &deep), Limit::InputDepth);

        let mut ok = json!(1);
        for _ in 0..(MAX_INPUT_DEPTH - 1) {
            ok = Value::Array(vec![ok]);
        }
        // The deepest input, wrapped further by the query, compared, sorted, printed.
        let query = format!(
            "{} | [., .] | (sort | length), (tojson | length), (.[0] == .[1]), ([..] | length)",
            nested("[", ".", "]", 60)
        );
        let outputs = run(&query, &ok).unwrap();
        assert_eq!(outputs.len(), 4);
        let mut out = outputs.into_iter().nth(2);
        assert_eq!(out.take(), Some(json!(true)));
        // Dropping deep values must not overflow either.
        drop(ok);
        drop(deep);
    });
}

#[test]
fn huge_strings_and_arrays_are_bounded() {
    assert_eq!(limit("\"x\" * 1e9", &Value::Null), Limit::StringLength);
    assert_eq!(
        limit("\"xxxxxxxxxx\" * 1000000 | . + .", &Value::Null),
        Limit::StringLength
    );
    assert_eq!(limit("[range(1e9)]", &Value::Null), Limit::ArrayLength);
    assert_eq!(limit("[range(1e9)] | length", &Value::Null), Limit::ArrayLength);
    assert_eq!(limit("\"\\\"\" * 3000000 | tojson", &Value::Null), Limit::StringLength);
    assert_eq!(limit("[range(600000)] | . + .", &Value::Null), Limit::ArrayLength);
    // jq 1.6 returns null for a repeat count beyond a C int.
    assert_eq!(run("\"x\" * 1e10", &Value::Null).unwrap(), vec![Value::Null]);
}

#[test]
fn many_outputs_are_bounded() {
    assert_eq!(limit("range(1e9)", &Value::Null), Limit::Outputs);
    assert_eq!(
        limit(".[] | .[] | .[]", &Value::from(vec![vec![vec![1; 30]; 30]; 30])),
        Limit::Outputs
    );
    // Stopping early is fine.
    assert_eq!(run("first(range(1e15))", &Value::Null).unwrap(), vec![json!(0)]);
    assert_eq!(
        run("[limit(3; range(1e15))] | length", &Value::Null).unwrap(),
        vec![json!(3)]
    );
}

#[test]
fn work_is_bounded() {
    let start = std::time::Instant::now();
    for query in [
        "[range(3000)] as $a | [$a[] as $x | $a[] | . + $x] | length",
        "[range(1e15)] | length",
        "range(1e15) | empty",
        "[range(100000)] as $a | [$a, $a, $a, $a] | [.[] | sort] | length",
        "[range(1000)] as $a | [$a[] | tostring] | [.[] as $x | $a | map(tostring) | select(contains([$x]))] | length",
        "[range(2000)] as $a | $a - $a | length",
        "[range(1000) | [range(1000)]] | unique | length",
        "[range(1e6)] | [.[] | . + 1] | length",
        ".[] as $x | .[] as $y | .[] as $z | [$x, $y, $z] | empty",
        "[.[] | tostring] | join(\",\") | . * 100 | length",
    ] {
        let input = json!((0..200).collect::<Vec<_>>());
        let _ = Query::parse(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .run(&input, &Env::default());
    }
    assert_eq!(limit("range(1e15) | empty", &Value::Null), Limit::Steps);
    // Operations whose cost grows with a big string or array, repeated in a loop: each
    // pays for its size, so the loop runs out of steps instead of running for hours.
    for query in [
        "(\"x\" * 4000000) as $s | [range(100000) | $s | length] | length",
        "(\"x\" * 4000000) as $s | [range(100000) | $s | startswith($s)] | length",
        "(\"x\" * 4000000) as $s | [range(100000) | $s | ltrimstr($s)] | length",
        "(\"x\" * 4000000) as $s | [range(100000) | $s | .[1:2]] | length",
        "(\"1\" * 4000000) as $s | [range(100000) | $s | tonumber] | length",
        "(\"1\" * 4000000) as $s | [range(100000) | try ($s | strptime(\"%Y\")) catch 0] | length",
        "[range(1000000)] as $a | [range(100000) | $a | any] | length",
        "[range(1000000)] as $a | [range(100000) | $a | reverse | length] | length",
        "[range(1000000)] as $a | [range(100000) | $a | .[1:] | length] | length",
        "[range(1000000)] as $a | [range(100000) | $a | map(empty)] | length",
        "[range(1000000)] as $a | [range(100000) | $a | join(\",\")?] | length",
    ] {
        assert_eq!(limit(query, &Value::Null), Limit::Steps, "{query}");
    }
    // Generous for a debug build on a loaded machine; each query stops at the budget.
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn big_records_are_processed_within_the_budget() {
    // About 1 MB, the size of Firehose's largest record.
    let record = json!({
        "customer_id": "c-42",
        "ts": 1565382027,
        "items": (0..20_000).map(|i| json!({"n": i, "name": format!("item-{i}")})).collect::<Vec<_>>(),
    });
    let query = Query::parse(r#"{customer: .customer_id, day: .ts | strftime("%Y-%m-%d"), count: (.items | length), size: (tojson | length), names: ([.items[].name] | join(",") | length)}"#).unwrap();
    let keys = query.partition_keys(&record, &Env::default()).unwrap();
    assert_eq!(keys[0], ("customer".to_owned(), "c-42".to_owned()));
    assert_eq!(keys[2], ("count".to_owned(), "20000".to_owned()));
}
