//! What a strategy sees at one bar.

/// Borrowed columns of one symbol's bars (ts in ms since epoch, UTC).
#[derive(Debug, Clone, Copy)]
pub struct BarColumns<'a> {
    /// Timestamps.
    pub ts: &'a [i64],
    /// Opening prices.
    pub open: &'a [f64],
    /// Highest prices.
    pub high: &'a [f64],
    /// Lowest prices.
    pub low: &'a [f64],
    /// Closing prices.
    pub close: &'a [f64],
    /// Volumes.
    pub volume: &'a [f64],
}

impl<'a> BarColumns<'a> {
    /// Number of bars.
    #[inline]
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// True when empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// The same columns cut to the first `n` bars.
    #[inline]
    pub fn cut(&self, n: usize) -> BarColumns<'a> {
        self.range(0..n)
    }

    /// The bars of `range` only (a window of a longer series).
    #[inline]
    pub fn range(&self, range: std::ops::Range<usize>) -> BarColumns<'a> {
        BarColumns {
            ts: &self.ts[range.clone()],
            open: &self.open[range.clone()],
            high: &self.high[range.clone()],
            low: &self.low[range.clone()],
            close: &self.close[range.clone()],
            volume: &self.volume[range],
        }
    }
}

/// The bars up to and including the current one, for every symbol, and the current positions.
///
/// Built by [`BarContext::new`] from full columns and an index. Every accessor cuts the columns
/// at that index before handing them out, so no method can reach a later bar; the fields are
/// private, so nothing else can either. (Cutting on access rather than up front keeps building
/// a context free: the engine builds one per bar.)
#[derive(Debug, Clone, Copy)]
pub struct BarContext<'a> {
    /// The current bar's position in the columns.
    index: usize,
    /// The run's bar index of the columns' first bar.
    first: usize,
    all: &'a [BarColumns<'a>],
    positions: &'a [f64],
}

impl<'a> BarContext<'a> {
    /// The context at bar `index` of `symbols` (all on one clock), with the current position
    /// (signed quantity) of each symbol.
    ///
    /// # Panics
    /// When `symbols` is empty or `index` is beyond its bars: an engine bug, not a user error.
    #[inline]
    pub fn new(symbols: &'a [BarColumns<'a>], index: usize, positions: &'a [f64]) -> Self {
        Self::on_clock(symbols, index, 0, positions)
    }

    /// The context at position `index` of columns that hold a window of the run's bars, the
    /// first of which is bar `first` of the run (the live runner keeps only the latest bars).
    /// [`BarContext::index`] counts on the run's clock; the slices hold the window only.
    ///
    /// # Panics
    /// As [`BarContext::new`].
    #[inline]
    pub fn on_clock(
        symbols: &'a [BarColumns<'a>],
        index: usize,
        first: usize,
        positions: &'a [f64],
    ) -> Self {
        // Every read is bounds-checked anyway; this only names the mistake sooner, and the
        // step builds a context every bar.
        debug_assert!(
            !symbols.is_empty() && index < symbols[0].len(),
            "bar {index} is out of range"
        );
        BarContext {
            index,
            first,
            all: symbols,
            positions,
        }
    }

    /// Index of the current bar on the run's clock.
    #[inline]
    pub fn index(&self) -> usize {
        self.first + self.index
    }

    /// Timestamp of the current bar.
    #[inline]
    pub fn ts(&self) -> i64 {
        self.all[0].ts[self.index]
    }

    /// Number of symbols.
    #[inline]
    pub fn symbols(&self) -> usize {
        self.all.len()
    }

    /// The current bar's open of the first (or only) symbol.
    #[inline]
    pub fn open(&self) -> f64 {
        self.all[0].open[self.index]
    }

    /// The current bar's high of the first (or only) symbol.
    #[inline]
    pub fn high(&self) -> f64 {
        self.all[0].high[self.index]
    }

    /// The current bar's low of the first (or only) symbol.
    #[inline]
    pub fn low(&self) -> f64 {
        self.all[0].low[self.index]
    }

    /// The current bar's volume of the first (or only) symbol.
    #[inline]
    pub fn volume(&self) -> f64 {
        self.all[0].volume[self.index]
    }

    /// The close `back` bars before the current one, of the first (or only) symbol; `None`
    /// when that bar is before the run or outside the bars held (a strategy that reads back
    /// declares how far in [`crate::Strategy::history`]).
    #[inline]
    pub fn close_back(&self, back: usize) -> Option<f64> {
        self.index.checked_sub(back).map(|i| self.all[0].close[i])
    }

    /// The bars of the first (or only) symbol, up to and including the current one (within
    /// the bars held: all of them in a backtest, the latest in the live runner).
    #[inline]
    pub fn bars(&self) -> BarColumns<'a> {
        self.all[0].cut(self.index + 1)
    }

    /// The bars of symbol `symbol`, up to and including the current one.
    #[inline]
    pub fn bars_of(&self, symbol: usize) -> BarColumns<'a> {
        self.all[symbol].cut(self.index + 1)
    }

    /// The current close of the first (or only) symbol.
    #[inline]
    pub fn close(&self) -> f64 {
        self.all[0].close[self.index]
    }

    /// The current close of `symbol`.
    #[inline]
    pub fn close_of(&self, symbol: usize) -> f64 {
        self.all[symbol].close[self.index]
    }

    /// The current signed position (quantity; negative when short) in `symbol`.
    #[inline]
    pub fn position(&self, symbol: usize) -> f64 {
        self.positions[symbol]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_bars_are_out_of_reach() {
        let ts = [1, 2, 3, 4];
        let px = [10.0, 11.0, 12.0, 13.0];
        let cols = [BarColumns {
            ts: &ts,
            open: &px,
            high: &px,
            low: &px,
            close: &px,
            volume: &px,
        }];
        let ctx = BarContext::new(&cols, 1, &[0.0]);
        assert_eq!(ctx.bars().close, &[10.0, 11.0]);
        assert_eq!(ctx.bars_of(0).len(), 2);
        assert_eq!(ctx.close(), 11.0);
        assert_eq!(ctx.ts(), 2);
        for (t, stamp) in ts.iter().enumerate() {
            let ctx = BarContext::new(&cols, t, &[0.0]);
            assert_eq!(ctx.bars().close.get(t + 1), None);
            assert_eq!(ctx.bars_of(0).ts.last(), Some(stamp));
        }
    }
}
