//! The approvals manifest: which strategies may trade, with exactly which code, parameters,
//! risk config and costs.
//!
//! [`promote`] adds an approval only for a report whose content hash checks, whose gate passed,
//! and whose strategy code (fingerprint and rule version) is the running binary's. Entries
//! form a hash chain ([`chain`]), so an edit by hand is caught when the manifest is read; a
//! revocation is a new entry, never a deletion. The live runner loads an approval with
//! [`Manifest::active`] and checks it with [`Approval::mismatches`] before it trades.

mod approval;
pub mod chain;
pub mod lock;
mod manifest;

pub use approval::{
    Approval, Mismatch, Refusal, ReportRef, RiskRecord, parameter_text, risk_from_json, risk_hash,
};
pub use manifest::{Entry, FORMAT, Manifest, ManifestError, Record, Revocation, Standing};

use std::path::Path;

use gauntlet_report::{ReportError, StoredReport};

/// Why `promote` did not add an entry.
#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    /// A condition of approval is not met.
    #[error("{report}: not approved: {refusal}")]
    Refused {
        /// The report.
        report: String,
        /// Which condition failed.
        refusal: Refusal,
    },
    /// The report cannot be read.
    #[error(transparent)]
    Report(ReportError),
    /// The manifest cannot be read or written.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// What `promote` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Promoted {
    /// A new approval, with its seq.
    Added(u64, Box<Approval>),
    /// The same report is already approved and active (entry seq): nothing written.
    AlreadyApproved(u64),
}

/// Approves the report at `report` into the manifest at `manifest`, by `by`, at `at` (UTC,
/// RFC 3339).
pub fn promote(
    report: &Path,
    manifest: &Path,
    by: &str,
    at: &str,
) -> Result<Promoted, PromoteError> {
    let shown = report.display().to_string();
    let refused = |refusal| PromoteError::Refused {
        report: shown.clone(),
        refusal,
    };
    let stored = match StoredReport::read(report) {
        Ok(stored) => stored,
        Err(error @ ReportError::Tampered { .. }) => {
            return Err(refused(Refusal::ContentHash(error.to_string())));
        }
        Err(error) => return Err(PromoteError::Report(error)),
    };
    let approval = Approval::of_report(&stored, &shown, by, at).map_err(refused)?;
    let mut manifest = Manifest::open_for_update(manifest)?;
    if let Some((seq, _, _)) = manifest.approvals().find(|(_, a, standing)| {
        *standing == Standing::Active && a.report.sha256 == approval.report.sha256
    }) {
        return Ok(Promoted::AlreadyApproved(seq));
    }
    let approval = Box::new(approval);
    let seq = manifest.append(Record::Approval(approval.clone()))?;
    Ok(Promoted::Added(seq, approval))
}

/// `at` as UTC RFC 3339 with seconds (`2026-01-31T09:30:00Z`), or an error saying what was
/// expected.
pub fn parse_time(at: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .map_err(|e| format!("'{at}' is not an RFC 3339 time such as 2026-01-31T09:30:00Z ({e})"))
}

/// The current time, UTC, RFC 3339 with seconds.
pub fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    chrono::DateTime::from_timestamp(since.as_secs() as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
