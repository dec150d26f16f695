//! What a validation found, as the report records it. Every field is a function of the spec,
//! the data and the code: nothing from the clock or the machine, so two runs (on any number of
//! threads) serialize to the same bytes.

use gauntlet_engine::Trade;
use serde::Serialize;

use crate::bootstrap::SharpeInterval;
use crate::dataset::DataFile;
use crate::grid::ParamSet;
use crate::pbo::Pbo;
use crate::performance::Performance;
use crate::sharpe::{Deflated, Moments};
use crate::spec::{Objective, SplitSpec};
use crate::splits::Scheme;
use crate::stat::Stat;
use crate::trades::TradeStats;

/// A range of bars with its dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// First bar (index into the validated bars).
    pub start: usize,
    /// One past the last bar.
    pub end: usize,
    /// Date of the first bar.
    pub first: String,
    /// Date of the last bar.
    pub last: String,
    /// Time of the first bar (Unix milliseconds, UTC), for tables; the report gives the date.
    #[serde(skip)]
    pub first_ts: i64,
    /// Time of the last bar.
    #[serde(skip)]
    pub last_ts: i64,
}

/// The plan: scheme, sizes in bars, and every fold's windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRecord {
    /// The scheme as written in the spec.
    pub written: SplitSpec,
    /// The scheme with sizes in bars.
    pub resolved: Scheme,
    /// Bars validated.
    pub bars: usize,
    /// Per fold: training and test windows.
    pub folds: Vec<FoldWindows>,
    /// CPCV: groups and paths (see the splits module).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Window>,
    /// CPCV: `paths[j][g]`, the fold whose test of group `g` path `j` uses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<Vec<usize>>,
}

/// One fold's windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldWindows {
    /// Training (in-sample) windows.
    pub train: Vec<Window>,
    /// Test (out-of-sample) windows.
    pub test: Vec<Window>,
}

/// The grid that was searched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridRecord {
    /// Parameter sets tried (after the strategy's own checks).
    pub sets: usize,
    /// Combinations the strategy rejected (e.g. fast >= slow), not tried.
    pub rejected: usize,
    /// The sets, in enumeration order (their index is the tie-break).
    pub parameters: Vec<ParamSet>,
}

/// One fold's choice and its out-of-sample result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldOutcome {
    /// Fold number, from 0.
    pub fold: usize,
    /// Index of the chosen parameter set (none when no set was eligible).
    pub chosen: Option<usize>,
    /// The chosen parameters.
    pub parameters: Option<ParamSet>,
    /// Sets that had the minimum in-sample trades and a defined objective.
    pub eligible: usize,
    /// The chosen set's in-sample objective.
    pub in_sample_objective: Stat,
    /// The chosen set's in-sample performance.
    pub in_sample: Option<Performance>,
    /// Out-of-sample performance of the chosen set (flat when none was chosen).
    pub out_of_sample: Performance,
    /// Out-of-sample trades of the chosen set.
    pub trades: TradeStats,
}

/// One parameter set in one fold: the raw material of the overfitting picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    /// Fold.
    pub fold: usize,
    /// Parameter set index.
    pub set: usize,
    /// In-sample objective.
    pub in_sample_objective: Stat,
    /// In-sample Sharpe (annualized).
    pub in_sample_sharpe: Stat,
    /// In-sample closed trades.
    pub in_sample_trades: usize,
    /// Out-of-sample Sharpe (annualized) over the fold's test windows.
    pub out_of_sample_sharpe: Stat,
    /// Out-of-sample total return.
    pub out_of_sample_return: f64,
    /// Out-of-sample closed trades.
    pub out_of_sample_trades: usize,
}

/// The stitched out-of-sample history and its statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stitched {
    /// Return metrics.
    pub performance: Performance,
    /// Trade metrics.
    pub trades: TradeStats,
    /// Round trips still open at the end of their test window, closed at its last close (each
    /// window starts and ends flat).
    pub closed_at_window_end: usize,
    /// The trade metrics of the other round trips: those the strategy closed itself.
    pub trades_closed_by_strategy: TradeStats,
    /// Bars with a position open, over bars.
    pub exposure: f64,
    /// Skewness and kurtosis of the returns.
    pub moments: Moments,
    /// Probabilistic Sharpe Ratio against 0.
    pub psr: Stat,
    /// Deflated Sharpe Ratio.
    pub deflated: Deflated,
    /// Stationary-bootstrap interval of the Sharpe ratio.
    pub sharpe_bootstrap: SharpeInterval,
}

/// How a parameter moved from fold to fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterStability {
    /// The parameter.
    pub parameter: String,
    /// Its chosen value in each fold (as text; absent where no set was chosen).
    pub values: Vec<Option<String>>,
    /// Distinct values chosen.
    pub distinct: usize,
    /// Fraction of consecutive fold pairs in which it changed.
    pub change_rate: Stat,
}

/// The desk's claim against what was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimCheck {
    /// Claimed win rate: low and high (equal for a single figure).
    pub claimed: (f64, f64),
    /// Measured out-of-sample win rate.
    pub measured: Stat,
    /// Whether the claim overlaps the 95% Wilson interval of the measured rate.
    pub inside_wilson_interval: bool,
}

/// The look-ahead guard on one chosen parameter set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookaheadRecord {
    /// Parameter set index.
    pub set: usize,
    /// Cut points checked.
    pub cuts: usize,
    /// True when no decision changed.
    pub passed: bool,
    /// The first differing bar, when one did.
    pub first_divergence: Option<usize>,
}

/// A whole validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The spec's name.
    pub spec: String,
    /// The strategy.
    pub strategy: String,
    /// The data files.
    pub data: Vec<DataFile>,
    /// The benchmark file.
    pub benchmark: DataFile,
    /// Bars per year used to annualize.
    pub periods_per_year: f64,
    /// The objective.
    pub objective: Objective,
    /// In-sample trades needed to be chosen.
    pub min_trades: usize,
    /// The grid.
    pub grid: GridRecord,
    /// The plan.
    pub plan: PlanRecord,
    /// Per fold.
    pub folds: Vec<FoldOutcome>,
    /// The stitched out-of-sample history (for CPCV, the path with the median Sharpe).
    pub out_of_sample: Stitched,
    /// CPCV: the annualized Sharpe of every path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path_sharpes: Vec<Stat>,
    /// The desk's claim.
    pub claim: Option<ClaimCheck>,
    /// Probability of Backtest Overfitting over the test windows.
    pub pbo: Pbo,
    /// Per parameter.
    pub parameter_stability: Vec<ParameterStability>,
    /// Mean out-of-sample CAGR over mean in-sample CAGR of the chosen sets.
    pub walk_forward_efficiency: Stat,
    /// The look-ahead guard on every chosen set.
    pub lookahead: Vec<LookaheadRecord>,
    /// Every parameter set in every fold.
    pub trials: Vec<Trial>,
    /// The stitched out-of-sample returns, one per test bar (for tables and charts).
    #[serde(skip)]
    pub returns: Vec<f64>,
    /// The stitched out-of-sample trades, in the order they closed.
    #[serde(skip)]
    pub trades: Vec<Trade>,
    /// The benchmark's returns on the stitched bars.
    #[serde(skip)]
    pub benchmark_returns: Vec<f64>,
    /// Timestamps (Unix milliseconds, UTC) of the stitched bars.
    #[serde(skip)]
    pub timestamps: Vec<i64>,
}

impl Validation {
    /// True when `trial`'s set is the one its fold chose.
    pub fn chose(&self, trial: &Trial) -> bool {
        self.folds.get(trial.fold).and_then(|f| f.chosen) == Some(trial.set)
    }
}
