#![doc = include_str!("mean_reversion.md")]

use gauntlet_strategy::indicators::RollingStd;
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::bars;

/// The catalog name.
pub const NAME: &str = "mean_reversion";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long below the lower Bollinger band (short above the upper), out at the mean or a stop";
/// The rule in full.
pub const RULE: &str = include_str!("mean_reversion.md");

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
            doc: "closes in the rolling mean and standard deviation",
        },
        ParamSpec {
            name: "z_entry",
            kind: ParamKind::Float {
                min: 0.5,
                max: 4.0,
                step: 0.25,
            },
            default: ParamValue::Float(2.0),
            doc: "z-score beyond which to enter (the Bollinger band width)",
        },
        ParamSpec {
            name: "stop",
            kind: ParamKind::Float {
                min: 0.01,
                max: 0.5,
                step: 0.01,
            },
            default: ParamValue::Float(0.05),
            doc: "exit when the close moves this fraction against the signal bar's close",
        },
        ParamSpec {
            name: "long_short",
            kind: ParamKind::Bool,
            default: ParamValue::Bool(false),
            doc: "also go short above the upper band",
        },
    ],
};

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MeanReversion {
    sd: RollingStd,
    window: usize,
    z_entry: f64,
    stop: f64,
    long_short: bool,
    /// Long or short, and the signal bar's close.
    held: Option<(bool, f64)>,
}

impl MeanReversion {
    /// Builds from checked parameters.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        Ok(Self::new(
            bars(params.int("window")?),
            params.float("z_entry")?,
            params.float("stop")?,
            params.flag("long_short")?,
        ))
    }

    /// Entries beyond `z_entry` over a `window`-close band, a `stop` fraction away.
    pub fn new(window: usize, z_entry: f64, stop: f64, long_short: bool) -> Self {
        MeanReversion {
            sd: RollingStd::population(window),
            window,
            z_entry,
            stop,
            long_short,
            held: None,
        }
    }
}

impl Strategy for MeanReversion {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.window - 1
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let close = ctx.close();
        let (Some(sd), Some(mean)) = (self.sd.update(close), self.sd.mean()) else {
            return Ok(());
        };
        let z = (sd > 0.0).then(|| (close - mean) / sd);
        match self.held {
            Some((long, entry)) => {
                let stopped = if long {
                    close <= entry * (1.0 - self.stop)
                } else {
                    close >= entry * (1.0 + self.stop)
                };
                let at_mean = z.is_some_and(|z| if long { z >= 0.0 } else { z <= 0.0 });
                if stopped || at_mean {
                    self.held = None;
                    out.target(0, Direction::Flat);
                }
            }
            None => {
                let Some(z) = z else {
                    return Ok(());
                };
                if z < -self.z_entry {
                    self.held = Some((true, close));
                    out.target(0, Direction::Long);
                } else if self.long_short && z > self.z_entry {
                    self.held = Some((false, close));
                    out.target(0, Direction::Short);
                }
            }
        }
        Ok(())
    }
}
