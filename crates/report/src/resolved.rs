//! The spec as a validation resolved it: every default filled in, so the report alone says what
//! was run.

use gauntlet_engine::CostModel;
use gauntlet_risk::RiskConfig;
use gauntlet_strategy::ParamValue;
use gauntlet_validate::Spec;
use gauntlet_validate::bootstrap::BootstrapConfig;
use gauntlet_validate::gate::GateOverrides;
use gauntlet_validate::spec::{Objective, SplitSpec};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// The resolved spec, as report.json records it.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedSpec {
    /// The spec's name (its file stem).
    pub name: String,
    /// Free text.
    pub description: String,
    /// The data.
    pub data: DataRecord,
    /// The strategy and its grid.
    pub strategy: GridSpec,
    /// The split scheme as written (report.json's `validation.plan` has it in bars).
    pub split: SplitSpec,
    /// The objective.
    pub objective: Objective,
    /// In-sample closed trades a parameter set needs to be chosen.
    pub min_trades: usize,
    /// Costs.
    pub costs: CostModel,
    /// Starting cash.
    pub capital: f64,
    /// Whole shares only.
    pub whole_shares: bool,
    /// The risk profile.
    pub risk: RiskRecord,
    /// The desk's claimed win rate `[low, high]`, if any.
    pub claimed_win_rate: Option<(f64, f64)>,
    /// Benchmark file as written.
    pub benchmark: String,
    /// The stationary bootstrap.
    pub bootstrap: BootstrapConfig,
    /// CSCV blocks for PBO.
    pub pbo_blocks: usize,
    /// The spec's own `[gate]` keys (absent keys are `null`).
    pub gate: GateOverrides,
}

/// The data section.
#[derive(Debug, Clone, Serialize)]
pub struct DataRecord {
    /// Files as written in the spec.
    pub files: Vec<String>,
    /// First date, inclusive.
    pub start: Option<String>,
    /// Last date, inclusive.
    pub end: Option<String>,
    /// Bars per year used (written, or inferred from the bars).
    pub periods_per_year: f64,
    /// Whether the adjusted close was used.
    pub adjusted_close: bool,
}

/// The strategy section.
#[derive(Debug, Clone, Serialize)]
pub struct GridSpec {
    /// The strategy's name.
    pub name: String,
    /// Each parameter's values in the order tried, in declaration order.
    pub grid: Axes,
}

/// `{"parameter": [values...], ...}` in declaration order.
#[derive(Debug, Clone)]
pub struct Axes(pub Vec<(&'static str, Vec<ParamValue>)>);

impl Serialize for Axes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, values) in &self.0 {
            let values: Vec<serde_json::Value> = values.iter().map(|v| json_value(*v)).collect();
            map.serialize_entry(name, &values)?;
        }
        map.end()
    }
}

fn json_value(v: ParamValue) -> serde_json::Value {
    match v {
        ParamValue::Int(i) => i.into(),
        ParamValue::Float(f) => f.into(),
        ParamValue::Bool(b) => b.into(),
        ParamValue::Choice(c) => c.into(),
    }
}

/// The risk section.
#[derive(Debug, Clone, Serialize)]
pub struct RiskRecord {
    /// The profile as written (`unlimited` or a path).
    pub profile: String,
    /// Its limits.
    pub config: RiskConfig,
}

impl ResolvedSpec {
    /// `spec` resolved, with the `periods_per_year` the validation used.
    pub fn of(spec: &Spec, periods_per_year: f64) -> ResolvedSpec {
        ResolvedSpec {
            name: spec.name.clone(),
            description: spec.description.clone(),
            data: DataRecord {
                files: spec.files_as_written.clone(),
                start: spec.start.clone(),
                end: spec.end.clone(),
                periods_per_year,
                adjusted_close: spec.adjusted_close,
            },
            strategy: GridSpec {
                name: spec.strategy.name.to_string(),
                grid: Axes(
                    spec.grid
                        .iter()
                        .map(|a| (a.spec.name, a.values.clone()))
                        .collect(),
                ),
            },
            split: spec.split,
            objective: spec.objective,
            min_trades: spec.min_trades,
            costs: spec.costs,
            capital: spec.capital,
            whole_shares: spec.whole_shares,
            risk: RiskRecord {
                profile: spec.risk_name.clone(),
                config: spec.risk,
            },
            claimed_win_rate: spec.claimed_win_rate,
            benchmark: spec.benchmark_as_written.clone(),
            bootstrap: spec.bootstrap,
            pbo_blocks: spec.pbo_blocks,
            gate: spec.gate,
        }
    }
}
