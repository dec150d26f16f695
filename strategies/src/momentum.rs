#![doc = include_str!("momentum.md")]

use gauntlet_strategy::indicators::Sma;
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::{Held, bars};

/// The catalog name.
pub const NAME: &str = "momentum";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long (or short) while the rate of change over N bars clears a threshold, held at least M bars";
/// The rule in full.
pub const RULE: &str = include_str!("momentum.md");

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "lookback",
            kind: ParamKind::Int {
                min: 5,
                max: 250,
                step: 5,
            },
            default: ParamValue::Int(60),
            doc: "bars over which the rate of change is measured",
        },
        ParamSpec {
            name: "threshold",
            kind: ParamKind::Float {
                min: 0.0,
                max: 0.2,
                step: 0.01,
            },
            default: ParamValue::Float(0.0),
            doc: "rate of change (a fraction) to clear, up for longs and down for shorts",
        },
        ParamSpec {
            name: "trend",
            kind: ParamKind::Int {
                min: 0,
                max: 400,
                step: 50,
            },
            default: ParamValue::Int(200),
            doc: "window of the trend SMA the close must be on the right side of; 0 = none",
        },
        ParamSpec {
            name: "min_hold",
            kind: ParamKind::Int {
                min: 1,
                max: 60,
                step: 5,
            },
            default: ParamValue::Int(5),
            doc: "bars a position is held at least before it may change",
        },
        ParamSpec {
            name: "long_short",
            kind: ParamKind::Bool,
            default: ParamValue::Bool(false),
            doc: "go short on downward momentum instead of flat",
        },
    ],
};

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Momentum {
    lookback: usize,
    threshold: f64,
    trend: Option<Sma>,
    min_hold: usize,
    long_short: bool,
    held: Option<Held>,
}

impl Momentum {
    /// Builds from checked parameters.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        Ok(Self::new(
            bars(params.int("lookback")?),
            params.float("threshold")?,
            usize::try_from(params.int("trend")?).unwrap_or(0),
            bars(params.int("min_hold")?),
            params.flag("long_short")?,
        ))
    }

    /// Momentum over `lookback` bars clearing `threshold`, filtered by a `trend`-bar SMA
    /// (0: none), positions held at least `min_hold` bars.
    pub fn new(
        lookback: usize,
        threshold: f64,
        trend: usize,
        min_hold: usize,
        long_short: bool,
    ) -> Self {
        Momentum {
            lookback,
            threshold,
            trend: (trend > 0).then(|| Sma::new(trend)),
            min_hold,
            long_short,
            held: None,
        }
    }
}

impl Strategy for Momentum {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        let trend = self.trend.as_ref().map_or(0, |s| s.period() - 1);
        self.lookback.max(trend)
    }

    fn history(&self) -> usize {
        self.lookback + 1
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let t = ctx.index();
        let close = ctx.close();
        let trend = match &mut self.trend {
            Some(sma) => match sma.update(close) {
                Some(mean) => Some(mean),
                None => return Ok(()),
            },
            None => None,
        };
        if t < self.lookback {
            return Ok(());
        }
        let past = ctx.close_back(self.lookback).ok_or_else(|| {
            StrategyError(format!(
                "the close {} bars back is not held (history() is {})",
                self.lookback,
                self.history()
            ))
        })?;
        let roc = close / past - 1.0;
        let up = roc > self.threshold && trend.is_none_or(|m| close > m);
        let down = self.long_short && roc < -self.threshold && trend.is_none_or(|m| close < m);
        let wanted = if up {
            Some(true)
        } else if down {
            Some(false)
        } else {
            None
        };
        let current = self.held.map(|h| h.long);
        if wanted == current {
            return Ok(());
        }
        if self.held.is_some_and(|h| h.age(t) < self.min_hold) {
            return Ok(());
        }
        self.held = wanted.map(|long| Held { long, since: t });
        out.target(0, self.held.map_or(Direction::Flat, Held::direction));
        Ok(())
    }
}
