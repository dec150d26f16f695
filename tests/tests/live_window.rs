//! Every strategy of the catalog runs live as it runs in the backtest: stepped on a window of
//! the latest bars only (as many as `Strategy::history` declares), with its whole state saved to
//! a checkpoint (CBOR) and restored halfway, it makes exactly the backtest's fills.

use gauntlet_data::{Bar, Panel};
use gauntlet_engine::{
    BarSet, Engine, EngineConfig, EngineState, Fill, SimulatedBroker, run_backtest,
};
use gauntlet_live::BarWindow;
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::{CATALOG, CatalogStrategy, StrategyVisitor};
use gauntlet_tests::{COSTS, shipped};

struct Compare<'a> {
    panel: &'a Panel,
    risk: RiskConfig,
}

impl StrategyVisitor for Compare<'_> {
    type Output = (Vec<Fill>, Vec<Fill>);

    fn visit<S: CatalogStrategy>(self, strategy: S) -> Self::Output {
        let broker = SimulatedBroker::new(COSTS);
        let config = EngineConfig::default();
        let batch = run_backtest(self.panel, strategy.clone(), broker, self.risk, config);
        let symbols = self.panel.series().len();
        let keep = strategy.history();
        let mut engine = Engine::new(strategy, broker, self.risk, config, symbols, 0);
        let mut window = BarWindow::new(symbols, keep);
        let mut fills = Vec::new();
        let half = self.panel.len() / 2;
        for t in 0..self.panel.len() {
            let bars: Vec<Bar> = (0..symbols)
                .map(|s| self.panel.series()[s].bar(t))
                .collect();
            window.push(&bars, &vec![true; symbols]);
            let columns = window.columns();
            let present = window.present();
            let set = BarSet {
                columns: &columns,
                present: &present,
                first: window.first(),
            };
            engine.step(&set, t);
            fills.extend_from_slice(engine.fills());
            engine.drain_records();
            if t == half {
                let mut bytes = Vec::new();
                ciborium::into_writer(&engine.state(), &mut bytes).expect("encode");
                let state: EngineState<S> = ciborium::from_reader(&bytes[..]).expect("decode");
                engine = Engine::restore(state, broker);
            }
        }
        (batch.fills, fills)
    }
}

#[test]
fn every_strategy_steps_on_a_window_and_through_a_checkpoint_as_in_the_backtest() {
    let pair = Panel::align(vec![
        shipped("sp500_daily.csv"),
        shipped("nasdaq_daily.csv"),
    ])
    .expect("same dates");
    let single = Panel::single(shipped("sp500_daily.csv"));
    let conservative =
        RiskConfig::load(&gauntlet_tests::root().join("strategies/risk/conservative.toml"))
            .expect("shipped profile");
    for info in CATALOG {
        let panel = if info.symbols == 2 { &pair } else { &single };
        for risk in [RiskConfig::unlimited(), conservative] {
            let (batch, live) = gauntlet_strategies::build(
                info.name,
                &info.space.defaults(),
                Compare { panel, risk },
            )
            .expect("defaults build");
            assert!(!batch.is_empty(), "{}: no fills to compare", info.name);
            assert_eq!(live, batch, "{}", info.name);
        }
    }
}
