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
