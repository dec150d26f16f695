#![doc = include_str!("volume_breakout.md")]

use gauntlet_strategy::indicators::{Atr, RollingExtreme, Sma};
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::bars;

/// The catalog name.
pub const NAME: &str = "volume_breakout";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long when the close breaks the N-bar high on k times the average volume; ATR trailing stop";
/// The rule in full.
pub const RULE: &str = include_str!("volume_breakout.md");

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "lookback",
            kind: ParamKind::Int {
                min: 5,
                max: 200,
                step: 5,
            },
            default: ParamValue::Int(20),
            doc: "bars whose highest high the close must break, and whose volume it averages",
        },
        ParamSpec {
            name: "volume_mult",
            kind: ParamKind::Float {
                min: 1.0,
                max: 5.0,
                step: 0.25,
            },
            default: ParamValue::Float(1.5),
            doc: "the breakout bar's volume must exceed this times the average",
        },
        ParamSpec {
            name: "atr",
            kind: ParamKind::Int {
                min: 2,
                max: 50,
                step: 2,
            },
            default: ParamValue::Int(14),
            doc: "period of Wilder's ATR",
        },
        ParamSpec {
            name: "stop_atr",
            kind: ParamKind::Float {
                min: 0.5,
                max: 6.0,
                step: 0.5,
            },
            default: ParamValue::Float(2.0),
            doc: "distance of the trailing stop below the peak close, in ATRs",
        },
        ParamSpec {
            name: "max_hold",
            kind: ParamKind::Int {
                min: 1,
                max: 100,
                step: 5,
            },
            default: ParamValue::Int(20),
            doc: "bars after which a position is closed whatever the stop",
        },
    ],
};

/// An open breakout: its signal bar, the peak close since, and the stop.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Breakout {
    since: usize,
    peak: f64,
    stop: f64,
}

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VolumeBreakout {
    highs: RollingExtreme,
    volumes: Sma,
    atr: Atr,
    atr_period: usize,
    volume_mult: f64,
    stop_atr: f64,
    max_hold: usize,
    open: Option<Breakout>,
}

impl VolumeBreakout {
    /// Builds from checked parameters.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        Ok(Self::new(
            bars(params.int("lookback")?),
            params.float("volume_mult")?,
            bars(params.int("atr")?),
            params.float("stop_atr")?,
            bars(params.int("max_hold")?),
        ))
    }

    /// Breakouts of the `lookback`-bar high on `volume_mult` times the average volume, a stop
    /// `stop_atr` ATRs (of period `atr`) below the peak, out after `max_hold` bars.
    pub fn new(
        lookback: usize,
        volume_mult: f64,
        atr: usize,
        stop_atr: f64,
        max_hold: usize,
    ) -> Self {
        VolumeBreakout {
            highs: RollingExtreme::highest(lookback),
            volumes: Sma::new(lookback),
            atr: Atr::new(atr),
            atr_period: atr,
            volume_mult,
            stop_atr,
            max_hold,
            open: None,
        }
    }
}

impl Strategy for VolumeBreakout {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.highs.period().max(self.atr_period)
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let t = ctx.index();
        let (high, low, close, volume) = (ctx.high(), ctx.low(), ctx.close(), ctx.volume());
        let atr = self.atr.update(high, low, close);
        // The lookback bars before this one, then this one joins them.
        let breakout_level = self.highs.value();
        let average_volume = self.volumes.value();
        self.highs.push(high);
        self.volumes.push(volume);
        let (Some(atr), Some(level), Some(average_volume)) = (atr, breakout_level, average_volume)
        else {
            return Ok(());
        };
        match &mut self.open {
            Some(open) => {
                if close < open.stop || t - open.since >= self.max_hold {
                    self.open = None;
                    out.target(0, Direction::Flat);
                } else {
                    open.peak = open.peak.max(close);
                    open.stop = open.stop.max(open.peak - self.stop_atr * atr);
                }
            }
            None => {
                if close > level && volume > self.volume_mult * average_volume {
                    self.open = Some(Breakout {
                        since: t,
                        peak: close,
                        stop: close - self.stop_atr * atr,
                    });
                    out.target(0, Direction::Long);
                }
            }
        }
        Ok(())
    }
}
