//! Issue 7's speed targets for sharded validation:
//! - what sharding costs: the walk-forward grid (the 10 × 10 `sma_cross` grid, rolling
//!   walk-forward over 500k one-minute bars) validated whole on one thread, against the same
//!   plan cut into 4 shards run one after another on one thread, each loading the spec and
//!   data and writing its shard file, plus the merge that reads them back and finishes. On one
//!   thread the wall-clock time is the CPU time; the target is a sum within 10% of the whole;
//! - the merge of 100 shards of a 10,000-trial plan (100 parameter sets × 100 folds on the
//!   shipped S&P 500 bars): reading and checking the files, laying out the plan, assembling
//!   and finishing, against 2 s.
//!
//! Run: `cargo bench -p gauntlet-benches --bench shards`; results go in benches/README.md.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use gauntlet_benches::minute_bars;
use gauntlet_data::synth::write_bars;
use gauntlet_validate::shard::{self, ShardId, ShardPlan, ShardResult};
use gauntlet_validate::walkforward::finish;
use gauntlet_validate::workload::Workload;
use gauntlet_validate::{Dataset, Spec, Validation};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bars of the walk-forward grid.
const GRID_BARS: usize = 500_000;

/// A spec of the 10 × 10 `sma_cross` grid on `data` with the given split.
fn spec_text(data: &Path, split: &str) -> String {
    format!(
        r#"risk = "unlimited"
[data]
files = [{data:?}]
[strategy]
name = "sma_cross"
[strategy.grid]
fast = {{ from = 5, to = 50, step = 5 }}
slow = {{ from = 60, to = 240, step = 20 }}
[split]
{split}
[objective]
metric = "sharpe"
min_trades = 3
[bootstrap]
seed = 42
"#
    )
}

/// Runs every shard of `spec` on one thread into `dir` and returns the files.
fn run_shards(spec: &Path, count: usize, dir: &Path) -> Vec<PathBuf> {
    (1..=count)
        .map(|index| {
            let spec = Spec::load(spec).expect("spec");
            let data = Dataset::load(&spec).expect("data");
            let workload = Workload::new(&spec, &data).expect("workload");
            let id = ShardId { index, count };
            let share = ShardPlan::of(&workload, id);
            let result = shard::run_shard(&workload, &share, 1, &|| {}).expect("shard");
            let file = dir.join(id.file_name());
            shard::write(&file, &result).expect("write");
            file
        })
        .collect()
}

/// `gauntlet merge`'s work short of writing the report: read and check the shard files, load
/// the spec and data the first names, assemble, finish.
fn merge(files: &[PathBuf]) -> Validation {
    let shards: Vec<(PathBuf, ShardResult)> = files
        .iter()
        .map(|f| (f.clone(), shard::read(f).expect("shard file")))
        .collect();
    let shards = shard::check_set(shards).expect("one plan");
    let spec = Spec::load(&shards[0].1.header.spec_path).expect("spec");
    let data = Dataset::load(&spec).expect("data");
    let workload = Workload::new(&spec, &data).expect("workload");
    let (train, test) = shard::assemble(&workload, shards).expect("assemble");
    finish(&workload, &train, &test)
}

fn sharding_cost(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("bars.parquet");
    write_bars(&minute_bars(GRID_BARS), &data).expect("bars");
    let spec = dir.path().join("grid.toml");
    let split = "scheme = \"rolling\"\nin_sample = 100000\nout_of_sample = 50000";
    std::fs::write(&spec, spec_text(&data, split)).expect("spec");
    let shards = dir.path().join("shards");

    // The same report either way, before anything is timed.
    let whole = {
        let spec = Spec::load(&spec).expect("spec");
        let data = Dataset::load(&spec).expect("data");
        gauntlet_validate::validate(&spec, &data, 1, &|| {}).expect("validate")
    };
    let merged = merge(&run_shards(&spec, 4, &shards));
    let json = |v: &Validation| serde_json::to_vec(v).expect("JSON");
    assert!(
        json(&whole) == json(&merged),
        "the merged validation differs from the whole"
    );

    let mut group = c.benchmark_group("walk-forward grid, 10x10 sma_cross, 500k bars, 1 thread");
    group.sample_size(10);
    group.bench_function("whole", |b| {
        b.iter(|| {
            let spec = Spec::load(&spec).expect("spec");
            let data = Dataset::load(&spec).expect("data");
            gauntlet_validate::validate(&spec, &data, 1, &|| {}).expect("validate")
        })
    });
    group.bench_function("4 shards + merge", |b| {
        b.iter(|| merge(&run_shards(&spec, 4, &shards)))
    });
    group.finish();
}

fn merge_100_shards(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/sp500_daily.csv")
        .canonicalize()
        .expect("the shipped data");
    let spec = dir.path().join("trials.toml");
    // 5,031 bars: 100 folds of 48 test bars after 231 training bars.
    let split = "scheme = \"rolling\"\nin_sample = 231\nout_of_sample = 48";
    std::fs::write(&spec, spec_text(&data, split)).expect("spec");
    {
        let spec = Spec::load(&spec).expect("spec");
        let data = Dataset::load(&spec).expect("data");
        let workload = Workload::new(&spec, &data).expect("workload");
        assert_eq!(workload.train_cells(), 10_000, "a 10,000-trial plan");
    }
    let shards = dir.path().join("shards");
    let files = run_shards(&spec, 100, &shards);
    let mut group = c.benchmark_group("merge, 10,000-trial plan");
    group.sample_size(10);
    group.bench_function("100 shards", |b| b.iter(|| merge(&files)));
    group.finish();
}

criterion_group!(benches, sharding_cost, merge_100_shards);
criterion_main!(benches);
