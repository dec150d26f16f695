//! What a validation writes, per spec, into `reports/<spec-name>/`: the machine record
//! (`report.json`, with its content hash), what differs between runs (`run.json`), Parquet
//! tables for further analysis, a one-page `report.md`, a self-contained `report.html` with SVG
//! charts, and the JUnit XML and one-line summaries that CI reads.

pub mod charts;
pub mod document;
pub mod headline;
pub mod html;
pub mod markdown;
pub mod resolved;
pub mod stored;
pub mod summary;
pub mod tables;
pub mod text;

pub use document::{GateRecord, SCHEMA_VERSION, StrategyRecord, canonical_json, sha256_hex};
pub use stored::{DataRecord, PromotionFacts, ReportError, StoredReport};

use std::path::{Path, PathBuf};

use gauntlet_data::atomic::StagedDir;
use gauntlet_validate::{Spec, Validation};
use serde::Serialize;

/// What may differ between two runs of the same validation; kept out of report.json.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// When the run started, UTC, RFC 3339.
    pub started: String,
    /// Wall-clock seconds the validation took.
    pub duration_seconds: f64,
    /// The machine.
    pub host: String,
    /// Worker threads.
    pub threads: usize,
    /// gauntlet's version.
    pub tool_version: String,
    /// The command line.
    pub command: Vec<String>,
}

/// Why the outputs of a validation could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write the report: {message}")]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Writes every output of `validation` of `spec` into the folder `out`. The files are assembled
/// in a hidden folder beside it and moved into place only when all are written: an error on the
/// way leaves `out` as it was. A new `out` appears whole (one rename); an existing one has its
/// files replaced one rename each.
pub fn write_all(
    out: &Path,
    spec: &Spec,
    validation: &Validation,
    gate: &GateRecord,
    run: &RunRecord,
) -> Result<(), WriteError> {
    let fail = |path: &Path, message: String| WriteError {
        path: path.to_path_buf(),
        message,
    };
    let staged = StagedDir::new(out).map_err(|e| fail(out, e.to_string()))?;
    let dir = staged.path();
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).map_err(|e| fail(&out.join(name), e.to_string()))
    };
    let json = |name: &str, bytes: serde_json::Result<Vec<u8>>| {
        bytes.map_err(|e| fail(&out.join(name), format!("cannot serialize: {e}")))
    };
    write(
        "report.json",
        &json("report.json", document::render(spec, validation, gate))?,
    )?;
    let mut run_json = json("run.json", serde_json::to_vec_pretty(run))?;
    run_json.push(b'\n');
    write("run.json", &run_json)?;
    write(
        "report.md",
        markdown::render(validation, gate, &spec.description).as_bytes(),
    )?;
    let curve = tables::EquityCurve::of(validation, spec.capital);
    let page = html::render(
        validation,
        gate,
        &curve,
        spec.strategy.rule,
        &spec.description,
    )
    .map_err(|e| {
        fail(
            &out.join("report.html"),
            format!("cannot draw a chart: {e}"),
        )
    })?;
    write("report.html", page.as_bytes())?;
    let frames = tables::all(validation, &curve)
        .map_err(|e| fail(out, format!("cannot build the tables: {e}")))?;
    for (name, mut frame) in frames {
        tables::write(dir, name, &mut frame)
            .map_err(|e| fail(&out.join(format!("{name}.parquet")), e.to_string()))?;
    }
    staged.commit().map_err(|e| fail(out, e.to_string()))?;
    Ok(())
}
