//! Shared by the binary tests: run `gauntlet`, find the repository's files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary with `args` from the repository root.
pub fn gauntlet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the gauntlet binary runs")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Rows of a CSV file as maps from header to field.
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `field` of `row` as a number.
pub fn num(row: &std::collections::HashMap<String, String>, field: &str) -> f64 {
    row[field]
        .parse()
        .unwrap_or_else(|_| panic!("{field} = {:?} is not a number", row[field]))
}

/// |a - b| <= tol * max(|a|, |b|).
pub fn close_rel(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs())
}

/// The shipped sma_cross spec.
pub const SPEC: &str = "strategies/specs/sma_cross.toml";

/// A gate policy every shipped spec passes, so that there is something to promote.
pub const LOOSE: &str = "min_oos_sharpe = -10.0\nmax_drawdown = 0.99\nmin_trades = 1\nmin_dsr = 0.0\nmax_pbo = 1.0\nwin_rate_tolerance = 1.0\n";

/// Approves `report` into the manifest `manifest` (by alice, at a fixed time); asserts that
/// `promote` accepted it.
pub fn promote(report: &Path, manifest: &Path) -> Output {
    let run = gauntlet(&[
        "promote",
        path_str(report),
        "--approvals",
        path_str(manifest),
        "--by",
        "alice",
        "--at",
        "2026-11-21T10:00:00Z",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    run
}

/// `path` as text.
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// report.json of `gauntlet validate SPEC`, the single unsharded run of the shipped sma_cross
/// spec (run once per test binary).
pub fn single_sma_cross_report() -> &'static [u8] {
    static REPORT: OnceLock<Vec<u8>> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = gauntlet(&["validate", SPEC, "--quiet", "--out", path_str(dir.path())]);
        // The shipped spec fails its gate: exit 1.
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        std::fs::read(dir.path().join("sma_cross/report.json")).expect("report.json")
    })
}
