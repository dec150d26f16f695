//! What a strategy has asked for, as it keeps track of it.

use gauntlet_strategy::Direction;

/// A position the strategy asked for: which side, and the bar of the signal.
///
/// This is the strategy's own book, not the account: the risk manager may have refused or cut
/// the entry, and the fill comes at the next bar. Rules that count bars held count from the
/// signal bar, so they do not depend on what the engine did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Held {
    /// True for long.
    pub long: bool,
    /// Bar index of the signal that opened it.
    pub since: usize,
}

impl Held {
    /// The direction it holds.
    pub fn direction(self) -> Direction {
        if self.long {
            Direction::Long
        } else {
            Direction::Short
        }
    }

    /// Bars since the signal, at bar `t`.
    pub fn age(self, t: usize) -> usize {
        t - self.since
    }
}

/// Bars as an index offset from an integer parameter already checked to be at least 1.
pub(crate) fn bars(value: i64) -> usize {
    usize::try_from(value).unwrap_or(1)
}
