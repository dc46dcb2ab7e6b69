//! Rendering: a [`Scene`] (plain data) and a list of [`Panel`]s in, one image per panel
//! out. Backends only draw; every colour and camera decision was made upstream.

mod backend;
pub mod cpu;
pub mod egl;
mod gl;
pub mod osmesa;

pub use backend::{
    auto_choice, check_not_blank, packages_hint, probe_all, render, start, BackendKind, DeviceInfo,
    Finishing, Pending, Probe,
};

use crate::color::{ColorMapping, Cortex};
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use crate::scene::{Camera, Light};

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
    /// order (at most [`MAX_LAYERS`]).
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

/// Most layers one surface can carry (the shader's uniform arrays).
pub const MAX_LAYERS: usize = 8;

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

/// One view of one surface, with its exact orthographic window.
#[derive(Debug, Clone)]
pub struct Panel {
    pub surface: usize,
    pub camera: Camera,
    pub lights: [Light; 3],
    /// `[x0, x1, y0, y1]` along the camera's right and up axes, in millimetres.
    pub window: [f32; 4],
    /// `[near, far]` along the camera's eye axis (far < near: larger is nearer).
    pub depth: [f32; 2],
    pub width: u32,
    pub height: u32,
}

impl Panel {
    /// The panel's orthographic projection to clip space as three rows (x, y, z), each
    /// `[a, b, c, d]` for `a*x + b*y + c*z + d`. Every backend uses these numbers; the
    /// window is exactly the panel's extent, and a larger eye coordinate (nearer the
    /// camera) gives a smaller depth.
    pub fn projection(&self) -> [[f32; 4]; 3] {
        let [x0, x1, y0, y1] = self.window;
        let [near, far] = self.depth;
        let c = self.camera;
        let (sx, sy) = (2.0 / (x1 - x0), 2.0 / (y1 - y0));
        let sz = -2.0 / (near - far);
        let row =
            |axis: [f32; 3], s: f32, offset: f32| [axis[0] * s, axis[1] * s, axis[2] * s, offset];
        [
            row(c.right, sx, -(x1 + x0) / (x1 - x0)),
            row(c.up, sy, -(y1 + y0) / (y1 - y0)),
            row(c.eye, sz, (near + far) / (near - far)),
        ]
    }
}

/// How far border and contour lines are lifted towards the camera, in millimetres: enough
/// to win the depth test against the triangles they lie on, too little to show through
/// folds.
pub const LINE_LIFT_MM: f32 = 0.4;

/// Rendering options that are not part of the picture's content.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// `--backend`.
    pub backend: BackendKind,
    /// `--egl-device N`.
    pub egl_device: Option<usize>,
}

/// What drew the figure, for metadata and diagnostics.
#[derive(Debug, Clone)]
pub struct BackendInfo {
    pub origin: String,
    pub renderer: String,
    pub version: String,
    pub samples: i32,
}

/// Triangle indices of `surface` that face the camera of `panel`. On a closed surface
/// the others are hidden anyway; leaving them out halves the work of software
/// rasterizers, whose geometry stage is single-threaded. Other meshes keep every face.
pub fn visible_indices(surface: &SceneSurface, panel: &Panel) -> Vec<u32> {
    let faces = &surface.mesh.faces;
    let Some(winding) = surface.winding else {
        return faces.iter().flatten().copied().collect();
    };
    let v = &surface.mesh.vertices;
    let eye = panel.camera.eye.map(|x| x * winding);
    let mut out = Vec::with_capacity(faces.len() * 3 / 2 + 3);
    for f in faces {
        let [a, b, c] = f.map(|i| v[i as usize]);
        let n = crate::mesh::cross(crate::mesh::sub(b, a), crate::mesh::sub(c, a));
        if crate::mesh::dot(n, eye) > 0.0 {
            out.extend_from_slice(f);
        }
    }
    out
}
