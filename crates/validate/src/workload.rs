//! The cells of a validation: the fixed list of independent runs its plan makes, what each
//! costs, and what each leaves behind.
//!
//! The list is enumerated in one fixed order: first every (fold, parameter set) training cell,
//! fold by fold, then every (test window, parameter set) test cell. A cell's index in that list
//! is its name everywhere: in the parallel run, in a shard of the plan, and in a merge. Its cost
//! is the number of bars its runs step through, warm-up included: the work a strategy does is
//! proportional to it, whatever the parameters.

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cells::{CellRun, Runner};
use crate::curves::CurvePool;
use crate::dataset::Dataset;
use crate::mean_variance::MeanVariance;
use crate::outcome::PlanRecord;
use crate::pbo::BlockLayout;
use crate::performance::{Annualization, Performance};
use crate::spec::{Objective, Spec};
use crate::splits::Plan;
use crate::stat::Stat;
use crate::trades::TradeStats;
use crate::walkforward::{Grid, ValidateError, plan, thread_pool};

/// One cell of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A parameter set on a fold's training bars.
    Train {
        /// The fold.
        fold: usize,
        /// The parameter set (its index in the grid).
        set: usize,
    },
    /// A parameter set on one test window (a fold's, or a CPCV group's).
    Test {
        /// The test window (see [`Plan::test_windows`]).
        window: usize,
        /// The parameter set.
        set: usize,
    },
}

/// What a training cell leaves behind: enough to choose the fold's set and to report it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainScore {
    /// The spec's objective over the training bars.
    pub objective: Stat,
    /// The Sharpe ratio per bar (DSR's trials are measured in it).
    pub per_period_sharpe: Stat,
    /// Closed trades.
    pub trades: usize,
    /// Every metric of the training returns.
    pub performance: Performance,
}

/// What a test cell leaves behind: what the trials table and PBO need of its returns, not the
/// returns themselves. The few runs the report needs whole (each fold's chosen set on its test
/// windows) are run again once the choice is known, so neither a validation nor a shard holds
/// every set's returns (a 10 × 10 grid over 400k test bars would hold 320 MB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSummary {
    /// Bars of the window, one return each.
    pub periods: usize,
    /// What one unit grew to over the window: the product of `1 + r`, in order.
    pub growth: f64,
    /// Mean and squared deviations of the returns.
    pub returns: MeanVariance,
    /// Closed trades.
    pub trades: usize,
    /// Whether every return is a finite number (PBO refuses a history with one that is not).
    pub finite: bool,
    /// The pieces of PBO's blocks inside the window, oldest first: the block's number and the
    /// summary of the window's returns in it.
    pub blocks: Vec<(usize, MeanVariance)>,
}

/// What one cell leaves behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CellResult {
    /// A training cell's score.
    Train(TrainScore),
    /// A test cell's summary.
    Test(TestSummary),
}

/// A validation's plan laid out as cells, with everything that does not depend on the
/// parameters built once.
pub struct Workload<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// Its data.
    pub data: &'a Dataset,
    /// The accepted parameter sets.
    pub grid: Grid,
    /// The folds, in bars relative to the start of the data's range.
    pub plan: Plan,
    /// The folds as the report records them.
    pub plan_record: PlanRecord,
    /// The distinct test windows, and which of them make up each fold's test.
    pub test_windows: Vec<Range<usize>>,
    /// Per fold, its test windows (indices into `test_windows`).
    pub fold_windows: Vec<Vec<usize>>,
    /// How returns are annualized.
    pub annual: Annualization,
    /// The test windows in time order (indices into `test_windows`): the order of the
    /// out-of-sample history PBO divides into blocks.
    pub windows_in_time: Vec<usize>,
    /// PBO's blocks over that history; `None` when the spec's block count is not usable.
    pub pbo_layout: Option<BlockLayout>,
    pub(crate) runner: Runner<'a>,
    warmups: Vec<usize>,
    /// Each test window's first period in that history.
    window_offsets: Vec<usize>,
}

impl<'a> Workload<'a> {
    /// Lays out the cells of `spec` on `data`: the grid, checked, and the folds.
    pub fn new(spec: &'a Spec, data: &'a Dataset) -> Result<Workload<'a>, ValidateError> {
        let grid = Grid::of(spec)?;
        let (plan, plan_record) = plan(spec, data, &grid)?;
        let (test_windows, fold_windows) = plan.test_windows();
        let mut windows_in_time: Vec<usize> = (0..test_windows.len()).collect();
        windows_in_time.sort_by_key(|&w| test_windows[w].start);
        let mut window_offsets = vec![0; test_windows.len()];
        let mut periods = 0;
        for &w in &windows_in_time {
            window_offsets[w] = periods;
            periods += test_windows[w].len();
        }
        let pbo_layout = BlockLayout::new(periods, spec.pbo_blocks).ok();
        let runner = Runner::new(
            &data.panel,
            data.range.start,
            spec.costs,
            spec.whole_shares,
            spec.risk,
            spec.capital,
        );
        let warmups = grid
            .sets
            .iter()
            .map(|set| Runner::warmup(spec.strategy.name, set))
            .collect();
        Ok(Workload {
            spec,
            data,
            annual: Annualization::new(data.periods_per_year),
            grid,
            plan,
            plan_record,
            test_windows,
            fold_windows,
            windows_in_time,
            pbo_layout,
            runner,
            warmups,
            window_offsets,
        })
    }

    /// Parameter sets.
    pub fn sets(&self) -> usize {
        self.grid.sets.len()
    }

    /// Training cells (they come first).
    pub fn train_cells(&self) -> usize {
        self.plan.cells(self.sets()).0
    }

    /// All cells.
    pub fn len(&self) -> usize {
        let (train, test) = self.plan.cells(self.sets());
        train + test
    }

    /// True when the plan has no cells (it always has some once built).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at `index`.
    pub fn cell(&self, index: usize) -> Cell {
        let sets = self.sets();
        if index < self.train_cells() {
            Cell::Train {
                fold: index / sets,
                set: index % sets,
            }
        } else {
            let index = index - self.train_cells();
            Cell::Test {
                window: index / sets,
                set: index % sets,
            }
        }
    }

    /// The bar ranges a cell trades on, relative to the start of the data's range.
    pub fn ranges(&self, cell: Cell) -> &[Range<usize>] {
        match cell {
            Cell::Train { fold, .. } => &self.plan.folds[fold].train,
            Cell::Test { window, .. } => std::slice::from_ref(&self.test_windows[window]),
        }
    }

    /// The bars a cell steps through: its ranges, each with the warm-up bars before it that
    /// the data holds.
    pub fn cost(&self, index: usize) -> u64 {
        let cell = self.cell(index);
        let (Cell::Train { set, .. } | Cell::Test { set, .. }) = cell;
        // Ranges are relative to the data's range, where a warm-up may reach back to.
        let warmup = self.warmups[set];
        self.ranges(cell)
            .iter()
            .map(|r| (r.len() + warmup.min(r.start)) as u64)
            .sum()
    }

    /// Runs the cell at `index`, recording into `buffer` (handed back for the next cell).
    pub fn run(&self, index: usize, buffer: &mut Vec<f64>) -> CellResult {
        let cell = self.cell(index);
        let run = self.run_cell(cell, std::mem::take(buffer));
        let result = match cell {
            Cell::Train { .. } => CellResult::Train(score(&run, self.spec.objective, self.annual)),
            Cell::Test { window, .. } => CellResult::Test(self.summarize(window, &run)),
        };
        *buffer = run.returns;
        result
    }

    /// The run of parameter set `set` on test window `window`: what its test cell ran.
    pub fn run_test(&self, window: usize, set: usize) -> CellRun {
        self.run_cell(Cell::Test { window, set }, Vec::new())
    }

    /// The runs of `cell`'s parameter set over its ranges, recorded into `buffer`.
    fn run_cell(&self, cell: Cell, buffer: Vec<f64>) -> CellRun {
        let (Cell::Train { set, .. } | Cell::Test { set, .. }) = cell;
        let offset = self.data.range.start;
        let ranges: Vec<Range<usize>> = self
            .ranges(cell)
            .iter()
            .map(|r| r.start + offset..r.end + offset)
            .collect();
        self.runner.run_reusing(
            self.spec.strategy.name,
            &self.grid.sets[set],
            &ranges,
            buffer,
        )
    }

    /// The summary of a run on test window `window`.
    fn summarize(&self, window: usize, run: &CellRun) -> TestSummary {
        let returns = &run.returns;
        let blocks = self.pbo_layout.map_or_else(Vec::new, |layout| {
            layout
                .pieces(self.window_offsets[window], returns.len())
                .into_iter()
                .map(|(block, range)| (block, MeanVariance::of(&returns[range])))
                .collect()
        });
        TestSummary {
            periods: returns.len(),
            growth: returns.iter().fold(1.0, |growth, r| growth * (1.0 + r)),
            returns: MeanVariance::of(returns),
            trades: run.trades.len(),
            finite: returns.iter().all(|r| r.is_finite()),
            blocks,
        }
    }

    /// Runs every cell on `threads` threads: the training scores and the test summaries, each
    /// in cell order.
    pub fn run_all(
        &self,
        threads: usize,
        tick: &(dyn Fn() + Sync),
    ) -> Result<(Vec<TrainScore>, Vec<TestSummary>), ValidateError> {
        let all: Vec<usize> = (0..self.len()).collect();
        let mut train = Vec::with_capacity(self.train_cells());
        let mut test = Vec::with_capacity(self.len() - self.train_cells());
        for result in self.run_cells(&all, threads, tick)? {
            match result {
                CellResult::Train(score) => train.push(score),
                CellResult::Test(summary) => test.push(summary),
            }
        }
        Ok((train, test))
    }

    /// Runs the cells at `indices` on `threads` threads, returning their results in the order
    /// of `indices` whatever the threads did; `tick` is called once per finished cell.
    pub fn run_cells(
        &self,
        indices: &[usize],
        threads: usize,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<CellResult>, ValidateError> {
        let pool = thread_pool(threads)?;
        let curves = CurvePool::default();
        Ok(pool.install(|| {
            indices
                .par_iter()
                .map(|&index| {
                    let mut buffer = curves.take();
                    let result = self.run(index, &mut buffer);
                    curves.give(buffer);
                    tick();
                    result
                })
                .collect()
        }))
    }
}

/// The score of a training run under `objective`.
fn score(run: &CellRun, objective: Objective, annual: Annualization) -> TrainScore {
    let (performance, per_period_sharpe) =
        Performance::with_pass(&run.returns, run.pass.as_ref(), annual);
    let objective = match objective {
        Objective::Sharpe => performance.sharpe,
        Objective::Sortino => performance.sortino,
        Objective::Calmar => performance.calmar,
        Objective::TotalReturn => Stat::Value(performance.total_return),
        Objective::ProfitFactor => TradeStats::of_trades(&run.trades).profit_factor,
    };
    TrainScore {
        objective,
        per_period_sharpe,
        trades: run.trades.len(),
        performance,
    }
}
