//! Stacked overlays: several continuous maps, each with its own colormap, threshold,
//! range, sign and opacity, drawn in command-line (or spec) order on every backend.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::util;

use util::{chroma, data_arg as data, render_small as render, run_in, write_mgh};

/// An overlay of rh.inflated that is 3 on the anterior third of the vertices (by y) and
/// NaN elsewhere.
fn anterior_map(dir: &Path) -> PathBuf {
    let mesh = surfrender::io::read_surface(&util::data("rh.inflated")).expect("surface");
    let (lo, hi) = mesh.bounds();
    let cut = hi[1] - (hi[1] - lo[1]) / 3.0;
    let values: Vec<f32> = mesh
        .vertices
        .iter()
        .map(|v| if v[1] > cut { 3.0 } else { f32::NAN })
        .collect();
    write_mgh(dir, "rh.front.mgh", &values)
}

/// Chromatic pixels: their count, mean x as a share of the width, and mean chroma.
fn colourful(img: &RgbaImage) -> (usize, f64, f64) {
    let (mut n, mut sx, mut sc) = (0usize, 0f64, 0f64);
    for (x, _, p) in img.enumerate_pixels() {
        let c = chroma(p);
        if c > 40 {
            n += 1;
            sx += x as f64;
            sc += c as f64;
        }
    }
    let n_f = n.max(1) as f64;
    (n, sx / n_f / img.width() as f64, sc / n_f)
}

#[test]
fn overlays_stack_in_order_with_their_own_colouring() {
    let dir = util::out_dir("stack_order");
    let front = anterior_map(&dir);
    let front = front.to_str().expect("utf8");
    let thick = data("rh.thickness");
    let surf = data("rh.inflated");
    let base = [&surf as &str, "--views", "lateral"];
    let gray = ["--overlay", &thick, "--cmap", "gray"];
    let top = ["--overlay", front, "--cmap", "viridis", "--threshold", "1"];
    let stacked = render(&dir, "stacked.png", &[&base[..], &gray, &top].concat());
    let (n, x, c) = colourful(&stacked);
    // The right hemisphere seen from the right: anterior is on the right.
    assert!(n > 2000, "the top layer is drawn: {n} coloured pixels");
    assert!(
        x > 0.6,
        "the top layer lies anterior (right): mean x {x:.2}"
    );
    // Everything else is the grey thickness map: no colour in the posterior half.
    let w = stacked.width();
    let posterior = stacked
        .enumerate_pixels()
        .filter(|(px, _, p)| *px < w * 4 / 10 && chroma(p) > 12)
        .count();
    assert_eq!(posterior, 0, "coloured pixels in the posterior 40%");

    // Reversed, the opaque grey thickness map covers the other layer.
    let reversed = render(&dir, "reversed.png", &[&base[..], &top, &gray].concat());
    let (n_rev, _, _) = colourful(&reversed);
    assert!(
        n_rev * 100 < n,
        "under the grey layer: {n_rev} coloured pixels"
    );

    // Opacity belongs to the layer it follows: the top layer fades over the grey one.
    let faded = render(
        &dir,
        "faded.png",
        &[&base[..], &gray, &top, &["--opacity", "0.5"]].concat(),
    );
    let (n_half, _, c_half) = colourful(&faded);
    assert!(
        n_half > 0 && c_half < 0.8 * c,
        "faded {c_half:.0} vs {c:.0}"
    );
    // The option given before any --overlay goes to the first layer: the grey map fades
    // instead, and the top layer keeps its full colour.
    let first = render(
        &dir,
        "first.png",
        &[&base[..], &["--opacity", "0.5"], &gray, &top].concat(),
    );
    let (_, _, c_first) = colourful(&first);
    assert!(
        (c_first - c).abs() < 3.0,
        "top layer {c_first:.0} vs {c:.0}"
    );
}

#[test]
fn each_layer_keeps_its_own_sign_and_threshold() {
    let dir = util::out_dir("stack_sign");
    let stat = data("rh.stat.mgh");
    let surf = data("rh.inflated");
    // The same signed map twice: positive values in hot, negative ones in winter (blue
    // to green) on the layer above. Each layer shows only its sign.
    let args = [
        &surf as &str,
        "--views",
        "lateral,medial",
        "--overlay",
        &stat,
        "--cmap",
        "hot",
        "--sign",
        "pos",
        "--threshold",
        "2",
        "--overlay",
        &stat,
        "--cmap",
        "cool",
        "--sign",
        "neg",
        "--threshold",
        "2",
    ];
    let img = render(&dir, "signs.png", &args);
    let warm = img
        .pixels()
        .filter(|p| p[0] as i32 - p[2] as i32 > 80)
        .count();
    let cold = img
        .pixels()
        .filter(|p| p[2] as i32 - p[0] as i32 > 80)
        .count();
    assert!(warm > 300 && cold > 300, "warm {warm}, cold {cold}");
    // Without the second layer the negative values vanish.
    let only_pos = render(&dir, "pos.png", &args[..11]);
    let cold_alone = only_pos
        .pixels()
        .filter(|p| p[2] as i32 - p[0] as i32 > 80)
        .count();
    assert_eq!(cold_alone, 0, "negative values drawn by the positive layer");
}

/// The figure of `args` through `backend`, or why it failed.
fn through(dir: &Path, name: &str, backend: &str, args: &[&str]) -> Result<RgbaImage, String> {
    let args = [args, &["--size", "600x"]].concat();
    crate::backends::figure_of(dir, name, backend, &[], &args)
}

#[test]
fn stacked_layers_agree_across_backends() {
    let dir = util::out_dir("stack_backends");
    let front = anterior_map(&dir);
    let (surf, thick, stat, label) = (
        data("rh.inflated"),
        data("rh.thickness"),
        data("rh.stat.mgh"),
        data("rh.stat_gt3.label"),
    );
    let args = [
        &surf as &str,
        "--views",
        "lateral,medial",
        "--overlay",
        &thick,
        "--cmap",
        "gray",
        "--label",
        &label,
        "--label-color",
        "lime",
        "--overlay",
        &stat,
        "--threshold",
        "2.5",
        "--opacity",
        "0.7",
        "--overlay",
        front.to_str().expect("utf8"),
        "--cmap",
        "viridis",
        "--opacity",
        "0.5",
    ];
    // With the label, GL runs its geometry stage; without it, overlays alone do not.
    let without_label: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(k, _)| !(7..11).contains(k))
        .map(|(_, a)| *a)
        .collect();
    for (name, args) in [("label", &args[..]), ("overlays", &without_label[..])] {
        agree_across_backends(&dir, name, args);
    }
}

/// The figure of `args` through EGL and OSMesa agrees with the CPU renderer.
fn agree_across_backends(dir: &Path, name: &str, args: &[&str]) {
    let cpu = through(dir, &format!("{name}-cpu.png"), "cpu", args).expect("cpu renders");
    for backend in ["egl", "osmesa"] {
        let img = match through(dir, &format!("{name}-{backend}.png"), backend, args) {
            Ok(img) => img,
            Err(e) if !crate::backends::required() => {
                eprintln!("SKIPPED: no {backend} here ({e})");
                continue;
            }
            Err(e) => panic!("--backend {backend} is required in CI: {e}"),
        };
        assert_eq!(img.dimensions(), cpu.dimensions());
        let share = crate::backends::agreement(&img, &cpu, 3);
        assert!(
            share >= 0.999,
            "{name}, {backend}: {:.4}% of pixels within 3/255 of the CPU renderer",
            share * 100.0
        );
    }
}

#[test]
fn each_layer_has_its_own_colour_bar() {
    let dir = util::out_dir("stack_bars");
    let (surf, thick, stat) = (
        data("rh.inflated"),
        data("rh.thickness"),
        data("rh.stat.mgh"),
    );
    let out = dir.join("bars.png");
    let bar = dir.join("bars-only.png");
    let o = util::surfrender()
        .current_dir(util::root())
        .args([
            &surf as &str,
            "--views",
            "lateral",
            "--size",
            "800x",
            "--overlay",
            &thick,
            "--cmap",
            "gray",
            "--cbar-label",
            "mm",
            "--overlay",
            &stat,
            "--cmap",
            "hot",
            "--sign",
            "pos",
            "--threshold",
            "2",
            "--cbar-label",
            "z",
        ])
        .arg("--colorbar-file")
        .arg(&bar)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run surfrender");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = image::open(&out).expect("figure").to_rgba8();
    // The bars share one row under the panels: the row with the most hot-coloured pixels
    // in the bottom quarter.
    let w = img.width();
    let warm = |p: &image::Rgba<u8>| p[0] as i32 - p[2] as i32 > 80;
    let grey = |p: &image::Rgba<u8>| chroma(p) < 4 && p[0] > 20 && p[0] < 235;
    let row = (img.height() * 3 / 4..img.height())
        .max_by_key(|&y| (0..w).filter(|&x| warm(img.get_pixel(x, y))).count())
        .unwrap_or(0);
    let xs = |f: &dyn Fn(&image::Rgba<u8>) -> bool| -> Vec<u32> {
        (0..w).filter(|&x| f(img.get_pixel(x, row))).collect()
    };
    let (g, h) = (xs(&grey), xs(&warm));
    assert!(
        g.len() > 100 && h.len() > 100,
        "grey {}, hot {}",
        g.len(),
        h.len()
    );
    assert!(
        g.iter().all(|&x| x < w / 2) && h.iter().all(|&x| x > w / 2),
        "the first layer's bar is left, the second's right (row {row})"
    );
    // The bar file holds both bars side by side.
    let file = image::open(&bar).expect("bar file").to_rgba8();
    assert_eq!(file.width(), 1600, "two 800-pixel bar slots");
}

#[test]
fn vertical_bars_with_large_text_all_fit() {
    let dir = util::out_dir("stack_vertical_bars");
    let (lh, rh) = (data("lh.inflated"), data("rh.inflated"));
    let (lt, rt, ls, rs) = (
        data("lh.thickness"),
        data("rh.thickness"),
        data("lh.stat.mgh"),
        data("rh.stat.mgh"),
    );
    let out = dir.join("v.png");
    let o = util::surfrender()
        .args([
            &lh as &str,
            &rh,
            "--views",
            "lateral",
            "--size",
            "1200x",
            "--overlay",
            &lt,
            "--overlay",
            &rt,
            "--cmap",
            "gray",
            "--cbar-label",
            "thickness (mm)",
            "--overlay",
            &ls,
            "--overlay",
            &rs,
            "--cmap",
            "hot",
            "--sign",
            "pos",
            "--threshold",
            "2",
            "--cbar-label",
            "z",
            "--cbar-orientation",
            "vertical",
            "--font-size",
            "20",
        ])
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run surfrender");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = image::open(&out).expect("figure").to_rgba8();
    let (w, h) = img.dimensions();
    // Both bars stand right of the panels: hot colours in the last fifth of the width
    // (the brains hold hot spots too, so look only at the strip), and no ink in the last
    // column, where cut-off labels would end.
    let strip = |x: u32| x > w * 4 / 5;
    let hot = img
        .enumerate_pixels()
        .filter(|(x, _, p)| strip(*x) && p[0] as i32 - p[2] as i32 > 80 && p[1] < 200)
        .count();
    assert!(
        hot > 200,
        "the second bar is in the image: {hot} hot pixels"
    );
    let cut = (0..h).filter(|&y| img.get_pixel(w - 1, y)[0] < 128).count();
    assert_eq!(cut, 0, "ink in the last column: text runs off the figure");
}

#[test]
fn doubtful_pairs_and_too_many_layers_are_reported() {
    let dir = util::out_dir("stack_reports");
    let root = util::root();
    let (lh, rh) = (data("lh.inflated"), data("rh.inflated"));
    let (lt, rt, ls, rs) = (
        data("lh.thickness"),
        data("rh.thickness"),
        data("lh.stat.mgh"),
        data("rh.stat.mgh"),
    );
    let out = dir.join("x.png");
    let out = out.to_str().expect("utf8");
    // lh.stat.mgh and rh.thickness land in one layer: drawn, with a note.
    let (code, _, err) = run_in(
        &root,
        &[
            &lh,
            &rh,
            "--overlay",
            &lt,
            "--overlay",
            &ls,
            "--overlay",
            &rt,
            "--overlay",
            &rs,
            "-o",
            out,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("pairs") && err.contains("rh.thickness"),
        "{err}"
    );
    // Nine layers above the first are refused before anything is read.
    let mut args: Vec<&str> = vec![&lh];
    for _ in 0..10 {
        args.extend(["--overlay", &lt]);
    }
    args.extend(["-o", out]);
    let (code, _, err) = run_in(&root, &args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 8"), "{err}");
    // Layer options without any overlay are named in a note.
    let (code, _, err) = run_in(
        &root,
        &[
            &lh,
            "--cmap",
            "hot",
            "--outline",
            "--mask",
            &data("lh.synth05.label"),
            "-o",
            out,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("--cmap, --outline, --mask ignored: there is no --overlay"),
        "{err}"
    );
    // A misspelt colormap names its option.
    let (code, _, err) = run_in(
        &root,
        &[&lh, "--overlay", &lt, "--cmap", "virids", "-o", out],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--cmap") && err.contains("viridis"), "{err}");
}
