//! The colour bar: drawn from the same [`ColorMapping`] as the surfaces, so it shows
//! exactly what is drawn, including the transparent band of a thresholded two-sided map.

use std::ops::Range;

use image::RgbaImage;

use crate::color::{ColorMapping, Sign};
use crate::text::{self, Align};

mod file;
pub use file::{file_bytes, file_is_svg, write_file};

/// Height of the colour bar strip in units of 1% of the figure width.
pub const UNITS: f32 = 10.0;
/// Extra height for a caption under the ticks.
pub const LABEL_UNITS: f32 = 4.0;
/// Width of the strip a vertical colour bar needs, in decoration units: the bar, its
/// ticks and the widest tick label, or the caption above it if that is wider. Text width
/// grows linearly with its size, so it is measured at one pixel per unit.
pub fn side_units(m: &ColorMapping, style: &BarStyle) -> f32 {
    side_width(m, style, 1.0)
}

/// `side_units` with the text `text_scale` times its default size.
fn side_width(m: &ColorMapping, style: &BarStyle, text_scale: f32) -> f32 {
    let (_, _, ticks) = ticks_by_importance(m, style);
    let widest = |texts: &mut dyn Iterator<Item = String>| {
        texts
            .map(|t| text::measure(&t, FONT).0 * text_scale)
            .fold(0.0f32, f32::max)
    };
    let labels = widest(&mut ticks.iter().map(|&t| style.format.format(t)));
    let caption = widest(&mut style.caption.iter().cloned());
    (1.5 + BAR_HEIGHT + TICK + 0.4 + labels + 1.5).max(1.5 + caption + 1.5)
}

/// Width of the strip that vertical bars standing side by side need, in decoration units:
/// each bar has a sub-strip of its own `side_units`.
pub fn side_units_all(bars: &[(&ColorMapping, BarStyle)]) -> f32 {
    bars.iter().map(|(m, style)| side_units(m, style)).sum()
}

/// Width in pixels of the strip that vertical bars standing side by side take at unit
/// `u`, with their text at its actual size.
pub fn side_px_all(bars: &[(&ColorMapping, BarStyle)], u: f32) -> f32 {
    bars.iter().map(|(m, style)| side_px(m, style, u)).sum()
}

/// Width in pixels of a vertical bar's sub-strip at unit `u`: `side_units`, unless the
/// style fixes the text size, which the units cannot know (they are planned before `u`).
/// Measuring that text keeps its labels clear of the next bar.
fn side_px(m: &ColorMapping, style: &BarStyle, u: f32) -> f32 {
    match style.font_px {
        None => side_units(m, style) * u,
        Some(px) => side_width(m, style, px / (FONT * u)) * u,
    }
}

const BAR_TOP: f32 = 1.5;
const BAR_HEIGHT: f32 = 2.2;
const TICK: f32 = 0.8;
/// Text size of tick labels and captions, in decoration units (panel captions too).
pub(crate) const FONT: f32 = 2.3;
/// A lone bar spans this share of the figure width, centred.
const BAR_WIDTH: f32 = 0.4;
/// Bars side by side span this share of their slots (see `bar_extent`).
const SHARED_BAR_WIDTH: f32 = 0.7;
/// Clear space on each side of a tick label, in units.
const LABEL_GAP: f32 = 0.6;

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
        // A collapsed range (constant data, MIN = MAX) colours everything from MIN up with
        // the top colour: the bar widens upwards only, so it shows that colour alone.
        top += (0.1 * top.abs()).max(1e-3);
        if top - bottom <= 0.0 {
            bottom = (bottom - 1e-3).max(0.0);
        }
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

/// The ticks of a bar without `--cbar-ticks`: the threshold, the range ends the user typed
/// as numbers (as typed), and, unless both ends were typed, round numbers ([`nice_ticks`])
/// on each side drawn. A range end that came from a percentile or the default gets no
/// tick of its own: its value (0.0108) says less than the round numbers beside it, and
/// the bar's end shows where the colours saturate.
fn default_ticks(m: &ColorMapping, vmin: f32, vmax: f32) -> Vec<f32> {
    let t = m.typed;
    let mut side = Vec::new();
    if m.threshold > 0.0 {
        side.push(m.threshold);
    }
    if t.lo {
        side.push(m.lo);
    }
    if t.hi {
        side.push(m.hi);
    }
    if !(t.lo && t.hi) {
        let (bottom, top) = match m.sign {
            Sign::Pos => (vmin, vmax),
            Sign::Neg => (-vmax, -vmin),
            Sign::Abs => (
                if m.threshold > 0.0 {
                    m.threshold.min(m.lo)
                } else {
                    m.lo
                },
                vmax,
            ),
        };
        side.extend(nice_ticks(bottom, top));
    }
    match m.sign {
        Sign::Pos => side,
        Sign::Neg => side.into_iter().map(|v| -v).collect(),
        Sign::Abs => side.into_iter().flat_map(|v| [v, -v]).collect(),
    }
}

/// Round numbers in `[lo, hi]` (0 <= lo <= hi): the multiples of the largest step of
/// 1, 2, 2.5 or 5 times a power of ten that gives at least three of them.
pub fn nice_ticks(lo: f32, hi: f32) -> Vec<f32> {
    let (lo, hi) = (f64::from(lo), f64::from(hi));
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return Vec::new();
    }
    // A hair of slack so that an end that is itself round (0, or 1 written as 0.99999994)
    // keeps its tick.
    let eps = span * 1e-6;
    let mut exp = (span / 2.0).log10().floor() as i32 + 1;
    for _ in 0..8 {
        for mant in [5.0, 2.5, 2.0, 1.0] {
            let step = mant * 10f64.powi(exp);
            let first = ((lo - eps) / step).ceil() as i64;
            let last = ((hi + eps) / step).floor() as i64;
            if last - first + 1 >= 3 {
                return (first..=last)
                    .map(|k| {
                        // k * step in decimal, so that 0.1 * 3 prints as 0.3.
                        let v = k as f64 * step;
                        let digits = (-exp + 1).max(0) as usize;
                        format!("{v:.digits$}").parse::<f32>().unwrap_or(v as f32)
                    })
                    .collect();
            }
        }
        exp -= 1;
    }
    Vec::new()
}

/// The bar's value range and its tick values, most important first (range top, threshold,
/// bottom; positive before negative) and without duplicates, so that a label which would
/// overlap an earlier one can simply be skipped.
fn ticks_by_importance(m: &ColorMapping, style: &BarStyle) -> (f32, f32, Vec<f32>) {
    let (vmin, vmax, _) = extent(m);
    let mut ticks =
        even_ticks(m, style, vmin, vmax).unwrap_or_else(|| default_ticks(m, vmin, vmax));
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
    /// How tick labels are written.
    pub format: TickFormat,
    /// Tick and caption text size in pixels, instead of one scaled to the figure.
    pub font_px: Option<f32>,
}

/// Draws the bar across the whole width, with its strip starting at `top`; `u` is the
/// decoration unit.
pub fn draw(
    img: &mut RgbaImage,
    m: &ColorMapping,
    top: u32,
    u: f32,
    ink: [u8; 3],
    style: &BarStyle,
) {
    let w = img.width() as f32;
    draw_in(img, m, 0.0..w, top, u, ink, style);
}

/// Draws every bar in the one strip starting at `top`, each centred in an equal share of
/// the width, in order from left to right.
pub fn draw_all(
    img: &mut RgbaImage,
    bars: &[(&ColorMapping, BarStyle)],
    top: u32,
    u: f32,
    ink: [u8; 3],
) {
    let w = img.width() as f32;
    for (i, (m, style)) in bars.iter().enumerate() {
        draw_in(img, m, slot(w, i, bars.len()), top, u, ink, style);
    }
}

/// The `i`-th of `n` equal slots across `width` pixels.
fn slot(width: f32, i: usize, n: usize) -> Range<f32> {
    let n = n.max(1) as f32;
    width * i as f32 / n..width * (i + 1) as f32 / n
}

/// Where a horizontal bar lies in its slot, in pixels (unrounded). A bar alone in the
/// figure keeps its long-standing proportions: 40% of the width, at most 40 units. Bars
/// that share the strip get a larger part of their narrower slots, 70% but at most 40
/// units, so that each stays long enough to read; and they leave room at both ends for
/// the widest tick label, so that every label stays inside its own slot and never meets
/// a neighbour's.
fn bar_extent(
    m: &ColorMapping,
    style: &BarStyle,
    slot: &Range<f32>,
    alone: bool,
    u: f32,
) -> (f32, f32) {
    let slot_w = slot.end - slot.start;
    let bar_w = if alone {
        (slot_w * BAR_WIDTH).min(40.0 * u)
    } else {
        let px = style.font_px.unwrap_or(FONT * u);
        let (_, _, ticks) = ticks_by_importance(m, style);
        let widest = ticks
            .iter()
            .map(|&t| text::measure(&style.format.format(t), px).0)
            .fold(0.0f32, f32::max);
        (slot_w * SHARED_BAR_WIDTH)
            .min(40.0 * u)
            .min(slot_w - widest - 2.0 * LABEL_GAP * u)
            // Labels too wide for any bar: keep a bar and let the labels be moved in.
            .max(slot_w * 0.25)
    };
    let x0 = slot.start + (slot_w - bar_w) / 2.0;
    (x0, x0 + bar_w)
}

/// Draws a bar centred in the horizontal span `slot` of the strip starting at `top`. Its
/// labels and caption are kept inside the slot, so that bars side by side never overlap.
/// A bar whose slot is the whole width is the figure's only bar and spans 40% of it (at
/// most 40 units), as it always has; a bar sharing the strip spans 70% of its slot, at
/// most 40 units, and less where the widest tick label needs the room (`bar_extent`).
pub fn draw_in(
    img: &mut RgbaImage,
    m: &ColorMapping,
    slot: Range<f32>,
    top: u32,
    u: f32,
    ink: [u8; 3],
    style: &BarStyle,
) {
    let alone = slot.start <= 0.0 && slot.end >= img.width() as f32;
    let (x0, x1) = bar_extent(m, style, &slot, alone, u);
    let (x0, x1) = (x0.round(), x1.round());
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
    let px = style.font_px.unwrap_or(FONT * u);
    let slot_w = slot.end - slot.start;
    if let Some(c) = &style.caption {
        // A caption wider than its slot shrinks to fit, as a long title does.
        let (cw, _) = text::measure(c, px);
        let cap_px = if cw > 0.96 * slot_w {
            px * 0.96 * slot_w / cw
        } else {
            px
        };
        let cap_top = y1 + TICK * u + 0.3 * u + px * 1.25 + 0.6 * u;
        let centre = slot.start + slot_w / 2.0;
        text::draw(img, c, centre, cap_top, cap_px, Align::Center, ink);
    }
    // Labels that would overlap an earlier (more important) one are skipped.
    let mut taken: Vec<(f32, f32)> = Vec::new();
    for t in ticks {
        let x = x0 + (t - vmin) / span * (x1 - x0 - 1.0);
        let label = style.format.format(t);
        let (lw, _) = text::measure(&label, px);
        // Moved in, not cut, where it would cross the slot's edge.
        let at = if lw < slot_w {
            x.clamp(slot.start + lw / 2.0, slot.end - lw / 2.0)
        } else {
            x
        };
        if !claim(
            &mut taken,
            at - lw / 2.0 - LABEL_GAP * u,
            at + lw / 2.0 + LABEL_GAP * u,
        ) {
            continue;
        }
        let [a, b] = tick_span(x, u);
        fill_rect(img, [a, y1 as u32, b, (y1 + TICK * u) as u32], ink);
        text::draw(
            img,
            &label,
            at,
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
/// zero, then the bottom and round numbers (in that order where they tie); positive
/// before negative.
fn importance(m: &ColorMapping, t: f32) -> f32 {
    let near = |a: f32, b: f32| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    let rank = if near(t.abs(), m.hi) {
        3.0
    } else if m.threshold > 0.0 && near(t.abs(), m.threshold) {
        2.0
    } else if t == 0.0 {
        1.5
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

/// Draws vertical bars side by side from `left`, between `top` and `bottom`, each in a
/// sub-strip as wide as its `side_units`.
pub fn draw_vertical_all(
    img: &mut RgbaImage,
    bars: &[(&ColorMapping, BarStyle)],
    left: u32,
    top: u32,
    bottom: u32,
    u: f32,
    ink: [u8; 3],
) {
    let mut offset = 0.0;
    for (m, style) in bars {
        // Rounded from the running sum, so that rounding errors do not add up.
        let at = (left as f32 + offset).round() as u32;
        draw_vertical(img, m, at, top, bottom, u, ink, style);
        offset += side_px(m, style, u);
    }
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

/// A tick format, as the command line and spec files give it (one message for both).
impl std::str::FromStr for TickFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        TickFormat::parse(s).ok_or_else(|| format!("'{s}': expected auto, %.Nf or %.Ne"))
    }
}

#[cfg(test)]
mod tests;
