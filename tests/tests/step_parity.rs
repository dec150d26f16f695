//! The step function driven bar by bar, as a live feed would drive it (the series grows by one
//! bar before each step), gives exactly the fills of the batch backtest.

use gauntlet_data::{BarSeries, Panel};
use gauntlet_engine::{
    BarSet, CostModel, Engine, EngineConfig, Fill, SimulatedBroker, run_backtest, series_columns,
};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::SmaCross;
use gauntlet_tests::{COSTS, shipped};

fn bar_by_bar(history: &BarSeries, risk: RiskConfig, broker: SimulatedBroker) -> Vec<Fill> {
    let mut engine = Engine::new(
        SmaCross::new(10, 30, false),
        broker,
        risk,
        EngineConfig::default(),
        1,
        0,
    );
    let mut live = BarSeries::new(history.symbol());
    for t in 0..history.len() {
        live.push(history.bar(t));
        let cols = [series_columns(&live)];
        let bars = BarSet {
            columns: &cols,
            present: &[None],
            first: 0,
        };
        engine.step(&bars, t);
    }
    engine.fills().to_vec()
}

/// Returns the batch run's halts, so a caller can make sure its case reaches them.
fn check(risk: RiskConfig, costs: CostModel) -> usize {
    let bars = shipped("sp500_daily.csv");
    let broker = SimulatedBroker::new(costs);
    let batch = run_backtest(
        &Panel::single(bars.clone()),
        SmaCross::new(10, 30, false),
        broker,
        risk,
        EngineConfig::default(),
    );
    let live = bar_by_bar(&bars, risk, broker);
    assert!(!batch.fills.is_empty());
    assert_eq!(live, batch.fills);
    batch.halts.len()
}

#[test]
fn live_stepping_matches_the_batch_run() {
    check(RiskConfig::unlimited(), CostModel::free());
}

#[test]
fn live_stepping_matches_with_stops_and_costs() {
    let risk = RiskConfig::load(&gauntlet_tests::root().join("strategies/risk/conservative.toml"))
        .expect("shipped profile");
    check(risk, COSTS);
}

#[test]
fn live_stepping_matches_through_halts() {
    // All-in with a 1% daily loss limit: the S&P 500 moves more than that on many days.
    let risk = RiskConfig::from_toml(
        "max_daily_loss = 0.01\nmax_total_drawdown = 0.25\nstop_loss_pct = 0.05\n",
        "aggressive",
    )
    .expect("valid");
    let halts = check(risk, COSTS);
    assert!(
        halts > 0,
        "the case should reach the halts it is meant to test"
    );
}

/// `pairs` on the two shipped files, fed one bar of each at a time: the same fills as the
/// batch run, borrow and the neutrality cuts included.
#[test]
fn live_stepping_matches_for_a_two_symbol_pair() {
    let history = [shipped("sp500_daily.csv"), shipped("nasdaq_daily.csv")];
    let strategy = || {
        gauntlet_strategies::Pairs::from_params(&gauntlet_strategies::pairs::SPACE.defaults())
            .expect("defaults")
    };
    let broker = SimulatedBroker::new(COSTS);
    let panel = Panel::align(history.to_vec()).expect("same dates");
    let batch = run_backtest(
        &panel,
        strategy(),
        broker,
        RiskConfig::unlimited(),
        EngineConfig::default(),
    );
    let mut engine = Engine::new(
        strategy(),
        broker,
        RiskConfig::unlimited(),
        EngineConfig::default(),
        2,
        0,
    );
    let mut live = [
        BarSeries::new(history[0].symbol()),
        BarSeries::new(history[1].symbol()),
    ];
    for t in 0..panel.len() {
        for (series, full) in live.iter_mut().zip(&history) {
            series.push(full.bar(t));
        }
        let cols = [series_columns(&live[0]), series_columns(&live[1])];
        let bars = BarSet {
            columns: &cols,
            present: &[None, None],
            first: 0,
        };
        engine.step(&bars, t);
    }
    assert!(batch.fills.iter().any(|f| f.symbol == 1));
    assert_eq!(engine.fills(), batch.fills.as_slice());
}
