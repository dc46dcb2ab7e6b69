//! The scene: everything a renderer draws, as plain data. Every decision about what is
//! drawn and in which colours is made before a scene exists (`scene::build`); renderers
//! only draw it.

use crate::color::{ColorMapping, Cortex};
use crate::hemi::Hemi;
use crate::mesh::Mesh;

/// One hemisphere ready to draw.
#[derive(Debug, Clone)]
pub struct SceneSurface {
    pub hemi: Hemi,
    pub mesh: Mesh,
    pub normals: Vec<[f32; 3]>,
    pub curv: Option<Vec<f32>>,
    /// Values of the first overlay layer (`Scene::mappings[0]`); the layers above it
    /// are [`Paint::Values`] layers.
    pub overlay: Option<Vec<f32>>,
    /// [`Mesh::outward_winding`], computed once.
    pub winding: Option<f32>,
    /// Filled annotation and label layers and the overlays above the first, in drawing
    /// order (at most [`MAX_LAYERS`](crate::render::MAX_LAYERS)).
    pub layers: Vec<VertexLayer>,
    /// Borders of outlined layers, drawn `Scene::outline_px` wide over everything.
    pub lines: Vec<crate::scene::borders::Segment>,
}

impl SceneSurface {
    /// The values of overlay layer `k` on this surface, if it has a file for it.
    pub fn values(&self, k: usize) -> Option<&[f32]> {
        if k == 0 {
            return self.overlay.as_deref();
        }
        self.layers.iter().find_map(|l| match &l.paint {
            Paint::Values { values, layer } if *layer == k => Some(values.as_slice()),
            _ => None,
        })
    }
}

/// A layer drawn over the cortex, under or over the first overlay.
#[derive(Debug, Clone)]
pub struct VertexLayer {
    pub paint: Paint,
    /// Opacity: multiplied into each colour's alpha, or the overlay's opacity.
    pub alpha: f32,
    /// Drawn over the first overlay (given after it) rather than under it.
    pub over_overlay: bool,
}

/// What a layer holds per vertex.
#[derive(Debug, Clone)]
pub enum Paint {
    /// An annotation or label: one colour per vertex, alpha 0 where it draws nothing.
    /// Regions are decided per pixel by the heaviest triangle corner, never blended.
    Colors(Vec<[u8; 4]>),
    /// A continuous overlay: values interpolated per pixel like the first overlay's and
    /// coloured through `Scene::mappings[layer]`; NaN is no data.
    Values { values: Vec<f32>, layer: usize },
}

impl VertexLayer {
    /// Adds `n` vertices that the layer leaves untouched (foci spheres).
    pub fn extend_empty(&mut self, n: usize) {
        match &mut self.paint {
            Paint::Colors(c) => c.extend(std::iter::repeat_n([0u8; 4], n)),
            Paint::Values { values, .. } => values.extend(std::iter::repeat_n(f32::NAN, n)),
        }
    }
}

/// Everything the backends draw.
#[derive(Debug, Clone)]
pub struct Scene {
    pub surfaces: Vec<SceneSurface>,
    /// The colouring of each overlay layer, bottom first; `None` for a layer with no
    /// finite values.
    pub mappings: Vec<Option<ColorMapping>>,
    pub cortex: Cortex,
    /// Width of borders in pixels, the same at any figure size.
    pub outline_px: f32,
}

impl Scene {
    /// The colouring of overlay layer `layer`, if it colours anything.
    pub fn mapping(&self, layer: usize) -> Option<&ColorMapping> {
        self.mappings.get(layer).and_then(Option::as_ref)
    }
}
