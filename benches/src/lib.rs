//! Inputs shared by the benchmarks: the synthetic series they run on.

use gauntlet_data::BarSeries;
use gauntlet_data::synth::{Interval, SynthSpec, generate};

/// Bars in the headline benchmark (the 10 million).
pub const HEADLINE_BARS: usize = 10_000_000;

/// `bars` one-minute synthetic bars, seed 42: what `gauntlet synth --bars N --seed 42
/// --interval minute` writes.
pub fn minute_bars(bars: usize) -> BarSeries {
    minute_bars_seeded(bars, 42)
}

/// `bars` one-minute synthetic bars from `seed`, named `synth-<seed>`.
pub fn minute_bars_seeded(bars: usize, seed: u64) -> BarSeries {
    let mut spec = SynthSpec::daily(bars, seed);
    spec.interval = Interval::Minute;
    let mut series = generate(&spec);
    series.set_symbol(format!("synth-{seed}"));
    series
}

/// The grid of issue 4's benchmark, as `gauntlet sweep --strategy sma_cross --grid
/// fast=5:50:5 --grid slow=60:240:20` enumerates it: 100 parameter sets.
pub fn sma_cross_grid() -> Vec<gauntlet_strategy::Params> {
    use gauntlet_validate::grid::{enumerate, parse_axis};
    use gauntlet_validate::spec::GridAxis;

    let info = gauntlet_strategies::info("sma_cross").expect("sma_cross is in the catalog");
    let axes: Vec<GridAxis> = [("fast", "5:50:5"), ("slow", "60:240:20")]
        .into_iter()
        .map(|(name, values)| {
            let spec = info.space.spec(name).expect("sma_cross has this parameter");
            GridAxis {
                spec,
                values: parse_axis(spec, values).expect("the axis is in range"),
            }
        })
        .collect();
    enumerate(&info.space.defaults(), &axes)
}

/// A sweep runner over `panel` with the grid benchmark's settings: no costs, fractional
/// shares, no risk limits, 100,000 of capital, every bar.
pub fn grid_runner(panel: &gauntlet_data::Panel) -> gauntlet_validate::cells::Runner<'_> {
    gauntlet_validate::cells::Runner::new(
        panel,
        0,
        gauntlet_engine::CostModel::free(),
        false,
        gauntlet_risk::RiskConfig::unlimited(),
        100_000.0,
    )
}
