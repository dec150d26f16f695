//! `gauntlet stats`: the validation statistics on any track record.

use anyhow::{Context, Result, bail};
use gauntlet_validate::pbo::probability_of_overfitting;
use gauntlet_validate::sharpe::{Moments, SharpeSample, deflated_sharpe, probabilistic_sharpe};
use gauntlet_validate::splits::Scheme;
use gauntlet_validate::{Annualization, Performance, Stat, TradeOutcome, TradeStats, Undefined};
use serde::Serialize;

use super::track_csv::TrackCsv;
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
            let returns = TrackCsv::read(&file, "returns")?.column("return")?;
            let bench = match &benchmark {
                None => None,
                Some(path) => {
                    let b = TrackCsv::read(path, "returns")?.column("return")?;
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
                    let table = TrackCsv::read(path, "trades")?;
                    let pnl = table.column("pnl")?;
                    let held = if table.has("bars_held") {
                        Some(table.column("bars_held")?)
                    } else {
                        None
                    };
                    let outcomes: Vec<TradeOutcome> = pnl
                        .iter()
                        .enumerate()
                        .map(|(i, &pnl)| TradeOutcome {
                            pnl,
                            bars_held: held.as_ref().map_or(0, |h| h[i].max(0.0) as usize),
                        })
                        .collect();
                    let mut stats = TradeStats::of(&outcomes);
                    if held.is_none() && !outcomes.is_empty() {
                        stats.average_bars_held = Stat::Undefined(Undefined::MissingInput);
                    }
                    Some(stats)
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
            if matches!(format, StatsFormat::Table) {
                println!(
                    "{} returns; volatility, Sharpe, Sortino and CAGR annualized with {periods} \
                     periods a year;\nPSR against a Sharpe ratio of 0; n/a: undefined, with \
                     the reason\n",
                    returns.len()
                );
            }
            print(&out, format)
        }
        StatsCommand::Pbo {
            matrix,
            blocks,
            format,
        } => {
            let rows = TrackCsv::read(&matrix, "periods' returns")?.numbers()?;
            let pbo = probability_of_overfitting(&rows, blocks)
                .with_context(|| format!("{}", matrix.display()))?;
            if pbo.rows_dropped > 0 {
                eprintln!(
                    "note: {}: the oldest {} of {} rows left out, so that the {blocks} blocks \
                     hold {} rows each",
                    matrix.display(),
                    pbo.rows_dropped,
                    rows.len(),
                    pbo.rows_used / blocks
                );
            }
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
            if trials == 0 {
                bail!("--trials: expected 1 or more (the parameter sets tried), got 0");
            }
            if periods < 2 {
                bail!(
                    "--periods: expected 2 or more returns behind the Sharpe ratio, got {periods}"
                );
            }
            // Pearson's inequality: no distribution has kurtosis below 1 + skewness².
            if kurt < 1.0 + skew * skew {
                bail!(
                    "--kurt: expected at least 1 + skew² = {} (no distribution has less), got {kurt}",
                    1.0 + skew * skew
                );
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
            // An option the scheme has no use for was meant for another scheme: refused
            // rather than left out without a word.
            let given = [
                ("in-sample", in_sample),
                ("out-of-sample", out_of_sample),
                ("step", step),
                ("folds", folds),
                ("groups", groups),
                ("test-groups", test_groups),
                ("label-span", label_span),
                ("embargo", embargo),
            ];
            let uses: &[&str] = match scheme.as_str() {
                "rolling" | "anchored" => &["in-sample", "out-of-sample", "step"],
                "purged_kfold" => &["folds", "label-span", "embargo"],
                "cpcv" => &["groups", "test-groups", "label-span", "embargo"],
                _ => &[],
            };
            if !uses.is_empty()
                && let Some((flag, _)) = given
                    .iter()
                    .find(|(flag, value)| value.is_some() && !uses.contains(flag))
            {
                bail!(
                    "--{flag}: not an option of --scheme {scheme}, which takes --{}",
                    uses.join(", --")
                );
            }
            let (label_span, embargo) = (label_span.unwrap_or(0), embargo.unwrap_or(0));
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
                (v, _) => readable(v),
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
        other => println!("{prefix}: {}", readable(other)),
    }
}

/// A number to six significant digits, without trailing zeros (0.020000000000000018 reads
/// 0.02); anything else as JSON writes it. The JSON format keeps every digit.
fn readable(value: &serde_json::Value) -> String {
    if value.is_null() {
        return "n/a".to_string();
    }
    let Some(x) = value.as_f64().filter(|_| value.is_f64()) else {
        return value.to_string();
    };
    if x == 0.0 || !x.is_finite() {
        return value.to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 15) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}
