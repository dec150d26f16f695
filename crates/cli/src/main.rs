//! `gauntlet`: put trading strategies through a gauntlet before they may trade.
//!
//! A thin binary: parse the command line, run the command, map the outcome to an exit code
//! (0 success, 1 a failed gate, 2 any usage, data or config error). Errors are one clear message
//! on stderr, never a backtrace.

mod args;
mod commands;
mod output;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use gauntlet_report::text::log_lines;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Set when printing failed because the reader of stdout went away (`gauntlet ... | head`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// The exit code of a process a closed pipe ended: 128 + SIGPIPE, as a shell reports it.
const CLOSED_PIPE_EXIT: u8 = 141;

fn main() -> ExitCode {
    // Messages quote file names, which may hold anything: `log_lines` keeps any line they
    // break from starting a CI runner's workflow command.
    std::panic::set_hook(Box::new(|info| {
        // A third-party decoder's panic on a damaged file comes back as an error naming it.
        if gauntlet_data::decoder::containing() {
            return;
        }
        // `println!` panics when the reader has gone: not a bug, and nothing left to say.
        let message = info.to_string();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
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
            eprintln!("FAILED: {}", log_lines(&describe(&error)));
            ExitCode::from(1)
        }
        Ok(Err(error)) => {
            eprintln!("error: {}", log_lines(&describe(&error)));
            ExitCode::from(2)
        }
        Err(_) if STDOUT_CLOSED.load(Ordering::Relaxed) => ExitCode::from(CLOSED_PIPE_EXIT),
        Err(_) => ExitCode::from(2),
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose words the message
/// before it already quotes (many errors repeat their source's text in their own).
fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
