//! A seeded stationary-bootstrap confidence interval for the Sharpe ratio (Politis and Romano,
//! "The Stationary Bootstrap", 1994).
//!
//! Each resample of `n` returns is drawn in blocks of random length, geometric with mean `L`:
//! the first index is uniform on `0..n`; each next index is, with probability `1/L`, a fresh
//! uniform index, else the one after the previous (wrapping around). The annualized Sharpe
//! ratio of each of `B` resamples is computed (resamples whose returns do not vary are left
//! out and counted), and the interval is the 2.5% and 97.5% quantiles of those ratios
//! (linear interpolation between order statistics, numpy's default).
//!
//! The random stream is ChaCha8 seeded with the seed; uniform indices are `⌊u × n / 2⁶⁴⌋` and
//! uniform fractions `(u >> 11) / 2⁵³` of its 64-bit outputs `u`, so a seed gives the same
//! interval on every machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::performance::per_period_sharpe;
use crate::stat::{Stat, Undefined};
use crate::trades::{CONFIDENCE, Interval};

/// How to resample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapConfig {
    /// Seed of the random stream.
    pub seed: u64,
    /// Resamples `B`.
    pub resamples: usize,
    /// Mean block length `L`, in periods.
    pub mean_block: f64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            seed: 42,
            resamples: 1000,
            mean_block: 10.0,
        }
    }
}

/// The interval and how it was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharpeInterval {
    /// The settings.
    pub config: BootstrapConfig,
    /// Resamples whose returns did not vary (no Sharpe ratio), left out.
    pub degenerate: usize,
    /// The 95% interval of the annualized Sharpe ratio.
    pub interval: Interval,
}

/// The stationary-bootstrap interval of the annualized Sharpe ratio of `returns`.
pub fn sharpe_interval(
    returns: &[f64],
    periods_per_year: f64,
    config: BootstrapConfig,
) -> SharpeInterval {
    let n = returns.len();
    let mut result = SharpeInterval {
        config,
        degenerate: 0,
        interval: Interval::undefined(Undefined::TooFewObservations),
    };
    if n < 2 || config.resamples == 0 {
        return result;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let restart = 1.0 / config.mean_block.max(1.0);
    let mut sample = vec![0.0; n];
    let mut ratios = Vec::with_capacity(config.resamples);
    for _ in 0..config.resamples {
        let mut index = uniform_index(&mut rng, n);
        for (k, slot) in sample.iter_mut().enumerate() {
            if k > 0 {
                index = if uniform_fraction(&mut rng) < restart {
                    uniform_index(&mut rng, n)
                } else {
                    (index + 1) % n
                };
            }
            *slot = returns[index];
        }
        match per_period_sharpe(&sample, 0.0) {
            Stat::Value(s) => ratios.push(s * periods_per_year.sqrt()),
            Stat::Undefined(_) => result.degenerate += 1,
        }
    }
    if ratios.len() >= 2 {
        ratios.sort_by(f64::total_cmp);
        let tail = (1.0 - CONFIDENCE) / 2.0;
        result.interval = Interval::new(quantile(&ratios, tail), quantile(&ratios, 1.0 - tail));
    } else {
        result.interval = Interval::undefined(Undefined::ZeroVariance);
    }
    result
}

fn uniform_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

fn uniform_fraction(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics at
/// position `q (n - 1)`; NaN for no values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let weight = position - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.975 of 1..=5 = 4.9.
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.975) - 4.9).abs() < 1e-12);
    }

    #[test]
    fn seeded_and_sensible() {
        // Returns alternate +2% and -1%: Sharpe is positive, and the interval must hold the
        // full-sample value; the same seed gives the same interval, another seed another.
        let returns: Vec<f64> = (0..500)
            .map(|i| if i % 2 == 0 { 0.02 } else { -0.01 } + (i % 7) as f64 * 1e-4)
            .collect();
        let full = per_period_sharpe(&returns, 0.0).value().unwrap_or(0.0) * 252f64.sqrt();
        let config = BootstrapConfig::default();
        let a = sharpe_interval(&returns, 252.0, config);
        let b = sharpe_interval(&returns, 252.0, config);
        assert_eq!(a, b);
        let (low, high) = (
            a.interval.low.value().unwrap_or(f64::NAN),
            a.interval.high.value().unwrap_or(f64::NAN),
        );
        assert!(low < full && full < high, "{low} {full} {high}");
        let other = sharpe_interval(&returns, 252.0, BootstrapConfig { seed: 7, ..config });
        assert_ne!(a.interval, other.interval);
    }
}
