//! Colours through every backend present: surface.frag colours each value exactly as
//! `ColorMapping` does (the rule exists once in Rust and once in GLSL), and a focus is
//! its colour lit like the cortex, drawn over the surface without taking a layer.

use std::sync::Arc;

use image::RgbaImage;
use surfrender::color::cmap::Colormap;
use surfrender::color::{Bound, ColorMapping, Cortex, OverlayStyle, Sign, FLAT_GREY};
use surfrender::hemi::Hemi;
use surfrender::mesh::Mesh;
use surfrender::render::{BackendKind, Panel, RenderOptions, Renderer};
use surfrender::scene::{Camera, FociMesh, Light, Paint, Scene, SceneSurface, VertexLayer};

use crate::backends::required;
use crate::util;

const BACKENDS: [BackendKind; 3] = [BackendKind::Cpu, BackendKind::Egl, BackendKind::OsMesa];

/// Renders one panel of `scene` through `backend`; `None` when the backend is not
/// present here (a failure where backends are required, and for the CPU renderer).
fn render(backend: BackendKind, scene: Scene, panel: Panel) -> Option<RgbaImage> {
    let opts = RenderOptions {
        backend,
        ..Default::default()
    };
    match Renderer::new(opts).render(Arc::new(scene), vec![panel]) {
        Ok((mut images, _)) => Some(images.remove(0)),
        Err(e) if backend != BackendKind::Cpu && !required() => {
            eprintln!("SKIPPED: no {} backend here ({e})", backend.as_str());
            None
        }
        Err(e) => panic!("{}: {e}", backend.as_str()),
    }
}

/// A surface in the z = 0 plane facing the camera, with a normal of its own per vertex.
fn flat(mesh: Mesh, layers: Vec<VertexLayer>) -> SceneSurface {
    let n = mesh.vertices.len();
    SceneSurface {
        hemi: Hemi::Left,
        mesh: Arc::new(mesh),
        normals: vec![[0.0, 0.0, 1.0]; n].into(),
        curv: None,
        winding: None,
        layers,
        foci: FociMesh::default(),
        lines: Vec::new(),
        edges: Vec::new(),
    }
}

/// A `width` x `height` panel showing x and y in -1..1 from +z, lit by `light` from the
/// camera's direction (the other two lights off).
fn panel(width: u32, height: u32, light: f32) -> Panel {
    let dir = [0.0, 0.0, 1.0];
    Panel {
        parts: vec![surfrender::render::Part::at(0)],
        camera: Camera {
            right: [1.0, 0.0, 0.0],
            up: [0.0, 1.0, 0.0],
            eye: [0.0, 0.0, 1.0],
        },
        lights: [
            Light {
                dir,
                intensity: light,
            },
            Light {
                dir,
                intensity: 0.0,
            },
            Light {
                dir,
                intensity: 0.0,
            },
        ],
        window: [-1.0, 1.0, -1.0, 1.0],
        depth: [10.0, -10.0],
        width,
        height,
    }
}

fn scene(surface: SceneSurface, mapping: Option<ColorMapping>) -> Scene {
    Scene {
        surfaces: vec![surface],
        mappings: vec![mapping],
        cortex: Cortex::Classic,
        outline_px: 1.0,
        edge_px: 0.0,
        geometry_key: None,
    }
}

/// One column per value, each a quad with four vertices of its own, so that the value
/// is the same everywhere on it (interpolation then leaves it exact).
fn columns(values: &[f32]) -> (Mesh, Vec<f32>) {
    let n = values.len() as f32;
    let mut mesh = Mesh::default();
    let mut per_vertex = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        let (x0, x1) = (-1.0 + 2.0 * i as f32 / n, -1.0 + 2.0 * (i + 1) as f32 / n);
        let b = mesh.vertices.len() as u32;
        mesh.vertices.extend([
            [x0, -1.0, 0.0],
            [x1, -1.0, 0.0],
            [x1, 1.0, 0.0],
            [x0, 1.0, 0.0],
        ]);
        mesh.faces.extend([[b, b + 1, b + 2], [b, b + 2, b + 3]]);
        per_vertex.extend([v; 4]);
    }
    (mesh, per_vertex)
}

/// Values at the centre of every LUT entry of both signs (far from any rounding
/// boundary), under the threshold, zero and no data, for threshold 1 and range 1..3.
fn test_values() -> Vec<f32> {
    let mut v: Vec<f32> = (0..256)
        .map(|i| 1.0 + 2.0 * (i as f32 + 0.5) / 256.0)
        .collect();
    v.extend(v.clone().iter().map(|x| -x));
    v.extend([0.5, -0.5, 0.0, f32::NAN, 0.999, 3.5, -7.0]);
    v
}

#[test]
fn glsl_colours_every_value_as_color_mapping_does() {
    let values = test_values();
    let (mesh, per_vertex) = columns(&values);
    let mut failures = Vec::new();
    for (sign, cmap) in [
        (Sign::Abs, "hot"),
        (Sign::Pos, "viridis"),
        (Sign::Neg, "RdBu_r"),
    ] {
        let style = OverlayStyle {
            cmap: Colormap::from_name(cmap).expect("colormap").into(),
            threshold: Some(Bound::Value(1.0)),
            range: Some((Bound::Value(1.0), Bound::Value(3.0))),
            sign,
            symmetric: false,
            opacity: 1.0,
        };
        let mapping = ColorMapping::resolve(&style, &[&per_vertex]).expect("mapping");
        for backend in BACKENDS {
            let layer = VertexLayer {
                paint: Paint::Values {
                    values: per_vertex.clone(),
                    layer: 0,
                },
                alpha: 1.0,
            };
            let s = scene(flat(mesh.clone(), vec![layer]), Some(mapping.clone()));
            // Four pixels per column; lit straight on, so shading leaves colours as they are.
            let p = panel(4 * values.len() as u32, 8, 1.0);
            let Some(img) = render(backend, s, p) else {
                continue;
            };
            for (i, &v) in values.iter().enumerate() {
                let want = mapping.rgb(v).unwrap_or(FLAT_GREY);
                let got = img.get_pixel(4 * i as u32 + 2, 4).0;
                if got != [want[0], want[1], want[2], 255] {
                    failures.push(format!(
                        "{} {sign:?} {cmap}: value {v}: {got:?}, ColorMapping {want:?}",
                        backend.as_str()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} values differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// GL's and the CPU renderer's float to 8-bit conversion, for values away from ties.
fn unorm8(x: f32) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

#[test]
fn foci_are_their_colour_lit_like_the_cortex() {
    let square = Mesh {
        vertices: vec![
            [-1.0, -1.0, 0.0],
            [1.0, -1.0, 0.0],
            [1.0, 1.0, 0.0],
            [-1.0, 1.0, 0.0],
        ],
        faces: vec![[0, 1, 2], [0, 2, 3]],
        cras: None,
    };
    let unit = surfrender::scene::foci::unit_sphere();
    let rgb = [200, 100, 50];
    let foci = FociMesh {
        mesh: Mesh {
            vertices: unit.vertices.iter().map(|v| v.map(|x| 0.5 * x)).collect(),
            faces: unit.faces.clone(),
            cras: None,
        },
        normals: unit.vertices.clone(),
        colors: vec![rgb; unit.vertices.len()],
    };
    // With every light off only the ambient share is left, whatever the normal: each
    // pixel is its colour times AMBIENT.
    let ambient = surfrender::scene::AMBIENT;
    let lit = |c: [u8; 3]| c.map(|x| unorm8(x as f32 / 255.0 * ambient));
    let (grey, focus) = (lit(FLAT_GREY), lit(rgb));
    for backend in BACKENDS {
        let mut surface = flat(square.clone(), Vec::new());
        surface.foci = foci.clone();
        let Some(img) = render(backend, scene(surface, None), panel(64, 64, 0.0)) else {
            continue;
        };
        let name = backend.as_str();
        let at = |x: u32, y: u32| img.get_pixel(x, y).0;
        assert_eq!(at(32, 32)[..3], focus, "{name}: the focus over the surface");
        assert_eq!(at(2, 2)[..3], grey, "{name}: the surface beside it");
        // The sphere is 32 pixels across (radius 0.5 of a half-width of 32 px).
        let covered = img.pixels().filter(|p| p.0[..3] == focus).count();
        assert!(
            (600..=900).contains(&covered),
            "{name}: {covered} pixels of the focus's colour"
        );
    }
}

#[test]
fn foci_take_no_layer() {
    // Nine overlay layers are the most a hemisphere draws; foci come on top of them.
    let dir = util::out_dir("shading_foci_layers");
    let (surface, thickness) = (util::data("lh.inflated"), util::data("lh.thickness"));
    let mut cmd = util::surfrender();
    cmd.arg(&surface)
        .args(["--size", "200x", "--views", "lateral"]);
    for _ in 0..9 {
        cmd.arg("--overlay").arg(&thickness);
    }
    let out = dir.join("f.png");
    let o = cmd
        .args(["--focus-vertex", "lh:100", "--focus-radius", "10", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.exists());
}
