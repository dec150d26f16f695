//! Is a Sharpe ratio real? The Probabilistic Sharpe Ratio (Bailey and López de Prado, 2012) and
//! the Deflated Sharpe Ratio (Bailey and López de Prado, 2014).
//!
//! Both work with the per-period (not annualized) Sharpe ratio `SR` of `T` returns whose
//! population skewness is `γ3` and whose (non-excess) kurtosis is `γ4`:
//!
//! `PSR(SR*) = Φ((SR - SR*) sqrt(T - 1) / sqrt(1 - γ3 SR + (γ4 - 1) / 4 SR²))`,
//!
//! the probability that the true Sharpe ratio exceeds `SR*`. DSR is `PSR(SR0)` with `SR0` the
//! Sharpe ratio that the best of `N` independent trials would show by luck alone:
//!
//! `SR0 = sqrt(V) ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)))`,
//!
//! `V` the variance (ddof = 1) of the trials' per-period Sharpe ratios and `γ` the
//! Euler-Mascheroni constant.

use serde::Serialize;
use statrs::distribution::ContinuousCDF;

use crate::performance::mean;
use crate::stat::{Stat, Undefined};
use crate::trades::standard_normal;

/// The Euler-Mascheroni constant.
pub const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;

/// Third and fourth standardized moments with population (divide-by-n) moments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    /// Skewness `m3 / m2^1.5`.
    pub skewness: Stat,
    /// Kurtosis `m4 / m2²` (3 for a normal distribution; not the excess).
    pub kurtosis: Stat,
}

impl Moments {
    /// The moments of `values`.
    pub fn of(values: &[f64]) -> Moments {
        if values.len() < 2 {
            let few = Stat::Undefined(Undefined::TooFewObservations);
            return Moments {
                skewness: few,
                kurtosis: few,
            };
        }
        let n = values.len() as f64;
        let m = mean(values);
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for v in values {
            let d = v - m;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
        let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
        if m2 <= 0.0 || crate::performance::all_equal(values) {
            let flat = Stat::Undefined(Undefined::ZeroVariance);
            return Moments {
                skewness: flat,
                kurtosis: flat,
            };
        }
        Moments {
            skewness: Stat::Value(m3 / m2.powf(1.5)),
            kurtosis: Stat::Value(m4 / (m2 * m2)),
        }
    }
}

/// What PSR needs to know of a track record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharpeSample {
    /// Per-period Sharpe ratio.
    pub sharpe: f64,
    /// Number of returns `T`.
    pub periods: usize,
    /// Population skewness.
    pub skewness: f64,
    /// Kurtosis (not the excess).
    pub kurtosis: f64,
}

impl SharpeSample {
    /// The per-period Sharpe ratio, length and moments of `returns`; the reason when one of
    /// them is undefined.
    pub fn of(returns: &[f64]) -> Result<SharpeSample, Undefined> {
        let moments = Moments::of(returns);
        match (
            crate::performance::per_period_sharpe(returns, 0.0),
            moments.skewness,
            moments.kurtosis,
        ) {
            (Stat::Value(sharpe), Stat::Value(skewness), Stat::Value(kurtosis)) => {
                Ok(SharpeSample {
                    sharpe,
                    periods: returns.len(),
                    skewness,
                    kurtosis,
                })
            }
            (Stat::Undefined(why), _, _)
            | (_, Stat::Undefined(why), _)
            | (_, _, Stat::Undefined(why)) => Err(why),
        }
    }
}

/// The Probabilistic Sharpe Ratio against the benchmark Sharpe ratio `threshold` (per period).
pub fn probabilistic_sharpe(sample: SharpeSample, threshold: f64) -> Stat {
    let SharpeSample {
        sharpe,
        periods,
        skewness,
        kurtosis,
    } = sample;
    if periods < 2 {
        return Stat::Undefined(Undefined::TooFewObservations);
    }
    let spread = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe;
    if spread.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Stat::Undefined(Undefined::ZeroVariance);
    }
    let z = (sharpe - threshold) * ((periods - 1) as f64).sqrt() / spread.sqrt();
    Stat::finite_or(standard_normal().cdf(z), Undefined::ZeroVariance)
}

/// The Sharpe ratio (per period) the best of `trials` would reach by luck, given the variance
/// of the trials' per-period Sharpe ratios.
pub fn expected_max_sharpe(trials: usize, variance: f64) -> Stat {
    if trials < 2 {
        return Stat::Undefined(Undefined::SingleTrial);
    }
    let n = trials as f64;
    let normal = standard_normal();
    let g = EULER_MASCHERONI;
    let e = std::f64::consts::E;
    let quantiles =
        (1.0 - g) * normal.inverse_cdf(1.0 - 1.0 / n) + g * normal.inverse_cdf(1.0 - 1.0 / (n * e));
    Stat::finite_or(
        variance.max(0.0).sqrt() * quantiles,
        Undefined::ZeroVariance,
    )
}

/// The Deflated Sharpe Ratio and what went into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Deflated {
    /// Trials `N`: the parameter sets tried.
    pub trials: usize,
    /// Variance (ddof = 1) of the trials' per-period Sharpe ratios.
    pub trials_variance: Stat,
    /// `SR0`, the expected maximum per-period Sharpe of `N` trials.
    pub expected_max_sharpe: Stat,
    /// `PSR(SR0)`.
    pub dsr: Stat,
}

/// The Deflated Sharpe Ratio of `sample` after `trials` trials whose per-period Sharpe ratios
/// have variance `trials_variance`.
pub fn deflated_sharpe(sample: SharpeSample, trials: usize, trials_variance: Stat) -> Deflated {
    let threshold = match trials_variance {
        Stat::Value(v) => expected_max_sharpe(trials, v),
        undefined => undefined,
    };
    Deflated {
        trials,
        trials_variance,
        expected_max_sharpe: threshold,
        dsr: match threshold {
            Stat::Value(sr0) => probabilistic_sharpe(sample, sr0),
            undefined => undefined,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_by_hand() {
        // 1, 2, 3, 10: mean 4; deviations -3, -2, -1, 6; m2 = 50 / 4 = 12.5,
        // m3 = (-27 - 8 - 1 + 216) / 4 = 45, m4 = (81 + 16 + 1 + 1296) / 4 = 348.5.
        // Skewness 45 / 12.5^1.5 = 1.018233; kurtosis 348.5 / 156.25 = 2.2304.
        let m = Moments::of(&[1.0, 2.0, 3.0, 10.0]);
        assert!((m.skewness.value().unwrap_or(0.0) - 45.0 / 12.5f64.powf(1.5)).abs() < 1e-12);
        assert!((m.kurtosis.value().unwrap_or(0.0) - 2.2304).abs() < 1e-12);
    }

    #[test]
    fn psr_of_normal_returns_by_hand() {
        // SR = 0.1 per period over T = 101 returns, skew 0, kurtosis 3: the denominator is
        // sqrt(1 + 0.5 * 0.01) = 1.0024969; z = 0.1 * 10 / 1.0024969 = 0.9975093;
        // Φ(0.9975093) = 0.8407413.
        let sample = SharpeSample {
            sharpe: 0.1,
            periods: 101,
            skewness: 0.0,
            kurtosis: 3.0,
        };
        let psr = probabilistic_sharpe(sample, 0.0).value().unwrap_or(0.0);
        assert!((psr - 0.840_741_3).abs() < 1e-6, "{psr}");
        assert!((probabilistic_sharpe(sample, 0.1).value().unwrap_or(0.0) - 0.5).abs() < 1e-12);
    }
}
