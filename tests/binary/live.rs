//! Promotion and the live runner end to end: validate → promote → live on paper → audit
//! verify. Parity with the backtest for sma_cross and pairs on the shipped data, every refusal
//! of promote and live with its message, restarts after SIGKILL at arbitrary points, SIGTERM,
//! operator halts, a stalled feed, bad feed lines, and tampered audit logs.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use gauntlet_data::{LoadOptions, Panel, load_bars};
use gauntlet_engine::{EngineConfig, Fill, SimulatedBroker, run_backtest};
use gauntlet_registry::{Approval, Manifest, Record};
use gauntlet_strategies::{Pairs, SmaCross};
use serde_json::Value;

/// A scratch folder of this test binary (Cargo's, kept for the process).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("binary_live")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The folder holding `reports/sma_cross` and `reports/pairs`, validated once with the loose
/// policy, and `reports/strict` holding sma_cross judged by the repository's policy (failed).
fn validated() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("validated");
        let policy = dir.join("loose.toml");
        std::fs::write(&policy, LOOSE).expect("policy");
        let out = dir.join("reports");
        for spec in ["sma_cross", "pairs"] {
            let run = gauntlet(&[
                "validate",
                &format!("strategies/specs/{spec}.toml"),
                "--quiet",
                "--policy",
                s(&policy),
                "--out",
                s(&out),
            ]);
            assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        }
        let run = gauntlet(&[
            "validate",
            "strategies/specs/sma_cross.toml",
            "--quiet",
            "--out",
            s(&dir.join("strict")),
        ]);
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        dir
    })
}

fn report(spec: &str) -> PathBuf {
    validated().join("reports").join(spec).join("report.json")
}

/// A manifest in `dir` approving `specs`.
fn approve(dir: &Path, specs: &[&str]) -> PathBuf {
    let manifest = dir.join("approvals.json");
    for spec in specs {
        let run = promote(&report(spec), &manifest);
        assert!(stdout(&run).contains("approved"), "{}", stdout(&run));
    }
    manifest
}

fn approval(manifest: &Path, name: &str) -> Approval {
    Manifest::open(manifest)
        .expect("manifest")
        .active(Some(name))
        .expect("approved")
        .1
        .clone()
}

fn live(manifest: &Path, dir: &Path, feed: &str, extra: &[&str]) -> std::process::Output {
    let (state, audit) = (dir.join("state"), dir.join("audit.jsonl"));
    let mut args = vec![
        "live",
        "--approvals",
        s(manifest),
        "--feed",
        feed,
        "--state",
        s(&state),
        "--audit",
        s(&audit),
    ];
    args.extend_from_slice(extra);
    gauntlet(&args)
}

/// `gauntlet audit verify` on the log of a run in `dir`, with its state: must pass.
fn verify_audit(dir: &Path) {
    let verify = gauntlet(&[
        "audit",
        "verify",
        s(&dir.join("audit.jsonl")),
        "--state",
        s(&dir.join("state")),
    ]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    assert!(stdout(&verify).contains("hash chain intact"));
}

fn entries(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .expect("audit log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn events<'a>(entries: &'a [Value], event: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["event"] == event).collect()
}

/// (bar time, symbol, side, quantity, price, fee) of every fill in the log.
fn logged_fills(entries: &[Value]) -> Vec<(i64, String, String, f64, f64, f64)> {
    events(entries, "fill")
        .iter()
        .map(|e| {
            let p = &e["payload"];
            (
                e["ts"].as_i64().expect("ts"),
                p["symbol"].as_str().expect("symbol").to_string(),
                p["side"].as_str().expect("side").to_string(),
                p["quantity"].as_f64().expect("quantity"),
                p["price"].as_f64().expect("price"),
                p["fee"].as_f64().expect("fee"),
            )
        })
        .collect()
}

fn backtest_fills(fills: &[Fill], symbols: &[&str]) -> Vec<(i64, String, String, f64, f64, f64)> {
    fills
        .iter()
        .map(|f| {
            let side = serde_json::to_value(f.side).expect("side");
            (
                f.ts,
                symbols[f.symbol].to_string(),
                side.as_str().expect("side").to_string(),
                f.quantity,
                f.price,
                f.fee,
            )
        })
        .collect()
}

fn shipped(name: &str) -> gauntlet_data::BarSeries {
    load_bars(&root().join("data").join(name), &LoadOptions::default()).expect("shipped data")
}

fn broker(a: &Approval) -> SimulatedBroker {
    SimulatedBroker {
        costs: a.costs,
        fractional: !a.whole_shares,
    }
}

fn engine_config(a: &Approval) -> EngineConfig {
    EngineConfig {
        initial_capital: a.capital,
        trade_from: 0,
    }
}

#[test]
fn sma_cross_live_on_paper_makes_exactly_the_backtests_fills() {
    let dir = scratch("parity_sma");
    let manifest = approve(&dir, &["sma_cross"]);
    let a = approval(&manifest, "sma_cross");
    let run = live(
        &manifest,
        &dir,
        "data/sp500_daily.csv",
        &["--durability", "batch"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let params = a.params().expect("params");
    let backtest = run_backtest(
        &Panel::single(shipped("sp500_daily.csv")),
        SmaCross::from_params(&params).expect("strategy"),
        broker(&a),
        a.risk_config().expect("risk"),
        engine_config(&a),
    );
    let log = entries(&dir);
    let live = logged_fills(&log);
    assert!(live.len() > 50, "{} fills", live.len());
    assert_eq!(live, backtest_fills(&backtest.fills, &["sp500_daily"]));
    // Every decision is in the log: each fill's order was logged before it, after the intent
    // and the risk decision that led to it.
    assert_eq!(events(&log, "order").len(), backtest.orders.len());
    assert_eq!(events(&log, "bar").len(), 5031);
    assert!(
        events(&log, "risk")
            .iter()
            .all(|e| e["payload"]["decision"] != "rejected"),
        "no limit refuses anything under the unlimited profile"
    );

    verify_audit(&dir);
}

#[test]
fn pairs_live_on_paper_makes_exactly_the_backtests_fills() {
    let dir = scratch("parity_pairs");
    let manifest = approve(&dir, &["pairs"]);
    let a = approval(&manifest, "pairs");
    let (x, y) = (shipped("sp500_daily.csv"), shipped("nasdaq_daily.csv"));
    // One feed with both symbols, a line each per date.
    let feed = dir.join("pair.csv");
    let mut text = String::from("ts,open,high,low,close,volume,symbol\n");
    for t in 0..x.len() {
        for (series, name) in [(&x, "sp500_daily"), (&y, "nasdaq_daily")] {
            let b = series.bar(t);
            text.push_str(&format!(
                "{},{},{},{},{},{},{name}\n",
                b.ts, b.open, b.high, b.low, b.close, b.volume
            ));
        }
    }
    // Timestamps in ms are not a format the feed reads: write them as ISO times.
    let text = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return line.to_string();
            }
            let (ts, rest) = line.split_once(',').expect("fields");
            let ms: i64 = ts.parse().expect("ms");
            let date = chrono::DateTime::from_timestamp_millis(ms).expect("time");
            format!("{},{rest}", date.format("%Y-%m-%dT%H:%M:%SZ"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&feed, text + "\n").expect("feed");
    let run = live(&manifest, &dir, s(&feed), &["--durability", "batch"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let backtest = run_backtest(
        &Panel::align(vec![x, y]).expect("same dates"),
        Pairs::from_params(&a.params().expect("params")).expect("strategy"),
        broker(&a),
        a.risk_config().expect("risk"),
        engine_config(&a),
    );
    let live = logged_fills(&entries(&dir));
    assert!(
        live.iter().any(|f| f.1 == "nasdaq_daily"),
        "both legs trade"
    );
    assert_eq!(
        live,
        backtest_fills(&backtest.fills, &["sp500_daily", "nasdaq_daily"])
    );
}

#[test]
fn promote_refuses_a_failed_gate_an_edited_report_and_other_code() {
    let dir = scratch("promote_refusals");
    let manifest = dir.join("approvals.json");
    let promote = |report: &Path| {
        gauntlet(&[
            "promote",
            s(report),
            "--approvals",
            s(&manifest),
            "--by",
            "bob",
        ])
    };
    let strict = validated().join("strict/sma_cross/report.json");
    let run = promote(&strict);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("not approved: the report's gate did not pass (failed: oos_sharpe"),
        "{}",
        stderr(&run)
    );

    let text = std::fs::read_to_string(report("sma_cross")).expect("report");
    let mut doc: Value = serde_json::from_str(&text).expect("JSON");
    let edited = dir.join("edited.json");
    let mut changed = doc.clone();
    changed["spec"]["capital"] = Value::from(1e9);
    std::fs::write(&edited, serde_json::to_string(&changed).expect("JSON")).expect("write");
    let run = promote(&edited);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("does not match its content_sha256"),
        "{}",
        stderr(&run)
    );

    // Another build's code or rule: the content hash is recomputed so that only the check
    // of the code can refuse it.
    let rehashed = |mut doc: Value| {
        let hash = gauntlet_report::sha256_hex(&gauntlet_report::canonical_json(
            &doc,
            Some("content_sha256"),
        ));
        doc["content_sha256"] = Value::from(hash);
        let path = dir.join("other_build.json");
        std::fs::write(&path, serde_json::to_string(&doc).expect("JSON")).expect("write");
        path
    };
    let mut old_rule = doc.clone();
    old_rule["strategy"]["version"] = Value::from("0.9.0");
    let run = promote(&rehashed(old_rule));
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("'sma_cross' was validated at rule version 0.9.0, this binary has"),
        "{}",
        stderr(&run)
    );
    doc["strategy"]["fingerprint"] = Value::from("0".repeat(64));
    let run = promote(&rehashed(doc));
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("differs from the code that was validated (fingerprint 0000"),
        "{}",
        stderr(&run)
    );
    assert!(!manifest.exists(), "nothing refused is written");
}

#[test]
fn live_refuses_what_the_approval_does_not_allow() {
    let dir = scratch("live_refusals");
    let manifest = approve(&dir, &["sma_cross"]);
    let a = approval(&manifest, "sma_cross");
    let refused = |manifest: &Path, extra: &[&str], expected: &str| {
        let run = live(manifest, &dir, "data/sp500_daily.csv", extra);
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        assert!(
            stderr(&run).contains(expected),
            "expected {expected:?} in: {}",
            stderr(&run)
        );
    };
    refused(
        &manifest,
        &["--strategy", "vwap"],
        "'vwap' is not approved (approved: sma_cross)",
    );
    let fast = a.parameters["fast"].as_i64().expect("fast");
    refused(
        &manifest,
        &["--param", &format!("fast={}", fast + 5)],
        &format!(
            "parameter fast={} differs from the approved fast={fast}",
            fast + 5
        ),
    );
    refused(
        &manifest,
        &["--risk", "strategies/risk/conservative.toml"],
        "differs from the approved",
    );

    // An approval of other code (written through the library, so the chain is intact).
    let forged_path = dir.join("other_code.json");
    let mut forged = Manifest::open(&forged_path).expect("new manifest");
    let mut other = a.clone();
    other.strategy.fingerprint = "f".repeat(64);
    forged
        .append(Record::Approval(Box::new(other)))
        .expect("append");
    refused(&forged_path, &[], "fingerprint: code fingerprint ffff");

    let run = gauntlet(&[
        "approvals",
        "revoke",
        s(&manifest),
        "1",
        "--by",
        "carol",
        "--reason",
        "drawdown",
        "--at",
        "2026-11-22T00:00:00Z",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    refused(
        &manifest,
        &["--strategy", "sma_cross"],
        "'sma_cross' is not approved: its approval 1 was revoked by carol",
    );
    refused(
        &manifest,
        &[],
        "the last approval, 1 of 'sma_cross', was revoked by carol at 2026-11-22T00:00:00Z: drawdown",
    );
    assert!(
        !dir.join("audit.jsonl").exists(),
        "a refused run writes nothing"
    );
}

#[test]
fn a_state_folder_serves_the_approval_that_made_it_only() {
    let dir = scratch("other_state");
    let manifest = approve(&dir, &["sma_cross", "pairs"]);
    let head = dir.join("head.csv");
    let data = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
    std::fs::write(
        &head,
        data.lines().take(300).collect::<Vec<_>>().join("\n") + "\n",
    )
    .expect("write");
    let run = live(&manifest, &dir, s(&head), &["--strategy", "sma_cross"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let run = live(&manifest, &dir, s(&head), &["--strategy", "pairs"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("this state belongs to approval 1, not to approval 2"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn approvals_list_show_and_verify_and_a_hand_edit_is_caught() {
    let dir = scratch("approvals");
    let manifest = approve(&dir, &["sma_cross", "pairs"]);
    let list = gauntlet(&["approvals", "list", s(&manifest)]);
    assert!(
        stdout(&list).contains("sma_cross 1.0.0"),
        "{}",
        stdout(&list)
    );
    assert!(stdout(&list).contains("pairs"), "{}", stdout(&list));
    let show = gauntlet(&["approvals", "show", s(&manifest), "pairs"]);
    assert!(stdout(&show).contains("\"risk\""), "{}", stdout(&show));
    let verify = gauntlet(&["approvals", "verify", s(&manifest)]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("approval 2 (pairs"),
        "{}",
        stdout(&verify)
    );

    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, text.replacen("\"alice\"", "\"mallory\"", 1)).expect("edit");
    let verify = gauntlet(&["approvals", "verify", s(&manifest)]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stderr(&verify).contains("entry 1 (seq 1) was edited"),
        "{}",
        stderr(&verify)
    );
}

/// The fills of a run that was killed (SIGKILL) at arbitrary points and restarted each time
/// on the same state equal the fills of a run never interrupted.
#[test]
fn a_run_killed_and_restarted_makes_the_fills_of_an_uninterrupted_run() {
    let dir = scratch("killed");
    let manifest = approve(&dir, &["sma_cross"]);
    let feed = dir.join("synth.csv");
    let synth = gauntlet(&[
        "synth",
        "--bars",
        "40000",
        "--seed",
        "11",
        "--interval",
        "minute",
        "--out",
        s(&feed),
    ]);
    assert_eq!(synth.status.code(), Some(0), "{}", stderr(&synth));
    let whole = dir.join("whole");
    std::fs::create_dir_all(&whole).expect("dir");
    let run = live(&manifest, &whole, s(&feed), &["--durability", "batch"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let killed = dir.join("killed");
    std::fs::create_dir_all(&killed).expect("dir");
    let args = |d: &Path| {
        vec![
            "live".to_string(),
            "--approvals".into(),
            s(&manifest).into(),
            "--feed".into(),
            s(&feed).into(),
            "--state".into(),
            s(&d.join("state")).into(),
            "--audit".into(),
            s(&d.join("audit.jsonl")).into(),
            "--durability".into(),
            "batch".into(),
            "--checkpoint-every".into(),
            "700".into(),
        ]
    };
    // Kill points spread over the run (a debug build steps some 20 000 bars a second).
    for millis in [150, 420, 260, 610, 330, 90, 500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
            .args(args(&killed))
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(millis));
        let _ = child.kill();
        let _ = child.wait();
    }
    let last = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(args(&killed))
        .current_dir(root())
        .output()
        .expect("run");
    assert_eq!(last.status.code(), Some(0), "{}", stderr(&last));
    let (a, b) = (entries(&whole), entries(&killed));
    assert!(logged_fills(&a).len() > 500);
    assert_eq!(logged_fills(&b), logged_fills(&a));
    let ids = |e: &[Value]| -> Vec<u64> {
        events(e, "order")
            .iter()
            .map(|o| o["payload"]["id"].as_u64().expect("id"))
            .collect()
    };
    assert_eq!(ids(&b), ids(&a), "no order duplicated or lost");
    verify_audit(&killed);
}

/// A paced run on the shipped file: halted and resumed by the operator, then stopped by
/// SIGTERM, which it obeys within 2 seconds with exit 0, its waiting orders cancelled and its
/// state checkpointed.
#[test]
fn operator_halt_resume_and_sigterm() {
    let dir = scratch("operator");
    let manifest = approve(&dir, &["sma_cross"]);
    let state = dir.join("state");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "live",
            "--approvals",
            s(&manifest),
            "--feed",
            "data/sp500_daily.csv",
            "--state",
            s(&state),
            "--audit",
            s(&dir.join("audit.jsonl")),
            // 400 daily bars a second: the file would take some 13 seconds.
            "--speed",
            "34560000",
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(700));
    let halt = gauntlet(&["live", "halt", "--state", s(&state), "--reason", "news"]);
    assert_eq!(halt.status.code(), Some(0), "{}", stderr(&halt));
    std::thread::sleep(Duration::from_millis(1500));
    let resume = gauntlet(&["live", "resume", "--state", s(&state)]);
    assert_eq!(resume.status.code(), Some(0), "{}", stderr(&resume));
    std::thread::sleep(Duration::from_millis(600));
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("wait");
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut err);
    }
    assert_eq!(status.code(), Some(0), "{err}");

    let log = entries(&dir);
    let halts = events(&log, "halt");
    assert_eq!(halts.len(), 1, "{halts:?}");
    assert_eq!(halts[0]["payload"]["reason"]["cause"], "operator");
    assert_eq!(halts[0]["payload"]["why"], "news");
    let halted_at = halts[0]["seq"].as_u64().expect("seq");
    let resumed = events(&log, "resume");
    assert_eq!(resumed.len(), 1);
    let resumed_at = resumed[0]["seq"].as_u64().expect("seq");
    // While halted no entry is ordered and entries are refused; after the resume they pass.
    let between = |e: &Value| {
        let seq = e["seq"].as_u64().expect("seq");
        seq > halted_at && seq < resumed_at
    };
    let is_entry = |e: &Value| e["payload"]["purpose"] == "entry";
    assert!(
        !events(&log, "order")
            .iter()
            .any(|e| between(e) && is_entry(e))
    );
    assert!(
        events(&log, "risk")
            .iter()
            .any(|e| between(e) && e["payload"]["reason"] == "halted: no new risk"),
        "an entry came up while halted and was refused"
    );
    assert!(
        events(&log, "order")
            .iter()
            .any(|e| e["seq"].as_u64() > Some(resumed_at) && is_entry(e))
    );
    let shutdown = events(&log, "shutdown");
    assert_eq!(shutdown.len(), 1);
    assert_eq!(shutdown[0]["payload"]["reason"], "signal");
    assert!(state.join("checkpoint.cbor").exists());
    assert!(state.join("status.json").exists());
}

#[test]
fn a_stalled_feed_and_bad_lines_halt_new_risk() {
    let dir = scratch("stall");
    let manifest = approve(&dir, &["sma_cross"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "live",
            "--approvals",
            s(&manifest),
            "--feed",
            "-",
            "--state",
            s(&dir.join("state")),
            "--audit",
            s(&dir.join("audit.jsonl")),
            "--stall-after",
            "0.3",
            "--max-rejections",
            "3",
        ])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        let bars = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
        let mut lines = bars.lines();
        for line in lines.by_ref().take(4) {
            writeln!(stdin, "{line}").expect("write");
        }
        stdin.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(900));
        // An old bar, then three malformed lines in a row.
        writeln!(stdin, "1999-01-04,1,1,1,1,1").expect("write");
        writeln!(stdin, "1999-01-09,2,1,3,2,1").expect("write");
        writeln!(stdin, "not,a,bar").expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = entries(&dir);
    let causes: Vec<&Value> = events(&log, "halt")
        .iter()
        .map(|h| &h["payload"]["reason"]["cause"])
        .collect();
    assert_eq!(causes, ["feed_stalled"], "halted once; a second halt waits");
    let rejected: Vec<String> = events(&log, "bar_rejected")
        .iter()
        .map(|e| e["payload"]["reason"].as_str().expect("reason").to_string())
        .collect();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert!(
        rejected[0].contains("is not after the last bar"),
        "{rejected:?}"
    );
    assert!(
        rejected[1].contains("high 1 is below low 3"),
        "{rejected:?}"
    );
    assert!(
        rejected[2].contains("expected 6 comma-separated fields"),
        "{rejected:?}"
    );
    assert_eq!(events(&log, "bar").len(), 3);
}

#[test]
fn audit_verify_names_the_edit_and_the_cut_off_tail() {
    let dir = scratch("tamper");
    let manifest = approve(&dir, &["sma_cross"]);
    let run = live(
        &manifest,
        &dir,
        "data/sp500_daily.csv",
        &["--durability", "batch"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let path = dir.join("audit.jsonl");
    let original = std::fs::read_to_string(&path).expect("log");
    let lines: Vec<&str> = original.lines().collect();
    let verify = |state: bool| {
        let mut args = vec!["audit", "verify", s(&path)];
        let state_dir = dir.join("state");
        if state {
            args.extend(["--state", s(&state_dir)]);
        }
        gauntlet(&args)
    };

    let fill = lines
        .iter()
        .position(|l| l.contains("\"event\":\"fill\""))
        .expect("a fill");
    let mut edited = lines.clone();
    let changed = edited[fill].replacen("\"price\":", "\"price\":1", 1);
    edited[fill] = &changed;
    std::fs::write(&path, edited.join("\n") + "\n").expect("write");
    let run = verify(false);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains(&format!("entry {} (seq {}) was edited", fill + 1, fill + 1)),
        "{}",
        stderr(&run)
    );

    std::fs::write(&path, lines[..lines.len() - 5].join("\n") + "\n").expect("write");
    assert_eq!(
        verify(false).status.code(),
        Some(0),
        "a cut tail keeps a valid chain"
    );
    let run = verify(true);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("5 entries were cut off the end"),
        "{}",
        stderr(&run)
    );
    std::fs::write(&path, &original).expect("restore");
    assert_eq!(verify(true).status.code(), Some(0));
}
