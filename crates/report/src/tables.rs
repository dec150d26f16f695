//! The tables for further analysis, written as Parquet with polars: `trades`, `equity` (the
//! stitched out-of-sample history), `folds` and `trials` (every parameter set in every fold).
//!
//! Times are `Datetime[ms]` without a time zone, holding UTC; undefined statistics are nulls.

use std::path::Path;

use gauntlet_strategy::ParamValue;
use gauntlet_validate::{Stat, Validation};
use polars::prelude::*;

/// The four tables of a validation, by file stem; `curve` is its equity curve.
pub fn all(
    validation: &Validation,
    curve: &EquityCurve,
) -> PolarsResult<Vec<(&'static str, DataFrame)>> {
    Ok(vec![
        ("trades", trades(validation)?),
        ("equity", equity(validation, curve)?),
        ("folds", folds(validation)?),
        ("trials", trials(validation)?),
    ])
}

/// Writes `frame` as `dir/NAME.parquet`.
pub fn write(dir: &Path, name: &str, frame: &mut DataFrame) -> PolarsResult<()> {
    let file = std::fs::File::create(dir.join(format!("{name}.parquet")))?;
    ParquetWriter::new(file).finish(frame)?;
    Ok(())
}

fn f64s(name: &str, values: Vec<f64>) -> Column {
    Float64Chunked::from_vec(name.into(), values)
        .into_series()
        .into_column()
}

fn stats(name: &str, values: impl Iterator<Item = Stat>) -> Column {
    let values: Vec<Option<f64>> = values.map(Stat::value).collect();
    Float64Chunked::from_iter_options(name.into(), values.into_iter())
        .into_series()
        .into_column()
}

fn counts(name: &str, values: impl Iterator<Item = usize>) -> Column {
    let values: Vec<u64> = values.map(|v| v as u64).collect();
    UInt64Chunked::from_vec(name.into(), values)
        .into_series()
        .into_column()
}

fn times(name: &str, ms: Vec<i64>) -> Column {
    Int64Chunked::from_vec(name.into(), ms)
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .into_column()
}

fn strings<S: AsRef<str>>(name: &str, values: &[S]) -> Column {
    let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    StringChunked::from_slice(name.into(), &values)
        .into_series()
        .into_column()
}

/// One row per stitched out-of-sample trade, in the order they closed.
pub fn trades(v: &Validation) -> PolarsResult<DataFrame> {
    let t = &v.trades;
    let symbol: Vec<&str> = t
        .iter()
        .map(|t| v.data.get(t.symbol).map_or("?", |d| d.symbol.as_str()))
        .collect();
    let side: Vec<&str> = t
        .iter()
        .map(|t| if t.long { "long" } else { "short" })
        .collect();
    DataFrame::new(
        t.len(),
        vec![
            strings("symbol", &symbol),
            strings("side", &side),
            times("entry_time", t.iter().map(|t| t.entry_ts).collect()),
            f64s("entry_price", t.iter().map(|t| t.entry_price).collect()),
            times("exit_time", t.iter().map(|t| t.exit_ts).collect()),
            f64s("exit_price", t.iter().map(|t| t.exit_price).collect()),
            f64s("quantity", t.iter().map(|t| t.quantity).collect()),
            f64s("fees", t.iter().map(|t| t.fees).collect()),
            f64s("pnl", t.iter().map(|t| t.pnl).collect()),
            f64s("return", t.iter().map(|t| t.return_fraction()).collect()),
            counts("bars_held", t.iter().map(|t| t.bars_held())),
        ],
    )
}

/// Equity, drawdown and the benchmark along the stitched out-of-sample bars.
pub struct EquityCurve {
    /// Strategy equity, from `capital`.
    pub equity: Vec<f64>,
    /// Drawdown from the running peak, a positive fraction.
    pub drawdown: Vec<f64>,
    /// Benchmark equity, from `capital`.
    pub benchmark: Vec<f64>,
}

impl EquityCurve {
    /// The curve of `v`'s stitched returns, starting from `capital`.
    pub fn of(v: &Validation, capital: f64) -> EquityCurve {
        let compound = |returns: &[f64]| -> Vec<f64> {
            returns
                .iter()
                .scan(capital, |e, r| {
                    *e *= 1.0 + r;
                    Some(*e)
                })
                .collect()
        };
        let equity = compound(&v.returns);
        // The starting capital is the first peak, as in the report's max drawdown.
        let mut peak = capital;
        let drawdown = equity
            .iter()
            .map(|&e| {
                peak = peak.max(e);
                if peak > 0.0 { 1.0 - e / peak } else { 0.0 }
            })
            .collect();
        EquityCurve {
            equity,
            drawdown,
            benchmark: compound(&v.benchmark_returns),
        }
    }
}

/// One row per stitched out-of-sample bar, from `v`'s equity `curve`.
pub fn equity(v: &Validation, curve: &EquityCurve) -> PolarsResult<DataFrame> {
    DataFrame::new(
        v.returns.len(),
        vec![
            times("time", v.timestamps.clone()),
            f64s("return", v.returns.clone()),
            f64s("equity", curve.equity.clone()),
            f64s("drawdown", curve.drawdown.clone()),
            f64s("benchmark_return", v.benchmark_returns.clone()),
            f64s("benchmark_equity", curve.benchmark.clone()),
        ],
    )
}

/// One row per fold: its windows, its choice and the choice's results.
pub fn folds(v: &Validation) -> PolarsResult<DataFrame> {
    let windows = &v.plan.folds;
    let first = |ws: &[gauntlet_validate::outcome::Window]| ws.first().map_or(0, |w| w.first_ts);
    let last = |ws: &[gauntlet_validate::outcome::Window]| ws.last().map_or(0, |w| w.last_ts);
    let f = &v.folds;
    let chosen: Vec<Option<u64>> = f.iter().map(|f| f.chosen.map(|c| c as u64)).collect();
    let labels: Vec<String> = f
        .iter()
        .map(|f| f.parameters.as_ref().map(|p| p.label()).unwrap_or_default())
        .collect();
    DataFrame::new(
        f.len(),
        vec![
            counts("fold", f.iter().map(|f| f.fold)),
            times(
                "train_first",
                windows.iter().map(|w| first(&w.train)).collect(),
            ),
            times(
                "train_last",
                windows.iter().map(|w| last(&w.train)).collect(),
            ),
            times(
                "test_first",
                windows.iter().map(|w| first(&w.test)).collect(),
            ),
            times("test_last", windows.iter().map(|w| last(&w.test)).collect()),
            UInt64Chunked::from_iter_options("chosen_set".into(), chosen.into_iter())
                .into_series()
                .into_column(),
            strings("parameters", &labels),
            counts("eligible_sets", f.iter().map(|f| f.eligible)),
            stats(
                "in_sample_objective",
                f.iter().map(|f| f.in_sample_objective),
            ),
            stats(
                "in_sample_sharpe",
                f.iter().map(|f| {
                    f.in_sample.as_ref().map_or(
                        Stat::Undefined(gauntlet_validate::Undefined::NoTrades),
                        |p| p.sharpe,
                    )
                }),
            ),
            stats("oos_sharpe", f.iter().map(|f| f.out_of_sample.sharpe)),
            f64s(
                "oos_total_return",
                f.iter().map(|f| f.out_of_sample.total_return).collect(),
            ),
            f64s(
                "oos_max_drawdown",
                f.iter().map(|f| f.out_of_sample.max_drawdown).collect(),
            ),
            counts("oos_trades", f.iter().map(|f| f.trades.trades)),
            stats("oos_win_rate", f.iter().map(|f| f.trades.win_rate)),
        ],
    )
}

/// One row per parameter set per fold, with a column per parameter.
pub fn trials(v: &Validation) -> PolarsResult<DataFrame> {
    let t = &v.trials;
    let sets = &v.grid.parameters;
    let mut columns = vec![
        counts("fold", t.iter().map(|t| t.fold)),
        counts("set", t.iter().map(|t| t.set)),
    ];
    if let Some(first) = sets.first() {
        for (name, kind) in first.0.iter() {
            let value = |t: &gauntlet_validate::outcome::Trial| sets[t.set].0.get(name);
            columns.push(match kind {
                ParamValue::Choice(_) => {
                    let text: Vec<String> = t
                        .iter()
                        .map(|t| value(t).map(|v| v.to_string()).unwrap_or_default())
                        .collect();
                    strings(name, &text)
                }
                ParamValue::Bool(_) => BooleanChunked::from_iter_options(
                    name.into(),
                    t.iter().map(|t| match value(t) {
                        Some(ParamValue::Bool(b)) => Some(b),
                        _ => None,
                    }),
                )
                .into_series()
                .into_column(),
                ParamValue::Int(_) => Int64Chunked::from_iter_options(
                    name.into(),
                    t.iter().map(|t| match value(t) {
                        Some(ParamValue::Int(i)) => Some(i),
                        _ => None,
                    }),
                )
                .into_series()
                .into_column(),
                ParamValue::Float(_) => Float64Chunked::from_iter_options(
                    name.into(),
                    t.iter().map(|t| match value(t) {
                        Some(ParamValue::Float(f)) => Some(f),
                        _ => None,
                    }),
                )
                .into_series()
                .into_column(),
            });
        }
    }
    let chosen: Vec<bool> = t.iter().map(|t| v.chose(t)).collect();
    columns.extend([
        stats(
            "in_sample_objective",
            t.iter().map(|t| t.in_sample_objective),
        ),
        stats("in_sample_sharpe", t.iter().map(|t| t.in_sample_sharpe)),
        counts("in_sample_trades", t.iter().map(|t| t.in_sample_trades)),
        stats("oos_sharpe", t.iter().map(|t| t.out_of_sample_sharpe)),
        f64s(
            "oos_total_return",
            t.iter().map(|t| t.out_of_sample_return).collect(),
        ),
        counts("oos_trades", t.iter().map(|t| t.out_of_sample_trades)),
        BooleanChunked::from_slice("chosen".into(), &chosen)
            .into_series()
            .into_column(),
    ]);
    DataFrame::new(t.len(), columns)
}
