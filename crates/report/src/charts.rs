//! The report's charts, drawn by plotters as SVG text: nothing to load, nothing to fetch.
//!
//! Every chart has a title, axis descriptions with units, and a legend. Times are on a decimal
//! year axis (2011.5 is mid-2011), which reads at a glance over decades of daily bars.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A drawing error, as text (SVG output into a string can only fail on bad geometry).
pub type ChartError = Box<dyn std::error::Error>;

/// Every chart here: real numbers on both axes, drawn as SVG.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

const WIDTH: u32 = 960;
const FONT: &str = "sans-serif";
const STRATEGY: RGBColor = RGBColor(31, 119, 180);
const BENCHMARK: RGBColor = RGBColor(127, 127, 127);
const LOSS: RGBColor = RGBColor(214, 39, 40);
const GAIN: RGBColor = RGBColor(44, 160, 44);
const THRESHOLD: RGBColor = RGBColor(255, 127, 14);

/// Milliseconds since 1970 to a decimal year.
pub fn decimal_year(ms: i64) -> f64 {
    1970.0 + ms as f64 / gauntlet_engine::YEAR_MS
}

/// `[low, high]` of the finite `values`, widened when flat so an axis has a length.
fn bounds(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (-1.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 1.0, hi + 1.0);
    }
    let margin = (hi - lo) * pad;
    (lo - margin, hi + margin)
}

fn svg(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Year labels: whole years over a long span, tenths over a short one.
fn year_label(span: f64) -> impl Fn(&f64) -> String {
    move |x| {
        if span > 4.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    }
}

/// Draws `chart`'s legend at `position`, on a near-opaque box so the data behind stays faint.
fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    position: SeriesLabelPosition,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn legend_line(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
}

fn legend_box(color: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
}

/// The stitched out-of-sample equity with the benchmark, and the drawdown beneath it.
pub fn equity(
    ts: &[i64],
    equity: &[f64],
    benchmark: &[f64],
    drawdown: &[f64],
) -> Result<String, ChartError> {
    svg(520, |root| {
        let (top, bottom) = root.split_vertically(340);
        let years: Vec<f64> = ts.iter().map(|&t| decimal_year(t)).collect();
        let (x0, x1) = bounds(years.iter().copied(), 0.0);
        let (y0, y1) = bounds(equity.iter().chain(benchmark).copied(), 0.05);
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Out-of-sample equity (stitched folds) and benchmark",
                (FONT, 18),
            )
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("year")
            .y_desc("equity (currency units)")
            .x_label_formatter(&year_label(x1 - x0))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        chart
            .draw_series(LineSeries::new(
                years.iter().copied().zip(benchmark.iter().copied()),
                BENCHMARK.stroke_width(1),
            ))?
            .label("benchmark (buy and hold)")
            .legend(legend_line(BENCHMARK));
        chart
            .draw_series(LineSeries::new(
                years.iter().copied().zip(equity.iter().copied()),
                STRATEGY.stroke_width(2),
            ))?
            .label("strategy")
            .legend(legend_line(STRATEGY));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

        let deepest = drawdown.iter().copied().fold(0.0_f64, f64::max);
        let mut dd = ChartBuilder::on(&bottom)
            .caption("Drawdown from the running peak", (FONT, 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, -(deepest.max(0.01) * 105.0)..0.0)?;
        dd.configure_mesh()
            .x_desc("year")
            .y_desc("drawdown (%)")
            .x_label_formatter(&year_label(x1 - x0))
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .draw()?;
        dd.draw_series(
            AreaSeries::new(
                years
                    .iter()
                    .copied()
                    .zip(drawdown.iter().map(|d| -d * 100.0)),
                0.0,
                LOSS.mix(0.35),
            )
            .border_style(LOSS),
        )?
        .label(format!("drawdown (deepest {:.1}%)", deepest * 100.0))
        .legend(legend_box(LOSS));
        legend(&mut dd, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    })
}

/// Out-of-sample Sharpe of each fold's chosen set, with the gate's threshold.
pub fn fold_sharpe(sharpes: &[Option<f64>], threshold: f64) -> Result<String, ChartError> {
    svg(360, |root| {
        let n = sharpes.len().max(1);
        let (y0, y1) = bounds(
            sharpes.iter().flatten().copied().chain([0.0, threshold]),
            0.1,
        );
        // Headroom above the tallest bar for the legend.
        let y1 = y1 + (y1 - y0) * 0.3;
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Out-of-sample Sharpe per fold (chosen parameters)",
                (FONT, 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("fold")
            .y_desc("Sharpe ratio (annualized)")
            .x_labels(n.min(30))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .disable_x_mesh()
            .draw()?;
        chart
            .draw_series(sharpes.iter().enumerate().filter_map(|(i, s)| {
                let s = (*s)?;
                let x = i as f64;
                let color = if s >= 0.0 { GAIN } else { LOSS };
                Some(Rectangle::new(
                    [(x - 0.35, 0.0), (x + 0.35, s)],
                    color.filled(),
                ))
            }))?
            .label("fold's out-of-sample Sharpe (green ≥ 0, red < 0)")
            .legend(legend_box(GAIN));
        chart
            .draw_series(LineSeries::new(
                [(-0.5, threshold), (n as f64 - 0.5, threshold)],
                THRESHOLD.stroke_width(2),
            ))?
            .label(format!("gate: stitched Sharpe must exceed {threshold}"))
            .legend(legend_line(THRESHOLD));
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// In-sample against out-of-sample Sharpe of every trial; chosen sets marked.
pub fn overfitting(points: &[(f64, f64, bool)]) -> Result<String, ChartError> {
    svg(480, |root| {
        let (x0, x1) = bounds(points.iter().map(|p| p.0), 0.05);
        let (y0, y1) = bounds(points.iter().map(|p| p.1), 0.05);
        let mut chart = ChartBuilder::on(root)
            .caption(
                "In-sample vs out-of-sample Sharpe of every parameter set in every fold",
                (FONT, 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("in-sample Sharpe (annualized)")
            .y_desc("out-of-sample Sharpe (annualized)")
            .draw()?;
        let lo = x0.max(y0);
        let hi = x1.min(y1);
        if lo < hi {
            chart
                .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.5)))?
                .label("out-of-sample = in-sample")
                .legend(legend_line(BENCHMARK));
        }
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| !p.2)
                    .map(|p| Circle::new((p.0, p.1), 2, STRATEGY.mix(0.45).filled())),
            )?
            .label("a parameter set in a fold")
            .legend(|(x, y)| Circle::new((x + 6, y), 3, STRATEGY.filled()));
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.2)
                    .map(|p| TriangleMarker::new((p.0, p.1), 6, THRESHOLD.filled())),
            )?
            .label("the fold's chosen set")
            .legend(|(x, y)| TriangleMarker::new((x + 6, y), 5, THRESHOLD.filled()));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// A diverging color for `t` in `[-1, 1]`: blue below 0, white at 0, red above.
// Red below zero and green above, through white, as the fold chart colours its bars: a page
// whose charts disagree on what red means gets read wrong.
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let mix = |a: f64, b: f64, w: f64| (a + (b - a) * w).round() as u8;
    if t < 0.0 {
        let w = -t;
        let RGBColor(r, g, b) = LOSS;
        RGBColor(
            mix(255.0, r.into(), w),
            mix(255.0, g.into(), w),
            mix(255.0, b.into(), w),
        )
    } else {
        let RGBColor(r, g, b) = GAIN;
        RGBColor(
            mix(255.0, r.into(), t),
            mix(255.0, g.into(), t),
            mix(255.0, b.into(), t),
        )
    }
}

/// The grid as a heat map: `cells[y][x]`, `None` where no set was tried.
pub struct HeatMap<'a> {
    /// What the color shows.
    pub measure: &'a str,
    /// The horizontal parameter and its values.
    pub x: (&'a str, Vec<String>),
    /// The vertical parameter and its values (one value for a one-parameter grid).
    pub y: (&'a str, Vec<String>),
    /// The values.
    pub cells: Vec<Vec<Option<f64>>>,
}

/// Draws `map`, colors scaled symmetrically around 0, with a color bar as its legend.
pub fn heat_map(map: &HeatMap) -> Result<String, ChartError> {
    svg(480, |root| {
        let (main, bar) = root.split_horizontally(WIDTH - 150);
        let scale = map
            .cells
            .iter()
            .flatten()
            .flatten()
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(1e-9);
        let nx = map.x.1.len().max(1);
        let ny = map.y.1.len().max(1);
        let mut chart = ChartBuilder::on(&main)
            .caption(format!("Parameter grid: {}", map.measure), (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        let xs = map.x.1.clone();
        let ys = map.y.1.clone();
        let x_label = move |v: &f64| {
            let i = v.floor() as usize;
            if (v - i as f64 - 0.5).abs() < 1e-6 {
                xs.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let y_label = move |v: &f64| {
            let i = v.floor() as usize;
            if (v - i as f64 - 0.5).abs() < 1e-6 {
                ys.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(map.x.0)
            .y_desc(map.y.0)
            .x_labels(nx * 2 + 1)
            .y_labels(ny * 2 + 1)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .draw()?;
        chart.draw_series(map.cells.iter().enumerate().flat_map(|(j, row)| {
            row.iter().enumerate().map(move |(i, v)| {
                let color = match v {
                    Some(v) => diverging(v / scale).filled(),
                    None => RGBColor(220, 220, 220).filled(),
                };
                Rectangle::new(
                    [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                    color,
                )
            })
        }))?;

        let mut legend = ChartBuilder::on(&bar)
            .caption("color scale", (FONT, 14))
            .margin(10)
            .margin_top(40)
            .y_label_area_size(50)
            .x_label_area_size(20)
            .build_cartesian_2d(0.0..1.0, -scale..scale)?;
        legend
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc(map.measure)
            // A tick a rounding away from zero would read "-0.00".
            .y_label_formatter(&|v| format!("{:.2}", if v.abs() < 0.005 { 0.0 } else { *v }))
            .draw()?;
        let steps = 50;
        legend.draw_series((0..steps).map(|k| {
            let a = -scale + 2.0 * scale * k as f64 / steps as f64;
            let b = a + 2.0 * scale / steps as f64;
            Rectangle::new(
                [(0.0, a), (1.0, b)],
                diverging((a + b) / 2.0 / scale).filled(),
            )
        }))?;
        Ok(())
    })
}

/// A histogram of `values` in `bins` equal bins, with an optional marked line `(x, label)`.
pub fn histogram(
    title: &str,
    x_desc: &str,
    series: &str,
    values: &[f64],
    bins: usize,
    mark: Option<(f64, String)>,
) -> Result<String, ChartError> {
    svg(360, |root| {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let (lo, hi) = bounds(
            finite.iter().copied().chain(mark.as_ref().map(|m| m.0)),
            0.02,
        );
        let bins = bins.max(1);
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0usize; bins];
        for v in &finite {
            let b = (((v - lo) / width) as usize).min(bins - 1);
            counts[b] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("count")
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let a = lo + i as f64 * width;
                Rectangle::new(
                    [(a, 0.0), (a + width, c as f64)],
                    STRATEGY.mix(0.7).filled(),
                )
            }))?
            .label(format!("{series} ({} values)", finite.len()))
            .legend(legend_box(STRATEGY));
        if let Some((x, label)) = mark {
            chart
                .draw_series(LineSeries::new(
                    [(x, 0.0), (x, top)],
                    THRESHOLD.stroke_width(2),
                ))?
                .label(label)
                .legend(legend_line(THRESHOLD));
        }
        legend(&mut chart, SeriesLabelPosition::MiddleRight)?;
        Ok(())
    })
}
