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

use crate::performance::ReturnsPass;

/// What a cell keeps of its runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellRun {
    /// One return per bar of the ranges, in order.
    pub returns: Vec<f64>,
    /// Closed trades, in the order they closed.
    pub trades: Vec<Trade>,
    /// For each of `trades`, whether the end of its window closed it (see
    /// [`gauntlet_engine::BacktestResult::window_end_trades`]).
    pub closed_by_window_end: Vec<bool>,
    /// Bars of the ranges that closed with a position open.
    pub exposed_bars: usize,
    /// The returns' growth, drawdown and downside, taken as they were made (none for a run
    /// put together from others: its metrics then take their own pass).
    pub pass: Option<ReturnsPass>,
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
    /// Risk-free rate per period of the metrics the runs' returns are fed to as they are made
    /// (0; metrics with another rate take their own pass).
    pub risk_free: f64,
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
            risk_free: 0.0,
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
                (self.capital, self.risk_free),
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
/// starts at `offset` in the window's equity, with `capital` at the risk-free rate `risk_free`.
/// The returns are written over the equity curve itself, which becomes the cell's returns when
/// it is the first window (a sweep run over a million bars takes no second buffer); otherwise
/// it is handed back for the next window. Each return goes to the cell's pass as it is made.
fn absorb(
    cell: &mut CellRun,
    result: BacktestResult,
    offset: usize,
    (capital, risk_free): (f64, f64),
    total: usize,
) -> Vec<f64> {
    let mut returns = result.equity;
    let mut pass = cell
        .pass
        .take()
        .unwrap_or_else(|| ReturnsPass::new(risk_free));
    let mut previous = capital;
    for i in offset..returns.len() {
        let equity = returns[i];
        // Equity that did not move (no position open) returns exactly 0, as the division
        // would: the division is skipped on the bars that are flat, often half of them.
        let r = if equity != previous && previous > 0.0 {
            equity / previous - 1.0
        } else {
            0.0
        };
        returns[i - offset] = r;
        pass.push(r);
        previous = equity;
    }
    cell.pass = Some(pass);
    returns.truncate(returns.len() - offset);
    cell.trades.extend_from_slice(&result.trades);
    let first_forced = result.trades.len() - result.window_end_trades;
    cell.closed_by_window_end
        .extend((0..result.trades.len()).map(|i| i >= first_forced));
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

#[cfg(test)]
mod tests {
    use gauntlet_data::Panel;
    use gauntlet_data::synth::{SynthSpec, generate};
    use gauntlet_strategy::ParamValue;

    use super::*;
    use crate::performance::{Annualization, Performance};

    #[test]
    fn the_pass_taken_over_several_ranges_is_the_pass_over_their_returns() {
        let panel = Panel::single(generate(&SynthSpec::daily(600, 7)));
        let runner = Runner::new(
            &panel,
            0,
            CostModel::free(),
            false,
            RiskConfig::unlimited(),
            100_000.0,
        );
        let mut params = gauntlet_strategies::info("sma_cross")
            .expect("sma_cross")
            .space
            .defaults();
        params.set("fast", ParamValue::Int(5));
        params.set("slow", ParamValue::Int(20));
        let run = runner.run("sma_cross", &params, &[100..300, 350..600]);
        assert_eq!(run.returns.len(), 450);
        assert!(run.trades.len() > 3, "{} trades", run.trades.len());
        let annual = Annualization::new(252.0);
        assert_eq!(
            Performance::with_pass(&run.returns, run.pass.as_ref(), annual),
            Performance::with_sharpe(&run.returns, None, annual)
        );
    }
}
