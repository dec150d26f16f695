#![doc = include_str!("vwap.md")]

use gauntlet_strategy::indicators::{RollingStd, RollingVwap, SessionVwap};
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::{Held, bars};

/// The catalog name.
pub const NAME: &str = "vwap";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long (or short) when the close is k standard deviations beyond its VWAP, out on the return";
/// The rule in full.
pub const RULE: &str = include_str!("vwap.md");

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "window",
            kind: ParamKind::Int {
                min: 5,
                max: 200,
                step: 5,
            },
            default: ParamValue::Int(20),
            doc: "bars in the rolling VWAP and the standard deviation of the close",
        },
        ParamSpec {
            name: "k",
            kind: ParamKind::Float {
                min: 0.5,
                max: 4.0,
                step: 0.25,
            },
            default: ParamValue::Float(2.0),
            doc: "band width, in standard deviations of the close",
        },
        ParamSpec {
            name: "anchor",
            kind: ParamKind::Choice(&["rolling", "session"]),
            default: ParamValue::Choice("rolling"),
            doc: "VWAP over the last `window` bars, or since the start of the UTC day",
        },
        ParamSpec {
            name: "long_short",
            kind: ParamKind::Bool,
            default: ParamValue::Bool(false),
            doc: "also go short above the upper band",
        },
    ],
};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Anchor {
    Rolling(RollingVwap),
    Session(SessionVwap),
}

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Vwap {
    anchor: Anchor,
    sd: RollingStd,
    window: usize,
    k: f64,
    long_short: bool,
    held: Option<Held>,
}

impl Vwap {
    /// Builds from checked parameters.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        Ok(Self::new(
            bars(params.int("window")?),
            params.float("k")?,
            params.choice("anchor")? == "session",
            params.flag("long_short")?,
        ))
    }

    /// A `window`-bar rolling (or session, with `session`) VWAP with bands `k` wide.
    pub fn new(window: usize, k: f64, session: bool, long_short: bool) -> Self {
        Vwap {
            anchor: if session {
                Anchor::Session(SessionVwap::new())
            } else {
                Anchor::Rolling(RollingVwap::new(window))
            },
            sd: RollingStd::population(window),
            window,
            k,
            long_short,
            held: None,
        }
    }
}

impl Strategy for Vwap {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.window - 1
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let t = ctx.index();
        let (high, low, close, volume) = (ctx.high(), ctx.low(), ctx.close(), ctx.volume());
        let vwap = match &mut self.anchor {
            Anchor::Rolling(v) => v.update(high, low, close, volume),
            Anchor::Session(v) => v.update(ctx.ts(), high, low, close, volume),
        };
        let sd = self.sd.update(close);
        let (Some(vwap), Some(sd)) = (vwap, sd) else {
            return Ok(());
        };
        if sd <= 0.0 {
            return Ok(());
        }
        match self.held {
            Some(h) if h.long && close >= vwap => {
                self.held = None;
                out.target(0, Direction::Flat);
            }
            Some(h) if !h.long && close <= vwap => {
                self.held = None;
                out.target(0, Direction::Flat);
            }
            Some(_) => {}
            None => {
                let band = self.k * sd;
                let long = close < vwap - band;
                let short = self.long_short && close > vwap + band;
                if long || short {
                    let held = Held { long, since: t };
                    self.held = Some(held);
                    out.target(0, held.direction());
                }
            }
        }
        Ok(())
    }
}
