//! The merge's checks: that shards are all the shards of one plan, each once, and that each
//! holds exactly the cells the deal gives it, with results of those cells' kinds.

use std::path::PathBuf;

use super::{EXTENSION, ShardResult, costs, deal, plan_fingerprint};
use crate::workload::{Cell, CellResult, TestSummary, TrainScore, Workload};

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
    use crate::shard::{ShardHeader, ShardId};

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
