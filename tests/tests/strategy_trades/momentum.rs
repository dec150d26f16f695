//! `momentum` by hand (to be written).
