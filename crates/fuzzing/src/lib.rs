//! The property every reader of outside input must hold on *any* bytes, one [`Target`] per
//! reader: the bar loaders, a feed's lines, the TOML readers, the readers of `report.json`, shard
//! files and the approvals manifest, and the audit-log verifier.
//!
//! The property: the reader returns, without panicking, either a value that passes the checks
//! a normal load promises (restated here independently of the reader, so that a reader that
//! lets a bad value through is caught), or an error that names its source. [`Target::check`]
//! panics when the property is broken; the fuzz targets in `fuzz/` call it with the fuzzer's
//! input, and `tests/corpus.rs` replays every input kept in `fuzz/corpus/` and
//! `fuzz/regressions/` through it in the ordinary test suite. Hangs and runaway allocation are
//! the fuzzer's to catch (`-timeout`, `-rss_limit_mb`; see `fuzz/README.md`).
//!
//! Readers guarded by a hash (report.json's content hash, the manifest's and the audit log's
//! hash chains, a shard's checksum) refuse nearly every mutated input at the hash, which would
//! leave the decoding behind it unexplored. Their targets therefore read the first byte as a
//! mode: odd means "re-seal the rest first" (recompute the hashes the way the writer does), so
//! the fuzzer reaches the decoder with inputs whose hashes hold.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use gauntlet_data::{BarSeries, LoadOptions, load_bars};
use gauntlet_live::FeedSource;
use gauntlet_live::feed::FeedItem;
use gauntlet_registry::chain::ChainHead;
use gauntlet_report::{StoredReport, canonical_json, sha256_hex};
use gauntlet_risk::RiskConfig;
use gauntlet_validate::gate::{self, GateInputs, GateOverrides, Policy};
use gauntlet_validate::shard;
use gauntlet_validate::splits::Scheme;
use gauntlet_validate::walkforward::Grid;
use gauntlet_validate::{Interval, Spec, Stat, TradingYear};
use serde_json::Value;

/// One reader under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `load_bars` on a `.csv` file.
    BarsCsv,
    /// `load_bars` on a `.parquet` file.
    BarsParquet,
    /// The live runner's feed lines (CSV with a header, or JSON objects), one per line.
    FeedLines,
    /// A validation spec (TOML).
    Spec,
    /// A risk config (TOML).
    RiskConfig,
    /// A gate policy (TOML).
    GatePolicy,
    /// A `report.json` read back (for `gate`, `promote`).
    Report,
    /// A shard result file.
    Shard,
    /// The approvals manifest.
    Approvals,
    /// The audit-log verifier.
    AuditLog,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 10] = [
        Target::BarsCsv,
        Target::BarsParquet,
        Target::FeedLines,
        Target::Spec,
        Target::RiskConfig,
        Target::GatePolicy,
        Target::Report,
        Target::Shard,
        Target::Approvals,
        Target::AuditLog,
    ];

    /// The name of its fuzz target, and of its folders under `fuzz/corpus/` and
    /// `fuzz/regressions/`.
    pub fn name(self) -> &'static str {
        match self {
            Target::BarsCsv => "bars_csv",
            Target::BarsParquet => "bars_parquet",
            Target::FeedLines => "feed_lines",
            Target::Spec => "spec_toml",
            Target::RiskConfig => "risk_toml",
            Target::GatePolicy => "policy_toml",
            Target::Report => "report_json",
            Target::Shard => "shard_file",
            Target::Approvals => "approvals_manifest",
            Target::AuditLog => "audit_log",
        }
    }

    /// Runs the reader on `data` and panics if the property is broken.
    pub fn check(self, data: &[u8]) {
        quiet_for_contained_panics();
        match self {
            Target::BarsCsv => bars(data, "csv"),
            Target::BarsParquet => bars(data, "parquet"),
            Target::FeedLines => feed_lines(data),
            Target::Spec => spec(data),
            Target::RiskConfig => risk_config(data),
            Target::GatePolicy => gate_policy(data),
            Target::Report => report(data),
            Target::Shard => shard_file(data),
            Target::Approvals => approvals(data),
            Target::AuditLog => audit_log(data),
        }
    }
}

/// Wraps the panic hook in place (libFuzzer's aborts the process) so that it stays quiet
/// while gauntlet-data contains a decoder's panic and turns it into an error: that is the
/// reader's answer, not a crash. Every other panic still reaches the hook.
fn quiet_for_contained_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !gauntlet_data::decoder::containing() {
                hook(info);
            }
        }));
    });
}

/// A fresh path in the temporary folder (readers that take a path get the input written
/// there). Unique per process and call, so that tests replaying inputs on several threads do
/// not share files; a file, not a folder of this process's own, so that nothing is left behind
/// once every [`ScratchFile`] is dropped.
fn scratch_file(extension: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "gauntlet-fuzz-{}-{n}.{extension}",
        std::process::id()
    ))
}

/// `data` written to a scratch file, removed again when dropped.
struct ScratchFile(PathBuf);

impl ScratchFile {
    fn new(data: &[u8], extension: &str) -> ScratchFile {
        let path = scratch_file(extension);
        std::fs::write(&path, data).expect("write scratch file");
        ScratchFile(path)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An error message must say where the problem is.
fn names_source(message: &str, source: &Path) {
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        message.contains(&name),
        "the error does not name {}: {message}",
        source.display()
    );
}

/// The promises of a loaded series (gauntlet-data's validation, restated): at least one bar,
/// timestamps strictly increasing, prices finite and above zero, volume finite and not
/// negative, high at or above low and the body, low at or below the body.
pub fn assert_valid_bars(series: &BarSeries) {
    assert!(!series.is_empty(), "a loaded series has bars");
    for w in series.ts().windows(2) {
        assert!(w[0] < w[1], "timestamps {} then {}", w[0], w[1]);
    }
    for i in 0..series.len() {
        let b = series.bar(i);
        for p in [b.open, b.high, b.low, b.close] {
            assert!(p.is_finite() && p > 0.0, "bar {i}: price {p}");
        }
        assert!(b.volume.is_finite() && b.volume >= 0.0, "bar {i}: volume");
        assert!(b.high >= b.low, "bar {i}: high below low");
        assert!(b.high >= b.open.max(b.close), "bar {i}: high below body");
        assert!(b.low <= b.open.min(b.close), "bar {i}: low above body");
    }
}

fn bars(data: &[u8], extension: &str) {
    let file = ScratchFile::new(data, extension);
    match load_bars(&file.0, &LoadOptions::default()) {
        Ok(series) => assert_valid_bars(&series),
        Err(e) => names_source(&e.to_string(), &file.0),
    }
}

/// The feed read as the runner reads a file or standard input: the bytes split into lines
/// (at most 1 MiB each), each line parsed, checked and handed over in batches.
fn feed_lines(data: &[u8]) {
    let file = ScratchFile::new(data, "csv");
    let feed = gauntlet_live::feed::spawn(FeedSource::File(file.0.clone()));
    let mut last_line = 0;
    for item in feed.iter().flatten() {
        match item {
            FeedItem::Bar { line, bar } => {
                assert!(line > last_line);
                last_line = line;
                let one = BarSeries::from_columns(
                    "feed",
                    vec![bar.bar.ts],
                    vec![bar.bar.open],
                    vec![bar.bar.high],
                    vec![bar.bar.low],
                    vec![bar.bar.close],
                    vec![bar.bar.volume],
                );
                assert_valid_bars(&one);
            }
            FeedItem::Rejected { line, reason, text } => {
                assert!(line > last_line);
                last_line = line;
                assert!(!reason.trim().is_empty(), "a rejection says why");
                assert!(text.chars().count() <= 200, "the logged line is cut");
            }
            FeedItem::Failed(why) => panic!("a readable file cannot fail the feed: {why}"),
        }
    }
}

/// Where a fuzzed spec claims to live: the shipped specs' folder, so that the shipped specs
/// in the corpus resolve their risk profiles as they do in use.
fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../strategies/specs/fuzzed.toml")
}

fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = spec_path();
    let spec = match Spec::parse(text, &path) {
        Ok(spec) => spec,
        Err(e) => {
            assert!(!e.problems.is_empty(), "a refused spec names a problem");
            return names_source(&e.to_string(), &path);
        }
    };
    assert_eq!(spec.name, "fuzzed");
    assert!(spec.capital.is_finite() && spec.capital > 0.0);
    assert!(spec.grid.iter().all(|axis| !axis.values.is_empty()));
    assert!(spec.min_trades < usize::MAX);
    if let Err(e) = Grid::of(&spec) {
        names_source(&e.to_string(), &path);
    }
    // Every accepted split either lays out folds within the bars or says why it cannot.
    for bars in [0, 1, 30, 252, 5000] {
        if let Ok(scheme) = Scheme::of(spec.split, TradingYear::new(252.0, 252.0), 5)
            && let Ok(plan) = scheme.plan(bars)
        {
            for fold in &plan.folds {
                for r in fold.train.iter().chain(&fold.test) {
                    assert!(r.start < r.end && r.end <= bars, "{r:?} over {bars} bars");
                }
            }
        }
    }
}

fn risk_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RiskConfig::from_toml(text, "fuzzed-risk.toml") {
        Ok(config) => {
            for limit in [config.max_daily_loss, config.max_total_drawdown]
                .into_iter()
                .flatten()
            {
                assert!(limit.is_finite() && limit > 0.0, "limit {limit}");
            }
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            assert!(e.to_string().contains("fuzzed-risk.toml"), "{e}");
        }
    }
}

fn gate_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzzed-policy.toml");
    match GateOverrides::parse(text, path) {
        Ok(overrides) => {
            let policy = Policy::default().with(&overrides);
            let verdict = gate::apply(policy, &sample_inputs());
            assert!(!verdict.checks.is_empty(), "a policy checks something");
        }
        Err(e) => names_source(&e.to_string(), path),
    }
}

/// Gate inputs of an ordinary run, for judging a fuzzed policy.
fn sample_inputs() -> GateInputs {
    GateInputs {
        oos_sharpe: Stat::Value(0.8),
        max_drawdown: 0.2,
        trades: 40,
        win_rate: Stat::Value(0.55),
        win_rate_interval: Interval {
            low: Stat::Value(0.4),
            high: Stat::Value(0.7),
        },
        claimed_win_rate: Some((0.58, 0.58)),
        dsr: Stat::Value(0.9),
        pbo: Stat::Value(0.2),
        lookahead_checked: 1,
        lookahead_passed: true,
    }
}

/// Splits off the mode byte: `(reseal, rest)`.
fn mode(data: &[u8]) -> (bool, &[u8]) {
    match data.split_first() {
        Some((first, rest)) => (first % 2 == 1, rest),
        None => (false, data),
    }
}

fn report(data: &[u8]) {
    let (reseal, data) = mode(data);
    let bytes = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(mut map)) if reseal => {
            map.remove("content_sha256");
            let hash = sha256_hex(&canonical_json(&Value::Object(map.clone()), None));
            map.insert("content_sha256".into(), Value::String(hash));
            serde_json::to_vec(&Value::Object(map)).expect("re-encode")
        }
        _ => data.to_vec(),
    };
    let path = Path::new("reports/fuzzed/report.json");
    match StoredReport::parse(&bytes, path) {
        Ok(stored) => {
            assert_eq!(stored.content_sha256.len(), 64);
            let verdict = gate::apply(stored.policy, &stored.inputs);
            let line = gauntlet_report::summary::line(&gauntlet_report::summary::SpecVerdict {
                spec: &stored.spec,
                file: path.display().to_string(),
                verdict: &verdict,
            });
            assert!(!line.contains('\n'), "the summary is one line");
        }
        Err(e) => names_source(&e.to_string(), path),
    }
}

fn shard_file(data: &[u8]) {
    let (reseal, data) = mode(data);
    let bytes = if reseal {
        shard::seal(data)
    } else {
        data.to_vec()
    };
    let path = Path::new("shards/shard-1-of-4.gshard");
    match shard::decode(path, &bytes) {
        // What was read writes back and reads again to the same (the merge relies on the
        // shard holding exactly what it decoded).
        Ok(result) => {
            let file = ScratchFile(scratch_file("gshard"));
            shard::write(&file.0, &result).expect("write a decoded shard");
            let again = shard::read(&file.0).expect("read it back");
            let encode = |r: &shard::ShardResult| {
                let f = ScratchFile(scratch_file("gshard"));
                shard::write(&f.0, r).expect("write");
                std::fs::read(&f.0).expect("read")
            };
            assert_eq!(encode(&again), encode(&result));
        }
        Err(e) => names_source(&e.to_string(), path),
    }
}

fn approvals(data: &[u8]) {
    let (reseal, data) = mode(data);
    let bytes = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(mut map)) if reseal => {
            if let Some(Value::Array(entries)) = map.get_mut("entries") {
                let mut head = ChainHead::default();
                for entry in entries.iter_mut() {
                    if let Value::Object(body) = entry {
                        *entry = head.seal(std::mem::take(body));
                    }
                }
            }
            serde_json::to_vec(&Value::Object(map)).expect("re-encode")
        }
        _ => data.to_vec(),
    };
    let path = Path::new("approvals.json");
    match gauntlet_registry::Manifest::parse(&bytes, path) {
        Ok(manifest) => {
            for (i, entry) in manifest.entries().iter().enumerate() {
                assert_eq!(entry.seq, i as u64 + 1, "sequence numbers rise by one");
            }
            let listed = manifest.approvals().count();
            assert!(listed <= manifest.entries().len());
            if let Err(e) = manifest.active(None) {
                assert!(!e.to_string().is_empty());
            }
        }
        Err(e) => names_source(&e.to_string(), path),
    }
}

fn audit_log(data: &[u8]) {
    let (reseal, data) = mode(data);
    let bytes = if reseal {
        let mut head = ChainHead::default();
        let mut out = Vec::with_capacity(data.len());
        for line in data.split(|&b| b == b'\n') {
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(body)) => {
                    out.extend(serde_json::to_vec(&head.seal(body)).expect("re-encode"))
                }
                _ => out.extend_from_slice(line),
            }
            out.push(b'\n');
        }
        out
    } else {
        data.to_vec()
    };
    let file = ScratchFile::new(&bytes, "jsonl");
    match gauntlet_live::audit::verify(&file.0, None) {
        Ok(verified) => {
            assert_eq!(verified.head.seq, verified.entries as u64);
            // The head it found is one a checkpoint could have recorded: verifying up to it
            // must hold too.
            let recorded = Some((verified.head.seq, verified.head.sha256.as_str()));
            let again = gauntlet_live::audit::verify(&file.0, recorded);
            assert_eq!(again.ok().map(|v| v.head), Some(verified.head.clone()));
        }
        Err(e) => names_source(&e.to_string(), &file.0),
    }
}
