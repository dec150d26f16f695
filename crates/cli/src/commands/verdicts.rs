//! What `validate` and `gate` share: the gate's policy layers, and the verdicts reported for
//! people and for CI (one line per spec, GitHub annotations, JUnit XML, the exit code).

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use gauntlet_report::summary::{self, SpecVerdict};
use gauntlet_report::text::one_line;
use gauntlet_validate::gate::{GateOverrides, PolicyStack};

use super::CheckFailed;
use crate::args::{VerdictFormat, VerdictOutput};

/// The repository's policy file, beside the folder of specs: `strategies/gate.toml` for the
/// shipped layout (`strategies/specs/*.toml`).
pub const REPOSITORY_POLICY: &str = "gate.toml";

/// The repository policy of the spec at `spec`: `gate.toml` in the parent of the spec's folder,
/// when it exists, with a label that names it from the spec's side (so the report does not
/// depend on the folder gauntlet runs from).
pub fn repository_policy(spec: &Path) -> Result<Option<(String, GateOverrides)>> {
    let spec = spec
        .canonicalize()
        .with_context(|| format!("{}: cannot resolve the spec's folder", spec.display()))?;
    let Some(repository) = spec.parent().and_then(Path::parent) else {
        return Ok(None);
    };
    let path = repository.join(REPOSITORY_POLICY);
    if !path.exists() {
        return Ok(None);
    }
    let folder = repository
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    Ok(Some((
        format!("{folder}/{REPOSITORY_POLICY}"),
        GateOverrides::load(&path)?,
    )))
}

/// The policy given for one run (`--policy FILE`), labelled by its file name and content hash.
pub fn run_policy(path: Option<&Path>) -> Result<Option<(String, GateOverrides)>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the policy", path.display()))?;
    let keys = GateOverrides::parse(&String::from_utf8_lossy(&bytes), path)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let hash = gauntlet_report::document::sha256_hex(&bytes);
    Ok(Some((
        format!("--policy {name} (sha256 {})", &hash[..12]),
        keys,
    )))
}

/// The layers of a spec's policy: the repository's, the spec's own `[gate]`, the run's.
pub fn stack(
    repository: Option<&(String, GateOverrides)>,
    spec: &GateOverrides,
    run: Option<&(String, GateOverrides)>,
) -> PolicyStack {
    let mut stack = PolicyStack::default();
    if let Some((source, keys)) = repository {
        stack.push(source.clone(), *keys);
    }
    if *spec != GateOverrides::default() {
        stack.push("the spec's [gate] table", *spec);
    }
    if let Some((source, keys)) = run {
        stack.push(source.clone(), *keys);
    }
    stack
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
    let failed: Vec<String> = verdicts
        .iter()
        .filter(|v| !v.verdict.pass)
        .map(|v| one_line(v.spec))
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
