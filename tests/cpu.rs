//! The built-in CPU renderer against the GL path (EGL, Mesa's llvmpipe with 4x MSAA) on
//! the same figure: curvature, a thresholded overlay, a filled label and borders. They
//! may differ only along silhouettes, where rounding decides a sample's coverage.

use std::sync::Arc;

use image::RgbaImage;
use surfrender::color::cmap::Colormap;
use surfrender::color::{Bound, ColorMapping, Cortex, OverlayStyle, Sign};
use surfrender::hemi::Hemi;
use surfrender::montage::{self, LayoutOptions};
use surfrender::render::{BackendKind, RenderOptions, Renderer};
use surfrender::scene::borders::region_borders;
use surfrender::scene::{Scene, SceneSurface, VertexLayer};
use surfrender::scene::{View, ViewName};

use crate::util;

/// Per-channel tolerance, and the share of pixels that must lie within it.
const TOLERANCE: u8 = 3;
const WITHIN: f64 = 0.99;

/// lh.inflated with lh.curv, lh.thickness thresholded at 2.5, lh.synth05.label filled,
/// and the outline of the superior quarter of the hemisphere.
fn scene() -> Scene {
    let mesh = surfrender::io::read_surface(&util::data("lh.inflated")).expect("surface");
    let read = |name: &str| {
        surfrender::io::read_overlay(&util::data(name), &Default::default())
            .expect("overlay")
            .values
    };
    let (curv, thickness) = (read("lh.curv"), read("lh.thickness"));
    let label = surfrender::io::read_label(&util::data("lh.synth05.label")).expect("label");
    let mut colors = vec![[0u8; 4]; mesh.vertices.len()];
    for &v in &label.vertices {
        if let Some(c) = colors.get_mut(v as usize) {
            *c = [255, 215, 0, 255];
        }
    }
    let (lo, hi) = mesh.bounds();
    let cut = hi[2] - 0.25 * (hi[2] - lo[2]);
    let superior: Vec<[u8; 4]> = mesh
        .vertices
        .iter()
        .map(|v| {
            if v[2] > cut {
                [30, 144, 255, 255]
            } else {
                [0; 4]
            }
        })
        .collect();
    let style = OverlayStyle {
        cmap: Colormap::from_name("hot").expect("hot").into(),
        threshold: Some(Bound::Value(2.5)),
        range: Some((Bound::Value(2.5), Bound::Value(4.0))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    let mapping = ColorMapping::resolve(&style, &[&thickness]).expect("mapping");
    let surface = SceneSurface {
        hemi: Hemi::Left,
        normals: mesh.vertex_normals().into(),
        winding: mesh.outward_winding(),
        curv: Some(curv),
        layers: vec![
            VertexLayer {
                paint: surfrender::scene::Paint::Colors(colors),
                alpha: 0.8,
            },
            VertexLayer {
                paint: surfrender::scene::Paint::Values {
                    values: thickness,
                    layer: 0,
                },
                alpha: 1.0,
            },
        ],
        lines: region_borders(&mesh, &superior),
        edges: Vec::new(),
        mesh: mesh.into(),
        foci: Default::default(),
    };
    Scene {
        surfaces: vec![surface],
        mappings: vec![Some(mapping)],
        cortex: Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    }
}

/// Share of pixels whose channels all lie within `TOLERANCE`, and an image of the
/// differences (8 times amplified, in red).
fn agreement(a: &RgbaImage, b: &RgbaImage) -> (f64, RgbaImage) {
    let diff = RgbaImage::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
        let d = (0..4).map(|k| p[k].abs_diff(q[k])).max().unwrap_or(0);
        image::Rgba([d.saturating_mul(8), 0, 0, 255])
    });
    let within = diff.pixels().filter(|p| p[0] <= TOLERANCE * 8).count();
    (within as f64 / (a.width() * a.height()) as f64, diff)
}

#[test]
fn cpu_renderer_matches_egl() {
    let scene = scene();
    let views = [
        View::named(ViewName::Lateral),
        View::named(ViewName::Medial),
    ];
    let plan = montage::plan(
        &scene,
        &LayoutOptions {
            size: (Some(700), None),
            ..LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    let egl = RenderOptions {
        backend: BackendKind::Egl,
        ..Default::default()
    };
    let scene = Arc::new(scene);
    let gl = match Renderer::new(egl).render(Arc::clone(&scene), plan.panels.clone()) {
        Ok((gl, _)) => gl,
        // Without libEGL there is nothing to compare with, except in CI, which requires it.
        Err(e) if std::env::var_os("SURFRENDER_REQUIRE_BACKENDS").is_none_or(|v| v != "1") => {
            eprintln!("SKIPPED: no EGL backend to compare with ({e})");
            return;
        }
        Err(e) => panic!("no EGL backend to compare with: {e}"),
    };
    let cpu = RenderOptions {
        backend: BackendKind::Cpu,
        ..Default::default()
    };
    let (cpu, info) = Renderer::new(cpu)
        .render(scene, plan.panels.clone())
        .expect("CPU render");
    assert_eq!(info.samples, 4);
    assert_eq!(cpu.len(), gl.len());
    let mut failures = Vec::new();
    for (i, (c, g)) in cpu.iter().zip(&gl).enumerate() {
        assert_eq!(c.dimensions(), g.dimensions(), "panel {i} size");
        assert!(
            c.pixels().filter(|p| p[3] == 255).count() > 20_000,
            "panel {i}: surface missing"
        );
        let (share, diff) = agreement(c, g);
        if share < WITHIN {
            let dir = util::out_dir(&format!("cpu_matches_egl_{i}"));
            c.save(dir.join("cpu.png")).expect("write");
            g.save(dir.join("egl.png")).expect("write");
            diff.save(dir.join("diff.png")).expect("write");
            failures.push(format!(
                "panel {i}: {:.3}% of pixels within {TOLERANCE}/255 (need {:.0}%); images in {}",
                100.0 * share,
                100.0 * WITHIN,
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
