#![no_main]
//! Fuzz target `shard_file`: the property of [`Target::Shard`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::Shard.check(data));
