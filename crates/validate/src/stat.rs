//! A reported number that may be undefined, with the reason it is.
//!
//! Statistics have edge cases (no variance, no losing period, no trades) where a formula would
//! give NaN, infinity or a misleading 0. Those are reported as `null` with a reason code, so a
//! reader can tell "zero" from "cannot be computed".

use serde::de::{Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// Why a statistic has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undefined {
    /// Fewer observations than the formula needs.
    TooFewObservations,
    /// The values do not vary, so a ratio over their spread has no value.
    ZeroVariance,
    /// No closed trades.
    NoTrades,
    /// No losing trade (profit factor) or no losing period (Sortino).
    NoLosses,
    /// No drawdown to divide by (Calmar).
    NoDrawdown,
    /// Equity reached zero or below, so growth rates have no value.
    NonPositiveEquity,
    /// A single trial: there is no spread of Sharpe ratios across trials.
    SingleTrial,
    /// No benchmark was given.
    NoBenchmark,
    /// The in-sample figure a ratio is measured against is zero or negative.
    NonPositiveInSample,
    /// The input left out what the figure needs (trades without their bars held).
    MissingInput,
}

impl Undefined {
    /// The code, as written in reports.
    pub fn code(self) -> &'static str {
        match self {
            Undefined::TooFewObservations => "too_few_observations",
            Undefined::ZeroVariance => "zero_variance",
            Undefined::NoTrades => "no_trades",
            Undefined::NoLosses => "no_losses",
            Undefined::NoDrawdown => "no_drawdown",
            Undefined::NonPositiveEquity => "non_positive_equity",
            Undefined::SingleTrial => "single_trial",
            Undefined::NoBenchmark => "no_benchmark",
            Undefined::NonPositiveInSample => "non_positive_in_sample",
            Undefined::MissingInput => "missing_input",
        }
    }
}

/// A finite value, or the reason there is none.
///
/// Serialized as `{"value": x}` or `{"value": null, "undefined": "zero_variance"}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// The value (always finite).
    Value(f64),
    /// No value, and why.
    Undefined(Undefined),
}

impl Stat {
    /// `Value(x)` when `x` is finite, else undefined for `reason`.
    pub fn finite_or(x: f64, reason: Undefined) -> Stat {
        if x.is_finite() {
            Stat::Value(x)
        } else {
            Stat::Undefined(reason)
        }
    }

    /// The value, if defined.
    pub fn value(self) -> Option<f64> {
        match self {
            Stat::Value(x) => Some(x),
            Stat::Undefined(_) => None,
        }
    }

    /// Applies `f` to a defined value.
    pub fn map(self, f: impl FnOnce(f64) -> f64) -> Stat {
        match self {
            Stat::Value(x) => Stat::Value(f(x)),
            undefined => undefined,
        }
    }

    /// For people: the value with `decimals` decimals, or `n/a (reason)`.
    pub fn display(self, decimals: usize) -> String {
        match self {
            Stat::Value(x) => format!("{x:.decimals$}"),
            Stat::Undefined(why) => format!("n/a ({})", why.code()),
        }
    }
}

impl Serialize for Stat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Stat::Value(x) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("value", x)?;
                map.end()
            }
            Stat::Undefined(why) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("value", &None::<f64>)?;
                map.serialize_entry("undefined", why.code())?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Stat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Stat, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Written {
            value: Option<f64>,
            undefined: Option<Undefined>,
        }
        let w = Written::deserialize(deserializer)?;
        match (w.value, w.undefined) {
            (Some(x), None) if x.is_finite() => Ok(Stat::Value(x)),
            (None, Some(why)) => Ok(Stat::Undefined(why)),
            _ => Err(D::Error::custom(
                "expected {\"value\": <finite number>} or {\"value\": null, \"undefined\": <reason>}",
            )),
        }
    }
}
