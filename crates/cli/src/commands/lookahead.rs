//! `gauntlet lookahead`: the look-ahead guard on one strategy and its data.

use anyhow::{Result, bail};
use gauntlet_data::timestamp::TsFormat;
use gauntlet_data::{LoadOptions, Panel};
use gauntlet_engine::panel_columns;
use gauntlet_strategy::lookahead::evenly_spaced_cuts;

use super::CheckFailed;
use crate::args::LookaheadArgs;

pub fn run(mut args: LookaheadArgs) -> Result<()> {
    let (info, params) = super::resolve_strategy(&mut args.run)?;
    if args.cuts == 0 {
        bail!("--cuts: expected at least 1");
    }
    let panel = Panel::align(super::load_series(&args.run, &LoadOptions::default())?)?;
    let columns = panel_columns(&panel);
    let cuts = evenly_spaced_cuts(panel.len(), args.cuts);
    if cuts.len() < args.cuts {
        eprintln!(
            "note: --cuts {}: the {} bars allow {} distinct cuts, and every one is checked",
            args.cuts,
            panel.len(),
            cuts.len()
        );
    }
    let report = gauntlet_strategies::lookahead(info.name, &params, &columns, &cuts)?;
    let format = TsFormat::for_series(panel.ts());
    match report.divergence {
        None => {
            println!(
                "ok   {} {params}: same decisions at every bar up to each of {} cuts ({} .. {})",
                info.name,
                report.cuts.len(),
                report.cuts.first().map_or(String::new(), |&c| format.format(panel.ts()[c])),
                report.cuts.last().map_or(String::new(), |&c| format.format(panel.ts()[c])),
            );
            Ok(())
        }
        Some(d) => Err(CheckFailed(format!(
            "{} {params} looks ahead: at bar {} ({}) it decided {:?} with the whole series but {:?} \
             with the bars up to {} ({}) only",
            info.name,
            d.bar,
            format.format(panel.ts()[d.bar]),
            d.full,
            d.truncated,
            d.cut,
            format.format(panel.ts()[d.cut]),
        ))
        .into()),
    }
}
