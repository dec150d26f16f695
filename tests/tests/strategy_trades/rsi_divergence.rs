//! `rsi_divergence` by hand (to be written).
