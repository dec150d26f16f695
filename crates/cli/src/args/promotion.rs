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
