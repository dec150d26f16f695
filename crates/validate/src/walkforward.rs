//! The validation run: plan the folds, run every cell in parallel, choose per fold, stitch the
//! out-of-sample history, and compute the statistics.
//!
//! The plan is a fixed list of cells (see [`crate::workload`]). Rayon runs them on `threads`
//! threads and returns the results in cell order, so the outcome does not depend on the number
//! of threads, nor on whether the cells ran here or in shards on other machines and were merged
//! ([`crate::shard`]): [`finish`] sees the same results in the same order. Every parameter set
//! runs on every test window, not only the chosen one: the trials table and PBO need them all.
//! A test cell keeps a summary of its returns (see [`crate::workload::TestSummary`]), not the
//! returns; once each fold's choice is made, the chosen set's runs on its test windows are run
//! again for the stitched history (one run per fold and window, against one per set before).
//!
//! Choice rule: among the sets with at least `min_trades` closed in-sample trades and a defined
//! objective, the highest objective; among equals, the lowest grid index.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use gauntlet_data::timestamp::TsFormat;
use gauntlet_strategy::Params;
use gauntlet_strategy::lookahead::evenly_spaced_cuts;
use rayon::prelude::*;

use crate::bootstrap::sharpe_interval;
use crate::cells::{CellRun, Runner};
use crate::dataset::Dataset;
use crate::grid::{ParamSet, enumerate};
use crate::mean_variance::MeanVariance;
use crate::outcome::{
    ClaimCheck, FoldOutcome, FoldWindows, GridRecord, LookaheadRecord, ParameterStability,
    PlanRecord, Stitched, Trial, Validation, Window,
};
use crate::pbo::cscv;
use crate::performance::{Performance, per_period_sharpe, sample_variance, sharpe_of};
use crate::sharpe::{Moments, SharpeSample, deflated_sharpe, probabilistic_sharpe};
use crate::spec::Spec;
use crate::splits::{Plan, Scheme, SplitError};
use crate::stat::{Stat, Undefined};
use crate::trades::{TradeStats, wilson};
use crate::workload::{TestSummary, TrainScore, Workload};

/// Cut points of the look-ahead guard run inside a validation.
pub const LOOKAHEAD_CUTS: usize = 10;

/// Why a validation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// No parameter set survived the strategy's checks.
    #[error(
        "{spec}: key 'strategy.grid': no parameter set is valid ({rejected} rejected); the first: {first}"
    )]
    EmptyGrid {
        /// The spec file.
        spec: String,
        /// Sets rejected.
        rejected: usize,
        /// Why the first was rejected.
        first: String,
    },
    /// The split does not fit the data.
    #[error("{spec}: key 'split': {error}")]
    Split {
        /// The spec file.
        spec: String,
        /// What is wrong.
        error: SplitError,
    },
    /// The thread pool could not start.
    #[error("cannot start {threads} threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

/// The parameter sets of a spec's grid that the strategy accepts.
pub struct Grid {
    /// Accepted sets, in enumeration order.
    pub sets: Vec<Params>,
    /// Rejected combinations.
    pub rejected: usize,
}

impl Grid {
    /// Enumerates and checks the grid of `spec`.
    pub fn of(spec: &Spec) -> Result<Grid, ValidateError> {
        let all = enumerate(&spec.strategy.space.defaults(), &spec.grid);
        let total = all.len();
        let mut first = None;
        let sets: Vec<Params> = all
            .into_iter()
            .filter(
                |p| match gauntlet_strategies::check(spec.strategy.name, p) {
                    Ok(()) => true,
                    Err(e) => {
                        first.get_or_insert_with(|| e.to_string());
                        false
                    }
                },
            )
            .collect();
        if sets.is_empty() {
            return Err(ValidateError::EmptyGrid {
                spec: spec.path.display().to_string(),
                rejected: total,
                first: first.unwrap_or_else(|| "the grid has no values".into()),
            });
        }
        Ok(Grid {
            rejected: total - sets.len(),
            sets,
        })
    }
}

/// The scheme of `spec` with sizes in bars, and its folds over `data`.
pub fn plan(spec: &Spec, data: &Dataset, grid: &Grid) -> Result<(Plan, PlanRecord), ValidateError> {
    let fail = |error| ValidateError::Split {
        spec: spec.path.display().to_string(),
        error,
    };
    let warmup = grid
        .sets
        .iter()
        .map(|s| Runner::warmup(spec.strategy.name, s))
        .max()
        .unwrap_or(0);
    let scheme = Scheme::of(spec.split, data.year(), warmup).map_err(fail)?;
    let plan = scheme.plan(data.bars()).map_err(fail)?;
    let ts = data.ts();
    let format = TsFormat::for_series(ts);
    let window = |r: &Range<usize>| Window {
        start: r.start,
        end: r.end,
        first: format.format(ts[r.start]),
        last: format.format(ts[r.end - 1]),
        first_ts: ts[r.start],
        last_ts: ts[r.end - 1],
    };
    let record = PlanRecord {
        written: spec.split,
        resolved: scheme,
        bars: plan.bars,
        folds: plan
            .folds
            .iter()
            .map(|f| FoldWindows {
                train: f.train.iter().map(window).collect(),
                test: f.test.iter().map(window).collect(),
            })
            .collect(),
        groups: plan.groups.iter().map(window).collect(),
        paths: plan.paths.clone(),
    };
    Ok((plan, record))
}

/// Runs the validation of `spec` on `data` with `threads` threads; `tick` is called once per
/// finished cell (for a progress bar), from any thread.
pub fn validate(
    spec: &Spec,
    data: &Dataset,
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<Validation, ValidateError> {
    validate_workload(&Workload::new(spec, data)?, threads, tick)
}

/// [`validate`] of a plan already laid out.
pub fn validate_workload(
    workload: &Workload,
    threads: usize,
    tick: &(dyn Fn() + Sync),
) -> Result<Validation, ValidateError> {
    let (train, test) = workload.run_all(threads, tick)?;
    finish_on(workload, &train, &test, threads)
}

/// [`finish`] with its parallel parts (PBO's splits, the bootstrap, the reruns and the
/// look-ahead checks) on a pool of `threads`: the cells and the statistics of one validation
/// use the same number of threads, and a merge of shards uses the number it was given.
pub fn finish_on(
    workload: &Workload,
    train: &[TrainScore],
    test: &[TestSummary],
    threads: usize,
) -> Result<Validation, ValidateError> {
    Ok(thread_pool(threads)?.install(|| finish(workload, train, test)))
}

/// Everything a validation computes from its cells' results: the choice in each fold, the
/// stitched history and its statistics, PBO, the trials, the look-ahead check of the chosen
/// sets. `train` and `test` are the results in cell order.
pub fn finish(workload: &Workload, train: &[TrainScore], test: &[TestSummary]) -> Validation {
    let (spec, data, grid) = (workload.spec, workload.data, &workload.grid);
    let (plan, annual) = (&workload.plan, workload.annual);
    let (segments, fold_segments) = (&workload.test_windows, &workload.fold_windows);
    let name = spec.strategy.name;
    let n_sets = grid.sets.len();
    let train_of = |fold: usize, set: usize| &train[fold * n_sets + set];
    let summary_of = |segment: usize, set: usize| &test[segment * n_sets + set];

    // The choice in each fold.
    let chosen: Vec<Option<usize>> = (0..plan.folds.len())
        .map(|fold| {
            let mut best: Option<(usize, f64)> = None;
            for set in 0..n_sets {
                let s = train_of(fold, set);
                if s.trades < spec.min_trades {
                    continue;
                }
                if let Stat::Value(v) = s.objective
                    && best.is_none_or(|(_, b)| v > b)
                {
                    best = Some((set, v));
                }
            }
            best.map(|(set, _)| set)
        })
        .collect();

    // The chosen sets' runs on their test windows, run again: a cell's run is a function of
    // its inputs, so this is the run its test cell summarized, here or in a shard.
    let mut wanted: Vec<(usize, usize)> = (0..plan.folds.len())
        .filter_map(|fold| chosen[fold].map(|set| (fold, set)))
        .flat_map(|(fold, set)| fold_segments[fold].iter().map(move |&w| (w, set)))
        .chain(plan.paths.iter().flat_map(|path| {
            path.iter()
                .enumerate()
                .filter_map(|(g, &fold)| chosen[fold].map(|set| (g, set)))
        }))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let reruns: BTreeMap<(usize, usize), CellRun> = wanted
        .into_par_iter()
        .map(|(w, set)| ((w, set), workload.run_test(w, set)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let test_of = |segment: usize, set: usize| match reruns.get(&(segment, set)) {
        Some(run) => Cow::Borrowed(run),
        None => Cow::Owned(workload.run_test(segment, set)),
    };
    let joined = |fold: usize, set: usize| {
        let mut run = CellRun::default();
        for &s in &fold_segments[fold] {
            let part = test_of(s, set);
            run.returns.extend_from_slice(&part.returns);
            run.trades.extend_from_slice(&part.trades);
            run.closed_by_window_end
                .extend_from_slice(&part.closed_by_window_end);
            run.exposed_bars += part.exposed_bars;
        }
        run
    };
    let folds: Vec<FoldOutcome> = (0..plan.folds.len())
        .map(|fold| {
            let bars: usize = fold_segments[fold].iter().map(|&s| segments[s].len()).sum();
            let run = match chosen[fold] {
                Some(set) => joined(fold, set),
                None => CellRun {
                    returns: vec![0.0; bars],
                    ..CellRun::default()
                },
            };
            FoldOutcome {
                fold,
                chosen: chosen[fold],
                parameters: chosen[fold].map(|s| ParamSet(grid.sets[s].clone())),
                eligible: (0..n_sets)
                    .filter(|&s| {
                        let t = train_of(fold, s);
                        t.trades >= spec.min_trades && t.objective.value().is_some()
                    })
                    .count(),
                in_sample_objective: chosen[fold]
                    .map_or(Stat::Undefined(Undefined::NoTrades), |s| {
                        train_of(fold, s).objective
                    }),
                in_sample: chosen[fold].map(|s| train_of(fold, s).performance),
                out_of_sample: Performance::of(
                    &run.returns,
                    Some(&benchmark_slice(data, &fold_segments[fold], segments)),
                    annual,
                ),
                trades: TradeStats::of_trades(&run.trades),
            }
        })
        .collect();

    // The stitched history: folds in order, or for CPCV each path, keeping the median one.
    let stitch = |parts: &mut dyn Iterator<Item = (usize, usize)>| {
        let mut run = CellRun::default();
        let mut bench = Vec::new();
        let mut ts = Vec::new();
        for (fold, segment) in parts {
            match chosen[fold] {
                Some(set) => {
                    let part = test_of(segment, set);
                    run.returns.extend_from_slice(&part.returns);
                    run.trades.extend_from_slice(&part.trades);
                    run.closed_by_window_end
                        .extend_from_slice(&part.closed_by_window_end);
                    run.exposed_bars += part.exposed_bars;
                }
                None => run
                    .returns
                    .extend(std::iter::repeat_n(0.0, segments[segment].len())),
            }
            bench.extend_from_slice(&data.benchmark_returns[segments[segment].clone()]);
            ts.extend_from_slice(&data.ts()[segments[segment].clone()]);
        }
        (run, bench, ts)
    };
    let (stitched_run, stitched_bench, stitched_ts, path_sharpes) = if plan.paths.is_empty() {
        let (run, bench, ts) = stitch(&mut (0..plan.folds.len()).map(|f| (f, f)));
        (run, bench, ts, Vec::new())
    } else {
        let paths: Vec<(CellRun, Vec<f64>, Vec<i64>)> = plan
            .paths
            .iter()
            .map(|path| stitch(&mut path.iter().enumerate().map(|(g, &fold)| (fold, g))))
            .collect();
        let sharpes: Vec<Stat> = paths
            .iter()
            .map(|(run, _, _)| {
                per_period_sharpe(&run.returns, 0.0).map(|s| s * annual.periods_per_year.sqrt())
            })
            .collect();
        let mut order: Vec<usize> = (0..paths.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |i: usize| sharpes[i].value().unwrap_or(f64::NEG_INFINITY);
            key(a).total_cmp(&key(b)).then(a.cmp(&b))
        });
        let median = order[(order.len() - 1) / 2];
        let (run, bench, ts) = paths.into_iter().nth(median).unwrap_or_default();
        (run, bench, ts, sharpes)
    };
    let performance = Performance::of(&stitched_run.returns, Some(&stitched_bench), annual);
    let trade_stats = TradeStats::of_trades(&stitched_run.trades);
    let (closed_at_window_end, trades_closed_by_strategy) = by_strategy(&stitched_run);
    let moments = Moments::of(&stitched_run.returns);
    let sample = SharpeSample::of(&stitched_run.returns);
    let trials_variance = trials_variance(plan, n_sets, &|f, s| train_of(f, s).per_period_sharpe);
    let deflated = match sample {
        Ok(sample) => deflated_sharpe(sample, n_sets, trials_variance),
        Err(why) => crate::sharpe::Deflated {
            trials: n_sets,
            trials_variance,
            expected_max_sharpe: Stat::Undefined(why),
            dsr: Stat::Undefined(why),
        },
    };
    let psr = match sample {
        Ok(sample) => probabilistic_sharpe(sample, 0.0),
        Err(why) => Stat::Undefined(why),
    };
    // PBO over every set's returns on the test windows, in time order: each set's blocks
    // joined from the pieces its test cells summarized. It and the bootstrap, the two costly
    // statistics, run side by side on the pool's threads.
    let periods: usize = segments.iter().map(|w| w.len()).sum();
    let pbo_of = || match workload.pbo_layout {
        Some(layout) if test.iter().all(|summary| summary.finite) => {
            let columns: Vec<Vec<MeanVariance>> = (0..n_sets)
                .map(|set| {
                    let mut blocks = vec![MeanVariance::EMPTY; layout.blocks];
                    for &w in &workload.windows_in_time {
                        for &(block, piece) in &summary_of(w, set).blocks {
                            blocks[block] = blocks[block].join(piece);
                        }
                    }
                    blocks
                })
                .collect();
            cscv(layout, &columns)
        }
        _ => crate::pbo::Pbo {
            pbo: Stat::Undefined(Undefined::TooFewObservations),
            blocks: spec.pbo_blocks,
            configurations: n_sets,
            rows_used: 0,
            rows_dropped: periods,
            logits: Vec::new(),
        },
    };
    let (sharpe_bootstrap, pbo) = rayon::join(
        || {
            sharpe_interval(
                &stitched_run.returns,
                annual.periods_per_year,
                spec.bootstrap,
            )
        },
        pbo_of,
    );
    let bars_stitched = stitched_run.returns.len();
    let out_of_sample = Stitched {
        performance,
        trades: trade_stats,
        closed_at_window_end,
        trades_closed_by_strategy,
        exposure: if bars_stitched == 0 {
            0.0
        } else {
            stitched_run.exposed_bars as f64 / bars_stitched as f64
        },
        moments,
        psr,
        deflated,
        sharpe_bootstrap,
    };

    let trials: Vec<Trial> = (0..plan.folds.len())
        .flat_map(|fold| (0..n_sets).map(move |set| (fold, set)))
        .map(|(fold, set)| {
            let t = train_of(fold, set);
            let windows = fold_segments[fold].iter().map(|&w| summary_of(w, set));
            let (returns, growth, trades) = windows.fold(
                (MeanVariance::EMPTY, 1.0, 0),
                |(returns, growth, trades), w| {
                    (
                        returns.join(w.returns),
                        growth * w.growth,
                        trades + w.trades,
                    )
                },
            );
            Trial {
                fold,
                set,
                in_sample_objective: t.objective,
                in_sample_sharpe: t.performance.sharpe,
                in_sample_trades: t.trades,
                out_of_sample_sharpe: sharpe_of(returns.mean, returns.variance(), annual.risk_free)
                    .map(|s| s * annual.periods_per_year.sqrt()),
                out_of_sample_return: growth - 1.0,
                out_of_sample_trades: trades,
            }
        })
        .collect();

    let claim = spec.claimed_win_rate.map(|claimed| {
        let wilson = wilson(trade_stats.wins, trade_stats.trades);
        let inside = match (wilson.low.value(), wilson.high.value()) {
            (Some(low), Some(high)) => claimed.0 <= high && claimed.1 >= low,
            _ => false,
        };
        ClaimCheck {
            claimed,
            measured: trade_stats.win_rate,
            inside_wilson_interval: inside,
        }
    });

    let mut distinct: Vec<usize> = chosen.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let columns: Vec<_> = workload
        .runner
        .columns
        .iter()
        .map(|c| c.range(data.range.clone()))
        .collect();
    let cuts = evenly_spaced_cuts(data.bars(), LOOKAHEAD_CUTS);
    let lookahead = distinct
        .par_iter()
        .map(|&set| {
            let report = gauntlet_strategies::lookahead(name, &grid.sets[set], &columns, &cuts);
            let (passed, first_divergence) = match report {
                Ok(r) => (r.passed(), r.divergence.map(|d| d.bar)),
                Err(_) => (false, None),
            };
            LookaheadRecord {
                set,
                cuts: cuts.len(),
                passed,
                first_divergence,
            }
        })
        .collect();

    Validation {
        spec: spec.name.clone(),
        strategy: name.to_string(),
        data: data.files.clone(),
        benchmark: data.benchmark.clone(),
        periods_per_year: data.periods_per_year,
        objective: spec.objective,
        min_trades: spec.min_trades,
        grid: GridRecord {
            sets: n_sets,
            rejected: grid.rejected,
            parameters: grid.sets.iter().cloned().map(ParamSet).collect(),
        },
        plan: workload.plan_record.clone(),
        parameter_stability: stability(&grid.sets, &chosen),
        walk_forward_efficiency: efficiency(&folds),
        folds,
        out_of_sample,
        path_sharpes,
        claim,
        pbo,
        lookahead,
        trials,
        returns: stitched_run.returns,
        trades: stitched_run.trades,
        benchmark_returns: stitched_bench,
        timestamps: stitched_ts,
    }
}

/// A rayon pool of `threads` threads.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, ValidateError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ValidateError::Threads {
            threads,
            message: e.to_string(),
        })
}

fn benchmark_slice(data: &Dataset, fold_segments: &[usize], segments: &[Range<usize>]) -> Vec<f64> {
    fold_segments
        .iter()
        .flat_map(|&s| data.benchmark_returns[segments[s].clone()].iter().copied())
        .collect()
}

/// DSR's `V`: per fold, the sample variance of the sets' in-sample per-period Sharpe ratios;
/// averaged over the folds where at least two are defined.
fn trials_variance(plan: &Plan, n_sets: usize, sharpe: &dyn Fn(usize, usize) -> Stat) -> Stat {
    if n_sets < 2 {
        return Stat::Undefined(Undefined::SingleTrial);
    }
    let variances: Vec<f64> = (0..plan.folds.len())
        .filter_map(|fold| {
            let values: Vec<f64> = (0..n_sets)
                .filter_map(|s| sharpe(fold, s).value())
                .collect();
            sample_variance(&values)
        })
        .collect();
    if variances.is_empty() {
        Stat::Undefined(Undefined::TooFewObservations)
    } else {
        Stat::Value(variances.iter().sum::<f64>() / variances.len() as f64)
    }
}

fn stability(sets: &[Params], chosen: &[Option<usize>]) -> Vec<ParameterStability> {
    let Some(first) = sets.first() else {
        return Vec::new();
    };
    first
        .iter()
        .map(|(name, _)| {
            let values: Vec<Option<String>> = chosen
                .iter()
                .map(|c| c.and_then(|s| sets[s].get(name)).map(|v| v.to_string()))
                .collect();
            let mut seen: Vec<&String> = values.iter().flatten().collect();
            seen.sort();
            seen.dedup();
            let pairs: Vec<bool> = values
                .windows(2)
                .filter_map(|w| match (&w[0], &w[1]) {
                    (Some(a), Some(b)) => Some(a != b),
                    _ => None,
                })
                .collect();
            ParameterStability {
                parameter: name.to_string(),
                distinct: seen.len(),
                change_rate: if pairs.is_empty() {
                    Stat::Undefined(Undefined::TooFewObservations)
                } else {
                    Stat::Value(pairs.iter().filter(|&&c| c).count() as f64 / pairs.len() as f64)
                },
                values,
            }
        })
        .collect()
}

/// Walk-forward efficiency (Pardo): mean out-of-sample CAGR over mean in-sample CAGR of the
/// chosen sets, over the folds where both are defined.
fn efficiency(folds: &[FoldOutcome]) -> Stat {
    let pairs: Vec<(f64, f64)> = folds
        .iter()
        .filter_map(|f| {
            let is = f.in_sample.as_ref()?.cagr.value()?;
            let oos = f.out_of_sample.cagr.value()?;
            Some((is, oos))
        })
        .collect();
    if pairs.is_empty() {
        return Stat::Undefined(Undefined::TooFewObservations);
    }
    let n = pairs.len() as f64;
    let is = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let oos = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    if is <= 0.0 {
        Stat::Undefined(Undefined::NonPositiveInSample)
    } else {
        Stat::Value(oos / is)
    }
}

/// The round trips of `run` that the end of a test window closed (any of their legs), and the
/// trade statistics of the others: a strategy that rides its winners keeps them open at a
/// window's end more often than its losers, so the forced exits can lift a win rate.
fn by_strategy(run: &CellRun) -> (usize, TradeStats) {
    let forced: std::collections::BTreeSet<i64> = run
        .trades
        .iter()
        .zip(&run.closed_by_window_end)
        .filter(|(_, forced)| **forced)
        .map(|(t, _)| t.entry_ts)
        .collect();
    let own: Vec<gauntlet_engine::Trade> = run
        .trades
        .iter()
        .filter(|t| !forced.contains(&t.entry_ts))
        .copied()
        .collect();
    (forced.len(), TradeStats::of_trades(&own))
}
