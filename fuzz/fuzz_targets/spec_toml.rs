#![no_main]
//! Fuzz target `spec_toml`: the property of [`Target::Spec`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::Spec.check(data));
