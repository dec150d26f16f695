//! The CSV files `gauntlet stats` reads: a header line naming the columns, then one row per
//! period (or per trade). Read strictly, because a line skipped or misread without a word
//! changes every statistic computed from the file: a first line of numbers, a repeated column
//! name, a blank line and a file with no rows are all errors naming the file and the line.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Why a cell of a returns matrix must be a number.
const MATRIX_HINT: &str =
    " (every column is one configuration's returns: leave dates and row numbers out)";

/// A CSV file read whole: its header and its rows, each with its line number.
pub struct TrackCsv {
    path: PathBuf,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl TrackCsv {
    /// Reads `path`, whose rows are `what` (for messages: "returns", "trades", ...).
    pub fn read(path: &Path, what: &str) -> Result<TrackCsv> {
        let shown = path.display();
        let text =
            std::fs::read_to_string(path).with_context(|| format!("{shown}: cannot read"))?;
        // The CSV reader passes over empty lines without a word; one between rows is refused
        // here (blank lines at the end are not rows, and are let be).
        let lines: Vec<&str> = text.lines().collect();
        let last_row = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .unwrap_or(0);
        if let Some(blank) = lines[..last_row].iter().position(|l| l.trim().is_empty()) {
            bail!(
                "{shown}: line {}: blank: expected one row per line, with no blank lines \
                 between the header and the last row",
                blank + 1
            );
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .with_context(|| format!("{shown}: line 1"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.iter().all(String::is_empty) {
            bail!("{shown}: empty: expected a header line naming the columns, then the {what}");
        }
        if let Some(c) = headers.iter().position(String::is_empty) {
            bail!(
                "{shown}: line 1: column {} has no name (an index column, as pandas' to_csv \
                 writes unless index=False?)",
                c + 1
            );
        }
        // Whole numbers are fair names (pandas names columns 0, 1, 2, ...); a fraction is a
        // value, and a first line of values means the file has no header.
        let is_value = |h: &String| h.parse::<f64>().is_ok() && h.parse::<i64>().is_err();
        if headers.iter().any(is_value) {
            bail!(
                "{shown}: line 1 is '{}': expected a header line naming the columns (numbers \
                 there would be read as names and that row lost)",
                headers.join(",")
            );
        }
        for (i, name) in headers.iter().enumerate() {
            if headers[..i].contains(name) {
                bail!("{shown}: line 1: the column '{name}' is named twice");
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let line = rows.len() as u64 + 2;
            let record = record.with_context(|| format!("{shown}: line {line}"))?;
            rows.push((line, record));
        }
        if rows.is_empty() {
            bail!("{shown}: a header and no rows: expected the {what} after the header line");
        }
        Ok(TrackCsv {
            path: path.to_path_buf(),
            headers,
            rows,
        })
    }

    /// Whether there is a column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// The numbers of column `name`, in row order.
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let Some(index) = self.headers.iter().position(|h| h == name) else {
            bail!(
                "{}: no '{name}' column (columns: {})",
                self.path.display(),
                self.headers.join(", ")
            );
        };
        self.rows
            .iter()
            .map(|(line, record)| self.number(*line, record, index, ""))
            .collect()
    }

    /// Every cell as a number, row by row.
    pub fn numbers(&self) -> Result<Vec<Vec<f64>>> {
        self.rows
            .iter()
            .map(|(line, record)| {
                (0..record.len())
                    .map(|c| self.number(*line, record, c, MATRIX_HINT))
                    .collect()
            })
            .collect()
    }

    fn number(
        &self,
        line: u64,
        record: &csv::StringRecord,
        column: usize,
        hint: &str,
    ) -> Result<f64> {
        let text = record.get(column).unwrap_or("").trim();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => bail!(
                "{}: line {line}, column '{}': expected a finite number, got '{text}'{hint}",
                self.path.display(),
                self.headers.get(column).map_or("?", String::as_str)
            ),
        }
    }
}
