//! The colour bars alone, as PNG or SVG, for figures assembled elsewhere.

use std::fmt::Write as _;
use std::path::Path;

use image::RgbaImage;

use super::{
    bar_extent, default_ticks, draw_all, draw_vertical_all, even_ticks, extent, side_px,
    side_px_all, slot, BarStyle, BAR_HEIGHT, BAR_TOP, FONT, LABEL_UNITS, TICK, UNITS,
};
use crate::color::ColorMapping;
use crate::error::{Error, Result};
use crate::spec::Background;
use crate::text;

/// Pixels per decoration unit in a colour bar file.
const U: f32 = 8.0;
/// Width of each horizontal bar's slot, and height of an image of vertical bars, in pixels.
const SIDE: u32 = 800;
/// Colour steps per bar in SVG: one rectangle each.
const STEPS: usize = 256;

/// Whether `path` names an SVG file (else a PNG one). Anything else is refused, so that a
/// mistyped extension is not silently written as PNG; the command line calls this before
/// rendering, so that the mistake costs nothing.
pub fn file_is_svg(path: &Path) -> Result<bool> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("svg") {
        Ok(true)
    } else if ext.eq_ignore_ascii_case("png") {
        Ok(false)
    } else {
        Err(Error::Usage(format!(
            "colour bar file {}: unknown file type; expected .png or .svg",
            path.display()
        )))
    }
}

/// Writes the colour bars alone, side by side in the order given, as PNG or (by the
/// `.svg` extension) SVG. Horizontal bars get an 800-pixel slot each, as in a figure's
/// strip; vertical ones stand in an image 800 pixels tall, values increasing upwards. The
/// SVG has the same geometry and draws one rectangle per colour step, so it stays sharp at
/// any size.
pub fn write_file(
    path: &Path,
    bars: &[(&ColorMapping, BarStyle)],
    vertical: bool,
    background: Background,
) -> Result<()> {
    crate::output::write_atomic(path, &file_bytes(path, bars, vertical, background)?)
}

/// The bytes [`write_file`] writes to `path`, for
/// [`output::write_figure`](crate::output::write_figure), which puts them in place with
/// the figure.
pub fn file_bytes(
    path: &Path,
    bars: &[(&ColorMapping, BarStyle)],
    vertical: bool,
    background: Background,
) -> Result<Vec<u8>> {
    let svg = file_is_svg(path)?;
    if bars.is_empty() {
        return Err(Error::Usage(format!(
            "colour bar file {}: there is no colour bar to write",
            path.display()
        )));
    }
    let (w, h) = if vertical {
        (side_px_all(bars, U).round().max(1.0) as u32, SIDE)
    } else {
        let caption = bars.iter().any(|(_, s)| s.caption.is_some());
        let units = UNITS + if caption { LABEL_UNITS } else { 0.0 };
        (SIDE * bars.len() as u32, (units * U).round() as u32)
    };
    if svg {
        let body = if vertical {
            svg_vertical(bars, h, background)
        } else {
            svg_horizontal(bars, w, background)
        };
        return Ok(svg_document(w, h, background, &body).into_bytes());
    }
    let fill = match background {
        Background::Color(c) => image::Rgba([c[0], c[1], c[2], 255]),
        Background::Transparent => image::Rgba([0, 0, 0, 0]),
    };
    let mut img = RgbaImage::from_pixel(w, h, fill);
    let ink = background.ink();
    if vertical {
        draw_vertical_all(&mut img, bars, 0, 0, h, U, ink);
    } else {
        draw_all(&mut img, bars, 0, U, ink);
    }
    crate::output::encode_png(
        path,
        &img,
        background == Background::Transparent,
        &Vec::new(),
        None,
        crate::spec::PngCompression::Fast,
    )
}

fn svg_document(w: u32, h: u32, background: Background, body: &str) -> String {
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    out.push('\n');
    if let Background::Color(c) = background {
        out.push_str(&format!(
            r##"<rect width="{w}" height="{h}" fill="{}"/>"##,
            hex(c)
        ));
        out.push('\n');
    }
    out.push_str(body);
    out.push_str("</svg>\n");
    out
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A `<text>` element with its baseline at `(x, y)`.
fn svg_text(out: &mut String, x: f32, y: f32, px: f32, anchor: &str, ink: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.2}" y="{y:.1}" font-family="DejaVu Sans, sans-serif" font-size="{px:.1}" text-anchor="{anchor}" fill="{ink}">{}</text>"#,
        xml_escape(s)
    );
}

/// The ticks an SVG bar labels: all of them, in value order (a vector drawing can be
/// edited, so none is dropped for overlapping).
fn svg_ticks(m: &ColorMapping, style: &BarStyle) -> (f32, f32, Vec<f32>) {
    let (vmin, vmax, _) = extent(m);
    let mut ticks =
        even_ticks(m, style, vmin, vmax).unwrap_or_else(|| default_ticks(m, vmin, vmax));
    let span = (vmax - vmin).max(f32::EPSILON);
    ticks.sort_by(f32::total_cmp);
    ticks.dedup_by(|a, b| (*a - *b).abs() <= span * 1e-6);
    (vmin, vmax, ticks)
}

/// Horizontal bars in slots across `w` pixels, as `draw_all` lays them out.
fn svg_horizontal(bars: &[(&ColorMapping, BarStyle)], w: u32, background: Background) -> String {
    let ink = hex(background.ink());
    let mut out = String::new();
    for (i, (m, style)) in bars.iter().enumerate() {
        let slot = slot(w as f32, i, bars.len());
        let slot_w = slot.end - slot.start;
        let (x0, x1) = bar_extent(m, style, &slot, bars.len() == 1, U);
        let bar_w = x1 - x0;
        let (y0, bh) = (BAR_TOP * U, BAR_HEIGHT * U);
        let (vmin, vmax, ticks) = svg_ticks(m, style);
        let span = (vmax - vmin).max(f32::EPSILON);
        for k in 0..STEPS {
            let v = vmin + (k as f32 + 0.5) / STEPS as f32 * span;
            if let Some(c) = m.rgb(v) {
                let x = x0 + k as f32 / STEPS as f32 * bar_w;
                let _ = writeln!(
                    out,
                    r#"<rect x="{x:.2}" y="{y0}" width="{:.2}" height="{bh}" fill="{}"/>"#,
                    bar_w / STEPS as f32 + 0.05,
                    hex(c)
                );
            }
        }
        let px = style.font_px.unwrap_or(FONT * U);
        for t in ticks {
            let x = x0 + (t - vmin) / span * bar_w;
            let label = style.format.format(t);
            let (lw, _) = text::measure(&label, px);
            let at = if lw < slot_w {
                x.clamp(slot.start + lw / 2.0, slot.end - lw / 2.0)
            } else {
                x
            };
            let _ = write!(
                out,
                r#"<line x1="{x:.2}" y1="{}" x2="{x:.2}" y2="{}" stroke="{ink}" stroke-width="{:.1}"/>"#,
                y0 + bh,
                y0 + bh + TICK * U,
                0.15 * U
            );
            let y = y0 + bh + TICK * U + 0.3 * U + px;
            svg_text(&mut out, at, y, px, "middle", &ink, &label);
            out.push('\n');
        }
        if let Some(c) = &style.caption {
            let (cw, _) = text::measure(c, px);
            let cap_px = if cw > 0.96 * slot_w {
                px * 0.96 * slot_w / cw
            } else {
                px
            };
            let centre = slot.start + slot_w / 2.0;
            let y = y0 + bh + TICK * U + 0.3 * U + px * 2.25 + 0.6 * U;
            svg_text(&mut out, centre, y, cap_px, "middle", &ink, c);
            out.push('\n');
        }
    }
    out
}

/// Vertical bars side by side in an image `h` pixels tall, as `draw_vertical_all` lays
/// them out.
fn svg_vertical(bars: &[(&ColorMapping, BarStyle)], h: u32, background: Background) -> String {
    let ink = hex(background.ink());
    let mut out = String::new();
    let mut offset = 0.0f32;
    for (m, style) in bars {
        let left = offset.round();
        offset += side_px(m, style, U);
        // The geometry of `draw_vertical`.
        let px = style.font_px.unwrap_or(FONT * U);
        let cap = if style.caption.is_some() {
            px * 2.0
        } else {
            0.0
        };
        let x0 = left + 1.5 * U;
        let x1 = x0 + (BAR_HEIGHT * U).round().max(2.0);
        let avail = (h as f32 - cap).max(4.0);
        let bar_h = (avail * 0.6).min(60.0 * U);
        let y_top = cap + (avail - bar_h) / 2.0;
        let y_bot = y_top + bar_h;
        let (vmin, vmax, ticks) = svg_ticks(m, style);
        let span = (vmax - vmin).max(f32::EPSILON);
        for k in 0..STEPS {
            let v = vmin + (k as f32 + 0.5) / STEPS as f32 * span;
            if let Some(c) = m.rgb(v) {
                let y = y_bot - (k + 1) as f32 / STEPS as f32 * bar_h;
                let _ = writeln!(
                    out,
                    r#"<rect x="{x0:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
                    x1 - x0,
                    bar_h / STEPS as f32 + 0.05,
                    hex(c)
                );
            }
        }
        for t in ticks {
            let y = y_top + (vmax - t) / span * bar_h;
            let _ = write!(
                out,
                r#"<line x1="{x1:.2}" y1="{y:.2}" x2="{:.2}" y2="{y:.2}" stroke="{ink}" stroke-width="{:.1}"/>"#,
                x1 + TICK * U,
                0.15 * U
            );
            // Baseline placed so that the digits are centred on the tick.
            let (x, y) = (x1 + TICK * U + 0.4 * U, y + 0.36 * px);
            svg_text(&mut out, x, y, px, "start", &ink, &style.format.format(t));
            out.push('\n');
        }
        if let Some(c) = &style.caption {
            svg_text(&mut out, x0, 0.3 * cap + px, px, "start", &ink, c);
            out.push('\n');
        }
    }
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
