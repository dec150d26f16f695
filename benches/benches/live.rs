//! `gauntlet live` replaying a feed file as fast as it can, the audit log on: the whole run as
//! the command does it (approval checks, the feed's reader thread, the step, the paper broker,
//! every audit entry sealed into the hash chain and written, checkpoints, the shutdown),
//! started afresh each iteration on a new state folder and log.
//!
//! Run: `cargo bench -p gauntlet-benches --bench live`; results go in benches/README.md. Each
//! strict run prints its fsync count on stderr.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_benches::minute_bars;
use gauntlet_data::synth::write_bars;
use gauntlet_engine::CostModel;
use gauntlet_live::{Durability, FeedSource, LiveConfig, run};
use gauntlet_registry::{Approval, Manifest, Record, ReportRef, RiskRecord};
use gauntlet_report::{DataRecord, StrategyRecord};
use gauntlet_risk::RiskConfig;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bars of the feed in the headline case (the million).
const FEED_BARS: usize = 1_000_000;
/// Bars of the strict case: it syncs the disk for every order, so a tenth of the feed.
const STRICT_BARS: usize = 100_000;

/// A manifest approving `sma_cross` 10/30, long only, no risk limits, no costs, on the
/// synthetic minute bars: what `gauntlet promote` would record for such a report.
fn approvals(dir: &Path) -> PathBuf {
    let risk = serde_json::to_value(RiskConfig::unlimited()).expect("risk as JSON");
    let approval = Approval {
        strategy: StrategyRecord::of("sma_cross"),
        spec: "bench".into(),
        parameters: json!({ "fast": 10, "slow": 30, "long_short": false })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        parameters_fold: 0,
        risk: RiskRecord {
            profile: "unlimited".into(),
            sha256: gauntlet_registry::risk_hash(&risk),
            config: risk,
        },
        costs: CostModel::free(),
        capital: 100_000.0,
        whole_shares: false,
        data: vec![DataRecord {
            path: "feed".into(),
            symbol: "synth-42".into(),
            bars: FEED_BARS,
            fingerprint: String::new(),
        }],
        report: ReportRef {
            path: "bench".into(),
            sha256: String::new(),
        },
        policy_sha256: String::new(),
        approved_by: "bench".into(),
        approved_at: "2026-11-21T00:00:00Z".into(),
    };
    let path = dir.join("approvals.json");
    let mut manifest = Manifest::open(&path).expect("manifest");
    manifest
        .append(Record::Approval(Box::new(approval)))
        .expect("approved");
    path
}

/// A fresh run on `feed`: the state folder and log of the last one removed first.
fn live(dir: &Path, approvals: &Path, feed: &Path, durability: Durability) -> LiveConfig {
    let (state, audit) = (dir.join("state"), dir.join("audit.jsonl"));
    let _ = std::fs::remove_dir_all(&state);
    let _ = std::fs::remove_file(&audit);
    LiveConfig {
        approvals: approvals.to_path_buf(),
        strategy: None,
        feed: FeedSource::File(feed.to_path_buf()),
        state,
        audit,
        speed: None,
        stall_after: None,
        durability,
        checkpoint_every: 1000,
        max_rejections: 10,
        params: Vec::new(),
        risk: None,
    }
}

fn replay(c: &mut Criterion) {
    // On the disk the runs write to, not a memory file system: syncs must reach a device.
    let dir = tempfile::Builder::new()
        .prefix("gauntlet-live-bench")
        .tempdir_in(std::env::current_dir().expect("cwd"))
        .expect("scratch folder");
    let approvals = approvals(dir.path());
    let feeds: Vec<(&str, PathBuf)> = ["parquet", "csv"]
        .into_iter()
        .map(|kind| {
            let path = dir.path().join(format!("feed.{kind}"));
            write_bars(&minute_bars(FEED_BARS), &path).expect("feed");
            (kind, path)
        })
        .collect();
    let strict_feed = dir.path().join("strict.parquet");
    write_bars(&minute_bars(STRICT_BARS), &strict_feed).expect("feed");

    let mut group = c.benchmark_group("live_sma_cross_10_30");
    group.sample_size(10);
    group.throughput(Throughput::Elements(FEED_BARS as u64));
    for (kind, feed) in &feeds {
        group.bench_function(format!("1M-bar {kind} feed, --durability batch"), |b| {
            b.iter_with_setup(
                || live(dir.path(), &approvals, feed, Durability::Batch),
                |config| {
                    let summary = run(&config).expect("a clean run");
                    assert_eq!(summary.counts.steps, FEED_BARS as u64);
                },
            )
        });
    }
    group.throughput(Throughput::Elements(STRICT_BARS as u64));
    group.bench_function("100k-bar parquet feed, --durability strict", |b| {
        b.iter_with_setup(
            || live(dir.path(), &approvals, &strict_feed, Durability::Strict),
            |config| {
                let summary = run(&config).expect("a clean run");
                assert_eq!(summary.counts.steps, STRICT_BARS as u64);
                eprintln!(
                    "strict: {} orders, {} fsyncs",
                    summary.counts.orders, summary.fsyncs
                );
            },
        )
    });
    group.finish();
}

criterion_group!(benches, replay);
criterion_main!(benches);
