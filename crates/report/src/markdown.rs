//! `report.md`: a one-page summary that reads well in a pull request or a terminal.

use std::fmt::Write as _;

use gauntlet_validate::Validation;

use crate::document::{GateRecord, StrategyRecord};
use crate::headline;
use crate::text::{check_value, markdown as md};

/// The page for `validation` with the gate's `gate` and the spec's `description`.
///
/// Every text a user wrote (the spec's name and description, data file names, policy sources)
/// goes through [`md`], which keeps it on one line and escapes its markup; none of it starts a
/// line, so none can open a block (a list, a fence, a heading).
pub fn render(validation: &Validation, gate: &GateRecord, description: &str) -> String {
    let v = validation;
    let strategy = StrategyRecord::of(&v.strategy);
    let mut out = String::new();
    let verdict = if gate.verdict.pass { "PASS" } else { "FAIL" };
    let _ = writeln!(out, "# {}: {verdict}\n", md(&v.spec));
    // Shown in full, however long, as one paragraph.
    if !description.is_empty() {
        let _ = writeln!(out, "Description: {}\n", md(description));
    }
    let _ = writeln!(
        out,
        "Strategy `{}` version {} (code {}), on {}; {} bars from {} to {}.\n",
        v.strategy,
        strategy.version,
        strategy.fingerprint.get(..12).unwrap_or(""),
        v.data
            .iter()
            .map(|d| format!(
                "{} (a path from the spec's folder; {} bars, sha256 {})",
                md(&d.path),
                d.bars,
                d.fingerprint.get(..12).unwrap_or("")
            ))
            .collect::<Vec<_>>()
            .join(", "),
        v.plan.bars,
        v.plan
            .folds
            .first()
            .and_then(|f| f.train.first())
            .map_or("", |w| w.first.as_str()),
        v.plan
            .folds
            .last()
            .and_then(|f| f.test.last())
            .map_or("", |w| w.last.as_str()),
    );
    let _ = writeln!(
        out,
        "Split: {}, {} fold{}. Grid: {} parameter sets ({} rejected by the strategy). Objective: {}, with at least {} in-sample trades.\n",
        v.plan.resolved.describe(),
        v.plan.folds.len(),
        if v.plan.folds.len() == 1 { "" } else { "s" },
        v.grid.sets,
        v.grid.rejected,
        v.objective.name(),
        v.min_trades,
    );

    let _ = writeln!(out, "## Gate\n");
    let _ = writeln!(out, "| check | value | needed | result | in words |");
    let _ = writeln!(out, "|---|---:|---|---|---|");
    for c in &gate.verdict.checks {
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} | {} |",
            c.name,
            check_value(c.value),
            md(&c.comparison),
            c.threshold,
            if c.pass { "✅ pass" } else { "❌ FAIL" },
            md(&c.explanation)
        );
    }
    let _ = writeln!(
        out,
        "\nPolicy: {}.\n",
        gate.policy_sources
            .iter()
            .map(|s| md(s))
            .collect::<Vec<_>>()
            .join(" ← ")
    );

    let _ = writeln!(out, "## Out of sample, stitched\n");
    let _ = writeln!(out, "| measure | value |");
    let _ = writeln!(out, "|---|---:|");
    let rows = headline::measures(v);
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }

    let _ = writeln!(out, "\n## Folds\n");
    let _ = writeln!(
        out,
        "| fold | tested | chosen parameters | in-sample {} | OOS Sharpe | OOS return | OOS trades |",
        v.objective.label()
    );
    let _ = writeln!(out, "|---:|---|---|---:|---:|---:|---:|");
    let folds = headline::folds(v);
    for f in &folds {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.fold,
            f.tested,
            md(&f.parameters),
            f.in_sample_objective,
            f.sharpe,
            f.total_return,
            f.trades
        );
    }
    for (label, text) in headline::notes(v) {
        let _ = writeln!(out, "\n{label}: {}", md(&text));
    }
    let _ = writeln!(
        out,
        "\nCharts: `report.html`. Tables: `trades.parquet`, `equity.parquet`, `folds.parquet`, `trials.parquet`. Machine record: `report.json`."
    );
    out
}
