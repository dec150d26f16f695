//! `vwap` by hand: a 4-bar window, bands 1.25 (or 0.75) population standard deviations of
//! the close around the VWAP.
//!
//! `vwap = sum(typical x volume) / sum(volume)` with `typical = (high + low + close) / 3`;
//! `sd` is the population standard deviation of the last 4 closes. The windows are chosen so
//! that the first decision, at bar 3 (warm-up `window - 1`), has closes 12, 12, 8, 8 (or
//! 8, 8, 12, 12): mean 10, deviations ±2, variance 4 x 4 / 4 = 4, sd 2.
//!
//! Rows below are `(open, high, low, close, volume)`; a signal at the close of bar t fills at
//! the open of bar t + 1.

use super::*;
use gauntlet_data::BarSeries;
use gauntlet_strategies::Vwap;

/// Long below the lower band, weighted by volume; out on the return to the VWAP.
///
/// Window 4, k = 1.25 (band 1.25 x sd), long only. Every bar's high and low sit symmetric
/// around the close, so `typical = close`, but the volumes differ:
///
/// | bar | O  | H  | L  | C  | V    | typical x V |
/// |-----|----|----|----|----|------|-------------|
/// | 0   | 12 | 13 | 11 | 12 | 3000 | 36000       |
/// | 1   | 12 | 13 | 11 | 12 | 3000 | 36000       |
/// | 2   | 8  | 9  | 7  | 8  | 1000 | 8000        |
/// | 3   | 8  | 9  | 7  | 8  | 1000 | 8000        |
/// | 4   | 8  | 10 | 8  | 9  | 1000 | 9000        |
/// | 5   | 9  | 11 | 9  | 10 | 2000 | 20000       |
/// | 6   | 10 | 11 | 9  | 10 | 1000 | 10000       |
/// | 7   | 10 | 11 | 9  | 10 | 1000 | 10000       |
///
/// - bar 3: vwap = (36000 + 36000 + 8000 + 8000) / 8000 = 11; sd(12, 12, 8, 8) = 2; lower band
///   11 - 2.5 = 8.5; close 8 < 8.5: long (fill 4).
/// - bar 4: vwap = (36000 + 8000 + 8000 + 9000) / 6000 = 10.17; close 9 < 10.17: hold.
/// - bar 5: vwap = (8000 + 8000 + 9000 + 20000) / 5000 = 9; close 10 >= 9: flat (fill 6).
/// - bar 6: vwap = (8000 + 9000 + 20000 + 10000) / 5000 = 9.4; closes 8, 9, 10, 10: mean
///   9.25, squares 1.5625 + 0.0625 + 0.5625 + 0.5625 = 2.75, var 0.6875, sd 0.829; lower
///   9.4 - 1.04 = 8.36; close 10: no entry.
/// - bar 7: vwap = (9000 + 20000 + 10000 + 10000) / 5000 = 9.8; closes 9, 10, 10, 10: mean
///   9.75, squares 0.5625 + 3 x 0.0625 = 0.75, var 0.1875, sd 0.433; lower 9.26: no entry.
///
/// The same closes with equal volumes (and `typical = close`): the VWAP is the plain mean of
/// the closes. Bar 3: vwap 10, lower 10 - 2.5 = 7.5, close 8 is above it: no entry. Bar 4:
/// closes 12, 8, 8, 9, mean 9.25, squares 7.5625 + 2 x 1.5625 + 0.0625 = 10.75, var 2.6875,
/// sd 1.639, lower 9.25 - 2.05 = 7.20 < 9. Bar 5: 8, 8, 9, 10, mean 8.75, sd 0.829, lower
/// 7.71 < 10. Bars 6, 7: lower 9.25 - 1.04 = 8.21 and 9.75 - 0.54 = 9.21, both < 10. No trade:
/// the heavy volume at 12 is what holds the VWAP up at bar 3.
#[test]
fn a_long_below_the_volume_weighted_band() {
    let rows = [
        (12.0, 13.0, 11.0, 12.0, 3_000.0),
        (12.0, 13.0, 11.0, 12.0, 3_000.0),
        (8.0, 9.0, 7.0, 8.0, 1_000.0),
        (8.0, 9.0, 7.0, 8.0, 1_000.0),
        (8.0, 10.0, 8.0, 9.0, 1_000.0),
        (9.0, 11.0, 9.0, 10.0, 2_000.0),
        (10.0, 11.0, 9.0, 10.0, 1_000.0),
        (10.0, 11.0, 9.0, 10.0, 1_000.0),
    ];
    let result = run(Vwap::new(4, 1.25, false, false), vec![bars("A", &rows)]);
    assert_eq!(spans(&result), vec![long(4, 6)]);
    assert!(result.open_positions.is_empty());

    let closes: Vec<f64> = rows.iter().map(|r| r.3).collect();
    let equal = run(
        Vwap::new(4, 1.25, false, false),
        vec![flat_bars("A", &closes)],
    );
    assert!(spans(&equal).is_empty());
}

/// With `long_short`, a short above the upper band; the highs and lows move the VWAP.
///
/// Window 4, k = 1.25, every volume 1,000 (so the VWAP is the mean of the typical prices).
/// Each bar closes at its high with a low 3 below, so `typical = (c + (c - 3) + c) / 3 = c - 1`:
///
/// | bar | O  | H  | L | C  | typical |
/// |-----|----|----|---|----|---------|
/// | 0   | 8  | 8  | 5 | 8  | 7       |
/// | 1   | 8  | 8  | 5 | 8  | 7       |
/// | 2   | 12 | 12 | 9 | 12 | 11      |
/// | 3   | 12 | 12 | 9 | 12 | 11      |
/// | 4   | 12 | 12 | 9 | 12 | 11      |
/// | 5   | 10 | 10 | 7 | 10 | 9       |
/// | 6   | 10 | 10 | 7 | 10 | 9       |
/// | 7   | 10 | 10 | 7 | 10 | 9       |
///
/// - bar 3: vwap = (7 + 7 + 11 + 11) / 4 = 9; sd(8, 8, 12, 12) = 2; bands 9 ± 2.5 = 6.5 and
///   11.5; close 12 > 11.5: short (fill 4). With `typical = close` the VWAP would be 10 and
///   the upper band 12.5: no short.
/// - bar 4: vwap = (7 + 11 + 11 + 11) / 4 = 10; close 12 > 10: hold.
/// - bar 5: vwap = (11 + 11 + 11 + 9) / 4 = 10.5; close 10 <= 10.5: flat (fill 6).
/// - bar 6: vwap = (11 + 11 + 9 + 9) / 4 = 10; closes 12, 12, 10, 10: sd 1; bands 8.75 and
///   11.25; close 10: nothing.
/// - bar 7: vwap = (11 + 9 + 9 + 9) / 4 = 9.5; closes 12, 10, 10, 10: mean 10.5, squares
///   2.25 + 3 x 0.25 = 3, var 0.75, sd 0.866; bands 9.5 ± 1.08 = 8.42 and 10.58: nothing.
///
/// Long only, the same bars never trade: the lower band is 6.5 at bar 3; at bar 4 closes
/// 8, 12, 12, 12 have mean 11, squares 9 + 3 = 12, var 3, sd 1.732, lower 10 - 2.17 = 7.83;
/// at bar 5 closes 12, 12, 12, 10 have sd 0.866, lower 10.5 - 1.08 = 9.42; at bars 6 and 7 the
/// lower bands 8.75 and 8.42 above; all below the close.
#[test]
fn long_short_shorts_above_the_upper_band() {
    let rows = [
        (8.0, 8.0, 5.0, 8.0, 1_000.0),
        (8.0, 8.0, 5.0, 8.0, 1_000.0),
        (12.0, 12.0, 9.0, 12.0, 1_000.0),
        (12.0, 12.0, 9.0, 12.0, 1_000.0),
        (12.0, 12.0, 9.0, 12.0, 1_000.0),
        (10.0, 10.0, 7.0, 10.0, 1_000.0),
        (10.0, 10.0, 7.0, 10.0, 1_000.0),
        (10.0, 10.0, 7.0, 10.0, 1_000.0),
    ];
    let result = run(Vwap::new(4, 1.25, false, true), vec![bars("A", &rows)]);
    assert_eq!(spans(&result), vec![short(4, 6)]);

    let long_only = run(Vwap::new(4, 1.25, false, false), vec![bars("A", &rows)]);
    assert!(spans(&long_only).is_empty());
}

/// Six-hour bars, four to a UTC day: `(open, high, low, close, volume)` rows.
fn six_hourly(rows: &[(f64, f64, f64, f64, f64)]) -> BarSeries {
    const SIX_HOURS_MS: i64 = 6 * 3_600_000;
    BarSeries::from_columns(
        "A",
        (0..rows.len() as i64).map(|i| i * SIX_HOURS_MS).collect(),
        rows.iter().map(|r| r.0).collect(),
        rows.iter().map(|r| r.1).collect(),
        rows.iter().map(|r| r.2).collect(),
        rows.iter().map(|r| r.3).collect(),
        rows.iter().map(|r| r.4).collect(),
    )
}

/// The session anchor restarts the VWAP at the first bar of each UTC day.
///
/// Window 4 (for the sd, and the rolling VWAP), k = 0.75, long only, volumes 1,000. Bars 0-3
/// are day 0, bars 4-7 day 1. All bars have high = low = close except bar 4 (high 9, low 6,
/// close 8: typical 23/3 = 7.67).
///
/// | bar | day | close | typical | session vwap              | rolling vwap (4)              |
/// |-----|-----|-------|---------|---------------------------|-------------------------------|
/// | 3   | 0   | 8     | 8       | (12+12+8+8)/4 = 10        | 10                            |
/// | 4   | 1   | 8     | 7.67    | 7.67 (the day restarts)   | (12+8+8+7.67)/4 = 8.92        |
/// | 5   | 1   | 9     | 9       | (7.67+9)/2 = 8.33         | (8+8+7.67+9)/4 = 8.17         |
/// | 6   | 1   | 9     | 9       | (7.67+9+9)/3 = 8.56       | (8+7.67+9+9)/4 = 8.42         |
/// | 7   | 1   | 9     | 9       | (7.67+9+9+9)/4 = 8.67     | (7.67+9+9+9)/4 = 8.67         |
///
/// Bar 3: sd(12, 12, 8, 8) = 2, lower 10 - 1.5 = 8.5, close 8 < 8.5: long (fill 4) either way.
///
/// Session: bar 4, close 8 >= 7.67: flat (fill 5). Then flat: bar 5 closes 8, 8, 8, 9, mean
/// 8.25, squares 3 x 0.0625 + 0.5625 = 0.75, var 0.1875, sd 0.433, lower 8.33 - 0.32 = 8.01;
/// bar 6 closes 8, 8, 9, 9, sd 0.5, lower 8.56 - 0.375 = 8.18; bar 7 closes 8, 9, 9, 9, sd
/// 0.433, lower 8.67 - 0.32 = 8.34; the close 9 is above each: no new entry.
///
/// Rolling: bar 4, close 8 < 8.92: hold; bar 5, close 9 >= 8.17: flat (fill 6). Bars 6 and 7:
/// lower 8.42 - 0.375 = 8.04 and 8.34, below the close 9: no new entry.
#[test]
fn the_session_anchor_restarts_the_vwap_each_day() {
    let rows = [
        (12.0, 12.0, 12.0, 12.0, 1_000.0),
        (12.0, 12.0, 12.0, 12.0, 1_000.0),
        (8.0, 8.0, 8.0, 8.0, 1_000.0),
        (8.0, 8.0, 8.0, 8.0, 1_000.0),
        (8.0, 9.0, 6.0, 8.0, 1_000.0),
        (9.0, 9.0, 9.0, 9.0, 1_000.0),
        (9.0, 9.0, 9.0, 9.0, 1_000.0),
        (9.0, 9.0, 9.0, 9.0, 1_000.0),
    ];
    let session = run(Vwap::new(4, 0.75, true, false), vec![six_hourly(&rows)]);
    assert_eq!(spans(&session), vec![long(4, 5)]);
    let rolling = run(Vwap::new(4, 0.75, false, false), vec![six_hourly(&rows)]);
    assert_eq!(spans(&rolling), vec![long(4, 6)]);
}
