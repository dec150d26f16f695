//! `rsi_divergence` by hand: a 2-bar Wilder RSI, divergences within the 5 bars before the
//! current one, oversold 30, exit RSI 50. Warm-up `rsi + lookback` = 7, so bar 7 is the first
//! that may signal.
//!
//! The common start, closes 20 21 22 21 20 16 20 18 15.5. With `n = 2` the first average gain
//! and loss are the means of the changes at bars 1 and 2, then `avg = (avg + x) / 2`, and
//! `RSI = 100 * gain / (gain + loss)`:
//!
//! | bar | close | change | avg gain | avg loss |  RSI                        |
//! |-----|-------|--------|----------|----------|-----------------------------|
//! |  1  |  21   |  +1    |          |          |                             |
//! |  2  |  22   |  +1    |  1       |  0       | 100 (no losses)             |
//! |  3  |  21   |  -1    |  1/2     |  1/2     | 50                          |
//! |  4  |  20   |  -1    |  1/4     |  3/4     | 25                          |
//! |  5  |  16   |  -4    |  1/8     |  19/8    | 100 * 1/20  = 5             |
//! |  6  |  20   |  +4    |  33/16   |  19/16   | 100 * 33/52 = 63.46         |
//! |  7  |  18   |  -2    |  33/32   |  51/32   | 100 * 33/84 = 39.29         |
//! |  8  |  15.5 |  -2.5  |  33/64   |  131/64  | 100 * 33/164 = 20.12        |
//!
//! - Bar 7: the 5 bars before it are 2..=6, closes 22 21 20 16 20: the low is 16 at `j = 5`;
//!   18 is not below 16, no signal.
//! - Bar 8: bars 3..=7, closes 21 20 16 20 18: `j = 5` again. 15.5 < 16 (a lower low),
//!   RSI 20.12 > 5 (a higher RSI low) and `rsi[5] = 5 < 30` (oversold): long, filled at the
//!   open of bar 9.

use super::*;
use gauntlet_strategies::RsiDivergence;

/// The closes of bars 0..=8, up to the bullish divergence at bar 8.
const START: [f64; 9] = [20.0, 21.0, 22.0, 21.0, 20.0, 16.0, 20.0, 18.0, 15.5];

/// Closes from `START` followed by `rest`.
fn closes(rest: &[f64]) -> Vec<f64> {
    START.iter().chain(rest).copied().collect()
}

#[test]
fn bullish_divergence_exits_when_the_rsi_recovers() {
    // After the entry signal at bar 8 (averages 33/64 and 131/64):
    //
    // | bar | close | change | avg gain  | avg loss  |  RSI                    |
    // |-----|-------|--------|-----------|-----------|-------------------------|
    // |  9  |  17   |  +1.5  |  129/128  |  131/128  | 100 * 129/260 = 49.62   |
    // | 10  |  18   |  +1    |  257/256  |  131/256  | 100 * 257/388 = 66.24   |
    // | 11  |  18   |   0    |  257/512  |  131/512  | 66.24 (both halve)      |
    // | 12  |  14   |  -4    |  257/1024 | 2179/1024 | 100 * 257/2436 = 10.55  |
    //
    // - Bar 9: 49.62 is not above 50 (and the position is 1 bar old, under max_hold 10): held.
    // - Bar 10: 66.24 > 50: flat, filled at the open of bar 10 + 1 = 11.
    // - Bar 11 (flat again): bars 6..=10 are 20 18 15.5 17 18, low 15.5 at bar 8; 18 is not
    //   lower.
    // - Bar 12: bars 7..=11 are 18 15.5 17 18 18, low 15.5 at `j = 8` with `rsi[8] = 20.12`,
    //   oversold. 14 < 15.5 is a lower low, but the RSI 10.55 is lower too (below 20.12): the
    //   RSI confirms the low, no divergence, no trade.
    let series = flat_bars("X", &closes(&[17.0, 18.0, 18.0, 14.0]));
    let result = run(
        RsiDivergence::new(2, 5, 30.0, 50.0, 10, false),
        vec![series],
    );
    assert_eq!(spans(&result), vec![long(9, 11)]);
    assert!(result.open_positions.is_empty());
}

#[test]
fn max_hold_closes_a_long_the_rsi_never_lifts() {
    // Same entry at bar 8 (filled at 9), then the close stays at 15.5. A zero change halves
    // both averages, so their ratio and the RSI stay at 100 * 33/164 = 20.12 < 50: the RSI
    // never exits. With max_hold 3 the position is 3 bars old (from the signal bar 8) at bar
    // 11: flat, filled at the open of bar 12.
    // Bar 12 (flat): bars 7..=11 are 18 15.5 15.5 15.5 15.5, the low 15.5 is the latest, at
    // bar 11; 15.5 is not below it, no new entry.
    let series = flat_bars("X", &closes(&[15.5, 15.5, 15.5, 15.5]));
    let result = run(RsiDivergence::new(2, 5, 30.0, 50.0, 3, false), vec![series]);
    assert_eq!(spans(&result), vec![long(9, 12)]);
    assert!(result.open_positions.is_empty());
}

#[test]
fn bearish_divergence_mirrors_the_bullish_one_with_long_short() {
    // The closes of the first test mirrored, 40 - close. Gains become losses and losses
    // gains, so every RSI becomes 100 - RSI: rsi[5] = 95, rsi[8] = 79.88, rsi[9] = 50.38,
    // rsi[10] = 33.76, rsi[12] = 89.45. Highest closes take the place of the lowest.
    // - Bar 8: bars 3..=7 are 19 20 24 20 22, high 24 at `h = 5`, rsi 95 > 100 - 30 = 70;
    //   24.5 > 24 (a higher high) with RSI 79.88 < 95: short, filled at bar 9.
    // - Bar 9: 50.38 is not below 100 - 50 = 50: held. Bar 10: 33.76 < 50: flat, filled at 11.
    // - Bar 12: a higher high (26 > 24.5) with a higher RSI (89.45 > 79.88): no trade.
    // No bullish divergence either: its mirror is a bearish one in the first test, and there
    // the closes of the flat bars 7, 8, 11 and 12 (18, 15.5, 18, 14) never pass the highest
    // close of their 5 bars before (22, 21, 20, 18).
    let mirrored: Vec<f64> = closes(&[17.0, 18.0, 18.0, 14.0])
        .iter()
        .map(|c| 40.0 - c)
        .collect();
    let series = flat_bars("X", &mirrored);
    let result = run(RsiDivergence::new(2, 5, 30.0, 50.0, 10, true), vec![series]);
    assert_eq!(spans(&result), vec![short(9, 11)]);
    assert!(result.open_positions.is_empty());
}
