//! Coverage and depth, as llvmpipe computes them with 4x multisampling: vertices snapped
//! to 1/256 pixel, exact 64-bit edge functions with the top-left fill rule (in window
//! coordinates, y up, as Mesa renders into a framebuffer object), the standard sample
//! positions, and a 24-bit depth buffer. What is stored per sample is the primitive that
//! won it; colours are computed afterwards, once per (pixel, primitive) as GL does.

use std::ops::{Add, BitOr, Sub};

/// Sub-pixel steps per pixel (llvmpipe's FIXED_ORDER of 8).
pub(super) const SUB: i64 = 256;
/// Sample positions inside a pixel in 1/256 pixel from its bottom-left corner
/// (llvmpipe's `lp_sample_pos_4x`: 0.375,0.125 0.875,0.375 0.125,0.625 0.625,0.875).
pub(super) const SAMPLE_X: [i64; 4] = [96, 224, 32, 160];
pub(super) const SAMPLE_Y: [i64; 4] = [32, 96, 160, 224];
/// Marks a primitive id as a border triangle rather than a surface triangle.
pub(super) const LINE_BIT: u32 = 1 << 31;
/// Bit 30 of a primitive id tells which surface of a whole-brain panel drew it (0 for
/// the first, 1 for the second); ids within a surface stay below it.
pub(super) const PART_SHIFT: u32 = 30;
/// The part bit of an id.
pub(super) const PART_MASK: u32 = 1 << PART_SHIFT;
/// A sample no primitive has covered.
pub(super) const EMPTY: u32 = u32::MAX;
/// The cleared depth (1.0 in a 24-bit unsigned normalised buffer).
const FAR: u32 = (1 << 24) - 1;
/// Vertices farther than this from the image (in pixels) are not snapped to the fixed-
/// point grid, whose products would overflow; their triangles are clipped first.
const SNAP_LIMIT: f32 = (1 << 21) as f32;

/// A vertex in GL window coordinates (x right, y up, origin at the bottom-left corner of
/// the image, in pixels; z the depth in 0..1), with its position snapped to 1/256 pixel
/// when `snapped`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct WinVert {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub fx: i32,
    pub fy: i32,
    pub snapped: bool,
}

impl WinVert {
    pub(super) fn new(x: f32, y: f32, z: f32) -> WinVert {
        let snapped = x.abs() <= SNAP_LIMIT && y.abs() <= SNAP_LIMIT && z.is_finite();
        let (fx, fy) = if snapped {
            // llvmpipe rounds to nearest-even (cvtps2dq); scaling by 256 is exact.
            (rint(x as f64 * SUB as f64), rint(y as f64 * SUB as f64))
        } else {
            (0, 0)
        };
        WinVert {
            x,
            y,
            z,
            fx,
            fy,
            snapped,
        }
    }
}

/// Which primitive won each sample of one band of image rows (four per pixel, top row
/// first; [`EMPTY`] where none did): a visibility buffer, all the resolve needs. It does
/// not depend on overlay values, so the frames of a movie can share one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visible<'a> {
    pub width: usize,
    pub rows: usize,
    /// Window y of the band's top row.
    pub top: i64,
    pub ids: &'a [u32],
}

/// Per-sample state of one band of image rows: depth and the primitive that wrote it.
pub(super) struct Band {
    pub width: usize,
    pub rows: usize,
    /// Window y (rows counted from the bottom) of the band's top row.
    pub top: i64,
    pub depth: Vec<u32>,
    pub ids: Vec<u32>,
}

impl Band {
    pub(super) fn new() -> Band {
        Band {
            width: 0,
            rows: 0,
            top: 0,
            depth: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Clears the band for `rows` rows of `width` pixels whose top row is window row `top`.
    pub(super) fn reset(&mut self, width: usize, rows: usize, top: i64) {
        (self.width, self.rows, self.top) = (width, rows, top);
        let n = width * rows * 4;
        self.depth.clear();
        self.depth.resize(n, FAR);
        self.ids.clear();
        self.ids.resize(n, EMPTY);
    }

    /// What the band's samples show, for the resolve.
    pub(super) fn visible(&self) -> Visible<'_> {
        Visible {
            width: self.width,
            rows: self.rows,
            top: self.top,
            ids: &self.ids,
        }
    }

    fn bottom(&self) -> i64 {
        self.top - self.rows as i64 + 1
    }

    /// Draws one triangle: each covered sample that passes the depth test (LESS, or
    /// LEQUAL for borders) takes `id` and, unless it is a border's, the triangle's depth
    /// (borders do not write depth: each covers those drawn before it).
    pub(super) fn draw(&mut self, v: [&WinVert; 3], id: u32, lequal: bool) {
        if v.iter().all(|p| p.snapped) {
            let p = |i: usize| (v[i].fx as i64, v[i].fy as i64, v[i].z as f64);
            self.draw_fixed([p(0), p(1), p(2)], id, lequal);
        } else {
            self.draw_clipped(v, id, lequal);
        }
    }

    fn draw_fixed(&mut self, mut p: [(i64, i64, f64); 3], id: u32, lequal: bool) {
        let area = (p[0].0 - p[1].0) * (p[2].1 - p[0].1) - (p[2].0 - p[0].0) * (p[0].1 - p[1].1);
        if area == 0 {
            return;
        }
        if area < 0 {
            p.swap(0, 1);
        }
        let Some(span) = fixed_span(&p, self.width as i64, self.bottom(), self.top) else {
            return;
        };
        let edges = Edges::new(&p);
        if edges.small() {
            self.cover::<i32>(&edges, &p, span, id, lequal);
        } else {
            self.cover::<i64>(&edges, &p, span, id, lequal);
        }
    }

    /// Tests the samples of the pixels `span` against `edges` and writes those inside
    /// that pass the depth test. The edge functions are evaluated in `E`: `i64` always
    /// fits, `i32` when the triangle is [`Edges::small`], where the four samples of a
    /// pixel are then tested as one vector ([`inside4`]).
    fn cover<E: EdgeInt>(
        &mut self,
        edges: &Edges,
        p: &[(i64, i64, f64); 3],
        (x0, x1, y0, y1): (i64, i64, i64, i64),
        id: u32,
        lequal: bool,
    ) {
        let Edges { c, dcdx, dcdy } = *edges;
        // Per edge, the offsets of its function at each sample from the pixel's corner.
        let off: [[E; 4]; 3] = [0, 1, 2]
            .map(|i| [0, 1, 2, 3].map(|s| E::of(dcdy[i] * SAMPLE_Y[s] - dcdx[i] * SAMPLE_X[s])));
        let step: [E; 3] = [0, 1, 2].map(|i| E::of(dcdx[i] * SUB));
        let plane = Plane::new(p);
        for y in y0..y1 + 1 {
            let (px, py) = (x0 * SUB, y * SUB);
            let mut e = [0, 1, 2].map(|i| E::of(c[i] - dcdx[i] * px + dcdy[i] * py));
            let z_row = plane.at(p, px, py);
            for x in x0..x1 + 1 {
                let mask = inside4(e, &off);
                e = [0, 1, 2].map(|i| e[i] - step[i]);
                if mask != 0 {
                    let z_px = z_row + plane.gx_px * (x - x0) as f64;
                    self.write(y, x, mask, z_px, &plane.dzs, id, lequal);
                }
            }
        }
    }

    /// Writes `id` (and, unless `lequal`, its depth) to the samples of pixel `(x, y)` in
    /// `mask` that pass the depth test (LESS, or LEQUAL), at depth `z_px + dzs[s]`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn write(
        &mut self,
        y: i64,
        x: i64,
        mask: u32,
        z_px: f64,
        dzs: &[f64; 4],
        id: u32,
        lequal: bool,
    ) {
        let at = ((self.top - y) as usize * self.width + x as usize) * 4;
        let (Some(depth), Some(ids)) =
            (self.depth.get_mut(at..at + 4), self.ids.get_mut(at..at + 4))
        else {
            return;
        };
        // LEQUAL is LESS against the next larger depth.
        let le = lequal as u32;
        for s in 0..4 {
            let z = z_px + dzs[s];
            let q = (z + 0.5) as u32;
            // A sample outside the depth range (z < 0) is clipped away, as GL does.
            let pass = (mask >> s) & 1 != 0 && z >= 0.0 && q < depth[s] + le;
            if pass {
                if !lequal {
                    depth[s] = q;
                }
                ids[s] = id;
            }
        }
    }

    /// A triangle with corners too far away to snap: clipped to just outside the image,
    /// then drawn as a fan (coverage only; shading uses the original corners).
    fn draw_clipped(&mut self, v: [&WinVert; 3], id: u32, lequal: bool) {
        if v.iter()
            .any(|p| !(p.x.is_finite() && p.y.is_finite() && p.z.is_finite()))
        {
            return;
        }
        let (w, h) = (self.width as f64, (self.top + 1).max(1) as f64);
        let mut poly: Vec<[f64; 3]> = v
            .iter()
            .map(|p| [p.x as f64, p.y as f64, p.z as f64])
            .collect();
        // Keep x >= -1, x <= w + 1, y >= -1, y <= h + 1 (the band never reaches higher).
        for (axis, sign, limit) in [
            (0, 1.0, -1.0),
            (0, -1.0, -(w + 1.0)),
            (1, 1.0, -1.0),
            (1, -1.0, -(h + 1.0)),
        ] {
            poly = clip_polygon(&poly, |p: &[f64; 3]| sign * p[axis] - limit);
            if poly.len() < 3 {
                return;
            }
        }
        let corners: Vec<WinVert> = poly
            .iter()
            .map(|p| WinVert::new(p[0] as f32, p[1] as f32, p[2] as f32))
            .collect();
        for i in 1..corners.len() - 1 {
            let t = [&corners[0], &corners[i], &corners[i + 1]];
            if t.iter().all(|p| p.snapped) {
                self.draw_fixed(
                    t.map(|p| (p.fx as i64, p.fy as i64, p.z as f64)),
                    id,
                    lequal,
                );
            }
        }
    }
}

/// The edge functions of a triangle with snapped, counter-clockwise corners. Edge i runs
/// from corner i to corner i+1; a sample is inside when every edge function is positive,
/// or zero on a top or left edge (llvmpipe's `c++`). The constant is lowered by one so
/// that "inside" is a sign test: e >= 0.
#[derive(Clone, Copy)]
struct Edges {
    c: [i64; 3],
    dcdx: [i64; 3],
    dcdy: [i64; 3],
}

impl Edges {
    fn new(p: &[(i64, i64, f64); 3]) -> Edges {
        let mut e = Edges {
            c: [0; 3],
            dcdx: [0; 3],
            dcdy: [0; 3],
        };
        for i in 0..3 {
            let j = (i + 1) % 3;
            e.dcdx[i] = p[i].1 - p[j].1;
            e.dcdy[i] = p[i].0 - p[j].0;
            e.c[i] = e.dcdx[i] * p[i].0 - e.dcdy[i] * p[i].1;
            let inclusive = e.dcdx[i] < 0 || (e.dcdx[i] == 0 && e.dcdy[i] > 0);
            e.c[i] += inclusive as i64 - 1;
        }
        e
    }

    /// Whether the triangle spans less than 32 pixels each way, so that its edge
    /// functions fit in 32 bits anywhere a sample can be covered: there, each lies within
    /// 33 pixels (2^13 + 2^9 in 1/256 pixel) of each corner, and |e| is at most
    /// |dcdx| dx + |dcdy| dy + 1 < 2 * 2^13 * (2^13 + 2^9) + 1 < 2^28 (also after the
    /// step past a row's last pixel, and summed with a sample's offset).
    fn small(&self) -> bool {
        const LIMIT: i64 = 1 << 13;
        let d = |v: i64| v.abs() < LIMIT;
        self.dcdx.into_iter().all(d) && self.dcdy.into_iter().all(d)
    }
}

/// The depth of a triangle as a plane over its snapped corners, in units of the 24-bit
/// buffer: the same products and sums, in the same order, for every pixel.
struct Plane {
    gx: f64,
    gy: f64,
    gx_px: f64,
    /// The depth at each sample relative to the pixel's corner.
    dzs: [f64; 4],
}

impl Plane {
    fn new(p: &[(i64, i64, f64); 3]) -> Plane {
        let scale = FAR as f64;
        let (ex1, ey1) = ((p[1].0 - p[0].0) as f64, (p[1].1 - p[0].1) as f64);
        let (ex2, ey2) = ((p[2].0 - p[0].0) as f64, (p[2].1 - p[0].1) as f64);
        let (dz1, dz2) = ((p[1].2 - p[0].2) * scale, (p[2].2 - p[0].2) * scale);
        let det =
            ((p[1].0 - p[0].0) * (p[2].1 - p[0].1) - (p[2].0 - p[0].0) * (p[1].1 - p[0].1)) as f64;
        let gx = (dz1 * ey2 - dz2 * ey1) / det;
        let gy = (ex1 * dz2 - ex2 * dz1) / det;
        Plane {
            gx,
            gy,
            gx_px: gx * SUB as f64,
            dzs: [0, 1, 2, 3].map(|s| gx * SAMPLE_X[s] as f64 + gy * SAMPLE_Y[s] as f64),
        }
    }

    /// The depth at window point `(px, py)` in 1/256 pixel.
    fn at(&self, p: &[(i64, i64, f64); 3], px: i64, py: i64) -> f64 {
        p[0].2 * FAR as f64 + self.gx * (px - p[0].0) as f64 + self.gy * (py - p[0].1) as f64
    }
}

/// The integers edge functions are evaluated in ([`Band::cover`]).
trait EdgeInt: Copy + Add<Output = Self> + Sub<Output = Self> + BitOr<Output = Self> {
    /// `v`, which the caller knows to fit.
    fn of(v: i64) -> Self;
    fn non_negative(self) -> bool;
}

impl EdgeInt for i64 {
    fn of(v: i64) -> i64 {
        v
    }
    fn non_negative(self) -> bool {
        self >= 0
    }
}

impl EdgeInt for i32 {
    fn of(v: i64) -> i32 {
        v as i32
    }
    fn non_negative(self) -> bool {
        self >= 0
    }
}

/// Which of a pixel's four samples lie inside the three edges whose functions at the
/// pixel's corner are `e` and at its samples `e + off` (bit s for sample s), written so
/// that the compiler makes the twelve sums one vector operation per edge.
#[inline(always)]
fn inside4<E: EdgeInt>(e: [E; 3], off: &[[E; 4]; 3]) -> u32 {
    let v: [E; 4] =
        std::array::from_fn(|s| (e[0] + off[0][s]) | (e[1] + off[1][s]) | (e[2] + off[2][s]));
    let mut mask = 0;
    for (s, v) in v.iter().enumerate() {
        mask |= (v.non_negative() as u32) << s;
    }
    mask
}

/// Rounds to the nearest integer, ties to even, as llvmpipe snaps (cvtps2dq), without
/// a call into libm; `|v| < 2^31` here.
fn rint(v: f64) -> i32 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 2^52 + 2^51
    ((v + MAGIC) - MAGIC) as i32
}

/// One Sutherland–Hodgman step: the part of `poly` where `dist >= 0`.
fn clip_polygon(poly: &[[f64; 3]], dist: impl Fn(&[f64; 3]) -> f64) -> Vec<[f64; 3]> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (i, a) in poly.iter().enumerate() {
        let b = &poly[(i + 1) % poly.len()];
        let (da, db) = (dist(a), dist(b));
        if da >= 0.0 {
            out.push(*a);
        }
        if (da >= 0.0) != (db >= 0.0) {
            let t = da / (da - db);
            out.push([0, 1, 2].map(|k| a[k] + t * (b[k] - a[k])));
        }
    }
    out
}

/// Pixels (inclusive, window coordinates) whose samples a triangle with these snapped
/// corners can cover, within columns `0..width` and rows `bottom..=top`.
fn fixed_span(
    p: &[(i64, i64, f64); 3],
    width: i64,
    bottom: i64,
    top: i64,
) -> Option<(i64, i64, i64, i64)> {
    let (min_x, max_x) = (
        p[0].0.min(p[1].0).min(p[2].0),
        p[0].0.max(p[1].0).max(p[2].0),
    );
    let (min_y, max_y) = (
        p[0].1.min(p[1].1).min(p[2].1),
        p[0].1.max(p[1].1).max(p[2].1),
    );
    // A sample at 256 x + s (s in 32..=224) can be covered only between the extremes.
    let x0 = ((min_x - 224 + SUB - 1) >> 8).max(0);
    let x1 = ((max_x - 32) >> 8).min(width - 1);
    let y0 = ((min_y - 224 + SUB - 1) >> 8).max(bottom);
    let y1 = ((max_y - 32) >> 8).min(top);
    (x0 <= x1 && y0 <= y1).then_some((x0, x1, y0, y1))
}

/// The window rows and columns (inclusive) a triangle can touch in a `width` x `height`
/// image, for sorting triangles into bands; `None` when it touches none.
pub(super) fn sample_span(
    v: [&WinVert; 3],
    width: usize,
    height: usize,
) -> Option<(usize, usize, usize, usize)> {
    let (w, h) = (width as i64, height as i64);
    let (x0, x1, y0, y1) = if v.iter().all(|p| p.snapped) {
        fixed_span(&v.map(|p| (p.fx as i64, p.fy as i64, 0.0)), w, 0, h - 1)?
    } else {
        if v.iter().any(|p| !(p.x.is_finite() && p.y.is_finite())) {
            return None;
        }
        let lo = |f: fn(&WinVert) -> f32| v.iter().map(|p| f(p)).fold(f32::INFINITY, f32::min);
        let hi = |f: fn(&WinVert) -> f32| v.iter().map(|p| f(p)).fold(f32::NEG_INFINITY, f32::max);
        let clamp = |a: f32, n: i64| (a.floor() as i64).clamp(-1, n);
        let (x0, x1) = (
            clamp(lo(|p| p.x), w).max(0),
            clamp(hi(|p| p.x), w).min(w - 1),
        );
        let (y0, y1) = (
            clamp(lo(|p| p.y), h).max(0),
            clamp(hi(|p| p.y), h).min(h - 1),
        );
        (x0 <= x1 && y0 <= y1).then_some((x0, x1, y0, y1))?
    };
    Some((x0 as usize, x1 as usize, y0 as usize, y1 as usize))
}
