//! `momentum` by hand: the rate of change `roc[t] = close[t] / close[t - lookback] - 1`
//! against a threshold, the minimum holding time counted from the signal bar, and the trend
//! filter `close[t] > sma[t]` (mean of the last `trend` closes).
//!
//! The first `roc` is at bar `lookback`; with a trend filter nothing is decided before the SMA
//! has a full window (bar `trend - 1`). A signal at the close of bar t fills at the open of
//! bar t + 1.

use super::*;
use gauntlet_strategies::Momentum;

/// Closes of the long and min-hold tests (lookback 3, threshold 10%).
///
/// | bar | close | close 3 back | roc               | wanted |
/// |-----|-------|--------------|-------------------|--------|
/// | 0-2 | 100   |              | (no close 3 back) |        |
/// | 3   | 100   | 100          | 0                 | flat   |
/// | 4   | 105   | 100          | +5%  (not > 10%)  | flat   |
/// | 5   | 120   | 100          | +20%              | long   |
/// | 6   | 130   | 100          | +30%              | long   |
/// | 7   | 125   | 105          | +19.0%            | long   |
/// | 8   | 120   | 120          | 0                 | flat   |
/// | 9   | 110   | 130          | -15.4%            | flat   |
/// | 10  | 110   | 125          | -12%              | flat   |
/// | 11  | 110   | 120          | -8.3%             | flat   |
/// | 12  | 110   | 110          | 0                 | flat   |
const RISE_AND_FADE: [f64; 13] = [
    100.0, 100.0, 100.0, 100.0, 105.0, 120.0, 130.0, 125.0, 120.0, 110.0, 110.0, 110.0, 110.0,
];

/// Long from the signal of bar 5 (fill 6); with `min_hold = 1` the first bar that wants flat,
/// bar 8 (age 8 - 5 = 3 >= 1), exits: fill at 9. Long-only, the negative `roc` of bars 9-12
/// is no short.
#[test]
fn long_while_the_rate_of_change_clears_the_threshold() {
    let result = run(
        Momentum::new(3, 0.1, 0, 1, false),
        vec![flat_bars("A", &RISE_AND_FADE)],
    );
    assert_eq!(spans(&result), vec![long(6, 9)]);
    assert!(result.open_positions.is_empty());
}

/// The same closes with longer minimum holds. The long's signal bar is 5 and every bar from 8
/// on wants flat, so the exit signal is the first bar t >= 8 with t - 5 >= min_hold:
///
/// - min_hold 3: bar 8 (age 3), fill 9 (the boundary: age == min_hold may exit);
/// - min_hold 4: bar 8 (age 3) is held, bar 9 (age 4) exits, fill 10;
/// - min_hold 5: bars 8 and 9 are held, bar 10 (age 5) exits, fill 11;
/// - min_hold 8: the exit would be bar 13, past the last bar (12): no closed trade, the long
///   filled at 6 is still open at the end.
#[test]
fn min_hold_delays_the_exit() {
    for (min_hold, exit) in [(3, 9), (4, 10), (5, 11)] {
        let result = run(
            Momentum::new(3, 0.1, 0, min_hold, false),
            vec![flat_bars("A", &RISE_AND_FADE)],
        );
        assert_eq!(spans(&result), vec![long(6, exit)], "min_hold {min_hold}");
    }
    let held = run(
        Momentum::new(3, 0.1, 0, 8, false),
        vec![flat_bars("A", &RISE_AND_FADE)],
    );
    assert!(spans(&held).is_empty());
    assert_eq!(held.open_positions.len(), 1);
    assert_eq!(held.open_positions[0].entry_bar, 6);
}

/// A trend filter blocks an entry that the rate of change alone would take.
///
/// Lookback 2, threshold 5%, `min_hold` 1; with `trend = 5`, the SMA of the last 5 closes:
///
/// | bar | close | roc (2 back)         | sma(5)                       | no filter | trend 5 |
/// |-----|-------|----------------------|------------------------------|-----------|---------|
/// | 2   | 150   | 150 / 150: 0         | not full                     | flat      | -       |
/// | 3   | 100   | 100 / 150: -33%      | not full                     | flat      | -       |
/// | 4   | 90    | 90 / 150: -40%       | 640 / 5 = 128                | flat      | flat    |
/// | 5   | 110   | 110 / 100: +10%      | 600 / 5 = 120; 110 < 120     | long      | blocked |
/// | 6   | 120   | 120 / 90: +33%       | 570 / 5 = 114; 120 > 114     | long      | long    |
/// | 7   | 130   | 130 / 110: +18%      | 550 / 5 = 110; 130 > 110     | long      | long    |
/// | 8   | 125   | 125 / 120: +4.2%     | 575 / 5 = 115                | flat      | flat    |
/// | 9   | 125   | 125 / 130: -3.8%     | 610 / 5 = 122                | flat      | flat    |
/// | 10  | 125   | 125 / 125: 0         | 625 / 5 = 125                | flat      | flat    |
///
/// No filter: signal 5, fill 6; exit signal 8 (age 3), fill 9. With the filter the entry waits
/// for bar 6, fill 7; exit signal 8 (age 2 >= 1), fill 9.
#[test]
fn the_trend_filter_blocks_an_entry_below_the_average() {
    let closes = [
        150.0, 150.0, 150.0, 100.0, 90.0, 110.0, 120.0, 130.0, 125.0, 125.0, 125.0,
    ];
    let free = run(
        Momentum::new(2, 0.05, 0, 1, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&free), vec![long(6, 9)]);
    let filtered = run(
        Momentum::new(2, 0.05, 5, 1, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&filtered), vec![long(7, 9)]);
}

/// With `long_short`, a fall of the rate of change below -threshold reverses the long straight
/// into a short. Lookback 2, threshold 5%, no filter, `min_hold` 1.
///
/// | bar | close | roc (2 back)      | wanted | action                                  |
/// |-----|-------|-------------------|--------|-----------------------------------------|
/// | 2   | 110   | 110 / 100: +10%   | long   | long (fill 3)                           |
/// | 3   | 120   | 120 / 100: +20%   | long   | hold                                    |
/// | 4   | 100   | 100 / 110: -9.1%  | short  | age 2 >= 1: reverse (fill 5: long closes, short opens) |
/// | 5   | 90    | 90 / 120: -25%    | short  | hold                                    |
/// | 6   | 90    | 90 / 100: -10%    | short  | hold                                    |
/// | 7   | 94    | 94 / 90: +4.4%    | flat   | cover (fill 8)                          |
/// | 8   | 92    | 92 / 90: +2.2%    | flat   | none                                    |
/// | 9   | 92    | 92 / 94: -2.1%    | flat   | none                                    |
///
/// Trades in the order they close: long 3 to 5, short 5 to 8. Long-only, bar 4 wants flat
/// instead: long 3 to 5 and nothing after (bars 5 and 6 want flat, not short).
#[test]
fn long_short_reverses_into_a_short() {
    let closes = [
        100.0, 100.0, 110.0, 120.0, 100.0, 90.0, 90.0, 94.0, 92.0, 92.0,
    ];
    let result = run(
        Momentum::new(2, 0.05, 0, 1, true),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&result), vec![long(3, 5), short(5, 8)]);
    let long_only = run(
        Momentum::new(2, 0.05, 0, 1, false),
        vec![flat_bars("A", &closes)],
    );
    assert_eq!(spans(&long_only), vec![long(3, 5)]);
}
