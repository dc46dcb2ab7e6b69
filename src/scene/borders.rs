//! Borders between categorical regions as 3-D line segments on the surface, drawn later
//! as screen-space lines of a fixed pixel width. They follow exactly the regions the fill
//! shows (shaders/surface.frag): inside a triangle each label weighs the barycentric
//! weights of its corners and the heaviest wins. With two labels the border is the line
//! through the midpoints of the two edges that change label; with three, each pair meets
//! along a line from an edge midpoint to the centroid.

use crate::mesh::Mesh;

/// One piece of a border, in surface coordinates, with its colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// One end, on the surface (millimetres).
    pub a: [f32; 3],
    /// The other end.
    pub b: [f32; 3],
    /// The line's colour.
    pub rgba: [u8; 4],
}

/// Borders between vertices of different `regions` colour (alpha 0 = no region).
pub fn region_borders(mesh: &Mesh, regions: &[[u8; 4]]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mid = |p: [f32; 3], q: [f32; 3]| {
        [
            0.5 * (p[0] + q[0]),
            0.5 * (p[1] + q[1]),
            0.5 * (p[2] + q[2]),
        ]
    };
    for f in &mesh.faces {
        let ids = f.map(|i| i as usize);
        let (Some(c), Some(p)) = (
            ids.iter()
                .map(|&i| regions.get(i).copied())
                .collect::<Option<Vec<_>>>(),
            ids.iter()
                .map(|&i| mesh.vertices.get(i).copied())
                .collect::<Option<Vec<_>>>(),
        ) else {
            continue;
        };
        if c[0] == c[1] && c[1] == c[2] {
            continue;
        }
        // The same choice all along a border, so it does not alternate between the two
        // regions' colours: a labelled side, and of two labelled sides the larger colour.
        let colour = |x: usize, y: usize| match (c[x][3] > 0, c[y][3] > 0) {
            (true, false) => c[x],
            (false, true) => c[y],
            _ => c[x].max(c[y]),
        };
        if c[0] != c[1] && c[1] != c[2] && c[0] != c[2] {
            let centre = [0, 1, 2].map(|k| (p[0][k] + p[1][k] + p[2][k]) / 3.0);
            for (i, j) in [(0, 1), (1, 2), (2, 0)] {
                out.push(Segment {
                    a: mid(p[i], p[j]),
                    b: centre,
                    rgba: colour(i, j),
                });
            }
        } else {
            // The corner whose label the other two do not share.
            let lone = if c[1] == c[2] {
                0
            } else if c[0] == c[2] {
                1
            } else {
                2
            };
            let (i, j) = ((lone + 1) % 3, (lone + 2) % 3);
            out.push(Segment {
                a: mid(p[lone], p[i]),
                b: mid(p[lone], p[j]),
                rgba: colour(lone, i),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_follow_label_changes() {
        let mesh = Mesh {
            vertices: vec![
                [0.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [0.0, 1.0, 0.0],
                [1.0, 1.0, 0.0],
            ],
            faces: vec![[0, 1, 2], [1, 3, 2]],
            cras: None,
        };
        let red = [255, 0, 0, 255];
        let none = [0, 0, 0, 0];
        // Vertex 0 alone in the region: one segment across the first triangle, between
        // the midpoints of its two edges at vertex 0.
        let segs = region_borders(&mesh, &[red, none, none, none]);
        assert_eq!(segs.len(), 1);
        assert_eq!((segs[0].a, segs[0].b), ([0.5, 0.0, 0.0], [0.0, 0.5, 0.0]));
        assert!(segs.iter().all(|s| s.rgba == red));
        assert!(region_borders(&mesh, &[red; 4]).is_empty());
    }
}
