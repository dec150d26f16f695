//! Which column of a file is which: case-insensitive names and the usual aliases.

use crate::error::{Location, Problem, ProblemKind};

/// The canonical columns, in schema order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Canonical {
    Ts,
    Open,
    High,
    Low,
    Close,
    Volume,
    AdjClose,
}

impl Canonical {
    pub(crate) const REQUIRED: [Canonical; 6] = [
        Canonical::Ts,
        Canonical::Open,
        Canonical::High,
        Canonical::Low,
        Canonical::Close,
        Canonical::Volume,
    ];

    /// Accepted header names, compared after trimming and lowercasing.
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        match self {
            Canonical::Ts => &["ts", "date", "datetime", "timestamp", "time"],
            Canonical::Open => &["open", "o"],
            Canonical::High => &["high", "h"],
            Canonical::Low => &["low", "l"],
            Canonical::Close => &["close", "c"],
            Canonical::Volume => &["volume", "vol", "v"],
            Canonical::AdjClose => &["adj close", "adj_close", "adjclose", "adjusted close"],
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The header name of each canonical column in one file, or the problems that stop it.
#[derive(Debug, Default)]
pub(crate) struct ColumnMap {
    names: [Option<String>; 7],
}

impl ColumnMap {
    /// Maps headers to canonical columns. Unknown columns are ignored; a required column that is
    /// missing or given twice is a problem.
    pub(crate) fn resolve(headers: &[String]) -> Result<ColumnMap, Vec<Problem>> {
        let mut map = ColumnMap::default();
        let mut problems = Vec::new();
        for header in headers {
            let key = header.trim().to_ascii_lowercase();
            let Some(canonical) = [
                Canonical::Ts,
                Canonical::Open,
                Canonical::High,
                Canonical::Low,
                Canonical::Close,
                Canonical::Volume,
                Canonical::AdjClose,
            ]
            .into_iter()
            .find(|c| c.aliases().contains(&key.as_str())) else {
                continue;
            };
            match &map.names[canonical.index()] {
                Some(first) => problems.push(Problem {
                    location: Location::File,
                    column: Some(header.clone()),
                    value: None,
                    kind: ProblemKind::DuplicateColumn {
                        first: first.clone(),
                    },
                }),
                None => map.names[canonical.index()] = Some(header.clone()),
            }
        }
        for canonical in Canonical::REQUIRED {
            if map.names[canonical.index()].is_none() {
                problems.push(Problem {
                    location: Location::File,
                    column: Some(canonical.aliases()[0].to_string()),
                    value: None,
                    kind: ProblemKind::MissingColumn {
                        accepted: canonical.aliases(),
                    },
                });
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// The file's header for `canonical`, when present.
    pub(crate) fn name(&self, canonical: Canonical) -> Option<&str> {
        self.names[canonical.index()].as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn yahoo_style_headers_resolve_case_insensitively() {
        let map = ColumnMap::resolve(&headers(&[
            "Date",
            "Open",
            "High",
            "Low",
            "Close",
            "Adj Close",
            "Volume",
        ]))
        .expect("valid headers");
        assert_eq!(map.name(Canonical::Ts), Some("Date"));
        assert_eq!(map.name(Canonical::AdjClose), Some("Adj Close"));
        assert_eq!(map.name(Canonical::Volume), Some("Volume"));
    }

    #[test]
    fn missing_and_duplicate_columns_are_all_reported() {
        let problems =
            ColumnMap::resolve(&headers(&["Date", "Timestamp", "open", "high", "close"]))
                .expect_err("two problems");
        let kinds: Vec<_> = problems.iter().map(|p| p.kind.clone()).collect();
        assert!(matches!(kinds[0], ProblemKind::DuplicateColumn { ref first } if first == "Date"));
        assert_eq!(problems[0].column.as_deref(), Some("Timestamp"));
        let missing: Vec<_> = problems[1..]
            .iter()
            .map(|p| p.column.clone().unwrap_or_default())
            .collect();
        assert_eq!(missing, ["low", "volume"]);
    }
}
