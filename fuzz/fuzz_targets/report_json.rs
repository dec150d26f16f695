#![no_main]
//! Fuzz target `report_json`: the property of [`Target::Report`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::Report.check(data));
