//! `pairs` by hand (to be written).
