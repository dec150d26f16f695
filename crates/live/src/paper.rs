//! The paper broker: the backtest's simulated broker itself, so that a live run fills by
//! exactly the backtest's rules (which is what makes a live run on past bars reproduce the
//! backtest). A real broker adapter would implement [`gauntlet_engine::Broker`] in its place.

use gauntlet_engine::SimulatedBroker;

/// Paper trading: the simulated broker's fill rules and costs.
pub type PaperBroker = SimulatedBroker;
