//! The parameter sets of a grid, enumerated in a fixed order: the cartesian product of the
//! axes in the strategy's declaration order, the last axis changing fastest. A set is the
//! grid's index into that order, which is also the tie-break rule of the optimizer (the lowest
//! index wins among equals).

use gauntlet_strategy::{ParamValue, Params};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::spec::GridAxis;

/// One parameter set, serialized as `{"name": value, ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet(pub Params);

impl Serialize for ParamSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.0.iter() {
            match value {
                ParamValue::Int(v) => map.serialize_entry(name, &v)?,
                ParamValue::Float(v) => map.serialize_entry(name, &v)?,
                ParamValue::Bool(v) => map.serialize_entry(name, &v)?,
                ParamValue::Choice(v) => map.serialize_entry(name, v)?,
            }
        }
        map.end()
    }
}

impl ParamSet {
    /// `name=value` pairs joined by spaces, for people.
    pub fn label(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every combination of the axes, starting from `base` (the defaults).
pub fn enumerate(base: &Params, axes: &[GridAxis]) -> Vec<Params> {
    let mut sets = vec![base.clone()];
    for axis in axes {
        sets = sets
            .into_iter()
            .flat_map(|set| {
                axis.values.iter().map(move |&value| {
                    let mut next = set.clone();
                    next.set(axis.spec.name, value);
                    next
                })
            })
            .collect();
    }
    sets
}

/// The first value that repeats an earlier one, as (earlier position, later position). Every
/// value of an axis makes its own trials, and a repeat would be counted as a trial it is not:
/// the DSR's number of trials and the PBO's matrix would both be inflated.
pub fn repeat(values: &[ParamValue]) -> Option<(usize, usize)> {
    (1..values.len()).find_map(|later| {
        values[..later]
            .iter()
            .position(|v| *v == values[later])
            .map(|earlier| (earlier, later))
    })
}

/// The values from `from` to `to` every `step` (`to` included when the step lands on it),
/// counted in whole steps from `from` so that float steps cannot drift; none unless both ends
/// are integers with a whole step, or both numbers, with `from <= to` and a positive step.
/// The ends are checked by the caller; the values between them are then in range too.
pub fn stepped(from: ParamValue, to: ParamValue, step: f64) -> Option<Vec<ParamValue>> {
    match (from, to) {
        (ParamValue::Int(a), ParamValue::Int(b))
            if step >= 1.0 && step.fract() == 0.0 && a <= b =>
        {
            Some(
                (a..=b)
                    .step_by(step as usize)
                    .map(ParamValue::Int)
                    .collect(),
            )
        }
        (ParamValue::Float(a), ParamValue::Float(b)) if step > 0.0 && a <= b => {
            let count = ((b - a) / step + 1e-9).floor() as usize;
            Some(
                (0..=count)
                    .map(|k| ParamValue::Float(a + k as f64 * step))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The values of one axis as written on a command line: `a:b:step` (from `a` to `b`, both
/// included when the step lands on `b`), `v1,v2,...`, or one value.
pub fn parse_axis(
    spec: &'static gauntlet_strategy::ParamSpec,
    text: &str,
) -> Result<Vec<ParamValue>, String> {
    let parse = |t: &str| spec.parse(t.trim());
    let parts: Vec<&str> = text.split(':').collect();
    match parts[..] {
        [from, to, step] => {
            let (from, to) = (parse(from)?, parse(to)?);
            let step: f64 = step
                .trim()
                .parse()
                .map_err(|_| format!("step: expected a number, got '{step}'"))?;
            stepped(from, to, step).ok_or_else(|| {
                format!(
                    "expected from:to:step with from <= to and a positive step (whole for integers), got '{text}'"
                )
            })
        }
        [_] => {
            let values = text.split(',').map(parse).collect::<Result<Vec<_>, _>>()?;
            match repeat(&values) {
                Some((_, later)) => Err(format!(
                    "{} is listed twice: each value is one more trial, counted in the DSR and PBO",
                    values[later]
                )),
                None => Ok(values),
            }
        }
        _ => Err(format!(
            "expected from:to:step, v1,v2,... or one value, got '{text}'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParamValue::{Float, Int};

    #[test]
    fn the_first_repeat_is_found_with_both_positions() {
        assert_eq!(repeat(&[Int(5), Int(10), Int(5)]), Some((0, 2)));
        assert_eq!(repeat(&[Int(5), Int(10), Int(10), Int(5)]), Some((1, 2)));
        assert_eq!(repeat(&[Float(0.5), Float(1.0), Float(1.5)]), None);
        assert_eq!(repeat(&[]), None);
    }

    #[test]
    fn a_list_with_a_repeat_is_refused_a_range_never_repeats() {
        let spec = gauntlet_strategy::ParamSpec {
            name: "fast",
            kind: gauntlet_strategy::ParamKind::Int {
                min: 2,
                max: 200,
                step: 5,
            },
            default: Int(10),
            doc: "",
        };
        let spec: &'static _ = Box::leak(Box::new(spec));
        let why = parse_axis(spec, "5,10,5").expect_err("a repeat");
        assert!(why.starts_with("5 is listed twice"), "{why}");
        assert_eq!(
            parse_axis(spec, "5:20:5"),
            Ok(vec![Int(5), Int(10), Int(15), Int(20)])
        );
    }
}
