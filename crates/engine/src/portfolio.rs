//! Cash, positions and the accounting of fills.
//!
//! One cash account for all symbols. A buy pays `quantity * price + fee`; a sell receives
//! `quantity * price - fee`. Equity is cash plus every position's signed quantity times its
//! mark. Each fee leaves cash exactly once, when its fill is applied; a closed trade's PnL
//! carries the share of both fees that belongs to it. A borrow fee leaves cash when charged and
//! is carried by the short position like an entry fee, so the trade that closes it pays it.

use serde::Serialize;

use crate::records::{Fill, Trade};

/// A position still open, as reported at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct OpenPosition {
    /// Symbol index.
    pub symbol: usize,
    /// Signed quantity.
    pub quantity: f64,
    /// Bar index of the entry.
    pub entry_bar: usize,
    /// Timestamp of the entry.
    pub entry_ts: i64,
    /// Average entry price.
    pub entry_price: f64,
    /// Entry commissions (and borrow fees) not yet attributed to a closed trade.
    pub entry_fees: f64,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Lot {
    entry_bar: usize,
    entry_ts: i64,
    entry_price: f64,
    entry_fees: f64,
}

/// The account.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Portfolio {
    cash: f64,
    quantities: Vec<f64>,
    lots: Vec<Option<Lot>>,
    fees: f64,
    borrow: f64,
}

impl Portfolio {
    /// `cash` and no positions in `symbols` symbols.
    pub fn new(cash: f64, symbols: usize) -> Self {
        Portfolio {
            cash,
            quantities: vec![0.0; symbols],
            lots: vec![None; symbols],
            fees: 0.0,
            borrow: 0.0,
        }
    }

    /// Cash.
    #[inline]
    pub fn cash(&self) -> f64 {
        self.cash
    }

    /// Signed quantity per symbol.
    #[inline]
    pub fn quantities(&self) -> &[f64] {
        &self.quantities
    }

    /// Commissions paid so far.
    pub fn fees_paid(&self) -> f64 {
        self.fees
    }

    /// Borrow fees paid so far.
    pub fn borrow_paid(&self) -> f64 {
        self.borrow
    }

    /// Charges a borrow fee to the open position in `symbol` (ignored when there is none).
    pub fn charge_borrow(&mut self, symbol: usize, fee: f64) {
        if let Some(Some(lot)) = self.lots.get_mut(symbol) {
            lot.entry_fees += fee;
            self.cash -= fee;
            self.borrow += fee;
        }
    }

    /// Cash plus positions at `marks` (one price per symbol).
    #[inline]
    pub fn equity(&self, marks: &[f64]) -> f64 {
        self.cash
            + self
                .quantities
                .iter()
                .zip(marks)
                .map(|(q, p)| q * p)
                .sum::<f64>()
    }

    /// Average entry price of the open position in `symbol`.
    pub fn entry_price(&self, symbol: usize) -> Option<f64> {
        self.lots
            .get(symbol)
            .copied()
            .flatten()
            .map(|lot| lot.entry_price)
    }

    /// The open positions.
    pub fn open_positions(&self) -> Vec<OpenPosition> {
        self.lots
            .iter()
            .enumerate()
            .filter_map(|(symbol, lot)| {
                lot.map(|lot| OpenPosition {
                    symbol,
                    quantity: self.quantities[symbol],
                    entry_bar: lot.entry_bar,
                    entry_ts: lot.entry_ts,
                    entry_price: lot.entry_price,
                    entry_fees: lot.entry_fees,
                })
            })
            .collect()
    }

    /// Applies a fill; returns the trade it closes, if it reduces a position.
    pub fn apply(&mut self, fill: &Fill) -> Option<Trade> {
        let signed = fill.side.sign() * fill.quantity;
        self.cash -= signed * fill.price + fill.fee;
        self.fees += fill.fee;
        let s = fill.symbol;
        let held = self.quantities[s];
        let opening = |fees| Lot {
            entry_bar: fill.bar,
            entry_ts: fill.ts,
            entry_price: fill.price,
            entry_fees: fees,
        };
        match self.lots[s] {
            None => {
                self.lots[s] = Some(opening(fill.fee));
                self.quantities[s] = signed;
                None
            }
            Some(mut lot) if held * signed > 0.0 => {
                let total = held.abs() + fill.quantity;
                lot.entry_price =
                    (held.abs() * lot.entry_price + fill.quantity * fill.price) / total;
                lot.entry_fees += fill.fee;
                self.lots[s] = Some(lot);
                self.quantities[s] = held + signed;
                None
            }
            Some(mut lot) => {
                let closed = fill.quantity.min(held.abs());
                let entry_share = lot.entry_fees * closed / held.abs();
                let exit_share = fill.fee * closed / fill.quantity;
                let direction = held.signum();
                let trade = Trade {
                    symbol: s,
                    long: held > 0.0,
                    entry_bar: lot.entry_bar,
                    entry_ts: lot.entry_ts,
                    entry_price: lot.entry_price,
                    exit_bar: fill.bar,
                    exit_ts: fill.ts,
                    exit_price: fill.price,
                    quantity: closed,
                    fees: entry_share + exit_share,
                    pnl: direction * (fill.price - lot.entry_price) * closed
                        - entry_share
                        - exit_share,
                };
                let remaining = fill.quantity - closed;
                if closed < held.abs() {
                    lot.entry_fees -= entry_share;
                    self.lots[s] = Some(lot);
                    self.quantities[s] = held + signed;
                } else if remaining > 0.0 {
                    self.lots[s] = Some(opening(fill.fee - exit_share));
                    self.quantities[s] = -direction * remaining;
                } else {
                    self.lots[s] = None;
                    self.quantities[s] = 0.0;
                }
                Some(trade)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_risk::Side;

    fn fill(bar: usize, side: Side, quantity: f64, price: f64, fee: f64) -> Fill {
        Fill {
            order_id: bar as u64,
            bar,
            ts: bar as i64,
            symbol: 0,
            side,
            quantity,
            price,
            fee,
        }
    }

    #[test]
    fn a_long_round_trip_by_hand() {
        let mut p = Portfolio::new(1_000.0, 1);
        assert_eq!(p.apply(&fill(1, Side::Buy, 10.0, 50.0, 1.0)), None);
        assert_eq!(p.cash(), 499.0);
        assert_eq!(p.equity(&[55.0]), 1_049.0);
        let t = p
            .apply(&fill(3, Side::Sell, 10.0, 60.0, 2.0))
            .expect("closes");
        // (60 - 50) * 10 - 1 - 2 = 97; return 97 / 500.
        assert_eq!(t.pnl, 97.0);
        assert_eq!(t.fees, 3.0);
        assert_eq!(t.bars_held(), 2);
        assert!((t.return_fraction() - 0.194).abs() < 1e-15);
        assert_eq!(p.cash(), 1_097.0);
        assert!(p.open_positions().is_empty());
    }

    #[test]
    fn a_short_round_trip_by_hand() {
        let mut p = Portfolio::new(1_000.0, 1);
        p.apply(&fill(1, Side::Sell, 4.0, 100.0, 0.5));
        assert_eq!(p.cash(), 1_399.5);
        assert_eq!(p.equity(&[90.0]), 1_039.5);
        let t = p
            .apply(&fill(2, Side::Buy, 4.0, 90.0, 0.5))
            .expect("covers");
        assert!(!t.long);
        assert_eq!(t.pnl, 39.0);
        assert_eq!(p.cash(), 1_039.0);
    }

    #[test]
    fn a_fill_through_zero_closes_and_opens() {
        let mut p = Portfolio::new(1_000.0, 1);
        p.apply(&fill(1, Side::Buy, 2.0, 100.0, 0.0));
        let t = p
            .apply(&fill(2, Side::Sell, 5.0, 110.0, 5.0))
            .expect("closes");
        // 2 of the 5 close the long: fee share 2; pnl 20 - 2 = 18. 3 open short with fee 3.
        assert_eq!(t.pnl, 18.0);
        assert_eq!(p.quantities(), &[-3.0]);
        let open = p.open_positions();
        assert_eq!((open[0].entry_price, open[0].entry_fees), (110.0, 3.0));
    }
}
