//! One cell of the plan: one parameter set run over one set of bar ranges.
//!
//! Each contiguous range is its own run: the strategy is built fresh, sees the `warmup` bars
//! before the range (or as many as the data has) without trading, trades inside the range,
//! and closes out at the range's last close. A signal given during the warm-up is not acted
//! on: the range starts flat. The returns of the runs are concatenated, one per bar of the
//! ranges, the first bar of each range measured from the starting capital.

use std::ops::Range;

use gauntlet_engine::{
    BacktestResult, BarSet, CostModel, RunWindow, SimulatedBroker, Trade, panel_columns, run_window,
};
use gauntlet_risk::RiskConfig;
use gauntlet_strategies::StrategyVisitor;
use gauntlet_strategy::{BarColumns, Params};

/// What a cell keeps of its runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellRun {
    /// One return per bar of the ranges, in order.
    #[serde(with = "f64_bytes")]
    pub returns: Vec<f64>,
    /// Closed trades, in the order they closed.
    pub trades: Vec<Trade>,
    /// Bars of the ranges that closed with a position open.
    pub exposed_bars: usize,
}

/// The parameter-independent part of every run: the panel's columns and the run settings.
pub struct Runner<'a> {
    /// Columns of every symbol (the whole panel).
    pub columns: Vec<BarColumns<'a>>,
    /// Which bars are real, per symbol.
    pub present: Vec<Option<&'a [bool]>>,
    /// First bar a warm-up may reach back to (the start of the spec's date range).
    pub first_bar: usize,
    /// Costs.
    pub costs: CostModel,
    /// Whole shares only.
    pub whole_shares: bool,
    /// Risk profile.
    pub risk: RiskConfig,
    /// Starting cash of every run.
    pub capital: f64,
}

impl<'a> Runner<'a> {
    /// A runner over `panel`.
    pub fn new(
        panel: &'a gauntlet_data::Panel,
        first_bar: usize,
        costs: CostModel,
        whole_shares: bool,
        risk: RiskConfig,
        capital: f64,
    ) -> Runner<'a> {
        Runner {
            columns: panel_columns(panel),
            present: (0..panel.series().len())
                .map(|s| panel.presence(s))
                .collect(),
            first_bar,
            costs,
            whole_shares,
            risk,
            capital,
        }
    }

    /// The strategy's warm-up for `params` (the strategy named `strategy`).
    pub fn warmup(strategy: &str, params: &Params) -> usize {
        struct Warmup;
        impl StrategyVisitor for Warmup {
            type Output = usize;
            fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) -> usize {
                strategy.warmup()
            }
        }
        gauntlet_strategies::build(strategy, params, Warmup).unwrap_or(0)
    }

    /// Runs `params` over each of `ranges` (absolute bar indices of the panel).
    pub fn run(&self, strategy: &str, params: &Params, ranges: &[Range<usize>]) -> CellRun {
        self.run_reusing(strategy, params, ranges, Vec::new())
    }

    /// [`Runner::run`], recording into `buffer` (a previous cell's returns, handed back once
    /// used) instead of fresh memory.
    pub fn run_reusing(
        &self,
        strategy: &str,
        params: &Params,
        ranges: &[Range<usize>],
        buffer: Vec<f64>,
    ) -> CellRun {
        let total = ranges.iter().map(|r| r.len()).sum();
        let mut cell = CellRun::default();
        let mut spare = buffer;
        for range in ranges {
            let visitor = Window {
                runner: self,
                range: range.clone(),
                equity: std::mem::take(&mut spare),
            };
            let Ok((result, warm_from)) = gauntlet_strategies::build(strategy, params, visitor)
            else {
                // Parameter sets are checked before any cell runs.
                continue;
            };
            spare = absorb(
                &mut cell,
                result,
                range.start - warm_from,
                self.capital,
                total,
            );
        }
        cell
    }
}

struct Window<'r, 'a> {
    runner: &'r Runner<'a>,
    range: Range<usize>,
    equity: Vec<f64>,
}

impl StrategyVisitor for Window<'_, '_> {
    type Output = (BacktestResult, usize);
    fn visit<S: gauntlet_strategies::CatalogStrategy>(
        self,
        strategy: S,
    ) -> (BacktestResult, usize) {
        let runner = self.runner;
        let warm_from = self
            .range
            .start
            .saturating_sub(strategy.warmup())
            .max(runner.first_bar)
            .min(self.range.start);
        let window = RunWindow {
            warm_from,
            start: self.range.start,
            end: self.range.end,
        };
        let broker = SimulatedBroker {
            costs: runner.costs,
            fractional: !runner.whole_shares,
        };
        let bars = BarSet {
            columns: &runner.columns,
            present: &runner.present,
            first: 0,
        };
        let result = run_window(
            bars,
            window,
            strategy,
            broker,
            runner.risk,
            runner.capital,
            self.equity,
        );
        (result, warm_from)
    }
}

/// Adds one window's returns and trades to `cell` (whose ranges hold `total` bars); trading
/// starts at `offset` in the window's equity. The returns are written over the equity curve
/// itself, which becomes the cell's returns when it is the first window (a sweep run over a
/// million bars takes no second buffer); otherwise it is handed back for the next window.
fn absorb(
    cell: &mut CellRun,
    result: BacktestResult,
    offset: usize,
    capital: f64,
    total: usize,
) -> Vec<f64> {
    let mut returns = result.equity;
    let mut previous = capital;
    for i in offset..returns.len() {
        let equity = returns[i];
        returns[i - offset] = if previous > 0.0 {
            equity / previous - 1.0
        } else {
            0.0
        };
        previous = equity;
    }
    returns.truncate(returns.len() - offset);
    cell.trades.extend_from_slice(&result.trades);
    cell.exposed_bars += result.exposed_bars;
    if cell.returns.capacity() == 0 {
        returns.reserve(total.saturating_sub(returns.len()));
        cell.returns = returns;
        Vec::new()
    } else {
        cell.returns.extend_from_slice(&returns);
        returns
    }
}

/// A list of `f64` serialized as one byte string: its length (`u64`, little-endian), a bitmap
/// with bit `i` (least significant first) set when value `i` is stored, then the stored
/// values' little-endian bytes. A value is stored unless it is exactly `+0.0`. Exact, and
/// encoded and decoded at about the speed of a copy: a shard carries millions of returns,
/// which as one CBOR number each cost more than the cells cost to run, and a strategy out of
/// the market returns exactly zero (about half the bars of a long-only grid), which the bitmap
/// carries in one bit instead of eight bytes.
mod f64_bytes {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::ser::Serializer;

    pub fn serialize<S: Serializer>(values: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
        let map = values.len().div_ceil(8);
        let stored = values.iter().filter(|v| v.to_bits() != 0).count();
        let mut bytes = Vec::with_capacity(8 + map + stored * 8);
        bytes.extend_from_slice(&(values.len() as u64).to_le_bytes());
        bytes.extend(values.chunks(8).map(|chunk| {
            chunk.iter().enumerate().fold(0_u8, |byte, (bit, v)| {
                byte | (u8::from(v.to_bits() != 0) << bit)
            })
        }));
        for v in values.iter().filter(|v| v.to_bits() != 0) {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        serializer.serialize_bytes(&bytes)
    }

    /// The values of `bytes`, or what is wrong with them.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<f64>, String> {
        let (count, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or_else(|| format!("{} bytes cannot hold a count of values", bytes.len()))?;
        let count = u64::from_le_bytes(*count);
        let map = usize::try_from(count.div_ceil(8))
            .ok()
            .filter(|&map| map <= rest.len())
            .ok_or_else(|| {
                format!(
                    "{count} values need a bitmap longer than the {} bytes left",
                    rest.len()
                )
            })?;
        let (bitmap, mut stored) = rest.split_at(map);
        let tail = count % 8;
        if tail != 0 && bitmap.last().is_some_and(|&last| last >> tail != 0) {
            return Err(format!("bits set past the last of {count} values"));
        }
        let present: usize = bitmap.iter().map(|b| b.count_ones() as usize).sum();
        if stored.len() != present * 8 {
            return Err(format!(
                "{} bytes of values where the bitmap marks {present} values ({} bytes)",
                stored.len(),
                present * 8
            ));
        }
        // `count` ≤ 8 × the bitmap's length, so it fits in memory the input already holds.
        let count = count as usize;
        let mut values = Vec::with_capacity(count);
        for i in 0..count {
            if bitmap[i / 8] >> (i % 8) & 1 == 1 {
                let (value, rest) = stored.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
                values.push(f64::from_le_bytes(*value));
                stored = rest;
            } else {
                values.push(0.0);
            }
        }
        Ok(values)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
        struct Bytes;
        impl Visitor<'_> for Bytes {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string of a count, a bitmap and little-endian f64 values")
            }
            fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<f64>, E> {
                decode(bytes).map_err(E::custom)
            }
            fn visit_byte_buf<E: Error>(self, bytes: Vec<u8>) -> Result<Vec<f64>, E> {
                self.visit_bytes(&bytes)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn encode(values: &[f64]) -> Vec<u8> {
            let mut cbor = Vec::new();
            ciborium::into_writer(&serde_bytes_of(values), &mut cbor).expect("encode");
            let value: ciborium::Value = ciborium::from_reader(&cbor[..]).expect("cbor");
            value.into_bytes().expect("a byte string")
        }

        /// Serializes through `serialize`, as a field marked `with = "f64_bytes"` is.
        fn serde_bytes_of(values: &[f64]) -> impl serde::Serialize + '_ {
            struct With<'a>(&'a [f64]);
            impl serde::Serialize for With<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    serialize(self.0, s)
                }
            }
            With(values)
        }

        #[test]
        fn zeros_take_a_bit_and_everything_else_its_eight_bytes() {
            let values = [
                0.0,
                1.5,
                0.0,
                -0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                2.0,
                f64::MIN_POSITIVE,
            ];
            let bytes = encode(&values);
            // 10 values; bitmap 0b0000_1010 (1.5 and -0.0), then 0b0000_0011 (2.0, MIN_POSITIVE).
            let mut expected = 10_u64.to_le_bytes().to_vec();
            expected.extend_from_slice(&[0b0000_1010, 0b0000_0011]);
            for v in [1.5_f64, -0.0, 2.0, f64::MIN_POSITIVE] {
                expected.extend_from_slice(&v.to_le_bytes());
            }
            assert_eq!(bytes, expected);
            let back = decode(&bytes).expect("decode");
            assert_eq!(
                back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            assert_eq!(decode(&encode(&[])).expect("empty"), Vec::<f64>::new());
        }

        #[test]
        fn inconsistent_bytes_are_refused_with_what_is_wrong() {
            let bytes = encode(&[0.0, 3.0, 0.0]);
            assert_eq!(
                decode(&bytes[..bytes.len() - 1]).expect_err("short"),
                "7 bytes of values where the bitmap marks 1 values (8 bytes)"
            );
            let mut stray = bytes.clone();
            stray[8] |= 0b1000_0000;
            assert_eq!(
                decode(&stray).expect_err("stray"),
                "bits set past the last of 3 values"
            );
            let mut huge = bytes;
            huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
            assert!(
                decode(&huge)
                    .expect_err("huge")
                    .contains("need a bitmap longer")
            );
            assert_eq!(
                decode(&[1, 2]).expect_err("tiny"),
                "2 bytes cannot hold a count of values"
            );
        }
    }
}
