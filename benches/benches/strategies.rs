//! Every strategy of the catalog at its defaults, through the whole engine (indicators, the
//! step function, risk vetting, fills and accounting), over 10 million synthetic one-minute
//! bars in memory, on one thread. `pairs` runs on a panel of two such series: one bar of the
//! panel counts as one bar.
//!
//! Run: `cargo bench -p gauntlet-benches --bench strategies`; results go in benches/README.md.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_benches::{HEADLINE_BARS, minute_bars, minute_bars_seeded};
use gauntlet_data::Panel;
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::{CATALOG, StrategyVisitor};
use gauntlet_strategy::Strategy;

// The allocator of the gauntlet binary, so that the benchmark measures what the tool does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Bench<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    panel: &'a Panel,
    name: &'static str,
}

impl StrategyVisitor for Bench<'_, '_> {
    type Output = ();
    fn visit<S: Strategy + Clone + 'static>(self, strategy: S) {
        let panel = self.panel;
        self.group.bench_function(self.name, |b| {
            b.iter(|| {
                run_backtest(
                    panel,
                    strategy.clone(),
                    SimulatedBroker::new(CostModel::free()),
                    RiskConfig::unlimited(),
                    EngineConfig::default(),
                )
            })
        });
    }
}

fn strategies(c: &mut Criterion) {
    let one = Panel::single(minute_bars(HEADLINE_BARS));
    let two = Panel::align(vec![
        minute_bars(HEADLINE_BARS),
        minute_bars_seeded(HEADLINE_BARS, 43),
    ])
    .expect("same clock");
    let mut group = c.benchmark_group("strategies_10M_bars");
    group.sample_size(10);
    group.throughput(Throughput::Elements(HEADLINE_BARS as u64));
    for info in CATALOG {
        let panel = if info.symbols == 2 { &two } else { &one };
        let bench = Bench {
            group: &mut group,
            panel,
            name: info.name,
        };
        gauntlet_strategies::build(info.name, &info.space.defaults(), bench)
            .expect("the defaults build");
    }
    group.finish();
}

criterion_group!(benches, strategies);
criterion_main!(benches);
