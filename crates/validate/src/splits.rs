//! Split schemes: which bars each fold trains (optimizes) on and which it tests on.
//!
//! Bars are indices `0..n` of the data's clock. A fold's training and test sets are lists of
//! contiguous ranges, oldest first.
//!
//! - **Rolling walk-forward**: training `[s, s + in)`, test `[s + in, s + in + out)`, then
//!   `s += step`; the last test window is cut at the end of the data.
//! - **Anchored walk-forward**: the same, with training always starting at bar 0.
//! - **Purged K-fold**: `k` contiguous test folds of equal size (the first `n mod k` one bar
//!   longer); the training set is every other bar, less the purged and embargoed ones.
//! - **CPCV** (López de Prado, *Advances in Financial Machine Learning*, 2018, ch. 12): `N`
//!   contiguous groups, every choice of `k` of them as the test set: `C(N, k)` splits. Each group
//!   is tested in `C(N-1, k-1)` splits; taking the j-th of those for every group gives path j,
//!   a complete out-of-sample history: `C(N-1, k-1)` paths.
//!
//! Purging and embargo (K-fold and CPCV): the label of the sample at bar `i` spans `[i, i + h]`,
//! the bars a position opened at `i` can be held (`h` is the label span). A training bar is
//! removed when its span overlaps a test range `[a, b)` extended by the embargo `e` to
//! `[a, b + e)`: every `i` in `[a - h, b + e)` leaves the training set.

use std::ops::Range;

use gauntlet_engine::metrics::TradingYear;
use serde::Serialize;

use crate::spec::{Span, SplitSpec};

/// A split scheme with its sizes in bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum Scheme {
    /// Rolling walk-forward.
    Rolling {
        /// Training window.
        in_sample: usize,
        /// Test window.
        out_of_sample: usize,
        /// Bars between the starts of successive folds.
        step: usize,
    },
    /// Anchored walk-forward: training from bar 0.
    Anchored {
        /// Training window of the first fold.
        in_sample: usize,
        /// Test window.
        out_of_sample: usize,
        /// Bars between successive test windows.
        step: usize,
    },
    /// Purged K-fold with embargo (tagged as written in a spec).
    #[serde(rename = "purged_kfold")]
    PurgedKFold {
        /// Folds `k`.
        folds: usize,
        /// Label span `h`, in bars.
        label_span: usize,
        /// Embargo `e`, in bars.
        embargo: usize,
    },
    /// Combinatorial purged cross-validation.
    Cpcv {
        /// Groups `N`.
        groups: usize,
        /// Test groups per split `k`.
        test_groups: usize,
        /// Label span `h`, in bars.
        label_span: usize,
        /// Embargo `e`, in bars.
        embargo: usize,
    },
}

/// For people: "rolling walk-forward: train 756 bars, test 252, step 252".
impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Scheme::Rolling {
                in_sample,
                out_of_sample,
                step,
            } => write!(
                f,
                "rolling walk-forward: train {in_sample} bars, test {out_of_sample}, step {step}"
            ),
            Scheme::Anchored {
                in_sample,
                out_of_sample,
                step,
            } => write!(
                f,
                "anchored walk-forward: train from the first bar ({in_sample} bars at first), \
                 test {out_of_sample}, step {step}"
            ),
            Scheme::PurgedKFold {
                folds,
                label_span,
                embargo,
            } => write!(
                f,
                "purged {folds}-fold: label span {label_span} bars, embargo {embargo}"
            ),
            Scheme::Cpcv {
                groups,
                test_groups,
                label_span,
                embargo,
            } => write!(
                f,
                "CPCV: {groups} groups, {test_groups} tested per split, label span \
                 {label_span} bars, embargo {embargo}"
            ),
        }
    }
}

impl Scheme {
    /// The scheme in words, e.g. "rolling walk-forward (in-sample 756 bars, out-of-sample 126,
    /// step 126)".
    pub fn describe(&self) -> String {
        match *self {
            Scheme::Rolling {
                in_sample,
                out_of_sample,
                step,
            } => format!(
                "rolling walk-forward (in-sample {in_sample} bars, out-of-sample {out_of_sample}, step {step})"
            ),
            Scheme::Anchored {
                in_sample,
                out_of_sample,
                step,
            } => format!(
                "anchored walk-forward (first in-sample {in_sample} bars, out-of-sample {out_of_sample}, step {step})"
            ),
            Scheme::PurgedKFold {
                folds,
                label_span,
                embargo,
            } => format!(
                "purged {folds}-fold cross-validation (label span {label_span} bars, embargo {embargo})"
            ),
            Scheme::Cpcv {
                groups,
                test_groups,
                label_span,
                embargo,
            } => format!(
                "combinatorial purged cross-validation ({groups} groups, {test_groups} tested per split, label span {label_span} bars, embargo {embargo})"
            ),
        }
    }
}

/// One fold: the bars it trains on and the bars it tests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fold {
    /// Training ranges, oldest first.
    pub train: Vec<Range<usize>>,
    /// Test ranges, oldest first.
    pub test: Vec<Range<usize>>,
    /// CPCV: the groups tested (indices into [`Plan::groups`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test_groups: Vec<usize>,
}

/// The folds of a scheme over `n` bars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The scheme.
    pub scheme: Scheme,
    /// Bars.
    pub bars: usize,
    /// The folds.
    pub folds: Vec<Fold>,
    /// CPCV: the groups' ranges.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Range<usize>>,
    /// CPCV: `paths[j][g]` is the fold whose test of group `g` path `j` takes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<Vec<usize>>,
}

/// A scheme that cannot be laid over the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A size of zero where bars are needed.
    #[error("{0}: expected at least 1 bar")]
    Empty(&'static str),
    /// Not even one fold fits.
    #[error(
        "the data has {bars} bars, fewer than one fold needs ({needed}: {what}); shorten the windows or use more data"
    )]
    TooShort {
        /// Bars in the data.
        bars: usize,
        /// Bars needed.
        needed: usize,
        /// What they are for.
        what: String,
    },
    /// Test windows that overlap cannot be stitched into one history.
    #[error(
        "step ({step} bars) is shorter than the out-of-sample window ({out_of_sample} bars): test windows would overlap"
    )]
    Overlap {
        /// Step.
        step: usize,
        /// Test window.
        out_of_sample: usize,
    },
    /// K-fold or CPCV counts out of range.
    #[error("{0}")]
    Counts(String),
}

impl Scheme {
    /// The scheme a spec's `split` names, its spans in bars of the data's `year`; K-fold and
    /// CPCV default their label span and embargo to `warmup` (the strategy's warm-up).
    pub fn of(split: SplitSpec, year: TradingYear, warmup: usize) -> Result<Scheme, SplitError> {
        let bars = |span: Span, key: &'static str| match span.bars(year) {
            0 => Err(SplitError::Empty(key)),
            n => Ok(n),
        };
        let or_warmup = |span: Option<Span>| span.map_or(warmup, |s| s.bars(year));
        Ok(match split {
            SplitSpec::Rolling {
                in_sample,
                out_of_sample,
                step,
            } => Scheme::Rolling {
                in_sample: bars(in_sample, "in_sample")?,
                out_of_sample: bars(out_of_sample, "out_of_sample")?,
                step: bars(step, "step")?,
            },
            SplitSpec::Anchored {
                in_sample,
                out_of_sample,
                step,
            } => Scheme::Anchored {
                in_sample: bars(in_sample, "in_sample")?,
                out_of_sample: bars(out_of_sample, "out_of_sample")?,
                step: bars(step, "step")?,
            },
            SplitSpec::PurgedKfold {
                folds,
                label_span,
                embargo,
            } => Scheme::PurgedKFold {
                folds,
                label_span: or_warmup(label_span),
                embargo: or_warmup(embargo),
            },
            SplitSpec::Cpcv {
                groups,
                test_groups,
                label_span,
                embargo,
            } => Scheme::Cpcv {
                groups,
                test_groups,
                label_span: or_warmup(label_span),
                embargo: or_warmup(embargo),
            },
        })
    }
}

impl Plan {
    /// The distinct test windows and, per fold, which of them it tests: each group for CPCV
    /// (a group is tested by several folds), each fold's own test window otherwise.
    pub fn test_windows(&self) -> (Vec<Range<usize>>, Vec<Vec<usize>>) {
        if self.groups.is_empty() {
            (
                self.folds.iter().flat_map(|f| f.test.clone()).collect(),
                (0..self.folds.len()).map(|f| vec![f]).collect(),
            )
        } else {
            (
                self.groups.clone(),
                self.folds.iter().map(|f| f.test_groups.clone()).collect(),
            )
        }
    }

    /// Runs a validation of `sets` parameter sets makes: `(training, test)`.
    pub fn cells(&self, sets: usize) -> (usize, usize) {
        let tests = if self.groups.is_empty() {
            self.folds.len()
        } else {
            self.groups.len()
        };
        (self.folds.len() * sets, tests * sets)
    }
}

impl Scheme {
    /// The folds of this scheme over `bars` bars.
    pub fn plan(self, bars: usize) -> Result<Plan, SplitError> {
        let mut plan = Plan {
            scheme: self,
            bars,
            folds: Vec::new(),
            groups: Vec::new(),
            paths: Vec::new(),
        };
        match self {
            Scheme::Rolling {
                in_sample,
                out_of_sample,
                step,
            }
            | Scheme::Anchored {
                in_sample,
                out_of_sample,
                step,
            } => {
                let anchored = matches!(self, Scheme::Anchored { .. });
                walk_forward(bars, in_sample, out_of_sample, step, anchored, &mut plan)?
            }
            Scheme::PurgedKFold {
                folds,
                label_span,
                embargo,
            } => {
                if folds < 2 {
                    return Err(SplitError::Counts(format!(
                        "folds: expected at least 2, got {folds}"
                    )));
                }
                let groups = equal_groups(bars, folds)?;
                for test in &groups {
                    plan.folds.push(Fold {
                        train: purged_train(bars, std::slice::from_ref(test), label_span, embargo),
                        test: vec![test.clone()],
                        test_groups: Vec::new(),
                    });
                }
            }
            Scheme::Cpcv {
                groups,
                test_groups,
                label_span,
                embargo,
            } => cpcv(bars, groups, test_groups, label_span, embargo, &mut plan)?,
        }
        if let Some(fold) = plan.folds.iter().find(|f| f.train.is_empty()) {
            return Err(SplitError::TooShort {
                bars,
                needed: bars + 1,
                what: format!(
                    "the fold testing {:?} has no training bars left after purging and embargo",
                    fold.test
                ),
            });
        }
        Ok(plan)
    }
}

fn walk_forward(
    bars: usize,
    in_sample: usize,
    out_of_sample: usize,
    step: usize,
    anchored: bool,
    plan: &mut Plan,
) -> Result<(), SplitError> {
    for (size, name) in [
        (in_sample, "in_sample"),
        (out_of_sample, "out_of_sample"),
        (step, "step"),
    ] {
        if size == 0 {
            return Err(SplitError::Empty(name));
        }
    }
    if step < out_of_sample {
        return Err(SplitError::Overlap {
            step,
            out_of_sample,
        });
    }
    if bars <= in_sample {
        return Err(SplitError::TooShort {
            bars,
            needed: in_sample + 1,
            what: format!("{in_sample} in-sample bars and at least 1 out-of-sample"),
        });
    }
    let mut start = 0;
    while start + in_sample < bars {
        let test_start = start + in_sample;
        let test_end = (test_start + out_of_sample).min(bars);
        plan.folds.push(Fold {
            train: vec![if anchored { 0 } else { start }..test_start],
            test: vec![test_start..test_end],
            test_groups: Vec::new(),
        });
        start += step;
    }
    Ok(())
}

/// `count` contiguous groups covering `0..bars`, the first `bars mod count` one bar longer.
fn equal_groups(bars: usize, count: usize) -> Result<Vec<Range<usize>>, SplitError> {
    if bars < count * 2 {
        return Err(SplitError::TooShort {
            bars,
            needed: count * 2,
            what: format!("{count} groups of at least 2 bars"),
        });
    }
    let (size, extra) = (bars / count, bars % count);
    let mut start = 0;
    Ok((0..count)
        .map(|g| {
            let len = size + usize::from(g < extra);
            let range = start..start + len;
            start += len;
            range
        })
        .collect())
}

/// Every bar not in a test range and not purged or embargoed around one, as ranges.
pub fn purged_train(
    bars: usize,
    test: &[Range<usize>],
    label_span: usize,
    embargo: usize,
) -> Vec<Range<usize>> {
    let mut keep = vec![true; bars];
    for range in test {
        let from = range.start.saturating_sub(label_span);
        let to = (range.end + embargo).min(bars);
        keep[from..to].fill(false);
    }
    let mut ranges = Vec::new();
    let mut t = 0;
    while t < bars {
        if keep[t] {
            let start = t;
            while t < bars && keep[t] {
                t += 1;
            }
            ranges.push(start..t);
        } else {
            t += 1;
        }
    }
    ranges
}

fn cpcv(
    bars: usize,
    groups: usize,
    test_groups: usize,
    label_span: usize,
    embargo: usize,
    plan: &mut Plan,
) -> Result<(), SplitError> {
    if groups < 2 || test_groups == 0 || test_groups >= groups {
        return Err(SplitError::Counts(format!(
            "cpcv: expected at least 2 groups and 1 <= test_groups < groups, got groups={groups} test_groups={test_groups}"
        )));
    }
    plan.groups = equal_groups(bars, groups)?;
    for chosen in combinations(groups, test_groups) {
        let test = merge(chosen.iter().map(|&g| plan.groups[g].clone()));
        plan.folds.push(Fold {
            train: purged_train(bars, &test, label_span, embargo),
            test,
            test_groups: chosen,
        });
    }
    let paths = binomial(groups - 1, test_groups - 1);
    plan.paths = (0..paths)
        .map(|j| {
            (0..groups)
                .map(|g| {
                    plan.folds
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.test_groups.contains(&g))
                        .nth(j)
                        .map_or(0, |(i, _)| i)
                })
                .collect()
        })
        .collect();
    Ok(())
}

/// Adjacent ranges joined.
fn merge(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => merged.push(range),
        }
    }
    merged
}

/// Every `k`-subset of `0..n`, in lexicographic order.
pub fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current: Vec<usize> = (0..k).collect();
    if k > n {
        return out;
    }
    loop {
        out.push(current.clone());
        let Some(i) = (0..k).rev().find(|&i| current[i] < n - k + i) else {
            return out;
        };
        current[i] += 1;
        for j in i + 1..k {
            current[j] = current[j - 1] + 1;
        }
    }
}

/// `C(n, k)`.
pub fn binomial(n: usize, k: usize) -> usize {
    if k > n {
        return 0;
    }
    (0..k.min(n - k)).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_spans_in_bars() {
        let span = |text| crate::spec::parse_span(text).expect("a calendar span");
        let rolling = |year| {
            Scheme::of(
                SplitSpec::Rolling {
                    in_sample: span("3y"),
                    out_of_sample: span("6m"),
                    step: span("10d"),
                },
                year,
                0,
            )
            .expect("sizes above zero")
        };
        // Daily equity bars: a year 252 bars, a month 21, a day 1.
        let daily = rolling(TradingYear::new(252.0, 252.0));
        assert_eq!(
            daily,
            Scheme::Rolling {
                in_sample: 756,
                out_of_sample: 126,
                step: 10
            }
        );
        // Round-the-clock minute bars: 1440 a day on 365 days.
        let minutes = rolling(TradingYear::new(365.0 * 1440.0, 365.0));
        assert_eq!(
            minutes,
            Scheme::Rolling {
                in_sample: 3 * 525_600,
                out_of_sample: 262_800,
                step: 14_400
            }
        );
        // A week is P / 52 bars, rounded: 252 / 52 = 4.85 -> 5, twice that 9.69 -> 10.
        assert_eq!(span("1w").bars(TradingYear::new(252.0, 252.0)), 5);
        assert_eq!(span("2w").bars(TradingYear::new(252.0, 252.0)), 10);
    }

    #[test]
    fn rolling_by_hand() {
        // 10 bars, in 4, out 2, step 2: train 0-4 test 4-6; train 2-6 test 6-8; train 4-8
        // test 8-10. Anchored trains from 0 each time.
        let plan = Scheme::Rolling {
            in_sample: 4,
            out_of_sample: 2,
            step: 2,
        }
        .plan(10)
        .expect("fits");
        let got: Vec<_> = plan
            .folds
            .iter()
            .map(|f| (f.train.clone(), f.test.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (vec![0..4], vec![4..6]),
                (vec![2..6], vec![6..8]),
                (vec![4..8], vec![8..10])
            ]
        );
        let anchored = Scheme::Anchored {
            in_sample: 4,
            out_of_sample: 3,
            step: 3,
        }
        .plan(10)
        .expect("fits");
        // Test 4-7, then 7-10 (train 0-7).
        assert_eq!(anchored.folds.len(), 2);
        // 3 folds, each with its own test window: 3 training and 3 test runs per set.
        assert_eq!(plan.cells(2), (6, 6));
        assert_eq!(plan.test_windows().0, vec![4..6, 6..8, 8..10]);
        assert_eq!(anchored.folds[1].train, vec![0..7]);
        assert_eq!(anchored.folds[1].test, vec![7..10]);
    }

    #[test]
    fn last_window_is_cut_and_errors_name_the_problem() {
        let plan = Scheme::Rolling {
            in_sample: 4,
            out_of_sample: 4,
            step: 4,
        }
        .plan(10)
        .expect("fits");
        assert_eq!(plan.folds.last().map(|f| f.test.clone()), Some(vec![8..10]));
        let long = Scheme::Rolling {
            in_sample: 10,
            out_of_sample: 1,
            step: 1,
        };
        assert!(matches!(long.plan(10), Err(SplitError::TooShort { .. })));
        let overlap = Scheme::Rolling {
            in_sample: 3,
            out_of_sample: 2,
            step: 1,
        };
        assert!(matches!(overlap.plan(10), Err(SplitError::Overlap { .. })));
    }

    #[test]
    fn purged_kfold_by_hand() {
        // 12 bars, 3 folds of 4; h = 1, e = 2. Fold 1 tests 4-8: bars 3 (its span 3-4 touches
        // the test) and 8, 9 (embargo) leave training: train 0-3 and 10-12.
        let plan = Scheme::PurgedKFold {
            folds: 3,
            label_span: 1,
            embargo: 2,
        }
        .plan(12)
        .expect("fits");
        assert_eq!(plan.folds[1].test, vec![4..8]);
        assert_eq!(plan.folds[1].train, vec![0..3, 10..12]);
        assert_eq!(plan.folds[0].train, vec![6..12]);
        assert_eq!(plan.folds[2].train, vec![0..7]);
    }

    #[test]
    fn cpcv_six_two_has_fifteen_splits_and_five_paths() {
        let plan = Scheme::Cpcv {
            groups: 6,
            test_groups: 2,
            label_span: 0,
            embargo: 0,
        }
        .plan(60)
        .expect("fits");
        assert_eq!(plan.folds.len(), 15);
        assert_eq!(plan.paths.len(), 5);
        // Every path tests every group exactly once, from a fold that does test it, and no
        // (fold, group) pair is used by two paths.
        let mut used = std::collections::BTreeSet::new();
        for path in &plan.paths {
            assert_eq!(path.len(), 6);
            for (g, &fold) in path.iter().enumerate() {
                assert!(plan.folds[fold].test_groups.contains(&g));
                assert!(used.insert((fold, g)));
            }
        }
        assert_eq!(used.len(), 15 * 2);
        // 15 splits train; the 6 groups are each tested once per set, whichever folds use them.
        assert_eq!(plan.cells(10), (150, 60));
        let (windows, per_fold) = plan.test_windows();
        assert_eq!(windows.len(), 6);
        assert_eq!(per_fold[0], vec![0, 1]);
        // Groups 0 and 1 tested together are one range 0-20.
        assert_eq!(plan.folds[0].test, vec![0..20]);
    }

    #[test]
    fn combinatorics() {
        assert_eq!(binomial(6, 2), 15);
        assert_eq!(binomial(5, 1), 5);
        assert_eq!(binomial(16, 8), 12_870);
        assert_eq!(combinations(4, 2).len(), 6);
        assert_eq!(combinations(4, 2)[0], vec![0, 1]);
        assert_eq!(combinations(4, 2)[5], vec![2, 3]);
    }
}
