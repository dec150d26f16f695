//! Rolling highest and lowest values, with how many bars ago they happened.
//!
//! The stream is cut into blocks of `n` values (van Herk, 1992; Gil and Werman, 1993): the
//! window of the last `n` values is a suffix of the previous block followed by a prefix of the
//! current one. The prefix's extreme is kept as values arrive, and the extremes of all the
//! suffixes of a block are computed in one backward pass when the block completes. An update
//! costs a fixed number of comparisons, O(1) per value, and none of them decides a branch: a
//! monotonic queue, the usual alternative, pops a data-dependent number of values per update,
//! and the mispredicted end of that loop cost `rsi_divergence` about two branch misses a bar.
//!
//! The highest values are kept as the lowest of the negated values (negation is exact), so
//! one comparison rule serves both.

use std::hint::select_unpredictable;

/// An extreme value (negated when keeping the highest) and its position in the stream.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
struct Extreme {
    value: f64,
    at: usize,
}

/// The extreme of no values: every finite value beats it.
const NONE: Extreme = Extreme {
    value: f64::INFINITY,
    at: 0,
};

/// The highest or lowest of the last `n` finite values. Among equal extremes the latest wins.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollingExtreme {
    /// 1 to keep the lowest, -1 the highest (as the lowest of the negated values).
    sign: f64,
    n: usize,
    /// The current block's values (times `sign`), by their place in the block.
    block: Vec<f64>,
    /// `suffix[i]`: the extreme of the previous block's values from its `i`-th on.
    suffix: Vec<Extreme>,
    /// The extreme of the current block so far.
    prefix: Extreme,
    /// Position in the stream of the current block's first value.
    start: usize,
    seen: usize,
}

impl RollingExtreme {
    /// The highest of the last `n >= 1` values.
    pub fn highest(n: usize) -> Self {
        Self::new(n, -1.0)
    }

    /// The lowest of the last `n >= 1` values.
    pub fn lowest(n: usize) -> Self {
        Self::new(n, 1.0)
    }

    fn new(n: usize, sign: f64) -> Self {
        assert!(n > 0, "a rolling extreme needs a window of at least 1");
        RollingExtreme {
            sign,
            n,
            block: vec![0.0; n],
            suffix: vec![NONE; n],
            prefix: NONE,
            start: 0,
            seen: 0,
        }
    }

    /// Adds a value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        let v = self.sign * x;
        let place = self.seen - self.start;
        self.block[place] = v;
        // `<=`: among equal values the later wins.
        let newer = Extreme {
            value: v,
            at: self.seen,
        };
        // A select, not a branch: which value wins is a coin toss on a random walk.
        self.prefix = select_unpredictable(v <= self.prefix.value, newer, self.prefix);
        self.seen += 1;
        if place + 1 == self.n {
            self.close_block();
        }
    }

    /// The block is complete: its suffixes' extremes, newest first, and a new empty block.
    #[inline(never)]
    fn close_block(&mut self) {
        let mut best = NONE;
        for (i, (&v, suffix)) in self.block.iter().zip(&mut self.suffix).enumerate().rev() {
            // Strictly below: among equal values the later one, already in `best`, stays.
            let here = Extreme {
                value: v,
                at: self.start + i,
            };
            best = select_unpredictable(v < best.value, here, best);
            *suffix = best;
        }
        self.start = self.seen;
        self.prefix = NONE;
    }

    /// The extreme of the last `n` values, once `n` have been pushed.
    #[inline]
    pub fn value(&self) -> Option<f64> {
        self.extreme().map(|(x, _)| x)
    }

    /// The extreme and its age: 0 when it is the latest value pushed, `n - 1` at most.
    #[inline]
    pub fn extreme(&self) -> Option<(f64, usize)> {
        if self.seen < self.n {
            return None;
        }
        // The window: the previous block from the place the current block has reached (all
        // of it when the current block is empty), then the current block so far.
        let older = self.suffix[self.seen - self.start];
        let best = select_unpredictable(self.prefix.value <= older.value, self.prefix, older);
        Some((self.sign * best.value, self.seen - 1 - best.at))
    }

    /// The window length `n`.
    pub fn period(&self) -> usize {
        self.n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_by_hand() {
        // Window 3 over 5, 1, 4, 4, 2, 6, 0:
        //   highest: -, -, 5, 4 (the later 4), 4, 6, 6
        //   lowest:  -, -, 1, 1, 2, 2, 0
        let xs = [5.0, 1.0, 4.0, 4.0, 2.0, 6.0, 0.0];
        let mut hi = RollingExtreme::highest(3);
        let mut lo = RollingExtreme::lowest(3);
        let mut highs = Vec::new();
        let mut lows = Vec::new();
        for x in xs {
            hi.push(x);
            lo.push(x);
            highs.push(hi.extreme());
            lows.push(lo.extreme());
        }
        assert_eq!(
            highs,
            [
                None,
                None,
                Some((5.0, 2)),
                Some((4.0, 0)),
                Some((4.0, 1)),
                Some((6.0, 0)),
                Some((6.0, 1))
            ]
        );
        assert_eq!(
            lows,
            [
                None,
                None,
                Some((1.0, 1)),
                Some((1.0, 2)),
                Some((2.0, 0)),
                Some((2.0, 1)),
                Some((0.0, 0))
            ]
        );
    }

    #[test]
    fn agrees_with_a_rescan() {
        // Small integers, so that equal extremes (where the latest must win) are common.
        let xs: Vec<f64> = (0..500u64)
            .map(|i| ((i * 7919) % 101) as f64 - ((i * 31) % 7) as f64)
            .collect();
        let ties: Vec<f64> = (0..300u64).map(|i| ((i * 13) % 5) as f64).collect();
        for series in [&xs, &ties] {
            for n in [1, 2, 3, 7, 17, 20, 64] {
                let mut hi = RollingExtreme::highest(n);
                let mut lo = RollingExtreme::lowest(n);
                for (t, &x) in series.iter().enumerate() {
                    hi.push(x);
                    lo.push(x);
                    if t + 1 < n {
                        assert_eq!((hi.extreme(), lo.extreme()), (None, None), "n {n} t {t}");
                        continue;
                    }
                    let first = t + 1 - n;
                    let window = &series[first..=t];
                    let max = window.iter().copied().fold(f64::MIN, f64::max);
                    let min = window.iter().copied().fold(f64::MAX, f64::min);
                    let age =
                        |v: f64| t - (first + window.iter().rposition(|&w| w == v).unwrap_or(0));
                    assert_eq!(hi.extreme(), Some((max, age(max))), "n {n} t {t}");
                    assert_eq!(lo.extreme(), Some((min, age(min))), "n {n} t {t}");
                }
            }
        }
    }
}
