//! Every strategy of the catalog at its defaults, through the whole engine (indicators, the
//! step function, risk vetting, fills and accounting), over 10 million synthetic one-minute
//! bars in memory, on one thread. `pairs` runs on a panel of two such series: one bar of the
//! panel counts as one bar. A second group runs each strategy alone (indicators and decisions,
//! no engine, positions held at zero), to tell the strategy's cost from the engine's.
//!
//! Run: `cargo bench -p gauntlet-benches --bench strategies`; results go in benches/README.md.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_benches::{HEADLINE_BARS, minute_bars, minute_bars_seeded};
use gauntlet_data::Panel;
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, panel_columns, run_backtest};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::{CATALOG, StrategyVisitor};
use gauntlet_strategy::{BarContext, Intents};

// The allocator of the gauntlet binary, so that the benchmark measures what the tool does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Bench<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    panel: &'a Panel,
    name: &'static str,
    /// The strategy alone (its indicators and decisions, no engine), or the whole backtest.
    alone: bool,
}

impl StrategyVisitor for Bench<'_, '_> {
    type Output = ();
    fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) {
        let panel = self.panel;
        if self.alone {
            let columns = panel_columns(panel);
            let flat = vec![0.0; columns.len()];
            self.group.bench_function(self.name, |b| {
                b.iter(|| {
                    let mut strategy = strategy.clone();
                    let mut intents = Intents::new();
                    let mut signals = 0usize;
                    for t in 0..panel.len() {
                        intents.clear();
                        let ctx = BarContext::new(&columns, t, &flat);
                        let _ = strategy.on_bar(&ctx, &mut intents);
                        signals += intents.as_slice().len();
                    }
                    signals
                })
            });
            return;
        }
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
    for (group_name, alone) in [
        ("strategies_10M_bars", false),
        ("strategies_10M_bars_strategy_only", true),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(10);
        group.throughput(Throughput::Elements(HEADLINE_BARS as u64));
        for info in CATALOG {
            let panel = if info.symbols == 2 { &two } else { &one };
            let bench = Bench {
                group: &mut group,
                panel,
                name: info.name,
                alone,
            };
            gauntlet_strategies::build(info.name, &info.space.defaults(), bench)
                .expect("the defaults build");
        }
        group.finish();
    }
}

criterion_group!(benches, strategies);
criterion_main!(benches);
