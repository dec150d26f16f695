//! One cell of the plan: one parameter set run over one set of bar ranges.
//!
//! Each contiguous range is its own run: the strategy is built fresh, sees the `warmup` bars
//! before the range (or as many as the data has) without trading, trades inside the range,
//! and closes out at the range's last close. A signal given during the warm-up is not acted
//! on: the range starts flat. The returns of the runs are concatenated, one per bar of the
//! ranges, the first bar of each range measured from the starting capital.

use std::ops::Range;

use gauntlet_engine::{
    BacktestResult, BarSet, CostModel, RunWindow, SimulatedBroker, Trade, panel_columns, run_window,
};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyVisitor;
use gauntlet_strategy::{BarColumns, Params};

/// What a cell keeps of its runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellRun {
    /// One return per bar of the ranges, in order.
    pub returns: Vec<f64>,
    /// Closed trades, in the order they closed.
    pub trades: Vec<Trade>,
    /// Bars of the ranges that closed with a position open.
    pub exposed_bars: usize,
}

/// The parameter-independent part of every run: the panel's columns and the run settings.
pub struct Runner<'a> {
    /// Columns of every symbol (the whole panel).
    pub columns: Vec<BarColumns<'a>>,
    /// Which bars are real, per symbol.
    pub present: Vec<Option<&'a [bool]>>,
    /// First bar a warm-up may reach back to (the start of the spec's date range).
    pub first_bar: usize,
    /// Costs.
    pub costs: CostModel,
    /// Whole shares only.
    pub whole_shares: bool,
    /// Risk profile.
    pub risk: RiskConfig,
    /// Starting cash of every run.
    pub capital: f64,
}

impl<'a> Runner<'a> {
    /// A runner over `panel`.
    pub fn new(
        panel: &'a gauntlet_data::Panel,
        first_bar: usize,
        costs: CostModel,
        whole_shares: bool,
        risk: RiskConfig,
        capital: f64,
    ) -> Runner<'a> {
        Runner {
            columns: panel_columns(panel),
            present: (0..panel.series().len())
                .map(|s| panel.presence(s))
                .collect(),
            first_bar,
            costs,
            whole_shares,
            risk,
            capital,
        }
    }

    /// The strategy's warm-up for `params` (the strategy named `strategy`).
    pub fn warmup(strategy: &str, params: &Params) -> usize {
        struct Warmup;
        impl StrategyVisitor for Warmup {
            type Output = usize;
            fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) -> usize {
                strategy.warmup()
            }
        }
        gauntlet_strategies::build(strategy, params, Warmup).unwrap_or(0)
    }

    /// Runs `params` over each of `ranges` (absolute bar indices of the panel).
    pub fn run(&self, strategy: &str, params: &Params, ranges: &[Range<usize>]) -> CellRun {
        self.run_reusing(strategy, params, ranges, Vec::new())
    }

    /// [`Runner::run`], recording into `buffer` (a previous cell's returns, handed back once
    /// used) instead of fresh memory.
    pub fn run_reusing(
        &self,
        strategy: &str,
        params: &Params,
        ranges: &[Range<usize>],
        buffer: Vec<f64>,
    ) -> CellRun {
        let total = ranges.iter().map(|r| r.len()).sum();
        let mut cell = CellRun::default();
        let mut spare = buffer;
        for range in ranges {
            let visitor = Window {
                runner: self,
                range: range.clone(),
                equity: std::mem::take(&mut spare),
            };
            let Ok((result, warm_from)) = gauntlet_strategies::build(strategy, params, visitor)
            else {
                // Parameter sets are checked before any cell runs.
                continue;
            };
            spare = absorb(
                &mut cell,
                result,
                range.start - warm_from,
                self.capital,
                total,
            );
        }
        cell
    }
}

struct Window<'r, 'a> {
    runner: &'r Runner<'a>,
    range: Range<usize>,
    equity: Vec<f64>,
}

impl StrategyVisitor for Window<'_, '_> {
    type Output = (BacktestResult, usize);
    fn visit<S: gauntlet_strategies::CatalogStrategy>(
        self,
        strategy: S,
    ) -> (BacktestResult, usize) {
        let runner = self.runner;
        let warm_from = self
            .range
            .start
            .saturating_sub(strategy.warmup())
            .max(runner.first_bar)
            .min(self.range.start);
        let window = RunWindow {
            warm_from,
            start: self.range.start,
            end: self.range.end,
        };
        let broker = SimulatedBroker {
            costs: runner.costs,
            fractional: !runner.whole_shares,
        };
        let bars = BarSet {
            columns: &runner.columns,
            present: &runner.present,
            first: 0,
        };
        let result = run_window(
            bars,
            window,
            strategy,
            broker,
            runner.risk,
            runner.capital,
            self.equity,
        );
        (result, warm_from)
    }
}

/// Adds one window's returns and trades to `cell` (whose ranges hold `total` bars); trading
/// starts at `offset` in the window's equity. The returns are written over the equity curve
/// itself, which becomes the cell's returns when it is the first window (a sweep run over a
/// million bars takes no second buffer); otherwise it is handed back for the next window.
fn absorb(
    cell: &mut CellRun,
    result: BacktestResult,
    offset: usize,
    capital: f64,
    total: usize,
) -> Vec<f64> {
    let mut returns = result.equity;
    let mut previous = capital;
    for i in offset..returns.len() {
        let equity = returns[i];
        returns[i - offset] = if previous > 0.0 {
            equity / previous - 1.0
        } else {
            0.0
        };
        previous = equity;
    }
    returns.truncate(returns.len() - offset);
    cell.trades.extend_from_slice(&result.trades);
    cell.exposed_bars += result.exposed_bars;
    if cell.returns.capacity() == 0 {
        returns.reserve(total.saturating_sub(returns.len()));
        cell.returns = returns;
        Vec::new()
    } else {
        cell.returns.extend_from_slice(&returns);
        returns
    }
}
