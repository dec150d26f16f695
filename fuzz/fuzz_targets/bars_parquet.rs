#![no_main]
//! Fuzz target `bars_parquet`: the property of [`Target::BarsParquet`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::BarsParquet.check(data));
