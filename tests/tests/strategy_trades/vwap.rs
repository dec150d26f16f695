//! `vwap` by hand (to be written).
