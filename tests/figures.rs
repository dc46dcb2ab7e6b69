//! Figure features: overlay outlines, contours, masks, symmetric maps.

use image::RgbaImage;

use crate::util;

use util::{chroma, count, data_arg as data, render_small as render, write_mgh};

fn is_lime(p: &image::Rgba<u8>) -> bool {
    p[1] > 200 && p[0] < 60 && p[2] < 60
}

fn is_heat(p: &image::Rgba<u8>) -> bool {
    p[0] as i32 - p[2] as i32 > 80 || p[2] as i32 - p[0] as i32 > 80
}

#[test]
fn overlay_outline_follows_the_threshold() {
    let dir = util::out_dir("figures_outline");
    let common = [
        &data("lh.inflated") as &str,
        "--overlay",
        &data("lh.stat.mgh"),
        "--threshold",
        "3",
        "--views",
        "lateral",
    ];
    let plain = render(&dir, "plain.png", &common);
    let lined = render(
        &dir,
        "lined.png",
        &[
            &common[..],
            &[
                "--outline",
                "--outline-color",
                "lime",
                "--outline-width",
                "3",
            ],
        ]
        .concat(),
    );
    assert_eq!(count(&plain, is_lime), 0);
    let lime: Vec<(u32, u32)> = lined
        .enumerate_pixels()
        .filter(|(_, _, p)| is_lime(p))
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(
        lime.len() > 100,
        "outline barely drawn: {} pixels",
        lime.len()
    );
    // Every outline pixel lies within a few pixels of the coloured overlay.
    let heat: Vec<(u32, u32)> = plain
        .enumerate_pixels()
        .filter(|(_, _, p)| is_heat(p))
        .map(|(x, y, _)| (x, y))
        .collect();
    let near = lime
        .iter()
        .filter(|(x, y)| {
            heat.iter()
                .any(|(hx, hy)| hx.abs_diff(*x) <= 4 && hy.abs_diff(*y) <= 4)
        })
        .count();
    assert!(
        near as f64 > 0.95 * lime.len() as f64,
        "{near} of {} outline pixels near the overlay",
        lime.len()
    );
}

#[test]
fn contours_are_drawn_at_their_levels() {
    let dir = util::out_dir("figures_contours");
    let lh = data("lh.inflated");
    let thick = data("lh.thickness");
    // One level: its colour is the contour map's middle; `cool` there is (128, 127, 255).
    let one = render(
        &dir,
        "one.png",
        &[
            &lh as &str,
            "--contours",
            &thick,
            "--levels",
            "2.5",
            "--contour-cmap",
            "cool",
            "--views",
            "lateral",
        ],
    );
    let purple = count(&one, |p| {
        p[0].abs_diff(128) < 12 && p[1].abs_diff(127) < 12 && p[2] > 240
    });
    assert!(purple > 200, "contour pixels: {purple}");
    // A level above every value draws nothing.
    let none = render(
        &dir,
        "none.png",
        &[
            &lh as &str,
            "--contours",
            &thick,
            "--levels",
            "100",
            "--contour-cmap",
            "cool",
            "--views",
            "lateral",
        ],
    );
    assert_eq!(count(&none, |p| p[2] > 240 && p[0] < 200), 0);
    // Default: 7 levels.
    let seven = render(
        &dir,
        "seven.png",
        &[&lh as &str, "--contours", &thick, "--views", "lateral"],
    );
    assert!(count(&seven, |p| p[0] as i32 - p[2] as i32 > 60) > purple);
}

#[test]
fn masked_vertices_show_plain_cortex() {
    let dir = util::out_dir("figures_mask");
    let mesh = surfrender::io::read_surface(&util::data("lh.inflated")).expect("surface");
    let ones = write_mgh(&dir, "lh.ones.mgh", &vec![1.0; mesh.vertices.len()]);
    let (lo, hi) = mesh.bounds();
    let mid = 0.5 * (lo[1] + hi[1]);
    let rows: Vec<String> = mesh
        .vertices
        .iter()
        .enumerate()
        .filter(|(_, v)| v[1] > mid)
        .map(|(i, v)| format!("{i} {} {} {} 0", v[0], v[1], v[2]))
        .collect();
    let mask = util::write(
        &dir,
        "lh.front.label",
        format!("#!ascii\n{}\n{}\n", rows.len(), rows.join("\n")).as_bytes(),
    );
    let common = [
        &data("lh.inflated") as &str,
        "--overlay",
        ones.to_str().expect("utf8"),
        "--threshold",
        "0.5",
        "--views",
        "lateral",
    ];
    let full = render(&dir, "full.png", &common);
    let masked = render(
        &dir,
        "masked.png",
        &[&common[..], &["--mask", mask.to_str().expect("utf8")]].concat(),
    );
    let coloured = |img: &RgbaImage| -> (usize, f64) {
        let px: Vec<u32> = img
            .enumerate_pixels()
            .filter(|(_, _, p)| is_heat(p))
            .map(|(x, _, _)| x)
            .collect();
        (
            px.len(),
            px.iter().map(|&x| x as f64).sum::<f64>() / px.len().max(1) as f64,
        )
    };
    let (n_full, x_full) = coloured(&full);
    let (n_masked, x_masked) = coloured(&masked);
    assert!(
        n_masked > 1000 && (n_masked as f64) < 0.75 * n_full as f64,
        "{n_masked} of {n_full}"
    );
    // lh lateral: anterior (the mask) is on the left.
    assert!(
        x_masked < x_full,
        "masked overlay centroid {x_masked} not left of {x_full}"
    );
}

fn lime_centroid(img: &RgbaImage) -> (f64, f64, usize) {
    let pts: Vec<(u32, u32)> = img
        .enumerate_pixels()
        .filter(|(_, _, p)| p[1] > 150 && (p[0] as i32) < 110 && (p[2] as i32) < 110)
        .map(|(x, y, _)| (x, y))
        .collect();
    let n = pts.len().max(1) as f64;
    (
        pts.iter().map(|p| p.0 as f64).sum::<f64>() / n,
        pts.iter().map(|p| p.1 as f64).sum::<f64>() / n,
        pts.len(),
    )
}

#[test]
fn foci_land_on_their_vertex() {
    let dir = util::out_dir("figures_foci");
    let mesh = surfrender::io::read_surface(&util::data("lh.inflated")).expect("surface");
    // A vertex on the lateral side: the one with the smallest x.
    let (v, p) = mesh
        .vertices
        .iter()
        .enumerate()
        .min_by(|a, b| a.1[0].total_cmp(&b.1[0]))
        .map(|(i, p)| (i, *p))
        .expect("vertices");
    let near: Vec<String> = mesh
        .vertices
        .iter()
        .enumerate()
        .filter(|(_, q)| (0..3).map(|k| (q[k] - p[k]).powi(2)).sum::<f32>() < 16.0)
        .map(|(i, q)| format!("{i} {} {} {} 0", q[0], q[1], q[2]))
        .collect();
    let label = util::write(
        &dir,
        "lh.spot.label",
        format!("#!ascii\n{}\n{}\n", near.len(), near.join("\n")).as_bytes(),
    );
    let lh = data("lh.inflated");
    let spot = render(
        &dir,
        "label.png",
        &[
            &lh as &str,
            "--views",
            "lateral",
            "--label",
            label.to_str().expect("utf8"),
            "--label-color",
            "lime",
        ],
    );
    let focus = render(
        &dir,
        "focus.png",
        &[
            &lh as &str,
            "--views",
            "lateral",
            "--focus-vertex",
            &v.to_string(),
            "--focus-color",
            "lime",
            "--focus-radius",
            "4",
        ],
    );
    let (sx, sy, sn) = lime_centroid(&spot);
    let (fx, fy, fn_) = lime_centroid(&focus);
    assert!(sn > 50 && fn_ > 50, "label {sn} px, focus {fn_} px");
    // The focus sits 4 mm in front of the surface; the figure is ~2.7 px/mm.
    assert!(
        (sx - fx).abs() < 6.0 && (sy - fy).abs() < 6.0,
        "focus at ({fx:.1}, {fy:.1}), label at ({sx:.1}, {sy:.1})"
    );
    // Foci from a file: a bad row names its line.
    let bad = util::write(&dir, "foci.csv", b"x,y,z\n-40,20,30\n-40,abc,30\n");
    let o = util::surfrender()
        .arg(&lh)
        .arg("--foci")
        .arg(&bad)
        .arg("-o")
        .arg(dir.join("x.png"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    // Bad file content (not what the user typed): exit status 1.
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("foci.csv") && err.contains("line 3") && err.contains("abc"),
        "{err}"
    );
}

#[test]
fn grid_spec_and_panel_size_shape_the_figure() {
    let dir = util::out_dir("figures_layout");
    let out = dir.join("g.png");
    let o = util::surfrender()
        .current_dir(util::root())
        .args([
            &data("lh.inflated") as &str,
            &data("rh.inflated"),
            "--layout",
            "lateral,medial;dorsal,ventral",
            "--panel-size",
            "200x150",
            "--no-colorbar",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = image::open(&out).expect("figure").to_rgba8();
    // Four columns (two views x two hemispheres) of 200 px and two rows of 150 px, plus
    // the outer margin.
    let (w, h) = img.dimensions();
    assert!(
        (800..880).contains(&w) && (300..380).contains(&h),
        "{w}x{h}"
    );
    // The dorsal row is below the lateral row: more surface in the bottom half's columns
    // than a single row would leave.
    let bottom = img
        .enumerate_pixels()
        .filter(|(_, y, p)| *y > h / 2 && p[0] < 250)
        .count();
    assert!(bottom > 5000, "second row is empty: {bottom}");
    // A bad grid names the view.
    let o = util::surfrender()
        .args([
            &data("lh.inflated") as &str,
            "--layout",
            "lateral,sideways",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sideways"));
}

#[test]
fn colour_bar_ticks_format_and_file() {
    let dir = util::out_dir("figures_colorbar");
    let svg = dir.join("bar.svg");
    let png = dir.join("bar.png");
    let base = [
        &data("lh.inflated") as &str,
        "--overlay",
        &data("lh.thickness"),
        "--threshold",
        "2",
        "--range",
        "2",
        "4",
        "--cbar-ticks",
        "3",
        "--cbar-format",
        "%.2f",
    ];
    let o = util::surfrender()
        .args(base)
        .arg("--colorbar-file")
        .arg(&svg)
        .arg("-o")
        .arg(dir.join("a.png"))
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&svg).expect("svg written");
    assert!(text.starts_with("<svg"), "{text}");
    for t in [">2.00<", ">3.00<", ">4.00<"] {
        assert!(text.contains(t), "tick {t} missing from the SVG");
    }
    let o = util::surfrender()
        .args(base)
        .arg("--colorbar-file")
        .arg(&png)
        .arg("-o")
        .arg(dir.join("b.png"))
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bar = image::open(&png).expect("png").to_rgba8();
    assert_eq!(bar.width(), 800);
    // The bar's colours run from the colormap's bottom to its top.
    assert!(
        bar.pixels()
            .filter(|p| p[0] as i32 - p[2] as i32 > 100)
            .count()
            > 1000
    );
    let o = util::surfrender()
        .args(&base[..3])
        .args(["--cbar-format", "%d", "-o"])
        .arg(dir.join("c.png"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn vertical_colour_bar_stands_beside_the_panels() {
    let dir = util::out_dir("figures_vertical");
    let base = [
        &data("lh.inflated") as &str,
        "--overlay",
        &data("lh.thickness"),
        "--threshold",
        "2",
    ];
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let o = util::surfrender()
            .args(base)
            .args(extra)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        image::open(&out).expect("png").to_rgba8()
    };
    let h = run("h.png", &[]);
    let v = run("v.png", &["--cbar-orientation", "vertical"]);
    assert!(
        v.width() > h.width() && v.height() < h.height(),
        "{:?} vs {:?}",
        v.dimensions(),
        h.dimensions()
    );
    // The bar's colours are in the right-hand strip, and none in the bottom rows.
    let strip = v
        .enumerate_pixels()
        .filter(|(x, _, p)| *x > v.width() - v.width() / 10 && p[0] as i32 - p[2] as i32 > 100)
        .count();
    assert!(strip > 200, "no bar in the right strip: {strip}");
}

#[test]
fn overlay_opacity_lets_the_cortex_through() {
    let dir = util::out_dir("figures_opacity");
    let common = [
        &data("lh.inflated") as &str,
        "--overlay",
        &data("lh.stat.mgh"),
        "--threshold",
        "2",
        "--views",
        "lateral",
    ];
    let opaque = render(&dir, "opaque.png", &common);
    let half = render(
        &dir,
        "half.png",
        &[&common[..], &["--opacity", "0.5"]].concat(),
    );
    // Same pixels coloured, each halfway between the overlay colour and the grey cortex.
    let (mut a, mut b, mut n) = (0i64, 0i64, 0i64);
    for (p, q) in opaque.pixels().zip(half.pixels()) {
        if chroma(p) > 80 {
            a += chroma(p) as i64;
            b += chroma(q) as i64;
            n += 1;
        }
    }
    assert!(n > 500, "overlay pixels: {n}");
    let ratio = b as f64 / a as f64;
    assert!(
        (0.4..0.6).contains(&ratio),
        "chroma at opacity 0.5 is {ratio:.2} of the opaque one"
    );
    // Every backend draws it alike.
    let cpu = render(
        &dir,
        "cpu.png",
        &[&common[..], &["--opacity", "0.5", "--backend", "cpu"]].concat(),
    );
    if let Ok(o) = util::surfrender()
        .current_dir(util::root())
        .args(common)
        .args([
            "--opacity",
            "0.5",
            "--backend",
            "egl",
            "--size",
            "500x",
            "--no-colorbar",
            "-o",
        ])
        .arg(dir.join("egl.png"))
        .output()
    {
        if o.status.success() {
            let egl = image::open(dir.join("egl.png"))
                .expect("egl png")
                .to_rgba8();
            let close = cpu
                .pixels()
                .zip(egl.pixels())
                .filter(|(p, q)| (0..4).all(|k| p[k].abs_diff(q[k]) <= 3))
                .count();
            assert!(close as f64 >= 0.99 * (cpu.width() * cpu.height()) as f64);
        }
    }
}
