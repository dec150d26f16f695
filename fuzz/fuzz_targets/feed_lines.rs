#![no_main]
//! Fuzz target `feed_lines`: the property of [`Target::FeedLines`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::FeedLines.check(data));
