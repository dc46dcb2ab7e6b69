//! Rendering: a [`Scene`](crate::scene::Scene) (plain data) and a list of [`Panel`]s
//! in, one image per panel out. Backends only draw; every colour and camera decision
//! was made upstream.
//!
//! A [`Renderer`] opens one backend (an EGL or OSMesa context, or the built-in CPU
//! rasterizer's thread pool) on a thread of its own and draws figure after figure with
//! it, so a batch or a movie pays for the context once. Each figure's surface is drawn
//! in one pass: its triangles with every layer (overlays, annotations, labels: one list,
//! one blending rule), then its foci (a mesh of their own), then the border and contour
//! lines over them. The GL renderers compile their programs once per context and free
//! every other object after each figure; the CPU renderer reproduces llvmpipe's pictures
//! and is byte-identical for any number of threads.
//!
//! The frames of a movie share their geometry: a scene with a
//! [`geometry_key`](crate::scene::Scene::geometry_key) leaves what the backend made of it
//! (the CPU renderer's transformed geometry, per-sample visibility and the value-free
//! part of each shaded sample; a GL context's buffers, textures and framebuffers) for
//! the next figure with the same key, panels, cortex, line widths and (GL) layer
//! stacks, which then only uploads or re-composites its overlay values. The images are
//! byte-identical to full renders; a figure that does not match lets the kept state go.

mod backend;
mod cpu;
// The FFI to libEGL, libOSMesa and OpenGL: the only places `unsafe` is allowed.
#[allow(unsafe_code)]
pub(crate) mod egl;
#[allow(unsafe_code)]
mod gl;
#[allow(unsafe_code)]
mod osmesa;
mod renderer;

pub use backend::{
    auto_choice, check_not_blank, describe_backends, packages_hint, probe_all, BackendKind,
    DeviceInfo, Probe,
};
pub use renderer::{Pending, Renderer};

use crate::mesh::Mesh;
use crate::scene::{Camera, Light, SceneSurface};

/// Most layers one surface can carry: the first overlay plus eight more (the size of
/// surface.frag's per-layer uniform arrays; foci are drawn apart and take none).
pub const MAX_LAYERS: usize = 9;

/// One surface drawn in a panel, moved by `offset` (millimetres, world coordinates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    /// Index of the surface in `Scene::surfaces`.
    pub surface: usize,
    /// Added to every point of the surface (and its foci and lines) in this panel: the
    /// shift that sets inflated hemispheres side by side in a whole-brain panel; zero
    /// for a surface drawn where it is.
    pub offset: [f32; 3],
}

impl Part {
    /// Surface `surface` where it is.
    pub fn at(surface: usize) -> Part {
        Part {
            surface,
            offset: [0.0; 3],
        }
    }
}

/// One view of one surface (or, in a whole-brain panel, of both hemispheres together),
/// with its exact orthographic window. Panels compare equal when they draw the same
/// surfaces the same way: with a [`Scene::geometry_key`](crate::scene::Scene::geometry_key)
/// that is what lets a renderer keep what it made of the last figure's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The surfaces drawn, in drawing order, into one image with one depth buffer: one
    /// for a hemisphere's panel, both hemispheres (left first) for a whole-brain panel.
    pub parts: Vec<Part>,
    /// Where the view looks from.
    pub camera: Camera,
    /// The lights, relative to the camera.
    pub lights: [Light; 3],
    /// `[x0, x1, y0, y1]` along the camera's right and up axes, in millimetres.
    pub window: [f32; 4],
    /// `[near, far]` along the camera's eye axis (far < near: larger is nearer).
    pub depth: [f32; 2],
    /// Size of the panel's image in pixels.
    pub width: u32,
    /// See `width`.
    pub height: u32,
}

impl Panel {
    /// The panel's orthographic projection to clip space as three rows (x, y, z), each
    /// `[a, b, c, d]` for `a*x + b*y + c*z + d`. Every backend uses these numbers; the
    /// window is exactly the panel's extent, and a larger eye coordinate (nearer the
    /// camera) gives a smaller depth.
    pub fn projection(&self) -> [[f32; 4]; 3] {
        self.projection_at([0.0; 3])
    }

    /// [`Panel::projection`] of a surface moved by `offset` (a [`Part::offset`]).
    pub fn projection_at(&self, offset: [f32; 3]) -> [[f32; 4]; 3] {
        let [x0, x1, y0, y1] = self.window;
        let [near, far] = self.depth;
        let c = self.camera;
        let (sx, sy) = (2.0 / (x1 - x0), 2.0 / (y1 - y0));
        let sz = -2.0 / (near - far);
        let row = |axis: [f32; 3], s: f32, d: f32| {
            let moved = crate::mesh::dot(axis, offset) * s;
            [axis[0] * s, axis[1] * s, axis[2] * s, d + moved]
        };
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// `--backend`.
    pub backend: BackendKind,
    /// `--egl-device N`.
    pub egl_device: Option<usize>,
}

/// What drew the figure, for metadata and diagnostics.
#[derive(Debug, Clone)]
pub struct BackendInfo {
    /// How the backend was reached ("EGL device 0 (llvmpipe, software)", "built-in CPU
    /// renderer"); recorded in the PNG, so it must not vary between identical runs.
    pub origin: String,
    /// The driver's or the CPU renderer's name.
    pub renderer: String,
    /// The OpenGL version, or surfrender's for the CPU renderer.
    pub version: String,
    /// Samples per pixel (4, or fewer where the driver offers fewer).
    pub samples: i32,
}

/// Triangle indices of `surface` that face the camera of `panel`. On a closed surface
/// the others are hidden anyway; leaving them out halves the work of software
/// rasterizers, whose geometry stage is single-threaded. Other meshes keep every face.
pub fn visible_indices(surface: &SceneSurface, panel: &Panel) -> Vec<u32> {
    facing(&surface.mesh, surface.winding, panel)
}

/// Triangle indices of the foci of `surface` that face the camera of `panel`, by the
/// surface's rule: the spheres are wound like it, so this is what culling them as part
/// of the surface gives.
pub fn visible_foci(surface: &SceneSurface, panel: &Panel) -> Vec<u32> {
    facing(&surface.foci.mesh, surface.winding, panel)
}

fn facing(mesh: &Mesh, winding: Option<f32>, panel: &Panel) -> Vec<u32> {
    let faces = &mesh.faces;
    let Some(winding) = winding else {
        return faces.iter().flatten().copied().collect();
    };
    let v = &mesh.vertices;
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
