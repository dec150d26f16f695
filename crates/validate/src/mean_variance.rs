//! The count, mean and sum of squared deviations of a sample: measured over a slice in two
//! passes, and joined exactly with another sample's (the pairwise combination of Chan, Golub
//! and LeVeque, "Updating Formulae and a Pairwise Algorithm for Computing Sample Variances",
//! 1979).
//!
//! Joining is what lets a statistic over many pieces be computed from a summary of each piece:
//! PBO's blocks and a fold's out-of-sample Sharpe ratio are made of test windows that may be
//! run in different shards, on different machines. The summaries are joined in one fixed order
//! (time order), so a run on one machine and a merge of shards join the same numbers the same
//! way and agree to the last bit.

use serde::{Deserialize, Serialize};

use crate::performance::{all_equal, mean, sum_of};

/// Count, mean and sum of squared deviations from the mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanVariance {
    /// Values.
    pub n: f64,
    /// Their mean.
    pub mean: f64,
    /// The sum of their squared deviations from the mean.
    pub m2: f64,
}

impl MeanVariance {
    /// No values.
    pub const EMPTY: MeanVariance = MeanVariance {
        n: 0.0,
        mean: 0.0,
        m2: 0.0,
    };

    /// Of `values`: the mean, then the squared deviations from it, each summed as
    /// [`crate::performance::mean`] sums (so one slice's variance is exactly
    /// [`crate::performance::sample_variance`]'s). Equal values have exactly their value as
    /// mean and no deviation.
    pub fn of(values: &[f64]) -> MeanVariance {
        match values {
            [] => MeanVariance::EMPTY,
            [first, ..] if all_equal(values) => MeanVariance {
                n: values.len() as f64,
                mean: *first,
                m2: 0.0,
            },
            _ => {
                let m = mean(values);
                MeanVariance {
                    n: values.len() as f64,
                    mean: m,
                    m2: sum_of(values, |v| (v - m) * (v - m)),
                }
            }
        }
    }

    /// The summary of both samples together.
    pub fn join(self, other: MeanVariance) -> MeanVariance {
        if self.n == 0.0 {
            return other;
        }
        if other.n == 0.0 {
            return self;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        MeanVariance {
            n,
            mean: self.mean + delta * other.n / n,
            m2: self.m2 + other.m2 + delta * delta * self.n * other.n / n,
        }
    }

    /// The sample variance (ddof = 1), from two values on.
    pub fn variance(self) -> Option<f64> {
        (self.n >= 2.0).then(|| self.m2 / (self.n - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // 1, 2, 3, 6: mean 3, deviations -2, -1, 0, 3, squares 4 + 1 + 0 + 9 = 14.
        let all = MeanVariance::of(&[1.0, 2.0, 3.0, 6.0]);
        assert_eq!((all.n, all.mean, all.m2), (4.0, 3.0, 14.0));
        assert_eq!(all.variance(), Some(14.0 / 3.0));
        // Joined from 1, 2 (mean 1.5, m2 0.5) and 3, 6 (mean 4.5, m2 4.5): delta 3,
        // m2 = 0.5 + 4.5 + 9 * 2 * 2 / 4 = 14, mean 1.5 + 3 * 2 / 4 = 3.
        let joined = MeanVariance::of(&[1.0, 2.0]).join(MeanVariance::of(&[3.0, 6.0]));
        assert_eq!((joined.n, joined.mean, joined.m2), (4.0, 3.0, 14.0));
        // Joining nothing changes nothing, on either side.
        assert_eq!(MeanVariance::EMPTY.join(all), all);
        assert_eq!(all.join(MeanVariance::EMPTY), all);
        assert_eq!(MeanVariance::of(&[5.0]).variance(), None);
    }

    #[test]
    fn equal_values_have_no_deviation() {
        // 0.1 summed ten times is not exactly 1.0, so a mean of the sum would be off by a
        // rounding unit and leave deviations; equal values are taken as they are.
        let flat = MeanVariance::of(&[0.1; 10]);
        assert_eq!((flat.mean, flat.m2), (0.1, 0.0));
        assert_eq!(flat.join(MeanVariance::of(&[0.1; 3])).m2, 0.0);
    }
}
