//! Spare equity curves, handed from one run to the next.
//!
//! A run records its equity into a vector as long as its window, and a grid over 1M bars runs
//! 100 of them: fresh memory for each would fault in 8 MB of new pages a run, which on a
//! virtual machine costs as much as a tenth of the run. rayon's `map_init` keeps one buffer
//! per *split* of the work, not per thread, and with two threads work is stolen and split
//! again many times, each split starting from an empty buffer. The pool keeps the buffers
//! instead: a run takes one (or starts one), gives it back when done, and there are never more
//! than one per thread.

use std::sync::{Mutex, PoisonError};

/// Spare buffers for runs to record into.
#[derive(Debug, Default)]
pub(crate) struct CurvePool {
    spare: Mutex<Vec<Vec<f64>>>,
}

impl CurvePool {
    /// A buffer a finished run gave back, or a new empty one.
    pub(crate) fn take(&self) -> Vec<f64> {
        self.spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Returns `buffer` for the next run.
    pub(crate) fn give(&self, buffer: Vec<f64>) {
        self.spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_the_next_one_taken() {
        let pool = CurvePool::default();
        assert_eq!(pool.take().capacity(), 0);
        let mut curve = pool.take();
        curve.extend([1.0, 2.0, 3.0]);
        let address = curve.as_ptr();
        pool.give(curve);
        let again = pool.take();
        assert_eq!(again.as_ptr(), address);
        assert_eq!(pool.take().capacity(), 0, "only one was given back");
    }
}
