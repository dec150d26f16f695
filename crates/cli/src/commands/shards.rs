//! Validation beyond one machine: `gauntlet validate --shard I/N` runs one slice of each spec's
//! plan, `gauntlet merge` joins the slices into the report one run would have written, and
//! `gauntlet plan` shows how a plan is dealt before anything runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use gauntlet_report::RunRecord;
use gauntlet_report::text::one_line;
use gauntlet_validate::shard::{
    self, EXTENSION, MergeError, ShardId, ShardPlan, ShardResult, assemble, check_set, costs, deal,
};
use gauntlet_validate::walkforward::finish_on;
use gauntlet_validate::workload::{Cell, Workload};
use gauntlet_validate::{Dataset, Spec};

use super::validate::{Judged, conclude, host, publish, rfc3339};
use super::{print_text, verdicts};
use crate::args::{MergeArgs, PlanArgs, ValidateArgs};

/// `gauntlet validate SPEC… --shard I/N`: runs shard I of each spec's plan and writes its
/// results into `OUT/<spec>/shard-I-of-N.gshard`.
pub fn run_shard(
    paths: &[PathBuf],
    shard: &str,
    threads: usize,
    args: &ValidateArgs,
) -> Result<()> {
    let id = ShardId::parse(shard, |name| std::env::var(name).ok())?;
    // Every spec, its data and its plan are checked before any cell runs.
    let loaded = super::validate::load_specs(paths)?;
    let workloads = loaded
        .iter()
        .map(|(spec, data)| Workload::new(spec, data))
        .collect::<Result<Vec<_>, _>>()?;
    for workload in &workloads {
        let spec = workload.spec;
        let share = ShardPlan::of(workload, id);
        let progress = super::progress_bar(args.quiet, &spec.name, "cells");
        progress.set_length(share.cells.len() as u64);
        let tick = || progress.inc(1);
        let result = shard::run_shard(workload, &share, threads, &tick)?;
        progress.finish_and_clear();
        let file = args.out.join(&spec.name).join(id.file_name());
        shard::write(&file, &result)?;
        println!(
            "{}: shard {} of {}: {} of {} cells, {:.1}% of the plan's cost -> {}",
            one_line(&spec.name),
            id.index,
            id.count,
            share.cells.len(),
            workload.len(),
            100.0 * share.cost as f64 / share.plan_cost.max(1) as f64,
            one_line(&file.display().to_string())
        );
    }
    Ok(())
}

/// `gauntlet merge DIR… --out DIR`.
pub fn merge(args: MergeArgs) -> Result<()> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let threads = super::threads(args.threads)?;
    let files = shard_files(&args.dirs)?;
    let mut by_spec: BTreeMap<String, Vec<(PathBuf, ShardResult)>> = BTreeMap::new();
    for file in files {
        let result = shard::read(&file)?;
        by_spec
            .entry(result.header.spec.clone())
            .or_default()
            .push((file, result));
    }
    let run_policy = verdicts::run_policy(args.verdicts.policy.as_deref())?;
    // Every spec's shards are checked and assembled before any report is written.
    let mut merged = Vec::with_capacity(by_spec.len());
    for (_, shards) in by_spec {
        let shards = check_set(shards)?;
        let spec_path = shards[0].1.header.spec_path.clone();
        let spec = Spec::load(&spec_path)
            .with_context(|| format!("the spec the shards name, {}", spec_path.display()))?;
        let repository = verdicts::repository_policy(&spec_path)?;
        let data = Dataset::load(&spec)?;
        let stack = verdicts::stack(repository.as_ref(), &spec.gate, run_policy.as_ref());
        let validation = {
            let workload = Workload::new(&spec, &data)?;
            let (train, test) = assemble(&workload, shards)?;
            finish_on(&workload, &train, &test, threads)?
        };
        merged.push((spec, validation, stack));
    }
    let command: Vec<String> = std::env::args().collect();
    let mut rows: Vec<Judged> = Vec::with_capacity(merged.len());
    for (spec, validation, stack) in merged {
        let run = RunRecord {
            started: rfc3339(started),
            duration_seconds: clock.elapsed().as_secs_f64(),
            host: host(),
            threads,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.clone(),
        };
        rows.push(publish(&spec, validation, &stack, &args.out, &run)?);
    }
    conclude(&rows, &args.verdicts)
}

/// The shard files of `dirs`: each a shard file, or a folder whose shard files (and whose
/// subfolders' shard files) are taken, in path order.
fn shard_files(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let is_shard = |p: &Path| p.is_file() && p.extension().is_some_and(|e| e == EXTENSION);
    let list = |dir: &Path| -> Result<Vec<PathBuf>> {
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("{}: cannot list the folder", dir.display()))?;
        Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
    };
    let mut files = Vec::new();
    for dir in dirs {
        if is_shard(dir) {
            files.push(dir.clone());
            continue;
        }
        if !dir.is_dir() {
            bail!("{}: neither a shard file nor a folder", dir.display());
        }
        for entry in list(dir)? {
            if entry.is_dir() {
                files.extend(list(&entry)?.into_iter().filter(|p| is_shard(p)));
            } else if is_shard(&entry) {
                files.push(entry);
            }
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        let named: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        return Err(MergeError::NoShards(named.join(", ")).into());
    }
    Ok(files)
}

/// `gauntlet plan SPEC --shards N`.
pub fn plan(args: PlanArgs) -> Result<()> {
    if args.shards == 0 {
        bail!("--shards: expected at least 1");
    }
    let spec = Spec::load(&args.spec)?;
    let data = Dataset::load(&spec)?;
    let workload = Workload::new(&spec, &data)?;
    let costs = costs(&workload);
    let total: u64 = costs.iter().sum();
    let dealt = deal(&costs, args.shards);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}: {} cells ({} training, {} test: {} parameter sets x {} folds, {} test windows), \
         {} bar steps in all",
        one_line(&spec.name),
        workload.len(),
        workload.train_cells(),
        workload.len() - workload.train_cells(),
        workload.sets(),
        workload.plan.folds.len(),
        workload.test_windows.len(),
        total
    );
    let _ = writeln!(
        text,
        "cost of a cell = the bars its runs step through, warm-up included\n"
    );
    let _ = writeln!(
        text,
        "{:>9} {:>7} {:>14} {:>7}",
        "shard", "cells", "cost", "share"
    );
    let cost_of = |cells: &[usize]| cells.iter().map(|&i| costs[i]).sum::<u64>();
    for (i, cells) in dealt.iter().enumerate() {
        let cost = cost_of(cells);
        let _ = writeln!(
            text,
            "{:>9} {:>7} {:>14} {:>6.1}%",
            format!("{}/{}", i + 1, args.shards),
            cells.len(),
            cost,
            100.0 * cost as f64 / total.max(1) as f64
        );
    }
    let largest = dealt.iter().map(|c| cost_of(c)).max().unwrap_or(0);
    let _ = writeln!(
        text,
        "\nthe largest shard holds {:.1}% of the cost (a perfect split: {:.1}%)",
        100.0 * largest as f64 / total.max(1) as f64,
        100.0 / args.shards as f64
    );
    for (i, cells) in dealt.iter().enumerate() {
        let _ = writeln!(text, "\nshard {}/{}:", i + 1, args.shards);
        for line in cell_lines(&workload, cells, &costs) {
            let _ = writeln!(text, "  {line}");
        }
    }
    print_text(&text)
}

/// A shard's cells, one line per fold or test window: the parameter sets it runs there
/// (as runs of consecutive indices) and their cost.
fn cell_lines(workload: &Workload, cells: &[usize], costs: &[u64]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<usize>, u64)> = Vec::new();
    for &index in cells {
        let (label, set) = match workload.cell(index) {
            Cell::Train { fold, set } => (format!("training, fold {fold}"), set),
            Cell::Test { window, set } => (format!("test window {window}"), set),
        };
        match groups.last_mut() {
            Some((last, sets, cost)) if *last == label => {
                sets.push(set);
                *cost += costs[index];
            }
            _ => groups.push((label, vec![set], costs[index])),
        }
    }
    groups
        .into_iter()
        .map(|(label, sets, cost)| {
            format!(
                "{label}: set{} {} (cost {cost})",
                if sets.len() == 1 { "" } else { "s" },
                runs(&sets)
            )
        })
        .collect()
}

/// Ascending numbers written as runs: `0-3, 7, 9-10`.
fn runs(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            numbers[i].to_string()
        } else {
            format!("{}-{}", numbers[i], numbers[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}
