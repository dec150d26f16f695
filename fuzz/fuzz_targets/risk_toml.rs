#![no_main]
//! Fuzz target `risk_toml`: the property of [`Target::RiskConfig`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::RiskConfig.check(data));
