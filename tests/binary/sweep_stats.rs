//! `gauntlet sweep` and `gauntlet stats`, end to end: the sweep's figures against the reference
//! engines' backtest on the shipped data, the same trials table on any number of threads, and
//! the statistics commands against values worked out by hand or with scipy.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const REFERENCE: &str = "tests/reference/sma_cross_sp500";

fn sweep(out: &Path, threads: &str, grid: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sweep",
        "--strategy",
        "sma_cross",
        "--data",
        "data/sp500_daily.csv",
        "--threads",
        threads,
        "--quiet",
        "--out",
        path_str(out),
    ];
    for axis in grid {
        args.extend(["--grid", axis]);
    }
    gauntlet(&args)
}

/// Per-period returns of an equity curve starting from `capital`, as the sweep measures them
/// (the first bar from the starting capital).
fn returns_of(equity: &[f64], capital: f64) -> Vec<f64> {
    let mut previous = capital;
    equity
        .iter()
        .map(|&e| {
            let r = e / previous - 1.0;
            previous = e;
            r
        })
        .collect()
}

#[test]
fn sweep_matches_the_reference_engines_and_any_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let grid = ["fast=10,20", "slow=30,60"];
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let run = sweep(&one, "1", &grid);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("4 parameter sets over 5031 bars"),
        "{}",
        stdout(&run)
    );
    let run = sweep(&two, "2", &grid);
    assert!(run.status.success(), "{}", stderr(&run));
    let table = std::fs::read(one.join("trials.csv")).expect("trials");
    assert_eq!(
        table,
        std::fs::read(two.join("trials.csv")).expect("trials"),
        "1 and 2 threads wrote different trials tables"
    );

    // fast=10, slow=30 is the reference backtest (no costs, all cash in, fills at the next
    // open): 88 trades, 37 won, final equity 156516.787069 (tests/reference/.../README.md).
    let rows = read_csv(&one.join("trials.csv"));
    assert_eq!(rows.len(), 4);
    let row = rows
        .iter()
        .find(|r| r["fast"] == "10" && r["slow"] == "30")
        .expect("the 10/30 row");
    assert_eq!(num(row, "trades"), 88.0);
    assert!(close_rel(num(row, "win_rate"), 37.0 / 88.0, 1e-12));
    assert!(close_rel(num(row, "total_return"), 0.565168, 1e-5));
    // Sharpe and drawdown from the reference engines' equity curve, computed here.
    let equity: Vec<f64> = read_csv(&root().join(REFERENCE).join("equity_nocomm.csv"))
        .iter()
        .map(|r| num(r, "equity"))
        .collect();
    let r = returns_of(&equity, 100_000.0);
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let sharpe = mean / sd * 252f64.sqrt();
    assert!(
        close_rel(num(row, "sharpe"), sharpe, 1e-5),
        "Sharpe {} against {sharpe}",
        row["sharpe"]
    );
    assert!(close_rel(num(row, "max_drawdown"), 0.315623, 1e-5));
}

#[test]
fn sweep_refuses_a_bad_grid_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (grid, says) in [
        (
            vec!["speed=1:3:1"],
            "unknown parameter 'speed' (sma_cross takes: fast, slow, long_short)",
        ),
        (
            vec!["fast=50", "slow=10,20"],
            "none of the 2 parameter sets is valid",
        ),
        (vec!["fast=10:5:1"], "--grid fast=10:5:1"),
        // A repeated value or axis would run the same set twice, as two trials.
        (
            vec!["fast=5,10,5"],
            "--grid fast=5,10,5: parameter 'fast': 5 is listed twice",
        ),
        (
            vec!["fast=5:10:5", "fast=20"],
            "--grid fast=20: 'fast' has an axis already",
        ),
    ] {
        let out = dir.path().join("out");
        let run = sweep(&out, "1", &grid);
        assert_eq!(run.status.code(), Some(2), "{grid:?}: {}", stderr(&run));
        assert!(stderr(&run).contains(says), "{grid:?}: {}", stderr(&run));
        assert!(!out.exists(), "{grid:?} wrote {}", out.display());
    }
}

fn stats(args: &[&str]) -> Value {
    let mut all = vec!["stats"];
    all.extend(args);
    let run = gauntlet(&all);
    assert!(run.status.success(), "{args:?}: {}", stderr(&run));
    serde_json::from_slice(&run.stdout).expect("JSON on stdout")
}

fn value(json: &Value, pointer: &str) -> f64 {
    json.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} not a number in {json}"))
}

/// The ten-period series worked by hand in crates/validate/src/performance.rs, as a returns
/// file in `dir`.
fn ten_returns(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("r.csv");
    std::fs::write(
        &file,
        "return\n0.01\n-0.02\n0.03\n0\n0.01\n-0.01\n0.02\n0.01\n-0.03\n0.02\n",
    )
    .expect("write");
    file
}

#[test]
fn stats_returns_by_hand() {
    // The ten-period series worked by hand in crates/validate/src/performance.rs: mean 0.004,
    // sample variance 3.6e-4, downside 1.4e-4 over all ten periods; with P = 4, Sharpe
    // 0.004 / sqrt(3.6e-4) * 2 and Sortino 0.004 / sqrt(1.4e-4) * 2; max drawdown 0.03.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = ten_returns(dir.path());
    let trades = dir.path().join("t.csv");
    std::fs::write(&trades, "pnl,bars_held\n5,2\n-3,4\n2,6\n").expect("write");
    let json = stats(&[
        "returns",
        path_str(&file),
        "--periods",
        "4",
        "--trades",
        path_str(&trades),
    ]);
    let sharpe = 0.004 / 3.6e-4f64.sqrt() * 2.0;
    assert!(close_rel(
        value(&json, "/performance/sharpe/value"),
        sharpe,
        1e-12
    ));
    let sortino = 0.004 / 1.4e-4f64.sqrt() * 2.0;
    assert!(close_rel(
        value(&json, "/performance/sortino/value"),
        sortino,
        1e-12
    ));
    assert!(close_rel(
        value(&json, "/performance/max_drawdown"),
        0.03,
        1e-12
    ));
    // Two wins of three; profit factor (5 + 2) / 3.
    assert!(close_rel(
        value(&json, "/trades/win_rate/value"),
        2.0 / 3.0,
        1e-12
    ));
    assert!(close_rel(
        value(&json, "/trades/profit_factor/value"),
        7.0 / 3.0,
        1e-12
    ));
}

/// `stats dsr` of a Sharpe ratio over 252 periods, against `trials` trials whose Sharpe ratios
/// vary by 0.0025.
fn dsr(sharpe: &str, trials: &str, skew: &str, kurt: &str) -> Vec<String> {
    [
        "dsr",
        "--sharpe",
        sharpe,
        "--trials",
        trials,
        "--trials-var",
        "0.0025",
        "--periods",
        "252",
        "--skew",
        skew,
        "--kurt",
        kurt,
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn stats_dsr_matches_scipy() {
    // scipy: SR0 = sqrt(V) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e))) with N = 10,
    // V = 0.0025; DSR = Phi((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2))
    // with SR = 0.1, T = 252, skew 0, kurt 3; PSR the same with SR0 = 0.
    let args = dsr("0.1", "10", "0", "3");
    let json = stats(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(close_rel(
        value(&json, "/deflated/expected_max_sharpe/value"),
        0.0787299150672875,
        1e-9
    ));
    assert!(close_rel(
        value(&json, "/deflated/dsr/value"),
        0.6316181861163893,
        1e-9
    ));
    assert!(close_rel(
        value(&json, "/psr/value"),
        0.9429868610243624,
        1e-9
    ));
}

#[test]
fn stats_pbo_and_splits() {
    // One configuration earns more than the other two in every period: it is the in-sample
    // winner of every split and the out-of-sample winner too, so no split is overfit.
    let dir = tempfile::tempdir().expect("tempdir");
    let matrix = dir.path().join("m.csv");
    let mut text = String::from("a,b,c\n");
    for t in 0..64 {
        let noise = ((t * 7919) % 13) as f64 * 1e-4;
        text.push_str(&format!("{},{},{}\n", 0.01 + noise, noise, -noise));
    }
    std::fs::write(&matrix, text).expect("write");
    let json = stats(&["pbo", path_str(&matrix), "--blocks", "8"]);
    assert_eq!(value(&json, "/pbo/value"), 0.0);
    assert_eq!(value(&json, "/configurations"), 3.0);
    // C(8, 4) = 70 splits.
    assert_eq!(json["logits"].as_array().map(Vec::len), Some(70));

    // CPCV with N = 6, k = 2: C(6, 2) = 15 splits and C(5, 1) = 5 paths.
    let json = stats(&[
        "splits",
        "--scheme",
        "cpcv",
        "--n",
        "600",
        "--groups",
        "6",
        "--test-groups",
        "2",
    ]);
    assert_eq!(json["folds"].as_array().map(Vec::len), Some(15));
    assert_eq!(json["paths"].as_array().map(Vec::len), Some(5));
}

/// `gauntlet stats ARGS`, which must exit 2 with `says` on standard error and nothing on
/// standard output.
fn stats_refused(args: &[&str], says: &str) {
    let mut all = vec!["stats"];
    all.extend(args);
    let run = gauntlet(&all);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: expected {says:?} in: {err}");
    assert!(run.stdout.is_empty(), "{args:?}: {}", stdout(&run));
}

#[test]
fn stats_refuses_bad_input_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("r.csv");
    let returns = |text: &str, says: &str| {
        std::fs::write(&file, text).expect("write");
        stats_refused(&["returns", path_str(&file)], says);
    };
    // The returns column is found by its name, never by position.
    returns(
        "date,ret\n2020-01-02,0.01\n",
        "r.csv: no 'return' column (columns: date, ret)",
    );
    returns(
        "ret\n0.01\n0.02\n",
        "r.csv: no 'return' column (columns: ret)",
    );
    // No header: the first return would have been taken for a column name, and lost.
    returns(
        "0.01\n0.02\n0.03\n",
        "r.csv: line 1 is '0.01': expected a header line naming the columns",
    );
    // A blank line between rows (the CSV reader would pass over it).
    returns(
        "return\n0.01\n\n0.02\n",
        "r.csv: line 3: blank: expected one row per line",
    );
    returns(
        "return,return\n0.01,0.5\n",
        "r.csv: line 1: the column 'return' is named twice",
    );
    returns("return\n", "r.csv: a header and no rows");
    returns("", "r.csv: empty: expected a header line");
    std::fs::write(&file, "return\n0.01\nNaN\n").expect("write");
    let run = gauntlet(&["stats", "returns", path_str(&file)]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run)
            .contains("r.csv: line 3, column 'return': expected a finite number, got 'NaN'"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn stats_pbo_and_dsr_refuse_what_cannot_be_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let matrix = dir.path().join("m.csv");
    std::fs::write(&matrix, "date,a,b\n2020-01-02,0.01,0.02\n").expect("write");
    stats_refused(
        &["pbo", path_str(&matrix)],
        "m.csv: line 2, column 'date': expected a finite number, got '2020-01-02' (every \
         column is one configuration's returns",
    );
    std::fs::write(&matrix, "a,b\n").expect("write");
    stats_refused(&["pbo", path_str(&matrix)], "m.csv: a header and no rows");
    // An option of another scheme is refused, not ignored.
    stats_refused(
        &[
            "splits",
            "--scheme",
            "rolling",
            "--n",
            "100",
            "--in-sample",
            "10",
            "--out-of-sample",
            "5",
            "--folds",
            "3",
        ],
        "--folds: not an option of --scheme rolling, which takes --in-sample, --out-of-sample, \
         --step",
    );
    let refused = |args: Vec<String>, says: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        stats_refused(&args, says);
    };
    refused(dsr("0.1", "0", "0", "3"), "--trials: expected 1 or more");
    // Pearson: kurtosis >= 1 + skewness^2 for every distribution; 1 + 0.5^2 = 1.25.
    refused(
        dsr("0.1", "10", "-0.5", "1.2"),
        "--kurt: expected at least 1 + skew² = 1.25",
    );
}

#[test]
fn negative_numbers_need_no_equals_sign() {
    // A negative Sharpe ratio and skewness, the everyday case, written as separate words. The
    // DSR of SR = -0.1 against the 10 trials of stats_dsr_matches_scipy (expected maximum
    // 0.0787299150672875): Phi((-0.1 - 0.0787299) sqrt(251) / sqrt(1 - (-0.5)(-0.1) + (3.5 - 1)
    // / 4 * 0.01)), the normal CDF taken with scipy.
    let args = dsr("-0.1", "10", "-0.5", "3.5");
    let json = stats(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // scipy.stats.norm.cdf of z = -2.8956654588720165:
    let expected = 0.0018917775616229915;
    assert!(close_rel(
        value(&json, "/deflated/dsr/value"),
        expected,
        1e-9
    ));
}

#[test]
fn trades_without_their_duration_leave_it_undefined() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("r.csv");
    std::fs::write(&file, "return\n0.01\n-0.02\n0.03\n").expect("write");
    let trades = dir.path().join("t.csv");
    std::fs::write(&trades, "pnl\n5\n-3\n").expect("write");
    let json = stats(&["returns", path_str(&file), "--trades", path_str(&trades)]);
    assert_eq!(json["trades"]["trades"], 2, "{json}");
    assert_eq!(
        json["trades"]["average_bars_held"]["undefined"], "missing_input",
        "{json}"
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    // `gauntlet stats splits ... | head -1`: the pipe closes after the first line.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(root())
        .args([
            "stats",
            "splits",
            "--scheme",
            "rolling",
            "--n",
            "100000",
            "--in-sample",
            "10",
            "--out-of-sample",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gauntlet starts");
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().expect("stdout"), &mut first)
        .expect("a first byte");
    drop(child.stdout.take());
    let run = child.wait_with_output().expect("gauntlet ends");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!err.contains("internal error"), "{err}");
    assert!(err.is_empty(), "{err}");
    // 128 + SIGPIPE, as a shell reports a command a closed pipe ended.
    assert_eq!(run.status.code(), Some(141));
}

#[test]
fn the_table_format_reads_at_six_significant_digits() {
    // The ten periods of stats_returns_by_hand at P = 4: Sharpe 0.004 / sqrt(3.6e-4) * 2 =
    // 0.4216370..., max drawdown 0.03 (JSON keeps every digit of the sums that make them).
    let dir = tempfile::tempdir().expect("tempdir");
    let file = ten_returns(dir.path());
    let run = gauntlet(&[
        "stats",
        "returns",
        path_str(&file),
        "--periods",
        "4",
        "--format",
        "table",
    ]);
    let out = stdout(&run);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        out.starts_with(
            "10 returns; volatility, Sharpe, Sortino and CAGR annualized with 4 periods a year;"
        ),
        "{out}"
    );
    assert!(out.contains("\nperformance.sharpe: 0.421637\n"), "{out}");
    assert!(out.contains("\nperformance.max_drawdown: 0.03\n"), "{out}");
    assert!(
        out.contains("\nperformance.beta: n/a (no_benchmark)\n"),
        "{out}"
    );
    assert!(out.contains("\ntrades: n/a\n"), "{out}");
}
