//! `gauntlet gate REPORT...`: re-applies a policy to finished reports without rerunning them:
//! the policy each report was judged by (recorded in it), with `--policy`'s keys over it.

use anyhow::Result;
use gauntlet_report::StoredReport;
use gauntlet_report::summary::SpecVerdict;
use gauntlet_validate::gate;

use super::verdicts;
use crate::args::GateArgs;

pub fn run(args: GateArgs) -> Result<()> {
    let run_policy = verdicts::run_policy(args.verdicts.policy.as_deref())?;
    if let Some((label, _)) = &run_policy {
        // A verdict another policy decided must not pass for the recorded one.
        eprintln!("note: each report judged by its recorded policy with {label} over it");
    }
    // Every report is read and checked before any verdict is printed.
    let mut stored = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        stored.push((path, StoredReport::read(path)?));
    }
    let judged: Vec<_> = stored
        .iter()
        .map(|(path, report)| {
            // The policy the report was judged by, with this run's keys over it.
            let policy = match &run_policy {
                Some((_, keys)) => report.policy.with(keys),
                None => report.policy,
            };
            (path, report, gate::apply(policy, &report.inputs))
        })
        .collect();
    let rows: Vec<SpecVerdict> = judged
        .iter()
        .map(|(path, report, verdict)| SpecVerdict {
            spec: &report.spec,
            file: path.display().to_string(),
            verdict,
        })
        .collect();
    verdicts::report(&rows, &args.verdicts)
}
