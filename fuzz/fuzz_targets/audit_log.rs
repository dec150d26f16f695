#![no_main]
//! Fuzz target `audit_log`: the property of [`Target::AuditLog`] on the fuzzer's input.

use gauntlet_fuzzing::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| Target::AuditLog.check(data));
