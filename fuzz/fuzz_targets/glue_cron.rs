//! Glue trigger/crawler `cron(...)` schedules: parse, then find the next fire time.
#![no_main]

use lakestack_catalog::fuzzing::Schedule;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(schedule) = Schedule::parse(text, 5) {
        // 2024-01-01T00:00:00Z
        let _ = schedule.next_after(1_704_067_200);
    }
});
