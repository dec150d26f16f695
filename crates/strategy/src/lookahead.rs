//! The look-ahead guard: proof, for any strategy, that its decisions at bar t depend on bars up
//! to t only.
//!
//! [`BarContext`] already keeps later bars out of reach, but a strategy can still cheat around it
//! (data captured when it was built, a file read on the side). The guard runs the strategy over
//! the full series, then, for each cut point `t`, builds a fresh strategy from the bars up to `t`
//! only and runs it again: every intent (and every error) at every bar up to `t` must be the same.
//! Positions are held at zero in both runs, so the comparison sees the strategy alone.

use crate::{BarColumns, BarContext, Intent, Intents, Strategy};

/// What a strategy did at one bar: its intents, or its error message.
pub type BarDecision = Result<Vec<Intent>, String>;

/// The first bar at which a truncated run decided differently from the full run.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// The cut: the truncated run saw bars `0..=cut`.
    pub cut: usize,
    /// The first bar (at or before the cut) whose decision differed.
    pub bar: usize,
    /// What the strategy decided there with the whole series available.
    pub full: BarDecision,
    /// What it decided there with bars up to the cut only.
    pub truncated: BarDecision,
}

/// The guard's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct LookaheadReport {
    /// The cut points checked, ascending.
    pub cuts: Vec<usize>,
    /// The first divergence found (at the earliest cut that shows one), if any.
    pub divergence: Option<Divergence>,
}

impl LookaheadReport {
    /// True when no cut showed a difference.
    pub fn passed(&self) -> bool {
        self.divergence.is_none()
    }
}

/// `count` cut points spread evenly over `bars` bars (always including the last bar but one),
/// deterministic so that the same inputs check the same cuts.
pub fn evenly_spaced_cuts(bars: usize, count: usize) -> Vec<usize> {
    if bars < 2 || count == 0 {
        return Vec::new();
    }
    let last = bars - 2;
    let mut cuts: Vec<usize> = (1..=count).map(|k| last * k / count).collect();
    cuts.dedup();
    cuts
}

/// Runs the guard over `columns` (one entry per symbol, on one clock). `build` makes a fresh
/// strategy from the bars it is given: the full columns for the reference run, the columns cut
/// at each point for the others.
pub fn check_lookahead<S: Strategy>(
    columns: &[BarColumns<'_>],
    cuts: &[usize],
    mut build: impl FnMut(&[BarColumns<'_>]) -> S,
) -> LookaheadReport {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .copied()
        .filter(|&c| columns.first().is_some_and(|s| c < s.len()))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let full_len = columns.first().map_or(0, BarColumns::len);
    let full = decisions(&mut build(columns), columns, full_len);
    let divergence = cuts.iter().find_map(|&cut| {
        let truncated: Vec<BarColumns<'_>> = columns.iter().map(|c| c.cut(cut + 1)).collect();
        let seen = decisions(&mut build(&truncated), &truncated, cut + 1);
        (0..=cut)
            .find(|&bar| full[bar] != seen[bar])
            .map(|bar| Divergence {
                cut,
                bar,
                full: full[bar].clone(),
                truncated: seen[bar].clone(),
            })
    });
    LookaheadReport { cuts, divergence }
}

fn decisions<S: Strategy>(
    strategy: &mut S,
    columns: &[BarColumns<'_>],
    bars: usize,
) -> Vec<BarDecision> {
    let flat = vec![0.0; columns.len()];
    let mut intents = Intents::new();
    (0..bars)
        .map(|t| {
            intents.clear();
            let context = BarContext::new(columns, t, &flat);
            strategy
                .on_bar(&context, &mut intents)
                .map(|()| intents.as_slice().to_vec())
                .map_err(|e| e.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_are_spread_and_stay_inside() {
        assert_eq!(evenly_spaced_cuts(102, 4), vec![25, 50, 75, 100]);
        assert_eq!(evenly_spaced_cuts(3, 10), vec![0, 1]);
        assert!(evenly_spaced_cuts(1, 5).is_empty());
    }
}
