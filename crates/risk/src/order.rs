//! Orders: what the risk manager lets through, for the broker to fill on the next bar.

use serde::Serialize;

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Buy (open a long, or cover a short).
    Buy,
    /// Sell (close a long, or open a short).
    Sell,
}

impl Side {
    /// +1 for a buy, -1 for a sell.
    pub fn sign(self) -> f64 {
        match self {
            Side::Buy => 1.0,
            Side::Sell => -1.0,
        }
    }

    /// The word, for logs and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// How the order fills on the next bar (see the engine's fill rules).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OrderKind {
    /// At the open.
    Market,
    /// At the limit price or better.
    Limit(f64),
    /// When the price trades through the stop level.
    Stop(f64),
}

/// How much.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OrderSize {
    /// A budget in money, converted to a quantity at the fill price (costs included), so that
    /// the position's value is the quantity times the price actually paid.
    Notional(f64),
    /// Whatever position the symbol has when the order fills, closed entirely.
    ClosePosition,
    /// Part of the position, in units: reduces it by at most this much, never through zero.
    Reduce(f64),
}

/// Why the order exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Opens a position the strategy asked for.
    Entry,
    /// Closes a position the strategy no longer wants.
    Exit,
    /// The protective stop placed when a position opened; stands until filled or flat.
    StopLoss,
    /// Closes everything because the risk manager halted.
    Flatten,
    /// Closes what is open at the last close of a validation window, so that every window
    /// ends flat and its trades are complete.
    CloseOut,
}

impl Purpose {
    /// The word, for logs and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Entry => "entry",
            Purpose::Exit => "exit",
            Purpose::StopLoss => "stop_loss",
            Purpose::Flatten => "flatten",
            Purpose::CloseOut => "close_out",
        }
    }
}

/// An order for the next bar.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Order {
    /// Sequence number within the run, from 0.
    pub id: u64,
    /// Index of the symbol in the run's panel.
    pub symbol: usize,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit or stop.
    pub kind: OrderKind,
    /// How much.
    pub size: OrderSize,
    /// Why.
    pub purpose: Purpose,
    /// Index of the bar at whose close it was decided.
    pub created_at: usize,
}
