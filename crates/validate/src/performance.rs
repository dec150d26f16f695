//! Performance of a series of per-period returns: total return, CAGR, volatility, Sharpe,
//! Sortino, max drawdown, Calmar, and beta and correlation to a benchmark.
//!
//! The conventions are those of docs/METRICS.md: simple returns; sample standard deviation
//! (ddof = 1); `Sharpe = (mean - rf) / sd * sqrt(P)` with a per-period risk-free rate `rf`;
//! Sortino's downside deviation over all periods, `sqrt(mean(min(r - rf, 0)^2))` (empyrical's
//! convention); equity starting at 1, which is the first peak of the drawdown; CAGR over
//! `n / P` years.

use serde::Serialize;

use crate::stat::{Stat, Undefined};

/// How returns are annualized.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Annualization {
    /// Periods per year `P` (252 for daily equity bars).
    pub periods_per_year: f64,
    /// Risk-free rate per period (0 by default).
    pub risk_free: f64,
}

impl Annualization {
    /// `P` periods a year, no risk-free rate.
    pub fn new(periods_per_year: f64) -> Self {
        Annualization {
            periods_per_year,
            risk_free: 0.0,
        }
    }
}

/// Every return-based metric of one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Performance {
    /// Number of returns `n`.
    pub periods: usize,
    /// `prod(1 + r) - 1`.
    pub total_return: f64,
    /// `(1 + total_return)^(P / n) - 1`.
    pub cagr: Stat,
    /// `sd(r) * sqrt(P)`.
    pub volatility: Stat,
    /// `(mean(r) - rf) / sd(r) * sqrt(P)`.
    pub sharpe: Stat,
    /// `(mean(r) - rf) / sqrt(mean(min(r - rf, 0)^2)) * sqrt(P)`.
    pub sortino: Stat,
    /// Largest fall from a running peak of equity (starting at 1), as a positive fraction.
    pub max_drawdown: f64,
    /// `CAGR / max_drawdown`.
    pub calmar: Stat,
    /// `cov(r, b) / var(b)` against the benchmark's returns `b`.
    pub beta: Stat,
    /// Pearson correlation of `r` and `b`.
    pub correlation: Stat,
}

/// Arithmetic mean (0 for no values).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    sum_of(values, |v| v) / values.len() as f64
}

/// `sum(f(v))` in four interleaved partial sums: a single running sum waits on each addition
/// before the next, which made these sums most of the cost of a sweep run's metrics. (Partial
/// sums are also more accurate than one long running sum, as in numpy's pairwise summation.)
pub(crate) fn sum_of(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0_f64; 4];
    let mut chunks = values.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += f(v);
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|&v| f(v)).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Sample variance (ddof = 1); needs two values. Exactly 0 when the values are all equal (the
/// mean of equal values can be off by a rounding unit, which would leave a variance of 1e-36).
pub fn sample_variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    variance_about(values, mean(values))
}

/// [`sample_variance`] of `values` whose mean, as [`mean`] computes it, is `m`.
fn variance_about(values: &[f64], m: f64) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    if all_equal(values) {
        return Some(0.0);
    }
    Some(sum_of(values, |v| (v - m) * (v - m)) / (values.len() - 1) as f64)
}

/// True when every value equals the first.
pub fn all_equal(values: &[f64]) -> bool {
    values.iter().all(|&v| v == values[0])
}

/// The per-period Sharpe ratio `(mean - rf) / sd` (ddof = 1), not annualized: the quantity
/// PSR, DSR and PBO work with.
pub fn per_period_sharpe(returns: &[f64], risk_free: f64) -> Stat {
    sharpe_of(mean(returns), sample_variance(returns), risk_free)
}

/// `(mean - rf) / sqrt(variance)`, or why it is undefined.
pub(crate) fn sharpe_of(mean: f64, variance: Option<f64>, risk_free: f64) -> Stat {
    match variance {
        None => Stat::Undefined(Undefined::TooFewObservations),
        Some(v) if v <= 0.0 => Stat::Undefined(Undefined::ZeroVariance),
        Some(v) => Stat::finite_or((mean - risk_free) / v.sqrt(), Undefined::ZeroVariance),
    }
}

impl Performance {
    /// The metrics of `returns`, with beta and correlation against `benchmark` (its returns
    /// over the same periods) when given.
    ///
    /// # Panics
    /// When `benchmark` has a different length from `returns`: the caller aligns them.
    pub fn of(returns: &[f64], benchmark: Option<&[f64]>, annual: Annualization) -> Performance {
        Performance::with_sharpe(returns, benchmark, annual).0
    }

    /// [`Performance::of`], and the per-period Sharpe ratio ([`per_period_sharpe`]) from the
    /// same mean and variance.
    pub(crate) fn with_sharpe(
        returns: &[f64],
        benchmark: Option<&[f64]>,
        annual: Annualization,
    ) -> (Performance, Stat) {
        let pass = OnePass::of(returns, annual.risk_free);
        Self::from_pass(returns, pass, benchmark, annual)
    }

    /// [`Performance::with_sharpe`] without a benchmark, for `returns` that were fed to `pass`
    /// as they were made: the same values, bit for bit, one pass fewer. A pass taken with
    /// another risk-free rate, or over other returns, is not used.
    pub fn with_pass(
        returns: &[f64],
        pass: Option<&ReturnsPass>,
        annual: Annualization,
    ) -> (Performance, Stat) {
        match pass {
            Some(&sequential)
                if sequential.periods == returns.len()
                    && sequential.risk_free.to_bits() == annual.risk_free.to_bits() =>
            {
                let pass = OnePass {
                    sequential,
                    sum: sum_of(returns, |r| r),
                };
                Self::from_pass(returns, pass, None, annual)
            }
            _ => Self::with_sharpe(returns, None, annual),
        }
    }

    fn from_pass(
        returns: &[f64],
        pass: OnePass,
        benchmark: Option<&[f64]>,
        annual: Annualization,
    ) -> (Performance, Stat) {
        let n = returns.len();
        let p = annual.periods_per_year;
        let OnePass {
            sequential: pass,
            sum,
        } = pass;
        let total_return = pass.growth - 1.0;
        let cagr = if n == 0 {
            Stat::Undefined(Undefined::TooFewObservations)
        } else if pass.growth <= 0.0 {
            Stat::Undefined(Undefined::NonPositiveEquity)
        } else {
            Stat::finite_or(
                pass.growth.powf(p / n as f64) - 1.0,
                Undefined::NonPositiveEquity,
            )
        };
        // The sum in the pass is `mean`'s, term for term, so these are `mean(returns)` and
        // `sample_variance(returns)` without two more passes over the returns.
        let mean = if n == 0 { 0.0 } else { sum / n as f64 };
        let variance = variance_about(returns, mean);
        let volatility = match variance {
            None => Stat::Undefined(Undefined::TooFewObservations),
            Some(v) => Stat::Value(v.sqrt() * p.sqrt()),
        };
        let per_period = sharpe_of(mean, variance, annual.risk_free);
        let sharpe = per_period.map(|s| s * p.sqrt());
        let sortino = if n < 2 {
            Stat::Undefined(Undefined::TooFewObservations)
        } else {
            let downside = pass.downside_squares / n as f64;
            if downside > 0.0 {
                Stat::Value((mean - annual.risk_free) / downside.sqrt() * p.sqrt())
            } else {
                Stat::Undefined(Undefined::NoLosses)
            }
        };
        let max_drawdown = pass.max_drawdown;
        let calmar = match cagr {
            Stat::Value(_) if max_drawdown <= 0.0 => Stat::Undefined(Undefined::NoDrawdown),
            Stat::Value(c) => Stat::Value(c / max_drawdown),
            undefined => undefined,
        };
        let (beta, correlation) = match benchmark {
            None => (
                Stat::Undefined(Undefined::NoBenchmark),
                Stat::Undefined(Undefined::NoBenchmark),
            ),
            Some(b) => beta_correlation(returns, b),
        };
        let performance = Performance {
            periods: n,
            total_return,
            cagr,
            volatility,
            sharpe,
            sortino,
            max_drawdown,
            calmar,
            beta,
            correlation,
        };
        (performance, per_period)
    }
}

/// The sequential part of the metrics of a series of returns (growth, drawdown, downside),
/// fed one return at a time: the pass over the returns that [`Performance::of`] makes, or the
/// loop that turns a run's equity into returns (see [`Performance::with_pass`]), which then
/// saves a pass over a million returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReturnsPass {
    risk_free: f64,
    growth: f64,
    peak: f64,
    /// Growth above `floor` cannot deepen the drawdown, so the division that measures it is
    /// only done below (a division a period would cost as much as the rest of the pass). The
    /// margin keeps a rounding difference between the two tests from skipping a new worst.
    floor: f64,
    max_drawdown: f64,
    downside_squares: f64,
    periods: usize,
}

impl ReturnsPass {
    /// A pass over no returns yet, with per-period risk-free rate `risk_free`.
    pub fn new(risk_free: f64) -> Self {
        ReturnsPass {
            risk_free,
            growth: 1.0,
            peak: 1.0,
            floor: 1.0,
            max_drawdown: 0.0,
            downside_squares: 0.0,
            periods: 0,
        }
    }

    /// Adds the next return.
    #[inline]
    pub fn push(&mut self, r: f64) {
        self.periods += 1;
        self.growth *= 1.0 + r;
        if self.growth > self.peak {
            self.peak = self.growth;
            self.floor = self.peak * (1.0 - self.max_drawdown + 1e-9);
        } else if self.growth <= self.floor {
            self.max_drawdown = self.max_drawdown.max(1.0 - self.growth / self.peak);
            self.floor = self.peak * (1.0 - self.max_drawdown + 1e-9);
        }
        self.downside_squares += (r - self.risk_free).min(0.0).powi(2);
    }
}

/// What `Performance::of` needs besides the variance, gathered in one pass over the returns:
/// the metrics of a sweep run over a million bars, pass by pass, cost a third as much as the
/// backtest itself.
struct OnePass {
    sequential: ReturnsPass,
    /// The sum of the returns, added up exactly as [`sum_of`] adds them.
    sum: f64,
}

impl OnePass {
    fn of(returns: &[f64], risk_free: f64) -> OnePass {
        let mut sequential = ReturnsPass::new(risk_free);
        // The sum in `sum_of`'s four lanes, beside the sequential part of the pass.
        let mut lanes = [0.0_f64; 4];
        let mut chunks = returns.chunks_exact(4);
        for chunk in &mut chunks {
            for (lane, &r) in lanes.iter_mut().zip(chunk) {
                *lane += r;
                sequential.push(r);
            }
        }
        for &r in chunks.remainder() {
            sequential.push(r);
        }
        let tail: f64 = chunks.remainder().iter().copied().sum();
        OnePass {
            sequential,
            sum: (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail,
        }
    }
}

fn beta_correlation(r: &[f64], b: &[f64]) -> (Stat, Stat) {
    assert_eq!(r.len(), b.len(), "benchmark returns not aligned");
    if r.len() < 2 {
        let few = Stat::Undefined(Undefined::TooFewObservations);
        return (few, few);
    }
    let (mr, mb) = (mean(r), mean(b));
    let (mut cov, mut var_r, mut var_b) = (0.0, 0.0, 0.0);
    for (x, y) in r.iter().zip(b) {
        cov += (x - mr) * (y - mb);
        var_r += (x - mr) * (x - mr);
        var_b += (y - mb) * (y - mb);
    }
    if var_b <= 0.0 || all_equal(b) {
        let flat = Stat::Undefined(Undefined::ZeroVariance);
        return (flat, flat);
    }
    let beta = Stat::Value(cov / var_b);
    let correlation = if var_r > 0.0 && !all_equal(r) {
        Stat::Value(cov / (var_r * var_b).sqrt())
    } else {
        Stat::Undefined(Undefined::ZeroVariance)
    };
    (beta, correlation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: Stat, b: f64) -> bool {
        a.value()
            .is_some_and(|a| (a - b).abs() < 1e-12 * b.abs().max(1.0))
    }

    #[test]
    fn ten_periods_by_hand() {
        // r = 0.01, -0.02, 0.03, 0.00, 0.01, -0.01, 0.02, 0.01, -0.03, 0.02; sum 0.04, mean 0.004.
        // Deviations squared (1e-4): 0.36, 5.76, 6.76, 0.16, 0.36, 1.96, 2.56, 0.36, 11.56, 2.56
        // = 32.4e-4; sample variance 3.6e-4, sd 0.018973666.
        // Per-period Sharpe 0.004 / 0.018973666 = 0.210818511; with P = 4: 0.421637021.
        // Downside: squares of -0.02, -0.01, -0.03 = 14e-4, over n = 10: 1.4e-4, dd 0.011832160;
        // Sortino (P = 4) = 0.004 / 0.011832160 * 2 = 0.676123404.
        let r = [0.01, -0.02, 0.03, 0.0, 0.01, -0.01, 0.02, 0.01, -0.03, 0.02];
        let perf = Performance::of(&r, None, Annualization::new(4.0));
        assert!(near(perf.sharpe, 0.004 / 3.6e-4f64.sqrt() * 2.0));
        assert!(near(perf.sortino, 0.004 / 1.4e-4f64.sqrt() * 2.0));
        assert!(near(perf.volatility, 3.6e-4f64.sqrt() * 2.0));
        // Equity: 1.01, 0.9898, 1.019494, 1.019494, 1.02968894, 1.01939205, 1.03977989,
        // 1.05017769, 1.01867236, 1.03904580. Peak 1.05017769 then 1.01867236: drawdown
        // 0.03 (the single -3% period), larger than 1 - 0.9898 / 1.01 = 0.02.
        assert!((perf.max_drawdown - 0.03).abs() < 1e-12);
        let growth = 1.01 * 0.98 * 1.03 * 1.01 * 0.99 * 1.02 * 1.01 * 0.97 * 1.02;
        assert!((perf.total_return - (growth - 1.0)).abs() < 1e-12);
        // 10 periods at P = 4 are 2.5 years.
        let cagr = growth.powf(1.0 / 2.5) - 1.0;
        assert!(near(perf.cagr, cagr));
        assert!(near(perf.calmar, cagr / 0.03));
        assert_eq!(perf.beta, Stat::Undefined(Undefined::NoBenchmark));
    }

    #[test]
    fn the_fused_pass_sums_as_mean_and_sample_variance_do() {
        // Every remainder of the four lanes, values spread over magnitudes so that a different
        // order of additions would round differently: Sharpe and volatility must be the bits
        // the separate functions give.
        for n in 0..=13_i32 {
            let r: Vec<f64> = (0..n)
                .map(|i| ((i * 7919 % 13) as f64 - 6.3) * 10f64.powi(-(i % 5) - 1))
                .collect();
            let (perf, per_period) = Performance::with_sharpe(&r, None, Annualization::new(252.0));
            let expected = per_period_sharpe(&r, 0.0);
            assert_eq!(per_period, expected, "{n} returns");
            assert_eq!(
                perf.sharpe,
                expected.map(|s| s * 252f64.sqrt()),
                "{n} returns"
            );
            let volatility = sample_variance(&r).map(|v| v.sqrt() * 252f64.sqrt());
            assert_eq!(perf.volatility.value(), volatility, "{n} returns");
        }
    }

    #[test]
    fn a_pass_taken_as_the_returns_are_made_gives_the_same_bits() {
        let r: Vec<f64> = (0..1001)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) * 1e-3)
            .collect();
        let mut pass = ReturnsPass::new(0.0);
        for &x in &r {
            pass.push(x);
        }
        let annual = Annualization::new(252.0);
        let fresh = |r: &[f64], annual| Performance::with_sharpe(r, None, annual);
        assert_eq!(
            Performance::with_pass(&r, Some(&pass), annual),
            fresh(&r, annual)
        );
        // A pass under another risk-free rate, or over other returns, is not used.
        let rf = Annualization {
            risk_free: 1e-4,
            ..annual
        };
        assert_ne!(fresh(&r, rf).0.sortino, fresh(&r, annual).0.sortino);
        assert_eq!(Performance::with_pass(&r, Some(&pass), rf), fresh(&r, rf));
        assert_eq!(
            Performance::with_pass(&r[1..], Some(&pass), annual),
            fresh(&r[1..], annual)
        );
    }

    #[test]
    fn beta_and_correlation_by_hand() {
        // b = 0.01, 0.02, 0.03; r = 2b + 0.001: beta 2, correlation 1.
        let b = [0.01, 0.02, 0.03];
        let r = b.map(|x| 2.0 * x + 0.001);
        let perf = Performance::of(&r, Some(&b), Annualization::new(252.0));
        assert!(near(perf.beta, 2.0) && near(perf.correlation, 1.0));
        // r = 0.01, 0.03, 0.02 against the same b: cov = (-0.01)(-0.01) + 0 + (0.01)(0) = 1e-4
        // over the sums; var_b = 2e-4, var_r = 2e-4: beta 0.5, correlation 0.5.
        let perf = Performance::of(&[0.01, 0.03, 0.02], Some(&b), Annualization::new(252.0));
        assert!(near(perf.beta, 0.5) && near(perf.correlation, 0.5));
    }

    #[test]
    fn undefined_cases_say_why() {
        let flat = Performance::of(&[0.0; 5], Some(&[0.0; 5]), Annualization::new(252.0));
        assert_eq!(flat.sharpe, Stat::Undefined(Undefined::ZeroVariance));
        assert_eq!(flat.sortino, Stat::Undefined(Undefined::NoLosses));
        assert_eq!(flat.calmar, Stat::Undefined(Undefined::NoDrawdown));
        assert_eq!(flat.beta, Stat::Undefined(Undefined::ZeroVariance));
        assert_eq!(flat.max_drawdown, 0.0);
        // Equal non-zero returns: their mean is off by a rounding unit, the spread is still 0.
        let constant = Performance::of(&[0.01; 10], Some(&[0.01; 10]), Annualization::new(252.0));
        assert_eq!(constant.sharpe, Stat::Undefined(Undefined::ZeroVariance));
        assert_eq!(constant.beta, Stat::Undefined(Undefined::ZeroVariance));
        let one = Performance::of(&[0.01], None, Annualization::new(252.0));
        assert_eq!(one.sharpe, Stat::Undefined(Undefined::TooFewObservations));
        let ruin = Performance::of(&[0.5, -1.0], None, Annualization::new(252.0));
        assert_eq!(ruin.cagr, Stat::Undefined(Undefined::NonPositiveEquity));
        assert_eq!(ruin.max_drawdown, 1.0);
    }

    proptest::proptest! {
        /// The one pass skips the drawdown's division above a floor: it must still find the
        /// worst fall of the plain definition, ruin and leverage (returns below -1) included.
        #[test]
        fn drawdown_equals_the_definition(returns in proptest::collection::vec(-1.2f64..0.3, 0..200)) {
            let (mut equity, mut peak, mut worst) = (1.0_f64, 1.0_f64, 0.0_f64);
            for r in &returns {
                equity *= 1.0 + r;
                peak = peak.max(equity);
                worst = worst.max(1.0 - equity / peak);
            }
            let perf = Performance::of(&returns, None, Annualization::new(252.0));
            proptest::prop_assert_eq!(perf.max_drawdown, worst);
            proptest::prop_assert_eq!(perf.total_return, equity - 1.0);
        }
    }
}
