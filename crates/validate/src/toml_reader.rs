//! Reading a TOML config the way every config of gauntlet is read: unknown keys are problems,
//! and every problem is collected (with its full key) instead of stopping at the first, so a
//! user fixes a file in one pass.

use crate::spec::{Span, parse_span};

/// Collects problems while reading a TOML file.
#[derive(Default)]
pub(crate) struct Reader {
    pub problems: Vec<(String, String)>,
}

impl Reader {
    pub fn problem(&mut self, key: impl Into<String>, what: impl Into<String>) {
        self.problems.push((key.into(), what.into()));
    }

    /// The sub-table `key` of `table` (empty when absent), with its keys checked.
    pub fn table<'t>(
        &mut self,
        table: &'t toml::Table,
        key: &str,
        allowed: &[&str],
    ) -> Option<&'t toml::Table> {
        match table.get(key) {
            None => None,
            Some(toml::Value::Table(t)) => {
                self.unknown(t, key, allowed);
                Some(t)
            }
            Some(other) => {
                self.problem(key, format!("expected a table ([{key}]), got {other}"));
                None
            }
        }
    }

    pub fn unknown(&mut self, table: &toml::Table, prefix: &str, allowed: &[&str]) {
        for key in table.keys() {
            if !allowed.contains(&key.as_str()) {
                let full = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                self.problem(
                    full,
                    format!("unknown key (allowed: {})", allowed.join(", ")),
                );
            }
        }
    }

    pub fn string(&mut self, table: &toml::Table, key: &str, full: &str) -> Option<String> {
        match table.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            other => {
                self.problem(full, format!("expected a string, got {other}"));
                None
            }
        }
    }

    pub fn bool(&mut self, table: &toml::Table, key: &str, full: &str) -> Option<bool> {
        match table.get(key)? {
            toml::Value::Boolean(b) => Some(*b),
            other => {
                self.problem(full, format!("expected true or false, got {other}"));
                None
            }
        }
    }

    /// A number within `[low, high]` (`high` may be infinite).
    pub fn number(
        &mut self,
        table: &toml::Table,
        key: &str,
        full: &str,
        low: f64,
        high: f64,
    ) -> Option<f64> {
        let value = table.get(key)?;
        let number = match value {
            toml::Value::Float(v) => Some(*v),
            toml::Value::Integer(v) => Some(*v as f64),
            _ => None,
        };
        match number {
            Some(v) if v.is_finite() && v >= low && v <= high => Some(v),
            _ => {
                let range = if high.is_infinite() {
                    format!("a number of at least {low}")
                } else {
                    format!("a number in [{low}, {high}]")
                };
                self.problem(full, format!("expected {range}, got {value}"));
                None
            }
        }
    }

    pub fn count(&mut self, table: &toml::Table, key: &str, full: &str, low: i64) -> Option<usize> {
        let value = table.get(key)?;
        match value.as_integer() {
            Some(n) if n >= low => usize::try_from(n).ok(),
            _ => {
                self.problem(
                    full,
                    format!("expected a whole number of at least {low}, got {value}"),
                );
                None
            }
        }
    }

    pub fn span(&mut self, table: &toml::Table, key: &str, full: &str) -> Option<Span> {
        let value = table.get(key)?;
        let span = match value {
            toml::Value::Integer(n) if *n > 0 => usize::try_from(*n).ok().map(Span::Bars),
            toml::Value::String(text) => parse_span(text),
            _ => None,
        };
        if span.is_none() {
            self.problem(
                full,
                format!(
                    "expected a number of bars (e.g. 500) or a calendar span such as \"3y\", \"6m\", \"2w\" or \"10d\", got {value}"
                ),
            );
        }
        span
    }

    pub fn date(&mut self, table: &toml::Table, key: &str, full: &str) -> Option<String> {
        let text = self.string(table, key, full)?;
        let valid = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok();
        if !valid {
            self.problem(full, format!("expected a date YYYY-MM-DD, got \"{text}\""));
            return None;
        }
        Some(text)
    }
}
