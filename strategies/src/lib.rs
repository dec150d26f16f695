//! The strategies of gauntlet, and the catalog that builds them by name.
//!
//! Each strategy lives in its own module, whose docs state its rule exactly (what it computes,
//! its parameters, its warm-up, how it enters and exits): validation reports quote them.
//! [`build`] hands the concrete strategy type to a [`StrategyVisitor`], so the engine's loop is
//! compiled for each strategy and nothing is dispatched dynamically per bar.

pub mod sma_cross;

use gauntlet_strategy::{ParamError, ParamSpace, Params, Strategy};

pub use sma_cross::SmaCross;

/// A strategy the catalog knows.
#[derive(Debug, Clone, Copy)]
pub struct StrategyInfo {
    /// Its name.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Its parameters.
    pub space: ParamSpace,
    /// Its rule in full: the module documentation, as the reports quote it.
    pub rule: &'static str,
}

/// Every strategy, by name.
pub const CATALOG: &[StrategyInfo] = &[StrategyInfo {
    name: sma_cross::NAME,
    summary: sma_cross::SUMMARY,
    space: sma_cross::SPACE,
    rule: sma_cross::RULE,
}];

/// The catalog entry for `name`.
pub fn info(name: &str) -> Result<&'static StrategyInfo, BuildError> {
    CATALOG
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| BuildError::Unknown(name.to_string()))
}

/// Receives the concrete strategy that [`build`] made.
pub trait StrategyVisitor {
    /// What the visit produces.
    type Output;
    /// Called with the built strategy, never run yet (clone it for fresh copies).
    fn visit<S: Strategy + Clone + 'static>(self, strategy: S) -> Self::Output;
}

/// Why a strategy could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No strategy has that name.
    #[error("unknown strategy '{0}' (known: {known})", known = CATALOG.iter().map(|s| s.name).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    /// The parameters were refused.
    #[error("strategy parameters: {0}")]
    Params(#[from] ParamError),
}

/// Builds strategy `name` from `params` and hands it to `visitor`.
pub fn build<V: StrategyVisitor>(
    name: &str,
    params: &Params,
    visitor: V,
) -> Result<V::Output, BuildError> {
    match info(name)?.name {
        sma_cross::NAME => Ok(visitor.visit(SmaCross::from_params(params)?)),
        other => Err(BuildError::Unknown(other.to_string())),
    }
}
