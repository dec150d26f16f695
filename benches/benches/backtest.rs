//! The `sma_cross` 10/30 backtest on 10 million synthetic bars, in memory, one thread:
//! indicators, the step function, risk vetting and accounting, all included.
//!
//! Run: `cargo bench -p gauntlet-benches --bench backtest`; results go in benches/README.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_benches::{HEADLINE_BARS, minute_bars};
use gauntlet_data::Panel;
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, run_backtest, series_columns};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::SmaCross;
use gauntlet_strategy::{BarContext, Intents, Strategy};

// The allocator of the gauntlet binary, so that the benchmark measures what the tool does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sma_cross(c: &mut Criterion) {
    let panel = Panel::single(minute_bars(HEADLINE_BARS));
    let mut group = c.benchmark_group("sma_cross_10_30");
    group.sample_size(10);
    group.throughput(Throughput::Elements(HEADLINE_BARS as u64));
    group.bench_function("10M bars, unlimited, no costs", |b| {
        b.iter(|| {
            run_backtest(
                &panel,
                SmaCross::new(10, 30, false),
                SimulatedBroker::new(CostModel::free()),
                RiskConfig::unlimited(),
                EngineConfig::default(),
            )
        })
    });
    group.bench_function("10M bars, conservative risk, 10 bps", |b| {
        let risk = RiskConfig::from_toml(
            "max_daily_loss = 0.02\nmax_total_drawdown = 0.10\nmax_portfolio_heat = 0.25\n\
             max_single_position_risk = 0.02\nstop_loss_pct = 0.03\n\
             [sizing]\nmethod = \"risk\"\nmin_notional = 500.0\nmax_notional = 5000.0",
            "conservative",
        )
        .expect("valid");
        b.iter(|| {
            run_backtest(
                &panel,
                SmaCross::new(10, 30, false),
                SimulatedBroker::new(CostModel {
                    commission_bps: 10.0,
                    ..CostModel::free()
                }),
                risk,
                EngineConfig::default(),
            )
        })
    });
    group.bench_function(
        "10M bars, engine with every entry refused (no orders)",
        |b| {
            // min_notional above any equity: the risk manager refuses every entry, so this is the
            // step's cost without orders, fills or records.
            let risk = RiskConfig::from_toml("[sizing]\nmin_notional = 1e15", "refuse-all")
                .expect("valid");
            b.iter(|| {
                run_backtest(
                    &panel,
                    SmaCross::new(10, 30, false),
                    SimulatedBroker::new(CostModel::free()),
                    risk,
                    EngineConfig::default(),
                )
            })
        },
    );
    group.bench_function("10M bars, strategy and indicators only (no engine)", |b| {
        let series = &panel.series()[0];
        let columns = [series_columns(series)];
        b.iter(|| {
            let mut strategy = SmaCross::new(10, 30, false);
            let mut intents = Intents::new();
            let mut signals = 0usize;
            for t in 0..series.len() {
                intents.clear();
                let ctx = BarContext::new(&columns, t, &[0.0]);
                let _ = strategy.on_bar(&ctx, &mut intents);
                signals += intents.as_slice().len();
            }
            signals
        })
    });
    group.finish();
}

criterion_group!(benches, sma_cross);
criterion_main!(benches);
