//! What a run records: closed trades, fills, and every order with its fate.

use gauntlet_risk::{OrderKind, Purpose, Side};
use serde::Serialize;

/// A fill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fill {
    /// The order filled.
    pub order_id: u64,
    /// Bar index of the fill.
    pub bar: usize,
    /// Timestamp of the fill's bar.
    pub ts: i64,
    /// Symbol index.
    pub symbol: usize,
    /// Buy or sell.
    pub side: Side,
    /// Quantity, positive.
    pub quantity: f64,
    /// Price, slippage included.
    pub price: f64,
    /// Commission.
    pub fee: f64,
}

/// A closed round trip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Trade {
    /// Symbol index.
    pub symbol: usize,
    /// True for a long trade.
    pub long: bool,
    /// Bar index of the entry fill.
    pub entry_bar: usize,
    /// Timestamp of the entry fill.
    pub entry_ts: i64,
    /// Entry price (average, slippage included).
    pub entry_price: f64,
    /// Bar index of the exit fill.
    pub exit_bar: usize,
    /// Timestamp of the exit fill.
    pub exit_ts: i64,
    /// Exit price (slippage included).
    pub exit_price: f64,
    /// Quantity, positive.
    pub quantity: f64,
    /// Commissions of entry and exit, and the borrow fees of a short.
    pub fees: f64,
    /// Net profit: price difference times quantity, minus both fees.
    pub pnl: f64,
}

impl Trade {
    /// Net PnL over the entry notional (`quantity * entry_price`).
    pub fn return_fraction(&self) -> f64 {
        self.pnl / (self.quantity * self.entry_price)
    }

    /// Bars from the entry fill to the exit fill.
    pub fn bars_held(&self) -> usize {
        self.exit_bar - self.entry_bar
    }
}

/// What became of an order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OrderStatus {
    /// Still waiting at the end of the run.
    Pending,
    /// Filled (see the fills).
    Filled,
    /// Cancelled by the engine, with the reason.
    Cancelled(&'static str),
    /// Rejected by the broker, with the reason.
    Rejected(&'static str),
}

impl OrderStatus {
    /// The word, for files.
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled(_) => "cancelled",
            OrderStatus::Rejected(_) => "rejected",
        }
    }

    /// Why it was cancelled or rejected.
    pub fn reason(&self) -> &'static str {
        match self {
            OrderStatus::Cancelled(r) | OrderStatus::Rejected(r) => r,
            _ => "",
        }
    }
}

/// One order of the run's log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderRecord {
    /// Sequence number.
    pub id: u64,
    /// Bar at whose close it was decided.
    pub created_bar: usize,
    /// Symbol index.
    pub symbol: usize,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit or stop.
    pub kind: OrderKind,
    /// Why it exists.
    pub purpose: Purpose,
    /// Its fate.
    pub status: OrderStatus,
    /// Bar at which it was filled, cancelled or rejected.
    pub closed_bar: Option<usize>,
}
