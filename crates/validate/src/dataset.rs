//! The data of a validation, loaded, checked and aligned once, whatever the number of
//! parameter sets and folds: the panel, the bars inside the spec's date range, the benchmark's
//! returns on the same clock, and the bars per year.

use std::ops::Range;

use gauntlet_data::remote::load_bars_anywhere;
use gauntlet_data::{BarSeries, DataError, LoadOptions, Panel, timestamp};
use gauntlet_engine::metrics::{TradingYear, infer_trading_year};
use serde::Serialize;

use crate::spec::Spec;

/// A data file as the report records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFile {
    /// The path as written in the spec.
    pub path: String,
    /// The symbol (the file's stem).
    pub symbol: String,
    /// Bars in the file.
    pub bars: usize,
    /// Content fingerprint (SHA-256 of the bars).
    pub fingerprint: String,
}

/// Everything a validation reads, built once.
#[derive(Debug)]
pub struct Dataset {
    /// The symbols on one clock.
    pub panel: Panel,
    /// The bars of the panel inside the spec's date range.
    pub range: Range<usize>,
    /// The files, with fingerprints.
    pub files: Vec<DataFile>,
    /// The benchmark's close-to-close returns at each bar of `range` (0 at its first bar).
    pub benchmark_returns: Vec<f64>,
    /// The benchmark file as recorded.
    pub benchmark: DataFile,
    /// Bars per year: the spec's, or inferred from the bars' spacing.
    pub periods_per_year: f64,
    /// Trading days per year, inferred from the bars (365 when they fall on every day of the
    /// week, else 252): a spec's `"10d"` is ten of `periods_per_year / trading_days` bars.
    pub trading_days: f64,
}

/// Why the data of a spec cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A file failed to load or its bars failed the checks.
    #[error(transparent)]
    Data(#[from] DataError),
    /// No bars inside the date range.
    #[error("{spec}: no bars between data.start and data.end ({start} .. {end})")]
    EmptyRange {
        /// The spec file.
        spec: String,
        /// As written.
        start: String,
        /// As written.
        end: String,
    },
}

impl Dataset {
    /// Loads the files of `spec`.
    pub fn load(spec: &Spec) -> Result<Dataset, DatasetError> {
        let options = LoadOptions {
            adjusted_close: spec.adjusted_close,
            ..LoadOptions::default()
        };
        let mut series = Vec::with_capacity(spec.files.len());
        let mut files = Vec::with_capacity(spec.files.len());
        for (path, written) in spec.files.iter().zip(&spec.files_as_written) {
            let bars = load_bars_anywhere(path, &options)?;
            files.push(record(written, &bars));
            series.push(bars);
        }
        // A benchmark that is one of the data files is neither loaded nor fingerprinted again
        // (hashing 500k bars costs as much as reading them); with one file it is the panel's
        // own series, not a copy.
        let position = spec.files.iter().position(|f| *f == spec.benchmark);
        let (benchmark, separate) = match position {
            Some(i) => (
                DataFile {
                    path: spec.benchmark_as_written.clone(),
                    ..files[i].clone()
                },
                (series.len() > 1).then(|| series[i].clone()),
            ),
            None => {
                let bars = load_bars_anywhere(&spec.benchmark, &options)?;
                (record(&spec.benchmark_as_written, &bars), Some(bars))
            }
        };
        let panel = if series.len() == 1 {
            Panel::single(series.remove(0))
        } else {
            Panel::align(series)?
        };
        let benchmark_series = separate.as_ref().unwrap_or(&panel.series()[0]);
        let ts = panel.ts();
        let day = |text: &Option<String>, end: bool| {
            text.as_deref()
                .and_then(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                .map(|d| timestamp::date_to_ms(d) + if end { 86_400_000 } else { 0 })
        };
        let first = day(&spec.start, false).map_or(0, |ms| ts.partition_point(|&t| t < ms));
        let last = day(&spec.end, true).map_or(ts.len(), |ms| ts.partition_point(|&t| t < ms));
        if first >= last {
            return Err(DatasetError::EmptyRange {
                spec: spec.path.display().to_string(),
                start: spec.start.clone().unwrap_or_else(|| "the first bar".into()),
                end: spec.end.clone().unwrap_or_else(|| "the last bar".into()),
            });
        }
        let range = first..last;
        let benchmark_returns = aligned_returns(benchmark_series, &ts[range.clone()]);
        let inferred = infer_trading_year(&ts[range.clone()]);
        let periods_per_year = spec.periods_per_year.unwrap_or(inferred.periods);
        Ok(Dataset {
            panel,
            range,
            files,
            benchmark_returns,
            benchmark,
            periods_per_year,
            trading_days: inferred.days,
        })
    }

    /// Bars and trading days per year.
    pub fn year(&self) -> TradingYear {
        TradingYear::new(self.periods_per_year, self.trading_days)
    }

    /// Bars inside the date range.
    pub fn bars(&self) -> usize {
        self.range.len()
    }

    /// Timestamps of the bars inside the range.
    pub fn ts(&self) -> &[i64] {
        &self.panel.ts()[self.range.clone()]
    }
}

fn record(written: &str, bars: &BarSeries) -> DataFile {
    DataFile {
        path: written.to_string(),
        symbol: bars.symbol().to_string(),
        bars: bars.len(),
        fingerprint: bars.fingerprint(),
    }
}

/// The benchmark's simple returns at each of `clock`'s times, its close taken as of each time
/// (the last close at or before it, carried over dates it lacks; 0 before its first bar).
fn aligned_returns(benchmark: &BarSeries, clock: &[i64]) -> Vec<f64> {
    let (ts, close) = (benchmark.ts(), benchmark.close());
    let mut previous: Option<f64> = None;
    // Both clocks increase, so the benchmark's bars at or before `t` are found by walking on
    // from where the previous `t` left off.
    let mut at = 0;
    clock
        .iter()
        .map(|&t| {
            while at < ts.len() && ts[at] <= t {
                at += 1;
            }
            let now = (at > 0).then(|| close[at - 1]);
            let r = match (previous, now) {
                (Some(p), Some(c)) if p > 0.0 => c / p - 1.0,
                _ => 0.0,
            };
            previous = now;
            r
        })
        .collect()
}
