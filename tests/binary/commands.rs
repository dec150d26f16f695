//! The other subcommands, end to end.

mod common;

use common::*;

#[test]
fn help_teaches_the_defaults() {
    let run = gauntlet(&["backtest", "--help"]);
    assert!(run.status.success());
    let text = stdout(&run);
    assert!(text.contains("sma_cross 10/30"), "{text}");
    assert!(text.contains("--commission-bps"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let run = gauntlet(&["backtest", "--no-such-flag"]);
    assert_eq!(run.status.code(), Some(2));
    let run = gauntlet(&[]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn strategies_lists_parameters() {
    let run = gauntlet(&["strategies"]);
    assert!(run.status.success());
    let text = stdout(&run);
    assert!(text.contains("sma_cross"));
    assert!(text.contains("fast"), "{text}");
}

#[test]
fn synth_writes_the_same_bars_for_the_same_seed_as_csv_and_parquet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut fingerprints = Vec::new();
    for name in ["a.csv", "b.csv", "c.parquet"] {
        let path = dir.path().join(name);
        let run = gauntlet(&[
            "synth",
            "--bars",
            "300",
            "--seed",
            "9",
            "--out",
            path.to_str().expect("utf-8"),
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        // The file passes the same checks as real data, and its fingerprint is that of the
        // bars generated in memory.
        let check = gauntlet(&["data", "check", path.to_str().expect("utf-8")]);
        assert!(check.status.success(), "{}", stdout(&check));
        let printed = stdout(&run);
        let generated = printed
            .split("sha256 ")
            .nth(1)
            .expect("fingerprint")
            .trim_end_matches(")\n")
            .to_string();
        let checked = stdout(&check);
        let loaded = checked
            .split("sha256 ")
            .nth(1)
            .expect("fingerprint")
            .trim()
            .to_string();
        assert_eq!(
            generated, loaded,
            "{name}: the file does not hold the generated bars"
        );
        fingerprints.push(loaded);
    }
    assert!(fingerprints.windows(2).all(|w| w[0] == w[1]));
    let other = dir.path().join("d.csv");
    let run = gauntlet(&[
        "synth",
        "--bars",
        "300",
        "--seed",
        "10",
        "--out",
        other.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success());
    assert!(!stdout(&run).contains(&fingerprints[0]));
}

#[test]
fn backtest_runs_on_a_panel_and_on_parquet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let parquet = dir.path().join("synth.parquet");
    let run = gauntlet(&[
        "synth",
        "--bars",
        "2000",
        "--seed",
        "3",
        "--out",
        parquet.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success());
    let out = dir.path().join("run");
    let run = gauntlet(&[
        "backtest",
        "--data",
        parquet.to_str().expect("utf-8"),
        "--risk",
        "conservative",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(out.join("report.json").exists());
    let out = dir.path().join("panel");
    let run = gauntlet(&[
        "backtest",
        "--data",
        "data/sp500_daily.csv",
        "data/nasdaq_daily.csv",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    // Same dates in both files: trading the first symbol of the panel gives the single-file
    // reference result.
    assert!(
        stdout(&run).contains("final equity  156516.787069"),
        "{}",
        stdout(&run)
    );
}
