//! The indicators `pairs` uses, on the shipped data, against another tool: Python 3.11's
//! `statistics` module (`linear_regression` for the OLS fit, `fmean` and `pstdev` for the
//! z-score), run on the same closes. The script, for the record:
//!
//! ```python
//! import csv, math, statistics as st
//! load = lambda p: [float(r["close"]) for r in csv.DictReader(open(p))]
//! y = [math.log(v) for v in load("data/sp500_daily.csv")]   # A
//! x = [math.log(v) for v in load("data/nasdaq_daily.csv")]  # B
//! fit = lambda t: st.linear_regression(x[t - 59 : t + 1], y[t - 59 : t + 1])
//! # beta and intercept at bars 59, 2500, 5030; then the z-score at bar 5030 of the last 20
//! # spreads y[s] - beta(s) * x[s], population standard deviation.
//! ```

use gauntlet_strategy::indicators::{RollingOls, ZScore};
use gauntlet_tests::shipped;

#[test]
fn rolling_beta_and_spread_zscore_match_python_statistics() {
    let a = shipped("sp500_daily.csv");
    let b = shipped("nasdaq_daily.csv");
    assert_eq!(a.ts(), b.ts(), "the shipped files share their dates");
    let expected = [
        (59, 0.49414419423052647, 3.2993903593204252),
        (2500, 0.8935924700716268, 0.22104391179712124),
        (5030, 0.8566940873573025, 0.29053615672265654),
    ];
    let mut ols = RollingOls::new(60);
    let mut z = ZScore::new(20);
    let mut last_z = None;
    for t in 0..a.len() {
        let (y, x) = (a.close()[t].ln(), b.close()[t].ln());
        let fit = ols.update(x, y);
        if let Some(&(_, beta, alpha)) = expected.iter().find(|e| e.0 == t) {
            let fit = fit.expect("a full window");
            assert!((fit.beta - beta).abs() < 1e-9, "bar {t}: beta {}", fit.beta);
            assert!(
                (fit.alpha - alpha).abs() < 1e-8,
                "bar {t}: alpha {}",
                fit.alpha
            );
        }
        if let Some(fit) = fit {
            last_z = z.update(y - fit.beta * x);
        }
    }
    let last_z = last_z.expect("a z-score at the last bar");
    assert!((last_z - -1.880347291471245).abs() < 1e-7, "z {last_z}");
}
