//! A fixed-size ring of the last `n` values and a compensated running sum.

/// The last `n` values pushed (a value may be a tuple: indicators that slide several series
/// together keep one ring, one index, one bounds check).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Window<T = f64> {
    values: Vec<T>,
    next: usize,
    full: bool,
}

impl<T: Copy + Default> Window<T> {
    pub(crate) fn new(n: usize) -> Self {
        assert!(n > 0, "a window needs at least one value");
        Window {
            values: vec![T::default(); n],
            next: 0,
            full: false,
        }
    }

    /// Pushes `x` and returns the value it replaced (0 until the window is full).
    #[inline]
    pub(crate) fn push(&mut self, x: T) -> T {
        let old = std::mem::replace(&mut self.values[self.next], x);
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
            self.full = true;
        }
        old
    }

    /// True right after the push that completed a lap of the ring: the values are then in the
    /// order they were pushed, oldest first.
    #[inline]
    pub(crate) fn at_lap(&self) -> bool {
        self.next == 0
    }

    /// The values held (in ring order).
    #[inline]
    pub(crate) fn values(&self) -> &[T] {
        &self.values
    }

    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    /// Values held so far (`n` once full).
    #[inline]
    pub(crate) fn count(&self) -> usize {
        if self.full {
            self.values.len()
        } else {
            self.next
        }
    }

    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.values.len()
    }
}

/// A running sum with Neumaier compensation: adding and removing values for millions of bars
/// keeps the error at a few ulps instead of letting it drift.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    #[inline]
    pub(crate) fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}
