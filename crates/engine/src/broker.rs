//! The broker: decides whether and at what price an order fills against a bar.
//!
//! The backtest uses [`SimulatedBroker`]; the live runner passes its paper broker (or a real
//! adapter) through the same trait, so the step function does not know which world it is in.
//!
//! Fill rules of the simulated broker, for an order decided at bar *t-1* and tried on bar *t*:
//! - market: at *t*'s open;
//! - stop (buy above, sell below): at the stop level once *t*'s range reaches it, or at the open
//!   when the bar opens through it (a gap);
//! - limit (buy below, sell above): at the limit once the range reaches it, or at the open when
//!   the bar opens better than the limit;
//! - slippage on market and stop fills, never on limit fills; commission on every fill.

use gauntlet_risk::{Order, OrderKind, OrderSize, Side};

use crate::CostModel;

/// The prices of one symbol's bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarPrices {
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
}

/// What the broker did with an order on a bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FillOutcome {
    /// Filled.
    Filled {
        /// Quantity, positive.
        quantity: f64,
        /// Price, slippage included.
        price: f64,
        /// Commission.
        fee: f64,
    },
    /// The bar did not reach the order's price.
    NotTriggered,
    /// The order cannot be filled at all.
    Rejected(&'static str),
}

/// Fills orders.
pub trait Broker {
    /// Tries `order` against `bar`, with `cash` available and `position` (signed) held in the
    /// order's symbol.
    fn try_fill(&mut self, order: &Order, bar: &BarPrices, cash: f64, position: f64)
    -> FillOutcome;

    /// Whether short positions pay a borrow fee at all (the engine skips the accrual when not).
    fn charges_borrow(&self) -> bool {
        false
    }

    /// The borrow fee of a short position worth `value` (at the close) held `elapsed_ms`.
    /// None by default: a broker that charges one says so in [`Broker::charges_borrow`].
    #[inline]
    fn borrow_fee(&self, value: f64, elapsed_ms: i64) -> f64 {
        let _ = (value, elapsed_ms);
        0.0
    }
}

/// The backtest's broker: the fill rules of the module docs, with a cost model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedBroker {
    /// Commission and slippage.
    pub costs: CostModel,
    /// Fractional quantities (true) or whole units only.
    pub fractional: bool,
}

impl SimulatedBroker {
    /// A broker with `costs`, trading fractional quantities.
    pub fn new(costs: CostModel) -> Self {
        SimulatedBroker {
            costs,
            fractional: true,
        }
    }

    /// Where `order` fills on `bar`, before slippage, or `None` when the bar does not reach it.
    fn trigger_price(order: &Order, bar: &BarPrices) -> Option<f64> {
        match (order.kind, order.side) {
            (OrderKind::Market, _) => Some(bar.open),
            (OrderKind::Stop(level), Side::Buy) => {
                if bar.open >= level {
                    Some(bar.open)
                } else {
                    (bar.high >= level).then_some(level)
                }
            }
            (OrderKind::Stop(level), Side::Sell) => {
                if bar.open <= level {
                    Some(bar.open)
                } else {
                    (bar.low <= level).then_some(level)
                }
            }
            (OrderKind::Limit(level), Side::Buy) => {
                if bar.open <= level {
                    Some(bar.open)
                } else {
                    (bar.low <= level).then_some(level)
                }
            }
            (OrderKind::Limit(level), Side::Sell) => {
                if bar.open >= level {
                    Some(bar.open)
                } else {
                    (bar.high >= level).then_some(level)
                }
            }
        }
    }
}

impl Broker for SimulatedBroker {
    fn charges_borrow(&self) -> bool {
        self.costs.borrow_bps > 0.0
    }

    #[inline]
    fn borrow_fee(&self, value: f64, elapsed_ms: i64) -> f64 {
        self.costs.borrow_fee(value, elapsed_ms)
    }

    #[inline(always)]
    fn try_fill(
        &mut self,
        order: &Order,
        bar: &BarPrices,
        cash: f64,
        position: f64,
    ) -> FillOutcome {
        let Some(trigger) = Self::trigger_price(order, bar) else {
            return FillOutcome::NotTriggered;
        };
        let price = match order.kind {
            OrderKind::Limit(_) => trigger,
            OrderKind::Market | OrderKind::Stop(_) => self.costs.slipped(trigger, order.side),
        };
        let quantity = match order.size {
            OrderSize::ClosePosition | OrderSize::Reduce(_) => {
                let closes = match order.side {
                    Side::Sell => position > 0.0,
                    Side::Buy => position < 0.0,
                };
                if !closes {
                    return FillOutcome::Rejected("no position to close");
                }
                match order.size {
                    OrderSize::Reduce(units) => {
                        let mut units = units.min(position.abs());
                        if !self.fractional {
                            units = units.floor();
                        }
                        if units <= 0.0 || !units.is_finite() {
                            return FillOutcome::Rejected("reduction of less than one unit");
                        }
                        units
                    }
                    _ => position.abs(),
                }
            }
            OrderSize::Notional(notional) => {
                // A buy can spend only the cash there is; a short's proceeds need no cash.
                let budget = match order.side {
                    Side::Buy => notional.min(cash),
                    Side::Sell => notional,
                };
                let mut quantity = self.costs.quantity_for(budget, price);
                if !self.fractional {
                    quantity = quantity.floor();
                }
                if quantity <= 0.0 || !quantity.is_finite() {
                    return FillOutcome::Rejected("budget buys less than one unit");
                }
                quantity
            }
        };
        FillOutcome::Filled {
            quantity,
            price,
            fee: self.costs.commission(quantity, price),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_risk::Purpose;

    fn order(side: Side, kind: OrderKind) -> Order {
        Order {
            id: 0,
            symbol: 0,
            side,
            kind,
            size: OrderSize::Notional(1_000.0),
            purpose: Purpose::Entry,
            created_at: 0,
        }
    }

    const BAR: BarPrices = BarPrices {
        open: 100.0,
        high: 105.0,
        low: 95.0,
        close: 101.0,
    };

    fn price(outcome: FillOutcome) -> Option<f64> {
        match outcome {
            FillOutcome::Filled { price, .. } => Some(price),
            _ => None,
        }
    }

    #[test]
    fn stops_and_limits_fill_inside_the_range_or_at_a_gapped_open() {
        let mut b = SimulatedBroker::new(CostModel::free());
        let mut fill = |side, kind| price(b.try_fill(&order(side, kind), &BAR, 10_000.0, 0.0));
        assert_eq!(fill(Side::Buy, OrderKind::Market), Some(100.0));
        assert_eq!(fill(Side::Buy, OrderKind::Stop(103.0)), Some(103.0));
        assert_eq!(fill(Side::Buy, OrderKind::Stop(99.0)), Some(100.0)); // opened above the stop
        assert_eq!(fill(Side::Buy, OrderKind::Stop(106.0)), None);
        assert_eq!(fill(Side::Sell, OrderKind::Stop(97.0)), Some(97.0));
        assert_eq!(fill(Side::Sell, OrderKind::Stop(102.0)), Some(100.0)); // gapped below
        assert_eq!(fill(Side::Sell, OrderKind::Stop(94.0)), None);
        assert_eq!(fill(Side::Buy, OrderKind::Limit(96.0)), Some(96.0));
        assert_eq!(fill(Side::Buy, OrderKind::Limit(101.0)), Some(100.0)); // opened below
        assert_eq!(fill(Side::Buy, OrderKind::Limit(94.0)), None);
        assert_eq!(fill(Side::Sell, OrderKind::Limit(104.0)), Some(104.0));
        assert_eq!(fill(Side::Sell, OrderKind::Limit(99.0)), Some(100.0));
        assert_eq!(fill(Side::Sell, OrderKind::Limit(106.0)), None);
    }

    #[test]
    fn slippage_on_market_and_stop_not_on_limit() {
        let mut b = SimulatedBroker::new(CostModel {
            slippage_bps: 10.0,
            ..CostModel::free()
        });
        let mut fill = |side, kind| price(b.try_fill(&order(side, kind), &BAR, 10_000.0, 0.0));
        assert!((fill(Side::Buy, OrderKind::Market).unwrap_or(0.0) - 100.1).abs() < 1e-12);
        assert!((fill(Side::Sell, OrderKind::Stop(97.0)).unwrap_or(0.0) - 96.903).abs() < 1e-12);
        assert_eq!(fill(Side::Buy, OrderKind::Limit(96.0)), Some(96.0));
    }

    #[test]
    fn quantities_from_budget_cash_and_whole_units() {
        let mut b = SimulatedBroker::new(CostModel::free());
        // Budget 1,000 but only 550 of cash: 5.5 units at 100.
        match b.try_fill(&order(Side::Buy, OrderKind::Market), &BAR, 550.0, 0.0) {
            FillOutcome::Filled { quantity, .. } => assert_eq!(quantity, 5.5),
            other => panic!("{other:?}"),
        }
        b.fractional = false;
        match b.try_fill(&order(Side::Buy, OrderKind::Market), &BAR, 550.0, 0.0) {
            FillOutcome::Filled { quantity, .. } => assert_eq!(quantity, 5.0),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b.try_fill(&order(Side::Buy, OrderKind::Market), &BAR, 50.0, 0.0),
            FillOutcome::Rejected("budget buys less than one unit")
        );
        let close = Order {
            size: OrderSize::ClosePosition,
            ..order(Side::Sell, OrderKind::Market)
        };
        assert_eq!(
            b.try_fill(&close, &BAR, 0.0, 0.0),
            FillOutcome::Rejected("no position to close")
        );
        match b.try_fill(&close, &BAR, 0.0, 7.25) {
            FillOutcome::Filled { quantity, .. } => assert_eq!(quantity, 7.25),
            other => panic!("{other:?}"),
        }
    }
}
