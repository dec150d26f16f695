//! The risk profile, read from TOML and validated at load: unknown keys are rejected and every
//! problem is reported at once, each with its key and the allowed range.
//!
//! A limit that is not written is not enforced. Fractions are of equity: start-of-day equity for
//! the daily loss, peak equity for the drawdown, current equity for heat and position risk.

use std::fmt;
use std::path::Path;

use serde::Serialize;

/// How an entry is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizingMethod {
    /// `fraction` of current equity.
    Fraction,
    /// A fixed `notional` in money.
    Notional,
    /// From the stop distance: the notional whose loss at the stop is
    /// `max_single_position_risk` of equity, i.e. `equity * max_single_position_risk /
    /// stop_loss_pct`, capped at `fraction` of equity.
    Risk,
}

/// Position sizing, the `[sizing]` table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Sizing {
    /// The method.
    pub method: SizingMethod,
    /// Fraction of equity (the size for `fraction`, the cap for `risk`), in (0, 1].
    pub fraction: f64,
    /// The fixed notional for `notional`.
    pub notional: Option<f64>,
    /// Entries smaller than this are refused.
    pub min_notional: f64,
    /// Entries are cut to this.
    pub max_notional: Option<f64>,
}

/// The risk profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct RiskConfig {
    /// Halt and flatten when equity falls this fraction below the start of the day.
    pub max_daily_loss: Option<f64>,
    /// Halt and flatten, until an explicit reset, when equity falls this fraction below its peak.
    pub max_total_drawdown: Option<f64>,
    /// Refuse (or shrink) entries that would take the sum over positions of
    /// `value * stop_loss_pct` above this fraction of equity.
    pub max_portfolio_heat: Option<f64>,
    /// Cap one position's `value * stop_loss_pct` at this fraction of equity.
    pub max_single_position_risk: Option<f64>,
    /// Protective stop this fraction away from the entry price, placed when a position opens.
    pub stop_loss_pct: Option<f64>,
    /// Position sizing.
    pub sizing: Sizing,
    /// The circuit breaker: halt the strategy after this many consecutive strategy errors.
    pub max_consecutive_errors: u32,
}

/// A risk file that could not be accepted: every problem, each with its key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct RiskConfigError {
    /// Where the config came from (a path, or a built-in profile's name).
    pub source_name: String,
    /// `(key, what is wrong)`.
    pub problems: Vec<(String, String)>,
}

impl fmt::Display for RiskConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{}: {n} problem{} in the risk config",
            self.source_name,
            if n == 1 { "" } else { "s" }
        )?;
        for (key, problem) in &self.problems {
            write!(f, "\n  {}: key '{key}': {problem}", self.source_name)?;
        }
        Ok(())
    }
}

const TOP_KEYS: [&str; 7] = [
    "max_daily_loss",
    "max_total_drawdown",
    "max_portfolio_heat",
    "max_single_position_risk",
    "stop_loss_pct",
    "max_consecutive_errors",
    "sizing",
];
const SIZING_KEYS: [&str; 5] = [
    "method",
    "fraction",
    "notional",
    "min_notional",
    "max_notional",
];
const DEFAULT_MAX_CONSECUTIVE_ERRORS: u32 = 3;

/// An allowed interval, for checks and messages.
#[derive(Clone, Copy)]
struct Range {
    low: f64,
    low_open: bool,
    high: f64,
    high_open: bool,
}

impl Range {
    const FRACTION_OPEN: Range = Range {
        low: 0.0,
        low_open: true,
        high: 1.0,
        high_open: true,
    };
    const FRACTION_TO_ONE: Range = Range {
        low: 0.0,
        low_open: true,
        high: 1.0,
        high_open: false,
    };
    const POSITIVE: Range = Range {
        low: 0.0,
        low_open: true,
        high: f64::INFINITY,
        high_open: true,
    };
    const NON_NEGATIVE: Range = Range {
        low: 0.0,
        low_open: false,
        high: f64::INFINITY,
        high_open: true,
    };

    fn contains(self, v: f64) -> bool {
        let above = if self.low_open {
            v > self.low
        } else {
            v >= self.low
        };
        let below = if self.high_open {
            v < self.high
        } else {
            v <= self.high
        };
        v.is_finite() && above && below
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let open = if self.low_open { '(' } else { '[' };
        let close = if self.high_open { ')' } else { ']' };
        if self.high.is_infinite() {
            write!(f, "{open}{}, infinity)", self.low)
        } else {
            write!(f, "{open}{}, {}{close}", self.low, self.high)
        }
    }
}

/// Collects problems while reading one table.
struct Reader<'t> {
    table: &'t toml::Table,
    prefix: &'static str,
    problems: Vec<(String, String)>,
}

impl<'t> Reader<'t> {
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn number(&mut self, name: &str, range: Range) -> Option<f64> {
        let value = self.table.get(name)?;
        let number = match value {
            toml::Value::Float(v) => Some(*v),
            toml::Value::Integer(v) => Some(*v as f64),
            _ => None,
        };
        match number {
            Some(v) if range.contains(v) => Some(v),
            Some(v) => {
                self.problems.push((
                    self.key(name),
                    format!("expected a number in {range}, got {v}"),
                ));
                None
            }
            None => {
                self.problems.push((
                    self.key(name),
                    format!("expected a number in {range}, got {value}"),
                ));
                None
            }
        }
    }

    fn unknown_keys(&mut self, allowed: &[&str]) {
        for key in self.table.keys() {
            if !allowed.contains(&key.as_str()) {
                self.problems.push((
                    self.key(key),
                    format!("unknown key (allowed: {})", allowed.join(", ")),
                ));
            }
        }
    }
}

impl RiskConfig {
    /// No limits, no stop, all equity in every entry: the profile of the reference engines.
    pub fn unlimited() -> RiskConfig {
        RiskConfig {
            max_daily_loss: None,
            max_total_drawdown: None,
            max_portfolio_heat: None,
            max_single_position_risk: None,
            stop_loss_pct: None,
            sizing: Sizing {
                method: SizingMethod::Fraction,
                fraction: 1.0,
                notional: None,
                min_notional: 0.0,
                max_notional: None,
            },
            max_consecutive_errors: DEFAULT_MAX_CONSECUTIVE_ERRORS,
        }
    }

    /// Reads and validates a risk file.
    pub fn load(path: &Path) -> Result<RiskConfig, RiskConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RiskConfigError {
            source_name: name.clone(),
            problems: vec![("(file)".into(), format!("cannot read: {e}"))],
        })?;
        RiskConfig::from_toml(&text, &name)
    }

    /// Parses and validates TOML text; `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<RiskConfig, RiskConfigError> {
        let fail = |problems| RiskConfigError {
            source_name: source_name.to_string(),
            problems,
        };
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| fail(vec![("(syntax)".into(), e.to_string().trim().to_string())]))?;
        let mut top = Reader {
            table: &table,
            prefix: "",
            problems: Vec::new(),
        };
        top.unknown_keys(&TOP_KEYS);
        let mut config = RiskConfig::unlimited();
        config.max_daily_loss = top.number("max_daily_loss", Range::FRACTION_OPEN);
        config.max_total_drawdown = top.number("max_total_drawdown", Range::FRACTION_OPEN);
        config.max_portfolio_heat = top.number("max_portfolio_heat", Range::FRACTION_TO_ONE);
        config.max_single_position_risk =
            top.number("max_single_position_risk", Range::FRACTION_TO_ONE);
        config.stop_loss_pct = top.number("stop_loss_pct", Range::FRACTION_OPEN);
        if let Some(value) = table.get("max_consecutive_errors") {
            match value.as_integer() {
                Some(n @ 1..=1_000_000) => config.max_consecutive_errors = n as u32,
                _ => top.problems.push((
                    "max_consecutive_errors".into(),
                    format!("expected a whole number in [1, 1000000], got {value}"),
                )),
            }
        }
        let mut problems = top.problems;
        match table.get("sizing") {
            None => {}
            Some(toml::Value::Table(sizing)) => {
                let mut reader = Reader {
                    table: sizing,
                    prefix: "sizing.",
                    problems: Vec::new(),
                };
                config.sizing = read_sizing(&mut reader);
                problems.append(&mut reader.problems);
            }
            Some(other) => problems.push((
                "sizing".into(),
                format!("expected a table ([sizing]), got {other}"),
            )),
        }
        check_relations(&config, &table, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(fail(problems))
        }
    }
}

fn read_sizing(reader: &mut Reader<'_>) -> Sizing {
    reader.unknown_keys(&SIZING_KEYS);
    let mut sizing = RiskConfig::unlimited().sizing;
    if let Some(value) = reader.table.get("method") {
        sizing.method = match value.as_str() {
            Some("fraction") => SizingMethod::Fraction,
            Some("notional") => SizingMethod::Notional,
            Some("risk") => SizingMethod::Risk,
            _ => {
                reader.problems.push((
                    "sizing.method".into(),
                    format!("expected one of \"fraction\", \"notional\", \"risk\", got {value}"),
                ));
                sizing.method
            }
        };
    }
    if let Some(f) = reader.number("fraction", Range::FRACTION_TO_ONE) {
        sizing.fraction = f;
    }
    sizing.notional = reader.number("notional", Range::POSITIVE);
    if let Some(min) = reader.number("min_notional", Range::NON_NEGATIVE) {
        sizing.min_notional = min;
    }
    sizing.max_notional = reader.number("max_notional", Range::POSITIVE);
    sizing
}

/// Rules that tie keys together.
fn check_relations(config: &RiskConfig, table: &toml::Table, problems: &mut Vec<(String, String)>) {
    let sizing = &config.sizing;
    if let Some(max) = sizing.max_notional
        && sizing.min_notional > max
    {
        problems.push((
            "sizing.min_notional".into(),
            format!(
                "must not exceed sizing.max_notional ({max}), got {}",
                sizing.min_notional
            ),
        ));
    }
    let has = |key: &str| table.contains_key(key);
    if sizing.method == SizingMethod::Notional && sizing.notional.is_none() {
        problems.push((
            "sizing.notional".into(),
            "required when sizing.method = \"notional\"".into(),
        ));
    }
    let needs_stop = [
        ("sizing.method", sizing.method == SizingMethod::Risk),
        ("max_portfolio_heat", config.max_portfolio_heat.is_some()),
        (
            "max_single_position_risk",
            config.max_single_position_risk.is_some(),
        ),
    ];
    if config.stop_loss_pct.is_none() && !has("stop_loss_pct") {
        for (key, needed) in needs_stop {
            if needed {
                problems.push((
                    key.into(),
                    "needs stop_loss_pct: risk is measured as position value times the stop distance"
                        .into(),
                ));
            }
        }
    }
    if sizing.method == SizingMethod::Risk
        && config.max_single_position_risk.is_none()
        && !has("max_single_position_risk")
    {
        problems.push((
            "sizing.method".into(),
            "\"risk\" sizing needs max_single_position_risk (the fraction of equity to risk per position)"
                .into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSERVATIVE: &str = r#"
max_daily_loss = 0.02
max_total_drawdown = 0.10
max_portfolio_heat = 0.25
max_single_position_risk = 0.02
stop_loss_pct = 0.03
[sizing]
method = "risk"
fraction = 1.0
min_notional = 500.0
max_notional = 5000.0
"#;

    #[test]
    fn the_issue_example_loads() {
        let c = RiskConfig::from_toml(CONSERVATIVE, "c.toml").expect("valid");
        assert_eq!(c.max_daily_loss, Some(0.02));
        assert_eq!(c.stop_loss_pct, Some(0.03));
        assert_eq!(c.sizing.method, SizingMethod::Risk);
        assert_eq!(c.sizing.max_notional, Some(5000.0));
        assert_eq!(c.max_consecutive_errors, 3);
    }

    #[test]
    fn an_empty_file_is_the_unlimited_profile() {
        assert_eq!(RiskConfig::from_toml("", "x"), Ok(RiskConfig::unlimited()));
    }

    #[test]
    fn every_problem_is_reported_with_key_and_range() {
        let text = r#"
max_daily_loss = 1.5
max_drawdown = 0.1
stop_loss_pct = "3%"
[sizing]
method = "kelly"
min_notional = 900
max_notional = 100
leverage = 2
"#;
        let err = RiskConfig::from_toml(text, "bad.toml").expect_err("invalid");
        let keys: Vec<_> = err.problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "max_drawdown",
                "max_daily_loss",
                "stop_loss_pct",
                "sizing.leverage",
                "sizing.method",
                "sizing.min_notional"
            ]
        );
        let text = err.to_string();
        assert!(
            text.starts_with("bad.toml: 6 problems in the risk config"),
            "{text}"
        );
        assert!(text.contains("key 'max_daily_loss': expected a number in (0, 1), got 1.5"));
        assert!(text.contains("key 'max_drawdown': unknown key (allowed: max_daily_loss,"));
    }

    #[test]
    fn risk_sizing_needs_a_stop() {
        let err =
            RiskConfig::from_toml("[sizing]\nmethod = \"risk\"", "r.toml").expect_err("no stop");
        let keys: Vec<_> = err.problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["sizing.method", "sizing.method"]);
        assert!(err.problems[0].1.contains("needs stop_loss_pct"));
        assert!(err.problems[1].1.contains("needs max_single_position_risk"));
    }

    #[test]
    fn syntax_errors_name_the_file() {
        let err = RiskConfig::from_toml("max_daily_loss = ", "s.toml").expect_err("syntax");
        assert_eq!(err.problems[0].0, "(syntax)");
        assert!(err.to_string().starts_with("s.toml: 1 problem"));
    }
}

#[cfg(test)]
mod shipped_profiles {
    use super::*;

    fn profile(name: &str) -> RiskConfig {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../strategies/risk")
            .join(format!("{name}.toml"));
        RiskConfig::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn unlimited_file_is_the_built_in_profile() {
        assert_eq!(profile("unlimited"), RiskConfig::unlimited());
    }

    #[test]
    fn conservative_file_holds_the_desk_numbers() {
        let c = profile("conservative");
        assert_eq!(
            (c.max_daily_loss, c.max_total_drawdown, c.max_portfolio_heat),
            (Some(0.02), Some(0.10), Some(0.25))
        );
        assert_eq!(
            (c.max_single_position_risk, c.stop_loss_pct),
            (Some(0.02), Some(0.03))
        );
        assert_eq!(c.sizing.method, SizingMethod::Risk);
        assert_eq!(
            (c.sizing.min_notional, c.sizing.max_notional),
            (500.0, Some(5000.0))
        );
    }
}
