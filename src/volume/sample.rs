//! Sampling a volume at surface vertices: where each sample lies in voxels, how a value
//! is read there, and how the samples of a vertex become one value.
//!
//! A sample at voxel coordinates (x, y, z) is inside the volume when each lies within
//! half a voxel of the grid: −0.5 ≤ x ≤ nᵢ − 0.5, the volume's own extent, the same
//! from either end of an axis, so that a volume stored in another voxel order samples
//! the same (nilearn keeps 0 ≤ x < nᵢ, half a voxel more at one end, less at the other).
//! Trilinear interpolation clamps to the outermost voxel centres within that extent. A
//! voxel whose value is NaN is left out of the interpolation (the other corners' weights
//! renormalised); a sample whose corners are all NaN is NaN.

use rayon::prelude::*;

use super::affine::inverse;
use super::{Interp, Reduce, Sampling, Volume};
use crate::error::{Error, Result};
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// Vertices per rayon task: small enough to share 163842 vertices among the cores,
/// large enough that scheduling costs nothing next to the sampling.
const CHUNK: usize = 2048;

/// The volume as the sampler reads it: values in Fortran order (`i` fastest, then `j`,
/// `k`, frame), the grid's size and world → voxel.
struct Grid<'a> {
    values: std::borrow::Cow<'a, [f32]>,
    n: [usize; 3],
    /// Index steps along i, j and k.
    stride: [usize; 3],
    /// The index offsets of the eight corners of a trilinear cell from its lowest corner
    /// (bit 0 of the corner's number is +i, bit 1 +j, bit 2 +k); along an axis of one
    /// voxel the step is 0, so that a 2-D slice interpolates within its plane.
    corner: [usize; 8],
    frame_len: usize,
    n_frames: usize,
    to_voxel: [[f64; 4]; 3],
}

/// Where a value is read: the voxel (nearest) or the cell's lowest corner (trilinear)
/// and the fractions along each axis from it (zeros for nearest).
///
/// A struct rather than an enum on purpose: with an enum the compiler computed the
/// trilinear weights from the nearest variant's bytes too (speculatively, before the
/// branch), and a voxel index read as f32 is a subnormal number, which x86 multiplies
/// a hundred times slower: nearest sampling took five times as long as trilinear.
#[derive(Clone, Copy)]
struct Kernel {
    base: usize,
    f: [f32; 3],
    trilinear: bool,
}

impl<'a> Grid<'a> {
    fn new(vol: &'a Volume, cras: [f32; 3]) -> Grid<'a> {
        // Readers build Fortran-order arrays (their transpose is in standard order): the
        // data in memory order are then in the order wanted. Any other layout is copied
        // once, in that order.
        let fortran = vol.data.t().is_standard_layout();
        let values = match vol.data.as_slice_memory_order() {
            Some(s) if fortran => std::borrow::Cow::Borrowed(s),
            _ => std::borrow::Cow::Owned(vol.data.t().iter().copied().collect()),
        };
        let n = vol.shape();
        let stride = [1, n[0], n[0] * n[1]];
        let step = [0, 1, 2].map(|a| if n[a] > 1 { stride[a] } else { 0 });
        let corner =
            std::array::from_fn(|c| (0..3).map(|a| ((c >> a) & 1) * step[a]).sum::<usize>());
        // Surface (tkr) coordinates + cras = world: fold the shift into the inverse.
        let mut to_voxel = inverse(&vol.affine);
        for row in &mut to_voxel {
            row[3] += (0..3).map(|k| row[k] * f64::from(cras[k])).sum::<f64>();
        }
        Grid {
            values,
            n,
            stride,
            corner,
            frame_len: n[0] * n[1] * n[2],
            n_frames: vol.n_frames(),
            to_voxel,
        }
    }

    /// Voxel coordinates of surface point `p`.
    fn voxel(&self, p: [f32; 3]) -> [f64; 3] {
        let p = p.map(f64::from);
        self.to_voxel
            .map(|r| r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + r[3])
    }

    /// Whether voxel coordinates lie within the volume's extent (see the module docs).
    fn inside(&self, v: [f64; 3]) -> bool {
        (0..3).all(|k| v[k] >= -0.5 && v[k] <= self.n[k] as f64 - 0.5)
    }

    /// Where the value at `v` is read, or `None` outside the volume.
    fn kernel(&self, v: [f64; 3], interp: Interp) -> Option<Kernel> {
        if !self.inside(v) {
            return None;
        }
        match interp {
            Interp::Nearest => {
                // Within [-0.5, n - 0.5], so x + 0.5 ≥ 0 and truncation is the floor:
                // the nearest voxel (halves up), clamped for x = n - 0.5. (`round` would
                // be a libm call on the baseline x86-64 target, a third of the time.)
                let at = (v.iter().zip(self.n).zip(self.stride))
                    .map(|((x, n), s)| ((x + 0.5) as usize).min(n - 1) * s)
                    .sum();
                Some(Kernel {
                    base: at,
                    f: [0.0; 3],
                    trilinear: false,
                })
            }
            Interp::Trilinear => {
                let mut base = 0;
                let mut f = [0f32; 3];
                for (((x, n), s), f) in v.iter().zip(self.n).zip(self.stride).zip(&mut f) {
                    let x = x.clamp(0.0, (n - 1) as f64);
                    // The cell's lower corner: the last cell for the upper edge itself.
                    let l = (x as usize).min(n.saturating_sub(2));
                    base += l * s;
                    *f = (x - l as f64) as f32;
                }
                Some(Kernel {
                    base,
                    f,
                    trilinear: true,
                })
            }
        }
    }

    /// The value of frame `frame` through kernel `k`. A NaN voxel is left out of a
    /// trilinear value, the other corners' weights renormalised.
    fn value(&self, k: Kernel, frame: usize) -> f32 {
        let off = frame * self.frame_len;
        let vals = self
            .values
            .get(off..off + self.frame_len)
            .unwrap_or_default();
        let get = |i: usize| vals.get(i).copied().unwrap_or(f32::NAN);
        let Kernel {
            base,
            f: [fx, fy, fz],
            trilinear,
        } = k;
        match trilinear {
            false => get(base),
            true => {
                let c = self.corner.map(|o| get(base + o));
                if c.iter().all(|x| x.is_finite()) {
                    let lerp = |a: f32, b: f32, t: f32| a + t * (b - a);
                    let y0 = lerp(lerp(c[0], c[1], fx), lerp(c[2], c[3], fx), fy);
                    let y1 = lerp(lerp(c[4], c[5], fx), lerp(c[6], c[7], fx), fy);
                    return lerp(y0, y1, fz);
                }
                let (mut acc, mut wsum) = (0.0f32, 0.0f32);
                for (i, x) in c.iter().enumerate() {
                    let w = [fx, fy, fz]
                        .iter()
                        .enumerate()
                        .map(|(a, &t)| if (i >> a) & 1 == 1 { t } else { 1.0 - t })
                        .product::<f32>();
                    if w > 0.0 && x.is_finite() {
                        acc += w * x;
                        wsum += w;
                    }
                }
                if wsum > 0.0 {
                    acc / wsum
                } else {
                    f32::NAN
                }
            }
        }
    }
}

/// Voxel coordinates of vertex `i`'s white and pial positions (the same when sampling on
/// one surface): the samples between them are interpolated in voxel space, which the
/// affine map allows, and which saves a matrix product per sample.
fn ends(grid: &Grid, white: &Mesh, pial: Option<&Mesh>, i: usize) -> ([f64; 3], [f64; 3]) {
    let w = grid.voxel(white.vertices[i]);
    let p = pial.map_or(w, |p| grid.voxel(p.vertices[i]));
    (w, p)
}

/// The point at depth `d` between `w` (0) and `p` (1).
fn at_depth(w: [f64; 3], p: [f64; 3], d: f32) -> [f64; 3] {
    let d = f64::from(d);
    [0, 1, 2].map(|k| w[k] + d * (p[k] - w[k]))
}

/// Refuses sampling surfaces whose vertex counts differ.
fn check_pair(white: &Mesh, pial: Option<&Mesh>) -> Result<()> {
    match pial {
        Some(p) if p.vertices.len() != white.vertices.len() => Err(Error::Sampling(format!(
            "the sampling surfaces differ in size: white has {} vertices, pial {}; they must \
             be the same subject's surfaces, vertex for vertex",
            white.vertices.len(),
            p.vertices.len()
        ))),
        _ => Ok(()),
    }
}

/// Samples every frame of `vol` at each vertex between `white` and `pial` (the same
/// vertex count) at `s.depths`, or at `white` alone when `pial` is `None` (one sampling
/// surface such as a midthickness: the depths are then ignored). Surface coordinates are
/// moved by `cras` (FreeSurfer tkrRAS → scanner RAS: world = tkr + cras; zero for
/// surfaces already in the volume's world, such as fsaverage) and then through the
/// inverse affine to voxels. A vertex whose samples all fall outside the volume or are
/// NaN is NaN (no data). The overlay has `vol`'s frames, every one held.
///
/// The work is spread over rayon's threads by blocks of vertices; the kernel (voxels and
/// fractions) of each sample is computed once and applied to every frame.
pub fn sample(
    vol: &Volume,
    white: &Mesh,
    pial: Option<&Mesh>,
    cras: [f32; 3],
    s: &Sampling,
) -> Result<Overlay> {
    check_pair(white, pial)?;
    if pial.is_some() && s.depths.is_empty() {
        return Err(Error::Sampling(
            "no sampling depths: give at least one depth between white (0) and pial (1)".into(),
        ));
    }
    let grid = Grid::new(vol, cras);
    let n_vertices = white.vertices.len();
    let n_frames = grid.n_frames;
    let depths: &[f32] = match pial {
        Some(_) => &s.depths,
        None => &[0.0],
    };
    // Vertex-major while sampling (each vertex's frames together), frame-major after.
    let mut by_vertex = vec![f32::NAN; n_vertices * n_frames];
    by_vertex
        .par_chunks_mut(CHUNK * n_frames)
        .enumerate()
        .for_each(|(chunk, out)| {
            let mut acc = vec![0f32; n_frames];
            let mut count = vec![0u32; n_frames];
            for (j, vals) in out.chunks_mut(n_frames).enumerate() {
                let i = chunk * CHUNK + j;
                acc.fill(match s.reduce {
                    Reduce::Mean => 0.0,
                    Reduce::Max => f32::NEG_INFINITY,
                });
                count.fill(0);
                let (w, p) = ends(&grid, white, pial, i);
                for &d in depths {
                    let Some(k) = grid.kernel(at_depth(w, p, d), s.interp) else {
                        continue;
                    };
                    for f in 0..n_frames {
                        let x = grid.value(k, f);
                        if x.is_nan() {
                            continue;
                        }
                        count[f] += 1;
                        match s.reduce {
                            Reduce::Mean => acc[f] += x,
                            Reduce::Max => acc[f] = acc[f].max(x),
                        }
                    }
                }
                for f in 0..n_frames {
                    vals[f] = match (count[f], s.reduce) {
                        (0, _) => f32::NAN,
                        (c, Reduce::Mean) => acc[f] / c as f32,
                        (_, Reduce::Max) => acc[f],
                    };
                }
            }
        });
    let values = if n_frames == 1 {
        by_vertex
    } else {
        let mut v = vec![0f32; n_vertices * n_frames];
        for (i, frames) in by_vertex.chunks(n_frames).enumerate() {
            for (f, &x) in frames.iter().enumerate() {
                v[f * n_vertices + i] = x;
            }
        }
        v
    };
    Ok(Overlay {
        n_vertices,
        n_frames,
        values,
        kept: None,
        frame_names: Vec::new(),
        time_step: None,
    })
}

/// Samples a label volume: at each depth the nearest voxel's label (frame 0), then the
/// label most frequent over the depths. Outside the volume, a NaN voxel and label 0
/// ("unknown", as FreeSurfer's segmentations and most atlases store background) are no
/// label: they do not vote, and a vertex where nothing else was found is 0. So a parcel
/// drawn in grey matter only still labels a vertex whose pial end lies in the background.
/// A tie is broken by the depths' order from the middle of the list outwards: the tied
/// label found at the depth nearest the middle (the middle depth itself when it holds one
/// of them; of two equally near, the earlier in the list) wins.
///
/// Refused unless the volume holds whole numbers ([`Volume::integer`]) that fit in i32:
/// interpolated or probabilistic values are no labels.
pub fn sample_labels(
    vol: &Volume,
    white: &Mesh,
    pial: Option<&Mesh>,
    cras: [f32; 3],
    depths: &[f32],
) -> Result<Vec<i32>> {
    check_pair(white, pial)?;
    if !vol.integer {
        let example = vol
            .data
            .iter()
            .find(|x| x.is_finite() && x.fract() != 0.0)
            .map_or(String::new(), |x| format!(" (it holds {x})"));
        return Err(Error::Sampling(format!(
            "not a label volume: its values are not all whole numbers of an integer type{example}; \
             expected integer labels (a parcellation or segmentation)"
        )));
    }
    if let Some(x) = vol
        .data
        .iter()
        .find(|x| x.is_finite() && (**x < i32::MIN as f32 || **x > i32::MAX as f32))
    {
        return Err(Error::Sampling(format!(
            "not a label volume: value {x} is beyond the range of a 32-bit label"
        )));
    }
    let grid = Grid::new(vol, cras);
    let depths: &[f32] = match pial {
        Some(_) if !depths.is_empty() => depths,
        Some(_) => {
            return Err(Error::Sampling(
                "no sampling depths: give at least one depth between white (0) and pial (1)".into(),
            ))
        }
        None => &[0.0],
    };
    // Depth indices from the middle outwards, for ties.
    let mid = (depths.len() as f64 - 1.0) / 2.0;
    let mut order: Vec<usize> = (0..depths.len()).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = ((a as f64 - mid).abs(), (b as f64 - mid).abs());
        da.total_cmp(&db).then(a.cmp(&b))
    });
    let n_vertices = white.vertices.len();
    let mut out = vec![0i32; n_vertices];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, out)| {
            let mut labels = vec![0i32; depths.len()];
            for (j, o) in out.iter_mut().enumerate() {
                let i = chunk * CHUNK + j;
                let (w, p) = ends(&grid, white, pial, i);
                for (l, &d) in labels.iter_mut().zip(depths) {
                    *l = grid
                        .kernel(at_depth(w, p, d), Interp::Nearest)
                        .map(|k| grid.value(k, 0))
                        .filter(|x| x.is_finite())
                        .map_or(0, |x| x as i32);
                }
                *o = majority(&labels, &order);
            }
        });
    Ok(out)
}

/// The most frequent non-zero label of `labels`, ties to the first in `order` (see
/// [`sample_labels`]); 0 when all are 0.
fn majority(labels: &[i32], order: &[usize]) -> i32 {
    let count = |l: i32| labels.iter().filter(|&&x| x == l).count();
    let best = labels
        .iter()
        .filter(|&&l| l != 0)
        .map(|&l| count(l))
        .max()
        .unwrap_or(0);
    if best == 0 {
        return 0;
    }
    order
        .iter()
        .map(|&d| labels[d])
        .find(|&l| l != 0 && count(l) == best)
        .unwrap_or(0)
}

/// How much of a surface falls inside a volume, and where each lies.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The fraction of vertices (0 to 1) inside the volume's extent.
    pub inside: f64,
    /// The surface's bounding box in world millimetres (its coordinates + `cras`): min,
    /// max.
    pub surface_box: [[f32; 3]; 2],
    /// The volume's bounding box in world millimetres (the corners of its voxels' extent
    /// through the affine): min, max.
    pub volume_box: [[f64; 3]; 2],
}

/// The fraction of `mesh`'s vertices (moved by `cras`, as [`sample`] moves them) that
/// fall inside `vol`, and both bounding boxes in world millimetres: a surface entirely
/// outside its volume is most likely in another space (a subject's surface with an MNI
/// volume, a surface without its `cras`), which the boxes show.
pub fn coverage(vol: &Volume, mesh: &Mesh, cras: [f32; 3]) -> Coverage {
    let grid = Grid::new(vol, cras);
    let n = mesh.vertices.len();
    let inside = mesh
        .vertices
        .par_iter()
        .with_min_len(CHUNK)
        .filter(|&&v| grid.inside(grid.voxel(v)))
        .count();
    let (lo, hi) = mesh.bounds();
    let surface_box = [
        [0, 1, 2].map(|k| lo[k] + cras[k]),
        [0, 1, 2].map(|k| hi[k] + cras[k]),
    ];
    let mut vb = [[f64::INFINITY; 3], [f64::NEG_INFINITY; 3]];
    let ext = vol.shape().map(|s| [-0.5, s as f64 - 0.5]);
    for c in 0..8 {
        let v = [0, 1, 2].map(|a| ext[a][(c >> a) & 1]);
        let a = &vol.affine;
        for r in 0..3 {
            let w = a[r][0] * v[0] + a[r][1] * v[1] + a[r][2] * v[2] + a[r][3];
            vb[0][r] = vb[0][r].min(w);
            vb[1][r] = vb[1][r].max(w);
        }
    }
    Coverage {
        inside: if n == 0 {
            0.0
        } else {
            inside as f64 / n as f64
        },
        surface_box,
        volume_box: vb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_ignores_zero_and_breaks_ties_at_the_middle() {
        let order = |n: usize| {
            let mid = (n as f64 - 1.0) / 2.0;
            let mut o: Vec<usize> = (0..n).collect();
            o.sort_by(|&a, &b| {
                ((a as f64 - mid).abs())
                    .total_cmp(&(b as f64 - mid).abs())
                    .then(a.cmp(&b))
            });
            o
        };
        assert_eq!(majority(&[0, 0, 0, 5, 5], &order(5)), 5);
        assert_eq!(majority(&[0, 0, 0], &order(3)), 0);
        // 3 and 7 twice each; the middle (index 2) holds 7.
        assert_eq!(majority(&[3, 3, 7, 7, 0], &order(5)), 7);
        // Middle is 0: index 1 (3) and 3 (7) equally near; the earlier wins.
        assert_eq!(majority(&[3, 3, 0, 7, 7], &order(5)), 3);
    }
}
