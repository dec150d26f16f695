#![no_main]
//! Fuzz target `bars_csv`: the property of [`Target::BarsCsv`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::BarsCsv.check(data));
