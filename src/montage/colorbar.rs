//! The colour bar: drawn from the same [`ColorMapping`] as the surfaces, so it shows
//! exactly what is drawn, including the transparent band of a thresholded two-sided map.

use image::RgbaImage;

use crate::color::{ColorMapping, Sign};
use crate::text::{self, Align};

/// Height of the colour bar strip in units of 1% of the figure width.
pub const UNITS: f32 = 10.0;
/// Extra height for a caption under the ticks.
pub const LABEL_UNITS: f32 = 4.0;
const BAR_TOP: f32 = 1.5;
const BAR_HEIGHT: f32 = 2.2;
const TICK: f32 = 0.8;
const FONT: f32 = 2.3;
/// The bar spans this share of the figure width, centred.
const BAR_WIDTH: f32 = 0.4;

/// Value range shown by the bar and the values that get tick labels: the range ends and
/// the threshold, on each side that is drawn.
pub fn extent(m: &ColorMapping) -> (f32, f32, Vec<f32>) {
    let mut ticks = vec![m.lo, m.hi];
    if m.threshold > 0.0 {
        ticks.push(m.threshold);
    }
    let mut bottom = ticks.iter().copied().fold(f32::INFINITY, f32::min);
    let mut top = ticks.iter().copied().fold(0.0f32, f32::max);
    if top - bottom <= 1e-6 * top.abs().max(1.0) {
        // A collapsed range (constant data, MIN = MAX): widen the bar so that it still
        // shows the colour(s) the surface has.
        let pad = (0.1 * top.abs()).max(1e-3);
        bottom = (bottom - pad).max(0.0);
        top += pad;
    }
    match m.sign {
        Sign::Pos => (bottom, top, ticks),
        Sign::Neg => (-top, -bottom, ticks.into_iter().map(|t| -t).collect()),
        Sign::Abs => {
            let mut both = ticks.clone();
            both.extend(ticks.iter().map(|t| -t));
            (-top, top, both)
        }
    }
}

/// Draws the bar with its strip starting at `top`; `u` is 1% of the figure width.
pub fn draw(
    img: &mut RgbaImage,
    m: &ColorMapping,
    top: u32,
    u: f32,
    ink: [u8; 3],
    caption: Option<&str>,
) {
    let w = img.width() as f32;
    // A share of the width, but not wider than 40 units on a wide row of panels.
    let bar_w = (w * BAR_WIDTH).min(40.0 * u);
    let x0 = ((w - bar_w) / 2.0).round();
    let x1 = ((w + bar_w) / 2.0).round();
    let y0 = top as f32 + (BAR_TOP * u).round();
    let y1 = y0 + (BAR_HEIGHT * u).round().max(2.0);
    let (vmin, vmax, mut ticks) = extent(m);
    let span = (vmax - vmin).max(f32::EPSILON);
    let value_at = |x: f32| vmin + (x - x0) / (x1 - x0 - 1.0).max(1.0) * span;
    for x in x0 as u32..x1 as u32 {
        // Sampled at the column's value; the threshold gap stays background.
        let Some(c) = m.rgb(value_at(x as f32)) else {
            continue;
        };
        for y in y0 as u32..y1 as u32 {
            if x < img.width() && y < img.height() {
                img.put_pixel(x, y, image::Rgba([c[0], c[1], c[2], 255]));
            }
        }
    }
    // Ticks and labels; labels that would overlap an earlier (more important) one are
    // skipped: the range ends come first.
    ticks.sort_by(|a, b| importance(m, *b).total_cmp(&importance(m, *a)));
    ticks.dedup_by(|a, b| (*a - *b).abs() <= span * 1e-6);
    let px = FONT * u;
    if let Some(c) = caption {
        let cap_top = y1 + TICK * u + 0.3 * u + px * 1.25 + 0.6 * u;
        text::draw(img, c, w / 2.0, cap_top, px, Align::Center, ink);
    }
    let mut taken: Vec<(f32, f32)> = Vec::new();
    for t in ticks {
        let x = x0 + (t - vmin) / span * (x1 - x0 - 1.0);
        let label = format_tick(t);
        let (lw, _) = text::measure(&label, px);
        let (a, b) = (x - lw / 2.0 - 0.6 * u, x + lw / 2.0 + 0.6 * u);
        if taken.iter().any(|&(p, q)| a < q && p < b) {
            continue;
        }
        taken.push((a, b));
        let tick_w = (0.15 * u).round().max(1.0) as i64;
        for dx in 0..tick_w {
            let xx = x.round() as i64 - tick_w / 2 + dx;
            for y in y1 as u32..(y1 + TICK * u) as u32 {
                if xx >= 0 && (xx as u32) < img.width() && y < img.height() {
                    img.put_pixel(xx as u32, y, image::Rgba([ink[0], ink[1], ink[2], 255]));
                }
            }
        }
        text::draw(
            img,
            &label,
            x,
            y1 + TICK * u + 0.3 * u,
            px,
            Align::Center,
            ink,
        );
    }
}

/// Label priority when labels would overlap: the range top, then the threshold, then the
/// bottom; positive before negative.
fn importance(m: &ColorMapping, t: f32) -> f32 {
    let near = |a: f32, b: f32| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    let rank = if near(t.abs(), m.hi) {
        3.0
    } else if m.threshold > 0.0 && near(t.abs(), m.threshold) {
        2.0
    } else {
        1.0
    };
    rank + if t >= 0.0 { 0.5 } else { 0.0 }
}

/// Short labels: three significant digits, trailing zeros dropped, a true minus sign.
pub fn format_tick(v: f32) -> String {
    let a = v.abs();
    let s = if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{a:.0}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{a:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if v < 0.0 && s != "0" {
        format!("\u{2212}{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::format_tick;

    #[test]
    fn ticks() {
        assert_eq!(format_tick(2.5), "2.5");
        assert_eq!(format_tick(4.0), "4");
        assert_eq!(format_tick(-4.857), "\u{2212}4.86");
        assert_eq!(format_tick(0.01234), "0.0123");
        assert_eq!(format_tick(1234.5), "1234");
    }
}

#[cfg(test)]
mod extent_tests {
    use super::extent;
    use crate::color::{cmap::Colormap, Bound, ColorMapping, OverlayStyle, Sign};

    fn mapping(thr: f32, lo: f32, hi: f32, data: &[f32]) -> ColorMapping {
        let style = OverlayStyle {
            cmap: Colormap::from_name("heat").expect("heat"),
            threshold: Some(Bound::Value(thr)),
            range: Some((Bound::Value(lo), Bound::Value(hi))),
            sign: Sign::Abs,
            symmetric: false,
        };
        ColorMapping::resolve(&style, &[data]).expect("mapping")
    }

    #[test]
    fn ticks_at_threshold_and_range_ends() {
        let (a, b, mut t) = extent(&mapping(3.0, 2.0, 5.0, &[-6.0, 6.0]));
        assert_eq!((a, b), (-5.0, 5.0));
        t.sort_by(f32::total_cmp);
        assert_eq!(t, vec![-5.0, -3.0, -2.0, 2.0, 3.0, 5.0]);
        let (_, b, t) = extent(&mapping(6.0, 2.0, 4.0, &[7.0]));
        assert_eq!(b, 6.0, "a threshold above MAX is still on the bar");
        assert!(t.contains(&6.0));
    }

    #[test]
    fn collapsed_range_still_spans() {
        let (a, b, _) = extent(&mapping(0.0, 0.0, 0.0, &[-1.0, 1.0]));
        assert!(b > a);
    }
}
