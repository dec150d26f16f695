//! The figures both pages show, worded once: the stitched out-of-sample measures and each
//! fold's row. Each page escapes them for its own format.

use gauntlet_validate::outcome::{FoldOutcome, FoldWindows};
use gauntlet_validate::{Stat, Validation};

use crate::text::{claimed, interval, number, percent, percent_interval};

/// `(measure, value)` of the stitched out-of-sample history.
pub fn measures(v: &Validation) -> Vec<(&'static str, String)> {
    let oos = &v.out_of_sample;
    let p = &oos.performance;
    let claim = v.claim.as_ref().map_or(String::new(), |c| {
        format!(", claimed {}", claimed(c.claimed))
    });
    vec![
        (
            "Sharpe (annualized) [95% bootstrap]",
            format!(
                "{} {}",
                number(p.sharpe, 2),
                interval(
                    oos.sharpe_bootstrap.interval.low,
                    oos.sharpe_bootstrap.interval.high,
                    2
                )
            ),
        ),
        ("Sortino", number(p.sortino, 2)),
        ("total return", percent(Stat::Value(p.total_return))),
        ("CAGR", percent(p.cagr)),
        ("max drawdown", percent(Stat::Value(p.max_drawdown))),
        ("Calmar", number(p.calmar, 2)),
        (
            "beta / correlation to benchmark",
            format!("{} / {}", number(p.beta, 2), number(p.correlation, 2)),
        ),
        ("closed trades (round trips)", oos.trades.trades.to_string()),
        (
            "win rate [95% Wilson]",
            format!(
                "{} {}{claim}",
                percent(oos.trades.win_rate),
                percent_interval(
                    oos.trades.win_rate_wilson.low,
                    oos.trades.win_rate_wilson.high
                ),
            ),
        ),
        (
            "closed by a test window's end",
            format!(
                "{} of {}; the {} the strategy closed won {} {}",
                oos.closed_at_window_end,
                oos.trades.trades,
                oos.trades_closed_by_strategy.trades,
                percent(oos.trades_closed_by_strategy.win_rate),
                percent_interval(
                    oos.trades_closed_by_strategy.win_rate_wilson.low,
                    oos.trades_closed_by_strategy.win_rate_wilson.high
                ),
            ),
        ),
        ("profit factor", number(oos.trades.profit_factor, 2)),
        ("exposure", percent(Stat::Value(oos.exposure))),
        ("Probabilistic Sharpe Ratio (vs 0)", number(oos.psr, 3)),
        (
            "Deflated Sharpe Ratio",
            format!(
                "{} ({} trials)",
                number(oos.deflated.dsr, 3),
                oos.deflated.trials
            ),
        ),
        (
            "Probability of Backtest Overfitting",
            format!("{} ({} splits)", number(v.pbo.pbo, 3), v.pbo.logits.len()),
        ),
        (
            "walk-forward efficiency",
            number(v.walk_forward_efficiency, 2),
        ),
    ]
}

/// One fold as the pages list it.
pub struct FoldRow {
    /// Fold number.
    pub fold: usize,
    /// `first to last` date of its test windows.
    pub tested: String,
    /// The chosen parameters, or "none eligible".
    pub parameters: String,
    /// The chosen set's in-sample objective.
    pub in_sample_objective: String,
    /// Out-of-sample Sharpe.
    pub sharpe: String,
    /// Out-of-sample total return.
    pub total_return: String,
    /// Out-of-sample closed trades.
    pub trades: usize,
}

/// Every fold's row, in fold order.
pub fn folds(v: &Validation) -> Vec<FoldRow> {
    v.folds
        .iter()
        .zip(&v.plan.folds)
        .map(|(f, w): (&FoldOutcome, &FoldWindows)| FoldRow {
            fold: f.fold,
            tested: match (w.test.first(), w.test.last()) {
                (Some(a), Some(b)) => format!("{} to {}", a.first, b.last),
                _ => String::new(),
            },
            parameters: f
                .parameters
                .as_ref()
                .map_or_else(|| "none eligible".to_string(), |p| p.label()),
            in_sample_objective: number(f.in_sample_objective, 2),
            sharpe: number(f.out_of_sample.sharpe, 2),
            total_return: percent(Stat::Value(f.out_of_sample.total_return)),
            trades: f.trades.trades,
        })
        .collect()
}

/// The sentences both pages add under the fold table, as `(label, text)`: idle test windows
/// (when there are any), how the searched parameters moved, and the look-ahead guard.
pub fn notes(v: &Validation) -> Vec<(&'static str, String)> {
    let mut notes = Vec::new();
    let idle = v.folds.iter().filter(|f| f.trades.trades == 0).count();
    if idle > 0 {
        // A flat stretch in the stitched curve is otherwise easy to read as a quiet market.
        notes.push((
            "Idle test windows",
            format!(
                "{idle} of {} closed no trade. Each starts flat, and a strategy that enters only \
                 on a fresh signal can wait out a whole window.",
                v.folds.len()
            ),
        ));
    }
    // A parameter the grid held at one value cannot move: saying it did not is noise.
    let searched = |name: &str| {
        let mut values = v.grid.parameters.iter().filter_map(|set| set.0.get(name));
        values
            .next()
            .is_some_and(|first| values.any(|other| other != first))
    };
    let stable: Vec<String> = v
        .parameter_stability
        .iter()
        .filter(|s| searched(&s.parameter))
        .map(|s| {
            format!(
                "{} took {} value{} (changed in {} of fold pairs)",
                s.parameter,
                s.distinct,
                if s.distinct == 1 { "" } else { "s" },
                percent(s.change_rate)
            )
        })
        .collect();
    if !stable.is_empty() {
        notes.push(("Parameter stability", format!("{}.", stable.join("; "))));
    }
    let peeked = v.lookahead.iter().filter(|l| !l.passed).count();
    notes.push((
        "Look-ahead guard",
        match (v.lookahead.len(), peeked) {
            (0, _) => "not run, no fold chose a parameter set.".to_string(),
            (n, 0) => format!("all {n} chosen parameter sets passed."),
            (n, k) => format!(
                "{k} of {n} chosen parameter sets changed a past decision when future bars \
                 were removed."
            ),
        },
    ));
    notes
}
