//! The risk manager: sizes and vets intents, enforces the daily-loss and drawdown halts, and
//! runs the circuit breaker on strategy errors.
//!
//! A session is a UTC calendar day of the bar timestamps. Start-of-day equity is the equity
//! at the last close of the previous session (the initial capital on the first day).

use gauntlet_strategy::{Direction, Entry, Intent};
use serde::Serialize;

use crate::{Order, OrderKind, OrderSize, Purpose, RiskConfig, Side, SizingMethod};

const DAY_MS: i64 = 86_400_000;

/// Why trading halted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HaltReason {
    /// Equity fell `loss` (fraction) below the start of the day; the limit is `limit`.
    DailyLoss {
        /// The loss, as a fraction of start-of-day equity.
        loss: f64,
        /// `max_daily_loss`.
        limit: f64,
    },
    /// Equity fell `drawdown` (fraction) below its peak; the limit is `limit`.
    Drawdown {
        /// The drawdown, as a fraction of peak equity.
        drawdown: f64,
        /// `max_total_drawdown`.
        limit: f64,
    },
    /// The strategy failed `errors` bars in a row.
    CircuitBreaker {
        /// Consecutive errors.
        errors: u32,
    },
    /// Halted from outside the strategy.
    External {
        /// By what.
        cause: ExternalCause,
    },
}

/// What halted trading from outside the strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalCause {
    /// An operator (the emergency halt).
    Operator,
    /// No bar arrived within the stall time.
    FeedStalled,
    /// Too many bars in a row were rejected.
    BadInput,
}

/// How long a halt lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HaltScope {
    /// Lifted when the next session starts.
    UntilNextSession,
    /// Lifted only by [`RiskManager::reset`].
    UntilReset,
}

/// A halt, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Halt {
    /// Timestamp of the bar at which it fired.
    pub ts: i64,
    /// Why.
    pub reason: HaltReason,
    /// For how long.
    pub scope: HaltScope,
}

/// An intent the risk manager refused, and why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Refusal {
    /// Timestamp of the bar.
    pub ts: i64,
    /// Symbol index.
    pub symbol: usize,
    /// Why.
    pub reason: &'static str,
}

/// What the risk manager needs to know of the portfolio at the current close.
#[derive(Debug, Clone, Copy)]
pub struct PortfolioView<'a> {
    /// Equity at the close.
    pub equity: f64,
    /// Signed quantity per symbol.
    pub positions: &'a [f64],
    /// Close per symbol.
    pub prices: &'a [f64],
}

/// The risk manager of one strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RiskManager {
    config: RiskConfig,
    session: Option<i64>,
    last_equity: f64,
    day_start_equity: f64,
    peak: f64,
    halt: Option<Halt>,
    // The history is a record for reports, not state: a checkpoint leaves it out (the live
    // runner has logged it) and a restored manager starts it empty.
    #[serde(skip)]
    halts: Vec<Halt>,
    #[serde(skip)]
    refusals: Vec<Refusal>,
    consecutive_errors: u32,
    /// Whether any limit on equity is set (otherwise marking needs no check).
    watches_equity: bool,
}

impl RiskManager {
    /// A manager for `config`, starting with `initial_equity`.
    pub fn new(config: RiskConfig, initial_equity: f64) -> Self {
        RiskManager {
            config,
            session: None,
            last_equity: initial_equity,
            day_start_equity: initial_equity,
            peak: initial_equity,
            halt: None,
            halts: Vec::new(),
            refusals: Vec::new(),
            consecutive_errors: 0,
            watches_equity: config.max_daily_loss.is_some() || config.max_total_drawdown.is_some(),
        }
    }

    /// The config it enforces.
    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    /// Called first at every bar: rolls the session over on a new day (lifting a daily halt).
    #[inline]
    pub fn begin_bar(&mut self, ts: i64) {
        // Sessions matter only to the daily-loss limit (and the halt it starts).
        if self.config.max_daily_loss.is_none() {
            return;
        }
        let day = ts.div_euclid(DAY_MS);
        if self.session != Some(day) {
            self.session = Some(day);
            self.day_start_equity = self.last_equity;
            if matches!(self.halt, Some(h) if h.scope == HaltScope::UntilNextSession) {
                self.halt = None;
            }
        }
    }

    /// Called after the portfolio is marked to the close. Returns the halt when one fires now:
    /// the caller then flattens every position.
    #[inline]
    pub fn on_mark(&mut self, ts: i64, equity: f64) -> Option<Halt> {
        self.last_equity = equity;
        // The peak serves the drawdown limit alone: without limits on equity, marking is done.
        if !self.watches_equity {
            return None;
        }
        if equity > self.peak {
            self.peak = equity;
        }
        if self.halt.is_some() {
            return None;
        }
        if let Some(limit) = self.config.max_daily_loss {
            let loss = 1.0 - equity / self.day_start_equity;
            if loss > limit {
                return Some(self.start_halt(
                    ts,
                    HaltReason::DailyLoss { loss, limit },
                    HaltScope::UntilNextSession,
                ));
            }
        }
        if let Some(limit) = self.config.max_total_drawdown {
            let drawdown = 1.0 - equity / self.peak;
            if drawdown > limit {
                return Some(self.start_halt(
                    ts,
                    HaltReason::Drawdown { drawdown, limit },
                    HaltScope::UntilReset,
                ));
            }
        }
        None
    }

    /// Records that the strategy ran cleanly this bar.
    #[inline]
    pub fn strategy_ok(&mut self) {
        self.consecutive_errors = 0;
    }

    /// Records a strategy error; returns the halt when the circuit breaker trips now.
    pub fn strategy_failed(&mut self, ts: i64) -> Option<Halt> {
        self.consecutive_errors += 1;
        let tripped = self.consecutive_errors >= self.config.max_consecutive_errors;
        let already =
            matches!(self.halt, Some(h) if matches!(h.reason, HaltReason::CircuitBreaker { .. }));
        (tripped && !already).then(|| {
            self.start_halt(
                ts,
                HaltReason::CircuitBreaker {
                    errors: self.consecutive_errors,
                },
                HaltScope::UntilReset,
            )
        })
    }

    fn start_halt(&mut self, ts: i64, reason: HaltReason, scope: HaltScope) -> Halt {
        let halt = Halt { ts, reason, scope };
        self.halt = Some(halt);
        self.halts.push(halt);
        halt
    }

    /// The halt in force, if any.
    pub fn halted(&self) -> Option<Halt> {
        self.halt
    }

    /// Lifts any halt and restarts the drawdown from the current equity.
    pub fn reset(&mut self) {
        self.halt = None;
        self.peak = self.last_equity;
        self.consecutive_errors = 0;
    }

    /// Every halt so far.
    pub fn halts(&self) -> &[Halt] {
        &self.halts
    }

    /// Every refused intent so far.
    pub fn refusals(&self) -> &[Refusal] {
        &self.refusals
    }

    /// Forgets the halts and refusals recorded so far (the live runner, once it has logged
    /// them, so that its memory stays flat). The halt in force stays in force.
    pub fn clear_history(&mut self) {
        self.halts.clear();
        self.refusals.clear();
    }

    /// Halts new risk at `ts` on an operator's order or a fault outside the strategy (a stalled
    /// feed, bad input), until [`RiskManager::reset`]. Returns the halt, or `None` when one is
    /// already in force.
    pub fn halt_external(&mut self, ts: i64, reason: HaltReason) -> Option<Halt> {
        if self.halt.is_some() {
            return None;
        }
        Some(self.start_halt(ts, reason, HaltScope::UntilReset))
    }

    /// Turns one intent into orders (an exit, an entry, or both for a reversal), appended to
    /// `out` with ids from `next_id`. Exits always pass; entries are refused while halted or
    /// when the limits leave too little room.
    pub fn vet(
        &mut self,
        intent: &Intent,
        view: &PortfolioView<'_>,
        ts: i64,
        bar: usize,
        next_id: &mut u64,
        out: &mut Vec<Order>,
    ) {
        let symbol = intent.symbol;
        let position = view.positions[symbol];
        let wanted = match intent.target {
            Direction::Long => 1.0,
            Direction::Short => -1.0,
            Direction::Flat => 0.0,
        };
        let held = if position > 0.0 {
            1.0
        } else if position < 0.0 {
            -1.0
        } else {
            0.0
        };
        if held == wanted {
            if let Some(keep) = intent.reduce_to
                && position.abs() > keep
            {
                out.push(Order {
                    id: *next_id,
                    symbol,
                    side: if held > 0.0 { Side::Sell } else { Side::Buy },
                    kind: OrderKind::Market,
                    size: OrderSize::Reduce(position.abs() - keep),
                    purpose: Purpose::Exit,
                    created_at: bar,
                });
                *next_id += 1;
            }
            return;
        }
        if intent.reduce_to.is_some() {
            // A cut of a position not held on that side: there is nothing to cut.
            return;
        }
        let mut push = |side: Side, kind: OrderKind, size: OrderSize, purpose: Purpose| {
            out.push(Order {
                id: *next_id,
                symbol,
                side,
                kind,
                size,
                purpose,
                created_at: bar,
            });
            *next_id += 1;
        };
        let kind = match intent.entry {
            Entry::Market => OrderKind::Market,
            Entry::Limit(p) => OrderKind::Limit(p),
            Entry::Stop(p) => OrderKind::Stop(p),
        };
        if held != 0.0 {
            let side = if held > 0.0 { Side::Sell } else { Side::Buy };
            // A reversal exits at the market so that the entry that follows is sized from cash.
            let exit_kind = if wanted == 0.0 {
                kind
            } else {
                OrderKind::Market
            };
            push(side, exit_kind, OrderSize::ClosePosition, Purpose::Exit);
        }
        if wanted == 0.0 {
            return;
        }
        match self.entry_notional(symbol, view) {
            Ok(notional) => {
                let side = if wanted > 0.0 { Side::Buy } else { Side::Sell };
                push(side, kind, OrderSize::Notional(notional), Purpose::Entry);
            }
            Err(reason) => self.refusals.push(Refusal { ts, symbol, reason }),
        }
    }

    /// The notional of a new position in `symbol`, after every limit.
    fn entry_notional(&self, symbol: usize, view: &PortfolioView<'_>) -> Result<f64, &'static str> {
        if self.halt.is_some() {
            return Err("halted: no new risk");
        }
        let equity = view.equity;
        if equity <= 0.0 {
            return Err("equity is not positive");
        }
        let c = &self.config;
        let sizing = &c.sizing;
        let mut notional = match sizing.method {
            SizingMethod::Fraction => sizing.fraction * equity,
            SizingMethod::Notional => sizing.notional.unwrap_or(0.0),
            SizingMethod::Risk => match (c.max_single_position_risk, c.stop_loss_pct) {
                (Some(risk), Some(stop)) => (equity * risk / stop).min(sizing.fraction * equity),
                _ => return Err("risk sizing without a stop"),
            },
        };
        if let Some(stop) = c.stop_loss_pct {
            if let Some(max_risk) = c.max_single_position_risk {
                notional = notional.min(equity * max_risk / stop);
            }
            if let Some(max_heat) = c.max_portfolio_heat {
                let heat: f64 = view
                    .positions
                    .iter()
                    .zip(view.prices)
                    .enumerate()
                    .filter(|(i, _)| *i != symbol)
                    .map(|(_, (q, p))| (q * p).abs() * stop)
                    .sum();
                let room = (max_heat * equity - heat) / stop;
                notional = notional.min(room.max(0.0));
            }
        }
        if let Some(max) = sizing.max_notional {
            notional = notional.min(max);
        }
        if notional <= 0.0 {
            return Err("no room left under the risk limits");
        }
        if notional < sizing.min_notional {
            return Err("below min_notional after the risk limits");
        }
        Ok(notional)
    }

    /// The protective stop for a position just opened at `price` (when `stop_loss_pct` is set).
    pub fn protective_stop(
        &self,
        symbol: usize,
        long: bool,
        price: f64,
        bar: usize,
        next_id: &mut u64,
    ) -> Option<Order> {
        let stop = self.config.stop_loss_pct?;
        let (side, level) = if long {
            (Side::Sell, price * (1.0 - stop))
        } else {
            (Side::Buy, price * (1.0 + stop))
        };
        let order = Order {
            id: *next_id,
            symbol,
            side,
            kind: OrderKind::Stop(level),
            size: OrderSize::ClosePosition,
            purpose: Purpose::StopLoss,
            created_at: bar,
        };
        *next_id += 1;
        Some(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conservative() -> RiskConfig {
        RiskConfig::from_toml(
            "max_daily_loss = 0.02\nmax_total_drawdown = 0.10\nmax_portfolio_heat = 0.25\n\
             max_single_position_risk = 0.02\nstop_loss_pct = 0.03\n\
             [sizing]\nmethod = \"risk\"\nfraction = 1.0\nmin_notional = 500.0\nmax_notional = 5000.0",
            "conservative",
        )
        .expect("valid")
    }

    fn vet_long(rm: &mut RiskManager, view: &PortfolioView<'_>) -> Vec<Order> {
        let mut out = Vec::new();
        let mut id = 0;
        let intent = Intent {
            symbol: 0,
            target: Direction::Long,
            entry: Entry::Market,
            reduce_to: None,
        };
        rm.vet(&intent, view, 0, 0, &mut id, &mut out);
        out
    }

    #[test]
    fn risk_sizing_by_hand() {
        // Equity 100,000, 2% risk, 3% stop: 66,666.67 of notional, cut to max_notional 5,000.
        let mut rm = RiskManager::new(conservative(), 100_000.0);
        let view = PortfolioView {
            equity: 100_000.0,
            positions: &[0.0],
            prices: &[50.0],
        };
        let orders = vet_long(&mut rm, &view);
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].size, OrderSize::Notional(5_000.0));
        assert_eq!(orders[0].side, Side::Buy);
        // Equity 10,000: 10,000 * 0.02 / 0.03 = 6,666.67, then max_notional 5,000 still binds;
        // at equity 5,000: 3,333.33.
        let view = PortfolioView {
            equity: 5_000.0,
            ..view
        };
        match vet_long(&mut rm, &view)[0].size {
            OrderSize::Notional(n) => assert!((n - 5_000.0 * 0.02 / 0.03).abs() < 1e-9),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn heat_limits_the_next_entry() {
        // Two symbols; symbol 1 holds 100 x 70 = 7,000 of value: heat 7,000 x 3% = 210.
        // Max heat 25% of 1,000 equity = 250: room for (250 - 210) / 3% = 1,333.33 of notional.
        let mut rm = RiskManager::new(conservative(), 1_000.0);
        let view = PortfolioView {
            equity: 1_000.0,
            positions: &[0.0, 100.0],
            prices: &[10.0, 70.0],
        };
        // Risk sizing: 1,000 x 2% / 3% = 666.67 < 1,333.33, so heat does not bind: 666.67 ...
        // ... which is above min_notional 500.
        let orders = vet_long(&mut rm, &view);
        match orders[0].size {
            OrderSize::Notional(n) => assert!((n - 1_000.0 * 0.02 / 0.03).abs() < 1e-9),
            other => panic!("unexpected {other:?}"),
        }
        // With 8,000 held: heat 240, room (250 - 240) / 0.03 = 333.33 < min_notional: refused.
        let view = PortfolioView {
            positions: &[0.0, 8_000.0 / 70.0],
            ..view
        };
        assert!(vet_long(&mut rm, &view).is_empty());
        assert_eq!(
            rm.refusals()[0].reason,
            "below min_notional after the risk limits"
        );
    }

    #[test]
    fn daily_loss_halts_until_next_session_drawdown_until_reset() {
        let mut rm = RiskManager::new(conservative(), 100_000.0);
        rm.begin_bar(0);
        assert_eq!(rm.on_mark(0, 99_000.0), None); // -1%
        rm.begin_bar(DAY_MS); // start of day: 99,000
        let halt = rm.on_mark(DAY_MS, 96_900.0).expect("-2.12% in a day");
        assert!(matches!(halt.reason, HaltReason::DailyLoss { limit, .. } if limit == 0.02));
        let view = PortfolioView {
            equity: 96_900.0,
            positions: &[0.0],
            prices: &[10.0],
        };
        assert!(vet_long(&mut rm, &view).is_empty());
        rm.begin_bar(2 * DAY_MS);
        assert_eq!(rm.halted(), None);
        // Peak 100,000: 89,900 is a 10.1% drawdown.
        rm.begin_bar(3 * DAY_MS);
        rm.on_mark(3 * DAY_MS, 95_000.0);
        rm.begin_bar(4 * DAY_MS);
        let halt = rm.on_mark(4 * DAY_MS, 89_900.0).expect("drawdown");
        assert!(matches!(halt.reason, HaltReason::DailyLoss { .. }));
        rm.begin_bar(5 * DAY_MS);
        let halt = rm.on_mark(5 * DAY_MS, 89_900.0).expect("drawdown");
        assert_eq!(halt.scope, HaltScope::UntilReset);
        rm.begin_bar(6 * DAY_MS);
        assert!(rm.halted().is_some());
        rm.reset();
        assert!(rm.halted().is_none());
        assert_eq!(rm.halts().len(), 3);
    }

    #[test]
    fn exits_pass_while_halted_and_reversals_exit_first() {
        let mut rm = RiskManager::new(RiskConfig::unlimited(), 1_000.0);
        let mut out = Vec::new();
        let mut id = 0;
        let short = Intent {
            symbol: 0,
            target: Direction::Short,
            entry: Entry::Market,
            reduce_to: None,
        };
        let view = PortfolioView {
            equity: 1_000.0,
            positions: &[5.0],
            prices: &[100.0],
        };
        rm.vet(&short, &view, 0, 7, &mut id, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].side, out[0].purpose), (Side::Sell, Purpose::Exit));
        assert_eq!(out[0].size, OrderSize::ClosePosition);
        assert_eq!((out[1].side, out[1].purpose), (Side::Sell, Purpose::Entry));
        assert_eq!(out[1].size, OrderSize::Notional(1_000.0));
        assert_eq!((out[0].id, out[1].id, out[1].created_at), (0, 1, 7));
        // Circuit breaker (3 errors) halts; the exit still passes, the entry does not.
        for _ in 0..2 {
            assert!(rm.strategy_failed(0).is_none());
        }
        assert!(rm.strategy_failed(0).is_some());
        out.clear();
        rm.vet(&short, &view, 0, 8, &mut id, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].purpose, Purpose::Exit);
    }
}
