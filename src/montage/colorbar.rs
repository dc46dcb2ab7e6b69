//! The colour bar: drawn from the same [`ColorMapping`] as the surfaces, so it shows
//! exactly what is drawn, including the transparent band of a thresholded two-sided map.

use image::RgbaImage;

use crate::color::{ColorMapping, Sign};
use crate::text::{self, Align};

/// Height of the colour bar strip in units of 1% of the figure width.
pub const UNITS: f32 = 10.0;
const BAR_TOP: f32 = 1.5;
const BAR_HEIGHT: f32 = 2.2;
const TICK: f32 = 0.8;
const FONT: f32 = 2.3;
/// The bar spans this share of the figure width, centred.
const BAR_WIDTH: f32 = 0.4;

/// Value range shown by the bar and the values that get tick labels.
pub fn extent(m: &ColorMapping) -> (f32, f32, Vec<f32>) {
    let bottom = if m.threshold > 0.0 {
        m.threshold.min(m.lo)
    } else {
        m.lo
    };
    let mut ticks = vec![bottom, m.hi];
    if m.threshold > 0.0 && m.lo > m.threshold {
        ticks.push(m.lo);
    }
    match m.sign {
        Sign::Pos => (bottom, m.hi, ticks),
        Sign::Neg => (-m.hi, -bottom, ticks.into_iter().map(|t| -t).collect()),
        Sign::Abs => {
            let mut both: Vec<f32> = ticks.iter().map(|t| -t).collect();
            both.extend(ticks);
            (-m.hi, m.hi, both)
        }
    }
}

/// Draws the bar with its strip starting at `top`; `u` is 1% of the figure width.
pub fn draw(img: &mut RgbaImage, m: &ColorMapping, top: u32, u: f32, ink: [u8; 3]) {
    let w = img.width() as f32;
    let x0 = (w * (1.0 - BAR_WIDTH) / 2.0).round();
    let x1 = (w * (1.0 + BAR_WIDTH) / 2.0).round();
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

fn importance(m: &ColorMapping, t: f32) -> f32 {
    if (t.abs() - m.hi).abs() <= f32::EPSILON * m.hi.abs().max(1.0) {
        2.0
    } else {
        1.0
    }
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
