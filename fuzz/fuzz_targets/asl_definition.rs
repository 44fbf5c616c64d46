//! Amazon States Language definitions: parse and validate (CreateStateMachine, ValidateStateMachineDefinition).
#![no_main]

use lakestack_stepfn::asl::validate::{Options, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|definition: &str| {
    let _ = analyze(definition, &Options::default());
});
