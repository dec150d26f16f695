//! The validation spec: one TOML file per validation run, `strategies/specs/NAME.toml`.
//!
//! Read like the risk config: unknown keys are rejected and every problem is reported at once,
//! each with its key. Paths in a spec are relative to the spec file's folder (as in
//! `Cargo.toml`), so a spec means the same thing from any working directory.
//!
//! Sizes of windows are bars (`500`) or calendar terms (`"3y"`, `"6m"`, `"2w"`, `"10d"`),
//! converted with the data's bars per year `P` and trading days per year `D` (252, or 365 for
//! a market open every day of the week; see `infer_trading_year` in the engine's metrics): a
//! year is `P` bars, a month `P / 12`, a week `P / 52` and a day `P / D`, rounded to the
//! nearest bar. For daily equity bars (`P = D = 252`), `"1y"` is 252 bars and `"6m"` 126; for
//! round-the-clock minute bars (`P = 365 * 1440`, `D = 365`), `"1d"` is 1440.

use std::path::PathBuf;

use gauntlet_engine::CostModel;
use gauntlet_engine::metrics::TradingYear;
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyInfo;
use gauntlet_strategy::{ParamSpec, ParamValue};
use serde::Serialize;

use crate::bootstrap::BootstrapConfig;
use crate::gate::GateOverrides;

mod read;

pub use read::parse_span;

/// A window size as written: bars, or a calendar span.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Span {
    /// A number of bars.
    Bars(usize),
    /// `count` years, months, weeks or days.
    Calendar {
        /// How many.
        count: u32,
        /// `y`, `m`, `w` or `d`.
        unit: char,
    },
}

impl Span {
    /// Bars in the span on data of the given `year` (see the module docs).
    pub fn bars(self, year: TradingYear) -> usize {
        match self {
            Span::Bars(n) => n,
            Span::Calendar { count, unit } => {
                let per_unit = match unit {
                    'y' => year.periods,
                    'm' => year.periods / 12.0,
                    'w' => year.periods / 52.0,
                    _ => year.bars_per_day(),
                };
                (f64::from(count) * per_unit).round() as usize
            }
        }
    }

    /// As written in a spec.
    pub fn label(self) -> String {
        match self {
            Span::Bars(n) => format!("{n} bars"),
            Span::Calendar { count, unit } => format!("{count}{unit}"),
        }
    }
}

/// The split scheme as written, sizes unresolved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum SplitSpec {
    /// Rolling walk-forward.
    Rolling {
        /// Training window.
        in_sample: Span,
        /// Test window.
        out_of_sample: Span,
        /// Step (default: the test window).
        step: Span,
    },
    /// Anchored walk-forward.
    Anchored {
        /// First training window.
        in_sample: Span,
        /// Test window.
        out_of_sample: Span,
        /// Step (default: the test window).
        step: Span,
    },
    /// Purged K-fold.
    PurgedKfold {
        /// Folds.
        folds: usize,
        /// Label span (default: the strategy's warm-up; see docs/VALIDATION.md).
        label_span: Option<Span>,
        /// Embargo (default: the strategy's warm-up).
        embargo: Option<Span>,
    },
    /// CPCV.
    Cpcv {
        /// Groups.
        groups: usize,
        /// Test groups per split.
        test_groups: usize,
        /// Label span.
        label_span: Option<Span>,
        /// Embargo.
        embargo: Option<Span>,
    },
}

/// What the optimizer maximizes in sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Annualized Sharpe ratio.
    Sharpe,
    /// Annualized Sortino ratio.
    Sortino,
    /// CAGR over max drawdown.
    Calmar,
    /// Total return.
    TotalReturn,
    /// Gross wins over gross losses.
    ProfitFactor,
}

impl Objective {
    const NAMES: [(&'static str, Objective); 5] = [
        ("sharpe", Objective::Sharpe),
        ("sortino", Objective::Sortino),
        ("calmar", Objective::Calmar),
        ("total_return", Objective::TotalReturn),
        ("profit_factor", Objective::ProfitFactor),
    ];

    /// The name as written.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("sharpe", |(n, _)| n)
    }

    /// The name for people, as a column or a sentence names it.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Sharpe => "Sharpe",
            Objective::Sortino => "Sortino",
            Objective::Calmar => "Calmar",
            Objective::TotalReturn => "total return",
            Objective::ProfitFactor => "profit factor",
        }
    }
}

/// A parameter's values in the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridAxis {
    /// The parameter.
    pub spec: &'static ParamSpec,
    /// Its values, in the order tried.
    pub values: Vec<ParamValue>,
}

/// A spec, read and checked; paths resolved against the spec's folder.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec's name: its file stem.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// SHA-256 of the spec file's text, as read.
    pub source_sha256: String,
    /// Free text.
    pub description: String,
    /// Bar files, resolved.
    pub files: Vec<PathBuf>,
    /// Bar files as written in the spec.
    pub files_as_written: Vec<String>,
    /// First date (inclusive), `YYYY-MM-DD`.
    pub start: Option<String>,
    /// Last date (inclusive), `YYYY-MM-DD`.
    pub end: Option<String>,
    /// Bars per year; inferred from the bars when absent.
    pub periods_per_year: Option<f64>,
    /// Use the files' adjusted close.
    pub adjusted_close: bool,
    /// The strategy.
    pub strategy: &'static StrategyInfo,
    /// The grid: one axis per parameter, in declaration order.
    pub grid: Vec<GridAxis>,
    /// The split scheme.
    pub split: SplitSpec,
    /// The objective.
    pub objective: Objective,
    /// In-sample closed trades a parameter set needs to be chosen.
    pub min_trades: usize,
    /// Costs.
    pub costs: CostModel,
    /// Starting cash.
    pub capital: f64,
    /// Whole shares only.
    pub whole_shares: bool,
    /// The risk profile as written (`unlimited` or a path).
    pub risk_name: String,
    /// The risk profile.
    pub risk: RiskConfig,
    /// The desk's claimed win rate: a value, or a range `[low, high]`.
    pub claimed_win_rate: Option<(f64, f64)>,
    /// Benchmark file, resolved (default: the first data file).
    pub benchmark: PathBuf,
    /// Benchmark file as written.
    pub benchmark_as_written: String,
    /// The stationary bootstrap.
    pub bootstrap: BootstrapConfig,
    /// CSCV blocks for PBO.
    pub pbo_blocks: usize,
    /// The gate's overrides.
    pub gate: GateOverrides,
}

/// A spec that could not be accepted: every problem, each with its key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {count} problem{s} in the spec{list}",
    count = .problems.len(),
    s = if .problems.len() == 1 { "" } else { "s" },
    list = .problems.iter().map(|(k, p)| format!("\n  {path}: key '{k}': {p}", path = .path.display())).collect::<String>())]
pub struct SpecError {
    /// The spec file.
    pub path: PathBuf,
    /// `(key, what is wrong)`.
    pub problems: Vec<(String, String)>,
}

/// Most parameter sets a grid may hold: beyond it, name the values in `[strategy.grid]`.
pub const MAX_GRID: usize = 100_000;
