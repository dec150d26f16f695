//! `mean_reversion` by hand (to be written).
