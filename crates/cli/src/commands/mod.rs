//! One module per subcommand.

mod approvals;
mod backtest;
mod data;
mod gate;
mod live;
mod lookahead;
mod shards;
mod splits;
mod stats;
mod strategies;
mod sweep;
mod synth;
mod track_csv;
mod validate;
mod verdicts;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gauntlet_data::{BarSeries, LoadOptions, load_bars};
use gauntlet_strategies::StrategyInfo;
use gauntlet_strategy::Params;

use crate::args::{Cli, Command, StrategyRun};

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
        Command::Validate(args) => validate::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Merge(args) => shards::merge(args),
        Command::Plan(args) => shards::plan(args),
        Command::Splits { spec } => splits::run(&spec),
        Command::Sweep(args) => sweep::run(args),
        Command::Stats(command) => stats::run(command),
        Command::Promote(args) => approvals::promote(args),
        Command::Approvals(command) => approvals::run(command),
        Command::Live(args) => live::run(args),
        Command::Audit(command) => live::audit(command),
    }
}

/// Worker threads: the number asked for, or every core.
fn threads(asked: Option<usize>) -> Result<usize> {
    match asked {
        Some(0) => bail!("--threads: expected at least 1"),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Writes `text` to standard output; a reader that stops reading early (`| head`) ends the
/// output, not the program with an error.
fn print_text(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// A progress bar on stderr, hidden with `quiet` (and by indicatif when stderr is not a
/// terminal).
fn progress_bar(quiet: bool, prefix: &str, unit: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{prefix:>16}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{eta}} left"
    )) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(gauntlet_report::text::one_line(prefix));
    bar
}

/// The shipped files, in the order the default runs use them.
const SHIPPED_DATA: [&str; 2] = ["data/sp500_daily.csv", "data/nasdaq_daily.csv"];

/// The catalog entry of the run's strategy and its parameters, checked (relations between
/// parameters included); fills in the default data files, and checks there are enough.
fn resolve_strategy(run: &mut StrategyRun) -> Result<(&'static StrategyInfo, Params)> {
    let info = gauntlet_strategies::info(&run.strategy)?;
    let params = info
        .space
        .parse_assignments(&run.params)
        .with_context(|| format!("strategy {}", info.name))?;
    gauntlet_strategies::check(info.name, &params)?;
    if run.data.is_empty() {
        run.data = SHIPPED_DATA
            .iter()
            .take(info.symbols.max(1))
            .map(PathBuf::from)
            .collect();
    }
    if run.data.len() < info.symbols {
        bail!(
            "--data: {} trades {} symbols, one per file, but {} file{} given",
            info.name,
            info.symbols,
            run.data.len(),
            if run.data.len() == 1 {
                " was"
            } else {
                "s were"
            }
        );
    }
    if run.data.len() > info.symbols.max(1) {
        let extra: Vec<String> = run.data[info.symbols.max(1)..]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        eprintln!(
            "note: {} trades {}; {} only set{} the clock (the union of the files' dates, from \
             the first date every file has)",
            info.name,
            if info.symbols <= 1 {
                format!("the first file's symbol ({})", run.data[0].display())
            } else {
                format!("the first {} files' symbols", info.symbols)
            },
            extra.join(", "),
            if extra.len() == 1 { "s" } else { "" }
        );
    }
    Ok((info, params))
}

/// Every file of the run, loaded and validated, in the order given.
fn load_series(run: &StrategyRun, options: &LoadOptions) -> Result<Vec<BarSeries>> {
    let mut series = Vec::with_capacity(run.data.len());
    for path in &run.data {
        if !path.exists() {
            bail!("{}: no such file{}", path.display(), from_where(path));
        }
        series.push(load_bars(path, options)?);
    }
    Ok(series)
}

/// For a relative path that is not there: the folder it was looked for in, since the
/// defaults (data/, strategies/) are the repository's and need it as the working folder.
fn from_where(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(here) if path.is_relative() => format!(
            " (looked for in {}: relative paths are read from the current folder)",
            here.display()
        ),
        _ => String::new(),
    }
}
