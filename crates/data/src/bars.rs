//! The columnar bar series: one symbol, one row per bar, columns stored contiguously.

use crate::fingerprint;

/// One bar, as a row. Used where bars arrive one at a time (a live feed, a test).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Bar timestamp in milliseconds since the Unix epoch, UTC.
    pub ts: i64,
    /// Opening price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Traded volume.
    pub volume: f64,
}

/// Bars of one symbol in columns: `ts` (ms since epoch, UTC, strictly increasing) and
/// `open, high, low, close, volume`.
///
/// The columns always have equal length; the fields are private so that this stays true.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarSeries {
    symbol: String,
    ts: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

impl BarSeries {
    /// An empty series for `symbol`.
    pub fn new(symbol: impl Into<String>) -> Self {
        Self {
            symbol: symbol.into(),
            ..Self::default()
        }
    }

    /// An empty series with room for `capacity` bars.
    pub fn with_capacity(symbol: impl Into<String>, capacity: usize) -> Self {
        Self {
            symbol: symbol.into(),
            ts: Vec::with_capacity(capacity),
            open: Vec::with_capacity(capacity),
            high: Vec::with_capacity(capacity),
            low: Vec::with_capacity(capacity),
            close: Vec::with_capacity(capacity),
            volume: Vec::with_capacity(capacity),
        }
    }

    /// Builds a series from columns of equal length.
    ///
    /// # Panics
    /// When the columns differ in length: that is a bug in the caller, not a data problem.
    pub fn from_columns(
        symbol: impl Into<String>,
        ts: Vec<i64>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
        volume: Vec<f64>,
    ) -> Self {
        let n = ts.len();
        assert!(
            [open.len(), high.len(), low.len(), close.len(), volume.len()]
                .iter()
                .all(|&len| len == n),
            "BarSeries columns must have equal length"
        );
        Self {
            symbol: symbol.into(),
            ts,
            open,
            high,
            low,
            close,
            volume,
        }
    }

    /// Appends one bar (a live feed grows its series this way).
    pub fn push(&mut self, bar: Bar) {
        self.ts.push(bar.ts);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
    }

    /// The symbol these bars belong to.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Renames the symbol.
    pub fn set_symbol(&mut self, symbol: impl Into<String>) {
        self.symbol = symbol.into();
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Timestamps, ms since the Unix epoch (UTC).
    pub fn ts(&self) -> &[i64] {
        &self.ts
    }
    /// Opening prices.
    pub fn open(&self) -> &[f64] {
        &self.open
    }
    /// Highest prices.
    pub fn high(&self) -> &[f64] {
        &self.high
    }
    /// Lowest prices.
    pub fn low(&self) -> &[f64] {
        &self.low
    }
    /// Closing prices.
    pub fn close(&self) -> &[f64] {
        &self.close
    }
    /// Volumes.
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }

    /// The bar at index `i`.
    pub fn bar(&self, i: usize) -> Bar {
        Bar {
            ts: self.ts[i],
            open: self.open[i],
            high: self.high[i],
            low: self.low[i],
            close: self.close[i],
            volume: self.volume[i],
        }
    }

    /// The first `n` bars (all of them when `n >= len`).
    pub fn head(&self, n: usize) -> BarSeries {
        let n = n.min(self.len());
        Self::from_columns(
            self.symbol.clone(),
            self.ts[..n].to_vec(),
            self.open[..n].to_vec(),
            self.high[..n].to_vec(),
            self.low[..n].to_vec(),
            self.close[..n].to_vec(),
            self.volume[..n].to_vec(),
        )
    }

    /// SHA-256 over the canonical columns, as lowercase hex. See [`crate::fingerprint_hex`].
    pub fn fingerprint(&self) -> String {
        fingerprint::fingerprint_hex(self)
    }
}
