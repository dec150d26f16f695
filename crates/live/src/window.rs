//! The bars the live runner holds: the latest few of each symbol, on the run's clock, so that
//! memory stays flat however long the feed runs. A backtest holds every bar; the step reads
//! only the current one and what the strategy declares it reads back
//! ([`gauntlet_strategy::Strategy::history`]), so a window of that many is all it needs.

use gauntlet_data::Bar;
use gauntlet_strategy::BarColumns;
use serde::{Deserialize, Serialize};

/// One symbol's bars in the window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Columns {
    ts: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    present: Vec<bool>,
}

/// The latest bars of every symbol, the first of which is bar `first` of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BarWindow {
    keep: usize,
    first: usize,
    symbols: Vec<Columns>,
}

impl BarWindow {
    /// A window of at least `keep` bars (and never fewer than two: the step reads the previous
    /// bar's time for a short's borrow) of `symbols` symbols.
    pub fn new(symbols: usize, keep: usize) -> BarWindow {
        BarWindow {
            keep: keep.max(2),
            first: 0,
            symbols: vec![Columns::default(); symbols],
        }
    }

    /// Bars stepped so far: the run's index of the next bar.
    pub fn next_index(&self) -> usize {
        self.first + self.symbols.first().map_or(0, |c| c.ts.len())
    }

    /// The run's index of the first bar held.
    pub fn first(&self) -> usize {
        self.first
    }

    /// The last close of `symbol`, if it has one.
    pub fn last_close(&self, symbol: usize) -> Option<f64> {
        self.symbols
            .get(symbol)
            .and_then(|c| c.close.last().copied())
    }

    /// The last bar time on the clock.
    pub fn last_ts(&self) -> Option<i64> {
        self.symbols.first().and_then(|c| c.ts.last().copied())
    }

    /// Adds the next bar of every symbol (`present[i]` false for a bar carried from the last
    /// close). Old bars are dropped in blocks, so a push moves memory only now and then.
    pub fn push(&mut self, bars: &[Bar], present: &[bool]) {
        // Dropping once the window holds twice what it must keep (at least 1024 bars) costs
        // one copy of `keep` bars every `keep` pushes: constant work per bar.
        let limit = (2 * self.keep).max(1024);
        if self.symbols.first().is_some_and(|c| c.ts.len() >= limit) {
            let drop = self.symbols[0].ts.len() - self.keep;
            for c in &mut self.symbols {
                c.ts.drain(..drop);
                c.open.drain(..drop);
                c.high.drain(..drop);
                c.low.drain(..drop);
                c.close.drain(..drop);
                c.volume.drain(..drop);
                c.present.drain(..drop);
            }
            self.first += drop;
        }
        for ((c, bar), &real) in self.symbols.iter_mut().zip(bars).zip(present) {
            c.ts.push(bar.ts);
            c.open.push(bar.open);
            c.high.push(bar.high);
            c.low.push(bar.low);
            c.close.push(bar.close);
            c.volume.push(bar.volume);
            c.present.push(real);
        }
    }

    /// Every symbol's columns, for the step.
    pub fn columns(&self) -> Vec<BarColumns<'_>> {
        self.symbols
            .iter()
            .map(|c| BarColumns {
                ts: &c.ts,
                open: &c.open,
                high: &c.high,
                low: &c.low,
                close: &c.close,
                volume: &c.volume,
            })
            .collect()
    }

    /// Every symbol's present flags (`None` when one symbol: always present).
    pub fn present(&self) -> Vec<Option<&[bool]>> {
        if self.symbols.len() == 1 {
            vec![None]
        } else {
            self.symbols.iter().map(|c| Some(&c.present[..])).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_latest_bars_on_the_run_clock() {
        let mut w = BarWindow::new(1, 3);
        for i in 0..5000 {
            let p = 100.0 + i as f64;
            let bar = Bar {
                ts: i,
                open: p,
                high: p,
                low: p,
                close: p,
                volume: 1.0,
            };
            w.push(&[bar], &[true]);
            let cols = w.columns();
            assert_eq!(w.next_index(), i as usize + 1);
            assert!(cols[0].len() >= 3.min(i as usize + 1));
            assert!(cols[0].len() <= 1024);
            assert_eq!(cols[0].ts[cols[0].len() - 1], i);
            assert_eq!(w.first() + cols[0].len(), i as usize + 1);
        }
    }
}
