//! `gauntlet strategies`: the catalog, with every parameter's range and default.

use anyhow::Result;
use gauntlet_strategies::CATALOG;

pub fn run() -> Result<()> {
    for info in CATALOG {
        println!("{}  {}", info.name, info.summary);
        for spec in info.space.specs {
            println!(
                "    {:<12} default {:<6} {}; {}",
                spec.name, spec.default, spec.kind, spec.doc
            );
        }
    }
    Ok(())
}
