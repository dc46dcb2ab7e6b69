//! Issue 11, items 8 and 9: real data look right by default. Two-signed data without a
//! threshold get a diverging map through zero and colour bars read in round numbers;
//! a `--size` of another aspect ratio keeps the figure together, centred, with a note;
//! captions and colour-bar text scale together.

use std::path::Path;

use image::RgbaImage;

use crate::util::{self, chroma, count, data_arg as data, run_in};

/// Renders `args` with the CPU backend into `dir/name`: the image and standard error.
fn render(dir: &Path, name: &str, args: &[&str]) -> (RgbaImage, String) {
    let out = dir.join(name).display().to_string();
    let (code, _, err) = run_in(
        &util::root(),
        &[args, &["--backend", "cpu", "-o", &out]].concat(),
    );
    assert_eq!(code, 0, "{args:?}: {err}");
    (image::open(&out).expect("read figure").to_rgba8(), err)
}

/// The tick labels of an SVG colour bar file, as numbers (U+2212 is a minus sign).
fn svg_tick_labels(path: &Path) -> Vec<f64> {
    let svg = std::fs::read_to_string(path).expect("svg written");
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split('>').nth(1)?.split('<').next()?;
            body.replace('\u{2212}', "-").parse().ok()
        })
        .collect()
}

/// Whether `v` is a round number: zero, or a small multiple (at most 20) of 1, 2, 2.5
/// or 5 times a power of ten (0.2, 1.5, 7.5, 40; not 0.0108 or 2.87).
fn is_round(v: f64) -> bool {
    if v == 0.0 {
        return true;
    }
    (-8..8).any(|k| {
        [1.0, 2.0, 2.5, 5.0].iter().any(|r| {
            let n = v.abs() / (r * 10f64.powi(k));
            (n - n.round()).abs() < 1e-4 && (1.0..=20.0).contains(&n.round())
        })
    })
}

fn lh_sulc(extra: &[&str]) -> Vec<String> {
    let mut v = vec![data("lh.inflated"), "--overlay".into(), data("lh.sulc")];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Sulcal depth (two-signed, no threshold) by default: one diverging map through zero,
/// light at zero, so values near zero are near white rather than the dark red and dark
/// blue of heat's two halves meeting.
#[test]
fn issue11_two_signed_data_without_threshold_are_continuous_through_zero() {
    let dir = util::out_dir("look_two_signed");
    let args = lh_sulc(&["--background", "black", "--size", "500x", "--no-colorbar"]);
    let (img, _) = render(&dir, "sulc.png", &strs(&args));
    // Near-white overlay pixels (the cortex is covered: every vertex has data; the
    // background is black): values near zero.
    let light = count(&img, |p| p[0].min(p[1]).min(p[2]) > 215 && chroma(p) < 40);
    let coloured = count(&img, |p| chroma(p) > 30);
    assert!(
        light > 2000 && coloured > 10_000,
        "near-white {light}, coloured {coloured}"
    );
    // heat's dark halves at zero: dark red (128, 0, 0) next to dark blue (0, 0, 128).
    let dark_heat = count(&img, |p| {
        (p[0] > 100 && p[0] < 160 && p[1] < 20 && p[2] < 20)
            || (p[2] > 100 && p[2] < 160 && p[0] < 20 && p[1] < 20)
    });
    assert!(dark_heat < 200, "{dark_heat} pixels of heat's dark halves");

    // The colour bar: no jump between neighbouring columns, and symmetric about zero.
    let bar = dir.join("bar.png").display().to_string();
    let args = lh_sulc(&["--size", "500x", "--colorbar-file", &bar]);
    render(&dir, "with_bar.png", &strs(&args));
    let bar = image::open(&bar).expect("bar").to_rgba8();
    let row = (0..bar.height())
        .max_by_key(|&y| {
            (0..bar.width())
                .filter(|&x| chroma(bar.get_pixel(x, y)) > 30)
                .count()
        })
        .expect("rows");
    let xs: Vec<u32> = (0..bar.width())
        .filter(|&x| *bar.get_pixel(x, row) != image::Rgba([255, 255, 255, 255]))
        .collect();
    let (x0, x1) = (xs[0], *xs.last().expect("bar"));
    assert!(x1 - x0 > 300, "bar from {x0} to {x1}");
    let mut worst = 0;
    for x in x0..x1 {
        let (a, b) = (bar.get_pixel(x, row), bar.get_pixel(x + 1, row));
        let d = (0..3).map(|k| a[k].abs_diff(b[k])).max().unwrap_or(0);
        worst = worst.max(d);
    }
    assert!(
        worst <= 24,
        "a jump of {worst} between neighbouring bar columns"
    );
    let mid = bar.get_pixel((x0 + x1) / 2, row);
    assert!(
        mid[0].min(mid[1]).min(mid[2]) > 200,
        "zero is light: {mid:?}"
    );
    let (lo, hi) = (bar.get_pixel(x0, row), bar.get_pixel(x1, row));
    assert!(
        lo[2] > lo[0] && hi[0] > hi[2],
        "blue below zero, red above: {lo:?} {hi:?}"
    );
}

/// What `auto` leaves alone: thresholded statistics and one-signed data keep PySurfer's
/// heat exactly, byte for byte; so does an explicit `--cmap heat` on two-signed data.
#[test]
fn issue11_thresholded_and_one_signed_data_keep_heat() {
    let dir = util::out_dir("look_keep_heat");
    let stat = [data("lh.inflated"), "--overlay".into(), data("lh.stat.mgh")];
    let thick = [
        data("lh.inflated"),
        "--overlay".into(),
        data("lh.thickness"),
    ];
    for (name, base, extra) in [
        ("stat", &stat, vec!["--threshold", "2"]),
        ("stat_pct", &stat, vec!["--threshold", "90%"]),
        ("thickness", &thick, vec![]),
        ("thickness_thr", &thick, vec!["--threshold", "2.5"]),
    ] {
        let args: Vec<&str> = strs(base)
            .into_iter()
            .chain(extra.iter().copied())
            .chain(["--size", "400x"])
            .collect();
        let (auto, _) = render(&dir, &format!("{name}_auto.png"), &args);
        let heat_args = [args.as_slice(), &["--cmap", "heat"]].concat();
        let (heat, _) = render(&dir, &format!("{name}_heat.png"), &heat_args);
        assert!(auto == heat, "{name}: the default differs from heat");
    }
    // Two-signed data with heat asked for still get heat's two halves.
    let args = lh_sulc(&["--cmap", "heat", "--size", "400x", "--no-colorbar"]);
    let (img, _) = render(&dir, "sulc_heat.png", &strs(&args));
    let dark = count(&img, |p| p[0] > 100 && p[0] < 160 && p[1] < 20 && p[2] < 20);
    assert!(dark > 500, "{dark}");
}

/// Default ticks are round numbers (1, 2, 2.5 or 5 times a power of ten, and their
/// multiples) where the range came from percentiles; typed numbers stay as typed.
#[test]
fn issue11_colour_bar_ticks_are_round_numbers() {
    let dir = util::out_dir("look_ticks");
    let svg = |name: &str| dir.join(name);
    let cases: [(&str, Vec<String>); 4] = [
        ("sulc.svg", lh_sulc(&[])),
        (
            "thickness.svg",
            vec![
                data("lh.inflated"),
                "--overlay".into(),
                data("lh.thickness"),
            ],
        ),
        (
            "stat_pct.svg",
            vec![
                data("lh.inflated"),
                "--overlay".into(),
                data("lh.stat.mgh"),
                "--range".into(),
                "5%".into(),
                "99%".into(),
            ],
        ),
        (
            "sulc_scaled.svg",
            lh_sulc(&["--cmap", "RdBu_r", "--symmetric", "--range", "0", "0.0217"]),
        ),
    ];
    for (name, args) in &cases[..3] {
        let bar = svg(name).display().to_string();
        let args = [
            strs(args).as_slice(),
            &["--size", "300x", "--colorbar-file", &bar],
        ]
        .concat();
        render(&dir, "fig.png", &args);
        let ticks = svg_tick_labels(&svg(name));
        assert!(ticks.len() >= 3, "{name}: {ticks:?}");
        for t in &ticks {
            assert!(
                is_round(*t),
                "{name}: tick {t} is not a round number ({ticks:?})"
            );
        }
    }
    // sulc: symmetric about zero, with zero labelled.
    let ticks = svg_tick_labels(&svg("sulc.svg"));
    assert!(ticks.contains(&0.0), "{ticks:?}");
    for t in &ticks {
        assert!(ticks.contains(&-t), "{ticks:?} not symmetric");
    }
    // Typed numbers are labelled as typed, and alone.
    let (name, args) = &cases[3];
    let bar = svg(name).display().to_string();
    let args = [
        strs(args).as_slice(),
        &["--size", "300x", "--colorbar-file", &bar],
    ]
    .concat();
    render(&dir, "typed.png", &args);
    let mut ticks = svg_tick_labels(&svg(name));
    ticks.sort_by(f64::total_cmp);
    assert_eq!(ticks, vec![-0.0217, 0.0, 0.0217]);
    let stat = [
        data("lh.inflated"),
        "--overlay".into(),
        data("lh.stat.mgh"),
        "--threshold".into(),
        "2.3".into(),
        "--range".into(),
        "2.3".into(),
        "5".into(),
    ];
    let bar = svg("stat.svg").display().to_string();
    let args = [
        strs(&stat).as_slice(),
        &["--size", "300x", "--colorbar-file", &bar],
    ]
    .concat();
    render(&dir, "stat.png", &args);
    let mut ticks = svg_tick_labels(&svg("stat.svg"));
    ticks.sort_by(f64::total_cmp);
    assert_eq!(ticks, vec![-5.0, -2.3, 2.3, 5.0]);
}

/// The default (`cmap = "auto"`) is written out by `--print-spec` and the sidecar, and
/// replays the same PNG.
#[test]
fn issue11_auto_colormap_is_printed_and_replays() {
    let dir = util::out_dir("look_auto_replays");
    let args = lh_sulc(&["--size", "300x", "--backend", "cpu"]);
    let (code, toml, err) = run_in(&dir, &[strs(&args).as_slice(), &["--print-spec"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(toml.contains("cmap = \"auto\""), "{toml}");
    crate::desc::replays_identically(&dir, &strs(&args));
}

/// The block of a figure: the bounding box of everything not the background colour.
fn ink_box(img: &RgbaImage) -> (u32, u32, u32, u32) {
    let bg = *img.get_pixel(0, 0);
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in img.enumerate_pixels() {
        if *p != bg {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    (x0, y0, x1, y1)
}

/// `img` without the margins that `size` left: the part of it as large as `block`,
/// centred.
fn centre_crop(img: &RgbaImage, block: &RgbaImage) -> RgbaImage {
    let x = (img.width() - block.width()) / 2;
    let y = (img.height() - block.height()) / 2;
    image::imageops::crop_imm(img, x, y, block.width(), block.height()).to_image()
}

/// `--layout row --size 1600x1200`: the panels, title and colour bar stay the figure that
/// `--size 1600x` gives, centred in the canvas, with a note that says so; and a canvas
/// too wide gives the `x HEIGHT` figure centred across.
#[test]
fn issue11_size_of_another_aspect_keeps_the_figure_together() {
    let dir = util::out_dir("look_block");
    let base = [
        data("lh.inflated"),
        data("rh.inflated"),
        "--overlay".into(),
        data("lh.thickness"),
        "--overlay".into(),
        data("rh.thickness"),
        "--title".into(),
        "Cortical thickness".into(),
        "--cbar-label".into(),
        "mm".into(),
    ];
    for (name, extra, size, one_side, note) in [
        (
            "row",
            vec!["--layout", "row"],
            "1600x1200",
            "1600x",
            "--size 1600x ",
        ),
        ("wide", vec![], "1800x500", "x500", "--size x500 "),
        (
            "vertical",
            vec!["--cbar-orientation", "vertical"],
            "1000x1000",
            "1000x",
            "--size 1000x ",
        ),
    ] {
        let args: Vec<&str> = strs(&base)
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let (canvas, err) = render(
            &dir,
            &format!("{name}_canvas.png"),
            &[args.as_slice(), &["--size", size]].concat(),
        );
        let (block, quiet) = render(
            &dir,
            &format!("{name}_block.png"),
            &[args.as_slice(), &["--size", one_side]].concat(),
        );
        let (w, h) = size.split_once('x').expect("size");
        assert_eq!(
            canvas.dimensions(),
            (w.parse().expect("w"), h.parse().expect("h")),
            "{name}"
        );
        assert!(
            err.contains(note) && err.contains("centred"),
            "{name}: {err}"
        );
        assert!(!quiet.contains("centred"), "{name}: {quiet}");
        // The canvas holds the one-side figure, centred, and nothing else.
        let crop = centre_crop(&canvas, &block);
        let same = crop
            .pixels()
            .zip(block.pixels())
            .filter(|(a, b)| a == b)
            .count();
        let n = block.pixels().len();
        assert!(
            same as f64 >= 0.9999 * n as f64,
            "{name}: {} of {n} pixels differ from the {one_side} figure",
            n - same
        );
        let (x0, y0, x1, y1) = ink_box(&canvas);
        let (cw, ch) = canvas.dimensions();
        let (left, right, top, bottom) = (x0, cw - 1 - x1, y0, ch - 1 - y1);
        assert!(
            left.abs_diff(right) <= cw / 50 + 4,
            "{name}: {left} {right}"
        );
        assert!(
            top.abs_diff(bottom) <= ch / 50 + 4,
            "{name}: {top} {bottom}"
        );
    }
    // The same aspect ratio: no note.
    let (_, err) = render(
        &dir,
        "same.png",
        &[
            strs(&base).as_slice(),
            &["--layout", "row", "--size", "1600x"],
        ]
        .concat(),
    );
    assert!(!err.contains("centred"), "{err}");
}

/// Rows `[a, b)` of `img` in which some pixel is dark ink (text on white).
fn ink_rows(img: &RgbaImage, rows: std::ops::Range<u32>) -> Vec<u32> {
    rows.filter(|&y| {
        (0..img.width()).any(|x| {
            let p = img.get_pixel(x, y);
            p[0].max(p[1]).max(p[2]) < 90
        })
    })
    .collect()
}

/// The height in pixels of the first band of consecutive rows in `rows` (ascending or
/// descending).
fn first_band(rows: &[u32]) -> u32 {
    let mut n = 1;
    for w in rows.windows(2) {
        if w[1].abs_diff(w[0]) != 1 {
            break;
        }
        n += 1;
    }
    n
}

/// Panel captions and the colour bar's caption are one text size at any figure width:
/// "L lateral" over the first panel and "L lateral" under the bar have the same height.
#[test]
fn issue11_captions_and_colour_bar_text_scale_together() {
    let dir = util::out_dir("look_text");
    let args = [
        data("lh.inflated"),
        data("rh.inflated"),
        "--overlay".into(),
        data("lh.thickness"),
        "--overlay".into(),
        data("rh.thickness"),
        "--cmap".into(),
        "viridis".into(),
        "--range".into(),
        "1".into(),
        "4".into(),
        "--panel-labels".into(),
        "--cbar-label".into(),
        "L lateral".into(),
    ];
    let mut seen = Vec::new();
    for width in ["800x", "3200x"] {
        let (img, _) = render(
            &dir,
            &format!("{width}.png"),
            &[strs(&args).as_slice(), &["--size", width]].concat(),
        );
        // The panels are coloured all over (viridis, no threshold); the caption lies
        // above them and the bar's caption is the last text at the bottom.
        let coloured: Vec<u32> = (0..img.height())
            .filter(|&y| (0..img.width()).any(|x| chroma(img.get_pixel(x, y)) > 40))
            .collect();
        let first_colour = coloured[0];
        let above = ink_rows(&img, 0..first_colour);
        let mut below = ink_rows(&img, 0..img.height());
        below.reverse();
        let (panel_caption, bar_caption) = (first_band(&above), first_band(&below));
        let ratio = panel_caption as f32 / bar_caption as f32;
        assert!(
            (0.9..=1.12).contains(&ratio),
            "{width}: panel caption {panel_caption} px high, the bar's {bar_caption} px"
        );
        seen.push(bar_caption);
    }
    assert!(
        seen[1] > 3 * seen[0],
        "text grows with the figure: {seen:?}"
    );
}
