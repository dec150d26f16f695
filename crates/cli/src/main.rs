//! `gauntlet`: put trading strategies through a gauntlet before they may trade.
//!
//! A thin binary: parse the command line, run the command, map the outcome to an exit code
//! (0 success, 1 a failed gate, 2 any usage, data or config error). Errors are one clear message
//! on stderr, never a backtrace.

mod args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;
use gauntlet_report::text::log_lines;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Messages quote file names, which may hold anything: `log_lines` keeps any line they
    // break from starting a CI runner's workflow command.
    std::panic::set_hook(Box::new(|info| {
        // A third-party decoder's panic on a damaged file comes back as an error naming it.
        if gauntlet_data::decoder::containing() {
            return;
        }
        eprintln!(
            "gauntlet: internal error (a bug, please report it): {}",
            log_lines(&info.to_string())
        );
    }));
    let cli = args::Cli::parse();
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) if error.downcast_ref::<commands::CheckFailed>().is_some() => {
            eprintln!("FAILED: {}", log_lines(&format!("{error:#}")));
            ExitCode::from(1)
        }
        Ok(Err(error)) => {
            eprintln!("error: {}", log_lines(&format!("{error:#}")));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
