//! The look-ahead guard catches a strategy that peeks at the future and passes honest ones.

use gauntlet_data::Panel;
use gauntlet_engine::{panel_columns, series_columns};
use gauntlet_strategies::{CATALOG, SmaCross};
use gauntlet_strategy::lookahead::{check_lookahead, evenly_spaced_cuts};
use gauntlet_strategy::{BarColumns, BarContext, Direction, Intents, Strategy, StrategyError};
use gauntlet_tests::shipped;

/// Cheats: it keeps the closes it was built with and goes long when tomorrow's close is higher.
/// Through its context it sees nothing of the future; through its constructor it sees it all.
struct Clairvoyant {
    closes: Vec<f64>,
}

impl Strategy for Clairvoyant {
    fn name(&self) -> &str {
        "clairvoyant"
    }

    fn warmup(&self) -> usize {
        0
    }

    fn on_bar(&mut self, ctx: &BarContext<'_>, out: &mut Intents) -> Result<(), StrategyError> {
        let t = ctx.index();
        match self.closes.get(t + 1) {
            Some(&next) if next > ctx.close() => out.target(0, Direction::Long),
            Some(_) => out.target(0, Direction::Flat),
            None => {}
        }
        Ok(())
    }
}

#[test]
fn a_strategy_that_reads_the_future_is_caught_at_the_first_cut() {
    let bars = shipped("sp500_daily.csv");
    let columns = [series_columns(&bars)];
    let cuts = evenly_spaced_cuts(bars.len(), 20);
    let report = check_lookahead(&columns, &cuts, |cols: &[BarColumns<'_>]| Clairvoyant {
        closes: cols[0].close.to_vec(),
    });
    let divergence = report.divergence.expect("the cheat must be caught");
    // At the cut itself the truncated run has no tomorrow and says nothing; the full run does.
    assert_eq!(divergence.cut, cuts[0]);
    assert_eq!(divergence.bar, cuts[0]);
    assert_eq!(divergence.truncated, Ok(vec![]));
    assert_eq!(divergence.full.map(|i| i.len()), Ok(1));
}

#[test]
fn sma_cross_passes_on_the_shipped_data() {
    let bars = shipped("sp500_daily.csv");
    let columns = [series_columns(&bars)];
    let cuts = evenly_spaced_cuts(bars.len(), 25);
    assert_eq!(cuts.len(), 25);
    for (fast, slow, long_short) in [(10, 30, false), (5, 100, true)] {
        let report = check_lookahead(&columns, &cuts, |_: &[BarColumns<'_>]| {
            SmaCross::new(fast, slow, long_short)
        });
        assert!(report.passed(), "{report:?}");
    }
}

/// Every strategy of the catalog, at its defaults and with shorts allowed where it has the
/// choice, on the S&P 500 (and the Nasdaq second, for the strategies that trade two symbols).
#[test]
fn every_strategy_passes_on_the_shipped_data() {
    let files = ["sp500_daily.csv", "nasdaq_daily.csv"];
    for info in CATALOG {
        let series = files[..info.symbols].iter().map(|f| shipped(f)).collect();
        let panel = Panel::align(series).expect("shipped files align");
        let columns = panel_columns(&panel);
        let cuts = evenly_spaced_cuts(panel.len(), 25);
        let mut points = vec![Vec::new()];
        if info.space.spec("long_short").is_some() {
            points.push(vec!["long_short=true"]);
        }
        for assignments in points {
            let params = info
                .space
                .parse_assignments(&assignments)
                .expect("valid parameters");
            let report = gauntlet_strategies::lookahead(info.name, &params, &columns, &cuts)
                .expect("builds");
            assert_eq!(report.cuts.len(), 25);
            assert!(report.passed(), "{} {params}: {report:?}", info.name);
        }
    }
}
