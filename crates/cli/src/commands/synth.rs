//! `gauntlet synth`: deterministic synthetic bars.

use anyhow::{Result, bail};
use gauntlet_data::synth::{self, Interval, SynthSpec};

use crate::args::{IntervalArg, SynthArgs};

pub fn run(args: SynthArgs) -> Result<()> {
    if args.bars == 0 {
        bail!("--bars must be at least 1");
    }
    let mut spec = SynthSpec::daily(args.bars, args.seed);
    if let IntervalArg::Minute = args.interval {
        spec.interval = Interval::Minute;
    }
    let bars = synth::generate(&spec);
    synth::write_bars(&bars, &args.out)?;
    println!(
        "wrote {} bars to {} (seed {}, sha256 {})",
        bars.len(),
        args.out.display(),
        args.seed,
        bars.fingerprint()
    );
    Ok(())
}
