//! Bar data for gauntlet: load CSV and Parquet files with polars, validate every bar, put several
//! symbols on one clock, fingerprint what was loaded, and generate synthetic bars.
//!
//! Everything downstream works on [`BarSeries`]: contiguous columns (`ts` as i64 milliseconds
//! since the Unix epoch, UTC; `open, high, low, close, volume` as f64). A loaded series has passed
//! every check in [`validate`], so the engine never has to ask whether a price is finite.
//!
//! ```no_run
//! use gauntlet_data::{load_bars, LoadOptions};
//! let bars = load_bars("data/sp500_daily.csv".as_ref(), &LoadOptions::default())?;
//! println!("{} bars, fingerprint {}", bars.len(), bars.fingerprint());
//! # Ok::<(), gauntlet_data::DataError>(())
//! ```

pub mod atomic;
mod bars;
mod columns;
pub mod decoder;
mod error;
mod fingerprint;
mod load;
mod panel;
mod parquet_layout;
pub mod remote;
pub mod synth;
pub mod timestamp;
mod validate;

pub use bars::{Bar, BarSeries};
pub use error::{DataError, Location, Problem, ProblemKind};
pub use fingerprint::fingerprint_hex;
pub use load::{LoadOptions, load_bars, parquet_row_count};
pub use panel::Panel;
