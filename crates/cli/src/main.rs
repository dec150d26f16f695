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

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("gauntlet: internal error (a bug, please report it): {info}");
    }));
    let cli = args::Cli::parse();
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) if error.downcast_ref::<commands::CheckFailed>().is_some() => {
            eprintln!("FAILED: {error:#}");
            ExitCode::from(1)
        }
        Ok(Err(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
