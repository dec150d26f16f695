//! The files a backtest writes: `trades.csv`, `equity.csv`, `orders.csv` and `report.json`.
//!
//! `report.json` holds only what the inputs determine (no clock time, no host), with keys in a
//! fixed order, so the same inputs give the same bytes.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use gauntlet_data::atomic::StagedDir;
use gauntlet_data::timestamp::TsFormat;
use gauntlet_data::{BarSeries, Panel};
use gauntlet_engine::{BacktestResult, CostModel, Summary};
use gauntlet_risk::{OrderKind, RiskConfig};
use gauntlet_strategy::{ParamValue, Params};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// One input file, as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DataEntry {
    pub path: String,
    pub symbol: String,
    pub bars: usize,
    pub first: String,
    pub last: String,
    pub fingerprint: String,
}

impl DataEntry {
    pub fn of(path: &Path, bars: &BarSeries) -> DataEntry {
        let format = TsFormat::for_series(bars.ts());
        DataEntry {
            path: path.display().to_string(),
            symbol: bars.symbol().to_string(),
            bars: bars.len(),
            first: format.format(bars.ts()[0]),
            last: format.format(bars.ts()[bars.len() - 1]),
            fingerprint: bars.fingerprint(),
        }
    }
}

/// What was run, for the report and the summary.
pub struct RunSetup<'a> {
    pub strategy: &'a str,
    pub params: &'a Params,
    pub warmup: usize,
    pub data: &'a [DataEntry],
    pub symbols: Vec<&'a str>,
    pub risk: &'a RiskConfig,
    pub risk_source: &'a str,
    pub costs: &'a CostModel,
    pub fractional: bool,
    pub initial_capital: f64,
}

/// Writes the four files into `out`, whole or not at all.
pub fn write_backtest(
    out: &Path,
    setup: &RunSetup<'_>,
    panel: &Panel,
    result: &BacktestResult,
    summary: &Summary,
) -> Result<()> {
    let staged = StagedDir::new(out)?;
    let dir = staged.path();
    let format = TsFormat::for_series(panel.ts());
    let ts = |bar: usize| format.format(panel.ts()[bar]);
    let symbol = |s: usize| setup.symbols[s];

    let mut trades = csv::Writer::from_path(dir.join("trades.csv"))?;
    trades.write_record([
        "symbol",
        "side",
        "entry_ts",
        "entry_price",
        "exit_ts",
        "exit_price",
        "quantity",
        "fees",
        "pnl",
        "return_pct",
        "bars_held",
    ])?;
    for t in &result.trades {
        trades.write_record([
            symbol(t.symbol).to_string(),
            if t.long { "long" } else { "short" }.to_string(),
            ts(t.entry_bar),
            t.entry_price.to_string(),
            ts(t.exit_bar),
            t.exit_price.to_string(),
            t.quantity.to_string(),
            t.fees.to_string(),
            t.pnl.to_string(),
            (t.return_fraction() * 100.0).to_string(),
            t.bars_held().to_string(),
        ])?;
    }
    trades.flush()?;

    let mut equity = std::io::BufWriter::new(std::fs::File::create(dir.join("equity.csv"))?);
    writeln!(equity, "ts,equity,drawdown")?;
    let mut peak = f64::NEG_INFINITY;
    for (bar, &e) in result.equity.iter().enumerate() {
        peak = peak.max(e);
        writeln!(equity, "{},{},{}", ts(bar), e, 1.0 - e / peak)?;
    }
    equity.flush()?;

    let mut orders = csv::Writer::from_path(dir.join("orders.csv"))?;
    orders.write_record([
        "id",
        "created_ts",
        "symbol",
        "side",
        "kind",
        "level",
        "purpose",
        "status",
        "reason",
        "closed_ts",
        "fill_quantity",
        "fill_price",
        "fee",
    ])?;
    // An order fills at most once: index the fills by order id.
    let mut fill_of = vec![None; result.orders.len()];
    for f in &result.fills {
        if let Some(slot) = fill_of.get_mut(f.order_id as usize) {
            *slot = Some(f);
        }
    }
    for o in &result.orders {
        let (kind, level) = match o.kind {
            OrderKind::Market => ("market", String::new()),
            OrderKind::Limit(p) => ("limit", p.to_string()),
            OrderKind::Stop(p) => ("stop", p.to_string()),
        };
        let fill = fill_of.get(o.id as usize).copied().flatten();
        orders.write_record([
            o.id.to_string(),
            ts(o.created_bar),
            symbol(o.symbol).to_string(),
            o.side.as_str().to_string(),
            kind.to_string(),
            level,
            o.purpose.as_str().to_string(),
            o.status.as_str().to_string(),
            o.status.reason().to_string(),
            o.closed_bar.map(ts).unwrap_or_default(),
            fill.map(|f| f.quantity.to_string()).unwrap_or_default(),
            fill.map(|f| f.price.to_string()).unwrap_or_default(),
            fill.map(|f| f.fee.to_string()).unwrap_or_default(),
        ])?;
    }
    orders.flush()?;

    let report = report_json(setup, result, summary, &ts);
    let mut file = std::fs::File::create(dir.join("report.json"))?;
    serde_json::to_writer_pretty(&mut file, &report)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    staged.commit()?;
    Ok(())
}

fn param_json(value: ParamValue) -> Value {
    match value {
        ParamValue::Int(v) => json!(v),
        ParamValue::Float(v) => json!(v),
        ParamValue::Bool(v) => json!(v),
        ParamValue::Choice(v) => json!(v),
    }
}

fn report_json(
    setup: &RunSetup<'_>,
    result: &BacktestResult,
    summary: &Summary,
    ts: &dyn Fn(usize) -> String,
) -> Value {
    let params: Map<String, Value> = setup
        .params
        .iter()
        .map(|(name, value)| (name.to_string(), param_json(value)))
        .collect();
    let open: Vec<Value> = result
        .open_positions
        .iter()
        .map(|p| {
            json!({
                "symbol": setup.symbols[p.symbol],
                "quantity": p.quantity,
                "entry_ts": ts(p.entry_bar),
                "entry_price": p.entry_price,
            })
        })
        .collect();
    json!({
        "schema_version": 1,
        "kind": "backtest",
        "tool": { "name": "gauntlet", "version": env!("CARGO_PKG_VERSION") },
        "strategy": { "name": setup.strategy, "params": params, "warmup_bars": setup.warmup },
        "data": setup.data,
        "risk": { "source": setup.risk_source, "config": setup.risk },
        "costs": setup.costs,
        "engine": {
            "initial_capital": setup.initial_capital,
            "fractional_shares": setup.fractional,
            "fills": "market orders at the next bar's open; stops and limits inside the next bar's range, at the open on a gap",
        },
        "summary": summary,
        "open_positions": open,
        "halts": result.halts,
        "refused_intents": result.refusals.len(),
        "strategy_errors": result.failures.len(),
    })
}
