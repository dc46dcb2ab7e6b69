//! The built-in CPU renderer: pure Rust, no system library, and the same pictures as the
//! GL path on Mesa's llvmpipe with 4x multisampling (see raster.rs for coverage and
//! depth, shade.rs for colours, resolve.rs for the multisample resolve).
//!
//! Each panel is split into bands of image rows. Geometry is transformed and sorted
//! into bands once per panel; then worker threads take whole bands, draw every
//! primitive of the band in drawing order into per-sample depth and primitive-id
//! buffers, and resolve the band to pixels. Each pixel is computed by exactly one thread
//! in a fixed order, so the images do not depend on the number of threads. The threads
//! are a [`Pool`] kept for every figure a renderer draws.

mod prep;
mod raster;
mod resolve;
mod shade;
#[cfg(test)]
mod tests;

use std::sync::Mutex;

use image::RgbaImage;
use rayon::prelude::*;

use super::{BackendInfo, Panel};
use crate::error::{Error, Result};
use crate::scene::Scene;
use prep::Prepared;
use raster::{Band, Visible, LINE_BIT, PART_SHIFT};
use shade::{Lit, Shader, Shaders};

/// The most surfaces one panel draws (a whole-brain panel's two hemispheres): the part
/// of a primitive is kept in one bit of its id.
const MAX_PARTS: usize = 2;

/// Image rows per band: small enough that a band's samples stay in cache, large enough
/// that few triangles straddle two bands.
const BAND_ROWS: usize = 16;

/// The CPU renderer's worker threads, started with the first figure and kept for every
/// figure after it. (Started then rather than with the renderer, they take over the
/// memory arenas of the threads that read the inputs instead of adding their own.)
pub(crate) struct Pool {
    pool: Option<rayon::ThreadPool>,
    threads: usize,
    /// The geometry of the last figure that had a [`Scene::geometry_key`], for the next
    /// frame of the same movie.
    kept: Option<Kept>,
}

impl Pool {
    /// A pool of `threads` workers (at least one).
    pub(crate) fn new(threads: usize) -> Pool {
        Pool {
            pool: None,
            threads: threads.max(1),
            kept: None,
        }
    }

    /// Renders every panel; same output conventions as the GL path (premultiplied RGBA,
    /// transparent background, top row first).
    pub(crate) fn render(
        &mut self,
        scene: &Scene,
        panels: &[Panel],
    ) -> Result<(Vec<RgbaImage>, BackendInfo)> {
        let pool = match &mut self.pool {
            Some(pool) => pool,
            None => self.pool.insert(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(self.threads)
                    .thread_name(|i| format!("surfrender-cpu-{i}"))
                    .build()
                    .map_err(|e| {
                        Error::Internal(format!("cannot start the CPU renderer's threads: {e}"))
                    })?,
            ),
        };
        let images = render_with(pool, self.threads, scene, panels, &mut self.kept)?;
        Ok((images, info(self.threads)))
    }
}

/// One figure's geometry as the band workers use it: kept after a figure with a
/// [`Scene::geometry_key`] so that the next figure with the same key and panels (the
/// next frame of a movie) is only shaded again. Its memory is 4 bytes per sample (16 per
/// pixel) plus the panels' transformed vertices.
struct Kept {
    key: u64,
    panels: Vec<Panel>,
    /// What of the scene besides its surfaces the geometry and the colours under the
    /// overlays depend on: the promise of a key covers them too, but comparing costs
    /// nothing.
    cortex: crate::color::Cortex,
    widths: (f32, f32),
    /// How many figures were drawn from this geometry after the one that made it.
    reused: usize,
    /// Each panel's surfaces, transformed and sorted into bands.
    prepared: Vec<Vec<Prepared>>,
    /// Per panel and band, what its samples show; empty until the bands are drawn.
    visible: Vec<Vec<KeptBand>>,
}

/// One drawn band of a [`Kept`] figure.
#[derive(Default)]
struct KeptBand {
    /// The primitive that won each sample ([`Band::ids`]).
    ids: Vec<u32>,
    /// What of each colour the resolve asked for does not depend on overlay values, in
    /// the order it asked.
    lit: Vec<Lit>,
}

/// What `surfrender backends` says about this renderer.
pub fn describe() -> String {
    renderer_name(threads())
}

fn renderer_name(threads: usize) -> String {
    let s = if threads == 1 { "" } else { "s" };
    format!("surfrender CPU rasterizer ({threads} thread{s})")
}

/// The CPU renderer's [`BackendInfo::origin`].
pub(crate) const ORIGIN: &str = "built-in CPU renderer";

fn info(threads: usize) -> BackendInfo {
    BackendInfo {
        origin: ORIGIN.into(),
        renderer: renderer_name(threads),
        version: env!("CARGO_PKG_VERSION").into(),
        samples: 4,
    }
}

/// Worker threads: `SURFRENDER_THREADS` when set to a positive number, else one per CPU
/// this process may use ([`crate::batch::cores`]: affinity, cgroup, SLURM_CPUS_PER_TASK).
pub(crate) fn threads() -> usize {
    std::env::var("SURFRENDER_THREADS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(crate::batch::cores)
        .min(256)
}

/// One band of one panel, with the rows of the panel's image it fills.
struct Job<'a> {
    panel: usize,
    band: usize,
    out: &'a mut [u8],
    ids: Ids<'a>,
}

/// Where a band's visibility comes from.
enum Ids<'a> {
    /// Drawn now and forgotten after the resolve.
    Draw,
    /// Drawn now and kept here for the next frame.
    Keep(&'a mut KeptBand),
    /// Drawn for an earlier frame of the same geometry: only the resolve runs, with the
    /// colours' parts that overlay values do not change as they were recorded.
    Kept(&'a KeptBand),
}

/// Renders with the `threads` workers of `pool`. A scene whose geometry key and panels
/// are those of the figure `kept` was made from reuses its geometry and visibility and
/// is only shaded; a scene with a key leaves its own in `kept`.
fn render_with(
    pool: &rayon::ThreadPool,
    threads: usize,
    scene: &Scene,
    panels: &[Panel],
    kept: &mut Option<Kept>,
) -> Result<Vec<RgbaImage>> {
    for p in panels {
        let known = p
            .parts
            .iter()
            .all(|q| scene.surfaces.get(q.surface).is_some());
        if p.parts.is_empty() || p.parts.len() > MAX_PARTS || !known {
            return Err(Error::Render("panel without surface".into()));
        }
    }
    let mut t = std::time::Instant::now();
    let key = scene.geometry_key;
    let (mut geometry, reuse) = geometry_for(pool, scene, panels, kept, &mut t);
    let Kept {
        prepared, visible, ..
    } = &mut geometry;
    let prepared: &[Vec<Prepared>] = prepared;
    let shaders: Vec<Shaders> = panels
        .iter()
        .zip(prepared)
        .map(|(p, g)| {
            Shaders::new(
                p.parts
                    .iter()
                    .zip(g)
                    .map(|(q, g)| Shader::new(scene, &scene.surfaces[q.surface], p, g))
                    .collect(),
            )
        })
        .collect();
    // Every part of a panel has the panel's size.
    let size = |g: &[Prepared]| g.first().map_or((1, 1), |g| (g.width, g.height));
    let mut buffers: Vec<Vec<u8>> = prepared
        .iter()
        .map(|g| {
            let (w, h) = size(g);
            // Every byte is written: each band resolves all its rows (see run_band).
            crate::recycle::scratch(w * h * 4)
        })
        .collect();
    let mut jobs = Vec::new();
    let mut kept_ids = visible
        .iter_mut()
        .map(Some)
        .chain(std::iter::repeat_with(|| None));
    for (i, (buf, g)) in buffers.iter_mut().zip(prepared).enumerate() {
        let (w, _) = size(g);
        let mut ids = kept_ids.next().flatten().map(|v| v.iter_mut());
        for (band, out) in buf.chunks_mut(BAND_ROWS * w * 4).enumerate() {
            let ids = match ids.as_mut().and_then(Iterator::next) {
                Some(v) if reuse => Ids::Kept(v),
                Some(v) => Ids::Keep(v),
                None => Ids::Draw,
            };
            jobs.push(Job {
                panel: i,
                band,
                out,
                ids,
            });
        }
    }
    // Bands with the most primitives first, so no thread is left with a long one at the end.
    let work = |j: &Job| -> usize {
        prepared[j.panel]
            .iter()
            .map(|g| g.bins.get(j.band).map_or(0, Vec::len))
            .sum()
    };
    jobs.sort_by_key(|j| std::cmp::Reverse(work(j)));
    let queue = Mutex::new(jobs.into_iter());
    let workers = threads.min(queue.lock().map_or(1, |q| q.len()).max(1));
    pool.scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| {
                let mut band = Band::new();
                let mut cache = shade::ShadeCache::new();
                loop {
                    let job = match queue.lock() {
                        Ok(mut q) => q.next(),
                        Err(_) => None,
                    };
                    let Some(job) = job else { break };
                    let (parts, shaders) = (&prepared[job.panel], &shaders[job.panel]);
                    run_band(job, parts, shaders, &mut band, &mut cache);
                }
            });
        }
    });
    crate::timing::stage(if reuse { "cpu shade" } else { "cpu raster" }, &mut t);
    let images = buffers
        .into_iter()
        .zip(prepared)
        .map(|(b, g)| {
            let (w, h) = size(g);
            RgbaImage::from_raw(w as u32, h as u32, b)
                .ok_or_else(|| Error::Render("CPU renderer: image size mismatch".into()))
        })
        .collect();
    drop(shaders);
    if key.is_some() {
        *kept = Some(geometry);
    }
    images
}

/// The geometry of this figure: what `kept` holds when the scene's key, panels, cortex
/// and line widths are those it was made for (then `true`: only shading runs), else
/// prepared anew (with room for its visibility when the scene has a key). Anything
/// else kept is let go first, before this figure's memory is taken.
fn geometry_for(
    pool: &rayon::ThreadPool,
    scene: &Scene,
    panels: &[Panel],
    kept: &mut Option<Kept>,
    t: &mut std::time::Instant,
) -> (Kept, bool) {
    let key = scene.geometry_key;
    let widths = (scene.outline_px, scene.edge_px);
    let same = |k: &Kept| {
        Some(k.key) == key && k.panels == panels && k.cortex == scene.cortex && k.widths == widths
    };
    if let Some(k) = kept.take().filter(same) {
        crate::timing::geometry_reused();
        let reuse = !k.visible.is_empty();
        return (
            Kept {
                reused: k.reused + 1,
                ..k
            },
            reuse,
        );
    }
    let prepared = prepare(pool, scene, panels);
    crate::timing::stage("cpu geometry", t);
    let visible = match key {
        Some(_) => prepared
            .iter()
            .map(|g| {
                let bands = g.first().map_or(0, |g| g.bins.len());
                std::iter::repeat_with(KeptBand::default)
                    .take(bands)
                    .collect()
            })
            .collect(),
        None => Vec::new(),
    };
    let geometry = Kept {
        key: key.unwrap_or(0),
        panels: panels.to_vec(),
        cortex: scene.cortex,
        widths,
        reused: 0,
        prepared,
        visible,
    };
    (geometry, false)
}

/// One band of one panel: shaded again from what was kept, or drawn (keeping its
/// visibility and the value-free part of its colours when asked) and resolved.
fn run_band(
    job: Job,
    parts: &[Prepared],
    shaders: &Shaders,
    band: &mut Band,
    cache: &mut shade::ShadeCache,
) {
    if let Ids::Kept(kept) = job.ids {
        let seen = kept_band(parts, job.band, job.out, &kept.ids);
        let mut lit = kept.lit.iter();
        resolve::resolve(seen, job.out, |_, _, _| {
            lit.next().map_or([0; 4], |l| shaders.relight(l))
        });
        return;
    }
    if !draw_band(parts, job.band, job.out.len(), band) {
        return;
    }
    cache.clear(shaders.value_slots());
    match job.ids {
        Ids::Keep(kept) => {
            kept.lit.clear();
            resolve::resolve(band.visible(), job.out, |id, cx, cy| {
                let (c, lit) = shaders.shade_lit(cache, id, cx, cy);
                kept.lit.push(lit);
                c
            });
            kept.ids.clone_from(&band.ids);
        }
        _ => resolve::resolve(band.visible(), job.out, |id, cx, cy| {
            shaders.shade(cache, id, cx, cy)
        }),
    }
}

/// The geometry of each surface of each panel, panels shared among the threads.
fn prepare(pool: &rayon::ThreadPool, scene: &Scene, panels: &[Panel]) -> Vec<Vec<Prepared>> {
    pool.install(|| {
        panels
            .par_iter()
            .map(|p| {
                let widths = (scene.outline_px, scene.edge_px);
                p.parts
                    .iter()
                    .map(|q| {
                        let surf = &scene.surfaces[q.surface];
                        prep::prepare(surf, p, q.offset, widths, BAND_ROWS)
                    })
                    .collect()
            })
            .collect()
    })
}

/// The visibility of band `band` of a panel kept from an earlier frame, for an output
/// of `out.len()` bytes.
fn kept_band<'a>(parts: &[Prepared], band: usize, out: &[u8], ids: &'a [u32]) -> Visible<'a> {
    let (width, height) = parts.first().map_or((1, 1), |g| (g.width, g.height));
    Visible {
        width,
        rows: out.len() / (width * 4),
        top: (height - 1 - band * BAND_ROWS) as i64,
        ids,
    }
}

/// Draws band `band` of a panel (each surface, then its borders, surface after surface
/// into one depth buffer, as the GL path draws them) into `buf`, for an output of
/// `out_len` bytes; `false` for a panel without surfaces (never drawn). The primitives
/// of part `k` carry `k` in their [`PART_SHIFT`] bits.
fn draw_band(parts: &[Prepared], band: usize, out_len: usize, buf: &mut Band) -> bool {
    let Some(first) = parts.first() else {
        return false;
    };
    let (width, height) = (first.width, first.height);
    let first_row = band * BAND_ROWS;
    let rows = out_len / (width * 4);
    buf.reset(width, rows, (height - 1 - first_row) as i64);
    for (k, g) in parts.iter().enumerate() {
        let Some(bin) = g.bins.get(band) else {
            continue;
        };
        let part = (k as u32) << PART_SHIFT;
        for &id in bin {
            if id & LINE_BIT == 0 {
                if let Some(tri) = prep::triangle(&g.indices, &g.verts, id as usize) {
                    buf.draw(tri, id | part, false);
                }
            } else {
                let j = (id & !LINE_BIT) as usize;
                if let Some(tri) = prep::line_triangle(&g.line_verts, j / 2, j % 2) {
                    buf.draw(tri, id | part, true);
                }
            }
        }
    }
    true
}
