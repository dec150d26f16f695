#![doc = include_str!("sma_cross.md")]

use std::cmp::Ordering;

use gauntlet_strategy::indicators::SmaPair;
use gauntlet_strategy::{
    BarContext, Direction, Intents, ParamError, ParamKind, ParamSpace, ParamSpec, ParamValue,
    Params, Strategy, StrategyError,
};

/// The catalog name.
pub const NAME: &str = "sma_cross";
/// Version of the rule (see [`crate::StrategyInfo::version`]).
pub const VERSION: &str = "1.0.0";
/// One line for listings.
pub const SUMMARY: &str =
    "long when the fast SMA crosses above the slow SMA, out (or short) when it crosses below";

/// The rule in full (this module's documentation), for listings and reports.
pub const RULE: &str = include_str!("sma_cross.md");

/// The parameter space.
pub const SPACE: ParamSpace = ParamSpace {
    strategy: NAME,
    specs: &[
        ParamSpec {
            name: "fast",
            kind: ParamKind::Int {
                min: 2,
                max: 200,
                step: 5,
            },
            default: ParamValue::Int(10),
            doc: "window of the fast SMA, in bars",
        },
        ParamSpec {
            name: "slow",
            kind: ParamKind::Int {
                min: 3,
                max: 400,
                step: 10,
            },
            default: ParamValue::Int(30),
            doc: "window of the slow SMA, in bars; must exceed fast",
        },
        ParamSpec {
            name: "long_short",
            kind: ParamKind::Bool,
            default: ParamValue::Bool(false),
            doc: "go short on a downward cross instead of flat",
        },
    ],
};

/// The strategy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SmaCross {
    /// The fast (short) and slow (long) averages of the close, over one ring.
    averages: SmaPair,
    /// The two window lengths as floats, for the comparison of sums at every bar.
    lengths: (f64, f64),
    down: Direction,
    /// How the fast average stood against the slow one at the previous bar (`None` until both
    /// were ready).
    #[serde(with = "ordering")]
    previous: Option<Ordering>,
}

impl SmaCross {
    /// Builds from checked parameters; refuses `fast >= slow`.
    pub fn from_params(params: &Params) -> Result<Self, ParamError> {
        let fast = params.int("fast")?;
        let slow = params.int("slow")?;
        if fast >= slow {
            return Err(ParamError::new(
                "fast, slow",
                format!("fast must be below slow, got fast={fast} slow={slow}"),
            ));
        }
        Ok(Self::new(
            fast as usize,
            slow as usize,
            params.flag("long_short")?,
        ))
    }

    /// `fast` and `slow` windows (`fast < slow`), long-only unless `long_short`.
    pub fn new(fast: usize, slow: usize, long_short: bool) -> Self {
        SmaCross {
            averages: SmaPair::new(fast, slow),
            lengths: (fast as f64, slow as f64),
            down: if long_short {
                Direction::Short
            } else {
                Direction::Flat
            },
            previous: None,
        }
    }
}

impl Strategy for SmaCross {
    fn name(&self) -> &str {
        NAME
    }

    fn warmup(&self) -> usize {
        self.averages.long_period()
    }

    // Always inlined into the engine's loop: the call itself would cost a fifth of the bar.
    #[inline(always)]
    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let averages = &mut self.averages;
        averages.push(ctx.close());
        let (Some(fast_sum), Some(slow_sum)) = (averages.short_sum(), averages.long_sum()) else {
            return Ok(());
        };
        // fast_sum / n_fast against slow_sum / n_slow, compared as fast_sum * n_slow against
        // slow_sum * n_fast: the same order, without two divisions a bar. A flat window's mean
        // is exact (its value), so a flat price compares equal and never makes a cross.
        // The long window ends with the short one: when it is flat, so is the short one.
        let now = if averages.short_is_flat() {
            averages.short_mean().partial_cmp(&averages.long_mean())
        } else {
            let (fast_n, slow_n) = self.lengths;
            (fast_sum * slow_n).partial_cmp(&(slow_sum * fast_n))
        };
        match (self.previous, now) {
            (Some(Ordering::Less), Some(Ordering::Greater)) => out.target(0, Direction::Long),
            (Some(Ordering::Greater), Some(Ordering::Less)) => out.target(0, self.down),
            _ => {}
        }
        self.previous = now;
        Ok(())
    }
}

/// `Option<Ordering>` as -1, 0, 1 or none (serde has no encoding of its own for `Ordering`).
mod ordering {
    use std::cmp::Ordering;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Ordering>, s: S) -> Result<S::Ok, S::Error> {
        value.map(|o| o as i8).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ordering>, D::Error> {
        Ok(Option::<i8>::deserialize(d)?.map(|v| v.cmp(&0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_strategy::BarColumns;

    fn intents_for(closes: &[f64], strategy: &mut SmaCross) -> Vec<Option<Direction>> {
        let ts: Vec<i64> = (0..closes.len() as i64).collect();
        let cols = [BarColumns {
            ts: &ts,
            open: closes,
            high: closes,
            low: closes,
            close: closes,
            volume: closes,
        }];
        let mut out = Intents::new();
        (0..closes.len())
            .map(|t| {
                out.clear();
                let ctx = BarContext::new(&cols, t, &[0.0]);
                strategy.on_bar(&ctx, &mut out).expect("no error");
                out.as_slice().first().map(|i| i.target)
            })
            .collect()
    }

    #[test]
    fn crosses_by_hand() {
        // fast 2, slow 3. Closes 5, 4, 3, 4, 6, 3, 1:
        // t=2: fast 3.5, slow 4       (first pair)
        // t=3: fast 3.5, slow 3.667   (no cross)
        // t=4: fast 5,   slow 4.333   up-cross -> Long
        // t=5: fast 4.5, slow 4.333   (no cross)
        // t=6: fast 2,   slow 3.333   down-cross -> Flat
        let mut s = SmaCross::new(2, 3, false);
        let got = intents_for(&[5.0, 4.0, 3.0, 4.0, 6.0, 3.0, 1.0], &mut s);
        assert_eq!(
            got,
            [
                None,
                None,
                None,
                None,
                Some(Direction::Long),
                None,
                Some(Direction::Flat)
            ]
        );
        let mut ls = SmaCross::new(2, 3, true);
        let got = intents_for(&[5.0, 4.0, 3.0, 4.0, 6.0, 3.0, 1.0], &mut ls);
        assert_eq!(got[6], Some(Direction::Short));
    }

    #[test]
    fn equal_averages_are_not_a_cross() {
        // fast 1... not allowed; fast 2, slow 3 on a flat series: never a strict cross.
        let mut s = SmaCross::new(2, 3, false);
        assert!(intents_for(&[2.0; 8], &mut s).iter().all(Option::is_none));
    }

    #[test]
    fn a_long_flat_stretch_never_crosses() {
        // 0.1 is not exact in binary: the sums carry rounding, and the exact recomputation every
        // 1024 updates must not turn that into a cross.
        let mut s = SmaCross::new(10, 30, false);
        let mut closes = vec![0.1; 3_000];
        closes[..40]
            .iter_mut()
            .enumerate()
            .for_each(|(i, c)| *c = 0.1 + i as f64 * 1e-3);
        let got = intents_for(&closes, &mut s);
        assert!(got[60..].iter().all(Option::is_none));
    }

    #[test]
    fn fast_must_be_below_slow() {
        let params = SPACE
            .parse_assignments(&["fast=30", "slow=30"])
            .expect("each in range");
        let err = SmaCross::from_params(&params).expect_err("fast >= slow");
        assert_eq!(err.problems[0].0, "fast, slow");
    }
}
