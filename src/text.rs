//! Text from an embedded font (DejaVu Sans, see assets/fonts/DejaVu-LICENSE.txt), so
//! figures look the same on every machine and need no fontconfig.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use image::RgbaImage;

static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Parsed once: every measurement and label would otherwise parse the font's tables again.
fn font() -> &'static FontRef<'static> {
    static FONT: std::sync::OnceLock<FontRef<'static>> = std::sync::OnceLock::new();
    // The embedded file is a valid TrueType font; a failure here is a build defect that
    // every test that draws text would catch.
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES)
            .unwrap_or_else(|e| panic!("embedded font is corrupt: {e}"))
    })
}

/// Horizontal placement of a text run relative to the given x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// Width and height in pixels of `text` at `px` pixels per em.
pub fn measure(text: &str, px: f32) -> (f32, f32) {
    let font = font();
    let f = font.as_scaled(PxScale::from(px));
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            w += f.kern(p, id);
        }
        w += f.h_advance(id);
        prev = Some(id);
    }
    (w, f.ascent() - f.descent())
}

/// Draws `text` with its top at `top`, blending `color` by glyph coverage.
pub fn draw(
    img: &mut RgbaImage,
    text: &str,
    x: f32,
    top: f32,
    px: f32,
    align: Align,
    color: [u8; 3],
) {
    let font = font();
    let f = font.as_scaled(PxScale::from(px));
    let (w, _) = measure(text, px);
    let mut pen = match align {
        Align::Left => x,
        Align::Center => x - w / 2.0,
    };
    let baseline = top + f.ascent();
    let mut prev = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            pen += f.kern(p, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(px), point(pen, baseline));
        pen += f.h_advance(id);
        prev = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, cov| {
            let xx = b.min.x as i64 + gx as i64;
            let yy = b.min.y as i64 + gy as i64;
            if xx < 0 || yy < 0 || xx >= img.width() as i64 || yy >= img.height() as i64 {
                return;
            }
            blend(
                img.get_pixel_mut(xx as u32, yy as u32),
                color,
                cov.clamp(0.0, 1.0),
            );
        });
    }
}

/// Source-over blend of an opaque colour with coverage `a` onto a straight-alpha pixel.
pub fn blend(px: &mut image::Rgba<u8>, color: [u8; 3], a: f32) {
    let da = px[3] as f32 / 255.0;
    let oa = a + da * (1.0 - a);
    if oa <= 0.0 {
        return;
    }
    for k in 0..3 {
        let c = (color[k] as f32 * a + px[k] as f32 * da * (1.0 - a)) / oa;
        px[k] = c.round().clamp(0.0, 255.0) as u8;
    }
    px[3] = (oa * 255.0).round() as u8;
}
