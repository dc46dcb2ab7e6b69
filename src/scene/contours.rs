//! Iso-lines of per-vertex values: contours of a continuous map at given levels, and the
//! outline of a thresholded overlay. Values vary linearly across each triangle (as the
//! shaders interpolate them), so within a triangle a level is a straight segment between
//! the two edges where it is crossed.

use super::borders::Segment;
use crate::mesh::Mesh;

/// The most contour levels (`--levels`, as `--n-contours`): each level is a pass over
/// every triangle.
pub const MAX_LEVELS: usize = 100;

/// Segments where `values` crosses each of `levels`, coloured by `color_of(level index)`.
/// Non-finite values are "no data": triangles touching one carry no contour.
pub fn iso_lines(
    mesh: &Mesh,
    values: &[f32],
    levels: &[f32],
    color_of: impl Fn(usize) -> [u8; 4],
) -> Vec<Segment> {
    let mut out = Vec::new();
    for f in &mesh.faces {
        let ids = f.map(|i| i as usize);
        let (Some(v), Some(p)) = (
            ids.iter()
                .map(|&i| values.get(i).copied())
                .collect::<Option<Vec<f32>>>(),
            ids.iter()
                .map(|&i| mesh.vertices.get(i).copied())
                .collect::<Option<Vec<[f32; 3]>>>(),
        ) else {
            continue;
        };
        if v.iter().any(|x| !x.is_finite()) {
            continue;
        }
        for (k, &level) in levels.iter().enumerate() {
            // A corner exactly at the level counts as above it, so a level through a
            // vertex is crossed once, not twice.
            let above = v.iter().map(|&x| x >= level).collect::<Vec<_>>();
            let mut cross = Vec::with_capacity(2);
            for (i, j) in [(0, 1), (1, 2), (2, 0)] {
                if above[i] != above[j] {
                    let t = (level - v[i]) / (v[j] - v[i]);
                    cross.push([0, 1, 2].map(|c| p[i][c] + t * (p[j][c] - p[i][c])));
                }
            }
            if let [a, b] = cross[..] {
                out.push(Segment {
                    a,
                    b,
                    rgba: color_of(k),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_crosses_a_triangle_once() {
        let mesh = Mesh {
            vertices: vec![[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 2.0, 0.0]],
            faces: vec![[0, 1, 2]],
            cras: None,
        };
        let segs = iso_lines(&mesh, &[0.0, 2.0, 2.0], &[1.0], |_| [1, 2, 3, 255]);
        assert_eq!(segs.len(), 1);
        let (a, b) = (segs[0].a, segs[0].b);
        // Halfway along both edges from vertex 0.
        assert!(
            a == [1.0, 0.0, 0.0] && b == [0.0, 1.0, 0.0]
                || b == [1.0, 0.0, 0.0] && a == [0.0, 1.0, 0.0]
        );
        assert!(iso_lines(&mesh, &[0.0, 2.0, f32::NAN], &[1.0], |_| [0; 4]).is_empty());
        assert!(iso_lines(&mesh, &[0.0, 0.5, 0.2], &[1.0], |_| [0; 4]).is_empty());
    }
}
