//! `report.html`: one self-contained page per validation (inline style, inline SVG charts, no
//! scripts, no fonts, nothing fetched), for a quant who would rather look than read.

use std::fmt::Write as _;

use gauntlet_strategy::ParamValue;
use gauntlet_validate::Validation;

use crate::charts::{self, ChartError, HeatMap};
use crate::document::{GateRecord, StrategyRecord};
use crate::headline;
use crate::tables::EquityCurve;
use crate::text::{check_value, html as esc, number};

const STYLE: &str = "body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}\
h1 .pass{color:#2ca02c}h1 .fail{color:#d62728}table{border-collapse:collapse;margin:1em 0}\
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}td.num{text-align:right}\
figure{margin:1.5em 0}figcaption{font-size:13px;color:#555;margin-top:4px}\
pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;font-size:13px}.ok{color:#2ca02c}.no{color:#d62728}\
h1,p{overflow-wrap:break-word}";

/// The page for `validation` with the gate's `gate`, its equity `curve`, the strategy's `rule`
/// and the spec's `description`.
///
/// Every text a user wrote (the spec's name and description, data file names, policy sources)
/// goes through [`esc`]; the charts hold no such text (their labels are the catalog's parameter
/// names and values), and plotters escapes what it writes into the SVG anyway.
pub fn render(
    validation: &Validation,
    gate: &GateRecord,
    curve: &EquityCurve,
    rule: &str,
    description: &str,
) -> Result<String, ChartError> {
    let v = validation;
    let strategy = StrategyRecord::of(&v.strategy);
    let mut out = String::new();
    let pass = gate.verdict.pass;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — gauntlet report</title><style>{STYLE}</style></head><body>\n",
        esc(&v.spec)
    );
    let _ = writeln!(
        out,
        "<h1>{} <span class=\"{}\">{}</span></h1>",
        esc(&v.spec),
        if pass { "pass" } else { "fail" },
        if pass { "PASS" } else { "FAIL" }
    );
    // Shown in full, however long: the page wraps it (`overflow-wrap` in the style).
    if !description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(description));
    }
    let _ = writeln!(
        out,
        "<p>Strategy <b>{}</b> version {} (code <code>{}</code>) on {}. {} with {} fold{}; {} parameter sets; objective {}.</p>",
        esc(&v.strategy),
        esc(&strategy.version),
        esc(strategy.fingerprint.get(..12).unwrap_or("")),
        v.data
            .iter()
            .map(|d| format!(
                "{} (a path from the spec's folder; {} bars)",
                esc(&d.path),
                d.bars
            ))
            .collect::<Vec<_>>()
            .join(", "),
        esc(&sentence(&v.plan.resolved.describe())),
        v.plan.folds.len(),
        if v.plan.folds.len() == 1 { "" } else { "s" },
        v.grid.sets,
        v.objective.name(),
    );

    let _ = writeln!(
        out,
        "<h2>Gate</h2>\n<table><tr><th>check</th><th>value</th><th>needed</th><th>result</th><th>in words</th></tr>"
    );
    for c in &gate.verdict.checks {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{} {}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            esc(&c.name),
            check_value(c.value),
            esc(&c.comparison),
            c.threshold,
            if c.pass { "ok" } else { "no" },
            if c.pass { "✔ pass" } else { "✘ FAIL" },
            esc(&c.explanation)
        );
    }
    let _ = writeln!(
        out,
        "</table>\n<p>Policy: {}.</p>",
        gate.policy_sources
            .iter()
            .map(|s| esc(s))
            .collect::<Vec<_>>()
            .join(" ← ")
    );

    let _ = writeln!(out, "<h2>Out of sample, stitched</h2>\n<table>");
    let rows = headline::measures(v);
    for (name, value) in rows {
        let _ = writeln!(
            out,
            "<tr><td>{name}</td><td class=\"num\">{}</td></tr>",
            esc(&value)
        );
    }
    let _ = writeln!(out, "</table>");

    figure(
        &mut out,
        charts::equity(
            &v.timestamps,
            &curve.equity,
            &curve.benchmark,
            &curve.drawdown,
        )?,
        "The out-of-sample segments of every fold, each traded with that fold's chosen parameters, compounded in time order from the starting capital; the benchmark is held over the same bars.",
    );
    let sharpes: Vec<Option<f64>> = v
        .folds
        .iter()
        .map(|f| f.out_of_sample.sharpe.value())
        .collect();
    figure(
        &mut out,
        charts::fold_sharpe(&sharpes, gate.verdict.policy.min_oos_sharpe)?,
        "Each fold's test window, traded with the parameters chosen on its training window. A fold with no bar drawn had no defined Sharpe ratio.",
    );
    let points: Vec<(f64, f64, bool)> = v
        .trials
        .iter()
        .filter_map(|t| {
            Some((
                t.in_sample_sharpe.value()?,
                t.out_of_sample_sharpe.value()?,
                v.chose(t),
            ))
        })
        .collect();
    figure(
        &mut out,
        charts::overfitting(&points)?,
        "The picture of overfitting: when the in-sample best sets land low out of sample, the in-sample ranking was luck.",
    );
    if let Some(map) = heat_map(v) {
        figure(
            &mut out,
            charts::heat_map(&map)?,
            "Each cell is one combination of the two parameters: the mean of its out-of-sample Sharpe ratios over the folds where it has one (a fold without a trade has none), and over any other parameter. Green above zero, red below. Grey: not tried.",
        );
    }
    let returns: Vec<f64> = v
        .trades
        .iter()
        .map(|t| t.return_fraction() * 100.0)
        .collect();
    figure(
        &mut out,
        charts::histogram(
            "Distribution of out-of-sample trade returns",
            "trade return, net of costs (% of entry notional)",
            "closed trades (legs and cuts)",
            &returns,
            30,
            Some((0.0, "break-even".to_string())),
        )?,
        "Net return of every closed out-of-sample trade, each leg and cut of a multi-symbol trade on its own.",
    );
    figure(
        &mut out,
        charts::histogram(
            "PBO: logit of the in-sample winner's out-of-sample rank",
            "logit λ = ln(w / (1 − w)), w = relative out-of-sample rank",
            "CSCV splits",
            &v.pbo.logits,
            25,
            Some((
                0.0,
                format!("λ ≤ 0: bottom half (PBO = {})", number(v.pbo.pbo, 3)),
            )),
        )?,
        "Combinatorially symmetric cross-validation (Bailey et al. 2015): the share of splits at or left of 0 is the Probability of Backtest Overfitting.",
    );

    let _ = writeln!(
        out,
        "<h2>Folds</h2>\n<table><tr><th>fold</th><th>tested</th><th>chosen parameters</th><th>in-sample {}</th><th>OOS Sharpe</th><th>OOS return</th><th>trades</th></tr>",
        esc(v.objective.label())
    );
    for f in headline::folds(v) {
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            f.fold,
            esc(&f.tested),
            esc(&f.parameters),
            f.in_sample_objective,
            f.sharpe,
            f.total_return,
            f.trades
        );
    }
    let _ = writeln!(out, "</table>");
    for (label, text) in headline::notes(v) {
        let _ = writeln!(out, "<p><b>{label}:</b> {}</p>", esc(&text));
    }
    let _ = writeln!(
        out,
        "<h2>The rule</h2>\n<pre>{}</pre>\n</body></html>",
        esc(&rule.replace("**", ""))
    );
    Ok(out)
}

fn figure(out: &mut String, svg: String, caption: &str) {
    let _ = writeln!(
        out,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    );
}

/// Mean out-of-sample Sharpe over folds for each pair of values of the grid's first two
/// parameters that vary (one row when only one varies); `None` when nothing varies.
fn heat_map(v: &Validation) -> Option<HeatMap<'static>> {
    let sets = &v.grid.parameters;
    // Each parameter's values in the grid, sorted; only those that vary make an axis.
    let axis = |name: &str| {
        let mut values: Vec<ParamValue> = Vec::new();
        for s in sets {
            if let Some(v) = s.0.get(name)
                && !values.contains(&v)
            {
                values.push(v);
            }
        }
        values.sort_by(|a, b| match (a, b) {
            (ParamValue::Int(a), ParamValue::Int(b)) => a.cmp(b),
            (ParamValue::Float(a), ParamValue::Float(b)) => a.total_cmp(b),
            _ => a.to_string().cmp(&b.to_string()),
        });
        values
    };
    let mut varying = sets
        .first()?
        .0
        .iter()
        .map(|(name, _)| (name, axis(name)))
        .filter(|(_, values)| values.len() > 1);
    let (x_name, xs) = varying.next()?;
    let (y_name, ys) = match varying.next() {
        Some((name, values)) => (Some(name), values),
        None => (None, Vec::new()),
    };
    let ny = ys.len().max(1);
    let mut sums = vec![vec![(0.0, 0usize); xs.len()]; ny];
    for t in &v.trials {
        let Some(s) = t.out_of_sample_sharpe.value() else {
            continue;
        };
        let set = &sets[t.set].0;
        let Some(i) = set
            .get(x_name)
            .and_then(|x| xs.iter().position(|v| *v == x))
        else {
            continue;
        };
        let j = match y_name {
            Some(y) => match set.get(y).and_then(|y| ys.iter().position(|v| *v == y)) {
                Some(j) => j,
                None => continue,
            },
            None => 0,
        };
        sums[j][i].0 += s;
        sums[j][i].1 += 1;
    }
    Some(HeatMap {
        measure: "mean out-of-sample Sharpe over folds",
        x: (x_name, xs.iter().map(|v| v.to_string()).collect()),
        y: (
            y_name.unwrap_or("(one parameter varies)"),
            if ys.is_empty() {
                vec![String::new()]
            } else {
                ys.iter().map(|v| v.to_string()).collect()
            },
        ),
        cells: sums
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(sum, n)| (n > 0).then(|| sum / n as f64))
                    .collect()
            })
            .collect(),
    })
}

/// `text` with its first letter capitalized, to open a sentence.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
