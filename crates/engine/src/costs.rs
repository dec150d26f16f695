//! Trading costs: commission, slippage, and the borrow fee on short positions.

use gauntlet_risk::Side;
use serde::{Deserialize, Serialize};

/// Commission and slippage.
///
/// Commission per order: `max(commission_min, commission_per_share * quantity +
/// commission_bps / 10_000 * notional)`. Slippage moves the fill price against the trader by
/// `slippage_bps / 10_000` of the price (up for buys, down for sells) on market and stop fills;
/// limit fills get their limit price or better and no slippage.
///
/// Borrow: at every close, each short position pays `borrow_bps / 10_000` a year of its value
/// at that close, pro rata for the time since the previous bar's close (a year is 365.25 days):
/// `fee = |quantity| * close * borrow_bps / 10_000 * (ts[t] - ts[t-1]) / year`. A short opened
/// at an open pays for the whole interval ending at that bar's close; one covered at an open
/// pays nothing for the part of the interval before the cover. Nothing by default.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// Commission in basis points of notional.
    pub commission_bps: f64,
    /// Commission per share (or unit).
    pub commission_per_share: f64,
    /// Minimum commission per order.
    pub commission_min: f64,
    /// Slippage in basis points of price.
    pub slippage_bps: f64,
    /// Annual borrow fee on short positions, in basis points of their value.
    pub borrow_bps: f64,
}

/// Milliseconds in the year the borrow fee is quoted for (365.25 days).
pub const YEAR_MS: f64 = 365.25 * 86_400_000.0;

impl CostModel {
    /// No costs at all.
    pub fn free() -> Self {
        Self::default()
    }

    /// The commission on `quantity` at `price`.
    #[inline]
    pub fn commission(&self, quantity: f64, price: f64) -> f64 {
        self.variable_commission(quantity, price)
            .max(self.commission_min)
    }

    #[inline]
    fn variable_commission(&self, quantity: f64, price: f64) -> f64 {
        self.commission_per_share * quantity + self.commission_bps / 10_000.0 * quantity * price
    }

    /// `price` moved against a trader on `side` by the slippage.
    #[inline]
    pub fn slipped(&self, price: f64, side: Side) -> f64 {
        price * (1.0 + side.sign() * self.slippage_bps / 10_000.0)
    }

    /// The borrow fee of a short position worth `value` held for `elapsed_ms`.
    #[inline]
    pub fn borrow_fee(&self, value: f64, elapsed_ms: i64) -> f64 {
        value.abs() * self.borrow_bps / 10_000.0 * elapsed_ms as f64 / YEAR_MS
    }

    /// The largest quantity whose cost (`quantity * price` plus commission) fits `budget`.
    pub fn quantity_for(&self, budget: f64, price: f64) -> f64 {
        // Where the variable commission is above the minimum, cost is linear in quantity.
        let per_unit = price * (1.0 + self.commission_bps / 10_000.0) + self.commission_per_share;
        let quantity = budget / per_unit;
        if self.commission_min > self.variable_commission(quantity, price) {
            ((budget - self.commission_min) / price).max(0.0)
        } else {
            quantity
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_by_hand() {
        let c = CostModel {
            commission_bps: 10.0,
            commission_per_share: 0.01,
            commission_min: 1.0,
            slippage_bps: 5.0,
            borrow_bps: 0.0,
        };
        // 100 shares at 50: 0.01 * 100 + 0.001 * 5,000 = 1 + 5 = 6.
        assert!((c.commission(100.0, 50.0) - 6.0).abs() < 1e-12);
        // 10 shares at 5: 0.1 + 0.05 = 0.15, below the minimum of 1.
        assert_eq!(c.commission(10.0, 5.0), 1.0);
        assert!((c.slipped(100.0, Side::Buy) - 100.05).abs() < 1e-12);
        assert!((c.slipped(100.0, Side::Sell) - 99.95).abs() < 1e-12);
    }

    #[test]
    fn borrow_by_hand() {
        // 300 bps a year on a short worth 10,000 held one day: 10,000 * 0.03 / 365.25.
        let c = CostModel {
            borrow_bps: 300.0,
            ..CostModel::free()
        };
        assert!((c.borrow_fee(-10_000.0, 86_400_000) - 300.0 / 365.25).abs() < 1e-12);
        assert_eq!(CostModel::free().borrow_fee(10_000.0, 86_400_000), 0.0);
    }

    #[test]
    fn quantity_spends_the_budget_exactly() {
        // The reference convention: shares = cash / (price * (1 + fee)).
        let c = CostModel {
            commission_bps: 10.0,
            ..CostModel::free()
        };
        let q = c.quantity_for(100_000.0, 1245.02002);
        assert!((q - 100_000.0 / (1245.02002 * 1.001)).abs() < 1e-12);
        // With a minimum that binds: budget 100 at price 10, min 2: (100 - 2) / 10 = 9.8.
        let m = CostModel {
            commission_min: 2.0,
            ..CostModel::free()
        };
        assert!((m.quantity_for(100.0, 10.0) - 9.8).abs() < 1e-12);
        assert!((9.8 * 10.0 + m.commission(9.8, 10.0) - 100.0).abs() < 1e-12);
    }
}
