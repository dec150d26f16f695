//! Typed strategy parameters: each strategy declares its [`ParamSpace`] (names, types, ranges,
//! steps, defaults); values given by a user are parsed and checked against it, with errors that
//! name the parameter.
//!
//! Ranges bound what a user may set; steps are what the optimizer enumerates
//! ([`ParamSpec::grid`]). A value inside the range but off the step is allowed.

use std::fmt;

/// The type and range of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// An integer in `min..=max`, enumerated every `step`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
        /// Grid step.
        step: i64,
    },
    /// A real number in `min..=max`, enumerated every `step`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Grid step.
        step: f64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamKind::Int { min, max, step } => {
                write!(f, "an integer in {min}..={max} (grid step {step})")
            }
            ParamKind::Float { min, max, step } => {
                write!(f, "a number in {min}..={max} (grid step {step})")
            }
            ParamKind::Bool => write!(f, "true or false"),
            ParamKind::Choice(options) => write!(f, "one of: {}", options.join(", ")),
        }
    }
}

/// A parameter's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamValue {
    /// An integer.
    Int(i64),
    /// A real number.
    Float(f64),
    /// A flag.
    Bool(bool),
    /// One of the choices.
    Choice(&'static str),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Choice(v) => write!(f, "{v}"),
        }
    }
}

/// One declared parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Its name, as users write it.
    pub name: &'static str,
    /// Its type and range.
    pub kind: ParamKind,
    /// The value used when none is given.
    pub default: ParamValue,
    /// One line saying what it does.
    pub doc: &'static str,
}

impl ParamSpec {
    /// Parses `text` as a value of this parameter and checks its range.
    pub fn parse(&self, text: &str) -> Result<ParamValue, String> {
        let text = text.trim();
        let wrong = || format!("expected {}, got '{text}'", self.kind);
        let value = match self.kind {
            ParamKind::Int { .. } => ParamValue::Int(text.parse().map_err(|_| wrong())?),
            ParamKind::Float { .. } => ParamValue::Float(text.parse().map_err(|_| wrong())?),
            ParamKind::Bool => ParamValue::Bool(match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => return Err(wrong()),
            }),
            ParamKind::Choice(options) => ParamValue::Choice(
                options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(text))
                    .copied()
                    .ok_or_else(wrong)?,
            ),
        };
        self.check(value)
    }

    /// Checks that `value` has this parameter's type and lies in its range.
    pub fn check(&self, value: ParamValue) -> Result<ParamValue, String> {
        let fits = match (self.kind, value) {
            (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => (min..=max).contains(&v),
            (ParamKind::Float { min, max, .. }, ParamValue::Float(v)) => {
                v.is_finite() && min <= v && v <= max
            }
            (ParamKind::Float { min, max, .. }, ParamValue::Int(v)) => {
                let v = v as f64;
                return if min <= v && v <= max {
                    Ok(ParamValue::Float(v))
                } else {
                    Err(format!("expected {}, got {v}", self.kind))
                };
            }
            (ParamKind::Bool, ParamValue::Bool(_)) => true,
            (ParamKind::Choice(options), ParamValue::Choice(c)) => options.contains(&c),
            _ => false,
        };
        if fits {
            Ok(value)
        } else {
            Err(format!("expected {}, got {value}", self.kind))
        }
    }

    /// Every value the optimizer tries: the range walked by its step (both ends included when
    /// the step lands on them), both flags, or every choice.
    pub fn grid(&self) -> Vec<ParamValue> {
        match self.kind {
            ParamKind::Int { min, max, step } => (min..=max)
                .step_by(step.max(1) as usize)
                .map(ParamValue::Int)
                .collect(),
            ParamKind::Float { min, max, step } => {
                // Counted in whole steps from min, so that 0.1 + 0.1 + 0.1 drift cannot add or
                // lose a point.
                let count = ((max - min) / step + 1e-9).floor() as usize;
                (0..=count)
                    .map(|k| ParamValue::Float(min + k as f64 * step))
                    .collect()
            }
            ParamKind::Bool => vec![ParamValue::Bool(false), ParamValue::Bool(true)],
            ParamKind::Choice(options) => options.iter().map(|&c| ParamValue::Choice(c)).collect(),
        }
    }
}

/// The parameters a strategy takes.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpace {
    /// The strategy these belong to, for messages.
    pub strategy: &'static str,
    /// The parameters, in the order they are shown.
    pub specs: &'static [ParamSpec],
}

/// Values for every parameter of a space.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    values: Vec<(&'static str, ParamValue)>,
}

/// Parameters that could not be accepted: every problem, each naming its parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .problems.iter().map(|(name, why)| format!("parameter '{name}': {why}")).collect::<Vec<_>>().join("\n"))]
pub struct ParamError {
    /// `(parameter, what is wrong)`, in the order found.
    pub problems: Vec<(String, String)>,
}

impl ParamError {
    /// One problem with one parameter (or a relation between several, named together).
    pub fn new(parameter: impl Into<String>, problem: impl Into<String>) -> Self {
        ParamError {
            problems: vec![(parameter.into(), problem.into())],
        }
    }
}

impl ParamSpace {
    /// The defaults.
    pub fn defaults(&self) -> Params {
        Params {
            values: self.specs.iter().map(|s| (s.name, s.default)).collect(),
        }
    }

    /// The defaults overridden by `assignments` of the form `name=value`. All problems are
    /// reported together: unknown names, missing `=`, bad types, values out of range.
    pub fn parse_assignments<S: AsRef<str>>(
        &self,
        assignments: &[S],
    ) -> Result<Params, ParamError> {
        let mut params = self.defaults();
        let mut problems = Vec::new();
        let mut given: Vec<(&str, &str)> = Vec::new();
        for assignment in assignments {
            let assignment = assignment.as_ref();
            let Some((name, text)) = assignment.split_once('=') else {
                problems.push((
                    assignment.to_string(),
                    "expected name=value, e.g. fast=10".to_string(),
                ));
                continue;
            };
            let name = name.trim();
            // The last of two would win without a word; which one was meant is not knowable.
            if let Some((_, first)) = given.iter().find(|(n, _)| *n == name) {
                problems.push((
                    name.to_string(),
                    format!("given twice ({name}={first}, then {name}={text}): give it once"),
                ));
                continue;
            }
            given.push((name, text));
            match self.spec(name) {
                None => problems.push((name.to_string(), self.unknown())),
                Some(spec) => match spec.parse(text) {
                    Ok(value) => params.set(spec.name, value),
                    Err(why) => problems.push((name.to_string(), why)),
                },
            }
        }
        if problems.is_empty() {
            Ok(params)
        } else {
            Err(ParamError { problems })
        }
    }

    /// The spec named `name`.
    pub fn spec(&self, name: &str) -> Option<&'static ParamSpec> {
        self.specs.iter().find(|s| s.name == name)
    }

    fn unknown(&self) -> String {
        let names: Vec<_> = self.specs.iter().map(|s| s.name).collect();
        format!(
            "unknown parameter ({} takes: {})",
            self.strategy,
            names.join(", ")
        )
    }
}

impl Params {
    /// Sets the parameter `name` (one of the space's; other names are ignored). The value is
    /// not checked: take it from [`ParamSpec::check`] or [`ParamSpec::grid`].
    pub fn set(&mut self, name: &str, value: ParamValue) {
        if let Some(slot) = self.values.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
    }

    /// `(name, value)` pairs in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, ParamValue)> + '_ {
        self.values.iter().copied()
    }

    /// The value of `name`, if the space has it.
    pub fn get(&self, name: &str) -> Option<ParamValue> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The integer `name`. Strategies call this for parameters they declared as integers.
    pub fn int(&self, name: &str) -> Result<i64, ParamError> {
        match self.get(name) {
            Some(ParamValue::Int(v)) => Ok(v),
            _ => Err(ParamError::new(name, "expected an integer")),
        }
    }

    /// The number `name`.
    pub fn float(&self, name: &str) -> Result<f64, ParamError> {
        match self.get(name) {
            Some(ParamValue::Float(v)) => Ok(v),
            Some(ParamValue::Int(v)) => Ok(v as f64),
            _ => Err(ParamError::new(name, "expected a number")),
        }
    }

    /// The choice `name`.
    pub fn choice(&self, name: &str) -> Result<&'static str, ParamError> {
        match self.get(name) {
            Some(ParamValue::Choice(v)) => Ok(v),
            _ => Err(ParamError::new(name, "expected one of its choices")),
        }
    }

    /// The flag `name`.
    pub fn flag(&self, name: &str) -> Result<bool, ParamError> {
        match self.get(name) {
            Some(ParamValue::Bool(v)) => Ok(v),
            _ => Err(ParamError::new(name, "expected true or false")),
        }
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        write!(f, "{}", parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACE: ParamSpace = ParamSpace {
        strategy: "demo",
        specs: &[
            ParamSpec {
                name: "fast",
                kind: ParamKind::Int {
                    min: 2,
                    max: 50,
                    step: 4,
                },
                default: ParamValue::Int(10),
                doc: "fast window",
            },
            ParamSpec {
                name: "band",
                kind: ParamKind::Float {
                    min: 0.5,
                    max: 1.0,
                    step: 0.1,
                },
                default: ParamValue::Float(0.7),
                doc: "band width",
            },
            ParamSpec {
                name: "short",
                kind: ParamKind::Bool,
                default: ParamValue::Bool(false),
                doc: "allow shorts",
            },
        ],
    };

    #[test]
    fn assignments_override_defaults() {
        let p = SPACE
            .parse_assignments(&["fast=12", "short=true"])
            .expect("valid");
        assert_eq!(p.int("fast"), Ok(12));
        assert_eq!(p.float("band"), Ok(0.7));
        assert_eq!(p.flag("short"), Ok(true));
        assert_eq!(p.to_string(), "fast=12 band=0.7 short=true");
    }

    #[test]
    fn a_parameter_given_twice_is_refused_naming_both_values() {
        let err = SPACE
            .parse_assignments(&["fast=20", "fast=15"])
            .expect_err("given twice");
        assert_eq!(
            err.problems,
            vec![(
                "fast".to_string(),
                "given twice (fast=20, then fast=15): give it once".to_string()
            )]
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_parameter() {
        let err = SPACE
            .parse_assignments(&["fast=1", "band=x", "slow=3", "short"])
            .expect_err("four problems");
        let names: Vec<_> = err.problems.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["fast", "band", "slow", "short"]);
        let text = err.to_string();
        assert!(
            text.contains("parameter 'fast': expected an integer in 2..=50"),
            "{text}"
        );
        assert!(
            text.contains("parameter 'slow': unknown parameter (demo takes: fast, band, short)")
        );
    }

    #[test]
    fn grids_walk_the_steps() {
        let ints: Vec<_> = SPACE.specs[0].grid();
        assert_eq!(ints.len(), 13); // 2, 6, ..., 50
        assert_eq!(ints[12], ParamValue::Int(50));
        let floats = SPACE.specs[1].grid();
        assert_eq!(floats.len(), 6); // 0.5 .. 1.0 by 0.1
        assert_eq!(SPACE.specs[2].grid().len(), 2);
    }
}
