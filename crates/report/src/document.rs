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

use gauntlet_validate::gate::Verdict;
use gauntlet_validate::{Spec, Validation};
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
pub(crate) fn content_hash(report: &Value) -> String {
    sha256_hex(&canonical_json(report, Some(HASH_KEY)))
}

/// The canonical encoding of a JSON value that gauntlet hashes (reports, approvals, audit
/// entries): no whitespace, the keys of every object in byte order, strings and numbers as
/// `serde_json` writes them. `drop_top_key` leaves one key of the top object out (the key that
/// will hold the hash).
pub fn canonical_json(value: &Value, drop_top_key: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    canonical(value, drop_top_key, &mut out);
    out
}

fn canonical(value: &Value, drop_key: Option<&str>, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| Some(k.as_str()) != drop_key)
                .collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                scalar(&Value::String(key.clone()), out);
                out.push(b':');
                canonical(&map[key], None, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, None, out);
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
    hex::encode(Sha256::digest(bytes))
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
        let text = String::from_utf8(canonical_json(&doc, Some(HASH_KEY))).expect("UTF-8");
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
