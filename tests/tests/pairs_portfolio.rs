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
