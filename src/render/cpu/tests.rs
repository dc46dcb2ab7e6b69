//! Unit tests of the CPU renderer: sample positions, the fill rule, exact flat colours,
//! orientation, borders, and images that do not depend on the number of threads.

use super::raster::{Band, WinVert, EMPTY, SAMPLE_X, SAMPLE_Y, SUB};
use super::{shade, Pool};
use crate::color::{Cortex, FLAT_GREY};
use crate::hemi::Hemi;
use crate::mesh::Mesh;
use crate::render::Panel;
use crate::scene::borders::{region_borders, Segment};
use crate::scene::{lights, Camera, AMBIENT};
use crate::scene::{Scene, SceneSurface, VertexLayer};

/// Renders with a pool of exactly `threads` workers.
fn render_with(
    scene: &Scene,
    panels: &[Panel],
    threads: usize,
) -> crate::error::Result<Vec<image::RgbaImage>> {
    Ok(Pool::new(threads).render(scene, panels)?.0)
}

#[test]
fn sample_positions_are_llvmpipes() {
    // lp_sample_pos_4x, in 1/256 pixel from the pixel's corner.
    let expected = [
        (0.375, 0.125),
        (0.875, 0.375),
        (0.125, 0.625),
        (0.625, 0.875),
    ];
    for (s, (x, y)) in expected.iter().enumerate() {
        assert_eq!(SAMPLE_X[s], (x * SUB as f64) as i64);
        assert_eq!(SAMPLE_Y[s], (y * SUB as f64) as i64);
    }
}

/// A vertex at fixed-point window position `(fx, fy)` (1/256 pixel).
fn fixed(fx: i64, fy: i64) -> WinVert {
    WinVert::new(fx as f32 / 256.0, fy as f32 / 256.0, 0.5)
}

/// Which samples of a 24 x 24 image one triangle covers (`EMPTY` elsewhere).
fn coverage(tri: [&WinVert; 3]) -> Vec<u32> {
    let mut band = Band::new();
    band.reset(24, 24, 23);
    band.draw(tri, 1, false);
    band.ids.clone()
}

#[test]
fn triangles_sharing_edges_cover_each_sample_once() {
    // A fan around a centre placed exactly on a sample, with edges along sample rows,
    // sample columns and diagonals, tiling a convex octagon.
    let (cx, cy) = (10 * SUB + SAMPLE_X[0], 10 * SUB + SAMPLE_Y[0]);
    let r = 6 * SUB;
    let d = 4 * SUB + 64;
    let ring = [
        (r, 0),
        (d, d),
        (0, r),
        (-d, d),
        (-r, 0),
        (-d, -d),
        (0, -r),
        (d, -d),
    ];
    // Points halfway along each side too (collinear corners are legal).
    let mut points = Vec::new();
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        points.push(a);
        points.push(((a.0 + b.0) / 2, (a.1 + b.1) / 2));
    }
    let centre = fixed(cx, cy);
    let corners: Vec<WinVert> = points.iter().map(|&(x, y)| fixed(cx + x, cy + y)).collect();
    let mut count = vec![0u32; 24 * 24 * 4];
    for i in 0..corners.len() {
        // Alternate the winding: the rule must not depend on it.
        let (a, b) = (&corners[i], &corners[(i + 1) % corners.len()]);
        let tri = if i % 2 == 0 {
            [&centre, a, b]
        } else {
            [b, &centre, a]
        };
        for (n, id) in count.iter_mut().zip(coverage(tri)) {
            *n += (id != EMPTY) as u32;
        }
    }
    let inside = |px: i64, py: i64| {
        (0..ring.len()).all(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            let (ax, ay, bx, by) = (cx + a.0, cy + a.1, cx + b.0, cy + b.1);
            (bx - ax) * (py - ay) - (by - ay) * (px - ax) > 0
        })
    };
    let mut interior = 0;
    for row in 0..24i64 {
        let y = 23 - row;
        for x in 0..24i64 {
            for s in 0..4 {
                let n = count[((row * 24 + x) * 4 + s) as usize];
                let (px, py) = (
                    x * SUB + SAMPLE_X[s as usize],
                    y * SUB + SAMPLE_Y[s as usize],
                );
                assert!(n <= 1, "sample {s} of pixel ({x}, {y}) covered {n} times");
                if inside(px, py) {
                    interior += 1;
                    assert_eq!(n, 1, "interior sample {s} of pixel ({x}, {y}) not covered");
                }
            }
        }
    }
    assert!(interior > 400, "only {interior} interior samples");
}

#[test]
fn top_and_left_edges_are_inside() {
    // A square whose sides pass exactly through samples: its left and bottom edges (top
    // edges in llvmpipe's y-down terms) are inside, the others outside.
    let (x0, x1) = (4 * SUB + SAMPLE_X[0], 8 * SUB + SAMPLE_X[0]);
    let (y0, y1) = (4 * SUB + SAMPLE_Y[0], 8 * SUB + SAMPLE_Y[0]);
    let (a, b, c, d) = (fixed(x0, y0), fixed(x1, y0), fixed(x1, y1), fixed(x0, y1));
    let mut band = Band::new();
    band.reset(24, 24, 23);
    band.draw([&a, &b, &c], 1, false);
    band.draw([&a, &c, &d], 2, false);
    let covered = |x: i64, y: i64| band.ids[(((23 - y) * 24 + x) * 4) as usize] != EMPTY;
    assert!(covered(4, 4), "bottom-left corner sample");
    assert!(covered(4, 6), "left edge");
    assert!(covered(6, 4), "bottom edge");
    assert!(!covered(8, 6), "right edge");
    assert!(!covered(6, 8), "top edge");
}

fn camera() -> Camera {
    Camera {
        right: [1.0, 0.0, 0.0],
        up: [0.0, 1.0, 0.0],
        eye: [0.0, 0.0, 1.0],
    }
}

/// A surface of the given triangles in the z = 0 plane, facing the camera.
fn flat_surface(vertices: Vec<[f32; 3]>, faces: Vec<[u32; 3]>) -> SceneSurface {
    let n = vertices.len();
    SceneSurface {
        hemi: Hemi::Left,
        mesh: Mesh {
            vertices,
            faces,
            cras: None,
        }
        .into(),
        foci: Default::default(),
        normals: vec![[0.0, 0.0, 1.0]; n].into(),
        curv: None,
        winding: None,
        layers: Vec::new(),
        lines: Vec::new(),
        edges: Vec::new(),
    }
}

fn scene_of(surface: SceneSurface) -> Scene {
    Scene {
        surfaces: vec![surface],
        mappings: vec![None],
        cortex: Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    }
}

/// A `size` x `size` panel showing x, y in -1..1.
fn panel(size: u32) -> Panel {
    Panel {
        parts: vec![crate::render::Part::at(0)],
        camera: camera(),
        lights: lights(Hemi::Left),
        window: [-1.0, 1.0, -1.0, 1.0],
        depth: [10.0, -10.0],
        width: size,
        height: size,
    }
}

#[test]
fn flat_triangle_interior_has_the_shaded_colour() {
    let surf = flat_surface(
        vec![[-0.9, -0.9, 0.0], [0.9, -0.9, 0.0], [0.0, 0.9, 0.0]],
        vec![[0, 1, 2]],
    );
    let scene = scene_of(surf);
    let p = panel(64);
    let images = render_with(&scene, std::slice::from_ref(&p), 1).expect("render");
    // surface.frag with the flat grey, a normal towards the camera and no layer.
    let d: f32 = p
        .lights
        .iter()
        .map(|l| l.intensity * l.dir[2].max(0.0))
        .sum();
    let shade = AMBIENT + (1.0 - AMBIENT) * d;
    let v = shade::unorm8(FLAT_GREY[0] as f32 / 255.0 * shade);
    let full: Vec<_> = images[0].pixels().filter(|p| p[3] == 255).collect();
    // The triangle covers 57.6 x 57.6 / 2 pixels.
    assert!(
        full.len() > 1400 && full.len() < 1700,
        "{} full pixels",
        full.len()
    );
    assert!(
        full.iter().all(|p| p.0 == [v, v, v, 255]),
        "expected grey {v}"
    );
    // Edge pixels are premultiplied: colour scaled with coverage.
    for p in images[0].pixels().filter(|p| p[3] > 0 && p[3] < 255) {
        assert!(p[0] <= v && p[0] == p[1] && p[1] == p[2], "{p:?}");
    }
}

#[test]
fn huge_triangles_are_clipped_not_lost() {
    // Corners millions of pixels away cannot be snapped to the fixed-point grid.
    let surf = flat_surface(
        vec![[-1e6, -1e6, 0.0], [1e6, -1e6, 0.0], [0.0, 1e6, 0.0]],
        vec![[0, 1, 2]],
    );
    let p = panel(40);
    let images = render_with(&scene_of(surf), &[p], 1).expect("render");
    let first = *images[0].get_pixel(0, 0);
    assert_eq!(first[3], 255);
    assert!(images[0].pixels().all(|q| *q == first), "uniformly covered");
}

#[test]
fn window_up_is_the_top_of_the_image() {
    // A triangle in the upper left quarter of the window.
    let surf = flat_surface(
        vec![[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 1.0, 0.0]],
        vec![[0, 1, 2]],
    );
    let images = render_with(&scene_of(surf), &[panel(32)], 1).expect("render");
    let img = &images[0];
    assert_eq!(img.get_pixel(1, 1)[3], 255, "top left");
    assert_eq!(img.get_pixel(30, 1)[3], 0, "top right");
    assert_eq!(img.get_pixel(1, 30)[3], 0, "bottom left");
}

#[test]
fn borders_are_drawn_over_the_surface_in_their_colour() {
    let mut surf = flat_surface(
        vec![
            [-1.0, -1.0, 0.0],
            [1.0, -1.0, 0.0],
            [1.0, 1.0, 0.0],
            [-1.0, 1.0, 0.0],
        ],
        vec![[0, 1, 2], [0, 2, 3]],
    );
    surf.lines = vec![Segment {
        a: [-0.5, 0.0, 0.0],
        b: [0.5, 0.0, 0.0],
        rgba: [255, 0, 0, 255],
    }];
    let mut scene = scene_of(surf);
    scene.outline_px = 4.0;
    let images = render_with(&scene, &[panel(64)], 1).expect("render");
    let img = &images[0];
    // The line runs along image row 32 (window y = 32), 4 pixels wide: rows 30..34.
    let column: Vec<u8> = (24..40).map(|y| img.get_pixel(32, y)[1]).collect();
    let red = (24..40)
        .filter(|&y| img.get_pixel(32, y).0 == [255, 0, 0, 255])
        .count();
    assert_eq!(
        red, 4,
        "rows of pure red at x = 32 (green channel {column:?})"
    );
    // Square caps: half the width beyond each end (x = 16 - 2 .. 48 + 2).
    assert_eq!(img.get_pixel(15, 31).0, [255, 0, 0, 255]);
    assert_ne!(img.get_pixel(13, 31).0, [255, 0, 0, 255]);
    assert_eq!(img.get_pixel(49, 32).0, [255, 0, 0, 255]);
    assert_ne!(img.get_pixel(51, 32).0, [255, 0, 0, 255]);
}

/// fsaverage5's left hemisphere with curvature, an overlay, a filled layer and borders.
fn brain_scene() -> Scene {
    let surf = brain_surface(Hemi::Left);
    let mapping = overlay_mapping(0, &[&surf]);
    Scene {
        surfaces: vec![surf],
        mappings: vec![Some(mapping)],
        cortex: Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    }
}

/// The mapping of the overlays of `surfaces` in frame `k` of [`frame`] (frame 0: `hot`,
/// threshold 1, range 1..5; later frames move all three).
fn overlay_mapping(k: usize, surfaces: &[&SceneSurface]) -> crate::color::ColorMapping {
    let k = k as f32;
    let style = crate::color::OverlayStyle {
        cmap: crate::color::cmap::Colormap::from_name("hot")
            .expect("hot")
            .into(),
        threshold: Some(crate::color::Bound::Value(1.0 + 0.1 * k)),
        range: Some((
            crate::color::Bound::Value(1.0 + 0.2 * k),
            crate::color::Bound::Value(5.0 + 0.5 * k),
        )),
        sign: crate::color::Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    let values: Vec<&[f32]> = surfaces.iter().filter_map(|s| s.values(0)).collect();
    crate::color::ColorMapping::resolve(&style, &values).expect("mapping")
}

/// One of fsaverage5's hemispheres with curvature, a filled layer under an overlay (a
/// smooth one with a threshold crossing the surface and a hole of no data), borders,
/// and a focus.
fn brain_surface(hemi: Hemi) -> SceneSurface {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fsaverage5");
    let mesh = crate::io::read_surface(&dir.join(format!("{hemi}.inflated"))).expect("surface");
    let curv = crate::io::read_overlay(&dir.join(format!("{hemi}.curv")), &Default::default())
        .expect("curv");
    let (lo, hi) = mesh.bounds();
    let region = |axis: usize, share: f32, c: [u8; 4]| -> Vec<[u8; 4]> {
        let cut = hi[axis] - share * (hi[axis] - lo[axis]);
        mesh.vertices
            .iter()
            .map(|v| if v[axis] > cut { c } else { [0; 4] })
            .collect()
    };
    let layer = region(1, 0.3, [255, 215, 0, 255]);
    let lines = region_borders(&mesh, &region(2, 0.3, [30, 144, 255, 255]));
    let overlay: Vec<f32> = mesh
        .vertices
        .iter()
        .map(|v| if v[0] > 20.0 { f32::NAN } else { v[2] / 10.0 })
        .collect();
    // A red sphere of 6 mm at a vertex on the lateral side.
    let unit = crate::scene::foci::unit_sphere();
    let centre = mesh.vertices[100];
    let foci = crate::scene::FociMesh {
        mesh: Mesh {
            vertices: (unit.vertices.iter())
                .map(|u| [0, 1, 2].map(|k| centre[k] + 6.0 * u[k]))
                .collect(),
            faces: unit.faces.clone(),
            cras: None,
        },
        normals: unit.vertices.clone(),
        colors: vec![[255, 0, 0]; unit.vertices.len()],
    };
    SceneSurface {
        hemi,
        normals: mesh.vertex_normals().into(),
        winding: mesh.outward_winding(),
        curv: Some(curv.values),
        layers: vec![
            VertexLayer {
                paint: crate::scene::Paint::Colors(layer),
                alpha: 0.8,
            },
            VertexLayer {
                paint: crate::scene::Paint::Values {
                    values: overlay,
                    layer: 0,
                },
                alpha: 1.0,
            },
        ],
        lines,
        edges: Vec::new(),
        mesh: mesh.into(),
        foci,
    }
}

#[test]
fn images_do_not_depend_on_the_number_of_threads() {
    let scene = brain_scene();
    let views = [crate::scene::View::named(crate::scene::ViewName::Lateral)];
    let plan = crate::montage::plan(
        &scene,
        &crate::montage::LayoutOptions {
            size: (Some(300), None),
            ..crate::montage::LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    // The same view twice: two panels share the threads.
    let panels = vec![plan.panels[0].clone(), plan.panels[0].clone()];
    let one = render_with(&scene, &panels, 1).expect("render");
    assert!(
        one[0].pixels().filter(|p| p[3] == 255).count() > 10_000,
        "surface drawn"
    );
    assert!(
        one[0].pixels().any(|p| p.0 == [30, 144, 255, 255]),
        "borders drawn"
    );
    assert_eq!(one[0], one[1]);
    for threads in [2, 3] {
        let many = render_with(&scene, &panels, threads).expect("render");
        assert!(one == many, "{threads} threads changed the images");
    }
}

/// Frame `k` of a movie of `scene`: the same geometry, the overlay's values changed
/// everywhere (their holes of no data too) and their mapping with them.
fn frame(scene: &Scene, k: usize) -> Scene {
    let mut s = scene.clone();
    for surf in &mut s.surfaces {
        for l in &mut surf.layers {
            if let crate::scene::Paint::Values { values, .. } = &mut l.paint {
                for (i, v) in values.iter_mut().enumerate() {
                    let wiggle = ((i * 7 + k * 3) % 11) as f32 * 0.05;
                    *v = if k % 2 == 1 && i % 97 == 0 {
                        f32::NAN
                    } else {
                        *v * (1.0 + 0.4 * k as f32) - 0.3 * k as f32 + wiggle
                    };
                }
            }
        }
    }
    let surfaces: Vec<&SceneSurface> = s.surfaces.iter().collect();
    s.mappings = vec![Some(overlay_mapping(k, &surfaces))];
    s
}

/// Frames 0, 1 and 2 of `scene` drawn by one pool with a geometry key give the same
/// images as each drawn alone without one, and the pool kept the geometry after the
/// first frame.
fn frames_match_fresh_renders(scene: &Scene, panels: &[Panel]) {
    let mut pool = Pool::new(2);
    let mut previous = Vec::new();
    for k in 0..3 {
        let mut f = frame(scene, k);
        f.geometry_key = Some(7);
        let kept = pool.render(&f, panels).expect("render").0;
        f.geometry_key = None;
        let fresh = render_with(&f, panels, 1).expect("render");
        assert!(kept == fresh, "frame {k} differs from a fresh render");
        assert!(kept != previous, "frame {k} looks like the one before it");
        previous = kept;
    }
    let reused = pool.kept.as_ref().map_or(0, |k| k.reused);
    assert_eq!(reused, 2, "frames drawn from kept geometry");
}

#[test]
fn frames_of_kept_geometry_are_byte_identical_to_fresh_renders() {
    // An annotation-like layer under the overlay, borders and a focus, two panels.
    let scene = brain_scene();
    let views = [
        crate::scene::View::named(crate::scene::ViewName::Lateral),
        crate::scene::View::named(crate::scene::ViewName::Medial),
    ];
    let plan = crate::montage::plan(
        &scene,
        &crate::montage::LayoutOptions {
            size: (Some(400), None),
            ..crate::montage::LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    let img = render_with(&scene, &plan.panels, 1).expect("render");
    assert!(
        img[0].pixels().any(|p| p.0 == [30, 144, 255, 255]),
        "borders drawn"
    );
    assert!(
        img[0]
            .pixels()
            .any(|p| p[0] > 100 && p[1] == 0 && p[2] == 0),
        "focus drawn"
    );
    frames_match_fresh_renders(&scene, &plan.panels);
}

#[test]
fn frames_of_a_whole_brain_panel_are_byte_identical_to_fresh_renders() {
    let (lh, rh) = (brain_surface(Hemi::Left), brain_surface(Hemi::Right));
    let mapping = overlay_mapping(0, &[&lh, &rh]);
    let scene = Scene {
        surfaces: vec![lh, rh],
        mappings: vec![Some(mapping)],
        ..brain_scene()
    };
    let views = [crate::scene::View::named(crate::scene::ViewName::Dorsal)];
    let plan = crate::montage::plan(
        &scene,
        &crate::montage::LayoutOptions {
            size: (Some(300), None),
            ..crate::montage::LayoutOptions::new(&views)
        },
    )
    .expect("layout");
    assert_eq!(plan.panels.len(), 1);
    assert_eq!(
        plan.panels[0].parts.len(),
        2,
        "one panel of both hemispheres"
    );
    frames_match_fresh_renders(&scene, &plan.panels);
}

#[test]
fn other_panels_or_another_key_draw_afresh() {
    let scene = brain_scene();
    let plan = |view| {
        let views = [crate::scene::View::named(view)];
        let opts = crate::montage::LayoutOptions {
            size: (Some(200), None),
            ..crate::montage::LayoutOptions::new(&views)
        };
        crate::montage::plan(&scene, &opts).expect("layout").panels
    };
    let lateral = plan(crate::scene::ViewName::Lateral);
    let medial = plan(crate::scene::ViewName::Medial);
    let mut pool = Pool::new(1);
    let steps = [
        (0, Some(1), &lateral, 0),
        (1, Some(1), &medial, 0),
        (2, Some(2), &medial, 0),
        (0, None, &medial, 0),
        (1, Some(2), &medial, 0),
        (2, Some(2), &medial, 1),
    ];
    for (k, key, panels, reused) in steps {
        let mut f = frame(&scene, k);
        f.geometry_key = key;
        let drawn = pool.render(&f, panels).expect("render").0;
        f.geometry_key = None;
        let fresh = render_with(&f, panels, 1).expect("render");
        assert!(drawn == fresh, "frame {k} with key {key:?}");
        assert_eq!(pool.kept.is_some(), key.is_some(), "kept after key {key:?}");
        let kept = pool.kept.as_ref().map_or(0, |k| k.reused);
        assert_eq!(kept, reused, "frame {k} with key {key:?}");
    }
}
