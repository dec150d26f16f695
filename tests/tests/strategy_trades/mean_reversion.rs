//! `mean_reversion` by hand: a window of 5 closes, entries beyond z = ±1.5.
//!
//! The z-score is `(close - mean) / sd` with the population standard deviation of the last 5
//! closes. The series are built around one window that comes out round: 100, 100, 100, 100
//! and a last close of 50 have mean 450 / 5 = 90, deviations 10, 10, 10, 10, -40, squares
//! 4 x 100 + 1600 = 2000, variance 2000 / 5 = 400, sd 20, so z = (50 - 90) / 20 = -2 (the
//! most extreme a 5-close window can reach: sqrt(5 - 1) = 2). Mirrored, 100 x 4 and 150 give
//! mean 110, sd 20, z = +2. Four equal closes and one 40 below give z = -2 at any level.
//!
//! While a position is held, only the sign of z matters for the exit (sd > 0), so it is enough
//! to compare the close with the window's mean: `z >= 0` exactly when `close >= mean`.
//!
//! The first full window is at bar 4 (warm-up `window - 1` = 4); a signal at the close of bar t
//! fills at the open of bar t + 1.

use super::*;
use gauntlet_strategies::MeanReversion;

/// Long below the lower band, out when the close is back at the window's mean.
///
/// | bar | close | window (5 closes)     | mean              | decision                     |
/// |-----|-------|-----------------------|-------------------|------------------------------|
/// | 0-3 | 100   | not full              |                   | warm-up                      |
/// | 4   | 50    | 100 100 100 100 50    | 90, sd 20, z = -2 | -2 < -1.5: long, e = 50      |
/// | 5   | 60    | 100 100 100 50 60     | 410 / 5 = 82      | 60 < 82: hold                |
/// | 6   | 70    | 100 100 50 60 70      | 380 / 5 = 76      | 70 < 76: hold                |
/// | 7   | 90    | 100 50 60 70 90       | 370 / 5 = 74      | 90 >= 74, z >= 0: flat       |
/// | 8   | 90    | 50 60 70 90 90        | 360 / 5 = 72      | 90 > 72, z > 0: no entry     |
/// | 9   | 100   | 60 70 90 90 100       | 410 / 5 = 82      | 100 > 82, z > 0: no entry    |
///
/// The stop (50%: a close at or below 25) is never near. Long filled at 5, closed at 8.
#[test]
fn a_long_exits_when_the_close_is_back_at_the_mean() {
    let closes = [
        100.0, 100.0, 100.0, 100.0, 50.0, 60.0, 70.0, 90.0, 90.0, 100.0,
    ];
    let result = run(
        MeanReversion::new(5, 1.5, 0.5, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&result), vec![long(5, 8)]);
    assert!(result.open_positions.is_empty());
}

/// Long below the lower band, out at the stop while the close is still below the mean.
///
/// Stop 10%: the entry reference is the signal bar's close e = 50, the stop level
/// 50 x (1 - 0.1) = 45.
///
/// | bar | close | window (5 closes)     | mean              | decision                        |
/// |-----|-------|-----------------------|-------------------|---------------------------------|
/// | 4   | 50    | 100 100 100 100 50    | 90, sd 20, z = -2 | long, e = 50                    |
/// | 5   | 48    | 100 100 100 50 48     | 398 / 5 = 79.6    | 48 < 79.6; 48 > 45: hold        |
/// | 6   | 40    | 100 100 50 48 40      | 338 / 5 = 67.6    | z < 0, but 40 <= 45: stop, flat |
/// | 7   | 60    | 100 50 48 40 60       | 298 / 5 = 59.6    | 60 > 59.6, z > 0: no entry      |
/// | 8   | 62    | 50 48 40 60 62        | 260 / 5 = 52      | 62 > 52, z > 0: no entry        |
///
/// Long filled at 5, stopped out at the open of 7.
///
/// With a 50% stop (level 25) on the same closes, bar 6 holds (40 > 25, 40 < 67.6) and the
/// exit comes from the mean at bar 7 (60 >= 59.6): long filled at 5, closed at 8.
#[test]
fn a_long_exits_at_the_stop_before_the_mean() {
    let closes = [100.0, 100.0, 100.0, 100.0, 50.0, 48.0, 40.0, 60.0, 62.0];
    let stopped = run(
        MeanReversion::new(5, 1.5, 0.1, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&stopped), vec![long(5, 7)]);

    let wide = run(
        MeanReversion::new(5, 1.5, 0.5, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&wide), vec![long(5, 8)]);
}

/// With `long_short`, a short above the upper band, out at the mean; then a long.
///
/// Stop 50% (a short is stopped at 150 x 1.5 = 225, the long at 70 x 0.5 = 35; neither is
/// reached).
///
/// | bar | close | window (5 closes)     | mean, sd, z                             | decision          |
/// |-----|-------|-----------------------|-----------------------------------------|-------------------|
/// | 4   | 150   | 100 100 100 100 150   | 110, sd 20, z = +2                      | 2 > 1.5: short    |
/// | 5   | 140   | 100 100 100 150 140   | 590 / 5 = 118                           | 140 > 118: hold   |
/// | 6   | 110   | 100 100 150 140 110   | 600 / 5 = 120                           | 110 <= 120: flat  |
/// | 7   | 120   | 100 150 140 110 120   | 124; sq. dev. 576+676+256+196+16 = 1720, var 344, sd 18.55; z = -4 / 18.55 = -0.22 | none |
/// | 8   | 120   | 150 140 110 120 120   | 128; 484+144+324+64+64 = 1080, var 216, sd 14.70; z = -8 / 14.70 = -0.54 | none |
/// | 9   | 120   | 140 110 120 120 120   | 122; 324+144+4+4+4 = 480, var 96, sd 9.80; z = -2 / 9.80 = -0.20 | none |
/// | 10  | 120   | 110 120 120 120 120   | 118; 64+4+4+4+4 = 80, var 16, sd 4; z = 2 / 4 = +0.5 | none |
/// | 11  | 70    | 120 120 120 120 70    | 110, sd 20, z = -2                      | -2 < -1.5: long   |
/// | 12  | 80    | 120 120 120 70 80     | 510 / 5 = 102                           | 80 < 102: hold    |
/// | 13  | 110   | 120 120 70 80 110     | 500 / 5 = 100                           | 110 >= 100: flat  |
/// | 14  | 110   | 120 70 80 110 110     | 98; 484+784+324+144+144 = 1880, var 376, sd 19.39; z = 12 / 19.39 = +0.62 | none |
///
/// Short filled at 5, covered at 7; long filled at 12, closed at 14.
#[test]
fn long_short_shorts_above_the_upper_band() {
    let closes = [
        100.0, 100.0, 100.0, 100.0, 150.0, 140.0, 110.0, 120.0, 120.0, 120.0, 120.0, 70.0, 80.0,
        110.0, 110.0,
    ];
    let result = run(
        MeanReversion::new(5, 1.5, 0.5, true),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&result), vec![short(5, 7), long(12, 14)]);

    // Long-only, the z = +2 of bar 4 is no signal and the strategy stays flat: bar 5 has
    // z > 0 (140 > 118); bar 6 has sq. dev. 400+400+900+400+100 = 2200, var 440, sd 20.98,
    // z = (110 - 120) / 20.98 = -0.48; bars 7-10 as in the table; none is below -1.5. The only
    // trade is the long of bar 11.
    let long_only = run(
        MeanReversion::new(5, 1.5, 0.5, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&long_only), vec![long(12, 14)]);
}
