//! Per-panel geometry, done once before any pixel is drawn: the same orthographic
//! projection and viewport transform as the GL path, vertices snapped to llvmpipe's
//! 1/256-pixel grid, border segments turned into screen-space quads, and every primitive
//! sorted into the horizontal bands of the image it touches, in drawing order.

use super::raster::{sample_span, WinVert, LINE_BIT};
use super::shade::{vertex_attrs, VertexAttr};
use crate::render::{Panel, LINE_LIFT_MM};
use crate::scene::SceneSurface;

/// Everything the band workers need to know about one panel's geometry.
pub(super) struct Prepared {
    pub width: usize,
    pub height: usize,
    /// Triangle corners (three per triangle), as `visible_indices` orders them, then
    /// the foci's (`visible_foci`, after the surface's vertices).
    pub indices: Vec<u32>,
    /// The first foci triangle: every triangle from here on is a focus.
    pub first_focus: usize,
    /// The surface's vertices, then the foci's, in window coordinates.
    pub verts: Vec<WinVert>,
    /// What the shader needs of each vertex.
    pub attrs: Vec<VertexAttr>,
    /// Four corners per border quad: quad corners in the geometry shader's order; the
    /// contrasting edges' quads first, then the lines'.
    pub line_verts: Vec<WinVert>,
    /// The colour of each border quad.
    pub line_colors: Vec<[u8; 4]>,
    /// Per band of `band_rows` image rows (top first): the primitives touching it, in
    /// drawing order. Triangle `t` is `t`; the `j`-th triangle of segment `k` is
    /// `LINE_BIT | (2k + j)`.
    pub bins: Vec<Vec<u32>>,
}

/// Clip space to window coordinates, as GL's viewport transform with depth range 0..1.
fn to_window(clip: [f32; 3], w: f32, h: f32) -> WinVert {
    let (hw, hh) = (0.5 * w, 0.5 * h);
    WinVert::new(clip[0] * hw + hw, clip[1] * hh + hh, clip[2] * 0.5 + 0.5)
}

/// `m * [p, 1]` summed in GLSL's order (column by column).
fn transform(m: &[[f32; 4]; 3], p: [f32; 3]) -> [f32; 3] {
    m.map(|r| r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + r[3])
}

/// Prepares `surf` moved by `offset` in one panel; `band_rows` is the height of the bands.
pub(super) fn prepare(
    surf: &SceneSurface,
    panel: &Panel,
    offset: [f32; 3],
    (outline_px, edge_px): (f32, f32),
    band_rows: usize,
) -> Prepared {
    let (width, height) = (panel.width.max(1) as usize, panel.height.max(1) as usize);
    let (wf, hf) = (width as f32, height as f32);
    let m = panel.projection_at(offset);
    // The foci go after the surface, so that they are drawn after its triangles, as
    // the GL renderers draw them.
    let mut indices = crate::render::visible_indices(surf, panel);
    let first_focus = indices.len() / 3;
    let n = surf.mesh.vertices.len() as u32;
    indices.extend(
        crate::render::visible_foci(surf, panel)
            .iter()
            .map(|i| i + n),
    );
    let verts: Vec<WinVert> = surf
        .points()
        .map(|&p| to_window(transform(&m, p), wf, hf))
        .collect();
    // Edges first, wider, then the lines over them, as the GL path draws them.
    let mut line_verts = line_quads(&surf.edges, panel, &m, outline_px + 2.0 * edge_px);
    line_verts.extend(line_quads(&surf.lines, panel, &m, outline_px));
    let line_colors: Vec<[u8; 4]> = (surf.edges.iter().chain(&surf.lines))
        .map(|s| s.rgba)
        .collect();
    let attrs = vertex_attrs(surf, &panel.camera, &verts);

    let nbands = height.div_ceil(band_rows);
    let mut bins: Vec<Vec<u32>> = vec![Vec::new(); nbands];
    let mut bin = |id: u32, corners: [&WinVert; 3]| {
        if let Some((_, _, y0, y1)) = sample_span(corners, width, height) {
            // Window rows y0..=y1 are image rows h-1-y1 ..= h-1-y0.
            let (r0, r1) = (height - 1 - y1, height - 1 - y0);
            for b in bins
                .iter_mut()
                .take(r1 / band_rows + 1)
                .skip(r0 / band_rows)
            {
                b.push(id);
            }
        }
    };
    for t in 0..indices.len() / 3 {
        if let Some([a, b, c]) = triangle(&indices, &verts, t) {
            bin(t as u32, [a, b, c]);
        }
    }
    for (k, q) in line_verts.chunks_exact(4).enumerate() {
        let k = k as u32;
        bin(LINE_BIT | (2 * k), [&q[0], &q[1], &q[2]]);
        bin(LINE_BIT | (2 * k + 1), [&q[2], &q[1], &q[3]]);
    }
    Prepared {
        width,
        height,
        indices,
        first_focus,
        verts,
        attrs,
        line_verts,
        line_colors,
        bins,
    }
}

/// The corners of surface triangle `t`.
pub(super) fn triangle<'a>(
    indices: &[u32],
    verts: &'a [WinVert],
    t: usize,
) -> Option<[&'a WinVert; 3]> {
    let &[a, b, c] = indices.get(3 * t..3 * t + 3)? else {
        return None;
    };
    Some([
        verts.get(a as usize)?,
        verts.get(b as usize)?,
        verts.get(c as usize)?,
    ])
}

/// The two triangles of border quad `j` (0 or 1) of segment `k`, as the geometry
/// shader's triangle strip emits them.
pub(super) fn line_triangle(line_verts: &[WinVert], k: usize, j: usize) -> Option<[&WinVert; 3]> {
    let q = line_verts.get(4 * k..4 * k + 4)?;
    Some(if j == 0 {
        [&q[0], &q[1], &q[2]]
    } else {
        [&q[2], &q[1], &q[3]]
    })
}

/// Each border segment as a quad exactly `outline_px` wide with square caps, computed as
/// shaders/lines.geom does, in window coordinates.
fn line_quads(
    lines: &[crate::scene::borders::Segment],
    panel: &Panel,
    m: &[[f32; 4]; 3],
    outline_px: f32,
) -> Vec<WinVert> {
    let (w, h) = (panel.width.max(1) as f32, panel.height.max(1) as f32);
    let lift = panel.camera.eye.map(|x| x * LINE_LIFT_MM);
    let half_vp = [0.5 * w, 0.5 * h];
    let mut out = Vec::with_capacity(lines.len() * 4);
    for seg in lines {
        let lifted = |p: [f32; 3]| [p[0] + lift[0], p[1] + lift[1], p[2] + lift[2]];
        let p0 = transform(m, lifted(seg.a));
        let p1 = transform(m, lifted(seg.b));
        let d = [(p1[0] - p0[0]) * half_vp[0], (p1[1] - p0[1]) * half_vp[1]];
        let len = (d[0] * d[0] + d[1] * d[1]).sqrt();
        let dir = if len > 1e-6 {
            [d[0] / len, d[1] / len]
        } else {
            [1.0, 0.0]
        };
        let n = [-dir[1], dir[0]];
        let along = [
            dir[0] * 0.5 * outline_px / half_vp[0],
            dir[1] * 0.5 * outline_px / half_vp[1],
        ];
        let across = [
            n[0] * 0.5 * outline_px / half_vp[0],
            n[1] * 0.5 * outline_px / half_vp[1],
        ];
        let corner = |p: [f32; 3], sa: f32, sc: f32| {
            let c = [
                p[0] + sa * along[0] + sc * across[0],
                p[1] + sa * along[1] + sc * across[1],
                p[2],
            ];
            to_window(c, w, h)
        };
        out.push(corner(p0, -1.0, 1.0));
        out.push(corner(p0, -1.0, -1.0));
        out.push(corner(p1, 1.0, 1.0));
        out.push(corner(p1, 1.0, -1.0));
    }
    out
}
