#![doc = include_str!("pairs.md")]

use gauntlet_strategy::indicators::{RollingOls, RollingStd, ln_pair};
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

use crate::book::bars;

/// The catalog name.
pub const NAME: &str = "pairs";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "two symbols, dollar-neutral: trade the z-score of ln A - beta ln B (rolling OLS beta)";
/// The rule in full.
pub const RULE: &str = include_str!("pairs.md");

/// Index of symbol A in the panel.
const A: usize = 0;
/// Index of symbol B in the panel.
const B: usize = 1;

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "beta_window",
            kind: ParamKind::Int {
                min: 20,
                max: 500,
                step: 20,
            },
            default: ParamValue::Int(60),
            doc: "bars in the rolling OLS fit of ln A on ln B",
        },
        ParamSpec {
            name: "z_window",
            kind: ParamKind::Int {
                min: 5,
                max: 200,
                step: 5,
            },
            default: ParamValue::Int(20),
            doc: "spreads in the z-score's mean and standard deviation",
        },
        ParamSpec {
            name: "z_in",
            kind: ParamKind::Float {
                min: 0.5,
                max: 4.0,
                step: 0.25,
            },
            default: ParamValue::Float(2.0),
            doc: "enter when the spread's z-score passes +z_in (short A) or -z_in (long A)",
        },
        ParamSpec {
            name: "z_out",
            kind: ParamKind::Float {
                min: 0.0,
                max: 3.0,
                step: 0.25,
            },
            default: ParamValue::Float(0.5),
            doc: "exit when the z-score is back within ±z_out; must be below z_in",
        },
        ParamSpec {
            name: "tolerance",
            kind: ParamKind::Float {
                min: 0.02,
                max: 0.5,
                step: 0.02,
            },
            default: ParamValue::Float(0.1),
            doc: "net exposure allowed, over gross; legs are cut back at half of it",
        },
    ],
};

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pairs {
    ols: RollingOls,
    /// Mean and variance of the last `z_window` spreads: `z = (spread - mean) / sqrt(var)`.
    spreads: RollingStd,
    beta_window: usize,
    z_window: usize,
    z_in: f64,
    z_out: f64,
    tolerance: f64,
    /// `Some(true)` long the spread (long A, short B), `Some(false)` short it.
    held: Option<bool>,
}

impl Pairs {
    /// Builds from checked parameters; refuses `z_out >= z_in`.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        let z_in = params.float("z_in")?;
        let z_out = params.float("z_out")?;
        if z_out >= z_in {
            return Err(ParamError::new(
                "z_in, z_out",
                format!("z_out must be below z_in, got z_in={z_in} z_out={z_out}"),
            ));
        }
        Ok(Self::new(
            bars(params.int("beta_window")?),
            bars(params.int("z_window")?),
            z_in,
            z_out,
            params.float("tolerance")?,
        ))
    }

    /// A pair with a `beta_window`-bar hedge ratio and a `z_window`-bar z-score, entering past
    /// `z_in` and leaving within `z_out`, legs kept within `tolerance` of neutral.
    pub fn new(beta_window: usize, z_window: usize, z_in: f64, z_out: f64, tolerance: f64) -> Self {
        Pairs {
            ols: RollingOls::new(beta_window),
            spreads: RollingStd::population(z_window),
            beta_window,
            z_window,
            z_in,
            z_out,
            tolerance,
            held: None,
        }
    }

    /// The net exposure the strategy keeps its legs within, over their gross value.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// While both legs are open: cut the larger back to the value of the smaller when they
    /// are more than half the tolerance apart.
    // Inline: it runs on every bar a position is held, and the call cost more than its work.
    #[inline]
    /// `closes`: this bar's closes of A and B.
    fn keep_neutral(
        &self,
        ctx: &BarContext<'_>,
        closes: (f64, f64),
        long_a: bool,
        out: &mut Intents,
    ) {
        let ((long_leg, p_long), (short_leg, p_short)) = if long_a {
            ((A, closes.0), (B, closes.1))
        } else {
            ((B, closes.1), (A, closes.0))
        };
        let (q_long, q_short) = (ctx.position(long_leg), ctx.position(short_leg));
        if q_long <= 0.0 || q_short >= 0.0 {
            return;
        }
        let (v_long, v_short) = (q_long * p_long, -q_short * p_short);
        if (v_long - v_short).abs() <= self.tolerance / 2.0 * (v_long + v_short) {
            return;
        }
        if v_long > v_short {
            out.reduce(long_leg, v_short / p_long);
        } else {
            out.reduce(short_leg, -v_long / p_short);
        }
    }
}

impl Strategy for Pairs {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.beta_window + self.z_window - 2
    }

    #[inline]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        if ctx.symbols() < 2 {
            return Err(StrategyError(format!(
                "pairs needs two symbols on one clock, got {}",
                ctx.symbols()
            )));
        }
        let (a, b) = (ctx.close_of(A), ctx.close_of(B));
        let Some([y, x]) = ln_pair([a, b]) else {
            return Err(StrategyError(format!(
                "pairs needs positive closes to take logs, got A={a} B={b}"
            )));
        };
        let Some(fit) = self.ols.update(x, y) else {
            return Ok(());
        };
        let spread = y - fit.beta * x;
        self.spreads.update(spread);
        let (Some(mean), Some(var)) = (self.spreads.mean(), self.spreads.variance()) else {
            return Ok(());
        };
        if var <= 0.0 {
            return Ok(());
        }
        // The z-score against a threshold k, compared as squares: |z| > k is
        // dev^2 > k^2 var. The same decisions as dividing by the standard deviation, without
        // a square root and a division every bar.
        let dev = spread - mean;
        let beyond = |k: f64| dev * dev > k * k * var;
        match self.held {
            Some(long_a) => {
                // Long the spread exits once z >= -z_out, short once z <= z_out.
                let back = if long_a {
                    dev >= 0.0 || !beyond(self.z_out)
                } else {
                    dev <= 0.0 || !beyond(self.z_out)
                };
                if back {
                    self.held = None;
                    out.target(A, Direction::Flat);
                    out.target(B, Direction::Flat);
                } else {
                    self.keep_neutral(ctx, (a, b), long_a, out);
                }
            }
            None => {
                if !beyond(self.z_in) {
                    return Ok(());
                }
                let long_a = dev < 0.0;
                self.held = Some(long_a);
                let (a_side, b_side) = if long_a {
                    (Direction::Long, Direction::Short)
                } else {
                    (Direction::Short, Direction::Long)
                };
                out.target(A, a_side);
                out.target(B, b_side);
            }
        }
        Ok(())
    }
}
