//! One approval: everything the live runner needs to run a strategy exactly as it was
//! validated, and the checks that decide whether a report may be approved and whether an
//! approval still matches the running binary.

use gauntlet_engine::CostModel;
use gauntlet_report::{DataRecord, StoredReport, StrategyRecord, canonical_json, sha256_hex};
use gauntlet_risk::RiskConfig;
use gauntlet_strategy::Params;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A strategy approved to trade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// Name, version and code fingerprint, as validated (and equal to the promoting binary's).
    pub strategy: StrategyRecord,
    /// The spec it was validated by.
    pub spec: String,
    /// The parameters it trades with: those the most recent fold chose.
    pub parameters: Map<String, Value>,
    /// The fold they come from.
    pub parameters_fold: usize,
    /// The risk config, in full, and its hash.
    pub risk: RiskRecord,
    /// The costs the paper broker charges, as validated.
    pub costs: CostModel,
    /// Starting capital.
    pub capital: f64,
    /// Whole units only.
    pub whole_shares: bool,
    /// The data validated on, with fingerprints.
    pub data: Vec<DataRecord>,
    /// The report approved.
    pub report: ReportRef,
    /// SHA-256 of the gate policy the report passed.
    pub policy_sha256: String,
    /// Who approved it.
    pub approved_by: String,
    /// When (UTC, RFC 3339).
    pub approved_at: String,
}

/// The risk config of an approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRecord {
    /// The profile's name.
    pub profile: String,
    /// Every field of the config.
    pub config: Value,
    /// SHA-256 of the config's canonical JSON.
    pub sha256: String,
}

/// The report an approval rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRef {
    /// Its path, as given to `promote`.
    pub path: String,
    /// Its content hash.
    pub sha256: String,
}

/// Why a report may not be approved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The gate failed.
    #[error("the report's gate did not pass (failed: {})", .failed.join(", "))]
    GateFailed {
        /// The failed checks.
        failed: Vec<String>,
    },
    /// The content hash does not check.
    #[error("{0}")]
    ContentHash(String),
    /// The binary does not know the strategy.
    #[error("this gauntlet has no strategy '{0}'")]
    UnknownStrategy(String),
    /// The code differs from the validated code.
    #[error(
        "the code of '{strategy}' differs from the code that was validated (fingerprint {validated} in the report, {running} in this binary): validate again with this build"
    )]
    Fingerprint {
        /// The strategy.
        strategy: String,
        /// In the report.
        validated: String,
        /// In this binary.
        running: String,
    },
    /// The rule version differs.
    #[error(
        "'{strategy}' was validated at rule version {validated}, this binary has {running}: validate again with this build"
    )]
    Version {
        /// The strategy.
        strategy: String,
        /// In the report.
        validated: String,
        /// In this binary.
        running: String,
    },
    /// No fold chose any parameters.
    #[error("no fold of the report chose parameters: there is nothing to trade with")]
    NoParameters,
}

/// A way an approval no longer matches the running binary (or its own record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What differs: `strategy`, `fingerprint`, `version`, `parameters`, `risk`, `costs`.
    pub field: &'static str,
    /// How.
    pub detail: String,
}

impl Approval {
    /// The approval of `report`, found at `path`, by `by` at `at`, or why it may not be given.
    /// Refused unless the gate passed and the strategy's code and rule version in this binary
    /// are those the report was validated with. (The content hash was checked when the report
    /// was read.)
    pub fn of_report(
        report: &StoredReport,
        path: &str,
        by: &str,
        at: &str,
    ) -> Result<Approval, Refusal> {
        let facts = &report.promotion;
        if !facts.gate_passed {
            return Err(Refusal::GateFailed {
                failed: facts.failed_checks.clone(),
            });
        }
        let name = &report.strategy.name;
        let info =
            gauntlet_strategies::info(name).map_err(|_| Refusal::UnknownStrategy(name.clone()))?;
        if info.fingerprint() != report.strategy.fingerprint {
            return Err(Refusal::Fingerprint {
                strategy: name.clone(),
                validated: report.strategy.fingerprint.clone(),
                running: info.fingerprint().to_string(),
            });
        }
        if info.version != report.strategy.version {
            return Err(Refusal::Version {
                strategy: name.clone(),
                validated: report.strategy.version.clone(),
                running: info.version.to_string(),
            });
        }
        if facts.parameters.is_empty() {
            return Err(Refusal::NoParameters);
        }
        // Costs recorded by this build always read back; a report whose costs do not is
        // refused as not a report of this build.
        let costs: CostModel = serde_json::from_value(facts.costs.clone())
            .map_err(|e| Refusal::ContentHash(format!("the report's costs do not read: {e}")))?;
        Ok(Approval {
            strategy: report.strategy.clone(),
            spec: report.spec.clone(),
            parameters: facts.parameters.clone(),
            parameters_fold: facts.parameters_fold,
            risk: RiskRecord {
                profile: facts.risk_profile.clone(),
                sha256: risk_hash(&facts.risk),
                config: facts.risk.clone(),
            },
            costs,
            capital: facts.capital,
            whole_shares: facts.whole_shares,
            data: facts.data.clone(),
            report: ReportRef {
                path: path.to_string(),
                sha256: report.content_sha256.clone(),
            },
            policy_sha256: facts.policy_sha256.clone(),
            approved_by: by.to_string(),
            approved_at: at.to_string(),
        })
    }

    /// The parameters, read by the strategy's parameter space in this binary.
    pub fn params(&self) -> Result<Params, String> {
        let info =
            gauntlet_strategies::info(&self.strategy.name).map_err(|error| error.to_string())?;
        let assignments: Vec<String> = self
            .parameters
            .iter()
            .map(|(name, value)| format!("{name}={}", parameter_text(value)))
            .collect();
        let params = info
            .space
            .parse_assignments(&assignments)
            .map_err(|error| error.to_string())?;
        // Every parameter of the space must be approved: a default filled in for one the
        // approval lacks would run something that was not validated.
        let missing: Vec<&str> = info
            .space
            .specs
            .iter()
            .map(|s| s.name)
            .filter(|name| !self.parameters.contains_key(*name))
            .collect();
        if !missing.is_empty() {
            return Err(format!("no approved value for {}", missing.join(", ")));
        }
        Ok(params)
    }

    /// The risk config, read and validated as a risk file would be.
    pub fn risk_config(&self) -> Result<RiskConfig, String> {
        risk_from_json(&self.risk.config, &self.risk.profile)
    }

    /// Every way this approval no longer matches the running binary or its own record.
    pub fn mismatches(&self) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut push = |field, detail: String| out.push(Mismatch { field, detail });
        match gauntlet_strategies::info(&self.strategy.name) {
            Err(_) => push(
                "strategy",
                format!("this gauntlet has no strategy '{}'", self.strategy.name),
            ),
            Ok(info) => {
                if info.fingerprint() != self.strategy.fingerprint {
                    push(
                        "fingerprint",
                        format!(
                            "code fingerprint {} was approved, this binary has {}",
                            self.strategy.fingerprint,
                            info.fingerprint()
                        ),
                    );
                }
                if info.version != self.strategy.version {
                    push(
                        "version",
                        format!(
                            "rule version {} was approved, this binary has {}",
                            self.strategy.version, info.version
                        ),
                    );
                }
                if let Err(why) = self.params() {
                    push("parameters", why);
                }
            }
        }
        if risk_hash(&self.risk.config) != self.risk.sha256 {
            push(
                "risk",
                format!(
                    "the risk config does not match its recorded sha256 {}",
                    self.risk.sha256
                ),
            );
        }
        if let Err(why) = self.risk_config() {
            push("risk", why);
        }
        let c = &self.costs;
        let parts = [
            c.commission_bps,
            c.commission_per_share,
            c.commission_min,
            c.slippage_bps,
            c.borrow_bps,
        ];
        if parts.iter().any(|v| !v.is_finite() || *v < 0.0) {
            push(
                "costs",
                "every cost must be a finite number, 0 or more".to_string(),
            );
        }
        out
    }
}

/// A parameter value as a user writes it after `name=` (a choice without JSON quotes).
pub fn parameter_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// SHA-256 of a risk config's canonical JSON.
pub fn risk_hash(config: &Value) -> String {
    sha256_hex(&canonical_json(config, None))
}

/// A risk config recorded as JSON, read by the risk file reader (so every check of a risk file
/// applies), and required to read back to exactly the recorded fields.
pub fn risk_from_json(config: &Value, profile: &str) -> Result<RiskConfig, String> {
    let name = format!("approved risk profile '{profile}'");
    let text = toml::to_string(&without_nulls(config))
        .map_err(|e| format!("{name}: not a risk config: {e}"))?;
    let risk = RiskConfig::from_toml(&text, &name).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(risk).map_err(|e| e.to_string())?;
    if &back != config {
        return Err(format!(
            "{name}: reads back as {back}, not as recorded ({config})"
        ));
    }
    Ok(risk)
}

/// A JSON value without its null fields: a limit that is not set is left out of a risk file.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_risk_config_reads_back_from_its_json_record() {
        let conservative = RiskConfig::from_toml(
            "max_daily_loss = 0.02\nstop_loss_pct = 0.05\nmax_single_position_risk = 0.01\n[sizing]\nmethod = \"risk\"\nfraction = 0.5\n",
            "test",
        )
        .expect("valid");
        let json = serde_json::to_value(conservative).expect("json");
        assert_eq!(risk_from_json(&json, "test"), Ok(conservative));

        let mut bad = json;
        bad["max_daily_loss"] = Value::from(1.5);
        let error = risk_from_json(&bad, "test").expect_err("out of range");
        assert!(error.contains("max_daily_loss"), "{error}");
    }
}
