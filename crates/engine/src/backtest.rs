//! The backtest: the step function over every bar of a panel.

use gauntlet_data::{BarSeries, Panel};
use gauntlet_risk::{Halt, RiskConfig};
use gauntlet_strategy::{BarColumns, Strategy};

use crate::broker::Broker;
use crate::engine::{BarSet, Engine, EngineConfig, StrategyFailure};
use crate::portfolio::OpenPosition;
use crate::records::{Fill, OrderRecord, Trade};

/// Everything a backtest produced.
#[derive(Debug, Clone)]
pub struct BacktestResult {
    /// Starting cash.
    pub initial_capital: f64,
    /// Equity at every close, one per bar of the clock.
    pub equity: Vec<f64>,
    /// Bars that closed with a position open.
    pub exposed_bars: usize,
    /// Closed trades, in the order they closed.
    pub trades: Vec<Trade>,
    /// How many of the last `trades` the end of a validation window closed (positions still
    /// open at its last bar, closed at its close); 0 for a whole backtest.
    pub window_end_trades: usize,
    /// Positions still open after the last bar (not counted as trades).
    pub open_positions: Vec<OpenPosition>,
    /// Every fill.
    pub fills: Vec<Fill>,
    /// Every order, with its fate.
    pub orders: Vec<OrderRecord>,
    /// Every halt.
    pub halts: Vec<Halt>,
    /// Intents the risk manager refused.
    pub refusals: Vec<gauntlet_risk::Refusal>,
    /// Strategy errors.
    pub failures: Vec<StrategyFailure>,
    /// Commissions paid.
    pub fees_paid: f64,
    /// Borrow fees paid on short positions.
    pub borrow_paid: f64,
}

impl BacktestResult {
    /// Equity after the last bar.
    pub fn final_equity(&self) -> f64 {
        self.equity.last().copied().unwrap_or(self.initial_capital)
    }
}

/// The columns of `series`, borrowed as a strategy sees them.
pub fn series_columns(series: &BarSeries) -> BarColumns<'_> {
    BarColumns {
        ts: series.ts(),
        open: series.open(),
        high: series.high(),
        low: series.low(),
        close: series.close(),
        volume: series.volume(),
    }
}

/// Borrowed columns of every series of `panel`.
pub fn panel_columns(panel: &Panel) -> Vec<BarColumns<'_>> {
    panel.series().iter().map(series_columns).collect()
}

/// Runs `strategy` over every bar of `panel`.
pub fn run_backtest<S: Strategy, B: Broker>(
    panel: &Panel,
    strategy: S,
    broker: B,
    risk: RiskConfig,
    config: EngineConfig,
) -> BacktestResult {
    let columns = panel_columns(panel);
    let present: Vec<Option<&[bool]>> = (0..columns.len()).map(|s| panel.presence(s)).collect();
    let bars = BarSet {
        columns: &columns,
        present: &present,
        first: 0,
    };
    let mut engine = Engine::new(strategy, broker, risk, config, columns.len(), panel.len());
    for t in 0..panel.len() {
        engine.step(&bars, t);
    }
    engine.finish()
}

/// Bars of a panel that one validation run covers: the strategy sees `warm_from..end`, and
/// trades from `start` on (`warm_from <= start < end`); the bars before `start` only warm its
/// indicators up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunWindow {
    /// First bar the strategy sees.
    pub warm_from: usize,
    /// First bar whose intents may become orders.
    pub start: usize,
    /// One past the last bar.
    pub end: usize,
}

/// Runs `strategy` over `window` of the borrowed panel `bars`, then closes out at the last
/// close (see [`Engine::close_out`]). Bar indices in the result count from `window.warm_from`;
/// its equity has one point per bar of the window, warm-up included, recorded into `equity`
/// (emptied first): a caller running window after window hands back the previous curve so
/// that each run does not fault in fresh pages for a new one (a tenth of a sweep's time).
pub fn run_window<S: Strategy, B: Broker>(
    bars: BarSet<'_>,
    window: RunWindow,
    strategy: S,
    broker: B,
    risk: RiskConfig,
    initial_capital: f64,
    equity: Vec<f64>,
) -> BacktestResult {
    let RunWindow {
        warm_from,
        start,
        end,
    } = window;
    assert!(warm_from <= start && start < end, "a window of no bars");
    let columns: Vec<BarColumns<'_>> = bars
        .columns
        .iter()
        .map(|c| c.range(warm_from..end))
        .collect();
    let present: Vec<Option<&[bool]>> = bars
        .present
        .iter()
        .map(|p| p.map(|p| &p[warm_from..end]))
        .collect();
    let bars = BarSet {
        columns: &columns,
        present: &present,
        first: 0,
    };
    let config = EngineConfig {
        initial_capital,
        trade_from: start - warm_from,
    };
    let bar_count = end - warm_from;
    let mut engine = Engine::new(strategy, broker, risk, config, columns.len(), bar_count);
    let mut equity = equity;
    equity.clear();
    equity.reserve(bar_count);
    engine.equity = equity;
    for t in 0..bar_count {
        engine.step(&bars, t);
    }
    let before = engine.trades.len();
    engine.close_out(&bars, bar_count - 1);
    let window_end_trades = engine.trades.len() - before;
    BacktestResult {
        window_end_trades,
        ..engine.finish()
    }
}

impl<S: Strategy, B: Broker> Engine<S, B> {
    /// Ends the run: orders still waiting stay pending, open positions are listed.
    pub fn finish(self) -> BacktestResult {
        let open_positions = self.portfolio().open_positions();
        let fees_paid = self.portfolio().fees_paid();
        let borrow_paid = self.portfolio().borrow_paid();
        let halts = self.risk().halts().to_vec();
        let refusals = self.risk().refusals().to_vec();
        let initial_capital = self.config_initial_capital();
        BacktestResult {
            initial_capital,
            equity: self.equity,
            exposed_bars: self.exposed_bars,
            trades: self.trades,
            window_end_trades: 0,
            open_positions,
            fills: self.fills,
            orders: self.orders,
            halts,
            refusals,
            failures: self.failures,
            fees_paid,
            borrow_paid,
        }
    }
}
