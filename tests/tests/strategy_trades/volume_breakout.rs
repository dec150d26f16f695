//! `volume_breakout` by hand: the 3-bar high, volume 1.5 times the 3-bar average, a 2-bar
//! Wilder ATR, the stop 2 ATRs under the peak.
//!
//! Every bar has open = high = low = close, so the highest high is the highest close and the
//! true range is the change of the close, `|close[t] - close[t-1]|`. The ATR's first value, at
//! bar 2, is the mean of the true ranges of bars 1 and 2, then `atr = (atr + tr) / 2`.
//!
//! The common start (close, volume):
//!
//! | bar | close | volume | TR | ATR | high of the 3 bars before | mean volume of them |
//! |-----|-------|--------|----|-----|---------------------------|---------------------|
//! |  0  |  10   |  100   |    |     |                           |                     |
//! |  1  |  11   |  100   | 1  |     |                           |                     |
//! |  2  |  10   |  100   | 1  | 1   |                           |                     |
//! |  3  |  11   |  100   | 1  | 1   | 11                        | 100                 |
//! |  4  |  12   |  150   | 1  | 1   | 11                        | 100                 |
//! |  5  |  11   |  100   | 1  | 1   | 12                        | 350/3 = 116.67      |
//! |  6  |  13   |  300   | 2  | 1.5 | 12                        | 350/3 = 116.67      |
//!
//! - Bar 3: 11 is not above 11.
//! - Bar 4: 12 > 11 is a breakout, but the volume 150 is not above 1.5 * 100 = 150: not
//!   taken.
//! - Bar 5: 11 is not above 12.
//! - Bar 6: 13 > 12 and 300 > 1.5 * 116.67 = 175: long, filled at the open of bar 7. The stop
//!   starts at 13 - 2 * 1.5 = 10, the peak at 13.

use super::*;
use gauntlet_strategies::VolumeBreakout;

/// `(close, volume)` of bars 0..=6, up to the breakout at bar 6.
const START: [(f64, f64); 7] = [
    (10.0, 100.0),
    (11.0, 100.0),
    (10.0, 100.0),
    (11.0, 100.0),
    (12.0, 150.0),
    (11.0, 100.0),
    (13.0, 300.0),
];

/// Bars with one price each (open = high = low = close) from `START` then `rest`.
fn series(rest: &[(f64, f64)]) -> BarSeries {
    let rows: Vec<_> = START
        .iter()
        .chain(rest)
        .map(|&(c, v)| (c, c, c, c, v))
        .collect();
    bars("X", &rows)
}

#[test]
fn low_volume_breakout_is_skipped_and_the_trailing_stop_exits() {
    // After the entry signal at bar 6 (stop 10, peak 13, ATR 1.5), max_hold 10:
    //
    // | bar | close | TR | ATR                     | close < stop? | peak | stop                              |
    // |-----|-------|----|-------------------------|---------------|------|-----------------------------------|
    // |  7  |  15   | 2  | (1.5 + 2) / 2 = 1.75    | 15 < 10 no    | 15   | max(10, 15 - 3.5 = 11.5) = 11.5   |
    // |  8  |  16   | 1  | (1.75 + 1) / 2 = 1.375  | 16 < 11.5 no  | 16   | max(11.5, 16 - 2.75) = 13.25      |
    // |  9  |  14   | 2  | (1.375 + 2) / 2 = 1.6875| 14 < 13.25 no | 16   | max(13.25, 16 - 3.375) = 13.25    |
    // | 10  |  13   |    |                         | 13 < 13.25    |      | flat                              |
    //
    // At bar 9 the trailing level 12.625 is under the stop, which never moves down: it stays at
    // 13.25, and the close 13 of bar 10 is below it. Flat, filled at the open of bar 11.
    // Bars 11 and 12 (flat): 13 is not above the 3-bar highs 16 (bars 8..=10) and 14 (bars
    // 9..=11).
    let rest = [
        (15.0, 100.0),
        (16.0, 100.0),
        (14.0, 100.0),
        (13.0, 100.0),
        (13.0, 100.0),
        (13.0, 100.0),
    ];
    let result = run(VolumeBreakout::new(3, 1.5, 2, 2.0, 10), vec![series(&rest)]);
    assert_eq!(spans(&result), vec![long(7, 11)]);
    assert!(result.open_positions.is_empty());
}

#[test]
fn max_hold_closes_a_breakout_that_keeps_rising() {
    // After the entry signal at bar 6, max_hold 3, a steady climb that never nears the stop:
    //
    // | bar | close | TR | ATR                     | age | stop after the bar                |
    // |-----|-------|----|-------------------------|-----|-----------------------------------|
    // |  7  |  14   | 1  | (1.5 + 1) / 2 = 1.25    |  1  | max(10, 14 - 2.5) = 11.5          |
    // |  8  |  15   | 1  | (1.25 + 1) / 2 = 1.125  |  2  | max(11.5, 15 - 2.25) = 12.75      |
    // |  9  |  16   |    |                         |  3  | 16 >= 12.75, but 3 bars old: flat |
    //
    // The exit signal at bar 9 fills at the open of bar 10.
    // Bar 10 (flat): 17 is above the 3-bar high 16 (bars 7..=9), but on volume 100, not above
    // 1.5 * 100 = 150: no new entry.
    let rest = [(14.0, 100.0), (15.0, 100.0), (16.0, 100.0), (17.0, 100.0)];
    let result = run(VolumeBreakout::new(3, 1.5, 2, 2.0, 3), vec![series(&rest)]);
    assert_eq!(spans(&result), vec![long(7, 10)]);
    assert!(result.open_positions.is_empty());
}
