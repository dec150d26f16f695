//! The walk-forward of the shipped sma_cross spec, checked against a second computation: the
//! parameter sets enumerated again by hand, every one run through the engine directly on the
//! training window of two folds, the Sharpe ratio computed here, the choice made here, and the
//! chosen set's test window run again.

use std::ops::Range;

use gauntlet_engine::{BarSet, RunWindow, SimulatedBroker, run_window, series_columns};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::SmaCross;
use gauntlet_strategy::{BarColumns, Strategy};
use gauntlet_tests::{root, shipped};
use gauntlet_validate::{Dataset, Spec, Validation};

const CAPITAL: f64 = 100_000.0;
const YEAR: usize = 252;

/// What one direct run of a parameter set over one window gives.
struct Direct {
    /// One return per bar of the window, the first measured from the capital.
    returns: Vec<f64>,
    /// Closed trades.
    trades: usize,
}

/// Runs SmaCross `fast`/`slow` over `window`, warmed up on the `warmup()` bars before it.
fn run(
    columns: &[BarColumns<'_>],
    spec: &Spec,
    fast: usize,
    slow: usize,
    window: Range<usize>,
) -> Direct {
    let strategy = SmaCross::new(fast, slow, false);
    let warmup = strategy.warmup();
    assert_eq!(warmup, slow, "SmaCross warms up on its slow window");
    let warm_from = window.start.saturating_sub(warmup);
    let result = run_window(
        BarSet {
            columns,
            present: &[None],
            first: 0,
        },
        RunWindow {
            warm_from,
            start: window.start,
            end: window.end,
        },
        strategy,
        SimulatedBroker::new(spec.costs),
        RiskConfig::unlimited(),
        CAPITAL,
        Vec::new(),
    );
    let offset = window.start - warm_from;
    assert_eq!(result.equity.len(), window.end - warm_from);
    // No trading during the warm-up: the equity stays at the capital.
    assert!(
        result.equity[..offset].iter().all(|&e| e == CAPITAL),
        "{fast}/{slow} on {window:?}: equity moved during the warm-up"
    );
    let mut previous = CAPITAL;
    let returns = result.equity[offset..]
        .iter()
        .map(|&e| {
            let r = e / previous - 1.0;
            previous = e;
            r
        })
        .collect();
    Direct {
        returns,
        trades: result.trades.len(),
    }
}

/// Annualized Sharpe ratio: mean / sd (ddof = 1) * sqrt(252); none when sd is 0.
fn sharpe(returns: &[f64]) -> Option<f64> {
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var > 0.0).then(|| mean / var.sqrt() * (YEAR as f64).sqrt())
}

fn total_return(returns: &[f64]) -> f64 {
    returns.iter().map(|r| 1.0 + r).product::<f64>() - 1.0
}

fn validation(spec: &Spec) -> Validation {
    let data = Dataset::load(spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data.range.start, 0, "the spec has no start date");
    gauntlet_validate::validate(spec, &data, 1, &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// (fast, slow) of the spec's grid, enumerated by hand: fast outer, slow inner, fast < slow.
fn grid() -> Vec<(usize, usize)> {
    (5..=50)
        .step_by(5)
        .flat_map(|fast| (20..=200).step_by(20).map(move |slow| (fast, slow)))
        .filter(|(fast, slow)| fast < slow)
        .collect()
}

#[test]
fn the_walk_forward_of_sma_cross_matches_a_direct_computation() {
    let spec = Spec::load(&root().join("strategies/specs/sma_cross.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.capital, CAPITAL);
    assert!(!spec.whole_shares);
    assert_eq!(spec.min_trades, 3);
    let validation = validation(&spec);
    assert_eq!(validation.periods_per_year, YEAR as f64);

    let bars = shipped("sp500_daily.csv");
    let columns = [series_columns(&bars)];
    assert_eq!(validation.plan.bars, bars.len());

    // The grid, in the validation's order.
    let sets = grid();
    assert_eq!(sets.len(), 90);
    assert_eq!(validation.grid.sets, sets.len());
    assert_eq!(validation.grid.rejected, 10);
    for (i, (p, &(fast, slow))) in validation.grid.parameters.iter().zip(&sets).enumerate() {
        assert_eq!(p.0.int("fast").expect("fast"), fast as i64, "set {i}");
        assert_eq!(p.0.int("slow").expect("slow"), slow as i64, "set {i}");
        assert!(!p.0.flag("long_short").expect("long_short"), "set {i}");
    }

    // Rolling 3y in, 1y out, step 1y: fold k trains on 252k..252k+756 and tests on the next
    // 252 bars (the last test window ends with the data).
    for fold in [0, 3] {
        let train = fold * YEAR..fold * YEAR + 3 * YEAR;
        let test = train.end..train.end + YEAR;
        let windows = &validation.plan.folds[fold];
        assert_eq!(
            (windows.train[0].start..windows.train[0].end),
            train,
            "fold {fold}"
        );
        assert_eq!(
            (windows.test[0].start..windows.test[0].end),
            test,
            "fold {fold}"
        );

        // The choice: the highest in-sample Sharpe among the sets with at least min_trades
        // closed trades; the first in grid order among equals.
        let mut best: Option<(usize, f64)> = None;
        let mut unrestricted: Option<(usize, f64)> = None;
        let mut eligible = 0;
        for (set, &(fast, slow)) in sets.iter().enumerate() {
            let direct = run(&columns, &spec, fast, slow, train.clone());
            assert_eq!(direct.returns.len(), train.len());
            let trial = &validation.trials[fold * sets.len() + set];
            assert_eq!((trial.fold, trial.set), (fold, set));
            assert_eq!(
                trial.in_sample_trades, direct.trades,
                "fold {fold} set {set}"
            );
            let Some(s) = sharpe(&direct.returns) else {
                continue;
            };
            if unrestricted.is_none_or(|(_, b)| s > b) {
                unrestricted = Some((set, s));
            }
            if direct.trades < spec.min_trades {
                continue;
            }
            eligible += 1;
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((set, s));
            }
        }
        let (chosen, objective) = best.expect("an eligible set");
        let outcome = &validation.folds[fold];
        assert_eq!(outcome.eligible, eligible, "fold {fold}");
        if fold == 0 {
            // The case exercises min_trades: without it, a set with fewer trades would win.
            assert_ne!(unrestricted.map(|(set, _)| set), Some(chosen));
        }
        assert_eq!(
            outcome.chosen,
            Some(chosen),
            "fold {fold}: chose {:?} ({:?}), the direct argmax is {chosen} {:?} (Sharpe {objective})",
            outcome.chosen,
            outcome.parameters.as_ref().map(|p| p.label()),
            sets[chosen],
        );
        let reported = outcome.in_sample_objective.value().expect("an objective");
        assert!(
            (reported - objective).abs() <= 1e-12 * objective.abs().max(1.0),
            "fold {fold}: in-sample Sharpe {reported} reported, {objective} computed"
        );

        // Out of sample: the chosen set run again on the test window.
        let (fast, slow) = sets[chosen];
        let direct = run(&columns, &spec, fast, slow, test.clone());
        let expected = total_return(&direct.returns);
        let got = outcome.out_of_sample.total_return;
        assert!(
            (got - expected).abs() <= 1e-12,
            "fold {fold}: out-of-sample total return {got} reported, {expected} computed"
        );
        // The fold's part of the stitched series is that run's returns.
        let from = test.start - validation.plan.folds[0].test[0].start;
        let part = &validation.returns[from..from + test.len()];
        for (t, (a, b)) in part.iter().zip(&direct.returns).enumerate() {
            assert!(
                (a - b).abs() <= 1e-15,
                "fold {fold}: stitched return at test bar {t} is {a}, computed {b}"
            );
        }
    }

    // The stitched series: one return per test bar of every fold.
    let test_bars: usize = validation
        .plan
        .folds
        .iter()
        .flat_map(|f| &f.test)
        .map(|w| w.end - w.start)
        .sum();
    assert_eq!(test_bars, bars.len() - 3 * YEAR);
    assert_eq!(validation.returns.len(), test_bars);
    assert_eq!(validation.out_of_sample.performance.periods, test_bars);
    let compounded = validation
        .folds
        .iter()
        .map(|f| 1.0 + f.out_of_sample.total_return)
        .product::<f64>()
        - 1.0;
    let stitched = validation.out_of_sample.performance.total_return;
    assert!(
        (stitched - compounded).abs() <= 1e-12,
        "stitched total return {stitched}, folds compounded {compounded}"
    );
}

#[test]
fn cpcv_trials_and_pbo_match_a_direct_computation() {
    // Six sets under CPCV with 6 groups and 2 test groups: 15 splits, each tested on two
    // groups that may lie far apart, so a trial's out-of-sample record joins two windows and
    // PBO's 4 blocks cut across the groups (5,031 bars: groups of about 838, blocks of 1,257).
    let dir = tempfile::tempdir().expect("tempdir");
    let data = root().join("data/sp500_daily.csv");
    let spec_path = dir.path().join("cpcv.toml");
    std::fs::write(
        &spec_path,
        format!(
            r#"risk = "unlimited"
[data]
files = [{data:?}]
[strategy]
name = "sma_cross"
[strategy.grid]
fast = [10, 20, 40]
slow = [60, 120]
[split]
scheme = "cpcv"
groups = 6
test_groups = 2
[objective]
metric = "sharpe"
min_trades = 1
[pbo]
blocks = 4
"#
        ),
    )
    .expect("spec");
    let spec = Spec::load(&spec_path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.capital, CAPITAL);
    assert!(!spec.whole_shares);
    let validation = validation(&spec);
    let sets = [
        (10, 60),
        (10, 120),
        (20, 60),
        (20, 120),
        (40, 60),
        (40, 120),
    ];
    assert_eq!(validation.grid.sets, sets.len());
    assert_eq!(validation.plan.folds.len(), 15);

    let bars = shipped("sp500_daily.csv");
    let columns = [series_columns(&bars)];
    let direct = |set: usize, window: Range<usize>| {
        let (fast, slow) = sets[set];
        run(&columns, &spec, fast, slow, window)
    };
    let near = |got: f64, expected: f64| (got - expected).abs() <= 1e-12 * expected.abs().max(1.0);

    // Each trial: the set run directly on each of the fold's two test groups (each its own
    // run, starting flat), the returns joined. The report shows adjacent groups as one window.
    let groups = &validation.plan.groups;
    assert_eq!(groups.len(), 6);
    for (fold, windows) in validation.plan.folds.iter().enumerate() {
        let tested: Vec<Range<usize>> = groups
            .iter()
            .filter(|g| {
                windows
                    .test
                    .iter()
                    .any(|w| w.start <= g.start && g.end <= w.end)
            })
            .map(|g| g.start..g.end)
            .collect();
        assert_eq!(tested.len(), 2, "fold {fold}");
        for set in 0..sets.len() {
            let runs: Vec<Direct> = tested.iter().map(|w| direct(set, w.clone())).collect();
            let joined: Vec<f64> = runs.iter().flat_map(|r| r.returns.clone()).collect();
            let trial = &validation.trials[fold * sets.len() + set];
            assert_eq!((trial.fold, trial.set), (fold, set));
            assert_eq!(
                trial.out_of_sample_trades,
                runs.iter().map(|r| r.trades).sum::<usize>(),
                "fold {fold} set {set}"
            );
            let expected = total_return(&joined);
            assert!(
                near(trial.out_of_sample_return, expected),
                "fold {fold} set {set}: return {} reported, {expected} computed",
                trial.out_of_sample_return
            );
            let expected = sharpe(&joined).expect("the returns vary");
            let got = trial.out_of_sample_sharpe.value().expect("a Sharpe ratio");
            assert!(
                near(got, expected),
                "fold {fold} set {set}: Sharpe {got} reported, {expected} computed"
            );
        }
    }

    // PBO: every set's returns on the groups in time order, as a matrix, through the CSCV of
    // `gauntlet stats pbo`, whose worked examples are checked in reference_stats.rs.
    let per_set: Vec<Vec<f64>> = (0..sets.len())
        .map(|set| {
            validation
                .plan
                .groups
                .iter()
                .flat_map(|g| direct(set, g.start..g.end).returns)
                .collect()
        })
        .collect();
    let rows: Vec<Vec<f64>> = (0..per_set[0].len())
        .map(|t| per_set.iter().map(|r| r[t]).collect())
        .collect();
    assert_eq!(rows.len(), bars.len());
    let expected = gauntlet_validate::pbo::probability_of_overfitting(&rows, 4).expect("a matrix");
    let got = &validation.pbo;
    assert_eq!(
        (got.rows_used, got.rows_dropped, got.configurations),
        (expected.rows_used, expected.rows_dropped, 6)
    );
    assert_eq!(got.logits.len(), 6, "C(4, 2) splits");
    for (i, (g, e)) in got.logits.iter().zip(&expected.logits).enumerate() {
        assert!(near(*g, *e), "split {i}: logit {g} reported, {e} computed");
    }
    assert_eq!(got.pbo, expected.pbo);
}
