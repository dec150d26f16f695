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

use std::path::{Path, PathBuf};

use gauntlet_engine::CostModel;
use gauntlet_engine::metrics::TradingYear;
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyInfo;
use gauntlet_strategy::{ParamKind, ParamSpec, ParamValue};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::bootstrap::BootstrapConfig;
use crate::gate::{GateOverrides, POLICY_KEYS, read_overrides};
use crate::grid::stepped;
use crate::pbo::DEFAULT_BLOCKS;
use crate::toml_reader::Reader;

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

const TOP_KEYS: &[&str] = &[
    "description",
    "data",
    "strategy",
    "split",
    "objective",
    "costs",
    "capital",
    "whole_shares",
    "risk",
    "claimed",
    "benchmark",
    "bootstrap",
    "pbo",
    "gate",
];

/// `"3y"`, `"6m"`, `"2w"`, `"10d"`.
pub fn parse_span(text: &str) -> Option<Span> {
    let text = text.trim();
    let unit = text.chars().last()?;
    if !matches!(unit, 'y' | 'm' | 'w' | 'd') {
        return None;
    }
    let count: u32 = text[..text.len() - 1].trim().parse().ok()?;
    (count > 0).then_some(Span::Calendar { count, unit })
}

impl Spec {
    /// Reads and checks the spec at `path`.
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|e| SpecError {
            path: path.to_path_buf(),
            problems: vec![("(file)".into(), format!("cannot read: {e}"))],
        })?;
        Spec::parse(&text, path)
    }

    /// Checks the TOML `text` of the spec at `path` (paths are resolved against its folder).
    pub fn parse(text: &str, path: &Path) -> Result<Spec, SpecError> {
        let fail = |problems| SpecError {
            path: path.to_path_buf(),
            problems,
        };
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| fail(vec![("(syntax)".into(), e.to_string().trim().to_string())]))?;
        let mut r = Reader::default();
        r.unknown(&table, "", TOP_KEYS);
        let folder = path.parent().unwrap_or(Path::new(""));
        // An object storage URL is not relative to anything.
        let resolve = |written: &str| {
            if gauntlet_data::remote::is_url(written) {
                PathBuf::from(written)
            } else {
                folder.join(written)
            }
        };
        let name = path
            .file_stem()
            .map_or_else(|| "spec".to_string(), |s| s.to_string_lossy().into_owned());
        // The name is the report's folder (`reports/<name>/`): `..toml` and `...toml` would
        // name the output folder itself or its parent.
        if name == "." || name == ".." {
            r.problem(
                "(file name)",
                format!("the spec's name {name:?} (its file name without .toml) cannot name a report folder; rename the file"),
            );
        }
        let description = r
            .string(&table, "description", "description")
            .unwrap_or_default();

        // [data]
        let empty = toml::Table::new();
        let data = r
            .table(
                &table,
                "data",
                &[
                    "files",
                    "start",
                    "end",
                    "periods_per_year",
                    "adjusted_close",
                ],
            )
            .unwrap_or(&empty);
        let mut files_as_written = Vec::new();
        match data.get("files") {
            None => r.problem("data.files", "missing: the bar files to validate on"),
            Some(toml::Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => files_as_written.push(s.to_string()),
                        None => r.problem(
                            format!("data.files[{i}]"),
                            format!("expected a path, got {item}"),
                        ),
                    }
                }
            }
            Some(other) => r.problem(
                "data.files",
                format!("expected a list of paths, got {other}"),
            ),
        }
        let start = r.date(data, "start", "data.start");
        let end = r.date(data, "end", "data.end");
        if let (Some(a), Some(b)) = (&start, &end)
            && a > b
        {
            r.problem("data.end", format!("{b} is before data.start {a}"));
        }
        let periods_per_year =
            r.number(data, "periods_per_year", "data.periods_per_year", 1.0, 1e9);
        let adjusted_close = r
            .bool(data, "adjusted_close", "data.adjusted_close")
            .unwrap_or(false);

        // [strategy]
        let strategy_table = r.table(&table, "strategy", &["name", "grid"]);
        let strategy = match strategy_table.and_then(|t| t.get("name")) {
            None => {
                r.problem("strategy.name", "missing: which strategy to validate");
                None
            }
            Some(value) => match value.as_str().map(gauntlet_strategies::info) {
                Some(Ok(info)) => Some(info),
                Some(Err(e)) => {
                    r.problem("strategy.name", e.to_string());
                    None
                }
                None => {
                    r.problem("strategy.name", format!("expected a name, got {value}"));
                    None
                }
            },
        };
        if let Some(info) = strategy
            && !files_as_written.is_empty()
            && files_as_written.len() < info.symbols
        {
            r.problem(
                "data.files",
                format!(
                    "{} trades {} symbols, one per file, but {} given",
                    info.name,
                    info.symbols,
                    files_as_written.len()
                ),
            );
        }
        let grid_table = match strategy_table.and_then(|t| t.get("grid")) {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(other) => {
                r.problem(
                    "strategy.grid",
                    format!("expected a table ([strategy.grid]), got {other}"),
                );
                None
            }
        };
        let grid = strategy
            .map(|info| read_grid(&mut r, info, grid_table))
            .unwrap_or_default();

        // [split]
        let split = read_split(&mut r, &table);

        // [objective]
        let objective_table = r
            .table(&table, "objective", &["metric", "min_trades"])
            .unwrap_or(&empty);
        let objective = match r.string(objective_table, "metric", "objective.metric") {
            None => Objective::Sharpe,
            Some(name) => match Objective::NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, o)) => *o,
                None => {
                    let names: Vec<_> = Objective::NAMES.iter().map(|(n, _)| *n).collect();
                    r.problem(
                        "objective.metric",
                        format!("expected one of {}, got \"{name}\"", names.join(", ")),
                    );
                    Objective::Sharpe
                }
            },
        };
        let min_trades = r
            .count(objective_table, "min_trades", "objective.min_trades", 0)
            .unwrap_or(1);

        // [costs], capital, risk
        let costs_table = r
            .table(
                &table,
                "costs",
                &[
                    "commission_bps",
                    "commission_per_share",
                    "commission_min",
                    "slippage_bps",
                    "borrow_bps",
                ],
            )
            .unwrap_or(&empty);
        let mut cost = |key: &str| {
            r.number(
                costs_table,
                key,
                &format!("costs.{key}"),
                0.0,
                f64::INFINITY,
            )
            .unwrap_or(0.0)
        };
        let costs = CostModel {
            commission_bps: cost("commission_bps"),
            commission_per_share: cost("commission_per_share"),
            commission_min: cost("commission_min"),
            slippage_bps: cost("slippage_bps"),
            borrow_bps: cost("borrow_bps"),
        };
        let capital = match r.number(&table, "capital", "capital", 0.0, f64::INFINITY) {
            Some(c) if c > 0.0 => c,
            Some(_) => {
                r.problem("capital", "expected a positive amount, got 0");
                100_000.0
            }
            None => 100_000.0,
        };
        let whole_shares = r
            .bool(&table, "whole_shares", "whole_shares")
            .unwrap_or(false);
        let risk_name = r
            .string(&table, "risk", "risk")
            .unwrap_or_else(|| "unlimited".to_string());
        let risk = if risk_name == "unlimited" {
            RiskConfig::unlimited()
        } else {
            match RiskConfig::load(&resolve(&risk_name)) {
                Ok(config) => config,
                Err(e) => {
                    r.problem("risk", e.to_string());
                    RiskConfig::unlimited()
                }
            }
        };

        // [claimed]
        let claimed = r.table(&table, "claimed", &["win_rate"]).unwrap_or(&empty);
        let claimed_win_rate = match claimed.get("win_rate") {
            None => None,
            Some(toml::Value::Array(pair)) if pair.len() == 2 => {
                let values: Vec<Option<f64>> = pair
                    .iter()
                    .map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                    .collect();
                match values[..] {
                    [Some(a), Some(b)] if (0.0..=1.0).contains(&a) && a <= b && b <= 1.0 => {
                        Some((a, b))
                    }
                    _ => {
                        r.problem(
                            "claimed.win_rate",
                            "expected a fraction in [0, 1] or a range [low, high] of them",
                        );
                        None
                    }
                }
            }
            Some(_) => r
                .number(claimed, "win_rate", "claimed.win_rate", 0.0, 1.0)
                .map(|w| (w, w)),
        };

        // benchmark, [bootstrap], [pbo], [gate]
        let benchmark_as_written = r
            .string(&table, "benchmark", "benchmark")
            .or_else(|| files_as_written.first().cloned())
            .unwrap_or_default();
        let boot = r
            .table(&table, "bootstrap", &["seed", "resamples", "mean_block"])
            .unwrap_or(&empty);
        let defaults = BootstrapConfig::default();
        let bootstrap = BootstrapConfig {
            seed: match boot.get("seed") {
                None => defaults.seed,
                Some(v) => match v.as_integer().and_then(|s| u64::try_from(s).ok()) {
                    Some(s) => s,
                    None => {
                        r.problem(
                            "bootstrap.seed",
                            format!("expected a whole number of 0 or more, got {v}"),
                        );
                        defaults.seed
                    }
                },
            },
            resamples: r
                .count(boot, "resamples", "bootstrap.resamples", 1)
                .unwrap_or(defaults.resamples),
            mean_block: r
                .number(boot, "mean_block", "bootstrap.mean_block", 1.0, 1e9)
                .unwrap_or(defaults.mean_block),
        };
        let pbo = r.table(&table, "pbo", &["blocks"]).unwrap_or(&empty);
        let pbo_blocks = r
            .count(pbo, "blocks", "pbo.blocks", 2)
            .unwrap_or(DEFAULT_BLOCKS);
        if !pbo_blocks.is_multiple_of(2) {
            r.problem(
                "pbo.blocks",
                format!("expected an even number, got {pbo_blocks}"),
            );
        }
        let gate = match r.table(&table, "gate", POLICY_KEYS) {
            Some(gate) => read_overrides(&mut r, gate, "gate."),
            None => GateOverrides::default(),
        };

        if !r.problems.is_empty() {
            return Err(fail(r.problems));
        }
        let Some(strategy) = strategy else {
            return Err(fail(vec![("strategy.name".into(), "missing".into())]));
        };
        Ok(Spec {
            name,
            path: path.to_path_buf(),
            source_sha256: hex::encode(Sha256::digest(text.as_bytes())),
            description,
            files: files_as_written.iter().map(|f| resolve(f)).collect(),
            files_as_written,
            start,
            end,
            periods_per_year,
            adjusted_close,
            strategy,
            grid,
            split: split.unwrap_or(SplitSpec::Rolling {
                in_sample: Span::Bars(1),
                out_of_sample: Span::Bars(1),
                step: Span::Bars(1),
            }),
            objective,
            min_trades,
            costs,
            capital,
            whole_shares,
            risk_name,
            risk,
            claimed_win_rate,
            benchmark: resolve(&benchmark_as_written),
            benchmark_as_written,
            bootstrap,
            pbo_blocks,
            gate,
        })
    }
}

fn read_grid(
    r: &mut Reader,
    info: &'static StrategyInfo,
    table: Option<&toml::Table>,
) -> Vec<GridAxis> {
    if let Some(table) = table {
        let names: Vec<&str> = info.space.specs.iter().map(|s| s.name).collect();
        r.unknown(table, "strategy.grid", &names);
    }
    let axes: Vec<GridAxis> = info
        .space
        .specs
        .iter()
        .map(|spec| {
            let key = format!("strategy.grid.{}", spec.name);
            let values = match table {
                // No grid table: the declared space.
                None => spec.grid(),
                Some(t) => match t.get(spec.name) {
                    // A grid that leaves a parameter out keeps it at its default.
                    None => vec![spec.default],
                    Some(value) => read_axis(r, spec, value, &key),
                },
            };
            GridAxis { spec, values }
        })
        .collect();
    let size: usize = axes.iter().map(|a| a.values.len()).product();
    if size > MAX_GRID {
        r.problem(
            "strategy.grid",
            format!(
                "{size} parameter sets, more than the {MAX_GRID} allowed; list fewer values in [strategy.grid]"
            ),
        );
    }
    axes
}

fn read_axis(
    r: &mut Reader,
    spec: &'static ParamSpec,
    value: &toml::Value,
    key: &str,
) -> Vec<ParamValue> {
    let one = |r: &mut Reader, v: &toml::Value, key: &str| -> Option<ParamValue> {
        let raw = match (spec.kind, v) {
            (ParamKind::Int { .. }, toml::Value::Integer(i)) => Some(ParamValue::Int(*i)),
            (ParamKind::Float { .. }, toml::Value::Float(f)) => Some(ParamValue::Float(*f)),
            (ParamKind::Float { .. }, toml::Value::Integer(i)) => {
                Some(ParamValue::Float(*i as f64))
            }
            (ParamKind::Bool, toml::Value::Boolean(b)) => Some(ParamValue::Bool(*b)),
            (ParamKind::Choice(options), toml::Value::String(s)) => options
                .iter()
                .find(|o| **o == s.as_str())
                .map(|o| ParamValue::Choice(o)),
            _ => None,
        };
        match raw.map(|raw| spec.check(raw)) {
            Some(Ok(v)) => Some(v),
            Some(Err(why)) => {
                r.problem(key, why);
                None
            }
            None => {
                r.problem(key, format!("expected {}, got {v}", spec.kind));
                None
            }
        }
    };
    match value {
        toml::Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| one(r, v, &format!("{key}[{i}]")))
            .collect(),
        toml::Value::Table(range) => {
            r.unknown(range, key, &["from", "to", "step"]);
            let (Some(from), Some(to), Some(step)) =
                (range.get("from"), range.get("to"), range.get("step"))
            else {
                r.problem(key, "a range needs from, to and step");
                return Vec::new();
            };
            let (from, to) = (
                one(r, from, &format!("{key}.from")),
                one(r, to, &format!("{key}.to")),
            );
            let step_value = step.as_float().or(step.as_integer().map(|i| i as f64));
            match (from, to) {
                (Some(from), Some(to)) => {
                    if let Some(values) = step_value.and_then(|s| stepped(from, to, s)) {
                        return values;
                    }
                    r.problem(
                        key,
                        "expected from <= to and a positive step (whole for integers)",
                    );
                    Vec::new()
                }
                _ => Vec::new(),
            }
        }
        single @ (toml::Value::Integer(_)
        | toml::Value::Float(_)
        | toml::Value::Boolean(_)
        | toml::Value::String(_)) => one(r, single, key).into_iter().collect(),
        other => {
            r.problem(
                key,
                format!(
                    "expected a value, a list of values, or a range {{ from, to, step }}, got {other}"
                ),
            );
            Vec::new()
        }
    }
}

fn read_split(r: &mut Reader, table: &toml::Table) -> Option<SplitSpec> {
    let Some(split) = r.table(
        table,
        "split",
        &[
            "scheme",
            "in_sample",
            "out_of_sample",
            "step",
            "folds",
            "groups",
            "test_groups",
            "label_span",
            "embargo",
        ],
    ) else {
        r.problem("split", "missing: the [split] table (scheme and sizes)");
        return None;
    };
    let scheme = r.string(split, "scheme", "split.scheme");
    let needs = |r: &mut Reader, key: &str| {
        if !split.contains_key(key) {
            r.problem(format!("split.{key}"), "missing");
        }
    };
    let walk = |r: &mut Reader| {
        needs(r, "in_sample");
        needs(r, "out_of_sample");
        let in_sample = r.span(split, "in_sample", "split.in_sample");
        let out_of_sample = r.span(split, "out_of_sample", "split.out_of_sample");
        let step = r.span(split, "step", "split.step").or(out_of_sample);
        Some((in_sample?, out_of_sample?, step?))
    };
    match scheme.as_deref() {
        Some("rolling") => walk(r).map(|(in_sample, out_of_sample, step)| SplitSpec::Rolling {
            in_sample,
            out_of_sample,
            step,
        }),
        Some("anchored") => walk(r).map(|(in_sample, out_of_sample, step)| SplitSpec::Anchored {
            in_sample,
            out_of_sample,
            step,
        }),
        Some("purged_kfold") => {
            needs(r, "folds");
            let folds = r.count(split, "folds", "split.folds", 2)?;
            Some(SplitSpec::PurgedKfold {
                folds,
                label_span: r.span(split, "label_span", "split.label_span"),
                embargo: r.span(split, "embargo", "split.embargo"),
            })
        }
        Some("cpcv") => {
            needs(r, "groups");
            needs(r, "test_groups");
            let groups = r.count(split, "groups", "split.groups", 2)?;
            let test_groups = r.count(split, "test_groups", "split.test_groups", 1)?;
            if test_groups >= groups {
                r.problem(
                    "split.test_groups",
                    format!("expected fewer than groups ({groups}), got {test_groups}"),
                );
                return None;
            }
            Some(SplitSpec::Cpcv {
                groups,
                test_groups,
                label_span: r.span(split, "label_span", "split.label_span"),
                embargo: r.span(split, "embargo", "split.embargo"),
            })
        }
        Some(other) => {
            r.problem(
                "split.scheme",
                format!("expected rolling, anchored, purged_kfold or cpcv, got \"{other}\""),
            );
            None
        }
        None => {
            r.problem(
                "split.scheme",
                "missing: rolling, anchored, purged_kfold or cpcv",
            );
            None
        }
    }
}
