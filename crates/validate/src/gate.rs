//! The gate: thresholds a validation must meet before a strategy may be promoted. The default
//! policy is the desk's; a spec's `[gate]` table overrides any of it. Every check is reported,
//! not only the first to fail.

use serde::Serialize;

use crate::outcome::Validation;
use crate::spec::GateOverrides;
use crate::stat::Stat;

/// The thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
    /// This policy with a spec's overrides applied.
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

/// One check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// The measured value.
    pub value: Stat,
    /// The threshold.
    pub threshold: f64,
    /// How value and threshold compare when the check passes: `>`, `>=`, `<`, `<=`.
    pub comparison: &'static str,
    /// Whether it passed (an undefined value never passes).
    pub pass: bool,
    /// Extra context (e.g. whether the claim lies inside the interval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The policy applied.
    pub policy: Policy,
    /// Every check.
    pub checks: Vec<Check>,
    /// True when every check passed.
    pub pass: bool,
}

fn check(name: &'static str, value: Stat, threshold: f64, comparison: &'static str) -> Check {
    let pass = value.value().is_some_and(|v| match comparison {
        ">" => v > threshold,
        ">=" => v >= threshold,
        "<" => v < threshold,
        _ => v <= threshold,
    });
    Check {
        name,
        value,
        threshold,
        comparison,
        pass,
        note: None,
    }
}

/// Applies `policy` to `validation`.
pub fn apply(policy: Policy, validation: &Validation) -> Verdict {
    let oos = &validation.out_of_sample;
    let mut checks = vec![
        check(
            "oos_sharpe",
            oos.performance.sharpe,
            policy.min_oos_sharpe,
            ">",
        ),
        check(
            "max_drawdown",
            Stat::Value(oos.performance.max_drawdown),
            policy.max_drawdown,
            "<",
        ),
    ];
    if let Some(claim) = &validation.claim {
        let (low, high) = claim.claimed;
        // Distance from the measured rate to the claim (0 inside a claimed range).
        let distance = claim.measured.map(|w| {
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
        c.note = Some(format!(
            "claimed {}; the claim is {} the 95% Wilson interval",
            if low == high {
                format!("{:.2}", low)
            } else {
                format!("{low:.2}-{high:.2}")
            },
            if claim.inside_wilson_interval {
                "inside"
            } else {
                "outside"
            }
        ));
        checks.push(c);
    }
    checks.push(check(
        "min_trades",
        Stat::Value(oos.trades.trades as f64),
        policy.min_trades as f64,
        ">=",
    ));
    checks.push(check("dsr", oos.deflated.dsr, policy.min_dsr, ">="));
    checks.push(check("pbo", validation.pbo.pbo, policy.max_pbo, "<="));
    if policy.require_lookahead_pass {
        let passed = validation.lookahead.iter().all(|l| l.passed);
        checks.push(Check {
            name: "lookahead",
            value: Stat::Value(if passed { 1.0 } else { 0.0 }),
            threshold: 1.0,
            comparison: ">=",
            pass: passed,
            note: Some(format!(
                "{} chosen parameter set{} checked",
                validation.lookahead.len(),
                if validation.lookahead.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )),
        });
    }
    Verdict {
        policy,
        pass: checks.iter().all(|c| c.pass),
        checks,
    }
}
