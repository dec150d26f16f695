//! `volume_breakout` by hand (to be written).
