//! The classic optimization: every parameter set over the whole data, once, on its own. Each
//! run's metrics are kept and its bars dropped, so memory stays flat in the number of sets.

use gauntlet_strategy::Params;
use rayon::prelude::*;
use serde::Serialize;

use crate::cells::Runner;
use crate::curves::CurvePool;
use crate::grid::ParamSet;
use crate::performance::{Annualization, Performance};
use crate::trades::TradeStats;
use crate::walkforward::ValidateError;

/// One parameter set's result over the whole data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    /// Grid index.
    pub set: usize,
    /// The parameters.
    pub parameters: ParamSet,
    /// Return metrics.
    pub performance: Performance,
    /// Trade metrics.
    pub trades: TradeStats,
    /// Bars with a position open, over bars.
    pub exposure: f64,
}

/// Runs every set of `sets` of `strategy` over all bars of `runner`'s panel (`bars` of them) on
/// `threads` threads; `tick` is called after each run.
pub fn sweep(
    runner: &Runner<'_>,
    strategy: &str,
    sets: &[Params],
    bars: usize,
    annual: Annualization,
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, ValidateError> {
    let pool = crate::walkforward::thread_pool(threads)?;
    let range = runner.first_bar..bars;
    let curves = CurvePool::default();
    Ok(pool.install(|| {
        sets.par_iter()
            .enumerate()
            .map(|(set, params)| {
                let buffer = curves.take();
                let run =
                    runner.run_reusing(strategy, params, std::slice::from_ref(&range), buffer);
                tick();
                let row = SweepRow {
                    set,
                    parameters: ParamSet(params.clone()),
                    performance: Performance::with_pass(&run.returns, run.pass.as_ref(), annual).0,
                    trades: TradeStats::of_trades(&run.trades),
                    exposure: if run.returns.is_empty() {
                        0.0
                    } else {
                        run.exposed_bars as f64 / run.returns.len() as f64
                    },
                };
                curves.give(run.returns);
                row
            })
            .collect()
    }))
}
