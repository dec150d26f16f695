//! gauntlet-validate's statistics against values computed independently with numpy 2.4.6 and
//! scipy 1.17.1, and property tests of the purged K-fold and CPCV split schemes.
//!
//! Every expected number was printed by the short Python script in the comment above the test
//! that uses it (between the ```python fences). The scripts read the data constants of this
//! file (`R`, `B`, `FAT`, ...), so to re-run one: copy it without the leading `// ` and run it
//! from the repository root with `python3 script.py` (after `pip install numpy scipy`).

// Folds are lists of bar ranges, and a list of one range is their common case.
#![allow(clippy::single_range_in_vec_init)]

use std::collections::BTreeSet;
use std::ops::Range;

use gauntlet_validate::bootstrap::quantile;
use gauntlet_validate::pbo::probability_of_overfitting;
use gauntlet_validate::performance::{per_period_sharpe, sample_variance};
use gauntlet_validate::sharpe::{
    Moments, SharpeSample, deflated_sharpe, expected_max_sharpe, probabilistic_sharpe,
};
use gauntlet_validate::trades::{Interval, clopper_pearson, wilson};
use gauntlet_validate::{Annualization, Performance, Scheme, Stat};
use proptest::prelude::*;

/// 30 per-period returns; the first four take equity below its starting peak of 1.
const R: [f64; 30] = [
    -0.012, -0.018, 0.004, -0.009, 0.021, -0.006, 0.013, 0.007, -0.003, 0.010, 0.018, -0.011,
    0.005, 0.009, 0.000, -0.014, 0.016, 0.003, -0.007, 0.008, 0.011, -0.004, 0.015, -0.010, 0.002,
    0.013, -0.017, 0.006, 0.012, -0.002,
];

/// A benchmark over the same 30 periods.
const B: [f64; 30] = [
    -0.008, -0.011, 0.006, -0.004, 0.012, -0.007, 0.009, 0.002, 0.001, 0.006, 0.010, -0.008, 0.001,
    0.007, 0.003, -0.009, 0.008, 0.004, -0.002, 0.003, 0.006, -0.005, 0.009, -0.004, -0.001, 0.008,
    -0.012, 0.002, 0.007, 0.001,
];

/// 20 returns with one large loss: strongly negative skewness, high kurtosis.
const FAT: [f64; 20] = [
    0.0051, -0.0015, 0.005, -0.0008, 0.0071, 0.0061, -0.0009, 0.0047, 0.0064, -0.0067, 0.0052,
    -0.03, 0.0047, 0.0094, 0.0028, -0.0132, 0.0051, 0.0037, 0.0014, 0.0042,
];

/// Per-period Sharpe ratios of 10 trials, for the DSR.
const TRIAL_SHARPES: [f64; 10] = [
    0.041, 0.044, 0.054, 0.027, 0.074, 0.08, -0.011, 0.088, 0.024, 0.092,
];

/// Unsorted values for the quantile.
const QUANTILE_VALUES: [f64; 11] = [
    -0.33, -0.519, 2.32, -2.474, -0.022, 0.069, 0.467, -1.602, -0.467, -1.495, -0.128,
];

/// 26 periods (rows, oldest first) of 4 configurations.
const PBO_ROWS: [[f64; 4]; 26] = [
    [0.0113, 0.0169, 0.0115, -0.0089],
    [-0.0129, 0.0012, 0.0086, 0.0059],
    [0.0191, 0.008, 0.0064, -0.0065],
    [-0.0101, 0.0153, 0.0005, 0.0089],
    [-0.0128, -0.0039, -0.0129, -0.007],
    [0.01, -0.0143, -0.0053, 0.0024],
    [-0.0057, -0.002, -0.0022, 0.005],
    [-0.0033, 0.0032, 0.0006, 0.005],
    [0.0032, 0.0171, -0.0066, 0.0128],
    [-0.003, -0.0091, 0.0121, -0.0036],
    [-0.0029, -0.0134, -0.021, 0.0071],
    [-0.0107, 0.0083, 0.0185, -0.0003],
    [-0.0103, 0.0044, 0.0076, -0.0018],
    [0.0012, 0.0139, 0.0127, 0.0079],
    [-0.0077, 0.0, 0.006, -0.0013],
    [-0.0051, -0.0072, -0.0063, -0.0059],
    [-0.0035, 0.012, -0.008, 0.0097],
    [0.0052, 0.0019, -0.0083, -0.0038],
    [0.0207, 0.0015, 0.0054, 0.0074],
    [0.0116, -0.0019, -0.0061, 0.0002],
    [-0.0016, 0.0084, 0.0019, 0.0032],
    [0.0025, 0.0128, -0.0054, -0.004],
    [0.0099, -0.0006, 0.0036, -0.0065],
    [0.0012, 0.0048, -0.0133, -0.0061],
    [0.0052, 0.023, 0.0046, 0.0002],
    [-0.0075, 0.0044, -0.025, 0.0003],
];

/// The value of a statistic that must be defined.
fn defined(stat: Stat, what: &str) -> f64 {
    stat.value()
        .unwrap_or_else(|| panic!("{what}: expected a value, got {stat:?}"))
}

/// Asserts `|got - want| <= tol * max(1, |want|)`.
fn assert_near(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got:.17}, expected {want:.17} (difference {:e})",
        got - want
    );
}

fn assert_interval(got: Interval, want: [f64; 2], what: &str) {
    assert_near(
        defined(got.low, what),
        want[0],
        1e-9,
        &format!("{what} low"),
    );
    assert_near(
        defined(got.high, what),
        want[1],
        1e-9,
        &format!("{what} high"),
    );
}

// ```python
// from scipy.stats import beta, binomtest
// for k, n in [(7, 20), (0, 15), (15, 15), (53, 100)]:
//     t = binomtest(k, n)
//     cp, w = t.proportion_ci(0.95, "exact"), t.proportion_ci(0.95, "wilson")
//     lo = beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
//     hi = beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
//     assert abs(lo - cp.low) < 1e-12 and abs(hi - cp.high) < 1e-12
//     print((k, n), [float(cp.low), float(cp.high)], [float(w.low), float(w.high)])
// ```
#[test]
fn clopper_pearson_and_wilson_match_scipy() {
    // ((k, n), Clopper-Pearson [low, high], Wilson [low, high]), as printed.
    let cases = [
        (
            (7, 20),
            [0.1539092047845412, 0.5921885345328283],
            [0.1811918241010821, 0.5671457233147637],
        ),
        (
            (0, 15),
            [0.0, 0.2180193609108388],
            [0.0, 0.20388330103584862],
        ),
        (
            (15, 15),
            [0.7819806390891612, 1.0],
            [0.7961166989641515, 1.0],
        ),
        (
            (53, 100),
            [0.4275814848900451, 0.6305948358056561],
            [0.4328885697009936, 0.6248918204065873],
        ),
    ];
    for ((k, n), cp, w) in cases {
        assert_interval(
            clopper_pearson(k, n),
            cp,
            &format!("Clopper-Pearson {k}/{n}"),
        );
        assert_interval(wilson(k, n), w, &format!("Wilson {k}/{n}"));
    }
}

// ```python
// import ast, re
// import numpy as np
// SRC = open("crates/validate/tests/reference_stats.rs").read()
// def lit(name):
//     return np.array(ast.literal_eval(re.search(rf"const {name}: [^=]*= (\[.*?\]);", SRC, re.S)[1]))
// r, b, P, n = lit("R"), lit("B"), 252, 30
// equity = np.concatenate([[1.0], np.cumprod(1 + r)])  # starts at 1, the first peak
// mdd = np.max(1 - equity / np.maximum.accumulate(equity))
// cagr = np.prod(1 + r) ** (1 / (n / P)) - 1
// for rf in (0.0, 0.0002):
//     ex = r - rf
//     print(rf, "sharpe", float(ex.mean() / r.std(ddof=1) * np.sqrt(P)),
//           "sortino", float(ex.mean() / np.sqrt(np.mean(np.minimum(ex, 0) ** 2)) * np.sqrt(P)))
// print("total_return", float(np.prod(1 + r) - 1), "cagr", float(cagr))
// print("volatility", float(r.std(ddof=1) * np.sqrt(P)), "max_drawdown", float(mdd), "calmar", float(cagr / mdd))
// print("beta", float(np.cov(r, b)[0, 1] / np.var(b, ddof=1)), "correlation", float(np.corrcoef(r, b)[0, 1]))
// ```
#[test]
fn performance_matches_numpy() {
    let perf = Performance::of(&R, Some(&B), Annualization::new(252.0));
    let tol = 1e-12;
    assert_eq!(perf.periods, 30);
    assert_near(
        defined(perf.sharpe, "sharpe"),
        2.8974428703038004,
        tol,
        "sharpe",
    );
    assert_near(
        defined(perf.sortino, "sortino"),
        4.699905971737115,
        tol,
        "sortino",
    );
    assert_near(perf.total_return, 0.05993066840094197, tol, "total return");
    assert_near(defined(perf.cagr, "cagr"), 0.6305369700604844, tol, "cagr");
    assert_near(
        defined(perf.volatility, "volatility"),
        0.17394648404134194,
        tol,
        "volatility",
    );
    // From the starting equity of 1: without it the drawdown would be 0.022945352.
    assert_near(perf.max_drawdown, 0.034670007776000045, tol, "max drawdown");
    assert_near(
        defined(perf.calmar, "calmar"),
        18.186813632530164,
        tol,
        "calmar",
    );
    assert_near(defined(perf.beta, "beta"), 1.5539254956939714, tol, "beta");
    assert_near(
        defined(perf.correlation, "correlation"),
        0.9609061171292861,
        tol,
        "correlation",
    );

    // A per-period risk-free rate of 0.0002 moves Sharpe and Sortino only.
    let with_rf = Annualization {
        periods_per_year: 252.0,
        risk_free: 0.0002,
    };
    let perf_rf = Performance::of(&R, Some(&B), with_rf);
    assert_near(
        defined(perf_rf.sharpe, "sharpe rf"),
        2.6076985832734203,
        tol,
        "sharpe rf",
    );
    assert_near(
        defined(perf_rf.sortino, "sortino rf"),
        4.161004219960035,
        tol,
        "sortino rf",
    );
    assert_eq!(perf_rf.cagr, perf.cagr);
    assert_eq!(perf_rf.volatility, perf.volatility);
    assert_eq!(perf_rf.max_drawdown, perf.max_drawdown);
}

// ```python
// import ast, re
// import numpy as np
// from scipy import stats
// SRC = open("crates/validate/tests/reference_stats.rs").read()
// def lit(name):
//     return np.array(ast.literal_eval(re.search(rf"const {name}: [^=]*= (\[.*?\]);", SRC, re.S)[1]))
// def moments(x):
//     return float(stats.skew(x, bias=True)), float(stats.kurtosis(x, fisher=False, bias=True))
// def psr(x, sr_star):
//     sr, T, (g3, g4) = x.mean() / x.std(ddof=1), len(x), moments(x)
//     return float(stats.norm.cdf((sr - sr_star) * np.sqrt(T - 1) / np.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2)))
// def sr0(N, V):
//     g = np.euler_gamma
//     return float(np.sqrt(V) * ((1 - g) * stats.norm.ppf(1 - 1 / N) + g * stats.norm.ppf(1 - 1 / (N * np.e))))
// r, fat, trials = lit("R"), lit("FAT"), lit("TRIAL_SHARPES")
// print("moments R", moments(r), "FAT", moments(fat))
// print("sr0", [sr0(N, V) for N, V in [(2, 0.01), (10, 0.0025), (100, 0.04), (1000, 1.0)]])
// print("psr R", [psr(r, s) for s in (0.0, 0.05, -0.1)], "FAT", [psr(fat, s) for s in (0.0, 0.05, -0.1)])
// V = trials.var(ddof=1)
// print("dsr: V", float(V), "sr0", sr0(len(trials), V), "R", psr(r, sr0(len(trials), V)), "FAT", psr(fat, sr0(len(trials), V)))
// ```
fn sample_of(returns: &[f64]) -> SharpeSample {
    let moments = Moments::of(returns);
    SharpeSample {
        sharpe: defined(per_period_sharpe(returns, 0.0), "per-period sharpe"),
        periods: returns.len(),
        skewness: defined(moments.skewness, "skewness"),
        kurtosis: defined(moments.kurtosis, "kurtosis"),
    }
}

#[test]
fn moments_match_scipy() {
    for (returns, skew, kurt, what) in [
        (&R[..], -0.18729475805145412, 1.9510613540185833, "R"),
        (&FAT[..], -2.362161790843664, 8.41486643272656, "FAT"),
    ] {
        let m = Moments::of(returns);
        assert_near(
            defined(m.skewness, what),
            skew,
            1e-12,
            &format!("{what} skewness"),
        );
        assert_near(
            defined(m.kurtosis, what),
            kurt,
            1e-12,
            &format!("{what} kurtosis"),
        );
    }
}

#[test]
fn expected_max_sharpe_matches_scipy() {
    for (trials, variance, want) in [
        (2, 0.01, 0.05197553442805939),
        (10, 0.0025, 0.0787299150672875),
        (100, 0.04, 0.506120578640337),
        (1000, 1.0, 3.255121513652723),
    ] {
        let got = defined(expected_max_sharpe(trials, variance), "SR0");
        assert_near(
            got,
            want,
            1e-9,
            &format!("SR0 of N = {trials}, V = {variance}"),
        );
    }
}

#[test]
fn psr_and_dsr_match_scipy() {
    for (returns, psr, dsr, what) in [
        (
            &R[..],
            [0.8321880188163342, 0.7577506162962213, 0.9319368557464915],
            0.7548355945396363,
            "R",
        ),
        (
            &FAT[..],
            [0.651058273245571, 0.5767376755912782, 0.7815469336915444],
            0.5740492719636321,
            "FAT",
        ),
    ] {
        let sample = sample_of(returns);
        for (threshold, want) in [0.0, 0.05, -0.1].into_iter().zip(psr) {
            let got = defined(probabilistic_sharpe(sample, threshold), "PSR");
            assert_near(got, want, 1e-9, &format!("{what} PSR({threshold})"));
        }
        let variance = sample_variance(&TRIAL_SHARPES).expect("ten trials have a variance");
        let deflated = deflated_sharpe(sample, TRIAL_SHARPES.len(), Stat::Value(variance));
        assert_eq!(deflated.trials, 10);
        let v = defined(deflated.trials_variance, "V");
        assert_near(v, 0.0010806777777777775, 1e-12, "trials' variance");
        let sr0 = defined(deflated.expected_max_sharpe, "SR0");
        assert_near(sr0, 0.05176281532559579, 1e-9, "SR0 of the trials");
        assert_near(
            defined(deflated.dsr, "DSR"),
            dsr,
            1e-9,
            &format!("{what} DSR"),
        );
    }
}

// ```python
// import ast, itertools, re
// import numpy as np
// from scipy import stats
// SRC = open("crates/validate/tests/reference_stats.rs").read()
// def lit(name):
//     return np.array(ast.literal_eval(re.search(rf"const {name}: [^=]*= (\[.*?\]);", SRC, re.S)[1]))
// def sharpe(x):
//     sd = x.std(ddof=1)
//     return x.mean() / sd if sd > 0 else (0.0 if x.mean() == 0 else np.copysign(np.inf, x.mean()))
// def cscv(M, S):
//     M = M[len(M) % S:]  # drop the oldest T mod S rows
//     blocks, N, logits = np.split(M, S), M.shape[1], []
//     for IS in itertools.combinations(range(S), S // 2):
//         ins = np.vstack([blocks[s] for s in IS])
//         oos = np.vstack([blocks[s] for s in range(S) if s not in IS])
//         best = int(np.argmax([sharpe(ins[:, c]) for c in range(N)]))  # first index among equals
//         w = stats.rankdata([sharpe(oos[:, c]) for c in range(N)], method="average")[best] / (N + 1)
//         logits.append(float(np.log(w / (1 - w))))
//     return float(np.mean(np.array(logits) <= 0)), logits
// M = lit("PBO_ROWS")
// TIES = np.column_stack([M[:, 0], M[:, 1], M[:, 0], np.zeros(26)])  # column 2 = column 0
// HALF = np.column_stack([M[:, 1], M[:, 2], np.r_[M[:13, 1], M[13:, 0]], M[:, 3]])  # 2 = 0 in rows 0-12
// for name, m, S in [("rows", M, 4), ("rows", M, 6), ("ties", TIES, 4), ("ties", TIES, 6), ("half", HALF, 2)]:
//     print(name, S, *cscv(m, S))
// ```
/// A CSCV reference case: name, matrix, blocks `S`, PBO and the logits of the splits.
type Cscv<'a> = (&'a str, &'a [Vec<f64>], usize, f64, &'a [f64]);

#[test]
fn pbo_matches_a_direct_cscv() {
    let rows: Vec<Vec<f64>> = PBO_ROWS.iter().map(|r| r.to_vec()).collect();
    let ties: Vec<Vec<f64>> = PBO_ROWS
        .iter()
        .map(|r| vec![r[0], r[1], r[0], 0.0])
        .collect();
    let half: Vec<Vec<f64>> = PBO_ROWS
        .iter()
        .enumerate()
        .map(|(t, r)| vec![r[1], r[2], if t < 13 { r[1] } else { r[0] }, r[3]])
        .collect();
    let cases: [Cscv; 5] = [
        (
            "rows",
            &rows,
            4,
            0.5,
            &[
                -0.4054651081081643,
                0.4054651081081642,
                0.4054651081081642,
                -0.4054651081081643,
                -0.4054651081081643,
                0.4054651081081642,
            ],
        ),
        (
            "rows",
            &rows,
            6,
            0.2,
            &[
                -0.4054651081081643,
                -0.4054651081081643,
                0.4054651081081642,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                0.4054651081081642,
                0.4054651081081642,
                -0.4054651081081643,
                -0.4054651081081643,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                1.3862943611198908,
                0.4054651081081642,
                0.4054651081081642,
                0.4054651081081642,
            ],
        ),
        (
            "ties",
            &ties,
            4,
            0.3333333333333333,
            &[
                1.3862943611198908,
                -0.8472978603872036,
                1.3862943611198908,
                1.3862943611198908,
                -0.4054651081081643,
                1.3862943611198908,
            ],
        ),
        ("ties", &ties, 6, 0.0, &[1.3862943611198908; 20]),
        // Split 1: columns 0 and 2 tie in sample; column 0 (the first) ranks 4th out of sample,
        // column 2 would rank 3rd. Split 2: columns 0 and 2 tie out of sample at ranks 3 and 4.
        (
            "half",
            &half,
            2,
            0.0,
            &[1.3862943611198908, 0.8472978603872034],
        ),
    ];
    for (name, matrix, blocks, pbo, logits) in cases {
        let what = format!("{name}, S = {blocks}");
        let got = probability_of_overfitting(matrix, blocks).expect("a valid matrix");
        assert_eq!(
            (got.rows_dropped, got.rows_used),
            (26 % blocks, 26 - 26 % blocks),
            "{what}"
        );
        assert_eq!((got.blocks, got.configurations), (blocks, 4), "{what}");
        assert_near(defined(got.pbo, &what), pbo, 1e-12, &format!("{what} PBO"));
        assert_eq!(got.logits.len(), logits.len(), "{what}: splits");
        for (i, (&g, &w)) in got.logits.iter().zip(logits).enumerate() {
            assert_near(g, w, 1e-12, &format!("{what}, logit {i}"));
        }
    }
}

/// SplitMix64: a deterministic stream for the behavioural tests.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Mean 0, standard deviation `sd` (a sum of 12 uniforms, nearly normal).
    fn noise(&mut self, sd: f64) -> f64 {
        ((0..12).map(|_| self.uniform()).sum::<f64>() - 6.0) * sd
    }
}

fn noise_matrix(seed: u64, rows: usize, columns: usize) -> Vec<Vec<f64>> {
    let mut rng = SplitMix(seed);
    (0..rows)
        .map(|_| (0..columns).map(|_| rng.noise(0.01)).collect())
        .collect()
}

#[test]
fn a_dominant_configuration_is_not_overfit() {
    // Column 0 earns 0.4% more per period than nine columns of noise (sd 1%).
    let (rows, columns, blocks) = (800, 10, 8);
    let mut matrix = noise_matrix(11, rows, columns);
    for row in &mut matrix {
        row[0] += 0.004;
    }
    // Precondition: column 0 has the highest mean in every block.
    let block = rows / blocks;
    for b in 0..blocks {
        let mean = |c: usize| {
            matrix[b * block..(b + 1) * block]
                .iter()
                .map(|r| r[c])
                .sum::<f64>()
        };
        assert!((1..columns).all(|c| mean(0) > mean(c)), "block {b}");
    }
    let pbo = probability_of_overfitting(&matrix, blocks).expect("a valid matrix");
    assert_eq!(pbo.logits.len(), 70);
    let value = defined(pbo.pbo, "PBO");
    assert!(value < 0.1, "PBO {value}");
    // The in-sample winner is column 0 every time, and it ranks N of N out of sample.
    let top = (columns as f64).ln();
    assert!(
        pbo.logits.iter().all(|&l| (l - top).abs() < 1e-12),
        "{:?}",
        pbo.logits
    );
}

#[test]
fn pure_noise_is_overfit_about_half_the_time() {
    // N = 20 configurations of pure noise over T = 1600 periods, S = 16 blocks. The in-sample
    // winner's out-of-sample rank is uniform on 1..=N, so the expected PBO is 10 / 20 = 0.5.
    // One matrix's PBO is itself widely spread (its 12,870 splits share their data): over
    // seeds 100..140 it ranged from 0.05 to 0.89 (mean 0.48). So the bound is on the mean
    // over 16 seeds (0.411 here), whose standard deviation is a quarter of one matrix's.
    let seeds = 1..=16u64;
    let mut total = 0.0;
    for seed in seeds.clone() {
        let matrix = noise_matrix(seed, 1600, 20);
        let pbo = probability_of_overfitting(&matrix, 16).expect("a valid matrix");
        assert_eq!(pbo.logits.len(), 12_870);
        // Every logit is that of a rank in 1..=N (half ranks for ties).
        assert!(pbo.logits.iter().all(|l| l.abs() <= 20f64.ln() + 1e-12));
        let value = defined(pbo.pbo, "PBO");
        assert!(value > 0.0 && value < 1.0, "seed {seed}: PBO {value}");
        total += value;
    }
    let mean = total / seeds.count() as f64;
    assert!((0.3..=0.7).contains(&mean), "mean PBO {mean}");
}

// ```python
// import ast, re
// import numpy as np
// SRC = open("crates/validate/tests/reference_stats.rs").read()
// def lit(name):
//     return np.array(ast.literal_eval(re.search(rf"const {name}: [^=]*= (\[.*?\]);", SRC, re.S)[1]))
// print([float(np.quantile(lit("QUANTILE_VALUES"), q)) for q in (0, 0.025, 0.1, 0.25, 0.5, 0.9, 0.975, 1)])
// ```
#[test]
fn quantile_matches_numpy() {
    let mut sorted = QUANTILE_VALUES;
    sorted.sort_by(f64::total_cmp);
    let want = [
        -2.474,
        -2.2560000000000002,
        -1.602,
        -1.0070000000000001,
        -0.33,
        0.467,
        1.85675,
        2.32,
    ];
    for (q, want) in [0.0, 0.025, 0.1, 0.25, 0.5, 0.9, 0.975, 1.0]
        .into_iter()
        .zip(want)
    {
        assert_near(quantile(&sorted, q), want, 1e-12, &format!("quantile {q}"));
    }
}

// ---- Split schemes: property tests against a brute-force reading of the definitions. ----

/// `C(n, k)` by Pascal's triangle.
fn choose(n: usize, k: usize) -> usize {
    let mut row = vec![1usize];
    for _ in 0..n {
        let mut next = vec![1usize; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row.get(k).copied().unwrap_or(0)
}

/// `count` contiguous groups over `0..bars`, sizes differing by at most one, longer ones first.
fn groups(bars: usize, count: usize) -> Vec<Range<usize>> {
    let mut start = 0;
    (0..count)
        .map(|g| {
            let len = bars / count + usize::from(g < bars % count);
            start += len;
            start - len..start
        })
        .collect()
}

/// The label span `[i, i + h]` overlaps the test range `[a, b)` extended to `[a, b + e)`.
fn overlaps(i: usize, h: usize, test: &Range<usize>, e: usize) -> bool {
    i + h >= test.start && i < test.end + e
}

/// The training bars the definition gives: every bar outside the test ranges whose label span
/// does not overlap an extended test range.
fn expected_train(bars: usize, test: &[Range<usize>], h: usize, e: usize) -> BTreeSet<usize> {
    (0..bars)
        .filter(|&i| !test.iter().any(|t| t.contains(&i) || overlaps(i, h, t, e)))
        .collect()
}

/// The bars of a list of ranges, checking that the ranges are non-empty, oldest first and
/// disjoint.
fn bars_of(ranges: &[Range<usize>], bars: usize) -> BTreeSet<usize> {
    let mut end = 0;
    let mut set = BTreeSet::new();
    for (n, r) in ranges.iter().enumerate() {
        assert!(
            r.start < r.end && r.end <= bars,
            "range {r:?} of {bars} bars"
        );
        assert!(n == 0 || r.start >= end, "ranges out of order: {ranges:?}");
        end = r.end;
        set.extend(r.clone());
    }
    set
}

/// Train and test of one fold: disjoint, and training is exactly what purging and embargo leave.
fn check_fold(bars: usize, train: &[Range<usize>], test: &[Range<usize>], h: usize, e: usize) {
    let train_set = bars_of(train, bars);
    let test_set = bars_of(test, bars);
    assert!(
        train_set.is_disjoint(&test_set),
        "train {train:?} meets test {test:?}"
    );
    for &i in &train_set {
        for t in test {
            assert!(
                !overlaps(i, h, t, e),
                "training bar {i} (span {i}..={}) overlaps test {t:?} with embargo {e}",
                i + h
            );
        }
    }
    assert_eq!(
        train_set,
        expected_train(bars, test, h, e),
        "train {train:?}, test {test:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn purged_kfold_purges_embargoes_and_tests_every_bar_once(
        bars in 2usize..240,
        folds in 2usize..12,
        h in 0usize..25,
        e in 0usize..25,
    ) {
        let scheme = Scheme::PurgedKFold { folds, label_span: h, embargo: e };
        let expected_tests = groups(bars, folds);
        match scheme.plan(bars) {
            Ok(plan) => {
                prop_assert_eq!(plan.folds.len(), folds);
                let mut tested = vec![0usize; bars];
                for (fold, want) in plan.folds.iter().zip(&expected_tests) {
                    prop_assert_eq!(&fold.test, &vec![want.clone()]);
                    check_fold(bars, &fold.train, &fold.test, h, e);
                    for i in bars_of(&fold.test, bars) {
                        tested[i] += 1;
                    }
                }
                prop_assert!(tested.iter().all(|&c| c == 1), "tests cover 0..{} once: {:?}", bars, tested);
            }
            // Refused only when a fold cannot have two bars or a fold has no training left.
            Err(err) => prop_assert!(
                bars < 2 * folds
                    || expected_tests.iter().any(|t| expected_train(bars, std::slice::from_ref(t), h, e).is_empty()),
                "refused {:?}: {}", scheme, err
            ),
        }
    }

    #[test]
    fn cpcv_has_every_split_and_complete_paths(
        groups_n in 2usize..=8,
        k_raw in 0usize..7,
        bars in 0usize..200,
        h in 0usize..8,
        e in 0usize..8,
    ) {
        let k = 1 + k_raw % (groups_n - 1);
        let scheme = Scheme::Cpcv { groups: groups_n, test_groups: k, label_span: h, embargo: e };
        let expected_groups = groups(bars, groups_n);
        let plan = match scheme.plan(bars) {
            Ok(plan) => plan,
            Err(err) => {
                // Refused only when a group cannot have two bars or some split's training
                // set is empty (the split testing every group but one, at worst).
                let empty = gauntlet_validate::splits::combinations(groups_n, k).iter().any(|c| {
                    let test: Vec<Range<usize>> = c.iter().map(|&g| expected_groups[g].clone()).collect();
                    expected_train(bars, &test, h, e).is_empty()
                });
                prop_assert!(bars < 2 * groups_n || empty, "refused {:?} on {} bars: {}", scheme, bars, err);
                return Ok(());
            }
        };
        prop_assert_eq!(&plan.groups, &expected_groups);
        prop_assert_eq!(plan.folds.len(), choose(groups_n, k));
        let mut subsets = BTreeSet::new();
        for fold in &plan.folds {
            let chosen = &fold.test_groups;
            prop_assert_eq!(chosen.len(), k);
            prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]) && chosen.iter().all(|&g| g < groups_n));
            prop_assert!(subsets.insert(chosen.clone()), "split {:?} twice", chosen);
            let want: BTreeSet<usize> = chosen.iter().flat_map(|&g| expected_groups[g].clone()).collect();
            prop_assert_eq!(bars_of(&fold.test, bars), want);
            check_fold(bars, &fold.train, &fold.test, h, e);
        }
        prop_assert_eq!(plan.paths.len(), choose(groups_n - 1, k - 1));
        let mut used = BTreeSet::new();
        for path in &plan.paths {
            prop_assert_eq!(path.len(), groups_n);
            for (g, &fold) in path.iter().enumerate() {
                prop_assert!(fold < plan.folds.len());
                prop_assert!(plan.folds[fold].test_groups.contains(&g), "path takes group {} from fold {}", g, fold);
                prop_assert!(used.insert((fold, g)), "fold {} group {} in two paths", fold, g);
            }
        }
        // Every (split, tested group) pair lies on exactly one path.
        prop_assert_eq!(used.len(), plan.folds.len() * k);
    }

    #[test]
    fn walk_forward_windows_follow_each_other(
        bars in 1usize..300,
        in_sample in 1usize..60,
        out_of_sample in 1usize..40,
        extra_step in 0usize..20,
        anchored in any::<bool>(),
    ) {
        let step = out_of_sample + extra_step;
        let scheme = if anchored {
            Scheme::Anchored { in_sample, out_of_sample, step }
        } else {
            Scheme::Rolling { in_sample, out_of_sample, step }
        };
        let Ok(plan) = scheme.plan(bars) else {
            prop_assert!(bars <= in_sample, "refused {:?} on {} bars", scheme, bars);
            return Ok(());
        };
        prop_assert_eq!(plan.folds.len(), (bars - in_sample).div_ceil(step));
        for (j, fold) in plan.folds.iter().enumerate() {
            let start = j * step;
            let test_start = start + in_sample;
            prop_assert_eq!(&fold.test, &vec![test_start..(test_start + out_of_sample).min(bars)]);
            prop_assert_eq!(&fold.train, &vec![if anchored { 0 } else { start }..test_start]);
        }
    }
}
