//! `report.json`: the machine record of one validation.
//!
//! It holds the spec as resolved, the strategy and its code fingerprint, the validation (data
//! fingerprints, plan, folds, stitched out-of-sample statistics, overfitting statistics,
//! look-ahead check) and the gate's verdict. Nothing in it comes from the clock or the machine,
//! so the same inputs give the same bytes on any number of threads.
//!
//! The report carries `content_sha256`: the SHA-256 of its canonical form, which is the report
//! parsed as JSON, without that key, written with no whitespace, the keys of every object in
//! byte order, and strings and numbers as `serde_json` writes them (shortest round-trip floats,
//! UTF-8 unescaped). A reader recomputes it, so an accidental or careless edit is caught before
//! anything trusts the report. It is a checksum, not a signature: whoever edits a report can
//! recompute it.

use std::path::{Path, PathBuf};

use gauntlet_validate::gate::{GateInputs, Policy, Verdict};
use gauntlet_validate::trades::Interval;
use gauntlet_validate::{Spec, Stat, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::resolved::ResolvedSpec;

/// Version of report.json's layout, raised when a field changes meaning or moves.
pub const SCHEMA_VERSION: u64 = 2;

/// The key that holds the content hash.
pub const HASH_KEY: &str = "content_sha256";

/// The strategy as validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyRecord {
    /// Its name in the catalog.
    pub name: String,
    /// Version of its rule.
    pub version: String,
    /// SHA-256 of its code, from the binary that ran the validation.
    pub fingerprint: String,
}

impl StrategyRecord {
    /// The record of the catalog entry `name` (empty fields for a name the catalog lacks).
    pub fn of(name: &str) -> StrategyRecord {
        let info = gauntlet_strategies::info(name).ok();
        StrategyRecord {
            name: name.to_string(),
            version: info.map_or("", |i| i.version).to_string(),
            fingerprint: info.map_or("", |i| i.fingerprint()).to_string(),
        }
    }
}

/// The gate's verdict as recorded, with where its policy came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateRecord {
    /// The layers of the policy, desk defaults first.
    pub policy_sources: Vec<String>,
    /// SHA-256 of the policy as compact JSON (the approvals record it).
    pub policy_sha256: String,
    /// The policy, every check and the verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl GateRecord {
    /// The record of `verdict`, whose policy came from `sources`.
    pub fn new(verdict: Verdict, sources: Vec<String>) -> GateRecord {
        let policy = serde_json::to_vec(&verdict.policy).unwrap_or_default();
        GateRecord {
            policy_sources: sources,
            policy_sha256: sha256_hex(&policy),
            verdict,
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u64,
    content_sha256: String,
    spec: ResolvedSpec,
    strategy: StrategyRecord,
    validation: &'a Validation,
    gate: &'a GateRecord,
}

/// The bytes of report.json for `validation` of `spec` with the gate's `gate`.
pub fn render(
    spec: &Spec,
    validation: &Validation,
    gate: &GateRecord,
) -> serde_json::Result<Vec<u8>> {
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        content_sha256: String::new(),
        spec: ResolvedSpec::of(spec, validation.periods_per_year),
        strategy: StrategyRecord::of(&validation.strategy),
        validation,
        gate,
    };
    let value = serde_json::to_value(&report)?;
    report.content_sha256 = content_hash(&value);
    let mut bytes = serde_json::to_vec_pretty(&report)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// SHA-256 of the canonical form of `report` (see the module docs).
fn content_hash(report: &Value) -> String {
    let mut bytes = Vec::new();
    canonical(report, true, &mut bytes);
    sha256_hex(&bytes)
}

/// Writes `value` in canonical form; `top` leaves out the hash key of the outermost object.
/// Sorting here, rather than relying on the order of `serde_json`'s maps, keeps the form the
/// same whichever map type a build of serde_json uses.
fn canonical(value: &Value, top: bool, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| !(top && k.as_str() == HASH_KEY))
                .collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                scalar(&Value::String(key.clone()), out);
                out.push(b':');
                canonical(&map[key], false, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, false, out);
            }
            out.push(b']');
        }
        other => scalar(other, out),
    }
}

fn scalar(value: &Value, out: &mut Vec<u8>) {
    // Writing a string, number, bool or null into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a report.json cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file cannot be read.
    #[error("{path}: cannot read the report: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's words.
        message: String,
    },
    /// Not JSON, or not the layout of its schema version.
    #[error("{path}: not a gauntlet report: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A schema version this build does not read.
    #[error(
        "{path}: report schema_version {found} is not one this gauntlet reads (it reads {SCHEMA_VERSION}); re-run the validation with this version"
    )]
    UnknownSchema {
        /// The file.
        path: PathBuf,
        /// The version found, as written.
        found: String,
    },
    /// The content does not match its hash.
    #[error(
        "{path}: the report's content does not match its content_sha256 (recorded {recorded}, computed {computed}): it was edited after it was written"
    )]
    Tampered {
        /// The file.
        path: PathBuf,
        /// The hash in the file.
        recorded: String,
        /// The hash of the content.
        computed: String,
    },
}

/// A report read back and checked.
#[derive(Debug, Clone)]
pub struct StoredReport {
    /// The spec's name.
    pub spec: String,
    /// The strategy.
    pub strategy: StrategyRecord,
    /// What the gate reads.
    pub inputs: GateInputs,
    /// The policy the report was judged by.
    pub policy: Policy,
    /// Where that policy came from.
    pub policy_sources: Vec<String>,
    /// The hash recorded in (and checked against) the report.
    pub content_sha256: String,
}

#[derive(Deserialize)]
struct View {
    spec: SpecView,
    strategy: StrategyRecord,
    validation: ValidationView,
    gate: GateView,
}

#[derive(Deserialize)]
struct GateView {
    policy: Policy,
    policy_sources: Vec<String>,
}

#[derive(Deserialize)]
struct SpecView {
    name: String,
}

#[derive(Deserialize)]
struct ValidationView {
    out_of_sample: StitchedView,
    claim: Option<ClaimView>,
    pbo: PboView,
    lookahead: Vec<LookaheadView>,
}

#[derive(Deserialize)]
struct StitchedView {
    performance: PerformanceView,
    trades: TradesView,
    deflated: DeflatedView,
}

#[derive(Deserialize)]
struct PerformanceView {
    sharpe: Stat,
    max_drawdown: f64,
}

#[derive(Deserialize)]
struct TradesView {
    trades: usize,
    win_rate: Stat,
    win_rate_wilson: Interval,
}

#[derive(Deserialize)]
struct DeflatedView {
    dsr: Stat,
}

#[derive(Deserialize)]
struct ClaimView {
    claimed: (f64, f64),
}

#[derive(Deserialize)]
struct PboView {
    pbo: Stat,
}

#[derive(Deserialize)]
struct LookaheadView {
    passed: bool,
}

impl StoredReport {
    /// Reads the report at `path`, checking its schema version and its content hash.
    pub fn read(path: &Path) -> Result<StoredReport, ReportError> {
        let bytes = std::fs::read(path).map_err(|e| ReportError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        StoredReport::parse(&bytes, path)
    }

    /// Checks the `bytes` of the report at `path`.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<StoredReport, ReportError> {
        let malformed = |message: String| ReportError::Malformed {
            path: path.to_path_buf(),
            message,
        };
        let value: Value = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        let Value::Object(map) = &value else {
            return Err(malformed("expected a JSON object".into()));
        };
        match map.get("schema_version") {
            Some(v) if v.as_u64() == Some(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(ReportError::UnknownSchema {
                    path: path.to_path_buf(),
                    found: v.to_string(),
                });
            }
            None => return Err(malformed("no schema_version".into())),
        }
        let recorded = match map.get(HASH_KEY) {
            Some(Value::String(h)) => h.clone(),
            _ => return Err(malformed(format!("no {HASH_KEY} string"))),
        };
        let computed = content_hash(&value);
        if computed != recorded {
            return Err(ReportError::Tampered {
                path: path.to_path_buf(),
                recorded,
                computed,
            });
        }
        let view: View = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        let v = view.validation;
        let oos = v.out_of_sample;
        Ok(StoredReport {
            spec: view.spec.name,
            strategy: view.strategy,
            inputs: GateInputs {
                oos_sharpe: oos.performance.sharpe,
                max_drawdown: oos.performance.max_drawdown,
                trades: oos.trades.trades,
                win_rate: oos.trades.win_rate,
                win_rate_interval: oos.trades.win_rate_wilson,
                claimed_win_rate: v.claim.map(|c| c.claimed),
                dsr: oos.deflated.dsr,
                pbo: v.pbo.pbo,
                lookahead_checked: v.lookahead.len(),
                lookahead_passed: v.lookahead.iter().all(|l| l.passed),
            },
            policy: view.gate.policy,
            policy_sources: view.gate.policy_sources,
            content_sha256: recorded,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_sorts_keys_everywhere_and_drops_only_the_top_hash() {
        let doc: Value = serde_json::from_str(
            r#"{"b": [1, 2.5, {"d": null, "c": "±x"}], "content_sha256": "ff", "a": {"content_sha256": 1, "z": 1e-7}}"#,
        )
        .expect("JSON");
        let mut bytes = Vec::new();
        canonical(&doc, true, &mut bytes);
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(
            text,
            r#"{"a":{"content_sha256":1,"z":1e-7},"b":[1,2.5,{"c":"±x","d":null}]}"#
        );
        // Python: hashlib.sha256(text.encode()).hexdigest()
        assert_eq!(
            content_hash(&doc),
            "c76e48d682776710e9eb924ec27c92fb24e0209c148221cd756f4469ea772304"
        );
    }
}
