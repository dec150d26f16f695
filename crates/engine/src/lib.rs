//! The engine: one step function for the flow of one bar, shared by the backtest and the live
//! runner.
//!
//! At bar *t*: (1) orders decided at *t-1* fill against bar *t* through the [`Broker`]; (2) the
//! [`Portfolio`] is marked to *t*'s close and the risk manager checks its limits; (3) the
//! strategy sees bars up to *t* and writes intents; (4) the risk manager turns them into orders
//! for *t+1*. [`Engine::step`] does exactly that; [`run_backtest`] calls it for every bar of a
//! panel, and a live runner calls it as each bar arrives.

mod backtest;
mod broker;
mod costs;
mod engine;
pub mod metrics;
mod portfolio;
mod prefetch;
mod records;
mod state;

pub use backtest::{
    BacktestResult, RunWindow, panel_columns, run_backtest, run_window, series_columns,
};
pub use broker::{BarPrices, Broker, FillOutcome, SimulatedBroker};
pub use costs::{CostModel, YEAR_MS};
pub use engine::{BarSet, Engine, EngineConfig, StrategyFailure};
pub use metrics::Summary;
pub use portfolio::{OpenPosition, Portfolio};
pub use records::{Fill, OrderRecord, OrderStatus, RoundTrip, Trade};
pub use state::{EngineState, OpenOrder};
