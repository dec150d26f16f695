//! Risk: the validated [`RiskConfig`], and the [`RiskManager`] that sizes and vets every intent,
//! watches daily loss and drawdown, and trips the circuit breaker on repeated strategy errors.
//!
//! The same manager runs in the backtest and in the live runner; what passes it becomes an
//! [`Order`] for the next bar.

mod config;
mod manager;
mod order;

pub use config::{RiskConfig, RiskConfigError, Sizing, SizingMethod};
pub use manager::{
    ExternalCause, Halt, HaltReason, HaltScope, PortfolioView, Refusal, RiskManager,
};
pub use order::{Order, OrderKind, OrderSize, Purpose, Side};
