//! Streaming indicators: each `update` is O(1) and allocation-free, so one implementation serves
//! the replay and a live feed. An indicator answers `None` until it has seen enough bars.
//!
//! Conventions (also in docs/METRICS.md):
//! - [`Sma`]: arithmetic mean of the last `n` values, full windows only. [`SmaPair`]: two of
//!   them over one series (a short and a long window), sharing one ring, with the same sums.
//! - [`Ema`]: `alpha = 2 / (n + 1)`, seeded with the SMA of the first `n` values (first value
//!   at the `n`-th input).
//! - [`Rsi`]: Wilder's RSI. Changes start at the second close; the first average gain and loss
//!   are the simple means of the first `n` changes, then `avg = (avg * (n - 1) + x) / n`.
//!   `RSI = 100 - 100 / (1 + avg_gain / avg_loss)`; 100 when there were no losses, 50 when the
//!   price did not move at all. First value at the `(n + 1)`-th close.
//! - [`Atr`]: Wilder's ATR. True range needs the previous close, so it starts at the second
//!   bar: `max(high - low, |high - prev_close|, |low - prev_close|)`; the first ATR is the mean
//!   of the first `n` true ranges, then Wilder smoothing as for the RSI.
//! - [`RollingStd`]: standard deviation of the last `n` values, population (divide by `n`) or
//!   sample (divide by `n - 1`), kept with a sliding Welford update (no cancellation of large
//!   sums). [`ZScore`]: `(x - mean) / sd` over the same window, including `x`.
//! - [`RollingVwap`]: `sum(typical * volume) / sum(volume)` over the last `n` bars, with
//!   `typical = (high + low + close) / 3`; `None` while the window's volume is zero.
//!   [`SessionVwap`]: the same since the first bar of the bar's UTC day.
//! - [`RollingExtreme`]: highest or lowest of the last `n` values and how many bars ago it
//!   was (the latest among equals).
//! - [`RollingOls`]: least squares `y = alpha + beta * x` over the last `n` points,
//!   `beta = cov(x, y) / var(x)`; `None` while `x` does not vary.
//! - [`ln`]: the natural logarithm, inline and independent of the platform's libm, within
//!   about an ulp of the exact value.

mod average;
mod dispersion;
mod extreme;
mod log;
mod regression;
mod sma_pair;
mod wilder;
mod window;

pub use average::{Ema, RollingVwap, SessionVwap, Sma};
pub use dispersion::{RollingStd, ZScore};
pub use extreme::RollingExtreme;
pub use log::{ln, ln_pair};
pub use regression::{OlsFit, RollingOls};
pub use sma_pair::SmaPair;
pub use wilder::{Atr, Rsi};
