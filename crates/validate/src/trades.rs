//! Statistics of a list of closed trades: win rate with its 95% Wilson and Clopper-Pearson
//! intervals, profit factor and average duration.
//!
//! - Wilson score interval (Wilson, 1927): `(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`
//!   with `z = Φ⁻¹(0.975)`;
//! - Clopper-Pearson (1934), exact: `[B(α/2; k, n-k+1), B(1-α/2; k+1, n-k)]` with `B` the
//!   beta quantile, 0 when `k = 0` and 1 when `k = n`.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::stat::{Stat, Undefined};

/// Two-sided confidence level of every interval reported.
pub const CONFIDENCE: f64 = 0.95;

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: Stat,
    /// Upper bound.
    pub high: Stat,
}

impl Interval {
    /// An interval with no bounds, for `reason`.
    pub fn undefined(reason: Undefined) -> Interval {
        Interval {
            low: Stat::Undefined(reason),
            high: Stat::Undefined(reason),
        }
    }

    /// `[low, high]`.
    pub fn new(low: f64, high: f64) -> Interval {
        Interval {
            low: Stat::Value(low),
            high: Stat::Value(high),
        }
    }
}

/// A trade as the statistics see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeOutcome {
    /// Net profit or loss, fees included.
    pub pnl: f64,
    /// Bars from the entry fill to the exit fill.
    pub bars_held: usize,
}

/// The trade statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TradeStats {
    /// Closed trades.
    pub trades: usize,
    /// Trades with net PnL above zero.
    pub wins: usize,
    /// `wins / trades`.
    pub win_rate: Stat,
    /// 95% Wilson score interval of the win rate.
    pub win_rate_wilson: Interval,
    /// 95% Clopper-Pearson interval of the win rate.
    pub win_rate_clopper_pearson: Interval,
    /// Sum of winning PnL over the absolute sum of losing PnL.
    pub profit_factor: Stat,
    /// Mean bars held.
    pub average_bars_held: Stat,
}

impl TradeStats {
    /// The statistics of the engine's closed `trades`, counted as round trips: the legs a
    /// strategy entered together, and their partial exits, are one trade (see
    /// [`gauntlet_engine::RoundTrip`]).
    pub fn of_trades(trades: &[gauntlet_engine::Trade]) -> TradeStats {
        // One position at a time, never cut (every strategy of one symbol but a cutting one):
        // each trade is its own round trip, and a sweep's thousands of runs skip the grouping.
        let one_each = trades.windows(2).all(|w| w[0].entry_ts < w[1].entry_ts);
        let outcomes: Vec<TradeOutcome> = if one_each {
            trades
                .iter()
                .map(|t| TradeOutcome {
                    pnl: t.pnl,
                    bars_held: t.bars_held(),
                })
                .collect()
        } else {
            gauntlet_engine::RoundTrip::of(trades)
                .iter()
                .map(|t| TradeOutcome {
                    pnl: t.pnl,
                    bars_held: t.bars_held(),
                })
                .collect()
        };
        TradeStats::of(&outcomes)
    }

    /// The statistics of `trades`.
    pub fn of(trades: &[TradeOutcome]) -> TradeStats {
        let n = trades.len();
        let wins = trades.iter().filter(|t| t.pnl > 0.0).count();
        if n == 0 {
            let none = Stat::Undefined(Undefined::NoTrades);
            return TradeStats {
                trades: 0,
                wins: 0,
                win_rate: none,
                win_rate_wilson: Interval::undefined(Undefined::NoTrades),
                win_rate_clopper_pearson: Interval::undefined(Undefined::NoTrades),
                profit_factor: none,
                average_bars_held: none,
            };
        }
        let gains: f64 = trades.iter().map(|t| t.pnl.max(0.0)).sum();
        let losses: f64 = trades.iter().map(|t| (-t.pnl).max(0.0)).sum();
        let profit_factor = if losses > 0.0 {
            Stat::Value(gains / losses)
        } else {
            Stat::Undefined(Undefined::NoLosses)
        };
        let held: usize = trades.iter().map(|t| t.bars_held).sum();
        TradeStats {
            trades: n,
            wins,
            win_rate: Stat::Value(wins as f64 / n as f64),
            win_rate_wilson: wilson(wins, n),
            win_rate_clopper_pearson: clopper_pearson(wins, n),
            profit_factor,
            average_bars_held: Stat::Value(held as f64 / n as f64),
        }
    }
}

/// `Φ⁻¹(1 - (1 - CONFIDENCE) / 2)`, 1.959963984540054 for 95%.
pub fn two_sided_z() -> f64 {
    standard_normal().inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0)
}

pub(crate) fn standard_normal() -> Normal {
    Normal::standard()
}

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: usize, n: usize) -> Interval {
    if n == 0 {
        return Interval::undefined(Undefined::NoTrades);
    }
    let (k, n) = (k as f64, n as f64);
    let z = two_sided_z();
    let p = k / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Interval::new((center - half).max(0.0), (center + half).min(1.0))
}

/// The 95% Clopper-Pearson (exact binomial) interval of `k` successes in `n` trials.
pub fn clopper_pearson(k: usize, n: usize) -> Interval {
    if n == 0 {
        return Interval::undefined(Undefined::NoTrades);
    }
    let alpha = 1.0 - CONFIDENCE;
    let quantile = |q: f64, a: f64, b: f64| {
        Beta::new(a, b)
            .map(|beta| beta.inverse_cdf(q))
            .unwrap_or(f64::NAN)
    };
    let low = if k == 0 {
        0.0
    } else {
        quantile(alpha / 2.0, k as f64, (n - k + 1) as f64)
    };
    let high = if k == n {
        1.0
    } else {
        quantile(1.0 - alpha / 2.0, (k + 1) as f64, (n - k) as f64)
    };
    Interval {
        low: Stat::finite_or(low, Undefined::TooFewObservations),
        high: Stat::finite_or(high, Undefined::TooFewObservations),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trades(pnls: &[f64]) -> Vec<TradeOutcome> {
        pnls.iter()
            .enumerate()
            .map(|(i, &pnl)| TradeOutcome {
                pnl,
                bars_held: i + 1,
            })
            .collect()
    }

    #[test]
    fn by_hand() {
        // Wins 30 and 10, losses -20 and 0 (a zero is not a win): win rate 2/4, profit factor
        // 40 / 20 = 2, bars held 1..4 average 2.5.
        let stats = TradeStats::of(&trades(&[30.0, -20.0, 10.0, 0.0]));
        assert_eq!((stats.trades, stats.wins), (4, 2));
        assert_eq!(stats.win_rate, Stat::Value(0.5));
        assert_eq!(stats.profit_factor, Stat::Value(2.0));
        assert_eq!(stats.average_bars_held, Stat::Value(2.5));
    }

    #[test]
    fn wilson_by_hand() {
        // k = 5 of n = 10, z = 1.959964: z² = 3.841459; center (0.5 + 0.192073) / 1.384146
        // = 0.5; half = 1.959964 / 1.384146 * sqrt(0.025 + 0.009604) = 0.263407: [0.236593,
        // 0.763407].
        let z: f64 = 1.959_963_984_540_054;
        assert!((two_sided_z() - z).abs() < 1e-9);
        let w = wilson(5, 10);
        let half = z / (1.0 + z * z / 10.0) * (0.025 + z * z / 400.0_f64).sqrt();
        assert!((w.low.value().unwrap_or(0.0) - (0.5 - half)).abs() < 1e-9);
        assert!((w.low.value().unwrap_or(0.0) - 0.236_593).abs() < 1e-6);
        assert!((w.high.value().unwrap_or(0.0) - 0.763_407).abs() < 1e-6);
    }

    #[test]
    fn all_wins_and_no_wins() {
        // Clopper-Pearson with k = n: lower bound (α/2)^(1/n); with k = 0 the upper bound is
        // 1 - (α/2)^(1/n). For n = 10: 0.025^(0.1) = 0.691503.
        let all = TradeStats::of(&trades(&[1.0; 10]));
        assert_eq!(all.win_rate, Stat::Value(1.0));
        assert_eq!(all.profit_factor, Stat::Undefined(Undefined::NoLosses));
        let cp = all.win_rate_clopper_pearson;
        assert!((cp.low.value().unwrap_or(0.0) - 0.025f64.powf(0.1)).abs() < 1e-9);
        assert_eq!(cp.high, Stat::Value(1.0));
        assert_eq!(all.win_rate_wilson.high, Stat::Value(1.0));
        let none = TradeStats::of(&trades(&[-1.0; 10]));
        assert_eq!(none.win_rate, Stat::Value(0.0));
        assert_eq!(none.profit_factor, Stat::Value(0.0));
        let cp = none.win_rate_clopper_pearson;
        assert_eq!(cp.low, Stat::Value(0.0));
        assert!((cp.high.value().unwrap_or(0.0) - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-9);
        let empty = TradeStats::of(&[]);
        assert_eq!(empty.win_rate, Stat::Undefined(Undefined::NoTrades));
    }
}
