//! `gauntlet promote` and `gauntlet approvals list|show|revoke|verify`.

use anyhow::{Context, Result, bail};
use gauntlet_registry::{Approval, Manifest, ManifestError, PromoteError, Promoted, Standing};

use super::CheckFailed;
use crate::args::{ApprovalsCommand, PromoteArgs};

/// The time to record: `--at` when given, otherwise now.
fn time(at: Option<&str>) -> Result<String> {
    match at {
        Some(at) => gauntlet_registry::parse_time(at).map_err(|e| anyhow::anyhow!("--at: {e}")),
        None => Ok(gauntlet_registry::now()),
    }
}

pub fn promote(args: PromoteArgs) -> Result<()> {
    let at = time(args.at.as_deref())?;
    if args.by.trim().is_empty() {
        bail!("--by: expected who approves, not an empty name");
    }
    match gauntlet_registry::promote(&args.report, &args.approvals, &args.by, &at) {
        Ok(Promoted::Added(seq, approval)) => {
            println!(
                "approved {} {} as entry {seq} of {}: {}, risk profile '{}' (sha256 {}), by {} at {}",
                approval.strategy.name,
                approval.strategy.version,
                args.approvals.display(),
                parameters(&approval),
                approval.risk.profile,
                &approval.risk.sha256[..12],
                approval.approved_by,
                approval.approved_at,
            );
            Ok(())
        }
        Ok(Promoted::AlreadyApproved(seq)) => {
            println!(
                "{} is already approved as entry {seq} of {}: nothing written",
                args.report.display(),
                args.approvals.display()
            );
            Ok(())
        }
        Err(error @ PromoteError::Refused { .. }) => Err(CheckFailed(error.to_string()).into()),
        Err(error) => Err(error.into()),
    }
}

pub fn run(command: ApprovalsCommand) -> Result<()> {
    match command {
        ApprovalsCommand::List { file } => list(&Manifest::open(&file)?),
        ApprovalsCommand::Show { file, entry } => show(&Manifest::open(&file)?, &entry),
        ApprovalsCommand::Revoke {
            file,
            seq,
            by,
            reason,
            at,
        } => {
            let at = time(at.as_deref())?;
            let mut manifest = Manifest::open_for_update(&file)?;
            let entry = manifest.revoke(seq, &by, &at, &reason)?;
            let name = &manifest.approval(seq)?.strategy.name;
            println!(
                "revoked approval {seq} ({name}) as entry {entry} of {}, by {by} at {at}: {reason}",
                file.display()
            );
            Ok(())
        }
        ApprovalsCommand::Verify { file } => verify(&file),
    }
}

fn parameters(approval: &Approval) -> String {
    approval
        .parameters
        .iter()
        .map(|(k, v)| format!("{k}={}", gauntlet_registry::parameter_text(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn list(manifest: &Manifest) -> Result<()> {
    let mut any = false;
    for (seq, approval, standing) in manifest.approvals() {
        any = true;
        println!(
            "{seq:>4}  {} {}  {}  by {} at {}  report {}  {standing}",
            approval.strategy.name,
            approval.strategy.version,
            parameters(approval),
            approval.approved_by,
            approval.approved_at,
            &approval.report.sha256[..12.min(approval.report.sha256.len())],
        );
    }
    if !any {
        println!("{}: no approvals", manifest.path().display());
    }
    Ok(())
}

fn show(manifest: &Manifest, entry: &str) -> Result<()> {
    let seq = match entry.parse::<u64>() {
        Ok(seq) => seq,
        Err(_) => manifest
            .approvals()
            .filter(|(_, a, _)| a.strategy.name == entry)
            .map(|(seq, _, _)| seq)
            .last()
            .with_context(|| {
                format!(
                    "{}: no entry {entry:?}: expected a seq or the name of an approved strategy",
                    manifest.path().display()
                )
            })?,
    };
    let raw = manifest.raw(seq).with_context(|| {
        format!(
            "{}: no entry {seq} (the manifest has {} entries)",
            manifest.path().display(),
            manifest.entries().len()
        )
    })?;
    println!("{}", serde_json::to_string_pretty(raw)?);
    if manifest.approval(seq).is_ok() {
        println!("standing: {}", manifest.standing(seq));
    }
    Ok(())
}

fn verify(file: &std::path::Path) -> Result<()> {
    let manifest = match Manifest::open(file) {
        Ok(m) => m,
        Err(error @ ManifestError::Broken { .. }) => {
            return Err(CheckFailed(error.to_string()).into());
        }
        Err(error) => return Err(error.into()),
    };
    println!(
        "{}: hash chain intact ({} entries)",
        file.display(),
        manifest.entries().len()
    );
    let mut failed = Vec::new();
    for (seq, approval, standing) in manifest.approvals() {
        let label = format!(
            "approval {seq} ({} {})",
            approval.strategy.name, approval.strategy.version
        );
        if let Standing::Revoked(_) = standing {
            println!("{label}: {standing}, not checked");
            continue;
        }
        let mismatches = approval.mismatches();
        if mismatches.is_empty() {
            println!("{label}: matches this binary");
        } else {
            for m in &mismatches {
                println!("{label}: no longer matches: {}: {}", m.field, m.detail);
            }
            failed.push(label);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CheckFailed(format!(
            "{} approval(s) no longer match this binary: {}",
            failed.len(),
            failed.join(", ")
        ))
        .into())
    }
}
