//! Reading a spec: the TOML checked key by key, every problem gathered with its key (see the
//! parent module for what a spec holds).

use std::path::{Path, PathBuf};

use gauntlet_engine::CostModel;
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyInfo;
use gauntlet_strategy::{ParamKind, ParamSpec, ParamValue};
use sha2::{Digest, Sha256};

use super::{GridAxis, MAX_GRID, Objective, Span, Spec, SpecError, SplitSpec};
use crate::bootstrap::BootstrapConfig;
use crate::gate::{GateOverrides, POLICY_KEYS, read_overrides};
use crate::grid::{repeat, stepped};
use crate::pbo::{DEFAULT_BLOCKS, MAX_BLOCKS};
use crate::toml_reader::Reader;

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
        if !pbo_blocks.is_multiple_of(2) || pbo_blocks > MAX_BLOCKS {
            r.problem(
                "pbo.blocks",
                format!(
                    "expected an even number from 2 to {MAX_BLOCKS} (C(S, S/2) splits: 12,870 \
                     at 16, 2,704,156 at 24), got {pbo_blocks}"
                ),
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
        if table.is_empty() {
            r.problem(
                "strategy.grid",
                "an empty table: list the values of at least one parameter, or leave \
                 [strategy.grid] out to search the strategy's declared space",
            );
        }
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
        toml::Value::Array(items) if !items.is_empty() => {
            let read: Vec<(usize, ParamValue)> = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| one(r, v, &format!("{key}[{i}]")).map(|v| (i, v)))
                .collect();
            let values: Vec<ParamValue> = read.iter().map(|&(_, v)| v).collect();
            if let Some((earlier, later)) = repeat(&values) {
                r.problem(
                    format!("{key}[{}]", read[later].0),
                    format!(
                        "{} repeats {key}[{}]: each value is one more trial, counted in the DSR \
                         and PBO",
                        values[later], read[earlier].0
                    ),
                );
            }
            values
        }
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
