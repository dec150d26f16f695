//! What `gauntlet validate` writes and what CI reads from it, end to end: every output file,
//! the Parquet tables rebuilding the report's headline numbers, the self-contained HTML page,
//! JUnit parsed back, GitHub annotations, and `gauntlet gate` re-applying policies to a report
//! (an edited report, an unknown schema version and a bad policy are errors, exit 2).

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use polars::prelude::*;
use serde_json::Value;

/// The shipped sma_cross spec validated once for all the tests of this file: its output folder
/// (kept for the process) and standard output.
fn validated() -> &'static (PathBuf, String) {
    static RUN: OnceLock<(PathBuf, String)> = OnceLock::new();
    RUN.get_or_init(|| {
        // Cargo's scratch folder for integration tests: kept for the process, replaced on
        // the next run, never left in /tmp.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary_report");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let junit = dir.join("junit.xml");
        let run = gauntlet(&[
            "validate",
            SPEC,
            "--quiet",
            "--threads",
            "2",
            "--out",
            dir.to_str().expect("utf-8"),
            "--junit",
            junit.to_str().expect("utf-8"),
        ]);
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        (dir, stdout(&run))
    })
}

fn out() -> PathBuf {
    validated().0.join("sma_cross")
}

fn report() -> Value {
    let bytes = std::fs::read(out().join("report.json")).expect("report.json");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn parquet(name: &str) -> DataFrame {
    let path = out().join(format!("{name}.parquet"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(file).finish().expect("parquet")
}

fn column(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .cast(&DataType::Float64)
        .expect("numeric")
        .f64()
        .expect("f64")
        .iter()
        .collect()
}

fn value(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn every_output_is_written() {
    for name in [
        "report.json",
        "run.json",
        "report.md",
        "report.html",
        "trades.parquet",
        "equity.parquet",
        "folds.parquet",
        "trials.parquet",
    ] {
        assert!(out().join(name).is_file(), "{name} missing");
    }
    let run: Value =
        serde_json::from_slice(&std::fs::read(out().join("run.json")).expect("run.json"))
            .expect("JSON");
    assert_eq!(run["threads"], 2);
    assert!(run["duration_seconds"].as_f64().is_some_and(|d| d > 0.0));
    assert!(run["started"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(run["tool_version"], env!("CARGO_PKG_VERSION"));
    // Nothing of the clock in report.json.
    let text = std::fs::read_to_string(out().join("report.json")).expect("report.json");
    assert!(!text.contains("started") && !text.contains("duration"));
}

#[test]
fn the_tables_rebuild_the_headline_numbers() {
    let r = report();
    let oos = &r["validation"]["out_of_sample"];
    let capital = value(&r["spec"]["capital"]);

    // Equity: compounding the table's returns from the capital gives its equity column, whose
    // end is the report's total return and whose deepest fall from a peak is its drawdown.
    let equity = parquet("equity");
    let returns = column(&equity, "return");
    let curve = column(&equity, "equity");
    let drawdown = column(&equity, "drawdown");
    assert_eq!(
        equity.height() as u64,
        oos["performance"]["periods"].as_u64().expect("periods")
    );
    let mut e = capital;
    let mut peak = capital;
    let mut deepest: f64 = 0.0;
    for ((r, c), d) in returns.iter().zip(&curve).zip(&drawdown) {
        e *= 1.0 + r.expect("return");
        assert!(close_rel(e, c.expect("equity"), 1e-12));
        peak = peak.max(e);
        deepest = deepest.max(1.0 - e / peak);
        assert!((d.expect("drawdown") - (1.0 - e / peak)).abs() < 1e-12);
    }
    assert!(close_rel(
        e / capital - 1.0,
        value(&oos["performance"]["total_return"]),
        1e-9
    ));
    assert!(close_rel(
        deepest,
        value(&oos["performance"]["max_drawdown"]),
        1e-9
    ));
    // The Sharpe ratio from the table's returns, by the textbook formula at 252 bars a year.
    let xs: Vec<f64> = returns.iter().map(|r| r.expect("return")).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let sharpe = mean / var.sqrt() * 252f64.sqrt();
    assert!(close_rel(
        sharpe,
        value(&oos["performance"]["sharpe"]["value"]),
        1e-9
    ));

    // Trades: count and win rate.
    let trades = parquet("trades");
    assert_eq!(
        trades.height() as u64,
        oos["trades"]["trades"].as_u64().expect("trades")
    );
    let wins = column(&trades, "pnl")
        .iter()
        .filter(|p| p.expect("pnl") > 0.0)
        .count();
    assert_eq!(wins as u64, oos["trades"]["wins"].as_u64().expect("wins"));

    // Trades the end of a test window closed: those exiting on a window's last day at that
    // day's close (slippage aside), found from the tables and the shipped closes alone.
    let text_of = |frame: &DataFrame, name: &str| -> Vec<String> {
        frame
            .column(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .cast(&DataType::String)
            .expect("as text")
            .str()
            .expect("text")
            .iter()
            .map(|v| v.expect("a value")[..10].to_string())
            .collect()
    };
    let last_days: std::collections::BTreeSet<String> = text_of(&parquet("folds"), "test_last")
        .into_iter()
        .collect();
    let shipped = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
    let close_on: std::collections::BTreeMap<&str, f64> = shipped
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[4].parse().expect("close"))
        })
        .collect();
    let (mut forced, mut own, mut own_wins) = (0u64, 0u64, 0u64);
    for ((day, price), pnl) in text_of(&trades, "exit_time")
        .iter()
        .zip(column(&trades, "exit_price"))
        .zip(column(&trades, "pnl"))
    {
        let at_close = (price.expect("price") / close_on[day.as_str()] - 1.0).abs() < 0.003;
        if last_days.contains(day) && at_close {
            forced += 1;
        } else {
            own += 1;
            own_wins += u64::from(pnl.expect("pnl") > 0.0);
        }
    }
    assert!(
        forced > 0,
        "the shipped spec holds positions over window ends"
    );
    assert_eq!(oos["closed_at_window_end"].as_u64(), Some(forced));
    let by_strategy = &oos["trades_closed_by_strategy"];
    assert_eq!(by_strategy["trades"].as_u64(), Some(own));
    assert_eq!(by_strategy["wins"].as_u64(), Some(own_wins));

    // Folds and trials: one row per fold, one per set per fold, one chosen set per fold.
    let folds = parquet("folds");
    let n_folds = r["validation"]["folds"].as_array().expect("folds").len();
    assert_eq!(folds.height(), n_folds);
    for (i, s) in column(&folds, "oos_sharpe").iter().enumerate() {
        let recorded = r["validation"]["folds"][i]["out_of_sample"]["sharpe"]["value"].as_f64();
        assert_eq!(*s, recorded, "fold {i}");
    }
    let trials = parquet("trials");
    let sets = r["validation"]["grid"]["sets"].as_u64().expect("sets") as usize;
    assert_eq!(trials.height(), n_folds * sets);
    let chosen = trials
        .column("chosen")
        .expect("chosen")
        .bool()
        .expect("bool")
        .iter()
        .filter(|c| *c == Some(true))
        .count();
    assert_eq!(chosen, n_folds);
    for name in ["fast", "slow", "in_sample_sharpe", "oos_sharpe"] {
        assert!(trials.column(name).is_ok(), "trials has no {name}");
    }
}

#[test]
fn the_gate_checks_the_reported_numbers_and_explains_them() {
    let r = report();
    let checks = r["gate"]["checks"].as_array().expect("checks");
    let check = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} check"))
    };
    let oos = &r["validation"]["out_of_sample"];
    assert_eq!(check("oos_sharpe")["value"], oos["performance"]["sharpe"]);
    assert_eq!(
        check("max_drawdown")["value"]["value"],
        oos["performance"]["max_drawdown"]
    );
    assert_eq!(check("dsr")["value"], oos["deflated"]["dsr"]);
    assert_eq!(check("pbo")["value"], r["validation"]["pbo"]["pbo"]);
    // The shipped sma_cross spec: Sharpe 0.47, drawdown 18.1%: both fail the desk's policy.
    assert_eq!(check("oos_sharpe")["pass"], false);
    assert_eq!(
        check("max_drawdown")["explanation"],
        "out-of-sample max drawdown 18.1% not below 15.0%"
    );
    assert_eq!(r["gate"]["pass"], false);
    assert_eq!(
        r["gate"]["policy_sources"],
        serde_json::json!(["desk defaults (built in)", "strategies/gate.toml"])
    );
    // The verdict line names every failed check with its words.
    let line = validated()
        .1
        .lines()
        .find(|l| l.starts_with("FAIL sma_cross: "))
        .expect("a verdict line");
    for c in checks.iter().filter(|c| c["pass"] == false) {
        assert!(
            line.contains(c["explanation"].as_str().expect("text")),
            "{line}"
        );
    }
}

#[test]
fn the_shipped_policy_file_is_the_desks_policy() {
    // strategies/gate.toml must say what the built-in defaults say, so that a checkout and a
    // binary run from elsewhere judge alike.
    let r = report();
    assert_eq!(
        r["gate"]["policy"],
        serde_json::json!({
            "min_oos_sharpe": 1.0,
            "max_drawdown": 0.15,
            "win_rate_tolerance": 0.05,
            "min_trades": 30,
            "min_dsr": 0.95,
            "max_pbo": 0.5,
            "require_lookahead_pass": true
        })
    );
}

#[test]
fn junit_parses_back_with_one_failure_per_failed_check() {
    let xml = std::fs::read_to_string(validated().0.join("junit.xml")).expect("junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("1"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("sma_cross"));
    let failures: Vec<_> = cases[0]
        .children()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    let r = report();
    let failed: Vec<&Value> = r["gate"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["pass"] == false)
        .collect();
    assert_eq!(failures.len(), failed.len());
    for (f, c) in failures.iter().zip(&failed) {
        assert_eq!(f.attribute("type"), c["name"].as_str());
        let text = f.text().expect("failure text");
        assert!(
            text.contains(&format!("{}", value(&c["threshold"]))),
            "{text}"
        );
        assert!(
            text.contains(&format!("{}", value(&c["value"]["value"]))),
            "{text}"
        );
    }
}

#[test]
fn the_html_page_is_self_contained_and_has_every_chart() {
    let html = std::fs::read_to_string(out().join("report.html")).expect("report.html");
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("<link"), "no external style sheets");
    for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(attr), "fetches something: {attr}");
    }
    assert_eq!(html.matches("<svg").count(), 6, "six charts");
    for title in [
        "Out-of-sample equity (stitched folds) and benchmark",
        "Drawdown from the running peak",
        "Out-of-sample Sharpe per fold",
        "In-sample vs out-of-sample Sharpe",
        "Parameter grid: mean out-of-sample Sharpe over folds",
        "Distribution of out-of-sample trade returns",
        "PBO: logit of the in-sample winner",
    ] {
        assert!(html.contains(title), "no chart titled {title:?}");
    }
    for label in [
        "equity (currency units)",
        "drawdown (%)",
        "fold",
        "in-sample Sharpe (annualized)",
        "count",
    ] {
        assert!(html.contains(label), "no axis label {label:?}");
    }
    assert!(html.contains("✘ FAIL") && html.contains("✔ pass"));
    // The page says what report.md says under the fold table, and shows the in-sample column.
    assert!(html.contains("<th>in-sample Sharpe</th>"));
    let md = std::fs::read_to_string(out().join("report.md")).expect("report.md");
    for label in [
        "Idle test windows",
        "Parameter stability",
        "Look-ahead guard",
    ] {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("{label}: ")))
            .unwrap_or_else(|| panic!("no {label} line in report.md"));
        let text = &line[label.len() + 2..];
        assert!(
            html.contains(&format!("<p><b>{label}:</b> {text}</p>")),
            "{label}"
        );
    }
}

#[test]
fn report_md_is_a_page_with_the_verdict_and_the_checks() {
    let md = std::fs::read_to_string(out().join("report.md")).expect("report.md");
    assert!(md.starts_with("# sma\\_cross: FAIL\n"), "{md}");
    assert!(
        md.contains("| oos_sharpe | 0.471 | \\> 1 | ❌ FAIL |"),
        "{md}"
    );
    assert!(
        md.contains("| min_trades | 36 | \\>= 30 | ✅ pass |"),
        "{md}"
    );
    assert!(md.lines().count() < 80, "one page");
    // Test windows without a trade are pointed out, counted from the fold table's last column.
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| fold |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    let idle = rows.iter().filter(|r| r.ends_with("| 0 |")).count();
    assert!(
        idle > 0,
        "the shipped sma_cross spec has idle test windows:\n{md}"
    );
    assert!(
        md.contains(&format!(
            "Idle test windows: {idle} of {} closed no trade.",
            rows.len()
        )),
        "{md}"
    );
}

fn gate(args: &[&str]) -> std::process::Output {
    let mut all = vec!["gate"];
    all.extend_from_slice(args);
    gauntlet(&all)
}

fn report_path() -> String {
    out()
        .join("report.json")
        .to_str()
        .expect("utf-8")
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8").to_string()
}

#[test]
fn gate_reapplies_a_policy_without_rerunning() {
    let dir = tempfile::tempdir().expect("temp dir");
    // As recorded: the same verdict.
    let run = gate(&[&report_path()]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let recorded = validated()
        .1
        .lines()
        .find(|l| l.starts_with("FAIL sma_cross"))
        .expect("line")
        .to_string();
    assert_eq!(stdout(&run).trim(), recorded);

    // A looser policy: every check passes (Sharpe 0.47 > 0.4, drawdown 18.1% < 20%, DSR 0.21).
    let loose = write(
        dir.path(),
        "loose.toml",
        "min_oos_sharpe = 0.4\nmax_drawdown = 0.2\nmin_dsr = 0.2\n",
    );
    let run = gate(&[&report_path(), "--policy", &loose]);
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    assert_eq!(stdout(&run).trim(), "PASS sma_cross");
    // Said on stderr: this verdict is not the recorded policy's.
    assert!(
        stderr(&run).contains("judged by its recorded policy with --policy loose.toml (sha256 "),
        "{}",
        stderr(&run)
    );

    // Tightened on one key only (one more trade than were made): just that check fails.
    let trades = report()["validation"]["out_of_sample"]["trades"]["trades"]
        .as_u64()
        .expect("trades");
    let strict = write(
        dir.path(),
        "strict.toml",
        &format!(
            "min_oos_sharpe = 0.4\nmax_drawdown = 0.2\nmin_dsr = 0.2\nmin_trades = {}\n",
            trades + 1
        ),
    );
    let junit = dir.path().join("gate.xml");
    let run = gate(&[
        &report_path(),
        "--policy",
        &strict,
        "--format",
        "github",
        "--junit",
        junit.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let text = stdout(&run);
    assert!(
        text.starts_with(&format!(
            "FAIL sma_cross: min_trades ({trades} out-of-sample closed trades, {} needed)\n",
            trades + 1
        )),
        "{text}"
    );
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), 1, "{text}");
    assert!(
        annotations[0].contains("title=gauntlet gate%3A sma_cross min_trades::"),
        "{text}"
    );
    let xml = std::fs::read_to_string(&junit).expect("junit");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        1
    );
}

#[test]
fn an_edited_report_an_unknown_version_and_a_bad_policy_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(report_path()).expect("report");
    // One digit of the total return changed.
    let r = report();
    let total = r["validation"]["out_of_sample"]["performance"]["total_return"].to_string();
    assert_eq!(text.matches(&total).count(), 1, "{total}");
    let edited = text.replace(&total, &total.replacen("0.9", "1.9", 1));
    assert_ne!(edited, text);
    let edited = write(dir.path(), "edited.json", &edited);
    let run = gate(&[&edited]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("does not match its content_sha256"),
        "{}",
        stderr(&run)
    );

    let future = write(
        dir.path(),
        "future.json",
        &text.replacen("\"schema_version\": 2", "\"schema_version\": 3", 1),
    );
    let run = gate(&[&future]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("schema_version 3 is not one this gauntlet reads"),
        "{}",
        stderr(&run)
    );

    let bad = write(dir.path(), "bad.toml", "min_sharpe = 1.0\nmax_pbo = 2\n");
    for command in [
        vec!["gate", &report_path(), "--policy", &bad],
        vec!["validate", SPEC, "--quiet", "--policy", &bad],
    ] {
        let run = gauntlet(&command);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(err.contains("2 problems in the policy"), "{err}");
        assert!(err.contains("key 'min_sharpe': unknown key"), "{err}");
        assert!(
            err.contains("key 'max_pbo': expected a number in [0, 1], got 2"),
            "{err}"
        );
        assert!(stdout(&run).is_empty(), "nothing judged: {}", stdout(&run));
    }

    let run = gate(&[dir.path().join("missing.json").to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("cannot read the report"));
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn schema_errors(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The shipped sma_cross spec with a small grid and `split` as its [split] table, validated
/// into a scratch folder; returns its report.
fn report_with_split(name: &str, split: &str) -> Value {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("binary_report_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let data = root()
        .join("data/sp500_daily.csv")
        .canonicalize()
        .expect("data");
    let text = std::fs::read_to_string(root().join(SPEC)).expect("spec");
    let (head, rest) = text.split_once("[strategy.grid]").expect("a grid");
    let (_, tail) = rest.split_once("[objective]").expect("an objective");
    let spec = format!(
        "{head}[strategy.grid]\nfast = [10, 20]\nslow = [50, 100]\n\n[split]\n{split}\n\n[objective]{tail}[claimed]\nwin_rate = [0.5, 0.6]\n\n[gate]\nmin_trades = 5\n"
    )
    .replace("../../data/sp500_daily.csv", data.to_str().expect("utf-8"));
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, spec).expect("spec");
    let run = gauntlet(&[
        "validate",
        path.to_str().expect("utf-8"),
        "--quiet",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", stderr(&run));
    let bytes = std::fs::read(dir.join(name).join("report.json")).expect("report.json");
    serde_json::from_slice(&bytes).expect("JSON")
}

#[test]
fn every_written_report_validates_against_the_schema() {
    let validator = schema();
    let reports = [
        ("rolling (shipped)", report()),
        (
            "cpcv",
            report_with_split("cpcv", "scheme = \"cpcv\"\ngroups = 6\ntest_groups = 2"),
        ),
        (
            "purged k-fold",
            report_with_split("pkf", "scheme = \"purged_kfold\"\nfolds = 4\nembargo = 5"),
        ),
        (
            "anchored",
            report_with_split(
                "anchored",
                "scheme = \"anchored\"\nin_sample = \"4y\"\nout_of_sample = \"2y\"",
            ),
        ),
    ];
    for (what, report) in &reports {
        let errors = schema_errors(&validator, report);
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }
    // The CPCV report has its paths; the claim and the spec's [gate] are recorded.
    let cpcv = &reports[1].1;
    assert_eq!(
        cpcv["validation"]["path_sharpes"]
            .as_array()
            .expect("paths")
            .len(),
        5
    );
    assert_eq!(cpcv["spec"]["gate"]["min_trades"], 5);
    // Its spec is outside the repository: no strategies/gate.toml layer.
    assert_eq!(
        cpcv["gate"]["policy_sources"],
        serde_json::json!(["desk defaults (built in)", "the spec's [gate] table"])
    );

    // And the schema is not a rubber stamp.
    let mut extra = report();
    extra["surprise"] = Value::Bool(true);
    let mut missing = report();
    missing["validation"]
        .as_object_mut()
        .expect("object")
        .remove("out_of_sample");
    let mut bad_stat = report();
    bad_stat["validation"]["out_of_sample"]["performance"]["sharpe"]["value"] =
        Value::String("high".into());
    let mut future = report();
    future["schema_version"] = Value::from(3);
    for (what, mutant) in [
        ("an extra key", extra),
        ("no out_of_sample", missing),
        ("a text Sharpe", bad_stat),
        ("schema_version 3", future),
    ] {
        assert!(
            !schema_errors(&validator, &mutant).is_empty(),
            "the schema accepted {what}"
        );
    }
}

#[test]
fn the_seven_shipped_specs_get_the_verdicts_their_numbers_say() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary_report_all");
    let _ = std::fs::remove_dir_all(&dir);
    // The main job exactly as the README runs it, but into a scratch folder.
    let run = gauntlet(&["validate", "--quiet", "--out", dir.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let text = stdout(&run);
    let names = [
        "mean_reversion",
        "momentum",
        "pairs",
        "rsi_divergence",
        "sma_cross",
        "volume_breakout",
        "vwap",
    ];
    for name in names {
        let bytes = std::fs::read(dir.join(name).join("report.json")).expect("report.json");
        let report: Value = serde_json::from_slice(&bytes).expect("JSON");
        let mut failed = Vec::new();
        for check in report["gate"]["checks"].as_array().expect("checks") {
            // Each check's verdict is its comparison applied to its recorded value.
            let threshold = value(&check["threshold"]);
            let pass =
                check["value"]["value"].as_f64().is_some_and(|v| {
                    match check["comparison"].as_str().expect("comparison") {
                        ">" => v > threshold,
                        ">=" => v >= threshold,
                        "<" => v < threshold,
                        "<=" => v <= threshold,
                        other => panic!("comparison {other}"),
                    }
                });
            assert_eq!(check["pass"], pass, "{name}: {check}");
            if !pass {
                failed.push(format!(
                    "{} ({})",
                    check["name"].as_str().expect("name"),
                    check["explanation"].as_str().expect("words")
                ));
            }
        }
        assert_eq!(report["gate"]["pass"], failed.is_empty(), "{name}");
        // The verdict line says the same, in the same words.
        let line = if failed.is_empty() {
            format!("PASS {name}")
        } else {
            format!("FAIL {name}: {}", failed.join("; "))
        };
        assert!(text.lines().any(|l| l == line), "{line}\nnot in:\n{text}");
    }
    // The table's claim column: rsi_divergence's spec claims the range [0.85, 0.86], sma_cross's
    // claims nothing; the win rates stand in one column either way.
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name} in:\n{text}"))
            .to_string()
    };
    let (rsi, sma) = (row("rsi_divergence"), row("sma_cross"));
    assert!(rsi.contains("%]     85-86%"), "{rsi}");
    assert!(sma.contains("%]          -"), "{sma}");
    assert_eq!(rsi.find('['), sma.find('['), "{rsi}\n{sma}");
    // The claims that the win-rate check judges: 90% claimed for volume_breakout, which wins
    // about half its trades.
    let vb: Value = serde_json::from_slice(
        &std::fs::read(dir.join("volume_breakout/report.json")).expect("report"),
    )
    .expect("JSON");
    let claim = vb["gate"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "win_rate_vs_claim")
        .expect("a claim check");
    // The 95% Wilson interval worked out here from the recorded wins and trades.
    let trades = &vb["validation"]["out_of_sample"]["trades"];
    let n = value(&trades["trades"]);
    let p = value(&trades["wins"]) / n;
    let z2 = 1.959963984540054f64.powi(2);
    let center = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = (z2 * (p * (1.0 - p) / n + z2 / (4.0 * n * n))).sqrt() / (1.0 + z2 / n);
    let words = claim["explanation"].as_str().expect("words");
    assert_eq!(
        words,
        format!(
            "win rate {p:.2} [{:.2}, {:.2}] vs claimed 0.90: outside ±5 points; the claim is outside the 95% interval",
            center - half,
            center + half
        )
    );
    assert!(
        words.ends_with("the claim is outside the 95% interval"),
        "{words}"
    );
}

#[test]
fn the_report_does_not_depend_on_the_folder_gauntlet_runs_from() {
    let elsewhere = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary_report_elsewhere");
    let _ = std::fs::remove_dir_all(&elsewhere);
    std::fs::create_dir_all(&elsewhere).expect("scratch folder");
    let spec = root().join(SPEC).canonicalize().expect("spec");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "validate",
            spec.to_str().expect("utf-8"),
            "--quiet",
            "--threads",
            "1",
        ])
        .args(["--out", "out"])
        .current_dir(&elsewhere)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let here = std::fs::read(elsewhere.join("out/sma_cross/report.json")).expect("report");
    let there = std::fs::read(out().join("report.json")).expect("report");
    assert!(
        here == there,
        "report.json differs when run from another folder"
    );
}
