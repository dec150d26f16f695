//! The arguments of promotion: `promote` and `approvals`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `gauntlet promote`.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The report.json of a validation whose gate passed.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// The approvals manifest (created when it does not exist).
    #[arg(long, value_name = "FILE")]
    pub approvals: PathBuf,
    /// Who approves (a name or an e-mail address; recorded in the entry).
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// The time to record instead of now (UTC, RFC 3339, e.g. 2026-01-31T09:30:00Z).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `gauntlet approvals ...`.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// One line per approval: seq, strategy, version, parameters, who and when, and whether it
    /// stands or was revoked.
    List {
        /// The approvals manifest.
        file: PathBuf,
    },
    /// An entry in full (JSON, with its hashes), and whether it stands.
    Show {
        /// The approvals manifest.
        file: PathBuf,
        /// The entry's seq, or a strategy name for its latest approval.
        entry: String,
    },
    /// Withdraw an approval. The approval stays in the manifest; a revocation entry records
    /// who withdrew it, when and why, and the live runner refuses it from then on.
    Revoke {
        /// The approvals manifest.
        file: PathBuf,
        /// The approval's seq.
        seq: u64,
        /// Who revokes.
        #[arg(long, value_name = "WHO")]
        by: String,
        /// Why.
        #[arg(long, default_value = "no reason given")]
        reason: String,
        /// The time to record instead of now (UTC, RFC 3339).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Check the manifest's hash chain, and every approval still in force against this
    /// binary: the strategy's code fingerprint and rule version, its parameters and its risk
    /// config. Exits 1, naming each approval that no longer matches, when any does not (or
    /// the chain is broken).
    Verify {
        /// The approvals manifest.
        file: PathBuf,
    },
}

/// `gauntlet live`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LiveArgs {
    #[command(subcommand)]
    pub command: Option<LiveCommand>,
    #[command(flatten)]
    pub run: LiveRun,
}

/// The options of a live run.
#[derive(Debug, Args)]
pub struct LiveRun {
    /// The approvals manifest: only an approved, unrevoked strategy runs.
    #[arg(long, value_name = "FILE")]
    pub approvals: Option<PathBuf>,
    /// The strategy to run (needed when several are approved).
    #[arg(long)]
    pub strategy: Option<String>,
    /// Bars: a CSV, JSON-lines or Parquet file replayed, or - for CSV / JSON lines on
    /// standard input.
    #[arg(long, value_name = "FILE|-")]
    pub feed: Option<String>,
    /// The state folder: checkpoint, status.json, operator requests. A restart on the same
    /// folder carries on where the run stopped.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// The audit log (JSON lines, hash-chained; appended to).
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
    /// Replay a file at this multiple of real time (86400: one daily bar a second) [default:
    /// as fast as possible].
    #[arg(long, value_name = "X")]
    pub speed: Option<f64>,
    /// Halt new risk when no bar arrives for this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub stall_after: Option<f64>,
    /// strict: fsync the audit log before an order can reach the broker; batch: fsync every
    /// few milliseconds (paper replays).
    #[arg(long, value_enum, default_value = "strict")]
    pub durability: DurabilityArg,
    /// Checkpoint the state every this many bars (and at shutdown), but not more often than
    /// every 250 ms: a restart replays the audit log after the checkpoint.
    #[arg(long, default_value_t = 1000, value_name = "BARS")]
    pub checkpoint_every: u64,
    /// Halt after this many rejected feed lines in a row.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_rejections: u32,
    /// A parameter the operator expects, name=value: the run is refused unless the approval
    /// has exactly that value (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A risk file the operator expects: the run is refused unless it is the approved config.
    #[arg(long, value_name = "FILE")]
    pub risk: Option<PathBuf>,
}

/// `--durability`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DurabilityArg {
    /// fsync before any order reaches the broker.
    Strict,
    /// fsync every few milliseconds.
    Batch,
}

/// `gauntlet live halt|resume`.
#[derive(Debug, Subcommand)]
pub enum LiveCommand {
    /// Emergency halt of the runner of a state folder: cancels its waiting orders and refuses
    /// new risk until `gauntlet live resume`. Picked up within a fraction of a second (or at
    /// the runner's next start). SIGUSR1 to the runner does the same.
    Halt {
        /// The runner's state folder.
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// Why (logged).
        #[arg(long, default_value = "operator halt")]
        reason: String,
    },
    /// Lift a halt: the runner takes new risk again.
    Resume {
        /// The runner's state folder.
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// Why (logged).
        #[arg(long, default_value = "operator resume")]
        reason: String,
    },
}

/// `gauntlet audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check an audit log's hash chain: reports the first entry edited, removed, reordered or
    /// inserted. With --state, also that the log reaches the last entry the runner's
    /// checkpoint recorded (a cut-off tail). Exits 1 on any break.
    Verify {
        /// The audit log.
        file: PathBuf,
        /// The runner's state folder.
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
    },
}
