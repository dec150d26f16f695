//! Moving averages: simple, exponential, volume-weighted.

use super::window::{CompensatedSum, Window};

/// Simple moving average of the last `n` values.
///
/// A running sum, updated in O(1), drifts by rounding; so at the first lap of the window after
/// every 1024 updates the sum is recomputed from the window itself, oldest value first: the
/// error never builds up over more than `1024 + n` updates (a relative error of order 1e-13),
/// and the cost stays O(1) amortized.
///
/// A window holding one value throughout averages to exactly that value (as pandas' rolling
/// mean does): otherwise the rounding left in a running sum could make two flat averages of the
/// same price differ, and a flat stretch produce a crossover out of nothing.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sma {
    window: Window,
    sum: f64,
    since_exact: usize,
    last: f64,
    repeats: usize,
}

/// Updates between two exact recomputations of an [`Sma`]'s sum.
const EXACT_EVERY: usize = 1024;

impl Sma {
    /// An SMA over `n >= 1` values.
    pub fn new(n: usize) -> Self {
        Sma {
            window: Window::new(n),
            sum: 0.0,
            since_exact: 0,
            last: f64::NAN,
            repeats: 0,
        }
    }

    /// Adds a value; the mean once `n` values have been seen.
    #[inline(always)]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.push(x);
        self.value()
    }

    /// Adds a value without computing the mean: for callers that compare averages through
    /// [`Sma::sum`] and need no division.
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        let old = self.window.push(x);
        self.repeats = if x == self.last { self.repeats + 1 } else { 1 };
        self.last = x;
        self.since_exact += 1;
        // Until the window first fills, `old` is 0 and the running sum is the exact sum.
        if self.window.at_lap() && self.since_exact >= EXACT_EVERY {
            self.sum = self.exact_sum();
            self.since_exact = 0;
        } else {
            self.sum += x - old;
        }
    }

    /// The sum of the window, once full.
    #[inline]
    pub fn sum(&self) -> Option<f64> {
        self.window.is_full().then_some(self.sum)
    }

    /// True when the full window holds a single value (its mean is then exactly that value).
    #[inline]
    pub fn is_flat(&self) -> bool {
        self.repeats >= self.window.capacity()
    }

    /// The window length `n`.
    #[inline]
    pub fn period(&self) -> usize {
        self.window.capacity()
    }

    // Out of line, so that `update` stays small enough to inline into a strategy's loop.
    #[inline(never)]
    fn exact_sum(&self) -> f64 {
        self.window.values().iter().sum()
    }

    /// The current mean, once ready.
    #[inline]
    pub fn value(&self) -> Option<f64> {
        if !self.window.is_full() {
            None
        } else if self.is_flat() {
            Some(self.last)
        } else {
            Some(self.sum / self.window.capacity() as f64)
        }
    }
}

/// Exponential moving average, `alpha = 2 / (n + 1)`, seeded with the SMA of the first `n`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ema {
    n: usize,
    alpha: f64,
    seen: usize,
    seed: f64,
    value: Option<f64>,
}

impl Ema {
    /// An EMA of period `n >= 1`.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "an EMA needs a period of at least 1");
        Ema {
            n,
            alpha: 2.0 / (n as f64 + 1.0),
            seen: 0,
            seed: 0.0,
            value: None,
        }
    }

    /// Adds a value.
    #[inline]
    pub fn update(&mut self, x: f64) -> Option<f64> {
        match self.value {
            Some(v) => self.value = Some(v + self.alpha * (x - v)),
            None => {
                self.seed += x;
                self.seen += 1;
                if self.seen == self.n {
                    self.value = Some(self.seed / self.n as f64);
                }
            }
        }
        self.value
    }

    /// The current value, once ready.
    pub fn value(&self) -> Option<f64> {
        self.value
    }
}

/// Volume-weighted average of the typical price `(high + low + close) / 3` over `n` bars.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollingVwap {
    /// Each bar's `(price × volume, volume)`.
    bars: Window<(f64, f64)>,
    weighted_sum: CompensatedSum,
    volume_sum: CompensatedSum,
}

impl RollingVwap {
    /// A VWAP over the last `n >= 1` bars.
    pub fn new(n: usize) -> Self {
        RollingVwap {
            bars: Window::new(n),
            weighted_sum: CompensatedSum::default(),
            volume_sum: CompensatedSum::default(),
        }
    }

    /// Adds a bar.
    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) -> Option<f64> {
        let pv = (high + low + close) / 3.0 * volume;
        // The window holds zeros until full, so removing what they push out is exact.
        self.weighted_sum.add(pv);
        self.volume_sum.add(volume);
        let (old_pv, old_volume) = self.bars.push((pv, volume));
        self.weighted_sum.add(-old_pv);
        self.volume_sum.add(-old_volume);
        self.value()
    }

    /// The current VWAP: once `n` bars are in and their volume is above zero.
    pub fn value(&self) -> Option<f64> {
        let volume = self.volume_sum.value();
        (self.bars.is_full() && volume > 0.0).then(|| self.weighted_sum.value() / volume)
    }
}

/// Volume-weighted average of the typical price since the start of the session (the UTC
/// calendar day of the bar's timestamp): it restarts at the first bar of every day.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SessionVwap {
    day: Option<i64>,
    weighted: f64,
    volume: f64,
}

impl SessionVwap {
    /// A session VWAP.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a bar stamped `ts` (ms since the epoch, UTC).
    pub fn update(&mut self, ts: i64, high: f64, low: f64, close: f64, volume: f64) -> Option<f64> {
        let day = ts.div_euclid(DAY_MS);
        if self.day != Some(day) {
            *self = SessionVwap {
                day: Some(day),
                ..Self::default()
            };
        }
        self.weighted += (high + low + close) / 3.0 * volume;
        self.volume += volume;
        self.value()
    }

    /// The current VWAP, once the session has traded some volume.
    pub fn value(&self) -> Option<f64> {
        (self.volume > 0.0).then(|| self.weighted / self.volume)
    }
}

const DAY_MS: i64 = 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn sma_by_hand() {
        let mut sma = Sma::new(3);
        let out: Vec<_> = [1.0, 2.0, 3.0, 4.0, 10.0].map(|x| sma.update(x)).to_vec();
        assert_eq!(out, [None, None, Some(2.0), Some(3.0), Some(17.0 / 3.0)]);
    }

    #[test]
    fn a_flat_window_averages_to_its_value_exactly() {
        // A running sum of 0.3, 0.1, 0.1 minus 0.3 is not exactly 0.2 in binary; the mean of
        // the flat window 0.1, 0.1 must still be exactly 0.1.
        let mut sma = Sma::new(2);
        let out: Vec<_> = [0.3, 0.1, 0.1, 0.1].map(|x| sma.update(x)).to_vec();
        assert_eq!(out[2], Some(0.1));
        assert_eq!(out[3], Some(0.1));
    }

    #[test]
    fn ema_by_hand() {
        // n = 3: alpha = 0.5, seed = mean(2, 4, 6) = 4; then 4 + 0.5 (8 - 4) = 6; 6 + 0.5 (0 - 6) = 3.
        let mut ema = Ema::new(3);
        let out: Vec<_> = [2.0, 4.0, 6.0, 8.0, 0.0].map(|x| ema.update(x)).to_vec();
        assert_eq!(out, [None, None, Some(4.0), Some(6.0), Some(3.0)]);
    }

    #[test]
    fn vwap_by_hand() {
        // Typical prices 10, 20, 30 (high = low = close) with volumes 1, 3, 0 (n = 2):
        // (10 + 60) / 4 = 17.5, then (60 + 0) / 3 = 20.
        let mut vwap = RollingVwap::new(2);
        assert_eq!(vwap.update(10.0, 10.0, 10.0, 1.0), None);
        assert_eq!(vwap.update(20.0, 20.0, 20.0, 3.0), Some(17.5));
        assert_eq!(vwap.update(30.0, 30.0, 30.0, 0.0), Some(20.0));
        assert_eq!(vwap.update(40.0, 40.0, 40.0, 0.0), None);
        // Typical price (12 + 9 + 11) / 3 from a real bar's shape.
        let mut one = RollingVwap::new(1);
        assert!(close(
            one.update(12.0, 9.0, 11.0, 5.0).unwrap_or(0.0),
            32.0 / 3.0
        ));
    }

    #[test]
    fn session_vwap_restarts_each_day() {
        // Day 0: typical 10 with volume 1, then 20 with volume 3: (10 + 60) / 4 = 17.5.
        // Day 1 starts over: typical 30 with volume 2 is 30.
        let mut vwap = SessionVwap::new();
        let hour = 3_600_000;
        assert_eq!(vwap.update(hour, 10.0, 10.0, 10.0, 1.0), Some(10.0));
        assert_eq!(vwap.update(2 * hour, 20.0, 20.0, 20.0, 3.0), Some(17.5));
        assert_eq!(
            vwap.update(DAY_MS + hour, 30.0, 30.0, 30.0, 2.0),
            Some(30.0)
        );
        assert_eq!(SessionVwap::new().update(0, 1.0, 1.0, 1.0, 0.0), None);
    }

    #[test]
    fn sma_stays_exact_over_a_million_updates() {
        // Values around 1e4 with tiny offsets: a plain running sum would drift; this one is
        // re-anchored every lap and matches a fresh sum of the last window.
        let mut sma = Sma::new(7);
        let xs: Vec<f64> = (0..1_000_000i64)
            .map(|i| 1e4 + ((i * 7919) % 1000) as f64 * 1e-3)
            .collect();
        let mut last = None;
        for &x in &xs {
            last = sma.update(x);
        }
        let fresh = xs[xs.len() - 7..].iter().sum::<f64>() / 7.0;
        assert!(close(last.unwrap_or(0.0), fresh));
    }
}
