#![doc = include_str!("rsi_divergence.md")]

use gauntlet_strategy::indicators::{RollingExtreme, Rsi};
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::{Held, bars};

/// The catalog name.
pub const NAME: &str = "rsi_divergence";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long on a lower low in price with a higher, oversold RSI low (short on the mirror)";
/// The rule in full.
pub const RULE: &str = include_str!("rsi_divergence.md");

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "rsi",
            kind: ParamKind::Int {
                min: 2,
                max: 50,
                step: 2,
            },
            default: ParamValue::Int(14),
            doc: "period of Wilder's RSI",
        },
        ParamSpec {
            name: "lookback",
            kind: ParamKind::Int {
                min: 5,
                max: 100,
                step: 5,
            },
            default: ParamValue::Int(20),
            doc: "bars before the current one searched for the earlier low (or high)",
        },
        ParamSpec {
            name: "oversold",
            kind: ParamKind::Int {
                min: 10,
                max: 45,
                step: 5,
            },
            default: ParamValue::Int(30),
            doc: "RSI the earlier low must be under (100 - oversold: the high must be over)",
        },
        ParamSpec {
            name: "exit_rsi",
            kind: ParamKind::Int {
                min: 40,
                max: 80,
                step: 5,
            },
            default: ParamValue::Int(50),
            doc: "a long exits when the RSI rises above this (a short: below 100 - this)",
        },
        ParamSpec {
            name: "max_hold",
            kind: ParamKind::Int {
                min: 1,
                max: 60,
                step: 5,
            },
            default: ParamValue::Int(10),
            doc: "bars after which a position is closed whatever the RSI",
        },
        ParamSpec {
            name: "long_short",
            kind: ParamKind::Bool,
            default: ParamValue::Bool(false),
            doc: "also trade bearish divergences short",
        },
    ],
};

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RsiDivergence {
    rsi: Rsi,
    period: usize,
    lows: RollingExtreme,
    highs: RollingExtreme,
    /// The RSI of the last `lookback` bars, in a ring; the current bar's goes at `slot`.
    history: Vec<f64>,
    slot: usize,
    oversold: f64,
    exit_rsi: f64,
    max_hold: usize,
    long_short: bool,
    held: Option<Held>,
}

impl RsiDivergence {
    /// Builds from checked parameters; refuses `exit_rsi <= oversold`.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        let oversold = params.int("oversold")?;
        let exit_rsi = params.int("exit_rsi")?;
        if exit_rsi <= oversold {
            return Err(ParamError::new(
                "oversold, exit_rsi",
                format!(
                    "exit_rsi must exceed oversold, got oversold={oversold} exit_rsi={exit_rsi}"
                ),
            ));
        }
        Ok(Self::new(
            bars(params.int("rsi")?),
            bars(params.int("lookback")?),
            oversold as f64,
            exit_rsi as f64,
            bars(params.int("max_hold")?),
            params.flag("long_short")?,
        ))
    }

    /// An `rsi`-period RSI, divergences within `lookback` bars.
    pub fn new(
        rsi: usize,
        lookback: usize,
        oversold: f64,
        exit_rsi: f64,
        max_hold: usize,
        long_short: bool,
    ) -> Self {
        RsiDivergence {
            rsi: Rsi::new(rsi),
            period: rsi,
            lows: RollingExtreme::lowest(lookback),
            highs: RollingExtreme::highest(lookback),
            history: vec![f64::NAN; lookback],
            slot: 0,
            oversold,
            exit_rsi,
            max_hold,
            long_short,
            held: None,
        }
    }

    /// The RSI `back` bars before the current one (`1..=lookback`).
    #[inline]
    fn rsi_back(&self, back: usize) -> f64 {
        let slot = if self.slot >= back {
            self.slot - back
        } else {
            self.slot + self.history.len() - back
        };
        self.history[slot]
    }

    /// Stores the current bar's RSI and moves the ring on.
    #[inline]
    fn record(&mut self, rsi: f64) {
        self.history[self.slot] = rsi;
        self.slot += 1;
        if self.slot == self.history.len() {
            self.slot = 0;
        }
    }
}

impl Strategy for RsiDivergence {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.period + self.history.len()
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let t = ctx.index();
        let close = ctx.close();
        let rsi = self.rsi.update(close);
        // The extremes of the bars before this one, then this one joins them.
        let low = self.lows.extreme();
        let high = self.highs.extreme();
        self.lows.push(close);
        self.highs.push(close);
        let ready = t >= self.warmup();
        let (Some(rsi), Some((low, low_age)), Some((high, high_age)), true) =
            (rsi, low, high, ready)
        else {
            // Bars before the RSI starts keep their slot (NaN) so the ring stays on the clock.
            self.record(rsi.unwrap_or(f64::NAN));
            return Ok(());
        };
        match self.held {
            Some(h) => {
                let done = h.age(t) >= self.max_hold
                    || (h.long && rsi > self.exit_rsi)
                    || (!h.long && rsi < 100.0 - self.exit_rsi);
                if done {
                    self.held = None;
                    out.target(0, Direction::Flat);
                }
            }
            None => {
                // The earlier low was `1 + low_age` bars ago (its age counts from the last bar).
                let (rsi_j, rsi_h) = (self.rsi_back(1 + low_age), self.rsi_back(1 + high_age));
                let bullish = close < low && rsi > rsi_j && rsi_j < self.oversold;
                let bearish =
                    self.long_short && close > high && rsi < rsi_h && rsi_h > 100.0 - self.oversold;
                if bullish || bearish {
                    let held = Held {
                        long: bullish,
                        since: t,
                    };
                    self.held = Some(held);
                    out.target(0, held.direction());
                }
            }
        }
        self.record(rsi);
        Ok(())
    }
}
