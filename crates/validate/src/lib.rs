//! Walk-forward validation: split schemes, the optimizer that runs every parameter set on every
//! fold, the stitched out-of-sample history, and the statistics that say whether it is real.
//!
//! Every formula and convention is written down, with its source, in docs/METRICS.md; the
//! module docs state them again next to the code.

// Folds are lists of bar ranges, and a list of one range is their common case.
#![allow(clippy::single_range_in_vec_init)]

pub mod bootstrap;
pub mod cells;
mod curves;
pub mod dataset;
pub mod gate;
pub mod grid;
pub mod mean_variance;
pub mod outcome;
pub mod pbo;
pub mod performance;
pub mod shard;
pub mod sharpe;
pub mod spec;
pub mod splits;
pub mod stat;
pub mod sweep;
mod toml_reader;
pub mod trades;
pub mod walkforward;
pub mod workload;

pub use dataset::Dataset;
pub use gauntlet_engine::metrics::TradingYear;
pub use outcome::Validation;
pub use performance::{Annualization, Performance};
pub use spec::Spec;
pub use splits::{Fold, Plan, Scheme, SplitError};
pub use stat::{Stat, Undefined};
pub use trades::{Interval, TradeOutcome, TradeStats};
pub use walkforward::{ValidateError, validate};
