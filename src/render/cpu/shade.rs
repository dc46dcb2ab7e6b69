//! Colours, as shaders/surface.frag, shaders/foci.frag and shaders/lines.frag compute
//! them. A surface triangle is shaded at the pixel centre (GL interpolates there without
//! `centroid`, even when the centre lies outside the triangle), once per pixel, and every
//! sample it won takes that colour (see resolve.rs).

use super::prep::Prepared;
use super::raster::{WinVert, EMPTY, LINE_BIT, PART_MASK, PART_SHIFT};
use crate::color::{ColorMapping, FLAT_GREY};
use crate::render::{Panel, MAX_LAYERS};
use crate::scene::{Camera, AMBIENT};
use crate::scene::{Paint, Scene, SceneSurface};

/// One layer that draws something, as the shader sees it.
struct Layer<'a> {
    paint: LayerPaint<'a>,
    alpha: f32,
}

enum LayerPaint<'a> {
    Colors(&'a [[u8; 4]]),
    /// An overlay: its values are in `Shader::values[slot]`.
    Values {
        slot: usize,
        mapping: &'a ColorMapping,
        /// The mapping's lookup table as [`unit`] colours, so that a pixel does not
        /// divide by 255 three times.
        lut: Vec<[f32; 3]>,
    },
}

/// Everything needed to colour one panel's pixels.
pub(super) struct Shader<'a> {
    indices: &'a [u32],
    /// Triangles from this one on are foci, whose vertices come after the surface's.
    first_focus: usize,
    surface_vertices: usize,
    foci_colors: &'a [[u8; 3]],
    attrs: &'a [VertexAttr],
    has_curv: bool,
    /// Every layer that draws, in drawing order.
    layers: Vec<Layer<'a>>,
    /// How many of `layers` lie under the surface's first overlay layer (whether it
    /// draws or not): annotations and labels only, the same in every frame of a movie,
    /// so a [`Lit`] keeps what they make.
    split: usize,
    /// `(value, validity)` per vertex of each overlay layer that draws, by slot
    /// ([`crate::scene::nodata`]).
    values: Vec<Vec<[f32; 2]>>,
    /// The colour of each border quad (edges, then lines).
    lines: &'a [[u8; 4]],
    lights: [([f32; 3], f32); 3],
    gyrus: [f32; 3],
    sulcus: [f32; 3],
    flat: [f32; 3],
}

fn unit(c: [u8; 3]) -> [f32; 3] {
    c.map(|x| x as f32 / 255.0)
}

/// GL's float to 8-bit unsigned normalised conversion: llvmpipe rounds to nearest even,
/// here without a call into libm.
#[allow(clippy::manual_clamp)] // max and min map NaN to 0; clamp would keep it
pub(super) fn unorm8(x: f32) -> u8 {
    // Adding 2^23 rounds to an integer held in the low mantissa bits (max: NaN to 0).
    const MAGIC: f32 = 8_388_608.0;
    ((x.max(0.0).min(1.0) * 255.0 + MAGIC).to_bits() & 0xff) as u8
}

/// What surface.vert passes on per vertex, with its window position for the barycentric
/// weights: one record, so a triangle's set-up reads three cache lines at most. Overlay
/// values are gathered per triangle instead ([`ShadeCache`]), as many as the panel has.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct VertexAttr {
    /// Unsnapped window position (GL's attribute set-up uses it).
    x: f32,
    y: f32,
    /// The normal in camera coordinates.
    normal: [f32; 3],
    curv: f32,
}

/// The per-vertex attributes of a surface and then its foci seen by `camera`, at window
/// positions `verts`.
pub(super) fn vertex_attrs(
    surf: &SceneSurface,
    camera: &Camera,
    verts: &[WinVert],
) -> Vec<VertexAttr> {
    let view = [camera.right, camera.up, camera.eye];
    let n = surf.mesh.vertices.len();
    verts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let normal = if i < n {
                surf.normals.get(i)
            } else {
                surf.foci.normals.get(i - n)
            };
            let n = normal.copied().unwrap_or([0.0; 3]);
            VertexAttr {
                x: p.x,
                y: p.y,
                // surface.vert: u_view * a_normal.
                normal: view.map(|r| r[0] * n[0] + r[1] * n[1] + r[2] * n[2]),
                curv: surf
                    .curv
                    .as_ref()
                    .and_then(|c| c.get(i).copied())
                    .unwrap_or(0.0),
            }
        })
        .collect()
}

impl<'a> Shader<'a> {
    pub(super) fn new(
        scene: &'a Scene,
        surf: &'a SceneSurface,
        panel: &Panel,
        prep: &'a Prepared,
    ) -> Shader<'a> {
        let (gyrus, sulcus) = scene.cortex.colors();
        let mut values = Vec::new();
        let mut layers = Vec::new();
        let stack = || surf.layers.iter().take(MAX_LAYERS);
        let split = stack()
            .position(|l| matches!(l.paint, Paint::Values { .. }))
            .unwrap_or(stack().len());
        for l in stack() {
            let paint = match &l.paint {
                Paint::Colors(c) => LayerPaint::Colors(c),
                Paint::Values { values: v, layer } => {
                    // An overlay that colours nothing draws nothing.
                    let Some(mapping) = scene.mapping(*layer) else {
                        continue;
                    };
                    values.push(crate::scene::nodata::corners(v, &surf.mesh.faces));
                    LayerPaint::Values {
                        slot: values.len() - 1,
                        mapping,
                        lut: mapping.lut().iter().map(|&c| unit(c)).collect(),
                    }
                }
            };
            layers.push(Layer {
                paint,
                alpha: l.alpha,
            });
        }
        Shader {
            indices: &prep.indices,
            first_focus: prep.first_focus,
            surface_vertices: surf.mesh.vertices.len(),
            foci_colors: &surf.foci.colors,
            attrs: &prep.attrs,
            has_curv: surf.curv.is_some(),
            layers,
            split,
            values,
            lines: &prep.line_colors,
            lights: panel.lights.map(|l| (l.dir, l.intensity)),
            gyrus: unit(gyrus),
            sulcus: unit(sulcus),
            flat: unit(FLAT_GREY),
        }
    }

    /// How many overlay values each triangle corner carries.
    pub(super) fn value_slots(&self) -> usize {
        self.values.len()
    }

    /// The colour primitive `id` gives the pixel whose centre is at window `(cx, cy)`.
    /// `id` may carry its part's bit ([`PART_MASK`]): the cache knows triangles by the
    /// whole id, this surface by the rest.
    pub(super) fn shade(&self, cache: &mut ShadeCache, id: u32, cx: f32, cy: f32) -> [u8; 4] {
        self.shade_lit(cache, id, cx, cy).0
    }

    /// [`Shader::shade`], with what of the colour does not depend on overlay values:
    /// [`Shader::relight`] makes the same colour of it in a later frame.
    pub(super) fn shade_lit(
        &self,
        cache: &mut ShadeCache,
        id: u32,
        cx: f32,
        cy: f32,
    ) -> ([u8; 4], Lit) {
        let local = id & !PART_MASK;
        if local & LINE_BIT != 0 {
            let k = ((local & !LINE_BIT) / 2) as usize;
            let c = self.lines.get(k).copied().unwrap_or([0; 4]);
            return Lit::fixed([c[0], c[1], c[2], 255]);
        }
        let slot = id as usize % CACHE_SLOTS;
        let n = cache.stride;
        let (Some(tri), Some(values)) = (
            cache.slots.get_mut(slot),
            cache.values.get_mut(slot * n..(slot + 1) * n),
        ) else {
            return Lit::fixed([0; 4]);
        };
        if tri.id != id && self.setup(id, values, tri).is_none() {
            return Lit::fixed([0; 4]);
        }
        self.eval(tri, values, cx, cy)
    }

    /// The colour of `lit` (made by [`Shader::shade_lit`] for an earlier frame of the same
    /// geometry) with this shader's overlay values and mappings: the same arithmetic on
    /// the same numbers as [`Shader::shade`], without the barycentric weights, the
    /// normal, the lights and the layers under the first overlay, which `lit` holds.
    pub(super) fn relight(&self, lit: &Lit) -> [u8; 4] {
        if lit.id == EMPTY {
            return lit.fixed;
        }
        let t = (lit.id & !PART_MASK) as usize * 3;
        let Some(&[i0, i1, i2]) = self.indices.get(t..t + 3) else {
            return [0; 4];
        };
        let ids = [i0, i1, i2];
        let corners = |slot: usize| {
            let v = self.values.get(slot)?;
            Some(ids.map(|i| v.get(i as usize).copied().unwrap_or([0.0, 0.0])))
        };
        let base = self.over(lit.under, &ids, &lit.b, corners);
        lit_color(base, lit.light)
    }

    /// Sets up surface triangle `id` (with its part's bit) in `tri`, in place (a
    /// [`TriShade`] is over a hundred bytes), or leaves `tri` as it is and says `None` if the
    /// triangle does not exist; its corners' overlay values go to `values` (one entry per
    /// slot).
    fn setup(&self, id: u32, values: &mut [CornerValues], tri: &mut TriShade) -> Option<()> {
        let local = id & !PART_MASK;
        let t = local as usize * 3;
        let &[i0, i1, i2] = self.indices.get(t..t + 3)? else {
            return None;
        };
        let ids = [i0, i1, i2];
        let p = [
            *self.attrs.get(i0 as usize)?,
            *self.attrs.get(i1 as usize)?,
            *self.attrs.get(i2 as usize)?,
        ];
        let e1 = [p[1].x - p[0].x, p[1].y - p[0].y];
        let e2 = [p[2].x - p[0].x, p[2].y - p[0].y];
        let inv = 1.0 / (e1[0] * e2[1] - e2[0] * e1[1]);
        let focus = if local as usize >= self.first_focus {
            let i = (i0 as usize).checked_sub(self.surface_vertices)?;
            Some(unit(*self.foci_colors.get(i)?))
        } else {
            for (corners, v) in values.iter_mut().zip(&self.values) {
                *corners = ids.map(|i| v.get(i as usize).copied().unwrap_or([0.0, 0.0]));
            }
            None
        };
        *tri = TriShade {
            id,
            ids,
            focus,
            origin: [p[0].x, p[0].y],
            e1,
            e2,
            inv,
            attrs: p,
        };
        Some(())
    }

    /// surface.frag (foci.frag for a focus) for one triangle at window point `(cx, cy)`,
    /// with what of it does not depend on overlay values.
    fn eval(&self, tri: &TriShade, values: &[CornerValues], cx: f32, cy: f32) -> ([u8; 4], Lit) {
        let b = tri.barycentric(cx, cy);
        let light = self.light(tri, &b);
        match tri.focus {
            Some(rgb) => Lit::fixed(lit_color(rgb, light)),
            None => {
                let under = self.under(tri, &b);
                let corners = |slot: usize| values.get(slot).copied();
                let base = self.over(under, &tri.ids, &b, corners);
                let lit = Lit {
                    id: tri.id,
                    b,
                    light,
                    under,
                    fixed: [0; 4],
                };
                (lit_color(base, light), lit)
            }
        }
    }

    /// The light falling on `tri` at barycentric weights `b` (lighting.glsl): ambient plus
    /// each light on the interpolated normal.
    fn light(&self, tri: &TriShade, b: &[f32; 3]) -> f32 {
        let [a0, a1, a2] = &tri.attrs;
        let lerp = |f: fn(&VertexAttr) -> f32| b[0] * f(a0) + b[1] * f(a1) + b[2] * f(a2);
        let mut normal = [
            lerp(|a| a.normal[0]),
            lerp(|a| a.normal[1]),
            lerp(|a| a.normal[2]),
        ];
        // GLSL's normalize as Mesa lowers it: v * rsqrt(dot(v, v)).
        let inv =
            1.0 / (normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]).sqrt();
        normal = normal.map(|x| x * inv);
        // Two-sided: a visible fragment always faces the camera.
        if normal[2] < 0.0 {
            normal = normal.map(|x| -x);
        }
        let mut d = 0.0;
        for (dir, intensity) in &self.lights {
            let dot = normal[0] * dir[0] + normal[1] * dir[1] + normal[2] * dir[2];
            d += intensity * dot.max(0.0);
        }
        AMBIENT + (1.0 - AMBIENT) * d
    }

    /// The colour of the surface at barycentric weights `b` of `tri` under its first
    /// overlay layer, before lighting: the cortex, then the annotations and labels below
    /// that overlay (see [`Shader::over`] for the rest).
    fn under(&self, tri: &TriShade, b: &[f32; 3]) -> [f32; 3] {
        let [a0, a1, a2] = &tri.attrs;
        let curv = b[0] * a0.curv + b[1] * a1.curv + b[2] * a2.curv;
        let base = if !self.has_curv {
            self.flat
        } else if curv > 0.0 {
            // FreeSurfer's sign: positive curvature is a sulcus.
            self.sulcus
        } else {
            self.gyrus
        };
        let below = self.layers.get(..self.split).unwrap_or_default();
        self.composite(base, below, &tri.ids, b, |_| None)
    }

    /// The layers from the first overlay on, over `under` ([`Shader::under`]), at
    /// barycentric weights `b` of the triangle of corners `ids`; `corners` gives the
    /// corner values of each overlay slot.
    fn over(
        &self,
        under: [f32; 3],
        ids: &[u32; 3],
        b: &[f32; 3],
        corners: impl Fn(usize) -> Option<CornerValues>,
    ) -> [f32; 3] {
        let above = self.layers.get(self.split..).unwrap_or_default();
        self.composite(under, above, ids, b, corners)
    }

    /// `layers` in drawing order over `base`, each mixed in by one rule (surface.frag's
    /// `layers`): opaque paint replaces what is under it, translucent paint is mixed by
    /// its alpha.
    fn composite(
        &self,
        mut base: [f32; 3],
        layers: &[Layer],
        ids: &[u32; 3],
        b: &[f32; 3],
        corners: impl Fn(usize) -> Option<CornerValues>,
    ) -> [f32; 3] {
        for layer in layers {
            let paint = match &layer.paint {
                LayerPaint::Colors(colors) => {
                    let rgba = heaviest_corner(colors, ids, b);
                    let a = rgba[3] as f32 / 255.0 * layer.alpha;
                    Some((unit([rgba[0], rgba[1], rgba[2]]), a))
                }
                // surface.frag's `value_color`: the value and its validity interpolated
                // like any attribute, coloured by the mapping's own rule.
                LayerPaint::Values { slot, mapping, lut } => corners(*slot).and_then(|c| {
                    let valid = b[0] * c[0][1] + b[1] * c[1][1] + b[2] * c[2][1];
                    let v = b[0] * c[0][0] + b[1] * c[1][0] + b[2] * c[2][0];
                    let rgb = lut.get(mapping.lut_index(v, valid)?)?;
                    Some((*rgb, layer.alpha))
                }),
            };
            if let Some((rgb, a)) = paint {
                base = if a >= 1.0 {
                    rgb
                } else {
                    [0, 1, 2].map(|k| base[k] * (1.0 - a) + rgb[k] * a)
                };
            }
        }
        base
    }
}

/// `base` lit by `light`, as 8-bit colour.
fn lit_color(base: [f32; 3], light: f32) -> [u8; 4] {
    [
        unorm8(base[0] * light),
        unorm8(base[1] * light),
        unorm8(base[2] * light),
        255,
    ]
}

/// What one sample's colour is made of that does not depend on overlay values or their
/// mappings (see [`Shader::relight`]): kept per shaded sample for the frames of a movie,
/// 40 bytes each.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lit {
    /// The surface triangle, with its part's bit; [`EMPTY`] for a colour that is
    /// `fixed` (a border, a focus).
    id: u32,
    /// Barycentric weights at the pixel centre.
    b: [f32; 3],
    /// The light there.
    light: f32,
    /// The colour under the first overlay layer, unlit.
    under: [f32; 3],
    fixed: [u8; 4],
}

impl Lit {
    /// A colour no overlay changes, and its record.
    fn fixed(c: [u8; 4]) -> ([u8; 4], Lit) {
        let lit = Lit {
            id: EMPTY,
            b: [0.0; 3],
            light: 0.0,
            under: [0.0; 3],
            fixed: c,
        };
        (c, lit)
    }
}

/// The shaders of a panel's surfaces (one, or a whole-brain panel's two), by the part
/// bit of each primitive id.
pub(super) struct Shaders<'a> {
    parts: Vec<Shader<'a>>,
}

impl<'a> Shaders<'a> {
    pub(super) fn new(parts: Vec<Shader<'a>>) -> Shaders<'a> {
        Shaders { parts }
    }

    /// The most overlay values a triangle corner of any part carries.
    pub(super) fn value_slots(&self) -> usize {
        self.parts
            .iter()
            .map(Shader::value_slots)
            .max()
            .unwrap_or(0)
    }

    /// [`Shader::shade`] by the part that drew primitive `id`.
    pub(super) fn shade(&self, cache: &mut ShadeCache, id: u32, cx: f32, cy: f32) -> [u8; 4] {
        match self.parts.get((id >> PART_SHIFT) as usize & 1) {
            Some(s) => s.shade(cache, id, cx, cy),
            None => [0; 4],
        }
    }

    /// [`Shader::shade_lit`] by the part that drew primitive `id`.
    pub(super) fn shade_lit(
        &self,
        cache: &mut ShadeCache,
        id: u32,
        cx: f32,
        cy: f32,
    ) -> ([u8; 4], Lit) {
        match self.parts.get((id >> PART_SHIFT) as usize & 1) {
            Some(s) => s.shade_lit(cache, id, cx, cy),
            None => Lit::fixed([0; 4]),
        }
    }

    /// [`Shader::relight`] by the part that drew `lit`'s primitive.
    pub(super) fn relight(&self, lit: &Lit) -> [u8; 4] {
        if lit.id == EMPTY {
            return lit.fixed;
        }
        match self.parts.get((lit.id >> PART_SHIFT) as usize & 1) {
            Some(s) => s.relight(lit),
            None => [0; 4],
        }
    }
}

/// One overlay's `(value, validity)` at a triangle's three corners, as surface.vert
/// passes them on ([`crate::scene::nodata`]): NaN would poison interpolation across a
/// whole triangle.
pub(super) type CornerValues = [[f32; 2]; 3];

/// surface.frag's `layer_color`: each label at the triangle's corners `ids` weighs the
/// sum of its corners' barycentric weights `b`, and the heaviest wins.
fn heaviest_corner(colors: &[[u8; 4]], ids: &[u32; 3], b: &[f32; 3]) -> [u8; 4] {
    let c = ids.map(|i| colors.get(i as usize).copied().unwrap_or([0; 4]));
    let w0 = b[0] + if c[1] == c[0] { b[1] } else { 0.0 } + if c[2] == c[0] { b[2] } else { 0.0 };
    let w1 = b[1] + if c[0] == c[1] { b[0] } else { 0.0 } + if c[2] == c[1] { b[2] } else { 0.0 };
    let w2 = b[2] + if c[0] == c[2] { b[0] } else { 0.0 } + if c[1] == c[2] { b[1] } else { 0.0 };
    if w1 > w0 && w1 >= w2 {
        c[1]
    } else if w2 > w0 && w2 > w1 {
        c[2]
    } else {
        c[0]
    }
}

/// Triangles whose shading set-up is kept per worker: enough for the triangles of a few
/// rows of a band.
const CACHE_SLOTS: usize = 1024;

/// A surface triangle ready to shade: its corners' attributes and what its barycentric
/// weights need.
#[derive(Debug, Clone, Copy)]
pub(super) struct TriShade {
    id: u32,
    ids: [u32; 3],
    /// Unsnapped corner 0 and the edges to corners 1 and 2 (GL's attribute set-up uses
    /// the unsnapped positions).
    origin: [f32; 2],
    e1: [f32; 2],
    e2: [f32; 2],
    inv: f32,
    attrs: [VertexAttr; 3],
    /// A focus's colour: the triangle is drawn in it, lit, whatever the layers say.
    focus: Option<[f32; 3]>,
}

impl TriShade {
    const NONE: TriShade = TriShade {
        id: EMPTY,
        ids: [0; 3],
        origin: [0.0; 2],
        e1: [0.0; 2],
        e2: [0.0; 2],
        inv: 0.0,
        attrs: [VertexAttr {
            x: 0.0,
            y: 0.0,
            normal: [0.0; 3],
            curv: 0.0,
        }; 3],
        focus: None,
    };

    /// Barycentric weights of window point `(cx, cy)`; equal thirds for a triangle of no
    /// area.
    fn barycentric(&self, cx: f32, cy: f32) -> [f32; 3] {
        let (px, py) = (cx - self.origin[0], cy - self.origin[1]);
        let l1 = (px * self.e2[1] - py * self.e2[0]) * self.inv;
        let l2 = (self.e1[0] * py - self.e1[1] * px) * self.inv;
        if !(l1.is_finite() && l2.is_finite()) {
            return [1.0 / 3.0; 3];
        }
        [1.0 - l1 - l2, l1, l2]
    }
}

/// Recently set-up triangles of one worker, by id, with their corners' overlay values.
pub(super) struct ShadeCache {
    slots: Vec<TriShade>,
    /// `stride` entries per slot: the corner values of each overlay that draws.
    values: Vec<CornerValues>,
    stride: usize,
}

impl ShadeCache {
    pub(super) fn new() -> ShadeCache {
        ShadeCache {
            slots: vec![TriShade::NONE; CACHE_SLOTS],
            values: Vec::new(),
            stride: 0,
        }
    }

    /// Forgets every triangle (ids are per panel) and makes room for `value_slots`
    /// overlay values per corner.
    pub(super) fn clear(&mut self, value_slots: usize) {
        self.slots.iter_mut().for_each(|t| t.id = EMPTY);
        self.stride = value_slots;
        self.values.resize(CACHE_SLOTS * value_slots, [[0.0; 2]; 3]);
    }
}
