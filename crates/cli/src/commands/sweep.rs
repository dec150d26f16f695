//! `gauntlet sweep`: every parameter set of a grid over the whole data; the trials table in
//! the output folder and the best sets on stdout.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use gauntlet_data::atomic::write_file;
use gauntlet_data::{LoadOptions, Panel};
use gauntlet_engine::CostModel;
use gauntlet_engine::metrics::infer_periods_per_year;
use gauntlet_risk::RiskConfig;
use gauntlet_validate::cells::Runner;
use gauntlet_validate::grid::{enumerate, parse_axis};
use gauntlet_validate::spec::GridAxis;
use gauntlet_validate::sweep::{SweepRow, sweep};
use gauntlet_validate::{Annualization, Stat};

use crate::args::SweepArgs;

pub fn run(mut args: SweepArgs) -> Result<()> {
    let (info, base) = super::resolve_strategy(&mut args.run)?;
    let threads = super::threads(args.threads)?;
    let mut axes = Vec::new();
    for text in &args.grid {
        let Some((name, values)) = text.split_once('=') else {
            bail!("--grid {text}: expected NAME=FROM:TO:STEP, NAME=V1,V2,... or NAME=VALUE");
        };
        let Some(spec) = info.space.spec(name.trim()) else {
            let names: Vec<_> = info.space.specs.iter().map(|s| s.name).collect();
            bail!(
                "--grid {text}: unknown parameter '{name}' ({} takes: {})",
                info.name,
                names.join(", ")
            );
        };
        if axes.iter().any(|a: &GridAxis| a.spec.name == spec.name) {
            bail!(
                "--grid {text}: '{}' has an axis already: give each parameter one --grid, with \
                 all its values (e.g. {}=5,10,20)",
                spec.name,
                spec.name
            );
        }
        let values = parse_axis(spec, values)
            .map_err(|why| anyhow::anyhow!("--grid {text}: parameter '{}': {why}", spec.name))?;
        axes.push(GridAxis { spec, values });
    }
    let all = enumerate(&base, &axes);
    let total = all.len();
    let sets: Vec<_> = all
        .into_iter()
        .filter(|p| gauntlet_strategies::check(info.name, p).is_ok())
        .collect();
    if sets.is_empty() {
        bail!(
            "--grid: none of the {total} parameter sets is valid for {} (e.g. fast must be below slow)",
            info.name
        );
    }
    let series = super::load_series(&args.run, &LoadOptions::default())?;
    let panel = if series.len() == 1 {
        Panel::single(series.into_iter().next().context("one series")?)
    } else {
        Panel::align(series)?
    };
    let annual = Annualization::new(infer_periods_per_year(panel.ts()));
    let runner = Runner::new(
        &panel,
        0,
        CostModel::free(),
        false,
        RiskConfig::unlimited(),
        100_000.0,
    );
    let progress = super::progress_bar(args.quiet, info.name, "runs");
    progress.set_length(sets.len() as u64);
    let tick = || progress.inc(1);
    let rows = sweep(
        &runner,
        info.name,
        &sets,
        panel.len(),
        annual,
        threads,
        &tick,
    )?;
    progress.finish_and_clear();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/sweep").join(info.name));
    let file = out.join("trials.csv");
    write_trials(&file, &rows)
        .with_context(|| format!("{}: cannot write the trials table", file.display()))?;
    print_best(&rows, total - sets.len(), panel.len(), &file);
    Ok(())
}

fn write_trials(path: &std::path::Path, rows: &[SweepRow]) -> std::io::Result<()> {
    write_file(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let names: Vec<&str> = rows
            .first()
            .map(|r| r.parameters.0.iter().map(|(n, _)| n).collect())
            .unwrap_or_default();
        let mut header: Vec<&str> = vec!["set"];
        header.extend(&names);
        header.extend([
            "trades",
            "win_rate",
            "total_return",
            "cagr",
            "sharpe",
            "sortino",
            "max_drawdown",
            "calmar",
            "profit_factor",
            "exposure",
        ]);
        csv.write_record(&header)?;
        for row in rows {
            let p = &row.performance;
            let mut record = vec![row.set.to_string()];
            record.extend(row.parameters.0.iter().map(|(_, v)| v.to_string()));
            record.push(row.trades.trades.to_string());
            for stat in [
                row.trades.win_rate,
                Stat::Value(p.total_return),
                p.cagr,
                p.sharpe,
                p.sortino,
                Stat::Value(p.max_drawdown),
                p.calmar,
                row.trades.profit_factor,
                Stat::Value(row.exposure),
            ] {
                record.push(stat.value().map_or(String::new(), |v| v.to_string()));
            }
            csv.write_record(&record)?;
        }
        csv.flush()
    })
}

fn print_best(rows: &[SweepRow], rejected: usize, bars: usize, file: &std::path::Path) {
    let mut order: Vec<&SweepRow> = rows.iter().collect();
    let key = |r: &SweepRow| r.performance.sharpe.value().unwrap_or(f64::NEG_INFINITY);
    order.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.set.cmp(&b.set)));
    println!(
        "{} over {bars} bars ({rejected} rejected by the strategy's checks); best by Sharpe:",
        super::splits::count(rows.len(), "parameter set", "parameter sets")
    );
    for row in order.iter().take(10) {
        println!(
            "  {:<40} Sharpe {:>7}  return {:>8.2}%  max DD {:>6.2}%  trades {}",
            row.parameters.label(),
            row.performance.sharpe.display(3),
            row.performance.total_return * 100.0,
            row.performance.max_drawdown * 100.0,
            row.trades.trades
        );
    }
    println!("trials table: {}", file.display());
    println!(
        "(in-sample only: these figures are what overfitting looks like; `gauntlet validate` tests out of sample)"
    );
}
