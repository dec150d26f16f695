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

/// One trade as the statistics count it: every closed trade of the positions opened at one bar,
/// that is the legs a strategy entered together (both legs of `pairs`) and each position's
/// partial exits, taken as one. Its PnL is theirs summed (fees included); it ends when its last
/// leg closes. A strategy of one symbol opens one position at a time and, unless it cuts a
/// position, makes one round trip per trade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundTrip {
    /// Bar index of the entry fills.
    pub entry_bar: usize,
    /// Bar index of the last leg's exit fill.
    pub exit_bar: usize,
    /// Net profit of every leg.
    pub pnl: f64,
    /// The closed trades it gathers.
    pub legs: usize,
}

impl RoundTrip {
    /// The round trips of `trades`, in the order of their entry times; the legs of one are
    /// summed in the order they closed. Legs are matched by their entry time, not their bar
    /// index: the trades of a walk-forward are stitched from windows whose bar indices start
    /// over, while their times never repeat.
    pub fn of(trades: &[Trade]) -> Vec<RoundTrip> {
        let mut by_entry: Vec<&Trade> = trades.iter().collect();
        // Stable: legs of one entry time keep their closing order, so the sums do not depend
        // on the sort.
        by_entry.sort_by_key(|t| t.entry_ts);
        let mut trips: Vec<(i64, RoundTrip)> = Vec::new();
        for t in by_entry {
            match trips.last_mut() {
                Some((entry_ts, trip)) if *entry_ts == t.entry_ts => {
                    trip.pnl += t.pnl;
                    trip.exit_bar = trip.exit_bar.max(t.exit_bar);
                    trip.legs += 1;
                }
                _ => trips.push((
                    t.entry_ts,
                    RoundTrip {
                        entry_bar: t.entry_bar,
                        exit_bar: t.exit_bar,
                        pnl: t.pnl,
                        legs: 1,
                    },
                )),
            }
        }
        trips.into_iter().map(|(_, trip)| trip).collect()
    }

    /// Bars from the entry fills to the last exit fill.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(symbol: usize, entry_bar: usize, exit_bar: usize, pnl: f64) -> Trade {
        Trade {
            symbol,
            long: true,
            entry_bar,
            entry_ts: entry_bar as i64 * 86_400_000,
            entry_price: 1.0,
            exit_bar,
            exit_ts: 0,
            exit_price: 1.0,
            quantity: 1.0,
            fees: 0.0,
            pnl,
        }
    }

    #[test]
    fn legs_entered_together_and_their_cuts_are_one_round_trip() {
        // In closing order: a cut of leg 1 at bar 7, both legs out at bar 9 (entered at 5);
        // then a pair entered at 12, out at 15 and 16.
        let trades = [
            trade(1, 5, 7, 2.0),
            trade(0, 5, 9, -10.0),
            trade(1, 5, 9, 7.0),
            trade(0, 12, 15, 4.0),
            trade(1, 12, 16, -1.0),
        ];
        let trips = RoundTrip::of(&trades);
        assert_eq!(
            trips,
            vec![
                RoundTrip {
                    entry_bar: 5,
                    exit_bar: 9,
                    pnl: -1.0, // 2 - 10 + 7: a loss, though two of its three legs won
                    legs: 3
                },
                RoundTrip {
                    entry_bar: 12,
                    exit_bar: 16,
                    pnl: 3.0,
                    legs: 2
                },
            ]
        );
        assert_eq!(trips[0].bars_held(), 4);
        // One symbol, one position at a time: a round trip per trade.
        let single = [trade(0, 1, 3, 1.0), trade(0, 3, 8, -2.0)];
        assert_eq!(RoundTrip::of(&single).len(), 2);
        // Stitched windows whose bar indices start over: times tell the trades apart.
        let mut later = trade(0, 1, 4, 5.0);
        later.entry_ts += 365 * 86_400_000;
        assert_eq!(RoundTrip::of(&[trade(0, 1, 3, 1.0), later]).len(), 2);
    }
}
