//! Times the built-in CPU renderer on the benchmark figure "fig4" (lh + rh inflated x
//! lateral + medial, curvature, thickness thresholded at 2.5 with range 2.5..4 in `hot`,
//! 1600x1200), and optionally compares it with the EGL path pixel by pixel.
//!
//! ```sh
//! cargo run --release --example cpu_bench -- data/fsaverage5 --runs 15
//! cargo run --release --example cpu_bench -- /tmp/large --runs 15 --compare --out /tmp/cmp
//! SURFRENDER_THREADS=1 cargo run --release --example cpu_bench -- /tmp/large
//! ```
//!
//! `--layers` adds a filled label, a half-transparent label over the overlay and the
//! outline of a third region (borders) to each hemisphere.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use surfrender::color::cmap::Colormap;
use surfrender::color::{Bound, ColorMapping, Cortex, OverlayStyle, Sign};
use surfrender::hemi::Hemi;
use surfrender::montage::{self, LayoutOptions};
use surfrender::render::{BackendKind, RenderOptions, Renderer};
use surfrender::scene::borders::region_borders;
use surfrender::scene::{Paint, Scene, SceneSurface, VertexLayer};
use surfrender::scene::{View, ViewName};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from("data/fsaverage5");
    let (mut runs, mut compare, mut layers, mut out) = (10usize, false, false, None);
    let mut dump = 0usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|s| s.parse().ok()).unwrap_or(runs),
            "--compare" => compare = true,
            "--layers" => layers = true,
            "--dump" => dump = args.next().and_then(|s| s.parse().ok()).unwrap_or(20),
            "--out" => out = args.next().map(PathBuf::from),
            _ => dir = PathBuf::from(a),
        }
    }
    let t = Instant::now();
    let scene = fig4(&dir, layers)?;
    let views = [
        View::named(ViewName::Lateral),
        View::named(ViewName::Medial),
    ];
    let plan = montage::plan(
        &scene,
        &LayoutOptions {
            size: (Some(1600), Some(1200)),
            colorbar: true,
            ..LayoutOptions::new(&views)
        },
    )?;
    eprintln!(
        "scene and layout: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    for p in &plan.panels {
        eprintln!("panel {}x{}", p.width, p.height);
    }

    let scene = Arc::new(scene);
    let cpu = Renderer::new(RenderOptions {
        backend: BackendKind::Cpu,
        ..Default::default()
    });
    let mut times = Vec::new();
    let mut images = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let (imgs, info) = cpu.render(Arc::clone(&scene), plan.panels.clone())?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if images.is_empty() {
            eprintln!("renderer: {}", info.renderer);
        }
        images = imgs;
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "cpu render_panels, {} panels: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        plan.panels.len(),
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
        sorted.len()
    );
    if let Some(o) = &out {
        std::fs::create_dir_all(o)?;
        for (i, img) in images.iter().enumerate() {
            img.save(o.join(format!("cpu_{i}.png")))?;
        }
    }
    if compare {
        let opts = RenderOptions {
            backend: BackendKind::Egl,
            ..Default::default()
        };
        let t = Instant::now();
        let (gl, info) = Renderer::new(opts).render(Arc::clone(&scene), plan.panels.clone())?;
        eprintln!(
            "{}: {:.1} ms",
            info.renderer,
            t.elapsed().as_secs_f64() * 1e3
        );
        for (i, (a, b)) in images.iter().zip(&gl).enumerate() {
            let n = (a.width() * a.height()) as usize;
            let mut hist = [0usize; 5];
            for (p, q) in a.pixels().zip(b.pixels()) {
                let d = (0..4).map(|k| p[k].abs_diff(q[k])).max().unwrap_or(0);
                hist[match d {
                    0 => 0,
                    1 => 1,
                    2..=3 => 2,
                    4..=32 => 3,
                    _ => 4,
                }] += 1;
            }
            let pct = |k: usize| 100.0 * hist[k] as f64 / n as f64;
            println!(
                "panel {i}: within 3/255 {:.4}% (exact {:.3}%, 1: {:.3}%, 2-3: {:.3}%, 4-32: {:.4}%, >32: {:.4}%)",
                pct(0) + pct(1) + pct(2),
                pct(0),
                pct(1),
                pct(2),
                pct(3),
                pct(4)
            );
            if dump > 0 {
                let far = a
                    .enumerate_pixels()
                    .zip(b.pixels())
                    .filter(|((_, _, p), q)| (0..4).any(|k| p[k].abs_diff(q[k]) > 3));
                for ((x, y, p), q) in far.take(dump) {
                    println!("  ({x}, {y}): cpu {:?} gl {:?}", p.0, q.0);
                }
            }
            if let Some(o) = &out {
                b.save(o.join(format!("gl_{i}.png")))?;
                let diff = image::RgbaImage::from_fn(a.width(), a.height(), |x, y| {
                    let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
                    let d = (0..4).map(|k| p[k].abs_diff(q[k])).max().unwrap_or(0);
                    image::Rgba([d.saturating_mul(8), 0, 0, 255])
                });
                diff.save(o.join(format!("diff_{i}.png")))?;
            }
        }
    }
    Ok(())
}

/// The fig4 scene from `dir` (`?h.inflated`, `?h.curv`, `?h.thickness`).
fn fig4(dir: &Path, layers: bool) -> Result<Scene, Box<dyn std::error::Error>> {
    let mut surfaces = Vec::new();
    for hemi in [Hemi::Left, Hemi::Right] {
        let mesh = surfrender::io::read_surface(&dir.join(format!("{hemi}.inflated")))?;
        let read = |name: &str| {
            surfrender::io::read_overlay(&dir.join(format!("{hemi}.{name}")), &Default::default())
        };
        let curv = read("curv")?.values;
        let thickness = read("thickness")?.values;
        let normals = mesh.vertex_normals();
        let winding = mesh.outward_winding();
        let mut s = SceneSurface {
            hemi,
            normals: normals.into(),
            curv: Some(curv),
            winding,
            layers: vec![VertexLayer {
                paint: Paint::Values {
                    values: thickness,
                    layer: 0,
                },
                alpha: 1.0,
            }],
            lines: Vec::new(),
            edges: Vec::new(),
            mesh: mesh.into(),
            foci: Default::default(),
        };
        if layers {
            add_layers(&mut s);
        }
        surfaces.push(s);
    }
    let style = OverlayStyle {
        cmap: Colormap::from_name("hot")?.into(),
        threshold: Some(Bound::Value(2.5)),
        range: Some((Bound::Value(2.5), Bound::Value(4.0))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    let values: Vec<&[f32]> = surfaces.iter().filter_map(|s| s.values(0)).collect();
    let mapping = ColorMapping::resolve(&style, &values)?;
    Ok(Scene {
        surfaces,
        mappings: vec![Some(mapping)],
        cortex: Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    })
}

/// Regions cut along one axis: `[0, 0, 0, 0]` outside, `rgba` beyond `share` of the extent.
fn region(s: &SceneSurface, axis: usize, share: f32, rgba: [u8; 4]) -> Vec<[u8; 4]> {
    let (lo, hi) = s.mesh.bounds();
    let cut = hi[axis] - share * (hi[axis] - lo[axis]);
    s.mesh
        .vertices
        .iter()
        .map(|v| if v[axis] > cut { rgba } else { [0; 4] })
        .collect()
}

/// A filled label under the overlay, a half-transparent one over it, and borders.
fn add_layers(s: &mut SceneSurface) {
    let under = VertexLayer {
        paint: Paint::Colors(region(s, 1, 0.3, [255, 215, 0, 255])),
        alpha: 1.0,
    };
    s.layers.insert(0, under);
    s.layers.push(VertexLayer {
        paint: Paint::Colors(region(s, 2, 0.25, [30, 144, 255, 255])),
        alpha: 0.5,
    });
    let outlined = region(s, 1, 0.7, [220, 20, 60, 255]);
    s.lines = region_borders(&s.mesh, &outlined);
}
