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
    /// Axis-aligned bounds `(min, max)`; an empty mesh gives zeros.
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        if self.vertices.is_empty() {
            return ([0.0; 3], [0.0; 3]);
        }
        let mut lo = [f32::INFINITY; 3];
        let mut hi = [f32::NEG_INFINITY; 3];
        for v in &self.vertices {
            for k in 0..3 {
                lo[k] = lo[k].min(v[k]);
                hi[k] = hi[k].max(v[k]);
            }
        }
        (lo, hi)
    }

    /// Area-weighted vertex normals, oriented to point away from the mesh centre on
    /// average, so lighting is right whatever winding convention the file used.
    pub fn vertex_normals(&self) -> Vec<[f32; 3]> {
        let mut n = vec![[0.0f32; 3]; self.vertices.len()];
        for f in &self.faces {
            let [a, b, c] = f.map(|i| self.vertices[i as usize]);
            let u = sub(b, a);
            let v = sub(c, a);
            let cr = cross(u, v);
            for &i in f {
                let t = &mut n[i as usize];
                t[0] += cr[0];
                t[1] += cr[1];
                t[2] += cr[2];
            }
        }
        let (lo, hi) = self.bounds();
        let centre = [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]));
        let mut outward = 0.0f64;
        for (p, nv) in self.vertices.iter().zip(&n) {
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
}

impl Mesh {
    /// For a closed genus-0 surface (every FreeSurfer surface: V = F/2 + 2), the sign that
    /// makes face normals `(b − a) × (c − a)` point outwards: +1 for counter-clockwise
    /// winding seen from outside, −1 for clockwise. `None` for other meshes, which are
    /// then drawn without back-face culling.
    pub fn outward_winding(&self) -> Option<f32> {
        if self.faces.is_empty() || self.vertices.len() != self.faces.len() / 2 + 2 {
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
