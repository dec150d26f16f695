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
        [_] => text.split(',').map(parse).collect(),
        _ => Err(format!(
            "expected from:to:step, v1,v2,... or one value, got '{text}'"
        )),
    }
}
