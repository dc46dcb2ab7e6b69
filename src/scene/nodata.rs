//! Overlay values without data (NaN, ±Inf) as the renderers interpolate them: a value
//! and a validity per vertex, both interpolated per pixel, a pixel drawn where the
//! validity reaches 0.5 (`ColorMapping::shade`, and `surface.frag`).
//!
//! With a validity of exactly 0 or 1 per vertex, the 0.5 line runs through the midpoints
//! of the edges between vertices with and without data, a zigzag that follows the mesh;
//! and a vertex without data passing 0 into the interpolation pulls the colours next to
//! it towards zero. So the validity is smoothed over a few rings of neighbours, and then
//! held at 0.5 or above for a vertex with data and below it for one without: no vertex
//! changes side (a one-vertex island of data still draws, a one-vertex hole stays
//! empty), but between them the line follows the region's shape rather than the
//! triangles. A vertex without data carries the mean of its neighbours' values.

/// Rings of smoothing: enough to round the zigzag (the no-data edge of a straight cut
/// then wanders about 1.6 times as much as a threshold's rather than 2.4 times).
const SMOOTH: usize = 3;

/// `(value, validity)` for each vertex of `values` on a mesh of `faces`.
pub fn corners(values: &[f32], faces: &[[u32; 3]]) -> Vec<[f32; 2]> {
    if values.iter().all(|v| v.is_finite()) {
        return values.iter().map(|&v| [v, 1.0]).collect();
    }
    let n = values.len();
    let valid = |i: usize| values[i].is_finite();
    // Per vertex: neighbours seen, of them with data, and the sum of their values
    // (each edge is seen from both of its triangles, which weighs every neighbour alike
    // on a closed mesh).
    let mut seen = vec![0u32; n];
    let mut with_data = vec![0u32; n];
    let mut sum = vec![0f64; n];
    for f in faces {
        for (a, b) in [(f[0], f[1]), (f[1], f[2]), (f[2], f[0])] {
            let (a, b) = (a as usize, b as usize);
            if a >= n || b >= n {
                continue;
            }
            for (p, q) in [(a, b), (b, a)] {
                seen[p] += 1;
                if valid(q) {
                    with_data[p] += 1;
                    sum[p] += values[q] as f64;
                }
            }
        }
    }
    // The validity smoothed over SMOOTH rings, half own and half neighbours each time.
    let mut w: Vec<f32> = (0..n).map(|i| if valid(i) { 1.0 } else { 0.0 }).collect();
    for _ in 0..SMOOTH {
        let mut acc = vec![0f32; n];
        for f in faces {
            for (a, b) in [(f[0], f[1]), (f[1], f[2]), (f[2], f[0])] {
                let (a, b) = (a as usize, b as usize);
                if a < n && b < n {
                    acc[a] += w[b];
                    acc[b] += w[a];
                }
            }
        }
        w = (0..n)
            .map(|i| 0.5 * w[i] + 0.5 * acc[i] / seen[i].max(1) as f32)
            .collect();
    }
    (0..n)
        .map(|i| {
            let value = match (valid(i), with_data[i]) {
                (true, _) => values[i],
                (false, 0) => 0.0,
                (false, k) => (sum[i] / k as f64) as f32,
            };
            // No vertex changes side: one with data draws, one without does not.
            let validity = match valid(i) {
                true => w[i].max(0.5),
                false => w[i].min(0.4999),
            };
            [value, validity]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::corners;

    #[test]
    fn vertices_keep_their_side_and_values_fill_in() {
        // A fan: vertex 0 in the middle, 1..=4 around it; 3 and 4 without data.
        let faces = [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 1]];
        let v = [1.0, 2.0, 3.0, f32::NAN, f32::INFINITY];
        let c = corners(&v, &faces);
        for (i, x) in v.iter().enumerate() {
            assert_eq!(c[i][1] >= 0.5, x.is_finite(), "vertex {i}: {:?}", c[i]);
        }
        assert_eq!(c[0][0], 1.0);
        // Vertex 3's neighbours with data: 0 and 2 (each seen twice or once).
        assert!(c[3][0] > 1.0 && c[3][0] < 3.0, "{:?}", c[3]);
        // All data: validity 1, values as they are.
        let all = corners(&[1.0, 2.0, 3.0], &[[0, 1, 2]]);
        assert_eq!(all, vec![[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]]);
    }
}
