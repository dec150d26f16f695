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
