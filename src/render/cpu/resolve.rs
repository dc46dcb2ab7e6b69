//! The multisample resolve of shaders/resolve.frag: each pixel's four 8-bit samples,
//! coloured by the primitives that won them, averaged into premultiplied RGBA8.

use super::raster::{Visible, EMPTY};
use super::shade::unorm8;

/// Resolves a drawn band into premultiplied RGBA8 rows (top row first), as
/// shaders/resolve.frag averages the four 8-bit samples. `shade(id, cx, cy)` is the
/// colour primitive `id` gives the pixel whose centre is at window `(cx, cy)`; it is
/// asked once per pixel and primitive, in an order that depends on `band` alone, so
/// that the frames of a movie can replay what the first one recorded.
pub(super) fn resolve(
    band: Visible,
    out: &mut [u8],
    mut shade: impl FnMut(u32, f32, f32) -> [u8; 4],
) {
    let w = band.width;
    for (r, row) in out.chunks_exact_mut(w * 4).enumerate().take(band.rows) {
        let cy = (band.top - r as i64) as f32 + 0.5;
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let at = (r * w + x) * 4;
            let Some(ids) = band.ids.get(at..at + 4) else {
                continue;
            };
            let cx = x as f32 + 0.5;
            if ids[0] == ids[1] && ids[1] == ids[2] && ids[2] == ids[3] {
                // All four samples alike: the average is the colour itself.
                let c = if ids[0] == EMPTY {
                    [0; 4]
                } else {
                    shade(ids[0], cx, cy)
                };
                px.copy_from_slice(&c);
                continue;
            }
            let mut colors = [[0u8; 4]; 4];
            for s in 0..4 {
                colors[s] = if ids[s] == EMPTY {
                    [0; 4]
                } else if let Some(t) = (0..s).find(|&t| ids[t] == ids[s]) {
                    colors[t]
                } else {
                    shade(ids[s], cx, cy)
                };
            }
            for k in 0..4 {
                let mut acc = 0.0f32;
                for c in &colors {
                    acc += c[k] as f32 * (1.0 / 255.0);
                }
                px[k] = unorm8(acc / 4.0);
            }
        }
    }
}
