//! A strategy error never becomes a signal, and the circuit breaker halts after N in a row.

use gauntlet_data::Panel;
use gauntlet_data::synth::{SynthSpec, generate};
use gauntlet_engine::{CostModel, EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_risk::{HaltReason, Purpose, RiskConfig};
use gauntlet_strategy::{Direction, Entry, Intent};
use gauntlet_tests::{Action, Scripted};

const LONG: Intent = Intent {
    symbol: 0,
    target: Direction::Long,
    entry: Entry::Market,
    reduce_to: None,
};

fn run(script: Vec<Action>, risk: RiskConfig) -> gauntlet_engine::BacktestResult {
    let panel = Panel::single(generate(&SynthSpec::daily(40, 5)));
    run_backtest(
        &panel,
        Scripted { script },
        SimulatedBroker::new(CostModel::free()),
        risk,
        EngineConfig::default(),
    )
}

#[test]
fn an_intent_written_before_an_error_is_dropped() {
    let mut script = vec![Action::Wait; 40];
    script[5] = Action::EmitThenFail(LONG);
    let result = run(script, RiskConfig::unlimited());
    assert!(result.orders.is_empty(), "{:?}", result.orders);
    assert_eq!(result.failures.len(), 1);
    assert_eq!(result.failures[0].bar, 5);
    assert!(result.halts.is_empty());
}

#[test]
fn the_breaker_halts_after_three_errors_in_a_row_and_flattens() {
    // Long from bar 2 (filled at bar 3's open); errors at 10, 11 (then a clean bar), 20, 21, 22.
    let mut script = vec![Action::Wait; 40];
    script[2] = Action::Emit(LONG);
    for bar in [10, 11, 20, 21, 22] {
        script[bar] = Action::Fail;
    }
    // A new entry after the halt must be refused.
    script[30] = Action::Emit(Intent {
        target: Direction::Flat,
        ..LONG
    });
    script[31] = Action::Emit(LONG);
    let result = run(script, RiskConfig::unlimited());
    assert_eq!(result.failures.len(), 5);
    assert_eq!(
        result.halts.len(),
        1,
        "two errors then a clean bar must not trip it"
    );
    let halt = result.halts[0];
    assert!(matches!(
        halt.reason,
        HaltReason::CircuitBreaker { errors: 3 }
    ));
    // The halt fired at bar 22; the flatten order fills at bar 23's open.
    let flatten = result
        .orders
        .iter()
        .find(|o| o.purpose == Purpose::Flatten)
        .expect("a flatten order");
    assert_eq!((flatten.created_bar, flatten.closed_bar), (22, Some(23)));
    assert_eq!(result.trades.len(), 1);
    assert_eq!(result.trades[0].exit_bar, 23);
    assert!(result.open_positions.is_empty());
    assert_eq!(result.refusals.len(), 1);
    assert_eq!(result.refusals[0].reason, "halted: no new risk");
}
