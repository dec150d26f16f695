//! `pairs` on the shipped S&P 500 and Nasdaq bars: a two-symbol portfolio on one clock. Both
//! legs are held at once, on opposite sides, entered with the same notional, and the net
//! exposure stays within the tolerance the strategy declares at every close.

use gauntlet_data::Panel;
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::Pairs;
use gauntlet_strategy::Params;
use gauntlet_tests::shipped;

fn defaults() -> Pairs {
    let params: Params = gauntlet_strategies::pairs::SPACE.defaults();
    Pairs::from_params(&params).expect("defaults are valid")
}

#[test]
fn legs_are_held_together_and_stay_neutral() {
    let panel = Panel::align(vec![
        shipped("sp500_daily.csv"),
        shipped("nasdaq_daily.csv"),
    ])
    .expect("shipped files align");
    let strategy = defaults();
    let tolerance = strategy.tolerance();
    let costs = CostModel {
        commission_bps: 2.0,
        borrow_bps: 50.0,
        ..CostModel::free()
    };
    let result = run_backtest(
        &panel,
        strategy,
        SimulatedBroker::new(costs),
        RiskConfig::unlimited(),
        EngineConfig::default(),
    );
    assert!(result.borrow_paid > 0.0, "the short leg pays its borrow");

    // Positions at every close, rebuilt from the fill log.
    let closes = [panel.series()[0].close(), panel.series()[1].close()];
    let mut held = [0.0f64; 2];
    let mut fills = result.fills.iter().peekable();
    let (mut both, mut worst, mut cuts) = (0usize, 0.0f64, 0usize);
    for (t, (close_a, close_b)) in closes[0].iter().zip(closes[1]).enumerate() {
        let mut entered = [None, None];
        while let Some(f) = fills.next_if(|f| f.bar == t) {
            let before = held[f.symbol];
            held[f.symbol] += f.side.sign() * f.quantity;
            if before == 0.0 {
                entered[f.symbol] = Some(f.quantity * f.price);
            } else if held[f.symbol].abs() > 1e-9 && held[f.symbol].abs() < before.abs() {
                cuts += 1;
            }
            if held[f.symbol].abs() < 1e-9 {
                held[f.symbol] = 0.0;
            }
        }
        // Entries come in pairs, with the same notional at the same open (up to the fee).
        match entered {
            [Some(a), Some(b)] => assert!((a - b).abs() <= 1e-3 * a, "bar {t}: {a} vs {b}"),
            [None, None] => {}
            _ => panic!("bar {t}: one leg entered without the other"),
        }
        match (held[0] != 0.0, held[1] != 0.0) {
            (false, false) => continue,
            (true, true) => {}
            _ => panic!("bar {t}: one leg held without the other: {held:?}"),
        }
        assert!(held[0] * held[1] < 0.0, "bar {t}: legs on the same side");
        both += 1;
        let values = [held[0] * close_a, held[1] * close_b];
        let net = (values[0] + values[1]).abs() / (values[0].abs() + values[1].abs());
        worst = worst.max(net);
        assert!(
            net <= tolerance,
            "bar {t}: net exposure {net} over {tolerance}"
        );
    }
    assert!(both > 500, "both legs held at {both} closes only");
    assert!(
        cuts > 0,
        "the legs drifted apart at some point and were cut back"
    );
    assert!(worst > tolerance / 2.0, "the cut-back rule was exercised");
}

#[test]
fn a_pair_and_its_cuts_are_one_trade_in_the_statistics() {
    let panel = Panel::align(vec![
        shipped("sp500_daily.csv"),
        shipped("nasdaq_daily.csv"),
    ])
    .expect("shipped files align");
    let result = run_backtest(
        &panel,
        defaults(),
        SimulatedBroker::new(CostModel::free()),
        RiskConfig::unlimited(),
        EngineConfig::default(),
    );
    // Pair entries counted from the fill log: bars where both symbols went from flat to held.
    let mut held = [0.0f64; 2];
    let mut entries = 0;
    for t in 0..panel.len() {
        let mut opened = 0;
        for f in result.fills.iter().filter(|f| f.bar == t) {
            if held[f.symbol] == 0.0 {
                opened += 1;
            }
            held[f.symbol] += f.side.sign() * f.quantity;
            if held[f.symbol].abs() < 1e-9 {
                held[f.symbol] = 0.0;
            }
        }
        if opened == 2 {
            entries += 1;
        }
    }
    let still_open = usize::from(!result.open_positions.is_empty());
    let summary = gauntlet_engine::metrics::Summary::of(&result, panel.ts(), None);
    assert_eq!(summary.trades, entries - still_open);
    // Each closed pair is two legs, and every cut one more row of the trade list.
    assert!(summary.legs > 2 * summary.trades, "{summary:?}");
    assert_eq!(summary.legs, result.trades.len());
    // A pair wins when its legs and cuts, summed, made money.
    let mut pnl_by_entry = std::collections::BTreeMap::<usize, f64>::new();
    for t in &result.trades {
        *pnl_by_entry.entry(t.entry_bar).or_default() += t.pnl;
    }
    assert_eq!(pnl_by_entry.len(), summary.trades);
    assert_eq!(
        summary.wins,
        pnl_by_entry.values().filter(|&&p| p > 0.0).count()
    );
}
