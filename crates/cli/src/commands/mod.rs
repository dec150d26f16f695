//! One module per subcommand.

mod backtest;
mod data;
mod lookahead;
mod strategies;
mod synth;

use anyhow::Result;

use crate::args::{Cli, Command};

/// A check that ran and failed (exit code 1), as opposed to an error (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CheckFailed(pub String);

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Backtest(args) => backtest::run(args),
        Command::Data(command) => data::run(command),
        Command::Synth(args) => synth::run(args),
        Command::Strategies { name } => strategies::run(name.as_deref()),
        Command::Lookahead(args) => lookahead::run(args),
    }
}
