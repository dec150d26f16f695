//! The checks every bar passes before anything trades on it.
//!
//! Cell checks run as each value is parsed (missing, unparsable, NaN or infinite, price at or
//! below zero, negative volume); row checks run once all columns are in (`high < low`,
//! `high < max(open, close)`, `low > min(open, close)`, duplicate or decreasing timestamps). A cell
//! that already failed is not checked again by its row, so each fault is reported once.

use crate::error::{Location, Problem, ProblemKind};
use crate::timestamp;

/// Marks a timestamp that failed to parse (already reported).
pub(crate) const BAD_TS: i64 = i64::MIN;

/// What a numeric column holds, which decides its cell checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Price,
    Volume,
}

/// One cell as it came out of the file.
pub(crate) enum Cell<'a> {
    Text(Option<&'a str>),
    Number(Option<f64>),
}

/// Gathers problems for one file, with their place in it.
pub(crate) struct Problems {
    location: fn(usize) -> Location,
    /// Added to an index before it is located: the first row of a part of a file.
    offset: usize,
    found: Vec<Problem>,
    total: usize,
    keep: usize,
}

/// Far more than anyone reads, few enough to hold in memory whatever the file.
const KEEP_AT_MOST: usize = 100_000;

impl Problems {
    pub(crate) fn new(location: fn(usize) -> Location) -> Self {
        Self {
            location,
            offset: 0,
            found: Vec::new(),
            total: 0,
            keep: KEEP_AT_MOST,
        }
    }

    pub(crate) fn at_row(
        &mut self,
        index: usize,
        column: &str,
        value: impl FnOnce() -> String,
        kind: ProblemKind,
    ) {
        let location = self.location(index);
        self.push(location, Some(column.to_string()), Some(value()), kind);
    }

    pub(crate) fn push(
        &mut self,
        location: Location,
        column: Option<String>,
        value: Option<String>,
        kind: ProblemKind,
    ) {
        self.total += 1;
        if self.found.len() < self.keep {
            self.found.push(Problem {
                location,
                column,
                value,
                kind,
            });
        }
    }

    pub(crate) fn location(&self, index: usize) -> Location {
        (self.location)(index + self.offset)
    }

    /// Locates indices from `offset` on (the rows of a part of a file).
    pub(crate) fn starting_at(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// An empty list that locates rows as this one does (for a column checked on its own).
    pub(crate) fn fresh(&self) -> Self {
        Self {
            found: Vec::new(),
            total: 0,
            ..*self
        }
    }

    /// Appends `other`'s problems after this list's, as if they had been pushed here.
    pub(crate) fn append(&mut self, other: Problems) {
        self.total += other.total;
        let room = self.keep.saturating_sub(self.found.len());
        self.found.extend(other.found.into_iter().take(room));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The problems in file order (file-level first, then by row), and how many there were.
    pub(crate) fn into_sorted(mut self) -> (Vec<Problem>, usize) {
        let key = |p: &Problem| match p.location {
            Location::File => 0,
            Location::Line(n) | Location::Row(n) => n,
        };
        self.found.sort_by_key(key);
        (self.found, self.total)
    }
}

/// Parses and checks one numeric column. Failed cells become NaN, already reported.
pub(crate) fn number_column<'a>(
    cells: impl Iterator<Item = Cell<'a>>,
    len: usize,
    column: &str,
    kind: ValueKind,
    problems: &mut Problems,
) -> Vec<f64> {
    let mut values = Vec::with_capacity(len);
    for (index, cell) in cells.enumerate() {
        let (value, text) = match cell {
            Cell::Text(Some(text)) if !text.trim().is_empty() => match text.trim().parse::<f64>() {
                Ok(v) => (Some(v), Some(text)),
                Err(_) => {
                    problems.at_row(
                        index,
                        column,
                        || text.to_string(),
                        ProblemKind::Unparsable {
                            expected: "a number",
                        },
                    );
                    values.push(f64::NAN);
                    continue;
                }
            },
            Cell::Number(Some(v)) => (Some(v), None),
            Cell::Text(_) | Cell::Number(None) => (None, None),
        };
        let shown = || text.map_or_else(|| value.unwrap_or(f64::NAN).to_string(), str::to_string);
        let Some(v) = value else {
            problems.at_row(index, column, String::new, ProblemKind::MissingValue);
            values.push(f64::NAN);
            continue;
        };
        if !v.is_finite() {
            problems.at_row(index, column, shown, ProblemKind::NotFinite);
            values.push(f64::NAN);
            continue;
        }
        match kind {
            ValueKind::Price if v <= 0.0 => {
                problems.at_row(index, column, shown, ProblemKind::NonPositivePrice)
            }
            ValueKind::Volume if v < 0.0 => {
                problems.at_row(index, column, shown, ProblemKind::NegativeVolume)
            }
            _ => {}
        }
        values.push(v);
    }
    values
}

/// True when every value passes the checks of [`number_column`]: finite, and positive for a
/// price or non-negative for a volume.
pub(crate) fn all_valid(values: &[f64], kind: ValueKind) -> bool {
    // Comparisons are false for NaN; folding with `&` rather than `all` keeps the loop free of
    // early exits so that it vectorizes.
    let finite = |v: f64| v < f64::INFINITY;
    match kind {
        ValueKind::Price => values
            .iter()
            .fold(true, |ok, &v| ok & (v > 0.0) & finite(v)),
        ValueKind::Volume => values
            .iter()
            .fold(true, |ok, &v| ok & (v >= 0.0) & finite(v)),
    }
}

/// Parses a text timestamp column. Failed cells become [`BAD_TS`], already reported.
pub(crate) fn text_ts_column<'a>(
    cells: impl Iterator<Item = Option<&'a str>>,
    len: usize,
    column: &str,
    problems: &mut Problems,
) -> Vec<i64> {
    let mut ts = Vec::with_capacity(len);
    for (index, cell) in cells.enumerate() {
        match cell.map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                problems.at_row(index, column, String::new, ProblemKind::MissingValue);
                ts.push(BAD_TS);
            }
            Some(text) => match timestamp::parse_ts(text) {
                Some(ms) => ts.push(ms),
                None => {
                    problems.at_row(
                        index,
                        column,
                        || text.to_string(),
                        ProblemKind::Unparsable {
                            expected: timestamp::EXPECTED,
                        },
                    );
                    ts.push(BAD_TS);
                }
            },
        }
    }
    ts
}

/// The header names of the six columns, for messages.
pub(crate) struct Names<'a> {
    pub ts: &'a str,
    pub high: &'a str,
    pub low: &'a str,
}

/// Row checks across columns: the bar's shape and the order of timestamps.
pub(crate) fn check_rows(
    ts: &[i64],
    [open, high, low, close]: [&[f64]; 4],
    names: &Names<'_>,
    problems: &mut Problems,
) {
    // Most files are clean: branch-free passes prove it, and only a file with a problem is
    // walked row by row to name each one. A row that passes these comparisons passes
    // `check_shapes` (NaN fails them); strictly increasing timestamps pass `check_order`.
    let shapes_ok = open
        .iter()
        .zip(high)
        .zip(low)
        .zip(close)
        .fold(true, |ok, (((&o, &h), &l), &c)| {
            ok & (h >= o) & (h >= c) & (l <= o) & (l <= c)
        });
    let increasing = ts.windows(2).fold(true, |ok, w| ok & (w[0] < w[1]));
    if !shapes_ok {
        check_shapes(ts.len(), [open, high, low, close], names, problems);
    }
    if !increasing {
        check_order(ts, names, problems);
    }
}

fn check_shapes(
    len: usize,
    [open, high, low, close]: [&[f64]; 4],
    names: &Names<'_>,
    problems: &mut Problems,
) {
    for i in 0..len {
        let (o, h, l, c) = (open[i], high[i], low[i], close[i]);
        if [o, h, l, c].iter().all(|v| v.is_finite()) {
            if h < l {
                problems.at_row(
                    i,
                    names.high,
                    || h.to_string(),
                    ProblemKind::HighBelowLow { low: l },
                );
            } else {
                if h < o.max(c) {
                    problems.at_row(
                        i,
                        names.high,
                        || h.to_string(),
                        ProblemKind::HighBelowBody { body_top: o.max(c) },
                    );
                }
                if l > o.min(c) {
                    problems.at_row(
                        i,
                        names.low,
                        || l.to_string(),
                        ProblemKind::LowAboveBody {
                            body_bottom: o.min(c),
                        },
                    );
                }
            }
        }
    }
}

fn check_order(ts: &[i64], names: &Names<'_>, problems: &mut Problems) {
    let mut previous: Option<(usize, i64)> = None;
    for (i, &t) in ts.iter().enumerate() {
        if t == BAD_TS {
            continue;
        }
        if let Some((j, before)) = previous {
            let previous_location = problems.location(j);
            let show = || timestamp::TsFormat::for_series(&[t]).format(t);
            if t == before {
                problems.at_row(
                    i,
                    names.ts,
                    show,
                    ProblemKind::DuplicateTimestamp {
                        previous: previous_location,
                    },
                );
                continue;
            }
            if t < before {
                problems.at_row(
                    i,
                    names.ts,
                    show,
                    ProblemKind::DecreasingTimestamp {
                        previous: previous_location,
                    },
                );
                continue;
            }
        }
        previous = Some((i, t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_appended_keep_their_order_count_and_cap() {
        let mut first = Problems::new(|i| Location::Row(i + 1));
        first.keep = 3;
        first.at_row(4, "close", String::new, ProblemKind::MissingValue);
        let mut second = first.fresh();
        for row in [0, 1, 2] {
            second.at_row(row, "volume", String::new, ProblemKind::MissingValue);
        }
        first.append(second);
        let (found, total) = first.into_sorted();
        assert_eq!(total, 4);
        // Rows 5 (pushed first), then 1 and 2 of the second list; row 3 is counted, not kept.
        let rows: Vec<String> = found.iter().map(|p| p.location.to_string()).collect();
        assert_eq!(rows, ["row 1", "row 2", "row 5"]);
    }
}
