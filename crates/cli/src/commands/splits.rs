//! `gauntlet splits SPEC`: the plan of a spec, printed without running anything.

use std::path::Path;

use anyhow::Result;
use gauntlet_validate::walkforward::{Grid, plan};
use gauntlet_validate::{Dataset, Spec};

pub fn run(path: &Path) -> Result<()> {
    let spec = Spec::load(path)?;
    let data = Dataset::load(&spec)?;
    let grid = Grid::of(&spec)?;
    let (plan, record) = plan(&spec, &data, &grid)?;
    println!(
        "{}: {} on {} bars ({} to {}), {:.0} bars a year, {:.0} trading days",
        gauntlet_report::text::one_line(&spec.name),
        spec.strategy.name,
        record.bars,
        data.ts().first().map_or(String::new(), |&t| date(t)),
        data.ts().last().map_or(String::new(), |&t| date(t)),
        data.periods_per_year,
        data.trading_days,
    );
    println!("scheme: {}", record.resolved);
    println!(
        "grid: {} ({} rejected by the strategy's checks)",
        count(grid.sets.len(), "parameter set", "parameter sets"),
        grid.rejected
    );
    let windows = |ws: &[gauntlet_validate::outcome::Window]| {
        ws.iter()
            .map(|w| {
                format!(
                    "{}..{} ({} .. {}, {} bars)",
                    w.start,
                    w.end,
                    w.first,
                    w.last,
                    w.end - w.start
                )
            })
            .collect::<Vec<_>>()
            .join(" + ")
    };
    for (i, fold) in record.folds.iter().enumerate() {
        println!("fold {i:>3}  train {}", windows(&fold.train));
        println!("          test  {}", windows(&fold.test));
    }
    if !record.paths.is_empty() {
        println!("groups: {}", windows(&record.groups));
        for (j, path) in record.paths.iter().enumerate() {
            let folds: Vec<String> = path.iter().map(|f| f.to_string()).collect();
            println!("path {j}: group g tested by fold [{}]", folds.join(", "));
        }
    }
    let (train, test) = plan.cells(grid.sets.len());
    println!("cells: {train} training + {test} test runs");
    Ok(())
}

fn date(ms: i64) -> String {
    gauntlet_data::timestamp::TsFormat::Date.format(ms)
}

/// `1 parameter set`, `2 parameter sets`.
pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
