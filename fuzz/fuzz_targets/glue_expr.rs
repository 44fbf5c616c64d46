//! GetPartitions `Expression`: parse, bind to typed partition keys, evaluate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(expr) = lakestack_catalog::expr::parse(text) else {
        return;
    };
    let keys = [
        ("year", "int"),
        ("region", "string"),
        ("dt", "date"),
        ("ts", "timestamp"),
        ("amount", "decimal(10,2)"),
    ]
    .map(|(k, t)| (k.to_owned(), t.to_owned()));
    if let Ok(bound) = expr.bind(&keys) {
        let values = ["2024", "eu-west-1", "2024-02-29", "2024-02-29 12:00:00", "12.50"].map(str::to_owned);
        let _ = bound.matches(&values);
    }
});
