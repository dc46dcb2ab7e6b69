//! Rendering through the real backend: orientation of every named view for both
//! hemispheres, cortex greys, thresholds, and the golden image of the README figure.
//! A machine without a working backend fails these tests; it never skips them.

use std::path::Path;

use image::RgbaImage;
use surfrender::color::cmap::Colormap;
use surfrender::color::{Bound, ColorMapping, Cortex, OverlayStyle, Sign};
use surfrender::hemi::Hemi;
use surfrender::montage::{self, LayoutOptions};
use surfrender::render::{RenderOptions, Renderer};
use surfrender::scene::{Paint, Scene, SceneSurface, VertexLayer};
use surfrender::scene::{View, ViewName};

use crate::util;

fn surface(hemi: Hemi, overlay: Option<Vec<f32>>, curv: bool) -> SceneSurface {
    let layers = overlay.map(overlay_layer).into_iter().collect();
    let mesh = surfrender::io::read_surface(&util::data(&format!("{hemi}.inflated")))
        .expect("read surface");
    let curv = curv.then(|| {
        let c =
            surfrender::io::read_overlay(&util::data(&format!("{hemi}.curv")), &Default::default())
                .expect("read curv");
        c.values
    });
    let normals = mesh.vertex_normals();
    let winding = mesh.outward_winding();
    SceneSurface {
        winding,
        layers,
        lines: Vec::new(),
        edges: Vec::new(),
        hemi,
        mesh: mesh.into(),
        foci: Default::default(),
        normals: normals.into(),
        curv,
    }
}

/// `values` as the scene's first overlay layer.
fn overlay_layer(values: Vec<f32>) -> VertexLayer {
    VertexLayer {
        paint: Paint::Values { values, layer: 0 },
        alpha: 1.0,
    }
}

/// Renders one panel of `surf` in `view` through the real backend.
fn render_one(
    surf: SceneSurface,
    view: ViewName,
    style: Option<OverlayStyle>,
    cortex: Cortex,
) -> RgbaImage {
    let mapping = style.map(|s| {
        let v = surf.values(0).expect("overlay");
        ColorMapping::resolve(&s, &[v]).expect("mapping")
    });
    let scene = Scene {
        surfaces: vec![surf],
        mappings: vec![mapping],
        cortex,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    };
    let views = [View::named(view)];
    let plan = montage::plan(
        &scene,
        &LayoutOptions {
            size: (Some(400), None),
            ..LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    let (mut images, _) = Renderer::new(RenderOptions::default())
        .render(scene.into(), plan.panels.clone())
        .unwrap_or_else(|e| panic!("no rendering backend: {e}"));
    images.remove(0)
}

fn heat_above(threshold: f32) -> OverlayStyle {
    OverlayStyle {
        cmap: Colormap::from_name("heat").expect("heat").into(),
        threshold: Some(Bound::Value(threshold)),
        range: Some((Bound::Value(0.5), Bound::Value(1.0))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    }
}

/// A pixel is "overlay" when it is clearly coloured; the cortex is neutral grey.
fn is_colored(p: &image::Rgba<u8>) -> bool {
    let (mx, mn) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
    p[3] > 200 && (mx as i32 - mn as i32) > 60
}

/// Centroid of pixels matching `f`, in image coordinates (x right, y down).
fn centroid(img: &RgbaImage, f: impl Fn(&image::Rgba<u8>) -> bool) -> Option<(f32, f32)> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for (x, y, p) in img.enumerate_pixels() {
        if f(p) {
            sx += x as f32;
            sy += y as f32;
            n += 1.0;
        }
    }
    (n > 50.0).then(|| (sx / n, sy / n))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
    Up,
    Down,
}

/// Where each marked direction must appear, straight from the orientation contract in
/// README.md (not from the camera code). `None`: the direction is along the view axis.
fn expected(view: ViewName, hemi: Hemi, marker: usize) -> Option<Side> {
    use Side::*;
    use ViewName::*;
    let lh = hemi == Hemi::Left;
    // marker 0 = anterior, 1 = superior, 2 = subject's left
    match (view, marker) {
        (Lateral, 0) => Some(if lh { Left } else { Right }),
        (Medial, 0) => Some(if lh { Right } else { Left }),
        (Lateral | Medial | Anterior | Posterior | Frontal | Parietal, 1) => Some(Up),
        (Lateral | Medial, 2) => None,
        (Dorsal | Ventral, 0) => Some(Up),
        (Dorsal | Ventral, 1) => None,
        (Dorsal, 2) => Some(Left),
        (Ventral, 2) => Some(Right),
        (Anterior | Posterior, 0) => None,
        (Anterior, 2) => Some(Right),
        (Posterior, 2) => Some(Left),
        _ => None,
    }
}

#[test]
fn every_view_is_oriented_as_documented() {
    let views = [
        ViewName::Lateral,
        ViewName::Medial,
        ViewName::Dorsal,
        ViewName::Ventral,
        ViewName::Anterior,
        ViewName::Posterior,
        ViewName::Frontal,
        ViewName::Parietal,
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for hemi in [Hemi::Left, Hemi::Right] {
        let base = surface(hemi, None, false);
        let (lo, hi) = base.mesh.bounds();
        for marker in 0..3 {
            // Mark the outer 35% of the hemisphere along y (anterior), z (superior) or −x (left).
            let (axis, sign) = [(1, 1.0), (2, 1.0), (0, -1.0)][marker];
            let cut = if sign > 0.0 {
                hi[axis] - 0.35 * (hi[axis] - lo[axis])
            } else {
                lo[axis] + 0.35 * (hi[axis] - lo[axis])
            };
            let values: Vec<f32> = base
                .mesh
                .vertices
                .iter()
                .map(|v| {
                    if (v[axis] - cut) * sign > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            for view in views {
                let Some(side) = expected(view, hemi, marker) else {
                    continue;
                };
                let mut s = base.clone();
                s.layers = vec![overlay_layer(values.clone())];
                let img = render_one(s, view, Some(heat_above(0.5)), Cortex::Classic);
                let all = centroid(&img, |p| p[3] > 200).expect("surface visible");
                let Some(m) = centroid(&img, is_colored) else {
                    failures.push(format!(
                        "{hemi} {view:?} marker {marker}: marker not visible"
                    ));
                    continue;
                };
                let (dx, dy) = (m.0 - all.0, m.1 - all.1);
                let got = if dx.abs() > dy.abs() {
                    if dx < 0.0 {
                        Side::Left
                    } else {
                        Side::Right
                    }
                } else if dy < 0.0 {
                    Side::Up
                } else {
                    Side::Down
                };
                checked += 1;
                if got != side {
                    failures.push(format!("{hemi} {view:?} marker {marker}: expected {side:?}, found {got:?} (dx {dx:.1}, dy {dy:.1})"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 28, "only {checked} orientation checks ran");
}

#[test]
fn curvature_shows_two_greys() {
    // Dividing by a flat-grey render of the same view removes the lighting, leaving the
    // cortex colour each pixel was given.
    let shaded = render_one(
        surface(Hemi::Left, None, true),
        ViewName::Lateral,
        None,
        Cortex::Classic,
    );
    let flat = render_one(
        surface(Hemi::Left, None, false),
        ViewName::Lateral,
        None,
        Cortex::Classic,
    );
    let (gyrus, sulcus) = Cortex::Classic.colors();
    let flat_grey = surfrender::color::FLAT_GREY[0] as f32;
    let (mut g, mut s, mut n) = (0, 0, 0);
    for (a, b) in shaded.pixels().zip(flat.pixels()) {
        if a[3] < 255 || b[3] < 255 || b[0] < 60 {
            continue;
        }
        assert!(
            a[0] == a[1] && a[1] == a[2],
            "cortex pixel is not grey: {a:?}"
        );
        let base = a[0] as f32 * flat_grey / b[0] as f32;
        n += 1;
        if (base - gyrus[0] as f32).abs() <= 4.0 {
            g += 1;
        } else if (base - sulcus[0] as f32).abs() <= 4.0 {
            s += 1;
        }
    }
    let (g, s) = (g as f32 / n as f32, s as f32 / n as f32);
    assert!(
        g > 0.2 && s > 0.2 && g + s > 0.97,
        "gyral share {g:.3}, sulcal share {s:.3}"
    );
}

#[test]
fn sub_threshold_cortex_stays_grey() {
    let base = surface(Hemi::Right, None, true);
    let values: Vec<f32> = base.mesh.vertices.iter().map(|v| v[1] / 100.0).collect();
    let mut s = base;
    s.layers = vec![overlay_layer(values)];
    let img = render_one(s, ViewName::Lateral, Some(heat_above(5.0)), Cortex::Classic);
    let coloured = img
        .pixels()
        .filter(|p| p[3] == 255 && !(p[0] == p[1] && p[1] == p[2]))
        .count();
    assert_eq!(
        coloured, 0,
        "sub-threshold overlay coloured {coloured} pixels"
    );
    assert!(img.pixels().filter(|p| p[3] == 255).count() > 10_000);
}

#[test]
fn threshold_boundary_is_smooth_per_pixel() {
    // Per-pixel thresholding puts overlay pixels inside triangles that straddle the
    // threshold; per-vertex colouring could only colour whole triangles' corners.
    let base = surface(Hemi::Left, None, false);
    let values: Vec<f32> = base.mesh.vertices.iter().map(|v| v[1]).collect();
    let mut s = base;
    s.layers = vec![overlay_layer(values)];
    let style = OverlayStyle {
        cmap: Colormap::from_name("heat").expect("heat").into(),
        threshold: Some(Bound::Value(0.0)),
        range: Some((Bound::Value(0.0), Bound::Value(1.0))),
        sign: Sign::Pos,
        symmetric: false,
        opacity: 1.0,
    };
    let img = render_one(s, ViewName::Lateral, Some(style), Cortex::Classic);
    // Along each row of surface pixels, grey turns to colour once, near one x.
    let mut xs = Vec::new();
    for y in 0..img.height() {
        let row: Vec<(u32, bool)> = (0..img.width())
            .filter(|&x| img.get_pixel(x, y)[3] == 255)
            .map(|x| (x, is_colored(img.get_pixel(x, y))))
            .collect();
        let changes: Vec<u32> = row
            .windows(2)
            .filter(|w| w[0].1 != w[1].1)
            .map(|w| w[1].0)
            .collect();
        if changes.len() == 1 {
            xs.push(changes[0] as f32);
        }
    }
    assert!(
        xs.len() > 50,
        "too few rows cross the boundary: {}",
        xs.len()
    );
    let jumps = xs.windows(2).filter(|w| (w[0] - w[1]).abs() > 6.0).count();
    assert!(
        jumps * 20 < xs.len(),
        "boundary is jagged: {jumps} jumps over {} rows",
        xs.len()
    );
}

/// Per-channel tolerance of the golden-image comparison, and the share of pixels allowed
/// beyond it (anti-aliased silhouettes differ slightly between Mesa versions).
const GOLDEN_TOLERANCE: u8 = 3;
const GOLDEN_OUTLIERS: f64 = 0.005;

#[test]
fn golden_readme_figure() {
    let out = util::out_dir("golden_readme_figure");
    let png = out.join("figure.png");
    let status = util::surfrender()
        .current_dir(util::root())
        .args(crate::cli::README_FIGURE_ARGS)
        // The built-in renderer is the same on every machine; the other backends are
        // held to it by backends::every_backend_agrees_with_egl.
        .args(["--backend", "cpu", "-o"])
        .arg(&png)
        .status()
        .expect("run surfrender");
    assert!(status.success());
    let golden_path = util::root().join("tests/data/golden/readme.png");
    compare_golden(&png, &golden_path, &out);
}

fn compare_golden(png: &Path, golden_path: &Path, out: &Path) {
    let got = image::open(png).expect("read figure").to_rgba8();
    if std::env::var_os("SURFRENDER_BLESS").is_some() {
        std::fs::create_dir_all(golden_path.parent().expect("parent")).expect("mkdir");
        std::fs::copy(png, golden_path).expect("bless");
        panic!(
            "blessed {}; rerun without SURFRENDER_BLESS",
            golden_path.display()
        );
    }
    let want = image::open(golden_path)
        .expect("read golden image")
        .to_rgba8();
    assert_eq!(
        got.dimensions(),
        want.dimensions(),
        "figure size differs from the golden image"
    );
    let mut diff = RgbaImage::new(got.width(), got.height());
    let mut bad = 0usize;
    let mut worst = 0u8;
    for (x, y, a) in got.enumerate_pixels() {
        let b = want.get_pixel(x, y);
        let d = (0..4).map(|k| a[k].abs_diff(b[k])).max().unwrap_or(0);
        worst = worst.max(d);
        if d > GOLDEN_TOLERANCE {
            bad += 1;
            diff.put_pixel(x, y, image::Rgba([255, 0, 0, 255]));
        } else {
            let g = a[0] / 4 + 160;
            diff.put_pixel(x, y, image::Rgba([g, g, g, 255]));
        }
    }
    let share = bad as f64 / (got.width() * got.height()) as f64;
    if share > GOLDEN_OUTLIERS {
        let diff_path = out.join("diff.png");
        diff.save(&diff_path).expect("write diff");
        panic!(
            "{:.3}% of pixels differ by more than {GOLDEN_TOLERANCE}/255 (worst {worst}); diff image: {}",
            share * 100.0,
            diff_path.display()
        );
    }
}

/// Both plain hemispheres, lateral and medial.
fn both_hemispheres() -> (Scene, [View; 2]) {
    let scene = Scene {
        surfaces: vec![
            surface(Hemi::Left, None, false),
            surface(Hemi::Right, None, false),
        ],
        mappings: vec![None],
        cortex: Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    };
    let views = [
        View::named(ViewName::Lateral),
        View::named(ViewName::Medial),
    ];
    (scene, views)
}

#[test]
fn margins_are_even() {
    let (scene, views) = both_hemispheres();
    let plan = montage::plan(
        &scene,
        &LayoutOptions {
            size: (None, None),
            ..LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    assert_eq!(plan.width, 1600, "800 px per panel column");
    // Panels 0 and 1 are lh and rh lateral (mirror images: equal widths).
    let (l, r) = (&plan.panels[0], &plan.panels[1]);
    let left = plan.positions[0].0 as i64;
    let gap = plan.positions[1].0 as i64 - (plan.positions[0].0 + l.width) as i64;
    let right = plan.width as i64 - (plan.positions[1].0 + r.width) as i64;
    assert!(
        (left - gap).abs() <= 2 && (right - gap).abs() <= 2,
        "left {left}, gap {gap}, right {right}"
    );
    // Every panel at one scale: millimetres per pixel equal.
    let mm_per_px: Vec<f32> = plan
        .panels
        .iter()
        .map(|p| (p.window[1] - p.window[0]) / p.width as f32)
        .collect();
    assert!(
        mm_per_px
            .iter()
            .all(|s| (s - mm_per_px[0]).abs() < 1e-4 * mm_per_px[0]),
        "{mm_per_px:?}"
    );
}

/// Panel captions of any given size stay in the margin above their panel: the layout
/// widens the margin rather than let text run into a brain.
#[test]
fn captions_of_any_size_clear_their_panels() {
    let (scene, views) = both_hemispheres();
    for (panel_size, caption_px) in [
        (None, None),
        (Some((300, 200)), Some(40.0)),
        (None, Some(60.0)),
    ] {
        let plan = montage::plan(
            &scene,
            &LayoutOptions {
                panel_labels: true,
                panel_size,
                caption_px,
                ..LayoutOptions::new(&views)
            },
        )
        .expect("layout");
        let px = caption_px.unwrap_or(plan.label_px);
        assert_eq!(plan.labels.len(), plan.panels.len());
        for ((text, _, y), (&(_, top), p)) in plan
            .labels
            .iter()
            .zip(plan.positions.iter().zip(&plan.panels))
        {
            // The text's line box (DejaVu: 1.17 em) ends above the panel's top edge,
            // which the surface touches.
            let bottom = y + 1.17 * px;
            assert!(
                bottom <= top as f32 + 0.5,
                "{text} at {px} px: text to {bottom:.1}, panel from {top} ({}x{})",
                p.width,
                p.height
            );
        }
    }
}
