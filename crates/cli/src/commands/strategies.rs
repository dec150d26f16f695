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
            for line in wrap(&info.rule.replace("**", ""), 96) {
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
        println!(
            "    {:<12} {}  (default {}; {})",
            spec.name, spec.doc, spec.default, spec.kind
        );
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

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("at least one line");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}
