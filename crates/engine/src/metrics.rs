//! Performance of one run, with the conventions of docs/METRICS.md.
//!
//! - returns are simple bar-to-bar returns of the equity at each close (`n - 1` of them);
//! - Sharpe: `mean / sd * sqrt(P)`, sample standard deviation (`ddof = 1`), risk-free rate 0,
//!   `P` bars per year (252 for daily equity bars, 365 for a market open every day);
//! - Sortino: `mean / dd * sqrt(P)` with the downside deviation
//!   `dd = sqrt(sum(min(r, 0)^2) / m)` over all `m` returns (target 0; empyrical's convention);
//! - max drawdown: the largest fall from a running peak of equity, as a positive fraction;
//! - CAGR: `(final / initial)^(1 / years) - 1`, years = calendar days from the first to the last
//!   bar over 365.25;
//! - win rate: round trips with net PnL above zero over round trips (see [`RoundTrip`]: the legs
//!   a strategy enters together, and their partial exits, are one trade);
//! - exposure: bars that closed with a position open, over all bars.

use serde::Serialize;

use crate::{BacktestResult, RoundTrip};

const DAY_MS: i64 = 86_400_000;

/// The headline numbers of one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Bars on the clock.
    pub bars: usize,
    /// Round trips: the legs entered together, and their partial exits, are one.
    pub trades: usize,
    /// Closed trades as the engine records them (one per position closed or cut); the same
    /// as `trades` for a strategy of one symbol that does not cut its positions.
    pub legs: usize,
    /// Round trips with net PnL above zero.
    pub wins: usize,
    /// `wins / trades` (none without trades).
    pub win_rate: Option<f64>,
    /// `final / initial - 1`.
    pub total_return: f64,
    /// Compound annual growth rate (none when the run spans no time).
    pub cagr: Option<f64>,
    /// Annualized Sharpe ratio (none when returns do not vary).
    pub sharpe: Option<f64>,
    /// Annualized Sortino ratio (none without a losing bar).
    pub sortino: Option<f64>,
    /// Largest peak-to-trough fall of equity, as a positive fraction.
    pub max_drawdown: f64,
    /// Fraction of bars closed with a position open.
    pub exposure: f64,
    /// Equity after the last bar.
    pub final_equity: f64,
    /// Commissions paid.
    pub fees_paid: f64,
    /// Borrow fees paid on shorts.
    pub borrow_paid: f64,
    /// Bars per year used to annualize.
    pub periods_per_year: f64,
}

impl Summary {
    /// The summary of `result`, whose bars have timestamps `ts`. `periods_per_year` is inferred
    /// from `ts` when not given (see [`infer_periods_per_year`]).
    pub fn of(result: &BacktestResult, ts: &[i64], periods_per_year: Option<f64>) -> Summary {
        let equity = &result.equity;
        let periods_per_year = periods_per_year.unwrap_or_else(|| infer_periods_per_year(ts));
        let trips = RoundTrip::of(&result.trades);
        let wins = trips.iter().filter(|t| t.pnl > 0.0).count();
        let trades = trips.len();
        let final_equity = result.final_equity();
        let initial = result.initial_capital;
        let years = match (ts.first(), ts.last()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / DAY_MS as f64 / 365.25,
            _ => 0.0,
        };
        let returns: Vec<f64> = equity.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
        Summary {
            bars: equity.len(),
            trades,
            legs: result.trades.len(),
            wins,
            win_rate: (trades > 0).then(|| wins as f64 / trades as f64),
            total_return: final_equity / initial - 1.0,
            cagr: (years > 0.0 && final_equity > 0.0)
                .then(|| (final_equity / initial).powf(1.0 / years) - 1.0),
            sharpe: sharpe(&returns, periods_per_year),
            sortino: sortino(&returns, periods_per_year),
            max_drawdown: max_drawdown(equity),
            exposure: if equity.is_empty() {
                0.0
            } else {
                result.exposed_bars as f64 / equity.len() as f64
            },
            final_equity,
            fees_paid: result.fees_paid,
            borrow_paid: result.borrow_paid,
            periods_per_year,
        }
    }
}

/// Annualized Sharpe ratio of per-bar returns: `mean / sd(ddof 1) * sqrt(periods_per_year)`.
pub fn sharpe(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let variance = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (variance > 0.0).then(|| mean / variance.sqrt() * periods_per_year.sqrt())
}

/// Annualized Sortino ratio: `mean / sqrt(sum(min(r, 0)^2) / n) * sqrt(periods_per_year)`.
pub fn sortino(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let downside = returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / n;
    (downside > 0.0).then(|| mean / downside.sqrt() * periods_per_year.sqrt())
}

/// Largest fall from a running peak, as a positive fraction of the peak.
pub fn max_drawdown(equity: &[f64]) -> f64 {
    let mut peak = f64::NEG_INFINITY;
    let mut worst = 0.0_f64;
    for &e in equity {
        peak = peak.max(e);
        worst = worst.max(1.0 - e / peak);
    }
    worst
}

/// How a series' bars fall on the calendar: the `P` of the annualized metrics and the days a
/// year its market trades (the length of a day in a spec's `"10d"`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TradingYear {
    /// Bars per year, `P`.
    pub periods: f64,
    /// Trading days per year: 252, or 365 for a market open every day of the week.
    pub days: f64,
}

impl TradingYear {
    /// `periods` bars a year on a market that trades `days` days a year.
    pub fn new(periods: f64, days: f64) -> Self {
        TradingYear { periods, days }
    }

    /// Bars in one trading day, `P / days`.
    pub fn bars_per_day(&self) -> f64 {
        self.periods / self.days
    }
}

/// Bars per year from the spacing of `ts` (see [`infer_trading_year`]).
pub fn infer_periods_per_year(ts: &[i64]) -> f64 {
    infer_trading_year(ts).periods
}

/// The trading year of the bars at `ts`.
///
/// Trading days per year `D` are 365 when at least one bar in seven falls on a Saturday or a
/// Sunday (UTC): a market open every day, such as crypto, has two in seven; 252 otherwise, so
/// equities (none) and futures with a Sunday-evening session (about one in fifty) keep 252.
/// Bars per year: `D` for daily bars (median gap from 20 hours to 4 days), 52 for weekly, 12
/// for monthly; for intraday bars, `D` times the bars per calendar day seen.
pub fn infer_trading_year(ts: &[i64]) -> TradingYear {
    if ts.len() < 2 {
        return TradingYear::new(252.0, 252.0);
    }
    let median_days = median_gap(ts) as f64 / DAY_MS as f64;
    let (days, weekend_bars) = count_days(ts);
    let trading_days = if weekend_bars * 7 >= ts.len() {
        365.0
    } else {
        252.0
    };
    let periods = match median_days {
        d if d >= 20.0 => 12.0,
        d if d >= 4.0 => 52.0,
        d if d >= 20.0 / 24.0 => trading_days,
        _ => trading_days * ts.len() as f64 / days as f64,
    };
    TradingYear::new(periods, trading_days)
}

/// The calendar days (UTC) that hold a bar, and the bars on a Saturday or Sunday.
fn count_days(ts: &[i64]) -> (usize, usize) {
    // A bar starts a new day when it leaves the day of the bar before: a comparison with that
    // day's bounds, where a division per bar would cost more than the rest.
    let day_of = |t: i64| {
        let day = t.div_euclid(DAY_MS);
        // 1970-01-01, day 0, was a Thursday: days 2 and 3 after it (mod 7) are weekend days.
        let weekend = matches!(day.rem_euclid(7), 2 | 3);
        let start = day * DAY_MS;
        (start, start.saturating_add(DAY_MS), weekend)
    };
    let (mut days, mut weekend_bars) = (0, 0);
    let (mut day_start, mut day_end, mut weekend) = (i64::MAX, i64::MIN, false);
    for &t in ts {
        if t < day_start || t >= day_end {
            days += 1;
            (day_start, day_end, weekend) = day_of(t);
        }
        weekend_bars += usize::from(weekend);
    }
    (days, weekend_bars)
}

/// The gap between consecutive timestamps that a sort of all gaps would put in the middle
/// (index `gaps / 2`).
fn median_gap(ts: &[i64]) -> i64 {
    let gaps = || ts.windows(2).map(|w| w[1] - w[0]);
    // Bars are mostly evenly spaced: a gap held by more than half of them fills the middle of
    // the sorted gaps whatever the others are, and two passes find it (Boyer and Moore's
    // majority vote) without sorting a million gaps.
    let (mut candidate, mut votes) = (0, 0usize);
    for gap in gaps() {
        if votes == 0 {
            candidate = gap;
        }
        votes = if gap == candidate {
            votes + 1
        } else {
            votes - 1
        };
    }
    let count = gaps().filter(|&g| g == candidate).count();
    let n = ts.len() - 1;
    if count > n / 2 {
        return candidate;
    }
    let mut all: Vec<i64> = gaps().collect();
    *all.select_nth_unstable(n / 2).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_by_hand() {
        // Returns 0.01, -0.02, 0.03: mean 0.00666..., sample var = (0.0000111 + 0.0007111 +
        // 0.0005444) / 2 = 0.00063333, sd 0.0251661; Sharpe (P = 1) = 0.264906.
        let r = [0.01, -0.02, 0.03];
        let s = sharpe(&r, 1.0).unwrap_or(0.0);
        assert!((s - 0.02 / 3.0 / 0.000_633_333_333_333_333_3f64.sqrt()).abs() < 1e-12);
        assert!((s - 0.264_906).abs() < 1e-6);
        // Downside: only -0.02, over all 3 returns: dd = sqrt(0.0004 / 3) = 0.0115470;
        // Sortino = 0.0066667 / 0.0115470 = 0.577350.
        let so = sortino(&r, 1.0).unwrap_or(0.0);
        assert!((so - 0.577_350).abs() < 1e-6);
        assert!((sharpe(&r, 252.0).unwrap_or(0.0) - s * 252f64.sqrt()).abs() < 1e-12);
        assert_eq!(sharpe(&[0.01, 0.01], 1.0), None);
        assert_eq!(sortino(&[0.01, 0.02], 1.0), None);
    }

    #[test]
    fn drawdown_by_hand() {
        // Peak 120, trough 90: 25%; the later fall 110 -> 100 from a peak of 120 is less.
        assert_eq!(max_drawdown(&[100.0, 120.0, 90.0, 110.0, 100.0]), 0.25);
        assert_eq!(max_drawdown(&[1.0, 2.0, 3.0]), 0.0);
    }

    #[test]
    fn median_gap_with_and_without_a_majority() {
        // Gaps 1, 1, 3, 1, 2: sorted 1, 1, 1, 2, 3, the middle (index 2) is 1, a majority.
        assert_eq!(median_gap(&[0, 1, 2, 5, 6, 8]), 1);
        // Gaps 1, 5, 2, 7, 3, 3: sorted 1, 2, 3, 3, 5, 7, index 3 is 3 (no majority).
        assert_eq!(median_gap(&[0, 1, 6, 8, 15, 18, 21]), 3);
        // Gaps 2, 4, 4, 2: sorted 2, 2, 4, 4, index 2 is 4 (two values tie for half each).
        assert_eq!(median_gap(&[0, 2, 6, 10, 12]), 4);
        assert_eq!(median_gap(&[0, 2, 6, 8, 12]), 4);
        assert_eq!(median_gap(&[5, 9]), 4);
    }

    #[test]
    fn periods_per_year_from_spacing() {
        // Ten weekdays from Monday 1970-01-05 (day 4), Saturdays and Sundays skipped.
        let weekdays: Vec<i64> = (4..18)
            .filter(|d| !matches!(d % 7, 2 | 3))
            .map(|d| d * DAY_MS)
            .collect();
        assert_eq!(weekdays.len(), 10);
        assert_eq!(
            infer_trading_year(&weekdays),
            TradingYear::new(252.0, 252.0)
        );
        let weekly: Vec<i64> = (0..10).map(|d| d * 7 * DAY_MS).collect();
        assert_eq!(infer_periods_per_year(&weekly), 52.0);
        // 390 one-minute bars on each of 2 days: 252 * 390.
        let minutes: Vec<i64> = (0..2)
            .flat_map(|d| (0..390).map(move |m| d * DAY_MS + 9 * 3_600_000 + m * 60_000))
            .collect();
        assert_eq!(infer_periods_per_year(&minutes), 252.0 * 390.0);
        // Eight-hour bars from 1969-12-31T00:00 to 1970-01-01T16:00: six bars on two days
        // (days before 1970 floor below zero), so 252 * 6 / 2.
        let hours: Vec<i64> = (-3..3).map(|h| h * 8 * 3_600_000).collect();
        assert_eq!(infer_periods_per_year(&hours), 756.0);
    }

    #[test]
    fn a_market_open_every_day_trades_365_days() {
        // Fourteen consecutive days from Thursday 1970-01-01: four of them Saturdays or
        // Sundays, four bars in fourteen.
        let every_day: Vec<i64> = (0..14).map(|d| d * DAY_MS).collect();
        assert_eq!(
            infer_trading_year(&every_day),
            TradingYear::new(365.0, 365.0)
        );
        // Round-the-clock minute bars for a week from Monday 1970-01-05: 1440 bars a calendar
        // day, 365 * 1440 a year (vectorbt's annualization of one-minute bars, whose year is
        // 365 days).
        let minutes: Vec<i64> = (0..7 * 1440).map(|m| 4 * DAY_MS + m * 60_000).collect();
        let year = infer_trading_year(&minutes);
        assert_eq!(year, TradingYear::new(365.0 * 1440.0, 365.0));
        assert_eq!(year.bars_per_day(), 1440.0);
        // Futures on hourly bars: Sunday 22:00 to Friday 20:00 UTC, paused at 21:00 each day,
        // so 2 + 4 * 23 + 21 = 115 bars. The two on Sunday are far below one in seven: 252.
        let hour = 3_600_000;
        let sunday = 10 * DAY_MS; // 1970-01-11
        let futures: Vec<i64> = (22..24)
            .chain((24..(6 * 24 - 3)).filter(|h| h % 24 != 21))
            .map(|h| sunday + h * hour)
            .collect();
        assert_eq!(futures.len(), 115);
        let year = infer_trading_year(&futures);
        assert_eq!(year.days, 252.0);
        // Six calendar days hold a bar (Sunday to Friday): 252 * 115 / 6.
        assert_eq!(year.periods, 252.0 * 115.0 / 6.0);
    }
}
