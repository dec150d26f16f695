//! The paper broker: fills by exactly the rules of the backtest's simulated broker (which is
//! what makes a live run on past bars reproduce the backtest), and counts what it was sent.
//! A real broker adapter would implement [`Broker`] in its place.

use gauntlet_engine::{BarPrices, Broker, FillOutcome, SimulatedBroker};
use gauntlet_risk::Order;

/// Paper trading through the simulated broker's fill rules.
#[derive(Debug, Clone, Copy)]
pub struct PaperBroker {
    rules: SimulatedBroker,
    tried: u64,
}

impl PaperBroker {
    /// A paper broker that fills as `rules` does.
    pub fn new(rules: SimulatedBroker) -> PaperBroker {
        PaperBroker { rules, tried: 0 }
    }

    /// Orders tried against a bar so far.
    pub fn tried(&self) -> u64 {
        self.tried
    }
}

impl Broker for PaperBroker {
    fn try_fill(
        &mut self,
        order: &Order,
        bar: &BarPrices,
        cash: f64,
        position: f64,
    ) -> FillOutcome {
        self.tried += 1;
        self.rules.try_fill(order, bar, cash, position)
    }

    fn charges_borrow(&self) -> bool {
        self.rules.charges_borrow()
    }

    fn borrow_fee(&self, value: f64, elapsed_ms: i64) -> f64 {
        self.rules.borrow_fee(value, elapsed_ms)
    }
}
