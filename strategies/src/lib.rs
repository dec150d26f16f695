//! The strategies of gauntlet, and the catalog that builds them by name.
//!
//! Each strategy lives in its own module, whose docs state its rule exactly (what it computes,
//! its parameters, its warm-up, how it enters and exits): validation reports quote them.
//! [`build`] hands the concrete strategy type to a [`StrategyVisitor`], so the engine's loop is
//! compiled for each strategy and nothing is dispatched dynamically per bar.

mod book;
pub mod mean_reversion;
pub mod momentum;
pub mod pairs;
pub mod rsi_divergence;
pub mod sma_cross;
pub mod volume_breakout;
pub mod vwap;

use gauntlet_strategy::lookahead::{LookaheadReport, check_lookahead};
use gauntlet_strategy::{BarColumns, ParamError, ParamSpace, Params, Strategy};

pub use mean_reversion::MeanReversion;
pub use momentum::Momentum;
pub use pairs::Pairs;
pub use rsi_divergence::RsiDivergence;
pub use sma_cross::SmaCross;
pub use volume_breakout::VolumeBreakout;
pub use vwap::Vwap;

/// A strategy the catalog knows.
#[derive(Debug, Clone, Copy)]
pub struct StrategyInfo {
    /// Its name.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Its parameters.
    pub space: ParamSpace,
    /// Version of its rule, raised by hand when the rule changes on purpose.
    pub version: &'static str,
    /// Its rule in full: the module documentation, as the reports quote it.
    pub rule: &'static str,
    /// Symbols it trades, from the first data file on (the others are ignored).
    pub symbols: usize,
    /// The win rate the desk claims for it, as a range `(low, high)` of fractions; `None` when
    /// nobody claims one. (Kept here until the validation spec files carry the claims.)
    pub claimed_win_rate: Option<(f64, f64)>,
}

/// Every strategy, by name.
pub const CATALOG: &[StrategyInfo] = &[
    StrategyInfo {
        name: sma_cross::NAME,
        summary: sma_cross::SUMMARY,
        space: sma_cross::SPACE,
        version: sma_cross::VERSION,
        rule: sma_cross::RULE,
        symbols: 1,
        claimed_win_rate: None,
    },
    StrategyInfo {
        name: vwap::NAME,
        summary: vwap::SUMMARY,
        space: vwap::SPACE,
        version: vwap::VERSION,
        rule: vwap::RULE,
        symbols: 1,
        claimed_win_rate: Some((0.58, 0.58)),
    },
    StrategyInfo {
        name: momentum::NAME,
        summary: momentum::SUMMARY,
        space: momentum::SPACE,
        version: momentum::VERSION,
        rule: momentum::RULE,
        symbols: 1,
        claimed_win_rate: Some((0.61, 0.61)),
    },
    StrategyInfo {
        name: rsi_divergence::NAME,
        summary: rsi_divergence::SUMMARY,
        space: rsi_divergence::SPACE,
        version: rsi_divergence::VERSION,
        rule: rsi_divergence::RULE,
        symbols: 1,
        claimed_win_rate: Some((0.85, 0.86)),
    },
    StrategyInfo {
        name: volume_breakout::NAME,
        summary: volume_breakout::SUMMARY,
        space: volume_breakout::SPACE,
        version: volume_breakout::VERSION,
        rule: volume_breakout::RULE,
        symbols: 1,
        claimed_win_rate: Some((0.90, 0.90)),
    },
    StrategyInfo {
        name: mean_reversion::NAME,
        summary: mean_reversion::SUMMARY,
        space: mean_reversion::SPACE,
        version: mean_reversion::VERSION,
        rule: mean_reversion::RULE,
        symbols: 1,
        claimed_win_rate: Some((0.65, 0.65)),
    },
    StrategyInfo {
        name: pairs::NAME,
        summary: pairs::SUMMARY,
        space: pairs::SPACE,
        version: pairs::VERSION,
        rule: pairs::RULE,
        symbols: 2,
        claimed_win_rate: Some((0.68, 0.68)),
    },
];

include!(concat!(env!("OUT_DIR"), "/fingerprints.rs"));

impl StrategyInfo {
    /// The SHA-256 of the strategy's code (its module, its rule and the shared book-keeping),
    /// computed when the binary was built.
    pub fn fingerprint(&self) -> &'static str {
        FINGERPRINTS
            .iter()
            .find(|(module, _)| *module == self.name)
            .map_or("", |(_, hash)| hash)
    }
}

/// The catalog entry for `name`.
pub fn info(name: &str) -> Result<&'static StrategyInfo, BuildError> {
    CATALOG
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| BuildError::Unknown(name.to_string()))
}

/// What every strategy of the catalog is: besides a [`Strategy`], a value that can be cloned
/// (fresh copies for every cell of a validation) and saved and restored (the live runner's
/// checkpoints).
pub trait CatalogStrategy:
    Strategy + Clone + serde::Serialize + serde::de::DeserializeOwned + 'static
{
}

impl<S> CatalogStrategy for S where
    S: Strategy + Clone + serde::Serialize + serde::de::DeserializeOwned + 'static
{
}

/// Receives the concrete strategy that [`build`] made.
pub trait StrategyVisitor {
    /// What the visit produces.
    type Output;
    /// Called with the built strategy, never run yet (clone it for fresh copies).
    fn visit<S: CatalogStrategy>(self, strategy: S) -> Self::Output;
}

/// Why a strategy could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No strategy has that name.
    #[error("unknown strategy '{0}' (known: {known})", known = CATALOG.iter().map(|s| s.name).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    /// The parameters were refused.
    #[error("{strategy}: {error}")]
    Params {
        /// The strategy that refused them.
        strategy: &'static str,
        /// Which parameter, and why.
        error: ParamError,
    },
}

/// Checks that strategy `name` accepts `params`, relations between them included (a fast window
/// below the slow one...), without running anything.
pub fn check(name: &str, params: &Params) -> Result<(), BuildError> {
    struct Accept;
    impl StrategyVisitor for Accept {
        type Output = ();
        fn visit<S: CatalogStrategy>(self, _: S) {}
    }
    build(name, params, Accept)
}

/// Builds strategy `name` from `params` and hands it to `visitor`.
pub fn build<V: StrategyVisitor>(
    name: &str,
    params: &Params,
    visitor: V,
) -> Result<V::Output, BuildError> {
    let strategy = info(name)?.name;
    let refused = |error| BuildError::Params { strategy, error };
    match strategy {
        sma_cross::NAME => Ok(visitor.visit(SmaCross::from_params(params).map_err(refused)?)),
        vwap::NAME => Ok(visitor.visit(Vwap::from_params(params).map_err(refused)?)),
        momentum::NAME => Ok(visitor.visit(Momentum::from_params(params).map_err(refused)?)),
        rsi_divergence::NAME => {
            Ok(visitor.visit(RsiDivergence::from_params(params).map_err(refused)?))
        }
        volume_breakout::NAME => {
            Ok(visitor.visit(VolumeBreakout::from_params(params).map_err(refused)?))
        }
        mean_reversion::NAME => {
            Ok(visitor.visit(MeanReversion::from_params(params).map_err(refused)?))
        }
        pairs::NAME => Ok(visitor.visit(Pairs::from_params(params).map_err(refused)?)),
        other => Err(BuildError::Unknown(other.to_string())),
    }
}

/// The look-ahead guard on strategy `name` with `params`, over `columns` (one per symbol, on one
/// clock) at the cut points `cuts`; every run starts from a fresh copy of the built strategy.
pub fn lookahead(
    name: &str,
    params: &Params,
    columns: &[BarColumns<'_>],
    cuts: &[usize],
) -> Result<LookaheadReport, BuildError> {
    struct Guard<'a, 'b> {
        columns: &'a [BarColumns<'b>],
        cuts: &'a [usize],
    }
    impl StrategyVisitor for Guard<'_, '_> {
        type Output = LookaheadReport;
        fn visit<S: CatalogStrategy>(self, strategy: S) -> LookaheadReport {
            check_lookahead(self.columns, self.cuts, |_: &[BarColumns<'_>]| {
                strategy.clone()
            })
        }
    }
    build(name, params, Guard { columns, cuts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_has_its_own_fingerprint_of_its_files() {
        let mut seen = Vec::new();
        for s in CATALOG {
            let f = s.fingerprint();
            assert_eq!(f.len(), 64, "{}: fingerprint {f:?}", s.name);
            assert!(f.bytes().all(|b| b.is_ascii_hexdigit()), "{}", s.name);
            assert!(!seen.contains(&f), "{} shares a fingerprint", s.name);
            seen.push(f);
        }
    }
}
