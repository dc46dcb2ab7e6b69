//! The colour bar: drawn from the same [`ColorMapping`] as the surfaces, so it shows
//! exactly what is drawn, including the transparent band of a thresholded two-sided map.

use image::RgbaImage;

use crate::color::{ColorMapping, Sign};
use crate::text::{self, Align};

/// Height of the colour bar strip in units of 1% of the figure width.
pub const UNITS: f32 = 10.0;
/// Extra height for a caption under the ticks.
pub const LABEL_UNITS: f32 = 4.0;
/// Width of the strip a vertical colour bar needs, in decoration units: the bar, its
/// ticks and the widest tick label, or the caption above it if that is wider. Text width
/// grows linearly with its size, so it is measured at one pixel per unit.
pub fn side_units(m: &ColorMapping, style: &BarStyle) -> f32 {
    let (_, _, ticks) = ticks_by_importance(m, style);
    let widest = |texts: &mut dyn Iterator<Item = String>| {
        texts
            .map(|t| text::measure(&t, FONT).0)
            .fold(0.0f32, f32::max)
    };
    let labels = widest(&mut ticks.iter().map(|&t| style.format.format(t)));
    let caption = widest(&mut style.caption.iter().cloned());
    (1.5 + BAR_HEIGHT + TICK + 0.4 + labels + 1.5).max(1.5 + caption + 1.5)
}
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
    if top - bottom <= 2e-3 * top.abs().max(1.0) {
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

/// How tick labels are written (`--cbar-format`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum TickFormat {
    /// Three significant digits, trailing zeros dropped.
    #[default]
    Auto,
    /// `%.Nf`
    Fixed(usize),
    /// `%.Ne`
    Exp(usize),
}

impl TickFormat {
    /// `auto`, `%g`, `%.2f` or `%.1e`.
    pub fn parse(s: &str) -> Option<TickFormat> {
        let s = s.trim();
        if s == "auto" || s == "%g" {
            return Some(TickFormat::Auto);
        }
        let body = s.strip_prefix("%.")?;
        let (digits, kind) = body.split_at(body.len().checked_sub(1)?);
        let n: usize = digits.parse().ok().filter(|&n| n <= 10)?;
        match kind {
            "f" => Some(TickFormat::Fixed(n)),
            "e" => Some(TickFormat::Exp(n)),
            _ => None,
        }
    }

    fn format(self, v: f32) -> String {
        let a = v.abs();
        let body = match self {
            TickFormat::Auto => return format_tick(v),
            TickFormat::Fixed(n) => format!("{a:.n$}"),
            // printf's style: 2.8e+00, 1.5e-03.
            TickFormat::Exp(n) => {
                let s = format!("{a:.n$e}");
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            }
        };
        // A true minus sign, and none on a zero that rounding made negative.
        let zero = body.chars().all(|c| !c.is_ascii_digit() || c == '0');
        if v < 0.0 && !zero {
            format!("\u{2212}{body}")
        } else {
            body
        }
    }
}

/// `--cbar-ticks N`: N evenly spaced ticks over each side that is drawn (both halves of
/// a two-sided bar), or `None` to keep the threshold and range ends.
fn even_ticks(m: &ColorMapping, style: &BarStyle, vmin: f32, vmax: f32) -> Option<Vec<f32>> {
    let n = style.ticks.filter(|&n| n >= 2)?;
    let (lo, hi) = match m.sign {
        Sign::Abs => {
            let bottom = if m.threshold > 0.0 {
                m.threshold.min(m.lo)
            } else {
                m.lo
            };
            (bottom, vmax)
        }
        _ => (vmin, vmax),
    };
    let side = (0..n).map(|k| lo + (hi - lo) * k as f32 / (n - 1) as f32);
    Some(match m.sign {
        Sign::Abs => side.flat_map(|t| [t, -t]).collect(),
        _ => side.collect(),
    })
}

/// The bar's value range and its tick values, most important first (range top, threshold,
/// bottom; positive before negative) and without duplicates, so that a label which would
/// overlap an earlier one can simply be skipped.
fn ticks_by_importance(m: &ColorMapping, style: &BarStyle) -> (f32, f32, Vec<f32>) {
    let (vmin, vmax, ticks) = extent(m);
    let mut ticks = even_ticks(m, style, vmin, vmax).unwrap_or(ticks);
    let span = (vmax - vmin).max(f32::EPSILON);
    ticks.sort_by(|a, b| importance(m, *b).total_cmp(&importance(m, *a)));
    ticks.dedup_by(|a, b| (*a - *b).abs() <= span * 1e-6);
    (vmin, vmax, ticks)
}

/// The colour bar's text and ticks.
#[derive(Debug, Clone, Default)]
pub struct BarStyle {
    /// Caption under the tick labels.
    pub caption: Option<String>,
    /// Evenly spaced ticks per drawn side instead of ticks at the threshold and range ends.
    pub ticks: Option<usize>,
    pub format: TickFormat,
    /// Tick and caption text size in pixels, instead of one scaled to the figure.
    pub font_px: Option<f32>,
}

/// Draws the bar with its strip starting at `top`; `u` is the decoration unit.
pub fn draw(
    img: &mut RgbaImage,
    m: &ColorMapping,
    top: u32,
    u: f32,
    ink: [u8; 3],
    style: &BarStyle,
) {
    let w = img.width() as f32;
    // A share of the width, but not wider than 40 units on a wide row of panels.
    let bar_w = (w * BAR_WIDTH).min(40.0 * u);
    let x0 = ((w - bar_w) / 2.0).round();
    let x1 = ((w + bar_w) / 2.0).round();
    let y0 = top as f32 + (BAR_TOP * u).round();
    let y1 = y0 + (BAR_HEIGHT * u).round().max(2.0);
    let (vmin, vmax, ticks) = ticks_by_importance(m, style);
    let span = (vmax - vmin).max(f32::EPSILON);
    let value_at = |x: f32| vmin + (x - x0) / (x1 - x0 - 1.0).max(1.0) * span;
    for x in x0 as u32..x1 as u32 {
        // Sampled at the column's value; the threshold gap stays background.
        if let Some(c) = m.rgb(value_at(x as f32)) {
            fill_rect(img, [x, y0 as u32, x + 1, y1 as u32], c);
        }
    }
    // Labels that would overlap an earlier (more important) one are skipped.
    let px = style.font_px.unwrap_or(FONT * u);
    if let Some(c) = &style.caption {
        let cap_top = y1 + TICK * u + 0.3 * u + px * 1.25 + 0.6 * u;
        text::draw(img, c, w / 2.0, cap_top, px, Align::Center, ink);
    }
    let mut taken: Vec<(f32, f32)> = Vec::new();
    for t in ticks {
        let x = x0 + (t - vmin) / span * (x1 - x0 - 1.0);
        let label = style.format.format(t);
        let (lw, _) = text::measure(&label, px);
        if !claim(&mut taken, x - lw / 2.0 - 0.6 * u, x + lw / 2.0 + 0.6 * u) {
            continue;
        }
        let [a, b] = tick_span(x, u);
        fill_rect(img, [a, y1 as u32, b, (y1 + TICK * u) as u32], ink);
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

/// Fills `[x0, y0, x1, y1)` with an opaque colour, clipped to the image.
fn fill_rect(img: &mut RgbaImage, [x0, y0, x1, y1]: [u32; 4], c: [u8; 3]) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, image::Rgba([c[0], c[1], c[2], 255]));
        }
    }
}

/// The pixel span `[start, end)` of a tick mark centred on `at`, 0.15 units thick.
fn tick_span(at: f32, u: f32) -> [u32; 2] {
    let w = (0.15 * u).round().max(1.0) as i64;
    let start = at.round() as i64 - w / 2;
    [start.max(0) as u32, (start + w).max(0) as u32]
}

/// Takes the span `[a, b]` for a label unless an earlier label holds part of it.
fn claim(taken: &mut Vec<(f32, f32)>, a: f32, b: f32) -> bool {
    if taken.iter().any(|&(p, q)| a < q && p < b) {
        return false;
    }
    taken.push((a, b));
    true
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
            opacity: 1.0,
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

/// Writes the colour bar alone, as PNG or (by the `.svg` extension) SVG, for figures
/// assembled elsewhere. The PNG is 800 pixels wide; the SVG draws one rectangle per
/// colour step, so it stays sharp at any size.
pub fn write_file(
    path: &std::path::Path,
    m: &ColorMapping,
    style: &BarStyle,
    background: crate::spec::Background,
) -> crate::error::Result<()> {
    use crate::spec::Background;
    let u = 8.0;
    let units = UNITS
        + if style.caption.is_some() {
            LABEL_UNITS
        } else {
            0.0
        };
    let (w, h) = (800u32, (units * u).round() as u32);
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !svg {
        let fill = match background {
            Background::Color(c) => image::Rgba([c[0], c[1], c[2], 255]),
            Background::Transparent => image::Rgba([0, 0, 0, 0]),
        };
        let mut img = RgbaImage::from_pixel(w, h, fill);
        draw(&mut img, m, 0, u, background.ink(), style);
        return crate::output::write_png(
            path,
            &img,
            background == Background::Transparent,
            &Vec::new(),
            None,
        );
    }
    // SVG: the same geometry as `draw`, in user units of pixels.
    let (vmin, vmax, ticks) = extent(m);
    let ticks = even_ticks(m, style, vmin, vmax).unwrap_or(ticks);
    let span = (vmax - vmin).max(f32::EPSILON);
    let (x0, bar_w) = (w as f32 * (1.0 - BAR_WIDTH) / 2.0, w as f32 * BAR_WIDTH);
    let (y0, bh) = (BAR_TOP * u, BAR_HEIGHT * u);
    let ink = background.ink();
    let ink = format!("#{:02x}{:02x}{:02x}", ink[0], ink[1], ink[2]);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    out.push('\n');
    if let Background::Color(c) = background {
        out.push_str(&format!(
            r##"<rect width="{w}" height="{h}" fill="#{:02x}{:02x}{:02x}"/>"##,
            c[0], c[1], c[2]
        ));
        out.push('\n');
    }
    let steps = 256;
    for k in 0..steps {
        let v = vmin + (k as f32 + 0.5) / steps as f32 * span;
        if let Some(c) = m.rgb(v) {
            let x = x0 + k as f32 / steps as f32 * bar_w;
            out.push_str(&format!(
                r##"<rect x="{x:.2}" y="{y0}" width="{:.2}" height="{bh}" fill="#{:02x}{:02x}{:02x}"/>"##,
                bar_w / steps as f32 + 0.05,
                c[0],
                c[1],
                c[2]
            ));
            out.push('\n');
        }
    }
    let px = style.font_px.unwrap_or(FONT * u);
    let mut ticks = ticks;
    ticks.sort_by(f32::total_cmp);
    ticks.dedup_by(|a, b| (*a - *b).abs() <= span * 1e-6);
    for t in ticks {
        let x = x0 + (t - vmin) / span * bar_w;
        out.push_str(&format!(
            r#"<line x1="{x:.2}" y1="{}" x2="{x:.2}" y2="{}" stroke="{ink}" stroke-width="{:.1}"/>"#,
            y0 + bh,
            y0 + bh + TICK * u,
            0.15 * u
        ));
        out.push_str(&format!(
            r#"<text x="{x:.2}" y="{:.1}" font-family="DejaVu Sans, sans-serif" font-size="{px:.1}" text-anchor="middle" fill="{ink}">{}</text>"#,
            y0 + bh + TICK * u + 0.3 * u + px,
            xml_escape(&style.format.format(t))
        ));
        out.push('\n');
    }
    if let Some(c) = &style.caption {
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-family="DejaVu Sans, sans-serif" font-size="{px:.1}" text-anchor="middle" fill="{ink}">{}</text>"#,
            w as f32 / 2.0,
            y0 + bh + TICK * u + 0.3 * u + px * 2.25 + 0.6 * u,
            xml_escape(c)
        ));
        out.push('\n');
    }
    out.push_str("</svg>\n");
    crate::output::write_atomic(path, out.as_bytes())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Draws a vertical bar in the strip from `left` to the image's right edge, between `top`
/// and `bottom`: values increase upwards, ticks and labels on its right, the caption above.
#[allow(clippy::too_many_arguments)]
pub fn draw_vertical(
    img: &mut RgbaImage,
    m: &ColorMapping,
    left: u32,
    top: u32,
    bottom: u32,
    u: f32,
    ink: [u8; 3],
    style: &BarStyle,
) {
    let px = style.font_px.unwrap_or(FONT * u);
    let cap = if style.caption.is_some() {
        px * 2.0
    } else {
        0.0
    };
    let x0 = left as f32 + 1.5 * u;
    let x1 = x0 + (BAR_HEIGHT * u).round().max(2.0);
    let avail = (bottom as f32 - top as f32 - cap).max(4.0);
    let bar_h = (avail * 0.6).min(60.0 * u);
    let y_top = top as f32 + cap + (avail - bar_h) / 2.0;
    let y_bot = y_top + bar_h;
    let (vmin, vmax, ticks) = ticks_by_importance(m, style);
    let span = (vmax - vmin).max(f32::EPSILON);
    let value_at = |y: f32| vmax - (y - y_top) / (bar_h - 1.0).max(1.0) * span;
    for y in y_top as u32..y_bot as u32 {
        if let Some(c) = m.rgb(value_at(y as f32)) {
            fill_rect(img, [x0 as u32, y, x1 as u32, y + 1], c);
        }
    }
    if let Some(c) = &style.caption {
        text::draw(img, c, x0, top as f32 + 0.3 * cap, px, Align::Left, ink);
    }
    let mut taken: Vec<(f32, f32)> = Vec::new();
    for t in ticks {
        let y = y_top + (vmax - t) / span * (bar_h - 1.0);
        if !claim(&mut taken, y - 0.7 * px, y + 0.7 * px) {
            continue;
        }
        let [a, b] = tick_span(y, u);
        fill_rect(img, [x1 as u32, a, (x1 + TICK * u) as u32, b], ink);
        text::draw(
            img,
            &style.format.format(t),
            x1 + TICK * u + 0.4 * u,
            y - 0.58 * px,
            px,
            Align::Left,
            ink,
        );
    }
}

#[cfg(test)]
mod format_tests {
    use super::TickFormat;

    #[test]
    fn printf_like_formats() {
        assert_eq!(
            TickFormat::parse("%.1e").map(|f| f.format(2.8)),
            Some("2.8e+00".to_string())
        );
        assert_eq!(
            TickFormat::parse("%.1e").map(|f| f.format(-0.0015)),
            Some("\u{2212}1.5e-03".to_string())
        );
        assert_eq!(
            TickFormat::parse("%.2f").map(|f| f.format(-0.001)),
            Some("0.00".to_string())
        );
        assert_eq!(TickFormat::parse("%d"), None);
    }
}
