//! A report.json read back: its schema version and content hash checked before anything in it
//! is trusted, then the figures the gate reads and the facts a promotion records.

use std::path::{Path, PathBuf};

use gauntlet_validate::Stat;
use gauntlet_validate::gate::{GateInputs, Policy};
use gauntlet_validate::trades::Interval;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::document::{HASH_KEY, SCHEMA_VERSION, StrategyRecord, content_hash};

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
    /// What an approval of this report records.
    pub promotion: PromotionFacts,
}

/// The facts of a report that an approval records, so that the live runner can run the
/// strategy exactly as it was validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionFacts {
    /// Whether the gate passed, as recorded.
    pub gate_passed: bool,
    /// The names of the checks that failed, as recorded.
    pub failed_checks: Vec<String>,
    /// SHA-256 of the policy the gate applied.
    pub policy_sha256: String,
    /// The data validated on, with fingerprints.
    pub data: Vec<DataRecord>,
    /// Name of the risk profile.
    pub risk_profile: String,
    /// The risk config, as recorded.
    pub risk: Value,
    /// The cost model, as recorded.
    pub costs: Value,
    /// Starting capital.
    pub capital: f64,
    /// Whole units only.
    pub whole_shares: bool,
    /// The parameters the most recent optimization chose: those of the fold whose training
    /// window ends last (the last such fold on a tie), which are what the strategy would trade
    /// with next.
    pub parameters: Map<String, Value>,
    /// That fold's number.
    pub parameters_fold: usize,
}

/// One data file of a validation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct DataRecord {
    /// The path, as the spec wrote it.
    pub path: String,
    /// The symbol.
    pub symbol: String,
    /// Number of bars.
    pub bars: usize,
    /// SHA-256 of the canonical columns.
    pub fingerprint: String,
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
    policy_sha256: String,
    pass: bool,
    checks: Vec<CheckView>,
}

#[derive(Deserialize)]
struct CheckView {
    name: String,
    pass: bool,
}

#[derive(Deserialize)]
struct SpecView {
    name: String,
    costs: Value,
    capital: f64,
    whole_shares: bool,
    risk: RiskView,
}

#[derive(Deserialize)]
struct RiskView {
    profile: String,
    config: Value,
}

#[derive(Deserialize)]
struct PlanView {
    folds: Vec<PlanFoldView>,
}

#[derive(Deserialize)]
struct PlanFoldView {
    train: Vec<WindowView>,
}

#[derive(Deserialize)]
struct WindowView {
    end: usize,
}

#[derive(Deserialize)]
struct FoldView {
    fold: usize,
    parameters: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct ValidationView {
    data: Vec<DataRecord>,
    plan: PlanView,
    folds: Vec<FoldView>,
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
        let train_end = |fold: usize| {
            v.plan
                .folds
                .get(fold)
                .and_then(|f| f.train.iter().map(|w| w.end).max())
                .unwrap_or(0)
        };
        // max_by_key keeps the last of equal keys: the latest fold on a tie.
        let latest = v
            .folds
            .iter()
            .filter(|f| f.parameters.is_some())
            .max_by_key(|f| train_end(f.fold));
        let promotion = PromotionFacts {
            gate_passed: view.gate.pass,
            failed_checks: view
                .gate
                .checks
                .into_iter()
                .filter(|c| !c.pass)
                .map(|c| c.name)
                .collect(),
            policy_sha256: view.gate.policy_sha256,
            data: v.data,
            risk_profile: view.spec.risk.profile,
            risk: view.spec.risk.config,
            costs: view.spec.costs,
            capital: view.spec.capital,
            whole_shares: view.spec.whole_shares,
            parameters: latest
                .and_then(|f| f.parameters.clone())
                .unwrap_or_default(),
            parameters_fold: latest.map_or(0, |f| f.fold),
        };
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
            promotion,
        })
    }
}
