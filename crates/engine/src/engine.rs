//! The step function: the flow of one bar (see the crate docs), over an [`Engine`] that owns
//! the strategy, the broker, the risk manager and the portfolio.
//!
//! The engine never allocates per bar in the steady state: its order, intent and scratch
//! buffers are reused, and the per-bar records (equity) are pushed into vectors sized up front.

use gauntlet_risk::{Order, OrderKind, OrderSize, PortfolioView, Purpose, RiskConfig, RiskManager};
use gauntlet_strategy::{BarColumns, BarContext, Intents, Strategy};

use crate::broker::{BarPrices, Broker, FillOutcome};
use crate::portfolio::Portfolio;
use crate::records::{Fill, OrderRecord, OrderStatus, Trade};

/// Settings of a run that are neither strategy, risk nor costs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngineConfig {
    /// Starting cash.
    pub initial_capital: f64,
    /// First bar index at which intents become orders; earlier bars only warm the strategy up.
    pub trade_from: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            initial_capital: 100_000.0,
            trade_from: 0,
        }
    }
}

/// The bars a step reads: every symbol's columns on one clock, and which bars are real.
#[derive(Debug, Clone, Copy)]
pub struct BarSet<'a> {
    /// One entry per symbol.
    pub columns: &'a [BarColumns<'a>],
    /// Per symbol, whether each bar is real (`None`: all are). Orders never fill on a bar that
    /// is not (a date the symbol lacks, carried from its last close).
    pub present: &'a [Option<&'a [bool]>],
    /// The run's bar index of the columns' first bar: 0 for a backtest, which holds every
    /// bar; the live runner holds a window of the latest bars, so that its memory stays flat
    /// however long the feed runs. Steps and records count bars on the run's clock.
    pub first: usize,
}

impl BarSet<'_> {
    #[inline]
    fn prices(&self, symbol: usize, t: usize) -> BarPrices {
        let c = &self.columns[symbol];
        let i = t - self.first;
        BarPrices {
            open: c.open[i],
            high: c.high[i],
            low: c.low[i],
            close: c.close[i],
        }
    }

    #[inline]
    fn is_present(&self, symbol: usize, t: usize) -> bool {
        self.present
            .get(symbol)
            .copied()
            .flatten()
            .is_none_or(|p| p[t - self.first])
    }

    #[inline]
    fn ts(&self, t: usize) -> i64 {
        self.columns[0].ts[t - self.first]
    }
}

/// A strategy error as recorded: when, and what it said.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyFailure {
    /// Bar index.
    pub bar: usize,
    /// Its message.
    pub message: String,
}

/// One strategy trading one portfolio, one bar at a time.
pub struct Engine<S: Strategy, B: Broker> {
    pub(crate) strategy: S,
    pub(crate) broker: B,
    pub(crate) risk: RiskManager,
    pub(crate) portfolio: Portfolio,
    pub(crate) config: EngineConfig,
    pub(crate) pending: Vec<Order>,
    pub(crate) scratch: Vec<Order>,
    /// The protective stop of each symbol's open position.
    pub(crate) stops: Vec<Option<Order>>,
    pub(crate) intents: Intents,
    pub(crate) marks: Vec<f64>,
    /// Symbols with a position: the per-bar fast path checks this instead of every symbol.
    pub(crate) open_positions: usize,
    /// Whether the risk config places protective stops.
    pub(crate) has_stops: bool,
    /// Whether the broker charges shorts a borrow fee.
    pub(crate) charges_borrow: bool,
    pub(crate) next_id: u64,
    pub(crate) equity: Vec<f64>,
    pub(crate) exposed_bars: usize,
    pub(crate) trades: Vec<Trade>,
    pub(crate) fills: Vec<Fill>,
    /// The record of order `id` is `orders[id - order_base]`: the live runner drops the
    /// records of orders long closed, the backtest keeps all (`order_base` stays 0).
    pub(crate) orders: Vec<OrderRecord>,
    pub(crate) order_base: u64,
    pub(crate) failures: Vec<StrategyFailure>,
}

impl<S: Strategy, B: Broker> Engine<S, B> {
    /// An engine for `symbols` symbols, expecting about `bars` bars.
    pub fn new(
        strategy: S,
        broker: B,
        risk: RiskConfig,
        config: EngineConfig,
        symbols: usize,
        bars: usize,
    ) -> Self {
        let charges_borrow = broker.charges_borrow();
        Engine {
            strategy,
            broker,
            risk: RiskManager::new(risk, config.initial_capital),
            portfolio: Portfolio::new(config.initial_capital, symbols),
            config,
            pending: Vec::new(),
            scratch: Vec::new(),
            stops: vec![None; symbols],
            intents: Intents::new(),
            marks: vec![0.0; symbols],
            open_positions: 0,
            has_stops: risk.stop_loss_pct.is_some(),
            charges_borrow,
            next_id: 0,
            equity: Vec::with_capacity(bars),
            exposed_bars: 0,
            // Room for an order every 16 bars of each symbol (fills alike, a trade every 32):
            // growing a record vector of a long run by doubling copies it whole each time, and
            // reserved room that is never written costs no memory.
            trades: Vec::with_capacity(bars * symbols / 32),
            fills: Vec::with_capacity(bars * symbols / 16),
            orders: Vec::with_capacity(bars * symbols / 16),
            order_base: 0,
            failures: Vec::new(),
        }
    }

    /// The flow of one bar at index `t` of `bars`.
    #[inline]
    pub fn step(&mut self, bars: &BarSet<'_>, t: usize) {
        let ts = bars.ts(t);
        let i = t - bars.first;
        crate::prefetch::fill_prices(bars, t);
        self.risk.begin_bar(ts);

        // 1. Orders decided at t-1 fill against bar t.
        if !self.pending.is_empty() || (self.open_positions > 0 && self.has_stops) {
            self.fill_orders(bars, t, ts);
        }

        // 2. Shorts pay their borrow for the interval ending at this close; mark to the
        // close; the risk manager may halt.
        if self.charges_borrow && self.open_positions > 0 && t > 0 {
            self.charge_borrow(bars, t, ts);
        }
        // Marks and equity in one pass, summed as `Portfolio::equity` sums them. One symbol
        // and a pair, the common cases, take no loop.
        // Matching the three slices at once leaves one length test each, not one per read.
        let quantities = self.portfolio.quantities();
        let equity = match (self.marks.as_mut_slice(), bars.columns, quantities) {
            ([mark], [columns], [quantity]) => {
                *mark = columns.close[i];
                self.portfolio.cash() + quantity * *mark
            }
            ([mark_a, mark_b], [columns_a, columns_b], [quantity_a, quantity_b]) => {
                *mark_a = columns_a.close[i];
                *mark_b = columns_b.close[i];
                let held = 0.0 + quantity_a * *mark_a + quantity_b * *mark_b;
                self.portfolio.cash() + held
            }
            (marks, _, _) => {
                let mut held = 0.0;
                for ((mark, columns), &quantity) in
                    marks.iter_mut().zip(bars.columns).zip(quantities)
                {
                    *mark = columns.close[i];
                    held += quantity * *mark;
                }
                self.portfolio.cash() + held
            }
        };
        self.equity.push(equity);
        if self.open_positions > 0 {
            self.exposed_bars += 1;
        }
        if self.risk.on_mark(ts, equity).is_some() {
            self.flatten(t);
        }

        // 3. The strategy sees bars up to t.
        self.intents.clear();
        let context =
            BarContext::on_clock(bars.columns, i, bars.first, self.portfolio.quantities());
        let outcome = self.strategy.on_bar(&context, &mut self.intents);
        let outcome = outcome.and_then(|()| {
            if self.intents.is_empty() {
                // Most bars: nothing to check.
                return Ok(());
            }
            match self
                .intents
                .as_slice()
                .iter()
                .find(|i| i.symbol >= self.marks.len())
            {
                Some(bad) => Err(gauntlet_strategy::StrategyError(format!(
                    "intent for symbol {} but the run has {}",
                    bad.symbol,
                    self.marks.len()
                ))),
                None => Ok(()),
            }
        });
        match outcome {
            Ok(()) => self.risk.strategy_ok(),
            Err(error) => {
                // An error never becomes a signal.
                self.intents.clear();
                self.failures.push(StrategyFailure {
                    bar: t,
                    message: error.0,
                });
                if self.risk.strategy_failed(ts).is_some() {
                    self.flatten(t);
                }
            }
        }

        // 4. The risk manager turns intents into orders for t+1.
        if t >= self.config.trade_from && !self.intents.is_empty() {
            self.vet_intents(t, ts, equity);
        }
    }

    fn charge_borrow(&mut self, bars: &BarSet<'_>, t: usize, ts: i64) {
        let elapsed = ts - bars.ts(t - 1);
        for symbol in 0..self.marks.len() {
            let quantity = self.portfolio.quantities()[symbol];
            if quantity < 0.0 {
                let value = quantity * bars.prices(symbol, t).close;
                let fee = self.broker.borrow_fee(value, elapsed);
                if fee > 0.0 {
                    self.portfolio.charge_borrow(symbol, fee);
                }
            }
        }
    }

    fn vet_intents(&mut self, t: usize, ts: i64, equity: f64) {
        let intents = self.intents.as_slice();
        let orders = &mut self.orders;
        let base = self.order_base;
        // A new intent supersedes the symbol's orders still waiting from earlier bars (most
        // bars have none: market orders fill on the next bar).
        self.pending.retain(|o| {
            let superseded =
                o.purpose != Purpose::Flatten && intents.iter().any(|i| i.symbol == o.symbol);
            if superseded {
                let record = &mut orders[(o.id - base) as usize];
                record.status = OrderStatus::Cancelled("superseded");
                record.closed_bar = Some(t);
            }
            !superseded
        });
        let first_new = self.pending.len();
        let view = PortfolioView {
            equity,
            positions: self.portfolio.quantities(),
            prices: &self.marks,
        };
        for intent in intents {
            self.risk
                .vet(intent, &view, ts, t, &mut self.next_id, &mut self.pending);
        }
        self.orders
            .extend(self.pending[first_new..].iter().map(record));
    }

    /// Step 1: market orders at the open, then protective stops, then stop and limit orders.
    fn fill_orders(&mut self, bars: &BarSet<'_>, t: usize, ts: i64) {
        // The orders to try move out; `pending` (the emptied spare buffer) collects what waits on.
        let mut waiting = std::mem::replace(&mut self.pending, std::mem::take(&mut self.scratch));
        let mut priced = false;
        for order in &waiting {
            if order.kind == OrderKind::Market {
                self.try_waiting(order, bars, t, ts);
            } else {
                priced = true;
            }
        }
        if self.has_stops {
            for symbol in 0..self.stops.len() {
                let Some(stop) = self.stops[symbol] else {
                    continue;
                };
                if !bars.is_present(symbol, t) {
                    continue;
                }
                if let FillOutcome::Rejected(why) = self.try_fill(&stop, bars, t, ts) {
                    self.stops[symbol] = None;
                    self.close_record(stop.id, t, OrderStatus::Rejected(why));
                }
            }
        }
        if priced {
            for order in waiting.iter().filter(|o| o.kind != OrderKind::Market) {
                self.try_waiting(order, bars, t, ts);
            }
        }
        waiting.clear();
        self.scratch = waiting;
    }

    /// Step 1 for one waiting order: it fills, fails, or (its symbol has no bar) waits on.
    #[inline]
    fn try_waiting(&mut self, order: &Order, bars: &BarSet<'_>, t: usize, ts: i64) {
        if !bars.is_present(order.symbol, t) {
            self.pending.push(*order);
            return;
        }
        match self.try_fill(order, bars, t, ts) {
            FillOutcome::NotTriggered => self.close_record(
                order.id,
                t,
                OrderStatus::Cancelled("price not reached on its bar"),
            ),
            FillOutcome::Rejected(why) => {
                self.close_record(order.id, t, OrderStatus::Rejected(why))
            }
            FillOutcome::Filled { .. } => {}
        }
    }

    fn try_fill(&mut self, order: &Order, bars: &BarSet<'_>, t: usize, ts: i64) -> FillOutcome {
        self.fill_at(order, bars.prices(order.symbol, t), t, ts)
    }

    fn fill_at(&mut self, order: &Order, prices: BarPrices, t: usize, ts: i64) -> FillOutcome {
        let symbol = order.symbol;
        let held = self.portfolio.quantities()[symbol];
        let outcome = self
            .broker
            .try_fill(order, &prices, self.portfolio.cash(), held);
        if let FillOutcome::Filled {
            quantity,
            price,
            fee,
        } = outcome
        {
            let fill = Fill {
                order_id: order.id,
                bar: t,
                ts,
                symbol,
                side: order.side,
                quantity,
                price,
                fee,
            };
            self.fills.push(fill);
            self.close_record(order.id, t, OrderStatus::Filled);
            if let Some(trade) = self.portfolio.apply(&fill) {
                self.trades.push(trade);
            }
            let now = self.portfolio.quantities()[symbol];
            if held == 0.0 && now != 0.0 {
                self.open_positions += 1;
            } else if held != 0.0 && now == 0.0 {
                self.open_positions -= 1;
            }
            // The position changed sign or closed: its protective stop no longer applies.
            if now * held <= 0.0
                && let Some(stop) = self.stops[symbol].take()
                && stop.id != order.id
            {
                self.close_record(stop.id, t, OrderStatus::Cancelled("position closed"));
            }
            // A position just opened (or reversed): place its protective stop.
            if now != 0.0
                && now * held <= 0.0
                && let Some(entry_price) = self.portfolio.entry_price(symbol)
                && let Some(stop) =
                    self.risk
                        .protective_stop(symbol, now > 0.0, entry_price, t, &mut self.next_id)
            {
                self.orders.push(record(&stop));
                self.stops[symbol] = Some(stop);
            }
        }
        outcome
    }

    /// A halt: cancel waiting entries, close every position at the next open.
    fn flatten(&mut self, t: usize) {
        let orders = &mut self.orders;
        let base = self.order_base;
        self.pending.retain(|o| {
            let keep = o.purpose != Purpose::Entry;
            if !keep {
                let record = &mut orders[(o.id - base) as usize];
                record.status = OrderStatus::Cancelled("halted");
                record.closed_bar = Some(t);
            }
            keep
        });
        // A halt is rare: copying the positions costs nothing that matters.
        let quantities = self.portfolio.quantities().to_vec();
        for (symbol, quantity) in quantities.into_iter().enumerate() {
            let already = self
                .pending
                .iter()
                .any(|o| o.symbol == symbol && o.size == OrderSize::ClosePosition);
            if quantity == 0.0 || already {
                continue;
            }
            let order = self.closing_order(symbol, quantity, Purpose::Flatten, t);
            self.pending.push(order);
        }
    }

    /// A market order, decided at bar `t`, that closes the position of `quantity` in `symbol`;
    /// recorded, not yet placed.
    fn closing_order(&mut self, symbol: usize, quantity: f64, purpose: Purpose, t: usize) -> Order {
        let order = Order {
            id: self.next_id,
            symbol,
            side: if quantity > 0.0 {
                gauntlet_risk::Side::Sell
            } else {
                gauntlet_risk::Side::Buy
            },
            kind: OrderKind::Market,
            size: OrderSize::ClosePosition,
            purpose,
            created_at: t,
        };
        self.next_id += 1;
        self.orders.push(record(&order));
        order
    }

    /// Ends a validation window at bar `t`, after its step: orders still waiting are cancelled
    /// and every open position is closed at `t`'s close (slippage and commission as for a
    /// market order), so the window's last equity is all cash and its trades are complete.
    pub fn close_out(&mut self, bars: &BarSet<'_>, t: usize) {
        let ts = bars.ts(t);
        for order in std::mem::take(&mut self.pending) {
            self.close_record(order.id, t, OrderStatus::Cancelled("window ended"));
        }
        for symbol in 0..self.stops.len() {
            if let Some(stop) = self.stops[symbol].take() {
                self.close_record(stop.id, t, OrderStatus::Cancelled("window ended"));
            }
        }
        for symbol in 0..self.marks.len() {
            let quantity = self.portfolio.quantities()[symbol];
            if quantity == 0.0 {
                continue;
            }
            let order = self.closing_order(symbol, quantity, Purpose::CloseOut, t);
            let close = bars.prices(symbol, t).close;
            let at_close = BarPrices {
                open: close,
                high: close,
                low: close,
                close,
            };
            if let FillOutcome::Rejected(why) = self.fill_at(&order, at_close, t, ts) {
                self.close_record(order.id, t, OrderStatus::Rejected(why));
            }
            // The stop a reversal would place has no window left to stand in.
            if let Some(stop) = self.stops[symbol].take() {
                self.close_record(stop.id, t, OrderStatus::Cancelled("window ended"));
            }
        }
        if let Some(last) = self.equity.last_mut() {
            *last = self.portfolio.equity(&self.marks);
        }
    }

    pub(crate) fn close_record(&mut self, id: u64, t: usize, status: OrderStatus) {
        let index = id.checked_sub(self.order_base).map(|i| i as usize);
        if let Some(r) = index.and_then(|i| self.orders.get_mut(i)) {
            r.status = status;
            r.closed_bar = Some(t);
        }
    }

    pub(crate) fn config_initial_capital(&self) -> f64 {
        self.config.initial_capital
    }

    /// The portfolio.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The risk manager.
    pub fn risk(&self) -> &RiskManager {
        &self.risk
    }

    /// Mutable access to the risk manager (an operator's reset).
    pub fn risk_mut(&mut self) -> &mut RiskManager {
        &mut self.risk
    }

    /// Fills so far.
    pub fn fills(&self) -> &[Fill] {
        &self.fills
    }

    /// Closed trades so far.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    /// Equity at every close so far.
    pub fn equity_curve(&self) -> &[f64] {
        &self.equity
    }

    /// The strategy.
    pub fn strategy(&self) -> &S {
        &self.strategy
    }
}

pub(crate) fn record(order: &Order) -> OrderRecord {
    OrderRecord {
        id: order.id,
        created_bar: order.created_at,
        symbol: order.symbol,
        side: order.side,
        kind: order.kind,
        purpose: order.purpose,
        status: OrderStatus::Pending,
        closed_bar: None,
    }
}
