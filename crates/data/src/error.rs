//! Errors of the data layer. Every problem a user can cause names the file, the place in it, the
//! column and the offending value.

use std::fmt;
use std::path::PathBuf;

/// Where in a file a problem sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (empty, unreadable, missing a column).
    File,
    /// A 1-based line of a CSV file, counting the header as line 1.
    Line(usize),
    /// A 1-based data row of a Parquet file.
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A required column is absent.
    MissingColumn {
        /// The accepted names for the column.
        accepted: &'static [&'static str],
    },
    /// Two columns of the file map to the same required column (e.g. `Date` and `Timestamp`).
    DuplicateColumn {
        /// The header of the column that was already taken.
        first: String,
    },
    /// The file holds no data rows.
    NoRows,
    /// A cell is empty or null.
    MissingValue,
    /// A cell could not be parsed.
    Unparsable {
        /// What was expected instead.
        expected: &'static str,
    },
    /// NaN or an infinity.
    NotFinite,
    /// A price at or below zero.
    NonPositivePrice,
    /// `high < low`.
    HighBelowLow {
        /// The bar's low.
        low: f64,
    },
    /// `high < max(open, close)`.
    HighBelowBody {
        /// `max(open, close)`.
        body_top: f64,
    },
    /// `low > min(open, close)`.
    LowAboveBody {
        /// `min(open, close)`.
        body_bottom: f64,
    },
    /// A negative volume.
    NegativeVolume,
    /// The same timestamp as an earlier bar.
    DuplicateTimestamp {
        /// Where the earlier bar is.
        previous: Location,
    },
    /// A timestamp earlier than the bar before it.
    DecreasingTimestamp {
        /// Where the bar before it is.
        previous: Location,
    },
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::MissingColumn { accepted } => {
                write!(
                    f,
                    "required column is missing (accepted names, any case: {})",
                    accepted.join(", ")
                )
            }
            ProblemKind::DuplicateColumn { first } => {
                write!(f, "same column as '{first}'; keep only one of them")
            }
            ProblemKind::NoRows => {
                write!(f, "no data rows: expected a header and at least one bar")
            }
            ProblemKind::MissingValue => write!(f, "value is missing"),
            ProblemKind::Unparsable { expected } => write!(f, "expected {expected}"),
            ProblemKind::NotFinite => write!(f, "expected a finite number, not NaN or infinity"),
            ProblemKind::NonPositivePrice => write!(f, "expected a price above zero"),
            ProblemKind::HighBelowLow { low } => write!(f, "high is below low ({low})"),
            ProblemKind::HighBelowBody { body_top } => {
                write!(f, "high is below max(open, close) ({body_top})")
            }
            ProblemKind::LowAboveBody { body_bottom } => {
                write!(f, "low is above min(open, close) ({body_bottom})")
            }
            ProblemKind::NegativeVolume => write!(f, "expected a volume of zero or more"),
            ProblemKind::DuplicateTimestamp { previous } => {
                write!(f, "duplicate timestamp: same as {previous}")
            }
            ProblemKind::DecreasingTimestamp { previous } => {
                write!(f, "timestamp goes backwards: earlier than {previous}")
            }
        }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// The column as the file names it, when the problem is in one column.
    pub column: Option<String>,
    /// The offending value as it stands in the file.
    pub value: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if self.location != Location::File {
            write!(f, "{}", self.location)?;
            wrote = true;
        }
        if let Some(column) = &self.column {
            write!(f, "{}column '{column}'", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if let Some(value) = &self.value {
            write!(f, "{}value '{value}'", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        write!(f, "{}{}", if wrote { ": " } else { "" }, self.kind)
    }
}

/// An error loading bar data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// An object named by URL could not be read.
    #[error("{url}: {message}")]
    Remote {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The extension is neither `.csv` nor `.parquet`.
    #[error("{path}: unsupported file type: expected a .csv or .parquet file")]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
    },
    /// polars could not read the file at all (malformed CSV, corrupt Parquet).
    #[error("{path}: cannot parse file: {message}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What polars reported.
        message: String,
    },
    /// The file was read but its bars are invalid.
    #[error("{}", render_invalid(path, problems, *total))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The problems, in file order (at most [`crate::LoadOptions::max_problems`] of them).
        problems: Vec<Problem>,
        /// How many problems there are in all.
        total: usize,
    },
    /// The symbols of a panel share no common period.
    #[error("{0}")]
    Panel(String),
    /// Writing an output failed.
    #[error("{path}: cannot write: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn render_invalid(path: &std::path::Path, problems: &[Problem], total: usize) -> String {
    let mut out = format!(
        "{}: {total} problem{}",
        path.display(),
        if total == 1 { "" } else { "s" }
    );
    for problem in problems {
        out.push_str(&format!("\n  {}: {problem}", path.display()));
    }
    if total > problems.len() {
        out.push_str(&format!(
            "\n  ... and {} more (first {} shown)",
            total - problems.len(),
            problems.len()
        ));
    }
    out
}
