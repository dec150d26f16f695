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
fn strategies_lists_parameters_and_warmup() {
    let run = gauntlet(&["strategies"]);
    assert!(run.status.success());
    let text = stdout(&run);
    assert!(text.contains("sma_cross"));
    // slow = 30 at the defaults: the first cross can be seen at bar 30.
    assert!(text.contains("warm-up 30 bars at the defaults"), "{text}");
    assert!(
        text.contains("default 10; an integer in 2..=200 (grid step 5)"),
        "{text}"
    );
    let run = gauntlet(&["strategies", "sma_cross"]);
    assert!(run.status.success());
    let text = stdout(&run)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("crosses strictly above the slow one"),
        "{text}"
    );
    let listing = stdout(&gauntlet(&["strategies"]));
    for info in gauntlet_strategies::CATALOG {
        assert!(listing.contains(info.name), "{} not listed", info.name);
    }
    assert!(listing.contains("claimed win rate 85-86%"), "{listing}");
    assert!(
        listing.contains("trades 2 symbols: the first 2 --data files, in order"),
        "{listing}"
    );
    let run = gauntlet(&["strategies", "pairs"]);
    assert!(stdout(&run).contains("Neutrality."), "{}", stdout(&run));
    let run = gauntlet(&["strategies", "nope"]);
    assert_eq!(run.status.code(), Some(2));
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

/// Every strategy of the catalog with its defaults on the shipped data (pairs on the S&P 500
/// and the Nasdaq, its default files) trades.
#[test]
fn every_strategy_trades_on_the_shipped_data_with_its_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in gauntlet_strategies::CATALOG.iter().map(|info| info.name) {
        let out = dir.path().join(name);
        let run = gauntlet(&[
            "backtest",
            "--strategy",
            name,
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(run.status.success(), "{name}: {}", stderr(&run));
        let trades = read_csv(&out.join("trades.csv"));
        assert!(!trades.is_empty(), "{name} made no trade");
        let symbols: std::collections::BTreeSet<&str> =
            trades.iter().map(|t| t["symbol"].as_str()).collect();
        if name == "pairs" {
            assert_eq!(
                symbols.into_iter().collect::<Vec<_>>(),
                ["nasdaq_daily", "sp500_daily"]
            );
            assert!(trades.iter().any(|t| t["side"] == "short"));
        } else {
            assert_eq!(symbols.into_iter().collect::<Vec<_>>(), ["sp500_daily"]);
        }
    }
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

#[test]
fn long_short_reverses_at_every_cross() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long_only = dir.path().join("long");
    let both = dir.path().join("both");
    let run = gauntlet(&["backtest", "--out", long_only.to_str().expect("utf-8")]);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = gauntlet(&[
        "backtest",
        "--param",
        "long_short=true",
        "--out",
        both.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let longs = read_csv(&long_only.join("trades.csv"));
    let all = read_csv(&both.join("trades.csv"));
    // Always in the market after the first cross: each trade exits where the next one enters,
    // and sides alternate.
    for pair in all.windows(2) {
        assert_eq!(pair[0]["exit_ts"], pair[1]["entry_ts"]);
        assert_ne!(pair[0]["side"], pair[1]["side"]);
    }
    // The long legs are the long-only run's trades, date for date.
    let long_legs: Vec<_> = all.iter().filter(|t| t["side"] == "long").collect();
    assert_eq!(long_legs.len(), longs.len());
    for (a, b) in long_legs.iter().zip(&longs) {
        assert_eq!(
            (&a["entry_ts"], &a["exit_ts"]),
            (&b["entry_ts"], &b["exit_ts"])
        );
    }
    assert!(all.iter().any(|t| t["side"] == "short"));
}

#[test]
fn lookahead_passes_sma_cross_on_the_shipped_data() {
    let run = gauntlet(&["lookahead"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("ok   sma_cross fast=10 slow=30 long_short=false"),
        "{}",
        stdout(&run)
    );
    let run = gauntlet(&["lookahead", "--param", "long_short=true", "--cuts", "40"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("each of 40 cuts"), "{}", stdout(&run));
    let run = gauntlet(&["lookahead", "--param", "fast=0"]);
    assert_eq!(run.status.code(), Some(2));

    // More cuts than bars: every bar but the last is a cut (bars 0 ..= 198 of 200), and said so.
    let dir = tempfile::tempdir().expect("tempdir");
    let short = dir.path().join("short.csv");
    let shipped = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
    let head: Vec<&str> = shipped.lines().take(201).collect();
    std::fs::write(&short, head.join("\n") + "\n").expect("write");
    let run = gauntlet(&[
        "lookahead",
        "--data",
        short.to_str().expect("utf-8"),
        "--cuts",
        "1000",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("--cuts 1000: the 200 bars allow 199 distinct cuts"),
        "{}",
        stderr(&run)
    );
    assert!(
        stdout(&run).contains("each of 199 cuts"),
        "{}",
        stdout(&run)
    );
}
