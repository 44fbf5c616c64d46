//! EventBridge's other untrusted texts: schedule expressions (`rate(...)`,
//! `cron(...)`), target input paths and input templates; each is read, then
//! used (the next fire time; a path selected from an event; a template filled).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    lakestack_events::fuzzing::schedule_and_template(text);
});
