//! Replays every input the fuzzers kept (`fuzz/corpus/<target>/`) and every input that once
//! broke a reader (`fuzz/regressions/<target>/`) through the reader's property. This is how the
//! fuzzing runs in CI: no fuzzer, only what it found.

use std::path::{Path, PathBuf};

use gauntlet_fuzzing::Target;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir`, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: Target) {
    let corpus = inputs(&fuzz_dir().join("corpus").join(target.name()));
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{} holds no inputs: seed it (see fuzz/README.md)",
        target.name()
    );
    let regressions = inputs(&fuzz_dir().join("regressions").join(target.name()));
    for path in corpus.iter().chain(&regressions) {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            // A fuzzer running on the same corpus replaces inputs as it minimizes them.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        // A panic names the input, so that it can be replayed under the fuzzer.
        let outcome = std::panic::catch_unwind(|| target.check(&data));
        assert!(outcome.is_ok(), "{} broke its property", path.display());
    }
}

#[test]
fn bars_csv() {
    replay(Target::BarsCsv);
}

#[test]
fn bars_parquet() {
    replay(Target::BarsParquet);
}

#[test]
fn feed_lines() {
    replay(Target::FeedLines);
}

#[test]
fn spec_toml() {
    replay(Target::Spec);
}

#[test]
fn risk_toml() {
    replay(Target::RiskConfig);
}

#[test]
fn policy_toml() {
    replay(Target::GatePolicy);
}

#[test]
fn report_json() {
    replay(Target::Report);
}

#[test]
fn shard_file() {
    replay(Target::Shard);
}

#[test]
fn approvals_manifest() {
    replay(Target::Approvals);
}

#[test]
fn audit_log() {
    replay(Target::AuditLog);
}

/// Every target has its test above and its folder of inputs.
#[test]
fn every_target_is_replayed() {
    let source = include_str!("corpus.rs");
    for target in Target::ALL {
        assert!(
            source.contains(&format!("fn {}()", target.name())),
            "no replay test for {}",
            target.name()
        );
        assert!(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{}.rs", target.name()))
                .is_file(),
            "no fuzz target for {}",
            target.name()
        );
    }
}
