//! `gauntlet live`, `gauntlet live halt|resume` and `gauntlet audit verify`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use gauntlet_live::checkpoint::{CHECKPOINT_FILE, Checkpoint};
use gauntlet_live::control::{self, Request};
use gauntlet_live::{AuditError, Durability, FeedSource, LiveConfig, LiveError};

use super::CheckFailed;
use crate::args::{AuditCommand, DurabilityArg, LiveArgs, LiveCommand};

pub fn run(args: LiveArgs) -> Result<()> {
    match args.command {
        Some(LiveCommand::Halt { state, reason }) => {
            control::request(&state, &Request::Halt(reason))
                .with_context(|| format!("{}: cannot leave the halt request", state.display()))?;
            println!("halt requested in {}", state.display());
            Ok(())
        }
        Some(LiveCommand::Resume { state, reason }) => {
            control::request(&state, &Request::Resume(reason))
                .with_context(|| format!("{}: cannot leave the resume request", state.display()))?;
            println!("resume requested in {}", state.display());
            Ok(())
        }
        None => trade(args.run),
    }
}

fn required<T>(value: Option<T>, flag: &str) -> Result<T> {
    value.with_context(|| format!("{flag} is required (see gauntlet live --help)"))
}

fn trade(run: crate::args::promotion::LiveRun) -> Result<()> {
    let stall_after = match run.stall_after {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            bail!("--stall-after: expected a number of seconds above 0, found {s}")
        }
        s => s.map(Duration::from_secs_f64),
    };
    if let Some(speed) = run.speed
        && !(speed.is_finite() && speed > 0.0)
    {
        bail!("--speed: expected a multiple above 0, found {speed}");
    }
    if run.checkpoint_every == 0 {
        bail!("--checkpoint-every: expected at least 1");
    }
    let config = LiveConfig {
        approvals: required(run.approvals, "--approvals")?,
        strategy: run.strategy,
        feed: FeedSource::parse(&required(run.feed, "--feed")?),
        state: required(run.state, "--state")?,
        audit: required(run.audit, "--audit")?,
        speed: run.speed,
        stall_after,
        durability: match run.durability {
            DurabilityArg::Strict => Durability::Strict,
            DurabilityArg::Batch => Durability::Batch,
        },
        checkpoint_every: run.checkpoint_every,
        max_rejections: run.max_rejections.max(1),
        params: run.params,
        risk: run.risk,
    };
    match gauntlet_live::run(&config) {
        Ok(summary) => {
            let c = summary.counts;
            eprintln!(
                "{} (approval {}): {} bars stepped{}, {} orders, {} fills, {} halts, {} lines rejected, {} skipped; audit seq {}, {} fsyncs; stopped by {}",
                summary.strategy,
                summary.approval,
                c.steps,
                summary.replayed.map_or(String::new(), |r| format!(
                    " (after {r} replayed from the log)"
                )),
                c.orders,
                c.fills,
                c.halts,
                c.rejected,
                c.skipped,
                summary.audit_seq,
                summary.fsyncs,
                match summary.stop {
                    gauntlet_live::Stop::EndOfFeed => "the end of the feed",
                    gauntlet_live::Stop::Signal => "a signal",
                }
            );
            Ok(())
        }
        Err(error @ LiveError::Refused(_)) => Err(CheckFailed(error.to_string()).into()),
        Err(error) => Err(error.into()),
    }
}

pub fn audit(command: AuditCommand) -> Result<()> {
    let AuditCommand::Verify { file, state } = command;
    let recorded = match &state {
        Some(dir) => Some(recorded_head(dir)?),
        None => None,
    };
    let recorded = recorded.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
    match gauntlet_live::audit::verify(&file, recorded) {
        Ok(verified) => {
            println!(
                "{}: hash chain intact, {} entries, last seq {}{}",
                file.display(),
                verified.entries,
                verified.head.seq,
                recorded.map_or(String::new(), |(seq, _)| format!(
                    ", reaches the checkpoint's seq {seq}"
                ))
            );
            Ok(())
        }
        Err(error @ AuditError::Io { .. }) => Err(error.into()),
        Err(error) => Err(CheckFailed(error.to_string()).into()),
    }
}

/// The audit seq and hash a state folder's checkpoint recorded.
fn recorded_head(dir: &std::path::Path) -> Result<(u64, String)> {
    let path: PathBuf = dir.join(CHECKPOINT_FILE);
    let bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
    // Only the audit fields are needed; the strategy state is read as an opaque value.
    let checkpoint: Checkpoint<ciborium::Value> = ciborium::from_reader(&bytes[..])
        .with_context(|| format!("{}: not a checkpoint of this gauntlet", path.display()))?;
    Ok((checkpoint.audit_seq, checkpoint.audit_sha256))
}
