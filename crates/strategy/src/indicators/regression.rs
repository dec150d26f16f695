//! Rolling ordinary least squares of one series on another.

use super::window::Window;

/// Updates of a full window between two exact recomputations of a [`RollingOls`] (at least).
const EXACT_EVERY: usize = 1024;

/// The least-squares line `y = alpha + beta * x` through the last `n` points.
///
/// `beta = cov(x, y) / var(x)`, `alpha = mean(y) - beta * mean(x)`. The means and co-moments are
/// kept in deviations from the mean, which does not cancel the large sums that log prices would
/// give: Welford's update while the window fills, then a sliding update that replaces the point
/// leaving, `(xo, yo)`, by the new one, `(x, y)`: with `dx = x - xo`, `dy = y - yo`,
/// `Cxy += (xo - mean_x) dy + (yo - mean_y) dx + dx dy (1 - 1/n)` (the means before the update),
/// then `mean += d / n`. At the first lap of the window after every 1024 updates everything is
/// recomputed exactly from the window (two passes), so rounding never builds up.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollingOls {
    /// The window's `(x, y)` points.
    points: Window<(f64, f64)>,
    /// The window length, its inverse, and `1 - 1/n` (the sliding update's factor).
    n: f64,
    inv_n: f64,
    shrink: f64,
    /// Laps of the full window since the last exact recomputation, and how many make one: the
    /// first lap end after [`EXACT_EVERY`] updates. Counting laps, not updates, leaves the
    /// update of a bar that ends no lap one test of the ring's index.
    laps: usize,
    laps_between_exact: usize,
    mean_x: f64,
    mean_y: f64,
    /// `sum((x - mean_x) * (y - mean_y))`.
    cxy: f64,
    /// `sum((x - mean_x)^2)`.
    cxx: f64,
}

/// The fitted line.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OlsFit {
    /// Slope.
    pub beta: f64,
    /// Intercept.
    pub alpha: f64,
}

impl RollingOls {
    /// A fit over the last `n >= 2` points.
    pub fn new(n: usize) -> Self {
        assert!(n >= 2, "a regression needs at least two points");
        RollingOls {
            points: Window::new(n),
            n: n as f64,
            inv_n: 1.0 / n as f64,
            shrink: 1.0 - 1.0 / n as f64,
            laps: 0,
            laps_between_exact: EXACT_EVERY.div_ceil(n),
            mean_x: 0.0,
            mean_y: 0.0,
            cxy: 0.0,
            cxx: 0.0,
        }
    }

    /// Adds the point `(x, y)`; the fit once `n` points are in and the `x` are not all equal.
    #[inline]
    pub fn update(&mut self, x: f64, y: f64) -> Option<OlsFit> {
        let full = self.points.is_full();
        let (old_x, old_y) = self.points.push((x, y));
        if !full {
            self.add(x, y);
            return self.fit();
        }
        // The lap test is taken once, and is false on all but one bar of a lap.
        if self.points.at_lap() {
            self.laps += 1;
            if self.laps >= self.laps_between_exact {
                self.recompute();
                self.laps = 0;
                return self.full_fit();
            }
        }
        self.replace(old_x, old_y, x, y);
        self.full_fit()
    }

    /// Replaces `(xo, yo)` by `(x, y)` in a full window.
    #[inline]
    fn replace(&mut self, xo: f64, yo: f64, x: f64, y: f64) {
        let (dx, dy) = (x - xo, y - yo);
        let shrink = self.shrink;
        let (ex, ey) = (xo - self.mean_x, yo - self.mean_y);
        self.cxy += ex * dy + ey * dx + dx * dy * shrink;
        self.cxx += 2.0 * ex * dx + dx * dx * shrink;
        self.mean_x += dx * self.inv_n;
        self.mean_y += dy * self.inv_n;
    }

    #[inline]
    fn add(&mut self, x: f64, y: f64) {
        // The window already holds the new point.
        let k = self.points.count() as f64;
        let dx = x - self.mean_x;
        self.mean_x += dx / k;
        self.mean_y += (y - self.mean_y) / k;
        self.cxy += dx * (y - self.mean_y);
        self.cxx += dx * (x - self.mean_x);
    }

    #[inline(never)]
    fn recompute(&mut self) {
        let n = self.points.capacity() as f64;
        let points = self.points.values();
        self.mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
        self.mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
        let (mx, my) = (self.mean_x, self.mean_y);
        self.cxy = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        self.cxx = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    }

    /// The current fit, once ready.
    #[inline]
    pub fn fit(&self) -> Option<OlsFit> {
        if !self.points.is_full() {
            return None;
        }
        self.full_fit()
    }

    /// The fit of a full window.
    #[inline]
    fn full_fit(&self) -> Option<OlsFit> {
        // An x that does not vary has no slope; a co-moment within rounding of zero is that.
        let scale = self.mean_x.abs().max(1.0);
        let floor = self.n * (scale * 1e-12).powi(2);
        (self.cxx > floor).then(|| {
            let beta = self.cxy / self.cxx;
            OlsFit {
                beta,
                alpha: self.mean_y - beta * self.mean_x,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn ols_by_hand() {
        // x 1 2 3 4, y 2 4 5 4: means 2.5 and 3.75; sum dx*dy = 2.625 - 0.125 + 0.625 + 0.375
        // = 3.5; sum dx^2 = 5; beta 0.7, alpha 3.75 - 0.7 * 2.5 = 2.0.
        let mut ols = RollingOls::new(4);
        let fits: Vec<_> = [(1.0, 2.0), (2.0, 4.0), (3.0, 5.0), (4.0, 4.0)]
            .map(|(x, y)| ols.update(x, y))
            .to_vec();
        assert!(fits[..3].iter().all(Option::is_none));
        let fit = fits[3].expect("full");
        assert!(near(fit.beta, 0.7) && near(fit.alpha, 2.0), "{fit:?}");
        // Slide in (5, 10): x 2 3 4 5, y 4 5 4 10; means 3.5 and 5.75; sum dx*dy = 2.625 + 0.375
        // - 0.875 + 6.375 = 8.5; sum dx^2 = 5; beta 1.7, alpha 5.75 - 1.7 * 3.5 = -0.2.
        let fit = ols.update(5.0, 10.0).expect("full");
        assert!(near(fit.beta, 1.7) && near(fit.alpha, -0.2), "{fit:?}");
    }

    #[test]
    fn flat_x_has_no_slope() {
        let mut ols = RollingOls::new(3);
        for y in [1.0, 2.0, 3.0] {
            ols.update(7.25, y);
        }
        assert_eq!(ols.fit(), None);
    }

    #[test]
    fn log_prices_over_many_laps_match_a_fresh_fit() {
        // Log prices near 7 with small moves: the case where naive sums lose digits.
        let n = 60;
        let points: Vec<(f64, f64)> = (0..5_000u64)
            .map(|i| {
                let a = (i as f64 * 0.37).sin() * 0.02;
                let b = (i as f64 * 0.11).cos() * 0.03;
                (7.0 + a + b, 7.4 + 1.3 * a - 0.4 * b)
            })
            .collect();
        let mut ols = RollingOls::new(n);
        for (t, &(x, y)) in points.iter().enumerate() {
            let got = ols.update(x, y);
            if t + 1 >= n && t % 97 == 0 {
                let w = &points[t + 1 - n..=t];
                let mx = w.iter().map(|p| p.0).sum::<f64>() / n as f64;
                let my = w.iter().map(|p| p.1).sum::<f64>() / n as f64;
                let cxy: f64 = w.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
                let cxx: f64 = w.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
                let beta = got.expect("full").beta;
                assert!(
                    (beta - cxy / cxx).abs() < 1e-9,
                    "bar {t}: {beta} vs {}",
                    cxy / cxx
                );
            }
        }
    }
}
