//! Triangle meshes as read from disk, plus the derived quantities rendering needs.

/// A triangle surface: vertex positions in the file's coordinates (RAS millimetres for
/// FreeSurfer surfaces) and faces as indices into `vertices`. Readers guarantee every
/// index is in range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    /// Positions, in the file's coordinates.
    pub vertices: Vec<[f32; 3]>,
    /// Triangles as three vertex indices each.
    pub faces: Vec<[u32; 3]>,
    /// The centre of the volume the surface was made from (`c_ras`), in scanner RAS
    /// millimetres, when the file records it: a FreeSurfer surface's volume-info footer
    /// (`cras = x y z`). FreeSurfer surfaces are in tkrRAS, whose origin is that volume's
    /// centre, so scanner RAS = vertex + `cras`; sampling a volume in scanner coordinates
    /// (a subject's native scan) needs it. `None` when the file records none (GIfTI, a
    /// FreeSurfer surface without a valid footer): such coordinates are taken as they are.
    /// fsaverage's is 0.
    pub cras: Option<[f32; 3]>,
}

impl Mesh {
    /// Axis-aligned bounds `(min, max)`; an empty mesh gives zeros. NaN coordinates are
    /// passed over (as `f32::min` does).
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        if self.vertices.is_empty() {
            return ([0.0; 3], [0.0; 3]);
        }
        // Four vertices at a time into twelve running minima and maxima (a loop the
        // compiler vectorises, where one vertex at a time is a chain of scalar steps),
        // folded to three at the end.
        let (quads, rest) = self.vertices.as_chunks::<4>();
        let mut lo = [f32::INFINITY; 12];
        let mut hi = [f32::NEG_INFINITY; 12];
        for q in quads {
            for (j, &c) in q.as_flattened().iter().enumerate() {
                lo[j] = lo[j].min(c);
                hi[j] = hi[j].max(c);
            }
        }
        for (j, &c) in rest.as_flattened().iter().enumerate() {
            lo[j] = lo[j].min(c);
            hi[j] = hi[j].max(c);
        }
        let fold = |m: [f32; 12], f: fn(f32, f32) -> f32| {
            [0, 1, 2].map(|k| f(f(m[k], m[k + 3]), f(m[k + 6], m[k + 9])))
        };
        (fold(lo, f32::min), fold(hi, f32::max))
    }

    /// Area-weighted vertex normals, oriented to point away from the mesh centre on
    /// average, so lighting is right whatever winding convention the file used.
    pub fn vertex_normals(&self) -> Vec<[f32; 3]> {
        self.normals_and_winding().0
    }

    /// [`Mesh::vertex_normals`] and [`Mesh::outward_winding`] (the same values, bit for
    /// bit) from one pass over the faces: each face's three vertices are loaded once for
    /// both, where the two apart cost two passes of scattered loads.
    pub fn normals_and_winding(&self) -> (Vec<[f32; 3]>, Option<f32>) {
        let v = &self.vertices;
        let mut n = vec![[0.0f32; 3]; v.len()];
        // As in `outward_winding`: face k's term goes to partial sum k mod 4.
        let mut part = [0.0f64; 4];
        for (k, f) in self.faces.iter().enumerate() {
            let [a, b, c] = f.map(|i| v[i as usize]);
            let cr = cross(sub(b, a), sub(c, a));
            for &i in f {
                let t = &mut n[i as usize];
                t[0] += cr[0];
                t[1] += cr[1];
                t[2] += cr[2];
            }
            part[k & 3] += dot(a, cross(b, c)) as f64;
        }
        self.orient(&mut n);
        (n, self.closed_winding(part))
    }

    /// Turns summed face normals into unit normals pointing away from the centre of the
    /// bounds on average.
    fn orient(&self, n: &mut [[f32; 3]]) {
        let (lo, hi) = self.bounds();
        let centre = [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]));
        let mut outward = 0.0f64;
        for (p, nv) in self.vertices.iter().zip(n.iter()) {
            outward += dot(sub(*p, centre), *nv) as f64;
        }
        let flip = if outward < 0.0 { -1.0 } else { 1.0 };
        for t in n {
            let len = dot(*t, *t).sqrt();
            if len > 0.0 {
                *t = t.map(|x| flip * x / len);
            }
        }
    }
}

impl Mesh {
    /// For a closed genus-0 surface (every FreeSurfer surface: V = F/2 + 2), the sign that
    /// makes face normals `(b − a) × (c − a)` point outwards: +1 for counter-clockwise
    /// winding seen from outside, −1 for clockwise. `None` for other meshes, which are
    /// then drawn without back-face culling.
    pub fn outward_winding(&self) -> Option<f32> {
        if !self.closed() {
            return None;
        }
        // Six times the signed volume: positive when normals point outwards. Four
        // partial sums keep several faces' vertex loads in flight (only the sign is used).
        let mut part = [0.0f64; 4];
        for quad in self.faces.chunks(4) {
            for (p, f) in part.iter_mut().zip(quad) {
                let [a, b, c] = f.map(|i| self.vertices[i as usize]);
                *p += dot(a, cross(b, c)) as f64;
            }
        }
        self.closed_winding(part)
    }

    /// Whether the counts are a closed genus-0 surface's (V = F/2 + 2).
    fn closed(&self) -> bool {
        !self.faces.is_empty() && self.vertices.len() == self.faces.len() / 2 + 2
    }

    /// The winding from the four partial sums of six times the signed volume.
    fn closed_winding(&self, part: [f64; 4]) -> Option<f32> {
        if !self.closed() {
            return None;
        }
        let vol = part.iter().sum::<f64>();
        if vol > 0.0 {
            Some(1.0)
        } else if vol < 0.0 {
            Some(-1.0)
        } else {
            None
        }
    }
}

/// The most faces a surface of `n_vertices` vertices may have: 4 per vertex + 1024.
///
/// A closed triangle surface (every FreeSurfer surface) has 2 per vertex − 4, an open one
/// fewer; twice that, plus room for tiny meshes, is generous for any surface one would
/// draw. A header that claims more (3 vertices and 178 million faces) is refused before
/// the faces are read, as they could only be repeats that would cost gigabytes to hold and
/// minutes to draw.
pub fn max_faces(n_vertices: u64) -> u64 {
    n_vertices.saturating_mul(4).saturating_add(1024)
}

pub(crate) fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub(crate) fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(crate) fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normals as they were computed before issue #15 fused them with the winding:
    /// the reference the fused pass must match bit for bit.
    fn reference_normals(m: &Mesh) -> Vec<[f32; 3]> {
        let mut n = vec![[0.0f32; 3]; m.vertices.len()];
        for f in &m.faces {
            let [a, b, c] = f.map(|i| m.vertices[i as usize]);
            let cr = cross(sub(b, a), sub(c, a));
            for &i in f {
                for k in 0..3 {
                    n[i as usize][k] += cr[k];
                }
            }
        }
        let (lo, hi) = m.bounds();
        let centre = [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]));
        let mut outward = 0.0f64;
        for (p, nv) in m.vertices.iter().zip(&n) {
            outward += dot(sub(*p, centre), *nv) as f64;
        }
        let flip = if outward < 0.0 { -1.0 } else { 1.0 };
        for t in &mut n {
            let len = dot(*t, *t).sqrt();
            if len > 0.0 {
                *t = t.map(|x| flip * x / len);
            }
        }
        n
    }

    #[test]
    fn bounds_of_any_vertex_count_pass_over_nan() {
        for n in 1..=9usize {
            let vertices: Vec<[f32; 3]> = (0..n)
                .map(|i| {
                    let x = i as f32;
                    [x, -x * 2.0, if i == n / 2 { f32::NAN } else { 10.0 - x }]
                })
                .collect();
            let mut lo = [f32::INFINITY; 3];
            let mut hi = [f32::NEG_INFINITY; 3];
            for v in &vertices {
                for k in 0..3 {
                    lo[k] = lo[k].min(v[k]);
                    hi[k] = hi[k].max(v[k]);
                }
            }
            let m = Mesh {
                vertices,
                ..Mesh::default()
            };
            assert_eq!(m.bounds(), (lo, hi), "{n} vertices");
        }
    }

    #[test]
    fn fused_normals_and_winding_match_the_separate_passes_bit_for_bit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fsaverage5");
        let mut meshes = vec![];
        for name in ["lh.inflated", "rh.pial", "lh.white"] {
            meshes.push(crate::io::read_surface(&root.join(name)).expect("fsaverage5"));
        }
        // Reversed winding, an open mesh, a degenerate one.
        let mut flipped = meshes[0].clone();
        flipped.faces.iter_mut().for_each(|f| f.swap(1, 2));
        let mut open = meshes[1].clone();
        open.faces.truncate(open.faces.len() / 3);
        let flat = Mesh {
            vertices: vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]],
            faces: vec![[0, 1, 2], [1, 3, 2], [0, 2, 1], [1, 2, 3]],
            cras: None,
        };
        meshes.extend([flipped, open, flat, Mesh::default()]);
        for m in &meshes {
            let (n, w) = m.normals_and_winding();
            let bits = |v: &[[f32; 3]]| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&n), bits(&reference_normals(m)));
            assert_eq!(w, m.outward_winding());
        }
    }
}
