//! `gauntlet data check`: every problem of every file, then exit 2 if there were any.

use anyhow::{Result, bail};
use gauntlet_data::timestamp::TsFormat;
use gauntlet_data::{LoadOptions, load_bars};

use crate::args::DataCommand;

pub fn run(command: DataCommand) -> Result<()> {
    let DataCommand::Check {
        files,
        adjusted_close,
    } = command;
    let options = LoadOptions {
        adjusted_close,
        max_problems: usize::MAX,
        ..LoadOptions::default()
    };
    let mut failed = 0;
    for file in &files {
        match load_bars(file, &options) {
            Ok(bars) => {
                let format = TsFormat::for_series(bars.ts());
                println!(
                    "ok   {}: {} bars, {} .. {}, sha256 {}",
                    file.display(),
                    bars.len(),
                    format.format(bars.ts()[0]),
                    format.format(bars.ts()[bars.len() - 1]),
                    bars.fingerprint()
                );
            }
            Err(error) => {
                failed += 1;
                println!("FAIL {error}");
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} file(s) failed the checks", files.len());
    }
    Ok(())
}
