//! `gauntlet backtest` against three other engines on the same data.
//!
//! `tests/reference/sma_cross_sp500/` was computed by backtesting.py 0.6.6, vectorbt 1.0.0 and
//! backtrader 1.9.78.123 (they agree on every trade); see its README for the conventions. With
//! no options, `gauntlet backtest` runs that very case: sma_cross 10/30, long-only, next-open
//! fills, all cash in, fractional shares, 100,000 of capital.

mod common;

use common::*;

fn check_against_reference(
    extra: &[&str],
    variant: &str,
    final_equity: f64,
    sharpe: f64,
    mdd: f64,
) {
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().join("run");
    let out_str = out_dir.to_str().expect("utf-8 path");
    let mut args = vec!["backtest", "--out", out_str];
    args.extend_from_slice(extra);
    let run = gauntlet(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains(&format!("final equity  {final_equity:.6}")),
        "{}",
        stdout(&run)
    );

    let reference = root().join("tests/reference/sma_cross_sp500");
    let expected = read_csv(&reference.join(format!("trades_{variant}.csv")));
    let got = read_csv(&out_dir.join("trades.csv"));
    assert_eq!(got.len(), 88);
    assert_eq!(expected.len(), 88);
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g["entry_ts"], e["entry_ts"], "trade {i}");
        assert_eq!(g["exit_ts"], e["exit_ts"], "trade {i}");
        for (ours, theirs) in [("entry_price", "entry_price"), ("exit_price", "exit_price")] {
            assert!(
                close_rel(num(g, ours), num(e, theirs), 1e-9),
                "trade {i} {ours}: {} vs {}",
                g[ours],
                e[theirs]
            );
        }
        // The reference prints sizes and returns to 10 significant digits.
        assert!(
            close_rel(num(g, "quantity"), num(e, "size"), 1e-8),
            "trade {i} size"
        );
        assert!(
            (num(g, "return_pct") - num(e, "return_pct")).abs() < 1e-8,
            "trade {i} return"
        );
    }

    // Equity at every close: the reference prints four decimals.
    let expected = read_csv(&reference.join(format!("equity_{variant}.csv")));
    let got = read_csv(&out_dir.join("equity.csv"));
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g["ts"], e["ts"]);
        assert!(
            (num(g, "equity") - num(e, "equity")).abs() < 1e-3,
            "{} equity",
            g["ts"]
        );
    }

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).expect("report.json"))
            .expect("valid JSON");
    let summary = &report["summary"];
    let value = |k: &str| summary[k].as_f64().unwrap_or(f64::NAN);
    assert!(close_rel(value("final_equity"), final_equity, 1e-6));
    assert_eq!(summary["trades"], 88);
    assert_eq!(summary["wins"], 37);
    // The README's table: Sharpe (daily, sqrt 252, ddof 1) and max drawdown, six decimals.
    assert!(
        (value("sharpe") - sharpe).abs() < 5e-7,
        "sharpe {}",
        value("sharpe")
    );
    assert!(
        (value("max_drawdown") - mdd).abs() < 5e-7,
        "mdd {}",
        value("max_drawdown")
    );
    assert_eq!(
        report["data"][0]["fingerprint"].as_str().map(str::len),
        Some(64)
    );
}

#[test]
fn reproduces_the_reference_without_fees() {
    check_against_reference(&[], "nocomm", 156_516.787069, 0.260059, 0.315623);
}

#[test]
fn reproduces_the_reference_at_10_bps_per_side() {
    check_against_reference(
        &["--commission-bps", "10"],
        "comm10bps",
        131_257.784629,
        0.179392,
        0.338501,
    );
}

#[test]
fn the_report_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for out in [&a, &b] {
        let run = gauntlet(&["backtest", "--out", out.to_str().expect("utf-8")]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    for file in ["report.json", "trades.csv", "equity.csv", "orders.csv"] {
        assert_eq!(
            std::fs::read(a.join(file)).expect("a"),
            std::fs::read(b.join(file)).expect("b"),
            "{file} differs between two identical runs"
        );
    }
}
