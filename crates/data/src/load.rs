//! Reading bar files with polars: CSV (every column read as text, so that each bad cell can be
//! reported with its line) and Parquet (typed columns, cast to the schema).

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::bars::BarSeries;
use crate::columns::{Canonical, ColumnMap};
use crate::decoder::contain;
use crate::error::{DataError, Location, ProblemKind};
use crate::parquet_layout;
use crate::timestamp::DAY_MS;
use crate::validate::{self, BAD_TS, Cell, Names, Problems, ValueKind};

/// How to load a file.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Use the `Adj Close` column: open, high, low and close are all scaled by
    /// `adj_close / close` of their row, so that the bar's shape is kept. Off by default: the
    /// column is ignored.
    pub adjusted_close: bool,
    /// How many problems an error lists (all are counted).
    pub max_problems: usize,
    /// The symbol; by default the file's stem (`data/sp500_daily.csv` gives `sp500_daily`).
    pub symbol: Option<String>,
    /// Parquet only: load rows `start..start + len` (cut at the end of the file), checked as a
    /// file of their own (problems located by their row in the whole file), so that a long
    /// file can be read a part at a time. A CSV file with this set is refused.
    pub parquet_rows: Option<(usize, usize)>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            adjusted_close: false,
            max_problems: 200,
            symbol: None,
            parquet_rows: None,
        }
    }
}

/// Loads and validates the bars of one file, `.csv` or `.parquet`.
///
/// Every problem in the file is found before returning; the error lists them in file order.
pub fn load_bars(path: &Path, options: &LoadOptions) -> Result<BarSeries, DataError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let symbol = options.symbol.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let metadata = std::fs::metadata(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let source = match extension.as_deref() {
        Some("csv") => Source::Csv,
        Some("parquet" | "pq") => Source::Parquet,
        _ => {
            return Err(DataError::UnsupportedFormat {
                path: path.to_path_buf(),
            });
        }
    };
    let rows = match (source, options.parquet_rows) {
        (Source::Csv, Some(_)) => {
            return Err(DataError::UnsupportedFormat {
                path: path.to_path_buf(),
            });
        }
        (_, rows) => rows,
    };
    let mut problems = Problems::new(match source {
        Source::Csv => |i| Location::Line(i + 2),
        Source::Parquet => |i| Location::Row(i + 1),
    })
    .starting_at(rows.map_or(0, |(start, _)| start));
    if metadata.len() == 0 {
        problems.push(Location::File, None, None, ProblemKind::NoRows);
        return Err(invalid(path, problems, options));
    }
    let mut frame = source.open(path, rows)?;
    let headers = frame.headers(path)?;
    let columns = match ColumnMap::resolve(&headers) {
        Ok(columns) => columns,
        Err(found) => {
            for p in found {
                problems.push(p.location, p.column, p.value, p.kind);
            }
            return Err(invalid(path, problems, options));
        }
    };
    if options.adjusted_close && columns.name(Canonical::AdjClose).is_none() {
        problems.push(
            Location::File,
            Some(Canonical::AdjClose.aliases()[0].to_string()),
            None,
            ProblemKind::MissingColumn {
                accepted: Canonical::AdjClose.aliases(),
            },
        );
        return Err(invalid(path, problems, options));
    }
    let len = frame.height(path)?;
    if len == 0 {
        problems.push(Location::File, None, None, ProblemKind::NoRows);
        return Err(invalid(path, problems, options));
    }

    let name = |c: Canonical| columns.name(c).unwrap_or_default().to_string();
    let mut jobs = vec![
        (Canonical::Ts, None),
        (Canonical::Open, Some(ValueKind::Price)),
        (Canonical::High, Some(ValueKind::Price)),
        (Canonical::Low, Some(ValueKind::Price)),
        (Canonical::Close, Some(ValueKind::Price)),
        (Canonical::Volume, Some(ValueKind::Volume)),
    ];
    if options.adjusted_close {
        jobs.push((Canonical::AdjClose, Some(ValueKind::Price)));
    }
    // A CSV file is already read whole: its columns are moved out of the frame here, each to
    // be dropped once converted. A Parquet column is read from the file by the job that
    // converts it, so that a large file is never decoded whole beside the series.
    let mut taken: Vec<Option<Column>> = Vec::with_capacity(jobs.len());
    for (c, _) in &jobs {
        taken.push(frame.take_now(path, &name(*c))?);
    }
    let taken: Vec<std::sync::Mutex<Option<Column>>> =
        taken.into_iter().map(std::sync::Mutex::new).collect();
    // Columns are read and checked on a few threads at once (a third of a large file's load
    // time on two cores); their problems are put together in column order afterwards, so
    // the report is the same as one thread's.
    let converted = in_parallel(jobs.len(), |job| {
        let (c, kind) = jobs[job];
        let mut found = problems.fresh();
        let ready = taken[job].lock().map(|mut slot| slot.take()).ok().flatten();
        let column = match ready {
            Some(column) => column,
            None => frame.read(path, &name(c))?,
        };
        // A damaged Parquet file can promise rows in its footer that a column does not hold
        // (found by fuzzing: `fuzz/regressions/bars_parquet/`); every column must hold `len`.
        if column.len() != len {
            return Err(DataError::Unreadable {
                path: path.to_path_buf(),
                message: format!(
                    "column '{}' holds {} values where the file promises {len} rows: the file is damaged",
                    name(c),
                    column.len()
                ),
            });
        }
        let values = match kind {
            None => Converted::Ts(timestamps(&column, len, &name(c), &mut found, path)?),
            Some(kind) => {
                Converted::Number(numeric(&column, len, &name(c), kind, &mut found, path)?)
            }
        };
        Ok((values, found))
    });
    let mut ts = Vec::new();
    let mut numbers = Vec::with_capacity(jobs.len());
    for result in converted {
        let (values, found) = result?;
        problems.append(found);
        match values {
            Converted::Ts(values) => ts = values,
            Converted::Number(values) => numbers.push(values),
        }
    }
    let adjusted = if options.adjusted_close {
        numbers.pop()
    } else {
        None
    };
    let mut numbers = numbers.into_iter();
    let mut next = || numbers.next().unwrap_or_default();
    let (mut open, mut high, mut low, mut close, volume) = (next(), next(), next(), next(), next());

    let (ts_name, high_name, low_name) = (
        name(Canonical::Ts),
        name(Canonical::High),
        name(Canonical::Low),
    );
    validate::check_rows(
        &ts,
        [&open, &high, &low, &close],
        &Names {
            ts: &ts_name,
            high: &high_name,
            low: &low_name,
        },
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(invalid(path, problems, options));
    }
    if let Some(adjusted) = adjusted {
        for (i, &adjusted_close) in adjusted.iter().enumerate() {
            let factor = adjusted_close / close[i];
            open[i] *= factor;
            high[i] *= factor;
            low[i] *= factor;
        }
        close = adjusted;
    }
    Ok(BarSeries::from_columns(
        symbol, ts, open, high, low, close, volume,
    ))
}

#[derive(Clone, Copy)]
enum Source {
    Csv,
    Parquet,
}

impl Source {
    fn open(self, path: &Path, rows: Option<(usize, usize)>) -> Result<Frame, DataError> {
        match self {
            Source::Csv => CsvReadOptions::default()
                .with_has_header(true)
                // Zero rows of inference: every column arrives as text, and each cell is parsed
                // (and reported) by our own checks rather than failing the whole read.
                .with_infer_schema_length(Some(0))
                .with_raise_if_empty(false)
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|reader| reader.finish())
                .map(Frame::Csv)
                .map_err(|e| unreadable(path, e)),
            Source::Parquet => Ok(Frame::Parquet { rows }),
        }
    }
}

/// The file's columns, taken out one at a time so that a large file is held about once.
enum Frame {
    /// A CSV file read whole, every column as text; columns are moved out as they are taken.
    Csv(DataFrame),
    /// A Parquet file (or the rows `start..start + len` of it): each column is read from the
    /// file when it is taken, so the decoded file is never in memory whole beside the series
    /// being built from it.
    Parquet { rows: Option<(usize, usize)> },
}

impl Frame {
    fn headers(&mut self, path: &Path) -> Result<Vec<String>, DataError> {
        match self {
            Frame::Csv(frame) => Ok(frame
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect()),
            Frame::Parquet { .. } => contain(path, || {
                Ok(parquet_reader(path)?
                    .schema()
                    .map_err(|e| unreadable(path, e))?
                    .iter_names()
                    .map(|s| s.to_string())
                    .collect())
            }),
        }
    }

    fn height(&mut self, path: &Path) -> Result<usize, DataError> {
        match self {
            Frame::Csv(frame) => Ok(frame.height()),
            Frame::Parquet { rows } => {
                let all = parquet_row_count(path)?;
                Ok(rows.map_or(all, |(start, len)| all.saturating_sub(start).min(len)))
            }
        }
    }

    /// The column `name` moved out of a frame read whole (a CSV file); `None` for a column
    /// that is read from the file when wanted ([`Frame::read`]).
    fn take_now(&mut self, path: &Path, name: &str) -> Result<Option<Column>, DataError> {
        match self {
            Frame::Csv(frame) => frame
                .drop_in_place(name)
                .map(Some)
                .map_err(|e| unreadable(path, e)),
            Frame::Parquet { .. } => Ok(None),
        }
    }

    /// Reads the column `name` from a Parquet file.
    fn read(&self, path: &Path, name: &str) -> Result<Column, DataError> {
        let rows = match self {
            Frame::Parquet { rows } => *rows,
            Frame::Csv(_) => {
                return Err(DataError::Unreadable {
                    path: path.to_path_buf(),
                    message: format!("column '{name}' was taken twice"),
                });
            }
        };
        contain(path, || {
            let mut reader = parquet_reader(path)?;
            let metadata = reader.get_metadata().map_err(|e| unreadable(path, e))?;
            parquet_layout::check_column(path, metadata, name)?;
            reader
                .with_columns(Some(vec![name.to_string()]))
                .with_slice(rows)
                .finish()
                .and_then(|mut frame| frame.drop_in_place(name))
                .map_err(|e| unreadable(path, e))
        })
    }
}

/// One converted column.
enum Converted {
    Ts(Vec<i64>),
    Number(Vec<f64>),
}

/// `job(0..jobs)` on up to four threads (as many as there are cores), results in job order.
fn in_parallel<T: Send>(jobs: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(jobs);
    if threads <= 1 {
        return (0..jobs).map(job).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if index >= jobs {
                            return mine;
                        }
                        mine.push((index, job(index)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(mine) => mine,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// The number of rows of a Parquet file, from its metadata (nothing is decoded).
pub fn parquet_row_count(path: &Path) -> Result<usize, DataError> {
    contain(path, || {
        parquet_reader(path)?
            .num_rows()
            .map_err(|e| unreadable(path, e))
    })
}

/// A reader of the Parquet file at `path`, its footer read and checked (call it inside
/// [`contain`]: reading the footer may panic).
///
/// polars trusts a footer's byte ranges and panics on one that points past the end of the
/// file (found by fuzzing: `fuzz/regressions/bars_parquet/`), so every column chunk's range is
/// checked against the file's length before anything is decoded: that fault gets a message
/// that says what is wrong, not just the decoder's.
fn parquet_reader(path: &Path) -> Result<ParquetReader<File>, DataError> {
    let mut file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let length = file
        .metadata()
        .map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    parquet_layout::check_footer(path, &mut file, length)?;
    let mut reader = ParquetReader::new(file);
    let metadata = reader.get_metadata().map_err(|e| unreadable(path, e))?;
    for (g, group) in metadata.row_groups.iter().enumerate() {
        for range in group.byte_ranges_iter() {
            if range.start > range.end || range.end > length {
                return Err(DataError::Unreadable {
                    path: path.to_path_buf(),
                    message: format!(
                        "damaged Parquet footer: row group {g} places a column at bytes {}..{} of a {length}-byte file",
                        range.start, range.end
                    ),
                });
            }
        }
    }
    parquet_layout::check_row_count(path, metadata, length)?;
    Ok(reader)
}

fn unreadable(path: &Path, error: PolarsError) -> DataError {
    DataError::Unreadable {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

fn invalid(path: &Path, problems: Problems, options: &LoadOptions) -> DataError {
    let (mut found, total) = problems.into_sorted();
    found.truncate(options.max_problems);
    DataError::Invalid {
        path: path.to_path_buf(),
        problems: found,
        total,
    }
}

fn numeric(
    column: &Column,
    len: usize,
    name: &str,
    kind: ValueKind,
    problems: &mut Problems,
    path: &Path,
) -> Result<Vec<f64>, DataError> {
    if column.dtype() == &DataType::String {
        let text = column.str().map_err(|e| unreadable(path, e))?;
        return Ok(validate::number_column(
            text.iter().map(Cell::Text),
            len,
            name,
            kind,
            problems,
        ));
    }
    if !column.dtype().is_primitive_numeric() {
        problems.push(
            Location::File,
            Some(name.to_string()),
            Some(column.dtype().to_string()),
            ProblemKind::Unparsable {
                expected: "a numeric column",
            },
        );
        return Ok(vec![f64::NAN; len]);
    }
    let cast = column
        .cast(&DataType::Float64)
        .map_err(|e| unreadable(path, e))?;
    let values = cast.f64().map_err(|e| unreadable(path, e))?;
    // Most columns are clean: one branch-free pass per chunk (a Parquet file gives one per row
    // group) proves it, and only a column with a problem takes the cell-by-cell path that names
    // each one (a quarter of the load of a large file).
    if values.null_count() == 0 {
        let mut clean = Vec::with_capacity(len);
        let all_clean = values.downcast_iter().all(|chunk| {
            let chunk = chunk.values().as_slice();
            validate::all_valid(chunk, kind) && {
                clean.extend_from_slice(chunk);
                true
            }
        });
        if all_clean {
            return Ok(clean);
        }
    }
    Ok(validate::number_column(
        values.iter().map(Cell::Number),
        len,
        name,
        kind,
        problems,
    ))
}

fn timestamps(
    column: &Column,
    len: usize,
    name: &str,
    problems: &mut Problems,
    path: &Path,
) -> Result<Vec<i64>, DataError> {
    let physical = |dtype: DataType| -> Result<Column, DataError> {
        column.cast(&dtype).map_err(|e| unreadable(path, e))
    };
    // Milliseconds are `value * multiplier` floored by `divisor`.
    let from_physical =
        |values: &Int64Chunked, multiplier: i64, divisor: i64, problems: &mut Problems| {
            let to_ms = |v: i64| (v * multiplier).div_euclid(divisor);
            if values.null_count() == 0 {
                let mut ts = Vec::with_capacity(len);
                for chunk in values.downcast_iter() {
                    let chunk = chunk.values().as_slice();
                    if (multiplier, divisor) == (1, 1) {
                        ts.extend_from_slice(chunk);
                    } else {
                        ts.extend(chunk.iter().map(|&v| to_ms(v)));
                    }
                }
                return ts;
            }
            values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) => to_ms(v),
                    None => {
                        problems.at_row(i, name, String::new, ProblemKind::MissingValue);
                        BAD_TS
                    }
                })
                .collect::<Vec<i64>>()
        };
    match column.dtype() {
        DataType::String => {
            let text = column.str().map_err(|e| unreadable(path, e))?;
            Ok(validate::text_ts_column(text.iter(), len, name, problems))
        }
        DataType::Date => {
            let days = physical(DataType::Int64)?;
            let days = days.i64().map_err(|e| unreadable(path, e))?;
            Ok(from_physical(days, DAY_MS, 1, problems))
        }
        DataType::Datetime(unit, _) => {
            let divisor = match unit {
                TimeUnit::Milliseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Nanoseconds => 1_000_000,
            };
            let raw = physical(DataType::Int64)?;
            let raw = raw.i64().map_err(|e| unreadable(path, e))?;
            Ok(from_physical(raw, 1, divisor, problems))
        }
        other => {
            problems.push(
                Location::File,
                Some(name.to_string()),
                Some(other.to_string()),
                ProblemKind::Unparsable {
                    expected: "a date, datetime or text timestamp column",
                },
            );
            Ok(vec![BAD_TS; len])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_jobs_come_back_in_job_order() {
        let squares = in_parallel(9, |i| {
            // Later jobs finish first.
            std::thread::sleep(std::time::Duration::from_millis(9 - i as u64));
            i * i
        });
        assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64]);
    }
}
