//! One module per subcommand.

mod backtest;
mod data;
mod strategies;
mod synth;

use anyhow::Result;

use crate::args::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Backtest(args) => backtest::run(args),
        Command::Data(command) => data::run(command),
        Command::Synth(args) => synth::run(args),
        Command::Strategies => strategies::run(),
    }
}
