//! Issue 4's speed targets, in memory: the 10 × 10 `sma_cross` grid over 1M synthetic
//! one-minute bars (100 full backtests with their metrics, `gauntlet sweep`'s work once the file
//! is loaded) on one and on two threads, and the shipped `sma_cross` spec's whole walk-forward
//! validation (load, every cell, selection, stitching and statistics).
//!
//! Run: `cargo bench -p gauntlet-benches --bench validate`; results go in benches/README.md.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_benches::{grid_runner, minute_bars, sma_cross_grid};
use gauntlet_data::Panel;
use gauntlet_engine::metrics::infer_periods_per_year;
use gauntlet_validate::sweep::sweep;
use gauntlet_validate::{Annualization, Dataset, Spec};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bars of the grid benchmark.
const GRID_BARS: usize = 1_000_000;

fn grid(c: &mut Criterion) {
    let sets = sma_cross_grid();
    assert_eq!(sets.len(), 100);
    let panel = Panel::single(minute_bars(GRID_BARS));
    let annual = Annualization::new(infer_periods_per_year(panel.ts()));
    let runner = grid_runner(&panel);
    let mut group = c.benchmark_group("sweep_sma_cross_10x10");
    group.sample_size(10);
    group.throughput(Throughput::Elements((sets.len() * GRID_BARS) as u64));
    for threads in [1, 2] {
        group.bench_function(format!("1M bars, {threads} thread(s)"), |b| {
            b.iter(|| {
                sweep(
                    &runner,
                    "sma_cross",
                    &sets,
                    panel.len(),
                    annual,
                    threads,
                    &|| {},
                )
                .expect("sweep")
            })
        });
    }
    group.finish();
}

fn shipped_spec(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../strategies/specs/sma_cross.toml");
    let mut group = c.benchmark_group("validate_shipped_sma_cross");
    group.sample_size(10);
    group.bench_function("load and validate, 2 threads", |b| {
        b.iter(|| {
            let spec = Spec::load(&path).expect("spec");
            let data = Dataset::load(&spec).expect("data");
            gauntlet_validate::validate(&spec, &data, 2, &|| {}).expect("validate")
        })
    });
    group.finish();
}

criterion_group!(benches, grid, shipped_spec);
criterion_main!(benches);
