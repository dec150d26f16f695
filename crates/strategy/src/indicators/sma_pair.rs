//! Two simple moving averages of one series, a short and a long window, over one shared ring.
//!
//! A crossover strategy averages the same closes twice. Two [`Sma`](super::Sma)s would each
//! keep a ring, a repeat count and a recompute counter; the pair keeps one ring as long as the
//! longer window, reads the value leaving the shorter window from inside it, and counts pushes
//! once. Every sum it reports is bit for bit the sum the matching `Sma` reports after the same
//! pushes: the same additions in the same order, and the same exact recomputations at the same
//! pushes (the first lap of each window after every 1024 updates, oldest value first).

/// Updates between two exact recomputations of a sum, as for [`Sma`](super::Sma).
const EXACT_EVERY: usize = 1024;

/// One window's running sum.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RunningSum {
    /// Window length.
    n: usize,
    sum: f64,
    /// The push count at which the sum is next recomputed from the window: a multiple of `n`
    /// (a lap of the window) at least 1024 pushes after the previous recomputation.
    next_exact: usize,
}

impl RunningSum {
    fn new(n: usize) -> Self {
        RunningSum {
            n,
            sum: 0.0,
            next_exact: Self::laps_between_exact(n),
        }
    }

    /// Pushes from one recomputation to the next: the first multiple of `n` from 1024 on.
    fn laps_between_exact(n: usize) -> usize {
        EXACT_EVERY.div_ceil(n) * n
    }
}

/// The mean of the last `short` and of the last `long` values pushed (`short < long`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SmaPair {
    /// The last `long` values; `next` is where the next one goes.
    ring: Vec<f64>,
    next: usize,
    /// Values pushed so far.
    pushed: usize,
    short: RunningSum,
    long: RunningSum,
    last: f64,
    /// How many of the latest values equal `last`.
    repeats: usize,
}

impl SmaPair {
    /// Averages over the last `short` and the last `long` values, `1 <= short < long`.
    pub fn new(short: usize, long: usize) -> Self {
        assert!(
            short >= 1 && short < long,
            "an SMA pair needs 1 <= short < long, got {short} and {long}"
        );
        SmaPair {
            ring: vec![0.0; long],
            next: 0,
            pushed: 0,
            short: RunningSum::new(short),
            long: RunningSum::new(long),
            last: f64::NAN,
            repeats: 0,
        }
    }

    /// Adds a value to both windows.
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        let long = self.ring.len();
        // The value leaving the short window sits `short` places behind the slot about to be
        // written; the ring holds zeros there until that window is full, as `Sma`'s ring does.
        let back = self.short.n;
        let short_slot = if self.next >= back {
            self.next - back
        } else {
            self.next + long - back
        };
        let short_old = self.ring[short_slot];
        let long_old = std::mem::replace(&mut self.ring[self.next], x);
        self.next += 1;
        if self.next == long {
            self.next = 0;
        }
        self.pushed += 1;
        self.repeats = if x == self.last { self.repeats + 1 } else { 1 };
        self.last = x;
        if self.pushed == self.short.next_exact {
            self.short.sum = self.exact_short_sum();
            self.short.next_exact += RunningSum::laps_between_exact(self.short.n);
        } else {
            self.short.sum += x - short_old;
        }
        if self.pushed == self.long.next_exact {
            self.long.sum = self.exact_long_sum();
            self.long.next_exact += RunningSum::laps_between_exact(long);
        } else {
            self.long.sum += x - long_old;
        }
    }

    // Out of line, so that `push` stays small enough to inline into a strategy's loop.
    #[inline(never)]
    fn exact_short_sum(&self) -> f64 {
        // The last `short` values, oldest first: they may wrap around the end of the ring.
        let n = self.short.n;
        if self.next >= n {
            self.ring[self.next - n..self.next].iter().sum()
        } else {
            let wrapped = self.ring.len() - (n - self.next);
            self.ring[wrapped..]
                .iter()
                .chain(&self.ring[..self.next])
                .sum()
        }
    }

    // At a lap of the long window the ring holds its values oldest first.
    #[inline(never)]
    fn exact_long_sum(&self) -> f64 {
        self.ring.iter().sum()
    }

    /// The short window's sum, once it is full.
    #[inline]
    pub fn short_sum(&self) -> Option<f64> {
        (self.pushed >= self.short.n).then_some(self.short.sum)
    }

    /// The long window's sum, once it is full.
    #[inline]
    pub fn long_sum(&self) -> Option<f64> {
        (self.pushed >= self.long.n).then_some(self.long.sum)
    }

    /// The short window length.
    #[inline]
    pub fn short_period(&self) -> usize {
        self.short.n
    }

    /// The long window length.
    #[inline]
    pub fn long_period(&self) -> usize {
        self.long.n
    }

    /// True when the full short window holds a single value (its mean is that value).
    #[inline]
    pub fn short_is_flat(&self) -> bool {
        self.repeats >= self.short.n
    }

    /// True when the full long window holds a single value.
    #[inline]
    pub fn long_is_flat(&self) -> bool {
        self.repeats >= self.long.n
    }

    /// The short window's mean, once full (exactly the value when the window is flat).
    #[inline]
    pub fn short_mean(&self) -> Option<f64> {
        self.mean(self.short_sum(), self.short.n)
    }

    /// The long window's mean, once full.
    #[inline]
    pub fn long_mean(&self) -> Option<f64> {
        self.mean(self.long_sum(), self.long.n)
    }

    fn mean(&self, sum: Option<f64>, n: usize) -> Option<f64> {
        let sum = sum?;
        Some(if self.repeats >= n {
            self.last
        } else {
            sum / n as f64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Sma;
    use super::*;

    #[test]
    fn means_by_hand() {
        // Short 2, long 3 over 5, 4, 3, 4, 6: short means -, 4.5, 3.5, 3.5, 5; long means
        // -, -, 4, 11/3, 13/3.
        let mut pair = SmaPair::new(2, 3);
        let mut got = Vec::new();
        for x in [5.0, 4.0, 3.0, 4.0, 6.0] {
            pair.push(x);
            got.push((pair.short_mean(), pair.long_mean()));
        }
        assert_eq!(
            got,
            [
                (None, None),
                (Some(4.5), None),
                (Some(3.5), Some(4.0)),
                (Some(3.5), Some(11.0 / 3.0)),
                (Some(5.0), Some(13.0 / 3.0)),
            ]
        );
    }

    #[test]
    fn a_flat_window_averages_to_its_value_exactly() {
        let mut pair = SmaPair::new(2, 3);
        for x in [0.3, 0.1, 0.1] {
            pair.push(x);
        }
        assert_eq!(pair.short_mean(), Some(0.1));
        assert!(pair.short_is_flat() && !pair.long_is_flat());
        pair.push(0.1);
        assert_eq!(pair.long_mean(), Some(0.1));
    }

    #[test]
    fn sums_match_two_separate_smas_bit_for_bit() {
        // Windows that divide 1024 and that do not, over prices that make a running sum drift:
        // every sum, at every push, past several exact recomputations, must be the same bits.
        for (short, long) in [(1, 2), (5, 60), (7, 9), (50, 240), (3, 1024), (1000, 1500)] {
            let mut pair = SmaPair::new(short, long);
            let (mut a, mut b) = (Sma::new(short), Sma::new(long));
            for i in 0..5_000i64 {
                let x = 1e4 + ((i * 7919) % 1000) as f64 * 1e-3 + (i % 3 == 0) as i64 as f64;
                pair.push(x);
                a.push(x);
                b.push(x);
                assert_eq!(
                    pair.short_sum().map(f64::to_bits),
                    a.sum().map(f64::to_bits),
                    "short {short} at push {i}"
                );
                assert_eq!(
                    pair.long_sum().map(f64::to_bits),
                    b.sum().map(f64::to_bits),
                    "long {long} at push {i}"
                );
                assert_eq!(pair.short_is_flat(), a.is_flat());
                assert_eq!(pair.long_is_flat(), b.is_flat());
            }
        }
    }
}
