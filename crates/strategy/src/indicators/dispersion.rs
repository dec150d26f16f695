//! Rolling standard deviation and z-score.

use super::window::Window;

/// Standard deviation of the last `n` values.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollingStd {
    window: Window,
    /// `1 / n` and `1 / (n - ddof)`, so that a full window's update has no division.
    inv_n: f64,
    inv_dof: f64,
    mean: f64,
    m2: f64,
}

impl RollingStd {
    /// Population standard deviation (divide by `n`), as Bollinger bands use.
    pub fn population(n: usize) -> Self {
        Self::with_ddof(n, 0)
    }

    /// Sample standard deviation (divide by `n - 1`); `n >= 2`.
    pub fn sample(n: usize) -> Self {
        assert!(
            n >= 2,
            "a sample standard deviation needs at least two values"
        );
        Self::with_ddof(n, 1)
    }

    fn with_ddof(n: usize, ddof: usize) -> Self {
        RollingStd {
            window: Window::new(n),
            inv_n: 1.0 / n as f64,
            inv_dof: 1.0 / (n - ddof) as f64,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Adds a value; the standard deviation once `n` values are in.
    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let was_full = self.window.is_full();
        let old = self.window.push(x);
        if was_full {
            // Sliding Welford: replace `old` by `x` in a full window.
            let mean = self.mean + (x - old) * self.inv_n;
            self.m2 += (x - old) * (x - mean + old - self.mean);
            self.mean = mean;
        } else {
            let k = self.window.count() as f64;
            let delta = x - self.mean;
            self.mean += delta / k;
            self.m2 += delta * (x - self.mean);
        }
        self.value()
    }

    /// The current standard deviation, once ready.
    pub fn value(&self) -> Option<f64> {
        self.window
            .is_full()
            .then(|| (self.m2.max(0.0) * self.inv_dof).sqrt())
    }

    /// The current variance (the square of [`RollingStd::value`]), once ready: for callers
    /// that compare squares and need no square root.
    #[inline]
    pub fn variance(&self) -> Option<f64> {
        self.window
            .is_full()
            .then(|| self.m2.max(0.0) * self.inv_dof)
    }

    /// The current mean of the window, once ready.
    pub fn mean(&self) -> Option<f64> {
        self.window.is_full().then_some(self.mean)
    }
}

/// `(x - mean) / sd` of the latest value against the last `n` values (itself included), with
/// the population standard deviation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ZScore {
    std: RollingStd,
    last: Option<f64>,
}

impl ZScore {
    /// A z-score over `n >= 2` values.
    pub fn new(n: usize) -> Self {
        ZScore {
            std: RollingStd::population(n),
            last: None,
        }
    }

    /// Adds a value; its z-score once `n` values are in and they are not all equal.
    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let sd = self.std.update(x)?;
        let mean = self.std.mean()?;
        self.last = (sd > 0.0).then(|| (x - mean) / sd);
        self.last
    }

    /// The latest z-score.
    pub fn value(&self) -> Option<f64> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4 (the textbook example).
        let mut pop = RollingStd::population(8);
        let mut last = None;
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            last = pop.update(x);
        }
        assert_eq!(last, Some(2.0));
        // Window of 3 sliding over 1, 2, 3, 10: last window 2, 3, 10 has mean 5,
        // squared deviations 9 + 4 + 25 = 38; sample sd = sqrt(19).
        let mut sample = RollingStd::sample(3);
        let out: Vec<_> = [1.0, 2.0, 3.0, 10.0].map(|x| sample.update(x)).to_vec();
        assert_eq!(out[2], Some(1.0));
        assert!((out[3].unwrap_or(0.0) - 19f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn zscore_by_hand() {
        // Window 1, 2, 3: mean 2, population sd sqrt(2/3); z of 3 = 1 / sqrt(2/3) = 1.2247...
        let mut z = ZScore::new(3);
        let out: Vec<_> = [1.0, 2.0, 3.0].map(|x| z.update(x)).to_vec();
        assert!((out[2].unwrap_or(0.0) - 1.5f64.sqrt()).abs() < 1e-12);
        let mut flat = ZScore::new(2);
        assert_eq!([4.0, 4.0].map(|x| flat.update(x))[1], None);
    }
}
