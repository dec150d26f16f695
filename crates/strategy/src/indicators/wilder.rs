//! Wilder's smoothed indicators: RSI and ATR.

/// Wilder's smoothing of a non-negative series: the mean of the first `n`, then
/// `avg = (avg * (n - 1) + x) / n`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct WilderAverage {
    n: usize,
    /// `(n - 1) / n` and `1 / n`: the smoothing as two multiplications, no division a bar.
    keep: f64,
    weight: f64,
    seen: usize,
    sum: f64,
    value: Option<f64>,
}

impl WilderAverage {
    fn new(n: usize) -> Self {
        assert!(n > 0, "a Wilder average needs a period of at least 1");
        WilderAverage {
            n,
            keep: (n - 1) as f64 / n as f64,
            weight: 1.0 / n as f64,
            seen: 0,
            sum: 0.0,
            value: None,
        }
    }

    #[inline]
    fn update(&mut self, x: f64) -> Option<f64> {
        match self.value {
            Some(v) => self.value = Some(v * self.keep + x * self.weight),
            None => {
                self.sum += x;
                self.seen += 1;
                if self.seen == self.n {
                    self.value = Some(self.sum / self.n as f64);
                }
            }
        }
        self.value
    }
}

/// Wilder's Relative Strength Index over `n` changes of the close.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rsi {
    previous: Option<f64>,
    gains: WilderAverage,
    losses: WilderAverage,
}

impl Rsi {
    /// An RSI of period `n >= 1`.
    pub fn new(n: usize) -> Self {
        Rsi {
            previous: None,
            gains: WilderAverage::new(n),
            losses: WilderAverage::new(n),
        }
    }

    /// Adds a close; the RSI (0 to 100) from the `(n + 1)`-th close on.
    #[inline]
    pub fn update(&mut self, close: f64) -> Option<f64> {
        let previous = self.previous.replace(close)?;
        let change = close - previous;
        let gain = self.gains.update(change.max(0.0));
        let loss = self.losses.update((-change).max(0.0));
        match (gain, loss) {
            (Some(g), Some(l)) => Some(rsi(g, l)),
            _ => None,
        }
    }

    /// The current RSI, once ready.
    pub fn value(&self) -> Option<f64> {
        Some(rsi(self.gains.value?, self.losses.value?))
    }
}

fn rsi(gain: f64, loss: f64) -> f64 {
    if loss == 0.0 {
        if gain == 0.0 { 50.0 } else { 100.0 }
    } else {
        // 100 - 100 / (1 + gain / loss), with one division instead of two.
        100.0 * gain / (gain + loss)
    }
}

/// Wilder's Average True Range over `n` true ranges.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Atr {
    previous_close: Option<f64>,
    average: WilderAverage,
}

impl Atr {
    /// An ATR of period `n >= 1`.
    pub fn new(n: usize) -> Self {
        Atr {
            previous_close: None,
            average: WilderAverage::new(n),
        }
    }

    /// Adds a bar; the ATR from the `(n + 1)`-th bar on.
    #[inline]
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Option<f64> {
        let prev = self.previous_close.replace(close)?;
        let true_range = (high - low)
            .max((high - prev).abs())
            .max((low - prev).abs());
        self.average.update(true_range)
    }

    /// The current ATR, once ready.
    pub fn value(&self) -> Option<f64> {
        self.average.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// StockCharts ChartSchool, "Relative Strength Index (RSI)", the 14-period worked example
    /// spreadsheet: its closes and its published RSI column (two decimals).
    #[test]
    fn rsi_matches_the_stockcharts_worked_example() {
        let closes = [
            44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433,
            46.0826, 45.8931, 46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116,
            46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288,
            44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
        ];
        let published = [
            70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42,
            39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
        ];
        let mut rsi = Rsi::new(14);
        let values: Vec<Option<f64>> = closes.iter().map(|&c| rsi.update(c)).collect();
        assert!(values[..14].iter().all(Option::is_none));
        for (value, expected) in values[14..].iter().zip(published) {
            let value = value.unwrap_or(f64::NAN);
            assert!((value - expected).abs() < 0.005, "{value} vs {expected}");
        }
    }

    #[test]
    fn rsi_edges() {
        let mut up = Rsi::new(2);
        assert_eq!(
            [1.0, 2.0, 3.0].map(|c| up.update(c)),
            [None, None, Some(100.0)]
        );
        let mut still = Rsi::new(2);
        assert_eq!([5.0, 5.0, 5.0].map(|c| still.update(c))[2], Some(50.0));
    }

    #[test]
    fn atr_by_hand() {
        // n = 2. Bars (h, l, c): (10, 8, 9), (12, 9, 11), (11, 10, 10), (15, 12, 14).
        // TR: bar 2: max(3, |12-9|, |9-9|) = 3; bar 3: max(1, 0, 1) = 1; bar 4: max(3, 5, 2) = 5.
        // ATR: mean(3, 1) = 2 at bar 3; then (2 * 1 + 5) / 2 = 3.5 at bar 4.
        let mut atr = Atr::new(2);
        let bars = [
            (10.0, 8.0, 9.0),
            (12.0, 9.0, 11.0),
            (11.0, 10.0, 10.0),
            (15.0, 12.0, 14.0),
        ];
        let out: Vec<_> = bars.iter().map(|&(h, l, c)| atr.update(h, l, c)).collect();
        assert_eq!(out, [None, None, Some(2.0), Some(3.5)]);
    }
}
