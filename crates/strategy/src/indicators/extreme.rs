//! Rolling highest and lowest values, with how many bars ago they happened.
//!
//! A monotonic queue: each value enters once and leaves once, so an update is O(1) amortized,
//! and the queue never holds more than `n` entries (allocated up front).

use std::collections::VecDeque;

/// Which extreme a [`RollingExtreme`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Keep {
    Highest,
    Lowest,
}

/// The highest or lowest of the last `n` values. Among equal extremes the latest wins.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollingExtreme {
    keep: Keep,
    n: usize,
    /// `(position in the stream, value)`, oldest first; the front is the extreme.
    queue: VecDeque<(usize, f64)>,
    seen: usize,
}

impl RollingExtreme {
    /// The highest of the last `n >= 1` values.
    pub fn highest(n: usize) -> Self {
        Self::new(n, Keep::Highest)
    }

    /// The lowest of the last `n >= 1` values.
    pub fn lowest(n: usize) -> Self {
        Self::new(n, Keep::Lowest)
    }

    fn new(n: usize, keep: Keep) -> Self {
        assert!(n > 0, "a rolling extreme needs a window of at least 1");
        RollingExtreme {
            keep,
            n,
            queue: VecDeque::with_capacity(n + 1),
            seen: 0,
        }
    }

    /// Adds a value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        // A value that a newer one equals or beats can never be the extreme again.
        let beaten = |old: f64| match self.keep {
            Keep::Highest => old <= x,
            Keep::Lowest => old >= x,
        };
        while self.queue.back().is_some_and(|&(_, old)| beaten(old)) {
            self.queue.pop_back();
        }
        self.queue.push_back((self.seen, x));
        self.seen += 1;
        if self
            .queue
            .front()
            .is_some_and(|&(at, _)| at + self.n < self.seen)
        {
            self.queue.pop_front();
        }
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
        self.queue.front().map(|&(at, x)| (x, self.seen - 1 - at))
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
        let xs: Vec<f64> = (0..500u64)
            .map(|i| ((i * 7919) % 101) as f64 - ((i * 31) % 7) as f64)
            .collect();
        let n = 17;
        let mut hi = RollingExtreme::highest(n);
        let mut lo = RollingExtreme::lowest(n);
        for (t, &x) in xs.iter().enumerate() {
            hi.push(x);
            lo.push(x);
            if t + 1 >= n {
                let window = &xs[t + 1 - n..=t];
                let max = window.iter().copied().fold(f64::MIN, f64::max);
                let min = window.iter().copied().fold(f64::MAX, f64::min);
                let max_age = t - (t + 1 - n + window.iter().rposition(|&v| v == max).unwrap_or(0));
                assert_eq!(hi.extreme(), Some((max, max_age)));
                assert_eq!(lo.value(), Some(min));
            }
        }
    }
}
