//! The strategy contract shared by the backtest and the live runner.
//!
//! A [`Strategy`] is called once per bar with a [`BarContext`] that reaches the bars up to and
//! including the current one and *no further*: the context is built from slices cut at the
//! current bar, so a later bar is not hidden by convention, it is not there. The strategy writes
//! what it wants into an [`Intents`] buffer that the engine owns and clears; the risk manager
//! decides what becomes an order. Strategies are built from typed [`Params`] checked against
//! the [`ParamSpace`] they declare; [`indicators`] are streaming (O(1) per bar) so the same code
//! runs on a replay and on a live feed.

mod context;
pub mod indicators;
mod intent;
pub mod lookahead;
mod params;

pub use context::{BarColumns, BarContext};
pub use intent::{Direction, Entry, Intent, Intents};
pub use params::{ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue, Params};

/// A strategy error: something went wrong computing a decision. The engine never turns it into
/// a signal; it counts it, and the circuit breaker halts the strategy after too many in a row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct StrategyError(pub String);

/// A trading strategy.
///
/// The engine calls [`Strategy::on_bar`] for every bar from the first, so that indicators warm
/// up; intents written before the run's first tradable bar are discarded.
pub trait Strategy: Send {
    /// The strategy's name, as the catalog knows it (`sma_cross`).
    fn name(&self) -> &str;

    /// Bars the strategy needs to see before it can decide anything: its first intent can come
    /// at bar index `warmup()` at the earliest.
    fn warmup(&self) -> usize;

    /// How many bars, the current one included, `on_bar` reads through the context. The live
    /// runner holds only this many (at least two), so a strategy that reads further back than
    /// the current bar says how far here. Indicators keep their own state and need none.
    fn history(&self) -> usize {
        1
    }

    /// Sees bar `ctx.index()` (and all before it) and writes intents into `out`.
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError>;
}
