//! A fixed workload for counting instructions: on this shared machine the clock varies by a
//! third from hour to hour, instruction and branch-miss counts do not. `benches/count.sh` runs
//! this under `valgrind --tool=callgrind`, collecting only inside the backtest (or the sweep's
//! runs), and prints the counts per bar.
//!
//! `replay STRATEGY [BARS]`: the strategy at its defaults through the whole engine over `BARS`
//! one-minute synthetic bars (seed 42; a two-symbol strategy gets seed 43 beside it, as in the
//! `strategies` benchmark). `replay sweep [BARS]`: the 10 × 10 `sma_cross` grid of the
//! `validate` benchmark on one thread. Prints what the run produced, so that two builds can be
//! checked to give the same results.

use gauntlet_benches::{grid_runner, minute_bars, minute_bars_seeded, sma_cross_grid};
use gauntlet_data::Panel;
use gauntlet_engine::metrics::infer_periods_per_year;
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyVisitor;
use gauntlet_validate::Annualization;
use gauntlet_validate::sweep::sweep;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the strategy it is given over the panel.
struct Backtest<'a>(&'a Panel);

impl StrategyVisitor for Backtest<'_> {
    type Output = String;
    fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) -> String {
        let result = run_backtest(
            self.0,
            strategy,
            SimulatedBroker::new(CostModel::free()),
            RiskConfig::unlimited(),
            EngineConfig::default(),
        );
        format!(
            "final equity {:.9}, {} orders, {} trades",
            result.final_equity(),
            result.orders.len(),
            result.trades.len()
        )
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let name = args.next().ok_or("usage: replay STRATEGY|sweep [BARS]")?;
    let bars = match args.next() {
        Some(bars) => bars.parse().map_err(|e| format!("BARS: {e}"))?,
        None => 200_000,
    };
    let line = if name == "sweep" {
        grid(bars)?
    } else {
        let info = gauntlet_strategies::info(&name).map_err(|e| e.to_string())?;
        let panel = if info.symbols == 2 {
            Panel::align(vec![minute_bars(bars), minute_bars_seeded(bars, 43)])
                .map_err(|e| e.to_string())?
        } else {
            Panel::single(minute_bars(bars))
        };
        gauntlet_strategies::build(&name, &info.space.defaults(), Backtest(&panel))
            .map_err(|e| e.to_string())?
    };
    println!("{name} over {bars} bars: {line}");
    Ok(())
}

/// The grid of the `validate` benchmark, on one thread.
fn grid(bars: usize) -> Result<String, String> {
    let sets = sma_cross_grid();
    let panel = Panel::single(minute_bars(bars));
    let annual = Annualization::new(infer_periods_per_year(panel.ts()));
    let runner = grid_runner(&panel);
    let rows = sweep(&runner, "sma_cross", &sets, panel.len(), annual, 1, &|| {})
        .map_err(|e| e.to_string())?;
    let total: f64 = rows.iter().map(|r| r.performance.total_return).sum();
    Ok(format!(
        "{} sets, sum of total returns {total:.12}",
        rows.len()
    ))
}
