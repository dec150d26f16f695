#![no_main]
//! Fuzz target `policy_toml`: the property of [`Target::GatePolicy`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::GatePolicy.check(data));
