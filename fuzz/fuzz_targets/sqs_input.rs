//! SQS's text inputs: an awsQuery form normalised for every operation,
//! RedrivePolicy and RedriveAllowPolicy values, receipt handles, queue URLs
//! and ARNs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lakestack_sqs::fuzzing::query_form(data);
    if let Ok(text) = std::str::from_utf8(data) {
        lakestack_sqs::fuzzing::redrive_policy(text);
        lakestack_sqs::fuzzing::handle_and_url(text);
    }
});
