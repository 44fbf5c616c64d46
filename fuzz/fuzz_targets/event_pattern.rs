//! EventBridge event patterns (and SNS filter policies, the same language): the input's
//! first line is the pattern, the rest an event; parse the pattern, render any refusal,
//! and match it against the event and a few fixed ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (pattern, event) = text.split_once('\n').unwrap_or((text, "{}"));
    lakestack_patterns::fuzzing::event_pattern(pattern, event);
});
