//! A surface's layers as surface.frag sees them: only the layers that draw, each with
//! its slot (an overlay's value slot among the vertex attributes, an annotation's block
//! of rows in the colour texture). The upload and the uniforms both follow this list.

use super::programs::SurfaceKind;
use crate::color::ColorMapping;
use crate::render::MAX_LAYERS;
use crate::scene::{Paint, Scene, SceneSurface};

/// One layer that draws.
pub(super) struct GlLayer<'a> {
    pub paint: GlPaint<'a>,
    /// Its slot among the layers of its kind on this surface.
    pub slot: usize,
    pub alpha: f32,
}

pub(super) enum GlPaint<'a> {
    Colors(&'a [[u8; 4]]),
    Values(&'a [f32], &'a ColorMapping),
}

impl GlPaint<'_> {
    /// surface.frag's `LAYER_KINDS` entry.
    pub fn kind(&self) -> i32 {
        match self {
            GlPaint::Colors(_) => 0,
            GlPaint::Values(..) => 1,
        }
    }
}

/// The layers of `s` that draw, in drawing order (an overlay that colours nothing is
/// left out).
pub(super) fn gl_layers<'a>(scene: &'a Scene, s: &'a SceneSurface) -> Vec<GlLayer<'a>> {
    let (mut colors, mut values) = (0, 0);
    let mut out = Vec::new();
    for l in s.layers.iter().take(MAX_LAYERS) {
        let (paint, count) = match &l.paint {
            Paint::Colors(c) => (GlPaint::Colors(c), &mut colors),
            Paint::Values { values: v, layer } => match scene.mapping(*layer) {
                Some(m) => (GlPaint::Values(v, m), &mut values),
                None => continue,
            },
        };
        out.push(GlLayer {
            paint,
            slot: *count,
            alpha: l.alpha,
        });
        *count += 1;
    }
    out
}

/// The program `layers` are drawn with, in a figure that has annotations or labels
/// (`categorical`) or not.
pub(super) fn kind_of(layers: &[GlLayer], categorical: bool) -> SurfaceKind {
    SurfaceKind {
        layers: layers.iter().map(|l| (l.paint.kind(), l.slot)).collect(),
        categorical,
    }
}
