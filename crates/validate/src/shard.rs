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

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use crate::walkforward::ValidateError;
use crate::workload::{Cell, CellResult, TestSummary, TrainScore, Workload};

/// The first bytes of every shard file.
pub const MAGIC: &[u8] = b"gauntlet shard v3\n";

/// The length of the checksum a shard file ends with.
const CHECKSUM: usize = 16;

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

/// Why a shard file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ShardFileError {
    /// Reading or writing failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The file is not a shard file of this format.
    #[error("{path}: not a gauntlet shard file (it does not start with {expected:?})")]
    NotAShard {
        /// The file.
        path: PathBuf,
        /// The first line a shard file has.
        expected: String,
    },
    /// The file ends early.
    #[error("{path}: truncated: {found} bytes where the shard file needs {expected}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Its length.
        found: u64,
        /// The length its header announces.
        expected: u64,
    },
    /// The content does not hash to the checksum it ends with.
    #[error("{path}: fails its checksum (the file was changed or damaged after it was written)")]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The checksum holds but the content cannot be read.
    #[error("{path}: cannot decode the shard's content: {message}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
}

/// Writes `result` to `path` atomically (temporary file, sync, rename).
pub fn write(path: &Path, result: &ShardResult) -> Result<(), ShardFileError> {
    let io = |e: std::io::Error| ShardFileError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut body = Vec::new();
    ciborium::into_writer(result, &mut body).map_err(|e| io(std::io::Error::other(e)))?;
    let framed = seal(&body);
    gauntlet_data::atomic::write_file(path, |out| {
        use std::io::Write;
        out.write_all(&framed)
    })
    .map_err(io)
}

/// The bytes of a shard file around `body`: the magic line, the body's length, the body and
/// the checksum (how [`write`] frames a result's CBOR).
pub fn seal(body: &[u8]) -> Vec<u8> {
    let mut framed = MAGIC.to_vec();
    framed.extend_from_slice(&(body.len() as u64).to_le_bytes());
    framed.extend_from_slice(body);
    let sum = checksum(&[&framed]);
    framed.extend_from_slice(&sum);
    framed
}

/// The XXH3-128 checksum of `parts` in order, little-endian.
fn checksum(parts: &[&[u8]]) -> [u8; CHECKSUM] {
    let mut hash = Xxh3::new();
    for part in parts {
        hash.update(part);
    }
    hash.digest128().to_le_bytes()
}

/// Reads and checks the shard file at `path`.
pub fn read(path: &Path) -> Result<ShardResult, ShardFileError> {
    let bytes = std::fs::read(path).map_err(|e| ShardFileError::Io {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    decode(path, &bytes)
}

/// Checks and decodes the bytes of a shard file (`path` names it in errors).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<ShardResult, ShardFileError> {
    let path = || path.to_path_buf();
    let prefix = MAGIC.len() + 8;
    if !bytes.starts_with(MAGIC) {
        return Err(ShardFileError::NotAShard {
            path: path(),
            expected: String::from_utf8_lossy(MAGIC).trim_end().to_string(),
        });
    }
    let found = bytes.len() as u64;
    let Some(length) = bytes.get(MAGIC.len()..prefix) else {
        return Err(ShardFileError::Truncated {
            path: path(),
            found,
            expected: (prefix + CHECKSUM) as u64,
        });
    };
    let mut le = [0_u8; 8];
    le.copy_from_slice(length);
    let expected = (prefix as u64)
        .saturating_add(u64::from_le_bytes(le))
        .saturating_add(CHECKSUM as u64);
    if found < expected {
        return Err(ShardFileError::Truncated {
            path: path(),
            found,
            expected,
        });
    }
    // `expected` ≤ `found`, so it fits a usize.
    let end = expected as usize - CHECKSUM;
    if found > expected || checksum(&[&bytes[..end]])[..] != bytes[end..] {
        return Err(ShardFileError::Checksum { path: path() });
    }
    ciborium::from_reader(&bytes[prefix..end]).map_err(|e| ShardFileError::Decode {
        path: path(),
        message: e.to_string(),
    })
}

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No shard was found.
    #[error("no shard files (*.{EXTENSION}) found in {0}")]
    NoShards(String),
    /// The shards come from different plans.
    #[error(
        "shards of two different plans for spec '{spec}': {first} and {second} (a spec, its data, \
         its risk profile or gauntlet itself changed between them); run every shard of one plan"
    )]
    MixedPlans {
        /// The spec.
        spec: String,
        /// A shard of one plan.
        first: PathBuf,
        /// A shard of another.
        second: PathBuf,
    },
    /// The shards were dealt for different numbers of shards.
    #[error("spec '{spec}': {first} is one of {n} shards but {second} one of {m}")]
    MixedCounts {
        /// The spec.
        spec: String,
        /// One shard.
        first: PathBuf,
        /// Its count.
        n: usize,
        /// Another.
        second: PathBuf,
        /// Its count.
        m: usize,
    },
    /// The same shard was given twice.
    #[error("spec '{spec}': shard {index} of {count} is given twice: {first} and {second}")]
    Duplicate {
        /// The spec.
        spec: String,
        /// The shard.
        index: usize,
        /// Of how many.
        count: usize,
        /// One copy.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Shards are missing.
    #[error("spec '{spec}': missing shard{s} {list} of {count}", s = if missing.len() == 1 { "" } else { "s" }, list = missing.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    Missing {
        /// The spec.
        spec: String,
        /// The missing shards.
        missing: Vec<usize>,
        /// Of how many.
        count: usize,
    },
    /// A shard holds other cells than the deal gives it.
    #[error("{path}: holds cells the plan does not deal to shard {index} of {count} ({problem})")]
    WrongCells {
        /// The shard file.
        path: PathBuf,
        /// Its number.
        index: usize,
        /// Of how many.
        count: usize,
        /// What differs.
        problem: String,
    },
    /// The shards' plan is not the plan the spec and data describe now.
    #[error(
        "{spec_path}: the shards were run on another plan than the spec and its data describe now \
         (fingerprint {shards} in the shards, {now} now): the spec, its data, its risk profile \
         or gauntlet changed since; run the shards again"
    )]
    Stale {
        /// The spec file.
        spec_path: PathBuf,
        /// The shards' fingerprint.
        shards: String,
        /// The plan's now.
        now: String,
    },
}

/// Checks that `shards` (each with the file it came from) are all the shards of one plan, each
/// once, and returns them ordered by shard number. Cells are checked by [`assemble`].
pub fn check_set(
    mut shards: Vec<(PathBuf, ShardResult)>,
) -> Result<Vec<(PathBuf, ShardResult)>, MergeError> {
    let Some((first_path, first)) = shards.first() else {
        return Err(MergeError::NoShards("the folders given".into()));
    };
    let (first_path, first) = (first_path.clone(), first.header.clone());
    for (path, shard) in &shards {
        let h = &shard.header;
        if h.shard.index == 0 || h.shard.index > h.shard.count {
            return Err(MergeError::WrongCells {
                path: path.clone(),
                index: h.shard.index,
                count: h.shard.count,
                problem: "no such shard: shards are numbered from 1 to their count".into(),
            });
        }
        if h.plan != first.plan {
            return Err(MergeError::MixedPlans {
                spec: first.spec.clone(),
                first: first_path,
                second: path.clone(),
            });
        }
        if h.shard.count != first.shard.count {
            return Err(MergeError::MixedCounts {
                spec: first.spec.clone(),
                first: first_path,
                n: first.shard.count,
                second: path.clone(),
                m: h.shard.count,
            });
        }
    }
    shards.sort_by(|a, b| (a.1.header.shard.index, &a.0).cmp(&(b.1.header.shard.index, &b.0)));
    for pair in shards.windows(2) {
        if pair[0].1.header.shard.index == pair[1].1.header.shard.index {
            return Err(MergeError::Duplicate {
                spec: first.spec.clone(),
                index: pair[0].1.header.shard.index,
                count: first.shard.count,
                first: pair[0].0.clone(),
                second: pair[1].0.clone(),
            });
        }
    }
    let count = first.shard.count;
    let missing: Vec<usize> = (1..=count)
        .filter(|i| !shards.iter().any(|(_, s)| s.header.shard.index == *i))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            spec: first.spec,
            missing,
            count,
        });
    }
    Ok(shards)
}

/// The results of every cell of `workload`, taken from `shards` (checked by [`check_set`]):
/// the shards must be of this plan, and each must hold exactly the cells the deal gives it.
pub fn assemble(
    workload: &Workload,
    shards: Vec<(PathBuf, ShardResult)>,
) -> Result<(Vec<TrainScore>, Vec<TestSummary>), MergeError> {
    let now = plan_fingerprint(workload);
    let count = shards.first().map_or(1, |(_, s)| s.header.shard.count);
    let dealt = deal(&costs(workload), count);
    let mut train: Vec<Option<TrainScore>> = vec![None; workload.train_cells()];
    let mut test: Vec<Option<TestSummary>> = vec![None; workload.len() - workload.train_cells()];
    for (path, shard) in shards {
        let header = &shard.header;
        if header.plan != now {
            return Err(MergeError::Stale {
                spec_path: header.spec_path.clone(),
                shards: header.plan.clone(),
                now,
            });
        }
        let wrong = |problem: String| MergeError::WrongCells {
            path: path.clone(),
            index: header.shard.index,
            count,
            problem,
        };
        let expected = &dealt[header.shard.index - 1];
        let held: Vec<usize> = shard.cells.iter().map(|(i, _)| *i).collect();
        if held != *expected {
            let extra = held.iter().find(|i| !expected.contains(i));
            let absent = expected.iter().find(|i| !held.contains(i));
            return Err(wrong(match (extra, absent) {
                (Some(i), _) => format!("cell {i} is not its to run"),
                (None, Some(i)) => format!("cell {i} is missing"),
                (None, None) => "a cell is listed twice or out of order".to_string(),
            }));
        }
        for (index, result) in shard.cells {
            match (workload.cell(index), result) {
                (Cell::Train { .. }, CellResult::Train(score)) => train[index] = Some(score),
                (Cell::Test { window, .. }, CellResult::Test(summary))
                    if summary.periods == workload.test_windows[window].len() =>
                {
                    test[index - workload.train_cells()] = Some(summary);
                }
                _ => {
                    return Err(wrong(format!(
                        "cell {index}'s result is not one of that cell (its kind or its number \
                         of bars differs)"
                    )));
                }
            }
        }
    }
    // Every shard held exactly its dealt cells and the deal covers the plan, so every cell
    // has its result here.
    Ok((
        train.into_iter().flatten().collect(),
        test.into_iter().flatten().collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mean_variance::MeanVariance;

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

    #[test]
    fn a_damaged_file_is_named_and_refused() {
        let result = ShardResult {
            header: ShardHeader {
                spec: "s".into(),
                spec_path: "s.toml".into(),
                plan: "p".into(),
                shard: ShardId { index: 1, count: 1 },
            },
            cells: vec![(
                0,
                CellResult::Test(TestSummary {
                    periods: 5000,
                    growth: 1.25,
                    returns: MeanVariance {
                        n: 5000.0,
                        mean: 1e-4,
                        m2: 0.3,
                    },
                    trades: 7,
                    finite: true,
                    // Long enough to fill the decoder's scratch buffer, as a real shard does.
                    blocks: (0..400)
                        .map(|b| {
                            let piece = MeanVariance {
                                n: 12.0,
                                mean: b as f64 * 1e-5,
                                m2: 1e-3,
                            };
                            (b, piece)
                        })
                        .collect(),
                }),
            )],
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shard-1-of-1.gshard");
        write(&path, &result).expect("write");
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(decode(&path, &bytes).expect("decode"), result);
        let cut = decode(&path, &bytes[..bytes.len() - 5]).expect_err("truncated");
        assert!(matches!(cut, ShardFileError::Truncated { .. }), "{cut}");
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        let bad = decode(&path, &flipped).expect_err("flipped");
        assert!(matches!(bad, ShardFileError::Checksum { .. }), "{bad}");
        let other = decode(&path, b"id,close\n").expect_err("not a shard");
        assert!(matches!(other, ShardFileError::NotAShard { .. }), "{other}");
    }

    #[test]
    fn a_shard_numbered_outside_its_count_is_refused() {
        let shard = |index: usize, count: usize| {
            let header = ShardHeader {
                spec: "s".into(),
                spec_path: "s.toml".into(),
                plan: "p".into(),
                shard: ShardId { index, count },
            };
            (
                PathBuf::from(format!("shard-{index}-of-{count}.gshard")),
                ShardResult {
                    header,
                    cells: Vec::new(),
                },
            )
        };
        // Shards 1 and 2 of 2 are all there; a "shard 0" beside them is not one of them.
        assert!(check_set(vec![shard(2, 2), shard(1, 2)]).is_ok());
        let e = check_set(vec![shard(1, 2), shard(2, 2), shard(0, 2)]).expect_err("shard 0");
        assert!(e.to_string().contains("shard-0-of-2.gshard"), "{e}");
        assert!(e.to_string().contains("no such shard"), "{e}");
        let e = check_set(vec![shard(3, 2)]).expect_err("shard 3 of 2");
        assert!(e.to_string().contains("no such shard"), "{e}");
    }
}
