//! Annotation and label layers: where they land, borders a fixed number of pixels wide,
//! fills, and their order relative to the overlay.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::util;

use util::{chroma, count, data_arg as data, render_small as render};

/// A label of the vertices of lh.inflated whose y is in the anterior third.
fn anterior_label(dir: &Path) -> PathBuf {
    let mesh = surfrender::io::read_surface(&util::data("lh.inflated")).expect("surface");
    let (lo, hi) = mesh.bounds();
    let cut = hi[1] - (hi[1] - lo[1]) / 3.0;
    let rows: Vec<String> = mesh
        .vertices
        .iter()
        .enumerate()
        .filter(|(_, v)| v[1] > cut)
        .map(|(i, v)| format!("{i} {} {} {} 0.0", v[0], v[1], v[2]))
        .collect();
    let text = format!(
        "#!ascii label, from test\n{}\n{}\n",
        rows.len(),
        rows.join("\n")
    );
    util::write(dir, "lh.anterior.label", text.as_bytes())
}

fn is_gold(p: &image::Rgba<u8>) -> bool {
    p[0] as i32 - p[2] as i32 > 80 && p[1] as i32 - p[2] as i32 > 60
}

fn is_green(p: &image::Rgba<u8>) -> bool {
    p[1] as i32 - p[0] as i32 > 80 && p[1] as i32 - p[2] as i32 > 80
}

#[test]
fn label_lands_on_its_vertices() {
    let dir = util::out_dir("layers_label_place");
    let label = anterior_label(&dir);
    let img = render(
        &dir,
        "l.png",
        &[
            &data("lh.inflated"),
            "--views",
            "lateral",
            "--label",
            label.to_str().expect("utf8"),
            "--label-color",
            "gold",
        ],
    );
    let (mut sx, mut n, mut all_x, mut all_n) = (0.0, 0.0, 0.0, 0.0);
    for (x, _, p) in img.enumerate_pixels() {
        if chroma(p) < 10 && p[0] < 250 {
            all_x += x as f64;
            all_n += 1.0;
        }
        if is_gold(p) {
            sx += x as f64;
            n += 1.0;
        }
    }
    assert!(n > 1000.0, "label barely visible: {n} pixels");
    // lh lateral: anterior is on the image's left.
    assert!(
        sx / n < all_x / all_n,
        "label centroid {} not left of the cortex {}",
        sx / n,
        all_x / all_n
    );
}

#[test]
fn outlines_have_the_requested_width() {
    let dir = util::out_dir("layers_outline");
    let label = anterior_label(&dir);
    let l = label.to_str().expect("utf8");
    let base = [
        &data("lh.inflated") as &str,
        "--views",
        "lateral",
        "--label",
        l,
        "--label-color",
        "gold",
    ];
    let fill = count(&render(&dir, "fill.png", &base), is_gold);
    let w2 = count(
        &render(
            &dir,
            "w2.png",
            &[&base[..], &["--label-outline", "--outline-width", "2"]].concat(),
        ),
        is_gold,
    );
    let w4 = count(
        &render(
            &dir,
            "w4.png",
            &[&base[..], &["--label-outline", "--outline-width", "4"]].concat(),
        ),
        is_gold,
    );
    assert!(
        w2 > 100 && w2 * 5 < fill,
        "outline {w2} px vs fill {fill} px"
    );
    let ratio = w4 as f64 / w2 as f64;
    assert!(
        (1.6..2.4).contains(&ratio),
        "width 4 vs 2 drew {w4} vs {w2} pixels (ratio {ratio:.2})"
    );
}

#[test]
fn annotation_fills_or_outlines_the_cortex() {
    let dir = util::out_dir("layers_annot");
    let args = [
        &data("lh.inflated") as &str,
        "--views",
        "lateral",
        "--annot",
        &data("lh.synthkmeans.annot"),
    ];
    let filled = render(&dir, "fill.png", &args);
    let surface = count(&filled, |p| p[0] < 250 || p[1] < 250 || p[2] < 250);
    let coloured = count(&filled, |p| chroma(p) > 25);
    assert!(
        coloured as f64 > 0.8 * surface as f64,
        "{coloured} coloured of {surface} surface pixels"
    );
    let outlined = render(
        &dir,
        "outline.png",
        &[&args[..], &["--annot-outline"]].concat(),
    );
    let borders = count(&outlined, |p| chroma(p) > 25);
    assert!(
        borders > 500 && (borders as f64) < 0.3 * surface as f64,
        "{borders} border pixels of {surface}"
    );
}

#[test]
fn layer_order_follows_the_command_line() {
    let dir = util::out_dir("layers_order");
    let rh = data("rh.inflated");
    let stat = data("rh.stat.mgh");
    let label = data("rh.stat_gt3.label");
    let common = [&rh as &str, "--views", "lateral,medial", "--threshold", "2"];
    let under = render(
        &dir,
        "under.png",
        &[
            &common[..],
            &[
                "--label",
                &label,
                "--label-color",
                "lime",
                "--overlay",
                &stat,
            ],
        ]
        .concat(),
    );
    let over = render(
        &dir,
        "over.png",
        &[
            &common[..],
            &[
                "--overlay",
                &stat,
                "--label",
                &label,
                "--label-color",
                "lime",
            ],
        ]
        .concat(),
    );
    let (u, o) = (count(&under, is_green), count(&over, is_green));
    assert!(
        o > 300 && o > 10 * u.max(1),
        "label over the overlay: {o} green pixels; under it: {u}"
    );
}

#[test]
fn subject_directory_mode() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("layers_subject");
    let out = dir.join("s.png");
    let o = util::surfrender()
        .args(["--subject", "fsaverage5", "--subjects-dir"])
        .arg(&shared)
        .args([
            "--hemi",
            "both",
            "--surf",
            "inflated",
            "--overlay",
            "thickness",
            "--threshold",
            "2.5",
            "--annot",
            "synthkmeans",
            "--annot-outline",
            "--label",
            "synth05",
            "--size",
            "600x",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run surfrender");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        !err.contains("flat grey"),
        "curvature not found in surf/: {err}"
    );
    let img = image::open(&out).expect("figure");
    assert_eq!(img.width(), 600);
    // A missing subject is a clear usage error.
    let o = util::surfrender()
        .args(["--subject", "nobody", "--subjects-dir"])
        .arg(&shared)
        .args(["-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nobody"));
}

#[test]
fn borders_take_a_fixed_colour_when_asked() {
    let dir = util::out_dir("layers_border_color");
    let args = [
        &data("lh.inflated") as &str,
        "--views",
        "lateral",
        "--annot",
        &data("lh.synthkmeans.annot"),
        "--annot-outline",
    ];
    let own = render(&dir, "own.png", &args);
    let fixed = render(
        &dir,
        "fixed.png",
        &[&args[..], &["--border-color", "magenta"]].concat(),
    );
    // Borders are unlit: fully covered border pixels have exactly the border colour.
    let magenta = |p: &image::Rgba<u8>| p.0 == [255, 0, 255, 255];
    let (o, f) = (count(&own, magenta), count(&fixed, magenta));
    assert!(
        f > 300 && o == 0,
        "magenta border pixels: {f} with --border-color, {o} without"
    );
    let coloured = |img: &RgbaImage| count(img, |p| chroma(p) > 25);
    // The same borders, only recoloured.
    let (a, b) = (coloured(&own) as f64, coloured(&fixed) as f64);
    assert!(
        (a - b).abs() < 0.1 * a,
        "{a} border pixels in their own colours, {b} in magenta"
    );
}
