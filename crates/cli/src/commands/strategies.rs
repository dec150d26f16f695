//! `gauntlet strategies [NAME]`: the catalog, with every parameter's range, step and default and
//! the warm-up at the defaults; one strategy's full rule with a name.

use anyhow::Result;
use gauntlet_strategies::{CATALOG, StrategyInfo, StrategyVisitor};

pub fn run(name: Option<&str>) -> Result<()> {
    match name {
        None => {
            for info in CATALOG {
                show(info)?;
            }
        }
        Some(name) => {
            let info = gauntlet_strategies::info(name)?;
            show(info)?;
            println!();
            // The rule's own lines, already wrapped: its paragraphs and lists stay as written.
            for line in info.rule.replace("**", "").lines() {
                println!("  {line}");
            }
        }
    }
    Ok(())
}

fn show(info: &StrategyInfo) -> Result<()> {
    let warmup = gauntlet_strategies::build(info.name, &info.space.defaults(), Warmup)?;
    println!("{}  {}", info.name, info.summary);
    println!("    warm-up {warmup} bars at the defaults");
    if info.symbols > 1 {
        println!(
            "    trades {} symbols: the first {} --data files, in order",
            info.symbols, info.symbols
        );
    }
    if let Some((low, high)) = info.claimed_win_rate {
        let pct = |v: f64| format!("{:.0}%", v * 100.0);
        let claim = if low == high {
            pct(low)
        } else {
            format!("{:.0}-{}", low * 100.0, pct(high))
        };
        println!("    claimed win rate {claim} (the desk's claim, to be validated)");
    }
    for spec in info.space.specs {
        println!("    {:<12} {}", spec.name, spec.doc);
        println!("    {:<12} default {}; {}", "", spec.default, spec.kind);
    }
    Ok(())
}

struct Warmup;

impl StrategyVisitor for Warmup {
    type Output = usize;
    fn visit<S: gauntlet_strategies::CatalogStrategy>(self, strategy: S) -> usize {
        strategy.warmup()
    }
}
