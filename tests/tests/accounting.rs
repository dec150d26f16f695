//! Accounting invariants, property-tested: random bars (two symbols, one of them missing dates),
//! random intents of every kind (market, limit, stop; long, short, flat; partial reductions;
//! strategy errors), random costs (borrow included) and risk profiles. After every bar, three
//! independent ledgers must agree:
//!
//! - the portfolio's equity (cash + quantity x close);
//! - the initial capital plus every closed trade's PnL plus the open positions' unrealized PnL
//!   net of the entry fees not yet attributed;
//! - the cash recomputed from the fill log and a borrow fee worked out here, from the positions
//!   the fill log implies and the cost model's formula.
//!
//! And every fee is counted once: the fills' fees = commissions paid; the borrow worked out here
//! = borrow paid; both together = what closed trades and open positions carry.

use gauntlet_data::synth::{SynthSpec, generate};
use gauntlet_data::{BarSeries, Panel};
use gauntlet_engine::{
    BarSet, CostModel, Engine, EngineConfig, SimulatedBroker, YEAR_MS, panel_columns,
};
use gauntlet_risk::RiskConfig;
use gauntlet_strategy::{Direction, Entry, Intent};
use gauntlet_tests::{Action, Scripted};
use proptest::prelude::*;

const CAPITAL: f64 = 100_000.0;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0)
}

/// Two synthetic symbols; the second lacks every `gap`-th date.
fn panel(seed: u64, bars: usize, gap: usize) -> Panel {
    let a = generate(&SynthSpec::daily(bars, seed));
    let full = generate(&SynthSpec::daily(bars, seed + 1));
    let mut b = BarSeries::new("b");
    for t in 0..full.len() {
        if t == 0 || t % gap != 0 {
            b.push(full.bar(t));
        }
    }
    let mut a = a;
    a.set_symbol("a");
    Panel::align(vec![a, b]).expect("aligns")
}

fn risk_profile(which: u8) -> RiskConfig {
    match which % 3 {
        0 => RiskConfig::unlimited(),
        1 => RiskConfig::from_toml(
            "max_daily_loss = 0.02\nmax_total_drawdown = 0.10\nmax_portfolio_heat = 0.25\n\
             max_single_position_risk = 0.02\nstop_loss_pct = 0.03\n\
             [sizing]\nmethod = \"risk\"\nmin_notional = 500.0\nmax_notional = 50000.0",
            "conservative",
        )
        .expect("valid"),
        _ => RiskConfig::from_toml(
            "max_daily_loss = 0.01\nstop_loss_pct = 0.02\n[sizing]\nfraction = 0.5",
            "tight",
        )
        .expect("valid"),
    }
}

/// `(what, symbol, target, entry kind, offset)` into an action at a bar whose close is `close`.
fn action(raw: (u8, u8, u8, u8, f64), close: f64) -> Action {
    let (what, symbol, target, entry, offset) = raw;
    let target = match target % 3 {
        0 => Direction::Long,
        1 => Direction::Short,
        _ => Direction::Flat,
    };
    let level = close * (1.0 + offset);
    let entry = match entry % 3 {
        0 => Entry::Market,
        1 => Entry::Limit(level),
        _ => Entry::Stop(level),
    };
    match what % 12 {
        0..=5 => Action::Wait,
        6..=8 => Action::Emit(Intent {
            symbol: usize::from(symbol % 2),
            target,
            entry,
            reduce_to: None,
        }),
        9..=10 => Action::Emit(Intent {
            symbol: usize::from(symbol % 2),
            target: if target != Direction::Short {
                Direction::Long
            } else {
                Direction::Short
            },
            entry: Entry::Market,
            // 0 to 500 units: from a full cut to none at all.
            reduce_to: Some((offset + 0.03) / 0.06 * 500.0),
        }),
        _ => Action::Fail,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn three_ledgers_agree_at_every_bar(
        seed in 0u64..1_000,
        gap in 3usize..20,
        raw in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), -0.03f64..0.03), 250),
        commission_bps in 0.0f64..20.0,
        per_share in 0.0f64..0.05,
        minimum in 0.0f64..5.0,
        slippage_bps in 0.0f64..20.0,
        borrow_bps in prop_oneof![Just(0.0f64), 0.0f64..2_000.0],
        fractional in any::<bool>(),
        profile in any::<u8>(),
    ) {
        let panel = panel(seed, raw.len(), gap);
        let closes = panel.series()[0].close();
        let script = raw.iter().enumerate().map(|(t, r)| action(*r, closes[t.min(closes.len() - 1)])).collect();
        let costs = CostModel { commission_bps, commission_per_share: per_share, commission_min: minimum, slippage_bps, borrow_bps };
        let broker = SimulatedBroker { costs, fractional };
        let columns = panel_columns(&panel);
        let present: Vec<Option<&[bool]>> = (0..2).map(|s| panel.presence(s)).collect();
        let bars = BarSet { columns: &columns, present: &present , first: 0};
        let config = EngineConfig { initial_capital: CAPITAL, trade_from: 0 };
        let mut engine = Engine::new(Scripted { script }, broker, risk_profile(profile), config, 2, panel.len());

        let mut borrow = 0.0;
        for t in 0..panel.len() {
            engine.step(&bars, t);
            if t > 0 {
                let elapsed = (columns[0].ts[t] - columns[0].ts[t - 1]) as f64;
                for (symbol, c) in columns.iter().enumerate() {
                    let held: f64 = engine
                        .fills()
                        .iter()
                        .filter(|f| f.symbol == symbol)
                        .map(|f| f.side.sign() * f.quantity)
                        .sum();
                    if held < -1e-9 {
                        borrow += -held * c.close[t] * borrow_bps / 10_000.0 * elapsed / YEAR_MS;
                    }
                }
            }
            let marks = [columns[0].close[t], columns[1].close[t]];
            let portfolio = engine.portfolio();
            let equity = *engine.equity_curve().last().expect("one equity per bar");
            prop_assert!(close(equity, portfolio.equity(&marks)));

            let realized: f64 = engine.trades().iter().map(|tr| tr.pnl).sum();
            let open = portfolio.open_positions();
            let unrealized: f64 = open
                .iter()
                .map(|p| p.quantity * (marks[p.symbol] - p.entry_price) - p.entry_fees)
                .sum();
            prop_assert!(close(equity, CAPITAL + realized + unrealized), "bar {}: {} vs {}", t, equity, CAPITAL + realized + unrealized);

            let fills = engine.fills();
            let cash = CAPITAL - borrow - fills.iter().map(|f| f.side.sign() * f.quantity * f.price + f.fee).sum::<f64>();
            prop_assert!(close(cash, portfolio.cash()));
            prop_assert!(close(borrow, portfolio.borrow_paid()), "bar {}: borrow {} vs {}", t, borrow, portfolio.borrow_paid());

            let fees: f64 = fills.iter().map(|f| f.fee).sum();
            let attributed: f64 = engine.trades().iter().map(|tr| tr.fees).sum::<f64>()
                + open.iter().map(|p| p.entry_fees).sum::<f64>();
            prop_assert!(close(fees, portfolio.fees_paid()));
            prop_assert!(close(fees + borrow, attributed));
        }

        // Every fill happened on a real bar, inside its range (before slippage), and whole
        // units were whole.
        let slip = slippage_bps / 10_000.0;
        for f in engine.fills() {
            prop_assert!(panel.is_present(f.symbol, f.bar), "fill on a carried bar");
            let c = &columns[f.symbol];
            let (low, high) = (c.low[f.bar] * (1.0 - slip), c.high[f.bar] * (1.0 + slip));
            prop_assert!(f.price >= low * (1.0 - 1e-12) && f.price <= high * (1.0 + 1e-12));
            if !fractional {
                prop_assert_eq!(f.quantity.fract(), 0.0);
            }
            prop_assert!(f.quantity > 0.0);
        }
    }
}
