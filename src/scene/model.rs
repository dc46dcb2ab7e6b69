//! The scene: everything a renderer draws, as plain data. Every decision about what is
//! drawn and in which colours is made before a scene exists (`scene::build`); renderers
//! only draw it.

use crate::color::{ColorMapping, Cortex};
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use std::sync::Arc;

/// One hemisphere ready to draw.
#[derive(Debug, Clone)]
pub struct SceneSurface {
    /// Which hemisphere, for the camera of each view and the lights.
    pub hemi: Hemi,
    /// The surface as read, shared with the read stage's cache.
    pub mesh: Arc<Mesh>,
    /// One normal per vertex of `mesh` ([`Mesh::vertex_normals`]), for lighting.
    pub normals: Arc<Vec<[f32; 3]>>,
    /// Curvature per vertex, whose sign picks the cortex grey; `None` for flat grey.
    pub curv: Option<Vec<f32>>,
    /// [`Mesh::outward_winding`], computed once.
    pub winding: Option<f32>,
    /// Overlays and filled annotations and labels, in drawing order, bottom first (at
    /// most [`MAX_LAYERS`](crate::render::MAX_LAYERS)). Every layer is drawn by the
    /// same rule, the first overlay included.
    pub layers: Vec<VertexLayer>,
    /// Spheres marking points, drawn after the surface's triangles.
    pub foci: FociMesh,
    /// Borders of outlined layers, drawn `Scene::outline_px` wide over everything.
    pub lines: Vec<crate::scene::borders::Segment>,
    /// Contrasting edges of borders: drawn before `lines` (and under them), each
    /// `Scene::outline_px + 2 * Scene::edge_px` wide, so that it shows as a thin edge on
    /// both sides of its line. Lines do not write depth, so the later always covers the
    /// earlier wherever the surface does not hide them.
    pub edges: Vec<crate::scene::borders::Segment>,
}

/// A surface's foci as one mesh of its own: a copy of the unit sphere per focus, scaled
/// to its radius at its place. The surface's own arrays stay as read; the foci are
/// drawn in the same pass, after the surface's triangles, in their colour lit like the
/// cortex.
#[derive(Debug, Clone, Default)]
pub struct FociMesh {
    /// Wound like the surface, so that culling the surface's back faces culls theirs.
    pub mesh: Mesh,
    /// The unit sphere's vertex for each vertex: its outward normal.
    pub normals: Vec<[f32; 3]>,
    /// Each vertex's focus colour.
    pub colors: Vec<[u8; 3]>,
}

impl FociMesh {
    /// Whether there are no foci to draw.
    pub fn is_empty(&self) -> bool {
        self.mesh.faces.is_empty()
    }
}

impl SceneSurface {
    /// Every point drawn: the surface's vertices, then the foci's. The panels' windows
    /// fit all of them.
    pub fn points(&self) -> impl Iterator<Item = &[f32; 3]> {
        self.mesh.vertices.iter().chain(&self.foci.mesh.vertices)
    }

    /// The values of overlay layer `k` on this surface, if it has a file for it.
    pub fn values(&self, k: usize) -> Option<&[f32]> {
        self.layers.iter().find_map(|l| match &l.paint {
            Paint::Values { values, layer } if *layer == k => Some(values.as_slice()),
            _ => None,
        })
    }
}

/// A layer drawn over the cortex and the layers under it.
#[derive(Debug, Clone)]
pub struct VertexLayer {
    /// What the layer holds per vertex.
    pub paint: Paint,
    /// Opacity: multiplied into each colour's alpha, or the overlay's opacity. Paint
    /// of alpha 1 replaces what is under it; below 1 it is mixed in by its alpha.
    pub alpha: f32,
}

/// What a layer holds per vertex.
#[derive(Debug, Clone)]
pub enum Paint {
    /// An annotation or label: one colour per vertex, alpha 0 where it draws nothing.
    /// Regions are decided per pixel by the heaviest triangle corner, never blended.
    Colors(Vec<[u8; 4]>),
    /// A continuous overlay: values interpolated per pixel and coloured through
    /// `Scene::mappings[layer]` ([`ColorMapping::shade`]); NaN is no data.
    Values {
        /// One value per vertex of the surface.
        values: Vec<f32>,
        /// The overlay layer (index into `Scene::mappings`) the values belong to.
        layer: usize,
    },
}

/// Everything the backends draw.
#[derive(Debug, Clone)]
pub struct Scene {
    /// The hemispheres, left first; panels refer to them by index.
    pub surfaces: Vec<SceneSurface>,
    /// The colouring of each overlay layer, bottom first; `None` for a layer with no
    /// finite values.
    pub mappings: Vec<Option<ColorMapping>>,
    /// The greys of gyri and sulci.
    pub cortex: Cortex,
    /// Width of borders in pixels, the same at any figure size.
    pub outline_px: f32,
    /// Width of the contrasting edge on each side of a border with one
    /// ([`SceneSurface::edges`]), in pixels.
    pub edge_px: f32,
    /// Scenes with the same key (given by the caller, such as the frames of one movie)
    /// promise identical geometry: surfaces, normals, curvature, winding,
    /// [`Paint::Colors`] layers, lines, edges, foci and outline widths. They may differ
    /// only in the values of [`Paint::Values`] layers and in `mappings`. A renderer that
    /// draws such a scene with the same panels as the one before it keeps what it made of
    /// the geometry (the CPU renderer its per-sample visibility, a GL context its
    /// uploaded buffers) and only colours it again: a movie frame costs its shading, not
    /// its rasterization. The images are byte-identical to a full render. `None` (what
    /// [`build`](crate::scene::build) gives) promises nothing: every figure is drawn
    /// from scratch.
    pub geometry_key: Option<u64>,
}

impl Scene {
    /// The colouring of overlay layer `layer`, if it colours anything.
    pub fn mapping(&self, layer: usize) -> Option<&ColorMapping> {
        self.mappings.get(layer).and_then(Option::as_ref)
    }
}
