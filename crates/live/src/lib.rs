//! The live runner: runs an approved strategy on a feed of bars, through the same step,
//! strategy and risk manager as the backtest, with the paper broker; writes every decision to
//! a hash-chained audit log (the write-ahead log); checkpoints its state; halts instead of
//! guessing; and carries on where it stopped after a restart.
//!
//! Fed the bars of a backtest, it makes exactly the backtest's orders and fills: the step is
//! the same code, the paper broker fills by the same rules, and the bars it holds (a window of
//! the latest, so memory stays flat) are all the step and the strategy read.

pub mod audit;
pub mod checkpoint;
pub mod control;
mod entries;
pub mod feed;
mod paper;
mod runner;
mod session;
mod window;

pub use audit::{AuditError, AuditLog, Durability};
pub use feed::FeedSource;
pub use paper::PaperBroker;
pub use runner::{LiveConfig, LiveError, LiveSummary, Stop, run};
pub use session::Counts;
pub use window::BarWindow;
