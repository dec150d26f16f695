//! `gauntlet stats`: the validation statistics on any track record.

use std::path::Path;

use anyhow::{Context, Result, bail};
use gauntlet_validate::pbo::probability_of_overfitting;
use gauntlet_validate::sharpe::{Moments, SharpeSample, deflated_sharpe, probabilistic_sharpe};
use gauntlet_validate::splits::Scheme;
use gauntlet_validate::{Annualization, Performance, Stat, TradeOutcome, TradeStats};
use serde::Serialize;

use crate::args::{StatsCommand, StatsFormat};

pub fn run(command: StatsCommand) -> Result<()> {
    match command {
        StatsCommand::Returns {
            file,
            periods,
            trades,
            benchmark,
            format,
        } => {
            if !(periods.is_finite() && periods > 0.0) {
                bail!("--periods: expected a positive number, got {periods}");
            }
            let returns = column(&file, "return")?;
            let bench = match &benchmark {
                None => None,
                Some(path) => {
                    let b = column(path, "return")?;
                    if b.len() != returns.len() {
                        bail!(
                            "{}: {} returns, but {} has {}: the benchmark must cover the same periods",
                            path.display(),
                            b.len(),
                            file.display(),
                            returns.len()
                        );
                    }
                    Some(b)
                }
            };
            let trade_stats = match &trades {
                None => None,
                Some(path) => {
                    let pnl = column(path, "pnl")?;
                    let held = column(path, "bars_held").unwrap_or_else(|_| vec![0.0; pnl.len()]);
                    let outcomes: Vec<TradeOutcome> = pnl
                        .iter()
                        .zip(&held)
                        .map(|(&pnl, &h)| TradeOutcome {
                            pnl,
                            bars_held: h.max(0.0) as usize,
                        })
                        .collect();
                    Some(TradeStats::of(&outcomes))
                }
            };
            let moments = Moments::of(&returns);
            let psr = match SharpeSample::of(&returns) {
                Ok(sample) => probabilistic_sharpe(sample, 0.0),
                Err(why) => Stat::Undefined(why),
            };
            #[derive(Serialize)]
            struct Out {
                performance: Performance,
                moments: Moments,
                psr: Stat,
                trades: Option<TradeStats>,
            }
            let out = Out {
                performance: Performance::of(
                    &returns,
                    bench.as_deref(),
                    Annualization::new(periods),
                ),
                moments,
                psr,
                trades: trade_stats,
            };
            print(&out, format)
        }
        StatsCommand::Pbo {
            matrix,
            blocks,
            format,
        } => {
            let rows = matrix_rows(&matrix)?;
            let pbo = probability_of_overfitting(&rows, blocks)
                .with_context(|| format!("{}", matrix.display()))?;
            print(&pbo, format)
        }
        StatsCommand::Dsr {
            sharpe,
            trials,
            trials_var,
            periods,
            skew,
            kurt,
            format,
        } => {
            for (name, v) in [
                ("--sharpe", sharpe),
                ("--trials-var", trials_var),
                ("--skew", skew),
                ("--kurt", kurt),
            ] {
                if !v.is_finite() {
                    bail!("{name}: expected a finite number, got {v}");
                }
            }
            if trials_var < 0.0 {
                bail!("--trials-var: expected zero or more, got {trials_var}");
            }
            let sample = SharpeSample {
                sharpe,
                periods,
                skewness: skew,
                kurtosis: kurt,
            };
            #[derive(Serialize)]
            struct Out {
                psr: Stat,
                deflated: gauntlet_validate::sharpe::Deflated,
            }
            print(
                &Out {
                    psr: probabilistic_sharpe(sample, 0.0),
                    deflated: deflated_sharpe(sample, trials, Stat::Value(trials_var)),
                },
                format,
            )
        }
        StatsCommand::Splits {
            scheme,
            n,
            in_sample,
            out_of_sample,
            step,
            folds,
            groups,
            test_groups,
            label_span,
            embargo,
        } => {
            let need = |v: Option<usize>, flag: &str| {
                v.with_context(|| format!("--{flag}: required by --scheme {scheme}"))
            };
            let scheme = match scheme.as_str() {
                "rolling" | "anchored" => {
                    let in_sample = need(in_sample, "in-sample")?;
                    let out_of_sample = need(out_of_sample, "out-of-sample")?;
                    let step = step.unwrap_or(out_of_sample);
                    if scheme == "rolling" {
                        Scheme::Rolling {
                            in_sample,
                            out_of_sample,
                            step,
                        }
                    } else {
                        Scheme::Anchored {
                            in_sample,
                            out_of_sample,
                            step,
                        }
                    }
                }
                "purged_kfold" => Scheme::PurgedKFold {
                    folds: need(folds, "folds")?,
                    label_span,
                    embargo,
                },
                "cpcv" => Scheme::Cpcv {
                    groups: need(groups, "groups")?,
                    test_groups: need(test_groups, "test-groups")?,
                    label_span,
                    embargo,
                },
                other => bail!(
                    "--scheme: expected rolling, anchored, purged_kfold or cpcv, got '{other}'"
                ),
            };
            let plan = scheme.plan(n)?;
            println!("{}", serde_json::to_string_pretty(&plan)?);
            Ok(())
        }
    }
}

fn print<T: Serialize>(value: &T, format: StatsFormat) -> Result<()> {
    let json = serde_json::to_value(value)?;
    match format {
        StatsFormat::Json => println!("{}", serde_json::to_string_pretty(&json)?),
        StatsFormat::Table => table("", &json),
    }
    Ok(())
}

/// `name: value` lines, nested keys joined by dots; `{"value": x}` shown as x.
fn table(prefix: &str, json: &serde_json::Value) {
    match json {
        serde_json::Value::Object(map) if map.contains_key("value") => {
            let shown = match (&map["value"], map.get("undefined")) {
                (serde_json::Value::Null, Some(why)) => {
                    format!("n/a ({})", why.as_str().unwrap_or(""))
                }
                (v, _) => v.to_string(),
            };
            println!("{prefix}: {shown}");
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                table(&key, v);
            }
        }
        serde_json::Value::Array(items) if items.len() > 20 => {
            println!("{prefix}: [{} values]", items.len());
        }
        other => println!("{prefix}: {other}"),
    }
}

/// The numbers of the column `name` of a CSV (the only column when there is one); NaN, blanks
/// and non-numbers are errors naming the line.
fn column(path: &Path, name: &str) -> Result<Vec<f64>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let headers = reader.headers()?.clone();
    let index = match headers.iter().position(|h| h.trim() == name) {
        Some(i) => i,
        None if headers.len() == 1 => 0,
        None => bail!(
            "{}: no '{name}' column (columns: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        ),
    };
    let mut values = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        let text = record.get(index).unwrap_or("").trim();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => values.push(v),
            _ => bail!(
                "{}: line {}, column '{}': expected a finite number, got '{text}'",
                path.display(),
                i + 2,
                headers.get(index).unwrap_or(name)
            ),
        }
    }
    Ok(values)
}

/// Every row of a numeric CSV with a header.
fn matrix_rows(path: &Path) -> Result<Vec<Vec<f64>>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        let mut row = Vec::with_capacity(record.len());
        for (c, text) in record.iter().enumerate() {
            match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => row.push(v),
                _ => bail!(
                    "{}: line {}, column {}: expected a finite number, got '{text}'",
                    path.display(),
                    i + 2,
                    c + 1
                ),
            }
        }
        rows.push(row);
    }
    Ok(rows)
}
