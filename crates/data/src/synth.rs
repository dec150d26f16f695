//! Deterministic synthetic bars: geometric Brownian motion with consistent OHLC, for benchmarks
//! and tests.
//!
//! Each bar: the open gaps from the previous close by a small normal move; the close follows
//! GBM from the open, `close = open * exp((mu - sigma^2/2) dt + sigma sqrt(dt) z)`; the high and
//! low extend beyond the body by half-normal amounts, so `low <= min(open, close)` and
//! `high >= max(open, close)` always; volume is log-normal around one million, whole units. The
//! random stream is ChaCha8 seeded with the seed, so the same seed gives the same bars on every
//! machine and every run.

use std::path::Path;

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::timestamp::{DAY_MS, TsFormat};
use crate::{Bar, BarSeries, DataError, atomic};

/// How far apart synthetic bars are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// One bar per weekday (Saturdays and Sundays skipped), at midnight UTC; 252 a year.
    Daily,
    /// One bar per minute, around the clock; priced as 390 bars a trading day.
    Minute,
}

impl Interval {
    fn bars_per_year(self) -> f64 {
        match self {
            Interval::Daily => 252.0,
            Interval::Minute => 252.0 * 390.0,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    /// Number of bars.
    pub bars: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Timestamp of the first bar (ms since epoch, UTC).
    pub start_ms: i64,
    /// Spacing of the bars.
    pub interval: Interval,
    /// First open.
    pub start_price: f64,
    /// Annual drift `mu`.
    pub annual_drift: f64,
    /// Annual volatility `sigma`.
    pub annual_volatility: f64,
}

impl SynthSpec {
    /// `bars` daily bars from 2000-01-03 (a Monday) with the given seed: price 100, drift 7%,
    /// volatility 20% a year.
    pub fn daily(bars: usize, seed: u64) -> SynthSpec {
        SynthSpec {
            bars,
            seed,
            start_ms: 10_959 * DAY_MS,
            interval: Interval::Daily,
            start_price: 100.0,
            annual_drift: 0.07,
            annual_volatility: 0.20,
        }
    }
}

/// Generates the bars of `spec`, under the symbol `synth`.
pub fn generate(spec: &SynthSpec) -> BarSeries {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut normal = move || -> f64 { rng.sample(StandardNormal) };
    let dt = 1.0 / spec.interval.bars_per_year();
    let step_sd = spec.annual_volatility * dt.sqrt();
    let drift = (spec.annual_drift - 0.5 * spec.annual_volatility.powi(2)) * dt;
    let mut series = BarSeries::with_capacity("synth", spec.bars);
    let mut ts = spec.start_ms;
    let mut close = spec.start_price;
    for _ in 0..spec.bars {
        let open = close * (0.1 * step_sd * normal()).exp();
        close = open * (drift + step_sd * normal()).exp();
        let high = open.max(close) * (0.5 * step_sd * normal().abs()).exp();
        let low = open.min(close) * (-0.5 * step_sd * normal().abs()).exp();
        let volume = (1.0e6 * (0.3 * normal()).exp()).round();
        series.push(Bar {
            ts,
            open,
            high,
            low,
            close,
            volume,
        });
        ts = next_ts(ts, spec.interval);
    }
    series
}

fn next_ts(ts: i64, interval: Interval) -> i64 {
    match interval {
        Interval::Minute => ts + 60_000,
        Interval::Daily => {
            let mut next = ts + DAY_MS;
            // 1970-01-01 was a Thursday: day 2 (mod 7) is a Saturday, day 3 a Sunday.
            while matches!(next.div_euclid(DAY_MS).rem_euclid(7), 2 | 3) {
                next += DAY_MS;
            }
            next
        }
    }
}

/// Writes `series` to `path` as CSV (header `ts,open,high,low,close,volume`) or Parquet, chosen
/// by the extension. The file appears only once complete.
pub fn write_bars(series: &BarSeries, path: &Path) -> Result<(), DataError> {
    let failed = |message: String| DataError::Write {
        path: path.to_path_buf(),
        message,
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut frame = to_frame(series).map_err(|e| failed(e.to_string()))?;
    let result = match extension.as_deref() {
        Some("csv") => atomic::write_file(path, |w| {
            CsvWriter::new(w)
                .include_header(true)
                .finish(&mut frame)
                .map_err(std::io::Error::other)
        }),
        Some("parquet" | "pq") => atomic::write_file(path, |w| {
            ParquetWriter::new(w)
                .finish(&mut frame)
                .map(|_| ())
                .map_err(std::io::Error::other)
        }),
        _ => {
            return Err(DataError::UnsupportedFormat {
                path: path.to_path_buf(),
            });
        }
    };
    result.map_err(|e| failed(e.to_string()))
}

pub(crate) fn to_frame(series: &BarSeries) -> PolarsResult<DataFrame> {
    let ts = match TsFormat::for_series(series.ts()) {
        TsFormat::Date => {
            let days: Vec<i32> = series
                .ts()
                .iter()
                .map(|t| i32::try_from(t.div_euclid(DAY_MS)).unwrap_or(i32::MAX))
                .collect();
            Int32Chunked::from_vec("ts".into(), days)
                .into_date()
                .into_series()
        }
        TsFormat::DateTime => Int64Chunked::from_vec("ts".into(), series.ts().to_vec())
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_series(),
    };
    let column = |name: &str, values: &[f64]| {
        Float64Chunked::from_vec(name.into(), values.to_vec())
            .into_series()
            .into_column()
    };
    DataFrame::new(
        series.len(),
        vec![
            ts.into_column(),
            column("open", series.open()),
            column("high", series.high()),
            column("low", series.low()),
            column("close", series.close()),
            column("volume", series.volume()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bars_other_seed_other_bars() {
        let a = generate(&SynthSpec::daily(500, 7));
        let b = generate(&SynthSpec::daily(500, 7));
        let c = generate(&SynthSpec::daily(500, 8));
        assert_eq!(a, b);
        assert_ne!(a.close(), c.close());
    }

    #[test]
    fn bars_are_consistent_and_skip_weekends() {
        let bars = generate(&SynthSpec::daily(2_000, 1));
        for i in 0..bars.len() {
            let b = bars.bar(i);
            assert!(b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close));
            assert!(b.low > 0.0 && b.volume >= 0.0);
            let weekday = b.ts.div_euclid(DAY_MS).rem_euclid(7);
            assert!(!matches!(weekday, 2 | 3), "bar {i} on a weekend");
        }
        // 2000-01-03 is a Monday; the sixth bar is the next Monday, 2000-01-10.
        assert_eq!(bars.ts()[5] - bars.ts()[0], 7 * DAY_MS);
    }

    #[test]
    fn log_returns_have_the_volatility_asked_for() {
        // 20% a year over 252 bars a year: the daily sd of the close-to-open part is
        // 0.2/sqrt(252) = 0.0126; the small open gap adds 1% of that in variance.
        let bars = generate(&SynthSpec::daily(50_000, 3));
        let r: Vec<f64> = bars
            .close()
            .windows(2)
            .map(|w| (w[1] / w[0]).ln())
            .collect();
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt();
        let expected = 0.2 / 252f64.sqrt() * (1.0f64 + 0.01).sqrt();
        assert!((sd / expected - 1.0).abs() < 0.02, "sd {sd} vs {expected}");
    }
}
