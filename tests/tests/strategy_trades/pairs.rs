//! `pairs` by hand: a 3-bar hedge ratio, a 3-bar z-score, in past 1.25, out within 0.5,
//! tolerance 0.1.
//!
//! Prices are powers of two, so every log is a multiple of ln 2 and the sums below are in
//! units of ln 2: `a = log2 A`, `b = log2 B`. The beta does not depend on the unit, the spread
//! scales with it and the z-score does not. B alternates 1, 2, 1, 2, ... (`b` = 0, 1, 0, 1,
//! ...) and A is B squared (`a = 2b`: beta 2, spread 0) times a perturbation `2^m`.
//!
//! With `b` over a window being (0, 1, 0) or (1, 0, 1), the least-squares slope is the
//! difference of the mean `a` where `b = 1` and the mean `a` where `b = 0`: for (0, 1, 0),
//! `mean b = 1/3`, `sum (b - 1/3)^2 = 2/3` and `sum (b - 1/3) a = 2/3 * (a_mid - (a_1 + a_3)/2)`;
//! the mirror for (1, 0, 1). The spread is then `a - beta * b`.
//!
//! The z-score of three spreads: when two are equal and one differs, the odd one has
//! `z = ±sqrt(2) = ±1.414` and the equal ones `∓1/sqrt(2) = ∓0.707` (values p, p, q: mean
//! `(2p + q)/3`, population variance `2 (q - p)^2 / 9`).
//!
//! Bars, for the short-spread test (m = 0 except m = -1 at bar 1 and m = +1 at bars 6, 7):
//!
//! | bar | B | A | b | a | beta            | spread `a - beta b` | z                     |
//! |-----|---|---|---|---|-----------------|---------------------|-----------------------|
//! |  0  | 1 | 1 | 0 | 0 |                 |                     |                       |
//! |  1  | 2 | 2 | 1 | 1 |                 |                     |                       |
//! |  2  | 1 | 1 | 0 | 0 | 1 - 0 = 1       | 0                   |                       |
//! |  3  | 2 | 4 | 1 | 2 | 3/2 - 0 = 3/2   | 2 - 3/2 = 1/2       |                       |
//! |  4  | 1 | 1 | 0 | 0 | 2 - 0 = 2       | 0                   | (0, 1/2, 0): -0.707   |
//! |  5  | 2 | 4 | 1 | 2 | 2 - 0 = 2       | 0                   | (1/2, 0, 0): -0.707   |
//! |  6  | 1 | 2 | 0 | 1 | 2 - 1/2 = 3/2   | 1                   | (0, 0, 1): +1.414     |
//! |  7  | 2 | 8 | 1 | 3 | 5/2 - 1 = 3/2   | 3 - 3/2 = 3/2       | (0, 1, 3/2): +1.069   |
//! |  8  | 1 | 1 | 0 | 0 | 3 - 1/2 = 5/2   | 0                   | (1, 3/2, 0): -1.336   |
//! |  9  | 2 | 4 | 1 | 2 | 5/2 - 0 = 5/2   | 2 - 5/2 = -1/2      | (3/2, 0, -1/2): -0.981|
//! | 10  | 1 | 1 | 0 | 0 | 2 - 0 = 2       | 0                   | (0, -1/2, 0): +0.707  |
//! | 11  | 2 | 4 | 1 | 2 | 2 - 0 = 2       | 0                   | (-1/2, 0, 0): +0.707  |
//!
//! The z-scores not of the two-equal kind:
//! - Bar 7, spreads 0, 1, 3/2: mean 5/6, squared deviations 25/36 + 1/36 + 16/36 = 42/36,
//!   variance 42/108 = 7/18, sd 0.6236; z = (3/2 - 5/6) / 0.6236 = (2/3) / 0.6236 = 1.069.
//! - Bar 8, spreads 1, 3/2, 0: the same mean and sd; z = (0 - 5/6) / 0.6236 = -1.336.
//! - Bar 9, spreads 3/2, 0, -1/2: mean 1/3, squared deviations 49/36 + 4/36 + 25/36 = 78/36,
//!   variance 13/18, sd 0.8498; z = (-1/2 - 1/3) / 0.8498 = -0.981.
//!
//! The first z-score is at bar 4 (betas from bar 2, three spreads), the warm-up
//! `3 + 3 - 2 = 4`. Every window of three spreads holds two different values, so no z-score
//! rests on rounding noise.

use super::*;
use gauntlet_strategies::Pairs;

/// `log2 B` of bars 0..=11: 0, 1, 0, 1, ...
fn b_logs() -> Vec<i32> {
    (0..12).map(|t| t % 2).collect()
}

/// Series A = B^2 * 2^m and B = 2^b, one price per bar.
fn pair(perturbation: &[i32; 12]) -> Vec<BarSeries> {
    let b = b_logs();
    let a: Vec<f64> = b
        .iter()
        .zip(perturbation)
        .map(|(&b, &m)| 2f64.powi(2 * b + m))
        .collect();
    let b: Vec<f64> = b.iter().map(|&b| 2f64.powi(b)).collect();
    vec![flat_bars("A", &a), flat_bars("B", &b)]
}

#[test]
fn rich_spread_is_shorted_and_closed_when_the_z_score_returns() {
    // Per the table in the module comment:
    // - Bars 4, 5: |z| = 0.707 is within 1.25: nothing.
    // - Bar 6: z = 1.414 > 1.25, the spread is rich: short A, long B, both filled at the open
    //   of bar 7 with the same notional (all the equity, 100,000).
    // - Bar 7: z = 1.069 is above 0.5: held. The legs filled at this bar's open, which is its
    //   close (one price per bar), so they are worth exactly 100,000 each: imbalance 0, no
    //   cut.
    // - Bar 8: z = -1.336 <= 0.5: flat in both legs, filled at the open of bar 9. (The z is
    //   also past -1.25, but exits come first and a bar that exits never enters.)
    // - Bars 9, 10, 11 (flat): |z| = 0.981, 0.707, 0.707, all within 1.25: no new entry.
    let m = [0, -1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0];
    let result = run(Pairs::new(3, 3, 1.25, 0.5, 0.1), pair(&m));
    assert_eq!(
        spans(&result),
        vec![
            Span {
                symbol: 0,
                long: false,
                entry: 7,
                exit: 9,
            },
            Span {
                symbol: 1,
                long: true,
                entry: 7,
                exit: 9,
            },
        ]
    );
    assert!(result.open_positions.is_empty());
}

#[test]
fn cheap_spread_is_bought_and_closed_when_the_z_score_returns() {
    // The perturbation negated: m = +1 at bar 1, m = -1 at bars 6, 7 (A = 8 at bar 1, 1/2 at
    // bar 6, 2 at bar 7). The beta is `2 + (mean m where b = 1) - (mean m where b = 0)`, so
    // `beta - 2` changes sign with m, and the spread `m - (beta - 2) b` does too: every spread
    // is the negative of the table's, and so every z-score.
    // - Bar 6: z = -1.414 < -1.25, the spread is cheap: long A, short B, filled at bar 7.
    // - Bar 7: z = -1.069 is below -0.5: held (imbalance 0 at the fill bar, as above).
    // - Bar 8: z = +1.336 >= -0.5: flat in both legs at the open of bar 9.
    // - Bars 9, 10, 11: |z| = 0.981, 0.707, 0.707: no new entry.
    let m = [0, 1, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0];
    let result = run(Pairs::new(3, 3, 1.25, 0.5, 0.1), pair(&m));
    assert_eq!(
        spans(&result),
        vec![
            Span {
                symbol: 0,
                long: true,
                entry: 7,
                exit: 9,
            },
            Span {
                symbol: 1,
                long: false,
                entry: 7,
                exit: 9,
            },
        ]
    );
    assert!(result.open_positions.is_empty());
}
