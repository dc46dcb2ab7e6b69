//! The multisample resolve of shaders/resolve.frag: each pixel's four 8-bit samples,
//! coloured by the primitives that won them, averaged into premultiplied RGBA8.

use super::raster::{Band, EMPTY};
use super::shade::{unorm8, ShadeCache, Shaders};

/// Resolves a drawn band into premultiplied RGBA8 rows (top row first), as
/// shaders/resolve.frag averages the four 8-bit samples.
pub(super) fn resolve(band: &Band, shader: &Shaders, cache: &mut ShadeCache, out: &mut [u8]) {
    cache.clear(shader.value_slots());
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
                    shader.shade(cache, ids[0], cx, cy)
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
                    shader.shade(cache, ids[s], cx, cy)
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
