//! Helpers for the end-to-end tests: the repository's data, and a scripted strategy whose
//! intents come from a list, for driving the engine through every path.

use std::path::{Path, PathBuf};

use gauntlet_data::{BarSeries, LoadOptions, load_bars};
use gauntlet_strategy::{BarContext, Intent, Intents, Strategy, StrategyError};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A shipped data file, loaded and validated.
pub fn shipped(name: &str) -> BarSeries {
    let path = root().join("data").join(name);
    load_bars(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Costs that exercise every part of the cost model: commission in basis points with a
/// minimum, slippage, and a borrow fee on shorts.
pub const COSTS: gauntlet_engine::CostModel = gauntlet_engine::CostModel {
    commission_bps: 5.0,
    commission_per_share: 0.0,
    commission_min: 1.0,
    slippage_bps: 2.0,
    borrow_bps: 250.0,
};

/// What a scripted strategy does at one bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Nothing.
    Wait,
    /// Emit this intent.
    Emit(Intent),
    /// Fail with an error.
    Fail,
    /// Write this intent, then fail: the intent must not become an order.
    EmitThenFail(Intent),
}

/// Plays a script: the action at index `t` is taken at bar `t` (nothing past its end).
#[derive(Debug, Clone)]
pub struct Scripted {
    /// The actions, by bar.
    pub script: Vec<Action>,
}

impl Strategy for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn warmup(&self) -> usize {
        0
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        match self.script.get(ctx.index()) {
            Some(Action::Emit(intent)) => out.push(*intent),
            Some(Action::Fail) => return Err(StrategyError("scripted failure".into())),
            Some(Action::EmitThenFail(intent)) => {
                out.push(*intent);
                return Err(StrategyError("scripted failure after an intent".into()));
            }
            Some(Action::Wait) | None => {}
        }
        Ok(())
    }
}
