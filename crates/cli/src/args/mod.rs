//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod promotion;

pub use promotion::{
    ApprovalsCommand, AuditCommand, DurabilityArg, LiveArgs, LiveCommand, PromoteArgs,
};

/// Put trading strategies through a gauntlet before they may trade.
///
/// Bars are replayed through the same strategy and risk code the live runner uses; fills happen
/// at the next bar (market orders at its open), so no decision can see its own future.
#[derive(Debug, Parser)]
#[command(name = "gauntlet", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Backtest one strategy on bar data and write trades, equity and a report.
    ///
    /// With no options: sma_cross 10/30, long-only, on data/sp500_daily.csv, all-in sizing
    /// without limits, no costs; writes into reports/backtest/sma_cross/.
    ///
    /// Examples:
    ///   gauntlet backtest
    ///   gauntlet backtest --param fast=20 --param slow=100 --commission-bps 10
    ///   gauntlet backtest --risk conservative --data data/nasdaq_daily.csv
    #[command(verbatim_doc_comment, allow_negative_numbers = true)]
    Backtest(BacktestArgs),
    /// Check bar files and print every problem found.
    #[command(subcommand)]
    Data(DataCommand),
    /// Write deterministic synthetic bars (geometric Brownian motion) to CSV or Parquet.
    ///
    /// Example: gauntlet synth --bars 10000000 --seed 42 --interval minute --out /tmp/bars.parquet
    Synth(SynthArgs),
    /// List the strategies: description, parameters (range, grid step, default) and warm-up;
    /// with a NAME, that strategy's full rule.
    Strategies {
        /// One strategy to show in full.
        name: Option<String>,
    },
    /// Prove a strategy does not look ahead: its decisions at every bar up to a cut point must
    /// be the same whether or not the bars after the cut exist. Exits 1, naming the first bar
    /// that differs, when they are not.
    Lookahead(LookaheadArgs),
    /// Walk-forward validation of one or more specs: optimize in sample, test out of sample,
    /// stitch, and judge the result against the gate (Sharpe, drawdown, win rate against the
    /// claim, trades, DSR, PBO, look-ahead). Prints a verdict table and one line per spec.
    ///
    /// Writes into reports/<spec>/: report.json (the machine record, with a checksum of its
    /// content), run.json (time, host, threads), report.md, report.html (charts), and
    /// trades/equity/folds/trials.parquet.
    ///
    /// The gate's policy: the desk's defaults, then strategies/gate.toml (gate.toml in the
    /// folder above the spec's, when it exists), then the spec's [gate] table, then --policy.
    ///
    /// With no SPEC, validates every spec in strategies/specs/. Exits 0 when every spec passes
    /// its gate, 1 when any fails, 2 on any error in a spec, a policy or the data.
    ///
    /// With --shard I/N, runs only the I-th of N slices of each spec's plan and writes the cells'
    /// results to DIR/<spec>/shard-I-of-N.gshard; `gauntlet merge` then joins the N slices into
    /// the very report one run would have written (see `gauntlet plan` to size N).
    ///
    /// Examples:
    ///   gauntlet validate
    ///   gauntlet validate strategies/specs/sma_cross.toml --threads 2
    ///   gauntlet validate --junit reports/junit.xml --format github
    ///   gauntlet validate strategies/specs/sma_cross.toml --shard 2/8 --out shards/
    #[command(verbatim_doc_comment)]
    Validate(ValidateArgs),
    /// Join the shards of sharded validations (`gauntlet validate --shard I/N`) into the report
    /// a single run would have written, byte for byte the same report.json.
    ///
    /// Reads every *.gshard file in each DIR and in its subfolders one level down (the --out of
    /// the shards). Refuses, naming the files, a missing or duplicated shard, shards of two
    /// different plans, a shard whose spec or data changed since it ran, and a truncated or
    /// damaged shard file (exit 2). Then judges each spec by its gate and reports like
    /// `gauntlet validate` (exit 0 all pass, 1 any fails). The specs and data are read again
    /// from the paths the shards recorded, so run it from the folder the shards ran in.
    ///
    /// Example:
    ///   gauntlet merge shards/ --out reports/
    #[command(verbatim_doc_comment)]
    Merge(MergeArgs),
    /// Print how a spec's cells would be dealt to N shards, and each shard's cost (bars its
    /// cells step through, warm-up included), without running anything: size N before
    /// submitting a job array.
    ///
    /// Example: gauntlet plan strategies/specs/sma_cross.toml --shards 4
    Plan(PlanArgs),
    /// Re-apply a policy to an existing report, without rerunning anything (tighten the policy
    /// and see who would fail). The report's content hash is checked first: an edited report
    /// is an error.
    ///
    /// The policy is the one recorded in the report (the policy it was judged by), with the
    /// keys of --policy FILE over it. Exits 0 when every report passes, 1 when any fails, 2 on
    /// an unreadable, edited or unknown-version report or a bad policy.
    ///
    /// Examples:
    ///   gauntlet gate reports/sma_cross/report.json
    ///   gauntlet gate reports/*/report.json --policy strict.toml --junit gate.xml
    #[command(verbatim_doc_comment)]
    Gate(GateArgs),
    /// Print the folds of a spec's split scheme (training and test windows, with dates)
    /// without running anything.
    ///
    /// Example: gauntlet splits strategies/specs/sma_cross.toml
    Splits {
        /// The spec.
        spec: PathBuf,
    },
    /// Run every parameter set of a grid over the whole data (one in-sample pass each, the
    /// classic optimization) and write the trials table, one row per set.
    ///
    /// Parameters left out of --grid stay at their --param value or default. Combinations the
    /// strategy rejects (fast >= slow) are skipped and counted.
    ///
    /// Example:
    ///   gauntlet sweep --strategy sma_cross --grid fast=5:50:5 --grid slow=20:200:20
    #[command(verbatim_doc_comment)]
    Sweep(SweepArgs),
    /// The statistics of validation applied to any track record (from the live runner or
    /// another tool). Output is JSON on stdout; --format table for people.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Approve a validated strategy for the live runner: adds an entry to the approvals
    /// manifest when the report's content hash checks, its gate passed, and the strategy's
    /// code in this binary is the code that was validated (same fingerprint and version).
    /// Otherwise refuses, saying which condition failed, and exits 1.
    ///
    /// The entry records the strategy, its code fingerprint, the parameters of the most recent
    /// fold, the risk config and its hash, the costs, the data fingerprints, the report's and
    /// the policy's hashes, who approved it and when. Entries are hash-chained.
    ///
    /// Example:
    ///   gauntlet promote reports/sma_cross/report.json --approvals approvals.json --by alice
    #[command(verbatim_doc_comment)]
    Promote(PromoteArgs),
    /// Read, revoke and verify the approvals manifest.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Run an approved strategy on a feed of bars with the paper broker: the same step,
    /// strategy and risk manager as the backtest, every decision in a hash-chained audit log,
    /// the state checkpointed, halts instead of guesses. SIGINT or SIGTERM: stop taking risk,
    /// cancel waiting orders, checkpoint, exit 0. Restarted on the same --state it carries on
    /// where it stopped.
    ///
    /// Refuses to start (exit 1), naming the mismatch, when the strategy is not approved, was
    /// revoked, or its code, parameters or risk config differ from the approval.
    ///
    /// Examples:
    ///   gauntlet live --approvals approvals.json --feed data/sp500_daily.csv \
    ///       --state live/ --audit live/audit.jsonl --durability batch
    ///   tail -f bars.csv | gauntlet live --approvals approvals.json --feed - \
    ///       --state live/ --audit live/audit.jsonl --stall-after 120
    ///   gauntlet live halt --state live/ --reason "news"
    #[command(verbatim_doc_comment)]
    Live(LiveArgs),
    /// Verify the live runner's audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// Output format of `gauntlet stats`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatsFormat {
    /// JSON (for programs).
    Json,
    /// One `name: value` line per statistic (for people).
    Table,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Every metric of a returns series: a CSV with a `return` column (simple per-period
    /// returns, oldest first).
    Returns {
        /// The returns CSV.
        file: PathBuf,
        /// Periods per year, to annualize (252 for daily equities, 52 weekly, 12 monthly).
        #[arg(long, value_name = "P", default_value_t = 252.0)]
        periods: f64,
        /// Closed trades: a CSV with a `pnl` column (and optionally `bars_held`).
        #[arg(long, value_name = "FILE")]
        trades: Option<PathBuf>,
        /// Benchmark returns over the same periods: a CSV with a `return` column.
        #[arg(long, value_name = "FILE")]
        benchmark: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: StatsFormat,
    },
    /// Probability of Backtest Overfitting (CSCV) of a T x N matrix: a CSV with one column per
    /// configuration and one row per period, oldest first.
    Pbo {
        /// The matrix CSV.
        matrix: PathBuf,
        /// Blocks S: even, from 2 to 24 (C(S, S/2) splits: 12,870 at 16).
        #[arg(long, default_value_t = 16)]
        blocks: usize,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: StatsFormat,
    },
    /// Deflated Sharpe Ratio from its inputs (per-period Sharpe ratios, not annualized).
    #[command(allow_negative_numbers = true)]
    Dsr {
        /// The Sharpe ratio tested (per period).
        #[arg(long)]
        sharpe: f64,
        /// Trials N: the parameter sets tried, 1 or more.
        #[arg(long)]
        trials: usize,
        /// Variance of the trials' per-period Sharpe ratios.
        #[arg(long)]
        trials_var: f64,
        /// Returns T behind the Sharpe ratio.
        #[arg(long)]
        periods: usize,
        /// Skewness of the returns.
        #[arg(long, default_value_t = 0.0)]
        skew: f64,
        /// Kurtosis of the returns (3 for normal; not the excess); at least 1 + skew².
        #[arg(long, default_value_t = 3.0)]
        kurt: f64,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: StatsFormat,
    },
    /// The index ranges of a split scheme over N bars.
    Splits {
        /// rolling, anchored, purged_kfold or cpcv.
        #[arg(long)]
        scheme: String,
        /// Bars.
        #[arg(long)]
        n: usize,
        /// Walk-forward: training bars.
        #[arg(long)]
        in_sample: Option<usize>,
        /// Walk-forward: test bars.
        #[arg(long)]
        out_of_sample: Option<usize>,
        /// Walk-forward: step [default: out_of_sample].
        #[arg(long)]
        step: Option<usize>,
        /// K-fold: folds.
        #[arg(long)]
        folds: Option<usize>,
        /// CPCV: groups.
        #[arg(long)]
        groups: Option<usize>,
        /// CPCV: test groups per split.
        #[arg(long)]
        test_groups: Option<usize>,
        /// K-fold and CPCV: label span in bars [default: 0].
        #[arg(long)]
        label_span: Option<usize>,
        /// K-fold and CPCV: embargo in bars [default: 0].
        #[arg(long)]
        embargo: Option<usize>,
    },
}

/// A grid to sweep.
#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub run: StrategyRun,
    /// One axis of the grid: NAME=FROM:TO:STEP, NAME=V1,V2,... or NAME=VALUE; one --grid per
    /// parameter searched (at least one).
    #[arg(long = "grid", value_name = "NAME=VALUES", required = true)]
    pub grid: Vec<String>,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Output folder [default: reports/sweep/<strategy>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Specs to validate, and how.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Spec files [default: every strategies/specs/*.toml].
    #[arg(value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// Validate every spec in strategies/specs/ (the default when no SPEC is given).
    #[arg(long)]
    pub all: bool,
    /// Worker threads [default: all cores]. With more than one, each spec's report is written
    /// while the next spec validates; with 1, everything runs on one thread.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Output folder: each spec's results go into DIR/<spec name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Run only slice I of N of each spec's plan (I from 1), or auto/N to take I from the
    /// batch system: JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm),
    /// PARALLEL_SEQ (GNU parallel).
    #[arg(long, value_name = "I/N", conflicts_with_all = ["policy", "junit"])]
    pub shard: Option<String>,
    #[command(flatten)]
    pub verdicts: VerdictOutput,
}

/// Shards to merge.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Folders holding shard files (or shard files themselves).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder: each spec's report goes into DIR/<spec name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Worker threads for the statistics (PBO, the bootstrap, the reruns of the chosen sets)
    /// [default: all cores]. The merged report is the same bytes with any number of threads.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub verdicts: VerdictOutput,
}

/// A spec's plan dealt to shards.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The spec.
    pub spec: PathBuf,
    /// Number of shards.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub shards: usize,
}

/// How verdicts are reported, for `validate` and `gate`.
#[derive(Debug, Args)]
pub struct VerdictOutput {
    /// A policy file whose keys override every other layer of the gate's policy (keys as in
    /// strategies/gate.toml; a key left out keeps its value).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Also write JUnit XML: one test case per spec, one failure per failed check.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// text: one line per spec; github: also a workflow annotation per failed check.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerdictFormat,
}

/// Format of the verdict lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerdictFormat {
    /// `PASS name` / `FAIL name: check (why); ...`.
    Text,
    /// The text lines plus `::error title=...::...` annotations for GitHub Actions.
    Github,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// report.json files written by `gauntlet validate`.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub verdicts: VerdictOutput,
}

/// Which strategy, with which parameters, on which bars: shared by the commands that run one.
#[derive(Debug, Args)]
pub struct StrategyRun {
    /// Strategy to run (see `gauntlet strategies`).
    #[arg(long, default_value = "sma_cross")]
    pub strategy: String,
    /// Bar files, CSV or Parquet; several files are put on one clock as a panel (the first is
    /// the symbol a single-symbol strategy trades; pairs trades the first two) [default:
    /// data/sp500_daily.csv, and data/nasdaq_daily.csv second for pairs].
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// A strategy parameter, name=value; repeat for several (e.g. --param fast=20).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LookaheadArgs {
    #[command(flatten)]
    pub run: StrategyRun,
    /// How many cut points, spread evenly over the data.
    #[arg(long, default_value_t = 25)]
    pub cuts: usize,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub run: StrategyRun,
    /// Risk profile: a TOML file, a profile name from strategies/risk/ (conservative), or
    /// `unlimited` (all-in, no limits, no stop).
    #[arg(long, default_value = "unlimited", value_name = "FILE|NAME")]
    pub risk: String,
    /// Commission in basis points of each fill's notional.
    #[arg(long, default_value_t = 0.0, value_name = "BPS")]
    pub commission_bps: f64,
    /// Commission per share (or unit) filled.
    #[arg(long, default_value_t = 0.0, value_name = "MONEY")]
    pub commission_per_share: f64,
    /// Minimum commission per order.
    #[arg(long, default_value_t = 0.0, value_name = "MONEY")]
    pub commission_min: f64,
    /// Slippage in basis points, against the trader, on market and stop fills.
    #[arg(long, default_value_t = 0.0, value_name = "BPS")]
    pub slippage_bps: f64,
    /// Borrow fee on short positions, in basis points a year of their value, charged at every
    /// close for the time since the previous one.
    #[arg(long, default_value_t = 0.0, value_name = "BPS")]
    pub borrow_bps: f64,
    /// Starting cash.
    #[arg(long, default_value_t = 100_000.0, value_name = "MONEY")]
    pub capital: f64,
    /// Trade whole shares only (default: fractional).
    #[arg(long)]
    pub whole_shares: bool,
    /// Use the files' `Adj Close`, scaling open/high/low by adj_close/close.
    #[arg(long)]
    pub adjusted_close: bool,
    /// Output folder [default: reports/backtest/<strategy>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate bar files: columns, numbers, dates, OHLC shape, timestamp order. Exits 2 when
    /// any file has a problem.
    Check {
        /// Files to check (CSV or Parquet).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Use the files' `Adj Close` column (it must then be present and valid).
        #[arg(long)]
        adjusted_close: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IntervalArg {
    /// One bar per weekday, at midnight UTC.
    Daily,
    /// One bar per minute, around the clock.
    Minute,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of bars.
    #[arg(long)]
    pub bars: usize,
    /// Seed of the random stream: the same seed gives the same bars everywhere.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Spacing of the bars.
    #[arg(long, value_enum, default_value = "daily")]
    pub interval: IntervalArg,
    /// Output file, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}
