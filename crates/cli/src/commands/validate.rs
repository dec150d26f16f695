//! `gauntlet validate`: walk-forward validation of specs, a verdict table and one line per spec
//! on stdout, and each spec's report (report.json, run.json, tables, report.md, report.html)
//! in its output folder.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use gauntlet_report::summary::SpecVerdict;
use gauntlet_report::{GateRecord, RunRecord};
use gauntlet_validate::gate::{self, GateInputs, PolicyStack};
use gauntlet_validate::walkforward::validate_workload;
use gauntlet_validate::workload::Workload;
use gauntlet_validate::{Dataset, Spec, Stat, Validation};

use super::verdicts;
use crate::args::{ValidateArgs, VerdictOutput};

/// Where the shipped specs live.
const SPECS_DIR: &str = "strategies/specs";

pub fn run(args: ValidateArgs) -> Result<()> {
    let paths = if args.specs.is_empty() || args.all {
        let mut all = shipped_specs()?;
        let canonical = |p: &PathBuf| p.canonicalize().unwrap_or_else(|_| p.clone());
        for spec in &args.specs {
            if !all.iter().any(|a| canonical(a) == canonical(spec)) {
                all.push(spec.clone());
            }
        }
        all
    } else {
        args.specs.clone()
    };
    let threads = super::threads(args.threads)?;
    if let Some(shard) = &args.shard {
        return super::shards::run_shard(&paths, shard, threads, &args);
    }
    // Every policy, spec, its data, its grid and its split are checked before anything runs
    // or is written.
    let run_policy = verdicts::run_policy(args.verdicts.policy.as_deref())?;
    let mut loaded = Vec::with_capacity(paths.len());
    for (spec, data) in load_specs(&paths)? {
        let repository = verdicts::repository_policy(&spec.path)?;
        let stack = verdicts::stack(repository.as_ref(), &spec.gate, run_policy.as_ref());
        loaded.push((spec, data, stack));
    }
    let workloads = loaded
        .iter()
        .map(|(spec, data, _)| Workload::new(spec, data))
        .collect::<Result<Vec<_>, _>>()?;
    let command: Vec<String> = std::env::args().collect();
    let validate_one = |k: usize| -> Result<(Validation, RunRecord)> {
        let spec = &loaded[k].0;
        let started = SystemTime::now();
        let clock = Instant::now();
        let progress = super::progress_bar(args.quiet, &spec.name, "cells");
        progress.set_length(workloads[k].len() as u64);
        let tick = || progress.inc(1);
        let validation = validate_workload(&workloads[k], threads, &tick)?;
        progress.finish_and_clear();
        let run = RunRecord {
            started: rfc3339(started),
            duration_seconds: clock.elapsed().as_secs_f64(),
            host: host(),
            threads,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.clone(),
        };
        Ok((validation, run))
    };
    let publish_one = |k: usize, validation: Validation, run: RunRecord| {
        let (spec, _, stack) = &loaded[k];
        publish(spec, validation, stack, &args.out, &run)
    };
    let mut rows = Vec::with_capacity(loaded.len());
    if threads == 1 {
        for k in 0..loaded.len() {
            let (validation, run) = validate_one(k)?;
            rows.push(publish_one(k, validation, run)?);
        }
    } else {
        // A spec's report (charts, Parquet tables) is written on a thread of its own while the
        // next spec validates on the pool: writing is serial work that would leave a core idle.
        rows = std::thread::scope(|scope| -> Result<Vec<Judged>> {
            let (done, written) = std::sync::mpsc::channel::<(usize, Validation, RunRecord)>();
            let writer = scope.spawn(move || -> Result<Vec<Judged>> {
                let mut rows = Vec::new();
                for (k, validation, run) in written {
                    rows.push(publish_one(k, validation, run)?);
                }
                Ok(rows)
            });
            for k in 0..loaded.len() {
                let (validation, run) = validate_one(k)?;
                if done.send((k, validation, run)).is_err() {
                    // The writer stopped on an error: it is reported below.
                    break;
                }
            }
            drop(done);
            writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
    }
    conclude(&rows, &args.verdicts)
}

/// One judged spec: its validation, the gate's verdict, the spec file.
pub type Judged = (Validation, GateRecord, PathBuf);

/// Judges `validation` of `spec` by the gate's `stack` and writes its report into
/// `out/<spec name>/`.
pub fn publish(
    spec: &Spec,
    validation: Validation,
    stack: &PolicyStack,
    out: &Path,
    run: &RunRecord,
) -> Result<Judged> {
    let verdict = gate::apply(stack.resolve(), &GateInputs::of(&validation));
    let record = GateRecord::new(verdict, stack.sources());
    gauntlet_report::write_all(&out.join(&spec.name), spec, &validation, &record, run)?;
    Ok((validation, record, spec.path.clone()))
}

/// Prints the verdict table and reports the verdicts (lines, annotations, JUnit, exit code).
pub fn conclude(rows: &[Judged], output: &VerdictOutput) -> Result<()> {
    print_table(rows);
    // Annotations point at the spec: the file in the repository a reviewer can open.
    let verdicts: Vec<SpecVerdict> = rows
        .iter()
        .map(|(v, record, path)| SpecVerdict {
            spec: &v.spec,
            file: path.display().to_string(),
            verdict: &record.verdict,
        })
        .collect();
    verdicts::report(&verdicts, output)
}

/// `at` as an RFC 3339 UTC time with milliseconds.
pub fn rfc3339(at: SystemTime) -> String {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    chrono::DateTime::from_timestamp(since.as_secs() as i64, since.subsec_nanos())
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// This machine's name.
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Every spec of `paths` and its data, checked: each spec is given once, and no two share a
/// name, since a spec's name is its report folder and the second would overwrite the first.
pub(super) fn load_specs(paths: &[PathBuf]) -> Result<Vec<(Spec, Dataset)>> {
    let mut specs: Vec<Spec> = Vec::with_capacity(paths.len());
    for path in paths {
        let spec = Spec::load(path)?;
        let same_file = |other: &Spec| match (path.canonicalize(), other.path.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => *path == other.path,
        };
        if let Some(other) = specs.iter().find(|other| same_file(other)) {
            bail!(
                "{}: given twice (also as {}): each spec is validated once",
                path.display(),
                other.path.display()
            );
        }
        if let Some(other) = specs.iter().find(|other| other.name == spec.name) {
            bail!(
                "{}: its name '{}' is also the name of {}: both reports would be written to \
                 the folder '{}'; rename one of the files",
                path.display(),
                spec.name,
                other.path.display(),
                spec.name
            );
        }
        specs.push(spec);
    }
    specs
        .into_iter()
        .map(|spec| {
            let data = Dataset::load(&spec)
                .with_context(|| format!("{}: its data", spec.path.display()))?;
            Ok((spec, data))
        })
        .collect()
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

fn print_table(rows: &[Judged]) {
    println!(
        "{:<18} {:>8} {:>7}  {:<21} {:>7} {:>6} {:>6} {:>6}  verdict",
        "spec", "Sharpe", "max DD", "win rate [95% Wilson]", "claimed", "trades", "DSR", "PBO"
    );
    for (v, record, _) in rows {
        let verdict = &record.verdict;
        let oos = &v.out_of_sample;
        let win = match (
            oos.trades.win_rate,
            oos.trades.win_rate_wilson.low,
            oos.trades.win_rate_wilson.high,
        ) {
            (Stat::Value(w), Stat::Value(lo), Stat::Value(hi)) => {
                format!("{:.1}% [{:.1}-{:.1}%]", w * 100.0, lo * 100.0, hi * 100.0)
            }
            _ => "n/a".to_string(),
        };
        let claim = v.claim.as_ref().map_or("-".to_string(), |c| {
            gauntlet_report::text::claimed(c.claimed)
        });
        let failed: Vec<&str> = verdict.failed().map(|c| c.name.as_str()).collect();
        // The spec's name starts the row: `one_line` keeps it from being a workflow command.
        println!(
            "{:<18} {:>8} {:>6.1}%  {:<21} {:>7} {:>6} {:>6} {:>6}  {}",
            gauntlet_report::text::one_line(&v.spec),
            short(oos.performance.sharpe, 2),
            oos.performance.max_drawdown * 100.0,
            win,
            claim,
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
