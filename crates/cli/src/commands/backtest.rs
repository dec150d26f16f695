//! `gauntlet backtest`: one strategy over bar data; a summary on stdout and trades, equity,
//! orders and report.json in the output folder.
//!
//! Everything that can fail on the user's input (data, parameters, risk file, output folder)
//! is checked before the first file is written, and the folder is filled out of sight and moved
//! into place whole.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gauntlet_data::timestamp::TsFormat;
use gauntlet_data::{BarSeries, LoadOptions, Panel};
use gauntlet_engine::{
    BacktestResult, CostModel, EngineConfig, SimulatedBroker, Summary, run_backtest,
};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyVisitor;

use crate::args::BacktestArgs;
use crate::output::{self, DataEntry, RunSetup};

pub fn run(mut args: BacktestArgs) -> Result<()> {
    let (info, params) = super::resolve_strategy(&mut args.run)?;
    for (name, value) in [
        ("--commission-bps", args.commission_bps),
        ("--commission-per-share", args.commission_per_share),
        ("--commission-min", args.commission_min),
        ("--slippage-bps", args.slippage_bps),
        ("--borrow-bps", args.borrow_bps),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            bail!("{name}: expected a number of zero or more, got {value}");
        }
    }
    if !(args.capital.is_finite() && args.capital > 0.0) {
        bail!(
            "--capital: expected a positive amount, got {}",
            args.capital
        );
    }
    let (risk, risk_source) = resolve_risk(&args.risk)?;
    let options = LoadOptions {
        adjusted_close: args.adjusted_close,
        ..LoadOptions::default()
    };
    let series = super::load_series(&args.run, &options)?;
    let data: Vec<DataEntry> = args
        .run
        .data
        .iter()
        .zip(&series)
        .map(|(path, bars)| DataEntry::of(path, bars))
        .collect();
    let panel = Panel::align(series)?;
    let costs = CostModel {
        commission_bps: args.commission_bps,
        commission_per_share: args.commission_per_share,
        commission_min: args.commission_min,
        slippage_bps: args.slippage_bps,
        borrow_bps: args.borrow_bps,
    };
    let broker = SimulatedBroker {
        costs,
        fractional: !args.whole_shares,
    };
    let config = EngineConfig {
        initial_capital: args.capital,
        trade_from: 0,
    };
    let run = gauntlet_strategies::build(
        info.name,
        &params,
        Replay {
            panel: &panel,
            broker,
            risk,
            config,
        },
    )?;
    let summary = Summary::of(&run.result, panel.ts(), None);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/backtest").join(info.name));
    let setup = RunSetup {
        strategy: info.name,
        params: &params,
        warmup: run.warmup,
        data: &data,
        symbols: panel.series().iter().map(BarSeries::symbol).collect(),
        risk: &risk,
        risk_source: &risk_source,
        costs: &costs,
        fractional: broker.fractional,
        initial_capital: args.capital,
    };
    output::write_backtest(&out, &setup, &panel, &run.result, &summary)
        .with_context(|| format!("{}: cannot write the outputs", out.display()))?;
    print_summary(&setup, &panel, &run.result, &summary, &out);
    Ok(())
}

struct Replay<'a> {
    panel: &'a Panel,
    broker: SimulatedBroker,
    risk: RiskConfig,
    config: EngineConfig,
}

struct Ran {
    result: BacktestResult,
    warmup: usize,
}

impl StrategyVisitor for Replay<'_> {
    type Output = Ran;
    fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) -> Ran {
        let warmup = strategy.warmup();
        Ran {
            result: run_backtest(self.panel, strategy, self.broker, self.risk, self.config),
            warmup,
        }
    }
}

/// `unlimited`, a profile name from strategies/risk/, or a path.
fn resolve_risk(value: &str) -> Result<(RiskConfig, String)> {
    if value == "unlimited" {
        return Ok((RiskConfig::unlimited(), "unlimited (built in)".into()));
    }
    let path = Path::new(value);
    let profile = Path::new("strategies/risk").join(format!("{value}.toml"));
    let path = if !path.exists() && !value.contains(['/', '.']) && profile.exists() {
        profile
    } else {
        path.to_path_buf()
    };
    if !path.exists() {
        bail!(
            "--risk {value}: no such file{}; give a TOML file, `unlimited`, or the name of a \
             profile in strategies/risk/ (looked for from the repository's root)",
            super::from_where(&path)
        );
    }
    let risk = RiskConfig::load(&path)?;
    Ok((risk, path.display().to_string()))
}

fn print_summary(
    setup: &RunSetup<'_>,
    panel: &Panel,
    result: &BacktestResult,
    s: &Summary,
    out: &Path,
) {
    let pct = |v: f64| format!("{:.2}%", v * 100.0);
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("n/a".to_string(), f);
    let format = TsFormat::for_series(panel.ts());
    println!("gauntlet backtest: {} {}", setup.strategy, setup.params);
    for d in setup.data {
        println!(
            "  data          {} ({}, {} bars, {} .. {}) sha256 {}",
            d.path, d.symbol, d.bars, d.first, d.last, d.fingerprint
        );
    }
    if panel.series().len() > 1 {
        println!(
            "  clock         {} bars, {} .. {}",
            panel.len(),
            format.format(panel.ts()[0]),
            format.format(panel.ts()[panel.len() - 1])
        );
    }
    println!("  risk          {}", setup.risk_source);
    println!(
        "  costs         commission {} bps + {}/share (min {}), slippage {} bps, borrow {} bps/yr; {} shares",
        setup.costs.commission_bps,
        setup.costs.commission_per_share,
        setup.costs.commission_min,
        setup.costs.slippage_bps,
        setup.costs.borrow_bps,
        if setup.fractional {
            "fractional"
        } else {
            "whole"
        }
    );
    println!(
        "  trades        {} closed{}, {} won (win rate {}){}",
        s.trades,
        if s.legs == s.trades {
            String::new()
        } else {
            format!(" round trips ({} legs and cuts in trades.csv)", s.legs)
        },
        s.wins,
        opt(s.win_rate, &pct),
        if result.open_positions.is_empty() {
            String::new()
        } else {
            format!(", {} still open", result.open_positions.len())
        }
    );
    println!("  total return  {}", pct(s.total_return));
    println!("  CAGR          {}", opt(s.cagr, &pct));
    println!(
        "  Sharpe        {}   (per-bar returns, annualized by sqrt({:.0}), ddof 1)",
        opt(s.sharpe, &|v| format!("{v:.4}")),
        s.periods_per_year
    );
    println!("  Sortino       {}", opt(s.sortino, &|v| format!("{v:.4}")));
    println!("  max drawdown  {}", pct(s.max_drawdown));
    println!("  exposure      {}", pct(s.exposure));
    println!("  fees          {:.2}", s.fees_paid);
    if s.borrow_paid > 0.0 {
        println!(
            "  borrow        {:.2} (in trades.csv, part of each short trade's fees)",
            s.borrow_paid
        );
    }
    println!("  final equity  {:.6}", s.final_equity);
    if !result.halts.is_empty() || !result.failures.is_empty() || !result.refusals.is_empty() {
        println!(
            "  risk events   {} halt(s), {} refused intent(s), {} strategy error(s)",
            result.halts.len(),
            result.refusals.len(),
            result.failures.len()
        );
    }
    println!(
        "  wrote         {}/{{trades.csv, equity.csv, orders.csv, report.json}}",
        out.display()
    );
}
