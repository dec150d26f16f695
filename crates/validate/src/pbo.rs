//! The Probability of Backtest Overfitting by combinatorially symmetric cross-validation
//! (Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting", 2015).
//!
//! The input is a `T × N` matrix: per-period returns (rows, oldest first) of `N` configurations.
//! The oldest `T mod S` rows are dropped so that `S` (even) blocks of equal size remain. For each
//! of the `C(S, S/2)` ways to pick half of the blocks as the in-sample set (the rest, in order,
//! being the out-of-sample set):
//! 1. every configuration's performance is its per-period Sharpe ratio (mean over sample
//!    standard deviation; 0 when it does not vary and its mean is 0, ±∞ by the mean's sign when
//!    it does not vary otherwise) on each set;
//! 2. `n*` is the configuration best in-sample (the lowest column index among equals);
//! 3. its out-of-sample rank among the `N` (1 = worst, ties take their average rank) gives the
//!    relative rank `w = rank / (N + 1)` and the logit `λ = ln(w / (1 - w))`.
//!
//! PBO is the fraction of splits with `λ ≤ 0`: how often the in-sample winner lands in the
//! bottom half out of sample.

use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::mean_variance::MeanVariance;
use crate::stat::{Stat, Undefined};

/// Blocks used when none are asked for (the paper's example uses 16).
pub const DEFAULT_BLOCKS: usize = 16;

/// Most blocks: C(24, 12) = 2,704,156 splits, each costing `O(S × N)`; every 2 blocks more
/// multiply the work by about 4.
pub const MAX_BLOCKS: usize = 24;

/// The result of CSCV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pbo {
    /// Fraction of splits whose in-sample winner ranks in the bottom half out of sample.
    pub pbo: Stat,
    /// Blocks `S`.
    pub blocks: usize,
    /// Configurations `N`.
    pub configurations: usize,
    /// Rows used (`T` less the dropped ones).
    pub rows_used: usize,
    /// Oldest rows dropped so the blocks are equal.
    pub rows_dropped: usize,
    /// The logit of every split, in the order the splits are enumerated (lexicographic order
    /// of the in-sample block indices).
    pub logits: Vec<f64>,
}

/// Why CSCV cannot run on a matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PboError {
    /// `S` must be even, from 2 to [`MAX_BLOCKS`].
    #[error("blocks: expected an even number from 2 to {MAX_BLOCKS}, got {0}")]
    Blocks(usize),
    /// Rows of different lengths.
    #[error("row {row}: expected {expected} values (one per configuration), got {got}")]
    Ragged {
        /// Row index (0-based).
        row: usize,
        /// Columns of the first row.
        expected: usize,
        /// Columns of this row.
        got: usize,
    },
    /// A value that is not a number.
    #[error("row {row}, column {column}: NaN or infinite return")]
    NotFinite {
        /// Row index (0-based).
        row: usize,
        /// Column index (0-based).
        column: usize,
    },
}

/// How a history of `T` periods divides into `S` equal blocks: the oldest `T mod S` periods are
/// dropped, and block `b` holds the next `block_len` periods after block `b - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLayout {
    /// Blocks `S`.
    pub blocks: usize,
    /// Oldest periods dropped.
    pub dropped: usize,
    /// Periods per block.
    pub block_len: usize,
}

impl BlockLayout {
    /// The layout of `periods` periods in `blocks` blocks (an even number, at least 2).
    pub fn new(periods: usize, blocks: usize) -> Result<BlockLayout, PboError> {
        if !(2..=MAX_BLOCKS).contains(&blocks) || !blocks.is_multiple_of(2) {
            return Err(PboError::Blocks(blocks));
        }
        let dropped = periods % blocks;
        Ok(BlockLayout {
            blocks,
            dropped,
            block_len: (periods - dropped) / blocks,
        })
    }

    /// Periods in the blocks.
    pub fn used(&self) -> usize {
        self.block_len * self.blocks
    }

    /// The pieces of blocks that `len` consecutive periods starting at period `start` cover,
    /// oldest first: each block's number and its periods' positions within the run (`0..len`).
    pub fn pieces(&self, start: usize, len: usize) -> Vec<(usize, Range<usize>)> {
        let mut pieces = Vec::new();
        if self.block_len == 0 {
            return pieces;
        }
        let end = start + len;
        let mut at = start.max(self.dropped);
        while at < end {
            let block = (at - self.dropped) / self.block_len;
            let block_end = self.dropped + (block + 1) * self.block_len;
            let until = end.min(block_end);
            pieces.push((block, at - start..until - start));
            at = until;
        }
        pieces
    }
}

/// CSCV over `rows` (each row one period, one value per configuration) with `blocks` blocks.
pub fn probability_of_overfitting(rows: &[Vec<f64>], blocks: usize) -> Result<Pbo, PboError> {
    let layout = BlockLayout::new(rows.len(), blocks)?;
    let configurations = rows.first().map_or(0, Vec::len);
    for (row, values) in rows.iter().enumerate() {
        if values.len() != configurations {
            return Err(PboError::Ragged {
                row,
                expected: configurations,
                got: values.len(),
            });
        }
        if let Some(column) = values.iter().position(|v| !v.is_finite()) {
            return Err(PboError::NotFinite { row, column });
        }
    }
    let used = &rows[layout.dropped..];
    let columns: Vec<Vec<MeanVariance>> = (0..configurations)
        .map(|c| {
            let values: Vec<f64> = used.iter().map(|row| row[c]).collect();
            values
                .chunks_exact(layout.block_len.max(1))
                .take(blocks)
                .map(MeanVariance::of)
                .collect()
        })
        .collect();
    Ok(cscv(layout, &columns))
}

/// CSCV from each configuration's summary of each block (`columns[c][b]`, every column with
/// `layout.blocks` blocks): the summaries are joined per split, so each split costs
/// `O(S × N)` whatever the number of periods.
pub fn cscv(layout: BlockLayout, columns: &[Vec<MeanVariance>]) -> Pbo {
    let configurations = columns.len();
    let undefined = |reason| Pbo {
        pbo: Stat::Undefined(reason),
        blocks: layout.blocks,
        configurations,
        rows_used: layout.used(),
        rows_dropped: layout.dropped,
        logits: Vec::new(),
    };
    if configurations < 2 {
        return undefined(Undefined::SingleTrial);
    }
    // Each half must have at least two periods for a standard deviation.
    if layout.used() / 2 < 2 {
        return undefined(Undefined::TooFewObservations);
    }
    let blocks = layout.blocks;
    // Every split's in-sample choice, flattened (`blocks` flags per split), in the order of
    // `logits`; the splits are independent and run on the threads of the current rayon pool,
    // collected in that order, so the result does not depend on the threads.
    let mut halves = Vec::new();
    for_each_half(
        blocks,
        &mut vec![false; blocks],
        0,
        blocks / 2,
        &mut |chosen| halves.extend_from_slice(chosen),
    );
    let logits: Vec<f64> = halves
        .par_chunks_exact(blocks)
        .map_init(
            || SplitScratch {
                in_sample: Vec::with_capacity(configurations),
                out_of_sample: Vec::with_capacity(configurations),
            },
            |scratch, chosen| scratch.logit(columns, chosen),
        )
        .collect();
    let overfit = logits.iter().filter(|&&l| l <= 0.0).count();
    Pbo {
        pbo: Stat::Value(overfit as f64 / logits.len() as f64),
        blocks,
        configurations,
        rows_used: layout.used(),
        rows_dropped: layout.dropped,
        logits,
    }
}

/// Every configuration's Sharpe ratio on the two halves of one split, kept between splits.
struct SplitScratch {
    in_sample: Vec<f64>,
    out_of_sample: Vec<f64>,
}

impl SplitScratch {
    /// The logit of the split whose in-sample blocks are those `chosen`.
    fn logit(&mut self, columns: &[Vec<MeanVariance>], chosen: &[bool]) -> f64 {
        let (in_sample, out_of_sample) = (&mut self.in_sample, &mut self.out_of_sample);
        in_sample.clear();
        out_of_sample.clear();
        for column in columns {
            let (mut is, mut oos) = (MeanVariance::EMPTY, MeanVariance::EMPTY);
            for (&block, &pick) in column.iter().zip(chosen) {
                if pick {
                    is = is.join(block);
                } else {
                    oos = oos.join(block);
                }
            }
            in_sample.push(sharpe(is));
            out_of_sample.push(sharpe(oos));
        }
        let best = in_sample.iter().enumerate().fold(
            0,
            |best, (c, &v)| if v > in_sample[best] { c } else { best },
        );
        let x = out_of_sample[best];
        let below = out_of_sample.iter().filter(|&&v| v < x).count();
        let equal = out_of_sample.iter().filter(|&&v| v == x).count();
        let rank = below as f64 + (equal as f64 + 1.0) / 2.0;
        let w = rank / (columns.len() as f64 + 1.0);
        (w / (1.0 - w)).ln()
    }
}

/// The per-period Sharpe ratio of a set of blocks, by the conventions of the module docs.
fn sharpe(blocks: MeanVariance) -> f64 {
    let sd = blocks.variance().unwrap_or(0.0).sqrt();
    if sd > 0.0 {
        blocks.mean / sd
    } else if blocks.mean == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(blocks.mean)
    }
}

/// Calls `f` with every choice of `left` more blocks among `from..`, in lexicographic order.
fn for_each_half(
    blocks: usize,
    chosen: &mut Vec<bool>,
    from: usize,
    left: usize,
    f: &mut impl FnMut(&[bool]),
) {
    if left == 0 {
        f(chosen);
        return;
    }
    for b in from..=blocks - left {
        chosen[b] = true;
        for_each_half(blocks, chosen, b + 1, left - 1, f);
        chosen[b] = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_blocks_by_hand() {
        // S = 2, T = 5 (the oldest row dropped), N = 2. Block 0 = rows 1-2, block 1 = rows 3-4.
        // Column 0: 0.01, 0.03 | -0.01, 0.01; column 1: 0.00, 0.01 | 0.02, 0.04.
        // Split 1 (IS = block 0): Sharpe col 0 = 0.02 / 0.014142 = 1.414; col 1 = 0.005 /
        // 0.007071 = 0.707: col 0 wins; OOS col 0 = 0 / 0.014 = 0, col 1 = 0.03 / 0.01414
        // = 2.12: col 0 ranks 1 of 2, w = 1/3, λ = ln(0.5) < 0: overfit.
        // Split 2 (IS = block 1): col 1 wins (2.12 > 0); OOS (block 0) col 1 = 0.707 below
        // col 0's 1.414: rank 1, overfit again. PBO = 1.
        let rows = vec![
            vec![9.0, 9.0],
            vec![0.01, 0.0],
            vec![0.03, 0.01],
            vec![-0.01, 0.02],
            vec![0.01, 0.04],
        ];
        let pbo = probability_of_overfitting(&rows, 2).expect("valid");
        assert_eq!((pbo.rows_dropped, pbo.rows_used), (1, 4));
        assert_eq!(pbo.logits.len(), 2);
        assert!(pbo.logits.iter().all(|l| (l - 0.5f64.ln()).abs() < 1e-12));
        assert_eq!(pbo.pbo, Stat::Value(1.0));
    }

    #[test]
    fn blocks_are_cut_into_the_pieces_each_window_covers() {
        // T = 23, S = 4: 3 oldest periods dropped, blocks of 5: periods 3-7, 8-12, 13-17,
        // 18-22. A window of periods 0-9 covers nothing of 0-2, block 0 whole (positions
        // 3..8 of the window) and the first two periods of block 1 (positions 8..10).
        let layout = BlockLayout::new(23, 4).expect("even");
        assert_eq!(
            (layout.dropped, layout.block_len, layout.used()),
            (3, 5, 20)
        );
        assert_eq!(layout.pieces(0, 10), vec![(0, 3..8), (1, 8..10)]);
        // Periods 10-22: the rest of block 1, blocks 2 and 3 whole.
        assert_eq!(
            layout.pieces(10, 13),
            vec![(1, 0..3), (2, 3..8), (3, 8..13)]
        );
        // A window inside the dropped periods covers no block; fewer periods than blocks
        // leave every block empty.
        assert_eq!(layout.pieces(0, 3), vec![]);
        assert_eq!(BlockLayout::new(3, 4).expect("even").pieces(0, 3), vec![]);
        assert_eq!(BlockLayout::new(10, 3), Err(PboError::Blocks(3)));
        assert_eq!(BlockLayout::new(100, 26), Err(PboError::Blocks(26)));
        assert!(BlockLayout::new(100, MAX_BLOCKS).is_ok());
    }

    #[test]
    fn splits_count_and_errors() {
        let rows: Vec<Vec<f64>> = (0..16).map(|t| vec![t as f64 * 0.001, 0.002]).collect();
        // C(4, 2) = 6 splits.
        let pbo = probability_of_overfitting(&rows, 4).expect("valid");
        assert_eq!(pbo.logits.len(), 6);
        assert_eq!(
            probability_of_overfitting(&rows, 3),
            Err(PboError::Blocks(3))
        );
        let mut bad = rows.clone();
        bad[5][1] = f64::NAN;
        assert_eq!(
            probability_of_overfitting(&bad, 4),
            Err(PboError::NotFinite { row: 5, column: 1 })
        );
    }
}
