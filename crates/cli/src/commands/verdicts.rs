//! What `validate` and `gate` share: the gate's policy layers, and the verdicts reported for
//! people and for CI (one line per spec, GitHub annotations, JUnit XML, the exit code).

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use gauntlet_report::summary::{self, SpecVerdict};
use gauntlet_validate::gate::{GateOverrides, PolicyStack};

use super::CheckFailed;
use crate::args::{VerdictFormat, VerdictOutput};

/// The repository's policy file, read when it exists in the current folder.
pub const REPOSITORY_POLICY: &str = "strategies/gate.toml";

/// The layers below and above a spec's own `[gate]` table.
pub struct PolicyLayers {
    /// strategies/gate.toml, when present.
    repository: Option<GateOverrides>,
    /// --policy FILE.
    run: Option<(String, GateOverrides)>,
}

impl PolicyLayers {
    /// Reads the repository's policy and the run's, checking both before anything runs.
    pub fn load(run: Option<&Path>) -> Result<PolicyLayers> {
        let repository = Path::new(REPOSITORY_POLICY);
        let repository = if repository.exists() {
            Some(GateOverrides::load(repository)?)
        } else {
            None
        };
        let run = match run {
            Some(path) => Some((
                format!("--policy {}", path.display()),
                GateOverrides::load(path)?,
            )),
            None => None,
        };
        Ok(PolicyLayers { repository, run })
    }

    /// The policy stack for a spec whose `[gate]` table is `spec`.
    pub fn stack(&self, spec: &GateOverrides) -> PolicyStack {
        let mut stack = PolicyStack::default();
        if let Some(repo) = &self.repository {
            stack.push(REPOSITORY_POLICY, *repo);
        }
        if *spec != GateOverrides::default() {
            stack.push("the spec's [gate] table", *spec);
        }
        if let Some((source, run)) = &self.run {
            stack.push(source.clone(), *run);
        }
        stack
    }
}

/// Prints the verdict lines (and annotations), writes the JUnit file, and turns a failure
/// into exit code 1.
pub fn report(verdicts: &[SpecVerdict], output: &VerdictOutput) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    for v in verdicts {
        writeln!(stdout, "{}", summary::line(v))?;
        if output.format == VerdictFormat::Github {
            for annotation in summary::github(v) {
                writeln!(stdout, "{annotation}")?;
            }
        }
    }
    stdout.flush()?;
    if let Some(path) = &output.junit {
        let xml = summary::junit(verdicts);
        gauntlet_data::atomic::write_file(path, |w| std::io::Write::write_all(w, xml.as_bytes()))
            .with_context(|| format!("{}: cannot write the JUnit file", path.display()))?;
    }
    let failed: Vec<&str> = verdicts
        .iter()
        .filter(|v| !v.verdict.pass)
        .map(|v| v.spec)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CheckFailed(format!(
            "{} of {} spec{} failed the gate: {}",
            failed.len(),
            verdicts.len(),
            if verdicts.len() == 1 { "" } else { "s" },
            failed.join(", ")
        ))
        .into())
    }
}
