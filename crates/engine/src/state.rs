//! What the live runner needs of the engine beyond the step: its state as a value that can be
//! saved and restored (a checkpoint), the records of each step read and then dropped (so that
//! memory stays flat however long the feed runs), and halts from outside the strategy.

use gauntlet_risk::{
    ExternalCause, Halt, HaltReason, Order, OrderKind, Purpose, RiskManager, Side,
};
use gauntlet_strategy::{Intent, Strategy};
use serde::{Deserialize, Serialize};

use crate::broker::Broker;
use crate::engine::{Engine, EngineConfig, StrategyFailure};
use crate::portfolio::Portfolio;
use crate::records::{OrderRecord, OrderStatus};

/// Everything that decides what an engine does next: strategy, risk manager, account, orders
/// waiting and protective stops. Records of the past (equity, fills, trades) are not state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineState<S> {
    /// The strategy, indicators and book included.
    pub strategy: S,
    /// The risk manager: halt in force, session, peak, consecutive errors.
    pub risk: RiskManager,
    /// Cash, positions, and the open lots' entries.
    pub portfolio: Portfolio,
    /// Capital and the first trading bar.
    pub config: EngineConfig,
    /// Orders decided, not yet tried.
    pub pending: Vec<Order>,
    /// Each symbol's protective stop.
    pub stops: Vec<Option<Order>>,
    /// The last marks.
    pub marks: Vec<f64>,
    /// The next order id.
    pub next_id: u64,
    /// The records of the orders still open (pending orders and stops).
    pub open_orders: Vec<OpenOrder>,
}

/// The record of an order still open.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenOrder {
    /// Its id.
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
}

/// Why the records between two open orders restored from a checkpoint are marked closed: they
/// closed before the checkpoint, and the runner logged them then.
const CLOSED_BEFORE: &str = "closed before the checkpoint";

impl<S: Strategy + Clone, B: Broker> Engine<S, B> {
    /// The engine's state, to checkpoint.
    pub fn state(&self) -> EngineState<S> {
        EngineState {
            strategy: self.strategy.clone(),
            risk: self.risk.clone(),
            portfolio: self.portfolio.clone(),
            config: self.config,
            pending: self.pending.clone(),
            stops: self.stops.clone(),
            marks: self.marks.clone(),
            next_id: self.next_id,
            open_orders: self
                .orders
                .iter()
                .filter(|r| r.status == OrderStatus::Pending)
                .map(|r| OpenOrder {
                    id: r.id,
                    created_bar: r.created_bar,
                    symbol: r.symbol,
                    side: r.side,
                    kind: r.kind,
                    purpose: r.purpose,
                })
                .collect(),
        }
    }

    /// An engine that carries on from `state`, trading through `broker`.
    pub fn restore(state: EngineState<S>, broker: B) -> Self {
        let symbols = state.marks.len();
        let mut engine = Engine::new(
            state.strategy,
            broker,
            *state.risk.config(),
            state.config,
            symbols,
            0,
        );
        engine.risk = state.risk;
        engine.open_positions = state
            .portfolio
            .quantities()
            .iter()
            .filter(|q| **q != 0.0)
            .count();
        engine.portfolio = state.portfolio;
        engine.pending = state.pending;
        // Stops carried over from a run whose risk config placed them are still tried.
        engine.has_stops |= state.stops.iter().any(Option::is_some);
        engine.stops = state.stops;
        engine.marks = state.marks;
        engine.next_id = state.next_id;
        let base = state
            .open_orders
            .iter()
            .map(|o| o.id)
            .min()
            .unwrap_or(state.next_id);
        engine.order_base = base;
        engine.orders = (base..state.next_id)
            .map(|id| {
                match state.open_orders.iter().find(|o| o.id == id) {
                    Some(o) => OrderRecord {
                        id,
                        created_bar: o.created_bar,
                        symbol: o.symbol,
                        side: o.side,
                        kind: o.kind,
                        purpose: o.purpose,
                        status: OrderStatus::Pending,
                        closed_bar: None,
                    },
                    // Ids between open orders belong to orders closed (and logged) before
                    // the checkpoint; only their place is needed.
                    None => OrderRecord {
                        id,
                        created_bar: 0,
                        symbol: 0,
                        side: Side::Buy,
                        kind: OrderKind::Market,
                        purpose: Purpose::Exit,
                        status: OrderStatus::Cancelled(CLOSED_BEFORE),
                        closed_bar: None,
                    },
                }
            })
            .collect();
        engine
    }

    /// Drops the records read since the last call (equity, trades, fills, strategy failures,
    /// halts and refusals, and the orders closed before the oldest one still open).
    pub fn drain_records(&mut self) {
        self.equity.clear();
        self.trades.clear();
        self.fills.clear();
        self.failures.clear();
        self.risk.clear_history();
        let closed = self
            .orders
            .iter()
            .take_while(|r| r.status != OrderStatus::Pending)
            .count();
        self.orders.drain(..closed);
        self.order_base += closed as u64;
    }

    /// Halts new risk from outside the strategy at bar `t` (time `ts`): every order waiting is
    /// cancelled (protective stops stay), and entries are refused until [`Engine::resume`].
    /// Returns the halt, or `None` when trading is already halted.
    pub fn halt(&mut self, t: usize, ts: i64, cause: ExternalCause) -> Option<Halt> {
        let halt = self
            .risk
            .halt_external(ts, HaltReason::External { cause })?;
        self.cancel_pending(t, "halted");
        Some(halt)
    }

    /// Cancels every order waiting (protective stops stay), at bar `t`, for `why`; returns
    /// their ids.
    pub fn cancel_pending(&mut self, t: usize, why: &'static str) -> Vec<u64> {
        let cancelled: Vec<u64> = self.pending.iter().map(|o| o.id).collect();
        for order in std::mem::take(&mut self.pending) {
            self.close_record(order.id, t, OrderStatus::Cancelled(why));
        }
        cancelled
    }

    /// Lifts any halt (the drawdown is measured afresh from the current equity).
    pub fn resume(&mut self) {
        self.risk.reset();
    }

    /// The records of the orders since the oldest still open (all of them in a backtest).
    pub fn orders(&self) -> &[OrderRecord] {
        &self.orders
    }

    /// Orders decided and waiting for the next bar.
    pub fn pending(&self) -> &[Order] {
        &self.pending
    }

    /// The intents the strategy wrote at the last step (empty after an error).
    pub fn intents(&self) -> &[Intent] {
        self.intents.as_slice()
    }

    /// The strategy's errors since the records were last drained.
    pub fn failures(&self) -> &[StrategyFailure] {
        &self.failures
    }
}
