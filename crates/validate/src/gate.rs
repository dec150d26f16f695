//! The gate: thresholds a validation must meet before a strategy may be promoted.
//!
//! A policy is built in layers, each overriding only the keys it names: the desk's policy
//! (built in, and shipped as `strategies/gate.toml`), then a policy file of the repository,
//! then a spec's `[gate]` table, then a policy given for one run (`--policy FILE`). Every check
//! is reported, not only the first to fail, each with a sentence a quant would write.
//!
//! The gate reads only a handful of figures from a validation ([`GateInputs`]), so it can be
//! re-applied to a finished report without rerunning anything.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::outcome::Validation;
use crate::stat::Stat;
use crate::toml_reader::Reader;
use crate::trades::Interval;

/// Rounding slack of the win-rate comparison: far below any meaningful difference of rates.
const TOLERANCE_SLACK: f64 = 1e-9;

/// The keys of a policy (a policy file's top level, a spec's `[gate]` table).
pub const POLICY_KEYS: &[&str] = &[
    "min_oos_sharpe",
    "max_drawdown",
    "win_rate_tolerance",
    "min_trades",
    "min_dsr",
    "max_pbo",
    "require_lookahead_pass",
];

/// The thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Stitched out-of-sample Sharpe must exceed this.
    pub min_oos_sharpe: f64,
    /// Out-of-sample max drawdown must stay below this.
    pub max_drawdown: f64,
    /// `|win rate - claimed|` at most this, when a win rate is claimed.
    pub win_rate_tolerance: f64,
    /// Out-of-sample closed trades, at least.
    pub min_trades: usize,
    /// Deflated Sharpe Ratio, at least.
    pub min_dsr: f64,
    /// Probability of Backtest Overfitting, at most.
    pub max_pbo: f64,
    /// The look-ahead guard must pass.
    pub require_lookahead_pass: bool,
}

impl Default for Policy {
    /// The desk's policy.
    fn default() -> Self {
        Policy {
            min_oos_sharpe: 1.0,
            max_drawdown: 0.15,
            win_rate_tolerance: 0.05,
            min_trades: 30,
            min_dsr: 0.95,
            max_pbo: 0.5,
            require_lookahead_pass: true,
        }
    }
}

impl Policy {
    /// This policy with `o`'s keys applied.
    pub fn with(mut self, o: &GateOverrides) -> Policy {
        self.min_oos_sharpe = o.min_oos_sharpe.unwrap_or(self.min_oos_sharpe);
        self.max_drawdown = o.max_drawdown.unwrap_or(self.max_drawdown);
        self.win_rate_tolerance = o.win_rate_tolerance.unwrap_or(self.win_rate_tolerance);
        self.min_trades = o.min_trades.unwrap_or(self.min_trades);
        self.min_dsr = o.min_dsr.unwrap_or(self.min_dsr);
        self.max_pbo = o.max_pbo.unwrap_or(self.max_pbo);
        self.require_lookahead_pass = o
            .require_lookahead_pass
            .unwrap_or(self.require_lookahead_pass);
        self
    }
}

/// Some of a policy's keys: one layer (a policy file, a spec's `[gate]` table).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct GateOverrides {
    /// Stitched out-of-sample Sharpe must exceed this.
    pub min_oos_sharpe: Option<f64>,
    /// Out-of-sample max drawdown must stay below this.
    pub max_drawdown: Option<f64>,
    /// `|win rate - claimed|` at most this.
    pub win_rate_tolerance: Option<f64>,
    /// Out-of-sample closed trades at least this.
    pub min_trades: Option<usize>,
    /// Deflated Sharpe Ratio at least this.
    pub min_dsr: Option<f64>,
    /// Probability of Backtest Overfitting at most this.
    pub max_pbo: Option<f64>,
    /// The look-ahead guard must pass.
    pub require_lookahead_pass: Option<bool>,
}

/// A policy file that could not be accepted: every problem, each with its key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {count} problem{s} in the policy{list}",
    path = .path.display(),
    count = .problems.len(),
    s = if .problems.len() == 1 { "" } else { "s" },
    list = .problems.iter().map(|(k, p)| format!("\n  {}: key '{k}': {p}", .path.display())).collect::<String>())]
pub struct PolicyError {
    /// The policy file.
    pub path: PathBuf,
    /// `(key, what is wrong)`.
    pub problems: Vec<(String, String)>,
}

impl GateOverrides {
    /// Reads the policy file at `path` (keys at the top level, as in `strategies/gate.toml`).
    pub fn load(path: &Path) -> Result<GateOverrides, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            path: path.to_path_buf(),
            problems: vec![("(file)".into(), format!("cannot read: {e}"))],
        })?;
        GateOverrides::parse(&text, path)
    }

    /// Checks the TOML `text` of the policy file at `path`.
    pub fn parse(text: &str, path: &Path) -> Result<GateOverrides, PolicyError> {
        let fail = |problems| PolicyError {
            path: path.to_path_buf(),
            problems,
        };
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| fail(vec![("(syntax)".into(), e.to_string().trim().to_string())]))?;
        let mut r = Reader::default();
        r.unknown(&table, "", POLICY_KEYS);
        let overrides = read_overrides(&mut r, &table, "");
        if r.problems.is_empty() {
            Ok(overrides)
        } else {
            Err(fail(r.problems))
        }
    }
}

/// A policy built in layers, each recorded with where it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyStack {
    /// `(source, its keys)`, applied in order over the desk's policy.
    pub layers: Vec<(String, GateOverrides)>,
}

impl PolicyStack {
    /// Adds a layer over the others.
    pub fn push(&mut self, source: impl Into<String>, keys: GateOverrides) {
        self.layers.push((source.into(), keys));
    }

    /// The desk's policy with every layer applied.
    pub fn resolve(&self) -> Policy {
        self.layers
            .iter()
            .fold(Policy::default(), |p, (_, keys)| p.with(keys))
    }

    /// Where the policy came from, oldest layer first.
    pub fn sources(&self) -> Vec<String> {
        std::iter::once("desk defaults (built in)".to_string())
            .chain(self.layers.iter().map(|(s, _)| s.clone()))
            .collect()
    }
}

/// Reads the policy keys of `table`; `prefix` is prepended to the keys in problems.
pub(crate) fn read_overrides(r: &mut Reader, table: &toml::Table, prefix: &str) -> GateOverrides {
    let key = |k: &str| format!("{prefix}{k}");
    GateOverrides {
        min_oos_sharpe: r.number(table, "min_oos_sharpe", &key("min_oos_sharpe"), -1e9, 1e9),
        max_drawdown: r.number(table, "max_drawdown", &key("max_drawdown"), 0.0, 1.0),
        win_rate_tolerance: r.number(
            table,
            "win_rate_tolerance",
            &key("win_rate_tolerance"),
            0.0,
            1.0,
        ),
        min_trades: r.count(table, "min_trades", &key("min_trades"), 0),
        min_dsr: r.number(table, "min_dsr", &key("min_dsr"), 0.0, 1.0),
        max_pbo: r.number(table, "max_pbo", &key("max_pbo"), 0.0, 1.0),
        require_lookahead_pass: r.bool(
            table,
            "require_lookahead_pass",
            &key("require_lookahead_pass"),
        ),
    }
}

/// The figures of a validation the gate looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct GateInputs {
    /// Stitched out-of-sample Sharpe (annualized).
    pub oos_sharpe: Stat,
    /// Stitched out-of-sample max drawdown, a positive fraction.
    pub max_drawdown: f64,
    /// Out-of-sample closed trades.
    pub trades: usize,
    /// Out-of-sample win rate.
    pub win_rate: Stat,
    /// Its 95% Wilson interval.
    pub win_rate_interval: Interval,
    /// The desk's claim `(low, high)`, when there is one.
    pub claimed_win_rate: Option<(f64, f64)>,
    /// Deflated Sharpe Ratio.
    pub dsr: Stat,
    /// Probability of Backtest Overfitting.
    pub pbo: Stat,
    /// Chosen parameter sets put through the look-ahead guard.
    pub lookahead_checked: usize,
    /// True when none of them looked ahead.
    pub lookahead_passed: bool,
}

impl GateInputs {
    /// The gate's figures of `validation`.
    pub fn of(validation: &Validation) -> GateInputs {
        let oos = &validation.out_of_sample;
        GateInputs {
            oos_sharpe: oos.performance.sharpe,
            max_drawdown: oos.performance.max_drawdown,
            trades: oos.trades.trades,
            win_rate: oos.trades.win_rate,
            win_rate_interval: oos.trades.win_rate_wilson,
            claimed_win_rate: validation.claim.as_ref().map(|c| c.claimed),
            dsr: oos.deflated.dsr,
            pbo: validation.pbo.pbo,
            lookahead_checked: validation.lookahead.len(),
            lookahead_passed: validation.lookahead.iter().all(|l| l.passed),
        }
    }
}

/// One check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// The measured value.
    pub value: Stat,
    /// The threshold.
    pub threshold: f64,
    /// How value and threshold compare when the check passes: `>`, `>=`, `<`, `<=`.
    pub comparison: String,
    /// Whether it passed (an undefined value never passes).
    pub pass: bool,
    /// The check in words, e.g. "win rate 0.47 [0.41, 0.53] vs claimed 0.90: outside ±5 points".
    pub explanation: String,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The policy applied.
    pub policy: Policy,
    /// Every check.
    pub checks: Vec<Check>,
    /// True when every check passed.
    pub pass: bool,
}

impl Verdict {
    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

fn check(name: &str, value: Stat, threshold: f64, comparison: &str) -> Check {
    let pass = value.value().is_some_and(|v| match comparison {
        ">" => v > threshold,
        ">=" => v >= threshold,
        "<" => v < threshold,
        _ => v <= threshold,
    });
    Check {
        name: name.to_string(),
        value,
        threshold,
        comparison: comparison.to_string(),
        pass,
        explanation: String::new(),
    }
}

/// `x` with two decimals, or `undefined (reason)`.
fn figure(stat: Stat) -> String {
    match stat {
        Stat::Value(x) => format!("{x:.2}"),
        Stat::Undefined(why) => format!("undefined ({})", why.code()),
    }
}

/// `0.21 below 0.95`, or for a figure without a value `undefined (reason), so not shown at
/// least 0.95`: an undefined figure fails its check, but it is neither below nor above.
fn against(stat: Stat, pass: bool, (passing, failing): (&str, &str), threshold: f64) -> String {
    match stat {
        Stat::Value(_) => format!(
            "{} {} {threshold:.2}",
            figure(stat),
            if pass { passing } else { failing }
        ),
        Stat::Undefined(_) => format!("{}, so not shown {passing} {threshold:.2}", figure(stat)),
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Applies `policy` to the figures of a validation.
pub fn apply(policy: Policy, inputs: &GateInputs) -> Verdict {
    let mut checks = Vec::new();

    let mut c = check("oos_sharpe", inputs.oos_sharpe, policy.min_oos_sharpe, ">");
    c.explanation = format!(
        "out-of-sample Sharpe {}",
        against(
            inputs.oos_sharpe,
            c.pass,
            ("above", "not above"),
            policy.min_oos_sharpe
        )
    );
    checks.push(c);

    let mut c = check(
        "max_drawdown",
        Stat::Value(inputs.max_drawdown),
        policy.max_drawdown,
        "<",
    );
    c.explanation = format!(
        "out-of-sample max drawdown {} {} {}",
        percent(inputs.max_drawdown),
        if c.pass { "below" } else { "not below" },
        percent(policy.max_drawdown)
    );
    checks.push(c);

    if let Some((low, high)) = inputs.claimed_win_rate {
        // Distance from the measured rate to the claim (0 inside a claimed range).
        let distance = inputs.win_rate.map(|w| {
            if w < low {
                low - w
            } else {
                (w - high).max(0.0)
            }
        });
        let mut c = check(
            "win_rate_vs_claim",
            distance,
            policy.win_rate_tolerance,
            "<=",
        );
        // A distance equal to the tolerance passes whatever the rounding of the subtraction
        // (0.90 - 0.85 is 0.05000000000000004 in binary).
        c.pass = distance
            .value()
            .is_some_and(|d| d <= policy.win_rate_tolerance + TOLERANCE_SLACK);
        let claimed = if low == high {
            format!("{low:.2}")
        } else {
            format!("{low:.2}-{high:.2}")
        };
        let (interval, inside) = match (
            inputs.win_rate_interval.low.value(),
            inputs.win_rate_interval.high.value(),
        ) {
            (Some(lo), Some(hi)) => (
                format!(" [{lo:.2}, {hi:.2}]"),
                if low <= hi && high >= lo {
                    "; the claim is inside the 95% interval"
                } else {
                    "; the claim is outside the 95% interval"
                },
            ),
            _ => (String::new(), ""),
        };
        c.explanation = format!(
            "win rate {}{interval} vs claimed {claimed}: {} ±{:.0} points{inside}",
            figure(inputs.win_rate),
            if c.pass { "within" } else { "outside" },
            policy.win_rate_tolerance * 100.0
        );
        checks.push(c);
    }

    let mut c = check(
        "min_trades",
        Stat::Value(inputs.trades as f64),
        policy.min_trades as f64,
        ">=",
    );
    c.explanation = format!(
        "{} out-of-sample closed trades, {} needed",
        inputs.trades, policy.min_trades
    );
    checks.push(c);

    let mut c = check("dsr", inputs.dsr, policy.min_dsr, ">=");
    c.explanation = format!(
        "Deflated Sharpe Ratio {}",
        against(inputs.dsr, c.pass, ("at least", "below"), policy.min_dsr)
    );
    checks.push(c);

    let mut c = check("pbo", inputs.pbo, policy.max_pbo, "<=");
    c.explanation = format!(
        "Probability of Backtest Overfitting {}",
        against(inputs.pbo, c.pass, ("at most", "above"), policy.max_pbo)
    );
    checks.push(c);

    if policy.require_lookahead_pass {
        // Nothing checked is not a pass: a validation that chose no parameter set has not
        // shown that the strategy does not peek.
        let n = inputs.lookahead_checked;
        let passed = inputs.lookahead_passed && n > 0;
        checks.push(Check {
            name: "lookahead".to_string(),
            value: Stat::Value(if passed { 1.0 } else { 0.0 }),
            threshold: 1.0,
            comparison: ">=".to_string(),
            pass: passed,
            explanation: if n == 0 {
                "look-ahead guard not run: no fold chose a parameter set".to_string()
            } else {
                format!(
                    "look-ahead guard {} on the {n} chosen parameter set{}",
                    if passed { "passed" } else { "FAILED" },
                    if n == 1 { "" } else { "s" }
                )
            },
        });
    }
    Verdict {
        policy,
        pass: checks.iter().all(|c| c.pass),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stat::Undefined;

    fn inputs() -> GateInputs {
        GateInputs {
            oos_sharpe: Stat::Value(1.2),
            max_drawdown: 0.10,
            trades: 40,
            win_rate: Stat::Value(0.47),
            win_rate_interval: Interval::new(0.41, 0.53),
            claimed_win_rate: Some((0.90, 0.90)),
            dsr: Stat::Value(0.97),
            pbo: Stat::Value(0.2),
            lookahead_checked: 3,
            lookahead_passed: true,
        }
    }

    #[test]
    fn every_check_is_reported_with_its_words() {
        let v = apply(Policy::default(), &inputs());
        let names: Vec<&str> = v.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "oos_sharpe",
                "max_drawdown",
                "win_rate_vs_claim",
                "min_trades",
                "dsr",
                "pbo",
                "lookahead"
            ]
        );
        // Only the claim fails: |0.47 - 0.90| = 0.43 > 0.05.
        let failed: Vec<&str> = v.failed().map(|c| c.name.as_str()).collect();
        assert_eq!(failed, ["win_rate_vs_claim"]);
        assert!(!v.pass);
        let claim = &v.checks[2];
        assert!((claim.value.value().expect("defined") - 0.43).abs() < 1e-12);
        assert_eq!(
            claim.explanation,
            "win rate 0.47 [0.41, 0.53] vs claimed 0.90: outside ±5 points; the claim is outside the 95% interval"
        );
    }

    #[test]
    fn a_win_rate_exactly_at_the_tolerance_passes() {
        // 17 of 20 = 0.85 against a claimed 0.90, tolerance 0.05: 0.90 - 0.85 rounds above 0.05.
        let mut i = inputs();
        i.win_rate = Stat::Value(17.0 / 20.0);
        i.claimed_win_rate = Some((0.90, 0.90));
        let v = apply(Policy::default(), &i);
        assert!(v.checks[2].pass, "{:?}", v.checks[2]);
        i.win_rate = Stat::Value(16.0 / 20.0);
        assert!(!apply(Policy::default(), &i).checks[2].pass);
    }

    #[test]
    fn a_lookahead_check_of_nothing_fails() {
        let mut i = inputs();
        i.lookahead_checked = 0;
        let v = apply(Policy::default(), &i);
        let c = v.checks.last().expect("checks");
        assert_eq!((c.name.as_str(), c.pass), ("lookahead", false));
        assert_eq!(
            c.explanation,
            "look-ahead guard not run: no fold chose a parameter set"
        );
    }

    #[test]
    fn a_claimed_range_counts_zero_distance_inside_it() {
        let mut i = inputs();
        i.claimed_win_rate = Some((0.45, 0.50));
        let v = apply(Policy::default(), &i);
        assert_eq!(v.checks[2].value, Stat::Value(0.0));
        assert!(v.pass);
    }

    #[test]
    fn an_undefined_figure_never_passes() {
        let mut i = inputs();
        i.oos_sharpe = Stat::Undefined(Undefined::ZeroVariance);
        let v = apply(Policy::default(), &i);
        assert!(!v.checks[0].pass);
        assert_eq!(
            v.checks[0].explanation,
            "out-of-sample Sharpe undefined (zero_variance), so not shown above 1.00"
        );
        // A single trial leaves the DSR and PBO without a value: neither below nor above.
        i.dsr = Stat::Undefined(Undefined::SingleTrial);
        i.pbo = Stat::Undefined(Undefined::SingleTrial);
        let v = apply(Policy::default(), &i);
        let said = |name: &str| {
            v.checks
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.explanation.clone())
        };
        assert_eq!(
            said("dsr").as_deref(),
            Some("Deflated Sharpe Ratio undefined (single_trial), so not shown at least 0.95")
        );
        assert_eq!(
            said("pbo").as_deref(),
            Some(
                "Probability of Backtest Overfitting undefined (single_trial), so not shown at \
                 most 0.50"
            )
        );
    }

    #[test]
    fn thresholds_are_strict_where_the_policy_says_so() {
        // Sharpe must exceed, drawdown stay below: equal values fail; trades and DSR may equal.
        let mut i = inputs();
        i.oos_sharpe = Stat::Value(1.0);
        i.max_drawdown = 0.15;
        i.trades = 30;
        i.dsr = Stat::Value(0.95);
        i.pbo = Stat::Value(0.5);
        i.claimed_win_rate = None;
        let v = apply(Policy::default(), &i);
        let pass: Vec<(&str, bool)> = v.checks.iter().map(|c| (c.name.as_str(), c.pass)).collect();
        assert_eq!(
            pass,
            [
                ("oos_sharpe", false),
                ("max_drawdown", false),
                ("min_trades", true),
                ("dsr", true),
                ("pbo", true),
                ("lookahead", true)
            ]
        );
    }

    #[test]
    fn policy_layers_override_only_the_keys_they_name() {
        let file =
            GateOverrides::parse("min_trades = 10\n", Path::new("p.toml")).expect("valid policy");
        let run =
            GateOverrides::parse("max_pbo = 0.25\n", Path::new("q.toml")).expect("valid policy");
        let p = Policy::default().with(&file).with(&run);
        assert_eq!(p.min_trades, 10);
        assert_eq!(p.max_pbo, 0.25);
        assert_eq!(p.min_oos_sharpe, 1.0);
    }

    #[test]
    fn a_bad_policy_names_every_key() {
        let e = GateOverrides::parse(
            "min_sharpe = 1\nmax_drawdown = 2\nmin_trades = -1\n",
            Path::new("p.toml"),
        )
        .expect_err("three bad keys");
        let keys: Vec<&str> = e.problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["min_sharpe", "max_drawdown", "min_trades"]);
        assert!(
            e.to_string()
                .contains("p.toml: key 'min_sharpe': unknown key")
        );
    }
}
