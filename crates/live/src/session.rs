//! One live session's trading: bars accepted onto the clock, the step, and every event of it
//! written to the audit log; the replay of the log after a checkpoint on restart.

use gauntlet_data::Bar;
use gauntlet_engine::{BarSet, Engine, OrderStatus};
use gauntlet_risk::{ExternalCause, Purpose};
use gauntlet_strategies::CatalogStrategy;
use serde_json::{Value, json};

use crate::audit::{AuditError, AuditLog};
use crate::entries;
use crate::paper::PaperBroker;
use crate::window::BarWindow;

/// How far after the wall clock a bar may be stamped: a day, so that a daily bar stamped with
/// its date (midnight UTC) is taken wherever its market is. A bar stamped later is from the
/// future (a corrupt or mistyped time): taken, it would be traded on and then hold back every
/// real bar after it as out of order.
const MAX_AHEAD_MS: i64 = 86_400_000;

/// Counts of a session, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Steps taken (clock bars).
    pub steps: u64,
    /// Feed bars accepted.
    pub bars: u64,
    /// Feed lines rejected.
    pub rejected: u64,
    /// Feed bars skipped on a restart (already processed before it).
    pub skipped: u64,
    /// Orders decided.
    pub orders: u64,
    /// Fills.
    pub fills: u64,
    /// Halts.
    pub halts: u64,
}

/// The trading state of a session and where its events go.
pub struct Session<S: CatalogStrategy> {
    pub(crate) engine: Engine<S, PaperBroker>,
    pub(crate) window: BarWindow,
    pub(crate) log: AuditLog,
    pub(crate) symbols: Vec<String>,
    /// The symbols as JSON strings, for the bar entries.
    symbol_json: Vec<String>,
    /// Bars received for the clock time not yet stepped.
    pending: Vec<Option<Bar>>,
    pending_ts: Option<i64>,
    /// The step's bars and present flags, reused so that a step allocates nothing for them.
    step_bars: Vec<Bar>,
    step_present: Vec<bool>,
    /// Orders whose records are logged and still open.
    open_ids: Vec<u64>,
    /// Orders with ids below this are logged.
    next_order: u64,
    pub(crate) rejected_in_row: u32,
    max_rejections: u32,
    /// After a restart, feed bars up to this time were processed before: skipped, not rejected.
    skip_until: Option<i64>,
    /// Replaying the log: events are not written again.
    replaying: bool,
    pub(crate) counts: Counts,
}

impl<S: CatalogStrategy> Session<S> {
    /// A session over `engine` and `window`, writing to `log`.
    pub fn new(
        engine: Engine<S, PaperBroker>,
        window: BarWindow,
        log: AuditLog,
        symbols: Vec<String>,
        rejected_in_row: u32,
        max_rejections: u32,
    ) -> Self {
        let open_ids = engine
            .orders()
            .iter()
            .filter(|r| r.status == OrderStatus::Pending)
            .map(|r| r.id)
            .collect();
        let next_order = engine.orders().last().map_or(0, |r| r.id + 1);
        let n = symbols.len();
        let skip_until = window.last_ts();
        Session {
            engine,
            window,
            log,
            symbol_json: symbols
                .iter()
                .map(|s| Value::String(s.clone()).to_string())
                .collect(),
            symbols,
            pending: vec![None; n],
            pending_ts: None,
            step_bars: Vec::with_capacity(n),
            step_present: Vec::with_capacity(n),
            open_ids,
            next_order,
            rejected_in_row,
            max_rejections,
            skip_until,
            replaying: false,
            counts: Counts::default(),
        }
    }

    /// The time of the latest bar seen (0 before any).
    pub fn now(&self) -> i64 {
        self.pending_ts.or(self.window.last_ts()).unwrap_or(0)
    }

    fn log(&mut self, event: &str, payload: Value) {
        if !self.replaying {
            let ts = self.now();
            self.log.append(event, ts, &payload);
        }
    }

    /// Writes the entries logged outside a step (a halt, a rejection) at once.
    pub fn flush(&mut self) -> Result<(), AuditError> {
        self.log.end_step(false)
    }

    /// Logs the start of the session.
    pub fn start(&mut self, payload: Value) -> Result<(), AuditError> {
        self.log("start", payload);
        self.log.sync().map(drop)
    }

    /// The symbol index a feed line names, if the run trades it.
    pub fn symbol_index(&self, symbol: Option<&str>) -> Result<usize, String> {
        match symbol {
            None if self.symbols.len() == 1 => Ok(0),
            None => Err(format!(
                "no symbol: this strategy trades {}, so every line must name one",
                self.symbols.join(" and ")
            )),
            Some(name) => self.symbols.iter().position(|s| s == name).ok_or_else(|| {
                format!(
                    "symbol '{name}' is not traded by this run (it trades {})",
                    self.symbols.join(", ")
                )
            }),
        }
    }

    /// Takes a rejected line: logged and counted; after too many in a row, trading halts.
    pub fn reject(&mut self, line: u64, reason: &str, text: &str) -> Result<(), AuditError> {
        self.counts.rejected += 1;
        self.rejected_in_row += 1;
        self.log(
            "bar_rejected",
            json!({ "line": line, "reason": reason, "text": text }),
        );
        if self.rejected_in_row == self.max_rejections {
            let why = format!("{} feed lines rejected in a row", self.rejected_in_row);
            self.halt(ExternalCause::BadInput, &why);
        }
        self.flush()
    }

    /// True for a bar time processed before a restart, which the feed delivers again: such a
    /// bar is skipped (not paced, not stepped).
    pub fn processed(&self, ts: i64) -> bool {
        self.skip_until.is_some_and(|until| ts <= until)
    }

    /// Takes a checked bar of `symbol` from feed line `line`.
    pub fn accept(&mut self, symbol: usize, bar: Bar, line: u64) -> Result<(), AuditError> {
        if let Some(last) = self.window.last_ts()
            && bar.ts <= last
        {
            if self.skip_until.is_some_and(|until| bar.ts <= until) {
                self.counts.skipped += 1;
                return Ok(());
            }
            return self.reject(
                line,
                &format!("bar time {} is not after the last bar's {last}", bar.ts),
                "",
            );
        }
        if !self.replaying && bar.ts > self.log.wall_ms().saturating_add(MAX_AHEAD_MS) {
            return self.reject(
                line,
                &format!(
                    "bar time {} is more than a day after the wall clock's {}: a bar from the future",
                    bar.ts,
                    self.log.wall_ms()
                ),
                "",
            );
        }
        match self.pending_ts {
            Some(p) if bar.ts < p => {
                return self.reject(
                    line,
                    &format!(
                        "bar time {} is before bars already received for {p}",
                        bar.ts
                    ),
                    "",
                );
            }
            // After a restart the feed delivers again a bar the log already holds.
            Some(p)
                if bar.ts == p
                    && self.skip_until.is_some()
                    && self.pending[symbol] == Some(bar) =>
            {
                self.counts.skipped += 1;
                return Ok(());
            }
            Some(p) if bar.ts == p && self.pending[symbol].is_some() => {
                return self.reject(
                    line,
                    &format!("a second bar of '{}' for {p}", self.symbols[symbol]),
                    "",
                );
            }
            Some(p) if bar.ts > p => self.step_pending()?,
            _ => {}
        }
        self.skip_until = None;
        self.rejected_in_row = 0;
        self.counts.bars += 1;
        self.pending_ts = Some(bar.ts);
        self.pending[symbol] = Some(bar);
        if !self.replaying {
            let ts = self.now();
            let symbol = self.symbol_json[symbol].as_bytes();
            self.log
                .append_with("bar", ts, |out| entries::bar(out, &bar, line, symbol));
        }
        if self.pending.iter().all(Option::is_some) {
            self.step_pending()?;
        }
        Ok(())
    }

    /// Steps the clock time received so far; a symbol without a bar at it gets one carried
    /// from its last close (as a backtest's panel does), and until every symbol has had a bar
    /// the clock has not started.
    pub fn step_pending(&mut self) -> Result<(), AuditError> {
        let Some(ts) = self.pending_ts.take() else {
            return Ok(());
        };
        let (bars, present) = (&mut self.step_bars, &mut self.step_present);
        bars.clear();
        present.clear();
        for (symbol, slot) in self.pending.iter_mut().enumerate() {
            match slot.take() {
                Some(bar) => {
                    bars.push(bar);
                    present.push(true);
                }
                None => match self.window.last_close(symbol) {
                    Some(close) => {
                        bars.push(Bar {
                            ts,
                            open: close,
                            high: close,
                            low: close,
                            close,
                            volume: 0.0,
                        });
                        present.push(false);
                    }
                    None => return Ok(()),
                },
            }
        }
        let t = self.window.next_index();
        self.window.push(&self.step_bars, &self.step_present);
        let halted_before = self.engine.risk().halted().is_some();
        {
            let columns = self.window.columns();
            let present = self.window.present();
            let set = BarSet {
                columns: &columns,
                present: &present,
                first: self.window.first(),
            };
            self.engine.step(&set, t);
        }
        self.counts.steps += 1;
        let ordered = self.events(t, halted_before);
        self.engine.drain_records();
        if self.replaying {
            return Ok(());
        }
        self.log.end_step(ordered)
    }

    /// Logs what step `t` did; true when it decided an order.
    fn events(&mut self, t: usize, halted_before: bool) -> bool {
        let ts = self.now();
        let write = !self.replaying;
        self.counts.fills += self.engine.fills().len() as u64;
        if write {
            for f in self.engine.fills() {
                let symbol = self.symbol_json[f.symbol].as_bytes();
                self.log
                    .append_with("fill", ts, |out| entries::fill(out, f, symbol));
            }
        }
        let halts = self.engine.risk().halts().to_vec();
        self.counts.halts += halts.len() as u64;
        for h in &halts {
            self.log("halt", json!({ "reason": h.reason, "scope": h.scope }));
        }
        if halted_before && halts.is_empty() && self.engine.risk().halted().is_none() {
            self.log(
                "resume",
                json!({ "by": "session", "reason": "a new session lifts the daily-loss halt" }),
            );
        }
        for f in self.engine.failures().to_vec() {
            self.log("strategy_error", json!({ "message": f.message }));
        }
        let first_new = self.next_order;
        let new_orders = || {
            self.engine
                .orders()
                .iter()
                .filter(move |r| r.id >= first_new)
        };
        if write {
            let refusals = self.engine.risk().refusals();
            let mut orders = Vec::new();
            let mut refused = Vec::new();
            for intent in self.engine.intents() {
                let symbol = self.symbol_json[intent.symbol].as_bytes();
                self.log
                    .append_with("intent", ts, |out| entries::intent(out, intent, symbol));
                orders.clear();
                orders.extend(
                    new_orders()
                        .filter(|r| {
                            r.symbol == intent.symbol
                                && r.created_bar == t
                                && matches!(r.purpose, Purpose::Entry | Purpose::Exit)
                        })
                        .map(|r| r.id),
                );
                refused.clear();
                refused.extend(
                    refusals
                        .iter()
                        .filter(|r| r.symbol == intent.symbol)
                        .map(|r| r.reason),
                );
                let decision = if !refused.is_empty() {
                    "rejected"
                } else if orders.is_empty() {
                    "nothing to do"
                } else {
                    "approved"
                };
                let reason = refused.join("; ");
                self.log.append_with("risk", ts, |out| {
                    entries::risk(out, decision, &orders, &reason, symbol)
                });
            }
        }
        let mut ordered = false;
        for r in new_orders() {
            ordered = true;
            self.counts.orders += 1;
            if write {
                let size = self
                    .engine
                    .pending()
                    .iter()
                    .find(|o| o.id == r.id)
                    .map(|o| format!("{:?}", o.size));
                let symbol = self.symbol_json[r.symbol].as_bytes();
                self.log.append_with("order", ts, |out| {
                    entries::order(out, r, size.as_deref(), symbol)
                });
            }
            if r.status == OrderStatus::Pending {
                self.open_ids.push(r.id);
            }
            self.next_order = r.id + 1;
        }
        let orders = self.engine.orders();
        self.open_ids.retain(|&id| {
            let Some(r) = orders.iter().find(|r| r.id == id) else {
                return false;
            };
            if r.status != OrderStatus::Pending && r.status != OrderStatus::Filled && write {
                self.log
                    .append_with("order_closed", ts, |out| entries::order_closed(out, r));
            }
            r.status == OrderStatus::Pending
        });
        ordered
    }

    /// Halts new risk from outside the strategy, with `why`.
    pub fn halt(&mut self, cause: ExternalCause, why: &str) {
        let t = self.window.next_index();
        let cancelled: Vec<u64> = self.engine.pending().iter().map(|o| o.id).collect();
        let ts = self.now();
        if let Some(halt) = self.engine.halt(t, ts, cause) {
            self.counts.halts += 1;
            self.open_ids.retain(|id| !cancelled.contains(id));
            self.log(
                "halt",
                json!({ "reason": halt.reason, "scope": halt.scope, "why": why,
                        "cancelled": cancelled }),
            );
        }
        // The halt was logged here: the risk manager's record of it is not logged again.
        self.engine.risk_mut().clear_history();
    }

    /// Lifts a halt on an operator's order.
    pub fn resume(&mut self, why: &str) {
        if self.engine.risk().halted().is_some() {
            self.engine.resume();
            self.log("resume", json!({ "by": "operator", "reason": why }));
        }
    }

    /// Stops for good: steps a clock time still waiting, cancels the orders waiting when
    /// `cancel` (a signal), and logs the shutdown.
    pub fn shutdown(&mut self, reason: &str, cancel: bool) -> Result<(), AuditError> {
        self.step_pending()?;
        let cancelled = if cancel {
            let t = self.window.next_index();
            let ids = self.engine.cancel_pending(t, "shutdown");
            self.open_ids.retain(|id| !ids.contains(id));
            ids
        } else {
            Vec::new()
        };
        self.log(
            "shutdown",
            json!({ "reason": reason, "cancelled": cancelled, "steps": self.counts.steps }),
        );
        self.log.sync().map(drop)
    }

    /// Logs that the run stops on `error` (a state or log that cannot be written, a feed that
    /// cannot be read), as far as the log can still be written: the log then says why it ends.
    pub fn fail(&mut self, error: &str) {
        self.log(
            "shutdown",
            json!({ "reason": "error", "error": error, "cancelled": [], "steps": self.counts.steps }),
        );
        let _ = self.log.sync();
    }

    /// Replays the log's entries after the checkpoint: bars are stepped again and operator
    /// actions applied again, nothing is written. Returns the fills the replay made, which
    /// must be the fills the log holds.
    pub fn replay(&mut self, entries: &[Value]) -> Result<(u64, u64), String> {
        self.replaying = true;
        self.skip_until = None;
        let before = self.counts;
        let mut logged_fills = 0;
        for entry in entries {
            let payload = &entry["payload"];
            let ts = entry["ts"].as_i64().unwrap_or(0);
            match entry["event"].as_str().unwrap_or("") {
                "bar" => {
                    let symbol = self.symbol_index(payload["symbol"].as_str())?;
                    let number = |k: &str| payload[k].as_f64().unwrap_or(f64::NAN);
                    let bar = Bar {
                        ts,
                        open: number("open"),
                        high: number("high"),
                        low: number("low"),
                        close: number("close"),
                        volume: number("volume"),
                    };
                    let line = payload["line"].as_u64().unwrap_or(0);
                    self.accept(symbol, bar, line).map_err(|e| e.to_string())?;
                }
                "bar_rejected" => {
                    self.rejected_in_row += 1;
                }
                "fill" => logged_fills += 1,
                "halt" => {
                    let cause = payload["reason"]["cause"].clone();
                    if let Ok(cause) = serde_json::from_value::<ExternalCause>(cause) {
                        self.halt(cause, "");
                    }
                }
                "resume" if payload["by"] == "operator" => self.resume(""),
                "shutdown"
                    if payload["cancelled"]
                        .as_array()
                        .is_some_and(|a| !a.is_empty()) =>
                {
                    let t = self.window.next_index();
                    let ids = self.engine.cancel_pending(t, "shutdown");
                    self.open_ids.retain(|id| !ids.contains(id));
                }
                _ => {}
            }
        }
        // A clock time the log holds only part of was not stepped before the stop either.
        self.replaying = false;
        self.skip_until = self.window.last_ts().or(self.pending_ts.map(|t| t - 1));
        let replayed = self.counts.fills - before.fills;
        self.counts = before;
        Ok((replayed, logged_fills))
    }
}
