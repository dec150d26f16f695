//! Several symbols on one clock.
//!
//! **The rule for a date one symbol lacks.** The clock is the union of the symbols' timestamps,
//! starting at the first timestamp at which *every* symbol has begun trading (earlier bars of the
//! symbols that started sooner are dropped, so no symbol is ever asked for a price it never had).
//! Where a symbol has no bar at a clock time, it gets a *carried* bar: open, high, low and close
//! all equal its last close, volume zero, and it is marked not present. Positions are marked to
//! that carried close; no order fills on a carried bar (nothing traded), so orders wait for the
//! symbol's next real bar; strategies can ask whether a bar is present.

use crate::{Bar, BarSeries, DataError};

/// Bars of one or more symbols, all on the same timestamps.
#[derive(Debug, Clone)]
pub struct Panel {
    series: Vec<BarSeries>,
    /// Per symbol, whether the bar at each clock time is real (`None`: all real).
    present: Vec<Option<Vec<bool>>>,
}

impl Panel {
    /// A panel of one symbol: no alignment, no copy.
    pub fn single(series: BarSeries) -> Panel {
        Panel {
            series: vec![series],
            present: vec![None],
        }
    }

    /// Puts several series on one clock (see the module docs for the rule).
    pub fn align(series: Vec<BarSeries>) -> Result<Panel, DataError> {
        if series.len() == 1 {
            return Ok(Panel::single(series.into_iter().next().unwrap_or_default()));
        }
        if series.is_empty() || series.iter().any(BarSeries::is_empty) {
            return Err(DataError::Panel(
                "a panel needs at least one bar for every symbol".into(),
            ));
        }
        for (i, s) in series.iter().enumerate() {
            if series[..i].iter().any(|t| t.symbol() == s.symbol()) {
                return Err(DataError::Panel(format!(
                    "symbol '{}' is given twice; each file of a panel must be a different symbol",
                    s.symbol()
                )));
            }
        }
        // Symbols of one calendar (one exchange's days, one feed's minutes) are already on one
        // clock: they are the panel as they are. Copying them would cost more than the rest of
        // a long backtest's setup, because fresh memory is slow to fault in.
        if series.iter().all(|s| s.ts() == series[0].ts()) {
            return Ok(Panel {
                present: vec![None; series.len()],
                series,
            });
        }
        let start = series.iter().map(|s| s.ts()[0]).max().unwrap_or_default();
        let mut clock: Vec<i64> = Vec::with_capacity(series.iter().map(BarSeries::len).sum());
        clock.extend(
            series
                .iter()
                .flat_map(|s| s.ts().iter().copied().filter(|&t| t >= start)),
        );
        clock.sort_unstable();
        clock.dedup();

        let mut aligned = Vec::with_capacity(series.len());
        let mut present = Vec::with_capacity(series.len());
        for s in &series {
            let mut out = BarSeries::with_capacity(s.symbol(), clock.len());
            let mut real = Vec::with_capacity(clock.len());
            // The symbol's last bar at or before the clock's start: `start` is some symbol's
            // first bar and every symbol has begun by then, so it exists.
            let mut next = s.ts().partition_point(|&t| t <= start);
            let mut last_close = s.close()[next.saturating_sub(1)];
            if s.ts()[next.saturating_sub(1)] == start {
                next -= 1;
            }
            for &t in &clock {
                if next < s.len() && s.ts()[next] == t {
                    let bar = s.bar(next);
                    last_close = bar.close;
                    out.push(bar);
                    real.push(true);
                    next += 1;
                } else {
                    out.push(Bar {
                        ts: t,
                        open: last_close,
                        high: last_close,
                        low: last_close,
                        close: last_close,
                        volume: 0.0,
                    });
                    real.push(false);
                }
            }
            present.push(if real.iter().all(|&r| r) {
                None
            } else {
                Some(real)
            });
            aligned.push(out);
        }
        Ok(Panel {
            series: aligned,
            present,
        })
    }

    /// The aligned series, one per symbol, in the order given.
    pub fn series(&self) -> &[BarSeries] {
        &self.series
    }

    /// The clock.
    pub fn ts(&self) -> &[i64] {
        self.series.first().map_or(&[], BarSeries::ts)
    }

    /// Number of clock times.
    pub fn len(&self) -> usize {
        self.ts().len()
    }

    /// True when the clock is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether symbol `symbol` has a real bar at clock index `t` (false: carried).
    pub fn is_present(&self, symbol: usize, t: usize) -> bool {
        self.present[symbol].as_ref().is_none_or(|p| p[t])
    }

    /// The presence mask of one symbol, `None` when every bar is real.
    pub fn presence(&self, symbol: usize) -> Option<&[bool]> {
        self.present[symbol].as_deref()
    }

    /// Consumes the panel, giving back its series.
    pub fn into_series(self) -> Vec<BarSeries> {
        self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::DAY_MS;

    fn series(symbol: &str, days: &[i64], closes: &[f64]) -> BarSeries {
        let mut s = BarSeries::new(symbol);
        for (&d, &c) in days.iter().zip(closes) {
            s.push(Bar {
                ts: d * DAY_MS,
                open: c - 0.5,
                high: c + 1.0,
                low: c - 1.0,
                close: c,
                volume: 10.0,
            });
        }
        s
    }

    #[test]
    fn a_missing_date_carries_the_last_close_and_is_marked_absent() {
        // a trades days 1..=4; b starts on day 2 and skips day 3.
        let a = series("a", &[1, 2, 3, 4], &[10.0, 11.0, 12.0, 13.0]);
        let b = series("b", &[2, 4], &[50.0, 52.0]);
        let panel = Panel::align(vec![a, b]).expect("aligns");
        // The clock starts on day 2, when both have begun: a's day 1 is dropped.
        assert_eq!(panel.ts(), &[2 * DAY_MS, 3 * DAY_MS, 4 * DAY_MS]);
        let b = &panel.series()[1];
        assert_eq!(b.close(), &[50.0, 50.0, 52.0]);
        assert_eq!(b.bar(1).open, 50.0);
        assert_eq!(b.bar(1).high, 50.0);
        assert_eq!(b.bar(1).volume, 0.0);
        assert!(panel.is_present(1, 0));
        assert!(!panel.is_present(1, 1));
        assert!(panel.is_present(1, 2));
        assert_eq!(panel.presence(0), None);
        assert_eq!(panel.series()[0].close(), &[11.0, 12.0, 13.0]);
    }

    #[test]
    fn a_symbol_that_starts_between_bars_of_another_is_carried_from_before() {
        // b's last bar before the start (day 3, when a begins) is day 2.
        let a = series("a", &[3, 4], &[10.0, 11.0]);
        let b = series("b", &[1, 2, 4], &[50.0, 51.0, 52.0]);
        let panel = Panel::align(vec![a, b]).expect("aligns");
        assert_eq!(panel.ts(), &[3 * DAY_MS, 4 * DAY_MS]);
        assert_eq!(panel.series()[1].close(), &[51.0, 52.0]);
        assert!(!panel.is_present(1, 0));
    }

    #[test]
    fn symbols_on_one_calendar_are_the_panel_unchanged() {
        let a = series("a", &[1, 2, 3], &[10.0, 11.0, 12.0]);
        let b = series("b", &[1, 2, 3], &[50.0, 49.0, 51.0]);
        let panel = Panel::align(vec![a, b]).expect("aligns");
        assert_eq!(panel.ts(), &[DAY_MS, 2 * DAY_MS, 3 * DAY_MS]);
        assert_eq!(panel.series()[1].symbol(), "b");
        assert_eq!(panel.series()[1].close(), &[50.0, 49.0, 51.0]);
        assert_eq!(panel.series()[1].open(), &[49.5, 48.5, 50.5]);
        assert_eq!(panel.series()[0].volume(), &[10.0; 3]);
        assert_eq!((panel.presence(0), panel.presence(1)), (None, None));
    }

    #[test]
    fn duplicate_symbols_are_refused() {
        let a = series("x", &[1], &[10.0]);
        let err = Panel::align(vec![a.clone(), a]).expect_err("duplicate");
        assert!(err.to_string().contains("'x' is given twice"));
    }
}
