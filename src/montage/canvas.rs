//! The figure's pixels once the layout is planned: the backdrop (background, title,
//! colour bars, captions) and the panels set in it.

use image::RgbaImage;

use super::{colorbar, Plan};
use crate::color::ColorMapping;
use crate::spec::Background;
use crate::text::{self, Align};

/// The title's text height, in units of 1% of the figure width (its strip is
/// `TITLE_UNITS`).
const TITLE_FONT: f32 = 3.6;

/// Composes the figure: background, panels (premultiplied RGBA), title and colour bars,
/// one per entry of `bars`, side by side in the order given (`bars` is empty for a figure
/// without colour bar).
/// Panel captions are `font_px` pixels high if given (the colour bars' text size, so
/// that the figure's small text matches), else sized by the plan. Returns straight-alpha
/// RGBA.
pub fn compose(
    plan: &Plan,
    images: &[RgbaImage],
    background: Background,
    bars: &[(&ColorMapping, colorbar::BarStyle)],
    title: Option<&str>,
    font_px: Option<f32>,
) -> RgbaImage {
    let backdrop = backdrop(plan, background, bars, title, font_px);
    into_panels(backdrop, plan, images)
}

/// The figure without its panels, centred in its canvas: background, title, colour bars
/// and captions, which lie in strips and margins apart from the panels. A sequence draws
/// it once and sets each frame's panels in a copy ([`with_panels`]).
pub fn backdrop(
    plan: &Plan,
    background: Background,
    bars: &[(&ColorMapping, colorbar::BarStyle)],
    title: Option<&str>,
    font_px: Option<f32>,
) -> RgbaImage {
    let fill = fill(background);
    let mut out = blank(plan.width, plan.height, fill);
    let ink = background.ink();
    let u = plan.unit;
    if let Some(t) = title {
        // A long title shrinks to fit the width rather than being cut at both edges.
        let full = TITLE_FONT * u;
        let (w, _) = text::measure(t, full);
        let px = if w > 0.96 * plan.width as f32 {
            full * 0.96 * plan.width as f32 / w
        } else {
            full
        };
        let top = (plan.title_height as f32 - px * 1.17) / 2.0;
        text::draw(
            &mut out,
            t,
            plan.width as f32 / 2.0,
            top.max(0.0),
            px,
            Align::Center,
            ink,
        );
    }
    if let Some(left) = plan.colorbar_side {
        let top = plan.title_height;
        colorbar::draw_vertical_all(&mut out, bars, left, top, plan.height, u, ink);
    } else if plan.colorbar_top < plan.height {
        colorbar::draw_all(&mut out, bars, plan.colorbar_top, u, ink);
    }
    for (text, x, y) in &plan.labels {
        let px = font_px.unwrap_or(plan.label_px);
        text::draw(&mut out, text, *x, *y, px, Align::Left, ink);
    }
    if plan.canvas == (plan.width, plan.height) {
        return out;
    }
    let mut canvas = blank(plan.canvas.0, plan.canvas.1, fill);
    let (x0, y0) = (plan.offset.0 as usize * 4, plan.offset.1 as usize);
    let stride = plan.canvas.0 as usize * 4;
    let row = (plan.width as usize * 4).min(stride.saturating_sub(x0));
    for (y, src) in out.chunks_exact(plan.width as usize * 4).enumerate() {
        let at = (y0 + y) * stride + x0;
        if let (Some(dst), Some(src)) = (canvas.get_mut(at..at + row), src.get(..row)) {
            dst.copy_from_slice(src);
        }
    }
    crate::recycle::give(out.into_raw());
    canvas
}

/// A `width` x `height` image of `fill`, in a recycled buffer when a batch keeps them.
fn blank(width: u32, height: u32, fill: image::Rgba<u8>) -> RgbaImage {
    let len = width as usize * height as usize * 4;
    RgbaImage::from_raw(width, height, crate::recycle::filled(len, fill.0))
        .unwrap_or_else(|| RgbaImage::from_pixel(width, height, fill))
}

/// `backdrop` (from [`backdrop`]) with the panels' images (premultiplied RGBA) set in
/// it, centred in the canvas. Returns straight-alpha RGBA.
pub fn with_panels(backdrop: &RgbaImage, plan: &Plan, images: &[RgbaImage]) -> RgbaImage {
    // Each frame of a sequence copies the backdrop once.
    into_panels(backdrop.clone(), plan, images)
}

/// [`with_panels`] drawing into `backdrop` itself, for a figure that needs it once.
pub fn into_panels(backdrop: RgbaImage, plan: &Plan, images: &[RgbaImage]) -> RgbaImage {
    let mut out = backdrop;
    let (ox, oy) = (plan.offset.0 as usize, plan.offset.1 as usize);
    let stride = out.width() as usize * 4;
    for (img, &(x0, y0)) in images.iter().zip(&plan.positions) {
        // Panels are clipped to the figure's block, as they were before it was centred.
        let w = img.width().min(plan.width.saturating_sub(x0)) as usize;
        for (y, row) in img
            .as_raw()
            .chunks_exact(img.width() as usize * 4)
            .enumerate()
        {
            let yy = y0 + y as u32;
            if yy >= plan.height {
                break;
            }
            let start = (yy as usize + oy) * stride + (x0 as usize + ox) * 4;
            let Some(dst) = out.as_mut().get_mut(start..start + w * 4) else {
                break;
            };
            for (d, s) in dst.chunks_exact_mut(4).zip(row.chunks_exact(4)) {
                match s[3] {
                    0 => {}
                    // Opaque: premultiplied equals straight.
                    255 => d.copy_from_slice(s),
                    _ => over_premultiplied(d, s),
                }
            }
        }
    }
    out
}

/// The background's pixel.
fn fill(background: Background) -> image::Rgba<u8> {
    match background {
        Background::Color(c) => image::Rgba([c[0], c[1], c[2], 255]),
        Background::Transparent => image::Rgba([0, 0, 0, 0]),
    }
}

/// Source-over of a premultiplied pixel onto a straight-alpha one.
fn over_premultiplied(dst: &mut [u8], src: &[u8]) {
    let sa = src[3] as f32 / 255.0;
    let da = dst[3] as f32 / 255.0;
    let oa = sa + da * (1.0 - sa);
    if oa <= 0.0 {
        return;
    }
    for k in 0..3 {
        let c = (src[k] as f32 + dst[k] as f32 * da * (1.0 - sa)) / oa;
        dst[k] = c.round().clamp(0.0, 255.0) as u8;
    }
    dst[3] = (oa * 255.0).round() as u8;
}

/// Text size of a frame's time label, in decoration units (1% of the figure width).
const TIME_FONT: f32 = 2.6;

/// Draws a frame's time label (`t = 12.0 s`) in the top-left corner of the panels, in the
/// ink of the background, at the same place and size in every frame of a sequence.
pub fn time_label(img: &mut RgbaImage, plan: &Plan, background: Background, label: &str) {
    let px = (TIME_FONT * plan.unit).max(9.0);
    let x = plan.offset.0 as f32 + 0.8 * plan.unit;
    let top = plan.offset.1 as f32 + plan.title_height as f32 + 0.5 * plan.unit;
    let ink = background.ink();
    if background == Background::Transparent {
        // Text over a transparent background needs opaque ink of its own.
        let (w, h) = text::measure(label, px);
        for y in (top as u32)..((top + h * 1.2) as u32).min(img.height()) {
            for xx in (x as u32)..((x + w + 2.0) as u32).min(img.width()) {
                let p = img.get_pixel_mut(xx, y);
                if p[3] == 0 {
                    *p = image::Rgba([255, 255, 255, 255]);
                }
            }
        }
        text::draw(img, label, x, top, px, Align::Left, [0, 0, 0]);
        return;
    }
    text::draw(img, label, x, top, px, Align::Left, ink);
}
