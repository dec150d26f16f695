//! Sharded validation: one slice of a plan's cells run anywhere, and the slices merged back into
//! exactly the results one machine would have computed.
//!
//! **Dealing.** The cells are dealt to `N` shards by their cost (the bars each steps through,
//! see [`Workload::cost`]), not by their count: longest first, each to the shard with the least
//! cost so far, the lower shard number among equals (the LPT rule of Graham, 1969, whose
//! largest shard is within 4/3 of the best possible). The rule reads nothing but the costs, so
//! every machine that lays out the same plan deals it the same way.
//!
//! **The plan's fingerprint** is the SHA-256 of what fixes every cell's result: the spec file's
//! text and path, the resolved risk profile, the data files' fingerprints, the strategy's code
//! fingerprint, gauntlet's version and the cell count. Shards carry it, and a merge refuses
//! shards whose fingerprints differ from each other or from the plan it lays out itself.
//!
//! **The shard file** (`shard-I-of-N.gshard`): the line `gauntlet shard v3`, the length of the
//! body (8 bytes, little-endian), the body (CBOR: a header, then each cell's index and result:
//! a training cell's score, a test cell's summary), and the XXH3-128 checksum of everything
//! before it. CBOR keeps every `f64` exact. The checksum is there to catch damage, not forgery
//! (anyone who can edit the file can recompute any unkeyed hash, SHA-256 included). A shard
//! holds no returns: a test cell's summary is what the trials and PBO need, and the merge runs
//! the few chosen cells again for the stitched history (format v2 carried every test cell's
//! returns, 198 MB for the walk-forward grid of `benches/README.md`). The file is written
//! under a temporary name, synced and renamed, so a shard killed while writing leaves nothing a
//! merge would read; a shard run again replaces its file whole.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::walkforward::ValidateError;
use crate::workload::{CellResult, Workload};

mod file;
mod merge;

pub use file::{MAGIC, ShardFileError, decode, read, seal, write};
pub use merge::{MergeError, assemble, check_set};

/// The extension of shard files.
pub const EXTENSION: &str = "gshard";

/// Variables `--shard auto/N` reads the shard's number from, in this order, with the number
/// the first shard has in each: Kubernetes Indexed Jobs count from 0, GNU parallel from 1;
/// Slurm arrays from `SLURM_ARRAY_TASK_MIN`, read beside the task id.
pub const INDEX_VARIABLES: [(&str, usize); 3] = [
    ("JOB_COMPLETION_INDEX", 0),
    ("SLURM_ARRAY_TASK_ID", 0),
    ("PARALLEL_SEQ", 1),
];

/// One slice of a plan: shard `index` (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardId {
    /// Which slice, from 1.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

/// Why a `--shard` value cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("--shard {written}: {problem}")]
pub struct ShardIdError {
    /// The value as written.
    pub written: String,
    /// What is wrong.
    pub problem: String,
}

impl ShardId {
    /// Reads `I/N` (1 ≤ I ≤ N), or `auto/N` with I taken from the first of
    /// [`INDEX_VARIABLES`] that `var` finds.
    pub fn parse(
        written: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<ShardId, ShardIdError> {
        let fail = |problem: String| ShardIdError {
            written: written.to_string(),
            problem,
        };
        let (index, count) = written
            .split_once('/')
            .ok_or_else(|| fail("expected I/N (e.g. 2/8) or auto/N".into()))?;
        let count: usize = count
            .trim()
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| fail(format!("N = {count:?} is not a whole number of at least 1")))?;
        let index = if index.trim() == "auto" {
            auto_index(&var).map_err(fail)?
        } else {
            index
                .trim()
                .parse()
                .map_err(|_| fail(format!("I = {index:?} is not a whole number")))?
        };
        if index == 0 || index > count {
            return Err(fail(format!(
                "shard {index} of {count}: shards are numbered 1 to {count}"
            )));
        }
        Ok(ShardId { index, count })
    }

    /// The shard's file name.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.{EXTENSION}", self.index, self.count)
    }
}

/// The 1-based shard number a batch system gave this process.
fn auto_index(var: &impl Fn(&str) -> Option<String>) -> Result<usize, String> {
    for (name, first) in INDEX_VARIABLES {
        let Some(value) = var(name) else { continue };
        let number = |name: &str, text: &str| {
            text.trim()
                .parse::<usize>()
                .map_err(|_| format!("{name} = {text:?} is not a whole number"))
        };
        let at = number(name, &value)?;
        let first = match name {
            "SLURM_ARRAY_TASK_ID" => match var("SLURM_ARRAY_TASK_MIN") {
                Some(min) => number("SLURM_ARRAY_TASK_MIN", &min)?,
                None => first,
            },
            _ => first,
        };
        return at
            .checked_sub(first)
            .map(|i| i + 1)
            .ok_or_else(|| format!("{name} = {at} is below the first index {first}"));
    }
    Err(format!(
        "auto: none of {} is set (run under a Kubernetes Indexed Job, a Slurm array or GNU \
         parallel, or give the number: --shard I/N)",
        INDEX_VARIABLES.map(|(n, _)| n).join(", ")
    ))
}

/// Deals cells of the given `costs` to `shards` shards; returns each shard's cell indices, in
/// ascending order. See the module docs for the rule.
pub fn deal(costs: &[u64], shards: usize) -> Vec<Vec<usize>> {
    let shards = shards.max(1);
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0_u64; shards];
    let mut dealt = vec![Vec::new(); shards];
    for cell in order {
        let lightest = (0..shards)
            .min_by_key(|&s| (load[s], s))
            .unwrap_or_default();
        load[lightest] += costs[cell];
        dealt[lightest].push(cell);
    }
    for cells in &mut dealt {
        cells.sort_unstable();
    }
    dealt
}

/// Every cell's cost, in cell order.
pub fn costs(workload: &Workload) -> Vec<u64> {
    (0..workload.len()).map(|i| workload.cost(i)).collect()
}

/// The plan's fingerprint (see the module docs).
pub fn plan_fingerprint(workload: &Workload) -> String {
    #[derive(Serialize)]
    struct Identity<'a> {
        format: &'a [u8],
        tool_version: &'a str,
        spec_path: String,
        spec_sha256: &'a str,
        risk: &'a gauntlet_risk::RiskConfig,
        data: Vec<(&'a str, &'a str)>,
        benchmark: (&'a str, &'a str),
        strategy: &'a str,
        code: &'a str,
        sets: usize,
        cells: usize,
    }
    let (spec, data) = (workload.spec, workload.data);
    let identity = Identity {
        format: MAGIC,
        tool_version: env!("CARGO_PKG_VERSION"),
        spec_path: spec.path.display().to_string(),
        spec_sha256: &spec.source_sha256,
        risk: &spec.risk,
        data: data
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.fingerprint.as_str()))
            .collect(),
        benchmark: (&data.benchmark.path, &data.benchmark.fingerprint),
        strategy: spec.strategy.name,
        code: spec.strategy.fingerprint(),
        sets: workload.sets(),
        cells: workload.len(),
    };
    // A struct of strings and numbers always serializes.
    let bytes = serde_json::to_vec(&identity).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// What a shard file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// The spec's name.
    pub spec: String,
    /// The spec file, as the shard was given it.
    pub spec_path: PathBuf,
    /// The plan's fingerprint.
    pub plan: String,
    /// Which shard.
    pub shard: ShardId,
}

/// One shard's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardResult {
    /// Whose results these are.
    pub header: ShardHeader,
    /// Each cell's index in the plan and its result, by ascending index.
    pub cells: Vec<(usize, CellResult)>,
}

/// One shard's share of a plan, dealt before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPlan {
    /// Which shard.
    pub id: ShardId,
    /// Its cells, ascending.
    pub cells: Vec<usize>,
    /// Their summed cost.
    pub cost: u64,
    /// The cost of the whole plan.
    pub plan_cost: u64,
}

impl ShardPlan {
    /// Deals `workload`'s plan and keeps shard `id`'s share.
    pub fn of(workload: &Workload, id: ShardId) -> ShardPlan {
        let costs = costs(workload);
        let cells = deal(&costs, id.count)
            .into_iter()
            .nth(id.index - 1)
            .unwrap_or_default();
        ShardPlan {
            id,
            cost: cells.iter().map(|&i| costs[i]).sum(),
            plan_cost: costs.iter().sum(),
            cells,
        }
    }
}

/// Runs the cells of `share` on `threads` threads (`tick` once per finished cell).
pub fn run_shard(
    workload: &Workload,
    share: &ShardPlan,
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<ShardResult, ValidateError> {
    let results = workload.run_cells(&share.cells, threads, tick)?;
    Ok(ShardResult {
        header: ShardHeader {
            spec: workload.spec.name.clone(),
            spec_path: workload.spec.path.clone(),
            plan: plan_fingerprint(workload),
            shard: share.id,
        },
        cells: share.cells.iter().copied().zip(results).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn a_shard_is_written_i_of_n_from_one() {
        let none = env(&[]);
        assert_eq!(
            ShardId::parse("2/8", &none),
            Ok(ShardId { index: 2, count: 8 })
        );
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", "1/y"] {
            let e = ShardId::parse(bad, &none).expect_err(bad);
            assert!(
                e.to_string().starts_with(&format!("--shard {bad}: ")),
                "{e}"
            );
        }
    }

    #[test]
    fn auto_reads_each_batch_systems_numbering() {
        // Kubernetes counts from 0, so its index 0 is shard 1.
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(ShardId::parse("auto/4", k8s).map(|s| s.index), Ok(1));
        // A Slurm array --array=1-4 starts at 1; --array=0-3 at 0.
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert_eq!(ShardId::parse("auto/4", slurm).map(|s| s.index), Ok(3));
        let slurm0 = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "0")]);
        assert_eq!(ShardId::parse("auto/4", slurm0).map(|s| s.index), Ok(4));
        let parallel = env(&[("PARALLEL_SEQ", "2")]);
        assert_eq!(ShardId::parse("auto/4", parallel).map(|s| s.index), Ok(2));
        let e = ShardId::parse("auto/4", env(&[])).expect_err("no variable");
        assert!(e.problem.contains("JOB_COMPLETION_INDEX"), "{e}");
        let e = ShardId::parse("auto/4", env(&[("JOB_COMPLETION_INDEX", "4")]))
            .expect_err("index 4 is shard 5 of 4");
        assert!(e.problem.contains("shard 5 of 4"), "{e}");
    }

    #[test]
    fn dealing_balances_cost_not_count() {
        // Worked by hand: longest first, each to the lightest shard (the lower on a tie).
        let costs = [4, 10, 1, 9, 1, 1, 1, 1];
        // order: 10 (cell 1), 9 (cell 3), 4 (cell 0), then the ones: cells 2, 4, 5, 6, 7.
        // 10 → shard 0 (0,0 tie → lower); 9 → shard 1; 4 → shard 1 (9 < 10) = 13;
        // 1 (cell 2) → shard 0 = 11; cell 4 → shard 0 = 12; cell 5 → shard 0 = 13;
        // cell 6 → shard 0 (13 = 13, lower) = 14; cell 7 → shard 1 = 14.
        assert_eq!(deal(&costs, 2), vec![vec![1, 2, 4, 5, 6], vec![0, 3, 7]]);
        // Every cell dealt once, whatever the count.
        for n in 1..=9 {
            let mut all: Vec<usize> = deal(&costs, n).concat();
            all.sort_unstable();
            assert_eq!(all, (0..costs.len()).collect::<Vec<_>>(), "{n} shards");
        }
    }
}
