//! Bad input to the binary: exit code 2, one message that names the place, and no output
//! folder left behind, half-written or otherwise.

mod common;

use std::path::Path;

use common::*;

/// Runs a backtest on `data` (and `extra` options) into a fresh folder; asserts exit 2, no
/// output and nothing else in the parent; returns stderr.
fn refused(data: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("run");
    let mut args = vec![
        "backtest",
        "--data",
        data,
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    let run = gauntlet(&args);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "stderr: {err}");
    assert!(!out.exists(), "output folder written despite the error");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("read").count(),
        0,
        "something was left beside the output folder"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

const BAD: &str = "tests/data/bad";

#[test]
fn nan_close() {
    let err = refused(&format!("{BAD}/nan_close.csv"), &[]);
    assert!(
        err.contains(
            "nan_close.csv: line 3, column 'close', value 'NaN': expected a finite number"
        ),
        "{err}"
    );
}

#[test]
fn high_below_low() {
    let err = refused(&format!("{BAD}/high_below_low.csv"), &[]);
    assert!(
        err.contains(
            "high_below_low.csv: line 3, column 'high', value '9.5': high is below low (10)"
        ),
        "{err}"
    );
}

#[test]
fn duplicate_date() {
    let err = refused(&format!("{BAD}/duplicate_date.csv"), &[]);
    assert!(
        err.contains(
            "line 4, column 'ts', value '2020-01-03': duplicate timestamp: same as line 3"
        ),
        "{err}"
    );
}

#[test]
fn missing_column() {
    let err = refused(&format!("{BAD}/missing_column.csv"), &[]);
    assert!(
        err.contains("missing_column.csv: column 'low': required column is missing"),
        "{err}"
    );
}

#[test]
fn empty_file_and_header_only() {
    for file in ["empty.csv", "header_only.csv"] {
        let err = refused(&format!("{BAD}/{file}"), &[]);
        assert!(err.contains(&format!("{file}: 1 problem")), "{err}");
        assert!(err.contains("no data rows"), "{err}");
    }
}

#[test]
fn a_missing_file_and_an_unknown_format() {
    let err = refused("data/no_such_file.csv", &[]);
    // Relative to the folder the command runs in (the repository's root here), and said so.
    assert!(
        err.contains(&format!(
            "data/no_such_file.csv: no such file (looked for in {}",
            root().canonicalize().expect("root").display()
        )),
        "{err}"
    );
    let err = refused("data/PROVENANCE.md", &[]);
    assert!(err.contains("expected a .csv or .parquet file"), "{err}");
}

/// Parquet files whose damage made polars panic (inputs the fuzzer found): refused like any
/// unreadable file, named, exit 2, and not reported as an internal error.
#[test]
fn damaged_parquet_files_are_refused_not_crashed_on() {
    let dir = "fuzz/regressions/bars_parquet";
    let err = refused(&format!("{dir}/column-chunk-past-end-of-file.parquet"), &[]);
    assert!(
        err.contains("column-chunk-past-end-of-file.parquet: cannot parse file: damaged Parquet footer: row group 0 places a column at bytes"),
        "{err}"
    );
    let err = refused(
        &format!("{dir}/footer-thrift-bool-field-of-wrong-type.parquet"),
        &[],
    );
    assert!(
        err.contains("footer-thrift-bool-field-of-wrong-type.parquet: cannot parse file: damaged Parquet file: unreadable footer (cannot convert 2 into TType)"),
        "{err}"
    );
    assert!(!err.contains("internal error"), "{err}");
    // The footer promises 30 rows; the columns hold none. Accepted, it was an empty series
    // that crashed `data check`.
    let err = refused(
        &format!("{dir}/rows-promised-by-footer-missing-from-columns.parquet"),
        &[],
    );
    assert!(
        err.contains("damaged Parquet file: its footer claims 30 rows where its row groups hold 0"),
        "{err}"
    );
    // Both made polars reserve more memory than the machine has, and the process aborted:
    // a data page whose value count reads as -16 (2^64 - 16 as a size), and a footer list
    // that claims billions of elements.
    let err = refused(
        &format!("{dir}/page-claims-2e61-values-aborts-allocation.parquet"),
        &[],
    );
    assert!(
        err.contains("damaged Parquet file: row group 0, column 'low': a page claims -16 values, where at most 20 remain"),
        "{err}"
    );
    let err = refused(
        &format!("{dir}/struct-field-claims-109-gb-aborts-allocation.parquet"),
        &[],
    );
    assert!(
        err.contains("damaged Parquet file: unreadable footer ("),
        "{err}"
    );
}

#[test]
fn risk_toml_with_unknown_key_and_out_of_range_value() {
    let risk = format!("{BAD}/unknown_key_and_range.toml");
    let err = refused("data/sp500_daily.csv", &["--risk", &risk]);
    assert!(
        err.contains("unknown_key_and_range.toml: 2 problems in the risk config"),
        "{err}"
    );
    assert!(
        err.contains("key 'max_position': unknown key (allowed: max_daily_loss"),
        "{err}"
    );
    assert!(
        err.contains("key 'max_daily_loss': expected a number in (0, 1), got 1.5"),
        "{err}"
    );
}

#[test]
fn bad_parameters_are_named() {
    let err = refused(
        "data/sp500_daily.csv",
        &[
            "--param", "fast=50", "--param", "slow=20", "--param", "speed=3",
        ],
    );
    assert!(
        err.contains("parameter 'speed': unknown parameter"),
        "{err}"
    );
    let err = refused("data/sp500_daily.csv", &["--param", "fast=1"]);
    assert!(
        err.contains("parameter 'fast': expected an integer in 2..=200"),
        "{err}"
    );
    let err = refused(
        "data/sp500_daily.csv",
        &["--param", "fast=50", "--param", "slow=20"],
    );
    // Named by its strategy, and said once (not once more as the cause of itself).
    assert!(
        err.contains("sma_cross: parameter 'fast, slow': fast must be below slow"),
        "{err}"
    );
    assert_eq!(err.matches("fast must be below slow").count(), 1, "{err}");
    // A negative number is a value to check, not an unknown option.
    let err = refused("data/sp500_daily.csv", &["--commission-bps", "-5"]);
    assert!(err.contains("--commission-bps"), "{err}");
    assert!(!err.contains("unexpected argument"), "{err}");
    let err = refused("data/sp500_daily.csv", &["--strategy", "nope"]);
    assert!(
        err.contains("unknown strategy 'nope' (known: sma_cross"),
        "{err}"
    );
}

#[test]
fn bad_parameters_of_every_strategy_are_named_with_their_range() {
    let sp500 = "data/sp500_daily.csv";
    let err = refused(
        sp500,
        &["--strategy", "momentum", "--param", "threshold=-0.1"],
    );
    assert!(
        err.contains(
            "parameter 'threshold': expected a number in 0..=0.2 (grid step 0.01), got -0.1"
        ),
        "{err}"
    );
    let err = refused(sp500, &["--strategy", "vwap", "--param", "anchor=weekly"]);
    assert!(
        err.contains("parameter 'anchor': expected one of: rolling, session, got 'weekly'"),
        "{err}"
    );
    let err = refused(
        sp500,
        &[
            "--strategy",
            "rsi_divergence",
            "--param",
            "oversold=45",
            "--param",
            "exit_rsi=40",
        ],
    );
    assert!(
        err.contains("exit_rsi must exceed oversold, got oversold=45 exit_rsi=40"),
        "{err}"
    );
    let err = refused(
        sp500,
        &["--strategy", "volume_breakout", "--param", "lookback=2"],
    );
    assert!(
        err.contains("parameter 'lookback': expected an integer in 5..=200"),
        "{err}"
    );
    let err = refused(
        sp500,
        &[
            "--strategy",
            "mean_reversion",
            "--param",
            "window=20",
            "--param",
            "zentry=2",
        ],
    );
    assert!(
        err.contains("parameter 'zentry': unknown parameter (mean_reversion takes: window, z_entry, stop, long_short)"),
        "{err}"
    );
    // pairs: z_out must be below z_in, and two files are needed.
    let err = refused(
        sp500,
        &[
            "--strategy",
            "pairs",
            "--param",
            "z_in=1",
            "--param",
            "z_out=1.5",
        ],
    );
    assert!(
        err.contains("z_out must be below z_in, got z_in=1 z_out=1.5"),
        "{err}"
    );
    let err = refused(sp500, &["--strategy", "pairs"]);
    assert!(
        err.contains("--data: pairs trades 2 symbols, one per file, but 1 file was given"),
        "{err}"
    );
}

#[test]
fn data_check_lists_every_problem_and_exits_2() {
    let run = gauntlet(&[
        "data",
        "check",
        "data/sp500_daily.csv",
        &format!("{BAD}/many_problems.csv"),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let out = stdout(&run);
    assert!(
        out.contains("ok   data/sp500_daily.csv: 5031 bars, 1999-01-04 .. 2018-12-31"),
        "{out}"
    );
    // Line 3: open 'abc' and volume -3; line 4: high 8 below open/close max 10 and a date
    // before line 3's; line 5: open 'inf' and low -1.
    let expected = [
        "many_problems.csv: 6 problems",
        "line 3, column 'Open', value 'abc': expected a number",
        "line 3, column 'Volume', value '-3': expected a volume of zero or more",
        "line 4, column 'High', value '8': high is below max(open, close) (10)",
        "line 4, column 'Date', value '2020-01-01': timestamp goes backwards: earlier than line 3",
        "line 5, column 'Open', value 'inf': expected a finite number",
        "line 5, column 'Low', value '-1': expected a price above zero",
    ];
    for line in expected {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    assert!(stderr(&run).contains("1 of 2 file(s) failed the checks"));
    assert!(Path::new(&root()).join("data/sp500_daily.csv").exists());
}
