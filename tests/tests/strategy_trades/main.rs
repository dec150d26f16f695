//! Every strategy on a small bar series made by hand, through the engine: the entries and
//! exits worked out by hand in each module's comments must be exactly the trades the engine
//! records. Unlimited risk (all-in), no costs, fractional shares, so the only thing decided
//! is when.

mod mean_reversion;
mod momentum;
mod pairs;
mod rsi_divergence;
mod volume_breakout;
mod vwap;

use gauntlet_data::{BarSeries, Panel};
use gauntlet_engine::{BacktestResult, CostModel, EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_risk::RiskConfig;
use gauntlet_strategy::Strategy;

const DAY_MS: i64 = 86_400_000;

/// A closed trade as the tests state it: symbol index, long or short, entry and exit bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Symbol index.
    pub symbol: usize,
    /// Long (true) or short.
    pub long: bool,
    /// Bar of the entry fill (the signal bar + 1: market orders fill at the next open).
    pub entry: usize,
    /// Bar of the exit fill.
    pub exit: usize,
}

/// A long trade of symbol 0 filled at the open of `entry` and closed at the open of `exit`.
pub fn long(entry: usize, exit: usize) -> Span {
    Span {
        symbol: 0,
        long: true,
        entry,
        exit,
    }
}

/// A short trade of symbol 0.
pub fn short(entry: usize, exit: usize) -> Span {
    Span {
        symbol: 0,
        long: false,
        entry,
        exit,
    }
}

/// Bars with open = high = low = close (one price per bar), volume 1,000, one a day.
pub fn flat_bars(symbol: &str, closes: &[f64]) -> BarSeries {
    let rows: Vec<_> = closes.iter().map(|&c| (c, c, c, c, 1_000.0)).collect();
    bars(symbol, &rows)
}

/// Bars from `(open, high, low, close, volume)` rows, one a day.
pub fn bars(symbol: &str, rows: &[(f64, f64, f64, f64, f64)]) -> BarSeries {
    let ts = (0..rows.len() as i64).map(|d| d * DAY_MS).collect();
    BarSeries::from_columns(
        symbol,
        ts,
        rows.iter().map(|r| r.0).collect(),
        rows.iter().map(|r| r.1).collect(),
        rows.iter().map(|r| r.2).collect(),
        rows.iter().map(|r| r.3).collect(),
        rows.iter().map(|r| r.4).collect(),
    )
}

/// Runs `strategy` over `series` (one per symbol, same dates) through the engine.
pub fn run<S: Strategy>(strategy: S, series: Vec<BarSeries>) -> BacktestResult {
    let panel = Panel::align(series).expect("hand-made series align");
    run_backtest(
        &panel,
        strategy,
        SimulatedBroker::new(CostModel::free()),
        RiskConfig::unlimited(),
        EngineConfig::default(),
    )
}

/// The closed trades of a run, as spans.
pub fn spans(result: &BacktestResult) -> Vec<Span> {
    result
        .trades
        .iter()
        .map(|t| Span {
            symbol: t.symbol,
            long: t.long,
            entry: t.entry_bar,
            exit: t.exit_bar,
        })
        .collect()
}
