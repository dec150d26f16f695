#![no_main]
//! Fuzz target `approvals_manifest`: the property of [`Target::Approvals`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::Approvals.check(data));
