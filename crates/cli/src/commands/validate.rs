//! `gauntlet validate`: walk-forward validation of specs, a verdict table on stdout, and each
//! spec's report.json in its output folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gauntlet_data::atomic::StagedDir;
use gauntlet_validate::gate::{self, Policy, Verdict};
use gauntlet_validate::{Dataset, Spec, Stat, Validation};
use serde::Serialize;

use super::CheckFailed;
use crate::args::ValidateArgs;

/// Version of report.json's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the shipped specs live.
const SPECS_DIR: &str = "strategies/specs";

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    validation: &'a Validation,
    gate: &'a Verdict,
}

pub fn run(args: ValidateArgs) -> Result<()> {
    let paths = if args.specs.is_empty() || args.all {
        let mut all = shipped_specs()?;
        for spec in &args.specs {
            if !all.contains(spec) {
                all.push(spec.clone());
            }
        }
        all
    } else {
        args.specs.clone()
    };
    let threads = super::threads(args.threads)?;
    // Every spec, its data, its grid and its split are checked before anything runs or is
    // written.
    let mut loaded = Vec::with_capacity(paths.len());
    for path in &paths {
        let spec = Spec::load(path)?;
        let data = Dataset::load(&spec)?;
        let cells = cells(&spec, &data)?;
        loaded.push((spec, data, cells));
    }
    let mut rows = Vec::new();
    for (spec, data, cells) in &loaded {
        let progress = super::progress_bar(args.quiet, &spec.name, "cells");
        progress.set_length(*cells as u64);
        let tick = || progress.inc(1);
        let validation = gauntlet_validate::validate(spec, data, threads, &tick)?;
        progress.finish_and_clear();
        let verdict = gate::apply(Policy::default().with(&spec.gate), &validation);
        write_report(&args.out.join(&spec.name), &validation, &verdict)?;
        rows.push((validation, verdict));
    }
    print_table(&rows);
    let failed: Vec<&str> = rows
        .iter()
        .filter(|(_, v)| !v.pass)
        .map(|(val, _)| val.spec.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CheckFailed(format!(
            "{} of {} spec{} failed the gate: {}",
            failed.len(),
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            failed.join(", ")
        ))
        .into())
    }
}

fn cells(spec: &Spec, data: &Dataset) -> Result<usize> {
    let grid = gauntlet_validate::walkforward::Grid::of(spec)?;
    let (plan, _) = gauntlet_validate::walkforward::plan(spec, data, &grid)?;
    let (train, test) = plan.cells(grid.sets.len());
    Ok(train + test)
}

fn shipped_specs() -> Result<Vec<PathBuf>> {
    let dir = Path::new(SPECS_DIR);
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!("{SPECS_DIR}: cannot list the specs (run from the repository's root, or name SPEC files)")
    })?;
    let mut specs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    if specs.is_empty() {
        bail!("{SPECS_DIR}: no .toml specs found");
    }
    Ok(specs)
}

fn write_report(out: &Path, validation: &Validation, verdict: &Verdict) -> Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        validation,
        gate: verdict,
    };
    let json = serde_json::to_vec_pretty(&report)?;
    let staged = StagedDir::new(out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    std::fs::write(staged.path().join("report.json"), json)?;
    staged
        .commit()
        .with_context(|| format!("{}: cannot move the results into place", out.display()))?;
    Ok(())
}

fn print_table(rows: &[(Validation, Verdict)]) {
    println!(
        "{:<18} {:>8} {:>7} {:>24} {:>6} {:>6} {:>6}  verdict",
        "spec", "Sharpe", "max DD", "win rate [95% Wilson]", "trades", "DSR", "PBO"
    );
    for (v, verdict) in rows {
        let oos = &v.out_of_sample;
        let win = match (
            oos.trades.win_rate,
            oos.trades.win_rate_wilson.low,
            oos.trades.win_rate_wilson.high,
        ) {
            (Stat::Value(w), Stat::Value(lo), Stat::Value(hi)) => {
                format!("{:.1}% [{:.1}-{:.1}]", w * 100.0, lo * 100.0, hi * 100.0)
            }
            _ => "n/a".to_string(),
        };
        let claim = v
            .claim
            .as_ref()
            .map(|c| format!(" vs {:.0}%", c.claimed.0 * 100.0))
            .unwrap_or_default();
        let failed: Vec<&str> = verdict
            .checks
            .iter()
            .filter(|c| !c.pass)
            .map(|c| c.name)
            .collect();
        println!(
            "{:<18} {:>8} {:>6.1}% {:>24} {:>6} {:>6} {:>6}  {}",
            v.spec,
            short(oos.performance.sharpe, 2),
            oos.performance.max_drawdown * 100.0,
            format!("{win}{claim}"),
            oos.trades.trades,
            short(oos.deflated.dsr, 2),
            short(v.pbo.pbo, 2),
            if verdict.pass {
                "PASS".to_string()
            } else {
                format!("FAIL ({})", failed.join(", "))
            }
        );
    }
}

fn short(stat: Stat, decimals: usize) -> String {
    match stat {
        Stat::Value(x) => format!("{x:.decimals$}"),
        Stat::Undefined(_) => "n/a".to_string(),
    }
}
